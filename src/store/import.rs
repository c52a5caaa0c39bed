//! Writing a content directory: the first-start seed and `ayni import`.

use std::{collections::HashMap, fmt, path::Path};

use sqlx::{PgConnection, Postgres, Transaction};

use super::{
    cases::record_revision,
    glossary,
    workshops::{self, import::Imported},
    Store, CONTENT_LOCK,
};
use crate::{
    content::{self, CaseEntry, ContentError, ContentErrors, ContentSet, Known},
    domain::{
        case::{Provenance, Status},
        revision::Origin,
    },
    markdown,
};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Content(ContentErrors),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot render the case bodies: {0}")]
    Render(#[from] tokio::task::JoinError),
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    /// Cases edited in the app since their import, left as they are (without `--force`).
    pub conflicts: Vec<String>,
    /// Cases in the database that the directory does not have (import never deletes).
    pub not_in_directory: Vec<String>,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for slug in &self.conflicts {
            writeln!(
                f,
                "conflict: {slug} was edited in the app since it was imported; kept (use --force to overwrite)"
            )?;
        }
        for slug in &self.not_in_directory {
            writeln!(f, "not in the directory: {slug} (kept; import never deletes)")?;
        }
        write!(
            f,
            "{} created, {} updated, {} unchanged, {} in conflict",
            self.created.len(),
            self.updated.len(),
            self.unchanged,
            self.conflicts.len()
        )
    }
}

/// What the first start loaded: the cases and their tables, and the glossary (added later,
/// so a database may have the first without the second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Loaded {
    content: bool,
    glossary: bool,
}

/// Whether the directory is loaded only into an empty database (first start) or always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    FirstStart,
    Always { force: bool },
}

impl Store {
    /// Validates `dir` in full, then writes it in one transaction. Processes that race here
    /// queue on an advisory lock, so the seed is loaded once. `None`: nothing to do.
    ///
    /// Bodies are rendered first, outside the transaction and its lock; the files are read
    /// again under the lock, and a body that changed in between is refused, not rendered there.
    pub async fn import_dir(&self, dir: &Path, when: When) -> Result<Option<ImportSummary>, ImportError> {
        if when == When::FirstStart && self.loaded(&self.pool).await? == (Loaded { content: true, glossary: true }) {
            return Ok(None);
        }
        let rendered = self.render_dir(dir).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(CONTENT_LOCK).execute(&mut *tx).await?;
        // The glossary's lock before any write: an edit in the app takes it before the
        // change log's, and so must the import, or the two could wait on each other.
        sqlx::query("select pg_advisory_xact_lock($1)").bind(glossary::GLOSSARY_LOCK).execute(&mut *tx).await?;
        // A database seeded before the glossary existed gets the glossary alone at start.
        let (force, parts) = match when {
            When::Always { force } => (force, Loaded { content: false, glossary: false }),
            When::FirstStart => {
                let loaded = self.loaded(&mut *tx).await?;
                if loaded == (Loaded { content: true, glossary: true }) {
                    return Ok(None);
                }
                (false, loaded)
            }
        };
        let known = known(&mut tx).await?;
        // Reading files inside the transaction keeps "validate, then write" under one lock.
        let set = content::load(dir, &known).map_err(ImportError::Content)?;
        let changed: Vec<ContentError> = set
            .cases
            .iter()
            .filter(|c| rendered.get(&c.slug).is_none_or(|(markdown, _)| *markdown != c.body_markdown))
            .map(|c| ContentError {
                path: dir.join("cases").join(format!("{}.md", c.slug)),
                line: 1,
                message: "the file changed while it was being imported; nothing was written, run the import again"
                    .to_string(),
            })
            .collect();
        let changed_workshops = set.workshops.iter().filter(|w| {
            [("description", &w.description_markdown), ("outcomes", &w.outcomes_markdown)].iter().any(|(part, text)| {
                rendered.get(&workshop_key(&w.slug, part)).is_none_or(|(markdown, _)| markdown != *text)
            })
        });
        let changed: Vec<ContentError> = changed
            .into_iter()
            .chain(changed_workshops.map(|w| {
                ContentError {
                    path: dir.join("workshops").join(format!("{}.md", w.slug)),
                    line: 1,
                    message: "the file changed while it was being imported; nothing was written, run the import again"
                        .to_string(),
                }
            }))
            .collect();
        if !changed.is_empty() {
            return Err(ImportError::Content(ContentErrors(changed)));
        }
        let retired: Vec<String> = sqlx::query_scalar("select slug from retired_slugs where slug = any($1)")
            .bind(set.cases.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>())
            .fetch_all(&mut *tx)
            .await?;
        if !retired.is_empty() {
            let errors = set
                .cases
                .iter()
                .filter(|c| retired.contains(&c.slug))
                .map(|c| ContentError {
                    path: dir.join("cases").join(format!("{}.md", c.slug)),
                    line: 1,
                    message: format!(
                        "the slug {:?} belonged to a case that was deleted or renamed, and is never given again",
                        c.slug
                    ),
                })
                .collect();
            return Err(ImportError::Content(ContentErrors(errors)));
        }
        let mut summary =
            if parts.content { ImportSummary::default() } else { write(&mut tx, &set, &rendered, force).await? };
        let glossary = glossary::import::upsert(&mut tx, &set.glossary, force)
            .await?
            .map_err(|errors| ImportError::Content(ContentErrors(errors)))?;
        let in_folder = |slug: String| format!("glossary/{slug}");
        summary.created.extend(glossary.created.into_iter().map(in_folder));
        summary.updated.extend(glossary.updated.into_iter().map(in_folder));
        summary.conflicts.extend(glossary.conflicts.into_iter().map(in_folder));
        summary.unchanged += glossary.unchanged;
        sqlx::query(
            "insert into ayni_meta (key, value) values ('content_loaded', now()::text), ('glossary_loaded', now()::text)
             on conflict (key) do nothing",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(summary))
    }

    /// What the first start has loaded already.
    async fn loaded<'c>(&self, conn: impl sqlx::PgExecutor<'c>) -> Result<Loaded, sqlx::Error> {
        let (content, glossary): (bool, bool) = sqlx::query_as(
            "select exists (select 1 from ayni_meta where key = 'content_loaded'),
                    exists (select 1 from ayni_meta where key = 'glossary_loaded')",
        )
        .fetch_one(conn)
        .await?;
        Ok(Loaded { content, glossary })
    }

    /// Every case body of `dir`, rendered on the blocking pool: slug → (Markdown, HTML).
    async fn render_dir(&self, dir: &Path) -> Result<Rendered, ImportError> {
        let mut conn = self.pool.acquire().await?;
        let known = known(&mut conn).await?;
        let set = content::load(dir, &known).map_err(ImportError::Content)?;
        let rendered = tokio::task::spawn_blocking(move || {
            let workshops = set.workshops.into_iter().flat_map(|w| {
                [
                    (workshop_key(&w.slug, "description"), w.description_markdown),
                    (workshop_key(&w.slug, "outcomes"), w.outcomes_markdown),
                ]
            });
            set.cases
                .into_iter()
                .map(|c| (c.slug, c.body_markdown))
                .chain(workshops)
                .map(|(key, text)| {
                    let html = markdown::render(&text);
                    (key, (text, html))
                })
                .collect()
        })
        .await?;
        Ok(rendered)
    }
}

/// The key of a workshop's description or outcomes among the rendered texts (a case slug
/// never holds a colon).
fn workshop_key(slug: &str, part: &str) -> String {
    format!("workshop:{slug}:{part}")
}

/// Case bodies, and workshop descriptions and outcomes, rendered ahead of the
/// transaction: key → (Markdown, HTML).
type Rendered = HashMap<String, (String, String)>;

async fn known(conn: &mut PgConnection) -> Result<Known, sqlx::Error> {
    Ok(Known {
        regions: sqlx::query_scalar("select slug from regions").fetch_all(&mut *conn).await?.into_iter().collect(),
        themes: sqlx::query_scalar("select slug from themes").fetch_all(&mut *conn).await?.into_iter().collect(),
    })
}

async fn write(
    tx: &mut Transaction<'_, Postgres>,
    set: &ContentSet,
    rendered: &Rendered,
    force: bool,
) -> Result<ImportSummary, sqlx::Error> {
    let html = |case: &CaseEntry| rendered.get(&case.slug).map_or("", |(_, html)| html.as_str());
    upsert_regions(tx, set).await?;
    upsert_themes(tx, set).await?;
    let existing: HashMap<String, (String, Option<String>)> =
        sqlx::query_as::<_, (String, String, Option<String>)>("select slug, provenance, import_hash from cases")
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(slug, provenance, hash)| (slug, (provenance, hash)))
            .collect();
    let mut summary = ImportSummary::default();
    for case in &set.cases {
        match existing.get(&case.slug) {
            None => {
                upsert_case(tx, case, html(case)).await?;
                summary.created.push(case.slug.clone());
            }
            Some((provenance, hash)) => {
                let file_changed = hash.as_deref() != Some(case.hash.as_str());
                let edited_in_app = provenance == Provenance::App.as_str();
                if edited_in_app && file_changed && !force {
                    summary.conflicts.push(case.slug.clone());
                } else if file_changed || (edited_in_app && force) {
                    upsert_case(tx, case, html(case)).await?;
                    summary.updated.push(case.slug.clone());
                } else {
                    summary.unchanged += 1;
                }
            }
        }
    }
    let mut missing: Vec<String> =
        existing.into_keys().filter(|slug| !set.cases.iter().any(|c| &c.slug == slug)).collect();
    missing.sort();
    summary.not_in_directory = missing;
    for workshop in &set.workshops {
        let rendered_text =
            |part: &str| rendered.get(&workshop_key(&workshop.slug, part)).map_or("", |(_, h)| h.as_str());
        let done =
            workshops::import::upsert(tx, workshop, rendered_text("description"), rendered_text("outcomes"), force)
                .await?;
        let name = format!("workshops/{}", workshop.slug);
        match done {
            Imported::Created => summary.created.push(name),
            Imported::Updated => summary.updated.push(name),
            Imported::Unchanged => summary.unchanged += 1,
            Imported::Conflict => summary.conflicts.push(name),
        }
    }
    Ok(summary)
}

async fn upsert_regions(tx: &mut PgConnection, set: &ContentSet) -> Result<(), sqlx::Error> {
    let slugs: Vec<&str> = set.regions.iter().map(|r| r.slug.as_str()).collect();
    let names: Vec<&str> = set.regions.iter().map(|r| r.name.as_str()).collect();
    let levels: Vec<&str> = set.regions.iter().map(|r| r.level.as_str()).collect();
    let parents: Vec<Option<&str>> = set.regions.iter().map(|r| r.parent.as_deref()).collect();
    sqlx::query(
        "insert into regions (slug, name, level)
         select * from unnest($1::text[], $2::text[], $3::text[])
         on conflict (slug) do update set name = excluded.name, level = excluded.level
         where (regions.name, regions.level) is distinct from (excluded.name, excluded.level)",
    )
    .bind(&slugs)
    .bind(&names)
    .bind(&levels)
    .execute(&mut *tx)
    .await?;
    // Parents in a second pass: a region may name a parent that comes later in the file.
    sqlx::query(
        "update regions r set parent_id = p.id
         from unnest($1::text[], $2::text[]) as x (slug, parent)
         left join regions p on p.slug = x.parent
         where r.slug = x.slug and r.parent_id is distinct from p.id",
    )
    .bind(&slugs)
    .bind(&parents)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn upsert_themes(tx: &mut PgConnection, set: &ContentSet) -> Result<(), sqlx::Error> {
    let column = |f: fn(&content::ThemeEntry) -> &str| set.themes.iter().map(f).collect::<Vec<&str>>();
    sqlx::query(
        "insert into themes (slug, name_es, name_en, description, description_en)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         on conflict (slug) do update
         set name_es = excluded.name_es, name_en = excluded.name_en, description = excluded.description,
             description_en = excluded.description_en
         where (themes.name_es, themes.name_en, themes.description, themes.description_en)
               is distinct from (excluded.name_es, excluded.name_en, excluded.description, excluded.description_en)",
    )
    .bind(column(|t| &t.slug))
    .bind(column(|t| &t.name_es))
    .bind(column(|t| &t.name_en))
    .bind(column(|t| &t.description))
    .bind(column(|t| &t.description_en))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn upsert_case(tx: &mut PgConnection, case: &CaseEntry, body_html: &str) -> Result<(), sqlx::Error> {
    let published = case.status == Status::Published;
    let id: i64 = sqlx::query_scalar(
        "insert into cases (slug, title, kind, region_id, language, year, summary, sources, body_markdown,
                            body_html, body_html_version, status, provenance, import_hash, published_at,
                            illustrative)
         values ($1, $2, $3, (select id from regions where slug = $4), $5, $6, $7, $8, $9, $10, $11, $12,
                 'import', $13, case when $14 then now() end, $15)
         on conflict (slug) do update set
             title = excluded.title, kind = excluded.kind, region_id = excluded.region_id,
             language = excluded.language, year = excluded.year, summary = excluded.summary,
             sources = excluded.sources, body_markdown = excluded.body_markdown, body_html = excluded.body_html,
             body_html_version = excluded.body_html_version, status = excluded.status, provenance = 'import',
             import_hash = excluded.import_hash, illustrative = excluded.illustrative,
             published_at = case when $14 then coalesce(cases.published_at, now()) else cases.published_at end
         returning id",
    )
    .bind(&case.slug)
    .bind(&case.title)
    .bind(case.kind.as_str())
    .bind(&case.region)
    .bind(case.language.as_str())
    .bind(case.year)
    .bind(&case.summary)
    .bind(sqlx::types::Json(&case.sources))
    .bind(&case.body_markdown)
    .bind(body_html)
    .bind(markdown::RENDER_VERSION)
    .bind(case.status.as_str())
    .bind(&case.hash)
    .bind(published)
    .bind(case.illustrative)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update cases set revision = revision + 1 where id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("delete from case_themes where case_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query(
        "insert into case_themes (case_id, theme_id)
         select $1, t.id from themes t where t.slug = any($2)",
    )
    .bind(id)
    .bind(&case.themes)
    .execute(&mut *tx)
    .await?;
    // An import is a save: it keeps a revision like any other.
    record_revision(tx, id, None, Origin::Import).await?;
    Ok(())
}
