//! Facet counts, collected with the hits: each hit adds one to the counter of every value
//! its segment's table lists for it (`search::facet_table`).

use std::{collections::HashMap, sync::Arc};

use tantivy::{
    collector::{Collector, SegmentCollector},
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
    counts: Vec<u32>,
}

impl Collector for Facets {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let table = self.0.get(&reader.segment_id()).cloned();
        let counts = vec![0; table.as_ref().map_or(0, |t| t.values.len())];
        Ok(SegmentFacets { table, counts })
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
        if let Some(table) = &self.table {
            for id in table.ids(doc) {
                self.counts[*id as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out: Counts = Default::default();
        if let Some(table) = self.table {
            for (id, n) in self.counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                let (facet, value) = &table.values[id];
                out[*facet].insert(value.clone(), u64::from(n));
            }
        }
        out
    }
}

/// Most documents first, then by value; at most [`SHOWN`].
fn most_first(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(SHOWN);
    list
}
