//! The workflow buttons on a case page: submit, withdraw, publish, unpublish, send back
//! and delete. Who may press which is decided by the gate; these handlers only ask.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use crate::{
    domain::{account::User, case::Status, has_control_characters, permission::CaseAction, FieldProblem},
    error::AppResult,
    http::{
        extract::{FormPairs, Ui},
        gate::case_for,
        session::{self, SignedInUser},
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::{done::CaseDone, Catalog},
};

/// The workflow buttons on a case page.
async fn transition(
    state: &AppState,
    user: &User,
    slug: &str,
    action: CaseAction,
    to: Status,
    note: Option<&str>,
    done: CaseDone,
) -> AppResult<Redirect> {
    let record = case_for(state, slug, Some(user), action).await?;
    state.store.set_status(record.id, record.status, to, note, user).await?;
    Ok(Redirect::to(&format!("/cases/{}?done={done}", record.slug)))
}

/// Submitting says who will review: the region's editors, or the admins where it has none.
pub async fn submit(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    let record = case_for(&state, &slug, Some(&user), CaseAction::Submit).await?;
    let done = if state.store.has_editor(&record.region_path).await? {
        CaseDone::Submitted
    } else {
        CaseDone::SubmittedToAdmins
    };
    transition(&state, &user, &slug, CaseAction::Submit, Status::Submitted, None, done).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    transition(&state, &user, &slug, CaseAction::Withdraw, Status::Draft, None, CaseDone::Withdrawn).await
}

pub async fn publish(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    transition(&state, &user, &slug, CaseAction::Publish, Status::Published, None, CaseDone::Published).await
}

pub async fn unpublish(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    transition(&state, &user, &slug, CaseAction::Unpublish, Status::Unpublished, None, CaseDone::Unpublished).await
}

/// Sends a submission back to its author with a note (the note is required: the author
/// needs to know what to change).
pub async fn send_back(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let note = form.one("note");
    let note = note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS || has_control_characters(note) {
        let record = case_for(&state, &slug, Some(&user), CaseAction::SendBack).await?;
        let problem = if note.is_empty() {
            FieldProblem::Missing
        } else if has_control_characters(note) {
            FieldProblem::ControlCharacter
        } else {
            FieldProblem::TooLong { max: MAX_NOTE_CHARS }
        };
        let mut errors = FormErrors::default();
        errors.add("note", ui.t.field_problem(ui.t.cases.field_note, problem));
        let page = super::show::case_page(&state, &ui, &session, Some(&user), record, errors, note).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(transition(&state, &user, &slug, CaseAction::SendBack, Status::Draft, Some(note), CaseDone::SentBack)
        .await?
        .into_response())
}

const MAX_NOTE_CHARS: usize = 2_000;

#[derive(Template)]
#[template(path = "case_delete.html")]
struct DeletePage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    slug: String,
    title: String,
}

pub async fn delete_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let record = case_for(&state, &slug, Some(&user), CaseAction::Delete).await?;
    let page = DeletePage {
        chrome: Chrome::for_ui(&ui, ui.t.cases.delete_title, ""),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        slug: record.slug.clone(),
        title: record.draft.title.clone(),
    };
    Ok(render(page)?.into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    let record = case_for(&state, &slug, Some(&user), CaseAction::Delete).await?;
    state.store.delete_case(record.id, &user).await?;
    Ok(Redirect::to("/cases"))
}
