//! Facet counts, collected straight from the fast-field columns: every matching document
//! adds one to the count of each of its values' term ordinals, and only the ordinals that
//! were seen are turned back into text at the end.

use std::collections::BTreeMap;

use tantivy::{
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
    DocId, Score, SegmentOrdinal, SegmentReader,
};

use super::searcher::FacetCounts;

/// The text facets, in the order of `FacetCounts`' text fields.
const TEXT_FACETS: [&str; 4] = ["region_path", "themes", "type", "language"];

pub struct Facets;

pub struct SegmentFacets {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    year: Column<i64>,
    years: BTreeMap<i64, u64>,
}

/// One segment's counts, by value.
pub struct SegmentCounts {
    text: Vec<BTreeMap<String, u64>>,
    years: BTreeMap<i64, u64>,
}

impl Collector for Facets {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let fast = reader.fast_fields();
        let columns = TEXT_FACETS.iter().map(|name| fast.str(name)).collect::<tantivy::Result<Vec<_>>>()?;
        let counts = columns.iter().map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms())]).collect();
        Ok(SegmentFacets { columns, counts, year: fast.i64("year")?, years: BTreeMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<FacetCounts> {
        let mut text: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); TEXT_FACETS.len()];
        let mut years: BTreeMap<i64, u64> = BTreeMap::new();
        for segment in segments {
            for (merged, counts) in text.iter_mut().zip(segment.text) {
                for (value, n) in counts {
                    *merged.entry(value).or_default() += n;
                }
            }
            for (year, n) in segment.years {
                *years.entry(year).or_default() += n;
            }
        }
        let mut text = text.into_iter().map(most_first);
        let mut next = || text.next().unwrap_or_default();
        Ok(FacetCounts {
            region: next(),
            theme: next(),
            doc_type: next(),
            language: next(),
            year: most_first(years.into_iter().map(|(y, n)| (y.to_string(), n)).collect()),
        })
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.ords().values_for_doc(doc) {
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
        }
        if let Some(year) = self.year.first(doc) {
            *self.years.entry(year).or_default() += 1;
        }
    }

    fn harvest(self) -> SegmentCounts {
        let mut text = Vec::with_capacity(self.columns.len());
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut values = BTreeMap::new();
            if let Some(column) = column {
                let mut buffer = String::new();
                for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                    buffer.clear();
                    if column.ord_to_str(ord as u64, &mut buffer).unwrap_or(false) {
                        values.insert(buffer.clone(), n);
                    }
                }
            }
            text.push(values);
        }
        SegmentCounts { text, years: self.years }
    }
}

/// Counts as a list, most first, then by value.
fn most_first(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}
