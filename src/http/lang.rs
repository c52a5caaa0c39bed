//! The interface language: a cookie set by one click, else `Accept-Language`, else Spanish.

use axum::{
    extract::{Path, Query},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::session::safe_next;
use crate::{error::AppError, i18n::Lang};

pub const COOKIE: &str = "ayni_lang";

pub fn negotiate(headers: &HeaderMap) -> Lang {
    from_cookie(headers)
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
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
pub struct Next {
    next: Option<String>,
}

/// `GET /language/{code}?next=/path`: remembers the choice and goes back to the page.
pub async fn switch(Path(code): Path<String>, Query(next): Query<Next>) -> Result<Response, AppError> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    // Only paths on this site: never an open redirect.
    let target = safe_next(next.next.as_deref());
    let mut response = Redirect::to(&target).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie(lang.code())) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
