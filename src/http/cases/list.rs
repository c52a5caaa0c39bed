//! `/cases`: the published library, filtered and paged.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    domain::{
        case::{CaseSummary, Kind, Language},
        filter::{FilterParams, Filters, Paging, DEFAULT_PER_PAGE},
        limits::{MAX_YEAR, MIN_YEAR},
        region::Region,
        theme::{sort_by_name, Theme},
        BadParam, ParamProblem,
    },
    error::AppResult,
    http::{
        extract::{Params, Ui},
        urls::{link, without_empty_params},
        views::{option, region_options, render, ActiveFilter, Chrome, FormErrors, Pager, SelectOption},
        AppState,
    },
    i18n::{fill, Catalog},
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
    illustrative_options: Vec<SelectOption>,
    year_from: String,
    year_to: String,
    /// A year typed wrong: the form shows it with an error summary.
    errors: FormErrors,
}

/// `/cases`. Years given wrong (not numbers, out of range, in the wrong order) are shown
/// in the filter form with an error summary, with status 400 and the years left out of the
/// list; any other bad parameter is the plain 400 page.
pub async fn list(State(state): State<AppState>, ui: Ui, Params(query): Params<FilterParams>) -> AppResult<Response> {
    if let Some(clean) = without_empty_params(&ui.here) {
        return Ok(Redirect::to(&clean).into_response());
    }
    let t = ui.t;
    let mut errors = FormErrors::default();
    let (filter, paging) = match query.validate() {
        Err(BadParam { param, problem }) if param == "year_from" || param == "year_to" => {
            let (field, label) = if param == "year_from" {
                ("f-year-from", t.cases.filter_year_from)
            } else {
                ("f-year-to", t.cases.filter_year_to)
            };
            let message = match problem {
                ParamProblem::BeforeYearFrom => t.cases.cases_year_order.to_string(),
                _ => fill(t.cases.cases_year_invalid, &[("label", &label), ("min", &MIN_YEAR), ("max", &MAX_YEAR)]),
            };
            errors.add(field, message);
            FilterParams { year_from: None, year_to: None, ..query.clone() }.validate()?
        }
        other => other?,
    };
    // Pages always show 20; `per_page` is for the JSON API.
    let paging = Paging { per_page: DEFAULT_PER_PAGE, ..paging }.within_reach()?;
    let (regions, mut themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    filter.check_refs(&regions, &themes)?;
    let (cases, total) = state.store.list_cases(&filter, paging, None).await?;
    sort_by_name(&mut themes, ui.lang);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let typed = |value: &Option<String>| value.clone().unwrap_or_default();
    let page = render(CasesPage {
        chrome: Chrome::for_ui(&ui, t.cases.cases_title, "cases"),
        t,
        total,
        active: active_filters(t, &filter, &regions, &themes, &ui),
        pager: Pager::filtered(t, "/cases", filter.pairs(), paging, total),
        region_options: region_options(&regions, filter.region.as_deref()),
        theme_options: themes.iter().map(|th| option(&th.slug, th.name(&ui.lang), filter.theme.as_deref())).collect(),
        kind_options: Kind::ALL.iter().map(|k| option(k.as_str(), t.kind(k), filter.kind.map(Kind::as_str))).collect(),
        language_options: Language::ALL
            .iter()
            .map(|l| option(l.as_str(), t.language(l), filter.language.map(Language::as_str)))
            .collect(),
        illustrative_options: [("false", t.cases.filter_facts_only), ("true", t.cases.filter_illustrative_only)]
            .into_iter()
            .map(|(value, label)| option(value, label, filter.illustrative.map(|b| if b { "true" } else { "false" })))
            .collect(),
        year_from: typed(&query.year_from),
        year_to: typed(&query.year_to),
        errors,
        cases,
    })?;
    Ok((status, page).into_response())
}

/// Each filter in force, labelled for people, with a link to the list without it.
fn active_filters(t: &Catalog, filter: &Filters, regions: &[Region], themes: &[Theme], ui: &Ui) -> Vec<ActiveFilter> {
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
                "illustrative" if value == "true" => t.cases.filter_illustrative_only.to_string(),
                "illustrative" => t.cases.filter_facts_only.to_string(),
                _ => value.clone(),
            };
            let label = match *name {
                "region" => t.cases.filter_region,
                "theme" => t.cases.filter_theme,
                "kind" => t.cases.filter_kind,
                "language" => t.cases.filter_language,
                "illustrative" => t.cases.filter_illustrative,
                "year_from" => t.cases.filter_year_from,
                _ => t.cases.filter_year_to,
            };
            let rest: Vec<(&str, String)> = pairs.iter().filter(|(n, _)| n != name).cloned().collect();
            ActiveFilter { label: format!("{label}: {shown}"), remove_url: link("/cases", &rest) }
        })
        .collect()
}
