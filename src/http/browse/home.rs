use askama::Template;
use axum::{extract::State, response::Html};

use crate::{
    domain::{
        case::Case,
        lima,
        region::Region,
        theme::{sort_by_name, Theme},
    },
    error::AppResult,
    http::{
        extract::Ui,
        views::{render, Chrome},
        AppState,
    },
    i18n::Catalog,
    store::commitments::CommitmentListing,
};
use time::{Date, OffsetDateTime};

const LATEST: i64 = 6;
/// Commitments of each kind (overdue, due soon) on the home page.
const DUE: i64 = 5;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    t: &'static Catalog,
    latest: Vec<Case>,
    /// Public commitments past their due date, and those due within 30 days.
    overdue: Vec<CommitmentListing>,
    due_soon: Vec<CommitmentListing>,
    today: Date,
    regions: Vec<Region>,
    themes: Vec<Theme>,
}

pub async fn show(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    let today = lima::today(OffsetDateTime::now_utc());
    let (latest, (overdue, due_soon), regions, mut themes) = tokio::try_join!(
        state.store.latest_cases(LATEST),
        state.store.commitments_due(today, DUE),
        state.store.regions_with_counts(),
        state.store.themes_with_counts()
    )?;
    // Entry points: the regions that have something to read, busiest first.
    let mut regions: Vec<Region> = regions.into_iter().filter(|r| r.case_count.unwrap_or_default() > 0).collect();
    // Ties by name as people read it (Áncash between Amazonas and Apurímac).
    let by_name = |name: &str| deunicode::deunicode(&name.to_lowercase());
    regions.sort_by(|a, b| b.case_count.cmp(&a.case_count).then_with(|| by_name(&a.name).cmp(&by_name(&b.name))));
    sort_by_name(&mut themes, ui.lang);
    render(HomePage {
        chrome: Chrome::for_ui(&ui, ui.t.browse.home_title, "home"),
        t: ui.t,
        latest,
        overdue,
        due_soon,
        today,
        regions,
        themes,
    })
}
