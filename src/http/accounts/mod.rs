//! Accounts: signing up, in and out, a person's profile and tokens, and reset links.

mod profile;
mod reset;
mod signin;

use axum::{
    routing::{get, post},
    Router,
};

use super::{guarded, AppState};

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/signin", guarded(state, get(signin::signin_form).post(signin::signin)))
        .route("/signup", guarded(state, get(signin::signup_form).post(signin::signup)))
        .route("/signout", guarded(state, post(signin::signout)))
        .route("/profile", guarded(state, get(profile::show).post(profile::update)))
        .route("/profile/password", guarded(state, post(profile::change_password)))
        .route("/profile/tokens", guarded(state, post(profile::create_token)))
        .route("/profile/tokens/{id}/revoke", guarded(state, post(profile::revoke_token)))
        .route("/profile/close", guarded(state, post(profile::close)))
        .route("/reset/{token}", guarded(state, get(reset::form).post(reset::reset)))
}
