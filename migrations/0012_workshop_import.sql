-- Workshops from the content directory: the hash of the file last imported, so that
-- importing again changes nothing when the file has not changed.
alter table workshops add column import_hash text;

-- The source of a seeded workshop may not say where it took place: its format is then
-- "unspecified" rather than a guess.
alter table workshops drop constraint workshops_format_check;
alter table workshops add constraint workshops_format_check
    check (format in ('in_person', 'online', 'hybrid', 'unspecified'));
