//! Edits made in the app: create, edit, merge, retire and revert. Each is one transaction
//! under the glossary's lock, keeps a revision with the concept's whole new state, writes
//! the audit log, and is checked against the whole glossary before it commits, so a clash
//! (a preferred label taken, a broader cycle) is refused with the fields to mend.

use sqlx::{types::Json, PgConnection};

use super::{
    import::{insert_links, whole_glossary_problems},
    read::{self, StoredConcept},
    GLOSSARY_LOCK,
};
use crate::{
    domain::{
        glossary::{Concept, Problem},
        subject::{AuditAction, AuditDetails, AuditRecord},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    store::{audit::audit, Store},
};

/// Fields that exist on the concept form; a problem elsewhere is shown on the nearest.
fn form_field(field: &'static str) -> &'static str {
    match field {
        "hidden_es" | "hidden_en" | "acronyms" | "alt_es" | "alt_en" | "broader" | "related" | "slug" | "domain"
        | "pref_es" | "pref_en" | "definition_es" | "definition_en" | "scope_note_es" | "scope_note_en"
        | "legal_basis" => field,
        _ => "slug",
    }
}

fn invalid(problems: Vec<Problem>) -> AppError {
    let mut fields: Vec<FieldError> = Vec::new();
    for p in problems {
        let error = FieldError { field: form_field(p.field), problem: p.kind };
        if !fields.contains(&error) {
            fields.push(error);
        }
    }
    AppError::InvalidFields(fields)
}

/// What a save is: a new concept, or a new state of the one at `revision`.
pub enum Save<'a> {
    Create,
    Edit { slug: &'a str, revision: i32 },
}

impl Store {
    /// Creates or edits a concept; returns its slug.
    pub async fn save_concept(&self, actor: i64, save: Save<'_>, mut concept: Concept) -> AppResult<String> {
        concept.normalise();
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(GLOSSARY_LOCK).execute(&mut *tx).await?;
        let (id, action) = match save {
            Save::Edit { slug, revision } => {
                let stored = read::one(&mut tx, slug).await?.ok_or(AppError::NotFound)?;
                if stored.retired {
                    return Err(AppError::Gone);
                }
                if stored.revision != revision {
                    return Err(AppError::EditConflict);
                }
                // The slug is the concept's URI: an edit never changes it.
                concept.slug = stored.concept.slug.clone();
                let problems = concept.problems();
                if !problems.is_empty() {
                    return Err(invalid(problems));
                }
                (stored.id, AuditAction::ConceptUpdated)
            }
            Save::Create => {
                let problems = concept.problems();
                if !problems.is_empty() {
                    return Err(invalid(problems));
                }
                let taken: bool = sqlx::query_scalar("select exists (select 1 from concepts where slug = $1)")
                    .bind(&concept.slug)
                    .fetch_one(&mut *tx)
                    .await?;
                if taken {
                    return Err(AppError::InvalidFields(vec![FieldError {
                        field: "slug",
                        problem: FieldProblem::Taken,
                    }]));
                }
                let id: i64 = sqlx::query_scalar(
                    "insert into concepts (slug, domain, pref_es, pref_en, definition_es, definition_en, revision)
                     values ($1, $2, $3, $4, $5, $6, 0) returning id",
                )
                .bind(&concept.slug)
                .bind(concept.domain.map(|d| d.as_str()))
                .bind(&concept.pref_es)
                .bind(&concept.pref_en)
                .bind(&concept.definition_es)
                .bind(&concept.definition_en)
                .fetch_one(&mut *tx)
                .await?;
                (id, AuditAction::ConceptCreated)
            }
        };
        let kind = if action == AuditAction::ConceptCreated { "create" } else { "edit" };
        let mut unknown = Vec::new();
        for (field, links) in [("broader", &concept.broader), ("related", &concept.related)] {
            if !links_in_use(&mut tx, links).await? {
                unknown.push(FieldError { field, problem: FieldProblem::NotAConcept });
            }
        }
        if !unknown.is_empty() {
            return Err(AppError::InvalidFields(unknown));
        }
        write_state(&mut tx, id, &concept, false, None).await?;
        record(&mut tx, id, kind, &concept, false, actor, "").await?;
        check_whole(&mut tx).await?;
        audit(&mut tx, AuditRecord::new(Some(actor), action).on_concept(&concept.slug)).await?;
        tx.commit().await?;
        Ok(concept.slug)
    }

    /// Retires a concept: it stays readable at its URI, leaves search and its links go.
    pub async fn retire_concept(&self, actor: i64, slug: &str, revision: i32) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(GLOSSARY_LOCK).execute(&mut *tx).await?;
        let stored = current(&mut tx, slug, revision).await?;
        let pointing = pointing_to(&mut tx, stored.id).await?;
        retire(&mut tx, &stored, None).await?;
        record(&mut tx, stored.id, "retire", &stored.concept, true, actor, "").await?;
        record_changed(&mut tx, &pointing, "retire", actor, slug).await?;
        audit(&mut tx, AuditRecord::new(Some(actor), AuditAction::ConceptRetired).on_concept(slug)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merges `from` into `into`: `into` gains `from`'s labels (its preferred labels as
    /// alternative ones) and links, links to `from` now point to `into`, and `from` is
    /// retired, naming `into` as its replacement.
    pub async fn merge_concepts(&self, actor: i64, from: &str, revision: i32, into: &str) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(GLOSSARY_LOCK).execute(&mut *tx).await?;
        let old = current(&mut tx, from, revision).await?;
        let target = match read::one(&mut tx, into).await? {
            Some(target) if !target.retired && target.id != old.id => target,
            _ => {
                return Err(AppError::InvalidFields(vec![FieldError {
                    field: "into",
                    problem: FieldProblem::NotAConcept,
                }]))
            }
        };
        let mut merged = target.concept.clone();
        let gone = &old.concept;
        merged.alt_es.extend([gone.pref_es.clone()].into_iter().chain(gone.alt_es.iter().cloned()));
        merged.alt_en.extend([gone.pref_en.clone()].into_iter().chain(gone.alt_en.iter().cloned()));
        merged.acronyms.extend(gone.acronyms.iter().cloned());
        merged.hidden_es.extend(gone.hidden_es.iter().cloned());
        merged.hidden_en.extend(gone.hidden_en.iter().cloned());
        merged.broader.extend(gone.broader.iter().filter(|b| **b != merged.slug).cloned());
        merged
            .related
            .extend(gone.related.iter().filter(|r| **r != merged.slug && !merged.broader.contains(r)).cloned());
        merged.broader.retain(|b| *b != gone.slug);
        merged.related.retain(|r| *r != gone.slug);
        merged.normalise();
        // Labels shared by both are kept once; the preferred labels stay the target's.
        for (alt, pref) in [(&mut merged.alt_es, &merged.pref_es), (&mut merged.alt_en, &merged.pref_en)] {
            alt.retain(|label| !label.eq_ignore_ascii_case(pref));
        }
        let problems = merged.problems();
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        // Links to the old concept move to the new one (never onto itself, never twice).
        let pointing: Vec<i64> =
            pointing_to(&mut tx, old.id).await?.into_iter().filter(|id| *id != target.id).collect();
        sqlx::query(
            "insert into concept_links (concept_id, target_id, relation)
             select l.concept_id, $2, l.relation from concept_links l
             where l.target_id = $1 and l.concept_id <> $2
             on conflict do nothing",
        )
        .bind(old.id)
        .bind(target.id)
        .execute(&mut *tx)
        .await?;
        retire(&mut tx, &old, Some(target.id)).await?;
        write_state(&mut tx, target.id, &merged, false, None).await?;
        check_whole(&mut tx).await?;
        record(&mut tx, old.id, "merge", gone, true, actor, &merged.slug).await?;
        record(&mut tx, target.id, "merge", &merged, false, actor, &gone.slug).await?;
        record_changed(&mut tx, &pointing, "merge", actor, &gone.slug).await?;
        let details = AuditDetails { into: Some(merged.slug.clone()), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(actor), AuditAction::ConceptMerged).on_concept(from).with(details))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes an earlier revision of a concept its current state again (retired or not),
    /// as a new revision.
    pub async fn revert_concept(&self, actor: i64, slug: &str, to: i32) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(GLOSSARY_LOCK).execute(&mut *tx).await?;
        let stored = read::one(&mut tx, slug).await?.ok_or(AppError::NotFound)?;
        let (Json(mut concept), retired): (Json<Concept>, bool) =
            sqlx::query_as("select snapshot, retired from concept_revisions where concept_id = $1 and revision = $2")
                .bind(stored.id)
                .bind(to)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?;
        concept.slug = stored.concept.slug.clone();
        // Concepts the old state named may have been merged or retired since: a link
        // follows a merge to the concept that replaced it, and one to a retired concept goes.
        concept.broader = successors(&mut tx, &concept.broader, &concept.slug).await?;
        concept.related = successors(&mut tx, &concept.related, &concept.slug).await?;
        concept.related.retain(|r| !concept.broader.contains(r));
        let pointing = pointing_to(&mut tx, stored.id).await?;
        if retired {
            let successor: Option<i64> = sqlx::query_scalar("select replaced_by from concepts where id = $1")
                .bind(stored.id)
                .fetch_one(&mut *tx)
                .await?;
            write_state(&mut tx, stored.id, &concept, true, successor).await?;
            sqlx::query("delete from concept_links where target_id = $1").bind(stored.id).execute(&mut *tx).await?;
        } else {
            write_state(&mut tx, stored.id, &concept, false, None).await?;
            check_whole(&mut tx).await?;
        }
        record(&mut tx, stored.id, "revert", &concept, retired, actor, &to.to_string()).await?;
        if retired {
            record_changed(&mut tx, &pointing, "retire", actor, slug).await?;
        }
        let details = AuditDetails { revision: Some(to), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(actor), AuditAction::ConceptReverted).on_concept(slug).with(details))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The concept at `revision`, in use: an older revision is a conflict, a retired one gone.
async fn current(conn: &mut PgConnection, slug: &str, revision: i32) -> AppResult<StoredConcept> {
    let stored = read::one(conn, slug).await?.ok_or(AppError::NotFound)?;
    if stored.retired {
        return Err(AppError::Gone);
    }
    if stored.revision != revision {
        return Err(AppError::EditConflict);
    }
    Ok(stored)
}

/// Writes a concept's fields and the links it owns (its broader and related concepts;
/// relations other concepts wrote stay theirs).
async fn write_state(
    conn: &mut PgConnection,
    id: i64,
    concept: &Concept,
    retired: bool,
    replaced_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update concepts set domain = $2, pref_es = $3, pref_en = $4, alt_es = $5, alt_en = $6, acronyms = $7,
                hidden_es = $8, hidden_en = $9, definition_es = $10, definition_en = $11, scope_note_es = $12,
                scope_note_en = $13, legal_basis = $14, unverified = $15,
                retired_at = case when $16 then coalesce(retired_at, now()) end, replaced_by = $17,
                edited_in_app = true, revision = revision + 1, updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(concept.domain.map(|d| d.as_str()))
    .bind(&concept.pref_es)
    .bind(&concept.pref_en)
    .bind(&concept.alt_es)
    .bind(&concept.alt_en)
    .bind(&concept.acronyms)
    .bind(&concept.hidden_es)
    .bind(&concept.hidden_en)
    .bind(&concept.definition_es)
    .bind(&concept.definition_en)
    .bind(&concept.scope_note_es)
    .bind(&concept.scope_note_en)
    .bind(&concept.legal_basis)
    .bind(concept.unverified)
    .bind(retired)
    .bind(replaced_by)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from concept_links where concept_id = $1").bind(id).execute(&mut *conn).await?;
    if !retired {
        let links: Vec<(&str, &str, &str)> = concept
            .broader
            .iter()
            .map(|t| (concept.slug.as_str(), t.as_str(), "broader"))
            .chain(concept.related.iter().map(|t| (concept.slug.as_str(), t.as_str(), "related")))
            .collect();
        insert_links(conn, &links).await?;
    }
    Ok(())
}

/// Retires a concept: its fields stay, its links in both directions go.
async fn retire(conn: &mut PgConnection, stored: &StoredConcept, replaced_by: Option<i64>) -> Result<(), sqlx::Error> {
    write_state(conn, stored.id, &stored.concept, true, replaced_by).await?;
    sqlx::query("delete from concept_links where target_id = $1").bind(stored.id).execute(&mut *conn).await?;
    Ok(())
}

/// Whether every slug names a concept in use.
async fn links_in_use(conn: &mut PgConnection, slugs: &[String]) -> Result<bool, sqlx::Error> {
    if slugs.is_empty() {
        return Ok(true);
    }
    let found: i64 = sqlx::query_scalar("select count(*) from concepts where slug = any($1) and retired_at is null")
        .bind(slugs)
        .fetch_one(&mut *conn)
        .await?;
    Ok(found == slugs.len() as i64)
}

/// Each slug as it stands now: itself when in use, the concept a merge put in its place,
/// or nothing when it was retired (never `own`, the concept being written).
async fn successors(conn: &mut PgConnection, slugs: &[String], own: &str) -> Result<Vec<String>, sqlx::Error> {
    let mut out: Vec<String> = Vec::new();
    for slug in slugs {
        let mut at = slug.clone();
        // A merge chain is short; the bound only guards against a hand-made loop.
        for _ in 0..16 {
            let row: Option<(bool, Option<String>)> = sqlx::query_as(
                "select c.retired_at is not null, r.slug from concepts c left join concepts r on r.id = c.replaced_by
                 where c.slug = $1",
            )
            .bind(&at)
            .fetch_optional(&mut *conn)
            .await?;
            match row {
                Some((false, _)) => {
                    if at != own && !out.contains(&at) {
                        out.push(at);
                    }
                    break;
                }
                Some((true, Some(next))) => at = next,
                _ => break,
            }
        }
    }
    Ok(out)
}

/// The concepts whose own links name `id`.
async fn pointing_to(conn: &mut PgConnection, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("select distinct concept_id from concept_links where target_id = $1 and concept_id <> $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
}

/// A revision for each concept whose links a merge or retirement changed, as stored now,
/// so that its history says so.
async fn record_changed(
    conn: &mut PgConnection,
    ids: &[i64],
    action: &str,
    actor: i64,
    note: &str,
) -> Result<(), sqlx::Error> {
    for id in ids {
        let slug: String = sqlx::query_scalar(
            "update concepts set revision = revision + 1, updated_at = now() where id = $1 returning slug",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        if let Some(now) = read::one(conn, &slug).await? {
            record(conn, *id, action, &now.concept, now.retired, actor, note).await?;
        }
    }
    Ok(())
}

/// Keeps the state just written as the concept's newest revision.
async fn record(
    conn: &mut PgConnection,
    id: i64,
    action: &str,
    concept: &Concept,
    retired: bool,
    actor: i64,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into concept_revisions (concept_id, revision, action, snapshot, retired, actor_id, note)
         select id, revision, $2, $3, $4, $5, $6 from concepts where id = $1",
    )
    .bind(id)
    .bind(action)
    .bind(Json(concept))
    .bind(retired)
    .bind(actor)
    .bind(note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Refuses a write that leaves the glossary inconsistent; the problems name fields of the
/// concept's form.
async fn check_whole(conn: &mut PgConnection) -> AppResult<()> {
    let problems = whole_glossary_problems(conn).await?;
    if problems.is_empty() {
        return Ok(());
    }
    Err(invalid(problems.into_iter().map(|(_, p)| p).collect()))
}
