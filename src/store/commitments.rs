//! Commitments made at workshops and their progress notes. A commitment is public once its
//! workshop's outcomes are; "overdue" and "due soon" take Lima's date as a parameter, so
//! that the SQL and `domain::commitment` agree and tests can set the day.

use sqlx::{FromRow, Postgres, Transaction};
use time::{Date, Duration, OffsetDateTime};

use crate::{
    domain::{
        account::User,
        commitment::{CommitmentStatus, DUE_SOON_DAYS},
        filter::Paging,
        outcome::CommitmentDraft,
        permission::CommitmentAccess,
        subject::{AuditAction, AuditDetails, AuditRecord},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    store::{
        audit::audit,
        workshops::{edited_in_app, CaseLink},
        Store,
    },
};

/// Which commitments `/commitments` lists by due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Past their due date in Lima and neither done nor dropped.
    Overdue,
    /// Open and due within the next [`DUE_SOON_DAYS`] days.
    Soon,
    Done,
}

impl Due {
    pub fn parse(text: &str) -> Option<Due> {
        match text {
            "overdue" => Some(Due::Overdue),
            "soon" => Some(Due::Soon),
            "done" => Some(Due::Done),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Due::Overdue => "overdue",
            Due::Soon => "soon",
            Due::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CommitmentFilter {
    /// A region slug: its commitments and those of the places inside it.
    pub region: Option<String>,
    pub status: Option<CommitmentStatus>,
    pub due: Option<Due>,
}

/// A commitment as lists show it.
#[derive(Debug, Clone, FromRow)]
pub struct CommitmentListing {
    pub id: i64,
    pub workshop_slug: String,
    pub workshop_title: String,
    pub region_slug: String,
    pub region_name: String,
    pub action: String,
    pub owner_name: String,
    pub owner_account: Option<String>,
    pub due_on: Option<Date>,
    #[sqlx(try_from = "String")]
    pub status: CommitmentStatus,
}

/// A progress note.
#[derive(Debug, Clone, FromRow)]
pub struct Note {
    pub at: OffsetDateTime,
    pub author_name: Option<String>,
    pub note: String,
    pub status_from: Option<String>,
    pub status_to: Option<String>,
}

/// One commitment with what its page and permissions need.
#[derive(Debug, Clone)]
pub struct CommitmentRecord {
    pub listing: CommitmentListing,
    pub workshop_id: i64,
    pub owner_id: Option<i64>,
    pub owner_email: Option<String>,
    pub organisers: Vec<i64>,
    pub region_path: Vec<String>,
    pub cases: Vec<CaseLink>,
    pub case_slugs: Vec<String>,
    /// Whether the public may see it (its workshop's outcomes are published).
    pub public: bool,
    pub notes: Vec<Note>,
}

impl CommitmentRecord {
    pub fn access(&self) -> CommitmentAccess {
        CommitmentAccess {
            workshop_organisers: self.organisers.clone(),
            region_path: self.region_path.clone(),
            owner_id: self.owner_id,
        }
    }
}

#[derive(FromRow)]
struct RecordRow {
    #[sqlx(flatten)]
    listing: CommitmentListing,
    workshop_id: i64,
    owner_id: Option<i64>,
    owner_email: Option<String>,
    organisers: Vec<i64>,
    region_path: Vec<String>,
    #[sqlx(json)]
    cases: Vec<CaseLink>,
    case_slugs: Vec<String>,
    public: bool,
}

const LISTING_COLUMNS: &str = "c.id, w.slug as workshop_slug, w.title as workshop_title, r.slug as region_slug,
     r.name as region_name, c.action, c.owner_name, owner.display_name as owner_account, c.due_on, c.status";

const LISTING_FROM: &str = "from commitments c
     join workshops w on w.id = c.workshop_id
     join regions r on r.id = c.region_id
     left join users owner on owner.id = c.owner_id";

/// Public: the workshop is not a draft and its outcomes are out.
const PUBLIC: &str =
    "w.status <> 'draft' and exists (select 1 from workshop_outcomes o where o.workshop_id = c.workshop_id)";

/// The region filter, `$1` its slug: the region and every place under it, found once per
/// query rather than walking up from each commitment.
const IN_REGION: &str = "($1::text is null
     or c.region_id in (select region_and_below(a.id) from regions a where a.slug = $1))";

/// The other conditions: `$2` status, `$3` due, `$4` today, `$5` the last day of "soon".
const STATUS_AND_DUE: &str = "($2::text is null or c.status = $2)
     and ($3::text is null
          or ($3 = 'overdue' and c.status in ('planned', 'in_progress') and c.due_on < $4)
          or ($3 = 'soon' and c.status in ('planned', 'in_progress') and c.due_on between $4 and $5)
          or ($3 = 'done' and c.status = 'done'))";

/// Looks up the owner's account by email: `Err` when no active account has it.
async fn owner_id(tx: &mut Transaction<'_, Postgres>, draft: &CommitmentDraft) -> AppResult<Option<i64>> {
    let Some(email) = &draft.owner_email else { return Ok(None) };
    let id: Option<i64> =
        sqlx::query_scalar("select id from users where email = $1 and disabled_at is null and closed_at is null")
            .bind(email)
            .fetch_optional(&mut **tx)
            .await?;
    match id {
        Some(id) => Ok(Some(id)),
        None => Err(vec![FieldError { field: "owner_email", problem: FieldProblem::Unknown }].into()),
    }
}

async fn set_cases(tx: &mut Transaction<'_, Postgres>, id: i64, cases: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("delete from commitment_cases where commitment_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query(
        "insert into commitment_cases (commitment_id, case_id) select $1, c.id from cases c where c.slug = any($2)",
    )
    .bind(id)
    .bind(cases)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn status_change(id: i64, actor: Option<&User>, from: &str, to: CommitmentStatus) -> AuditRecord {
    let details = AuditDetails {
        state_from: Some(from.to_string()),
        state_to: Some(to.as_str().to_string()),
        ..AuditDetails::default()
    };
    AuditRecord::new(actor.map(|u| u.id), AuditAction::CommitmentStatusChanged).on_commitment(id).with(details)
}

impl Store {
    /// A workshop's commitments, in the order they were agreed.
    pub async fn commitments_of(&self, workshop: i64) -> AppResult<Vec<CommitmentListing>> {
        Ok(sqlx::query_as(&format!(
            "select {LISTING_COLUMNS} {LISTING_FROM} where c.workshop_id = $1 order by c.position"
        ))
        .bind(workshop)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Public commitments matching `filter` on `today` (Lima's date), soonest due first,
    /// one page at a time; with the total and the count per status of everything the
    /// region filter covers.
    pub async fn list_commitments(
        &self,
        filter: &CommitmentFilter,
        today: Date,
        paging: Paging,
    ) -> AppResult<(Vec<CommitmentListing>, i64, Vec<(CommitmentStatus, i64)>)> {
        let soon_until = today + Duration::days(DUE_SOON_DAYS);
        let status = filter.status.map(|s| s.as_str());
        let due = filter.due.map(Due::as_str);
        let versions = self.versions().await?;
        let rows: Vec<CommitmentListing> = sqlx::query_as(&format!(
            "select {LISTING_COLUMNS} {LISTING_FROM}
             where {PUBLIC} and {IN_REGION} and {STATUS_AND_DUE}
             order by c.due_on nulls last, c.id
             limit $6 offset $7"
        ))
        .bind(&filter.region)
        .bind(status)
        .bind(due)
        .bind(today)
        .bind(soon_until)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?;
        // The counts change only with the commitments (which move the site version) and the
        // date: counted once per version, per filter and day.
        let key = format!("{:?}|{status:?}|{due:?}|{today}", filter.region);
        let (total, counts) = self
            .memo
            .commitment_counts
            .through(key, versions, async {
                // Per status: everything the region filter covers, and what all filters keep.
                let per_status: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
                    "select c.status, count(*), count(*) filter (where {STATUS_AND_DUE})
                     from commitments c join workshops w on w.id = c.workshop_id
                     where {PUBLIC} and {IN_REGION}
                     group by c.status"
                ))
                .bind(&filter.region)
                .bind(status)
                .bind(due)
                .bind(today)
                .bind(soon_until)
                .fetch_all(&self.pool)
                .await?;
                let total = per_status.iter().map(|(_, _, kept)| kept).sum();
                let counts = CommitmentStatus::ALL
                    .iter()
                    .map(|s| (*s, per_status.iter().find(|(name, _, _)| name == s.as_str()).map_or(0, |row| row.1)))
                    .collect();
                Ok((total, counts))
            })
            .await?;
        Ok((rows, total, counts))
    }

    /// The overdue and the soon-due public commitments on `today`, a few of each, for the
    /// home page.
    pub async fn commitments_due(
        &self,
        today: Date,
        limit: i64,
    ) -> AppResult<(Vec<CommitmentListing>, Vec<CommitmentListing>)> {
        let filter = |due: Due| CommitmentFilter { due: Some(due), ..CommitmentFilter::default() };
        let (overdue, soon) = (filter(Due::Overdue), filter(Due::Soon));
        let paging = Paging { page: 1, per_page: limit.clamp(1, 100) as u32 };
        let (overdue, soon) = tokio::try_join!(
            self.list_commitments(&overdue, today, paging),
            self.list_commitments(&soon, today, paging)
        )?;
        Ok((overdue.0, soon.0))
    }

    /// One commitment with its notes in the order written.
    pub async fn commitment(&self, id: i64) -> AppResult<Option<CommitmentRecord>> {
        let row: Option<RecordRow> = sqlx::query_as(&format!(
            "select {LISTING_COLUMNS}, c.workshop_id, c.owner_id, owner.email as owner_email,
                    coalesce((select array_agg(o.user_id) from workshop_organisers o
                              where o.workshop_id = c.workshop_id), '{{}}') as organisers,
                    coalesce((select array_agg(a.slug order by up.depth)
                              from region_and_above(c.region_id) up join regions a on a.id = up.id), '{{}}')
                        as region_path,
                    coalesce((select json_agg(json_build_object('slug', k.slug, 'title', k.title) order by k.title)
                              from commitment_cases cc join cases k on k.id = cc.case_id
                              where cc.commitment_id = c.id and k.status = 'published'), '[]') as cases,
                    coalesce((select array_agg(k.slug order by k.slug)
                              from commitment_cases cc join cases k on k.id = cc.case_id
                              where cc.commitment_id = c.id), '{{}}') as case_slugs,
                    ({PUBLIC}) as public
             {LISTING_FROM} where c.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let notes: Vec<Note> = sqlx::query_as(
            "select n.at, u.display_name as author_name, n.note, n.status_from, n.status_to
             from commitment_notes n left join users u on u.id = n.author_id
             where n.commitment_id = $1 order by n.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(CommitmentRecord {
            listing: row.listing,
            workshop_id: row.workshop_id,
            owner_id: row.owner_id,
            owner_email: row.owner_email,
            organisers: row.organisers,
            region_path: row.region_path,
            cases: row.cases,
            case_slugs: row.case_slugs,
            public: row.public,
            notes,
        }))
    }

    /// Adds a commitment to a workshop's outcomes.
    pub async fn add_commitment(
        &self,
        workshop: i64,
        slug: &str,
        draft: &CommitmentDraft,
        actor: Option<&User>,
    ) -> AppResult<i64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select 1 from workshops where id = $1 for update").bind(workshop).execute(&mut *tx).await?;
        let owner = owner_id(&mut tx, draft).await?;
        let id: i64 = sqlx::query_scalar(
            "insert into commitments (workshop_id, position, region_id, action, owner_name, owner_id, due_on, status)
             values ($1, (select coalesce(max(position), 0) + 1 from commitments where workshop_id = $1),
                     (select id from regions where slug = $2), $3, $4, $5, $6, $7)
             returning id",
        )
        .bind(workshop)
        .bind(&draft.region)
        .bind(&draft.action)
        .bind(&draft.owner_name)
        .bind(owner)
        .bind(draft.due_on)
        .bind(draft.status.as_str())
        .fetch_one(&mut *tx)
        .await?;
        set_cases(&mut tx, id, &draft.cases).await?;
        edited_in_app(&mut tx, workshop).await?;
        let details = AuditDetails { account: Some(id), ..AuditDetails::default() };
        let record =
            AuditRecord::new(actor.map(|u| u.id), AuditAction::CommitmentAdded).on_workshop(slug).with(details);
        audit(&mut tx, record).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves a commitment of this workshop's; a new status is audited.
    pub async fn update_commitment(
        &self,
        workshop: i64,
        id: i64,
        draft: &CommitmentDraft,
        actor: &User,
    ) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let before: Option<String> =
            sqlx::query_scalar("select status from commitments where id = $1 and workshop_id = $2 for update")
                .bind(id)
                .bind(workshop)
                .fetch_optional(&mut *tx)
                .await?;
        let before = before.ok_or(AppError::NotFound)?;
        let owner = owner_id(&mut tx, draft).await?;
        sqlx::query(
            "update commitments set region_id = (select id from regions where slug = $2), action = $3,
                    owner_name = $4, owner_id = $5, due_on = $6, status = $7
             where id = $1",
        )
        .bind(id)
        .bind(&draft.region)
        .bind(&draft.action)
        .bind(&draft.owner_name)
        .bind(owner)
        .bind(draft.due_on)
        .bind(draft.status.as_str())
        .execute(&mut *tx)
        .await?;
        set_cases(&mut tx, id, &draft.cases).await?;
        edited_in_app(&mut tx, workshop).await?;
        audit(&mut tx, AuditRecord::new(Some(actor.id), AuditAction::CommitmentUpdated).on_commitment(id)).await?;
        if before != draft.status.as_str() {
            audit(&mut tx, status_change(id, Some(actor), &before, draft.status)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_commitment(&self, workshop: i64, slug: &str, id: i64, actor: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query("delete from commitments where id = $1 and workshop_id = $2")
            .bind(id)
            .bind(workshop)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(AppError::NotFound);
        }
        edited_in_app(&mut tx, workshop).await?;
        let details = AuditDetails { account: Some(id), ..AuditDetails::default() };
        audit(
            &mut tx,
            AuditRecord::new(Some(actor.id), AuditAction::CommitmentDeleted).on_workshop(slug).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a dated progress note, which may move the commitment to `status` (audited).
    pub async fn add_note(
        &self,
        id: i64,
        author: &User,
        note: &str,
        status: Option<CommitmentStatus>,
    ) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let before: String = sqlx::query_scalar("select status from commitments where id = $1 for update")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
        let change = status.filter(|s| s.as_str() != before);
        sqlx::query(
            "insert into commitment_notes (commitment_id, author_id, note, status_from, status_to)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(author.id)
        .bind(note)
        .bind(change.map(|_| before.clone()))
        .bind(change.map(CommitmentStatus::as_str))
        .execute(&mut *tx)
        .await?;
        if let Some(to) = change {
            sqlx::query("update commitments set status = $2 where id = $1")
                .bind(id)
                .bind(to.as_str())
                .execute(&mut *tx)
                .await?;
            audit(&mut tx, status_change(id, Some(author), &before, to)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
