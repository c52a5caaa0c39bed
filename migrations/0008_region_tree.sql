-- The region tree, walked in one place each way: a region with those above it (nearest
-- first), and a region with every place under it. Queries call these instead of writing
-- their own recursive walks.

create function region_and_above(start bigint) returns table (id bigint, depth integer)
language sql stable as $$
    with recursive up (id, parent_id, depth) as (
        select r.id, r.parent_id, 0 from regions r where r.id = start
        union all
        select r.id, r.parent_id, up.depth + 1 from regions r join up on r.id = up.parent_id
    )
    select id, depth from up
$$;

create function region_and_below(start bigint) returns setof bigint
language sql stable as $$
    with recursive down (id) as (
        select start
        union all
        select r.id from regions r join down on r.parent_id = down.id
    )
    select id from down
$$;

-- The trigger of 0002, walking down through the function.
create or replace function regions_log_change() returns trigger language plpgsql as $$
begin
    if new.parent_id is distinct from old.parent_id then
        perform log_case_change(c.id)
        from cases c
        where c.region_id in (select region_and_below(new.id));
    end if;
    return null;
end
$$;
