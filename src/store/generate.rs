//! Writing the benchmark's synthetic cases, in batches.

use super::Store;
use crate::markdown;

pub struct SyntheticCase {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub region: String,
    pub language: &'static str,
    pub year: i32,
    pub summary: String,
    pub body_markdown: String,
    pub body_html: String,
    pub themes: Vec<String>,
}

impl Store {
    pub async fn count_synthetic_cases(&self) -> Result<u64, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("select count(*) from cases where slug like 'sintetico-%'")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// One transaction per batch, as a bulk import would do it.
    pub async fn insert_synthetic_cases(&self, cases: &[SyntheticCase]) -> Result<(), sqlx::Error> {
        let column = |f: fn(&SyntheticCase) -> String| cases.iter().map(f).collect::<Vec<String>>();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                                body_html_version, status, provenance, published_at)
             select x.slug, x.title, x.kind, r.id, x.language, x.year, x.summary, x.body_markdown, x.body_html,
                    $10, 'published', 'app', now()
             from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
                         $9::text[]) as x (slug, title, kind, region, language, year, summary, body_markdown, body_html)
             join regions r on r.slug = x.region",
        )
        .bind(column(|c| c.slug.clone()))
        .bind(column(|c| c.title.clone()))
        .bind(column(|c| c.kind.to_string()))
        .bind(column(|c| c.region.clone()))
        .bind(column(|c| c.language.to_string()))
        .bind(cases.iter().map(|c| c.year).collect::<Vec<i32>>())
        .bind(column(|c| c.summary.clone()))
        .bind(column(|c| c.body_markdown.clone()))
        .bind(column(|c| c.body_html.clone()))
        .bind(markdown::RENDER_VERSION)
        .execute(&mut *tx)
        .await?;
        let (slugs, themes): (Vec<String>, Vec<String>) =
            cases.iter().flat_map(|c| c.themes.iter().map(|t| (c.slug.clone(), t.clone()))).unzip();
        sqlx::query(
            "insert into case_themes (case_id, theme_id)
             select c.id, t.id from unnest($1::text[], $2::text[]) as x (slug, theme)
             join cases c on c.slug = x.slug join themes t on t.slug = x.theme",
        )
        .bind(&slugs)
        .bind(&themes)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}
