//! Search: the `/search` page and `/api/v1/search`, which read the same parameters.

mod api;
mod page;
mod params;

use axum::{routing::get, Router};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(page::show))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::search))
}
