//! The glossary in JSON: every concept with its labels, definitions and links, a page at a
//! time, and one concept by its slug. Retired concepts are listed too (marked, with the
//! concept that replaced a merged one), so that others who reuse the vocabulary can follow.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    Json,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::{
    domain::{
        filter::Paging,
        glossary::{self, fold, Domain},
        ParamProblem,
    },
    error::{AppError, AppResult},
    http::{extract::Params, middleware::ErrorBody, AppState},
    store::glossary::StoredConcept,
};

/// A text in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bilingual<T> {
    pub es: T,
    pub en: T,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConceptBody {
    pub slug: String,
    /// The concept's stable URI (its page), as in the SKOS export.
    pub uri: String,
    pub domain: Option<Domain>,
    pub pref_label: Bilingual<String>,
    /// Synonyms, spelled-out forms, colloquial terms.
    pub alt_labels: Bilingual<Vec<String>>,
    pub acronyms: Vec<String>,
    /// Common misspellings, which search recognises.
    pub hidden_labels: Bilingual<Vec<String>>,
    pub definition: Bilingual<String>,
    /// Where Peruvian usage differs; empty when it does not.
    pub scope_note: Bilingual<String>,
    /// Slugs; related ones whichever concept named the other.
    pub broader: Vec<String>,
    pub narrower: Vec<String>,
    pub related: Vec<String>,
    pub legal_basis: String,
    /// Its author was not sure of the definition or the legal basis.
    pub unverified: bool,
    /// No longer used by search.
    pub retired: bool,
    /// The concept a merged one went into.
    pub replaced_by: Option<String>,
    pub revision: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl ConceptBody {
    fn of(base: &str, stored: StoredConcept, narrower: &HashMap<String, Vec<String>>) -> ConceptBody {
        let related = stored.all_related();
        let c = stored.concept;
        ConceptBody {
            uri: format!("{base}/glossary/{}", c.slug),
            narrower: narrower.get(&c.slug).cloned().unwrap_or_default(),
            slug: c.slug,
            domain: c.domain,
            pref_label: Bilingual { es: c.pref_es, en: c.pref_en },
            alt_labels: Bilingual { es: c.alt_es, en: c.alt_en },
            acronyms: c.acronyms,
            hidden_labels: Bilingual { es: c.hidden_es, en: c.hidden_en },
            definition: Bilingual { es: c.definition_es, en: c.definition_en },
            scope_note: Bilingual { es: c.scope_note_es, en: c.scope_note_en },
            broader: c.broader,
            related,
            legal_basis: c.legal_basis,
            unverified: c.unverified,
            retired: stored.retired,
            replaced_by: stored.replaced_by,
            revision: stored.revision,
            updated_at: stored.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConceptList {
    /// By slug.
    pub concepts: Vec<ConceptBody>,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GlossaryQuery {
    /// Concepts with a label (any kind, either language) holding these words.
    pub q: Option<String>,
    /// One of the domains: `procurement`, `budget`, `tax`, `internal-control`, `integrity`,
    /// `transparency`, `participation`, `human-resources`, `public-works`,
    /// `social-programmes`, `institutions`.
    pub domain: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Concepts per page, 1 to 100.
    pub per_page: Option<String>,
}

/// Narrower concepts by slug, among those in use.
fn narrower_of(all: &[StoredConcept]) -> HashMap<String, Vec<String>> {
    let active: Vec<glossary::Concept> = all.iter().filter(|c| !c.retired).map(|c| c.concept.clone()).collect();
    glossary::narrower(&active)
}

/// The glossary's concepts, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/glossary",
    tag = "glossary",
    params(GlossaryQuery),
    responses(
        (status = 200, description = "A page of concepts, by slug", body = ConceptList),
        (status = 400, description = "A parameter is not valid; the message names it", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, Params(query): Params<GlossaryQuery>) -> AppResult<Json<ConceptList>> {
    let paging = Paging::parse(&query.page, &query.per_page)?.within_reach()?;
    let domain = match query.domain.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(Domain::parse(d).ok_or_else(|| AppError::bad_param("domain", ParamProblem::UnknownValue))?),
    };
    let q = fold(query.q.as_deref().unwrap_or_default());
    let all = state.store.glossary().await?;
    let narrower = narrower_of(&all);
    let found: Vec<StoredConcept> = all
        .into_iter()
        .filter(|c| domain.is_none_or(|d| c.concept.domain == Some(d)))
        .filter(|c| q.is_empty() || c.concept.matched_labels().any(|l| fold(l).contains(&q)))
        .collect();
    let total = found.len();
    let concepts = found
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .map(|c| ConceptBody::of(&state.public_url, c, &narrower))
        .collect();
    Ok(Json(ConceptList { concepts, total, page: paging.page, per_page: paging.per_page }))
}

/// One concept, retired or not.
#[utoipa::path(
    get,
    path = "/api/v1/glossary/{slug}",
    tag = "glossary",
    params(("slug" = String, Path, description = "The concept's slug")),
    responses(
        (status = 200, description = "The concept", body = ConceptBody),
        (status = 404, description = "No concept has this slug", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    )
)]
pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Json<ConceptBody>> {
    let all = state.store.glossary().await?;
    let narrower = narrower_of(&all);
    let stored = all.into_iter().find(|c| c.concept.slug == slug).ok_or(AppError::NotFound)?;
    Ok(Json(ConceptBody::of(&state.public_url, stored, &narrower)))
}
