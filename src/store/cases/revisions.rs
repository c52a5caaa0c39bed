//! Reading a case's revisions.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::DraftRow;
use crate::{domain::draft::CaseDraft, error::AppResult, store::Store};

/// A line of a case's history.
#[derive(Debug, Clone, FromRow)]
pub struct RevisionSummary {
    pub number: i32,
    /// import, form, api or restore.
    pub origin: String,
    pub restored_from: Option<i32>,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Every revision of a case, newest first.
    pub async fn revisions(&self, case_id: i64) -> AppResult<Vec<RevisionSummary>> {
        Ok(sqlx::query_as(
            "select cr.number, cr.origin, cr.restored_from, u.display_name as author_name, cr.created_at
             from case_revisions cr left join users u on u.id = cr.author_id
             where cr.case_id = $1
             order by cr.number desc",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?)
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
