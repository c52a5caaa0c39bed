//! One-time password-reset links, which an admin issues and passes on.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    auth::password,
    domain::account::AccountDetails,
    error::{AppError, AppResult},
    http::{
        cpu::off_workers,
        extract::{FormData, Ui},
        session,
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::{done::AccountDone, Catalog},
};

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    token: String,
    name: String,
    errors: FormErrors,
}

/// A link is a 64-digit hex secret; anything else cannot be one.
fn checked(token: &str) -> AppResult<&str> {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(token)
    } else {
        Err(AppError::NotFound)
    }
}

async fn page(state: &AppState, ui: &Ui, session: &Session, token: &str, errors: FormErrors) -> AppResult<ResetPage> {
    let (_, name) = state.store.reset_link_user(checked(token)?).await?.ok_or(AppError::LinkExpired)?;
    Ok(ResetPage {
        chrome: Chrome::for_ui(ui, ui.t.accounts.reset_title, ""),
        t: ui.t,
        csrf: session::csrf_token(session).await?,
        token: token.to_string(),
        name,
        errors,
    })
}

pub async fn form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    Ok(render(page(&state, &ui, &session, &token, FormErrors::default()).await?)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    new_password: String,
    new_password_confirm: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(token): Path<String>,
    FormData(form): FormData<ResetForm>,
) -> AppResult<Response> {
    let t = ui.t;
    let mut errors = FormErrors::default();
    let details = AccountDetails {
        password: Some((&form.new_password, &form.new_password_confirm)),
        ..AccountDetails::default()
    };
    super::signin::add_account_errors(t, &mut errors, &details.check(&[]), super::signin::PasswordFields::New);
    if !errors.is_empty() {
        let page = page(&state, &ui, &session, &token, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    let typed = form.new_password;
    let hash = off_workers(move || password::hash(&typed)).await??;
    if !state.store.use_reset_link(checked(&token)?, &hash).await? {
        return Err(AppError::LinkExpired);
    }
    Ok(Redirect::to(&format!("/signin?done={}", AccountDone::Reset)).into_response())
}
