//! A person's own account: details and language, password, API tokens, closing it.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::signin::{add_account_errors, with_language, PasswordFields, MAX_FAILURES, WINDOW};
use crate::{
    auth::{password, secret},
    domain::{
        account::{self, AccountDetails, User, MAX_NAME_CHARS},
        discussion::check_handle,
        workshop::{RegistrationState, WorkshopStatus},
        FieldProblem, Lang,
    },
    error::{AppError, AppResult},
    http::{
        cpu::off_workers,
        extract::{FormData, Params, Ui},
        session::{self, SignedInUser},
        views::{option, region_options, render, Chrome, FormErrors, SelectOption},
        AppState,
    },
    i18n::{done::ProfileDone, Catalog},
    store::{
        accounts::{ApiToken, AttemptKind, ProfileChange},
        workshops::WorkshopListing,
    },
};

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    email: String,
    details: DetailsForm,
    region_options: Vec<SelectOption>,
    language_options: Vec<SelectOption>,
    tokens: Vec<ApiToken>,
    /// The person's workshop registrations: (slug, title, start, state).
    registrations: Vec<(String, String, OffsetDateTime, RegistrationState)>,
    /// The workshops they organise, and those of them held without outcomes yet.
    organised: Vec<WorkshopListing>,
    /// A token just created: shown once, never again.
    new_token: Option<String>,
    done: Option<ProfileDone>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailsForm {
    display_name: String,
    /// Absent from older forms and scripts: the handle then stays as it is.
    handle: Option<String>,
    organisation: String,
    region: String,
    language: String,
}

impl DetailsForm {
    fn of(user: &User) -> Self {
        DetailsForm {
            display_name: user.display_name.clone(),
            handle: Some(user.handle.clone()),
            organisation: user.organisation.clone(),
            region: user.region.clone().unwrap_or_default(),
            language: user.language.code().to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ProfileQuery {
    done: Option<String>,
}

/// Everything the profile page shows, around a form that may have been refused.
async fn page(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    user: &User,
    details: DetailsForm,
    errors: FormErrors,
) -> AppResult<ProfilePage> {
    let (regions, tokens, registrations, organised) = tokio::try_join!(
        state.store.regions(),
        state.store.tokens(user),
        state.store.registrations_of(user.id),
        state.store.workshops_organised_by(user.id, OffsetDateTime::now_utc())
    )?;
    let t = ui.t;
    Ok(ProfilePage {
        chrome: Chrome::for_ui(ui, t.accounts.profile_title, ""),
        t,
        csrf: session::csrf_token(session).await?,
        email: user.email.clone(),
        region_options: region_options(&regions, Some(&details.region)),
        language_options: [Lang::Es, Lang::En]
            .iter()
            .map(|l| {
                option(l.code(), crate::i18n::catalog(l.other()).common.other_language_name, Some(&details.language))
            })
            .collect(),
        details,
        tokens,
        registrations,
        organised,
        new_token: None,
        done: None,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Params(query): Params<ProfileQuery>,
) -> AppResult<Response> {
    let mut page = page(&state, &ui, &session, &user, DetailsForm::of(&user), FormErrors::default()).await?;
    page.done = query.done.as_deref().and_then(ProfileDone::parse);
    Ok(render(page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    FormData(form): FormData<DetailsForm>,
) -> AppResult<Response> {
    let t = ui.t;
    let regions = state.store.regions().await?;
    let details = AccountDetails {
        display_name: Some(&form.display_name),
        organisation: Some(&form.organisation),
        region: Some(&form.region),
        ..AccountDetails::default()
    };
    let mut errors = FormErrors::default();
    add_account_errors(t, &mut errors, &details.check(&regions), PasswordFields::New);
    let language = Lang::parse(&form.language);
    if language.is_none() {
        errors.add("language", t.field_problem(t.accounts.field_language, FieldProblem::Unknown));
    }
    let handle = match form.handle.as_deref().map(check_handle) {
        Some(Ok(handle)) => Some(handle),
        Some(Err(problem)) => {
            errors.add("handle", t.field_problem(t.discussions.field_handle, problem));
            None
        }
        None => None,
    };
    match language {
        Some(language) if errors.is_empty() => {
            let change = ProfileChange {
                display_name: form.display_name.trim(),
                organisation: form.organisation.trim(),
                region: Some(form.region.as_str()).filter(|r| !r.is_empty()),
                language,
                handle: handle.as_deref(),
            };
            if !state.store.update_profile(&user, &change).await? {
                errors.add("handle", t.discussions.handle_taken);
                let page = page(&state, &ui, &session, &user, form, errors).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
            }
            Ok(with_language(
                Redirect::to(&format!("/profile?done={}", ProfileDone::Details)).into_response(),
                language.code(),
            ))
        }
        _ => {
            let page = page(&state, &ui, &session, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    FormData(form): FormData<PasswordForm>,
) -> AppResult<Response> {
    let t = ui.t;
    let mut errors = FormErrors::default();
    if !current_password_matches(&state, &user, form.current_password).await? {
        errors.add("current_password", t.field_problem(t.accounts.field_current_password, FieldProblem::Wrong));
    }
    let details = AccountDetails {
        password: Some((&form.new_password, &form.new_password_confirm)),
        ..AccountDetails::default()
    };
    add_account_errors(t, &mut errors, &details.check(&[]), PasswordFields::New);
    if !errors.is_empty() {
        let page = page(&state, &ui, &session, &user, DetailsForm::of(&user), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    let typed = form.new_password;
    let hash = off_workers(move || password::hash(&typed)).await??;
    let user = state.store.change_password(&user, &hash).await?;
    // Other sessions end with the old epoch; this one carries on under a new id.
    session::renew(&session, &user).await?;
    Ok(Redirect::to(&format!("/profile?done={}", ProfileDone::Password)).into_response())
}

async fn current_password_matches(state: &AppState, user: &User, typed: String) -> AppResult<bool> {
    // Guessing from an open session counts against the same limit as signing in.
    let key = secret::digest(&user.email);
    let attempt = state.store.record_attempt(AttemptKind::SignInEmail, &key, WINDOW).await?;
    if state.store.recent_attempts(AttemptKind::SignInEmail, &key, WINDOW).await? > MAX_FAILURES {
        state.store.forget_attempt(attempt).await?;
        return Err(AppError::TooManyAttempts);
    }
    let Some(hash) = state.store.password_hash(user.id).await? else { return Ok(false) };
    let matches = off_workers(move || password::verify(&typed, &hash)).await?;
    if matches {
        state.store.forget_attempt(attempt).await?;
    }
    Ok(matches)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    token_name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    FormData(form): FormData<TokenForm>,
) -> AppResult<Response> {
    let t = ui.t;
    if let Err(p) = account::check_line(&form.token_name, MAX_NAME_CHARS) {
        let mut errors = FormErrors::default();
        errors.add("token_name", t.field_problem(t.accounts.field_token_name, p));
        let page = page(&state, &ui, &session, &user, DetailsForm::of(&user), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    let token = state.store.create_token(&user, form.token_name.trim()).await?;
    // Shown in this answer only: no redirect, so the token is never in a URL or a log.
    let mut page = page(&state, &ui, &session, &user, DetailsForm::of(&user), FormErrors::default()).await?;
    page.new_token = Some(token);
    let mut response = render(page)?.into_response();
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

pub async fn revoke_token(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    state.store.revoke_token(&user, id).await?;
    Ok(Redirect::to(&format!("/profile?done={}#tokens", ProfileDone::TokenRevoked)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    close_password: String,
}

/// Closing asks for the password again: it cannot be undone.
pub async fn close(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    FormData(form): FormData<CloseForm>,
) -> AppResult<Response> {
    if !current_password_matches(&state, &user, form.close_password).await? {
        let t = ui.t;
        let mut errors = FormErrors::default();
        errors.add("close_password", t.field_problem(t.accounts.field_current_password, FieldProblem::Wrong));
        let page = page(&state, &ui, &session, &user, DetailsForm::of(&user), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    state.store.close_account(&user).await?;
    session::sign_out(&session).await?;
    Ok(Redirect::to("/").into_response())
}
