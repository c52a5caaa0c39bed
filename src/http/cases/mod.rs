//! Cases: the library, one case's page, writing and reviewing, history, the feed, and the
//! JSON API for cases. Who may do what to a case is asked through `http::gate`.

mod api;
mod api_write;
mod authoring;
mod feed;
mod history;
mod list;
mod review;
mod show;
mod workflow;

use axum::{
    routing::{get, post},
    Router,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{guarded, guarded_api, kept, AppState};

pub fn routes(state: &AppState) -> Router<AppState> {
    // What anonymous visitors read is kept whole between changes.
    let read = Router::new()
        .route("/cases", get(list::list))
        .route("/cases/{slug}", get(show::show))
        .route("/feeds/cases.atom", get(feed::cases));
    kept(state, read)
        .route("/cases/new", guarded(state, get(authoring::new_form).post(authoring::create)))
        .route("/cases/{slug}/edit", guarded(state, get(authoring::edit_form).post(authoring::update)))
        .route("/cases/{slug}/history", get(history::show))
        .route("/cases/{slug}/history/{number}/restore", guarded(state, post(history::restore)))
        .route("/cases/{slug}/submit", guarded(state, post(workflow::submit)))
        .route("/cases/{slug}/withdraw", guarded(state, post(workflow::withdraw)))
        .route("/cases/{slug}/publish", guarded(state, post(workflow::publish)))
        .route("/cases/{slug}/unpublish", guarded(state, post(workflow::unpublish)))
        .route("/cases/{slug}/send-back", guarded(state, post(workflow::send_back)))
        .route("/cases/{slug}/delete", guarded(state, get(workflow::delete_form).post(workflow::delete)))
        .route("/review", get(review::queue))
        .route("/profile/cases", get(review::mine))
}

pub fn api(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(guarded_api(state, routes!(api_write::create)))
        .routes(routes!(api::show))
        .routes(guarded_api(state, routes!(api_write::update)))
}
