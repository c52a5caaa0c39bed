//! Which facet values each document of a segment carries (its region and those above it,
//! its themes, type, language and year), read from the fast fields once per segment and
//! kept while the segment lives. Segments never change, so counting a search's hits per
//! value is adding one to a few counters per hit, instead of reading five columns per hit
//! on every search (a third of a search's time at 100,000 cases). A search that finds most
//! of a segment counts the documents it did not find instead, from the segment's totals.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tantivy::{fastfield::AliveBitSet, index::SegmentId, DocId, Searcher, SegmentReader};

/// The keyword columns read, then the year.
pub const FACETS: [&str; 5] = ["region_path", "themes", "type", "language", "year"];

pub struct Table {
    /// For each value id: its facet (an index into [`FACETS`]) and the value as shown.
    pub values: Vec<(usize, String)>,
    /// The ids of document `d` are `ids[starts[d]..starts[d + 1]]`.
    starts: Vec<u32>,
    ids: Vec<u32>,
    /// Live documents per value id, with the number of deleted documents when counted:
    /// deletions only grow, so that number tells whether the totals still hold.
    totals: Mutex<Option<(u32, Arc<Vec<u32>>)>>,
}

impl Table {
    fn build(reader: &SegmentReader) -> tantivy::Result<Table> {
        let fast = reader.fast_fields();
        let docs = reader.max_doc();
        let mut values: Vec<(usize, String)> = Vec::new();
        let mut per_doc: Vec<Vec<u32>> = vec![Vec::new(); docs as usize];
        for (facet, name) in FACETS.iter().enumerate().take(4) {
            let Some(column) = fast.str(name)? else { continue };
            let mut id_of_ord = vec![u32::MAX; column.num_terms()];
            let mut text = String::new();
            for doc in 0..docs {
                for ord in column.ords().values_for_doc(doc) {
                    let Some(slot) = id_of_ord.get_mut(ord as usize) else { continue };
                    if *slot == u32::MAX {
                        if !column.ord_to_str(ord, &mut text)? {
                            continue;
                        }
                        values.push((facet, text.clone()));
                        *slot = (values.len() - 1) as u32;
                    }
                    per_doc[doc as usize].push(*slot);
                }
            }
        }
        if let Some(years) = fast.column_opt::<i64>(FACETS[4])? {
            let mut id_of_year: HashMap<i64, u32> = HashMap::new();
            for doc in 0..docs {
                if let Some(year) = years.first(doc) {
                    let id = *id_of_year.entry(year).or_insert_with(|| {
                        values.push((4, year.to_string()));
                        (values.len() - 1) as u32
                    });
                    per_doc[doc as usize].push(id);
                }
            }
        }
        let mut starts = Vec::with_capacity(per_doc.len() + 1);
        let mut ids = Vec::with_capacity(per_doc.iter().map(Vec::len).sum());
        starts.push(0);
        for doc_ids in per_doc {
            ids.extend(doc_ids);
            starts.push(ids.len() as u32);
        }
        Ok(Table { values, starts, ids, totals: Mutex::new(None) })
    }

    /// The value ids of `doc`.
    pub fn ids(&self, doc: DocId) -> &[u32] {
        match (self.starts.get(doc as usize), self.starts.get(doc as usize + 1)) {
            (Some(&from), Some(&to)) => self.ids.get(from as usize..to as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Live documents per value id, counted once for each state of the segment's deletions.
    pub fn totals(&self, alive: Option<&AliveBitSet>, deleted: u32) -> Arc<Vec<u32>> {
        if let Ok(kept) = self.totals.lock() {
            if let Some((_, totals)) = kept.as_ref().filter(|(at, _)| *at == deleted) {
                return totals.clone();
            }
        }
        let mut totals = vec![0; self.values.len()];
        for doc in 0..self.starts.len().saturating_sub(1) as DocId {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                for id in self.ids(doc) {
                    totals[*id as usize] += 1;
                }
            }
        }
        let totals = Arc::new(totals);
        if let Ok(mut kept) = self.totals.lock() {
            *kept = Some((deleted, totals.clone()));
        }
        totals
    }
}

/// The tables of the segments last searched.
#[derive(Default)]
pub struct FacetTables(Mutex<HashMap<SegmentId, Arc<Table>>>);

impl FacetTables {
    /// A table for every segment of `searcher`: kept ones, and new ones built now (on the
    /// searching thread, outside the lock). Tables of segments merged away are dropped.
    pub fn for_searcher(&self, searcher: &Searcher) -> tantivy::Result<HashMap<SegmentId, Arc<Table>>> {
        let kept = self.0.lock().map(|tables| tables.clone()).unwrap_or_default();
        let mut tables = HashMap::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let table = match kept.get(&id) {
                Some(table) => table.clone(),
                None => Arc::new(Table::build(reader)?),
            };
            tables.insert(id, table);
        }
        if let Ok(mut current) = self.0.lock() {
            *current = tables.clone();
        }
        Ok(tables)
    }
}
