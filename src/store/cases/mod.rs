//! Cases in the store: finding them, writing them through the workflow, their slugs, the
//! lists they appear in, and their revisions. Every write records a revision in the same
//! transaction; search follows through the change-log triggers.

mod listings;
mod lookup;
mod revisions;
mod slugs;
mod write;

pub use self::revisions::RevisionSummary;
pub(crate) use self::write::record_revision;

use sqlx::{types::Json, FromRow};
use time::OffsetDateTime;

use crate::domain::{
    case::{Kind, Language, Source, Status},
    draft::CaseDraft,
    permission::CaseAccess,
};

/// A case in any state, with what permissions and forms need.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: i64,
    pub slug: String,
    pub status: Status,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// The number of the latest revision; a save must name it.
    pub revision: i32,
    pub review_note: Option<String>,
    /// The case's region first, then the regions above it.
    pub region_path: Vec<String>,
    pub draft: CaseDraft,
}

impl CaseRecord {
    pub fn access(&self) -> CaseAccess {
        CaseAccess { author_id: self.author_id, status: self.status, region_path: self.region_path.clone() }
    }
}

/// What a slug leads to.
pub enum Lookup {
    Found(Box<CaseRecord>),
    /// The case answers to another slug now.
    Moved(String),
    /// The case was deleted.
    Gone,
    Missing,
}

#[derive(FromRow)]
struct RecordRow {
    id: i64,
    slug: String,
    #[sqlx(try_from = "String")]
    status: Status,
    author_id: Option<i64>,
    author_name: Option<String>,
    revision: i32,
    review_note: Option<String>,
    region_path: Vec<String>,
    #[sqlx(flatten)]
    draft: DraftRow,
}

/// The editable text of a case, as cases and revisions store it (region as its slug,
/// themes as an array of slugs).
#[derive(FromRow)]
pub(crate) struct DraftRow {
    title: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    region: String,
    themes: Vec<String>,
    #[sqlx(try_from = "String")]
    language: Language,
    year: i32,
    summary: String,
    sources: Json<Vec<Source>>,
    body_markdown: String,
    illustrative: bool,
}

impl From<DraftRow> for CaseDraft {
    fn from(row: DraftRow) -> Self {
        CaseDraft {
            title: row.title,
            kind: row.kind,
            region: row.region,
            themes: row.themes,
            language: row.language,
            year: row.year,
            summary: row.summary,
            sources: row.sources.0,
            body_markdown: row.body_markdown,
            illustrative: row.illustrative,
        }
    }
}

impl From<RecordRow> for CaseRecord {
    fn from(row: RecordRow) -> Self {
        CaseRecord {
            id: row.id,
            slug: row.slug,
            status: row.status,
            author_id: row.author_id,
            author_name: row.author_name,
            revision: row.revision,
            review_note: row.review_note,
            region_path: row.region_path,
            draft: row.draft.into(),
        }
    }
}

/// A case in the review queue or in someone's list of their own cases.
#[derive(Debug, Clone, FromRow)]
pub struct CaseListing {
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub region_name: String,
    pub author_name: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// The regions an editor reviews and every place under them, as a CTE named
/// `editor_scope` over the user id in the query parameter `user` (such as `$1`).
fn editor_scope(user: &str) -> String {
    format!(
        "editor_scope (id) as (
             select region_and_below(region_id) from editor_regions where user_id = {user}
         )"
    )
}
