//! Facet counts, collected with the hits: each hit adds one to the counter of every value
//! its segment's table lists for it (`search::facet_table`). When a search finds most of a
//! segment (a common word), the live documents it did not find are taken from the segment's
//! totals instead, which is the smaller count.

use std::{collections::HashMap, sync::Arc};

use tantivy::{
    collector::{Collector, SegmentCollector},
    fastfield::AliveBitSet,
    index::SegmentId,
    DocId, Score, SegmentOrdinal, SegmentReader,
};

use super::FacetCounts;
use crate::search::facet_table::{Table, FACETS};

/// Values shown per facet, most frequent first.
const SHOWN: usize = 200;

/// Per facet, value → documents.
type Counts = [HashMap<String, u64>; FACETS.len()];

pub(super) struct Facets(pub HashMap<SegmentId, Arc<Table>>);

pub(super) struct SegmentFacets {
    table: Option<Arc<Table>>,
    /// The segment's hits, a bit per document.
    hits: Vec<u64>,
    found: usize,
    max_doc: DocId,
    deleted: u32,
    alive: Option<AliveBitSet>,
}

impl Collector for Facets {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        Ok(SegmentFacets {
            table: self.0.get(&reader.segment_id()).cloned(),
            hits: vec![0; (reader.max_doc() as usize).div_ceil(64)],
            found: 0,
            max_doc: reader.max_doc(),
            deleted: reader.num_deleted_docs(),
            alive: reader.alive_bitset().cloned(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Counts>) -> tantivy::Result<FacetCounts> {
        let mut all: Counts = Default::default();
        for segment in segments {
            for (into, from) in all.iter_mut().zip(segment) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        let [region, theme, doc_type, language, year] = all.map(most_first);
        Ok(FacetCounts { region, theme, doc_type, language, year })
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(word) = self.hits.get_mut(doc as usize / 64) {
            *word |= 1 << (doc % 64);
            self.found += 1;
        }
    }

    fn harvest(self) -> Counts {
        let mut out: Counts = Default::default();
        let Some(table) = self.table else { return out };
        let live = self.max_doc.saturating_sub(self.deleted) as usize;
        let alive = self.alive.as_ref();
        let counts = if self.found * 2 <= live {
            let mut counts = vec![0u32; table.values.len()];
            for doc in docs(&self.hits, true, self.max_doc) {
                for id in table.ids(doc) {
                    counts[*id as usize] += 1;
                }
            }
            counts
        } else {
            let mut counts = table.totals(alive, self.deleted).to_vec();
            for doc in docs(&self.hits, false, self.max_doc) {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    for id in table.ids(doc) {
                        counts[*id as usize] -= 1;
                    }
                }
            }
            counts
        };
        for (id, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            let (facet, value) = &table.values[id];
            out[*facet].insert(value.clone(), u64::from(n));
        }
        out
    }
}

/// The documents below `max_doc` whose bit is `set` (or clear).
fn docs(bits: &[u64], set: bool, max_doc: DocId) -> impl Iterator<Item = DocId> + '_ {
    bits.iter()
        .enumerate()
        .flat_map(move |(i, word)| {
            let mut rest = if set { *word } else { !*word };
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let doc = (i * 64) as DocId + rest.trailing_zeros();
                    rest &= rest - 1;
                    doc
                })
            })
        })
        .take_while(move |doc| *doc < max_doc)
}

/// Most documents first, then by value; at most [`SHOWN`].
fn most_first(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(SHOWN);
    list
}

#[cfg(test)]
mod tests {
    use tantivy::{
        collector::Count,
        doc,
        query::{AllQuery, Query, TermQuery},
        schema::{IndexRecordOption, Term},
        Index,
    };

    use super::*;
    use crate::search::{analyzers, facet_table::FacetTables, schema::Fields};

    #[test]
    fn counts_agree_with_filtering_whether_hits_or_misses_are_counted() {
        let f = Fields::new();
        let index = Index::create_in_ram(f.schema.clone());
        analyzers::register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for n in 0..200i64 {
            let region = ["cusco", "puno", "piura"][n as usize % 3];
            let common = if n % 10 == 0 { "rare" } else { "common" };
            writer
                .add_document(doc!(
                    f.key => format!("case:{n}"), f.region_path => region, f.themes => common,
                    f.doc_type => "case", f.language => "es", f.year => 2015 + n % 4,
                ))
                .expect("add");
        }
        writer.commit().expect("commit");
        // Deleted documents count nowhere, including in the totals a search that finds most
        // of the segment subtracts from.
        for n in [0, 3, 6, 7, 150] {
            writer.delete_term(Term::from_field_text(f.key, &format!("case:{n}")));
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let tables = FacetTables::default();
        let term = |field, value: &str| TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
        let queries: Vec<Box<dyn Query>> =
            vec![Box::new(AllQuery), Box::new(term(f.themes, "common")), Box::new(term(f.themes, "rare"))];
        for query in queries {
            let facets = Facets(tables.for_searcher(&searcher).expect("tables"));
            let (total, counts) = searcher.search(&query, &(Count, facets)).expect("search");
            assert!(total > 0);
            for (region, n) in &counts.region {
                let narrowed = tantivy::query::BooleanQuery::intersection(vec![
                    query.box_clone(),
                    Box::new(term(f.region_path, region)),
                ]);
                assert_eq!(*n as usize, searcher.search(&narrowed, &Count).expect("count"), "{region} in {query:?}");
            }
            let years: u64 = counts.year.iter().map(|(_, n)| n).sum();
            assert_eq!(years as usize, total, "each live hit has one year");
        }
    }
}
