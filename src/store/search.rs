//! What the search index is built from: published cases, and workshops with their
//! published outcomes and commitments, as documents (the change log that says which changed
//! is in `changes`). Like `changes`, it returns `sqlx::Error`: the indexer runs outside
//! requests.

use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;

use crate::{
    domain::{
        case::{Kind, Language},
        subject::DocType,
    },
    store::Store,
};

/// A published case, with everything the index needs to know about it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchSource {
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub language: Language,
    pub year: i32,
    pub summary: String,
    pub body_markdown: String,
    pub region: String,
    pub level: String,
    /// The region's slug and those of every region above it.
    pub region_path: Vec<String>,
    pub themes: Vec<String>,
    pub updated_at: OffsetDateTime,
    pub illustrative: bool,
}

/// The columns of `SearchSource` for `cases c join regions r`.
const SOURCE_SQL: &str = "
    select c.id, c.slug, c.title, c.kind, c.language, c.year, c.summary, c.body_markdown,
           r.slug as region, r.level,
           array(select a.slug from region_and_above(c.region_id) up join regions a on a.id = up.id
                 order by a.slug) as region_path,
           array(select t.slug from case_themes ct join themes t on t.id = ct.theme_id
                 where ct.case_id = c.id order by t.slug) as themes,
           c.updated_at, c.illustrative
    from cases c join regions r on r.id = c.region_id
    where c.status = 'published'";

/// A workshop, its outcomes, a commitment, a thread or a comment: documents with no kind or
/// language of their own (their text is Spanish, like most content), in one or more regions.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordSource {
    #[sqlx(try_from = "String")]
    pub doc_type: DocType,
    pub id: i64,
    /// The workshop's slug; the commitment's id for a commitment.
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    /// The description or the conclusions, as written.
    pub markdown: String,
    /// Plain text beside it: the agenda, the organisations present, the owner.
    pub text: String,
    pub regions: Vec<String>,
    pub region_path: Vec<String>,
    /// A comment's: its case's themes, or its thread's theme.
    pub themes: Vec<String>,
    /// The year of the workshop (of a comment: when it was written), in Lima.
    pub year: i32,
    pub updated_at: OffsetDateTime,
    pub illustrative: bool,
}

/// The regions of workshop `w`, and those and every region above them.
const WORKSHOP_REGIONS: &str = "
    array(select r.slug from workshop_regions wr join regions r on r.id = wr.region_id
          where wr.workshop_id = w.id order by r.slug) as regions,
    array(select distinct a.slug from workshop_regions wr
          cross join lateral region_and_above(wr.region_id) up join regions a on a.id = up.id
          where wr.workshop_id = w.id) as region_path,
    extract(year from w.starts_at at time zone 'America/Lima')::int as year, '{}'::text[] as themes";

/// The regions of a thread's home, and those and every region above them.
const HOME_REGIONS: &str = "
    array(select r.slug from regions r where r.id = any(home.region_ids) order by r.slug) as regions,
    array(select distinct a.slug from unnest(home.region_ids) rid
          cross join lateral region_and_above(rid) up join regions a on a.id = up.id) as region_path";

/// A thread's (`t`) home and what it says about it: the case's or workshop's title, regions
/// and themes, or the free-standing thread's own.
const THREAD_HOME: &str = "
    left join cases k on k.id = t.case_id
    left join workshops w on w.id = t.workshop_id
    cross join lateral (select
        case when k.id is not null then array[k.region_id]
             when w.id is not null then array(select wr.region_id from workshop_regions wr where wr.workshop_id = w.id)
             else array_remove(array[t.region_id], null) end as region_ids,
        case when k.id is not null then array(select th.slug from case_themes ct join themes th on th.id = ct.theme_id
                                              where ct.case_id = k.id order by th.slug)
             else array(select th.slug from themes th where th.id = t.theme_id) end as themes,
        coalesce(t.title, k.title, w.title) as home_title,
        coalesce(k.illustrative, w.illustrative, false) as illustrative) home";

/// A thread or comment others can see: the thread is not hidden, and its case is published
/// (its workshop past draft).
const THREAD_VISIBLE: &str = "t.hidden_at is null
    and (t.case_id is null or k.status = 'published') and (t.workshop_id is null or w.status <> 'draft')";

/// The documents of one type, each query's rows being those that may be found: workshops
/// that are not drafts, outcomes and commitments of those whose outcomes are published.
/// `$1` is the id after which a batch starts (or `null` with `$2`, the ids wanted).
fn record_sql(doc_type: DocType) -> Option<String> {
    let sql = match doc_type {
        DocType::Case => return None,
        DocType::Workshop => format!(
            "select 'workshop' as doc_type, w.id, w.slug, '/workshops/' || w.slug as url, w.title, w.summary,
                    w.description_markdown as markdown,
                    coalesce((select string_agg(concat_ws(E'\n', i.title, i.speakers, i.description), E'\n\n'
                                                order by i.position)
                              from agenda_items i where i.workshop_id = w.id), '') as text,
                    {WORKSHOP_REGIONS}, w.updated_at, w.illustrative
             from workshops w
             where w.status <> 'draft'"
        ),
        DocType::Outcome => format!(
            "select 'outcome' as doc_type, w.id, w.slug, '/workshops/' || w.slug || '#outcomes' as url,
                    w.title, w.summary, o.conclusions_markdown as markdown,
                    array_to_string(o.organisations, E'\n') as text,
                    {WORKSHOP_REGIONS}, o.updated_at, w.illustrative
             from workshop_outcomes o join workshops w on w.id = o.workshop_id
             where w.status <> 'draft'"
        ),
        DocType::Commitment => "select 'commitment' as doc_type, c.id, c.id::text as slug,
                    '/commitments/' || c.id as url, c.action as title, w.title as summary,
                    '' as markdown, c.owner_name as text,
                    array[r.slug] as regions,
                    array(select a.slug from region_and_above(c.region_id) up join regions a on a.id = up.id
                          order by a.slug) as region_path,
                    extract(year from w.starts_at at time zone 'America/Lima')::int as year,
                    '{}'::text[] as themes, c.updated_at, w.illustrative
             from commitments c join workshops w on w.id = c.workshop_id join regions r on r.id = c.region_id
             where w.status <> 'draft' and exists (select 1 from workshop_outcomes o where o.workshop_id = w.id)"
            .to_string(),
        // Free-standing threads only: a case's or workshop's discussion is found through its
        // comments and its home. The text is the opening comment's, while others can see it;
        // a thread with no comment others can see (its first one held) is not found at all.
        DocType::Thread => format!(
            "select 'thread' as doc_type, t.id, t.id::text as slug, '/discussions/' || t.id as url,
                    home.home_title as title, '' as summary, '' as markdown,
                    coalesce((select c.body_text from comments c
                              where c.thread_id = t.id and c.number = 1 and not c.held
                                and c.hidden_at is null and c.deleted_at is null), '') as text,
                    {HOME_REGIONS}, home.themes,
                    extract(year from t.created_at at time zone 'America/Lima')::int as year,
                    t.last_activity_at as updated_at, home.illustrative
             from threads t {THREAD_HOME}
             where t.theme_id is not null and t.comment_count > 0 and {THREAD_VISIBLE}"
        ),
        // A comment others can see: not held, hidden or deleted, in a thread they can see.
        DocType::Comment => format!(
            "select 'comment' as doc_type, c.id, t.id::text as slug, '/comments/' || c.id as url,
                    home.home_title as title, '' as summary, '' as markdown, c.body_text as text,
                    {HOME_REGIONS}, home.themes,
                    extract(year from c.created_at at time zone 'America/Lima')::int as year,
                    coalesce(c.edited_at, c.created_at) as updated_at, home.illustrative
             from comments c join threads t on t.id = c.thread_id {THREAD_HOME}
             where not c.held and c.hidden_at is null and c.deleted_at is null and {THREAD_VISIBLE}"
        ),
    };
    Some(sql)
}

/// The id column a type's rows are ordered and chosen by.
fn record_id(doc_type: DocType) -> &'static str {
    match doc_type {
        DocType::Commitment | DocType::Comment => "c.id",
        DocType::Thread => "t.id",
        _ => "w.id",
    }
}

/// A document to index.
#[derive(Debug, Clone)]
pub enum Source {
    Case(SearchSource),
    Record(RecordSource),
}

/// Every document of some types that may be found as of one moment, read in
/// batches inside a repeatable-read transaction, with the last change id that moment
/// reflects: applying the changes after it brings the documents up to date.
pub struct Snapshot {
    tx: Transaction<'static, Postgres>,
    /// The types still to read, the current one first.
    types: &'static [DocType],
    after_id: i64,
    pub change_id: i64,
    pub total: i64,
}

impl Snapshot {
    /// The next `limit` documents of a type in id order; empty at the end.
    pub async fn next_batch(&mut self, limit: i64) -> Result<Vec<Source>, sqlx::Error> {
        while let Some((&doc_type, rest)) = self.types.split_first() {
            let batch: Vec<(i64, Source)> = match record_sql(doc_type) {
                None => {
                    sqlx::query_as::<_, SearchSource>(&format!("{SOURCE_SQL} and c.id > $1 order by c.id limit $2"))
                        .bind(self.after_id)
                        .bind(limit)
                        .fetch_all(&mut *self.tx)
                        .await?
                        .into_iter()
                        .map(|case| (case.id, Source::Case(case)))
                        .collect()
                }
                Some(sql) => {
                    let id = record_id(doc_type);
                    sqlx::query_as::<_, RecordSource>(&format!("{sql} and {id} > $1 order by {id} limit $2"))
                        .bind(self.after_id)
                        .bind(limit)
                        .fetch_all(&mut *self.tx)
                        .await?
                        .into_iter()
                        .map(|record| (record.id, Source::Record(record)))
                        .collect()
                }
            };
            match batch.last() {
                Some((last, _)) => {
                    self.after_id = *last;
                    return Ok(batch.into_iter().map(|(_, source)| source).collect());
                }
                None => {
                    self.types = rest;
                    self.after_id = 0;
                }
            }
        }
        Ok(Vec::new())
    }

    pub async fn finish(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Store {
    /// The current state of these documents of one type; those that may no longer be found
    /// are simply absent.
    pub async fn search_sources(&self, doc_type: DocType, ids: &[i64]) -> Result<Vec<Source>, sqlx::Error> {
        Ok(match record_sql(doc_type) {
            None => sqlx::query_as::<_, SearchSource>(&format!("{SOURCE_SQL} and c.id = any($1)"))
                .bind(ids)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(Source::Case)
                .collect(),
            Some(sql) => sqlx::query_as::<_, RecordSource>(&format!("{sql} and {} = any($1)", record_id(doc_type)))
                .bind(ids)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(Source::Record)
                .collect(),
        })
    }

    /// Every document of these types that may be found now.
    pub async fn search_snapshot(&self, types: &'static [DocType]) -> Result<Snapshot, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("set transaction isolation level repeatable read, read only").execute(&mut *tx).await?;
        let change_id: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from changes").fetch_one(&mut *tx).await?;
        let mut total = 0;
        for &doc_type in types {
            let count_sql = match record_sql(doc_type) {
                None => "select count(*) from cases where status = 'published'".to_string(),
                Some(sql) => format!("select count(*) from ({sql}) documents"),
            };
            let count: i64 = sqlx::query_scalar(&count_sql).fetch_one(&mut *tx).await?;
            total += count;
        }
        Ok(Snapshot { tx, types, after_id: 0, change_id, total })
    }
}
