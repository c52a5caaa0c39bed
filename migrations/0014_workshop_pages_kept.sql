-- A visitor's workshop page, `/commitments` and a commitment's page are kept between
-- changes (like case pages): what they show beyond the change log (organisers, speakers,
-- linked cases, details, progress notes) moves the site version when written, and places
-- left move a counter of their own. `/commitments` walks the commitments in due order.

-- Per row, so that an update that changes nothing (an organiser's edit marking an imported
-- workshop as the app's, when it already is) moves nothing.
drop trigger workshops_site_version on workshops;
create trigger workshops_site_version after insert or update or delete on workshops
    for each row execute function bump_site_version();
create trigger workshop_organisers_site_version after insert or update or delete or truncate on workshop_organisers
    for each statement execute function bump_site_version();
create trigger workshop_cases_site_version after insert or update or delete or truncate on workshop_cases
    for each statement execute function bump_site_version();
create trigger agenda_speakers_site_version after insert or update or delete or truncate on agenda_speakers
    for each statement execute function bump_site_version();
create trigger agenda_cases_site_version after insert or update or delete or truncate on agenda_cases
    for each statement execute function bump_site_version();
create trigger commitment_notes_site_version after insert or update or delete or truncate on commitment_notes
    for each statement execute function bump_site_version();

-- Registrations change often, and each already holds its workshop's row: waiting for the
-- change log's lock as well would queue every registration behind every writer, and could
-- deadlock with an import (which takes that lock first, then workshop rows). So places
-- left move this counter, with no lock but its own row, which nothing takes before a
-- workshop's.
create table registration_version (
    only_row boolean primary key default true check (only_row),
    value bigint not null default 0
);
insert into registration_version default values;

create function bump_registration_version() returns trigger language plpgsql as $$
begin
    update registration_version set value = value + 1;
    return null;
end $$;

create trigger registrations_version after insert or update or delete or truncate on registrations
    for each statement execute function bump_registration_version();

create index commitments_order_idx on commitments (due_on, id);
