//! Connecting to PostgreSQL: the one named by `--database-url`, or the private cluster.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool,
};

pub mod postgres;

use postgres::{PrivatePostgres, PrivatePostgresOptions};

pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Where the database is: a server at `url`, or else a private cluster that Ayni runs.
pub struct DbSettings {
    pub url: Option<String>,
    pub private: PrivatePostgresOptions,
    /// How long a request may take; statements give up a little after it.
    pub request_timeout: Duration,
}

/// The pool, and the private cluster behind it when Ayni runs its own.
pub struct Database {
    pub pool: PgPool,
    private: Option<PrivatePostgres>,
}

impl Database {
    pub async fn open(settings: DbSettings) -> anyhow::Result<Database> {
        let (options, private) = match settings.url.as_deref() {
            Some(url) => (PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")?, None),
            None => {
                let private = PrivatePostgres::start(settings.private).await?;
                (private.connect_options("ayni"), Some(private))
            }
        };
        let pool = pool_options()
            .connect_with(with_session_settings(options, settings.request_timeout))
            .await
            .context("cannot connect to PostgreSQL")?;
        Ok(Database { pool, private })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.pool).await.context("cannot apply the database migrations")
    }

    /// Closes the pool, then stops the private cluster if this process owns it.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(private) = self.private {
            private.stop().await?;
        }
        Ok(())
    }
}

/// Pool settings shared by the server and the tests: fail fast when the database is gone,
/// so that pages answer 503 quickly and recover when it returns.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(10)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(300))
}

/// Every connection gives up on a statement a little after the request would, and never
/// compiles a plan with JIT: Ayni's queries are short, and compiling one cost 35–60 ms
/// where running it cost a few (measured on `/commitments`, issue 11).
pub fn with_session_settings(options: PgConnectOptions, request_timeout: Duration) -> PgConnectOptions {
    let statement_timeout = format!("{}ms", request_timeout.as_millis() + 1000);
    options.application_name("ayni").options([("statement_timeout", statement_timeout.as_str()), ("jit", "off")])
}
