//! The page benchmark: `cargo bench --bench pages` (10,000 and 100,000 cases; pass other
//! sizes after `--`). For each size it generates the cases and 250 held workshops with 40
//! commitments each, starts the release `ayni serve` on them, and loads it with wrk: the case
//! page, the search page over 600 distinct queries, `/cases` over a fixed mix of pages and
//! filters, the home page, a workshop page with 30 agenda items, 200 registrations and 40
//! commitments, and `/commitments` (10,000 of them) over pages and filters; the glossary's
//! letters, every concept's page, and a search naming each concept; a case page with
//! 200 comments beside one with none, and the last page of a thread of 5,000 comments beside
//! a thread of 50; and
//! it posts 400 comments through the API to a thread with 50 followers, one at a time, for
//! their latency and the time the outbox takes to notify everyone. In the same run it
//! loads two baseline routes served by this process: one `SELECT` by primary key from a
//! 10,000-row table answered as escaped HTML, once behind the site's middleware stack
//! (`ayni::http::Stack`) and once bare. wrk's output goes to `target/tmp/pages-bench.log`.

mod support;

use std::{
    fmt::Write as _,
    io::Write as _,
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use askama::Template;
use axum::{
    extract::{Path as UrlPath, State},
    response::Html,
    routing::get,
    Router,
};
use ayni::{
    http::Stack,
    store::{
        generate::{SyntheticComment, SyntheticThread},
        Store,
    },
};
use sqlx::{postgres::PgConnectOptions, PgPool};

/// wrk's connections and the length of each measured run.
const CONNECTIONS: &str = "64";
const DURATION: &str = "10s";
const WARM_UP: &str = "3s";
const QUERIES: i64 = 600;
const CASE_PAGES: i64 = 1000;
/// Workshops, each with this many commitments: 10,000 in all.
const WORKSHOPS: i64 = 250;
const PER_WORKSHOP: i64 = 40;
/// The workshop page measured: its agenda and the people registered.
const BIG_WORKSHOP: &str = "taller-1";
const AGENDA_ITEMS: i64 = 30;
const REGISTERED: i64 = 200;
/// The discussions measured.
const CASE_COMMENTS: i32 = 200;
const LONG_THREAD: i32 = 5_000;
const FOLLOWERS: usize = 50;
/// Comments posted, by this many people (each under the limit of 30 in ten minutes).
const POSTS: usize = 400;
const POSTERS: usize = 20;

fn main() -> anyhow::Result<()> {
    let mut sizes: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        bail!("the page benchmark needs wrk: apt-get install wrk");
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(sizes))
}

async fn run(sizes: Vec<u64>) -> anyhow::Result<()> {
    let scratch = tempfile::Builder::new().prefix("ayni-pages-").tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let log_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pages-bench.log");
    let mut log = std::fs::File::create(&log_path)?;
    let (admin, private) = support::postgres(scratch.path()).await?;
    let mut reports = Vec::new();
    for &n in &sizes {
        reports.push(bench_size(&admin, scratch.path(), n, &mut log).await?);
    }
    println!(
        "\nwrk -t2 -c{CONNECTIONS} -d{DURATION} --latency, after a {WARM_UP} warm-up; wrk's output: {}",
        log_path.display()
    );
    for report in &reports {
        println!("{report}");
    }
    if let Some(pg) = private {
        pg.stop().await?;
    }
    Ok(())
}

async fn bench_size(
    admin: &PgConnectOptions,
    scratch: &Path,
    n: u64,
    log: &mut std::fs::File,
) -> anyhow::Result<String> {
    let (options, store) = support::fresh_database(admin, &format!("ayni_pages_{n}")).await?;
    let pool = store.pool().clone();
    let started = Instant::now();
    ayni::cli::generate::generate(&store, n, 7).await?;
    eprintln!("[{n}] generated in {:.0} s", started.elapsed().as_secs_f64());
    baseline_table(&pool).await?;
    workshops(&pool).await?;
    let discussed = discussions(&store).await?;
    sqlx::query("vacuum analyze").execute(&pool).await?;

    let port = free_port()?;
    let data_dir = scratch.join(format!("data-{n}"));
    let mut server = Command::new(env!("CARGO_BIN_EXE_ayni"))
        .args(["serve", "--database-url", &support::url_of(&options), "--bind", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(scratch.join(format!("server-{n}.log")))?)
        .spawn()?;
    let latest = store.latest_change_id().await?;
    let started = Instant::now();
    wait_ready(&mut server, port, latest).await.with_context(|| {
        let log = std::fs::read_to_string(scratch.join(format!("server-{n}.log"))).unwrap_or_default();
        format!("the server's log:\n{log}")
    })?;
    eprintln!("[{n}] server indexed and ready in {:.0} s", started.elapsed().as_secs_f64());

    let baseline = Baseline::start(&store).await?;
    let scripts = scratch.join(format!("scripts-{n}"));
    std::fs::create_dir_all(&scripts)?;
    let routes = [
        ("case page", format!("{CASE_PAGES} cases"), case_paths(&pool).await?, port),
        ("search page", format!("{QUERIES} queries"), search_paths(&pool).await?, port),
        ("`/cases`", "pages 1–5, 8 filters".to_string(), list_paths(&pool).await?, port),
        ("home page", "`/`".to_string(), vec!["/".to_string()], port),
        (
            "workshop page",
            format!("{AGENDA_ITEMS} items, {REGISTERED} registered, {PER_WORKSHOP} commitments"),
            vec![format!("/workshops/{BIG_WORKSHOP}")],
            port,
        ),
        ("`/commitments`", "pages 1–5, 4 filters".to_string(), commitment_paths(&pool).await?, port),
        ("case page, 200 comments", "its newest 50".to_string(), vec![format!("/cases/{}", discussed.busy_case)], port),
        ("case page, no comments", "1 case".to_string(), vec![format!("/cases/{}", discussed.quiet_case)], port),
        (
            "thread of 5,000 comments",
            "its last page".to_string(),
            vec![format!("/discussions/{}?page={}", discussed.long_thread, LONG_THREAD / 50)],
            port,
        ),
        (
            "thread of 50 comments",
            "its one page".to_string(),
            vec![format!("/discussions/{}", discussed.short_thread)],
            port,
        ),
        ("glossary A to Z", "`/glossary` and its 26 letters".to_string(), glossary_letter_paths(), port),
        ("concept page", "every concept".to_string(), concept_paths(&pool).await?, port),
        (
            "search naming a concept",
            "each concept's Spanish or English label".to_string(),
            concept_search_paths(&pool).await?,
            port,
        ),
        ("one `SELECT`, site's middleware", "10,000 ids".to_string(), select_paths(), baseline.stacked),
        ("one `SELECT`, bare axum", "10,000 ids".to_string(), select_paths(), baseline.bare),
    ];
    let mut out = format!("\n#### {n} cases\n\n| route | requests | req/s | p50 | p99 | share of the stacked `SELECT` |\n|---|---|---|---|---|---|\n");
    let mut measured = Vec::new();
    for (i, (label, what, paths, port)) in routes.iter().enumerate() {
        let script = scripts.join(format!("{i}.lua"));
        std::fs::write(&script, lua_script(paths))?;
        let url = format!("http://127.0.0.1:{port}");
        wrk(&url, &script, WARM_UP)?;
        let output = wrk(&url, &script, DURATION)?;
        writeln!(log, "=== {n} cases, {label} ({what})\n{output}")?;
        let result = Wrk::parse(&output).with_context(|| format!("cannot read wrk's output for {label}: {output}"))?;
        eprintln!("[{n}] {label}: {:.0} req/s", result.rps);
        measured.push((label, what, result));
    }
    let stacked = measured.iter().find(|m| m.0.contains("site's middleware")).map_or(1.0, |m| m.2.rps);
    for (label, what, r) in &measured {
        writeln!(
            out,
            "| {label} | {what} | {:.0} | {} | {} | {:.0} % |",
            r.rps,
            r.p50,
            r.p99,
            100.0 * r.rps / stacked
        )?;
        if r.errors > 0 {
            writeln!(out, "|  | ({} non-2xx/3xx or socket errors) | | | | |", r.errors)?;
        }
    }
    let (p50, p99, notified) = posting(&store, port, discussed.followed_thread).await?;
    writeln!(
        out,
        "\nPosting a comment through the API to a thread with {FOLLOWERS} followers, {POSTS} posts one at a time: \
         p50 {p50}, p99 {p99}; every follower notified {notified} after the last post."
    )?;
    baseline.stop();
    server.kill().ok();
    server.wait().ok();
    pool.close().await;
    Ok(out)
}

/// What the discussion routes read and write.
struct Discussed {
    busy_case: String,
    quiet_case: String,
    long_thread: i64,
    short_thread: i64,
    followed_thread: i64,
}

/// A comment of some sixty words, as people write them.
fn comment_text(i: i32) -> String {
    format!(
        "Respuesta {i}: en nuestra región organizamos la **oficina de integridad** con dos personas y el apoyo de la \
         gerencia; primero mapeamos los riesgos de las contrataciones, luego capacitamos a los comités de selección \
         y publicamos un tablero mensual. ¿Cómo lo resolvieron ustedes con el presupuesto de este año?"
    )
}

/// A thread of `n` comments by `people`, every third a reply to the top comment before it.
fn thread(case_id: Option<i64>, standalone: bool, n: i32, people: &[i64]) -> SyntheticThread {
    let mut top = 1;
    let comments = (1..=n)
        .map(|i| {
            let root_number = if i % 3 == 0 { top } else { i };
            top = root_number;
            let text = comment_text(i);
            SyntheticComment {
                number: i,
                root_number,
                author: people[i as usize % people.len()],
                body_html: ayni::markdown::render_comment(&text, &std::collections::HashMap::new()),
                body_markdown: text,
                voters: Vec::new(),
                minutes_ago: n - i,
            }
        })
        .collect();
    let standalone =
        standalone.then(|| ("Oficinas de integridad pequeñas".into(), "internal-control".into(), "cusco".into()));
    SyntheticThread { case_id, standalone, comments }
}

/// A case with [`CASE_COMMENTS`] comments and one with none, free-standing threads of
/// [`LONG_THREAD`] and of 50 comments, and one of a single comment that [`FOLLOWERS`]
/// people follow.
async fn discussions(store: &Store) -> anyhow::Result<Discussed> {
    let people = store.synthetic_people(FOLLOWERS).await?;
    // Posters are established members: a month old, so that they may post 30 in ten minutes.
    sqlx::query("update users set created_at = now() - interval '1 month' where id = any($1)")
        .bind(&people)
        .execute(store.pool())
        .await?;
    let cases: Vec<(i64, String)> =
        sqlx::query_as("select id, slug from cases where slug like 'sintetico-%' order by id limit 2")
            .fetch_all(store.pool())
            .await?;
    let [(busy_id, busy_case), (_, quiet_case)] =
        <[(i64, String); 2]>::try_from(cases).map_err(|_| anyhow::anyhow!("two cases"))?;
    store
        .insert_synthetic_threads(&[
            thread(Some(busy_id), false, CASE_COMMENTS, &people),
            thread(None, true, LONG_THREAD, &people),
            thread(None, true, 50, &people),
            thread(None, true, 1, &people),
        ])
        .await?;
    let threads: Vec<i64> =
        sqlx::query_scalar("select id from threads order by id desc limit 3").fetch_all(store.pool()).await?;
    let (followed_thread, short_thread, long_thread) = (threads[0], threads[1], threads[2]);
    sqlx::query("insert into follows (user_id, subject_kind, subject_id) select unnest($1::bigint[]), 'thread', $2")
        .bind(&people)
        .bind(followed_thread)
        .execute(store.pool())
        .await?;
    Ok(Discussed { busy_case, quiet_case, long_thread, short_thread, followed_thread })
}

/// Posts [`POSTS`] comments to `thread` one at a time, each by one of the followers with an
/// API token; returns the p50 and p99 of the answers, and how long after the last one the
/// outbox had notified every follower of every comment.
async fn posting(store: &Store, port: u16, thread: i64) -> anyhow::Result<(String, String, String)> {
    let people = store.synthetic_people(FOLLOWERS).await?;
    let mut tokens = Vec::new();
    for id in people.iter().take(POSTERS) {
        let user = store.active_user(*id).await?.context("a synthetic person")?;
        tokens.push(store.create_token(&user, "bench").await?);
    }
    let path = format!("/api/v1/discussions/{thread}/comments");
    let mut times = Vec::with_capacity(POSTS);
    for i in 0..POSTS {
        let body = serde_json::json!({ "body": comment_text(i as i32) }).to_string();
        let started = Instant::now();
        let status = http_post(port, &path, &tokens[i % POSTERS], &body)?;
        times.push(started.elapsed());
        anyhow::ensure!(status == 201, "posting answered {status}");
    }
    let last = Instant::now();
    loop {
        let pending: i64 =
            sqlx::query_scalar("select count(*) from events where notified_at is null").fetch_one(store.pool()).await?;
        if pending == 0 {
            break;
        }
        anyhow::ensure!(last.elapsed() < Duration::from_secs(120), "the outbox left {pending} events for 2 minutes");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let notified = last.elapsed();
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    Ok((ms(at(0.5)), ms(at(0.99)), ms(notified)))
}

fn http_post(port: u16, path: &str, token: &str, body: &str) -> anyhow::Result<u16> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    response.split(' ').nth(1).and_then(|s| s.parse().ok()).context("an answer without a status")
}

/// The table the baseline routes read: 10,000 rows with text that needs escaping.
async fn baseline_table(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query("create table bench_rows (id int primary key, title text not null)").execute(pool).await?;
    sqlx::query(
        "insert into bench_rows select i, 'Caso ' || i || ' <de> \"Cusco\" & Puno' from generate_series(1, 10000) i",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Held workshops with published outcomes and [`PER_WORKSHOP`] commitments each, due from a
/// year ago to a year ahead in every state; the first has a full agenda and
/// [`REGISTERED`] people registered (who attended), some of them its speakers.
async fn workshops(pool: &PgPool) -> anyhow::Result<()> {
    let render = i64::from(ayni::markdown::RENDER_VERSION);
    let statements: [(&str, &[i64]); 8] = [
        (
            "insert into workshops (slug, title, summary, description_markdown, description_html,
                                description_html_version, starts_at, ends_at, format, venue, city, capacity,
                                status, provenance)
         select 'taller-' || i, 'Taller regional de integridad ' || i, 'Intercambio de prácticas entre regiones.',
                'Revisar la **agenda** regional de integridad.',
                '<p>Revisar la <strong>agenda</strong> regional de integridad.</p>', $1,
                now() - make_interval(days => i::int), now() - make_interval(days => i::int) + interval '4 hours',
                'in_person', 'Auditorio regional', 'Cusco', 300, 'published', 'app'
         from generate_series(1, $2) i",
            &[render, WORKSHOPS],
        ),
        (
            "insert into workshop_regions (workshop_id, region_id)
         select w.id, r.id from workshops w
         cross join (select id from regions where level = 'regional' order by slug limit 3) r
         where w.slug ~ '^taller-[0-9]+$'",
            &[],
        ),
        (
            "insert into workshop_outcomes (workshop_id, conclusions_markdown, conclusions_html, conclusions_html_version,
                                        attendance, organisations)
         select id, 'Se acordó **actualizar** los mapas de riesgos.',
                '<p>Se acordó <strong>actualizar</strong> los mapas de riesgos.</p>', $1, 40,
                array['Secretaría de Integridad Pública', 'PNUD']
         from workshops where slug ~ '^taller-[0-9]+$'",
            &[render],
        ),
        (
            "insert into commitments (workshop_id, position, region_id, action, owner_name, due_on, status)
         select w.id, p, r.ids[(1 + (w.id + p) % cardinality(r.ids))::int],
                'Compromiso ' || p || ': aprobar el plan regional de integridad', 'Gerencia regional',
                current_date + ((w.id * 7 + p * 13) % 730 - 365)::int,
                (array['planned', 'in_progress', 'done', 'dropped'])[(1 + (w.id + p) % 4)::int]
         from workshops w cross join generate_series(1, $1) p
         cross join (select array_agg(id order by slug) as ids from regions where level = 'regional') r
         where w.slug ~ '^taller-[0-9]+$'",
            &[PER_WORKSHOP],
        ),
        (
            "insert into agenda_items (workshop_id, position, starts_at, duration_minutes, title, speakers, description)
         select w.id, p, w.starts_at + make_interval(mins => ((p - 1) * 8)::int), 8, 'Punto ' || p || ' de la agenda',
                'Equipo regional', 'Revisión de avances y dificultades.'
         from workshops w cross join generate_series(1, $1) p where w.slug = 'taller-1'",
            &[AGENDA_ITEMS],
        ),
        (
            "insert into users (email, display_name) select 'participante' || i || '@x.gob.pe', 'Participante ' || i
         from generate_series(1, $1) i",
            &[REGISTERED],
        ),
        (
            "insert into registrations (workshop_id, user_id, state, attended)
         select w.id, u.id, 'registered', true from workshops w cross join users u
         where w.slug = 'taller-1' and u.email like 'participante%'",
            &[],
        ),
        (
            "insert into agenda_speakers (item_id, user_id)
         select i.id, u.id from agenda_items i join users u on u.email = 'participante' || i.position || '@x.gob.pe'",
            &[],
        ),
    ];
    for (sql, values) in statements {
        let mut query = sqlx::query(sql);
        for value in values {
            query = query.bind(*value);
        }
        query.execute(pool).await.with_context(|| format!("cannot write the workshops: {sql}"))?;
    }
    Ok(())
}

#[derive(Template)]
#[template(source = "<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1>", ext = "html")]
struct Row {
    title: String,
}

async fn select_row(State(pool): State<PgPool>, UrlPath(id): UrlPath<i32>) -> Result<Html<String>, String> {
    let title: String = sqlx::query_scalar("select title from bench_rows where id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string())?;
    Row { title }.render().map(Html).map_err(|e| e.to_string())
}

/// The two baseline servers, on their own ports in this process.
struct Baseline {
    stacked: u16,
    bare: u16,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Baseline {
    async fn start(store: &Store) -> anyhow::Result<Baseline> {
        let route = || Router::new().route("/select/{id}", get(select_row)).with_state(store.pool().clone());
        let stack = Stack {
            store: store.clone(),
            public_url: "http://127.0.0.1".into(),
            request_timeout: Duration::from_secs(30),
        };
        let stacked = stack.wrap(Router::new(), route());
        let mut tasks = Vec::new();
        let mut ports = Vec::new();
        for app in [stacked, route()] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            ports.push(listener.local_addr()?.port());
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            tasks.push(tokio::spawn(async move {
                axum::serve(listener, app).await.ok();
            }));
        }
        Ok(Baseline { stacked: ports[0], bare: ports[1], tasks })
    }

    fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

async fn case_paths(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let slugs: Vec<String> =
        sqlx::query_scalar("select slug from cases where status = 'published' order by md5(slug) limit $1")
            .bind(CASE_PAGES)
            .fetch_all(pool)
            .await?;
    Ok(slugs.into_iter().map(|s| format!("/cases/{s}")).collect())
}

/// Distinct queries of one to three words, taken from case titles so that they find things.
async fn search_paths(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let titles: Vec<String> = sqlx::query_scalar("select title from cases order by md5(slug) limit $1")
        .bind(QUERIES * 2)
        .fetch_all(pool)
        .await?;
    let mut queries = std::collections::BTreeSet::new();
    for (i, title) in titles.iter().enumerate() {
        let words: Vec<&str> = title.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() > 3).collect();
        let take = 1 + i % 3;
        if words.len() >= take {
            queries.insert(words[..take].join("+"));
        }
        if queries.len() as i64 == QUERIES {
            break;
        }
    }
    if (queries.len() as i64) < QUERIES {
        bail!("only {} distinct queries in the titles", queries.len());
    }
    Ok(queries.into_iter().map(|q| format!("/search?q={}", encode(&q))).collect())
}

fn glossary_letter_paths() -> Vec<String> {
    std::iter::once("/glossary".to_string()).chain(('A'..='Z').map(|l| format!("/glossary?letter={l}"))).collect()
}

async fn concept_paths(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let slugs: Vec<String> =
        sqlx::query_scalar("select slug from concepts where retired_at is null order by slug").fetch_all(pool).await?;
    Ok(slugs.into_iter().map(|s| format!("/glossary/{s}")).collect())
}

/// A search for each concept, by its Spanish label or (one in three) its English one: every
/// search is expanded.
async fn concept_search_paths(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let labels: Vec<String> = sqlx::query_scalar(
        "select case when id % 3 = 0 then pref_en else pref_es end from concepts where retired_at is null order by slug",
    )
    .fetch_all(pool)
    .await?;
    Ok(labels.into_iter().map(|l| format!("/search?q={}", encode(&l))).collect())
}

/// Pages 1–5 of the whole list and of eight filters.
async fn list_paths(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let region: String = sqlx::query_scalar("select slug from regions where parent_id is null order by slug limit 1")
        .fetch_one(pool)
        .await?;
    let theme: String = sqlx::query_scalar("select slug from themes order by slug limit 1").fetch_one(pool).await?;
    let filters = [
        String::new(),
        format!("region={region}&"),
        format!("theme={theme}&"),
        "kind=success-story&".into(),
        "language=en&".into(),
        "year_from=2015&year_to=2020&".into(),
        format!("region={region}&theme={theme}&"),
        "illustrative=true&".into(),
    ];
    Ok(filters.iter().flat_map(|f| (1..=5).map(move |p| format!("/cases?{f}page={p}"))).collect())
}

/// Pages 1–5 of all commitments and of four filters.
async fn commitment_paths(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let region: String =
        sqlx::query_scalar("select r.slug from commitments c join regions r on r.id = c.region_id limit 1")
            .fetch_one(pool)
            .await?;
    let filters = [
        String::new(),
        format!("region={region}&"),
        "status=in_progress&".into(),
        "due=overdue&".into(),
        "due=soon&".into(),
    ];
    Ok(filters.iter().flat_map(|f| (1..=5).map(move |p| format!("/commitments?{f}page={p}"))).collect())
}

fn select_paths() -> Vec<String> {
    (1..=10_000).map(|i| format!("/select/{i}")).collect()
}

fn encode(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '+' { c.to_string() } else { utf8_escape(c) }).collect()
}

fn utf8_escape(c: char) -> String {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf).bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A wrk script that walks `paths` in turn.
fn lua_script(paths: &[String]) -> String {
    let mut script = String::from("local paths = {\n");
    for p in paths {
        script += &format!("  {p:?},\n");
    }
    script +=
        "}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n";
    script
}

fn wrk(url: &str, script: &Path, duration: &str) -> anyhow::Result<String> {
    let output = Command::new("wrk")
        .args(["-t2", "-c", CONNECTIONS, "-d", duration, "--latency", "-s"])
        .arg(script)
        .arg(url)
        .output()
        .context("cannot run wrk")?;
    if !output.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

struct Wrk {
    rps: f64,
    p50: String,
    p99: String,
    errors: u64,
}

impl Wrk {
    fn parse(output: &str) -> Option<Wrk> {
        let field = |prefix: &str| {
            output.lines().map(str::trim).find_map(|l| l.strip_prefix(prefix)).map(|v| v.trim().to_string())
        };
        let rps = field("Requests/sec:")?.parse().ok()?;
        let errors = field("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0)
            + field("Socket errors:").map_or(0, |v| {
                v.split(',').filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok()).sum()
            });
        Some(Wrk { rps, p50: field("50%")?, p99: field("99%")?, errors })
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until the server's index has applied `latest` (it builds the index at start).
async fn wait_ready(server: &mut Child, port: u16, latest: i64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        if let Some(status) = server.try_wait()? {
            bail!("ayni serve stopped: {status}");
        }
        let ready = tokio::task::spawn_blocking(move || http_get(port, "/readyz")).await?;
        let applied = ready.as_deref().and_then(|b| {
            let at = b.find("\"applied_change\":")? + "\"applied_change\":".len();
            b[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse::<i64>().ok()
        });
        if applied.is_some_and(|a| a >= latest) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the server was not ready in 15 minutes");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut body = String::new();
    stream.read_to_string(&mut body).ok()?;
    Some(body)
}
