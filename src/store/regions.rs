use super::Store;
use crate::{domain::region::Region, error::AppResult};

impl Store {
    /// Every region, without counting cases: for names, links and checking filters.
    /// Kept in memory while the process follows the catalog's notifications.
    pub async fn regions(&self) -> AppResult<Vec<Region>> {
        self.cached_regions(async {
            Ok(sqlx::query_as(
                "select r.slug, r.name, r.level, p.slug as parent, null::bigint as case_count
                 from regions r left join regions p on p.id = r.parent_id
                 order by r.slug",
            )
            .fetch_all(&self.pool)
            .await?)
        })
        .await
    }

    /// Every region with its published cases counted, its municipalities' included: cases
    /// are counted per region once, then added up the tree.
    pub async fn regions_with_counts(&self) -> AppResult<Vec<Region>> {
        let versions = self.versions().await?;
        self.memo
            .region_counts
            .through(String::new(), versions, async {
                Ok(sqlx::query_as(
                    "with direct as (
                 select region_id, count(*) as n from cases where status = 'published' group by region_id
             ), counts as (
                 select up.id as root, sum(direct.n)::bigint as n
                 from direct cross join lateral region_and_above(direct.region_id) up
                 group by up.id
             )
             select r.slug, r.name, r.level, p.slug as parent, coalesce(counts.n, 0) as case_count
             from regions r
             left join regions p on p.id = r.parent_id
             left join counts on counts.root = r.id
             order by r.slug",
                )
                .fetch_all(&self.pool)
                .await?)
            })
            .await
    }

    /// A region's slug, then the slugs of the regions above it.
    pub async fn region_path(&self, slug: &str) -> AppResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "select a.slug
             from regions r cross join lateral region_and_above(r.id) up join regions a on a.id = up.id
             where r.slug = $1
             order by up.depth",
        )
        .bind(slug)
        .fetch_all(&self.pool)
        .await?)
    }
}
