//! Full-text search with tantivy, in process. The index is derived data: PostgreSQL is the
//! source of truth, every write to a document lands in the change log (`changes`, by type and key), and each
//! Ayni process applies that log to its own indexes under `<data-dir>/search`: one for
//! cases, workshops, outcomes and commitments, and one for threads and comments ([`Part`]).
//!
//! - `analyzers`: Spanish, English and folded text analysis, registered in one place.
//! - `schema`, `document`: the generic fields, and a case as a document.
//! - `query`: what people type, read leniently.
//! - `searcher`: answering a query; `build` makes the tantivy query (weights, typo
//!   correction, filter clauses), `shape` turns what it found into hits, snippets, facets.
//! - `facet_table`: the facet values of each document, per segment, for counting hits.
//! - `kept`: what a query's glossary labels found, kept while the index stays the same.
//! - `engine`: one index on disk; `indexer`: following the change log, rebuilding.

pub mod analyzers;
mod document;
pub mod engine;
mod facet_table;
mod indexer;
mod kept;
pub mod query;
pub mod schema;
mod searcher;
pub mod thesaurus;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::Duration,
};

use quick_cache::sync::Cache;
use tokio::sync::watch;

use self::engine::{Engine, Generation};
use self::thesaurus::Thesaurus;
pub use self::{
    indexer::{build_index, Progress},
    searcher::{ExpandedTerm, Expansion, FacetCounts, Hit, SearchOutcome, SearchRequest, Sort},
};
use crate::domain::subject::DocType;
use crate::store::Store;

/// How many peer cases a case page shows.
pub const PEER_CASES: usize = 5;
/// Peer lists kept in memory, about 2 kB each.
const PEERS_KEPT: usize = 20_000;

/// The indexes each process keeps. Comments outnumber cases a hundred to one, so they live
/// apart: a search for cases (what people make by default) neither walks their postings
/// nor has its word weights skewed by them, and is as fast with a million comments as with
/// none. People search discussions by choosing the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Cases, workshops, outcomes and commitments.
    Documents,
    /// Threads and comments.
    Discussions,
}

impl Part {
    pub const ALL: [Part; 2] = [Part::Documents, Part::Discussions];

    pub fn of(doc_type: DocType) -> Part {
        if doc_type.is_discussion() {
            Part::Discussions
        } else {
            Part::Documents
        }
    }

    /// The document types this index holds.
    pub fn types(self) -> &'static [DocType] {
        match self {
            Part::Documents => &[DocType::Case, DocType::Workshop, DocType::Outcome, DocType::Commitment],
            Part::Discussions => &[DocType::Thread, DocType::Comment],
        }
    }

    /// The folder of this index's builds, within the search folder.
    pub fn dir(self, search_dir: &Path) -> PathBuf {
        match self {
            Part::Documents => search_dir.to_path_buf(),
            Part::Discussions => search_dir.join("discussions"),
        }
    }

    fn slot(self) -> usize {
        match self {
            Part::Documents => 0,
            Part::Discussions => 1,
        }
    }
}

/// A handle on this process's indexes, shared by every request.
#[derive(Clone)]
pub struct Search {
    shared: Arc<Shared>,
}

struct Shared {
    dir: PathBuf,
    /// By [`Part::slot`].
    slots: [Slot; 2],
    /// Peer cases by slug, with the searcher generation they were found in: they change
    /// only when the index does, so a case page does not run MoreLikeThis on every view.
    peers: Cache<String, (Generation, Arc<Vec<Hit>>)>,
    /// The glossary as search uses it, kept current by `thesaurus::follow`.
    thesaurus: RwLock<Arc<Thesaurus>>,
    /// The last change id the glossary was checked against; -1 until it is first read.
    glossary_seen: watch::Sender<i64>,
}

struct Slot {
    engine: RwLock<Option<Arc<Engine>>>,
    /// The last change id applied; -1 while there is no index yet.
    applied: watch::Sender<i64>,
}

impl Search {
    /// Opens (or builds, in the background) the indexes in `dir` and starts following the
    /// change log. The site serves meanwhile.
    pub fn start(store: Store, dir: PathBuf) -> Search {
        let slot = || Slot { engine: RwLock::new(None), applied: watch::Sender::new(-1) };
        let search = Search {
            shared: Arc::new(Shared {
                dir,
                slots: [slot(), slot()],
                peers: Cache::new(PEERS_KEPT),
                thesaurus: RwLock::default(),
                glossary_seen: watch::Sender::new(-1),
            }),
        };
        for part in Part::ALL {
            tokio::spawn(indexer::run(store.clone(), search.clone(), part));
        }
        tokio::spawn(thesaurus::follow(store, search.clone()));
        search
    }

    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    fn slot(&self, part: Part) -> &Slot {
        &self.shared.slots[part.slot()]
    }

    /// The last change id both indexes and the glossary reflect, or `None` while an index
    /// is being built or the glossary was never read.
    pub fn applied_change(&self) -> Option<i64> {
        let followers = self.followers();
        let applied = followers.iter().map(|follower| *follower.borrow()).min().unwrap_or(-1);
        (applied >= 0).then_some(applied)
    }

    /// Everything that follows the change log: the two indexes and the glossary.
    fn followers(&self) -> [&watch::Sender<i64>; 3] {
        let [documents, discussions] = &self.shared.slots;
        [&documents.applied, &discussions.applied, &self.shared.glossary_seen]
    }

    /// Waits until both indexes and the glossary reflect `change_id`; false if `timeout`
    /// passes first.
    pub async fn wait_for(&self, change_id: i64, timeout: Duration) -> bool {
        let caught_up = async {
            for follower in self.followers() {
                if follower.subscribe().wait_for(|applied| *applied >= change_id).await.is_err() {
                    return false;
                }
            }
            true
        };
        tokio::time::timeout(timeout, caught_up).await.unwrap_or(false)
    }

    fn engine(&self, part: Part) -> Option<Arc<Engine>> {
        self.slot(part).engine.read().ok().and_then(|e| e.clone())
    }

    fn install(&self, part: Part, engine: Arc<Engine>, applied: i64) {
        if let Ok(mut current) = self.slot(part).engine.write() {
            *current = Some(engine);
        }
        // A new index counts its generations afresh.
        if part == Part::Documents {
            self.shared.peers.clear();
        }
        self.slot(part).applied.send_replace(applied);
    }

    fn advance(&self, part: Part, applied: i64) {
        self.slot(part).applied.send_replace(applied);
    }

    /// Answers a query from the index that holds the type asked for (cases and the like
    /// unless threads or comments are); `None` while that index is being built.
    pub async fn search(&self, request: SearchRequest) -> anyhow::Result<Option<SearchOutcome>> {
        let part = request.filters.doc_type.map_or(Part::Documents, Part::of);
        let Some(engine) = self.engine(part) else { return Ok(None) };
        let thesaurus = request.expand.then(|| self.thesaurus());
        Ok(Some(tokio::task::spawn_blocking(move || engine.search(&request, thesaurus.as_deref())).await??))
    }

    /// The glossary as this process holds it now (empty until first read).
    pub fn thesaurus(&self) -> Arc<Thesaurus> {
        self.shared.thesaurus.read().map(|t| t.clone()).unwrap_or_default()
    }

    fn install_thesaurus(&self, thesaurus: Arc<Thesaurus>) {
        if let Ok(mut current) = self.shared.thesaurus.write() {
            *current = thesaurus;
        }
    }

    /// The glossary in use reflects every change up to `change_id`.
    fn glossary_checked(&self, change_id: i64) {
        self.shared.glossary_seen.send_replace(change_id);
    }

    /// The [`PEER_CASES`] published cases most like `slug`, from other regions: found once
    /// per generation of the index.
    pub async fn peers(&self, slug: &str) -> anyhow::Result<Arc<Vec<Hit>>> {
        let Some(engine) = self.engine(Part::Documents) else { return Ok(Arc::default()) };
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
