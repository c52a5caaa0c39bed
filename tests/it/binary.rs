//! The README's promise, end to end: `ayni` with no database URL runs its own PostgreSQL,
//! loads the seed, serves, and stops cleanly on SIGTERM.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::support::{content_dir, scratch_dir};

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
        Command::new(env!("CARGO_BIN_EXE_ayni"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--content")
            .arg(content_dir())
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ayni")
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
