//! A discussion as pages show it: a thread page, and the discussion under a case or a
//! workshop share [`Discussion`] and `discussion.html`. What each viewer may see and do
//! with each comment is decided here, once, from `domain::permission`.

use crate::{
    domain::{
        account::User,
        discussion::FollowKind,
        permission::{may, CommentAction, ThreadAction},
    },
    http::{urls, views::FormErrors},
    i18n::Catalog,
    store::discussions::{Author, CommentPage, CommentView, Home, ThreadRecord},
};

/// One comment, ready for the template.
pub struct CommentItem {
    pub id: i64,
    pub is_reply: bool,
    pub author: AuthorItem,
    pub when: String,
    pub when_iso: String,
    /// Sanitized HTML, empty when the viewer may not read it.
    pub body_html: String,
    /// In place of the text, or above it: "hidden by moderators", "deleted", "waiting for
    /// a moderator", "hidden: <reason>".
    pub notice: Option<String>,
    pub edited: bool,
    pub quote: Option<QuoteItem>,
    pub useful_count: i32,
    pub voted: bool,
    pub accepted: bool,
    pub can_vote: bool,
    pub can_reply: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_report: bool,
    pub can_accept: bool,
    pub can_moderate: bool,
    pub hidden: bool,
    pub held: bool,
}

/// A name with a link to the person, or "former member".
pub struct AuthorItem {
    pub name: String,
    pub handle: Option<String>,
    pub link: Option<String>,
}

impl AuthorItem {
    pub fn of(t: &Catalog, author: &Author) -> AuthorItem {
        match (&author.name, author.id) {
            (Some(name), Some(id)) => AuthorItem {
                name: t.person_name(name).to_string(),
                handle: author.handle.clone(),
                link: Some(format!("/people/{id}")),
            },
            _ => AuthorItem { name: t.discussions.former_member.to_string(), handle: None, link: None },
        }
    }
}

/// The reply a reply answers, quoted when the page is read.
pub struct QuoteItem {
    pub link: String,
    pub author: String,
    /// The start of its text, or what became of it.
    pub text: String,
    pub gone: bool,
}

/// The form under a discussion (or a comment being edited).
pub struct CommentForm {
    pub action: String,
    pub body: String,
    /// The comment being answered: its id and its author's name.
    pub reply_to: Option<(i64, String)>,
    pub errors: FormErrors,
    pub preview: Option<String>,
    /// Makes a repeated submission post once.
    pub key: String,
}

/// A discussion and what the viewer may do in it.
pub struct Discussion {
    /// The thread's page (for a case or workshop, even before anyone commented).
    pub url: String,
    pub thread_id: Option<i64>,
    pub comment_count: i32,
    pub comments: Vec<CommentItem>,
    pub accepted: Option<CommentItem>,
    pub page: i64,
    pub pages: i64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub locked: bool,
    pub hidden_reason: Option<String>,
    /// None for visitors (who get a sign-in link) and when the thread takes no comments.
    pub form: Option<CommentForm>,
    pub sign_in_url: Option<String>,
    /// What the follow button follows, and whether the viewer does already.
    pub follow: Option<(FollowKind, i64, bool)>,
    pub moderator: bool,
    pub can_report: bool,
    /// Under a case or a workshop: shows the newest page and links to the whole thread.
    pub embedded: bool,
}

/// Builds [`CommentItem`]s for `viewer`, leaving out what they may not see at all (a held
/// comment of someone else's, a deleted comment that nobody answered).
pub fn items(t: &Catalog, thread: &ThreadRecord, comments: &[CommentView], viewer: Option<&User>) -> Vec<CommentItem> {
    comments.iter().filter_map(|c| item(t, thread, c, viewer)).collect()
}

pub fn item(t: &Catalog, thread: &ThreadRecord, c: &CommentView, viewer: Option<&User>) -> Option<CommentItem> {
    let access = c.access(thread);
    let d = &t.discussions;
    let readable = may(viewer, CommentAction::Read, &access);
    let notice = if c.state.deleted {
        if !c.has_replies {
            return None;
        }
        Some(d.comment_deleted.to_string())
    } else if c.state.hidden {
        Some(if readable {
            crate::i18n::fill(d.comment_hidden_with_reason, &[("reason", &c.hidden_reason.clone().unwrap_or_default())])
        } else {
            d.comment_hidden.to_string()
        })
    } else if c.state.held {
        if !readable {
            return None;
        }
        Some(d.comment_held.to_string())
    } else {
        None
    };
    let moderator = thread.access().moderated_by(viewer);
    let quote = c.quote.as_ref().map(|q| {
        let gone_text = if q.state.deleted {
            Some(d.comment_deleted)
        } else if q.state.hidden || q.state.held {
            Some(d.comment_hidden)
        } else {
            None
        };
        QuoteItem {
            link: format!("/comments/{}", q.id),
            author: AuthorItem::of(t, &q.author).name,
            text: gone_text.map_or_else(|| q.excerpt.clone(), str::to_string),
            gone: gone_text.is_some(),
        }
    });
    let accepted = thread.accepted_comment_id == Some(c.id);
    let may_do = |action| may(viewer, action, &access);
    Some(CommentItem {
        id: c.id,
        is_reply: c.is_reply,
        author: AuthorItem::of(t, &c.author),
        when: t.date_time(&c.created_at),
        when_iso: t.iso_datetime(&c.created_at),
        body_html: if readable { c.body_html.clone() } else { String::new() },
        notice,
        edited: c.edited_at.is_some() && !c.state.deleted,
        quote,
        useful_count: c.useful_count,
        voted: c.voted,
        accepted,
        can_vote: may_do(CommentAction::Vote),
        can_reply: may_do(CommentAction::Reply),
        can_edit: may_do(CommentAction::Edit),
        can_delete: may_do(CommentAction::Delete),
        can_report: may_do(CommentAction::Report),
        can_accept: c.state.public() && may(viewer, ThreadAction::Accept, &thread.access()),
        can_moderate: moderator && !c.state.deleted,
        hidden: c.state.hidden,
        held: c.state.held,
    })
}

/// Where the discussion of a thread lives, and what a follow of it follows: a case's or
/// a workshop's discussion is followed with the case or the workshop.
pub fn follow_subject(thread: &ThreadRecord) -> (FollowKind, i64) {
    match &thread.home {
        Home::Case { id, .. } => (FollowKind::Case, *id),
        Home::Workshop { id, .. } => (FollowKind::Workshop, *id),
        Home::Standalone { .. } => (FollowKind::Thread, thread.id),
    }
}

/// The parts of a [`Discussion`] a page of comments gives.
pub struct PageParts {
    pub comments: Vec<CommentItem>,
    pub page: i64,
    pub pages: i64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

/// A page of comments with its links, at `url` (`?page=` added).
pub fn page_parts(
    t: &Catalog,
    thread: &ThreadRecord,
    page: &CommentPage,
    viewer: Option<&User>,
    url: &str,
) -> PageParts {
    let at = |n: i64| if n == 1 { url.to_string() } else { urls::link(url, &[("page", n.to_string())]) };
    PageParts {
        comments: items(t, thread, &page.comments, viewer),
        page: page.page,
        pages: page.pages,
        prev_url: (page.page > 1).then(|| at(page.page - 1)),
        next_url: (page.page < page.pages).then(|| at(page.page + 1)),
    }
}
