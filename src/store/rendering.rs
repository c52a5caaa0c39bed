//! Keeping stored HTML current when the renderer changes: case bodies, workshop
//! descriptions, workshop outcomes and comments.

use std::{collections::HashMap, future::Future};

use crate::{
    markdown::{self, RenderError, Renderer},
    store::Store,
};

/// A column of Markdown with the HTML rendered from it and the renderer's version.
struct Rendered {
    table: &'static str,
    key: &'static str,
    markdown: &'static str,
    html: &'static str,
    version: &'static str,
}

const RENDERED: &[Rendered] = &[
    Rendered { table: "cases", key: "id", markdown: "body_markdown", html: "body_html", version: "body_html_version" },
    Rendered {
        table: "workshops",
        key: "id",
        markdown: "description_markdown",
        html: "description_html",
        version: "description_html_version",
    },
    Rendered {
        table: "workshop_outcomes",
        key: "workshop_id",
        markdown: "conclusions_markdown",
        html: "conclusions_html",
        version: "conclusions_html_version",
    },
];

impl Store {
    /// Renders again, in batches, the Markdown whose HTML came from an older renderer, a
    /// core at a time, and returns how many it stored. Only derived columns change, so
    /// `updated_at` (which orders lists and the feed) and the change log stay as they were.
    /// Several processes may run this at once: each write checks the text is still stale.
    pub async fn rerender_stale(&self, renderer: &Renderer) -> anyhow::Result<usize> {
        let mut stored = 0;
        for column in RENDERED {
            stored += self.rerender(renderer, column).await?;
        }
        Ok(stored + self.rerender_comments(renderer).await?)
    }

    /// Comments and every earlier text of theirs (their history shows them), with the people
    /// they mention as stored (by account id, under the handle typed), so that a mention
    /// still links to the person who was meant. Their text for search and quotes is left as
    /// it was. Kept pages that show them are drawn again (the site version moves).
    async fn rerender_comments(&self, renderer: &Renderer) -> anyhow::Result<usize> {
        const BATCH: i64 = 100;
        let mut stored = 0;
        let mut after = 0_i64;
        loop {
            let stale: Vec<(i64, String, Vec<String>, Vec<i64>)> = sqlx::query_as(
                "select c.id, c.body_markdown,
                        array(select m.typed from comment_mentions m where m.comment_id = c.id order by m.user_id),
                        array(select m.user_id from comment_mentions m where m.comment_id = c.id order by m.user_id)
                 from comments c where c.body_html_version < $1 and c.id > $2 order by c.id limit $3",
            )
            .bind(markdown::RENDER_VERSION)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            let Some((last, ..)) = stale.last() else {
                if stored > 0 {
                    sqlx::query("update site_version set value = value + 1").execute(&self.pool).await?;
                }
                return Ok(stored);
            };
            after = *last;
            for (id, text, typed, people) in stale {
                let people: HashMap<String, i64> = typed.into_iter().zip(people).collect();
                let (html, _) = when_free(|| renderer.render_comment(text.clone(), people.clone())).await?;
                let done = sqlx::query(
                    "update comments set body_html = $2, body_html_version = $3
                     where id = $1 and body_html_version < $3 and body_markdown = $4",
                )
                .bind(id)
                .bind(html)
                .bind(markdown::RENDER_VERSION)
                .bind(&text)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    continue;
                }
                stored += 1;
                let revisions: Vec<(i32, String)> =
                    sqlx::query_as("select number, body_markdown from comment_revisions where comment_id = $1")
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await?;
                for (number, earlier) in revisions {
                    let (html, _) = when_free(|| renderer.render_comment(earlier.clone(), people.clone())).await?;
                    sqlx::query("update comment_revisions set body_html = $3 where comment_id = $1 and number = $2")
                        .bind(id)
                        .bind(number)
                        .bind(html)
                        .execute(&self.pool)
                        .await?;
                }
            }
        }
    }

    async fn rerender(&self, renderer: &Renderer, c: &Rendered) -> anyhow::Result<usize> {
        const BATCH: i64 = 100;
        let Rendered { table, key, markdown, html, version } = c;
        let mut stored = 0;
        let mut after = 0_i64;
        loop {
            let stale: Vec<(i64, String)> = sqlx::query_as(&format!(
                "select {key}, {markdown} from {table} where {version} < $1 and {key} > $2 order by {key} limit $3"
            ))
            .bind(markdown::RENDER_VERSION)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            let Some((last, _)) = stale.last() else { return Ok(stored) };
            after = *last;
            for (id, text) in stale {
                let rendered = when_free(|| renderer.render(text.clone())).await?;
                let done = sqlx::query(&format!(
                    "update {table} set {html} = $2, {version} = $3
                     where {key} = $1 and {version} < $3 and {markdown} = $4"
                ))
                .bind(id)
                .bind(rendered)
                .bind(markdown::RENDER_VERSION)
                .bind(&text)
                .execute(&self.pool)
                .await?;
                stored += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
        }
    }
}

/// Runs a render, waiting while people's previews and saves take every core: they go first.
async fn when_free<T, F: Future<Output = Result<T, RenderError>>>(mut render: impl FnMut() -> F) -> anyhow::Result<T> {
    loop {
        match render().await {
            Ok(out) => return Ok(out),
            Err(RenderError::Busy) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
            Err(err) => return Err(err.into()),
        }
    }
}
