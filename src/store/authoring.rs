//! Writing cases from the app: drafts, edits with optimistic locking, the workflow,
//! deletion, and the slugs cases leave behind. Every write records a revision in the same
//! transaction; search follows through the change-log triggers.

use sqlx::{types::Json, FromRow, PgConnection, Postgres, Transaction};
use time::OffsetDateTime;

use super::{users::audit, Store};
use crate::{
    domain::{
        account::User,
        case::{Kind, Language, Source, Status},
        draft::CaseDraft,
        permission::CaseAccess,
        slug,
    },
    error::{AppError, AppResult},
    markdown,
};

/// Advisory-lock key that serialises slug allocation, so two saves never pick the same one.
const SLUG_LOCK: i64 = 0x4159_4e49_0002;

/// How a save came about; stored with its revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Form,
    Api,
    /// Restoring the revision with this number.
    Restore(i32),
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Form => "form",
            Origin::Api => "api",
            Origin::Restore(_) => "restore",
        }
    }

    fn restored_from(self) -> Option<i32> {
        match self {
            Origin::Restore(number) => Some(number),
            _ => None,
        }
    }
}

/// A case in any state, with what permissions and forms need.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: i64,
    pub slug: String,
    pub status: Status,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// The number of the latest revision; a save must name it.
    pub revision: i32,
    pub review_note: Option<String>,
    /// The case's region first, then the regions above it.
    pub region_path: Vec<String>,
    pub draft: CaseDraft,
}

impl CaseRecord {
    pub fn access(&self) -> CaseAccess {
        CaseAccess { author_id: self.author_id, status: self.status, region_path: self.region_path.clone() }
    }
}

/// What a slug leads to.
pub enum Lookup {
    Found(Box<CaseRecord>),
    /// The case answers to another slug now.
    Moved(String),
    /// The case was deleted.
    Gone,
    Missing,
}

#[derive(FromRow)]
struct RecordRow {
    id: i64,
    slug: String,
    #[sqlx(try_from = "String")]
    status: Status,
    author_id: Option<i64>,
    author_name: Option<String>,
    revision: i32,
    review_note: Option<String>,
    region_path: Vec<String>,
    #[sqlx(flatten)]
    draft: DraftRow,
}

/// The editable text of a case, as cases and revisions store it (region as its slug,
/// themes as an array of slugs).
#[derive(FromRow)]
pub(crate) struct DraftRow {
    title: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    region: String,
    themes: Vec<String>,
    #[sqlx(try_from = "String")]
    language: Language,
    year: i32,
    summary: String,
    sources: Json<Vec<Source>>,
    body_markdown: String,
    illustrative: bool,
}

impl From<DraftRow> for CaseDraft {
    fn from(row: DraftRow) -> Self {
        CaseDraft {
            title: row.title,
            kind: row.kind,
            region: row.region,
            themes: row.themes,
            language: row.language,
            year: row.year,
            summary: row.summary,
            sources: row.sources.0,
            body_markdown: row.body_markdown,
            illustrative: row.illustrative,
        }
    }
}

impl From<RecordRow> for CaseRecord {
    fn from(row: RecordRow) -> Self {
        CaseRecord {
            id: row.id,
            slug: row.slug,
            status: row.status,
            author_id: row.author_id,
            author_name: row.author_name,
            revision: row.revision,
            review_note: row.review_note,
            region_path: row.region_path,
            draft: row.draft.into(),
        }
    }
}

/// A case in the review queue or in someone's list of their own cases.
#[derive(Debug, Clone, FromRow)]
pub struct CaseListing {
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub region_name: String,
    pub author_name: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// The regions an editor reviews and every place under them, as a recursive CTE named
/// `editor_scope` over the user id in the query parameter `user` (such as `$1`).
pub(crate) fn editor_scope(user: &str) -> String {
    format!(
        "editor_scope (id) as (
             select region_id from editor_regions where user_id = {user}
             union
             select r.id from regions r join editor_scope s on r.parent_id = s.id
         )"
    )
}

impl Store {
    /// A case by slug in any state, or where its slug went.
    pub async fn find_case(&self, slug: &str) -> AppResult<Lookup> {
        let sql = "with recursive path (id, slug, parent_id, depth) as (
                 select r.id, r.slug, r.parent_id, 0 from regions r join cases c on c.region_id = r.id
                 where c.slug = $1
                 union all
                 select p.id, p.slug, p.parent_id, path.depth + 1 from regions p join path on p.id = path.parent_id
             )
             select c.id, c.slug, c.status, c.author_id, u.display_name as author_name, c.revision, c.review_note,
                    (select array_agg(slug order by depth) from path) as region_path,
                    c.title, c.kind, r.slug as region,
                    coalesce((select array_agg(t.slug order by t.slug) from case_themes ct
                              join themes t on t.id = ct.theme_id where ct.case_id = c.id), '{}') as themes,
                    c.language, c.year, c.summary, c.sources, c.body_markdown, c.illustrative
             from cases c join regions r on r.id = c.region_id left join users u on u.id = c.author_id
             where c.slug = $1";
        if let Some(row) = sqlx::query_as::<_, RecordRow>(sql).bind(slug).fetch_optional(&self.pool).await? {
            return Ok(Lookup::Found(Box::new(row.into())));
        }
        let retired: Option<Option<String>> = sqlx::query_scalar(
            "select c.slug from retired_slugs rs left join cases c on c.id = rs.case_id where rs.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match retired {
            Some(Some(current)) => Lookup::Moved(current),
            Some(None) => Lookup::Gone,
            None => Lookup::Missing,
        })
    }

    /// A new draft by `author`, with its body already rendered (never under this lock).
    /// Returns its slug.
    pub async fn create_case(
        &self,
        author: &User,
        draft: &CaseDraft,
        body_html: &str,
        origin: Origin,
    ) -> AppResult<String> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(SLUG_LOCK).execute(&mut *tx).await?;
        let slug = allocate_slug(&mut tx, &draft.title, None).await?;
        let insert = sqlx::query_scalar(
            "insert into cases (title, kind, region_id, language, year, summary, sources, body_markdown,
                                body_html, body_html_version, illustrative, slug, status, provenance, author_id,
                                revision)
             values ($1, $2, (select id from regions where slug = $3), $4, $5, $6, $7, $8, $9, $10, $11, $12,
                     'draft', 'app', $13, 1)
             returning id",
        );
        let id: i64 = bind_text(insert, draft, body_html).bind(&slug).bind(author.id).fetch_one(&mut *tx).await?;
        set_themes(&mut tx, id, &draft.themes).await?;
        record_revision(&mut tx, id, Some(author.id), origin).await?;
        tx.commit().await?;
        Ok(slug)
    }

    /// Saves new text (its body rendered by the caller) over revision `base_revision`;
    /// refused with [`AppError::EditConflict`] when another save came first. Before the case
    /// is first published its slug follows the title (the old one redirects); after, it
    /// stays. Returns the slug.
    pub async fn update_case(
        &self,
        id: i64,
        base_revision: i32,
        draft: &CaseDraft,
        body_html: &str,
        actor: &User,
        origin: Origin,
    ) -> AppResult<String> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(SLUG_LOCK).execute(&mut *tx).await?;
        let (old_slug, revision, ever_published): (String, i32, bool) =
            sqlx::query_as("select slug, revision, published_at is not null from cases where id = $1 for update")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?;
        if revision != base_revision {
            return Err(AppError::EditConflict);
        }
        let slug =
            if ever_published { old_slug.clone() } else { allocate_slug(&mut tx, &draft.title, Some(id)).await? };
        if slug != old_slug {
            retire_slug(&mut tx, &old_slug, Some(id)).await?;
            sqlx::query("delete from retired_slugs where slug = $1 and case_id = $2")
                .bind(&slug)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let update = sqlx::query_scalar::<_, i64>(
            "update cases set title = $1, kind = $2, region_id = (select id from regions where slug = $3),
                    language = $4, year = $5, summary = $6, sources = $7, body_markdown = $8, body_html = $9,
                    body_html_version = $10, illustrative = $11, slug = $12, provenance = 'app',
                    revision = revision + 1
             where id = $13
             returning id",
        );
        bind_text(update, draft, body_html).bind(&slug).bind(id).fetch_one(&mut *tx).await?;
        set_themes(&mut tx, id, &draft.themes).await?;
        record_revision(&mut tx, id, Some(actor.id), origin).await?;
        tx.commit().await?;
        Ok(slug)
    }

    /// Moves a case from `from` to `to` (the caller checked the rules), with the editor's
    /// note when sending it back. Refused as a conflict when the case is no longer in
    /// `from` (someone else acted first). Noted in the audit log.
    pub async fn set_status(
        &self,
        id: i64,
        from: Status,
        to: Status,
        note: Option<&str>,
        actor: &User,
    ) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let slug: Option<String> = sqlx::query_scalar(
            "update cases set status = $2,
                    review_note = case when $2 = 'draft' then $3 when $2 = 'submitted' then null else review_note end,
                    published_at = case when $2 = 'published' then coalesce(published_at, now()) else published_at end,
                    provenance = 'app'
             where id = $1 and status = $4
             returning slug",
        )
        .bind(id)
        .bind(to.as_str())
        .bind(note)
        .bind(from.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let slug = slug.ok_or(AppError::EditConflict)?;
        audit(&mut tx, Some(actor.id), &format!("case.{}", to.as_str()), None, Some(&slug), note.unwrap_or_default())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a case for good. Its slugs answer 410 from now on and are never given again.
    pub async fn delete_case(&self, id: i64, actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let slug: String = sqlx::query_scalar("select slug from cases where id = $1 for update")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
        retire_slug(&mut tx, &slug, None).await?;
        // Its older slugs lose their case (on delete set null) and so answer 410 too.
        sqlx::query("delete from cases where id = $1").bind(id).execute(&mut *tx).await?;
        audit(&mut tx, Some(actor.id), "case.deleted", None, Some(&slug), "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether an active editor reviews a case in this region (its slug first, then those
    /// above it): otherwise only admins will see the submission.
    pub async fn has_editor(&self, region_path: &[String]) -> AppResult<bool> {
        Ok(sqlx::query_scalar(
            "select exists (
                 select 1 from users u
                 where u.role = 'editor' and u.disabled_at is null and u.closed_at is null
                   and (u.edits_all_regions or exists (
                        select 1 from editor_regions er join regions r on r.id = er.region_id
                        where er.user_id = u.id and r.slug = any($1))))",
        )
        .bind(region_path)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Submitted cases that `user` reviews, oldest first.
    pub async fn review_queue(&self, user: &User) -> AppResult<Vec<CaseListing>> {
        let editor_scope = editor_scope("$1");
        let sql = format!(
            "with recursive {editor_scope}
             select c.slug, c.title, c.status, r.name as region_name, u.display_name as author_name, c.updated_at
             from cases c join regions r on r.id = c.region_id left join users u on u.id = c.author_id
             where c.status = 'submitted' and ($2 or c.region_id in (select id from editor_scope))
             order by c.updated_at, c.slug"
        );
        let everything = user.is_admin() || user.edits_all_regions;
        Ok(sqlx::query_as(&sql).bind(user.id).bind(everything).fetch_all(&self.pool).await?)
    }

    /// The cases `user` wrote, most recently changed first.
    pub async fn cases_by_author(&self, user: &User) -> AppResult<Vec<CaseListing>> {
        Ok(sqlx::query_as(
            "select c.slug, c.title, c.status, r.name as region_name, u.display_name as author_name, c.updated_at
             from cases c join regions r on r.id = c.region_id left join users u on u.id = c.author_id
             where c.author_id = $1
             order by c.updated_at desc, c.slug",
        )
        .bind(user.id)
        .fetch_all(&self.pool)
        .await?)
    }
}

type CaseQuery<'q> = sqlx::query::QueryScalar<'q, Postgres, i64, sqlx::postgres::PgArguments>;

/// Binds a draft's text as `$1`…`$11` (title, kind, region slug, language, year, summary,
/// sources, Markdown, its HTML, the renderer's version, illustrative): inserts and updates write the text
/// the same way.
fn bind_text<'q>(query: CaseQuery<'q>, draft: &'q CaseDraft, body_html: &'q str) -> CaseQuery<'q> {
    query
        .bind(&draft.title)
        .bind(draft.kind.as_str())
        .bind(&draft.region)
        .bind(draft.language.as_str())
        .bind(draft.year)
        .bind(&draft.summary)
        .bind(Json(&draft.sources))
        .bind(&draft.body_markdown)
        .bind(body_html)
        .bind(markdown::RENDER_VERSION)
        .bind(draft.illustrative)
}

/// The slug for `title`: transliterated, within the length limit, not reserved, and not
/// used (or once used) by any other case; `-2`, `-3`… when it is.
async fn allocate_slug(conn: &mut PgConnection, title: &str, own: Option<i64>) -> Result<String, sqlx::Error> {
    let base = slug_base(title);
    for n in 1.. {
        let candidate = if n == 1 { base.clone() } else { with_suffix(&base, n) };
        let taken: bool = sqlx::query_scalar(
            "select exists (select 1 from cases where slug = $1 and id is distinct from $2)
                 or exists (select 1 from retired_slugs
                            where slug = $1 and (case_id is null or case_id is distinct from $2))",
        )
        .bind(&candidate)
        .bind(own)
        .fetch_one(&mut *conn)
        .await?;
        if !taken {
            return Ok(candidate);
        }
    }
    unreachable!("the loop returns once a suffix is free")
}

/// The slug a title asks for, before uniqueness.
pub fn slug_base(title: &str) -> String {
    let mut base = slug::slugify(title);
    if base.len() > slug::MAX_LEN - 4 {
        // Cut at a word boundary, leaving room for a suffix such as "-12".
        base.truncate(slug::MAX_LEN - 4);
        if let Some(cut) = base.rfind('-') {
            base.truncate(cut);
        }
    }
    if base.is_empty() || slug::validate(&base).is_err() {
        base = if base.is_empty() { "caso".to_string() } else { format!("caso-{base}") };
    }
    base
}

fn with_suffix(base: &str, n: u32) -> String {
    format!("{base}-{n}")
}

/// Records that `slug` no longer names a case: it redirects to `case_id`, or answers 410.
async fn retire_slug(conn: &mut PgConnection, slug: &str, case_id: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into retired_slugs (slug, case_id) values ($1, $2)
         on conflict (slug) do update set case_id = excluded.case_id, retired_at = now()",
    )
    .bind(slug)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn set_themes(tx: &mut Transaction<'_, Postgres>, id: i64, themes: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "delete from case_themes where case_id = $1 and theme_id not in (select id from themes where slug = any($2))",
    )
    .bind(id)
    .bind(themes)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into case_themes (case_id, theme_id) select $1, t.id from themes t where t.slug = any($2)
         on conflict do nothing",
    )
    .bind(id)
    .bind(themes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Copies the case as it now stands into `case_revisions`, numbered by `cases.revision`.
pub(crate) async fn record_revision(
    conn: &mut PgConnection,
    id: i64,
    author: Option<i64>,
    origin: Origin,
) -> Result<(), sqlx::Error> {
    record_revision_as(conn, id, author, origin.as_str(), origin.restored_from()).await
}

/// [`record_revision`] with the origin spelled out (imports use `"import"`).
pub(crate) async fn record_revision_as(
    conn: &mut PgConnection,
    id: i64,
    author: Option<i64>,
    origin: &str,
    restored_from: Option<i32>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into case_revisions (case_id, number, author_id, origin, restored_from, title, kind, region_id,
                                     language, year, summary, sources, body_markdown, illustrative, themes)
         select c.id, c.revision, $2, $3, $4, c.title, c.kind, c.region_id, c.language, c.year, c.summary, c.sources,
                c.body_markdown, c.illustrative,
                coalesce((select array_agg(t.slug order by t.slug) from case_themes ct
                          join themes t on t.id = ct.theme_id where ct.case_id = c.id), '{}')
         from cases c where c.id = $1",
    )
    .bind(id)
    .bind(author)
    .bind(origin)
    .bind(restored_from)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_titles_with_accents_transliterated() {
        assert_eq!(slug_base("Gestión de riesgos en Áncash"), "gestion-de-riesgos-en-ancash");
        assert_eq!(slug_base("¿¡!?"), "caso");
        assert_eq!(slug_base("Edit"), "caso-edit");
        let long = slug_base(&"palabra ".repeat(40));
        assert!(long.len() <= slug::MAX_LEN - 4 && !long.ends_with('-'), "{long}");
        assert_eq!(with_suffix("a", 2), "a-2");
    }
}
