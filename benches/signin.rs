//! The sign-in benchmark: `cargo bench --bench signin`. Through the real router on a real
//! PostgreSQL (its own, unless DATABASE_URL is set), it times sign-in answers for a
//! registered email with a wrong password, an unknown email, and the right password, to
//! show that the first two take about the same time (no enumeration by timing). Not part
//! of `cargo test`.

mod support;

use std::{net::SocketAddr, time::Instant};

use anyhow::Context;
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, Request},
    Router,
};
use ayni::{
    auth::password,
    db,
    domain::account::Role,
    domain::Lang,
    http::{router, AppState},
    search::Search,
    store::{accounts::NewUser, Store},
};
use http_body_util::BodyExt;
use sqlx::{Connection, Executor, PgConnection};
use tower::ServiceExt;

const RUNS: usize = 60;
const PASSWORD: &str = "una contraseña de prueba";

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let scratch = tempfile::Builder::new().prefix("ayni-bench-").tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let (admin, private) = support::postgres(scratch.path()).await?;
    let mut conn = PgConnection::connect_with(&admin).await?;
    conn.execute("drop database if exists ayni_bench_signin").await?;
    conn.execute("create database ayni_bench_signin").await?;
    conn.close().await?;
    let pool = db::pool_options().connect_with(admin.clone().database("ayni_bench_signin")).await?;
    db::MIGRATOR.run(&pool).await?;
    let store = Store::new(pool.clone());
    let hash = password::hash(PASSWORD)?;
    let new = NewUser {
        email: "registrada@region.gob.pe",
        display_name: "Registrada",
        organisation: "",
        region: None,
        password_hash: &hash,
        role: Role::Member,
        language: Lang::Es,
    };
    store.create_account(&new, false).await?;
    let search = Search::start(store.clone(), scratch.path().join("search"));
    let app = router(AppState {
        store,
        search,
        public_url: "http://bench.test".into(),
        request_timeout: std::time::Duration::from_secs(30),
        trusted_proxies: Vec::new().into(),
        renderer: Default::default(),
        previews: Default::default(),
        site: Default::default(),
        pages: Default::default(),
    });

    println!("sign-in answer time through the router, {RUNS} runs each (ms):");
    println!("| attempt | status | p50 | p90 | max |");
    println!("|---|---|---|---|---|");
    for (label, email, password) in [
        ("registered email, wrong password", "registrada@region.gob.pe", "no es la contraseña"),
        ("unknown email", "nadie@region.gob.pe", "no es la contraseña"),
        ("registered email, right password", "registrada@region.gob.pe", PASSWORD),
    ] {
        let mut times = Vec::with_capacity(RUNS);
        let mut status = 0;
        for _ in 0..RUNS {
            // The limits would answer 429 after ten failures: start each run afresh.
            sqlx::query("delete from auth_attempts").execute(&pool).await?;
            let (cookie, token) = form_token(&app).await?;
            let body = serde_urlencoded::to_string([("email", email), ("password", password), ("csrf_token", &token)])?;
            let request = with_peer(
                Request::post("/signin")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ORIGIN, "http://bench.test")
                    .header(header::COOKIE, cookie)
                    .body(Body::from(body))?,
            );
            let started = Instant::now();
            let response = app.clone().oneshot(request).await?;
            status = response.status().as_u16();
            response.into_body().collect().await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!("| {label} | {status} | {:.1} | {:.1} | {:.1} |", at(0.5), at(0.9), at(1.0));
    }
    pool.close().await;
    if let Some(pg) = private {
        pg.stop().await?;
    }
    Ok(())
}

fn with_peer(mut request: Request<Body>) -> Request<Body> {
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000))));
    request
}

/// A fresh session and its form token, as a browser gets them from the sign-in page.
async fn form_token(app: &Router) -> anyhow::Result<(String, String)> {
    let response = app.clone().oneshot(with_peer(Request::get("/signin").body(Body::empty())?)).await?;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_string();
    let body = String::from_utf8(response.into_body().collect().await?.to_bytes().to_vec())?;
    let marker = r#"name="csrf_token" value=""#;
    let start = body.find(marker).context("no form token")? + marker.len();
    let token = body[start..].split('"').next().context("unterminated token")?.to_string();
    Ok((cookie, token))
}
