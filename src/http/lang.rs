//! The interface language: a cookie set by one click, else `Accept-Language`, else Spanish.

use axum::{
    extract::{Path, Query},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

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

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /language/{code}?next=/path`: remembers the choice and goes back to the page.
pub async fn switch(Path(code): Path<String>, Query(next): Query<Next>) -> Result<Response, AppError> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    // Only paths on this site: never an open redirect.
    let target = next
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_string());
    let cookie = format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
    let mut response = Redirect::to(&target).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
