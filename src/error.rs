//! One error type for the whole request path, mapped to HTTP statuses in one place.
//!
//! Handlers return `AppError`, and so does the store: its failures (a missing row, an edit
//! conflict, a database that is away) are the ones requests answer with, and a second type
//! would only be mapped onto this one. The rule: the store builds only the variants that
//! describe data (`NotFound`, `Gone`, `EditConflict`, `RegistrationClosed`, `TooManyComments`,
//! `ThreadLocked`, `Forbidden` for a rule the data
//! enforces, and those `From<sqlx::Error>` makes); it never builds one about the request
//! (`SignInRequired`, `Forgery`, `BadParam`…). The domain's own violations (`BadParam`,
//! `FieldError`) are domain types that convert into this one. Search and the importer,
//! which run outside requests, return `anyhow` and their own errors.
//!
//! `AppError`'s `IntoResponse` only decides the status and attaches an
//! [`ErrorReport`]; the `render_errors` middleware then writes the page or the JSON body in
//! the reader's language, because only it knows the path and the language.

use crate::domain::{BadParam, FieldError, ParamProblem};

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

crate::domain::text_enum!(
    /// Stable snake_case codes: the JSON API's `error.code`, and what the catalogue words.
    ErrorCode {
        NotFound => "not_found",
        BadParameter => "bad_parameter",
        BadRequest => "bad_request",
        MethodNotAllowed => "method_not_allowed",
        PayloadTooLarge => "payload_too_large",
        Timeout => "timeout",
        Busy => "busy",
        SignInRequired => "sign_in_required",
        BadToken => "bad_token",
        Forbidden => "forbidden",
        Forgery => "forgery",
        Gone => "gone",
        LinkExpired => "link_expired",
        TooManyAttempts => "too_many_attempts",
        TooManyComments => "too_many_comments",
        ThreadLocked => "thread_locked",
        KeyReused => "key_reused",
        EditConflict => "edit_conflict",
        RegistrationClosed => "registration_closed",
        InvalidFields => "invalid_fields",
        DatabaseUnavailable => "database_unavailable",
        Internal => "internal",
    }
);

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
    #[error("too busy to render now")]
    Busy,
    #[error("sign in required")]
    SignInRequired,
    #[error("unknown or revoked API token")]
    BadToken,
    #[error("not allowed")]
    Forbidden,
    #[error("cross-site request refused")]
    Forgery,
    #[error("gone")]
    Gone,
    #[error("the link was used, expired or replaced")]
    LinkExpired,
    #[error("too many attempts")]
    TooManyAttempts,
    #[error("too many comments in a short time")]
    TooManyComments,
    #[error("the thread is locked")]
    ThreadLocked,
    #[error("the idempotency key was used for another post")]
    KeyReused,
    #[error("the case changed since it was loaded")]
    EditConflict,
    #[error("registration for this workshop is closed")]
    RegistrationClosed,
    #[error("invalid fields: {0:?}")]
    InvalidFields(Vec<FieldError>),
    #[error("session store unavailable: {0}")]
    SessionStore(String),
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The stable, translatable description of an error that travels in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub param: Option<String>,
    pub problem: Option<ParamProblem>,
    /// For `invalid_fields`: each field at fault and what is wrong with it.
    pub fields: Vec<FieldError>,
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
            AppError::SignInRequired | AppError::BadToken => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Forgery => StatusCode::FORBIDDEN,
            AppError::Gone | AppError::LinkExpired => StatusCode::GONE,
            AppError::TooManyAttempts | AppError::TooManyComments => StatusCode::TOO_MANY_REQUESTS,
            AppError::ThreadLocked => StatusCode::FORBIDDEN,
            AppError::EditConflict | AppError::RegistrationClosed | AppError::KeyReused => StatusCode::CONFLICT,
            AppError::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Timeout | AppError::Busy | AppError::DatabaseUnavailable(_) | AppError::SessionStore(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable snake_case codes: the JSON API's `error.code`, and the catalogue's keys.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::NotFound => ErrorCode::NotFound,
            AppError::BadParam { .. } => ErrorCode::BadParameter,
            AppError::BadRequest => ErrorCode::BadRequest,
            AppError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            AppError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            AppError::Timeout => ErrorCode::Timeout,
            AppError::Busy => ErrorCode::Busy,
            AppError::SignInRequired => ErrorCode::SignInRequired,
            AppError::BadToken => ErrorCode::BadToken,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::Forgery => ErrorCode::Forgery,
            AppError::Gone => ErrorCode::Gone,
            AppError::LinkExpired => ErrorCode::LinkExpired,
            AppError::TooManyAttempts => ErrorCode::TooManyAttempts,
            AppError::TooManyComments => ErrorCode::TooManyComments,
            AppError::ThreadLocked => ErrorCode::ThreadLocked,
            AppError::KeyReused => ErrorCode::KeyReused,
            AppError::EditConflict => ErrorCode::EditConflict,
            AppError::RegistrationClosed => ErrorCode::RegistrationClosed,
            AppError::InvalidFields(_) => ErrorCode::InvalidFields,
            AppError::DatabaseUnavailable(_) | AppError::SessionStore(_) => ErrorCode::DatabaseUnavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn report(&self) -> ErrorReport {
        let (param, problem) = match self {
            AppError::BadParam { param, problem } => (Some(param.clone()), Some(*problem)),
            _ => (None, None),
        };
        let fields = match self {
            AppError::InvalidFields(fields) => fields.clone(),
            _ => Vec::new(),
        };
        ErrorReport { status: self.status(), code: self.code(), param, problem, fields }
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

impl From<BadParam> for AppError {
    fn from(BadParam { param, problem }: BadParam) -> Self {
        AppError::BadParam { param, problem }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(fields: Vec<FieldError>) -> Self {
        AppError::InvalidFields(fields)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            return AppError::DatabaseUnavailable(err);
        }
        if let sqlx::Error::Database(db) = &err {
            match db.code().as_deref() {
                // 57014: statement_timeout or a cancelled query.
                Some("57014") => return AppError::Timeout,
                // 22021, 22P05: text PostgreSQL cannot store (a NUL byte): the input's fault.
                Some("22021" | "22P05") => return AppError::BadRequest,
                _ => {}
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
            AppError::SessionStore(err) => tracing::warn!(error = %err, "session store unavailable"),
            _ => {}
        }
        let report = self.report();
        let mut response = (report.status, report.code.as_str()).into_response();
        response.extensions_mut().insert(report);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
