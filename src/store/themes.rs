use super::Store;
use crate::{domain::theme::Theme, error::AppResult};

impl Store {
    /// Every theme, without counting cases: for names, links and checking filters.
    pub async fn themes(&self) -> AppResult<Vec<Theme>> {
        Ok(sqlx::query_as(
            "select slug, name_es, name_en, description, description_en, null::bigint as case_count from themes order by slug",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every theme with its published cases counted.
    pub async fn themes_with_counts(&self) -> AppResult<Vec<Theme>> {
        Ok(sqlx::query_as(
            "select t.slug, t.name_es, t.name_en, t.description, t.description_en, count(c.id) as case_count
             from themes t
             left join case_themes ct on ct.theme_id = t.id
             left join cases c on c.id = ct.case_id and c.status = 'published'
             group by t.id
             order by t.slug",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
