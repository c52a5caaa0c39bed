//! One tantivy index on disk: opening it (or finding it unusable) and creating a new one.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use tantivy::{directory::MmapDirectory, Index, IndexReader, IndexWriter, ReloadPolicy};

use super::{analyzers, facet_table::FacetTables, kept::KeptLabels, schema::Fields};

/// Memory for each indexing thread's buffer.
const WRITER_HEAP: usize = 64 * 1024 * 1024;

/// Which index (among those this process opened) and which of its searchers.
pub type Generation = (u64, u64);

pub struct Engine {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub dir: PathBuf,
    /// Facet values per document, per segment searched.
    pub facets: FacetTables,
    /// What glossary labels found, per searcher.
    pub kept: Arc<KeptLabels>,
    /// Which index this is, among those this process opened.
    id: u64,
}

/// Why an index on disk cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum Unusable {
    #[error("no index yet")]
    Missing,
    #[error("the index was made with another schema")]
    Outdated,
    #[error("the index cannot be read: {0}")]
    Corrupt(#[from] tantivy::TantivyError),
}

impl Engine {
    /// Opens the index in `dir`, checking that its schema is the one this code writes.
    pub fn open(dir: &Path) -> Result<Engine, Unusable> {
        if !dir.join("meta.json").exists() {
            return Err(Unusable::Missing);
        }
        let fields = Fields::new();
        let directory = MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
        let index = Index::open(directory)?;
        if index.schema() != fields.schema {
            return Err(Unusable::Outdated);
        }
        Ok(Engine::with_index(index, fields, dir)?)
    }

    /// A new, empty index in `dir`.
    pub fn create(dir: &Path) -> tantivy::Result<Engine> {
        std::fs::create_dir_all(dir)?;
        let fields = Fields::new();
        let index = Index::create_in_dir(dir, fields.schema.clone())?;
        Engine::with_index(index, fields, dir)
    }

    fn with_index(index: Index, fields: Fields, dir: &Path) -> tantivy::Result<Engine> {
        analyzers::register(&index);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        // Reading every segment's metadata now finds a damaged index before it serves.
        for segment in reader.searcher().segment_readers() {
            segment.get_store_reader(1)?;
        }
        static OPENED: AtomicU64 = AtomicU64::new(0);
        let id = OPENED.fetch_add(1, Ordering::Relaxed);
        Ok(Engine {
            index,
            reader,
            fields,
            dir: dir.to_path_buf(),
            facets: FacetTables::default(),
            kept: Arc::default(),
            id,
        })
    }

    /// Moves whenever the reader sees a new commit, and differs between indexes: a
    /// rebuilt index counts its searcher generations from zero again.
    pub fn generation(&self) -> Generation {
        (self.id, self.reader.searcher().generation().generation_id())
    }

    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The writer for a full build and for the change log alike: one indexing thread per
    /// core (up to four), so that a large batch of changes is written as fast as a rebuild.
    /// A small commit may make a segment per thread that got a document; merges fold them.
    pub fn writer(&self) -> tantivy::Result<IndexWriter> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        self.index.writer_with_num_threads(threads, WRITER_HEAP * threads)
    }

    /// The change id stored with the last commit: where catching up starts.
    pub fn committed_change(&self) -> tantivy::Result<i64> {
        Ok(self.index.load_metas()?.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }
}
