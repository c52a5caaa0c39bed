//! Answers that change only when the data does (list totals, counts per region and theme),
//! kept per process and used only while the [`Versions`] they were read at still hold.

use quick_cache::sync::Cache;

use super::versions::Versions;
use crate::domain::{region::Region, theme::Theme};

pub(super) struct Memo<V>(Cache<String, (Versions, V)>);

impl<V: Clone> Memo<V> {
    fn new(entries: usize) -> Self {
        Memo(Cache::new(entries))
    }

    pub(super) fn get(&self, key: &str, versions: Versions) -> Option<V> {
        self.0.get(key).filter(|(at, _)| *at == versions).map(|(_, value)| value)
    }

    pub(super) fn keep(&self, key: String, versions: Versions, value: V) {
        self.0.insert(key, (versions, value));
    }
}

pub(super) struct Memos {
    /// The total of the public list, per filter.
    pub counts: Memo<i64>,
    pub region_counts: Memo<Vec<Region>>,
    pub theme_counts: Memo<Vec<Theme>>,
}

impl Default for Memos {
    fn default() -> Self {
        Memos { counts: Memo::new(10_000), region_counts: Memo::new(1), theme_counts: Memo::new(1) }
    }
}
