//! Moderation: the queue of open reports and held comments, hiding and restoring
//! comments (with a reason), letting held comments through, locking threads, hiding
//! free-standing threads, and dismissing reports. Moderators are admins, the editors of a
//! case's region, and a workshop's organisers (`domain::permission::ThreadAccess`).

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{comment_for, excerpt_of, number, thread::form_errors, thread_for};
use crate::{
    domain::{
        discussion::{check_note, MAX_MODERATION_REASON_CHARS},
        permission::{CommentAction, ThreadAction},
        FieldError,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormData, Ui},
        session::{self, SignedInUser},
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::Catalog,
    store::discussions::{ModerationQueue, ThreadRecord},
};

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    queue: ModerationQueue,
}

/// What awaits the signed-in moderator; empty for someone who moderates nothing.
pub async fn queue(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
) -> AppResult<Response> {
    let queue = state.store.moderation_queue(&user).await?;
    let page = QueuePage {
        chrome: Chrome::for_ui(&ui, ui.t.discussions.moderation_title, "moderation"),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        queue,
    };
    Ok(render(page)?.into_response())
}

/// A moderator's action on something in `thread`: 404 when they may not see it, 403
/// when they do not moderate it.
fn moderates(thread: &ThreadRecord, user: &crate::domain::account::User) -> AppResult<()> {
    if thread.access().moderated_by(Some(user)) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "hide.html")]
struct HidePage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    action: String,
    back_url: String,
    excerpt: String,
    reason: String,
    errors: FormErrors,
}

#[derive(serde::Deserialize, Default)]
pub struct ReasonInput {
    #[serde(default)]
    reason: String,
}

fn check_reason(input: &ReasonInput) -> Result<String, Vec<FieldError>> {
    check_note(&input.reason, true, MAX_MODERATION_REASON_CHARS)
        .map(|()| input.reason.trim().to_string())
        .map_err(|problem| vec![FieldError { field: "reason", problem }])
}

async fn hide_page(
    ui: &Ui,
    session: &Session,
    action: String,
    back_url: String,
    excerpt: String,
    reason: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = HidePage {
        chrome: Chrome::for_ui(ui, ui.t.discussions.hide_title, "moderation"),
        t: ui.t,
        csrf: session::csrf_token(session).await?,
        action,
        back_url,
        excerpt,
        reason,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

pub async fn hide_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Read).await?;
    moderates(&thread, &user)?;
    let excerpt = excerpt_of(&comment.body_markdown);
    let back = format!("/comments/{}", comment.id);
    hide_page(
        &ui,
        &session,
        format!("/comments/{}/hide", comment.id),
        back,
        excerpt,
        String::new(),
        FormErrors::default(),
    )
    .await
}

pub async fn hide(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<ReasonInput>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Read).await?;
    moderates(&thread, &user)?;
    match check_reason(&input) {
        Ok(reason) => {
            state.store.hide_comment(comment.id, &user, &reason).await?;
            Ok(Redirect::to(&format!("/comments/{}", comment.id)).into_response())
        }
        Err(errors) => {
            let excerpt = excerpt_of(&comment.body_markdown);
            let back = format!("/comments/{}", comment.id);
            let action = format!("/comments/{}/hide", comment.id);
            hide_page(&ui, &session, action, back, excerpt, input.reason, form_errors(ui.t, &errors)).await
        }
    }
}

pub async fn restore(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Read).await?;
    moderates(&thread, &user)?;
    state.store.restore_comment(comment.id, &user).await?;
    Ok(Redirect::to(&format!("/comments/{}", comment.id)).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Read).await?;
    moderates(&thread, &user)?;
    state.store.approve_comment(comment.id, &user).await?;
    Ok(Redirect::to(&format!("/comments/{}", comment.id)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct LockInput {
    #[serde(default)]
    on: String,
}

/// Locks a thread (`on=1`) or unlocks it (`on=0`).
pub async fn lock(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<LockInput>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::Moderate).await?;
    state.store.lock_thread(thread.id, &user, input.on != "0").await?;
    Ok(Redirect::to(&thread.url()).into_response())
}

pub async fn hide_thread_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::Moderate).await?;
    if !thread.standalone() {
        return Err(AppError::NotFound);
    }
    let action = format!("/discussions/{}/hide", thread.id);
    hide_page(&ui, &session, action, thread.url(), thread.title.clone(), String::new(), FormErrors::default()).await
}

pub async fn hide_thread(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<ReasonInput>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::Moderate).await?;
    if !thread.standalone() {
        return Err(AppError::NotFound);
    }
    match check_reason(&input) {
        Ok(reason) => {
            state.store.hide_thread(thread.id, &user, Some(&reason)).await?;
            Ok(Redirect::to(&thread.url()).into_response())
        }
        Err(errors) => {
            let action = format!("/discussions/{}/hide", thread.id);
            let title = thread.title.clone();
            hide_page(&ui, &session, action, thread.url(), title, input.reason, form_errors(ui.t, &errors)).await
        }
    }
}

pub async fn restore_thread(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::Moderate).await?;
    state.store.hide_thread(thread.id, &user, None).await?;
    Ok(Redirect::to(&thread.url()).into_response())
}

/// Closes a report with nothing done.
pub async fn dismiss(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = number(&id)?;
    let (thread, _) = state.store.open_report(id).await?.ok_or(AppError::NotFound)?;
    thread_for(&state, thread, Some(&user), ThreadAction::Moderate).await?;
    state.store.dismiss_report(id, &user).await?;
    Ok(Redirect::to("/moderation").into_response())
}
