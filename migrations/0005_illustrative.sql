-- Invented cases, written for peer learning, say so in the data: a badge on every page that
-- shows them, a field in the API, a filter. Revisions keep the flag like any other field.
alter table cases add column illustrative boolean not null default false;
alter table case_revisions add column illustrative boolean not null default false;
