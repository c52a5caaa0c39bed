//! Regions and themes change only on import, yet nearly every page names them. Each process
//! keeps them in memory while it listens on `ayni_catalog`, which PostgreSQL notifies on any
//! write to either table (migration 0009): an import run by another process empties every
//! process's copy. Without a listener nothing is kept, since a change could go unseen; and
//! a site version that moved (read by kept pages on every request) empties it too.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::Duration,
};

use sqlx::postgres::PgListener;

use super::Store;
use crate::{
    domain::{region::Region, theme::Theme},
    error::AppResult,
};

const CHANNEL: &str = "ayni_catalog";

#[derive(Default)]
pub(super) struct CatalogCache {
    listening: AtomicBool,
    /// Moves on every notification: a list read before it moved is not kept.
    generation: AtomicU64,
    /// The last site version seen: it moves with every write to regions and themes, so a
    /// lost notification is made up for by the next request that reads the versions.
    site: AtomicI64,
    regions: RwLock<Option<Arc<Vec<Region>>>>,
    themes: RwLock<Option<Arc<Vec<Theme>>>>,
}

impl CatalogCache {
    fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut regions) = self.regions.write() {
            *regions = None;
        }
        if let Ok(mut themes) = self.themes.write() {
            *themes = None;
        }
    }
}

impl Store {
    /// Follows `ayni_catalog` for as long as the process runs, reconnecting after a lost
    /// connection (and forgetting the lists, since notifications may have been missed).
    pub fn watch_catalog(&self) {
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(err) = store.listen_catalog().await {
                    tracing::warn!(error = %err, "lost the catalog notifications; regions and themes are read from the database meanwhile");
                }
                store.catalog.listening.store(false, Ordering::SeqCst);
                store.catalog.forget();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen_catalog(&self) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        self.catalog.forget();
        self.catalog.listening.store(true, Ordering::SeqCst);
        while listener.try_recv().await?.is_some() {
            self.catalog.forget();
        }
        Ok(())
    }

    /// Drops the kept lists when the site version moved since it was last seen (the lists
    /// may predate a write whose notification was lost on a half-open connection).
    pub fn saw_site_version(&self, site: i64) {
        if self.catalog.site.swap(site, Ordering::SeqCst) != site {
            self.catalog.forget();
        }
    }

    /// Moves whenever the kept regions and themes are dropped: a page drawn with the old
    /// ones is stale even when the versions have not moved since.
    pub fn catalog_generation(&self) -> u64 {
        self.catalog.generation.load(Ordering::SeqCst)
    }

    pub(super) async fn cached_regions(
        &self,
        read: impl Future<Output = AppResult<Vec<Region>>>,
    ) -> AppResult<Vec<Region>> {
        cached(&self.catalog, &self.catalog.regions, read).await
    }

    pub(super) async fn cached_themes(
        &self,
        read: impl Future<Output = AppResult<Vec<Theme>>>,
    ) -> AppResult<Vec<Theme>> {
        cached(&self.catalog, &self.catalog.themes, read).await
    }
}

async fn cached<T: Clone>(
    cache: &CatalogCache,
    slot: &RwLock<Option<Arc<Vec<T>>>>,
    read: impl Future<Output = AppResult<Vec<T>>>,
) -> AppResult<Vec<T>> {
    if !cache.listening.load(Ordering::SeqCst) {
        return read.await;
    }
    if let Some(kept) = slot.read().ok().and_then(|s| s.clone()) {
        return Ok(kept.as_ref().clone());
    }
    let before = cache.generation.load(Ordering::SeqCst);
    let fresh = read.await?;
    if let Ok(mut kept) = slot.write() {
        // Kept only if no notification came while it was read (it may predate the change).
        if cache.generation.load(Ordering::SeqCst) == before && cache.listening.load(Ordering::SeqCst) {
            *kept = Some(Arc::new(fresh.clone()));
        }
    }
    Ok(fresh)
}
