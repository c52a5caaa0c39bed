//! What the glossary labels of a query's words find, kept while the index stays the same.
//!
//! A concept's labels are mostly phrases of common words, and finding a phrase reads the
//! positions of every document holding its words: five to ten times what the typed words
//! cost at 100,000 cases. The same concepts are searched again and again, and what their
//! labels find changes only when the index does, so the documents each span's labels find,
//! with their scores, are kept per segment for the searcher that found them. A new searcher
//! (any change to the index) or other labels (a glossary edit) make another key, so nothing
//! kept is ever used stale; old keys age out of a cache of bounded size. When the index
//! changes, the labels searched most recently are found again for the new searcher, off the
//! request path ([`KeptLabels::warm`]), so that the next person who searches them does not
//! pay for it.

use std::{
    collections::HashMap,
    fmt,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use quick_cache::{sync::Cache, OptionsBuilder, Weighter};
use tantivy::{
    collector::TopDocs,
    index::SegmentId,
    query::{EnableScoring, Explanation, Query, Scorer, Weight},
    schema::Term,
    DocId, DocSet, IndexReader, Score, SegmentReader, TantivyError, TERMINATED,
};

/// Queries with their weights, as a word's alternatives are given.
type Alternatives = Vec<(Box<dyn Query>, Score)>;

/// Documents kept in all (about 8 bytes each, an entry's key counted as 16): 32 MB.
const CAPACITY_DOCS: u64 = 4_000_000;
/// The labels found again for a new searcher: the most recently searched.
const WARMED: usize = 100;

/// (the searcher's generation, the segment, the labels and their weights). Each index
/// keeps its own, so the generation is the searcher's within it.
type Key = (u64, SegmentId, Arc<str>);
/// A segment's documents found, in order, with their summed scores.
type Found = Arc<Vec<(DocId, Score)>>;

#[derive(Clone)]
struct ByDocs;

impl Weighter<Key, Found> for ByDocs {
    /// Its documents, and the key and bookkeeping as much as 16 documents, so that
    /// entries that found nothing still count.
    fn weight(&self, _: &Key, found: &Found) -> u64 {
        found.len() as u64 + 16
    }
}

/// When labels were last searched (a count of uses), and the labels.
type Searched = (u64, Arc<Alternatives>);

/// The labels' findings kept by one index (`Engine::kept`).
pub struct KeptLabels {
    found: Cache<Key, Found, ByDocs>,
    /// The labels of recent searches, with when each was last searched (a count of uses).
    recent: Mutex<HashMap<Arc<str>, Searched>>,
    uses: AtomicU64,
    /// A warm-up runs; and another was asked for meanwhile (a newer searcher).
    warming: AtomicBool,
    again: AtomicBool,
}

impl Default for KeptLabels {
    fn default() -> Self {
        // Few shards: quick_cache refuses an entry larger than a shard's share of the
        // capacity, and a common concept's documents make a large entry.
        let found = OptionsBuilder::new()
            .estimated_items_capacity(10_000)
            .weight_capacity(CAPACITY_DOCS)
            .shards(4)
            .build()
            .map(|options| Cache::with_options(options, ByDocs, Default::default(), Default::default()))
            .unwrap_or_else(|_| Cache::with_weighter(10_000, CAPACITY_DOCS, ByDocs));
        KeptLabels {
            found,
            recent: Mutex::default(),
            uses: AtomicU64::new(0),
            warming: AtomicBool::new(false),
            again: AtomicBool::new(false),
        }
    }
}

impl KeptLabels {
    /// Notes that these labels were searched.
    fn used(&self, key: &Arc<str>, alternatives: &Arc<Alternatives>) {
        let now = self.uses.fetch_add(1, Ordering::Relaxed);
        let Ok(mut recent) = self.recent.lock() else { return };
        recent.insert(key.clone(), (now, alternatives.clone()));
        if recent.len() > 2 * WARMED {
            let mut ages: Vec<u64> = recent.values().map(|(at, _)| *at).collect();
            ages.sort_unstable_by_key(|at| std::cmp::Reverse(*at));
            let oldest_kept = ages[WARMED - 1];
            recent.retain(|_, (at, _)| *at >= oldest_kept);
        }
    }

    /// Finds the most recently searched labels with the reader's searcher (a new one) and
    /// keeps what they find. CPU work: call it off the async workers. One runs at a time: a
    /// call while one runs makes it start over with the newest searcher. Returns how many
    /// labels this call found.
    pub fn warm(self: &Arc<Self>, reader: &IndexReader) -> usize {
        self.again.store(true, Ordering::SeqCst);
        let mut found = 0;
        loop {
            if self.warming.swap(true, Ordering::SeqCst) {
                return found;
            }
            while self.again.swap(false, Ordering::SeqCst) {
                let searcher = reader.searcher();
                for (key, alternatives) in self.most_recent() {
                    if self.again.load(Ordering::SeqCst) {
                        break;
                    }
                    let query = KeptQuery { kept: self.clone(), key, alternatives, record: false };
                    // Scored, as searches are: the scores are what is kept.
                    match searcher.search(&query, &TopDocs::with_limit(1)) {
                        Ok(_) => found += 1,
                        Err(err) => tracing::debug!(error = %err, "cannot find glossary labels again"),
                    }
                }
            }
            self.warming.store(false, Ordering::SeqCst);
            if !self.again.load(Ordering::SeqCst) {
                return found;
            }
        }
    }

    /// The labels searched last, newest first.
    fn most_recent(&self) -> Vec<(Arc<str>, Arc<Alternatives>)> {
        let mut recent: Vec<(u64, Arc<str>, Arc<Alternatives>)> = match self.recent.lock() {
            Ok(recent) => recent.iter().map(|(key, (at, alt))| (*at, key.clone(), alt.clone())).collect(),
            Err(_) => return Vec::new(),
        };
        recent.sort_unstable_by_key(|(at, _, _)| std::cmp::Reverse(*at));
        recent.into_iter().take(WARMED).map(|(_, key, alternatives)| (key, alternatives)).collect()
    }
}

/// A span's labels as one alternative of the span: the sum of their weighted scores, read
/// from what is kept or found now and kept.
#[derive(Clone)]
pub struct KeptQuery {
    kept: Arc<KeptLabels>,
    /// The labels and their weights, written out: what identifies them.
    key: Arc<str>,
    alternatives: Arc<Alternatives>,
    /// Whether using it counts as a search (a warm-up's does not).
    record: bool,
}

impl fmt::Debug for KeptQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeptQuery").field("key", &self.key).finish_non_exhaustive()
    }
}

impl KeptQuery {
    pub fn new(kept: Arc<KeptLabels>, key: String, alternatives: Alternatives) -> Self {
        KeptQuery { kept, key: key.into(), alternatives: Arc::new(alternatives), record: true }
    }

    fn key(&self, generation: u64, segment: SegmentId) -> Key {
        (generation, segment, self.key.clone())
    }
}

impl Query for KeptQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // What is kept now is held by the weight, so that nothing evicted meanwhile is missed.
        // Scores are what is kept: a search without them (a count, newest first) reads what
        // is kept but keeps nothing.
        let generation = scoring.searcher().map(|s| s.generation().generation_id());
        let keeps = scoring.is_scoring_enabled();
        let mut found = HashMap::new();
        if let (Some(searcher), Some(generation)) = (scoring.searcher(), generation) {
            if self.record && keeps {
                self.kept.used(&self.key, &self.alternatives);
            }
            for reader in searcher.segment_readers() {
                let id = reader.segment_id();
                if let Some(docs) = self.kept.found.get(&self.key(generation, id)) {
                    found.insert(id, docs);
                }
            }
        }
        let all_kept = scoring.searcher().is_some_and(|s| s.segment_readers().len() == found.len());
        let mut weights = Vec::new();
        if !all_kept {
            for (query, weight) in self.alternatives.iter() {
                weights.push((query.weight(scoring)?, *weight));
            }
        }
        let generation = generation.filter(|_| keeps);
        Ok(Box::new(KeptWeight { query: self.clone(), generation, found, weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (query, _) in self.alternatives.iter() {
            query.query_terms(visitor);
        }
    }
}

struct KeptWeight {
    query: KeptQuery,
    generation: Option<u64>,
    found: HashMap<SegmentId, Found>,
    weights: Vec<(Box<dyn Weight>, Score)>,
}

impl KeptWeight {
    /// The segment's documents: kept, or found now (on the searching thread) and kept.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Found> {
        if let Some(docs) = self.found.get(&reader.segment_id()) {
            return Ok(docs.clone());
        }
        let mut cells: Vec<Option<Score>> = vec![None; reader.max_doc() as usize];
        for (weight, term_weight) in &self.weights {
            weight.for_each(reader, &mut |doc, score| {
                if let Some(cell) = cells.get_mut(doc as usize) {
                    *cell = Some(cell.unwrap_or(0.0) + score * term_weight);
                }
            })?;
        }
        let docs: Found = Arc::new(
            cells.into_iter().enumerate().filter_map(|(doc, score)| score.map(|s| (doc as DocId, s))).collect(),
        );
        if let Some(generation) = self.generation {
            self.query.kept.found.insert(self.query.key(generation, reader.segment_id()), docs.clone());
        }
        Ok(docs)
    }
}

impl Weight for KeptWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.docs(reader)?;
        Ok(Box::new(KeptScorer { docs, at: 0, boost }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let docs = self.docs(reader)?;
        match docs.binary_search_by_key(&doc, |(d, _)| *d) {
            Ok(at) => Ok(Explanation::new("the glossary labels' scores", docs[at].1)),
            Err(_) => Err(TantivyError::InvalidArgument(format!("Document #({doc}) does not match"))),
        }
    }

    fn for_each(&self, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score)) -> tantivy::Result<()> {
        for (doc, score) in self.docs(reader)?.iter() {
            callback(*doc, *score);
        }
        Ok(())
    }
}

struct KeptScorer {
    docs: Found,
    at: usize,
    boost: Score,
}

impl DocSet for KeptScorer {
    fn advance(&mut self) -> DocId {
        self.at += 1;
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).map_or(TERMINATED, |(doc, _)| *doc)
    }

    fn size_hint(&self) -> u32 {
        self.docs.len() as u32
    }
}

impl Scorer for KeptScorer {
    fn score(&mut self) -> Score {
        self.docs.get(self.at).map_or(0.0, |(_, score)| score * self.boost)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        collector::TopDocs,
        doc,
        query::{BooleanQuery, BoostQuery, PhraseQuery, TermQuery},
        schema::{IndexRecordOption, Schema, TEXT},
        Index,
    };

    use super::*;

    #[test]
    fn finds_and_scores_as_its_labels_do_whether_kept_or_not() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for text in ["tamal dulce", "dulce tamal", "tamal", "quimbolito dulce", "otra cosa", "un tamal dulce y otro"] {
            writer.add_document(doc!(body => text)).expect("add");
            writer.commit().expect("commit");
        }
        let reader = index.reader().expect("reader");
        let searcher = reader.searcher();
        let phrase = || {
            let terms = ["tamal", "dulce"].map(|w| Term::from_field_text(body, w)).to_vec();
            Box::new(PhraseQuery::new(terms)) as Box<dyn Query>
        };
        let word = || Box::new(TermQuery::new(Term::from_field_text(body, "quimbolito"), IndexRecordOption::WithFreqs));
        let labels: Alternatives = vec![(phrase(), 0.35), (word(), 0.2)];
        let union = BooleanQuery::union(vec![
            Box::new(BoostQuery::new(phrase(), 0.35)) as Box<dyn Query>,
            Box::new(BoostQuery::new(word(), 0.2)),
        ]);
        let expected = searcher.search(&union, &TopDocs::with_limit(10)).expect("union");
        assert_eq!(expected.len(), 3, "two phrases and the other label");

        let kept = Arc::new(KeptLabels::default());
        let query = KeptQuery::new(kept.clone(), "tamal dulce|0.35;quimbolito|0.2".into(), labels);
        for round in ["found", "kept"] {
            let found = searcher.search(&query, &TopDocs::with_limit(10)).expect("kept query");
            assert_eq!(found.len(), expected.len(), "{round}");
            for ((a, x), (b, y)) in found.iter().zip(&expected) {
                assert_eq!(x, y, "{round}: the same documents in the same order");
                assert!((a - b).abs() < 1e-5, "{round}: {a} against {b}");
            }
            assert_eq!(kept.found.len(), searcher.segment_readers().len(), "one entry per segment");
        }
        // A new searcher (the index changed) is another key: nothing is read from the first.
        writer.add_document(doc!(body => "tamal dulce otra vez")).expect("add");
        writer.commit().expect("commit");
        reader.reload().expect("reload");
        let newer = reader.searcher();
        assert_ne!(newer.generation().generation_id(), searcher.generation().generation_id());
        assert_eq!(newer.search(&query, &TopDocs::with_limit(10)).expect("newer").len(), 4);

        // A count has no scores: it keeps nothing.
        let before = kept.found.len();
        assert_eq!(newer.search(&query, &tantivy::collector::Count).expect("count"), 4);
        assert_eq!(kept.found.len(), before);

        // When the index changes again, what was searched is found for the new searcher
        // before anyone asks, with the same scores as found by a search.
        writer.add_document(doc!(body => "un quimbolito")).expect("add");
        writer.commit().expect("commit");
        reader.reload().expect("reload");
        let newest = reader.searcher();
        assert_eq!(kept.warm(&reader), 1, "one set of labels was searched");
        assert_eq!(kept.found.len(), before + newest.segment_readers().len());
        let warmed = newest.search(&query, &TopDocs::with_limit(10)).expect("warmed");
        let fresh = KeptQuery::new(
            Arc::default(),
            "tamal dulce|0.35;quimbolito|0.2".into(),
            query.alternatives.iter().map(|(q, w)| (q.box_clone(), *w)).collect(),
        );
        let found = newest.search(&fresh, &TopDocs::with_limit(10)).expect("fresh");
        assert_eq!(warmed, found);
    }
}
