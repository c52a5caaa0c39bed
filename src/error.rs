//! One error type for the whole request path, mapped to HTTP statuses in one place.
//!
//! Handlers return `AppError`. Its `IntoResponse` only decides the status and attaches an
//! [`ErrorReport`]; the `render_errors` middleware then writes the page or the JSON body in
//! the reader's language, because only it knows the path and the language.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// What is wrong with a query-string parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamProblem {
    UnknownValue,
    NotANumber,
    OutOfRange { min: i64, max: i64 },
    TooLong { max: usize },
    BeforeYearFrom,
    Unreadable,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad parameter {param}: {problem:?}")]
    BadParam { param: String, problem: ParamProblem },
    #[error("bad request")]
    BadRequest,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("request timed out")]
    Timeout,
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The stable, translatable description of an error that travels in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub code: &'static str,
    pub param: Option<String>,
    pub problem: Option<ParamProblem>,
}

impl AppError {
    pub fn bad_param(param: impl Into<String>, problem: ParamProblem) -> Self {
        AppError::BadParam { param: param.into(), problem }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadParam { .. } | AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Timeout | AppError::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable snake_case codes: the JSON API's `error.code`, and the catalogue's keys.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::BadParam { .. } => "bad_parameter",
            AppError::BadRequest => "bad_request",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Timeout => "timeout",
            AppError::DatabaseUnavailable(_) => "database_unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn report(&self) -> ErrorReport {
        let (param, problem) = match self {
            AppError::BadParam { param, problem } => (Some(param.clone()), Some(*problem)),
            _ => (None, None),
        };
        ErrorReport { status: self.status(), code: self.code(), param, problem }
    }

    /// The error for a response that some layer (router, body limit) produced without us.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => AppError::Timeout,
            s if s.is_client_error() => AppError::BadRequest,
            s => AppError::Internal(anyhow::anyhow!("unexpected status {s}")),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            return AppError::DatabaseUnavailable(err);
        }
        if let sqlx::Error::Database(db) = &err {
            // 57014: statement_timeout or a cancelled query.
            if db.code().as_deref() == Some("57014") {
                return AppError::Timeout;
            }
        }
        AppError::Internal(err.into())
    }
}

/// Errors that mean "the database is not there right now" rather than "the query is wrong".
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // Class 08: connection exceptions; 57P01-57P03: shutdown and start-up in progress.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(err) => tracing::error!(error = ?err, "internal error"),
            AppError::DatabaseUnavailable(err) => tracing::warn!(error = %err, "database unavailable"),
            AppError::Timeout => tracing::warn!("request timed out"),
            _ => {}
        }
        let report = self.report();
        let mut response = (report.status, report.code).into_response();
        response.extensions_mut().insert(report);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
