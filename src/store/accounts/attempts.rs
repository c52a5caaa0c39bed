//! Counters for rate limits (failed sign-ins, sign-ups), kept in PostgreSQL so that every
//! process shares them.

use time::Duration;

use crate::{error::AppResult, store::Store};

/// What is being counted, and for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// A failed sign-in, per typed email (known or not).
    SignInEmail,
    /// A failed sign-in, per client address.
    SignInAddress,
    /// An account created, per client address.
    SignUpAddress,
}

impl AttemptKind {
    fn as_str(self) -> &'static str {
        match self {
            AttemptKind::SignInEmail => "signin_email",
            AttemptKind::SignInAddress => "signin_address",
            AttemptKind::SignUpAddress => "signup_address",
        }
    }
}

impl Store {
    /// How many attempts of `kind` by `key` fall within the last `window`.
    pub async fn recent_attempts(&self, kind: AttemptKind, key: &str, window: Duration) -> AppResult<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from auth_attempts
             where kind = $1 and key = $2 and at > now() - make_interval(secs => $3)",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(window.as_seconds_f64())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Counts one attempt, dropping this key's attempts that have left the window. Returns
    /// its id, for [`Store::forget_attempt`].
    pub async fn record_attempt(&self, kind: AttemptKind, key: &str, window: Duration) -> AppResult<i64> {
        Ok(sqlx::query_scalar(
            "with pruned as (
                 delete from auth_attempts
                 where kind = $1 and key = $2 and at <= now() - make_interval(secs => $3)
             )
             insert into auth_attempts (kind, key) values ($1, $2) returning id",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(window.as_seconds_f64())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Un-counts one attempt (it turned out not to be a failure, or it was refused anyway).
    pub async fn forget_attempt(&self, id: i64) -> AppResult<()> {
        sqlx::query("delete from auth_attempts where id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Forgets the attempts of `kind` by `key` (a successful sign-in clears its email's count).
    pub async fn clear_attempts(&self, kind: AttemptKind, key: &str) -> AppResult<()> {
        sqlx::query("delete from auth_attempts where kind = $1 and key = $2")
            .bind(kind.as_str())
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
