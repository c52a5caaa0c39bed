//! Moderation: reports and their queue, hiding and restoring comments and threads,
//! locking threads, letting held comments through. Every action is audited in its own
//! transaction, and the open reports it settles tell their reporters through the outbox.

use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

use super::{comments::add_event, count_shown};
use crate::{
    domain::{
        account::User,
        discussion::{EventKind, ReportReason, ReportResolution},
        subject::{AuditAction, AuditDetails, AuditRecord},
    },
    error::{AppError, AppResult},
    store::{audit::audit, Store},
};

/// An open report, as the moderators' queue shows it.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedReport {
    pub id: i64,
    pub thread_id: i64,
    pub comment_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub reason: ReportReason,
    pub note: String,
    pub reporter_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub thread_title: String,
    /// The reported comment's text without markup (its start), or the thread's title.
    pub excerpt: String,
}

/// A comment waiting for a moderator.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedComment {
    pub id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    pub author_name: Option<String>,
    pub body_html: String,
    pub created_at: OffsetDateTime,
}

/// What a moderator has to look at.
#[derive(Debug, Clone, Default)]
pub struct ModerationQueue {
    pub reports: Vec<QueuedReport>,
    pub held: Vec<QueuedComment>,
}

/// The threads `$1` (an account id) moderates, over `threads t`: every thread for an
/// admin, a case's for editors of its region, a free-standing thread's for editors of its
/// region, a workshop's for its organisers.
const MODERATED_BY: &str = "(
    exists (select 1 from users m where m.id = $1 and m.role = 'admin')
    or exists (select 1 from users m where m.id = $1 and m.role = 'editor' and m.edits_all_regions
               and (t.case_id is not null or t.region_id is not null))
    or coalesce((select c.region_id from cases c where c.id = t.case_id), t.region_id) in (
        select region_and_below(er.region_id) from editor_regions er join users m on m.id = er.user_id
        where er.user_id = $1 and m.role = 'editor')
    or t.workshop_id in (select workshop_id from workshop_organisers where user_id = $1))";

/// A thread's title as lists show it: its own, or its case's or workshop's.
const THREAD_TITLE: &str = "coalesce(t.title, (select c.title from cases c where c.id = t.case_id),
    (select w.title from workshops w where w.id = t.workshop_id), '')";

impl Store {
    /// Reports a comment (or, with None, the thread). Reporting the same thing twice
    /// before it is handled changes nothing.
    pub async fn report(
        &self,
        thread: i64,
        comment: Option<i64>,
        reporter: &User,
        reason: ReportReason,
        note: &str,
    ) -> AppResult<()> {
        sqlx::query(
            "insert into reports (thread_id, comment_id, reporter_id, reason, note) values ($1, $2, $3, $4, $5)
             on conflict do nothing",
        )
        .bind(thread)
        .bind(comment)
        .bind(reporter.id)
        .bind(reason.as_str())
        .bind(note.trim())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The open reports and held comments of the threads `moderator` moderates, oldest
    /// first (at most 200 of each).
    pub async fn moderation_queue(&self, moderator: &User) -> AppResult<ModerationQueue> {
        let reports = sqlx::query_as(&format!(
            "select r.id, r.thread_id, r.comment_id, r.reason, r.note, u.display_name as reporter_name, r.created_at,
                    {THREAD_TITLE} as thread_title,
                    coalesce(left(c.body_text, 280), {THREAD_TITLE}) as excerpt
             from reports r join threads t on t.id = r.thread_id left join comments c on c.id = r.comment_id
                  left join users u on u.id = r.reporter_id and u.closed_at is null
             where r.handled_at is null and {MODERATED_BY}
             order by r.created_at, r.id limit 200"
        ))
        .bind(moderator.id)
        .fetch_all(&self.pool)
        .await?;
        let held = sqlx::query_as(&format!(
            "select c.id, c.thread_id, {THREAD_TITLE} as thread_title, u.display_name as author_name, c.body_html,
                    c.created_at
             from comments c join threads t on t.id = c.thread_id left join users u on u.id = c.author_id
             where c.held and c.deleted_at is null and {MODERATED_BY}
             order by c.id limit 200"
        ))
        .bind(moderator.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(ModerationQueue { reports, held })
    }

    /// How many open reports and held comments await `moderator` (for the header).
    pub async fn moderation_count(&self, moderator: &User) -> AppResult<i64> {
        Ok(sqlx::query_scalar(&format!(
            "select (select count(*) from reports r join threads t on t.id = r.thread_id
                     where r.handled_at is null and {MODERATED_BY})
                  + (select count(*) from comments c join threads t on t.id = c.thread_id
                     where c.held and c.deleted_at is null and {MODERATED_BY})"
        ))
        .bind(moderator.id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// An open report by id, with its thread (to ask who moderates it).
    pub async fn open_report(&self, id: i64) -> AppResult<Option<(i64, Option<i64>)>> {
        Ok(sqlx::query_as("select thread_id, comment_id from reports where id = $1 and handled_at is null")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Hides a comment with the moderator's reason: its author still sees it, with the
    /// reason; others see that moderators hid it.
    pub async fn hide_comment(&self, id: i64, moderator: &User, reason: &str) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let hidden: Option<(i64, bool, i32)> = sqlx::query_as(
            "update comments c set hidden_at = now(), hidden_by = $2, hidden_reason = $3
             from comments old
             where c.id = $1 and old.id = c.id and c.hidden_at is null and c.deleted_at is null
             returning c.thread_id, not old.held, old.useful_count",
        )
        .bind(id)
        .bind(moderator.id)
        .bind(reason.trim())
        .fetch_optional(&mut *tx)
        .await?;
        let (thread, was_shown, useful) = hidden.ok_or(AppError::NotFound)?;
        if was_shown {
            count_shown(&mut tx, thread, -1, -useful).await?;
        }
        // A hidden comment is no thread's answer (as a deleted one is not).
        sqlx::query("update threads set accepted_comment_id = null where id = $1 and accepted_comment_id = $2")
            .bind(thread)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let details = AuditDetails { reason: Some(reason.trim().to_string()), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(moderator.id), AuditAction::CommentHidden).on_comment(id).with(details))
            .await?;
        settle_reports(&mut tx, thread, Some(id), moderator, ReportResolution::Hidden).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Shows a hidden comment again.
    pub async fn restore_comment(&self, id: i64, moderator: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let restored: Option<(i64, bool, i32)> = sqlx::query_as(
            "update comments set hidden_at = null, hidden_by = null, hidden_reason = null
             where id = $1 and hidden_at is not null and deleted_at is null
             returning thread_id, not held, useful_count",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (thread, shown, useful) = restored.ok_or(AppError::NotFound)?;
        if shown {
            count_shown(&mut tx, thread, 1, useful).await?;
        }
        audit(&mut tx, AuditRecord::new(Some(moderator.id), AuditAction::CommentRestored).on_comment(id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lets a held comment through: others see it, and its notifications go out now.
    pub async fn approve_comment(&self, id: i64, moderator: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let approved: Option<(i64, Option<i64>, bool)> = sqlx::query_as(
            "update comments set held = false where id = $1 and held and deleted_at is null
             returning thread_id, author_id, hidden_at is null",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (thread, author, visible) = approved.ok_or(AppError::NotFound)?;
        if visible {
            count_shown(&mut tx, thread, 1, 0).await?;
            sqlx::query("update threads set last_activity_at = now() where id = $1")
                .bind(thread)
                .execute(&mut *tx)
                .await?;
            let mentioned: Vec<i64> = sqlx::query_scalar(
                "select user_id from comment_mentions where comment_id = $1 and user_id is distinct from $2
                 order by user_id limit $3",
            )
            .bind(id)
            .bind(author)
            .bind(crate::domain::discussion::MAX_NOTIFIED_MENTIONS as i64)
            .fetch_all(&mut *tx)
            .await?;
            add_event(&mut tx, EventKind::CommentPosted, author, thread, id, &mentioned).await?;
        }
        audit(&mut tx, AuditRecord::new(Some(moderator.id), AuditAction::CommentApproved).on_comment(id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Locks a thread (no new comments) or unlocks it.
    pub async fn lock_thread(&self, thread: i64, moderator: &User, locked: bool) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "update threads set locked_at = case when $2 then now() end, locked_by = case when $2 then $3 end
             where id = $1 and (locked_at is not null) <> $2",
        )
        .bind(thread)
        .bind(locked)
        .bind(moderator.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(());
        }
        let action = if locked { AuditAction::ThreadLocked } else { AuditAction::ThreadUnlocked };
        audit(&mut tx, AuditRecord::new(Some(moderator.id), action).on_thread(thread)).await?;
        if locked {
            settle_reports(&mut tx, thread, None, moderator, ReportResolution::Locked).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Hides a free-standing thread (with a reason) or shows it again.
    pub async fn hide_thread(&self, thread: i64, moderator: &User, reason: Option<&str>) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "update threads set hidden_at = case when $2::text is null then null else now() end,
                    hidden_by = case when $2::text is null then null else $3 end, hidden_reason = $2
             where id = $1 and theme_id is not null and (hidden_at is null) = ($2::text is not null)",
        )
        .bind(thread)
        .bind(reason.map(str::trim))
        .bind(moderator.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(());
        }
        let (action, details) = match reason {
            Some(reason) => (
                AuditAction::ThreadHidden,
                AuditDetails { reason: Some(reason.trim().to_string()), ..AuditDetails::default() },
            ),
            None => (AuditAction::ThreadRestored, AuditDetails::default()),
        };
        audit(&mut tx, AuditRecord::new(Some(moderator.id), action).on_thread(thread).with(details)).await?;
        if reason.is_some() {
            settle_reports(&mut tx, thread, None, moderator, ReportResolution::Hidden).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Closes a report with nothing done; its reporter is told it was looked at.
    pub async fn dismiss_report(&self, id: i64, moderator: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let reporter: Option<(i64, i64)> = sqlx::query_as(
            "update reports set handled_at = now(), handled_by = $2, resolution = 'dismissed'
             where id = $1 and handled_at is null returning reporter_id, thread_id",
        )
        .bind(id)
        .bind(moderator.id)
        .fetch_optional(&mut *tx)
        .await?;
        let (reporter, thread) = reporter.ok_or(AppError::NotFound)?;
        tell_reporter(&mut tx, id, reporter, thread, moderator, ReportResolution::Dismissed).await?;
        let details = AuditDetails { report: Some(id), ..AuditDetails::default() };
        audit(
            &mut tx,
            AuditRecord::new(Some(moderator.id), AuditAction::ReportDismissed).on_thread(thread).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Closes the open reports on a comment (or on the thread, with None) with what was done,
/// and tells each reporter.
async fn settle_reports(
    conn: &mut PgConnection,
    thread: i64,
    comment: Option<i64>,
    moderator: &User,
    resolution: ReportResolution,
) -> Result<(), sqlx::Error> {
    let settled: Vec<(i64, i64)> = sqlx::query_as(
        "update reports set handled_at = now(), handled_by = $3, resolution = $4
         where handled_at is null and thread_id = $1 and comment_id is not distinct from $2
         returning id, reporter_id",
    )
    .bind(thread)
    .bind(comment)
    .bind(moderator.id)
    .bind(resolution.as_str())
    .fetch_all(&mut *conn)
    .await?;
    for (report, reporter) in settled {
        tell_reporter(conn, report, reporter, thread, moderator, resolution).await?;
    }
    Ok(())
}

async fn tell_reporter(
    conn: &mut PgConnection,
    report: i64,
    reporter: i64,
    thread: i64,
    moderator: &User,
    resolution: ReportResolution,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into events (kind, actor_id, thread_id, user_id, details)
         values ('report_handled', $1, $2, $3, jsonb_build_object('report', $4::bigint, 'resolution', $5::text))",
    )
    .bind(moderator.id)
    .bind(thread)
    .bind(reporter)
    .bind(report)
    .bind(resolution.as_str())
    .execute(&mut *conn)
    .await?;
    sqlx::query("select pg_notify('ayni_events', '')").execute(conn).await.map(|_| ())
}
