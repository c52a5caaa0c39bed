//! Writing a workshop's details, its state and its organisers; each write with its audit
//! entry in the same transaction.

use sqlx::{PgConnection, Postgres, Transaction};

use crate::{
    domain::{
        account::User,
        slug,
        subject::{AuditAction, AuditDetails, AuditRecord},
        workshop::{WorkshopDraft, WorkshopStatus},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    markdown,
    store::{audit::audit, Store},
};

use super::registrations::promote;

/// Serialises slug allocation for workshops, so two creations never pick the same one.
const WORKSHOP_SLUG_LOCK: i64 = 0x4159_4e49_0003;

/// Where a new workshop comes from: a form or the API (`App`), or the content directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    App,
    Import,
}

impl Provenance {
    fn as_str(self) -> &'static str {
        match self {
            Provenance::App => "app",
            Provenance::Import => "import",
        }
    }
}

/// The slug for `title`: transliterated, cut to the length limit, and `-2`, `-3`… when a
/// workshop has it.
async fn allocate_slug(conn: &mut PgConnection, title: &str) -> Result<String, sqlx::Error> {
    let mut base = slug::slugify(title);
    if base.len() > slug::MAX_LEN - 4 {
        base.truncate(slug::MAX_LEN - 4);
        if let Some(cut) = base.rfind('-') {
            base.truncate(cut);
        }
    }
    if base.is_empty() || slug::validate(&base).is_err() {
        base = if base.is_empty() { "taller".to_string() } else { format!("taller-{base}") };
    }
    let mut n = 1;
    loop {
        let candidate = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        let taken: bool = sqlx::query_scalar("select exists (select 1 from workshops where slug = $1)")
            .bind(&candidate)
            .fetch_one(&mut *conn)
            .await?;
        if !taken {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// Replaces the workshop's regions and linked cases with the draft's.
async fn set_links(tx: &mut Transaction<'_, Postgres>, id: i64, draft: &WorkshopDraft) -> Result<(), sqlx::Error> {
    sqlx::query("delete from workshop_regions where workshop_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query(
        "insert into workshop_regions (workshop_id, region_id) select $1, r.id from regions r where r.slug = any($2)",
    )
    .bind(id)
    .bind(&draft.regions)
    .execute(&mut **tx)
    .await?;
    sqlx::query("delete from workshop_cases where workshop_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query(
        "insert into workshop_cases (workshop_id, case_id) select $1, c.id from cases c where c.slug = any($2)",
    )
    .bind(id)
    .bind(&draft.cases)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an imported workshop as edited in the app (its agenda, outcomes or commitments),
/// so that importing its file again is a conflict rather than a silent overwrite.
pub(crate) async fn edited_in_app(conn: &mut PgConnection, workshop: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update workshops set provenance = 'app' where id = $1 and provenance <> 'app'")
        .bind(workshop)
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    /// A new draft workshop, organised by `creator` (None: the importer). Its description
    /// is already rendered (never under a lock). Returns its slug.
    pub async fn create_workshop(
        &self,
        creator: Option<&User>,
        draft: &WorkshopDraft,
        description_html: &str,
        provenance: Provenance,
    ) -> AppResult<String> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)").bind(WORKSHOP_SLUG_LOCK).execute(&mut *tx).await?;
        let slug = allocate_slug(&mut tx, &draft.title).await?;
        let id: i64 = sqlx::query_scalar(
            "insert into workshops (slug, title, summary, description_markdown, description_html,
                                    description_html_version, starts_at, ends_at, all_day, format, venue, city,
                                    online_url, capacity, registration_deadline, region_count, illustrative,
                                    provenance, created_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
             returning id",
        )
        .bind(&slug)
        .bind(&draft.title)
        .bind(&draft.summary)
        .bind(&draft.description_markdown)
        .bind(description_html)
        .bind(markdown::RENDER_VERSION)
        .bind(draft.starts_at)
        .bind(draft.ends_at)
        .bind(draft.all_day)
        .bind(draft.format.as_str())
        .bind(&draft.venue)
        .bind(&draft.city)
        .bind(&draft.online_url)
        .bind(draft.capacity)
        .bind(draft.registration_deadline)
        .bind(draft.region_count)
        .bind(draft.illustrative)
        .bind(provenance.as_str())
        .bind(creator.map(|u| u.id))
        .fetch_one(&mut *tx)
        .await?;
        set_links(&mut tx, id, draft).await?;
        if let Some(creator) = creator {
            sqlx::query("insert into workshop_organisers (workshop_id, user_id) values ($1, $2)")
                .bind(id)
                .bind(creator.id)
                .execute(&mut *tx)
                .await?;
        }
        audit(&mut tx, AuditRecord::new(creator.map(|u| u.id), AuditAction::WorkshopCreated).on_workshop(&slug))
            .await?;
        tx.commit().await?;
        Ok(slug)
    }

    /// Saves new details. A capacity below the number already registered is refused; a
    /// higher one gives places to the first people waiting. Moving a published
    /// workshop's times bumps its calendar sequence.
    pub async fn update_workshop(
        &self,
        id: i64,
        draft: &WorkshopDraft,
        description_html: &str,
        actor: Option<&User>,
    ) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let (slug, status, starts_at, ends_at): (String, String, time::OffsetDateTime, time::OffsetDateTime) =
            sqlx::query_as("select slug, status, starts_at, ends_at from workshops where id = $1 for update")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?;
        let registered: i64 =
            sqlx::query_scalar("select count(*) from registrations where workshop_id = $1 and state = 'registered'")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(capacity) = draft.capacity {
            if i64::from(capacity) < registered {
                let problem = FieldProblem::BelowRegistered { registered };
                return Err(vec![FieldError { field: "capacity", problem }].into());
            }
        }
        let moved = starts_at != draft.starts_at || ends_at != draft.ends_at;
        let bump = moved && status == WorkshopStatus::Published.as_str();
        sqlx::query(
            "update workshops set title = $2, summary = $3, description_markdown = $4, description_html = $5,
                    description_html_version = $6, starts_at = $7, ends_at = $8, all_day = $9, format = $10,
                    venue = $11, city = $12, online_url = $13, capacity = $14, registration_deadline = $15,
                    region_count = $16, illustrative = $17, sequence = sequence + $18,
                    provenance = 'app'
             where id = $1",
        )
        .bind(id)
        .bind(&draft.title)
        .bind(&draft.summary)
        .bind(&draft.description_markdown)
        .bind(description_html)
        .bind(markdown::RENDER_VERSION)
        .bind(draft.starts_at)
        .bind(draft.ends_at)
        .bind(draft.all_day)
        .bind(draft.format.as_str())
        .bind(&draft.venue)
        .bind(&draft.city)
        .bind(&draft.online_url)
        .bind(draft.capacity)
        .bind(draft.registration_deadline)
        .bind(draft.region_count)
        .bind(draft.illustrative)
        .bind(i32::from(bump))
        .execute(&mut *tx)
        .await?;
        set_links(&mut tx, id, draft).await?;
        promote(&mut tx, id, draft.capacity).await?;
        let details = AuditDetails { reason: moved.then(|| "times".to_string()), ..AuditDetails::default() };
        audit(
            &mut tx,
            AuditRecord::new(actor.map(|u| u.id), AuditAction::WorkshopUpdated).on_workshop(&slug).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Draft → published.
    pub async fn publish_workshop(&self, id: i64, actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let slug: Option<String> = sqlx::query_scalar(
            "update workshops set status = 'published' where id = $1 and status = 'draft' returning slug",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let slug = slug.ok_or(AppError::Forbidden)?;
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::WorkshopPublished).on_workshop(&slug)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Published → cancelled, with the reason shown on its page; calendars learn it
    /// through a new sequence.
    pub async fn cancel_workshop(&self, id: i64, reason: &str, actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let slug: Option<String> = sqlx::query_scalar(
            "update workshops set status = 'cancelled', cancel_reason = $2, sequence = sequence + 1
             where id = $1 and status = 'published' returning slug",
        )
        .bind(id)
        .bind(reason)
        .fetch_optional(&mut *tx)
        .await?;
        let slug = slug.ok_or(AppError::Forbidden)?;
        let details = AuditDetails { reason: Some(reason.to_string()), ..AuditDetails::default() };
        audit(
            &mut tx,
            AuditRecord::new(Some(actor.id), AuditAction::WorkshopCancelled).on_workshop(&slug).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes the active account with this email a co-organiser. `Ok(false)`: no such
    /// account.
    pub async fn add_organiser(&self, id: i64, slug: &str, email: &str, actor: &User) -> AppResult<bool> {
        let mut tx = self.pool.begin().await?;
        let account: Option<i64> =
            sqlx::query_scalar("select id from users where email = $1 and disabled_at is null and closed_at is null")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(account) = account else { return Ok(false) };
        let added = sqlx::query(
            "insert into workshop_organisers (workshop_id, user_id) values ($1, $2) on conflict do nothing",
        )
        .bind(id)
        .bind(account)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added > 0 {
            let details = AuditDetails { account: Some(account), ..AuditDetails::default() };
            audit(
                &mut tx,
                AuditRecord::new(Some(actor.id), AuditAction::OrganiserAdded).on_workshop(slug).with(details),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a co-organiser; the last organiser stays (a workshop always has one):
    /// `Forbidden`. `NotFound`: `account` does not organise it.
    pub async fn remove_organiser(&self, id: i64, slug: &str, account: i64, actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select 1 from workshops where id = $1 for update").bind(id).execute(&mut *tx).await?;
        let removed = sqlx::query(
            "delete from workshop_organisers where workshop_id = $1 and user_id = $2
               and (select count(*) from workshop_organisers where workshop_id = $1) > 1",
        )
        .bind(id)
        .bind(account)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if removed == 0 {
            let organises: bool = sqlx::query_scalar(
                "select exists (select 1 from workshop_organisers where workshop_id = $1 and user_id = $2)",
            )
            .bind(id)
            .bind(account)
            .fetch_one(&mut *tx)
            .await?;
            return Err(if organises { AppError::Forbidden } else { AppError::NotFound });
        }
        let details = AuditDetails { account: Some(account), ..AuditDetails::default() };
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::OrganiserRemoved).on_workshop(slug).with(details))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
