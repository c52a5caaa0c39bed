-- The change log: every write to a case appends its id here in the same transaction, so
-- that every Ayni process can bring its own search index up to date.

create table case_changes (
    id bigint generated always as identity primary key,
    case_id bigint not null,
    at timestamptz not null default now()
);

-- Appends are serialised by a transaction-level advisory lock: ids are drawn while the lock
-- is held and it is released at commit, so entries become visible in id order. A trigger
-- makes this hold for every writer: the store, the importer, forms, the API and plain SQL.
create or replace function log_case_change(changed_case bigint) returns void language plpgsql as $$
declare
    change_id bigint;
begin
    perform pg_advisory_xact_lock(4707267650134018);
    insert into case_changes (case_id) values (changed_case) returning id into change_id;
    perform pg_notify('ayni_case_changes', change_id::text);
end
$$;

create or replace function cases_log_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform log_case_change(old.id);
    else
        perform log_case_change(new.id);
    end if;
    return null;
end
$$;

create trigger cases_log_change after insert or update or delete on cases
    for each row execute function cases_log_change();

create or replace function case_themes_log_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform log_case_change(old.case_id);
    else
        perform log_case_change(new.case_id);
    end if;
    return null;
end
$$;

create trigger case_themes_log_change after insert or update or delete on case_themes
    for each row execute function case_themes_log_change();

-- A region's place in the tree decides which region filters find its cases.
create or replace function regions_log_change() returns trigger language plpgsql as $$
begin
    if new.parent_id is distinct from old.parent_id then
        perform log_case_change(c.id)
        from cases c
        where c.region_id in (
            with recursive below (id) as (
                select new.id
                union all
                select r.id from regions r join below b on r.parent_id = b.id
            )
            select id from below
        );
    end if;
    return null;
end
$$;

create trigger regions_log_change after update on regions
    for each row execute function regions_log_change();

-- Pruning goes by age.
create index case_changes_at_idx on case_changes (at);
