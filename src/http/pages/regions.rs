use askama::Template;
use axum::{
    extract::{Path, State},
    response::Html,
};

use super::checked_slug;
use crate::{
    domain::{
        case::CaseSummary,
        filter::{CaseFilter, Paging, DEFAULT_PER_PAGE},
        region::{Level, Region},
    },
    error::{AppError, AppResult},
    http::{
        extract::Ui,
        views::{link, render, Chrome},
        AppState,
    },
    i18n::Catalog,
};

/// A region with the regions directly inside it.
pub struct RegionGroup {
    pub region: Region,
    pub children: Vec<Region>,
}

/// The national level first, then each region with its municipalities under it.
pub fn grouped(regions: &[Region]) -> Vec<RegionGroup> {
    let mut top: Vec<&Region> = regions.iter().filter(|r| r.level != Level::Municipal).collect();
    top.sort_by_key(|r| (r.level != Level::National, r.slug.clone()));
    top.into_iter()
        .map(|region| RegionGroup {
            region: region.clone(),
            children: regions
                .iter()
                .filter(|r| r.level == Level::Municipal && r.parent.as_deref() == Some(region.slug.as_str()))
                .cloned()
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    chrome: Chrome,
    t: &'static Catalog,
    groups: Vec<RegionGroup>,
}

pub async fn list(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    let regions = state.store.regions_with_counts().await?;
    render(RegionsPage {
        chrome: Chrome::for_ui(&ui, ui.t.regions_title, "regions"),
        t: ui.t,
        groups: grouped(&regions),
    })
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    chrome: Chrome,
    t: &'static Catalog,
    region: Region,
    parent: Option<Region>,
    children: Vec<Region>,
    cases: Vec<CaseSummary>,
    total: i64,
    all_url: String,
}

pub async fn show(State(state): State<AppState>, ui: Ui, Path(slug): Path<String>) -> AppResult<Html<String>> {
    let slug = checked_slug(&slug)?;
    let regions = state.store.regions().await?;
    let region = regions.iter().find(|r| r.slug == slug).cloned().ok_or(AppError::NotFound)?;
    let filter = CaseFilter { region: Some(region.slug.clone()), ..CaseFilter::default() };
    let (cases, total) = state.store.list_cases(&filter, Paging { page: 1, per_page: DEFAULT_PER_PAGE }, None).await?;
    render(RegionPage {
        chrome: Chrome::for_ui(&ui, region.name.clone(), "regions"),
        t: ui.t,
        parent: region.parent.as_ref().and_then(|p| regions.iter().find(|r| &r.slug == p)).cloned(),
        children: regions.iter().filter(|r| r.parent.as_deref() == Some(slug)).cloned().collect(),
        all_url: link("/cases", &filter.pairs()),
        region,
        cases,
        total,
    })
}
