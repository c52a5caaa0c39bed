//! Full-text search with tantivy, in process. The index is derived data: PostgreSQL is the
//! source of truth, every write to a document lands in the change log (`changes`, by type and key), and each
//! Ayni process applies that log to its own index under `<data-dir>/search`.
//!
//! - `analyzers`: Spanish, English and folded text analysis, registered in one place.
//! - `schema`, `document`: the generic fields, and a case as a document.
//! - `query`: what people type, read leniently.
//! - `searcher`: answering a query; `build` makes the tantivy query (weights, typo
//!   correction, filter clauses), `shape` turns what it found into hits, snippets, facets.
//! - `facet_table`: the facet values of each document, per segment, for counting hits.
//! - `engine`: one index on disk; `indexer`: following the change log, rebuilding.

pub mod analyzers;
mod document;
pub mod engine;
mod facet_table;
mod indexer;
pub mod query;
pub mod schema;
mod searcher;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::Duration,
};

use quick_cache::sync::Cache;
use tokio::sync::watch;

use self::engine::{Engine, Generation};
pub use self::{
    indexer::{build_index, Progress},
    searcher::{FacetCounts, Hit, SearchOutcome, SearchRequest, Sort},
};
use crate::store::Store;

/// How many peer cases a case page shows.
pub const PEER_CASES: usize = 5;
/// Peer lists kept in memory, about 2 kB each.
const PEERS_KEPT: usize = 20_000;

/// A handle on this process's index, shared by every request.
#[derive(Clone)]
pub struct Search {
    shared: Arc<Shared>,
}

struct Shared {
    dir: PathBuf,
    engine: RwLock<Option<Arc<Engine>>>,
    /// Peer cases by slug, with the searcher generation they were found in: they change
    /// only when the index does, so a case page does not run MoreLikeThis on every view.
    peers: Cache<String, (Generation, Arc<Vec<Hit>>)>,
    /// The last change id applied; -1 while there is no index yet.
    applied: watch::Sender<i64>,
}

impl Search {
    /// Opens (or builds, in the background) the index in `dir` and starts following the
    /// change log. The site serves meanwhile.
    pub fn start(store: Store, dir: PathBuf) -> Search {
        let search = Search {
            shared: Arc::new(Shared {
                dir,
                engine: RwLock::new(None),
                peers: Cache::new(PEERS_KEPT),
                applied: watch::Sender::new(-1),
            }),
        };
        tokio::spawn(indexer::run(store, search.clone()));
        search
    }

    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// The last change id the index reflects, or `None` while it is being built.
    pub fn applied_change(&self) -> Option<i64> {
        let applied = *self.shared.applied.borrow();
        (applied >= 0).then_some(applied)
    }

    /// Waits until the index reflects `change_id`; false if `timeout` passes first.
    pub async fn wait_for(&self, change_id: i64, timeout: Duration) -> bool {
        let mut receiver = self.shared.applied.subscribe();
        tokio::time::timeout(timeout, receiver.wait_for(|applied| *applied >= change_id)).await.is_ok_and(|r| r.is_ok())
    }

    fn engine(&self) -> Option<Arc<Engine>> {
        self.shared.engine.read().ok().and_then(|e| e.clone())
    }

    fn install(&self, engine: Arc<Engine>, applied: i64) {
        if let Ok(mut current) = self.shared.engine.write() {
            *current = Some(engine);
        }
        // A new index counts its generations afresh.
        self.shared.peers.clear();
        self.shared.applied.send_replace(applied);
    }

    fn advance(&self, applied: i64) {
        self.shared.applied.send_replace(applied);
    }

    /// Answers a query; `None` while the index is being built.
    pub async fn search(&self, request: SearchRequest) -> anyhow::Result<Option<SearchOutcome>> {
        let Some(engine) = self.engine() else { return Ok(None) };
        Ok(Some(tokio::task::spawn_blocking(move || engine.search(&request)).await??))
    }

    /// The [`PEER_CASES`] published cases most like `slug`, from other regions: found once
    /// per generation of the index.
    pub async fn peers(&self, slug: &str) -> anyhow::Result<Arc<Vec<Hit>>> {
        let Some(engine) = self.engine() else { return Ok(Arc::default()) };
        let generation = engine.generation();
        if let Some((_, hits)) = self.shared.peers.get(slug).filter(|(at, _)| *at == generation) {
            return Ok(hits);
        }
        let key = slug.to_string();
        let hits = tokio::task::spawn_blocking(move || engine.similar(&key, PEER_CASES)).await??;
        let hits = Arc::new(hits);
        self.shared.peers.insert(slug.to_string(), (generation, hits.clone()));
        Ok(hits)
    }
}
