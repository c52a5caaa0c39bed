//! Registration and the waiting list. Every change locks the workshop's row first, so that
//! counting the places and taking one is a single step for however many processes serve
//! the site: 50 people registering at once for 10 places give exactly 10 registered and
//! 40 waiting, in the order their turn came.

use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

use crate::{
    domain::{
        account::User,
        subject::{AuditAction, AuditDetails, AuditRecord},
        workshop::{registration_open, RegistrationState, WorkshopStatus},
    },
    error::{AppError, AppResult},
    store::{audit::audit, Store},
};

/// The viewer's own registration, as their page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyRegistration {
    pub state: RegistrationState,
    /// Their place on the waiting list (1 is next), while waiting.
    pub place: Option<i64>,
    /// A place came free for them since they last looked.
    pub promoted: bool,
    pub attended: Option<bool>,
}

/// Someone on a workshop's list, as organisers see it.
#[derive(Debug, Clone, FromRow)]
pub struct Participant {
    pub user_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub organisation: String,
    pub region_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: RegistrationState,
    pub registered_at: OffsetDateTime,
    pub attended: Option<bool>,
}

/// Gives free places to the first people waiting, in arrival order.
pub(super) async fn promote(conn: &mut PgConnection, workshop: i64, capacity: Option<i32>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "update registrations set state = 'registered', promoted_at = now(), promotion_seen = false
         where id in (
             select id from registrations
             where workshop_id = $1 and state = 'waiting'
             order by arrival
             limit case when $2::int is null then null
                        else greatest($2 - (select count(*) from registrations
                                            where workshop_id = $1 and state = 'registered'), 0) end)",
    )
    .bind(workshop)
    .bind(capacity)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Locks the workshop's row and returns what registration depends on.
async fn lock(
    conn: &mut PgConnection,
    workshop: i64,
) -> AppResult<(WorkshopStatus, Option<i32>, OffsetDateTime, Option<OffsetDateTime>)> {
    let row: Option<(String, Option<i32>, OffsetDateTime, Option<OffsetDateTime>)> = sqlx::query_as(
        "select status, capacity, starts_at, registration_deadline from workshops where id = $1 for update",
    )
    .bind(workshop)
    .fetch_optional(conn)
    .await?;
    let (status, capacity, starts_at, deadline) = row.ok_or(AppError::NotFound)?;
    let status = WorkshopStatus::parse(&status).ok_or(AppError::NotFound)?;
    Ok((status, capacity, starts_at, deadline))
}

impl Store {
    /// Registers `user`, or puts them on the waiting list when the workshop is full.
    /// Registering again changes nothing. Refused once registration has closed at `now`.
    pub async fn register(&self, workshop: i64, user: &User, now: OffsetDateTime) -> AppResult<RegistrationState> {
        let mut tx = self.pool.begin().await?;
        let (status, capacity, starts_at, deadline) = lock(&mut tx, workshop).await?;
        if !registration_open(status, starts_at, deadline, now) {
            return Err(AppError::RegistrationClosed);
        }
        let current: Option<String> = sqlx::query_scalar(
            "select state from registrations where workshop_id = $1 and user_id = $2 and state <> 'cancelled'",
        )
        .bind(workshop)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(state) = current.as_deref().and_then(RegistrationState::parse) {
            return Ok(state);
        }
        let registered: i64 =
            sqlx::query_scalar("select count(*) from registrations where workshop_id = $1 and state = 'registered'")
                .bind(workshop)
                .fetch_one(&mut *tx)
                .await?;
        let state = match capacity {
            Some(capacity) if registered >= i64::from(capacity) => RegistrationState::Waiting,
            _ => RegistrationState::Registered,
        };
        sqlx::query(
            "insert into registrations (workshop_id, user_id, state) values ($1, $2, $3)
             on conflict (workshop_id, user_id) do update
                 set state = excluded.state, arrival = nextval('registration_arrivals'), registered_at = now(),
                     promoted_at = null, promotion_seen = true, cancelled_at = null, attended = null",
        )
        .bind(workshop)
        .bind(user.id)
        .bind(state.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(state)
    }

    /// Cancels `account`'s registration or place on the list; a freed place goes to the
    /// first person waiting at once. `by` is an organiser acting for someone else (audited),
    /// or None when people cancel their own. Refused once the workshop has started.
    /// `false`: they had neither, and nothing changed.
    pub async fn cancel_registration(
        &self,
        workshop: i64,
        slug: &str,
        account: i64,
        by: Option<&User>,
        now: OffsetDateTime,
    ) -> AppResult<bool> {
        let mut tx = self.pool.begin().await?;
        let (_, capacity, starts_at, _) = lock(&mut tx, workshop).await?;
        if now >= starts_at {
            return Err(AppError::RegistrationClosed);
        }
        let before: Option<String> = sqlx::query_scalar(
            "with old as (select id, state from registrations
                          where workshop_id = $1 and user_id = $2 and state <> 'cancelled')
             update registrations r set state = 'cancelled', cancelled_at = now()
             from old where r.id = old.id
             returning old.state",
        )
        .bind(workshop)
        .bind(account)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(before) = before else { return Ok(false) };
        promote(&mut tx, workshop, capacity).await?;
        if let Some(by) = by {
            let details = AuditDetails {
                account: Some(account),
                state_from: Some(before),
                state_to: Some(RegistrationState::Cancelled.as_str().to_string()),
                ..AuditDetails::default()
            };
            let record =
                AuditRecord::new(Some(by.id), AuditAction::RegistrationChanged).on_workshop(slug).with(details);
            audit(&mut tx, record).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The viewer's registration, with their place on the list; reading it marks a
    /// promotion as told.
    /// `user`'s place at `workshop`. With `telling`, the caller shows the person that a
    /// place came free for them, and that news is marked as given; other readers (the API,
    /// the certificate) leave it for the page.
    pub async fn my_registration(&self, workshop: i64, user: i64, telling: bool) -> AppResult<Option<MyRegistration>> {
        // A plain read: a write here, even of no rows, would fire the registrations' triggers
        // on every signed-in view.
        let row: Option<(String, Option<i64>, bool, Option<bool>)> = sqlx::query_as(
            "select state,
                    case when state = 'waiting' then
                        (select count(*) from registrations q
                         where q.workshop_id = $1 and q.state = 'waiting' and q.arrival <= mine.arrival) end,
                    not promotion_seen, attended
             from registrations mine where workshop_id = $1 and user_id = $2",
        )
        .bind(workshop)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        let Some((state, place, promoted, attended)) = row else { return Ok(None) };
        if telling && promoted {
            sqlx::query("update registrations set promotion_seen = true where workshop_id = $1 and user_id = $2")
                .bind(workshop)
                .bind(user)
                .execute(&self.pool)
                .await?;
        }
        let Some(state) = RegistrationState::parse(&state) else { return Ok(None) };
        Ok((state != RegistrationState::Cancelled).then_some(MyRegistration { state, place, promoted, attended }))
    }

    /// Everyone registered or waiting, registered first, each in arrival order.
    pub async fn participants(&self, workshop: i64) -> AppResult<Vec<Participant>> {
        Ok(sqlx::query_as(
            "select u.id as user_id, u.display_name as name, u.email, u.organisation, rg.name as region_name,
                    r.state, r.registered_at, r.attended
             from registrations r
             join users u on u.id = r.user_id
             left join regions rg on rg.id = u.region_id
             where r.workshop_id = $1 and r.state <> 'cancelled'
             order by r.state = 'waiting', r.arrival",
        )
        .bind(workshop)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks who attended, after the event: `attended` holds the accounts that came; every
    /// other registered person is marked absent.
    pub async fn mark_attendance(&self, workshop: i64, slug: &str, attended: &[i64], actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "update registrations set attended = (user_id = any($2))
             where workshop_id = $1 and state = 'registered'",
        )
        .bind(workshop)
        .bind(attended)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::AttendanceMarked).on_workshop(slug)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person's registrations, soonest first, for their profile: (slug, title,
    /// start, state).
    pub async fn registrations_of(
        &self,
        user: i64,
    ) -> AppResult<Vec<(String, String, OffsetDateTime, RegistrationState)>> {
        let rows: Vec<(String, String, OffsetDateTime, String)> = sqlx::query_as(
            "select w.slug, w.title, w.starts_at, r.state
             from registrations r join workshops w on w.id = r.workshop_id
             where r.user_id = $1 and r.state <> 'cancelled' and w.status <> 'draft'
             order by w.starts_at desc",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(slug, title, at, state)| Some((slug, title, at, RegistrationState::parse(&state)?)))
            .collect())
    }
}
