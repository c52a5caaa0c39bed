//! People's pages: who someone is (as they chose to show it) and what they said in public.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::{error::AppResult, store::Store};

/// An open account as others see it.
#[derive(Debug, Clone, FromRow)]
pub struct PersonView {
    pub id: i64,
    pub display_name: String,
    pub handle: String,
    pub organisation: String,
    pub region: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A comment someone made, where others can read it.
#[derive(Debug, Clone, FromRow)]
pub struct PersonComment {
    pub id: i64,
    pub created_at: OffsetDateTime,
    pub excerpt: String,
    pub thread_title: String,
}

/// Comments that everyone may read, over `comments c join threads t`.
pub(crate) const PUBLIC_COMMENT: &str = "not c.held and c.hidden_at is null and c.deleted_at is null
    and t.hidden_at is null
    and (t.case_id is null or exists (select 1 from cases pc where pc.id = t.case_id and pc.status = 'published'))
    and (t.workshop_id is null or exists (select 1 from workshops pw where pw.id = t.workshop_id and pw.status <> 'draft'))";

impl Store {
    /// An open, enabled account, by id.
    pub async fn person(&self, id: i64) -> AppResult<Option<PersonView>> {
        Ok(sqlx::query_as(
            "select u.id, u.display_name, u.handle, u.organisation, r.slug as region, u.created_at
             from users u left join regions r on r.id = u.region_id
             where u.id = $1 and u.closed_at is null and u.disabled_at is null and u.handle is not null",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A person's latest comments that everyone may read.
    pub async fn public_comments_by(&self, author: i64, limit: i64) -> AppResult<Vec<PersonComment>> {
        Ok(sqlx::query_as(&format!(
            "select c.id, c.created_at, left(c.body_text, 200) as excerpt,
                    coalesce(t.title, (select x.title from cases x where x.id = t.case_id),
                             (select w.title from workshops w where w.id = t.workshop_id), '') as thread_title
             from comments c join threads t on t.id = c.thread_id
             where c.author_id = $1 and {PUBLIC_COMMENT}
             order by c.created_at desc, c.id desc limit $2"
        ))
        .bind(author)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
