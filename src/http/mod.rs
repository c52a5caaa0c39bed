//! The HTTP layer: every route is listed in [`router`], and the whole middleware stack is
//! built there too. Handlers stay thin: they read the request, call the store and render.

mod accounts;
mod admin;
mod assets;
mod browse;
mod cases;
mod client;
mod commitments;
mod cpu;
mod csrf;
pub(crate) mod discussions;
mod extract;
mod gate;
mod glossary;
mod health;
mod lang;
mod middleware;
mod notifications;
mod openapi;
mod page_cache;
mod search;
pub mod session;
mod site;
mod state;
mod throttle;
mod urls;
mod views;
mod workshops;

use std::sync::Arc;

use axum::{
    http::{header, HeaderName, HeaderValue},
    middleware::{from_fn, from_fn_with_state},
    routing::{get, MethodRouter},
    Router,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use utoipa_axum::router::UtoipaMethodRouter;

pub use self::{page_cache::PageCache, site::Site, state::AppState};
use crate::store::Store;

/// Request bodies larger than this get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Pages load only their own styles and no script; case bodies may show images from the web.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' https: http:; script-src 'self'; \
     style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Every route with a state-changing method goes through this: the forgery check wraps its
/// handlers (not its 405 answer, so an unknown method still gets 405).
pub(crate) fn guarded(state: &AppState, routes: MethodRouter<AppState>) -> MethodRouter<AppState> {
    routes.route_layer(from_fn_with_state(state.clone(), csrf::guard))
}

/// The same for an API route registered through utoipa: writes with a browser session
/// need the form token too.
pub(crate) fn guarded_api(state: &AppState, routes: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, routes) = routes;
    (schemas, paths, guarded(state, routes))
}

/// Pages that read the same for every anonymous visitor: kept whole between changes.
pub(crate) fn kept(state: &AppState, routes: Router<AppState>) -> Router<AppState> {
    routes.route_layer(from_fn_with_state(state.clone(), page_cache::serve))
}

/// The whole site: pages, feed, JSON API, static assets and health checks.
pub fn router(state: AppState) -> Router {
    let (api_routes, openapi) = openapi::routes(&state);
    let openapi = Arc::new(openapi);
    // Each feature registers its own routes; they meet here.
    let pages = Router::new()
        .merge(kept(&state, browse::routes()))
        .merge(search::routes())
        .merge(cases::routes(&state))
        .merge(accounts::routes(&state))
        .merge(admin::routes(&state))
        .merge(site::routes())
        .merge(workshops::routes(&state))
        .merge(commitments::routes(&state))
        .merge(discussions::routes(&state))
        .merge(notifications::routes(&state))
        .merge(glossary::routes(&state))
        .route("/language/{code}", get(lang::switch))
        .route("/api/v1/openapi.json", get(move || openapi::openapi_json(openapi.clone())));
    // Liveness and the stylesheet never wait for the database, session cookie or not: the
    // outage page needs its styles.
    let without_sessions = Router::new()
        .route("/static/{file}", get(assets::serve))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready));
    let stack = Stack::of(&state);
    stack.wrap(
        without_sessions.with_state(state.clone()),
        pages.merge(api_routes).fallback(middleware::not_found).with_state(state),
    )
}

/// The middleware every page goes through, apart from the routes: benchmarks put their
/// baseline routes behind the same stack as the site's pages.
#[derive(Clone)]
pub struct Stack {
    pub store: Store,
    pub public_url: Arc<str>,
    pub request_timeout: std::time::Duration,
}

impl Stack {
    fn of(state: &AppState) -> Stack {
        Stack {
            store: state.store.clone(),
            public_url: state.public_url.clone(),
            request_timeout: state.request_timeout,
        }
    }

    /// `plain` routes skip sessions; `personal` ones learn who is asking.
    pub fn wrap(self, plain: Router, personal: Router) -> Router {
        let request_id = HeaderName::from_static("x-request-id");
        // Cookies are marked Secure when the site is served over https.
        let sessions = session::layer(&self.store, self.public_url.starts_with("https://"));
        // Router::layer adapts each layer's body type; the last layer added is the outermost.
        // Sessions wrap identification, which wraps the forgery check, which wraps the routes.
        let personal = personal.layer(from_fn_with_state(self.store.clone(), session::identify)).layer(sessions);
        plain
            .merge(personal)
            .layer(from_fn_with_state(self.request_timeout, middleware::time_limit))
            .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
            .layer(CompressionLayer::new())
            .layer(SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("Accept-Language, Cookie")))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ))
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
            .layer(from_fn_with_state(self.public_url, lang::remember))
            .layer(PropagateRequestIdLayer::new(request_id.clone()))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(middleware::request_span)
                    .on_response(middleware::log_response),
            )
            .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
    }
}
