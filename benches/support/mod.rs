//! What the benchmarks share: the PostgreSQL they run against, a fresh database on it, and
//! its URL for `ayni serve`.
#![allow(dead_code, reason = "each benchmark uses part of this module")]

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
pub fn url_of(o: &PgConnectOptions) -> String {
    let (user, port, database) = (o.get_username(), o.get_port(), o.get_database().unwrap_or_default());
    match o.get_socket() {
        Some(socket) => format!("postgres://{user}@localhost:{port}/{database}?host={}", socket.display()),
        None => format!("postgres://{user}@{}:{port}/{database}", o.get_host()),
    }
}

/// A new database `name` (dropped first if a run left it), migrated, with the regions,
/// themes and seed cases of the content directory.
pub async fn fresh_database(
    admin: &PgConnectOptions,
    name: &str,
) -> anyhow::Result<(PgConnectOptions, ayni::store::Store)> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect_with(admin).await?;
    conn.execute(format!("drop database if exists {name}").as_str()).await?;
    conn.execute(format!("create database {name}").as_str()).await?;
    conn.close().await?;
    let options = admin.clone().database(name);
    let pool = ayni::db::pool_options().connect_with(options.clone()).await?;
    ayni::db::MIGRATOR.run(&pool).await?;
    let store = ayni::store::Store::new(pool);
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    store.import_dir(&content, ayni::store::import::When::Always { force: false }).await?;
    Ok((options, store))
}
