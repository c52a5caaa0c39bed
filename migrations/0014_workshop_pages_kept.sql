-- A visitor's workshop page is kept between changes (like case pages): what it shows
-- beyond its text (places left, organisers, speakers, linked cases, the details that the
-- change log does not carry) moves the site version when written. `/commitments` walks
-- the commitments in due order.

drop trigger workshops_site_version on workshops;
create trigger workshops_site_version after insert or update or delete or truncate on workshops
    for each statement execute function bump_site_version();
create trigger registrations_site_version after insert or update or delete or truncate on registrations
    for each statement execute function bump_site_version();
create trigger workshop_organisers_site_version after insert or update or delete or truncate on workshop_organisers
    for each statement execute function bump_site_version();
create trigger workshop_cases_site_version after insert or update or delete or truncate on workshop_cases
    for each statement execute function bump_site_version();
create trigger agenda_speakers_site_version after insert or update or delete or truncate on agenda_speakers
    for each statement execute function bump_site_version();
create trigger agenda_cases_site_version after insert or update or delete or truncate on agenda_cases
    for each statement execute function bump_site_version();

create index commitments_order_idx on commitments (due_on, id);
