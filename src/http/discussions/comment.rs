//! One comment: its permalink, editing (every text kept, with its history), deleting,
//! the useful vote, the accepted answer, and reporting it (or its thread).

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{
    comment_for, edit_comment, excerpt_of, number,
    thread::form_errors,
    thread_for,
    view::{AuthorItem, CommentForm},
};
use crate::{
    domain::{
        discussion::{check_note, page_of, ReportReason, MAX_REPORT_NOTE_CHARS},
        permission::{may, CommentAction, ThreadAction},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormData, Ui},
        session::{self, SignedInUser},
        urls,
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::Catalog,
    store::discussions::ThreadRecord,
};

/// Opens the page of the thread that holds the comment, at the comment.
pub async fn permalink(State(state): State<AppState>, ui: Ui, Path(id): Path<String>) -> AppResult<Response> {
    let id = number(&id)?;
    let (thread, rank) = state.store.comment_rank(id).await?.ok_or(AppError::NotFound)?;
    let thread = thread_for(&state, thread, ui.viewer.user(), ThreadAction::View).await?;
    let page = page_of(rank);
    let url = if page == 1 { thread.url() } else { urls::link(&thread.url(), &[("page", page.to_string())]) };
    Ok(Redirect::to(&format!("{url}#comment-{id}")).into_response())
}

#[derive(Template)]
#[template(path = "comment_edit.html")]
struct EditPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    thread_title: String,
    thread_url: String,
    form: CommentForm,
}

#[derive(serde::Deserialize, Default)]
pub struct EditInput {
    #[serde(default)]
    body: String,
    preview: Option<String>,
}

async fn edit_page(
    ui: &Ui,
    session: &Session,
    thread: &ThreadRecord,
    id: i64,
    body: String,
    errors: FormErrors,
    preview: Option<String>,
) -> AppResult<Response> {
    let t = ui.t;
    let status = errors.status();
    let page = EditPage {
        chrome: Chrome::for_ui(ui, t.discussions.edit_comment_title, "discussions"),
        t,
        csrf: session::csrf_token(session).await?,
        thread_title: thread.title.clone(),
        thread_url: thread.url(),
        form: CommentForm {
            action: format!("/comments/{id}/edit"),
            body,
            reply_to: None,
            errors,
            preview,
            key: String::new(),
        },
    };
    Ok((status, render(page)?).into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Edit).await?;
    edit_page(&ui, &session, &thread, comment.id, comment.body_markdown, FormErrors::default(), None).await
}

pub async fn edit(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<EditInput>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Edit).await?;
    if input.preview.is_some() {
        return match super::render_comment(&state, &input.body, "body").await {
            Ok(r) => {
                edit_page(&ui, &session, &thread, comment.id, input.body, FormErrors::default(), Some(r.html)).await
            }
            Err(AppError::InvalidFields(e)) => {
                edit_page(&ui, &session, &thread, comment.id, input.body, form_errors(ui.t, &e), None).await
            }
            Err(err) => Err(err),
        };
    }
    match edit_comment(&state, &comment, &user, &input.body).await {
        Ok(()) => Ok(Redirect::to(&format!("/comments/{}", comment.id)).into_response()),
        Err(AppError::InvalidFields(e)) => {
            edit_page(&ui, &session, &thread, comment.id, input.body, form_errors(ui.t, &e), None).await
        }
        Err(err) => Err(err),
    }
}

#[derive(Template)]
#[template(path = "comment_history.html")]
struct HistoryPage {
    chrome: Chrome,
    t: &'static Catalog,
    thread_title: String,
    comment_url: String,
    author: AuthorItem,
    revisions: Vec<(i32, String, String)>,
}

/// Every text a comment had, newest first: for anyone who may read the comment.
pub async fn history(State(state): State<AppState>, ui: Ui, Path(id): Path<String>) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, ui.viewer.user(), CommentAction::Read).await?;
    let t = ui.t;
    let revisions = state
        .store
        .comment_history(comment.id)
        .await?
        .into_iter()
        .map(|r| (r.number, t.date_time(&r.created_at), r.body_html))
        .collect();
    let page = HistoryPage {
        chrome: Chrome::for_ui(&ui, t.discussions.history_title, "discussions"),
        t,
        thread_title: thread.title.clone(),
        comment_url: format!("/comments/{}", comment.id),
        author: AuthorItem::of(t, &comment.author),
        revisions,
    };
    Ok(render(page)?.into_response())
}

#[derive(Template)]
#[template(path = "comment_delete.html")]
struct DeletePage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    id: i64,
    body_html: String,
    thread_url: String,
}

pub async fn delete_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Delete).await?;
    let page = DeletePage {
        chrome: Chrome::for_ui(&ui, ui.t.discussions.delete_title, "discussions"),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        id: comment.id,
        body_html: comment.body_html,
        thread_url: thread.url(),
    };
    Ok(render(page)?.into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Delete).await?;
    state.store.delete_comment(comment.id).await?;
    Ok(Redirect::to(&thread.url()).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct Toggle {
    #[serde(default)]
    on: String,
}

impl Toggle {
    /// `on=0` takes a mark back; anything else sets it.
    fn on(&self) -> bool {
        self.on != "0"
    }
}

/// Marks a comment useful (`on=1`) or takes the mark back (`on=0`).
pub async fn useful(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(toggle): FormData<Toggle>,
) -> AppResult<Response> {
    let (_, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Vote).await?;
    state.store.vote(&comment, user.id, toggle.on()).await?;
    Ok(Redirect::to(&format!("/comments/{}", comment.id)).into_response())
}

/// Makes a comment the accepted answer (`on=1`), or takes the mark away (`on=0`).
pub async fn accept(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(toggle): FormData<Toggle>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Read).await?;
    if !comment.state.public() || !may(Some(&user), ThreadAction::Accept, &thread.access()) {
        return Err(AppError::Forbidden);
    }
    let accepted = if toggle.on() {
        Some(comment.id)
    } else if thread.accepted_comment_id == Some(comment.id) {
        None
    } else {
        thread.accepted_comment_id
    };
    state.store.accept_answer(thread.id, accepted).await?;
    Ok(Redirect::to(&format!("/comments/{}", comment.id)).into_response())
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    action: String,
    back_url: String,
    /// What is reported: a comment's text, or a thread's title.
    excerpt: String,
    reasons: Vec<(&'static str, &'static str, bool)>,
    note: String,
    errors: FormErrors,
}

#[derive(serde::Deserialize, Default)]
pub struct ReportInput {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// The reason and note of a report, or what is wrong with them.
fn check_report(input: &ReportInput) -> Result<(ReportReason, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let reason = ReportReason::parse(&input.reason);
    if reason.is_none() {
        let problem = if input.reason.is_empty() { FieldProblem::Missing } else { FieldProblem::Unknown };
        errors.push(FieldError { field: "reason", problem });
    }
    if let Err(problem) = check_note(&input.note, false, MAX_REPORT_NOTE_CHARS) {
        errors.push(FieldError { field: "note", problem });
    }
    match reason {
        Some(reason) if errors.is_empty() => Ok((reason, input.note.trim().to_string())),
        _ => Err(errors),
    }
}

async fn report_page(
    ui: &Ui,
    session: &Session,
    action: String,
    back_url: String,
    excerpt: String,
    input: &ReportInput,
    errors: FormErrors,
) -> AppResult<Response> {
    let t = ui.t;
    let status = errors.status();
    let page = ReportPage {
        chrome: Chrome::for_ui(ui, t.discussions.report_title, "discussions"),
        t,
        csrf: session::csrf_token(session).await?,
        action,
        back_url,
        excerpt,
        reasons: ReportReason::ALL
            .iter()
            .map(|r| (r.as_str(), t.report_reason(r), input.reason == r.as_str()))
            .collect(),
        note: input.note.clone(),
        errors,
    };
    Ok((status, render(page)?).into_response())
}

pub async fn report_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (_, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Report).await?;
    let (action, back) = (format!("/comments/{}/report", comment.id), format!("/comments/{}", comment.id));
    let excerpt = excerpt_of(&comment.body_markdown);
    report_page(&ui, &session, action, back, excerpt, &ReportInput::default(), FormErrors::default()).await
}

pub async fn report(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<ReportInput>,
) -> AppResult<Response> {
    let (thread, comment) = comment_for(&state, number(&id)?, Some(&user), CommentAction::Report).await?;
    match check_report(&input) {
        Ok((reason, note)) => {
            state.store.report(thread.id, Some(comment.id), &user, reason, &note).await?;
            Ok(Redirect::to(&format!("{}?done=reported#comment-{}", thread.url(), comment.id)).into_response())
        }
        Err(errors) => {
            let (action, back) = (format!("/comments/{}/report", comment.id), format!("/comments/{}", comment.id));
            let excerpt = excerpt_of(&comment.body_markdown);
            report_page(&ui, &session, action, back, excerpt, &input, form_errors(ui.t, &errors)).await
        }
    }
}

pub async fn report_thread_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::Report).await?;
    let action = format!("/discussions/{}/report", thread.id);
    report_page(
        &ui,
        &session,
        action,
        thread.url(),
        thread.title.clone(),
        &ReportInput::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn report_thread(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<ReportInput>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::Report).await?;
    match check_report(&input) {
        Ok((reason, note)) => {
            state.store.report(thread.id, None, &user, reason, &note).await?;
            Ok(Redirect::to(&format!("{}?done=reported", thread.url())).into_response())
        }
        Err(errors) => {
            let action = format!("/discussions/{}/report", thread.id);
            let title = thread.title.clone();
            report_page(&ui, &session, action, thread.url(), title, &input, form_errors(ui.t, &errors)).await
        }
    }
}
