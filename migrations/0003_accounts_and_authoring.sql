-- Accounts, sessions, roles and the audit log; then what authoring needs: revisions, the
-- review note, optimistic locking and the slugs a case has left behind.

create table users (
    id bigint generated always as identity primary key,
    -- Null once the account is closed: closing removes the personal data, keeps the row
    -- so that revisions and the audit log still point somewhere.
    email text check (email is null or email = lower(email)),
    display_name text not null,
    organisation text not null default '',
    region_id bigint references regions (id),
    password_hash text,
    role text not null default 'member' check (role in ('member', 'editor', 'facilitator', 'admin')),
    -- Editors edit the regions in editor_regions (and the places under them), or all of them.
    edits_all_regions boolean not null default false,
    language text not null default 'es' check (language in ('es', 'en')),
    -- Sessions remember the epoch they began in; bumping it ends every older session
    -- (password change, reset, disabling).
    session_epoch integer not null default 0,
    disabled_at timestamptz,
    closed_at timestamptz,
    -- When the person accepted the privacy notice at sign-up, and which version of it.
    privacy_accepted_at timestamptz,
    privacy_notice_version text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index users_email_idx on users (email) where email is not null;
create trigger users_updated_at before update on users
    for each row execute function set_updated_at();

create table editor_regions (
    user_id bigint not null references users (id) on delete cascade,
    region_id bigint not null references regions (id),
    primary key (user_id, region_id)
);

-- tower-sessions' PostgreSQL store, created here so that migrations stay the one schema.
create table sessions (
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
create index sessions_expiry_idx on sessions (expiry_date);

-- Failed sign-ins (per typed email and per client address) and sign-ups (per address),
-- shared by every process; rows older than the window are pruned as new ones arrive. An
-- attempt is written before the password is checked, so parallel guesses all count.
create table auth_attempts (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('signin_email', 'signin_address', 'signup_address')),
    key text not null,
    at timestamptz not null default now()
);
create index auth_attempts_key_idx on auth_attempts (kind, key, at);

-- Personal API tokens: only a SHA-256 of the token is kept.
create table api_tokens (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

-- One-time password-reset links an admin issues and passes on; only a hash is kept.
create table password_resets (
    token_hash text primary key,
    user_id bigint not null references users (id) on delete cascade,
    issued_by bigint references users (id),
    expires_at timestamptz not null,
    used_at timestamptz
);

create table audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    -- Null for the command line.
    actor_id bigint references users (id),
    action text not null,
    subject_id bigint references users (id),
    case_slug text,
    detail text not null default ''
);
create index audit_log_at_idx on audit_log (at desc, id desc);

alter table cases add constraint cases_author_fk foreign key (author_id) references users (id);
alter table cases
    -- The number of the latest revision: a save names the revision it started from, and is
    -- refused when another save came first.
    add column revision integer not null default 0,
    -- Why an editor sent the case back to its author.
    add column review_note text;
create index cases_status_idx on cases (status, region_id) where status <> 'published';
create index cases_author_idx on cases (author_id);

-- Every save of a case, in full. Imports count as saves (author null, origin 'import').
create table case_revisions (
    case_id bigint not null references cases (id) on delete cascade,
    number integer not null,
    author_id bigint references users (id),
    origin text not null check (origin in ('import', 'form', 'api', 'restore')),
    restored_from integer,
    title text not null,
    kind text not null,
    region_id bigint not null references regions (id),
    language text not null,
    year integer not null,
    summary text not null,
    sources jsonb not null,
    body_markdown text not null,
    themes text[] not null,
    created_at timestamptz not null default now(),
    primary key (case_id, number)
);

-- Slugs a case no longer answers to. With a case: it was renamed, the old URL redirects.
-- Without (the case was deleted): the URL answers 410. A slug here is never given again.
create table retired_slugs (
    slug text primary key,
    case_id bigint references cases (id) on delete set null,
    retired_at timestamptz not null default now()
);
create index retired_slugs_case_idx on retired_slugs (case_id);

-- Cases that exist before this migration get their first revision.
insert into case_revisions (case_id, number, origin, title, kind, region_id, language, year, summary, sources,
                            body_markdown, themes)
select c.id, 1, 'import', c.title, c.kind, c.region_id, c.language, c.year, c.summary, c.sources, c.body_markdown,
       coalesce((select array_agg(t.slug order by t.slug) from case_themes ct join themes t on t.id = ct.theme_id
                 where ct.case_id = c.id), '{}')
from cases c;
update cases set revision = 1 where revision = 0;
