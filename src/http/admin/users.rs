//! The admin pages: accounts and their roles, disabling, reset links, and the audit log.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{header, HeaderValue},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    domain::{
        account::{Role, User},
        filter::Paging,
        permission::{may, Accounts, AccountsAction},
        ParamProblem,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormPairs, Params, Ui},
        session::{self, SignedInUser},
        views::{option, region_options, render, Chrome, Pager, SelectOption},
        AppState,
    },
    i18n::{done::AdminDone, Catalog},
    store::{
        accounts::{AccountListing, RoleChange},
        audit::AuditEntry,
    },
};

fn admin_only(user: &User) -> AppResult<()> {
    if may(Some(user), AccountsAction::Administer, &Accounts) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    t: &'static Catalog,
    q: String,
    accounts: Vec<AccountListing>,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    q: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    ui: Ui,
    SignedInUser(user): SignedInUser,
    Params(query): Params<UsersQuery>,
) -> AppResult<Html<String>> {
    admin_only(&user)?;
    let q = query.q.unwrap_or_default().trim().chars().take(100).collect::<String>();
    let accounts = state.store.accounts(&q).await?;
    render(UsersPage { chrome: Chrome::for_ui(&ui, ui.t.admin.admin_users_title, "admin"), t: ui.t, q, accounts })
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    account: AccountListing,
    role_options: Vec<SelectOption>,
    region_options: Vec<SelectOption>,
    /// A reset link just issued, shown once.
    reset_link: Option<String>,
    done: Option<AdminDone>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

fn account_id(text: &str) -> AppResult<i64> {
    text.parse::<i64>().map_err(|_| AppError::NotFound)
}

async fn user_page(state: &AppState, ui: &Ui, session: &Session, id: i64) -> AppResult<UserPage> {
    let account = state.store.account(id).await?.ok_or(AppError::NotFound)?;
    let regions = state.store.regions().await?;
    let t = ui.t;
    let mut region_options = region_options(&regions, None);
    for o in &mut region_options {
        o.selected = account.editor_regions.contains(&o.value);
    }
    Ok(UserPage {
        chrome: Chrome::for_ui(ui, account.display_name.clone(), "admin"),
        t,
        csrf: session::csrf_token(session).await?,
        role_options: Role::ALL.iter().map(|r| option(r.as_str(), t.role(r), Some(account.role.as_str()))).collect(),
        region_options,
        account,
        reset_link: None,
        done: None,
    })
}

pub async fn user(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    Params(query): Params<DoneQuery>,
) -> AppResult<Html<String>> {
    admin_only(&user)?;
    let mut page = user_page(&state, &ui, &session, account_id(&id)?).await?;
    page.done = query.done.as_deref().and_then(AdminDone::parse);
    render(page)
}

/// Sets the role (and, for editors, the regions they review).
pub async fn set_role(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    form: FormPairs,
) -> AppResult<Redirect> {
    admin_only(&user)?;
    let id = account_id(&id)?;
    let role = Role::parse(&form.one("role")).ok_or(AppError::BadRequest)?;
    let known = state.store.regions().await?;
    let regions = form.all("regions");
    if regions.iter().any(|r| !known.iter().any(|k| &k.slug == r)) {
        return Err(AppError::BadRequest);
    }
    let change = RoleChange { role, edits_all_regions: form.one("all_regions") == "yes", regions: &regions };
    state.store.change_role(&user, id, &change).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done={}", AdminDone::Role)))
}

pub async fn disable(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    admin_only(&user)?;
    let id = account_id(&id)?;
    if id == user.id {
        // An admin who locks themselves out may leave nobody to undo it.
        return Err(AppError::Forbidden);
    }
    state.store.set_disabled(&user, id, true).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done={}", AdminDone::Disabled)))
}

pub async fn enable(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    admin_only(&user)?;
    let id = account_id(&id)?;
    state.store.set_disabled(&user, id, false).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?done={}", AdminDone::Enabled)))
}

/// Issues a one-time reset link and shows it once, for the admin to pass on.
pub async fn reset_link(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    admin_only(&user)?;
    let id = account_id(&id)?;
    let token = state.store.issue_reset(&user, id).await?;
    let mut page = user_page(&state, &ui, &session, id).await?;
    page.reset_link = Some(format!("{}/reset/{token}", state.public_url));
    let mut response = render(page)?.into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    t: &'static Catalog,
    entries: Vec<AuditEntry>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

const AUDIT_PER_PAGE: u32 = 50;

pub async fn audit(
    State(state): State<AppState>,
    ui: Ui,
    SignedInUser(user): SignedInUser,
    Params(query): Params<PageQuery>,
) -> AppResult<Html<String>> {
    admin_only(&user)?;
    let page = match query.page {
        None => 1,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| AppError::bad_param("page", ParamProblem::OutOfRange { min: 1, max: 100_000 }))?,
    };
    let paging = Paging { page, per_page: AUDIT_PER_PAGE };
    let (entries, total) = state.store.audit_log(i64::from(AUDIT_PER_PAGE), paging.offset()).await?;
    render(AuditPage {
        chrome: Chrome::for_ui(&ui, ui.t.admin.audit_title, "admin"),
        t: ui.t,
        entries,
        pager: Pager::new(ui.t, "/admin/audit", Vec::new(), paging, total),
    })
}
