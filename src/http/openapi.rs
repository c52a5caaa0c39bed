//! The JSON API under `/api/v1`: its OpenAPI document, and the API routes of every feature
//! merged. Routes are registered through utoipa, so the document is built from the same
//! handlers that serve the requests and cannot drift.

use std::sync::Arc;

use axum::{
    http::header,
    response::{IntoResponse, Response},
    Router,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use super::{middleware::ErrorBody, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ayni API",
        version = "1",
        description = "Published cases and success stories on public integrity and public finance from Peru's regions; \
                       the workshops where regions learn from each other (agendas, registration with a waiting list, \
                       outcomes) and the commitments each region made there, with their progress notes; \
                       the bilingual glossary that search uses to expand queries (also as SKOS Turtle at `/glossary.ttl`). \
                       Times are RFC 3339 instants; dates and times sent to create or change a workshop are typed on Lima's clock, as on its forms. \
                       Errors are `{\"error\": {\"code\", \"message\"}}` with the HTTP status."
    ),
    components(schemas(ErrorBody)),
    modifiers(&ApiToken)
)]
struct ApiDoc;

/// Writes need a personal API token (created on the profile page): `Authorization: Bearer …`.
struct ApiToken;

impl utoipa::Modify for ApiToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A personal API token from your profile page, sent as `Authorization: Bearer ayni_…`. \
             Calls with a token see and change what its owner may; calls without one see published cases and workshops only (never a workshop's online link)."
                .to_string(),
        );
        components.add_security_scheme("api_token", SecurityScheme::Http(scheme));
    }
}

/// The API's routes, and the OpenAPI document that describes them, serialized once.
pub fn routes(state: &AppState) -> (Router<AppState>, String) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(super::cases::api(state))
        .merge(super::browse::api())
        .merge(super::search::api())
        .merge(super::workshops::api(state))
        .merge(super::commitments::api(state))
        .merge(super::discussions::api(state))
        .merge(super::notifications::api(state))
        .merge(super::glossary::api())
        .split_for_parts();
    let json = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    (router, json)
}

pub async fn openapi_json(doc: Arc<String>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_string()).into_response()
}
