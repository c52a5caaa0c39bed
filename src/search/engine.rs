//! One tantivy index on disk: opening it (or finding it unusable) and creating a new one.

use std::path::{Path, PathBuf};

use tantivy::{directory::MmapDirectory, Index, IndexReader, IndexWriter, ReloadPolicy};

use super::{analyzers, facet_table::FacetTables, schema::Fields};

/// Memory for each indexing thread's buffer.
const WRITER_HEAP: usize = 64 * 1024 * 1024;

pub struct Engine {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub dir: PathBuf,
    /// Facet values per document, per segment searched.
    pub facets: FacetTables,
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
        Ok(Engine { index, reader, fields, dir: dir.to_path_buf(), facets: FacetTables::default() })
    }

    /// Moves whenever the reader sees a new commit.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The writer for a full build and for the change log alike: one indexing thread per
    /// core (up to four), so that a large batch of changes is written as fast as a rebuild.
    /// A small commit still makes one segment, since only threads given documents make one.
    pub fn writer(&self) -> tantivy::Result<IndexWriter> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        self.index.writer_with_num_threads(threads, WRITER_HEAP * threads)
    }

    /// The change id stored with the last commit: where catching up starts.
    pub fn committed_change(&self) -> tantivy::Result<i64> {
        Ok(self.index.load_metas()?.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }
}
