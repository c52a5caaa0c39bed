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

/// The filters of a list, over `cases c`, bound as $1–$7 by [`bind_filters`].
const FILTER_CLAUSES: &str = "($1::text is null or c.region_id in (
                                  select region_and_below(id) from regions where slug = $1))
     and ($2::text is null or exists (
           select 1 from case_themes ct join themes t on t.id = ct.theme_id where ct.case_id = c.id and t.slug = $2))
     and ($3::text is null or c.kind = $3)
     and ($4::text is null or c.language = $4)
     and ($5::int is null or c.year >= $5)
     and ($6::int is null or c.year <= $6)
     and ($7::boolean is null or c.illustrative = $7)";

fn bind_filters<'q>(query: PgQuery<'q>, filter: &'q Filters) -> PgQuery<'q> {
    query
        .bind(&filter.region)
        .bind(&filter.theme)
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.language.map(|l| l.as_str()))
        .bind(filter.year_from)
        .bind(filter.year_to)
        .bind(filter.illustrative)
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

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
        let Some(viewer) = viewer else {
            return self.list_published(filter, paging).await;
        };
        let (cases, total) = self.list_editable(filter, paging.per_page, paging.offset(), viewer).await?;
        if cases.is_empty() && paging.page > 1 {
            // Past the last page the window count has no row to ride on: count separately.
            let (_, total) = self.list_editable(filter, 1, 0, viewer).await?;
            return Ok((cases, total));
        }
        Ok((cases, total))
    }

    /// The public list walks the index on its order (`cases_published_order_idx`) and stops
    /// after the page; the total is counted once per filter between changes.
    async fn list_published(&self, filter: &Filters, paging: Paging) -> AppResult<(Vec<CaseSummary>, i64)> {
        let sql = format!(
            "select {SUMMARY_COLUMNS}
             from cases c join regions r on r.id = c.region_id
             where c.status = 'published' and {FILTER_CLAUSES}
             order by c.year desc, c.updated_at desc, c.slug
             limit $8 offset $9"
        );
        let versions = self.versions().await?;
        let cases = bind_filters(sqlx::query(&sql), filter)
            .bind(i64::from(paging.per_page))
            .bind(paging.offset())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(CaseSummary::from_row)
            .collect::<Result<_, _>>()?;
        let count = format!("select count(*) from cases c where c.status = 'published' and {FILTER_CLAUSES}");
        let total = self
            .memo
            .counts
            .through(format!("{filter:?}"), versions, async {
                Ok(bind_filters(sqlx::query(&count), filter).fetch_one(&self.pool).await?.try_get(0)?)
            })
            .await?;
        Ok((cases, total))
    }

    /// Published cases and those `viewer` may edit: a slower path, for the few who edit.
    async fn list_editable(
        &self,
        filter: &Filters,
        limit: u32,
        offset: i64,
        viewer: &User,
    ) -> AppResult<(Vec<CaseSummary>, i64)> {
        // $10: the viewer's id; $11: whether they review every region (admins, editors of all).
        let editor_scope = editor_scope("$10");
        let sql = format!(
            "with {editor_scope}
             select {SUMMARY_COLUMNS}, count(*) over () as total
             from cases c join regions r on r.id = c.region_id
             where (c.status = 'published' or c.author_id = $10 or $11 or c.region_id in (select id from editor_scope))
               and {FILTER_CLAUSES}
             order by c.year desc, c.updated_at desc, c.slug
             limit $8 offset $9"
        );
        let rows = bind_filters(sqlx::query(&sql), filter)
            .bind(i64::from(limit))
            .bind(offset)
            .bind(viewer.id)
            .bind(viewer.is_admin() || (viewer.role == Role::Editor && viewer.edits_all_regions))
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
