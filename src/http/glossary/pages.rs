//! Reading the glossary: `/glossary`, A to Z a letter at a time, with a search box and a
//! filter by domain; and each concept's page in both languages, with the published cases
//! that use it.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    domain::{
        filter::Filters,
        glossary::{fold, Concept, Domain},
        permission::{may, Glossary, GlossaryAction},
        subject::DocType,
        Lang, ParamProblem,
    },
    error::{AppError, AppResult},
    http::{
        extract::{Params, Ui},
        urls::link,
        views::{option, render, Chrome, SelectOption},
        AppState,
    },
    i18n::{done::GlossaryDone, Catalog},
    search::{query::parse, thesaurus::Entry, Hit, SearchRequest, Sort},
};

/// Cases a concept's page lists.
const CASES_SHOWN: u32 = 5;
/// The longest glossary search read.
const MAX_QUERY_CHARS: usize = 100;

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    q: Option<String>,
    domain: Option<String>,
    letter: Option<String>,
}

/// A concept as the list shows it.
pub(super) struct Listed {
    pub slug: String,
    /// In the reader's language, then in the other.
    pub label: String,
    pub other: String,
    pub acronyms: String,
    pub unverified: bool,
}

#[derive(Template)]
#[template(path = "glossary.html")]
struct IndexPage {
    chrome: Chrome,
    t: &'static Catalog,
    q: String,
    domain_options: Vec<SelectOption>,
    /// Each letter, with its link, and whether it is the one shown.
    letters: Vec<(String, String, bool)>,
    /// The concepts shown: one letter's, or those the search and filter found.
    concepts: Vec<Listed>,
    count: usize,
    can_edit: bool,
    filtered: bool,
}

/// The first letter a label is filed under: A to Z, or `#`.
fn letter_of(label: &str) -> String {
    match fold(label).chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        _ => "#".to_string(),
    }
}

fn labels_in(lang: Lang, concept: &Concept) -> (&str, &str) {
    match lang {
        Lang::Es => (&concept.pref_es, &concept.pref_en),
        Lang::En => (&concept.pref_en, &concept.pref_es),
    }
}

fn listed(lang: Lang, entry: &Entry) -> Listed {
    let c = &entry.concept;
    let (label, other) = labels_in(lang, c);
    Listed {
        slug: c.slug.clone(),
        label: label.to_string(),
        other: other.to_string(),
        acronyms: c.acronyms.join(", "),
        unverified: c.unverified,
    }
}

/// Whether any of the concept's labels, hidden ones too, holds the folded query.
fn matches(concept: &Concept, folded: &str) -> bool {
    concept.matched_labels().any(|label| fold(label).contains(folded))
}

pub async fn index(State(state): State<AppState>, ui: Ui, Params(query): Params<IndexQuery>) -> AppResult<Response> {
    let t = ui.t;
    let q: String = query.q.unwrap_or_default().trim().chars().take(MAX_QUERY_CHARS).collect();
    let domain = match query.domain.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(Domain::parse(d).ok_or_else(|| AppError::bad_param("domain", ParamProblem::UnknownValue))?),
    };
    let thesaurus = state.search.thesaurus();
    // An acronym finds the concepts it stands for, not every label that holds its letters
    // («PAC», not «capacidad»); other words, every label that holds them.
    let is_acronym = thesaurus.entries.iter().any(|e| e.concept.acronyms.iter().any(|a| a.eq_ignore_ascii_case(&q)));
    let found = |e: &&Entry| match (q.is_empty(), is_acronym) {
        (true, _) => true,
        (false, true) => e.concept.acronyms.iter().any(|a| a.eq_ignore_ascii_case(&q)),
        (false, false) => matches(&e.concept, &fold(&q)),
    };
    let mut all: Vec<Listed> = thesaurus
        .entries
        .iter()
        .filter(|e| domain.is_none_or(|d| e.concept.domain == Some(d)))
        .filter(found)
        .map(|e| listed(ui.lang, e))
        .collect();
    all.sort_by_cached_key(|l| fold(&l.label));
    let filtered = !q.is_empty() || domain.is_some();
    let mut letters: Vec<String> = all.iter().map(|l| letter_of(&l.label)).collect();
    letters.dedup();
    // Unfiltered, the list is long: one letter at a time keeps the page light.
    let shown_letter = (!filtered).then(|| {
        query
            .letter
            .as_deref()
            .map(str::to_uppercase)
            .filter(|l| letters.contains(l))
            .or_else(|| letters.first().cloned())
    });
    let shown_letter = shown_letter.flatten();
    let concepts: Vec<Listed> = match &shown_letter {
        Some(letter) => all.into_iter().filter(|l| letter_of(&l.label) == *letter).collect(),
        None => all,
    };
    let mut domain_options: Vec<SelectOption> =
        Domain::ALL.iter().map(|d| option(d.as_str(), t.domain_name(d), domain.map(|d| d.as_str()))).collect();
    domain_options.sort_by_cached_key(|o| fold(&o.label));
    let page = IndexPage {
        chrome: Chrome::for_ui(&ui, t.glossary.glossary_title, "glossary"),
        t,
        letters: letters
            .into_iter()
            .map(|l| {
                let current = shown_letter.as_deref() == Some(l.as_str());
                (l.clone(), link("/glossary", &[("letter", l)]), current)
            })
            .collect(),
        count: concepts.len(),
        concepts,
        q,
        domain_options,
        can_edit: may(ui.viewer.user.as_deref(), GlossaryAction::Edit, &Glossary),
        filtered,
    };
    Ok(render(page)?.into_response())
}

/// A linked concept: its slug and its label in the reader's language.
pub(super) struct LinkView {
    pub slug: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "concept.html")]
struct ConceptPage {
    chrome: Chrome,
    t: &'static Catalog,
    c: Concept,
    domain_name: &'static str,
    uri: String,
    retired: bool,
    replaced_by: Option<LinkView>,
    broader: Vec<LinkView>,
    narrower: Vec<LinkView>,
    related: Vec<LinkView>,
    cases: Vec<Hit>,
    all_results: String,
    can_edit: bool,
    done: Option<GlossaryDone>,
}

#[derive(Deserialize, Default)]
pub struct ConceptQuery {
    done: Option<String>,
}

pub async fn concept(
    State(state): State<AppState>,
    ui: Ui,
    Path(slug): Path<String>,
    Params(query): Params<ConceptQuery>,
) -> AppResult<Response> {
    let stored = state.store.concept(&slug).await?.ok_or(AppError::NotFound)?;
    let t = ui.t;
    let thesaurus = state.search.thesaurus();
    let view = |slug: &String| LinkView {
        slug: slug.clone(),
        label: thesaurus.get(slug).map_or_else(|| slug.clone(), |e| labels_in(ui.lang, &e.concept).0.to_string()),
    };
    let narrower = thesaurus
        .get(&slug)
        .map(|e| e.narrower.iter().map(|i| view(&thesaurus.entries[*i].concept.slug)).collect())
        .unwrap_or_default();
    let related: Vec<LinkView> = stored.all_related().iter().map(view).collect();
    let c = stored.concept;
    // The cases that use the concept are what a search for it finds.
    let request = SearchRequest {
        text: parse(&c.pref_es),
        filters: Filters { doc_type: Some(DocType::Case), ..Filters::default() },
        sort: Sort::Relevance,
        page: 1,
        per_page: CASES_SHOWN,
        snippets: false,
        expand: !stored.retired,
    };
    let cases = state.search.search(request).await.map_err(AppError::Internal)?.map(|o| o.hits).unwrap_or_default();
    let page = ConceptPage {
        chrome: Chrome::for_ui(&ui, labels_in(ui.lang, &c).0.to_string(), "glossary").about(
            match ui.lang {
                Lang::Es => c.definition_es.clone(),
                Lang::En => c.definition_en.clone(),
            },
            "article",
        ),
        t,
        domain_name: c.domain.as_ref().map_or("", |d| t.domain_name(d)),
        uri: format!("{}/glossary/{}", state.public_url, c.slug),
        retired: stored.retired,
        replaced_by: stored.replaced_by.as_ref().map(view),
        broader: c.broader.iter().map(view).collect(),
        narrower,
        related,
        cases,
        all_results: link("/search", &[("q", c.pref_es.clone()), ("type", DocType::Case.as_str().to_string())]),
        can_edit: may(ui.viewer.user.as_deref(), GlossaryAction::Edit, &Glossary),
        done: query.done.as_deref().and_then(GlossaryDone::parse),
        c,
    };
    Ok(render(page)?.into_response())
}
