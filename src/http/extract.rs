//! Extractors whose failures are our errors, so a bad request never gets a bare rejection.

use axum::{extract::FromRequestParts, http::request::Parts};
use serde::{de::DeserializeOwned, Deserialize};

use super::{lang, session::Viewer};
use crate::{
    domain::{Lang, ParamProblem},
    error::{AppError, AppResult},
    i18n::Catalog,
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
    /// The site's public base URL, for absolute links.
    pub base: std::sync::Arc<str>,
    pub viewer: Viewer,
}

impl<S: Send + Sync> FromRequestParts<S> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let viewer = parts.extensions.get::<Viewer>().cloned().unwrap_or_default();
        let lang = lang::negotiate(&parts.uri, &parts.headers);
        let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_string();
        let base = parts.extensions.get::<lang::PublicBase>().map_or_else(|| "".into(), |b| b.0.clone());
        Ok(Ui { lang, t: crate::i18n::catalog(lang), here, base, viewer })
    }
}

/// A submitted form, read leniently (missing fields are empty); validation comes after.
/// A body that is not a form is a 400, never a bare rejection.
pub struct FormData<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for FormData<T> {
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(request, state).await?;
        serde_urlencoded::from_bytes(&bytes).map(FormData).map_err(|_| AppError::BadRequest)
    }
}

/// The whole body, within the size limit.
async fn body_bytes<S: Send + Sync>(request: axum::extract::Request, state: &S) -> Result<axum::body::Bytes, AppError> {
    <axum::body::Bytes as axum::extract::FromRequest<S>>::from_request(request, state).await.map_err(|rejection| {
        match rejection.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            _ => AppError::BadRequest,
        }
    })
}

/// A submitted form as its name-value pairs, for forms with repeated names (checkboxes).
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// The first value of `name`, or "".
    pub fn one(&self, name: &str) -> String {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.clone()).collect()
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormPairs {
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let FormData(pairs) = FormData::<Vec<(String, String)>>::from_request(request, state).await?;
        Ok(FormPairs(pairs))
    }
}

/// A JSON request body; one that cannot be read is a 400 with our error body.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(request, state).await?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|_| AppError::BadRequest)
    }
}

/// A page of a list that grows at its head (notifications, the glossary's changes): the
/// entries before an id.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BeforeParam {
    /// Only entries older than this id (the last `id` of the page before).
    pub before: Option<String>,
}

impl BeforeParam {
    /// The page's boundary (the page and the API read it alike); a blank one is none.
    pub fn before(&self) -> AppResult<Option<i64>> {
        match self.before.as_deref().filter(|b| !b.is_empty()) {
            Some(b) => b.parse().map(Some).map_err(|_| AppError::bad_param("before", ParamProblem::NotANumber)),
            None => Ok(None),
        }
    }
}
