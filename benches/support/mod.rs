//! What the benchmarks share: the PostgreSQL they run against.

use std::{path::Path, str::FromStr};

use anyhow::Context;
use ayni::db::postgres::{PrivatePostgres, PrivatePostgresOptions};
use sqlx::postgres::PgConnectOptions;

/// The server named by DATABASE_URL, or a private cluster under `scratch` (returned too, so
/// that the caller stops it).
pub async fn postgres(scratch: &Path) -> anyhow::Result<(PgConnectOptions, Option<PrivatePostgres>)> {
    Ok(match ayni::config::database_url_from_env() {
        Some(url) => (PgConnectOptions::from_str(&url)?, None),
        None => {
            let pg = PrivatePostgres::start(PrivatePostgresOptions {
                data_dir: scratch.join("pg"),
                bin_dir: None,
                pg_user: "postgres".into(),
                fsync: false,
                max_connections: 100,
            })
            .await
            .context("the benchmark needs PostgreSQL's server binaries or DATABASE_URL")?;
            (pg.connect_options("postgres"), Some(pg))
        }
    })
}

/// A `postgres://` URL for `ayni serve`, over TCP or the Unix socket.
#[allow(dead_code, reason = "the sign-in benchmark starts no server")]
pub fn url_of(o: &PgConnectOptions) -> String {
    let (user, port, database) = (o.get_username(), o.get_port(), o.get_database().unwrap_or_default());
    match o.get_socket() {
        Some(socket) => format!("postgres://{user}@localhost:{port}/{database}?host={}", socket.display()),
        None => format!("postgres://{user}@{}:{port}/{database}", o.get_host()),
    }
}
