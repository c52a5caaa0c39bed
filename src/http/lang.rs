//! The interface language: `?lang=` in the address (so that a page in either language can be
//! linked and shared), else a cookie that remembers the last choice, else `Accept-Language`,
//! else Spanish. Opening a page with `?lang=` remembers it for the pages after.

use std::sync::Arc;

use axum::{
    extract::{Path, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, Uri},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::session::safe_next;
use crate::{error::AppError, i18n::Lang};

pub const COOKIE: &str = "ayni_lang";

pub fn negotiate(uri: &Uri, headers: &HeaderMap) -> Lang {
    from_query(uri.query())
        .or_else(|| from_cookie(headers))
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// `lang=en` among the query's pairs.
pub fn from_query(query: Option<&str>) -> Option<Lang> {
    query?.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::parse)
}

/// The address of this page (`path?query`) in `lang`: its own `lang` pair replaced.
pub fn url_in(here: &str, lang: Lang) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let path = local_path(path);
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    let chosen = format!("lang={}", lang.code());
    pairs.push(&chosen);
    format!("{path}?{}", pairs.join("&"))
}

/// A path that stays on this site when written as a link: `//evil.example` would name
/// another host, so leading slashes collapse to one (and a backslash, which browsers read as
/// a slash, makes it the home page).
pub fn local_path(path: &str) -> String {
    if path.contains('\\') {
        return "/".to_string();
    }
    format!("/{}", path.trim_start_matches('/'))
}

/// The site's public base URL, for absolute links in pages (hreflang, Open Graph).
#[derive(Clone)]
pub struct PublicBase(pub Arc<str>);

/// Outermost page layer: makes the public base known to pages, and when a page is opened
/// with `?lang=`, remembers that language in the cookie.
pub async fn remember(State(base): State<Arc<str>>, mut request: Request, next: Next) -> Response {
    let chosen = from_query(request.uri().query());
    let remembered = from_cookie(request.headers());
    request.extensions_mut().insert(PublicBase(base));
    let mut response = next.run(request).await;
    if let Some(lang) = chosen.filter(|lang| remembered != Some(*lang)) {
        if let Ok(value) = HeaderValue::from_str(&cookie(lang.code())) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn from_cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE).and_then(|rest| rest.strip_prefix('=')))
        .and_then(Lang::parse)
}

/// The `Set-Cookie` value that remembers an interface language for a year.
pub fn cookie(code: &str) -> String {
    format!("{COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly")
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// `GET /language/{code}?next=/path`: remembers the choice and goes back to the page.
pub async fn switch(Path(code): Path<String>, Query(next): Query<NextParam>) -> Result<Response, AppError> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    // Only paths on this site: never an open redirect.
    let target = safe_next(next.next.as_deref());
    let mut response = Redirect::to(&target).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie(lang.code())) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
