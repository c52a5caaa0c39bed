-- A visitor's workshop page, `/commitments` and a commitment's page are kept between
-- changes (like case pages): what they show beyond the change log (places left, organisers,
-- speakers, linked cases, details, progress notes) moves the site version when written. `/commitments` walks
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

create trigger commitment_notes_site_version after insert or update or delete or truncate on commitment_notes
    for each statement execute function bump_site_version();

create index commitments_order_idx on commitments (due_on, id);
