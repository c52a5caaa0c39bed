//! Discussions in the store: threads (on a case, a workshop, or on their own), their
//! comments with edits, votes and mentions, and moderation. Follows, notifications and
//! the outbox they come from are in `store::notifications`.

mod comments;
mod moderation;
mod people;
mod threads;

pub use self::{
    comments::{CommentEdit, CommentPage, NewComment, Posted},
    moderation::{ModerationQueue, QueuedComment, QueuedReport},
    people::{PersonComment, PersonView},
    threads::ThreadListing,
};

use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

use crate::domain::permission::{CommentAccess, CommentState, ThreadAccess, ThreadHome};

/// A thread with what its page, its permissions and its links need.
#[derive(Debug, Clone)]
pub struct ThreadRecord {
    pub id: i64,
    pub home: Home,
    /// What the thread is called: its own title, or its case's or workshop's.
    pub title: String,
    pub author: Author,
    pub created_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
    pub comment_count: i32,
    /// Every comment ever posted (numbers run to here): what pages are counted from.
    pub last_number: i32,
    pub accepted_comment_id: Option<i64>,
    pub locked: bool,
    pub hidden_reason: Option<String>,
    access: ThreadAccess,
}

/// What a thread belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Home {
    Case {
        id: i64,
        slug: String,
    },
    Workshop {
        id: i64,
        slug: String,
    },
    /// A thread of its own, under a theme and maybe a region (slugs).
    Standalone {
        theme: String,
        region: Option<String>,
    },
}

impl ThreadRecord {
    pub fn access(&self) -> ThreadAccess {
        self.access.clone()
    }

    /// The thread's page.
    pub fn url(&self) -> String {
        match &self.home {
            Home::Case { slug, .. } => format!("/cases/{slug}/discussion"),
            Home::Workshop { slug, .. } => format!("/workshops/{slug}/discussion"),
            Home::Standalone { .. } => format!("/discussions/{}", self.id),
        }
    }

    pub fn standalone(&self) -> bool {
        matches!(self.home, Home::Standalone { .. })
    }
}

/// Who wrote something, as pages show them: a closed account has neither name nor handle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub handle: Option<String>,
}

impl Author {
    fn of(id: Option<i64>, name: Option<String>, handle: Option<String>, closed: bool) -> Author {
        if closed {
            Author { id, name: None, handle: None }
        } else {
            Author { id, name, handle }
        }
    }
}

/// Columns of [`ThreadRow`], over `threads t`.
const THREAD_COLUMNS: &str = "
    t.id, t.case_id, t.workshop_id, t.title as own_title, t.author_id, au.display_name as author_name,
    au.handle as author_handle, au.closed_at is not null as author_closed, t.created_at, t.last_activity_at,
    t.comment_count, t.last_number, t.accepted_comment_id, t.locked_at is not null as locked, t.hidden_reason,
    th.slug as theme, rg.slug as region, c.slug as case_slug, c.title as case_title,
    c.status = 'published' as case_published, c.author_id as case_author, w.slug as workshop_slug,
    w.title as workshop_title, w.status = 'draft' as workshop_draft,
    coalesce((select array_agg(wo.user_id) from workshop_organisers wo where wo.workshop_id = t.workshop_id), '{}')
        as organisers,
    coalesce((select array_agg(a.slug order by up.depth)
              from region_and_above(coalesce(c.region_id, t.region_id)) up join regions a on a.id = up.id), '{}')
        as region_path";

/// The joins [`THREAD_COLUMNS`] read from.
const THREAD_JOINS: &str = "
    threads t
    left join users au on au.id = t.author_id
    left join themes th on th.id = t.theme_id
    left join regions rg on rg.id = t.region_id
    left join cases c on c.id = t.case_id
    left join workshops w on w.id = t.workshop_id";

#[derive(FromRow)]
struct ThreadRow {
    id: i64,
    case_id: Option<i64>,
    workshop_id: Option<i64>,
    own_title: Option<String>,
    author_id: Option<i64>,
    author_name: Option<String>,
    author_handle: Option<String>,
    author_closed: Option<bool>,
    created_at: OffsetDateTime,
    last_activity_at: OffsetDateTime,
    comment_count: i32,
    last_number: i32,
    accepted_comment_id: Option<i64>,
    locked: bool,
    hidden_reason: Option<String>,
    theme: Option<String>,
    region: Option<String>,
    case_slug: Option<String>,
    case_title: Option<String>,
    case_published: Option<bool>,
    case_author: Option<i64>,
    workshop_slug: Option<String>,
    workshop_title: Option<String>,
    workshop_draft: Option<bool>,
    organisers: Vec<i64>,
    region_path: Vec<String>,
}

impl From<ThreadRow> for ThreadRecord {
    fn from(row: ThreadRow) -> Self {
        let (home, title, access_home) = match (row.case_id, row.workshop_id) {
            (Some(id), _) => (
                Home::Case { id, slug: row.case_slug.unwrap_or_default() },
                row.case_title.unwrap_or_default(),
                ThreadHome::Case {
                    published: row.case_published.unwrap_or(false),
                    author_id: row.case_author,
                    region_path: row.region_path,
                },
            ),
            (None, Some(id)) => (
                Home::Workshop { id, slug: row.workshop_slug.unwrap_or_default() },
                row.workshop_title.unwrap_or_default(),
                ThreadHome::Workshop { draft: row.workshop_draft.unwrap_or(true), organisers: row.organisers },
            ),
            (None, None) => (
                Home::Standalone { theme: row.theme.unwrap_or_default(), region: row.region },
                row.own_title.unwrap_or_default(),
                ThreadHome::Standalone { region_path: row.region_path },
            ),
        };
        // A free-standing thread with no comment others can see (its opening one held for a
        // moderator, or gone) is not shown to them: its title alone could carry the spam.
        let waiting = matches!(home, Home::Standalone { .. }) && row.comment_count == 0;
        ThreadRecord {
            id: row.id,
            home,
            title,
            author: Author::of(row.author_id, row.author_name, row.author_handle, row.author_closed.unwrap_or(false)),
            created_at: row.created_at,
            last_activity_at: row.last_activity_at,
            comment_count: row.comment_count,
            last_number: row.last_number,
            accepted_comment_id: row.accepted_comment_id,
            locked: row.locked,
            access: ThreadAccess {
                home: access_home,
                author_id: row.author_id,
                locked: row.locked,
                hidden: row.hidden_reason.is_some() || waiting,
            },
            hidden_reason: row.hidden_reason,
        }
    }
}

/// A comment as a page shows it (what the viewer may see of it is decided by the page).
#[derive(Debug, Clone)]
pub struct CommentView {
    pub id: i64,
    pub thread_id: i64,
    pub number: i32,
    /// A reply, shown under its top comment.
    pub is_reply: bool,
    pub author: Author,
    pub body_markdown: String,
    pub body_html: String,
    pub created_at: OffsetDateTime,
    pub edited_at: Option<OffsetDateTime>,
    pub useful_count: i32,
    pub state: CommentState,
    pub hidden_reason: Option<String>,
    /// Whether any reply points at it (a deleted comment with replies leaves a placeholder).
    pub has_replies: bool,
    /// The reply it answers, when that is not its top comment: quoted when read.
    pub quote: Option<Quote>,
    /// Whether the viewer marked it useful.
    pub voted: bool,
}

/// The reply a reply answers, as its quote shows it.
#[derive(Debug, Clone)]
pub struct Quote {
    pub id: i64,
    pub author: Author,
    pub excerpt: String,
    pub state: CommentState,
}

/// Columns of [`CommentRow`] over `comments c left join users u on u.id = c.author_id`,
/// with `$viewer` the viewer's account id (0 for a visitor).
fn comment_columns(viewer: &str) -> String {
    format!(
        "c.id, c.thread_id, c.number, c.parent_id is not null as is_reply, c.author_id, u.display_name as author_name,
         u.handle as author_handle, u.closed_at is not null as author_closed, c.body_markdown, c.body_html,
         c.created_at, c.edited_at, c.useful_count, c.held, c.hidden_at is not null as hidden, c.hidden_reason,
         c.deleted_at is not null as deleted,
         exists (select 1 from comments r where r.reply_to_id = c.id and r.deleted_at is null) as has_replies,
         q.id as quote_id, q.author_id as quote_author_id, qu.display_name as quote_author_name,
         qu.handle as quote_author_handle, qu.closed_at is not null as quote_author_closed,
         left(q.body_text, 280) as quote_excerpt, q.held as quote_held, q.hidden_at is not null as quote_hidden,
         q.deleted_at is not null as quote_deleted,
         {viewer} <> 0 and exists (select 1 from comment_votes v where v.comment_id = c.id and v.user_id = {viewer})
             as voted"
    )
}

/// The joins [`comment_columns`] read from, after the comments `c`.
const COMMENT_JOINS: &str = "
    left join users u on u.id = c.author_id
    left join comments q on q.id = c.reply_to_id and c.reply_to_id is distinct from c.parent_id
    left join users qu on qu.id = q.author_id";

#[derive(FromRow)]
struct CommentRow {
    id: i64,
    thread_id: i64,
    number: i32,
    is_reply: bool,
    author_id: Option<i64>,
    author_name: Option<String>,
    author_handle: Option<String>,
    author_closed: Option<bool>,
    body_markdown: String,
    body_html: String,
    created_at: OffsetDateTime,
    edited_at: Option<OffsetDateTime>,
    useful_count: i32,
    held: bool,
    hidden: bool,
    hidden_reason: Option<String>,
    deleted: bool,
    has_replies: bool,
    quote_id: Option<i64>,
    quote_author_id: Option<i64>,
    quote_author_name: Option<String>,
    quote_author_handle: Option<String>,
    quote_author_closed: Option<bool>,
    quote_excerpt: Option<String>,
    quote_held: Option<bool>,
    quote_hidden: Option<bool>,
    quote_deleted: Option<bool>,
    voted: bool,
}

impl From<CommentRow> for CommentView {
    fn from(row: CommentRow) -> Self {
        let quote = row.quote_id.map(|id| Quote {
            id,
            author: Author::of(
                row.quote_author_id,
                row.quote_author_name,
                row.quote_author_handle,
                row.quote_author_closed.unwrap_or(false),
            ),
            excerpt: row.quote_excerpt.unwrap_or_default(),
            state: CommentState {
                held: row.quote_held.unwrap_or(false),
                hidden: row.quote_hidden.unwrap_or(false),
                deleted: row.quote_deleted.unwrap_or(false),
            },
        });
        CommentView {
            id: row.id,
            thread_id: row.thread_id,
            number: row.number,
            is_reply: row.is_reply,
            author: Author::of(row.author_id, row.author_name, row.author_handle, row.author_closed.unwrap_or(false)),
            body_markdown: row.body_markdown,
            body_html: row.body_html,
            created_at: row.created_at,
            edited_at: row.edited_at,
            useful_count: row.useful_count,
            state: CommentState { held: row.held, hidden: row.hidden, deleted: row.deleted },
            hidden_reason: row.hidden_reason,
            has_replies: row.has_replies,
            quote,
            voted: row.voted,
        }
    }
}

impl CommentView {
    pub fn access(&self, thread: &ThreadRecord) -> CommentAccess {
        CommentAccess { thread: thread.access(), author_id: self.author.id, state: self.state }
    }
}

/// Moves a thread's counts of comments others see, and of their useful votes.
async fn count_shown(conn: &mut PgConnection, thread: i64, comments: i32, useful: i32) -> Result<(), sqlx::Error> {
    sqlx::query("update threads set comment_count = comment_count + $2, useful_count = useful_count + $3 where id = $1")
        .bind(thread)
        .bind(comments)
        .bind(useful)
        .execute(conn)
        .await
        .map(|_| ())
}
