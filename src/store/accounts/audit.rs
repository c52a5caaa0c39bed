//! The audit log: what happened to an account or a case, by whom, written in the
//! transaction that did it.

use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

use crate::{error::AppResult, store::Store};

/// Records what happened to an account (or a case) in the audit log, inside the
/// transaction that did it.
pub async fn audit(
    conn: &mut PgConnection,
    actor: Option<i64>,
    action: &str,
    subject: Option<i64>,
    case_slug: Option<&str>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into audit_log (actor_id, action, subject_id, case_slug, detail) values ($1, $2, $3, $4, $5)")
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(case_slug)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject_name: Option<String>,
    pub case_slug: Option<String>,
    pub detail: String,
}

impl Store {
    /// The audit log, newest first, one page at a time.
    pub async fn audit_log(&self, limit: i64, offset: i64) -> AppResult<(Vec<AuditEntry>, i64)> {
        let total: i64 = sqlx::query_scalar("select count(*) from audit_log").fetch_one(&self.pool).await?;
        let entries = sqlx::query_as(
            "select a.at, actor.display_name as actor_name, a.action, subject.display_name as subject_name,
                    a.case_slug, a.detail
             from audit_log a
             left join users actor on actor.id = a.actor_id
             left join users subject on subject.id = a.subject_id
             order by a.at desc, a.id desc
             limit $1 offset $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((entries, total))
    }
}
