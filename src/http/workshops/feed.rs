//! `/feeds/outcomes.atom`: what workshops concluded, beside the feed of cases. Nothing in it
//! is private: no online link, no participants.

use askama::Template;
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::{
    domain::Lang,
    error::{AppError, AppResult},
    http::{extract::Ui, AppState},
    i18n::Catalog,
    store::workshops::PublishedOutcomes,
};

const ENTRIES: i64 = 30;

/// One entry, with its times already written.
struct Entry {
    outcomes: PublishedOutcomes,
    /// The workshop's date in Lima, in words.
    date: String,
    updated: String,
    published: String,
}

#[derive(Template)]
#[template(path = "outcomes_feed.xml")]
struct Feed {
    t: &'static Catalog,
    lang: Lang,
    base: String,
    updated: String,
    entries: Vec<Entry>,
}

pub async fn outcomes(State(state): State<AppState>, ui: Ui) -> AppResult<Response> {
    let latest = state.store.latest_outcomes(ENTRIES).await?;
    let rfc3339 = |at: OffsetDateTime| at.format(&Rfc3339).map_err(|err| AppError::Internal(err.into()));
    let updated = rfc3339(latest.iter().map(|o| o.updated_at).max().unwrap_or(OffsetDateTime::UNIX_EPOCH))?;
    let mut entries = Vec::with_capacity(latest.len());
    for outcomes in latest {
        entries.push(Entry {
            date: ui.t.date(&outcomes.starts_at),
            updated: rfc3339(outcomes.updated_at)?,
            published: rfc3339(outcomes.published_at)?,
            outcomes,
        });
    }
    let feed = Feed { t: ui.t, lang: ui.lang, base: state.public_url.to_string(), updated, entries };
    let body = feed.render().map_err(|err| AppError::Internal(err.into()))?;
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(response)
}
