use askama::Template;
use axum::{extract::State, response::Html};

use crate::{
    domain::{
        filter::{FilterParams, Filters},
        region::{name_of, Region},
        theme::Theme,
    },
    error::{AppError, AppResult},
    http::{
        extract::{Params, Ui},
        search::params::{facet_groups, resolve, FacetGroup, Resolved, SearchParams},
        urls::link,
        views::{render, ActiveFilter, Chrome, Pager},
        AppState,
    },
    i18n::{fill, Catalog},
    search::{Hit, Sort},
};

/// A result as listed.
struct ResultView {
    hit: Hit,
    region_name: String,
    /// «Caso» or «Experiencia exitosa» for a case; «Taller», «Resultados de taller» or
    /// «Compromiso» for the others.
    kind_label: &'static str,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    t: &'static Catalog,
    q: String,
    newest: bool,
    /// The query-string filters, kept when the form is sent again.
    hidden: Vec<(&'static str, String)>,
    active: Vec<ActiveFilter>,
    ignored: Vec<String>,
    building: bool,
    searched: bool,
    results: Vec<ResultView>,
    total: usize,
    facets: Vec<FacetGroup>,
    has_facets: bool,
    suggestion: Option<(String, String)>,
    /// The glossary's labels the words were also searched as, each with its concept's page.
    expansions: Vec<(String, String)>,
    /// The same search without the glossary, when it added something.
    without_glossary: Option<String>,
    /// The same search with the glossary, when it was turned off.
    with_glossary: Option<String>,
    without_filters: Option<String>,
    pager: Pager,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    Params(filters): Params<FilterParams>,
    Params(search): Params<SearchParams>,
) -> AppResult<Html<String>> {
    let (regions, themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    let resolved = resolve(&filters, &search, &regions, &themes, true)?;
    let outcome = state.search.search(resolved.request.clone()).await.map_err(AppError::Internal)?;
    let building = outcome.is_none();
    let outcome = outcome.unwrap_or_default();
    let t = ui.t;
    let filters = &resolved.url_filters;
    let searched = !resolved.request.text.is_empty() || !filters.is_empty();
    let title = if resolved.q.is_empty() {
        t.search.search_title.to_string()
    } else {
        fill(t.search.search_title_for, &[("q", &resolved.q)])
    };
    let suggestion = outcome.suggestion.clone().map(|s| {
        let url = link("/search", &resolved.pairs_for(&s, filters));
        (s, url)
    });
    let expansions: Vec<(String, String)> = outcome
        .expansions
        .iter()
        .flat_map(|e| e.terms.iter().map(|term| (term.label.clone(), format!("/glossary/{}", term.concept))))
        .collect();
    let without_glossary = (!expansions.is_empty()).then(|| {
        let mut pairs = resolved.pairs_with(filters);
        pairs.push(("expand", "false".to_string()));
        link("/search", &pairs)
    });
    let with_glossary = (!resolved.request.expand && resolved.request.text.has_text()).then(|| {
        let pairs: Vec<_> = resolved.pairs_with(filters).into_iter().filter(|(k, _)| *k != "expand").collect();
        link("/search", &pairs)
    });
    let without_filters = (outcome.total == 0 && !filters.is_empty() && !resolved.q.is_empty())
        .then(|| link("/search", &[("q", resolved.q.clone())]));
    let paging = resolved.paging;
    let facets = facet_groups(&outcome.facets, &resolved, &regions, &themes, t, ui.lang);
    let pager = Pager::filtered(t, "/search", resolved.pairs_with(filters), paging, outcome.total as i64);
    let mut chrome = Chrome::for_ui(&ui, title, "search");
    chrome.search_q = resolved.q.clone();
    render(SearchPage {
        chrome,
        t,
        newest: resolved.request.sort == Sort::Newest,
        hidden: resolved.pairs_with(filters).into_iter().filter(|(k, _)| *k != "q" && *k != "sort").collect(),
        active: active_filters(&resolved, &regions, &themes, &ui),
        ignored: resolved.ignored.clone(),
        building,
        searched,
        total: outcome.total,
        has_facets: facets.iter().any(|g| !g.values.is_empty()),
        facets,
        results: outcome
            .hits
            .into_iter()
            .map(|hit| ResultView {
                region_name: name_of(&regions, &hit.region),
                kind_label: hit.kind.map_or_else(|| ui.t.doc_type(&hit.doc_type), |kind| ui.t.kind(&kind)),
                hit,
            })
            .collect(),
        suggestion,
        expansions,
        without_glossary,
        with_glossary,
        without_filters,
        pager,
        q: resolved.q,
    })
}

/// Each query-string filter in force, with a link to the search without it.
fn active_filters(resolved: &Resolved, regions: &[Region], themes: &[Theme], ui: &Ui) -> Vec<ActiveFilter> {
    let t = ui.t;
    let f = &resolved.url_filters;
    let mut active = Vec::new();
    let mut add = |label: &str, shown: String, without: Filters| {
        active.push(ActiveFilter {
            label: format!("{label}: {shown}"),
            remove_url: link("/search", &resolved.pairs_with(&without)),
        });
    };
    if let Some(v) = &f.region {
        add(t.cases.filter_region, name_of(regions, v), Filters { region: None, ..f.clone() });
    }
    if let Some(v) = &f.theme {
        let name = themes.iter().find(|th| &th.slug == v).map_or(v.clone(), |th| th.name(&ui.lang).to_string());
        add(t.cases.filter_theme, name, Filters { theme: None, ..f.clone() });
    }
    if let Some(kind) = &f.kind {
        add(t.cases.filter_kind, t.kind(kind).to_string(), Filters { kind: None, ..f.clone() });
    }
    if let Some(language) = &f.language {
        add(t.cases.filter_language, t.language(language).to_string(), Filters { language: None, ..f.clone() });
    }
    if let Some(doc_type) = &f.doc_type {
        add(t.search.facet_type, t.doc_type(doc_type).to_string(), Filters { doc_type: None, ..f.clone() });
    }
    if let Some(level) = &f.level {
        add(t.browse.region_level, t.level(level).to_string(), Filters { level: None, ..f.clone() });
    }
    if let Some(y) = f.year_from {
        add(t.cases.filter_year_from, y.to_string(), Filters { year_from: None, ..f.clone() });
    }
    if let Some(y) = f.year_to {
        add(t.cases.filter_year_to, y.to_string(), Filters { year_to: None, ..f.clone() });
    }
    active
}
