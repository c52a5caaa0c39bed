//! Browsing: the home page, regions and themes, and their JSON lists.

mod api;
mod home;
mod regions;
mod themes;

use axum::{routing::get, Router};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/regions", get(regions::list))
        .route("/regions/{slug}", get(regions::show))
        .route("/themes", get(themes::list))
        .route("/themes/{slug}", get(themes::show))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::regions)).routes(routes!(api::themes))
}
