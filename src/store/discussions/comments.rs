//! Comments: posting (numbered under the thread's row lock, once per idempotency key,
//! within the rate limit), reading a page of a thread, editing with history, deleting,
//! useful votes and the accepted answer.

use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

use super::{comment_columns, CommentRow, CommentView, ThreadRecord, COMMENT_JOINS};
use crate::{
    domain::{
        account::{Role, User},
        discussion::{
            comments_allowed, page_count, EventKind, COMMENTS_PER_PAGE, COMMENT_WINDOW, MAX_NOTIFIED_MENTIONS,
            NEW_ACCOUNT_AGE,
        },
    },
    error::{AppError, AppResult},
    store::Store,
};

/// A comment about to be posted, rendered already (off the async workers).
pub struct NewComment<'a> {
    pub thread_id: i64,
    pub author: &'a User,
    /// The comment it answers, if it is a reply.
    pub reply_to: Option<i64>,
    pub body_markdown: &'a str,
    pub body_html: String,
    pub body_text: String,
    /// The people it mentions, as typed (lower case) and by account.
    pub mentions: Vec<(String, i64)>,
    /// Whether it links anywhere: a new account's first comment with links is held.
    pub has_links: bool,
    /// A retried post with the same key gets the first one's comment.
    pub idempotency_key: Option<&'a str>,
}

/// What posting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub id: i64,
    /// Waiting for a moderator before others see it.
    pub held: bool,
}

/// One page of a thread, in its order (replies under their top comment).
#[derive(Debug, Clone)]
pub struct CommentPage {
    pub comments: Vec<CommentView>,
    /// From 1.
    pub page: i64,
    pub pages: i64,
}

/// A text a comment had.
#[derive(Debug, Clone, FromRow)]
pub struct CommentRevision {
    pub number: i32,
    pub body_html: String,
    pub created_at: OffsetDateTime,
}

#[derive(FromRow)]
struct Parent {
    id: i64,
    thread_id: i64,
    parent_id: Option<i64>,
    number: i32,
    root_number: i32,
    held: bool,
    hidden: bool,
    deleted: bool,
}

impl Store {
    /// Posts a comment and returns it; with a key already used by this author, returns the
    /// comment that key made and posts nothing. 429 over the rate limit; 403 when the
    /// thread is locked; 404 when the comment answered is not in the thread or not public.
    pub async fn post_comment(&self, new: NewComment<'_>) -> AppResult<Posted> {
        let mut tx = self.pool.begin().await?;
        let posted = post_in(&mut tx, &new).await?;
        tx.commit().await?;
        Ok(posted)
    }

    /// Starts a free-standing thread with its opening comment; returns the thread's id.
    pub async fn start_thread(
        &self,
        title: &str,
        theme: &str,
        region: Option<&str>,
        mut opening: NewComment<'_>,
    ) -> AppResult<(i64, Posted)> {
        let mut tx = self.pool.begin().await?;
        if let Some(key) = opening.idempotency_key {
            lock_author(&mut tx, opening.author.id).await?;
            match already_posted(&mut tx, opening.author.id, key).await? {
                Some((thread, true, posted)) => return Ok((thread, posted)),
                Some(_) => return Err(AppError::KeyReused),
                None => {}
            }
        }
        let thread: i64 = sqlx::query_scalar(
            "insert into threads (title, theme_id, region_id, author_id)
             select $1, th.id, (select id from regions where slug = $3), $4 from themes th where th.slug = $2
             returning id",
        )
        .bind(title)
        .bind(theme)
        .bind(region)
        .bind(opening.author.id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
        opening.thread_id = thread;
        let posted = post_in(&mut tx, &opening).await?;
        tx.commit().await?;
        Ok((thread, posted))
    }

    /// Page `page` (from 1; past the last, the last) of `thread`, as `viewer` sees votes.
    /// Reads from the index at the page's first comment, so the last page of a long
    /// thread costs what the first does.
    pub async fn comment_page(&self, thread: &ThreadRecord, page: i64, viewer: Option<i64>) -> AppResult<CommentPage> {
        let pages = page_count(i64::from(thread.last_number));
        let page = page.clamp(1, pages);
        // The page's rows are found first (lateral: an index range from the first one), and
        // only those 50 are joined and asked about replies and votes.
        let sql = format!(
            "with start as (
                 select root_number, number from comments where thread_id = $1
                 order by root_number, number offset $2 limit 1)
             select {columns}
             from start cross join lateral (
                 select * from comments where thread_id = $1 and (root_number, number) >= (start.root_number, start.number)
                 order by root_number, number limit $4) c
             {COMMENT_JOINS}
             order by c.root_number, c.number",
            columns = comment_columns("$3"),
        );
        let rows: Vec<CommentRow> = sqlx::query_as(&sql)
            .bind(thread.id)
            .bind((page - 1) * COMMENTS_PER_PAGE)
            .bind(viewer.unwrap_or(0))
            .bind(COMMENTS_PER_PAGE)
            .fetch_all(&self.pool)
            .await?;
        Ok(CommentPage { comments: rows.into_iter().map(CommentView::from).collect(), page, pages })
    }

    /// One comment, as `viewer` sees votes.
    pub async fn comment(&self, id: i64, viewer: Option<i64>) -> AppResult<Option<CommentView>> {
        let sql = format!(
            "select {columns} from comments c {COMMENT_JOINS} where c.id = $1",
            columns = comment_columns("$2")
        );
        let row: Option<CommentRow> =
            sqlx::query_as(&sql).bind(id).bind(viewer.unwrap_or(0)).fetch_optional(&self.pool).await?;
        Ok(row.map(CommentView::from))
    }

    /// Where a comment stands in its thread's order (from 0): its permalink opens the
    /// page that holds it.
    pub async fn comment_rank(&self, id: i64) -> AppResult<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "select c.thread_id,
                    (select count(*) from comments o
                     where o.thread_id = c.thread_id and (o.root_number, o.number) < (c.root_number, c.number))
             from comments c where c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Saves a new text for a comment, keeping the old one; the people it now mentions
    /// for the first time are notified. 404 when it is deleted meanwhile.
    pub async fn edit_comment(&self, id: i64, editor: &User, edit: CommentEdit<'_>) -> AppResult<()> {
        let CommentEdit { body_markdown, body_html, body_text, mentions, has_links } = edit;
        let mut tx = self.pool.begin().await?;
        // Links added by an edit wait for a moderator as a first comment's would: the rule
        // is the same, counting the author's other comments.
        let (age_seconds, has_other_shown): (i64, bool) = sqlx::query_as(
            "select extract(epoch from now() - u.created_at)::bigint,
                    exists (select 1 from comments where author_id = u.id and not held and id <> $2)
             from users u where u.id = $1",
        )
        .bind(editor.id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let hold = must_hold(has_links, editor, time::Duration::seconds(age_seconds), has_other_shown);
        let edited: Option<(i32, i64, bool, bool, i32)> = sqlx::query_as(
            "update comments c set body_markdown = $2, body_html = $3, body_text = $4, edited_at = now(),
                    revision = c.revision + 1, body_html_version = $5, held = c.held or $6
             from comments old
             where c.id = $1 and old.id = c.id and c.deleted_at is null
             returning c.revision, c.thread_id, c.held, not old.held and old.hidden_at is null, old.useful_count",
        )
        .bind(id)
        .bind(body_markdown)
        .bind(body_html)
        .bind(body_text)
        .bind(crate::markdown::RENDER_VERSION)
        .bind(hold)
        .fetch_optional(&mut *tx)
        .await?;
        let (revision, thread, held, was_shown, useful) = edited.ok_or(AppError::NotFound)?;
        if held && was_shown {
            super::count_shown(&mut tx, thread, -1, -useful).await?;
        }
        sqlx::query(
            "insert into comment_revisions (comment_id, number, body_markdown, body_html) values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(revision)
        .bind(body_markdown)
        .bind(body_html)
        .execute(&mut *tx)
        .await?;
        let (typed, people): (Vec<String>, Vec<i64>) = mentions.iter().cloned().unzip();
        let new: Vec<i64> = sqlx::query_scalar(
            "insert into comment_mentions (comment_id, user_id, typed)
             select $1, m.user_id, m.typed from unnest($2::text[], $3::bigint[]) as m (typed, user_id)
             on conflict do nothing
             returning user_id",
        )
        .bind(id)
        .bind(&typed)
        .bind(&people)
        .fetch_all(&mut *tx)
        .await?;
        let notified = notified_mentions(&new, editor.id, mentions);
        if !held && !notified.is_empty() {
            add_event(&mut tx, EventKind::CommentMentions, Some(editor.id), thread, id, &notified).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a comment: its text and history go, and it leaves a placeholder where it
    /// has replies. It stops being the accepted answer.
    pub async fn delete_comment(&self, id: i64) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let deleted: Option<(i64, bool, i32)> = sqlx::query_as(
            "update comments c set deleted_at = now(), body_markdown = '', body_html = '', body_text = ''
             from comments old
             where c.id = $1 and old.id = c.id and c.deleted_at is null
             returning c.thread_id, not old.held and old.hidden_at is null, old.useful_count",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((thread, was_public, useful)) = deleted else { return Err(AppError::NotFound) };
        for sql in [
            "delete from comment_revisions where comment_id = $1",
            "delete from comment_mentions where comment_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query(
            "update threads set comment_count = comment_count - $2, useful_count = useful_count - $3,
                    accepted_comment_id = nullif(accepted_comment_id, $4)
             where id = $1",
        )
        .bind(thread)
        .bind(i32::from(was_public))
        .bind(if was_public { useful } else { 0 })
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every text the comment had, newest first.
    pub async fn comment_history(&self, id: i64) -> AppResult<Vec<CommentRevision>> {
        Ok(sqlx::query_as(
            "select number, body_html, created_at from comment_revisions where comment_id = $1 order by number desc",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks a comment useful for `user` (`useful`), or takes the mark back. A second mark
    /// by the same person changes nothing.
    pub async fn vote(&self, comment: &CommentView, user_id: i64, useful: bool) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let changed = if useful {
            sqlx::query("insert into comment_votes (comment_id, user_id) values ($1, $2) on conflict do nothing")
        } else {
            sqlx::query("delete from comment_votes where comment_id = $1 and user_id = $2")
        }
        .bind(comment.id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            let step = if useful { 1 } else { -1 };
            sqlx::query("update comments set useful_count = useful_count + $2 where id = $1")
                .bind(comment.id)
                .bind(step)
                .execute(&mut *tx)
                .await?;
            sqlx::query("update threads set useful_count = useful_count + $2 where id = $1")
                .bind(comment.thread_id)
                .bind(step)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes `comment` the thread's accepted answer, or (None) takes the mark away.
    pub async fn accept_answer(&self, thread: i64, comment: Option<i64>) -> AppResult<()> {
        sqlx::query("update threads set accepted_comment_id = $2 where id = $1")
            .bind(thread)
            .bind(comment)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The people with these handles (lower case) and an open account, by handle.
    pub async fn people_by_handle(&self, handles: &[String]) -> AppResult<Vec<(String, i64)>> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as("select handle, id from users where handle = any($1) and closed_at is null")
            .bind(handles)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The people a comment mentions, as typed and by account (to render it again).
    pub async fn mentions_of(&self, comment: i64) -> AppResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as("select typed, user_id from comment_mentions where comment_id = $1")
            .bind(comment)
            .fetch_all(&self.pool)
            .await?)
    }
}

/// Serialises one author's posts across processes: the rate limit counts, and a retried
/// post finds the first one's comment.
async fn lock_author(conn: &mut PgConnection, author: i64) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('ayni-comment-author:' || $1, 0))")
        .bind(author)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The comment (and its thread) that `key` made for `author` before, if any.
/// A comment's new text, rendered, with the people it mentions and whether it links
/// anywhere.
pub struct CommentEdit<'a> {
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub mentions: &'a [(String, i64)],
    pub has_links: bool,
}

/// A new member's first comment with links waits for a moderator; editors, facilitators
/// and admins are known to the site already.
fn must_hold(has_links: bool, author: &User, age: time::Duration, has_shown: bool) -> bool {
    has_links && author.role == Role::Member && age < NEW_ACCOUNT_AGE && !has_shown
}

/// The comment an author already posted with `key`: its thread, whether it opened a
/// free-standing thread, and the comment.
async fn already_posted(conn: &mut PgConnection, author: i64, key: &str) -> AppResult<Option<(i64, bool, Posted)>> {
    let found: Option<(i64, bool, i64, bool)> = sqlx::query_as(
        "select c.thread_id, c.number = 1 and t.theme_id is not null, c.id, c.held
         from comment_posts p join comments c on c.id = p.comment_id join threads t on t.id = c.thread_id
         where p.user_id = $1 and p.key = $2",
    )
    .bind(author)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|(thread, opened, id, held)| (thread, opened, Posted { id, held })))
}

async fn post_in(tx: &mut PgConnection, new: &NewComment<'_>) -> AppResult<Posted> {
    let author = new.author;
    lock_author(tx, author.id).await?;
    if let Some(key) = new.idempotency_key {
        match already_posted(tx, author.id, key).await? {
            Some((thread, _, posted)) if thread == new.thread_id => return Ok(posted),
            // The key was spent on a post elsewhere: that is not a retry of this one.
            Some(_) => return Err(AppError::KeyReused),
            None => {}
        }
    }
    let (recent, age_seconds, has_shown): (i64, i64, bool) = sqlx::query_as(
        "select (select count(*) from comments where author_id = u.id
                   and created_at > now() - make_interval(secs => $2)),
                extract(epoch from now() - u.created_at)::bigint,
                exists (select 1 from comments where author_id = u.id and not held)
         from users u where u.id = $1",
    )
    .bind(author.id)
    .bind(COMMENT_WINDOW.as_seconds_f64())
    .fetch_one(&mut *tx)
    .await?;
    let age = time::Duration::seconds(age_seconds);
    if recent >= comments_allowed(age) {
        return Err(AppError::TooManyComments);
    }
    let held = must_hold(new.has_links, author, age, has_shown);
    let (parent, reply_to, root) = match new.reply_to {
        None => (None, None, None),
        Some(id) => {
            let parent: Parent = sqlx::query_as(
                "select id, thread_id, parent_id, number, root_number, held, hidden_at is not null as hidden,
                        deleted_at is not null as deleted
                 from comments where id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .filter(|p: &Parent| p.thread_id == new.thread_id && !p.held && !p.hidden && !p.deleted)
            .ok_or(AppError::NotFound)?;
            // A reply to a reply is shown under the top comment, quoting the reply.
            let top = parent.parent_id.unwrap_or(parent.id);
            let root = if parent.parent_id.is_some() { parent.root_number } else { parent.number };
            (Some(top), Some(parent.id), Some(root))
        }
    };
    let shown = i32::from(!held);
    let number: i32 = sqlx::query_scalar(
        "update threads set last_number = last_number + 1, comment_count = comment_count + $2,
                last_activity_at = case when $2 = 1 then now() else last_activity_at end
         where id = $1 and locked_at is null and hidden_at is null
         returning last_number",
    )
    .bind(new.thread_id)
    .bind(shown)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::ThreadLocked)?;
    let id: i64 = sqlx::query_scalar(
        "insert into comments (thread_id, number, root_number, parent_id, reply_to_id, author_id, body_markdown,
                               body_html, body_html_version, body_text, held)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         returning id",
    )
    .bind(new.thread_id)
    .bind(number)
    .bind(root.unwrap_or(number))
    .bind(parent)
    .bind(reply_to)
    .bind(author.id)
    .bind(new.body_markdown)
    .bind(&new.body_html)
    .bind(crate::markdown::RENDER_VERSION)
    .bind(&new.body_text)
    .bind(held)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into comment_revisions (comment_id, number, body_markdown, body_html) values ($1, 1, $2, $3)")
        .bind(id)
        .bind(new.body_markdown)
        .bind(&new.body_html)
        .execute(&mut *tx)
        .await?;
    let (typed, people): (Vec<String>, Vec<i64>) = new.mentions.iter().cloned().unzip();
    sqlx::query(
        "insert into comment_mentions (comment_id, user_id, typed)
         select $1, m.user_id, m.typed from unnest($2::text[], $3::bigint[]) as m (typed, user_id)
         on conflict do nothing",
    )
    .bind(id)
    .bind(&typed)
    .bind(&people)
    .execute(&mut *tx)
    .await?;
    // Commenting follows the thread.
    sqlx::query(
        "insert into follows (user_id, subject_kind, subject_id) values ($1, 'thread', $2) on conflict do nothing",
    )
    .bind(author.id)
    .bind(new.thread_id)
    .execute(&mut *tx)
    .await?;
    if let Some(key) = new.idempotency_key {
        sqlx::query("insert into comment_posts (user_id, key, comment_id) values ($1, $2, $3)")
            .bind(author.id)
            .bind(key)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if !held {
        let notified = notified_mentions(&people, author.id, &new.mentions);
        add_event(tx, EventKind::CommentPosted, Some(author.id), new.thread_id, id, &notified).await?;
    }
    Ok(Posted { id, held })
}

/// Of the accounts in `candidates`, those to notify of a mention: never the author, and
/// only among the first [`MAX_NOTIFIED_MENTIONS`] people the comment mentions.
fn notified_mentions(candidates: &[i64], author: i64, mentions: &[(String, i64)]) -> Vec<i64> {
    mentions
        .iter()
        .take(MAX_NOTIFIED_MENTIONS)
        .map(|(_, id)| *id)
        .filter(|id| *id != author && candidates.contains(id))
        .collect()
}

/// Writes an event about a comment into the outbox, in the transaction that made it.
pub(crate) async fn add_event(
    conn: &mut PgConnection,
    kind: EventKind,
    actor: Option<i64>,
    thread: i64,
    comment: i64,
    mentions: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into events (kind, actor_id, thread_id, comment_id, details)
         values ($1, $2, $3, $4, jsonb_build_object('mentions', $5::bigint[]))",
    )
    .bind(kind.as_str())
    .bind(actor)
    .bind(thread)
    .bind(comment)
    .bind(mentions)
    .execute(&mut *conn)
    .await?;
    sqlx::query("select pg_notify('ayni_events', '')").execute(conn).await?;
    Ok(())
}
