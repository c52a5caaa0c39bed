//! The store: every SQL statement lives under this module, grouped by feature (`cases`,
//! `accounts`, `audit`, `changes`, `search`, `regions`, `themes`, `import`), with the
//! versions that tell cached pages they are stale, and the regions and themes kept in memory
//! (`catalog`). It returns
//! `AppError`; the rule for which variants it may build is in `error`.

pub mod accounts;
pub mod audit;
pub mod cases;
mod catalog;
pub mod changes;
pub mod commitments;
pub mod discussions;
pub mod generate;
pub mod glossary;
pub mod import;
mod memo;
pub mod notifications;
pub mod regions;
mod rendering;
pub mod search;
pub mod themes;
pub mod versions;
pub mod workshops;

use std::sync::Arc;

use sqlx::PgPool;

use self::{catalog::CatalogCache, memo::Memos};

/// A cheap handle on the database, cloned into every request.
#[derive(Clone)]
pub struct Store {
    pool: PgPool,
    catalog: Arc<CatalogCache>,
    memo: Arc<Memos>,
}

impl Store {
    pub fn new(pool: PgPool) -> Self {
        Store { pool, catalog: Arc::default(), memo: Arc::default() }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Answers when the database does: `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("select 1").execute(&self.pool).await.map(|_| ())
    }
}

/// Advisory-lock key that serialises content loading and imports across processes.
pub(crate) const CONTENT_LOCK: i64 = 0x4159_4e49_0001;
