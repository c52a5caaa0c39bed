//! `/feeds/outcomes.atom`: what workshops concluded, beside the feed of cases. Nothing in it
//! is private: no online link, no participants.

use askama::Template;
use axum::{extract::State, response::Response};
use time::OffsetDateTime;

use crate::{
    domain::Lang,
    error::AppResult,
    http::{
        extract::Ui,
        views::{render_atom, rfc3339},
        AppState,
    },
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
    render_atom(Feed { t: ui.t, lang: ui.lang, base: state.public_url.to_string(), updated, entries })
}
