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

    /// A region's slug, then the slugs of the regions above it.
    pub async fn region_path(&self, slug: &str) -> AppResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "with recursive path (id, slug, parent_id, depth) as (
                 select id, slug, parent_id, 0 from regions where slug = $1
                 union all
                 select p.id, p.slug, p.parent_id, path.depth + 1 from regions p join path on p.id = path.parent_id
             )
             select slug from path order by depth",
        )
        .bind(slug)
        .fetch_all(&self.pool)
        .await?)
    }
}
