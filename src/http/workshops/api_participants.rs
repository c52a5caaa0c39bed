//! The organisers' view of who is coming, through the JSON API: the list (with emails, as
//! the CSV export has them, so only organisers and admins read it), attendance, cancelling
//! someone's place, and the co-organisers. The same checks, permissions and audit entries
//! as the participants page, through the same functions.

use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{add_co_organiser, mark_attendance, number, started_workshop, workshop_for};
use crate::{
    domain::{permission::WorkshopAction, workshop::RegistrationState, FieldError},
    error::{AppError, AppResult},
    http::{extract::JsonBody, middleware::ErrorBody, session::Viewer, AppState},
    store::workshops::{Participant, WorkshopRecord},
};

/// Someone registered or waiting.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantEntry {
    /// Their account: what attendance and `DELETE …/participants/{id}` take.
    pub id: i64,
    /// Empty once the account is closed.
    pub name: String,
    /// `null` once the account is closed.
    pub email: Option<String>,
    pub organisation: String,
    /// The region their profile names (it grants nothing).
    pub region: Option<String>,
    /// `registered` or `waiting`.
    pub state: RegistrationState,
    /// The place on the waiting list (1 is next), while waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub place: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub registered_at: OffsetDateTime,
    /// Whether an organiser marked them as present; `null` until attendance is marked.
    pub attended: Option<bool>,
}

/// An organiser of the workshop.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganiserEntry {
    /// Their account: what `DELETE …/organisers/{id}` takes.
    pub id: i64,
    pub name: String,
}

/// Who organises the workshop.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganiserList {
    pub organisers: Vec<OrganiserEntry>,
}

/// The participants page as data: who holds a place and who waits, each in arrival order,
/// and the organisers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantList {
    pub registered: Vec<ParticipantEntry>,
    pub waiting: Vec<ParticipantEntry>,
    pub organisers: Vec<OrganiserEntry>,
}

/// Who attended, once the workshop has started: every other registered person is marked
/// absent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// Account ids of registered people (not those waiting) who came.
    pub attended: Vec<i64>,
}

/// A co-organiser to add, by the email of their account.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OrganiserInput {
    #[schema(required = true)]
    pub email: String,
}

fn organisers(w: &WorkshopRecord) -> Vec<OrganiserEntry> {
    w.organisers.iter().map(|p| OrganiserEntry { id: p.id, name: p.name.clone() }).collect()
}

/// The list of `w`, sent so that no cache keeps it: it holds people's emails.
async fn participant_list(state: &AppState, w: &WorkshopRecord) -> AppResult<Response> {
    let (mut registered, mut waiting) = (Vec::new(), Vec::new());
    for p in state.store.participants(w.id).await? {
        let Participant { user_id, name, email, organisation, region_name, state, registered_at, attended } = p;
        let waits = state == RegistrationState::Waiting;
        // The store lists the waiting in arrival order: their place is their position.
        let place = waits.then_some(waiting.len() as i64 + 1);
        let entry = ParticipantEntry {
            id: user_id,
            name,
            email,
            organisation,
            region: region_name,
            state,
            place,
            registered_at,
            attended,
        };
        if waits {
            waiting.push(entry)
        } else {
            registered.push(entry)
        }
    }
    let list = ParticipantList { registered, waiting, organisers: organisers(w) };
    let mut response = Json(list).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Who is registered and who waits, with their emails and attendance, and the organisers.
/// For the workshop's organisers and admins alone.
#[utoipa::path(
    get,
    path = "/api/v1/workshops/{slug}/participants",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    responses(
        (status = 200, description = "The list (`Cache-Control: no-store`)", body = ParticipantList),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list(State(state): State<AppState>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    participant_list(&state, &w).await
}

/// Marks who attended, once the workshop has started.
#[utoipa::path(
    put,
    path = "/api/v1/workshops/{slug}/attendance",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = AttendanceInput,
    responses(
        (status = 200, description = "Marked; the list as it now stands (`Cache-Control: no-store`)", body = ParticipantList),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or it has not started yet", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "`attended` names someone who holds no place; nothing was marked", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn attendance(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<AttendanceInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let w = started_workshop(&state, &slug, user).await?;
    mark_attendance(&state, &w, &input.attended, user).await?;
    participant_list(&state, &w).await
}

/// Cancels someone's registration or place on the waiting list (audited); a freed place
/// goes to the first person waiting at once.
#[utoipa::path(
    delete,
    path = "/api/v1/workshops/{slug}/participants/{id}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("id" = i64, Path, description = "The participant's account id"),
    ),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No such workshop, or this account is neither registered nor waiting", body = ErrorBody),
        (status = 409, description = "The workshop has started", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    let account = number(&id)?;
    let now = OffsetDateTime::now_utc();
    if !state.store.cancel_registration(w.id, &w.slug, account, Some(user), now).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a co-organiser by the email of their account; adding one again changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/organisers",
    tag = "workshops",
    params(("slug" = String, Path, description = "The workshop's slug")),
    request_body = OrganiserInput,
    responses(
        (status = 200, description = "Added; the organisers as they now stand", body = OrganiserList),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the workshop but does not organise it", body = ErrorBody),
        (status = 404, description = "No workshop that the caller may see has this slug", body = ErrorBody),
        (status = 422, description = "The email is missing, or no active account has it", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn add_organiser(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<OrganiserInput>,
) -> AppResult<Json<OrganiserList>> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    add_co_organiser(&state, &w, &input.email, user)
        .await?
        .map_err(|problem| AppError::InvalidFields(vec![FieldError { field: "email", problem }]))?;
    let w = workshop_for(&state, &w.slug, Some(user), WorkshopAction::View).await?;
    Ok(Json(OrganiserList { organisers: organisers(&w) }))
}

/// Removes an organiser; the last one stays, since a workshop always has one.
#[utoipa::path(
    delete,
    path = "/api/v1/workshops/{slug}/organisers/{id}",
    tag = "workshops",
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("id" = i64, Path, description = "The organiser's account id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller does not organise it, or this is its last organiser", body = ErrorBody),
        (status = 404, description = "No such workshop, or this account does not organise it", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn remove_organiser(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let w = workshop_for(&state, &slug, Some(user), WorkshopAction::Organise).await?;
    state.store.remove_organiser(w.id, &w.slug, number(&id)?, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
