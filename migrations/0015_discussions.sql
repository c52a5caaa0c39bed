-- Discussions: handles, threads and comments (with their edits, votes and mentions),
-- follows, the outbox of events and the notifications fanned out from it, personal feed
-- tokens, reports, and the idempotency keys of posted comments.

-- Every account gets a handle, which people mention it by and which its owner can change.
-- Mentions are stored by account id, so a renamed handle still points at the right person.
-- A closed account loses its handle.
alter table users add column handle text check (handle ~ '^[a-z0-9_]{3,30}$');

-- The handle an account starts with: its name folded to [a-z0-9_], then its id appended
-- when that is taken. The lock keeps two accounts of the same name from both taking it.
create function default_handle(name text, account bigint) returns text language plpgsql as $$
declare
    base text;
begin
    base := left(trim(both '_' from regexp_replace(
        translate(lower(name), 'áàäâãéèëêíìïîóòöôõúùüûñç', 'aaaaaeeeeiiiiooooouuuunc'),
        '[^a-z0-9]+', '_', 'g')), 20);
    if length(base) < 3 then
        base := 'miembro' || case when base = '' then '' else '_' || base end;
    end if;
    perform pg_advisory_xact_lock(hashtext('handle:' || base));
    if exists (select 1 from users where handle = base) then
        return base || '_' || account;
    end if;
    return base;
end $$;

create function users_default_handle() returns trigger language plpgsql as $$
begin
    if new.handle is null and new.closed_at is null then
        new.handle := default_handle(new.display_name, new.id);
    end if;
    return new;
end $$;

create trigger users_default_handle before insert on users
    for each row execute function users_default_handle();

update users set handle = default_handle(display_name, id) where closed_at is null;
create unique index users_handle_idx on users (handle);

-- A thread belongs to a case or a workshop (one each, made with its first comment), or
-- stands on its own under a theme and, optionally, a region.
create table threads (
    id bigint generated always as identity primary key,
    case_id bigint unique references cases (id) on delete cascade,
    workshop_id bigint unique references workshops (id) on delete cascade,
    title text,
    theme_id bigint references themes (id),
    region_id bigint references regions (id),
    author_id bigint references users (id),
    created_at timestamptz not null default now(),
    -- The last comment others can see, for "latest activity".
    last_activity_at timestamptz not null default now(),
    -- Comments are numbered under this row's lock, in the order they commit.
    last_number integer not null default 0,
    -- Comments others can see, and the useful votes they hold.
    comment_count integer not null default 0,
    useful_count integer not null default 0,
    accepted_comment_id bigint,
    locked_at timestamptz,
    locked_by bigint references users (id),
    -- A free-standing thread hidden by moderators (spam): gone from lists for others.
    hidden_at timestamptz,
    hidden_by bigint references users (id),
    hidden_reason text,
    check ((hidden_at is null) = (hidden_reason is null)),
    check (num_nonnulls(case_id, workshop_id, theme_id) = 1),
    check ((title is not null) = (theme_id is not null)),
    check (region_id is null or theme_id is not null)
);
create index threads_activity_idx on threads (last_activity_at desc, id desc) where theme_id is not null;
create index threads_created_idx on threads (created_at desc, id desc) where theme_id is not null;

create table comments (
    id bigint generated always as identity primary key,
    thread_id bigint not null references threads (id) on delete cascade,
    number integer not null,
    -- The top comment of its conversation: itself for a top comment. Pages show comments in
    -- (root_number, number) order, replies under their top comment.
    root_number integer not null,
    parent_id bigint references comments (id),
    -- The comment this one answers: its parent, or a reply to it (shown quoted).
    reply_to_id bigint references comments (id),
    author_id bigint references users (id),
    body_markdown text not null,
    body_html text not null,
    body_html_version integer not null default 0,
    -- The text without markup: quotes, excerpts in notifications, and search.
    body_text text not null,
    created_at timestamptz not null default now(),
    edited_at timestamptz,
    -- Revisions kept in comment_revisions; 1 for a comment never edited.
    revision integer not null default 1,
    useful_count integer not null default 0,
    -- A new account's first comment with links waits here for a moderator.
    held boolean not null default false,
    hidden_at timestamptz,
    hidden_by bigint references users (id),
    hidden_reason text,
    deleted_at timestamptz,
    unique (thread_id, number),
    check ((parent_id is null) = (reply_to_id is null)),
    check ((hidden_at is null) = (hidden_reason is null))
);
create index comments_page_idx on comments (thread_id, root_number, number);
create index comments_author_idx on comments (author_id, created_at);
create index comments_held_idx on comments (id) where held;
alter table threads add constraint threads_accepted_fk foreign key (accepted_comment_id) references comments (id);

-- Every text a comment had: number 1 is the first.
create table comment_revisions (
    comment_id bigint not null references comments (id) on delete cascade,
    number integer not null,
    body_markdown text not null,
    body_html text not null,
    created_at timestamptz not null default now(),
    primary key (comment_id, number)
);

create table comment_votes (
    comment_id bigint not null references comments (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (comment_id, user_id)
);

-- The people a comment mentions, as typed (so that a renamed handle renders the same).
create table comment_mentions (
    comment_id bigint not null references comments (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    typed text not null,
    primary key (comment_id, user_id)
);

create table follows (
    user_id bigint not null references users (id) on delete cascade,
    subject_kind text not null check (subject_kind in ('case', 'thread', 'workshop', 'region', 'theme')),
    subject_id bigint not null,
    created_at timestamptz not null default now(),
    primary key (user_id, subject_kind, subject_id)
);
create index follows_subject_idx on follows (subject_kind, subject_id);

-- The outbox: what happened, written in the transaction that did it. Each process's worker
-- fans events out into notifications (a batch per transaction, FOR UPDATE SKIP LOCKED);
-- another consumer (a mail digest) would keep its own mark.
create table events (
    id bigint generated always as identity primary key,
    kind text not null check (kind in (
        'comment_posted', 'comment_mentions', 'case_published', 'workshop_published', 'workshop_changed',
        'workshop_cancelled', 'outcomes_published', 'place_opened', 'commitment_status', 'commitment_overdue',
        'report_handled')),
    actor_id bigint references users (id) on delete set null,
    thread_id bigint references threads (id) on delete cascade,
    comment_id bigint references comments (id) on delete cascade,
    case_id bigint references cases (id) on delete cascade,
    workshop_id bigint references workshops (id) on delete cascade,
    commitment_id bigint references commitments (id) on delete cascade,
    -- The one person an event is for (a place that opened, a handled report).
    user_id bigint references users (id) on delete cascade,
    details jsonb not null default '{}',
    -- Events the clock makes (a commitment falls overdue) are made once, by whichever
    -- process sees them first.
    once_key text unique,
    created_at timestamptz not null default now(),
    notified_at timestamptz
);
create index events_pending_idx on events (id) where notified_at is null;

create table notifications (
    id bigint generated always as identity primary key,
    event_id bigint not null references events (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    reason text not null check (reason in (
        'mention', 'reply', 'follow', 'region', 'theme', 'participant', 'waiting_list', 'commitment', 'report')),
    created_at timestamptz not null default now(),
    read_at timestamptz,
    unique (event_id, user_id)
);
create index notifications_user_idx on notifications (user_id, id desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

-- The private address of a person's notifications feed: only a hash of its token is kept.
create table feed_tokens (
    user_id bigint primary key references users (id) on delete cascade,
    token_hash text not null unique,
    created_at timestamptz not null default now()
);

create table reports (
    id bigint generated always as identity primary key,
    thread_id bigint not null references threads (id) on delete cascade,
    -- Null: the report is about the thread itself.
    comment_id bigint references comments (id) on delete cascade,
    reporter_id bigint not null references users (id) on delete cascade,
    reason text not null check (reason in ('spam', 'offensive', 'off_topic', 'personal_data')),
    note text not null default '',
    created_at timestamptz not null default now(),
    handled_at timestamptz,
    handled_by bigint references users (id),
    resolution text check (resolution in ('hidden', 'locked', 'dismissed')),
    check ((handled_at is null) = (resolution is null))
);
create index reports_open_idx on reports (created_at) where handled_at is null;
-- One open report per person and subject: reporting twice changes nothing.
create unique index reports_once_idx on reports (reporter_id, thread_id, coalesce(comment_id, 0)) where handled_at is null;

-- A retried post (a double click, a client retrying) names the same key and gets the
-- comment the first one made.
create table comment_posts (
    user_id bigint not null references users (id) on delete cascade,
    key text not null check (length(key) between 1 and 200),
    comment_id bigint not null references comments (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (user_id, key)
);
create index comment_posts_created_idx on comment_posts (created_at);

-- The audit log names comments and threads too.
alter table audit_log drop constraint audit_log_subject_kind_check;
alter table audit_log add constraint audit_log_subject_kind_check
    check (subject_kind in ('account', 'case', 'workshop', 'commitment', 'thread', 'comment'));

-- Events that every writer makes, whether a form, the API, an import or plain SQL: a case
-- published for the first time, a workshop published, changed or cancelled, its outcomes
-- published, a place given to someone waiting, a commitment's status changed. The
-- notification wakes the workers at once (they also look every few seconds).
create function add_event(event_kind text, event_once text, case_ bigint, workshop bigint, commitment bigint,
                          person bigint, event_details jsonb) returns void language plpgsql as $$
begin
    insert into events (kind, once_key, case_id, workshop_id, commitment_id, user_id, details)
    values (event_kind, event_once, case_, workshop, commitment, person, coalesce(event_details, '{}'))
    on conflict (once_key) do nothing;
    perform pg_notify('ayni_events', '');
end $$;

create function cases_events() returns trigger language plpgsql as $$
begin
    if new.status = 'published' and (tg_op = 'INSERT' or old.status <> 'published') then
        perform add_event('case_published', 'case_published:' || new.id, new.id, null, null, null, null);
    end if;
    return null;
end $$;
create trigger cases_events after insert or update of status on cases
    for each row execute function cases_events();

create function workshops_events() returns trigger language plpgsql as $$
begin
    if new.status = 'published' and (tg_op = 'INSERT' or old.status = 'draft') then
        if tg_op = 'UPDATE' or new.starts_at > now() then
            perform add_event('workshop_published', 'workshop_published:' || new.id, null, new.id, null, null, null);
        end if;
    elsif tg_op = 'UPDATE' and new.status = 'cancelled' and old.status = 'published' then
        perform add_event('workshop_cancelled', null, null, new.id, null, null, null);
    elsif tg_op = 'UPDATE' and new.status = 'published' and old.status = 'published'
          and (old.starts_at, old.ends_at, old.all_day, old.format, old.venue, old.city, old.online_url)
              is distinct from (new.starts_at, new.ends_at, new.all_day, new.format, new.venue, new.city, new.online_url) then
        perform add_event('workshop_changed', null, null, new.id, null, null, null);
    end if;
    return null;
end $$;
create trigger workshops_events after insert or update on workshops
    for each row execute function workshops_events();

create function workshop_outcomes_events() returns trigger language plpgsql as $$
begin
    perform add_event('outcomes_published', 'outcomes_published:' || new.workshop_id, null, new.workshop_id, null,
                      null, null);
    return null;
end $$;
create trigger workshop_outcomes_events after insert on workshop_outcomes
    for each row execute function workshop_outcomes_events();

create function registrations_events() returns trigger language plpgsql as $$
begin
    if new.promoted_at is not null and new.promoted_at is distinct from old.promoted_at then
        perform add_event('place_opened', null, null, new.workshop_id, null, new.user_id, null);
    end if;
    return null;
end $$;
create trigger registrations_events after update of promoted_at on registrations
    for each row execute function registrations_events();

create function commitments_events() returns trigger language plpgsql as $$
begin
    if new.status is distinct from old.status then
        perform add_event('commitment_status', null, null, new.workshop_id, new.id, null,
                          jsonb_build_object('from', old.status, 'to', new.status));
    end if;
    return null;
end $$;
create trigger commitments_events after update of status on commitments
    for each row execute function commitments_events();

-- Comments and threads are documents of the change log (search finds them, and kept
-- pages that show them are drawn again). They log themselves when their transaction
-- commits (deferred constraint triggers): the change log's lock is then held only for the
-- commit, so that a hundred people commenting at once queue on it as little as possible.
create function comments_log_change() returns trigger language plpgsql as $$
begin
    perform log_change('comment', (case when tg_op = 'DELETE' then old.id else new.id end)::text);
    return null;
end $$;
create constraint trigger comments_log_change after insert or update or delete on comments
    deferrable initially deferred for each row execute function comments_log_change();

create function threads_log_change() returns trigger language plpgsql as $$
begin
    perform log_change('thread', (case when tg_op = 'DELETE' then old.id else new.id end)::text);
    return null;
end $$;
create constraint trigger threads_log_change after insert or delete on threads
    deferrable initially deferred for each row execute function threads_log_change();
-- Counts and the last activity move with every comment, which logs itself already.
create constraint trigger threads_log_change_on_update after update on threads
    deferrable initially deferred for each row when (
        (old.title, old.theme_id, old.region_id, old.hidden_at, old.locked_at, old.accepted_comment_id)
        is distinct from (new.title, new.theme_id, new.region_id, new.hidden_at, new.locked_at, new.accepted_comment_id))
    execute function threads_log_change();

-- A case's or a workshop's discussion is seen only with it: when it is published or
-- unpublished (a workshop: leaves draft), each of its comments changes for search.
create function home_status_log_comments() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'cases' then
        perform log_change('comment', c.id::text) from threads t join comments c on c.thread_id = t.id
        where t.case_id = new.id;
    else
        perform log_change('comment', c.id::text) from threads t join comments c on c.thread_id = t.id
        where t.workshop_id = new.id;
    end if;
    return null;
end $$;
create trigger cases_status_log_comments after update of status on cases
    for each row when (old.status is distinct from new.status) execute function home_status_log_comments();
create trigger workshops_status_log_comments after update of status on workshops
    for each row when (old.status is distinct from new.status) execute function home_status_log_comments();

-- A name or handle shown beside comments: kept pages are drawn again.
create trigger users_handle_site_version after update of handle on users
    for each statement execute function bump_site_version();
