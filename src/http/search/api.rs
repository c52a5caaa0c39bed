use std::collections::BTreeMap;

use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::{
        case::Kind,
        filter::FilterParams,
        region::{name_of, RegionRef},
        subject::DocType,
    },
    error::{AppError, AppResult},
    http::{
        extract::{Params, Ui},
        middleware::ErrorBody,
        search::params::{facet_groups, resolve, SearchParams},
        AppState,
    },
};

/// One match, in rank order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// `case`, `workshop`, `outcome` (a workshop's published outcomes), `commitment`,
    /// `thread` (a free-standing discussion) or `comment` (its `url` is the permalink).
    #[serde(rename = "type")]
    pub doc_type: DocType,
    /// A case's kind; absent for other types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// True for an example invented for peer learning: it does not describe real events.
    pub illustrative: bool,
    pub slug: String,
    pub url: String,
    pub title: String,
    /// The region (a workshop's first participating one); absent when none is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionRef>,
    #[schema(minimum = 1900, maximum = 2100)]
    pub year: i64,
    /// The passage that matched: escaped text with the matched words in `<b>`.
    pub snippet_html: String,
}

/// A facet value and how many results carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    /// Absent for a `type` kept in the other index, not counted: threads and comments are
    /// searched apart from cases, workshops, outcomes and commitments (ask with `type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<SearchResult>,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    /// Counts by `region`, `theme`, `type`, `language` and `year`.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// The query with misspelt words corrected, when any were.
    pub suggestion: Option<String>,
    /// Words the glossary knows, and the labels they were also searched as (empty with
    /// `expand=false`).
    pub expansions: Vec<ExpansionBody>,
}

/// Words of the query that name glossary concepts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpansionBody {
    /// The words as typed (corrected, when they were).
    pub typed: String,
    pub terms: Vec<ExpandedTermBody>,
}

/// A label the words were also searched as.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpandedTermBody {
    pub label: String,
    /// The concept's slug; its page is `/glossary/{concept}`.
    pub concept: String,
    pub concept_url: String,
    /// A label of a narrower concept (weighs less than a synonym).
    pub narrower: bool,
}

/// Full-text search over published cases, workshops, their published outcomes and the
/// commitments made there, in Spanish and English, with facets; with `type=thread` or
/// `type=comment`, over the discussions instead.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams, FilterParams),
    responses(
        (status = 200, description = "Results in rank order, with facets; any `q` is accepted", body = SearchResponse),
        (status = 400, description = "A query-string filter is not valid; the message names it", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    ui: Ui,
    Params(filters): Params<FilterParams>,
    Params(search): Params<SearchParams>,
) -> AppResult<Json<SearchResponse>> {
    let (regions, themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    let resolved = resolve(&filters, &search, &regions, &themes, true)?;
    let outcome = state.search.search(resolved.request.clone()).await.map_err(AppError::Internal)?.unwrap_or_default();
    let facets = facet_groups(&outcome.facets, &resolved, &regions, &themes, ui.t, ui.lang)
        .into_iter()
        .map(|group| {
            let values = group
                .values
                .into_iter()
                .map(|v| FacetCount { value: v.value, label: v.label, count: v.count })
                .collect();
            (group.name.to_string(), values)
        })
        .collect();
    let results = outcome
        .hits
        .into_iter()
        .map(|hit| SearchResult {
            region: (!hit.region.is_empty())
                .then(|| RegionRef { name: name_of(&regions, &hit.region), slug: hit.region }),
            url: format!("{}{}", state.public_url, hit.url),
            doc_type: hit.doc_type,
            kind: hit.kind,
            illustrative: hit.illustrative,
            slug: hit.slug,
            title: hit.title,
            year: hit.year,
            snippet_html: hit.snippet_html,
        })
        .collect();
    Ok(Json(SearchResponse {
        results,
        total: outcome.total,
        page: resolved.paging.page,
        per_page: resolved.paging.per_page,
        facets,
        suggestion: outcome.suggestion,
        expansions: outcome
            .expansions
            .into_iter()
            .map(|e| ExpansionBody {
                typed: e.typed,
                terms: e
                    .terms
                    .into_iter()
                    .map(|t| ExpandedTermBody {
                        concept_url: format!("{}/glossary/{}", state.public_url, t.concept),
                        label: t.label,
                        concept: t.concept,
                        narrower: t.narrower,
                    })
                    .collect(),
            })
            .collect(),
    }))
}
