//! Cross-site request forgery: every state-changing request from a browser must come from
//! this site (Origin, or Referer when a browser sends no Origin) and carry the session's
//! form token (`csrf_token` in a form, or the `X-CSRF-Token` header). Requests made with an
//! API token carry no ambient credentials and are exempt.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    session::{self, Viewer},
    AppState, MAX_BODY_BYTES,
};
use crate::{auth::secret, error::AppError};

pub const FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let viewer = request.extensions().get::<Viewer>().cloned().unwrap_or_default();
    // API tokens carry no ambient credentials; nor does an API call without a session
    // cookie, which then gets its 401 from the handler.
    if viewer.via_token || (request.uri().path().starts_with("/api/") && !has_session_cookie(request.headers())) {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), &state.public_url) {
        return AppError::Forgery.into_response();
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let sent = match parts.headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(token) => Some(token.to_string()),
        None if is_form(&parts.headers) => form_token(&bytes),
        None => None,
    };
    let valid = matches!((sent, viewer.csrf.as_deref()), (Some(sent), Some(expected)) if secret::same(&sent, expected));
    if !valid {
        return AppError::Forgery.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim().starts_with(session::COOKIE) && pair.trim()[session::COOKIE.len()..].starts_with('='))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_token(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(name, _)| name == FIELD).map(|(_, value)| value)
}

/// The request names this site as its origin: the public URL's origin, or the Host it was
/// sent to. With neither Origin nor Referer, the token alone decides.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let claimed = match headers.get(header::ORIGIN) {
        Some(origin) => origin.to_str().ok().map(str::to_string),
        None => match headers.get(header::REFERER) {
            Some(referer) => referer.to_str().ok().map(|r| origin_of(r).to_string()),
            None => return true,
        },
    };
    let Some(claimed) = claimed else { return false };
    if claimed == origin_of(public_url) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let claimed_host = claimed.split_once("://").map(|(_, rest)| rest);
    host.is_some() && claimed_host == host
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            let end = rest.find(['/', '?', '#']).map_or(url.len(), |i| at + 3 + i);
            &url[..end]
        }
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    #[test]
    fn origin_must_be_this_site() {
        let public = "https://ayni.pe";
        assert!(same_origin(&headers(&[(header::ORIGIN, "https://ayni.pe")]), public));
        assert!(!same_origin(&headers(&[(header::ORIGIN, "https://evil.example")]), public));
        assert!(!same_origin(&headers(&[(header::ORIGIN, "null")]), public));
        assert!(!same_origin(&headers(&[(header::ORIGIN, "https://ayni.pe.evil.example")]), public));
        assert!(same_origin(
            &headers(&[(header::ORIGIN, "http://localhost:8080"), (header::HOST, "localhost:8080")]),
            public
        ));
        assert!(same_origin(&headers(&[(header::REFERER, "https://ayni.pe/signin?next=/")]), public));
        assert!(!same_origin(&headers(&[(header::REFERER, "https://evil.example/ayni.pe")]), public));
        assert!(same_origin(&headers(&[]), public));
    }

    #[test]
    fn the_token_is_read_from_the_form() {
        assert_eq!(form_token(b"a=1&csrf_token=abc&b=2").as_deref(), Some("abc"));
        assert_eq!(form_token(b"a=1"), None);
    }
}
