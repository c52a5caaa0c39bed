//! Registering for a workshop and cancelling one's own registration (or place on the
//! waiting list).

use axum::{
    extract::{Path, State},
    response::Redirect,
};
use time::OffsetDateTime;

use crate::{
    domain::{permission::WorkshopAction, workshop::RegistrationState},
    error::AppResult,
    http::{session::SignedInUser, AppState},
    i18n::done::WorkshopDone,
};

use super::{page_after, workshop_for};

pub async fn register(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Register).await?;
    let done = match state.store.register(w.id, &user, OffsetDateTime::now_utc()).await? {
        RegistrationState::Waiting => WorkshopDone::Waiting,
        _ => WorkshopDone::Registered,
    };
    Ok(page_after(&w.slug, done))
}

pub async fn unregister(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Register).await?;
    state.store.cancel_registration(w.id, &w.slug, user.id, None, OffsetDateTime::now_utc()).await?;
    Ok(page_after(&w.slug, WorkshopDone::Unregistered))
}
