//! Reading workshops through the JSON API, and registering for one: the list, one
//! workshop with its agenda, outcomes and commitments, and the caller's own place. The
//! online link is in the answer only for callers (by token) who hold a place or organise.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{list::ListQuery, number, parts, workshop_for, Parts};
use crate::{
    domain::{
        account::User,
        case::Source,
        commitment::is_overdue,
        filter::Paging,
        lima,
        permission::WorkshopAction,
        region::RegionRef,
        workshop::{overlapping, phase, registration_open, Format, Phase, RegistrationState},
    },
    error::{AppError, AppResult},
    http::{
        commitments::api::{case_refs, CaseRef, CommitmentItem},
        extract::Params,
        middleware::ErrorBody,
        session::Viewer,
        AppState,
    },
    store::workshops::{AgendaItem, MyRegistration, Outcomes, WorkshopListing, WorkshopRecord},
};

/// Where a workshop stands: `draft` (its organisers alone see it), `published`,
/// `cancelled`, or `past` (published and over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkshopState {
    Draft,
    Published,
    Cancelled,
    Past,
}

impl From<Phase> for WorkshopState {
    fn from(phase: Phase) -> Self {
        match phase {
            Phase::Draft => WorkshopState::Draft,
            Phase::Upcoming => WorkshopState::Published,
            Phase::Cancelled => WorkshopState::Cancelled,
            Phase::Past => WorkshopState::Past,
        }
    }
}

/// A workshop as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopItem {
    pub slug: String,
    /// The workshop's page.
    pub url: String,
    pub title: String,
    pub summary: String,
    pub state: WorkshopState,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// Only the dates are known: whole days in Lima, from `starts_at` to `ends_at`.
    pub all_day: bool,
    pub format: Format,
    pub city: String,
    /// True for an example invented for peer learning: it does not describe real events.
    pub illustrative: bool,
}

impl WorkshopItem {
    fn of_listing(base: &str, w: WorkshopListing, now: OffsetDateTime) -> Self {
        WorkshopItem {
            url: format!("{base}/workshops/{}", w.slug),
            state: phase(w.status, w.ends_at, now).into(),
            slug: w.slug,
            title: w.title,
            summary: w.summary,
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            all_day: w.all_day,
            format: w.format,
            city: w.city,
            illustrative: w.illustrative,
        }
    }

    fn of_record(base: &str, w: &WorkshopRecord, now: OffsetDateTime) -> Self {
        let d = &w.draft;
        WorkshopItem {
            slug: w.slug.clone(),
            url: format!("{base}/workshops/{}", w.slug),
            title: d.title.clone(),
            summary: d.summary.clone(),
            state: phase(w.status, d.ends_at, now).into(),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            all_day: d.all_day,
            format: d.format,
            city: d.city.clone(),
            illustrative: d.illustrative,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopList {
    pub workshops: Vec<WorkshopItem>,
    /// How many workshops match, over all pages.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One item of the agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i32,
    pub title: String,
    /// Speakers named as free text.
    pub speakers: String,
    /// Speakers with an account, by name.
    pub speaker_accounts: Vec<String>,
    pub description: String,
    /// The published cases it links.
    pub cases: Vec<CaseRef>,
    /// It starts before the item before it ends: a warning, since parallel sessions happen.
    pub overlaps: bool,
}

/// The agenda in order, each item marked when it overlaps the one before.
pub(crate) fn agenda_entries(items: Vec<AgendaItem>) -> Vec<AgendaEntry> {
    let spans: Vec<_> = items.iter().map(|i| (i.starts_at, i.duration_minutes)).collect();
    let overlaps = overlapping(&spans);
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| AgendaEntry {
            id: item.id,
            starts_at: item.starts_at,
            duration_minutes: item.duration_minutes,
            title: item.title,
            speakers: item.speakers,
            speaker_accounts: item.speaker_accounts.into_iter().map(|p| p.name).collect(),
            description: item.description,
            cases: case_refs(item.case_links),
            overlaps: overlaps.contains(&i),
        })
        .collect()
}

/// What the workshop concluded and agreed, once its organisers publish it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopOutcomes {
    pub conclusions_markdown: String,
    /// Sanitized HTML.
    pub conclusions_html: String,
    /// How many people attended.
    pub attendance: Option<i32>,
    /// The organisations present.
    pub organisations: Vec<String>,
    /// Links to presentations and other materials.
    pub materials: Vec<Source>,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Outcomes> for WorkshopOutcomes {
    fn from(o: Outcomes) -> Self {
        WorkshopOutcomes {
            conclusions_markdown: o.conclusions_markdown,
            conclusions_html: o.conclusions_html,
            attendance: o.attendance,
            organisations: o.organisations,
            materials: o.materials,
            published_at: o.published_at,
            updated_at: o.updated_at,
        }
    }
}

/// The caller's own place.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyPlace {
    /// `registered` or `waiting`.
    pub state: RegistrationState,
    /// The place on the waiting list (1 is next), while waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub place: Option<i64>,
    /// A place came free for the caller since they last looked.
    pub promoted: bool,
    /// Whether an organiser marked them as present, once the workshop is held.
    pub attended: Option<bool>,
}

impl From<MyRegistration> for MyPlace {
    fn from(m: MyRegistration) -> Self {
        MyPlace { state: m.state, place: m.place, promoted: m.promoted, attended: m.attended }
    }
}

/// A whole workshop: its details, agenda, registration figures, outcomes and commitments.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopDetail {
    #[serde(flatten)]
    pub workshop: WorkshopItem,
    pub description_markdown: String,
    /// Sanitized HTML.
    pub description_html: String,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    pub venue: String,
    /// Only for a caller who holds a place (not one waiting) or organises it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    /// The participating regions.
    pub regions: Vec<RegionRef>,
    /// How many regions took part, when their names are unknown.
    pub region_count: Option<i32>,
    /// Places in all; `null`: no limit.
    pub capacity: Option<i32>,
    pub registered: i64,
    pub waiting: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub registration_deadline: Option<OffsetDateTime>,
    /// Whether registration is open now (until the deadline or the start).
    pub registration_open: bool,
    /// The organisers, by name.
    pub organisers: Vec<String>,
    /// The published cases it links.
    pub cases: Vec<CaseRef>,
    pub agenda: Vec<AgendaEntry>,
    /// `null` until its organisers publish them.
    pub outcomes: Option<WorkshopOutcomes>,
    /// The commitments each region made, public with the outcomes (organisers see them
    /// before).
    pub commitments: Vec<CommitmentItem>,
    /// The caller's own registration, when they have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_registration: Option<MyPlace>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The JSON form of `w` as `user` may see it, read in a fixed number of statements.
pub(crate) async fn detail(state: &AppState, w: WorkshopRecord, user: Option<&User>) -> AppResult<WorkshopDetail> {
    let now = OffsetDateTime::now_utc();
    let Parts { agenda, outcomes, commitments, mine, link, .. } = parts(state, &w, user, false).await?;
    let today = lima::today(now);
    let d = &w.draft;
    Ok(WorkshopDetail {
        workshop: WorkshopItem::of_record(&state.public_url, &w, now),
        description_markdown: d.description_markdown.clone(),
        online_url: link,
        venue: d.venue.clone(),
        regions: w
            .region_names
            .iter()
            .map(|(slug, name)| RegionRef { slug: slug.clone(), name: name.clone() })
            .collect(),
        region_count: d.region_count,
        capacity: d.capacity,
        registered: w.registered,
        waiting: w.waiting,
        registration_deadline: d.registration_deadline,
        registration_open: registration_open(w.status, d.starts_at, d.registration_deadline, now),
        organisers: w.organisers.iter().map(|p| p.name.clone()).collect(),
        agenda: agenda_entries(agenda),
        outcomes: outcomes.map(WorkshopOutcomes::from),
        commitments: commitments
            .into_iter()
            .map(|c| {
                let overdue = is_overdue(c.status, c.due_on, today);
                CommitmentItem::new(&state.public_url, c, overdue)
            })
            .collect(),
        my_registration: mine.map(MyPlace::from),
        description_html: w.description_html.clone(),
        cancel_reason: w.cancel_reason.clone(),
        created_at: w.created_at,
        updated_at: w.updated_at,
        cases: case_refs(w.case_links),
    })
}

/// Workshops in the order of the `/workshops` page (those to come, soonest first, then
/// those held, latest first), with its filters: the published and cancelled ones, and with
/// an API token also the drafts its owner organises.
#[utoipa::path(
    get,
    path = "/api/v1/workshops",
    tag = "workshops",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of workshops", body = WorkshopList),
        (status = 400, description = "A filter is not valid; the message names it", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(query): Params<ListQuery>,
) -> AppResult<Json<WorkshopList>> {
    let regions = state.store.regions().await?;
    let filter = query.filter(&regions)?;
    let paging = Paging::parse(&query.page, &query.per_page)?.within_reach()?;
    let now = OffsetDateTime::now_utc();
    let (workshops, total) = state.store.workshop_page(&filter, viewer.user(), now, paging).await?;
    Ok(Json(WorkshopList {
        workshops: workshops.into_iter().map(|w| WorkshopItem::of_listing(&state.public_url, w, now)).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One workshop: a published or cancelled one, or a draft its caller organises.
#[utoipa::path(
    get,
    path = "/api/v1/workshops/{slug}",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    responses(
        (status = 200, description = "The workshop", body = WorkshopDetail),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Json<WorkshopDetail>> {
    let w = workshop_for(&state, &slug, viewer.user(), WorkshopAction::View).await?;
    Ok(Json(detail(&state, w, viewer.user()).await?))
}

/// One item of a workshop's agenda: where `POST …/agenda` says the new item is.
#[utoipa::path(
    get,
    path = "/api/v1/workshops/{slug}/agenda/{item}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("item" = i64, Path, description = "The item's id"),
    ),
    responses(
        (status = 200, description = "The item", body = AgendaEntry),
        (status = 404, description = "No workshop that the caller may see has this slug, or no such item in its agenda", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn agenda_item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, item)): Path<(String, String)>,
) -> AppResult<Json<AgendaEntry>> {
    let w = workshop_for(&state, &slug, viewer.user(), WorkshopAction::View).await?;
    Ok(Json(agenda_entry(&state, w.id, number(&item)?).await?))
}

/// Item `id` of a workshop's agenda.
pub(super) async fn agenda_entry(state: &AppState, workshop: i64, id: i64) -> AppResult<AgendaEntry> {
    let entries = agenda_entries(state.store.agenda(workshop).await?);
    entries.into_iter().find(|e| e.id == id).ok_or(AppError::NotFound)
}

/// Registers the caller, or puts them on the waiting list when the workshop is full.
/// Registering again changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/registration",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    responses(
        (status = 200, description = "Registered, or waiting with a place on the list", body = MyPlace),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The workshop is not open to registration (a draft)", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 409, description = "Registration has closed (the deadline or the start has passed, or it was cancelled)", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn register(State(state): State<AppState>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Register).await?;
    state.store.register(w.id, user, OffsetDateTime::now_utc()).await?;
    let mine = state.store.my_registration(w.id, user.id, false).await?.ok_or(AppError::NotFound)?;
    Ok(Json(MyPlace::from(mine)).into_response())
}

/// Cancels the caller's registration or place on the waiting list; a freed place goes to
/// the first person waiting at once. Cancelling without a registration changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/workshops/{slug}/registration",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The workshop is not open to registration (a draft)", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 409, description = "The workshop has started", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn unregister(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Register).await?;
    state.store.cancel_registration(w.id, &w.slug, user.id, None, OffsetDateTime::now_utc()).await?;
    Ok(StatusCode::NO_CONTENT)
}
