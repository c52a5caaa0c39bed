//! Commitments made at workshops: `/commitments` with its filters and counts, one
//! commitment's page with its progress notes, and the form that adds a note. Who may add
//! one is asked of `domain::permission`.

pub(crate) mod api;

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use time::{Date, OffsetDateTime};
use tower_sessions::Session;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    extract::{FormPairs, Params, Ui},
    guarded, guarded_api, kept,
    session::{self, SignedInUser},
    urls::without_empty_params,
    views::{option, region_options, render, Chrome, FormErrors, Pager, SelectOption},
    AppState,
};
use crate::{
    domain::{
        account::User,
        commitment::CommitmentStatus,
        filter::{Paging, DEFAULT_PER_PAGE},
        lima,
        outcome::check_note,
        permission::{may, CommitmentAction, WorkshopAccess, WorkshopAction},
        region::Region,
        workshop::WorkshopStatus,
        ParamProblem,
    },
    error::{AppError, AppResult},
    i18n::{done::WorkshopDone, fill, Catalog},
    store::commitments::{CommitmentFilter, CommitmentListing, CommitmentRecord, Due},
};

pub fn routes(state: &AppState) -> Router<AppState> {
    // What anonymous visitors read is kept whole between changes (and days: overdue is by
    // Lima's date, which kept pages are stamped with).
    let read = Router::new().route("/commitments", get(list)).route("/commitments/{id}", get(show));
    kept(state, read).route("/commitments/{id}/notes", guarded(state, post(add_note)))
}

/// The JSON API for commitments: the list, one with its notes, and adding a note.
pub fn api(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::show))
        .routes(guarded_api(state, routes!(api::add_note)))
}

#[derive(Template)]
#[template(path = "commitments.html")]
struct CommitmentsPage {
    chrome: Chrome,
    t: &'static Catalog,
    commitments: Vec<CommitmentListing>,
    total: i64,
    counts: Vec<(CommitmentStatus, i64)>,
    today: Date,
    region_options: Vec<SelectOption>,
    status_options: Vec<SelectOption>,
    due_options: Vec<SelectOption>,
    pager: Pager,
}

/// The filters of `/commitments` and of its twin in the JSON API, as typed.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A region slug: its commitments and those of the places inside it.
    pub region: Option<String>,
    /// `planned`, `in_progress`, `done` or `dropped`.
    pub status: Option<String>,
    /// `overdue` (past due in Lima and still open), `soon` (open and due within 30 days)
    /// or `done`.
    pub due: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Results per page, 1 to 100 (JSON API only; the page shows 20).
    pub per_page: Option<String>,
}

impl ListQuery {
    /// The region, status and due filters, checked: a bad one is a 400 naming it.
    pub fn filter(&self, regions: &[Region]) -> AppResult<CommitmentFilter> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let region = nonempty(&self.region);
        if region.as_ref().is_some_and(|r| !regions.iter().any(|known| &known.slug == r)) {
            return Err(AppError::bad_param("region", ParamProblem::UnknownValue));
        }
        let status = match nonempty(&self.status) {
            None => None,
            Some(text) => {
                Some(CommitmentStatus::parse(&text).ok_or(AppError::bad_param("status", ParamProblem::UnknownValue))?)
            }
        };
        let due = match nonempty(&self.due) {
            None => None,
            Some(text) => Some(Due::parse(&text).ok_or(AppError::bad_param("due", ParamProblem::UnknownValue))?),
        };
        Ok(CommitmentFilter { region, status, due })
    }
}

pub async fn list(State(state): State<AppState>, ui: Ui, Params(query): Params<ListQuery>) -> AppResult<Response> {
    if let Some(clean) = without_empty_params(&ui.here) {
        return Ok(Redirect::to(&clean).into_response());
    }
    let regions = state.store.regions().await?;
    let filter = query.filter(&regions)?;
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let page = match nonempty(&query.page) {
        None => 1,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(AppError::bad_param("page", ParamProblem::OutOfRange { min: 1, max: i64::from(u32::MAX) }))
            }
        },
    };
    let paging = Paging { page, per_page: DEFAULT_PER_PAGE }.within_reach()?;
    let today = lima::today(OffsetDateTime::now_utc());
    let (commitments, total, counts) = state.store.list_commitments(&filter, today, paging).await?;
    let (region, status, due) = (filter.region, filter.status, filter.due);
    let t = ui.t;
    let mut pairs = Vec::new();
    pairs.extend(region.clone().map(|r| ("region", r)));
    pairs.extend(status.map(|s| ("status", s.as_str().to_string())));
    pairs.extend(due.map(|d| ("due", d.as_str().to_string())));
    let chosen_status = status.map(CommitmentStatus::as_str);
    let chosen_due = due.map(Due::as_str);
    let page = CommitmentsPage {
        chrome: Chrome::for_ui(&ui, t.workshops.commitments_title, "commitments")
            .about(t.workshops.commitments_intro, "website"),
        t,
        pager: Pager::filtered(t, "/commitments", pairs, paging, total),
        commitments,
        total,
        counts,
        today,
        region_options: region_options(&regions, region.as_deref()),
        status_options: CommitmentStatus::ALL
            .iter()
            .map(|s| option(s.as_str(), t.commitment_status(s), chosen_status))
            .collect(),
        due_options: [
            (Due::Overdue, t.workshops.due_overdue),
            (Due::Soon, t.workshops.due_soon),
            (Due::Done, t.workshops.due_done),
        ]
        .iter()
        .map(|(d, label)| option(d.as_str(), label, chosen_due))
        .collect(),
    };
    Ok(render(page)?.into_response())
}

#[derive(Template)]
#[template(path = "commitment.html")]
struct CommitmentPage {
    chrome: Chrome,
    t: &'static Catalog,
    c: CommitmentRecord,
    today: Date,
    may_note: bool,
    csrf: String,
    errors: FormErrors,
    note: String,
    status_options: Vec<SelectOption>,
    done: bool,
}

/// The commitment `id` if `user` may see it: public ones for everyone, others (whose
/// outcomes are not out) for the workshop's organisers.
async fn visible(state: &AppState, id: &str, user: Option<&User>) -> AppResult<CommitmentRecord> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let record = state.store.commitment(id).await?.ok_or(AppError::NotFound)?;
    let organisers = WorkshopAccess { status: WorkshopStatus::Draft, organisers: record.organisers.clone() };
    if !record.public && !may(user, WorkshopAction::Organise, &organisers) {
        return Err(AppError::NotFound);
    }
    Ok(record)
}

async fn page(
    ui: &Ui,
    session: &Session,
    c: CommitmentRecord,
    errors: FormErrors,
    note: String,
    done: bool,
) -> AppResult<Response> {
    let t = ui.t;
    let user = ui.viewer.user();
    let may_note = may(user, CommitmentAction::AddNote, &c.access());
    let csrf = if may_note { session::csrf_token(session).await? } else { String::new() };
    let status = errors.status();
    let title = fill(t.workshops.commitment_title, &[("region", &c.listing.region_name)]);
    let page = CommitmentPage {
        chrome: Chrome::for_ui(ui, title, "commitments").about(&c.listing.action, "website"),
        t,
        today: lima::today(OffsetDateTime::now_utc()),
        may_note,
        csrf,
        errors,
        note,
        status_options: CommitmentStatus::ALL
            .iter()
            .map(|s| option(s.as_str(), t.commitment_status(s), None))
            .collect(),
        done,
        c,
    };
    Ok((status, render(page)?).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(id): Path<String>,
    Params(query): Params<PageQuery>,
) -> AppResult<Response> {
    let c = visible(&state, &id, ui.viewer.user()).await?;
    let done = query.done.as_deref() == Some(WorkshopDone::Note.as_str());
    page(&ui, &session, c, FormErrors::default(), String::new(), done).await
}

/// Organisers, editors of the commitment's region and its owner add notes; nobody else.
pub async fn add_note(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let c = visible(&state, &id, Some(&user)).await?;
    if !may(Some(&user), CommitmentAction::AddNote, &c.access()) {
        return Err(AppError::Forbidden);
    }
    let note = form.one("note");
    match check_note(&note, &form.one("status")) {
        Ok((text, status)) => {
            state.store.add_note(c.listing.id, &user, &text, status).await?;
            Ok(Redirect::to(&format!("/commitments/{}?done={}#progress", c.listing.id, WorkshopDone::Note))
                .into_response())
        }
        Err(problems) => {
            let t = ui.t;
            let mut errors = FormErrors::default();
            for e in problems {
                let label = if e.field == "note" { t.workshops.field_note } else { t.workshops.field_new_status };
                errors.add(e.field, t.field_problem(label, e.problem));
            }
            page(&ui, &session, c, errors, note, false).await
        }
    }
}
