use super::Store;
use crate::{domain::theme::Theme, error::AppResult};

impl Store {
    /// Every theme, without counting cases: for names, links and checking filters.
    /// Kept in memory while the process follows the catalog's notifications.
    pub async fn themes(&self) -> AppResult<Vec<Theme>> {
        self.cached_themes(async {
            Ok(sqlx::query_as(
                "select slug, name_es, name_en, description, description_en, null::bigint as case_count
                 from themes order by slug",
            )
            .fetch_all(&self.pool)
            .await?)
        })
        .await
    }

    /// Every theme with its published cases counted.
    pub async fn themes_with_counts(&self) -> AppResult<Vec<Theme>> {
        let versions = self.versions().await?;
        self.memo
            .theme_counts
            .through(String::new(), versions, async {
                Ok(sqlx::query_as(
            "select t.slug, t.name_es, t.name_en, t.description, t.description_en, coalesce(n.n, 0) as case_count
             from themes t
             left join (select ct.theme_id, count(*) as n
                        from case_themes ct join cases c on c.id = ct.case_id
                        where c.status = 'published'
                        group by ct.theme_id) n on n.theme_id = t.id
             order by t.slug",
            )
            .fetch_all(&self.pool)
            .await?)
            })
            .await
    }
}
