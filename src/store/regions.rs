use super::Store;
use crate::{domain::region::Region, error::AppResult};

impl Store {
    /// Every region, without counting cases: for names, links and checking filters.
    pub async fn regions(&self) -> AppResult<Vec<Region>> {
        Ok(sqlx::query_as(
            "select r.slug, r.name, r.level, p.slug as parent, null::bigint as case_count
             from regions r left join regions p on p.id = r.parent_id
             order by r.slug",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every region with its published cases counted, its municipalities' included.
    pub async fn regions_with_counts(&self) -> AppResult<Vec<Region>> {
        Ok(sqlx::query_as(
            "with counts as (
                 select r.id as root, count(*) as n
                 from regions r cross join lateral region_and_below(r.id) below (id)
                 join cases c on c.region_id = below.id and c.status = 'published'
                 group by r.id
             )
             select r.slug, r.name, r.level, p.slug as parent, coalesce(counts.n, 0) as case_count
             from regions r
             left join regions p on p.id = r.parent_id
             left join counts on counts.root = r.id
             order by r.slug",
        )
        .fetch_all(&self.pool)
        .await?)
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
