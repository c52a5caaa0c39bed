//! The change log: every write to a document leaves an entry, which each process's
//! search index follows.

use std::time::Duration;

use sqlx::{postgres::PgListener, FromRow};

use crate::{domain::subject::DocType, store::Store};

/// One entry of the change log: the document of this type and key changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    /// `None` for a type this release does not know (written by a newer one, or by hand):
    /// the indexer passes over it rather than stop.
    pub doc_type: Option<DocType>,
    pub recorded_type: String,
    pub doc_key: String,
}

#[derive(FromRow)]
struct ChangeRow {
    id: i64,
    doc_type: String,
    doc_key: String,
}

impl Store {
    /// Up to `limit` changes after `after`, in id order.
    pub async fn changes_after(&self, after: i64, limit: i64) -> Result<Vec<Change>, sqlx::Error> {
        let rows: Vec<ChangeRow> =
            sqlx::query_as("select id, doc_type, doc_key from changes where id > $1 order by id limit $2")
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|row| Change {
                id: row.id,
                doc_type: DocType::parse(&row.doc_type),
                recorded_type: row.doc_type,
                doc_key: row.doc_key,
            })
            .collect())
    }

    /// Whether a change of this type was logged after `after`: reads only the newer entries.
    pub async fn logged_since(&self, after: i64, doc_type: &str) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("select exists (select 1 from changes where id > $1 and doc_type = $2)")
            .bind(after)
            .bind(doc_type)
            .fetch_one(&self.pool)
            .await
    }

    /// The newest change id, 0 when there is none.
    pub async fn latest_change_id(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("select coalesce(max(id), 0) from changes").fetch_one(&self.pool).await
    }

    /// Changes up to this id were pruned: an index behind it must be rebuilt.
    pub async fn changes_pruned_through(&self) -> Result<i64, sqlx::Error> {
        let value: Option<String> =
            sqlx::query_scalar("select value from ayni_meta where key = 'changes_pruned_through'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Deletes changes older than `age`, always keeping the newest one, and records how far
    /// it pruned. Returns how many were deleted.
    pub async fn prune_changes(&self, age: Duration) -> Result<u64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let (pruned, deleted): (Option<i64>, i64) = sqlx::query_as(
            "with gone as (
                 delete from changes
                 where at < now() - make_interval(secs => $1)
                   and id < (select max(id) from changes)
                 returning id
             )
             select max(id), count(*) from gone",
        )
        .bind(age.as_secs_f64())
        .fetch_one(&mut *tx)
        .await?;
        let Some(through) = pruned else {
            tx.rollback().await?;
            return Ok(0);
        };
        sqlx::query(
            "insert into ayni_meta (key, value) values ('changes_pruned_through', $1::text)
             on conflict (key) do update
             set value = greatest(ayni_meta.value::bigint, excluded.value::bigint)::text",
        )
        .bind(through)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deleted as u64)
    }
}

/// Waits for the change log to move: woken by its notification as soon as another
/// transaction commits, and at the latest after the poll interval (a notification can be
/// lost on a half-open connection). Every follower of the log (each index, the glossary)
/// keeps one.
pub struct ChangeWaiter {
    listener: Option<PgListener>,
    poll: Duration,
}

/// The channel `log_change` notifies (migration 0007).
const CHANNEL: &str = "ayni_changes";

impl ChangeWaiter {
    pub fn new(poll: Duration) -> ChangeWaiter {
        ChangeWaiter { listener: None, poll }
    }

    /// Connects when not connected yet, then waits for a notification or the poll interval.
    pub async fn wait(&mut self, store: &Store) {
        if self.listener.is_none() {
            self.listener = listen(store).await;
        }
        match self.listener.as_mut() {
            Some(l) => {
                tokio::select! {
                    notification = l.try_recv() => {
                        if !matches!(notification, Ok(Some(_))) {
                            self.listener = None;
                        }
                    }
                    _ = tokio::time::sleep(self.poll) => {}
                }
                if let Some(l) = self.listener.as_mut() {
                    while l.next_buffered().is_some() {}
                }
            }
            None => tokio::time::sleep(self.poll).await,
        }
    }
}

async fn listen(store: &Store) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(store.pool()).await.ok()?;
    listener.listen(CHANNEL).await.ok()?;
    Some(listener)
}
