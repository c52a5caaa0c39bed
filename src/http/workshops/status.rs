//! Publishing a draft and cancelling a published workshop (with the reason its page and
//! calendars will show).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use crate::{
    domain::{permission::WorkshopAction, workshop::check_cancel_reason},
    error::AppResult,
    http::{
        extract::{FormPairs, Ui},
        session::{self, SignedInUser},
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::{done::WorkshopDone, Catalog},
};

use super::{page_after, workshop_for};

pub async fn publish(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    state.store.publish_workshop(w.id, &user).await?;
    Ok(page_after(&w.slug, WorkshopDone::Published))
}

#[derive(Template)]
#[template(path = "workshop_cancel.html")]
struct CancelPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    errors: FormErrors,
    slug: String,
    title: String,
    reason: String,
}

pub async fn cancel_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let page = CancelPage {
        chrome: Chrome::for_ui(&ui, ui.t.workshops.cancel_title, "workshops"),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        errors: FormErrors::default(),
        slug: w.slug,
        title: w.draft.title,
        reason: String::new(),
    };
    Ok(render(page)?.into_response())
}

/// The reason is required: people who registered need to know why.
pub async fn cancel(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let typed = form.one("reason");
    match check_cancel_reason(&typed) {
        Ok(reason) => {
            state.store.cancel_workshop(w.id, reason, &user).await?;
            Ok(page_after(&w.slug, WorkshopDone::Cancelled).into_response())
        }
        Err(problem) => {
            let t = ui.t;
            let mut errors = FormErrors::default();
            errors.add("reason", t.field_problem(t.workshops.field_cancel_reason, problem));
            let page = CancelPage {
                chrome: Chrome::for_ui(&ui, t.workshops.cancel_title, "workshops"),
                t,
                csrf: session::csrf_token(&session).await?,
                errors,
                slug: w.slug,
                title: w.draft.title,
                reason: typed.trim().to_string(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
    }
}
