//! Concepts from the content directory, written inside the import's transaction. An entry
//! whose fingerprint has not changed since its last import is left alone; a concept changed
//! in the app since is a conflict unless forced. After writing, the whole glossary (files
//! and concepts made in the app) is checked again, so that nothing is written when a file
//! clashes with the app's concepts.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{types::Json, PgConnection};

use super::{read, GLOSSARY_LOCK};
use crate::{
    content::{ContentError, GlossaryEntry},
    domain::glossary::{self, Concept},
};

/// What importing the glossary did, by slug.
#[derive(Debug, Default)]
pub struct GlossaryImport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub conflicts: Vec<String>,
}

/// A concept as the upsert reads it from JSON.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    concept: &'a Concept,
    hash: &'a str,
}

/// Writes the entries; `Err` lists what clashes with the concepts already stored (the
/// caller rolls back).
pub async fn upsert(
    conn: &mut PgConnection,
    entries: &[GlossaryEntry],
    force: bool,
) -> Result<Result<GlossaryImport, Vec<ContentError>>, sqlx::Error> {
    sqlx::query("select pg_advisory_xact_lock($1)").bind(GLOSSARY_LOCK).execute(&mut *conn).await?;
    let existing: HashMap<String, (Option<String>, bool)> =
        sqlx::query_as::<_, (String, Option<String>, bool)>("select slug, import_hash, edited_in_app from concepts")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(slug, hash, edited)| (slug, (hash, edited)))
            .collect();
    let mut summary = GlossaryImport::default();
    let mut write = Vec::new();
    for entry in entries {
        let slug = &entry.concept.slug;
        match existing.get(slug) {
            None => summary.created.push(slug.clone()),
            Some((hash, edited_in_app)) => {
                let file_changed = hash.as_deref() != Some(entry.hash.as_str());
                if *edited_in_app && file_changed && !force {
                    summary.conflicts.push(slug.clone());
                    continue;
                } else if file_changed || (*edited_in_app && force) {
                    summary.updated.push(slug.clone());
                } else {
                    summary.unchanged += 1;
                    continue;
                }
            }
        }
        write.push(Row { concept: &entry.concept, hash: &entry.hash });
    }
    if write.is_empty() {
        return Ok(Ok(summary));
    }
    sqlx::query(
        "insert into concepts (slug, domain, pref_es, pref_en, alt_es, alt_en, acronyms, hidden_es, hidden_en,
                               definition_es, definition_en, scope_note_es, scope_note_en, legal_basis, unverified,
                               import_hash)
         select x.slug, x.domain, x.pref_es, x.pref_en,
                array(select jsonb_array_elements_text(x.alt_es)), array(select jsonb_array_elements_text(x.alt_en)),
                array(select jsonb_array_elements_text(x.acronyms)),
                array(select jsonb_array_elements_text(x.hidden_es)),
                array(select jsonb_array_elements_text(x.hidden_en)),
                x.definition_es, x.definition_en, x.scope_note_es, x.scope_note_en, x.legal_basis, x.unverified, x.hash
         from jsonb_to_recordset($1) as x (slug text, domain text, pref_es text, pref_en text, alt_es jsonb,
              alt_en jsonb, acronyms jsonb, hidden_es jsonb, hidden_en jsonb, definition_es text, definition_en text,
              scope_note_es text, scope_note_en text, legal_basis text, unverified boolean, hash text)
         on conflict (slug) do update set
             domain = excluded.domain, pref_es = excluded.pref_es, pref_en = excluded.pref_en,
             alt_es = excluded.alt_es, alt_en = excluded.alt_en, acronyms = excluded.acronyms,
             hidden_es = excluded.hidden_es, hidden_en = excluded.hidden_en, definition_es = excluded.definition_es,
             definition_en = excluded.definition_en, scope_note_es = excluded.scope_note_es,
             scope_note_en = excluded.scope_note_en, legal_basis = excluded.legal_basis,
             unverified = excluded.unverified, import_hash = excluded.import_hash, edited_in_app = false,
             retired_at = null, replaced_by = null, revision = concepts.revision + 1, updated_at = now()",
    )
    .bind(Json(&write))
    .execute(&mut *conn)
    .await?;
    let slugs: Vec<&str> = write.iter().map(|r| r.concept.slug.as_str()).collect();
    sqlx::query("delete from concept_links where concept_id in (select id from concepts where slug = any($1))")
        .bind(&slugs)
        .execute(&mut *conn)
        .await?;
    let links: Vec<(&str, &str, &str)> = write
        .iter()
        .flat_map(|r| {
            let c = r.concept;
            let broader = c.broader.iter().map(move |t| (c.slug.as_str(), t.as_str(), "broader"));
            broader.chain(c.related.iter().map(move |t| (c.slug.as_str(), t.as_str(), "related")))
        })
        .collect();
    insert_links(conn, &links).await?;
    sqlx::query(
        "insert into concept_revisions (concept_id, revision, action, snapshot)
         select c.id, c.revision, 'import', x.snapshot
         from jsonb_array_elements($1) as x (snapshot) join concepts c on c.slug = x.snapshot ->> 'slug'",
    )
    .bind(Json(write.iter().map(|r| r.concept).collect::<Vec<_>>()))
    .execute(&mut *conn)
    .await?;
    let problems = whole_glossary_problems(conn).await?;
    if problems.is_empty() {
        return Ok(Ok(summary));
    }
    let place: HashMap<&str, &GlossaryEntry> = entries.iter().map(|e| (e.concept.slug.as_str(), e)).collect();
    Ok(Err(problems
        .into_iter()
        .map(|(slug, problem)| {
            let (path, line) = place
                .get(slug.as_str())
                .map_or_else(|| (std::path::PathBuf::from("glossary"), 0), |e| (e.path.clone(), e.line));
            ContentError {
                path,
                line,
                message: format!("{slug} {}: {} (with the glossary as stored)", problem.field, problem.message),
            }
        })
        .collect()))
}

/// Inserts links given as (concept, target, relation) slugs, each owned by its concept.
pub(super) async fn insert_links(conn: &mut PgConnection, links: &[(&str, &str, &str)]) -> Result<(), sqlx::Error> {
    if links.is_empty() {
        return Ok(());
    }
    let column = |i: usize| links.iter().map(|l| [l.0, l.1, l.2][i]).collect::<Vec<&str>>();
    sqlx::query(
        "insert into concept_links (concept_id, target_id, relation)
         select c.id, t.id, x.relation
         from unnest($1::text[], $2::text[], $3::text[]) as x (concept, target, relation)
         join concepts c on c.slug = x.concept join concepts t on t.slug = x.target
         on conflict do nothing",
    )
    .bind(column(0))
    .bind(column(1))
    .bind(column(2))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What is wrong with the concepts in use (retired ones aside), as stored now.
pub(super) async fn whole_glossary_problems(
    conn: &mut PgConnection,
) -> Result<Vec<(String, glossary::Problem)>, sqlx::Error> {
    let concepts: Vec<Concept> = read::all(conn).await?.into_iter().filter(|c| !c.retired).map(|c| c.concept).collect();
    Ok(glossary::set_problems(&concepts))
}
