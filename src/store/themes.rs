use super::Store;
use crate::{domain::theme::Theme, error::AppResult};

impl Store {
    /// Every theme with its published cases counted.
    pub async fn themes(&self) -> AppResult<Vec<Theme>> {
        Ok(sqlx::query_as(
            "select t.slug, t.name_es, t.name_en, t.description, count(c.id) as case_count
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
