//! Answers that change only when the data does (list totals, counts per region and theme),
//! kept per process and used only while the [`Versions`] they were read at still hold.

use std::future::Future;

use quick_cache::sync::Cache;

use super::versions::Versions;
use crate::{
    domain::{commitment::CommitmentStatus, region::Region, theme::Theme},
    error::AppResult,
};

pub(super) struct Memo<V>(Cache<String, (Versions, V)>);

impl<V: Clone> Memo<V> {
    fn new(entries: usize) -> Self {
        Memo(Cache::new(entries))
    }

    /// The answer kept for `key` at `versions`, or `read`'s, kept for next time.
    pub(super) async fn through(
        &self,
        key: String,
        versions: Versions,
        read: impl Future<Output = AppResult<V>>,
    ) -> AppResult<V> {
        if let Some((_, value)) = self.0.get(&key).filter(|(at, _)| *at == versions) {
            return Ok(value);
        }
        let value = read.await?;
        self.0.insert(key, (versions, value.clone()));
        Ok(value)
    }
}

pub(super) struct Memos {
    /// The total of the public list, per filter.
    pub counts: Memo<i64>,
    pub region_counts: Memo<Vec<Region>>,
    pub theme_counts: Memo<Vec<Theme>>,
    /// `/commitments`: the total per filter and day, and the count per status.
    pub commitment_counts: Memo<(i64, Vec<(CommitmentStatus, i64)>)>,
}

impl Default for Memos {
    fn default() -> Self {
        Memos {
            counts: Memo::new(10_000),
            region_counts: Memo::new(1),
            theme_counts: Memo::new(1),
            commitment_counts: Memo::new(1_000),
        }
    }
}
