-- Records about more than cases. The change log names a document type and key, so that
-- workshops, comments and glossary concepts join it without a new mechanism; the audit log
-- names a subject kind and key, and keeps its details as JSON.

-- The change log.
alter table case_changes rename to changes;
alter index case_changes_at_idx rename to changes_at_idx;
alter table changes add column doc_type text, add column doc_key text;
update changes set doc_type = 'case', doc_key = case_id::text;
alter table changes
    alter column doc_type set not null,
    alter column doc_key set not null,
    drop column case_id;

-- Any writer logs a change with this; the ordering rule of 0002 (an advisory lock held to
-- commit, so that entries become visible in id order) is kept.
create or replace function log_change(changed_type text, changed_key text) returns void language plpgsql as $$
declare
    change_id bigint;
begin
    perform pg_advisory_xact_lock(4707267650134018);
    insert into changes (doc_type, doc_key) values (changed_type, changed_key) returning id into change_id;
    perform pg_notify('ayni_changes', change_id::text);
end
$$;

-- The case triggers of 0002 call this one.
create or replace function log_case_change(changed_case bigint) returns void language plpgsql as $$
begin
    perform log_change('case', changed_case::text);
end
$$;

-- The audit log.
alter table audit_log
    add column subject_kind text check (subject_kind in ('account', 'case')),
    add column subject_key text,
    add column details jsonb not null default '{}';

update audit_log set subject_kind = 'account', subject_key = subject_id::text where subject_id is not null;
update audit_log set subject_kind = 'case', subject_key = case_slug where case_slug is not null and subject_id is null;

-- Details were codes in text: `signup`, `cli:<role>`, `<from>><to>[:*|:slug,slug]`, a
-- token's name, a send-back note.
update audit_log set details = jsonb_build_object('via', 'signup')
    where action = 'account.created' and detail = 'signup';
update audit_log set details = jsonb_build_object('via', 'cli', 'role', substr(detail, 5))
    where action = 'account.created' and detail like 'cli:%';
update audit_log set details = jsonb_strip_nulls(jsonb_build_object(
        'from', nullif(split_part(split_part(detail, ':', 1), '>', 1), ''),
        'to', split_part(split_part(detail, ':', 1), '>', 2),
        'all_regions', case when split_part(detail, ':', 2) = '*' then true end,
        'regions', case when split_part(detail, ':', 2) not in ('', '*')
                        then to_jsonb(string_to_array(split_part(detail, ':', 2), ',')) end))
    where action = 'role.changed';
update audit_log set details = jsonb_build_object('token', detail)
    where action in ('token.created', 'token.revoked') and detail <> '';
update audit_log set details = jsonb_build_object('note', detail)
    where action like 'case.%' and detail <> '';

alter table audit_log
    drop column subject_id,
    drop column case_slug,
    drop column detail,
    add constraint audit_log_subject_check check ((subject_kind is null) = (subject_key is null));
create index audit_log_subject_idx on audit_log (subject_kind, subject_key);
