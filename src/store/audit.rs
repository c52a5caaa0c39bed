//! The audit log: what happened to an account or a case, by whom, written in the
//! transaction that did it.

use sqlx::{types::Json, FromRow, PgConnection};
use time::OffsetDateTime;

use crate::{
    domain::subject::{AuditAction, AuditDetails, AuditRecord, SubjectKind},
    error::AppResult,
    store::Store,
};

/// Writes `record` inside the transaction that did what it records.
pub async fn audit(conn: &mut PgConnection, record: AuditRecord) -> Result<(), sqlx::Error> {
    let (kind, key) = record.subject.map_or((None, None), |(kind, key)| (Some(kind.as_str()), Some(key)));
    sqlx::query(
        "insert into audit_log (actor_id, action, subject_kind, subject_key, details) values ($1, $2, $3, $4, $5)",
    )
    .bind(record.actor)
    .bind(record.action.as_str())
    .bind(kind)
    .bind(key)
    .bind(Json(&record.details))
    .execute(conn)
    .await?;
    Ok(())
}

/// An audit entry as the audit page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub action: AuditAction,
    /// The account's name, when the subject is an account.
    pub subject_name: Option<String>,
    /// The case's slug, when the subject is a case.
    pub case_slug: Option<String>,
    pub details: Json<AuditDetails>,
}

impl Store {
    /// The audit log, newest first, one page at a time.
    pub async fn audit_log(&self, limit: i64, offset: i64) -> AppResult<(Vec<AuditEntry>, i64)> {
        let total: i64 = sqlx::query_scalar("select count(*) from audit_log").fetch_one(&self.pool).await?;
        let entries = sqlx::query_as(
            "select a.at, actor.display_name as actor_name, a.action, subject.display_name as subject_name,
                    case when a.subject_kind = $3 then a.subject_key end as case_slug, a.details
             from audit_log a
             left join users actor on actor.id = a.actor_id
             left join users subject on a.subject_kind = $4 and subject.id::text = a.subject_key
             order by a.at desc, a.id desc
             limit $1 offset $2",
        )
        .bind(limit)
        .bind(offset)
        .bind(SubjectKind::Case.as_str())
        .bind(SubjectKind::Account.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok((entries, total))
    }
}
