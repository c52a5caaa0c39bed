use sqlx::{FromRow, Row};

use super::{authoring::editor_scope, Store};
use crate::{
    domain::{
        account::{Role, User},
        case::{Case, CaseSummary},
        filter::{CaseFilter, Paging},
    },
    error::AppResult,
    markdown::{self, RenderError, Renderer},
};

/// Columns of `CaseSummary`, over `cases c join regions r`.
const SUMMARY_COLUMNS: &str = "
    c.slug, c.title, c.kind, r.slug as region_slug, r.name as region_name,
    coalesce((select json_agg(json_build_object('slug', t.slug, 'name_es', t.name_es, 'name_en', t.name_en)
                              order by t.slug)
              from case_themes ct join themes t on t.id = ct.theme_id
              where ct.case_id = c.id), '[]') as themes,
    c.language, c.year, c.summary, c.status, c.published_at, c.updated_at, c.illustrative";

impl Store {
    /// Cases that match `filter`, newest first, and how many match in all: the published
    /// ones, and for a signed-in `viewer` also those they may edit (the rules of
    /// `domain::permission`, in SQL).
    pub async fn list_cases(
        &self,
        filter: &CaseFilter,
        paging: Paging,
        viewer: Option<&User>,
    ) -> AppResult<(Vec<CaseSummary>, i64)> {
        let (cases, total) = self.list_page(filter, paging.per_page, paging.offset(), viewer).await?;
        if cases.is_empty() && paging.page > 1 {
            // Past the last page the window count has no row to ride on: count separately.
            let (_, total) = self.list_page(filter, 1, 0, viewer).await?;
            return Ok((cases, total));
        }
        Ok((cases, total))
    }

    async fn list_page(
        &self,
        filter: &CaseFilter,
        limit: u32,
        offset: i64,
        viewer: Option<&User>,
    ) -> AppResult<(Vec<CaseSummary>, i64)> {
        // $9: the viewer's id; $10: whether they review every region (admins, editors of all).
        let editor_scope = editor_scope("$9");
        let sql = format!(
            "with recursive {editor_scope}, scope as (
                 select id from regions where slug = $1
                 union all
                 select r.id from regions r join scope s on r.parent_id = s.id
             )
             select {SUMMARY_COLUMNS}, count(*) over () as total
             from cases c join regions r on r.id = c.region_id
             where (c.status = 'published'
                    or ($9::bigint is not null
                        and (c.author_id = $9 or $10 or c.region_id in (select id from editor_scope))))
               and ($1::text is null or c.region_id in (select id from scope))
               and ($2::text is null or exists (
                     select 1 from case_themes ct join themes t on t.id = ct.theme_id
                     where ct.case_id = c.id and t.slug = $2))
               and ($3::text is null or c.kind = $3)
               and ($4::text is null or c.language = $4)
               and ($5::int is null or c.year >= $5)
               and ($6::int is null or c.year <= $6)
               and ($11::boolean is null or c.illustrative = $11)
             order by c.year desc, c.updated_at desc, c.slug
             limit $7 offset $8"
        );
        let rows = sqlx::query(&sql)
            .bind(&filter.region)
            .bind(&filter.theme)
            .bind(filter.kind.map(|k| k.as_str()))
            .bind(filter.language.map(|l| l.as_str()))
            .bind(filter.year_from)
            .bind(filter.year_to)
            .bind(i64::from(limit))
            .bind(offset)
            .bind(viewer.map(|u| u.id))
            .bind(viewer.is_some_and(|u| u.is_admin() || (u.role == Role::Editor && u.edits_all_regions)))
            .bind(filter.illustrative)
            .fetch_all(&self.pool)
            .await?;
        let total = match rows.first() {
            Some(row) => row.try_get("total")?,
            None => 0,
        };
        let cases = rows.iter().map(CaseSummary::from_row).collect::<Result<_, _>>()?;
        Ok((cases, total))
    }

    /// The most recently published cases, for the home page and the feed.
    pub async fn latest_cases(&self, limit: i64) -> AppResult<Vec<Case>> {
        let sql = format!(
            "select {SUMMARY_COLUMNS}, c.sources, c.body_markdown, c.body_html, c.created_at, c.provenance = 'app' as edited_in_app
             from cases c join regions r on r.id = c.region_id
             where c.status = 'published'
             order by c.published_at desc nulls last, c.updated_at desc, c.slug
             limit $1"
        );
        Ok(sqlx::query_as(&sql).bind(limit).fetch_all(&self.pool).await?)
    }

    /// A case by slug: only if published, or in any state (the caller checked who may see it).
    pub async fn case(&self, slug: &str, published_only: bool) -> AppResult<Option<Case>> {
        let sql = format!(
            "select {SUMMARY_COLUMNS}, c.sources, c.body_markdown, c.body_html, c.created_at, c.provenance = 'app' as edited_in_app
             from cases c join regions r on r.id = c.region_id
             where c.slug = $1 and (not $2 or c.status = 'published')"
        );
        Ok(sqlx::query_as(&sql).bind(slug).bind(published_only).fetch_optional(&self.pool).await?)
    }

    /// Renders again, in batches, the bodies whose HTML came from an older renderer, a core
    /// at a time, and returns how many it stored. Only derived columns change, so
    /// `updated_at` (which orders lists and the feed) and the change log stay as they were.
    /// Several processes may run this at once: each write checks the body is still stale.
    pub async fn rerender_stale(&self, renderer: &Renderer) -> anyhow::Result<usize> {
        const BATCH: i64 = 100;
        let mut stored = 0;
        let mut after = 0_i64;
        loop {
            let stale: Vec<(i64, String)> = sqlx::query_as(
                "select id, body_markdown from cases where body_html_version < $1 and id > $2 order by id limit $3",
            )
            .bind(markdown::RENDER_VERSION)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            let Some((last, _)) = stale.last() else { return Ok(stored) };
            after = *last;
            for (id, body) in stale {
                let html = loop {
                    match renderer.render(body.clone()).await {
                        Ok(html) => break html,
                        // People's previews and saves go first.
                        Err(RenderError::Busy) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                        Err(err) => return Err(err.into()),
                    }
                };
                let done = sqlx::query(
                    "update cases set body_html = $2, body_html_version = $3
                     where id = $1 and body_html_version < $3 and body_markdown = $4",
                )
                .bind(id)
                .bind(html)
                .bind(markdown::RENDER_VERSION)
                .bind(&body)
                .execute(&self.pool)
                .await?;
                stored += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
        }
    }
}
