-- Search finds workshops, their published outcomes and the commitments listed there, each
-- as a document type of its own: every write that changes what a document says, or whether
-- it may be found, logs it in the change log. Keys are the workshop's id (for a workshop
-- and its outcomes) and the commitment's id.

-- A workshop's own text, its state (drafts are never found) and its title and year, which
-- its outcomes and commitments show too.
create function workshops_log_change() returns trigger language plpgsql as $$
declare
    workshop bigint;
begin
    workshop := case when tg_op = 'DELETE' then old.id else new.id end;
    perform log_change('workshop', workshop::text);
    perform log_change('outcome', workshop::text);
    -- On delete the commitments go by cascade, and log themselves.
    if tg_op = 'UPDATE' then
        perform log_change('commitment', c.id::text) from commitments c where c.workshop_id = workshop;
    end if;
    return null;
end
$$;

create trigger workshops_log_change after insert or delete on workshops
    for each row execute function workshops_log_change();
create trigger workshops_log_change_on_update after update on workshops
    for each row when (
        old.slug is distinct from new.slug or old.title is distinct from new.title
        or old.summary is distinct from new.summary
        or old.description_markdown is distinct from new.description_markdown
        or old.starts_at is distinct from new.starts_at or old.status is distinct from new.status
        or old.illustrative is distinct from new.illustrative)
    execute function workshops_log_change();

-- The agenda and the participating regions are part of a workshop's document; the regions
-- are its outcomes' too.
create function workshop_parts_log_change() returns trigger language plpgsql as $$
declare
    workshop bigint;
begin
    foreach workshop in array array_remove(array[
        case when tg_op in ('INSERT', 'UPDATE') then new.workshop_id end,
        case when tg_op in ('DELETE', 'UPDATE') then old.workshop_id end], null)
    loop
        perform log_change('workshop', workshop::text);
        if tg_table_name = 'workshop_regions' then
            perform log_change('outcome', workshop::text);
        end if;
    end loop;
    return null;
end
$$;

create trigger agenda_items_log_change after insert or update or delete on agenda_items
    for each row execute function workshop_parts_log_change();
create trigger workshop_regions_log_change after insert or update or delete on workshop_regions
    for each row execute function workshop_parts_log_change();

-- Outcomes; publishing them (or taking them away) also decides whether the workshop's
-- commitments are found.
create function workshop_outcomes_log_change() returns trigger language plpgsql as $$
declare
    workshop bigint;
begin
    workshop := case when tg_op = 'DELETE' then old.workshop_id else new.workshop_id end;
    perform log_change('outcome', workshop::text);
    if tg_op <> 'UPDATE' then
        perform log_change('commitment', c.id::text) from commitments c where c.workshop_id = workshop;
    end if;
    return null;
end
$$;

create trigger workshop_outcomes_log_change after insert or delete on workshop_outcomes
    for each row execute function workshop_outcomes_log_change();
-- Re-rendered HTML is derived: it changes nothing that is indexed.
create trigger workshop_outcomes_log_change_on_update after update on workshop_outcomes
    for each row when (
        old.conclusions_markdown is distinct from new.conclusions_markdown
        or old.organisations is distinct from new.organisations)
    execute function workshop_outcomes_log_change();

create function commitments_log_change() returns trigger language plpgsql as $$
begin
    perform log_change('commitment', (case when tg_op = 'DELETE' then old.id else new.id end)::text);
    return null;
end
$$;

create trigger commitments_log_change after insert or update or delete on commitments
    for each row execute function commitments_log_change();

-- A region moved in the tree changes the regions above everything in it: the trigger of
-- 0008 re-logs its cases, and now its workshops, their outcomes and its commitments.
create or replace function regions_log_change() returns trigger language plpgsql as $$
begin
    if new.parent_id is distinct from old.parent_id then
        perform log_case_change(c.id)
        from cases c
        where c.region_id in (select region_and_below(new.id));
        perform log_change('workshop', wr.workshop_id::text), log_change('outcome', wr.workshop_id::text)
        from workshop_regions wr
        where wr.region_id in (select region_and_below(new.id));
        perform log_change('commitment', c.id::text)
        from commitments c
        where c.region_id in (select region_and_below(new.id));
    end if;
    return null;
end
$$;

-- Workshops already written are logged once, so that a running index picks them up.
select log_change('workshop', id::text), log_change('outcome', id::text) from workshops;
select log_change('commitment', id::text) from commitments;
