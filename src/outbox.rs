//! The outbox worker: every Ayni process runs one. It fans pending events out into
//! notifications a batch at a time (`Store::deliver_events`, safe beside other processes'
//! workers), woken by the events' notification or every few seconds, and once a minute
//! writes the events the clock makes (commitments falling overdue). A batch interrupted
//! by a lost connection is rolled back whole and done again.

use std::time::{Duration, Instant};

use sqlx::postgres::PgListener;

use crate::{domain::lima, store::Store};

/// The notification channel events are announced on (migration 0015).
const CHANNEL: &str = "ayni_events";
/// Events fanned out per transaction.
const BATCH: i64 = 100;
/// How long the worker sleeps when nothing wakes it.
const POLL_INTERVAL: Duration = Duration::from_secs(5);
const OVERDUE_EVERY: Duration = Duration::from_secs(60);

/// Starts the worker on the runtime; it stops when the pool closes.
pub fn start(store: Store) {
    tokio::spawn(run(store));
}

async fn run(store: Store) {
    let mut listener: Option<PgListener> = None;
    let mut last_overdue: Option<Instant> = None;
    let mut failures: u32 = 0;
    loop {
        if store.pool().is_closed() {
            return;
        }
        if failures > 0 {
            tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(failures.min(6)))).await;
        }
        if listener.is_none() {
            listener = listen(&store).await;
        }
        if last_overdue.is_none_or(|at| at.elapsed() >= OVERDUE_EVERY) {
            match store.note_overdue_commitments(lima::today(time::OffsetDateTime::now_utc())).await {
                Ok(_) => last_overdue = Some(Instant::now()),
                Err(err) => tracing::debug!(error = %err, "cannot look for overdue commitments yet"),
            }
        }
        match deliver_all(&store).await {
            Ok(()) => failures = 0,
            Err(_) if store.pool().is_closed() => return,
            Err(err) => {
                if failures == 0 {
                    tracing::warn!(error = %err, "cannot deliver notifications yet; retrying");
                }
                failures = failures.saturating_add(1);
                continue;
            }
        }
        match listener.as_mut() {
            Some(l) => {
                tokio::select! {
                    notification = l.try_recv() => {
                        if !matches!(notification, Ok(Some(_))) {
                            listener = None;
                        }
                    }
                    _ = tokio::time::sleep(POLL_INTERVAL) => {}
                }
                if let Some(l) = listener.as_mut() {
                    while l.next_buffered().is_some() {}
                }
            }
            None => tokio::time::sleep(POLL_INTERVAL).await,
        }
    }
}

/// Delivers batches until none is pending (or others hold what is left).
async fn deliver_all(store: &Store) -> Result<(), sqlx::Error> {
    loop {
        let delivered = store.deliver_events(BATCH).await?;
        if delivered < BATCH as usize {
            return Ok(());
        }
    }
}

async fn listen(store: &Store) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(store.pool()).await.ok()?;
    listener.listen(CHANNEL).await.ok()?;
    Some(listener)
}
