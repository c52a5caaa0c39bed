//! Discussions: `/discussions` and its free-standing threads, the discussion of each case
//! and workshop, comments (posting, editing with history, deleting, useful votes, the
//! accepted answer, reports), moderation, and people's pages. Who may do what is asked of
//! `domain::permission` through [`thread_for`] and [`comment_for`].

mod api;
mod comment;
mod list;
mod moderation;
mod people;
mod thread;
pub(crate) mod view;

use std::collections::HashMap;

use utoipa_axum::{router::OpenApiRouter, routes};

use super::{guarded, guarded_api, kept, AppState};
use crate::{
    domain::{
        account::User,
        discussion::check_comment,
        permission::{may, CommentAction, ThreadAction},
        FieldError,
    },
    error::{AppError, AppResult},
    store::discussions::{CommentEdit, CommentView, NewComment, Posted, ThreadRecord},
};
use axum::{
    routing::{get, post},
    Router,
};

pub(crate) use self::thread::{case_discussion, workshop_discussion};

/// The JSON API for threads, comments and votes.
pub fn api(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(guarded_api(state, routes!(api::create)))
        .routes(routes!(api::show))
        .routes(guarded_api(state, routes!(api::comment)))
        .routes(guarded_api(state, routes!(api::comment_on_case)))
        .routes(guarded_api(state, routes!(api::comment_on_workshop)))
        .routes(routes!(api::comment_show))
        .routes(guarded_api(state, routes!(api::comment_update, api::comment_delete)))
        .routes(guarded_api(state, routes!(api::vote_put, api::vote_delete)))
}

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(kept(state, Router::new().route("/discussions", get(list::list))))
        .route("/discussions/new", guarded(state, get(list::new_form).post(list::create)))
        .route("/discussions/{id}", guarded(state, get(thread::show).post(thread::post)))
        .route("/cases/{slug}/discussion", guarded(state, get(thread::show_case).post(thread::post_case)))
        .route("/workshops/{slug}/discussion", guarded(state, get(thread::show_workshop).post(thread::post_workshop)))
        .route(
            "/discussions/{id}/report",
            guarded(state, get(comment::report_thread_form).post(comment::report_thread)),
        )
        .route("/discussions/{id}/lock", guarded(state, post(moderation::lock)))
        .route(
            "/discussions/{id}/hide",
            guarded(state, get(moderation::hide_thread_form).post(moderation::hide_thread)),
        )
        .route("/discussions/{id}/restore", guarded(state, post(moderation::restore_thread)))
        .route("/comments/{id}", get(comment::permalink))
        .route("/comments/{id}/edit", guarded(state, get(comment::edit_form).post(comment::edit)))
        .route("/comments/{id}/history", get(comment::history))
        .route("/comments/{id}/delete", guarded(state, get(comment::delete_form).post(comment::delete)))
        .route("/comments/{id}/useful", guarded(state, post(comment::useful)))
        .route("/comments/{id}/accept", guarded(state, post(comment::accept)))
        .route("/comments/{id}/report", guarded(state, get(comment::report_form).post(comment::report)))
        .route("/comments/{id}/hide", guarded(state, get(moderation::hide_form).post(moderation::hide)))
        .route("/comments/{id}/restore", guarded(state, post(moderation::restore)))
        .route("/comments/{id}/approve", guarded(state, post(moderation::approve)))
        .route("/moderation", get(moderation::queue))
        .route("/moderation/reports/{id}/dismiss", guarded(state, post(moderation::dismiss)))
        .route("/people/{id}", get(people::show))
}

/// The longest idempotency key a post may carry.
pub(crate) const MAX_KEY_CHARS: usize = 200;

/// `{id}` in addresses is a number; anything else names nothing.
pub(crate) fn number(text: &str) -> AppResult<i64> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// The thread `id` if `user` may do `action` in it: 404 when they may not see it, 403
/// when they see it but may not act (a locked thread says so).
pub(crate) async fn thread_for(
    state: &AppState,
    id: i64,
    user: Option<&User>,
    action: ThreadAction,
) -> AppResult<ThreadRecord> {
    let thread = state.store.thread(id).await?.ok_or(AppError::NotFound)?;
    check_thread(&thread, user, action)?;
    Ok(thread)
}

pub(crate) fn check_thread(thread: &ThreadRecord, user: Option<&User>, action: ThreadAction) -> AppResult<()> {
    let access = thread.access();
    if !may(user, ThreadAction::View, &access) {
        return Err(AppError::NotFound);
    }
    if !may(user, action, &access) {
        if user.is_none() {
            return Err(AppError::SignInRequired);
        }
        if action == ThreadAction::Comment && thread.locked {
            return Err(AppError::ThreadLocked);
        }
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The comment `id` (and its thread) if `user` may do `action` to it: 404 when they may
/// not see the thread or the comment is gone, 403 when they may not act.
pub(crate) async fn comment_for(
    state: &AppState,
    id: i64,
    user: Option<&User>,
    action: CommentAction,
) -> AppResult<(ThreadRecord, CommentView)> {
    let comment = state.store.comment(id, user.map(|u| u.id)).await?.ok_or(AppError::NotFound)?;
    let thread = state.store.thread(comment.thread_id).await?.ok_or(AppError::NotFound)?;
    let access = comment.access(&thread);
    if !may(user, ThreadAction::View, &thread.access()) || comment.state.deleted {
        return Err(AppError::NotFound);
    }
    if !may(user, action, &access) {
        if user.is_none() {
            return Err(AppError::SignInRequired);
        }
        if action == CommentAction::Edit && thread.locked {
            return Err(AppError::ThreadLocked);
        }
        return Err(AppError::Forbidden);
    }
    Ok((thread, comment))
}

/// A comment's text rendered, with the people it mentions (typed handle, account) in the
/// order they are first mentioned. Scanning and rendering run off the async workers.
pub(crate) struct Rendered {
    pub html: String,
    pub text: String,
    pub mentions: Vec<(String, i64)>,
    pub has_links: bool,
}

/// Checks and renders a comment's Markdown (422 when it is blank or too long).
pub(crate) async fn render_comment(state: &AppState, body: &str, field: &'static str) -> AppResult<Rendered> {
    check_comment(body).map_err(|problem| AppError::InvalidFields(vec![FieldError { field, problem }]))?;
    let (handles, has_links) = state.renderer.scan_comment(body.to_string()).await?;
    let people: HashMap<String, i64> = state.store.people_by_handle(&handles).await?.into_iter().collect();
    let mentions: Vec<(String, i64)> =
        handles.into_iter().filter_map(|h| people.get(&h).map(|id| (h.clone(), *id))).collect();
    let (html, text) = state.renderer.render_comment(body.to_string(), mentions.iter().cloned().collect()).await?;
    Ok(Rendered { html, text, mentions, has_links })
}

/// Posts a comment in `thread` (the form and the API): checked, rendered, then stored.
pub(crate) async fn post_comment(
    state: &AppState,
    thread: &ThreadRecord,
    user: &User,
    body: &str,
    reply_to: Option<i64>,
    key: Option<&str>,
) -> AppResult<Posted> {
    check_thread(thread, Some(user), ThreadAction::Comment)?;
    if key.is_some_and(|k| k.chars().count() > MAX_KEY_CHARS) {
        return Err(AppError::BadRequest);
    }
    let rendered = render_comment(state, body, "body").await?;
    state
        .store
        .post_comment(NewComment {
            thread_id: thread.id,
            author: user,
            reply_to,
            body_markdown: body,
            body_html: rendered.html,
            body_text: rendered.text,
            mentions: rendered.mentions,
            has_links: rendered.has_links,
            idempotency_key: key.filter(|k| !k.is_empty()),
        })
        .await
}

/// Saves a new text for a comment its author may edit (the form and the API).
pub(crate) async fn edit_comment(state: &AppState, comment: &CommentView, user: &User, body: &str) -> AppResult<()> {
    let rendered = render_comment(state, body, "body").await?;
    let edit = CommentEdit {
        body_markdown: body,
        body_html: &rendered.html,
        body_text: &rendered.text,
        mentions: &rendered.mentions,
        has_links: rendered.has_links,
    };
    state.store.edit_comment(comment.id, user, edit).await
}

/// The start of a comment's text, to remind a reporter or a moderator what it is about.
pub(crate) fn excerpt_of(markdown: &str) -> String {
    let text: String = markdown.chars().take(280).collect();
    if text.len() < markdown.len() {
        format!("{text}…")
    } else {
        text
    }
}
