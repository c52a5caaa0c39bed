//! Keeping stored HTML current when the renderer changes: case bodies, workshop
//! descriptions and workshop outcomes.

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
        Ok(stored)
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
                let rendered = loop {
                    match renderer.render(text.clone()).await {
                        Ok(rendered) => break rendered,
                        // People's previews and saves go first.
                        Err(RenderError::Busy) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                        Err(err) => return Err(err.into()),
                    }
                };
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
