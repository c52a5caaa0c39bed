//! Lists of cases: the filtered library, the latest, the review queue and a person's own.

use sqlx::{FromRow, Row};

use crate::{
    domain::{
        account::{Role, User},
        case::{Case, CaseSummary},
        filter::{Filters, Paging},
    },
    error::AppResult,
    store::{
        cases::{editor_scope, CaseListing},
        Store,
    },
};

/// Columns of `CaseSummary`, over `cases c join regions r`.
pub(super) const SUMMARY_COLUMNS: &str = "
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
        filter: &Filters,
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
        filter: &Filters,
        limit: u32,
        offset: i64,
        viewer: Option<&User>,
    ) -> AppResult<(Vec<CaseSummary>, i64)> {
        // $9: the viewer's id; $10: whether they review every region (admins, editors of all).
        let editor_scope = editor_scope("$9");
        let sql = format!(
            "with {editor_scope}, scope as (
                 select region_and_below(id) as id from regions where slug = $1
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
            "with {editor_scope}
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
