-- The home page and region pages, kept whole for anonymous visitors, show commitments:
-- whether one is public (its workshop published, its outcomes out), its status and due
-- date. Until workshops join the change log with search, these writes bump the site
-- version (0009), so that no kept page shows a commitment as it was.
create trigger commitments_site_version after insert or update or delete or truncate on commitments
    for each statement execute function bump_site_version();
create trigger workshop_outcomes_site_version after insert or update or delete or truncate on workshop_outcomes
    for each statement execute function bump_site_version();
create trigger workshops_site_version after update of status or delete on workshops
    for each statement execute function bump_site_version();
