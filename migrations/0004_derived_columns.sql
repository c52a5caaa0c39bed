-- A write that changes only derived columns (the rendered HTML and its renderer version) is
-- not an edit: it keeps updated_at, which orders the lists and the feed, and it does not go
-- to the change log, since the index reads the Markdown. Re-rendering every body after a
-- renderer change must neither reorder the library nor flood the log.

create or replace function cases_only_derived_changed(old_row cases, new_row cases) returns boolean
language sql stable as $$
    select to_jsonb(old_row) - 'body_html' - 'body_html_version' - 'updated_at'
         = to_jsonb(new_row) - 'body_html' - 'body_html_version' - 'updated_at'
$$;

create or replace function cases_set_updated_at() returns trigger language plpgsql as $$
begin
    if not cases_only_derived_changed(old, new) then
        new.updated_at = now();
    end if;
    return new;
end
$$;

drop trigger cases_updated_at on cases;
create trigger cases_updated_at before update on cases
    for each row execute function cases_set_updated_at();

drop trigger cases_log_change on cases;
create trigger cases_log_change after insert or delete on cases
    for each row execute function cases_log_change();
create trigger cases_log_change_on_update after update on cases
    for each row when (not cases_only_derived_changed(old, new)) execute function cases_log_change();
