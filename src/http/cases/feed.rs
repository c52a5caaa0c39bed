use askama::Template;
use axum::{extract::State, response::Response};
use time::OffsetDateTime;

use crate::{
    domain::{case::Case, Lang},
    error::AppResult,
    http::{
        extract::Ui,
        views::{render_atom, rfc3339},
        AppState,
    },
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
    let updated = rfc3339(latest.iter().map(|c| c.summary.updated_at).max().unwrap_or(OffsetDateTime::UNIX_EPOCH))?;
    let mut entries = Vec::with_capacity(latest.len());
    for case in latest {
        let published = rfc3339(case.summary.published_at.unwrap_or(case.created_at))?;
        entries.push(Entry { updated: rfc3339(case.summary.updated_at)?, published, case });
    }
    render_atom(Feed { t: ui.t, lang: ui.lang, base: state.public_url.to_string(), updated, entries })
}
