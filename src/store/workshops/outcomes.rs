//! A workshop's outcomes: published (or revised) by an organiser, audited, rendered once
//! per save by the caller.

use sqlx::{types::Json, FromRow, PgConnection};
use time::OffsetDateTime;

use crate::{
    domain::{
        account::User,
        case::Source,
        outcome::OutcomesDraft,
        subject::{AuditAction, AuditRecord},
    },
    error::AppResult,
    markdown,
    store::{audit::audit, Store},
};

use super::write::edited_in_app;

/// What a workshop agreed, as published.
#[derive(Debug, Clone, FromRow)]
pub struct Outcomes {
    pub conclusions_markdown: String,
    pub conclusions_html: String,
    pub attendance: Option<i32>,
    pub organisations: Vec<String>,
    #[sqlx(json)]
    pub materials: Vec<Source>,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A workshop's published outcomes, as the feed lists them.
#[derive(Debug, Clone, FromRow)]
pub struct PublishedOutcomes {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub illustrative: bool,
    pub starts_at: OffsetDateTime,
    pub conclusions_html: String,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Publishes or replaces a workshop's outcomes (their HTML already rendered): the form and
/// the importer both write them through this.
pub(crate) async fn write_outcomes(
    conn: &mut PgConnection,
    workshop: i64,
    draft: &OutcomesDraft,
    html: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into workshop_outcomes (workshop_id, conclusions_markdown, conclusions_html,
                                        conclusions_html_version, attendance, organisations, materials)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (workshop_id) do update set
             conclusions_markdown = excluded.conclusions_markdown, conclusions_html = excluded.conclusions_html,
             conclusions_html_version = excluded.conclusions_html_version, attendance = excluded.attendance,
             organisations = excluded.organisations, materials = excluded.materials",
    )
    .bind(workshop)
    .bind(&draft.conclusions_markdown)
    .bind(html)
    .bind(markdown::RENDER_VERSION)
    .bind(draft.attendance)
    .bind(&draft.organisations)
    .bind(Json(&draft.materials))
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn outcomes(&self, workshop: i64) -> AppResult<Option<Outcomes>> {
        Ok(sqlx::query_as(
            "select conclusions_markdown, conclusions_html, attendance, organisations, materials, published_at,
                    updated_at
             from workshop_outcomes where workshop_id = $1",
        )
        .bind(workshop)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Publishes the outcomes, or replaces them.
    pub async fn save_outcomes(
        &self,
        workshop: i64,
        slug: &str,
        draft: &OutcomesDraft,
        html: &str,
        actor: Option<&User>,
    ) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        write_outcomes(&mut tx, workshop, draft, html).await?;
        edited_in_app(&mut tx, workshop).await?;
        audit(&mut tx, AuditRecord::new(actor.map(|u| u.id), AuditAction::OutcomesPublished).on_workshop(slug)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The `limit` outcomes published or revised last, of workshops that are not drafts.
    pub async fn latest_outcomes(&self, limit: i64) -> AppResult<Vec<PublishedOutcomes>> {
        Ok(sqlx::query_as(
            "select w.slug, w.title, w.summary, w.illustrative, w.starts_at, o.conclusions_html, o.published_at,
                    o.updated_at
             from workshop_outcomes o join workshops w on w.id = o.workshop_id
             where w.status <> 'draft'
             order by o.updated_at desc, w.id desc limit $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many people were marked as attended: the outcomes form starts from it.
    pub async fn attended_count(&self, workshop: i64) -> AppResult<i64> {
        Ok(sqlx::query_scalar("select count(*) from registrations where workshop_id = $1 and attended")
            .bind(workshop)
            .fetch_one(&self.pool)
            .await?)
    }
}
