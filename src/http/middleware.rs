//! Cross-cutting request handling: the time limit, request spans and error rendering.

use std::time::Duration;

use askama::Template;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{Html, IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{lang, session::Viewer, views::Chrome};
use crate::{
    error::{AppError, ErrorReport},
    i18n::Catalog,
};

/// Answers 503 when a request runs out of time, instead of letting it hang.
pub async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout.into_response(),
    }
}

/// Every log line of a request carries its id.
pub fn request_span(request: &Request) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    let path = request.uri().path();
    // A reset link and a personal feed's address are secrets: logs get their route, not
    // the token.
    let path = match path {
        p if p.starts_with("/reset/") => "/reset/…",
        p if p.starts_with("/feeds/notifications/") => "/feeds/notifications/…",
        p => p,
    };
    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %path)
}

/// One line per answer, logged as Ayni's own (the default log keeps dependencies at warn).
pub fn log_response<B>(response: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(status = response.status().as_u16(), latency_ms, "answered");
}

/// Unknown paths.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// The JSON error body: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code, such as `bad_parameter` or `not_found`.
    pub code: String,
    /// A plain-language message in the reader's language.
    pub message: String,
    /// The query parameter at fault, for `bad_parameter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// For `invalid_fields`: each field at fault, with what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDetail {
    pub field: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    t: &'static Catalog,
    message: String,
}

/// Turns every error response, ours or a layer's, into a page or JSON in the reader's
/// language, with the status unchanged.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = lang::negotiate(request.uri(), request.headers());
    let base = request.extensions().get::<lang::PublicBase>().map_or_else(|| "".into(), |b| b.0.clone());
    let path = request.uri().path().to_string();
    let here = request.uri().path_and_query().map_or_else(|| path.clone(), |pq| pq.to_string());
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let report = match response.extensions_mut().remove::<ErrorReport>() {
        Some(report) => report,
        // A handler that drew its own answer (a refused form, a JSON error) keeps it; a bare
        // rejection of a layer or extractor (text/plain) gets ours, as JSON under /api/.
        None if has_own_body(&response, wants_json(&path))
            && status != StatusCode::PAYLOAD_TOO_LARGE
            && status != StatusCode::INTERNAL_SERVER_ERROR =>
        {
            return response;
        }
        None => AppError::from_status(status).report(),
    };
    let t = crate::i18n::catalog(lang);
    let message = t.error_message(&report);
    let mut rendered = if wants_json(&path) {
        let body = ErrorBody {
            error: ErrorDetail {
                code: report.code.to_string(),
                message,
                parameter: report.param.clone(),
                fields: report
                    .fields
                    .iter()
                    .map(|f| FieldDetail { field: f.field.to_string(), message: t.field_problem(f.field, f.problem) })
                    .collect(),
            },
        };
        (report.status, Json(body)).into_response()
    } else {
        let viewer = response.extensions().get::<Viewer>().cloned().unwrap_or_default();
        let chrome = Chrome::new(lang, &base, &here, t.error_title(&report), "").signed_in(&viewer);
        let page = ErrorPage { chrome, t, message };
        match page.render() {
            Ok(html) => (report.status, Html(html)).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "cannot render the error page");
                (report.status, t.error_message(&report)).into_response()
            }
        }
    };
    if report.status == StatusCode::SERVICE_UNAVAILABLE {
        rendered.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    rendered.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    rendered
}

fn has_own_body(response: &Response, json: bool) -> bool {
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    content_type.starts_with(if json { "application/json" } else { "text/html" })
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/readyz"
}
