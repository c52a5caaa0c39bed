-- Each process keeps whole anonymous pages and the lists of regions and themes in memory.
-- The change log tells it when a document changes; this counter tells it when something
-- else that pages show changed: regions, themes, the names people are shown by, and case
-- bodies rendered again (which stay out of the change log). Regions and themes also send
-- a notification, so that every process drops its lists at once.
create table site_version (
    only_row boolean primary key default true check (only_row),
    value bigint not null default 0
);
insert into site_version default values;

-- The change log's lock comes first, whichever table a writer touches first: a case edit
-- (change log, then body) and an import (regions, then cases) would otherwise take the two
-- locks in opposite orders and could deadlock.
create function bump_site_version() returns trigger language plpgsql as $$
begin
    perform pg_advisory_xact_lock(4707267650134018);
    update site_version set value = value + 1;
    if tg_table_name in ('regions', 'themes') then
        perform pg_notify('ayni_catalog', tg_table_name);
    end if;
    return null;
end $$;

create trigger regions_site_version after insert or update or delete or truncate on regions
    for each statement execute function bump_site_version();
create trigger themes_site_version after insert or update or delete or truncate on themes
    for each statement execute function bump_site_version();
create trigger users_site_version after update of display_name on users
    for each statement execute function bump_site_version();
create trigger cases_body_site_version after update of body_html on cases
    for each statement execute function bump_site_version();
