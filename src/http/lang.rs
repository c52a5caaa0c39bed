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

use super::urls::safe_next;
use crate::{domain::Lang, error::AppError};

pub const COOKIE: &str = "ayni_lang";

pub fn negotiate(uri: &Uri, headers: &HeaderMap) -> Lang {
    from_query(uri.query())
        .or_else(|| from_cookie(headers))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(from_accept_language))
        .unwrap_or_default()
}

/// Picks the first supported language of an `Accept-Language` header, by quality.
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let quality =
            parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        if let Some(lang) = Lang::parse(primary) {
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
    }
    best.map(|(_, lang)| lang)
}

/// `lang=en` among the query's pairs.
pub fn from_query(query: Option<&str>) -> Option<Lang> {
    query?.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Lang::parse)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(from_accept_language("en-GB,en;q=0.9,es;q=0.8"), Some(Lang::En));
        assert_eq!(from_accept_language("fr, es-PE;q=0.9, en;q=0.5"), Some(Lang::Es));
        assert_eq!(from_accept_language("de, fr"), None);
        assert_eq!(from_accept_language("en;q=0, es;q=0.1"), Some(Lang::Es));
    }
}
