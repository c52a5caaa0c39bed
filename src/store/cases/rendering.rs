//! Keeping stored HTML current when the renderer changes.

use crate::{
    markdown::{self, RenderError, Renderer},
    store::Store,
};

impl Store {
    /// Renders again, in batches, the bodies whose HTML came from an older renderer, a core
    /// at a time, and returns how many it stored. Only derived columns change, so
    /// `updated_at` (which orders lists and the feed) and the change log stay as they were.
    /// Several processes may run this at once: each write checks the body is still stale.
    pub async fn rerender_stale(&self, renderer: &Renderer) -> anyhow::Result<usize> {
        const BATCH: i64 = 100;
        let mut stored = 0;
        let mut after = 0_i64;
        loop {
            let stale: Vec<(i64, String)> = sqlx::query_as(
                "select id, body_markdown from cases where body_html_version < $1 and id > $2 order by id limit $3",
            )
            .bind(markdown::RENDER_VERSION)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            let Some((last, _)) = stale.last() else { return Ok(stored) };
            after = *last;
            for (id, body) in stale {
                let html = loop {
                    match renderer.render(body.clone()).await {
                        Ok(html) => break html,
                        // People's previews and saves go first.
                        Err(RenderError::Busy) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                        Err(err) => return Err(err.into()),
                    }
                };
                let done = sqlx::query(
                    "update cases set body_html = $2, body_html_version = $3
                     where id = $1 and body_html_version < $3 and body_markdown = $4",
                )
                .bind(id)
                .bind(html)
                .bind(markdown::RENDER_VERSION)
                .bind(&body)
                .execute(&self.pool)
                .await?;
                stored += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
        }
    }
}
