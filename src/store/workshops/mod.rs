//! Workshops in the store: reading one (in a fixed number of queries, whatever the size of
//! its agenda), the list, writing the details, agenda and organisers, and registration
//! with its waiting list. Every organiser action is audited in its own transaction.

mod agenda;
pub mod import;
mod listings;
mod outcomes;
mod registrations;
mod write;

pub(crate) use self::write::edited_in_app;
pub use self::{
    agenda::AgendaItem,
    listings::{CalendarEvent, WorkshopFilter, WorkshopListing},
    outcomes::{Outcomes, PublishedOutcomes},
    registrations::{MyRegistration, Participant},
    write::Provenance,
};

use serde::Deserialize;
use sqlx::{types::Json, FromRow};
use time::OffsetDateTime;

use crate::{
    domain::{
        outcome::{CommitmentDraft, RawCommitment},
        permission::WorkshopAccess,
        workshop::{AgendaDraft, Format, RawAgendaItem, RawWorkshop, WorkshopDraft, WorkshopStatus},
        FieldError, FieldProblem,
    },
    error::AppResult,
    store::Store,
};

/// Someone named on a page: an organiser or a speaker with an account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// A case linked from a workshop, an agenda item or a commitment. Only published cases
/// are listed to readers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CaseLink {
    pub slug: String,
    pub title: String,
}

/// A workshop in any state, with what its page, forms and permissions need.
#[derive(Debug, Clone)]
pub struct WorkshopRecord {
    pub id: i64,
    pub slug: String,
    pub status: WorkshopStatus,
    pub draft: WorkshopDraft,
    pub description_html: String,
    pub cancel_reason: Option<String>,
    pub sequence: i32,
    pub organisers: Vec<Person>,
    /// The participating regions: (slug, name).
    pub region_names: Vec<(String, String)>,
    /// The linked cases that are published.
    pub case_links: Vec<CaseLink>,
    pub registered: i64,
    pub waiting: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl WorkshopRecord {
    pub fn access(&self) -> WorkshopAccess {
        WorkshopAccess { status: self.status, organisers: self.organisers.iter().map(|p| p.id).collect() }
    }

    /// Places left, when there is a limit.
    pub fn places_left(&self) -> Option<i64> {
        self.draft.capacity.map(|c| (i64::from(c) - self.registered).max(0))
    }
}

#[derive(FromRow)]
struct RecordRow {
    id: i64,
    slug: String,
    #[sqlx(try_from = "String")]
    status: WorkshopStatus,
    title: String,
    summary: String,
    description_markdown: String,
    description_html: String,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    all_day: bool,
    #[sqlx(try_from = "String")]
    format: Format,
    venue: String,
    city: String,
    online_url: String,
    capacity: Option<i32>,
    registration_deadline: Option<OffsetDateTime>,
    region_count: Option<i32>,
    illustrative: bool,
    cancel_reason: Option<String>,
    sequence: i32,
    organisers: Json<Vec<Person>>,
    regions: Json<Vec<(String, String)>>,
    case_slugs: Vec<String>,
    case_links: Json<Vec<CaseLink>>,
    registered: i64,
    waiting: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<RecordRow> for WorkshopRecord {
    fn from(row: RecordRow) -> Self {
        WorkshopRecord {
            id: row.id,
            slug: row.slug,
            status: row.status,
            draft: WorkshopDraft {
                title: row.title,
                summary: row.summary,
                description_markdown: row.description_markdown,
                starts_at: row.starts_at,
                ends_at: row.ends_at,
                all_day: row.all_day,
                format: row.format,
                venue: row.venue,
                city: row.city,
                online_url: row.online_url,
                capacity: row.capacity,
                registration_deadline: row.registration_deadline,
                regions: row.regions.0.iter().map(|(slug, _)| slug.clone()).collect(),
                region_count: row.region_count,
                cases: row.case_slugs,
                illustrative: row.illustrative,
            },
            description_html: row.description_html,
            cancel_reason: row.cancel_reason,
            sequence: row.sequence,
            organisers: row.organisers.0,
            region_names: row.regions.0,
            case_links: row.case_links.0,
            registered: row.registered,
            waiting: row.waiting,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// One workshop with its organisers, regions, cases and counts, in one statement.
const RECORD_SELECT: &str = "
    select w.id, w.slug, w.status, w.title, w.summary, w.description_markdown, w.description_html,
           w.starts_at, w.ends_at, w.all_day, w.format, w.venue, w.city, w.online_url, w.capacity,
           w.registration_deadline, w.region_count, w.illustrative, w.cancel_reason, w.sequence,
           w.created_at, w.updated_at,
           coalesce((select json_agg(json_build_object('id', u.id, 'name', u.display_name)
                                     order by o.added_at, u.id)
                     from workshop_organisers o join users u on u.id = o.user_id
                     where o.workshop_id = w.id), '[]') as organisers,
           coalesce((select json_agg(json_build_array(r.slug, r.name) order by r.name)
                     from workshop_regions wr join regions r on r.id = wr.region_id
                     where wr.workshop_id = w.id), '[]') as regions,
           coalesce((select array_agg(c.slug order by c.slug)
                     from workshop_cases wc join cases c on c.id = wc.case_id
                     where wc.workshop_id = w.id), '{}') as case_slugs,
           coalesce((select json_agg(json_build_object('slug', c.slug, 'title', c.title) order by c.title)
                     from workshop_cases wc join cases c on c.id = wc.case_id
                     where wc.workshop_id = w.id and c.status = 'published'), '[]') as case_links,
           (select count(*) from registrations r
            where r.workshop_id = w.id and r.state = 'registered') as registered,
           (select count(*) from registrations r
            where r.workshop_id = w.id and r.state = 'waiting') as waiting
    from workshops w";

impl Store {
    /// The workshop with this slug, in any state.
    pub async fn find_workshop(&self, slug: &str) -> AppResult<Option<WorkshopRecord>> {
        let row: Option<RecordRow> =
            sqlx::query_as(&format!("{RECORD_SELECT} where w.slug = $1")).bind(slug).fetch_optional(&self.pool).await?;
        Ok(row.map(WorkshopRecord::from))
    }

    /// Which of these case slugs name no published case, leaving out those `kept` (already
    /// linked: a case unpublished since stays linked, and is shown to nobody until it is
    /// published again).
    pub async fn unknown_cases(&self, slugs: &[String], kept: &[String]) -> AppResult<Vec<String>> {
        if slugs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "select s from unnest($1::text[]) s
             where not exists (select 1 from cases c where c.slug = s and c.status = 'published')
               and not s = any($2)",
        )
        .bind(slugs)
        .bind(kept)
        .fetch_all(&self.pool)
        .await?)
    }

    /// `Err` on the `cases` field when a slug names no published case (those `kept` aside).
    async fn cases_known(&self, slugs: &[String], kept: &[String]) -> AppResult<Result<(), Vec<FieldError>>> {
        if self.unknown_cases(slugs, kept).await?.is_empty() {
            Ok(Ok(()))
        } else {
            Ok(Err(vec![FieldError { field: "cases", problem: FieldProblem::Unknown }]))
        }
    }

    /// A workshop's details as typed in the form or sent to the API, checked against the
    /// regions and the published cases (`kept`: those it already links). The forms and the
    /// API both check through this, so they refuse the same things.
    pub async fn check_workshop(
        &self,
        raw: &RawWorkshop,
        kept: &[String],
    ) -> AppResult<Result<WorkshopDraft, Vec<FieldError>>> {
        let regions = self.regions().await?;
        let mut draft = match raw.validate(&regions) {
            Ok(draft) => draft,
            Err(errors) => return Ok(Err(errors)),
        };
        if let Err(errors) = self.cases_known(&draft.cases, kept).await? {
            return Ok(Err(errors));
        }
        draft.description_markdown = draft.description_markdown.trim().to_string();
        Ok(Ok(draft))
    }

    /// An agenda item of the workshop that runs from `starts_at` to `ends_at`, checked
    /// against its hours and the published cases.
    pub async fn check_agenda_item(
        &self,
        raw: &RawAgendaItem,
        starts_at: OffsetDateTime,
        ends_at: OffsetDateTime,
        kept: &[String],
    ) -> AppResult<Result<AgendaDraft, Vec<FieldError>>> {
        let draft = match raw.validate(starts_at, ends_at) {
            Ok(draft) => draft,
            Err(errors) => return Ok(Err(errors)),
        };
        Ok(self.cases_known(&draft.cases, kept).await?.map(|()| draft))
    }

    /// A commitment, checked against the regions and the published cases.
    pub async fn check_commitment(
        &self,
        raw: &RawCommitment,
        kept: &[String],
    ) -> AppResult<Result<CommitmentDraft, Vec<FieldError>>> {
        let regions = self.regions().await?;
        let draft = match raw.validate(&regions) {
            Ok(draft) => draft,
            Err(errors) => return Ok(Err(errors)),
        };
        Ok(self.cases_known(&draft.cases, kept).await?.map(|()| draft))
    }
}
