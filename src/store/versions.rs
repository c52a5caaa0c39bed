//! How fresh a page drawn earlier still is: the last entry of the change log, and the
//! site version that counts the changes the log does not carry (migration 0009).

use super::Store;
use crate::error::AppResult;

/// Equal versions mean nothing that pages show has changed in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versions {
    pub changes: i64,
    pub site: i64,
}

impl Store {
    /// One index lookup and one row: cheap enough to ask on every request.
    pub async fn versions(&self) -> AppResult<Versions> {
        let (changes, site): (i64, i64) =
            sqlx::query_as("select coalesce((select max(id) from changes), 0), (select value from site_version)")
                .fetch_one(&self.pool)
                .await?;
        Ok(Versions { changes, site })
    }
}
