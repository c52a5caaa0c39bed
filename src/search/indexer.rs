//! Keeping an index current (each [`Part`] has its own indexer): apply the change log in batches, committing at most every
//! 500 ms with the last applied change id as the commit's payload, so that a restarted
//! process catches up from there. A missing, corrupt or outdated index, or one that fell
//! behind the pruned part of the log, is rebuilt aside and swapped in.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use tantivy::IndexWriter;

use super::{
    document::{self, document},
    engine::{Engine, Unusable},
    schema::Fields,
    thesaurus::GLOSSARY_CHANGE,
    Part, Search,
};
use crate::{
    domain::subject::DocType,
    store::{
        changes::{Change, ChangeWaiter},
        search::Source,
        Store,
    },
};

/// Commits happen at most this often.
const BATCH_INTERVAL: Duration = Duration::from_millis(500);
/// While a large batch catches up, commits happen this often.
const BACKLOG_INTERVAL: Duration = Duration::from_secs(10);
/// Without a notification, the log is read this often anyway.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long changes stay in the log, and how often old ones are pruned.
const RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Changes read per query, and documents written per blocking step in a rebuild.
const CHANGES_PER_READ: i64 = 2000;
const REBUILD_BATCH: i64 = 500;
/// The file naming the index folder in use.
const POINTER: &str = "current";

/// What a run of changes does to an index: every changed document of its types leaves it,
/// and those that should still be found come back as they now are. Each document type says
/// here how it is read; the match on [`DocType`] makes a new type say it too.
struct Batch {
    changed: BTreeSet<(DocType, String)>,
    sources: Vec<Source>,
}

impl Batch {
    async fn read(store: &Store, part: Part, changes: &[Change]) -> anyhow::Result<Batch> {
        let mut changed = BTreeSet::new();
        for change in changes {
            match change.doc_type {
                Some(doc_type) if Part::of(doc_type) == part => {
                    changed.insert((doc_type, change.doc_key.clone()));
                }
                Some(_) => {}
                // The glossary is not indexed: search reads it whole (`thesaurus`).
                None if change.recorded_type == GLOSSARY_CHANGE => {}
                None if part == Part::Documents => {
                    tracing::warn!(change = change.id, doc_type = change.recorded_type, "unknown document type")
                }
                None => {}
            }
        }
        let mut batch = Batch { changed, sources: Vec::new() };
        for &doc_type in part.types() {
            let keys = batch.changed.iter().filter(|(t, _)| *t == doc_type).map(|(_, key)| key);
            // Every type so far is keyed by a row id: `store::search` says how each is read.
            let ids: Vec<i64> = match doc_type {
                DocType::Case
                | DocType::Workshop
                | DocType::Outcome
                | DocType::Commitment
                | DocType::Thread
                | DocType::Comment => keys.filter_map(|key| key.parse().ok()).collect(),
            };
            if !ids.is_empty() {
                batch.sources.extend(store.search_sources(doc_type, &ids).await?);
            }
        }
        Ok(batch)
    }

    /// Writes the batch; CPU work (Markdown to text), so off the async workers.
    fn apply(self, writer: IndexWriter, fields: &Fields) -> anyhow::Result<IndexWriter> {
        for (doc_type, key) in &self.changed {
            writer.delete_term(document::key(fields, *doc_type, key));
        }
        for source in &self.sources {
            writer.add_document(document(fields, source))?;
        }
        Ok(writer)
    }
}

/// Reports a rebuild's progress: documents written, documents in all.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

struct Indexer {
    store: Store,
    search: Search,
    part: Part,
    engine: Option<Arc<Engine>>,
    writer: Option<IndexWriter>,
    applied: i64,
    last_commit: Instant,
}

pub(super) async fn run(store: Store, search: Search, part: Part) {
    let mut indexer =
        Indexer { store, search, part, engine: None, writer: None, applied: 0, last_commit: Instant::now() };
    let mut waiter = ChangeWaiter::new(POLL_INTERVAL);
    let mut last_prune = Instant::now();
    let mut failures: u32 = 0;
    loop {
        if failures > 0 {
            // While the database is away, try less and less often (up to every 30 s).
            tokio::time::sleep(POLL_INTERVAL * 2u32.pow(failures.min(5)).min(30)).await;
        }
        if indexer.engine.is_none() {
            if let Err(err) = indexer.open_or_rebuild().await {
                if indexer.store.pool().is_closed() {
                    return;
                }
                failures = report(failures, "cannot prepare the search index yet; retrying", &err);
                continue;
            }
        }
        match indexer.catch_up().await {
            Ok(()) => failures = 0,
            // The pool closes only at shutdown: nothing is wrong, the indexer just stops.
            Err(_) if indexer.store.pool().is_closed() => return,
            Err(err) => {
                failures = report(failures, "cannot apply the change log yet; retrying", &err);
                continue;
            }
        }
        if last_prune.elapsed() >= PRUNE_EVERY {
            last_prune = Instant::now();
            match indexer.store.prune_changes(RETENTION).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(pruned = n, "pruned old entries from the change log"),
                Err(err) => tracing::warn!(error = %err, "cannot prune the change log"),
            }
        }
        waiter.wait(&indexer.store).await;
        let since = indexer.last_commit.elapsed();
        if since < BATCH_INTERVAL {
            tokio::time::sleep(BATCH_INTERVAL - since).await;
        }
    }
}

/// A failure that the next try mends (a database that is restarting, a dropped connection)
/// is no news for an operator: the second failure in a row is logged as a warning, the
/// others quietly. Returns the new count.
fn report(failures: u32, what: &str, err: &anyhow::Error) -> u32 {
    if failures == 1 {
        tracing::warn!(error = %format!("{err:#}"), "{what}");
    } else {
        tracing::debug!(error = %format!("{err:#}"), failures, "{what}");
    }
    failures.saturating_add(1)
}

impl Indexer {
    async fn open_or_rebuild(&mut self) -> anyhow::Result<()> {
        let dir = self.part.dir(self.search.dir());
        let opened = match read_pointer(&dir) {
            Some(path) => tokio::task::spawn_blocking(move || Engine::open(&path)).await?,
            None => Err(Unusable::Missing),
        };
        match opened {
            Ok(engine) => {
                self.applied = engine.committed_change()?;
                self.writer = Some(engine.writer()?);
                let engine = Arc::new(engine);
                remove_other_indexes(&dir, &engine.dir);
                tracing::info!(change = self.applied, index = ?self.part, "opened the search index");
                self.search.install(self.part, engine.clone(), self.applied);
                self.engine = Some(engine);
                Ok(())
            }
            Err(why) => {
                tracing::info!(reason = %why, index = ?self.part, "building the search index in the background");
                self.rebuild().await
            }
        }
    }

    async fn rebuild(&mut self) -> anyhow::Result<()> {
        // Let go of the old writer first: it holds the old index's lock.
        self.writer = None;
        let started = Instant::now();
        let (engine, writer, applied) = build_index(&self.store, self.search.dir(), self.part, &|_, _| {}).await?;
        let engine = Arc::new(engine);
        remove_other_indexes(&self.part.dir(self.search.dir()), &engine.dir);
        tracing::info!(
            index = ?self.part,
            documents = engine.reader.searcher().num_docs(),
            seconds = started.elapsed().as_secs_f64(),
            change = applied,
            "search index built"
        );
        self.applied = applied;
        self.writer = Some(writer);
        self.search.install(self.part, engine.clone(), applied);
        self.engine = Some(engine);
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Applies every change after the last one applied.
    async fn catch_up(&mut self) -> anyhow::Result<()> {
        if self.applied < self.store.changes_pruned_through().await? {
            tracing::info!(applied = self.applied, "the index fell behind the pruned change log: rebuilding");
            return self.rebuild().await;
        }
        let (Some(engine), Some(mut writer)) = (self.engine.clone(), self.writer.take()) else { return Ok(()) };
        let mut pending = self.applied;
        let outcome = async {
            // Reading the next changes overlaps writing these: PostgreSQL and the index each
            // get a core while a large batch catches up.
            let mut next = self.read_after(pending).await?;
            while let Some((changes, batch)) = next {
                let Some(last) = changes.last().map(|c| c.id) else { break };
                let backlog = changes.len() as i64 == CHANGES_PER_READ;
                let fields = engine.fields.clone();
                let applying = tokio::task::spawn_blocking(move || batch.apply(writer, &fields));
                let read = if backlog { self.read_after(last).await } else { Ok(None) };
                writer = applying.await??;
                next = read?;
                pending = last;
                // A backlog commits seldom, since each commit adds a segment to merge later;
                // a quiet log commits at once.
                let interval = if backlog { BACKLOG_INTERVAL } else { BATCH_INTERVAL };
                if next.is_none() || self.last_commit.elapsed() >= interval {
                    writer = self.commit(&engine, writer, pending).await?;
                }
            }
            Ok::<IndexWriter, anyhow::Error>(writer)
        }
        .await;
        match outcome {
            Ok(writer) => {
                self.writer = Some(writer);
                Ok(())
            }
            Err(err) => {
                // The writer may hold half a batch: start again from the last commit.
                self.engine = None;
                self.writer = None;
                Err(err)
            }
        }
    }

    /// The changes after `id` and the documents they name, or `None` when there are none.
    async fn read_after(&self, id: i64) -> anyhow::Result<Option<(Vec<Change>, Batch)>> {
        let changes = self.store.changes_after(id, CHANGES_PER_READ).await?;
        if changes.is_empty() {
            return Ok(None);
        }
        let batch = Batch::read(&self.store, self.part, &changes).await?;
        Ok(Some((changes, batch)))
    }

    async fn commit(&mut self, engine: &Arc<Engine>, writer: IndexWriter, change: i64) -> anyhow::Result<IndexWriter> {
        let writer = commit_at(writer, change).await?;
        engine.reader.reload()?;
        self.last_commit = Instant::now();
        self.applied = change;
        self.search.advance(self.part, change);
        // The labels searched lately are found again for the new searcher, in the background.
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || engine.kept.warm(&engine.reader));
        Ok(writer)
    }
}

/// Builds a complete index of `part` from PostgreSQL in a new folder beside the one in use
/// (within `search_dir`), then points `current` at it. Returns the index, its writer and
/// the change id it reflects.
pub async fn build_index(
    store: &Store,
    search_dir: &Path,
    part: Part,
    progress: Progress<'_>,
) -> anyhow::Result<(Engine, IndexWriter, i64)> {
    let dir = &part.dir(search_dir);
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let folder = dir.join(format!("index-{stamp}"));
    let create = folder.clone();
    let engine = tokio::task::spawn_blocking(move || Engine::create(&create))
        .await?
        .with_context(|| format!("cannot create an index in {}", folder.display()))?;
    let engine = Arc::new(engine);
    let mut writer = engine.writer()?;
    let mut snapshot = store.search_snapshot(part.types()).await?;
    let total = snapshot.total.max(0) as u64;
    let mut done = 0u64;
    progress(done, total);
    loop {
        let batch = snapshot.next_batch(REBUILD_BATCH).await?;
        if batch.is_empty() {
            break;
        }
        done += batch.len() as u64;
        let engine = engine.clone();
        writer = tokio::task::spawn_blocking(move || -> tantivy::Result<IndexWriter> {
            for source in &batch {
                writer.add_document(document(&engine.fields, source))?;
            }
            Ok(writer)
        })
        .await??;
        progress(done, total);
    }
    let change = snapshot.change_id;
    snapshot.finish().await?;
    let writer = commit_at(writer, change).await?;
    // Merges finish before the index is swapped in; the change log gets a writer of its own.
    writer.wait_merging_threads()?;
    engine.reader.reload()?;
    write_pointer(dir, &folder)?;
    let engine = Arc::into_inner(engine).context("the index is still in use by the build")?;
    let writer = engine.writer()?;
    Ok((engine, writer, change))
}

/// Commits with `change` as the payload: the point a restarted process resumes from.
async fn commit_at(mut writer: IndexWriter, change: i64) -> anyhow::Result<IndexWriter> {
    Ok(tokio::task::spawn_blocking(move || -> tantivy::Result<IndexWriter> {
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&change.to_string());
        commit.commit()?;
        Ok(writer)
    })
    .await??)
}

fn read_pointer(dir: &Path) -> Option<PathBuf> {
    let name = std::fs::read_to_string(dir.join(POINTER)).ok()?;
    let name = name.trim();
    (!name.is_empty() && !name.contains('/')).then(|| dir.join(name))
}

/// Replaces the pointer atomically: a crash leaves the old one or the new one.
fn write_pointer(dir: &Path, folder: &Path) -> anyhow::Result<()> {
    let name = folder.file_name().context("index folder without a name")?.to_string_lossy().into_owned();
    let temporary = dir.join(format!("{POINTER}.tmp"));
    std::fs::write(&temporary, format!("{name}\n"))?;
    std::fs::rename(&temporary, dir.join(POINTER))?;
    Ok(())
}

/// Index folders other than the one in use are leftovers of earlier builds.
fn remove_other_indexes(dir: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("index-") && path != keep {
            if let Err(err) = std::fs::remove_dir_all(&path) {
                tracing::warn!(path = %path.display(), error = %err, "cannot remove an old index");
            }
        }
    }
}
