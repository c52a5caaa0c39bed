//! What the search index is built from: published cases as documents (the change log that
//! says which changed is in `changes`). Like `changes`, it returns `sqlx::Error`: the indexer
//! runs outside requests.

use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;

use crate::{
    domain::case::{Kind, Language},
    store::Store,
};

/// A published case, with everything the index needs to know about it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchSource {
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub language: Language,
    pub year: i32,
    pub summary: String,
    pub body_markdown: String,
    pub region: String,
    pub level: String,
    /// The region's slug and those of every region above it.
    pub region_path: Vec<String>,
    pub themes: Vec<String>,
    pub updated_at: OffsetDateTime,
    pub illustrative: bool,
}

/// The columns of `SearchSource` for `cases c join regions r`.
const SOURCE_SQL: &str = "
    select c.id, c.slug, c.title, c.kind, c.language, c.year, c.summary, c.body_markdown,
           r.slug as region, r.level,
           array(select a.slug from region_and_above(c.region_id) up join regions a on a.id = up.id
                 order by a.slug) as region_path,
           array(select t.slug from case_themes ct join themes t on t.id = ct.theme_id
                 where ct.case_id = c.id order by t.slug) as themes,
           c.updated_at, c.illustrative
    from cases c join regions r on r.id = c.region_id
    where c.status = 'published'";

/// Every published case as of one moment, read in batches inside a repeatable-read
/// transaction, with the last change id that moment reflects: applying the changes after it
/// brings the documents up to date.
pub struct Snapshot {
    tx: Transaction<'static, Postgres>,
    after_id: i64,
    pub change_id: i64,
    pub total: i64,
}

impl Snapshot {
    /// The next `limit` cases in id order; empty at the end.
    pub async fn next_batch(&mut self, limit: i64) -> Result<Vec<SearchSource>, sqlx::Error> {
        let batch: Vec<SearchSource> = sqlx::query_as(&format!("{SOURCE_SQL} and c.id > $1 order by c.id limit $2"))
            .bind(self.after_id)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?;
        if let Some(last) = batch.last() {
            self.after_id = last.id;
        }
        Ok(batch)
    }

    pub async fn finish(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Store {
    /// The current state of these cases; those no longer published are simply absent.
    pub async fn search_sources(&self, case_ids: &[i64]) -> Result<Vec<SearchSource>, sqlx::Error> {
        sqlx::query_as(&format!("{SOURCE_SQL} and c.id = any($1)")).bind(case_ids).fetch_all(&self.pool).await
    }

    pub async fn search_snapshot(&self) -> Result<Snapshot, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("set transaction isolation level repeatable read, read only").execute(&mut *tx).await?;
        let change_id: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from changes").fetch_one(&mut *tx).await?;
        let total: i64 =
            sqlx::query_scalar("select count(*) from cases where status = 'published'").fetch_one(&mut *tx).await?;
        Ok(Snapshot { tx, after_id: 0, change_id, total })
    }
}
