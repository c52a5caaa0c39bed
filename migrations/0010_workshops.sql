-- Workshops: the agenda a facilitator prepares, who registers (and who waits for a place),
-- what was agreed afterwards, and the commitments each region made there with their
-- progress. Times are instants; the pages show them in America/Lima.

create table workshops (
    id bigint generated always as identity primary key,
    slug text not null unique,
    title text not null,
    summary text not null,
    description_markdown text not null default '',
    description_html text not null default '',
    description_html_version integer not null default 0,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    -- Only the date is known (the source gives no hours): a whole day in Lima, from
    -- starts_at (midnight) to ends_at (the next midnight).
    all_day boolean not null default false,
    format text not null check (format in ('in_person', 'online', 'hybrid')),
    venue text not null default '',
    city text not null default '',
    -- Shown only to registered people and organisers.
    online_url text not null default '',
    -- Null: no limit.
    capacity integer check (capacity is null or capacity >= 1),
    -- Null: registration closes at the start.
    registration_deadline timestamptz,
    -- How many regions took part when their names are not known.
    region_count integer check (region_count is null or region_count >= 0),
    status text not null default 'draft' check (status in ('draft', 'published', 'cancelled')),
    cancel_reason text,
    -- iCalendar's SEQUENCE: bumped when a published workshop's time or status changes.
    sequence integer not null default 0,
    illustrative boolean not null default false,
    provenance text not null check (provenance in ('import', 'app')),
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (ends_at > starts_at),
    check ((status = 'cancelled') = (cancel_reason is not null))
);
create index workshops_starts_idx on workshops (starts_at) where status <> 'draft';
create trigger workshops_updated_at before update on workshops
    for each row execute function set_updated_at();

create table workshop_organisers (
    workshop_id bigint not null references workshops (id) on delete cascade,
    user_id bigint not null references users (id),
    added_at timestamptz not null default now(),
    primary key (workshop_id, user_id)
);
create index workshop_organisers_user_idx on workshop_organisers (user_id);

create table workshop_regions (
    workshop_id bigint not null references workshops (id) on delete cascade,
    region_id bigint not null references regions (id),
    primary key (workshop_id, region_id)
);
create index workshop_regions_region_idx on workshop_regions (region_id);

create table workshop_cases (
    workshop_id bigint not null references workshops (id) on delete cascade,
    case_id bigint not null references cases (id) on delete cascade,
    primary key (workshop_id, case_id)
);

create table agenda_items (
    id bigint generated always as identity primary key,
    workshop_id bigint not null references workshops (id) on delete cascade,
    position integer not null,
    starts_at timestamptz not null,
    duration_minutes integer not null check (duration_minutes between 1 and 1440),
    title text not null,
    -- Speakers named in free text; speakers with accounts are in agenda_speakers.
    speakers text not null default '',
    description text not null default '',
    unique (workshop_id, position)
);

create table agenda_speakers (
    item_id bigint not null references agenda_items (id) on delete cascade,
    user_id bigint not null references users (id),
    primary key (item_id, user_id)
);

create table agenda_cases (
    item_id bigint not null references agenda_items (id) on delete cascade,
    case_id bigint not null references cases (id) on delete cascade,
    primary key (item_id, case_id)
);

-- Arrival order on the waiting list: drawn while the workshop's row is locked, so it is
-- the order in which registrations were decided.
create sequence registration_arrivals;

create table registrations (
    id bigint generated always as identity primary key,
    workshop_id bigint not null references workshops (id) on delete cascade,
    user_id bigint not null references users (id),
    state text not null check (state in ('registered', 'waiting', 'cancelled')),
    arrival bigint not null default nextval('registration_arrivals'),
    registered_at timestamptz not null default now(),
    -- When a place came free for someone who was waiting; the page tells them once.
    promoted_at timestamptz,
    promotion_seen boolean not null default true,
    cancelled_at timestamptz,
    -- Marked by an organiser after the event; null until then.
    attended boolean,
    unique (workshop_id, user_id)
);
create index registrations_queue_idx on registrations (workshop_id, state, arrival);
create index registrations_user_idx on registrations (user_id);

-- What was agreed, published by an organiser after the workshop.
create table workshop_outcomes (
    workshop_id bigint primary key references workshops (id) on delete cascade,
    conclusions_markdown text not null,
    conclusions_html text not null,
    conclusions_html_version integer not null default 0,
    attendance integer check (attendance is null or attendance >= 0),
    organisations text[] not null default '{}',
    materials jsonb not null default '[]',
    published_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create trigger workshop_outcomes_updated_at before update on workshop_outcomes
    for each row execute function set_updated_at();

create table commitments (
    id bigint generated always as identity primary key,
    workshop_id bigint not null references workshops (id) on delete cascade,
    position integer not null,
    region_id bigint not null references regions (id),
    action text not null,
    -- The owner named in free text, or an account, or both.
    owner_name text not null default '',
    owner_id bigint references users (id),
    due_on date,
    status text not null default 'planned' check (status in ('planned', 'in_progress', 'done', 'dropped')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (workshop_id, position)
);
create index commitments_region_idx on commitments (region_id, status);
create index commitments_due_idx on commitments (due_on) where status in ('planned', 'in_progress');
create trigger commitments_updated_at before update on commitments
    for each row execute function set_updated_at();

create table commitment_cases (
    commitment_id bigint not null references commitments (id) on delete cascade,
    case_id bigint not null references cases (id) on delete cascade,
    primary key (commitment_id, case_id)
);

-- Progress notes, in the order they were written; a note may change the status.
create table commitment_notes (
    id bigint generated always as identity primary key,
    commitment_id bigint not null references commitments (id) on delete cascade,
    author_id bigint references users (id),
    at timestamptz not null default now(),
    note text not null,
    status_from text,
    status_to text
);
create index commitment_notes_commitment_idx on commitment_notes (commitment_id, id);

-- The audit log names workshops and commitments too.
alter table audit_log drop constraint audit_log_subject_kind_check;
alter table audit_log add constraint audit_log_subject_kind_check
    check (subject_kind in ('account', 'case', 'workshop', 'commitment'));
