//! Threads: finding one (by id, or as the discussion of a case or a workshop), starting
//! one, and the list of free-standing threads at `/discussions`.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{Author, ThreadRecord, ThreadRow, THREAD_COLUMNS, THREAD_JOINS};
use crate::{
    domain::{
        discussion::{Answered, ThreadFilter, ThreadSort},
        filter::Paging,
    },
    error::{AppError, AppResult},
    store::Store,
};

/// A free-standing thread as `/discussions` lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ThreadListing {
    pub id: i64,
    pub title: String,
    pub theme: String,
    pub region: Option<String>,
    pub comment_count: i32,
    pub useful_count: i32,
    pub created_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
    pub accepted_comment_id: Option<i64>,
    pub answered: bool,
    pub locked: bool,
    #[sqlx(skip)]
    pub author: Author,
    author_id: Option<i64>,
    author_name: Option<String>,
    author_handle: Option<String>,
    author_closed: Option<bool>,
}

impl Store {
    /// A thread by id.
    pub async fn thread(&self, id: i64) -> AppResult<Option<ThreadRecord>> {
        self.thread_where("t.id = $1", id).await
    }

    /// The discussion of a case, if anyone started it.
    pub async fn thread_of_case(&self, case_id: i64) -> AppResult<Option<ThreadRecord>> {
        self.thread_where("t.case_id = $1", case_id).await
    }

    /// The discussion of a workshop, if anyone started it.
    pub async fn thread_of_workshop(&self, workshop_id: i64) -> AppResult<Option<ThreadRecord>> {
        self.thread_where("t.workshop_id = $1", workshop_id).await
    }

    async fn thread_where(&self, condition: &str, key: i64) -> AppResult<Option<ThreadRecord>> {
        let sql = format!("select {THREAD_COLUMNS} from {THREAD_JOINS} where {condition}");
        let row: Option<ThreadRow> = sqlx::query_as(&sql).bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(ThreadRecord::from))
    }

    /// The discussion of a case or a workshop, made on its first comment (by whichever of
    /// two first comments comes first). The people who ran it (the case's author, the
    /// workshop's organisers) then follow it, so that questions reach them; they may stop.
    pub async fn discussion_of(&self, case_id: Option<i64>, workshop_id: Option<i64>) -> AppResult<ThreadRecord> {
        let (column, key, kind, owners) = match (case_id, workshop_id) {
            (Some(id), _) => ("case_id", id, "case", "select author_id from cases where id = $1"),
            (None, Some(id)) => {
                ("workshop_id", id, "workshop", "select user_id from workshop_organisers where workshop_id = $1")
            }
            (None, None) => return Err(AppError::NotFound),
        };
        sqlx::query(&format!(
            "with made as (insert into threads ({column}) values ($1) on conflict ({column}) do nothing returning id)
             insert into follows (user_id, subject_kind, subject_id)
             select owner, '{kind}', $1 from made cross join ({owners}) as o (owner) where owner is not null
             on conflict do nothing"
        ))
        .bind(key)
        .execute(&self.pool)
        .await?;
        self.thread_where(&format!("t.{column} = $1"), key).await?.ok_or(AppError::NotFound)
    }

    /// Free-standing threads others may see, with their total, as `query` asks (a region
    /// takes in the places under it).
    pub async fn threads(&self, query: &ThreadFilter, paging: Paging) -> AppResult<(Vec<ThreadListing>, i64)> {
        let order = match query.sort {
            ThreadSort::Activity => "t.last_activity_at desc, t.id desc",
            ThreadSort::Newest => "t.created_at desc, t.id desc",
            ThreadSort::Useful => "t.useful_count desc, t.last_activity_at desc, t.id desc",
        };
        // A thread whose opening comment waits for a moderator is not listed yet.
        let filter = "t.theme_id is not null and t.hidden_at is null and t.comment_count > 0
             and ($1::text is null or th.slug = $1)
             and ($2::text is null or t.region_id in (select region_and_below(r.id) from regions r where r.slug = $2))
             and ($3::bool is null or (t.accepted_comment_id is not null) = $3)";
        let answered = query.answered.map(|a| a == Answered::Yes);
        let total: i64 = sqlx::query_scalar(&format!(
            "select count(*) from threads t join themes th on th.id = t.theme_id where {filter}"
        ))
        .bind(&query.theme)
        .bind(&query.region)
        .bind(answered)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<ThreadListing> = sqlx::query_as(&format!(
            "select t.id, t.title, th.slug as theme, rg.slug as region, t.comment_count, t.useful_count, t.created_at,
                    t.last_activity_at, t.accepted_comment_id, t.accepted_comment_id is not null as answered,
                    t.locked_at is not null as locked,
                    t.author_id, au.display_name as author_name, au.handle as author_handle,
                    au.closed_at is not null as author_closed
             from threads t join themes th on th.id = t.theme_id left join regions rg on rg.id = t.region_id
                  left join users au on au.id = t.author_id
             where {filter}
             order by {order}
             limit $4 offset $5"
        ))
        .bind(&query.theme)
        .bind(&query.region)
        .bind(answered)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?;
        let rows = rows
            .into_iter()
            .map(|mut r| {
                r.author = Author::of(
                    r.author_id,
                    r.author_name.take(),
                    r.author_handle.take(),
                    r.author_closed.unwrap_or(false),
                );
                r
            })
            .collect();
        Ok((rows, total))
    }
}
