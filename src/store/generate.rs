//! Writing the benchmark's synthetic cases, in batches.

use super::Store;
use crate::markdown;

pub struct SyntheticCase {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub region: String,
    pub language: &'static str,
    pub year: i32,
    pub summary: String,
    pub body_markdown: String,
    pub body_html: String,
    pub themes: Vec<String>,
}

impl Store {
    pub async fn count_synthetic_cases(&self) -> Result<u64, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("select count(*) from cases where slug like 'sintetico-%'")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// One transaction per batch, as a bulk import would do it.
    pub async fn insert_synthetic_cases(&self, cases: &[SyntheticCase]) -> Result<(), sqlx::Error> {
        let column = |f: fn(&SyntheticCase) -> String| cases.iter().map(f).collect::<Vec<String>>();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                                body_html_version, status, provenance, published_at)
             select x.slug, x.title, x.kind, r.id, x.language, x.year, x.summary, x.body_markdown, x.body_html,
                    $10, 'published', 'app', now()
             from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
                         $9::text[]) as x (slug, title, kind, region, language, year, summary, body_markdown, body_html)
             join regions r on r.slug = x.region",
        )
        .bind(column(|c| c.slug.clone()))
        .bind(column(|c| c.title.clone()))
        .bind(column(|c| c.kind.to_string()))
        .bind(column(|c| c.region.clone()))
        .bind(column(|c| c.language.to_string()))
        .bind(cases.iter().map(|c| c.year).collect::<Vec<i32>>())
        .bind(column(|c| c.summary.clone()))
        .bind(column(|c| c.body_markdown.clone()))
        .bind(column(|c| c.body_html.clone()))
        .bind(markdown::RENDER_VERSION)
        .execute(&mut *tx)
        .await?;
        let (slugs, themes): (Vec<String>, Vec<String>) =
            cases.iter().flat_map(|c| c.themes.iter().map(|t| (c.slug.clone(), t.clone()))).unzip();
        sqlx::query(
            "insert into case_themes (case_id, theme_id)
             select c.id, t.id from unnest($1::text[], $2::text[]) as x (slug, theme)
             join cases c on c.slug = x.slug join themes t on t.slug = x.theme",
        )
        .bind(&slugs)
        .bind(&themes)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}

/// A synthetic discussion: a case's, or a free-standing one under a theme and a region.
pub struct SyntheticThread {
    pub case_id: Option<i64>,
    /// A free-standing thread's title, theme and region.
    pub standalone: Option<(String, String, String)>,
    pub comments: Vec<SyntheticComment>,
}

/// A comment of a synthetic thread, numbered from 1; a reply names its top comment.
pub struct SyntheticComment {
    pub number: i32,
    pub root_number: i32,
    pub author: i64,
    pub body_markdown: String,
    pub body_html: String,
    /// The people who marked it useful (never its author).
    pub voters: Vec<i64>,
    pub minutes_ago: i32,
}

impl Store {
    /// `n` synthetic people to write comments and vote, made once: accounts without a
    /// password, which nobody can sign in to.
    pub async fn synthetic_people(&self, n: usize) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query(
            "insert into users (email, display_name)
             select 'sintetico-' || i || '@ayni.invalid', 'Persona sintética ' || i from generate_series(1, $1) i
             where not exists (select 1 from users where email = 'sintetico-' || i || '@ayni.invalid')",
        )
        .bind(n as i32)
        .execute(&self.pool)
        .await?;
        sqlx::query_scalar("select id from users where email like 'sintetico-%@ayni.invalid' order by id limit $1")
            .bind(n as i64)
            .fetch_all(&self.pool)
            .await
    }

    /// Published synthetic cases with no discussion yet, in id order.
    pub async fn synthetic_cases_without_threads(&self, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "select c.id from cases c where c.slug like 'sintetico-%' and c.status = 'published'
             and not exists (select 1 from threads t where t.case_id = c.id) order by c.id limit $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Writes threads with their comments and votes in one transaction: top comments, then
    /// replies (pointing at their top comment), then votes.
    pub async fn insert_synthetic_threads(&self, threads: &[SyntheticThread]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(threads.len());
        for thread in threads {
            let count = thread.comments.len() as i32;
            let useful: i32 = thread.comments.iter().map(|c| c.voters.len() as i32).sum();
            let latest = thread.comments.iter().map(|c| c.minutes_ago).min().unwrap_or(0);
            let (title, theme, region) = match &thread.standalone {
                Some((title, theme, region)) => (Some(title.as_str()), Some(theme.as_str()), Some(region.as_str())),
                None => (None, None, None),
            };
            let id: i64 = sqlx::query_scalar(
                "insert into threads (case_id, title, theme_id, region_id, created_at, last_activity_at, last_number,
                                      comment_count, useful_count)
                 values ($1, $2, (select id from themes where slug = $3), (select id from regions where slug = $4),
                         now() - make_interval(mins => $5 + 1), now() - make_interval(mins => $6), $7, $7, $8)
                 returning id",
            )
            .bind(thread.case_id)
            .bind(title)
            .bind(theme)
            .bind(region)
            .bind(thread.comments.iter().map(|c| c.minutes_ago).max().unwrap_or(0))
            .bind(latest)
            .bind(count)
            .bind(useful)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        for replies in [false, true] {
            let rows: Vec<(i64, &SyntheticComment)> = threads
                .iter()
                .zip(&ids)
                .flat_map(|(t, id)| t.comments.iter().map(move |c| (*id, c)))
                .filter(|(_, c)| (c.number != c.root_number) == replies)
                .collect();
            let text =
                |f: fn(&SyntheticComment) -> &str| rows.iter().map(|(_, c)| f(c).to_string()).collect::<Vec<_>>();
            let int = |f: fn(&SyntheticComment) -> i32| rows.iter().map(|(_, c)| f(c)).collect::<Vec<_>>();
            sqlx::query(
                "insert into comments (thread_id, number, root_number, parent_id, reply_to_id, author_id, body_markdown,
                                       body_html, body_html_version, body_text, useful_count, created_at)
                 select x.thread, x.number, x.root, p.id, p.id, x.author, x.markdown, x.html, $10, x.markdown, x.useful,
                        now() - make_interval(mins => x.minutes_ago)
                 from unnest($1::bigint[], $2::int[], $3::int[], $4::bigint[], $5::text[], $6::text[], $7::int[],
                             $8::int[]) as x (thread, number, root, author, markdown, html, useful, minutes_ago)
                 left join comments p on $9 and p.thread_id = x.thread and p.number = x.root",
            )
            .bind(rows.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
            .bind(int(|c| c.number))
            .bind(int(|c| c.root_number))
            .bind(rows.iter().map(|(_, c)| c.author).collect::<Vec<i64>>())
            .bind(text(|c| &c.body_markdown))
            .bind(text(|c| &c.body_html))
            .bind(int(|c| c.voters.len() as i32))
            .bind(int(|c| c.minutes_ago))
            .bind(replies)
            .bind(markdown::RENDER_VERSION)
            .execute(&mut *tx)
            .await?;
        }
        let (mut thread, mut number, mut voter) = (Vec::new(), Vec::new(), Vec::new());
        for (t, id) in threads.iter().zip(&ids) {
            for c in &t.comments {
                for v in &c.voters {
                    thread.push(*id);
                    number.push(c.number);
                    voter.push(*v);
                }
            }
        }
        sqlx::query(
            "insert into comment_votes (comment_id, user_id)
             select c.id, x.voter from unnest($1::bigint[], $2::int[], $3::bigint[]) as x (thread, number, voter)
             join comments c on c.thread_id = x.thread and c.number = x.number
             on conflict do nothing",
        )
        .bind(&thread)
        .bind(&number)
        .bind(&voter)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}
