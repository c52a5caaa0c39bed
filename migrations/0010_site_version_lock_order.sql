-- Writers take the change log's lock before the site version's row, whichever table they
-- write first: a case edit (change log, then body → site version) and an import (regions →
-- site version, then cases → change log) took them in opposite orders and could deadlock.
create or replace function bump_site_version() returns trigger language plpgsql as $$
begin
    perform pg_advisory_xact_lock(4707267650134018);
    update site_version set value = value + 1;
    if tg_table_name in ('regions', 'themes') then
        perform pg_notify('ayni_catalog', tg_table_name);
    end if;
    return null;
end $$;
