//! Reading concepts: all of them at once (about a thousand rows, one query), one by slug,
//! and a concept's revisions.

use sqlx::{types::Json, FromRow, PgConnection};
use time::OffsetDateTime;

use crate::{
    domain::glossary::{Concept, Domain},
    error::AppResult,
    store::Store,
};

/// A concept as stored, with what the files and forms do not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConcept {
    pub id: i64,
    pub concept: Concept,
    pub retired: bool,
    /// The concept a merged one went into.
    pub replaced_by: Option<String>,
    pub revision: i32,
    pub updated_at: OffsetDateTime,
    /// Concepts that name this one as related (a relation is written on one side; `concept.related` holds this one's own).
    pub related_inbound: Vec<String>,
}

impl StoredConcept {
    /// Related concepts, whichever side wrote the relation.
    pub fn all_related(&self) -> Vec<String> {
        let mut all: Vec<String> = self.concept.related.iter().chain(&self.related_inbound).cloned().collect();
        all.sort();
        all.dedup();
        all
    }
}

#[derive(FromRow)]
struct ConceptRow {
    id: i64,
    slug: String,
    domain: String,
    pref_es: String,
    pref_en: String,
    alt_es: Vec<String>,
    alt_en: Vec<String>,
    acronyms: Vec<String>,
    hidden_es: Vec<String>,
    hidden_en: Vec<String>,
    definition_es: String,
    definition_en: String,
    scope_note_es: String,
    scope_note_en: String,
    legal_basis: String,
    unverified: bool,
    retired: bool,
    replaced_by: Option<String>,
    revision: i32,
    updated_at: OffsetDateTime,
    broader: Vec<String>,
    related: Vec<String>,
    related_inbound: Vec<String>,
}

impl From<ConceptRow> for StoredConcept {
    fn from(row: ConceptRow) -> Self {
        StoredConcept {
            id: row.id,
            concept: Concept {
                slug: row.slug,
                domain: Domain::parse(&row.domain),
                pref_es: row.pref_es,
                pref_en: row.pref_en,
                alt_es: row.alt_es,
                alt_en: row.alt_en,
                acronyms: row.acronyms,
                hidden_es: row.hidden_es,
                hidden_en: row.hidden_en,
                definition_es: row.definition_es,
                definition_en: row.definition_en,
                scope_note_es: row.scope_note_es,
                scope_note_en: row.scope_note_en,
                broader: row.broader,
                related: row.related,
                legal_basis: row.legal_basis,
                unverified: row.unverified,
            },
            retired: row.retired,
            replaced_by: row.replaced_by,
            revision: row.revision,
            updated_at: row.updated_at,
            related_inbound: row.related_inbound,
        }
    }
}

/// A concept's links are the rows it owns (so an edit changes no other concept); related
/// links written by other concepts are read beside them.
const SELECT: &str = "
    select c.id, c.slug, c.domain, c.pref_es, c.pref_en, c.alt_es, c.alt_en, c.acronyms, c.hidden_es,
           c.hidden_en, c.definition_es, c.definition_en, c.scope_note_es, c.scope_note_en, c.legal_basis,
           c.unverified, c.retired_at is not null as retired, r.slug as replaced_by, c.revision, c.updated_at,
           array(select t.slug from concept_links l join concepts t on t.id = l.target_id
                 where l.concept_id = c.id and l.relation = 'broader' order by t.slug) as broader,
           array(select t.slug from concept_links l join concepts t on t.id = l.target_id
                 where l.concept_id = c.id and l.relation = 'related' order by t.slug) as related,
           array(select t.slug from concept_links l join concepts t on t.id = l.concept_id
                 where l.target_id = c.id and l.relation = 'related' order by t.slug) as related_inbound
    from concepts c left join concepts r on r.id = c.replaced_by";

/// Every concept, retired ones too, by slug.
pub(super) async fn all(conn: &mut PgConnection) -> Result<Vec<StoredConcept>, sqlx::Error> {
    let rows: Vec<ConceptRow> = sqlx::query_as(&format!("{SELECT} order by c.slug")).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(StoredConcept::from).collect())
}

pub(super) async fn one(conn: &mut PgConnection, slug: &str) -> Result<Option<StoredConcept>, sqlx::Error> {
    let row: Option<ConceptRow> =
        sqlx::query_as(&format!("{SELECT} where c.slug = $1")).bind(slug).fetch_optional(&mut *conn).await?;
    Ok(row.map(StoredConcept::from))
}

/// One state of a concept, as its history lists it.
#[derive(Debug, Clone)]
pub struct ConceptRevision {
    /// The row's id: the recent-changes page pages on it.
    pub id: i64,
    pub revision: i32,
    pub action: String,
    pub concept: Concept,
    pub retired: bool,
    pub actor_name: Option<String>,
    pub note: String,
    pub at: OffsetDateTime,
    /// The concept's slug (the recent-changes page lists several concepts).
    pub slug: String,
    /// The state before this one, to say what changed.
    pub previous: Option<Concept>,
}

#[derive(FromRow)]
struct RevisionRow {
    id: i64,
    revision: i32,
    action: String,
    snapshot: Json<Concept>,
    retired: bool,
    actor_name: Option<String>,
    note: String,
    at: OffsetDateTime,
    slug: String,
    previous: Option<Json<Concept>>,
}

impl From<RevisionRow> for ConceptRevision {
    fn from(row: RevisionRow) -> Self {
        ConceptRevision {
            id: row.id,
            revision: row.revision,
            action: row.action,
            concept: row.snapshot.0,
            retired: row.retired,
            actor_name: row.actor_name,
            note: row.note,
            at: row.at,
            slug: row.slug,
            previous: row.previous.map(|p| p.0),
        }
    }
}

const SELECT_REVISIONS: &str = "
    select v.id, v.revision, v.action, v.snapshot, v.retired, u.display_name as actor_name, v.note, v.at, c.slug,
           (select p.snapshot from concept_revisions p where p.concept_id = v.concept_id and p.revision < v.revision
            order by p.revision desc limit 1) as previous
    from concept_revisions v join concepts c on c.id = v.concept_id left join users u on u.id = v.actor_id";

impl Store {
    /// Every concept, retired ones too.
    pub async fn glossary(&self) -> AppResult<Vec<StoredConcept>> {
        let mut conn = self.pool.acquire().await?;
        Ok(all(&mut conn).await?)
    }

    pub async fn concept(&self, slug: &str) -> AppResult<Option<StoredConcept>> {
        let mut conn = self.pool.acquire().await?;
        Ok(one(&mut conn, slug).await?)
    }

    /// A concept's revisions, newest first.
    pub async fn concept_history(&self, slug: &str) -> AppResult<Vec<ConceptRevision>> {
        let rows: Vec<RevisionRow> =
            sqlx::query_as(&format!("{SELECT_REVISIONS} where c.slug = $1 order by v.revision desc"))
                .bind(slug)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(ConceptRevision::from).collect())
    }

    /// The glossary's latest edits, newest first, at most `limit`, before the revision row
    /// `before` when given.
    pub async fn glossary_changes(&self, limit: i64, before: Option<i64>) -> AppResult<Vec<ConceptRevision>> {
        let rows: Vec<RevisionRow> = sqlx::query_as(&format!(
            "{SELECT_REVISIONS} where $2::bigint is null or v.id < $2 order by v.id desc limit $1"
        ))
        .bind(limit)
        .bind(before)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(ConceptRevision::from).collect())
    }
}
