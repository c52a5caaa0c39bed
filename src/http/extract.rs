//! Extractors whose failures are our errors, so a bad request never gets a bare rejection.

use axum::{
    extract::FromRequestParts,
    http::{request::Parts, HeaderMap},
};
use serde::de::DeserializeOwned;

use super::lang;
use crate::{
    error::{AppError, ParamProblem},
    i18n::{Catalog, Lang},
};

/// The query string, read leniently into text fields; validation comes after.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query).map(Params).map_err(|err| {
            // serde names the field in backticks, e.g. "duplicate field `region`".
            let message = err.to_string();
            let param = message.split('`').nth(1).unwrap_or("query").to_string();
            AppError::bad_param(param, ParamProblem::Unreadable)
        })
    }
}

/// The reader's language and where they are, for every page.
pub struct Ui {
    pub lang: Lang,
    pub t: &'static Catalog,
    /// Path and query of this page, for the language switch to come back to.
    pub here: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ui::from_headers(&parts.headers, parts.uri.path_and_query().map_or("/", |pq| pq.as_str())))
    }
}

impl Ui {
    fn from_headers(headers: &HeaderMap, here: &str) -> Self {
        let lang = lang::negotiate(headers);
        Ui { lang, t: lang.catalog(), here: here.to_string() }
    }
}
