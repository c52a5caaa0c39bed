//! CPU-heavy work in a request (argon2 hashing, long diffs) runs on tokio's blocking pool,
//! so that it does not hold up the async workers that serve everyone else.

use crate::error::{AppError, AppResult};

pub async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|err| AppError::Internal(err.into()))
}
