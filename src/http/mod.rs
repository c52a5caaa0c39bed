//! The HTTP layer: every route is listed in [`router`], and the whole middleware stack is
//! built there too. Handlers stay thin: they read the request, call the store and render.

mod api;
mod assets;
mod extract;
mod health;
mod lang;
mod middleware;
mod pages;
mod search;
mod views;

use std::{sync::Arc, time::Duration};

use axum::{
    http::{header, HeaderName, HeaderValue},
    middleware::{from_fn, from_fn_with_state},
    routing::get,
    Router,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::{config::Config, search::Search, store::Store};

/// Request bodies larger than this get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Pages load only their own styles and no script; case bodies may show images from the web.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' https: http:; script-src 'self'; \
     style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// This process's search index.
    pub search: Search,
    /// Base for absolute links (feeds, API `url` fields), without a trailing slash.
    pub public_url: Arc<str>,
    pub request_timeout: Duration,
}

impl AppState {
    pub fn new(store: Store, search: Search, config: &Config) -> Self {
        AppState {
            store,
            search,
            public_url: config.public_base_url().into(),
            request_timeout: config.request_timeout(),
        }
    }
}

/// The whole site: pages, feed, JSON API, static assets and health checks.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let (api_routes, openapi) = api::routes();
    let openapi = Arc::new(openapi);
    let pages = Router::new()
        .route("/", get(pages::home::show))
        .route("/search", get(pages::search::show))
        .route("/cases", get(pages::cases::list))
        .route("/cases/{slug}", get(pages::cases::show))
        .route("/regions", get(pages::regions::list))
        .route("/regions/{slug}", get(pages::regions::show))
        .route("/themes", get(pages::themes::list))
        .route("/themes/{slug}", get(pages::themes::show))
        .route("/feeds/cases.atom", get(pages::feed::cases))
        .route("/language/{code}", get(lang::switch))
        .route("/static/{file}", get(assets::serve))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/api/v1/openapi.json", get(move || api::openapi_json(openapi.clone())));
    // Router::layer adapts each layer's body type; the last layer added is the outermost.
    pages
        .merge(api_routes)
        .fallback(middleware::not_found)
        .layer(from_fn_with_state(state.request_timeout, middleware::time_limit))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("Accept-Language, Cookie")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(CatchPanicLayer::new())
        .layer(from_fn(middleware::render_errors))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
