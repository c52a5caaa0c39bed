//! Workshops from the content directory, written inside the import's transaction: a file
//! that has not changed since its last import is left alone; one edited in the app since
//! is a conflict unless forced. Commitments keep their ids (and progress notes) by
//! position; their status is the file's only when they are new.

use sqlx::PgConnection;

use super::outcomes::write_outcomes;
use crate::{content::WorkshopEntry, domain::outcome::OutcomesDraft, markdown};

/// What importing one workshop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created,
    Updated,
    Unchanged,
    Conflict,
}

/// Writes `entry` (its description and outcomes already rendered).
pub async fn upsert(
    conn: &mut PgConnection,
    entry: &WorkshopEntry,
    description_html: &str,
    outcomes_html: &str,
    force: bool,
) -> Result<Imported, sqlx::Error> {
    let existing: Option<(i64, String, Option<String>)> =
        sqlx::query_as("select id, provenance, import_hash from workshops where slug = $1")
            .bind(&entry.slug)
            .fetch_optional(&mut *conn)
            .await?;
    let (id, result) = match &existing {
        Some((_, provenance, hash)) if provenance == "import" && hash.as_deref() == Some(entry.hash.as_str()) => {
            return Ok(Imported::Unchanged)
        }
        Some((_, provenance, _)) if provenance == "app" && !force => return Ok(Imported::Conflict),
        Some((id, _, _)) => (*id, Imported::Updated),
        None => {
            let id: i64 = sqlx::query_scalar(
                "insert into workshops (slug, title, summary, starts_at, ends_at, format, status, provenance)
                 values ($1, $2, $3, $4, $5, $6, 'published', 'import') returning id",
            )
            .bind(&entry.slug)
            .bind(&entry.title)
            .bind(&entry.summary)
            .bind(entry.starts_at)
            .bind(entry.ends_at)
            .bind(entry.format.as_str())
            .fetch_one(&mut *conn)
            .await?;
            (id, Imported::Created)
        }
    };
    sqlx::query(
        "update workshops set title = $2, summary = $3, description_markdown = $4, description_html = $5,
                description_html_version = $6, all_day = $7, format = $8, venue = $9, city = $10, capacity = $11,
                region_count = $12, illustrative = $13, import_hash = $14, provenance = 'import',
                sequence = sequence + (starts_at <> $15 or ends_at <> $16)::int, starts_at = $15, ends_at = $16
         where id = $1",
    )
    .bind(id)
    .bind(&entry.title)
    .bind(&entry.summary)
    .bind(&entry.description_markdown)
    .bind(description_html)
    .bind(markdown::RENDER_VERSION)
    .bind(entry.all_day)
    .bind(entry.format.as_str())
    .bind(&entry.venue)
    .bind(&entry.city)
    .bind(entry.capacity)
    .bind(entry.region_count)
    .bind(entry.illustrative)
    .bind(&entry.hash)
    .bind(entry.starts_at)
    .bind(entry.ends_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from workshop_regions where workshop_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query(
        "insert into workshop_regions (workshop_id, region_id) select $1, id from regions where slug = any($2)",
    )
    .bind(id)
    .bind(&entry.regions)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from agenda_items where workshop_id = $1").bind(id).execute(&mut *conn).await?;
    for (position, item) in entry.agenda.iter().enumerate() {
        sqlx::query(
            "insert into agenda_items (workshop_id, position, starts_at, duration_minutes, title, speakers, description)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(position as i32 + 1)
        .bind(item.starts_at)
        .bind(item.minutes)
        .bind(&item.title)
        .bind(&item.speakers)
        .bind(&item.description)
        .execute(&mut *conn)
        .await?;
    }
    if entry.outcomes_markdown.is_empty() {
        sqlx::query("delete from workshop_outcomes where workshop_id = $1").bind(id).execute(&mut *conn).await?;
    } else {
        let draft = OutcomesDraft {
            conclusions_markdown: entry.outcomes_markdown.clone(),
            attendance: entry.attendance,
            organisations: entry.organisations.clone(),
            materials: entry.materials.clone(),
        };
        write_outcomes(&mut *conn, id, &draft, outcomes_html).await?;
    }
    for (position, c) in entry.commitments.iter().enumerate() {
        sqlx::query(
            "insert into commitments (workshop_id, position, region_id, action, owner_name, due_on, status)
             values ($1, $2, (select id from regions where slug = $3), $4, $5, $6, $7)
             on conflict (workshop_id, position) do update set
                 region_id = excluded.region_id, action = excluded.action, owner_name = excluded.owner_name,
                 due_on = excluded.due_on",
        )
        .bind(id)
        .bind(position as i32 + 1)
        .bind(&c.region)
        .bind(&c.action)
        .bind(&c.owner)
        .bind(c.due)
        .bind(c.status.as_str())
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("delete from commitments where workshop_id = $1 and position > $2")
        .bind(id)
        .bind(entry.commitments.len() as i32)
        .execute(&mut *conn)
        .await?;
    Ok(result)
}
