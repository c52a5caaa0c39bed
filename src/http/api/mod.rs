//! The JSON API under `/api/v1`. Routes are registered through utoipa, so the OpenAPI
//! document is built from the same handlers that serve the requests and cannot drift.

mod cases;
mod regions;
mod search;
mod themes;

use std::sync::Arc;

use axum::{
    http::header,
    response::{IntoResponse, Response},
    Router,
};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{middleware::ErrorBody, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ayni API",
        version = "1",
        description = "Published cases and success stories on public integrity and public finance from Peru's regions. \
                       Errors are `{\"error\": {\"code\", \"message\"}}` with the HTTP status."
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// The API's routes, and the OpenAPI document that describes them, serialized once.
pub fn routes() -> (Router<AppState>, String) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cases::list))
        .routes(routes!(cases::show))
        .routes(routes!(regions::list))
        .routes(routes!(search::search))
        .routes(routes!(themes::list))
        .split_for_parts();
    let json = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    (router, json)
}

pub async fn openapi_json(doc: Arc<String>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_string()).into_response()
}
