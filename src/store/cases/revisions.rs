//! Reading a case's revisions.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::DraftRow;
use crate::{
    domain::{draft::CaseDraft, revision::Origin},
    error::AppResult,
    store::Store,
};

/// A line of a case's history.
#[derive(Debug, Clone, FromRow)]
pub struct RevisionSummary {
    pub number: i32,
    /// How it came about; `None` for a stored name no release writes.
    pub origin: Option<Origin>,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(FromRow)]
struct RevisionRow {
    number: i32,
    origin: String,
    restored_from: Option<i32>,
    author_name: Option<String>,
    created_at: OffsetDateTime,
}

impl From<RevisionRow> for RevisionSummary {
    fn from(row: RevisionRow) -> Self {
        RevisionSummary {
            number: row.number,
            origin: Origin::from_stored(&row.origin, row.restored_from),
            author_name: row.author_name,
            created_at: row.created_at,
        }
    }
}

impl Store {
    /// Every revision of a case, newest first.
    pub async fn revisions(&self, case_id: i64) -> AppResult<Vec<RevisionSummary>> {
        let rows: Vec<RevisionRow> = sqlx::query_as(
            "select cr.number, cr.origin, cr.restored_from, u.display_name as author_name, cr.created_at
             from case_revisions cr left join users u on u.id = cr.author_id
             where cr.case_id = $1
             order by cr.number desc",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(RevisionSummary::from).collect())
    }

    /// The full text of one revision.
    pub async fn revision(&self, case_id: i64, number: i32) -> AppResult<Option<CaseDraft>> {
        let row: Option<DraftRow> = sqlx::query_as(
            "select cr.title, cr.kind, r.slug as region, cr.themes, cr.language, cr.year, cr.summary, cr.sources,
                    cr.body_markdown, cr.illustrative
             from case_revisions cr join regions r on r.id = cr.region_id
             where cr.case_id = $1 and cr.number = $2",
        )
        .bind(case_id)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(CaseDraft::from))
    }
}
