//! Finding a case by its slug: in any state for the workflow, published for readers.

use crate::{
    domain::case::Case,
    error::AppResult,
    store::{
        cases::{listings::SUMMARY_COLUMNS, Lookup, RecordRow},
        Store,
    },
};

impl Store {
    /// A case by slug in any state, or where its slug went.
    pub async fn find_case(&self, slug: &str) -> AppResult<Lookup> {
        let sql = "select c.id, c.slug, c.status, c.author_id, u.display_name as author_name, c.revision,
                    c.review_note,
                    (select array_agg(a.slug order by up.depth)
                     from region_and_above(c.region_id) up join regions a on a.id = up.id) as region_path,
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

    /// A case by slug: only if published, or in any state (the caller checked who may see it).
    pub async fn case(&self, slug: &str, published_only: bool) -> AppResult<Option<Case>> {
        let sql = format!(
            "select {SUMMARY_COLUMNS}, c.sources, c.body_markdown, c.body_html, c.created_at, c.provenance = 'app' as edited_in_app
             from cases c join regions r on r.id = c.region_id
             where c.slug = $1 and (not $2 or c.status = 'published')"
        );
        Ok(sqlx::query_as(&sql).bind(slug).bind(published_only).fetch_optional(&self.pool).await?)
    }
}
