//! What `/search` and `/api/v1/search` share: reading the query string, the filters typed
//! into the box, and facets with their labels and links.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    domain::{
        case::{Kind, Language},
        filter::{enum_value, FilterParams, Filters, Paging},
        limits::{MAX_YEAR, MIN_YEAR},
        region::{Level, Region},
        subject::DocType,
        theme::Theme,
        Lang,
    },
    error::AppResult,
    http::urls::link,
    i18n::Catalog,
    search::{
        query::{parse, TypedField},
        FacetCounts, Part, SearchRequest, Sort,
    },
};

/// What the search endpoints read besides the shared filters ([`FilterParams`]).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, "exact phrases", -excluded words and filters such as `region:cusco`.
    pub q: Option<String>,
    /// The kind of document: `case`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub doc_type: Option<String>,
    /// `national`, `regional` or `municipal`.
    pub level: Option<String>,
    /// `relevance` (the default) or `newest`.
    pub sort: Option<String>,
    /// `false` searches the words only as typed, without the glossary's synonyms,
    /// translations and narrower terms (`true`, the default).
    pub expand: Option<String>,
}

/// A search, checked and ready to run, with what the page needs to link back to it.
pub struct Resolved {
    pub request: SearchRequest,
    pub q: String,
    pub paging: Paging,
    /// The filters given in the query string (typed ones stay inside `q`).
    pub url_filters: Filters,
    /// Typed filters that named nothing, such as `region:atlantis`.
    pub ignored: Vec<String>,
}

impl Resolved {
    /// Query-string pairs for a link to this search with different filters.
    pub fn pairs_with(&self, filters: &Filters) -> Vec<(&'static str, String)> {
        self.pairs_for(&self.q, filters)
    }

    /// The same, for other words.
    pub fn pairs_for(&self, q: &str, filters: &Filters) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !q.is_empty() {
            pairs.push(("q", q.to_string()));
        }
        pairs.extend(filters.pairs());
        if self.request.sort == Sort::Newest {
            pairs.push(("sort", "newest".to_string()));
        }
        if !self.request.expand {
            pairs.push(("expand", "false".to_string()));
        }
        pairs
    }
}

/// Checks the query string (a bad value is a 400 naming it) and reads what was typed
/// (a bad typed filter is ignored and reported back).
pub fn resolve(
    params: &FilterParams,
    search: &SearchParams,
    regions: &[Region],
    themes: &[Theme],
    snippets: bool,
) -> AppResult<Resolved> {
    let (mut url_filters, paging) = params.validate()?;
    let paging = paging.within_reach()?;
    url_filters.check_refs(regions, themes)?;
    url_filters.doc_type = enum_value("type", &search.doc_type, DocType::parse)?;
    url_filters.level = enum_value("level", &search.level, Level::parse)?;
    let sort = enum_value("sort", &search.sort, |v| match v {
        "relevance" => Some(Sort::Relevance),
        "newest" => Some(Sort::Newest),
        _ => None,
    })?
    .unwrap_or_default();
    let expand = enum_value("expand", &search.expand, |v| match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    })?
    .unwrap_or(true);
    // The text itself is never an error; the parser bounds how much of it is read.
    let q = search.q.as_deref().unwrap_or_default().trim().to_string();
    let text = parse(&q);
    let mut filters = url_filters.clone();
    let mut ignored = Vec::new();
    for (field, value) in &text.filters {
        if !apply_typed(&mut filters, *field, value, regions, themes) {
            ignored.push(format!("{}:{}", field.name(), value));
        }
    }
    Ok(Resolved {
        request: SearchRequest { text, filters, sort, page: paging.page, per_page: paging.per_page, snippets, expand },
        q,
        paging,
        url_filters,
        ignored,
    })
}

/// Applies a filter typed into the box if its value names something; false otherwise.
fn apply_typed(f: &mut Filters, field: TypedField, value: &str, regions: &[Region], themes: &[Theme]) -> bool {
    fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
        let found = value.is_some();
        if found {
            *slot = value;
        }
        found
    }
    let known = |ok: bool| ok.then(|| value.to_string());
    match field {
        TypedField::Region => set(&mut f.region, known(regions.iter().any(|r| r.slug == value))),
        TypedField::Theme => set(&mut f.theme, known(themes.iter().any(|t| t.slug == value))),
        TypedField::Kind => set(&mut f.kind, Kind::parse(value)),
        TypedField::Language => set(&mut f.language, Language::parse(value)),
        TypedField::Type => set(&mut f.doc_type, DocType::parse(value)),
        TypedField::Level => set(&mut f.level, Level::parse(value)),
        TypedField::Year => match value.parse::<i32>() {
            Ok(year) if (MIN_YEAR..=MAX_YEAR).contains(&year) => {
                f.year_from = Some(year);
                f.year_to = Some(year);
                true
            }
            _ => false,
        },
    }
}

/// One value of a facet, as people see it.
pub struct FacetValue {
    pub value: String,
    pub label: String,
    /// `None` for a type kept in the other index: counting it would cost a second search.
    pub count: Option<u64>,
    pub active: bool,
    /// Applies this value, or removes it when it is active.
    pub toggle_url: String,
}

pub struct FacetGroup {
    /// The query-string parameter, and the JSON key.
    pub name: &'static str,
    pub title: &'static str,
    pub values: Vec<FacetValue>,
}

/// Facets with labels in the reader's language and links that apply or remove them.
pub fn facet_groups(
    counts: &FacetCounts,
    resolved: &Resolved,
    regions: &[Region],
    themes: &[Theme],
    t: &Catalog,
    lang: Lang,
) -> Vec<FacetGroup> {
    let base = &resolved.url_filters;
    let group = |name: &'static str,
                 title: &'static str,
                 counts: &[(String, u64)],
                 label: &dyn Fn(&str) -> Option<String>,
                 current: Option<String>,
                 set: &dyn Fn(&mut Filters, Option<String>)| {
        let values = counts
            .iter()
            .filter_map(|(value, count)| {
                let label = label(value)?;
                let active = current.as_deref() == Some(value.as_str());
                let mut next = base.clone();
                set(&mut next, (!active).then(|| value.clone()));
                Some(FacetValue {
                    value: value.clone(),
                    label,
                    count: Some(*count),
                    active,
                    toggle_url: link("/search", &resolved.pairs_with(&next)),
                })
            })
            .collect();
        FacetGroup { name, title, values }
    };
    let region_label =
        |slug: &str| regions.iter().find(|r| r.slug == slug && r.level != Level::National).map(|r| r.name.clone());
    let theme_label = |slug: &str| themes.iter().find(|th| th.slug == slug).map(|th| th.name(&lang).to_string());
    let type_label = |value: &str| DocType::parse(value).map(|doc_type| t.doc_type(&doc_type).to_string());
    let language_label = |value: &str| Language::parse(value).map(|l| t.language(&l).to_string());
    let year_label = |value: &str| Some(value.to_string());
    let year_value = base.year_from.filter(|_| base.year_from == base.year_to);
    let mut years = counts.year.clone();
    years.sort_by(|a, b| b.0.cmp(&a.0));
    let mut types = group(
        "type",
        t.search.facet_type,
        &counts.doc_type,
        &type_label,
        base.doc_type.map(|d| d.to_string()),
        &|f, v| f.doc_type = v.as_deref().and_then(DocType::parse),
    );
    // The types of the index not searched are offered too, without a count.
    let searched = base.doc_type.map_or(Part::Documents, Part::of);
    for part in Part::ALL.into_iter().filter(|p| *p != searched) {
        types.values.extend(part.types().iter().map(|doc_type| FacetValue {
            value: doc_type.to_string(),
            label: t.doc_type(doc_type).to_string(),
            count: None,
            active: false,
            toggle_url: link("/search", &resolved.pairs_with(&Filters { doc_type: Some(*doc_type), ..base.clone() })),
        }));
    }
    vec![
        group("region", t.cases.filter_region, &counts.region, &region_label, base.region.clone(), &|f, v| {
            f.region = v
        }),
        group("theme", t.cases.filter_theme, &counts.theme, &theme_label, base.theme.clone(), &|f, v| f.theme = v),
        types,
        group(
            "language",
            t.cases.filter_language,
            &counts.language,
            &language_label,
            base.language.map(|l| l.to_string()),
            &|f, v| f.language = v.as_deref().and_then(Language::parse),
        ),
        group("year", t.cases.case_year, &years, &year_label, year_value.map(|y| y.to_string()), &|f, v| {
            let year = v.and_then(|y| y.parse().ok());
            f.year_from = year;
            f.year_to = year;
        }),
    ]
}
