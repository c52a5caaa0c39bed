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

/// An audit entry as the audit page lists it. An action or details that this release
/// cannot read (written by a newer one, or by hand) are kept as recorded, so that one odd
/// entry never hides the others.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor_name: Option<String>,
    pub action: Option<AuditAction>,
    pub recorded_action: String,
    /// The account's name, when the subject is an account.
    pub subject_name: Option<String>,
    /// Where the subject's page is, and what to call it, when it is a case, a workshop or
    /// a commitment.
    pub subject_link: Option<(String, String)>,
    pub details: Option<AuditDetails>,
    pub recorded_details: String,
}

#[derive(FromRow)]
struct AuditRow {
    at: OffsetDateTime,
    actor_name: Option<String>,
    action: String,
    subject_name: Option<String>,
    subject_kind: Option<String>,
    subject_key: Option<String>,
    details: Json<serde_json::Value>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            at: row.at,
            actor_name: row.actor_name,
            action: AuditAction::parse(&row.action),
            recorded_action: row.action,
            subject_name: row.subject_name,
            subject_link: subject_link(row.subject_kind.as_deref().and_then(SubjectKind::parse), row.subject_key),
            details: serde_json::from_value(row.details.0.clone()).ok(),
            recorded_details: row.details.0.to_string(),
        }
    }
}

fn subject_link(kind: Option<SubjectKind>, key: Option<String>) -> Option<(String, String)> {
    let key = key?;
    match kind? {
        SubjectKind::Account => None,
        SubjectKind::Case => Some((format!("/cases/{key}"), key)),
        SubjectKind::Workshop => Some((format!("/workshops/{key}"), key)),
        SubjectKind::Commitment => Some((format!("/commitments/{key}"), format!("#{key}"))),
        SubjectKind::Thread => Some((format!("/discussions/{key}"), format!("#{key}"))),
        SubjectKind::Comment => Some((format!("/comments/{key}"), format!("#{key}"))),
        SubjectKind::Concept => Some((format!("/glossary/{key}"), key)),
    }
}

impl Store {
    /// The audit log, newest first, one page at a time.
    pub async fn audit_log(&self, limit: i64, offset: i64) -> AppResult<(Vec<AuditEntry>, i64)> {
        let total: i64 = sqlx::query_scalar("select count(*) from audit_log").fetch_one(&self.pool).await?;
        let rows: Vec<AuditRow> = sqlx::query_as(
            "select a.at, actor.display_name as actor_name, a.action, subject.display_name as subject_name,
                    a.subject_kind, a.subject_key, a.details
             from audit_log a
             left join users actor on actor.id = a.actor_id
             left join users subject on a.subject_kind = $3 and subject.id::text = a.subject_key
             order by a.at desc, a.id desc
             limit $1 offset $2",
        )
        .bind(limit)
        .bind(offset)
        .bind(SubjectKind::Account.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok((rows.into_iter().map(AuditEntry::from).collect(), total))
    }
}
