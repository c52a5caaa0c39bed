//! Administration: accounts and their roles, disabling, reset links, and the audit log.

mod users;

use axum::{
    routing::{get, post},
    Router,
};

use super::{guarded, AppState};

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users::users))
        .route("/admin/users/{id}", get(users::user))
        .route("/admin/users/{id}/role", guarded(state, post(users::set_role)))
        .route("/admin/users/{id}/disable", guarded(state, post(users::disable)))
        .route("/admin/users/{id}/enable", guarded(state, post(users::enable)))
        .route("/admin/users/{id}/reset-link", guarded(state, post(users::reset_link)))
        .route("/admin/audit", get(users::audit))
}
