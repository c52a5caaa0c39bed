use askama::Template;
use axum::{extract::State, response::Html};

use crate::{
    domain::{
        case::Case,
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
};

const LATEST: i64 = 6;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    t: &'static Catalog,
    latest: Vec<Case>,
    regions: Vec<Region>,
    themes: Vec<Theme>,
}

pub async fn show(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    let (latest, regions, mut themes) = tokio::try_join!(
        state.store.latest_cases(LATEST),
        state.store.regions_with_counts(),
        state.store.themes_with_counts()
    )?;
    // Entry points: the regions that have something to read, busiest first.
    let mut regions: Vec<Region> = regions.into_iter().filter(|r| r.case_count.unwrap_or_default() > 0).collect();
    // Ties by name as people read it (Áncash between Amazonas and Apurímac).
    let by_name = |name: &str| deunicode::deunicode(&name.to_lowercase());
    regions.sort_by(|a, b| b.case_count.cmp(&a.case_count).then_with(|| by_name(&a.name).cmp(&by_name(&b.name))));
    sort_by_name(&mut themes, ui.lang);
    render(HomePage { chrome: Chrome::for_ui(&ui, ui.t.browse.home_title, "home"), t: ui.t, latest, regions, themes })
}
