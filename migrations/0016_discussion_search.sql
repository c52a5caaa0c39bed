-- Threads and comments in search: a comment document carries its thread's title (or its
-- case's, or its workshop's) and is found only while its thread is, and a free-standing
-- thread's document carries its opening comment. These triggers log the documents that
-- change with them.

-- A thread hidden, restored or renamed: each of its comments changes too, logged at commit
-- like the comments themselves (the change log's lock is then held only for the commit).
create function threads_log_comments() returns trigger language plpgsql as $$
begin
    perform log_change('comment', c.id::text) from comments c where c.thread_id = new.id;
    return null;
end $$;
create constraint trigger threads_log_comments after update on threads
    deferrable initially deferred for each row
    when ((old.hidden_at, old.title) is distinct from (new.hidden_at, new.title))
    execute function threads_log_comments();

-- The opening comment of a thread is the thread's text.
create or replace function comments_log_change() returns trigger language plpgsql as $$
declare
    changed comments;
begin
    changed := case when tg_op = 'DELETE' then old else new end;
    perform log_change('comment', changed.id::text);
    if changed.number = 1 then
        perform log_change('thread', changed.thread_id::text);
    end if;
    return null;
end $$;

-- A case or workshop renamed: the comments of its discussion carry the new title.
drop trigger cases_status_log_comments on cases;
create trigger cases_status_log_comments after update of status, title on cases
    for each row when ((old.status, old.title) is distinct from (new.status, new.title))
    execute function home_status_log_comments();
drop trigger workshops_status_log_comments on workshops;
create trigger workshops_status_log_comments after update of status, title on workshops
    for each row when ((old.status, old.title) is distinct from (new.status, new.title))
    execute function home_status_log_comments();

-- A comment rendered again by a newer renderer is not a change for search: an update that
-- changes its HTML and renderer version and nothing else is not logged. (Kept pages are
-- drawn again through the site version, which the renderer bumps when it is done.)
drop trigger comments_log_change on comments;
create constraint trigger comments_log_change after insert or delete on comments
    deferrable initially deferred for each row execute function comments_log_change();
create constraint trigger comments_log_change_on_update after update on comments
    deferrable initially deferred for each row when (not (
        old.body_html_version <> new.body_html_version
        and (old.thread_id, old.number, old.root_number, old.parent_id, old.reply_to_id, old.author_id,
             old.body_markdown, old.body_text, old.edited_at, old.revision, old.useful_count, old.held,
             old.hidden_at, old.hidden_reason, old.deleted_at)
            is not distinct from
            (new.thread_id, new.number, new.root_number, new.parent_id, new.reply_to_id, new.author_id,
             new.body_markdown, new.body_text, new.edited_at, new.revision, new.useful_count, new.held,
             new.hidden_at, new.hidden_reason, new.deleted_at)))
    execute function comments_log_change();

-- Whether a comment has replies (its placeholder stays when it is deleted) is asked for each
-- comment on a page, and which comments a person voted for, for each page they read.
create index comments_reply_to_idx on comments (reply_to_id) where reply_to_id is not null;
create index comment_votes_user_idx on comment_votes (user_id, comment_id);
