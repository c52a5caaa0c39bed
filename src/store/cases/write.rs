//! Writing a case: creating, saving with optimistic locking, moving it through the
//! workflow, deleting; each with its revision and audit entry in the same transaction.

use sqlx::{types::Json, PgConnection, Postgres, Transaction};

use crate::{
    domain::{
        account::User,
        case::Status,
        draft::CaseDraft,
        revision::Origin,
        subject::{AuditAction, AuditDetails, AuditRecord},
    },
    error::{AppError, AppResult},
    markdown,
    store::{
        audit::audit,
        cases::slugs::{allocate_slug, retire_slug, SLUG_LOCK},
        Store,
    },
};

type TextQuery<'q> = sqlx::query::QueryScalar<'q, Postgres, i64, sqlx::postgres::PgArguments>;

/// Binds a draft's text as `$1`…`$11` (title, kind, region slug, language, year, summary,
/// sources, Markdown, its HTML, the renderer's version, illustrative): inserts and updates write the text
/// the same way.
fn bind_text<'q>(query: TextQuery<'q>, draft: &'q CaseDraft, body_html: &'q str) -> TextQuery<'q> {
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
    .bind(origin.as_str())
    .bind(origin.restored_from())
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
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
        let action = match to {
            Status::Draft => AuditAction::CaseBackToDraft,
            Status::Submitted => AuditAction::CaseSubmitted,
            Status::Published => AuditAction::CasePublished,
            Status::Unpublished => AuditAction::CaseUnpublished,
        };
        let details =
            AuditDetails { note: note.filter(|n| !n.is_empty()).map(str::to_string), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(actor.id), action).on_case(&slug).with(details)).await?;
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
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::CaseDeleted).on_case(&slug)).await?;
        tx.commit().await?;
        Ok(())
    }
}
