//! How fresh a page drawn earlier still is: the last entry of the change log, the site
//! version that counts the changes the log does not carry (migration 0009), and the count
//! of registration changes (places left, migration 0014).

use super::Store;
use crate::error::AppResult;

/// Equal versions mean nothing that pages show has changed in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versions {
    pub changes: i64,
    pub site: i64,
    pub registrations: i64,
}

impl Store {
    /// One index lookup and two rows: cheap enough to ask on every request.
    pub async fn versions(&self) -> AppResult<Versions> {
        let (changes, site, registrations): (i64, i64, i64) = sqlx::query_as(
            "select coalesce((select max(id) from changes), 0), (select value from site_version),
                    (select value from registration_version)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Versions { changes, site, registrations })
    }
}
