//! The search benchmark: `cargo bench --bench search` (sizes default to 10,000 and 100,000
//! cases; pass others after `--`). It runs its own PostgreSQL unless DATABASE_URL is set,
//! generates the cases, and reports reindex speed, query latency (ranking with total and
//! facets; a full page with snippets), the PostgreSQL full-text baseline, freshness in this
//! process and in another, and the serving process's memory. With the cases it writes ten
//! comments per case (in their own index, `search::Part::Discussions`) and reports that
//! index's build time and size and the ranking of comment searches. Not part of `cargo test`.

mod support;

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use ayni::{
    domain::{filter::Filters, subject::DocType},
    search::{self, query::parse, Search, SearchRequest, Sort},
    store::Store,
};
use sqlx::postgres::PgConnectOptions;

/// The fixed mix: (name, what is typed, region filter).
const MIX: &[(&str, &str, Option<&str>)] = &[
    ("1 word", "integridad", None),
    ("2 words", "impuesto predial", None),
    ("4 words", "capacitación funcionarios municipales integridad", None),
    ("phrase", "\"declaraciones juradas\"", None),
    ("filter", "integridad", Some("cusco")),
    ("typo", "capacitasion", None),
];
/// Queries that name glossary concepts: (name, what is typed).
const GLOSSARY_MIX: &[(&str, &str)] = &[
    ("acronym", "SEACE"),
    ("colloquial", "coima"),
    ("multi-word label", "obras por impuestos"),
    ("English for Spanish", "whistleblower protection"),
    ("typo, then concept", "pecualdo"),
    ("ambiguous acronym", "PAC"),
    ("label and words", "peculado en gobiernos regionales"),
];
const RUNS: usize = 300;
/// Searches with nothing kept of what glossary labels found (`search::KeptLabels`).
const COLD_RUNS: usize = 60;
/// Comments written per case: 1,000,000 at 100,000 cases.
const COMMENTS_PER_CASE: u64 = 10;
const BASELINE_RUNS: usize = 60;
const FRESHNESS_RUNS: usize = 5;

fn main() -> anyhow::Result<()> {
    let mut sizes: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(sizes))
}

async fn run(sizes: Vec<u64>) -> anyhow::Result<()> {
    let scratch = tempfile::Builder::new().prefix("ayni-bench-").tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let (admin, private) = support::postgres(scratch.path()).await?;
    println!("machine: {} cores, {}", cores(), meminfo_total());
    let mut reports = Vec::new();
    for &n in &sizes {
        reports.push(bench_size(&admin, scratch.path(), n).await?);
    }
    for report in &reports {
        println!("{report}");
    }
    if let Some(pg) = private {
        pg.stop().await?;
    }
    Ok(())
}

async fn bench_size(admin: &PgConnectOptions, scratch: &Path, n: u64) -> anyhow::Result<String> {
    let (options, store) = support::fresh_database(admin, &format!("ayni_bench_{n}")).await?;
    let pool = store.pool().clone();
    let started = Instant::now();
    ayni::cli::generate::generate(&store, n, 7).await?;
    eprintln!("[{n}] generated in {:.0} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let comments = ayni::cli::generate::generate_discussions(&store, n * COMMENTS_PER_CASE, 7).await?;
    eprintln!("[{n}] {comments} comments generated in {:.0} s", started.elapsed().as_secs_f64());
    sqlx::query("vacuum analyze").execute(&pool).await?;

    // Full reindex.
    let dir = scratch.join(format!("data-{n}/search"));
    let started = Instant::now();
    let (mut engine, writer, _) = search::build_index(&store, &dir, search::Part::Documents, &|_, _| {}).await?;
    let reindex = started.elapsed().as_secs_f64();
    let docs = engine.documents();
    drop(writer);
    eprintln!("[{n}] reindexed {docs} in {reindex:.1} s");

    // The discussions' index: its build, its size, and comment searches.
    let before = memory_of(std::process::id());
    let started = Instant::now();
    let (discussions, writer, _) = search::build_index(&store, &dir, search::Part::Discussions, &|_, _| {}).await?;
    let discussion_reindex = started.elapsed().as_secs_f64();
    drop(writer);
    let after = memory_of(std::process::id());
    let discussion_docs = discussions.documents();
    let on_disk = size_of_dir(&search::Part::Discussions.dir(&dir));
    eprintln!("[{n}] discussions: {discussion_docs} documents in {discussion_reindex:.1} s");
    let mut comment_rows = Vec::new();
    for (label, text, region) in MIX {
        let request = SearchRequest {
            text: parse(text),
            filters: Filters {
                region: region.map(str::to_string),
                doc_type: Some(DocType::Comment),
                ..Filters::default()
            },
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
            snippets: false,
            expand: false,
        };
        let total = discussions.search(&request, None)?.total;
        let ranking = timed(RUNS, || Ok(discussions.search(&request, None).map(|_| ())?))?;
        let page = timed(RUNS, || {
            Ok(discussions.search(&SearchRequest { snippets: true, ..request.clone() }, None).map(|_| ())?)
        })?;
        comment_rows.push((label.to_string(), total, ranking, page));
    }
    drop(discussions);

    // Query latency, in this process, straight on the index.
    let mut rows = Vec::new();
    for (label, text, region) in MIX {
        let request = |snippets| SearchRequest {
            text: parse(text),
            filters: Filters { region: region.map(str::to_string), ..Filters::default() },
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
            snippets,
            expand: false,
        };
        let total = engine.search(&request(false), None)?.total;
        let ranking = timed(RUNS, || Ok(engine.search(&request(false), None).map(|_| ())?))?;
        let page = timed(RUNS, || Ok(engine.search(&request(true), None).map(|_| ())?))?;
        rows.push((label.to_string(), total, ranking, page));
    }

    // The glossary: each query with and without expansion, on the same index.
    let thesaurus = search::thesaurus::Thesaurus::new(store.glossary().await?, 1);
    let concepts = thesaurus.entries.len();
    let plain = MIX.iter().map(|(label, text, _)| (format!("plain: {label}"), *text));
    let named = GLOSSARY_MIX.iter().map(|(label, text)| (format!("glossary: {label}"), *text));
    let mut expansion_rows = Vec::new();
    for (label, text) in plain.chain(named) {
        let request = SearchRequest {
            text: parse(text),
            filters: Filters::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
            snippets: false,
            expand: true,
        };
        let without = engine.search(&request, None)?;
        let with = engine.search(&request, Some(&thesaurus))?;
        let labels: usize = with.expansions.iter().map(|e| e.terms.len()).sum();
        let off = timed(RUNS, || Ok(engine.search(&request, None).map(|_| ())?))?;
        let on = timed(RUNS, || Ok(engine.search(&request, Some(&thesaurus)).map(|_| ())?))?;
        // The first search of these labels since the index changed: nothing kept yet.
        let cold = timed(COLD_RUNS, || {
            engine.kept = Default::default();
            Ok(engine.search(&request, Some(&thesaurus)).map(|_| ())?)
        })?;
        expansion_rows.push((label, without.total, with.total, labels, off, on, cold));
    }
    drop(engine);

    // The PostgreSQL baseline on the same corpus.
    let started = Instant::now();
    sqlx::query(
        "alter table cases add column bench_tsv tsvector generated always as (
             setweight(to_tsvector('spanish', title), 'A') || setweight(to_tsvector('spanish', summary), 'B')
             || setweight(to_tsvector('spanish', body_markdown), 'C')) stored",
    )
    .execute(&pool)
    .await?;
    sqlx::query("create index cases_bench_tsv on cases using gin (bench_tsv)").execute(&pool).await?;
    sqlx::query("analyze cases").execute(&pool).await?;
    eprintln!("[{n}] baseline index in {:.0} s", started.elapsed().as_secs_f64());
    let mut baseline = Vec::new();
    for (_, text, region) in MIX {
        let sql = "select c.slug, ts_rank(c.bench_tsv, q) as rank, count(*) over () as total
                   from cases c, websearch_to_tsquery('spanish', $1) q
                   where c.bench_tsv @@ q and c.status = 'published'
                     and ($2::text is null or c.region_id in (
                         with recursive s as (select id from regions where slug = $2
                                              union all select r.id from regions r join s on r.parent_id = s.id)
                         select id from s))
                   order by rank desc limit 20";
        let mut times = Vec::with_capacity(BASELINE_RUNS);
        for _ in 0..BASELINE_RUNS {
            let t = Instant::now();
            sqlx::query(sql).bind(text).bind(region).fetch_all(&pool).await?;
            times.push(t.elapsed());
        }
        baseline.push(percentiles(times));
    }
    sqlx::query("drop index cases_bench_tsv").execute(&pool).await?;
    sqlx::query("alter table cases drop column bench_tsv").execute(&pool).await?;

    // Freshness in this process: the indexer follows the log.
    let search = Search::start(store.clone(), dir.clone());
    anyhow::ensure!(
        search.wait_for(store.latest_change_id().await?, Duration::from_secs(600)).await,
        "index never caught up"
    );
    let mut local = Vec::new();
    for i in 0..FRESHNESS_RUNS {
        let word = format!("frescura{n}local{i}");
        let t = insert_marker(&store, &word).await?;
        loop {
            let found = search.search(marker_request(&word)).await?.is_some_and(|o| o.total == 1);
            if found {
                break;
            }
            anyhow::ensure!(t.elapsed() < Duration::from_secs(30), "a change never became searchable");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        local.push(t.elapsed());
    }

    // Another process: `ayni serve` on a copy of the index, for freshness and memory.
    let other = scratch.join(format!("data-{n}-other"));
    copy_dir(&dir, &other.join("search"))?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ayni"))
        .args(["serve", "--database-url", &support::url_of(&options), "--bind", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&other)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let latest = store.latest_change_id().await?;
    wait_until(&mut child, Duration::from_secs(600), || {
        http_get(port, "/readyz").is_some_and(|b| applied_of(&b).is_some_and(|a| a >= latest))
    })?;
    let mut remote = Vec::new();
    for i in 0..FRESHNESS_RUNS {
        let word = format!("frescura{n}remote{i}");
        let t = insert_marker(&store, &word).await?;
        wait_until(&mut child, Duration::from_secs(30), || {
            http_get(port, &format!("/api/v1/search?q={word}")).is_some_and(|b| b.contains("\"total\":1"))
        })?;
        remote.push(t.elapsed());
    }
    // A glossary edit (here plain SQL, as any writer) → the other process expands with it.
    let mut glossary_remote = Vec::new();
    for i in 0..FRESHNESS_RUNS {
        let word = format!("frescuraglosario{n}x{i}");
        let t = Instant::now();
        sqlx::query("update concepts set alt_es = alt_es || $1 where slug = 'seace'")
            .bind(vec![word.clone()])
            .execute(&pool)
            .await?;
        wait_until(&mut child, Duration::from_secs(30), || {
            http_get(port, &format!("/api/v1/search?q={word}")).is_some_and(|b| b.contains("\"concept\":\"seace\""))
        })?;
        glossary_remote.push(t.elapsed());
    }
    for (_, text, _) in MIX {
        http_get(port, &format!("/search?q={}", text.replace(' ', "+").replace('"', "%22")));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let memory = memory_of(child.id());
    child.kill().ok();
    child.wait().ok();
    pool.close().await;

    let mut out = format!("\n### {n} cases ({docs} documents indexed)\n\n");
    out += &format!("Full reindex: {reindex:.1} s, {:.0} documents per second.\n\n", docs as f64 / reindex);
    out += "| query | hits | ranking + total + facets p50 / p99 | full page with snippets p50 / p99 | PostgreSQL FTS p50 / p99 | speed-up at p50 |\n";
    out += "|---|---|---|---|---|---|\n";
    for ((label, total, ranking, page), pg) in rows.iter().zip(&baseline) {
        out += &format!(
            "| {label} | {total} | {} / {} | {} / {} | {} / {} | {:.0}× |\n",
            ms(ranking.0),
            ms(ranking.1),
            ms(page.0),
            ms(page.1),
            ms(pg.0),
            ms(pg.1),
            pg.0.as_secs_f64() / ranking.0.as_secs_f64().max(1e-9)
        );
    }
    let all_rank: Vec<Duration> = rows.iter().map(|r| r.2 .1).collect();
    let all_page: Vec<Duration> = rows.iter().map(|r| r.3 .1).collect();
    out += &format!(
        "\nWorst p99 over the mix: ranking {}, full page {}.\n",
        ms(all_rank.into_iter().max().unwrap_or_default()),
        ms(all_page.into_iter().max().unwrap_or_default())
    );
    out += &format!(
        "Freshness (change committed → searchable), median / max of {FRESHNESS_RUNS}: same process {} / {}, another process {} / {}.\n",
        ms(median(&local)),
        ms(local.iter().max().copied().unwrap_or_default()),
        ms(median(&remote)),
        ms(remote.iter().max().copied().unwrap_or_default())
    );
    out += &format!(
        "Glossary edit committed → another process expands with it, median / max of {FRESHNESS_RUNS}: {} / {}.\n",
        ms(median(&glossary_remote)),
        ms(glossary_remote.iter().max().copied().unwrap_or_default())
    );
    out += &format!("Serving process at rest after the query mix: {memory}.\n");
    out += &format!(
        "\n#### Glossary expansion ({concepts} concepts): ranking + total + facets, the same query without and with it\n\n"
    );
    out += "| query | hits without / with | labels added | p50 / p99 without | p50 / p99 with | p99 with / without | p50 / p99 with, nothing kept |\n";
    out += "|---|---|---|---|---|---|---|\n";
    for (label, without, with, labels, off, on, cold) in &expansion_rows {
        out += &format!(
            "| {label} | {without} / {with} | {labels} | {} / {} | {} / {} | {:.2} | {} / {} |\n",
            ms(off.0),
            ms(off.1),
            ms(on.0),
            ms(on.1),
            on.1.as_secs_f64() / off.1.as_secs_f64().max(1e-9),
            ms(cold.0),
            ms(cold.1)
        );
    }
    // The worst p99 (without, with) over the plain or the glossary queries.
    let worst_p99 = |glossary: bool| {
        let rows = expansion_rows.iter().filter(|r| r.0.starts_with("glossary") == glossary);
        rows.fold((Duration::ZERO, Duration::ZERO, Duration::ZERO), |(off, on, cold), r| {
            (off.max(r.4 .1), on.max(r.5 .1), cold.max(r.6 .1))
        })
    };
    let ((plain_off, plain_on, plain_cold), (named_off, named_on, named_cold)) = (worst_p99(false), worst_p99(true));
    let worst_off = plain_off.max(named_off);
    let change = |with: Duration| (with.as_secs_f64() / worst_off.as_secs_f64().max(1e-9) - 1.0) * 100.0;
    out += &format!(
        "\nWorst ranking p99 — plain mix: {} without, {} with ({} with nothing kept); glossary mix: {} without, {} with ({} with nothing kept). Over both, {} without, with expansion {:+.0} % ({:+.0} % with nothing kept; target ≤ +30 %).\n",
        ms(plain_off),
        ms(plain_on),
        ms(plain_cold),
        ms(named_off),
        ms(named_on),
        ms(named_cold),
        ms(worst_off),
        change(plain_on.max(named_on)),
        change(plain_cold.max(named_cold))
    );
    out += &format!(
        "\n#### Comments: {comments} written, {discussion_docs} documents (threads and comments) in their own index\n\n"
    );
    out += &format!(
        "Build: {discussion_reindex:.1} s, {:.0} documents per second; {:.0} MB on disk; this process before the build {before}, after it {after}.\n\n",
        discussion_docs as f64 / discussion_reindex,
        on_disk as f64 / 1e6
    );
    out +=
        "| comment search | hits | ranking + total + facets p50 / p99 | with snippets p50 / p99 |\n|---|---|---|---|\n";
    for (label, total, ranking, page) in &comment_rows {
        out += &format!(
            "| {label} | {total} | {} / {} | {} / {} |\n",
            ms(ranking.0),
            ms(ranking.1),
            ms(page.0),
            ms(page.1)
        );
    }
    let worst = comment_rows.iter().map(|r| r.2 .1).max().unwrap_or_default();
    out += &format!("\nWorst comment-search ranking p99: {} (target ≤ 25 ms).\n", ms(worst));
    Ok(out)
}

fn timed(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<(Duration, Duration)> {
    for _ in 0..runs / 10 {
        f()?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed());
    }
    Ok(percentiles(times))
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99))
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn marker_request(word: &str) -> SearchRequest {
    SearchRequest {
        text: parse(word),
        filters: Filters::default(),
        sort: Sort::Relevance,
        page: 1,
        per_page: 1,
        snippets: false,
        expand: false,
    }
}

/// Publishes a small case containing `word`; returns when the change was committed.
async fn insert_marker(store: &Store, word: &str) -> anyhow::Result<Instant> {
    sqlx::query(
        "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                            body_html_version, status, provenance, published_at)
         values ($1, $1, 'case', (select id from regions where slug = 'puno'), 'es', 2025, 'Marcador.', $1, '', 1,
                 'published', 'app', now())",
    )
    .bind(word)
    .execute(store.pool())
    .await?;
    Ok(Instant::now())
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    (response.split(' ').nth(1) == Some("200")).then_some(response)
}

fn applied_of(body: &str) -> Option<i64> {
    let json: serde_json::Value = serde_json::from_str(body.split_once("\r\n\r\n")?.1).ok()?;
    json["search"]["applied_change"].as_i64()
}

fn wait_until(child: &mut Child, limit: Duration, mut check: impl FnMut() -> bool) -> anyhow::Result<()> {
    let started = Instant::now();
    while !check() {
        anyhow::ensure!(child.try_wait()?.is_none(), "the serving process exited");
        anyhow::ensure!(started.elapsed() < limit, "timed out after {limit:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if !entry.file_name().to_string_lossy().ends_with(".lock") {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn memory_of(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string()).unwrap_or_default()
    };
    format!("RssAnon {}, VmRSS {}", field("RssAnon:"), field("VmRSS:"))
}

/// Bytes of the files under `dir`.
fn size_of_dir(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(m) if m.is_dir() => size_of_dir(&entry.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn meminfo_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.replace("MemTotal:", "").trim().to_string()))
        .map_or_else(String::new, |t| format!("{t} of memory"))
}
