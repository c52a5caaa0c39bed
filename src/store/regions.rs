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
            "with recursive tree (root, id) as (
                 select id, id from regions
                 union all
                 select t.root, r.id from regions r join tree t on r.parent_id = t.id
             ),
             counts as (
                 select t.root, count(*) as n
                 from tree t join cases c on c.region_id = t.id and c.status = 'published'
                 group by t.root
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
}
