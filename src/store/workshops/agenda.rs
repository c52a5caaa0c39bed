//! A workshop's agenda: its items in order, each with speakers (named, or accounts) and
//! linked cases, read in one statement however long the agenda is.

use sqlx::{FromRow, PgConnection, Postgres, Transaction};
use time::OffsetDateTime;

use crate::{
    domain::{
        account::User,
        subject::{AuditAction, AuditRecord},
        workshop::{AgendaDraft, MAX_AGENDA_ITEMS},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    store::{audit::audit, Store},
};

use super::{write::edited_in_app, CaseLink, Person};

/// One item of an agenda.
#[derive(Debug, Clone, FromRow)]
pub struct AgendaItem {
    pub id: i64,
    pub starts_at: OffsetDateTime,
    pub duration_minutes: i32,
    pub title: String,
    pub speakers: String,
    pub description: String,
    #[sqlx(json)]
    pub speaker_accounts: Vec<Person>,
    #[sqlx(json)]
    pub case_links: Vec<CaseLink>,
    /// Every linked slug, published or not, for the edit form.
    pub case_slugs: Vec<String>,
    /// The speakers' emails, for the edit form (organisers only).
    pub speaker_emails: Vec<String>,
}

/// Replaces the item's speakers and cases; `Err` names the emails that match no account.
async fn set_item_links(tx: &mut Transaction<'_, Postgres>, item: i64, draft: &AgendaDraft) -> AppResult<()> {
    let found: Vec<(i64, String)> =
        sqlx::query_as("select id, email from users where email = any($1) and closed_at is null")
            .bind(&draft.speaker_emails)
            .fetch_all(&mut **tx)
            .await?;
    if found.len() < draft.speaker_emails.len() {
        return Err(vec![FieldError { field: "speaker_emails", problem: FieldProblem::Unknown }].into());
    }
    sqlx::query("delete from agenda_speakers where item_id = $1").bind(item).execute(&mut **tx).await?;
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    sqlx::query("insert into agenda_speakers (item_id, user_id) select $1, unnest($2::bigint[])")
        .bind(item)
        .bind(&ids)
        .execute(&mut **tx)
        .await?;
    sqlx::query("delete from agenda_cases where item_id = $1").bind(item).execute(&mut **tx).await?;
    sqlx::query("insert into agenda_cases (item_id, case_id) select $1, c.id from cases c where c.slug = any($2)")
        .bind(item)
        .bind(&draft.cases)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every agenda change locks its workshop's row before anything else: the change log's
/// lock (taken by the triggers) then always comes after it, as for registrations.
async fn lock_workshop(conn: &mut PgConnection, workshop: i64) -> Result<(), sqlx::Error> {
    sqlx::query("select 1 from workshops where id = $1 for update").bind(workshop).execute(conn).await?;
    Ok(())
}

impl Store {
    /// The agenda in order: by start, then in the order items were added.
    pub async fn agenda(&self, workshop: i64) -> AppResult<Vec<AgendaItem>> {
        Ok(sqlx::query_as(
            "select a.id, a.starts_at, a.duration_minutes, a.title, a.speakers, a.description,
                    coalesce((select json_agg(json_build_object('id', u.id, 'name', u.display_name) order by u.display_name)
                              from agenda_speakers s join users u on u.id = s.user_id
                              where s.item_id = a.id), '[]') as speaker_accounts,
                    coalesce((select array_agg(u.email order by u.email)
                              from agenda_speakers s join users u on u.id = s.user_id
                              where s.item_id = a.id and u.email is not null), '{}') as speaker_emails,
                    coalesce((select json_agg(json_build_object('slug', c.slug, 'title', c.title) order by c.title)
                              from agenda_cases ac join cases c on c.id = ac.case_id
                              where ac.item_id = a.id and c.status = 'published'), '[]') as case_links,
                    coalesce((select array_agg(c.slug order by c.slug)
                              from agenda_cases ac join cases c on c.id = ac.case_id
                              where ac.item_id = a.id), '{}') as case_slugs
             from agenda_items a
             where a.workshop_id = $1
             order by a.starts_at, a.position",
        )
        .bind(workshop)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds an item (validated against the workshop's hours by the caller).
    pub async fn add_agenda_item(
        &self,
        workshop: i64,
        slug: &str,
        draft: &AgendaDraft,
        actor: &User,
    ) -> AppResult<i64> {
        let mut tx = self.pool.begin().await?;
        lock_workshop(&mut tx, workshop).await?;
        let count: i64 = sqlx::query_scalar("select count(*) from agenda_items where workshop_id = $1")
            .bind(workshop)
            .fetch_one(&mut *tx)
            .await?;
        if count >= MAX_AGENDA_ITEMS as i64 {
            let problem = FieldProblem::TooLong { max: MAX_AGENDA_ITEMS };
            return Err(vec![FieldError { field: "title", problem }].into());
        }
        let id: i64 = sqlx::query_scalar(
            "insert into agenda_items (workshop_id, position, starts_at, duration_minutes, title, speakers, description)
             values ($1, (select coalesce(max(position), 0) + 1 from agenda_items where workshop_id = $1),
                     $2, $3, $4, $5, $6)
             returning id",
        )
        .bind(workshop)
        .bind(draft.starts_at)
        .bind(draft.duration_minutes)
        .bind(&draft.title)
        .bind(&draft.speakers)
        .bind(&draft.description)
        .fetch_one(&mut *tx)
        .await?;
        set_item_links(&mut tx, id, draft).await?;
        edited_in_app(&mut tx, workshop).await?;
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::AgendaChanged).on_workshop(slug)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves an item of this workshop's.
    pub async fn update_agenda_item(
        &self,
        workshop: i64,
        slug: &str,
        item: i64,
        draft: &AgendaDraft,
        actor: &User,
    ) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        lock_workshop(&mut tx, workshop).await?;
        let updated = sqlx::query(
            "update agenda_items set starts_at = $3, duration_minutes = $4, title = $5, speakers = $6, description = $7
             where id = $2 and workshop_id = $1",
        )
        .bind(workshop)
        .bind(item)
        .bind(draft.starts_at)
        .bind(draft.duration_minutes)
        .bind(&draft.title)
        .bind(&draft.speakers)
        .bind(&draft.description)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(AppError::NotFound);
        }
        set_item_links(&mut tx, item, draft).await?;
        edited_in_app(&mut tx, workshop).await?;
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::AgendaChanged).on_workshop(slug)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an item of this workshop's.
    pub async fn delete_agenda_item(&self, workshop: i64, slug: &str, item: i64, actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        lock_workshop(&mut tx, workshop).await?;
        let deleted = sqlx::query("delete from agenda_items where id = $2 and workshop_id = $1")
            .bind(workshop)
            .bind(item)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(AppError::NotFound);
        }
        edited_in_app(&mut tx, workshop).await?;
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::AgendaChanged).on_workshop(slug)).await?;
        tx.commit().await?;
        Ok(())
    }
}
