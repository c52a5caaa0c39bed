//! Who is asking: sessions (tower-sessions, stored in PostgreSQL so every process shares
//! them), API tokens, and the `Viewer` every handler can read.

use std::sync::Arc;

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use time::Duration;
use tower_sessions::{cookie::SameSite, Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use super::urls::link;
use crate::{auth::secret, domain::account::User, error::AppError, store::Store};

pub const COOKIE: &str = "ayni_session";
/// Sessions end after this long without a request.
pub const IDLE_LIMIT: Duration = Duration::days(14);
/// A session's expiry moves forward at most once a day, so reading pages rarely writes.
const TOUCH_AFTER: Duration = Duration::days(1);

const USER_KEY: &str = "user";
const CSRF_KEY: &str = "csrf";
/// When the session was last saved (Unix seconds): saving is what moves its expiry.
const TOUCHED_KEY: &str = "touched";

/// The account a session belongs to, and the account's session epoch when it began.
#[derive(Serialize, Deserialize)]
struct SignedIn {
    id: i64,
    epoch: i32,
}

pub fn layer(store: &Store, secure: bool) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(sessions_store(store))
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(IDLE_LIMIT))
}

fn sessions_store(store: &Store) -> PostgresStore {
    // The names are constants the crate accepts; the table comes from our migrations.
    let base = PostgresStore::new(store.pool().clone());
    base.clone().with_schema_name("public").and_then(|s| s.with_table_name("sessions")).unwrap_or(base)
}

/// The person behind a request, if any, and how they proved it.
#[derive(Clone, Default)]
pub struct Viewer {
    pub user: Option<Arc<User>>,
    /// The session's form token, once one was issued.
    pub csrf: Option<String>,
    /// Signed in with an API token rather than a browser session.
    pub via_token: bool,
    /// Unread notifications (up to 100), for the header of a signed-in page.
    pub unread: i64,
}

impl Viewer {
    pub fn user(&self) -> Option<&User> {
        self.user.as_deref()
    }

    /// The signed-in user, or 401 for a write that needs one (the API's answer).
    pub fn signed_in(&self) -> Result<&User, AppError> {
        self.user().ok_or(AppError::SignInRequired)
    }
}

fn session_error(err: tower_sessions::session::Error) -> AppError {
    AppError::SessionStore(err.to_string())
}

/// Works out the [`Viewer`] before any handler runs: from `Authorization: Bearer …` when
/// present (a wrong token is 401), else from the session cookie.
pub async fn identify(State(store): State<Store>, mut request: Request, next: Next) -> Response {
    // API tokens open the API only: a leaked token cannot manage its owner's account.
    let authorization = if request.uri().path().starts_with("/api/") {
        request.headers().get(header::AUTHORIZATION).cloned()
    } else {
        None
    };
    let session = request.extensions().get::<Session>().cloned();
    match viewer_of(&store, authorization, session).await {
        Ok(viewer) => {
            let personal = viewer.user.is_some();
            request.extensions_mut().insert(viewer.clone());
            let mut response = next.run(request).await;
            // Error pages are drawn outside this layer; they show the same header.
            response.extensions_mut().insert(viewer);
            if personal && !response.headers().contains_key(header::CACHE_CONTROL) {
                // A signed-in page carries a name and a form token: never for shared caches.
                response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
            }
            response
        }
        Err(err) => err.into_response(),
    }
}

async fn viewer_of(
    store: &Store,
    authorization: Option<HeaderValue>,
    session: Option<Session>,
) -> Result<Viewer, AppError> {
    if let Some(auth) = authorization {
        let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(AppError::BadToken)?;
        let user = store.user_by_token(&secret::digest(token.trim())).await?.ok_or(AppError::BadToken)?;
        return Ok(Viewer { user: Some(Arc::new(user)), csrf: None, via_token: true, unread: 0 });
    }
    let Some(session) = session else {
        return Ok(Viewer::default());
    };
    let signed_in: Option<SignedIn> = session.get(USER_KEY).await.map_err(session_error)?;
    let mut user = None;
    if let Some(signed_in) = signed_in {
        match store.active_user(signed_in.id).await? {
            Some(u) if u.session_epoch == signed_in.epoch => user = Some(Arc::new(u)),
            // Disabled, closed, or the password changed since: this session is over.
            _ => session.flush().await.map_err(session_error)?,
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let touched: i64 = session.get(TOUCHED_KEY).await.map_err(session_error)?.unwrap_or(0);
        if user.is_some() && now - touched >= TOUCH_AFTER.whole_seconds() {
            // Any change makes the layer save the session, which moves its expiry 14 days on.
            session.insert(TOUCHED_KEY, now).await.map_err(session_error)?;
        }
    }
    let csrf: Option<String> = session.get(CSRF_KEY).await.map_err(session_error)?;
    let unread = match &user {
        Some(u) => store.unread_count(u.id).await?,
        None => 0,
    };
    Ok(Viewer { user, csrf, via_token: false, unread })
}

/// The session's form token, issued on first need (pages with a form call this).
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(CSRF_KEY).await.map_err(session_error)? {
        return Ok(token);
    }
    let token = secret::generate("");
    session.insert(CSRF_KEY, &token).await.map_err(session_error)?;
    Ok(token)
}

/// Starts a signed-in session under a new id, with a new form token.
pub async fn sign_in(session: &Session, user: &User) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(USER_KEY, SignedIn { id: user.id, epoch: user.session_epoch }).await.map_err(session_error)?;
    session.insert(CSRF_KEY, secret::generate("")).await.map_err(session_error)?;
    session.insert(TOUCHED_KEY, time::OffsetDateTime::now_utc().unix_timestamp()).await.map_err(session_error)?;
    Ok(())
}

/// Deletes the session on the server and clears the cookie.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// Keeps a session signed in after the account's epoch moved (its own password change):
/// a new id, the same form token, so forms open in other tabs still send.
pub async fn renew(session: &Session, user: &User) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(USER_KEY, SignedIn { id: user.id, epoch: user.session_epoch }).await.map_err(session_error)
}

/// A handler argument for pages that need someone signed in. Anonymous GETs are sent to
/// the sign-in page (and come back after); anything else gets 401.
pub struct SignedInUser(pub Arc<User>);

impl<S: Send + Sync> FromRequestParts<S> for SignedInUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let viewer = parts.extensions.get::<Viewer>().cloned().unwrap_or_default();
        match viewer.user {
            Some(user) => Ok(SignedInUser(user)),
            None if parts.method == Method::GET && !parts.uri.path().starts_with("/api/") => {
                let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_string();
                Err(Redirect::to(&link("/signin", &[("next", here)])).into_response())
            }
            None => Err(AppError::SignInRequired.into_response()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or_default())
    }
}
