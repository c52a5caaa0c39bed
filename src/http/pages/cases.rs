use askama::Template;
use axum::{
    extract::{Path, State},
    response::Html,
};

use super::{checked_slug, regions::grouped};
use crate::{
    domain::{
        case::{Case, CaseSummary, Kind, Language},
        filter::{CaseFilter, CaseQuery, Paging, DEFAULT_PER_PAGE},
        region::{name_of, Region},
        theme::Theme,
    },
    error::{AppError, AppResult},
    http::{
        extract::{Params, Ui},
        views::{link, render, ActiveFilter, Chrome, Pager, SelectOption},
        AppState,
    },
    i18n::Catalog,
    search::Hit,
};

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    t: &'static Catalog,
    cases: Vec<CaseSummary>,
    total: i64,
    active: Vec<ActiveFilter>,
    pager: Pager,
    region_options: Vec<SelectOption>,
    theme_options: Vec<SelectOption>,
    kind_options: Vec<SelectOption>,
    language_options: Vec<SelectOption>,
    year_from: String,
    year_to: String,
}

pub async fn list(State(state): State<AppState>, ui: Ui, Params(query): Params<CaseQuery>) -> AppResult<Html<String>> {
    let (filter, paging) = query.validate()?;
    // Pages always show 20; `per_page` is for the JSON API.
    let paging = Paging { per_page: DEFAULT_PER_PAGE, ..paging };
    let (regions, mut themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    filter.check_refs(&regions, &themes)?;
    let (cases, total) = state.store.list_cases(&filter, paging).await?;
    super::themes::sort_by_name(&mut themes, ui.lang);
    let t = ui.t;
    render(CasesPage {
        chrome: Chrome::for_ui(&ui, t.cases_title, "cases"),
        t,
        total,
        active: active_filters(t, &filter, &regions, &themes, &ui),
        pager: Pager::new(t, "/cases", filter.pairs(), paging, total),
        region_options: region_options(&regions, filter.region.as_deref()),
        theme_options: themes.iter().map(|th| option(&th.slug, th.name(&ui.lang), filter.theme.as_deref())).collect(),
        kind_options: Kind::ALL.iter().map(|k| option(k.as_str(), t.kind(k), filter.kind.map(Kind::as_str))).collect(),
        language_options: Language::ALL
            .iter()
            .map(|l| option(l.as_str(), t.language(l), filter.language.map(Language::as_str)))
            .collect(),
        year_from: filter.year_from.map(|y| y.to_string()).unwrap_or_default(),
        year_to: filter.year_to.map(|y| y.to_string()).unwrap_or_default(),
        cases,
    })
}

fn option(value: &str, label: &str, selected: Option<&str>) -> SelectOption {
    SelectOption { value: value.to_string(), label: label.to_string(), selected: selected == Some(value) }
}

/// Regions in their tree order, municipalities indented under their region.
fn region_options(regions: &[Region], selected: Option<&str>) -> Vec<SelectOption> {
    let mut options = Vec::new();
    for group in grouped(regions) {
        options.push(option(&group.region.slug, &group.region.name, selected));
        for child in &group.children {
            options.push(option(&child.slug, &format!("— {}", child.name), selected));
        }
    }
    options
}

/// Each filter in force, labelled for people, with a link to the list without it.
fn active_filters(
    t: &Catalog,
    filter: &CaseFilter,
    regions: &[Region],
    themes: &[Theme],
    ui: &Ui,
) -> Vec<ActiveFilter> {
    let pairs = filter.pairs();
    pairs
        .iter()
        .map(|(name, value)| {
            let shown = match *name {
                "region" => regions.iter().find(|r| &r.slug == value).map_or(value.clone(), |r| r.name.clone()),
                "theme" => {
                    themes.iter().find(|th| &th.slug == value).map_or(value.clone(), |th| th.name(&ui.lang).into())
                }
                "kind" => Kind::parse(value).map_or(value.as_str(), |k| t.kind(&k)).to_string(),
                "language" => Language::parse(value).map_or(value.as_str(), |l| t.language(&l)).to_string(),
                _ => value.clone(),
            };
            let label = match *name {
                "region" => t.filter_region,
                "theme" => t.filter_theme,
                "kind" => t.filter_kind,
                "language" => t.filter_language,
                "year_from" => t.filter_year_from,
                _ => t.filter_year_to,
            };
            let rest: Vec<(&str, String)> = pairs.iter().filter(|(n, _)| n != name).cloned().collect();
            ActiveFilter { label: format!("{label}: {shown}"), remove_url: link("/cases", &rest) }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    t: &'static Catalog,
    case: Case,
    /// Peer cases from other regions, with their region's name.
    similar: Vec<(Hit, String)>,
}

const PEER_CASES: usize = 5;

pub async fn show(State(state): State<AppState>, ui: Ui, Path(slug): Path<String>) -> AppResult<Html<String>> {
    let slug = checked_slug(&slug)?;
    let case = state.store.published_case(slug).await?.ok_or(AppError::NotFound)?;
    // Peer cases help but are not the page: if search fails, the case still shows.
    let similar = match state.search.similar(slug, PEER_CASES).await {
        Ok(hits) if !hits.is_empty() => {
            let regions = state.store.regions().await?;
            hits.into_iter()
                .map(|hit| {
                    let name = name_of(&regions, &hit.region);
                    (hit, name)
                })
                .collect()
        }
        Ok(_) => Vec::new(),
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "peer cases unavailable");
            Vec::new()
        }
    };
    render(CasePage { chrome: Chrome::for_ui(&ui, case.summary.title.clone(), "cases"), t: ui.t, case, similar })
}
