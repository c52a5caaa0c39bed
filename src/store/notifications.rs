//! Follows, notifications and the outbox they are fanned out from, and the private feed
//! tokens. Events are written by the transaction that caused them (triggers and the
//! discussion store); [`Store::deliver_events`] turns a batch of them into notifications in
//! one transaction, so a worker that dies mid-batch leaves nothing half done, and the
//! unique (event, recipient) pair means a batch done twice notifies nobody twice.

use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

use crate::{
    auth::secret,
    domain::discussion::{EventKind, FollowKind, NotificationReason},
    error::AppResult,
    store::Store,
};

/// A notification as the notifications page and the personal feed show it. What it is
/// about is read when it is shown, so a hidden comment or an unpublished case leaves no
/// trace in it.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationView {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    #[sqlx(try_from = "String")]
    pub reason: NotificationReason,
    pub created_at: OffsetDateTime,
    pub read: bool,
    pub actor_name: Option<String>,
    /// The comment's permalink, the case's or workshop's page, or the thread's.
    pub comment_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub case_slug: Option<String>,
    pub workshop_slug: Option<String>,
    pub commitment_id: Option<i64>,
    /// What it is about: the thread's, case's or workshop's title, or a commitment's action.
    pub title: String,
    /// The start of the comment's text without markup.
    pub excerpt: Option<String>,
    pub details: sqlx::types::Json<serde_json::Value>,
}

/// The most a notification list shows at once.
pub const NOTIFICATIONS_PER_PAGE: i64 = 50;

/// Whether a notification's subject may still be shown, over `events e`: a comment that
/// is public, in a thread that is not hidden, on a case that is published or a workshop
/// that is not a draft, a commitment whose workshop's outcomes are published.
const STILL_SHOWN: &str = "
    (e.comment_id is null or exists (select 1 from comments c where c.id = e.comment_id
        and not c.held and c.hidden_at is null and c.deleted_at is null))
    and (e.thread_id is null or exists (select 1 from threads t
        left join cases tc on tc.id = t.case_id left join workshops tw on tw.id = t.workshop_id
        where t.id = e.thread_id and (t.hidden_at is null or e.kind = 'report_handled')
          and (t.case_id is null or tc.status = 'published') and (t.workshop_id is null or tw.status <> 'draft')))
    and (e.case_id is null or exists (select 1 from cases c where c.id = e.case_id and c.status = 'published'))
    and (e.workshop_id is null or exists (select 1 from workshops w where w.id = e.workshop_id and w.status <> 'draft'))
    and (e.commitment_id is null or exists (select 1 from workshop_outcomes o where o.workshop_id = e.workshop_id))";

/// Notifications with their event and what it is about, over `notifications n`.
const NOTIFICATION_SELECT: &str = "
    select n.id, e.kind, n.reason, n.created_at, n.read_at is not null as read,
           case when au.closed_at is null then au.display_name end as actor_name,
           e.comment_id, e.thread_id, c.slug as case_slug, w.slug as workshop_slug, e.commitment_id,
           coalesce(t.title, tc.title, tw.title, c.title, w.title, cm.action, '') as title,
           left(cmt.body_text, 200) as excerpt, e.details
    from notifications n join events e on e.id = n.event_id
         left join users au on au.id = e.actor_id
         left join threads t on t.id = e.thread_id
         left join cases tc on tc.id = t.case_id
         left join workshops tw on tw.id = t.workshop_id
         left join cases c on c.id = e.case_id
         left join workshops w on w.id = e.workshop_id
         left join commitments cm on cm.id = e.commitment_id
         left join comments cmt on cmt.id = e.comment_id";

/// An event as the fan-out reads it.
#[derive(FromRow)]
struct Event {
    id: i64,
    #[sqlx(try_from = "String")]
    kind: EventKind,
    actor_id: Option<i64>,
    thread_id: Option<i64>,
    comment_id: Option<i64>,
    case_id: Option<i64>,
    workshop_id: Option<i64>,
    commitment_id: Option<i64>,
    user_id: Option<i64>,
    details: sqlx::types::Json<serde_json::Value>,
}

/// Something a person follows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Followed {
    #[sqlx(try_from = "String")]
    pub kind: FollowKind,
    pub key: String,
    pub title: String,
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Follows (or, with `on` false, stops following) something.
    pub async fn follow(&self, user: i64, kind: FollowKind, id: i64, on: bool) -> AppResult<()> {
        if on {
            sqlx::query(
                "insert into follows (user_id, subject_kind, subject_id) values ($1, $2, $3) on conflict do nothing",
            )
        } else {
            sqlx::query("delete from follows where user_id = $1 and subject_kind = $2 and subject_id = $3")
        }
        .bind(user)
        .bind(kind.as_str())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What a person follows, newest first: the kind, the key the follow is made with (an
    /// id, or a region's or theme's slug) and its title (a theme's in Spanish). Cases,
    /// workshops and threads others can no longer see are left out, as from notifications.
    pub async fn followed(&self, user: i64) -> AppResult<Vec<Followed>> {
        Ok(sqlx::query_as(
            "select f.subject_kind as kind,
                    coalesce(r.slug, th.slug, f.subject_id::text) as key,
                    coalesce(c.title, w.title, t.title, r.name, th.name_es, '') as title,
                    f.created_at
             from follows f
             left join cases c on f.subject_kind = 'case' and c.id = f.subject_id
             left join workshops w on f.subject_kind = 'workshop' and w.id = f.subject_id
             left join threads t on f.subject_kind = 'thread' and t.id = f.subject_id
             left join regions r on f.subject_kind = 'region' and r.id = f.subject_id
             left join themes th on f.subject_kind = 'theme' and th.id = f.subject_id
             where f.user_id = $1
               and (f.subject_kind <> 'case' or c.status = 'published')
               and (f.subject_kind <> 'workshop' or w.status <> 'draft')
               and (f.subject_kind <> 'thread'
                    or (t.id is not null and ((t.hidden_at is null and t.comment_count > 0) or t.author_id = $1)))
             order by f.created_at desc, f.subject_kind, f.subject_id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn follows(&self, user: i64, kind: FollowKind, id: i64) -> AppResult<bool> {
        Ok(sqlx::query_scalar(
            "select exists (select 1 from follows where user_id = $1 and subject_kind = $2 and subject_id = $3)",
        )
        .bind(user)
        .bind(kind.as_str())
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// A person's notifications, newest first, a page at a time (those before `before`).
    pub async fn notifications(&self, user: i64, before: Option<i64>) -> AppResult<Vec<NotificationView>> {
        Ok(sqlx::query_as(&format!(
            "{NOTIFICATION_SELECT} where n.user_id = $1 and ($2::bigint is null or n.id < $2) and {STILL_SHOWN}
             order by n.id desc limit $3"
        ))
        .bind(user)
        .bind(before)
        .bind(NOTIFICATIONS_PER_PAGE)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One of a person's notifications, while what it is about may still be shown.
    pub async fn notification(&self, user: i64, id: i64) -> AppResult<Option<NotificationView>> {
        Ok(sqlx::query_as(&format!("{NOTIFICATION_SELECT} where n.user_id = $1 and n.id = $2 and {STILL_SHOWN}"))
            .bind(user)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// What `kind` `key` names, if it exists and `user` may follow it: a published case,
    /// a workshop that is not a draft, a free-standing thread they see (by id), any region
    /// or theme (by slug).
    pub async fn followable(&self, kind: FollowKind, key: &str, user: i64) -> AppResult<Option<i64>> {
        let sql = match kind {
            FollowKind::Case => "select id from cases where id::text = $1 and status = 'published'",
            FollowKind::Workshop => "select id from workshops where id::text = $1 and status <> 'draft'",
            FollowKind::Thread => {
                "select id from threads where id::text = $1 and theme_id is not null
                 and ((hidden_at is null and comment_count > 0) or author_id = $2)"
            }
            FollowKind::Region => "select id from regions where slug = $1",
            FollowKind::Theme => "select id from themes where slug = $1",
        };
        Ok(sqlx::query_scalar(sql).bind(key).bind(user).fetch_optional(&self.pool).await?)
    }

    /// Whether `user` follows the region or theme with this slug.
    pub async fn follows_slug(&self, user: i64, kind: FollowKind, slug: &str) -> AppResult<bool> {
        let table = if kind == FollowKind::Region { "regions" } else { "themes" };
        Ok(sqlx::query_scalar(&format!(
            "select exists (select 1 from follows f join {table} x on x.id = f.subject_id
                            where f.user_id = $1 and f.subject_kind = $2 and x.slug = $3)"
        ))
        .bind(user)
        .bind(kind.as_str())
        .bind(slug)
        .fetch_one(&self.pool)
        .await?)
    }

    /// How many unread notifications a person has, up to 100 (the header says "99+").
    pub async fn unread_count(&self, user: i64) -> AppResult<i64> {
        Ok(sqlx::query_scalar(&format!(
            "select count(*) from (
                 select 1 from notifications n join events e on e.id = n.event_id
                 where n.user_id = $1 and n.read_at is null and {STILL_SHOWN}
                 limit 100) unread"
        ))
        .bind(user)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Marks one notification read (None: all of them). Only the person's own.
    pub async fn mark_read(&self, user: i64, id: Option<i64>) -> AppResult<bool> {
        let marked = sqlx::query(
            "update notifications set read_at = coalesce(read_at, now())
             where user_id = $1 and ($2::bigint is null or id = $2)",
        )
        .bind(user)
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(marked > 0 || id.is_none())
    }

    /// A new private feed token for the person (replacing any earlier one), returned once.
    pub async fn new_feed_token(&self, user: i64) -> AppResult<String> {
        let token = secret::generate("");
        sqlx::query(
            "insert into feed_tokens (user_id, token_hash) values ($1, $2)
             on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = now()",
        )
        .bind(user)
        .bind(secret::digest(&token))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// Revokes the person's feed token: its address stops working.
    pub async fn revoke_feed_token(&self, user: i64) -> AppResult<()> {
        sqlx::query("delete from feed_tokens where user_id = $1").bind(user).execute(&self.pool).await?;
        Ok(())
    }

    /// When the person's feed token was made, if they have one.
    pub async fn feed_token_created(&self, user: i64) -> AppResult<Option<OffsetDateTime>> {
        Ok(sqlx::query_scalar("select created_at from feed_tokens where user_id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The open account a feed token belongs to.
    pub async fn feed_owner(&self, token: &str) -> AppResult<Option<(i64, crate::domain::Lang)>> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "select u.id, u.language from feed_tokens f join users u on u.id = f.user_id
             where f.token_hash = $1 and u.closed_at is null and u.disabled_at is null",
        )
        .bind(secret::digest(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, lang)| (id, crate::domain::Lang::parse(&lang).unwrap_or_default())))
    }

    /// Fans out up to `batch` pending events into notifications, in one transaction;
    /// events another worker holds are skipped. Returns how many events it delivered.
    pub async fn deliver_events(&self, batch: i64) -> Result<usize, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let events: Vec<Event> = sqlx::query_as(
            "select id, kind, actor_id, thread_id, comment_id, case_id, workshop_id, commitment_id, user_id, details
             from events where notified_at is null order by id limit $1 for update skip locked",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        for event in &events {
            fan_out(&mut tx, event).await?;
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        sqlx::query("update events set notified_at = now() where id = any($1)").bind(&ids).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(events.len())
    }

    /// Writes an event for each open commitment that fell overdue (its due date is before
    /// `today`, Lima's date), once per commitment and due date, whichever process comes first.
    pub async fn note_overdue_commitments(&self, today: time::Date) -> Result<u64, sqlx::Error> {
        let added = sqlx::query(
            "insert into events (kind, workshop_id, commitment_id, once_key)
             select 'commitment_overdue', c.workshop_id, c.id, 'overdue:' || c.id || ':' || c.due_on
             from commitments c join workshop_outcomes o on o.workshop_id = c.workshop_id
             where c.status in ('planned', 'in_progress') and c.due_on < $1
             on conflict (once_key) do nothing",
        )
        .bind(today)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(added)
    }
}

/// Recipients, most particular reason first: a person mentioned in a comment on a thread
/// they follow is notified once, of the mention. Nobody is told of their own doing, and
/// closed or disabled accounts are told nothing.
async fn fan_out(conn: &mut PgConnection, e: &Event) -> Result<(), sqlx::Error> {
    let mentions: Vec<i64> =
        e.details.get("mentions").and_then(|m| serde_json::from_value(m.clone()).ok()).unwrap_or_default();
    // (reason, the recipients' ids as a query over $1 = the event's row fields below)
    let mut steps: Vec<(NotificationReason, &str)> = Vec::new();
    match e.kind {
        EventKind::CommentPosted | EventKind::CommentMentions => {
            steps.push((NotificationReason::Mention, "select unnest($7::bigint[])"));
            if e.kind == EventKind::CommentPosted {
                steps.push((
                    NotificationReason::Reply,
                    "select r.author_id from comments c join comments r on r.id = c.reply_to_id where c.id = $3",
                ));
                steps.push((
                    NotificationReason::Follow,
                    "select f.user_id from threads t join follows f
                       on (f.subject_kind = 'thread' and f.subject_id = t.id)
                       or (f.subject_kind = 'case' and f.subject_id = t.case_id)
                       or (f.subject_kind = 'workshop' and f.subject_id = t.workshop_id)
                     where t.id = $2",
                ));
            }
        }
        EventKind::CasePublished => {
            steps.push((
                NotificationReason::Region,
                "select f.user_id from cases c cross join region_and_above(c.region_id) up
                 join follows f on f.subject_kind = 'region' and f.subject_id = up.id where c.id = $4",
            ));
            steps.push((
                NotificationReason::Theme,
                "select f.user_id from case_themes ct join follows f on f.subject_kind = 'theme' and f.subject_id = ct.theme_id
                 where ct.case_id = $4",
            ));
        }
        EventKind::WorkshopPublished => {
            steps.push((NotificationReason::Follow, WORKSHOP_FOLLOWERS));
            steps.push((NotificationReason::Region, WORKSHOP_REGION_FOLLOWERS));
        }
        EventKind::WorkshopChanged | EventKind::WorkshopCancelled => {
            steps.push((NotificationReason::Participant, WORKSHOP_PARTICIPANTS));
            steps.push((NotificationReason::Follow, WORKSHOP_FOLLOWERS));
        }
        EventKind::OutcomesPublished => {
            steps.push((NotificationReason::Participant, WORKSHOP_PARTICIPANTS));
            steps.push((NotificationReason::Follow, WORKSHOP_FOLLOWERS));
            steps.push((NotificationReason::Region, WORKSHOP_REGION_FOLLOWERS));
        }
        EventKind::PlaceOpened => steps.push((NotificationReason::WaitingList, "select $8::bigint")),
        EventKind::ReportHandled => steps.push((NotificationReason::Report, "select $8::bigint")),
        EventKind::CommitmentStatus | EventKind::CommitmentOverdue => {
            steps.push((
                NotificationReason::Commitment,
                "select c.owner_id from commitments c where c.id = $6
                 union all
                 select u.id from commitments c join users u on u.region_id = c.region_id where c.id = $6",
            ));
            steps.push((
                NotificationReason::Region,
                "select f.user_id from commitments c cross join region_and_above(c.region_id) up
                 join follows f on f.subject_kind = 'region' and f.subject_id = up.id where c.id = $6",
            ));
            steps.push((NotificationReason::Follow, WORKSHOP_FOLLOWERS));
        }
    }
    for (reason, recipients) in steps {
        sqlx::query(&format!(
            "insert into notifications (event_id, user_id, reason)
             select $1, u.id, $10 from users u
             where u.id in ({recipients}) and u.id is distinct from $9
               and u.closed_at is null and u.disabled_at is null
             on conflict do nothing"
        ))
        .bind(e.id)
        .bind(e.thread_id)
        .bind(e.comment_id)
        .bind(e.case_id)
        .bind(e.workshop_id)
        .bind(e.commitment_id)
        .bind(&mentions)
        .bind(e.user_id)
        .bind(e.actor_id)
        .bind(reason.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const WORKSHOP_FOLLOWERS: &str =
    "select f.user_id from follows f where f.subject_kind = 'workshop' and f.subject_id = $5";
const WORKSHOP_REGION_FOLLOWERS: &str = "select f.user_id from workshop_regions wr
     cross join region_and_above(wr.region_id) up
     join follows f on f.subject_kind = 'region' and f.subject_id = up.id where wr.workshop_id = $5";
const WORKSHOP_PARTICIPANTS: &str =
    "select r.user_id from registrations r where r.workshop_id = $5 and r.state in ('registered', 'waiting')";
