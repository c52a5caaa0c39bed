//! Commitments through the JSON API: the list with the filters of `/commitments`, one
//! commitment with its progress notes, and adding a note (which may change its status),
//! allowed to the same people as on its page.

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{visible, ListQuery};
use crate::{
    domain::{
        account::User,
        commitment::{is_overdue, CommitmentStatus},
        filter::Paging,
        lima,
        outcome::check_note,
        permission::{may, CommitmentAction},
        region::RegionRef,
    },
    error::{AppError, AppResult},
    http::{extract::JsonBody, extract::Params, middleware::ErrorBody, session::Viewer, AppState},
    store::{
        commitments::{CommitmentListing, CommitmentRecord},
        workshops::CaseLink,
    },
};

/// The workshop a commitment was made at.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentWorkshop {
    pub slug: String,
    pub title: String,
}

/// A commitment as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentItem {
    pub id: i64,
    /// The commitment's page.
    pub url: String,
    pub workshop: CommitmentWorkshop,
    /// The region that made it.
    pub region: RegionRef,
    pub action: String,
    /// The owner as typed (free text).
    pub owner_name: String,
    /// The name of the owner's account, when the owner has one.
    pub owner_account: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub due_on: Option<String>,
    pub status: CommitmentStatus,
    /// The due date has passed in Lima and it is neither done nor dropped.
    pub overdue: bool,
}

impl CommitmentItem {
    /// `overdue`: on Lima's date of the answer (see `domain::commitment::is_overdue`).
    pub fn new(base: &str, c: CommitmentListing, overdue: bool) -> Self {
        CommitmentItem {
            url: format!("{base}/commitments/{}", c.id),
            id: c.id,
            workshop: CommitmentWorkshop { slug: c.workshop_slug, title: c.workshop_title },
            region: RegionRef { slug: c.region_slug, name: c.region_name },
            action: c.action,
            owner_name: c.owner_name,
            owner_account: c.owner_account,
            due_on: c.due_on.map(|d| d.to_string()),
            status: c.status,
            overdue,
        }
    }
}

/// How many commitments (under the region filter) are in a status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: CommitmentStatus,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentList {
    pub commitments: Vec<CommitmentItem>,
    /// How many commitments match, over all pages.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// The count for each status, of every commitment the region filter covers.
    pub counts: Vec<StatusCount>,
}

/// A dated progress note, in the order written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressNote {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who wrote it; `null` for an account since closed.
    pub author_name: Option<String>,
    pub note: String,
    /// The status before and after, when the note changed it.
    pub status_from: Option<String>,
    pub status_to: Option<String>,
}

/// A commitment with the cases that inspired it and its progress notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentDetail {
    #[serde(flatten)]
    pub commitment: CommitmentItem,
    /// The published cases that inspired it.
    pub cases: Vec<CaseRef>,
    pub notes: Vec<ProgressNote>,
    /// Whether the caller may add a note: the workshop's organisers, the editors of the
    /// region, and the owner when the owner is an account.
    pub may_add_note: bool,
}

/// A published case that a workshop, an agenda item or a commitment links to.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRef {
    pub slug: String,
    pub title: String,
}

pub(crate) fn case_refs(links: Vec<CaseLink>) -> Vec<CaseRef> {
    links.into_iter().map(|c| CaseRef { slug: c.slug, title: c.title }).collect()
}

fn today() -> time::Date {
    lima::today(OffsetDateTime::now_utc())
}

fn detail_of(base: &str, c: CommitmentRecord, user: Option<&User>) -> CommitmentDetail {
    let may_add_note = may(user, CommitmentAction::AddNote, &c.access());
    let overdue = is_overdue(c.listing.status, c.listing.due_on, today());
    CommitmentDetail {
        commitment: CommitmentItem::new(base, c.listing, overdue),
        cases: case_refs(c.cases),
        notes: c
            .notes
            .into_iter()
            .map(|n| ProgressNote {
                at: n.at,
                author_name: n.author_name,
                note: n.note,
                status_from: n.status_from,
                status_to: n.status_to,
            })
            .collect(),
        may_add_note,
    }
}

/// The commitment `id` as `user` sees it; the organisers' writes answer with it.
pub(crate) async fn commitment_detail(state: &AppState, id: i64, user: &User) -> AppResult<CommitmentDetail> {
    let record = visible(state, &id.to_string(), Some(user)).await?;
    Ok(detail_of(&state.public_url, record, Some(user)))
}

/// Public commitments (those whose workshop's outcomes are published), soonest due
/// first, with the filters and counts of the `/commitments` page.
#[utoipa::path(
    get,
    path = "/api/v1/commitments",
    tag = "commitments",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of commitments", body = CommitmentList),
        (status = 400, description = "A filter is not valid; the message names it", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn list(State(state): State<AppState>, Params(query): Params<ListQuery>) -> AppResult<Json<CommitmentList>> {
    let regions = state.store.regions().await?;
    let filter = query.filter(&regions)?;
    let paging = Paging::parse(&query.page, &query.per_page)?.within_reach()?;
    let today = today();
    let (commitments, total, counts) = state.store.list_commitments(&filter, today, paging).await?;
    Ok(Json(CommitmentList {
        commitments: commitments
            .into_iter()
            .map(|c| {
                let overdue = is_overdue(c.status, c.due_on, today);
                CommitmentItem::new(&state.public_url, c, overdue)
            })
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
        counts: counts.into_iter().map(|(status, count)| StatusCount { status, count }).collect(),
    }))
}

/// One commitment with its notes: a public one, or for the workshop's organisers one whose
/// outcomes are not out yet.
#[utoipa::path(
    get,
    path = "/api/v1/commitments/{id}",
    tag = "commitments",
    params(("id" = i64, Path, description = "The commitment's id")),
    responses(
        (status = 200, description = "The commitment", body = CommitmentDetail),
        (status = 404, description = "No commitment that the caller may see has this id", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<CommitmentDetail>> {
    let record = visible(&state, &id, viewer.user()).await?;
    Ok(Json(detail_of(&state.public_url, record, viewer.user())))
}

/// A progress note, and the status it moves the commitment to.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    #[schema(required = true, min_length = 1, max_length = 2000)]
    pub note: String,
    /// `planned`, `in_progress`, `done` or `dropped`; left out: unchanged.
    pub status: Option<String>,
}

/// Adds a dated note; a new status is audited. Organisers, editors of the commitment's
/// region and its owner (when the owner is an account) may; nobody else.
#[utoipa::path(
    post,
    path = "/api/v1/commitments/{id}/notes",
    tag = "commitments",
    params(("id" = i64, Path, description = "The commitment's id")),
    request_body = NoteInput,
    responses(
        (status = 201, description = "Added; the commitment with its notes, whose address `Location` gives", body = CommitmentDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may not add notes to it", body = ErrorBody),
        (status = 404, description = "No commitment that the caller may see has this id", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn add_note(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NoteInput>,
) -> AppResult<Response> {
    let user = viewer.user().ok_or(AppError::SignInRequired)?;
    let c = visible(&state, &id, Some(user)).await?;
    if !may(Some(user), CommitmentAction::AddNote, &c.access()) {
        return Err(AppError::Forbidden);
    }
    let (text, status) =
        check_note(&input.note, input.status.as_deref().unwrap_or_default()).map_err(AppError::InvalidFields)?;
    state.store.add_note(c.listing.id, user, &text, status).await?;
    let body = commitment_detail(&state, c.listing.id, user).await?;
    let location = format!("/api/v1/commitments/{}", c.listing.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}
