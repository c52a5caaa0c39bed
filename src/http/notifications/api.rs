//! Notifications and follows through the JSON API: the caller's notifications (read one
//! or all), and what they follow. Texts come in the caller's language, as on the page.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::target;
use crate::{
    domain::discussion::FollowKind,
    error::{AppError, AppResult},
    http::{
        extract::{BeforeParam, Params, Ui},
        middleware::ErrorBody,
        session::Viewer,
        AppState,
    },
};

/// Something that happened to what the caller follows, or to them.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationEntry {
    pub id: i64,
    /// What happened, e.g. `comment.posted`, `case.published`, `workshop.changed`.
    pub kind: String,
    /// Why the caller hears of it, e.g. `thread`, `reply`, `mention`, `region`.
    pub reason: String,
    /// In words, in the caller's language.
    pub text: String,
    /// The start of the comment's text, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// What it is about (a comment's permalink, a case's page…).
    pub url: String,
    pub read: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first, at most 50 (`NOTIFICATIONS_PER_PAGE`); ask for older ones with `before` (the last `id`).
    pub notifications: Vec<NotificationEntry>,
    /// Unread notifications, up to 100.
    pub unread: i64,
}

/// The caller's notifications, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    params(BeforeParam),
    responses(
        (status = 200, description = "The caller's notifications", body = NotificationList),
        (status = 400, description = "`before` is not a number", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ui: Ui,
    viewer: Viewer,
    Params(query): Params<BeforeParam>,
) -> AppResult<Json<NotificationList>> {
    let user = viewer.signed_in()?;
    let before = query.before()?;
    let (listed, unread) =
        tokio::try_join!(state.store.notifications(user.id, before), state.store.unread_count(user.id))?;
    let notifications = listed
        .iter()
        .map(|n| NotificationEntry {
            id: n.id,
            kind: n.kind.to_string(),
            reason: n.reason.to_string(),
            text: ui.t.notification_text(n),
            excerpt: n.excerpt.clone().filter(|e| !e.is_empty()),
            url: format!("{}{}", state.public_url, target(n)),
            read: n.read,
            created_at: n.created_at,
        })
        .collect();
    Ok(Json(NotificationList { notifications, unread }))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/read",
    tag = "notifications",
    params(("id" = i64, Path, description = "The notification's id")),
    responses(
        (status = 204, description = "Read"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 404, description = "The caller has no notification with this id", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn read(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !state.store.mark_read(user.id, Some(id)).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Marks all the caller's notifications read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/read",
    tag = "notifications",
    responses(
        (status = 204, description = "All read"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn read_all(State(state): State<AppState>, viewer: Viewer) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    state.store.mark_read(user.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Something the caller follows.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowEntry {
    pub kind: FollowKind,
    /// What the follow is made with: the id of a case, workshop or thread, or a region's or
    /// theme's slug.
    pub key: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What the caller follows, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/follows",
    tag = "notifications",
    responses(
        (status = 200, description = "What the caller follows", body = Vec<FollowEntry>),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn follows(State(state): State<AppState>, viewer: Viewer) -> AppResult<Json<Vec<FollowEntry>>> {
    let user = viewer.signed_in()?;
    let followed = state.store.followed(user.id).await?;
    Ok(Json(
        followed
            .into_iter()
            .map(|f| FollowEntry { kind: f.kind, key: f.key, title: f.title, created_at: f.created_at })
            .collect(),
    ))
}

async fn set_follow(state: &AppState, viewer: &Viewer, kind: &str, key: &str, on: bool) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let kind = FollowKind::parse(kind).ok_or(AppError::NotFound)?;
    let id = state.store.followable(kind, key, user.id).await?.ok_or(AppError::NotFound)?;
    state.store.follow(user.id, kind, id, on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follows a case, a free-standing thread, a workshop, a region or a theme. Following
/// again changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/follows/{kind}/{key}",
    tag = "notifications",
    params(
        ("kind" = FollowKind, Path, description = "What is followed"),
        ("key" = String, Path, description = "The id of a case, workshop or thread; a region's or theme's slug"),
    ),
    responses(
        (status = 204, description = "Followed"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 404, description = "Nothing the caller may follow is named so", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn follow(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    set_follow(&state, &viewer, &kind, &key, true).await
}

/// Stops following it.
#[utoipa::path(
    delete,
    path = "/api/v1/follows/{kind}/{key}",
    tag = "notifications",
    params(
        ("kind" = FollowKind, Path, description = "What is followed"),
        ("key" = String, Path, description = "The id of a case, workshop or thread; a region's or theme's slug"),
    ),
    responses(
        (status = 204, description = "No longer followed"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 404, description = "Nothing the caller may follow is named so", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn unfollow(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((kind, key)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    set_follow(&state, &viewer, &kind, &key, false).await
}
