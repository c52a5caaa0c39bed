//! The README's promise, end to end: `ayni` with no database URL runs its own PostgreSQL,
//! loads the seed, serves, and stops cleanly on SIGTERM.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::support::{content_dir, scratch_dir, Template, TestDb};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// A plain HTTP/1.0 GET: the status line's code and the body.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let code = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((code, body))
}

/// A running `ayni serve` that is killed if a failed assertion leaves it behind.
struct Server(Child);

impl std::ops::Deref for Server {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
}

fn start(command: &mut Command) -> Server {
    Server(command.spawn().expect("start ayni"))
}

fn wait_ready(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Some((200, _)) = get(port, "/readyz") {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("ayni exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("ayni did not become ready within 120 s");
}

fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(data_dir.join("postgres/cluster/postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn serve_runs_its_own_postgres_loads_the_seed_and_stops_cleanly() {
    let data_dir = scratch_dir("serve");
    let port = free_port();
    let spawn = || {
        start(
            Command::new(env!("CARGO_BIN_EXE_ayni"))
                .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
                .arg("--data-dir")
                .arg(&data_dir)
                .arg("--content")
                .arg(content_dir())
                .env_remove("DATABASE_URL")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )
    };
    let mut child = spawn();
    wait_ready(&mut child, port);
    let (code, body) = get(port, "/cases").expect("the case list");
    assert_eq!(code, 200);
    assert!(body.contains("18 casos"), "{body}");
    let postgres = postmaster_pid(&data_dir).expect("the private cluster runs under the data dir");
    assert!(alive(postgres));

    // SIGTERM: requests finish, the server exits, and PostgreSQL stops with it.
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().expect("wait");
    assert!(status.success(), "ayni exits 0 after SIGTERM, got {status}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while alive(postgres) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!alive(postgres), "the private PostgreSQL outlived ayni");

    // SIGKILL: the kernel's parent-death signal stops PostgreSQL too, and the next start
    // finds the cluster free and keeps the data.
    let mut child = spawn();
    wait_ready(&mut child, port);
    let postgres = postmaster_pid(&data_dir).expect("a new server");
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    let deadline = Instant::now() + Duration::from_secs(30);
    while alive(postgres) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!alive(postgres), "the private PostgreSQL outlived a killed ayni");
    let mut child = spawn();
    wait_ready(&mut child, port);
    let (_, body) = get(port, "/api/v1/cases").expect("the API");
    assert!(body.contains("\"total\":18"), "the seed is loaded once, not twice: {body}");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().expect("wait").success());
}

/// `ayni serve` against a shared database, with its own data dir (and so its own index).
fn serve_on(url: &str, data_dir: &Path, port: u16) -> Server {
    start(
        Command::new(env!("CARGO_BIN_EXE_ayni"))
            .args(["serve", "--database-url", url, "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
}

fn json(port: u16, path: &str) -> serde_json::Value {
    let (_, body) = get(port, path).unwrap_or_default();
    serde_json::from_str(&body).unwrap_or_default()
}

/// Polls until `check` holds for the JSON at `path`, for at most 10 seconds.
fn eventually(port: u16, path: &str, what: &str, check: impl Fn(&serde_json::Value) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = json(port, path);
        if check(&value) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: still {value} after 10 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn applied(port: u16) -> i64 {
    json(port, "/readyz")["search"]["applied_change"].as_i64().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_share_one_database_and_a_killed_one_catches_up() {
    let db = TestDb::new(Template::Seed).await;
    let url = db.url();
    let (dir_a, dir_b) = (scratch_dir("node-a"), scratch_dir("node-b"));
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = serve_on(&url, &dir_a, port_a);
    let mut b = serve_on(&url, &dir_b, port_b);
    wait_ready(&mut a, port_a);
    wait_ready(&mut b, port_b);

    // A change made by another process (here `ayni import`) reaches both indexes.
    let content = tempfile::tempdir().expect("dir");
    std::fs::create_dir(content.path().join("cases")).expect("mkdir");
    std::fs::write(
        content.path().join("cases/caso-compartido.md"),
        "+++\ntitle = \"Mesa de partes quipucamayoc\"\nkind = \"case\"\nregion = \"cusco\"\nthemes = [\"internal-control\"]\nlanguage = \"es\"\nyear = 2025\nsummary = \"Ejemplo ilustrativo.\"\n+++\nCuerpo del caso.\n",
    )
    .expect("write");
    let imported = Command::new(env!("CARGO_BIN_EXE_ayni"))
        .args(["import", &content.path().display().to_string(), "--database-url", &url])
        .output()
        .expect("import");
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    for port in [port_a, port_b] {
        eventually(port, "/api/v1/search?q=quipucamayoc", "the new case is found", |v| v["total"] == 1);
    }

    // Many changes at once, and B killed while it applies them.
    sqlx::query("update cases set summary = summary || ' (revisado)'").execute(&db.pool).await.expect("update");
    sqlx::query(
        "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                            body_html_version, status, provenance, published_at)
         select 'lote-' || n, 'Caso de lote ' || n, 'case', (select id from regions where slug = 'puno'), 'es', 2021,
                'Resumen.', 'Texto del lote número ' || n || ' sobre tesorería.', '', 1, 'published', 'app', now()
         from generate_series(1, 1500) n",
    )
    .execute(&db.pool)
    .await
    .expect("insert many");
    std::thread::sleep(Duration::from_millis(300));
    b.kill().expect("SIGKILL");
    b.wait().expect("wait");
    let latest = db.store().latest_change_id().await.expect("latest");
    let published: i64 = sqlx::query_scalar("select count(*) from cases where status = 'published'")
        .fetch_one(&db.pool)
        .await
        .expect("count");

    let mut b = serve_on(&url, &dir_b, port_b);
    wait_ready(&mut b, port_b);
    for port in [port_a, port_b] {
        eventually(port, "/readyz", "the index catches up", |v| v["search"]["applied_change"].as_i64() >= Some(latest));
        let all = json(port, "/api/v1/search?q=region:peru&per_page=1");
        assert_eq!(all["total"], published, "every published case is indexed once on port {port}");
        assert_eq!(json(port, "/api/v1/search?q=tesorería")["total"], 1500);
        // Cases only: the seed's workshop "revisaron" its agenda.
        assert_eq!(json(port, "/api/v1/search?q=revisado&type=case")["total"], published - 1500);
    }
    assert!(applied(port_b) >= latest);
    for mut child in [a, b] {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        assert!(child.wait().expect("wait").success());
    }
}

/// What an operator sees: an empty `DATABASE_URL=` means "none" (the private cluster runs);
/// a killed postmaster is restarted and the site serves again by itself; the default log
/// holds Ayni's own lines, not tantivy's, and a clean shutdown warns of nothing.
///
/// The restart takes well under a second, which the pool's wait for a connection usually
/// hides: pages in that moment answer 503 or, a little late, 200; never a hang.
#[test]
fn the_private_postgres_is_restarted_and_the_log_is_for_operators() {
    let data_dir = scratch_dir("supervise");
    let port = free_port();
    let log_path = data_dir.join("ayni.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = start(
        Command::new(env!("CARGO_BIN_EXE_ayni"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--content")
            .arg(content_dir())
            .env("DATABASE_URL", "")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(log),
    );
    wait_ready(&mut child, port);
    assert_eq!(get(port, "/cases").map(|(code, _)| code), Some(200));

    let postgres = postmaster_pid(&data_dir).expect("the private cluster runs");
    // SAFETY: kill(2) on the cluster our child started.
    unsafe { libc::kill(postgres, libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(60);
    let restarted = loop {
        let answer = get(port, "/cases").map(|(code, _)| code);
        assert!(matches!(answer, Some(200 | 503)), "while PostgreSQL restarts, pages answer 200 or 503: {answer:?}");
        // Pages may answer from the new server a moment before the supervisor, which checks
        // it is ready first, reports the restart: wait for both.
        let reported = std::fs::read_to_string(&log_path).is_ok_and(|log| log.contains("private PostgreSQL restarted"));
        match postmaster_pid(&data_dir) {
            Some(pid) if pid != postgres && alive(pid) && answer == Some(200) && reported => break pid,
            _ => {}
        }
        assert!(Instant::now() < deadline, "the site did not come back within 60 s after the postmaster died");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(get(port, "/readyz").map(|(code, _)| code), Some(200));

    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().expect("wait").success());
    assert!(!alive(restarted), "the restarted PostgreSQL stops with ayni");
    let log = std::fs::read_to_string(&log_path).expect("read the log");
    assert!(log.contains("exited unexpectedly") && log.contains("private PostgreSQL restarted"), "{log}");
    assert!(log.contains("answered"), "request lines are Ayni's own: {log}");
    for noise in ["tantivy", "committing", "save metas", "Garbage collect", "cannot apply the change log"] {
        assert!(!log.contains(noise), "{noise:?} in the default log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_glossary_edit_reaches_the_search_of_another_process() {
    let db = TestDb::new(Template::Seed).await;
    let dir = scratch_dir("glossary-node");
    let port = free_port();
    let mut server = serve_on(&db.url(), &dir, port);
    wait_ready(&mut server, port);
    let path = "/api/v1/search?q=quipucamayoc";
    assert_eq!(json(port, path)["expansions"], serde_json::json!([]), "no concept has the word yet");
    // Any writer, plain SQL included, logs the change; the server reads the glossary again.
    sqlx::query("update concepts set alt_es = alt_es || '{quipucamayoc}' where slug = 'seace'")
        .execute(&db.pool)
        .await
        .expect("edit");
    eventually(port, path, "the other process expands through the edited concept", |v| {
        v["expansions"][0]["terms"].as_array().is_some_and(|terms| terms.iter().any(|t| t["concept"] == "seace"))
            && v["total"].as_u64() > Some(0)
    });
}
