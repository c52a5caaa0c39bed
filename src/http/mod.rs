//! The HTTP layer: every route is listed in [`router`], and the whole middleware stack is
//! built there too. Handlers stay thin: they read the request, call the store and render.

mod api;
mod assets;
mod client;
mod cpu;
mod csrf;
mod extract;
mod health;
mod lang;
mod middleware;
mod pages;
mod search;
pub mod session;
mod throttle;
mod views;

use std::{net::IpAddr, sync::Arc, time::Duration};

use axum::{
    http::{header, HeaderName, HeaderValue},
    middleware::{from_fn, from_fn_with_state},
    routing::{get, post, MethodRouter},
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

pub use self::pages::site::Site;
use crate::{config::Config, markdown::Renderer, search::Search, store::Store};

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
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[IpAddr]>,
    /// Markdown rendering, a core at a time.
    pub renderer: Renderer,
    pub previews: Arc<throttle::PreviewLimit>,
    /// Who runs this installation, and the pages that say so.
    pub site: Arc<pages::site::Site>,
}

impl AppState {
    pub fn new(store: Store, search: Search, config: &Config) -> Self {
        AppState {
            store,
            search,
            public_url: config.public_base_url().into(),
            request_timeout: config.request_timeout(),
            trusted_proxies: config.trusted_proxies.clone().into(),
            renderer: Renderer::default(),
            previews: Arc::default(),
            site: Arc::new(pages::site::Site::new(config.operator.clone(), config.contact_email.clone())),
        }
    }

    /// Cookies are marked Secure when the site is served over https.
    fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Every route with a state-changing method goes through this: the forgery check wraps its
/// handlers (not its 405 answer, so an unknown method still gets 405).
pub(crate) fn guarded(state: &AppState, routes: MethodRouter<AppState>) -> MethodRouter<AppState> {
    routes.route_layer(from_fn_with_state(state.clone(), csrf::guard))
}

/// The whole site: pages, feed, JSON API, static assets and health checks.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let (api_routes, openapi) = api::routes(&state);
    let openapi = Arc::new(openapi);
    let pages = Router::new()
        .route("/", get(pages::home::show))
        .route("/search", get(pages::search::show))
        .route("/cases", get(pages::cases::list))
        .route("/cases/new", guarded(&state, get(pages::authoring::new_form).post(pages::authoring::create)))
        .route("/cases/{slug}", get(pages::cases::show))
        .route("/cases/{slug}/edit", guarded(&state, get(pages::authoring::edit_form).post(pages::authoring::update)))
        .route("/cases/{slug}/history", get(pages::history::show))
        .route("/cases/{slug}/history/{number}/restore", guarded(&state, post(pages::history::restore)))
        .route("/cases/{slug}/submit", guarded(&state, post(pages::authoring::submit)))
        .route("/cases/{slug}/withdraw", guarded(&state, post(pages::authoring::withdraw)))
        .route("/cases/{slug}/publish", guarded(&state, post(pages::authoring::publish)))
        .route("/cases/{slug}/unpublish", guarded(&state, post(pages::authoring::unpublish)))
        .route("/cases/{slug}/send-back", guarded(&state, post(pages::authoring::send_back)))
        .route(
            "/cases/{slug}/delete",
            guarded(&state, get(pages::authoring::delete_form).post(pages::authoring::delete)),
        )
        .route("/review", get(pages::review::queue))
        .route("/profile", guarded(&state, get(pages::profile::show).post(pages::profile::update)))
        .route("/profile/password", guarded(&state, post(pages::profile::change_password)))
        .route("/profile/tokens", guarded(&state, post(pages::profile::create_token)))
        .route("/profile/tokens/{id}/revoke", guarded(&state, post(pages::profile::revoke_token)))
        .route("/profile/close", guarded(&state, post(pages::profile::close)))
        .route("/profile/cases", get(pages::review::mine))
        .route("/admin/users", get(pages::admin::users))
        .route("/admin/users/{id}", get(pages::admin::user))
        .route("/admin/users/{id}/role", guarded(&state, post(pages::admin::set_role)))
        .route("/admin/users/{id}/disable", guarded(&state, post(pages::admin::disable)))
        .route("/admin/users/{id}/enable", guarded(&state, post(pages::admin::enable)))
        .route("/admin/users/{id}/reset-link", guarded(&state, post(pages::admin::reset_link)))
        .route("/admin/audit", get(pages::admin::audit))
        .route("/reset/{token}", guarded(&state, get(pages::reset::form).post(pages::reset::reset)))
        .route("/regions", get(pages::regions::list))
        .route("/regions/{slug}", get(pages::regions::show))
        .route("/themes", get(pages::themes::list))
        .route("/themes/{slug}", get(pages::themes::show))
        .route("/feeds/cases.atom", get(pages::feed::cases))
        .route("/about", get(pages::site::about))
        .route("/privacy", get(pages::site::privacy))
        .route("/accessibility", get(pages::site::accessibility))
        .route("/contact", get(pages::site::contact))
        .route("/signin", guarded(&state, get(pages::account::signin_form).post(pages::account::signin)))
        .route("/signup", guarded(&state, get(pages::account::signup_form).post(pages::account::signup)))
        .route("/signout", guarded(&state, post(pages::account::signout)))
        .route("/language/{code}", get(lang::switch))
        .route("/api/v1/openapi.json", get(move || api::openapi_json(openapi.clone())));
    let sessions = session::layer(&state.store, state.secure_cookies());
    // Router::layer adapts each layer's body type; the last layer added is the outermost.
    // Sessions wrap identification, which wraps the forgery check, which wraps the routes.
    let with_sessions = pages
        .merge(api_routes)
        .fallback(middleware::not_found)
        .layer(from_fn_with_state(state.clone(), session::identify))
        .layer(sessions);
    // Liveness and the stylesheet never wait for the database, session cookie or not: the
    // outage page needs its styles.
    let without_sessions = Router::new()
        .route("/static/{file}", get(assets::serve))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready));
    without_sessions
        .merge(with_sessions)
        .layer(from_fn_with_state(state.request_timeout, middleware::time_limit))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("Accept-Language, Cookie")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
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
        .layer(from_fn_with_state(state.public_url.clone(), lang::remember))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(middleware::request_span).on_response(middleware::log_response),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
