//! Signing up, in and out.

use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::Duration;
use tower_sessions::Session;

use crate::{
    auth::{password, secret},
    domain::{
        account::{self, AccountDetails, Role},
        region::Region,
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    http::{
        client::ClientAddr,
        cpu::off_workers,
        extract::{FormData, Params, Ui},
        lang,
        session::{self, SignedInUser},
        urls::{link, safe_next},
        views::{region_options, render, Chrome, FormErrors, SelectOption},
        AppState,
    },
    i18n::{done::AccountDone, Catalog},
    store::accounts::{AttemptKind, NewUser},
};

/// Failed sign-ins allowed per email and per address within [`WINDOW`].
pub const MAX_FAILURES: i64 = 10;
pub const WINDOW: Duration = Duration::minutes(15);
/// Complete sign-ups one address may send per hour.
const MAX_SIGNUPS_PER_HOUR: i64 = 5;

#[derive(Deserialize, Default)]
pub struct NextParam {
    next: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    errors: FormErrors,
    email: String,
    next: String,
    /// Set after a password reset, to say it worked.
    reset_done: bool,
}

impl SignInPage {
    /// The sign-up link keeps where the person was going.
    fn signup_url(&self) -> String {
        if self.next == "/" {
            "/signup".to_string()
        } else {
            link("/signup", &[("next", self.next.clone())])
        }
    }
}

pub async fn signin_form(ui: Ui, session: Session, Params(params): Params<NextParam>) -> AppResult<Response> {
    if ui.viewer.user.is_some() {
        return Ok(Redirect::to(&safe_next(params.next.as_deref())).into_response());
    }
    let page = SignInPage {
        chrome: Chrome::for_ui(&ui, ui.t.accounts.signin_title, ""),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        errors: FormErrors::default(),
        email: String::new(),
        next: safe_next(params.next.as_deref()),
        reset_done: params.done.as_deref().and_then(AccountDone::parse) == Some(AccountDone::Reset),
    };
    Ok(render(page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
}

pub async fn signin(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    ClientAddr(address): ClientAddr,
    FormData(form): FormData<SignInForm>,
) -> AppResult<Response> {
    let email = account::normalise_email(&form.email);
    // Counted per typed address, stored as a digest: any length, never the text itself.
    let email_key = secret::digest(&email);
    let t = ui.t;
    let refuse = |status: StatusCode, message: &str, csrf: String| -> AppResult<Response> {
        let mut errors = FormErrors::default();
        errors.add("email", message);
        let page = SignInPage {
            chrome: Chrome::for_ui(&ui, t.accounts.signin_title, ""),
            t,
            csrf,
            errors,
            email: form.email.clone(),
            next: safe_next(Some(&form.next)),
            reset_done: false,
        };
        Ok((status, render(page)?).into_response())
    };
    let csrf = session::csrf_token(&session).await?;
    // Counted as failures before the password is checked, so that parallel guesses all
    // count; un-counted when refused by the limit or when the password is right.
    let (email_attempt, address_attempt) = tokio::try_join!(
        state.store.record_attempt(AttemptKind::SignInEmail, &email_key, WINDOW),
        state.store.record_attempt(AttemptKind::SignInAddress, &address, WINDOW),
    )?;
    let (by_email, by_address) = tokio::try_join!(
        state.store.recent_attempts(AttemptKind::SignInEmail, &email_key, WINDOW),
        state.store.recent_attempts(AttemptKind::SignInAddress, &address, WINDOW),
    )?;
    if by_email > MAX_FAILURES || by_address > MAX_FAILURES {
        tokio::try_join!(state.store.forget_attempt(email_attempt), state.store.forget_attempt(address_attempt))?;
        return refuse(StatusCode::TOO_MANY_REQUESTS, t.accounts.signin_too_many, csrf);
    }
    // An address that cannot be one has no account: no lookup, the same decoy work.
    let credentials = if account::check_email(&email).is_ok() { state.store.credentials(&email).await? } else { None };
    let typed = form.password.clone();
    // The same work whether or not the address has an account: one argon2 verification.
    let matched = match credentials {
        Some(c) => {
            let ok = off_workers(move || password::verify(&typed, &c.password_hash)).await?;
            ok.then_some((c.id, c.disabled))
        }
        None => {
            off_workers(move || password::verify_decoy(&typed)).await?;
            None
        }
    };
    let user = match matched {
        Some((id, false)) => state.store.active_user(id).await?,
        _ => None,
    };
    let Some(user) = user else {
        return refuse(StatusCode::UNAUTHORIZED, t.accounts.signin_failed, csrf);
    };
    state.store.forget_attempt(address_attempt).await?;
    state.store.clear_attempts(AttemptKind::SignInEmail, &email_key).await?;
    session::sign_in(&session, &user).await?;
    Ok(with_language(Redirect::to(&safe_next(Some(&form.next))).into_response(), user.language.code()))
}

/// Remembers the account's interface language in the language cookie.
pub fn with_language(mut response: Response, code: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(&lang::cookie(code)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn signout(session: Session, _user: SignedInUser) -> AppResult<Redirect> {
    session::sign_out(&session).await?;
    Ok(Redirect::to("/"))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    errors: FormErrors,
    form: SignUpForm,
    region_options: Vec<SelectOption>,
    /// The privacy notice's first line, naming the operator as the controller.
    privacy_who: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    email: String,
    display_name: String,
    organisation: String,
    region: String,
    password: String,
    password_confirm: String,
    consent: String,
    next: String,
}

pub async fn signup_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Params(params): Params<NextParam>,
) -> AppResult<Response> {
    if ui.viewer.user.is_some() {
        return Ok(Redirect::to("/profile").into_response());
    }
    let regions = state.store.regions().await?;
    let form = SignUpForm { next: safe_next(params.next.as_deref()), ..SignUpForm::default() };
    let page = SignUpPage {
        chrome: Chrome::for_ui(&ui, ui.t.accounts.signup_title, ""),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        errors: FormErrors::default(),
        region_options: region_options(&regions, None),
        privacy_who: ui.t.common.privacy_who.replace("{operator}", &state.site.operator_or(ui.t)),
        form,
    };
    Ok(render(page)?.into_response())
}

pub async fn signup(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    ClientAddr(address): ClientAddr,
    FormData(mut form): FormData<SignUpForm>,
) -> AppResult<Response> {
    let t = ui.t;
    let regions = state.store.regions().await?;
    let email = account::normalise_email(&form.email);
    let mut errors = check_signup(t, &form, &email, &regions);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        // Every complete sign-up counts, an address already taken included: that answer
        // tells whether an address has an account, so asking it is limited too.
        let attempt = state.store.record_attempt(AttemptKind::SignUpAddress, &address, Duration::HOUR).await?;
        let recent = state.store.recent_attempts(AttemptKind::SignUpAddress, &address, Duration::HOUR).await?;
        if recent > MAX_SIGNUPS_PER_HOUR {
            state.store.forget_attempt(attempt).await?;
            errors.add("email", t.accounts.signup_too_many);
            status = StatusCode::TOO_MANY_REQUESTS;
        }
    }
    if errors.is_empty() {
        let typed = form.password.clone();
        let hash = off_workers(move || password::hash(&typed)).await??;
        let new = NewUser {
            email: &email,
            display_name: form.display_name.trim(),
            organisation: form.organisation.trim(),
            region: Some(form.region.as_str()).filter(|r| !r.is_empty()),
            password_hash: &hash,
            role: Role::Member,
            language: ui.lang,
        };
        match state.store.create_account(&new, true).await? {
            Some(id) => {
                let user = state.store.active_user(id).await?.ok_or(AppError::NotFound)?;
                session::sign_in(&session, &user).await?;
                let next = safe_next(Some(&form.next));
                let sep = if next.contains('?') { '&' } else { '?' };
                return Ok(Redirect::to(&format!("{next}{sep}done={}", AccountDone::Welcome)).into_response());
            }
            None => errors.add("email", t.field_problem(t.accounts.field_email, FieldProblem::Taken)),
        }
    }
    form.password.clear();
    form.password_confirm.clear();
    let page = SignUpPage {
        chrome: Chrome::for_ui(&ui, t.accounts.signup_title, ""),
        t,
        csrf: session::csrf_token(&session).await?,
        errors,
        region_options: region_options(&regions, Some(&form.region)),
        privacy_who: t.common.privacy_who.replace("{operator}", &state.site.operator_or(t)),
        form,
    };
    Ok((status, render(page)?).into_response())
}

fn check_signup(t: &Catalog, form: &SignUpForm, email: &str, regions: &[Region]) -> FormErrors {
    let details = AccountDetails {
        email: Some(email),
        display_name: Some(&form.display_name),
        organisation: Some(&form.organisation),
        region: Some(&form.region),
        password: Some((&form.password, &form.password_confirm)),
    };
    let mut errors = FormErrors::default();
    add_account_errors(t, &mut errors, &details.check(regions), PasswordFields::Chosen);
    if form.consent != "yes" {
        errors.add("consent", t.accounts.signup_consent_missing);
    }
    errors
}

/// Which form the account details came from: its password fields have their own names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PasswordFields {
    /// Sign-up: `password`, `password_confirm`.
    Chosen,
    /// Changing or resetting it: `new_password`, `new_password_confirm`.
    New,
}

/// Puts the problems of [`AccountDetails::check`] on a form, each beside its field.
pub fn add_account_errors(t: &Catalog, form: &mut FormErrors, found: &[FieldError], passwords: PasswordFields) {
    for error in found {
        let (id, label) = match (error.field, passwords) {
            ("email", _) => ("email", t.accounts.field_email),
            ("display_name", _) => ("display_name", t.accounts.field_display_name),
            ("organisation", _) => ("organisation", t.accounts.field_organisation),
            ("region", _) => ("region", t.common.field_region),
            ("password", PasswordFields::Chosen) => ("password", t.accounts.field_password),
            ("password", PasswordFields::New) => ("new_password", t.accounts.field_new_password),
            ("password_confirm", PasswordFields::Chosen) => ("password_confirm", t.accounts.field_password_confirm),
            (_, PasswordFields::New) => ("new_password_confirm", t.accounts.field_password_confirm),
            (_, PasswordFields::Chosen) => ("password_confirm", t.accounts.field_password_confirm),
        };
        form.add(id, t.field_problem(label, error.problem));
    }
}
