use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::{
    domain::{case::Case, Lang},
    error::{AppError, AppResult},
    http::{extract::Ui, AppState},
    i18n::Catalog,
};

const ENTRIES: i64 = 30;

/// One entry, with its times already in RFC 3339.
struct Entry {
    case: Case,
    updated: String,
    published: String,
}

#[derive(Template)]
#[template(path = "feed.xml")]
struct Feed {
    t: &'static Catalog,
    lang: Lang,
    base: String,
    updated: String,
    entries: Vec<Entry>,
}

/// `/feeds/cases.atom`: the most recently published cases.
pub async fn cases(State(state): State<AppState>, ui: Ui) -> AppResult<Response> {
    let latest = state.store.latest_cases(ENTRIES).await?;
    let rfc3339 = |at: OffsetDateTime| at.format(&Rfc3339).map_err(|err| AppError::Internal(err.into()));
    let updated = rfc3339(latest.iter().map(|c| c.summary.updated_at).max().unwrap_or(OffsetDateTime::UNIX_EPOCH))?;
    let mut entries = Vec::with_capacity(latest.len());
    for case in latest {
        let published = rfc3339(case.summary.published_at.unwrap_or(case.created_at))?;
        entries.push(Entry { updated: rfc3339(case.summary.updated_at)?, published, case });
    }
    let feed = Feed { t: ui.t, lang: ui.lang, base: state.public_url.to_string(), updated, entries };
    let body = feed.render().map_err(|err| AppError::Internal(err.into()))?;
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(response)
}
