//! The organisers' writes through the JSON API: a workshop's details, publishing and
//! cancelling, the agenda, the outcomes and the commitments. The same checks, permissions
//! and audit entries as the forms, through the same functions. Dates and times are typed
//! as on the forms, on Lima's clock; answers give instants in RFC 3339.

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    api::{agenda_entry, detail, AgendaEntry, WorkshopDetail, WorkshopOutcomes},
    create_workshop, number, save_workshop, started_workshop, workshop_for,
};
use crate::{
    domain::{
        account::User,
        case::Source,
        draft::format_sources,
        outcome::{RawCommitment, RawOutcomes},
        permission::{may, WorkshopAction, Workshops, WorkshopsAction},
        workshop::{check_cancel_reason, RawAgendaItem, RawWorkshop, WorkshopDraft},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    http::{
        commitments::api::{commitment_detail, CommitmentDetail},
        extract::JsonBody,
        middleware::ErrorBody,
        session::Viewer,
        AppState,
    },
};

/// A workshop's details, as on its form. `PUT` replaces them all.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WorkshopInput {
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub summary: String,
    /// Markdown, at most 50,000 characters.
    #[schema(max_length = 50000)]
    pub description: String,
    /// `YYYY-MM-DD`, in Lima.
    #[schema(required = true, example = "2030-07-14")]
    pub start_date: String,
    /// `HH:MM` on Lima's clock; with `end_time`, or both left out for whole days.
    #[schema(example = "09:00")]
    pub start_time: String,
    /// `YYYY-MM-DD`; left out: the start's day.
    pub end_date: String,
    /// `HH:MM` on Lima's clock.
    #[schema(example = "13:00")]
    pub end_time: String,
    /// `in_person`, `online` or `hybrid`.
    #[schema(required = true, example = "in_person")]
    pub format: String,
    pub venue: String,
    /// Required in person and hybrid.
    pub city: String,
    /// Required online and hybrid. Shown only to people who hold a place, and organisers.
    pub online_url: String,
    /// Required, `null` for no limit: a client that leaves it out must not lift the limit
    /// by mistake (everyone waiting would get a place). Never below the number already
    /// registered; raising it gives places to people waiting.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<i64>, required = true, minimum = 1, maximum = 100000)]
    pub capacity: Option<Option<i64>>,
    /// `YYYY-MM-DD` in Lima; registration closes at its end, or at `deadline_time`.
    pub deadline_date: String,
    /// `HH:MM` on Lima's clock.
    pub deadline_time: String,
    /// Region slugs.
    pub regions: Vec<String>,
    /// How many regions take part, when their names are unknown.
    #[schema(minimum = 0, maximum = 1000)]
    pub region_count: Option<i64>,
    /// Slugs of published cases.
    pub cases: Vec<String>,
}

/// A field that is given, even as `null`: `Some(None)`; left out, it stays `None`.
fn present<'de, D: serde::Deserializer<'de>>(field: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(field).map(Some)
}

impl WorkshopInput {
    /// The form's text fields, which the domain checks; the capacity must be given.
    async fn check(&self, state: &AppState, kept_cases: &[String]) -> AppResult<WorkshopDraft> {
        if self.capacity.is_none() {
            return Err(refused(vec![FieldError { field: "capacity", problem: FieldProblem::Missing }]));
        }
        state.store.check_workshop(&self.raw(), kept_cases).await?.map_err(refused)
    }

    fn raw(&self) -> RawWorkshop {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        RawWorkshop {
            title: self.title.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            start_date: self.start_date.clone(),
            start_time: self.start_time.clone(),
            end_date: self.end_date.clone(),
            end_time: self.end_time.clone(),
            format: self.format.clone(),
            venue: self.venue.clone(),
            city: self.city.clone(),
            online_url: self.online_url.clone(),
            capacity: number(self.capacity.flatten()),
            deadline_date: self.deadline_date.clone(),
            deadline_time: self.deadline_time.clone(),
            regions: self.regions.clone(),
            region_count: number(self.region_count),
            cases: self.cases.join("\n"),
        }
    }
}

/// Why a workshop is cancelled: its page and calendars show it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CancelInput {
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// An agenda item. It must fit within the workshop's hours; overlapping another is
/// allowed (and marked in the answer).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AgendaInput {
    /// `YYYY-MM-DD` in Lima; left out: the workshop's first day.
    pub day: String,
    /// `HH:MM` on Lima's clock.
    #[schema(required = true, example = "10:00")]
    pub time: String,
    #[schema(required = true, minimum = 1, maximum = 1440)]
    pub duration: Option<i64>,
    #[schema(required = true, min_length = 1, max_length = 300)]
    pub title: String,
    /// Speakers as free text.
    #[schema(max_length = 300)]
    pub speakers: String,
    /// Emails of speakers with an account.
    pub speaker_emails: Vec<String>,
    #[schema(max_length = 5000)]
    pub description: String,
    /// Slugs of published cases.
    pub cases: Vec<String>,
}

impl AgendaInput {
    fn raw(&self) -> RawAgendaItem {
        RawAgendaItem {
            day: self.day.clone(),
            time: self.time.clone(),
            duration: self.duration.map(|d| d.to_string()).unwrap_or_default(),
            title: self.title.clone(),
            speakers: self.speakers.clone(),
            speaker_emails: self.speaker_emails.join("\n"),
            description: self.description.clone(),
            cases: self.cases.join("\n"),
        }
    }
}

/// A workshop's outcomes; `PUT` publishes them or replaces them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomesInput {
    /// Conclusions and agreements in Markdown.
    #[schema(required = true, min_length = 1, max_length = 50000)]
    pub conclusions: String,
    #[schema(minimum = 0, maximum = 100000)]
    pub attendance: Option<i64>,
    /// At most 100.
    #[schema(max_items = 100)]
    pub organisations: Vec<String>,
    /// At most 30.
    #[schema(max_items = 30)]
    pub materials: Vec<Source>,
}

impl OutcomesInput {
    fn raw(&self) -> RawOutcomes {
        RawOutcomes {
            conclusions: self.conclusions.clone(),
            attendance: self.attendance.map(|n| n.to_string()).unwrap_or_default(),
            organisations: self.organisations.join("\n"),
            materials: format_sources(&self.materials),
        }
    }
}

/// A commitment a region made. `PUT` replaces it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CommitmentInput {
    /// A region slug.
    #[schema(required = true)]
    pub region: String,
    #[schema(required = true, min_length = 1, max_length = 2000)]
    pub action: String,
    /// The owner as free text.
    #[schema(max_length = 300)]
    pub owner_name: String,
    /// The owner's account, by email: that person may then add progress notes.
    pub owner_email: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// `planned` (when left out), `in_progress`, `done` or `dropped`.
    pub status: String,
    /// Slugs of published cases that inspired it.
    pub cases: Vec<String>,
}

impl CommitmentInput {
    fn raw(&self) -> RawCommitment {
        RawCommitment {
            region: self.region.clone(),
            action: self.action.clone(),
            owner_name: self.owner_name.clone(),
            owner_email: self.owner_email.clone(),
            due_on: self.due_on.clone(),
            status: self.status.clone(),
            cases: self.cases.join("\n"),
        }
    }
}

fn refused(errors: Vec<FieldError>) -> AppError {
    AppError::InvalidFields(errors)
}

/// The workshop as a write left it, for the answer: read again, since the write may have
/// changed its state, counts or organisers.
async fn as_saved(state: &AppState, slug: &str, user: &User) -> AppResult<WorkshopDetail> {
    let w = workshop_for(state, slug, Some(user), WorkshopAction::View).await?;
    detail(state, w, Some(user)).await
}

fn created(location: String, body: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// Creates a draft workshop organised by the caller (a facilitator or an admin).
#[utoipa::path(
    post,
    path = "/api/v1/workshops",
    tag = "workshops",
    request_body = WorkshopInput,
    responses(
        (status = 201, description = "Created as a draft; `Location` gives its address", body = WorkshopDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "Only facilitators and admins create workshops", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
        (status = 503, description = "Every core is rendering; try again in a few seconds (`Retry-After`)", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    JsonBody(input): JsonBody<WorkshopInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    if !may(Some(user), WorkshopsAction::Create, &Workshops) {
        return Err(AppError::Forbidden);
    }
    let draft = input.check(&state, &[]).await?;
    let slug = create_workshop(&state, user, &draft).await?;
    Ok(created(format!("/api/v1/workshops/{slug}"), as_saved(&state, &slug, user).await?))
}

/// Saves new details over the workshop's.
#[utoipa::path(
    put,
    path = "/api/v1/workshops/{slug}",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = WorkshopInput,
    responses(
        (status = 200, description = "Saved", body = WorkshopDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "Fields are not valid (a capacity below those registered, too); `error.fields` lists them", body = ErrorBody),
        (status = 503, description = "Every core is rendering; try again in a few seconds (`Retry-After`)", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<WorkshopInput>,
) -> AppResult<Json<WorkshopDetail>> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    let draft = input.check(&state, &w.draft.cases).await?;
    save_workshop(&state, &w, draft, user).await?;
    Ok(Json(as_saved(&state, &w.slug, user).await?))
}

/// Publishes a draft.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/publish",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    responses(
        (status = 200, description = "Published", body = WorkshopDetail),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it is not a draft", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Json<WorkshopDetail>> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    state.store.publish_workshop(w.id, user).await?;
    Ok(Json(as_saved(&state, &w.slug, user).await?))
}

/// Cancels a published workshop; its page and calendars keep it, with the reason.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/cancel",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = CancelInput,
    responses(
        (status = 200, description = "Cancelled", body = WorkshopDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it is not published", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "The reason is missing or too long; `error.fields` says so", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<CancelInput>,
) -> AppResult<Json<WorkshopDetail>> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    let reason =
        check_cancel_reason(&input.reason).map_err(|problem| refused(vec![FieldError { field: "reason", problem }]))?;
    state.store.cancel_workshop(w.id, reason, user).await?;
    Ok(Json(as_saved(&state, &w.slug, user).await?))
}

/// Adds an agenda item.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/agenda",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = AgendaInput,
    responses(
        (status = 201, description = "Added; `Location` gives the item's address", body = AgendaEntry),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "Fields are not valid (an item outside the workshop's hours, too); `error.fields` lists them", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn agenda_create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<AgendaInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    let raw = input.raw();
    let draft = state.store.check_agenda_item(&raw, w.draft.starts_at, w.draft.ends_at, &[]).await?.map_err(refused)?;
    let id = state.store.add_agenda_item(w.id, &w.slug, &draft, user).await?;
    let entry = agenda_entry(&state, w.id, id).await?;
    Ok(created(format!("/api/v1/workshops/{}/agenda/{id}", w.slug), entry))
}

/// Replaces an agenda item.
#[utoipa::path(
    put,
    path = "/api/v1/workshops/{slug}/agenda/{item}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("item" = i64, Path, description = "The item's id"),
    ),
    request_body = AgendaInput,
    responses(
        (status = 200, description = "Saved", body = AgendaEntry),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No such workshop, or no such item in its agenda", body = ErrorBody),
        (status = 422, description = "Fields are not valid (an item outside the workshop's hours, too); `error.fields` lists them", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn agenda_update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, item)): Path<(String, String)>,
    JsonBody(input): JsonBody<AgendaInput>,
) -> AppResult<Json<AgendaEntry>> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    let item = number(&item)?;
    // Cases it already links stay linkable after being unpublished, as on the form.
    let agenda = state.store.agenda(w.id).await?;
    let kept = agenda.iter().find(|i| i.id == item).ok_or(AppError::NotFound)?.case_slugs.clone();
    let raw = input.raw();
    let draft =
        state.store.check_agenda_item(&raw, w.draft.starts_at, w.draft.ends_at, &kept).await?.map_err(refused)?;
    state.store.update_agenda_item(w.id, &w.slug, item, &draft, user).await?;
    Ok(Json(agenda_entry(&state, w.id, item).await?))
}

/// Removes an agenda item.
#[utoipa::path(
    delete,
    path = "/api/v1/workshops/{slug}/agenda/{item}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("item" = i64, Path, description = "The item's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No such workshop, or no such item in its agenda", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn agenda_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, item)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    state.store.delete_agenda_item(w.id, &w.slug, number(&item)?, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes the outcomes of a workshop that has started, or replaces them.
#[utoipa::path(
    put,
    path = "/api/v1/workshops/{slug}/outcomes",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = OutcomesInput,
    responses(
        (status = 200, description = "Published", body = WorkshopOutcomes),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it has not started yet", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
        (status = 503, description = "Every core is rendering; try again in a few seconds (`Retry-After`)", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn outcomes_update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<OutcomesInput>,
) -> AppResult<Json<WorkshopOutcomes>> {
    let user = viewer.signed_in()?;
    let w = started_workshop(&state, &slug, user).await?;
    let draft = input.raw().validate().map_err(refused)?;
    let html = state.renderer.render(draft.conclusions_markdown.clone()).await?;
    state.store.save_outcomes(w.id, &w.slug, &draft, &html, Some(user)).await?;
    let outcomes = state.store.outcomes(w.id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(outcomes.into()))
}

/// Adds a commitment to the outcomes of a workshop that has started.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/commitments",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = CommitmentInput,
    responses(
        (status = 201, description = "Added; `Location` gives its address", body = CommitmentDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it has not started yet", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn commitment_create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<CommitmentInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let w = started_workshop(&state, &slug, user).await?;
    let draft = state.store.check_commitment(&input.raw(), &[]).await?.map_err(refused)?;
    let id = state.store.add_commitment(w.id, &w.slug, &draft, Some(user)).await?;
    Ok(created(format!("/api/v1/commitments/{id}"), commitment_detail(&state, id, user).await?))
}

/// Replaces a commitment of the workshop's; a new status is audited.
#[utoipa::path(
    put,
    path = "/api/v1/workshops/{slug}/commitments/{id}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("id" = i64, Path, description = "The commitment's id"),
    ),
    request_body = CommitmentInput,
    responses(
        (status = 200, description = "Saved", body = CommitmentDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it has not started yet", body = ErrorBody),
        (status = 404, description = "No such workshop, or no such commitment of its", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn commitment_update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
    JsonBody(input): JsonBody<CommitmentInput>,
) -> AppResult<Json<CommitmentDetail>> {
    let user = viewer.signed_in()?;
    let w = started_workshop(&state, &slug, user).await?;
    let id = number(&id)?;
    let record = state.store.commitment(id).await?.filter(|c| c.workshop_id == w.id).ok_or(AppError::NotFound)?;
    let draft = state.store.check_commitment(&input.raw(), &record.case_slugs).await?.map_err(refused)?;
    state.store.update_commitment(w.id, id, &draft, user).await?;
    Ok(Json(commitment_detail(&state, id, user).await?))
}

/// Removes a commitment of the workshop's, with its notes.
#[utoipa::path(
    delete,
    path = "/api/v1/workshops/{slug}/commitments/{id}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("id" = i64, Path, description = "The commitment's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it has not started yet", body = ErrorBody),
        (status = 404, description = "No such workshop, or no such commitment of its", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn commitment_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let w = started_workshop(&state, &slug, user).await?;
    state.store.delete_commitment(w.id, &w.slug, number(&id)?, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
