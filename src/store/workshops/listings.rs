//! The lists workshops appear in: `/workshops` (upcoming first, then past), and the ones
//! a person organises.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::{
    domain::{
        account::User,
        filter::Paging,
        workshop::{Format, WorkshopStatus},
    },
    error::AppResult,
    store::Store,
};

/// A workshop as lists show it.
#[derive(Debug, Clone, FromRow)]
pub struct WorkshopListing {
    pub slug: String,
    pub title: String,
    pub summary: String,
    #[sqlx(try_from = "String")]
    pub status: WorkshopStatus,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub all_day: bool,
    #[sqlx(try_from = "String")]
    pub format: Format,
    pub city: String,
    pub illustrative: bool,
    /// Whether its outcomes are published.
    pub has_outcomes: bool,
    /// Over at the time the list was drawn.
    pub past: bool,
}

/// What `/workshops` is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct WorkshopFilter {
    /// A region slug: workshops it took part in (itself or a place inside it).
    pub region: Option<String>,
    pub year: Option<i32>,
}

const LISTING_COLUMNS: &str = "w.slug, w.title, w.summary, w.status, w.starts_at, w.ends_at, w.all_day, w.format,
     w.city, w.illustrative, exists (select 1 from workshop_outcomes o where o.workshop_id = w.id) as has_outcomes,
     w.ends_at <= $1 as past";

/// The filter's conditions: `$2` a region slug, `$3` a year on Lima's calendar.
const FILTERS: &str = "($2::text is null or exists (
         select 1 from workshop_regions wr
         join regions r on r.id = wr.region_id
         cross join lateral region_and_above(r.id) up
         join regions a on a.id = up.id
         where wr.workshop_id = w.id and a.slug = $2))
     and ($3::int is null or extract(year from w.starts_at at time zone 'America/Lima') = $3)";

/// Those not yet over at `$1` (soonest first), then the past ones (latest first).
const ORDER: &str = "order by w.ends_at <= $1, case when w.ends_at > $1 then w.starts_at end, w.starts_at desc, w.id";

/// Who sees a draft in a list: `$4` true for an admin, `$5` the account whose own drafts
/// (as an organiser) are listed; the same rule as `WorkshopAction::View`.
const VISIBLE: &str = "(w.status <> 'draft' or $4
     or exists (select 1 from workshop_organisers o where o.workshop_id = w.id and o.user_id = $5))";

impl Store {
    /// Published and cancelled workshops: those not yet over (soonest first), then the
    /// past ones (latest first). The year is Lima's.
    pub async fn workshops(
        &self,
        filter: &WorkshopFilter,
        now: OffsetDateTime,
    ) -> AppResult<(Vec<WorkshopListing>, Vec<WorkshopListing>)> {
        let rows: Vec<WorkshopListing> = sqlx::query_as(&format!(
            "select {LISTING_COLUMNS} from workshops w where w.status <> 'draft' and {FILTERS} {ORDER} limit 500"
        ))
        .bind(now)
        .bind(&filter.region)
        .bind(filter.year)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().partition(|w| !w.past))
    }

    /// One page of the workshops `viewer` may see (the public ones, and the drafts they
    /// organise, or every draft for an admin) in the same order as `/workshops`, with the
    /// total over all pages.
    pub async fn workshop_page(
        &self,
        filter: &WorkshopFilter,
        viewer: Option<&User>,
        now: OffsetDateTime,
        paging: Paging,
    ) -> AppResult<(Vec<WorkshopListing>, i64)> {
        let admin = viewer.is_some_and(User::is_admin);
        let account = viewer.map(|u| u.id);
        let rows: Vec<WorkshopListing> = sqlx::query_as(&format!(
            "select {LISTING_COLUMNS} from workshops w where {VISIBLE} and {FILTERS} {ORDER} limit $6 offset $7"
        ))
        .bind(now)
        .bind(&filter.region)
        .bind(filter.year)
        .bind(admin)
        .bind(account)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?;
        // The count needs no order, but the conditions number their parameters from `$2`:
        // `$1` is bound and typed here so that PostgreSQL accepts the gap.
        let total: i64 = sqlx::query_scalar(&format!(
            "select count(*) from workshops w where $1::timestamptz is not null and {VISIBLE} and {FILTERS}"
        ))
        .bind(now)
        .bind(&filter.region)
        .bind(filter.year)
        .bind(admin)
        .bind(account)
        .fetch_one(&self.pool)
        .await?;
        Ok((rows, total))
    }

    /// The years that have workshops, latest first, for the filter.
    pub async fn workshop_years(&self) -> AppResult<Vec<i32>> {
        Ok(sqlx::query_scalar(
            "select distinct extract(year from starts_at at time zone 'America/Lima')::int as year
             from workshops where status <> 'draft' order by year desc",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The workshops `user` organises, in any state, latest first.
    pub async fn workshops_organised_by(&self, user: i64, now: OffsetDateTime) -> AppResult<Vec<WorkshopListing>> {
        Ok(sqlx::query_as(&format!(
            "select {LISTING_COLUMNS}
             from workshops w join workshop_organisers o on o.workshop_id = w.id
             where o.user_id = $2
             order by w.starts_at desc"
        ))
        .bind(now)
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A workshop as a calendar event: what an iCalendar file says of it, and nothing more
/// (no online link: calendar files travel).
#[derive(Debug, Clone, FromRow)]
pub struct CalendarEvent {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    #[sqlx(try_from = "String")]
    pub status: WorkshopStatus,
    pub cancel_reason: Option<String>,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub all_day: bool,
    #[sqlx(try_from = "String")]
    pub format: Format,
    pub venue: String,
    pub city: String,
    pub sequence: i32,
    pub updated_at: OffsetDateTime,
}

impl Store {
    /// Published and cancelled workshops as events, latest first (at most 1,000); one when
    /// `slug` is given.
    pub async fn calendar_events(&self, slug: Option<&str>) -> AppResult<Vec<CalendarEvent>> {
        Ok(sqlx::query_as(
            "select id, slug, title, summary, status, cancel_reason, starts_at, ends_at, all_day, format, venue, city,
                    sequence, updated_at
             from workshops
             where status <> 'draft' and ($1::text is null or slug = $1)
             order by starts_at desc
             limit 1000",
        )
        .bind(slug)
        .fetch_all(&self.pool)
        .await?)
    }
}
