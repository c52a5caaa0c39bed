//! Supervisor for a private PostgreSQL cluster, used when no DATABASE_URL is given.
//!
//! Everything lives under `<data_dir>/postgres`. The server listens only on a Unix socket, never
//! on TCP, so it cannot clash with a system PostgreSQL. The Ayni process that starts it owns it
//! and stops it; other Ayni processes on the same data dir (e.g. `ayni import` while `ayni serve`
//! runs) connect as guests. If the owner dies, the kernel's parent-death signal shuts the server
//! down. If the server dies while its owner runs, the owner starts it again, with backoff, and
//! gives up with one log line after repeated failures.

use std::ffi::{CString, OsString};
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::oneshot;
use tracing::{debug, error, info, warn};

/// Only names the socket file: the server never listens on TCP.
const PORT: u16 = 5432;
const SUPERUSER: &str = "ayni";
const DATABASE: &str = "ayni";
/// sun_path holds 108 bytes; keep a margin.
const SOCKET_PATH_MAX: usize = 100;
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const STOP_TIMEOUT: Duration = Duration::from_secs(60);
const QUIT_TIMEOUT: Duration = Duration::from_secs(15);
const LOCK_TIMEOUT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(100);
/// Waits before restarting a server that died: the n-th consecutive failure waits the n-th.
const RESTART_BACKOFF: [Duration; 5] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];
/// A server that ran this long before dying counts as healthy: the failure count starts over.
const HEALTHY_RUN: Duration = Duration::from_secs(60);

/// Clusters owned by a handle in this process: a second handle here must be a guest, although
/// owner.pid holds our own pid.
static OWNED_HERE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

#[derive(Clone)]
pub struct PrivatePostgresOptions {
    /// Ayni's data dir; everything goes under `<data_dir>/postgres`.
    pub data_dir: PathBuf,
    /// `--pg-bin-dir`: where `initdb` and `postgres` are.
    pub bin_dir: Option<PathBuf>,
    /// `--pg-user`: the system user that runs PostgreSQL when Ayni runs as root.
    pub pg_user: String,
    /// False for tests: skips fsync in initdb and the server.
    pub fsync: bool,
    pub max_connections: u32,
}

/// Each message is one line meant for an operator.
#[derive(Debug, thiserror::Error)]
pub enum PrivatePostgresError {
    #[error("PostgreSQL server binaries (initdb, postgres) not found in {0} (given by --pg-bin-dir): pass the folder that holds them, or set DATABASE_URL")]
    BinDir(PathBuf),
    #[error("PostgreSQL server binaries (initdb, postgres) not found: install PostgreSQL's server package (Debian: apt-get install postgresql), pass --pg-bin-dir, or set DATABASE_URL")]
    BinariesNotFound,
    #[error("system user {0:?} to run PostgreSQL (which refuses to run as root) does not exist: create it or pass --pg-user")]
    NoSuchUser(String),
    #[error("PostgreSQL runs as user {user:?}, who cannot enter folder {dir} (mode {mode:o}, owner uid {owner}): allow it (e.g. chmod o+x {dir}) or use another data dir")]
    NotTraversable { user: String, dir: PathBuf, mode: u32, owner: u32 },
    #[error("socket folder {0} is not a folder owned by Ayni or the PostgreSQL user: remove it")]
    BadSocketDir(PathBuf),
    #[error("{0} exists but is not a PostgreSQL cluster: move it away so that Ayni can create one")]
    NotACluster(PathBuf),
    #[error("cannot {action} {path}: {error}")]
    Io { action: &'static str, path: PathBuf, error: io::Error },
    #[error("initdb failed for {cluster} ({status}): {detail}")]
    Initdb { cluster: PathBuf, status: String, detail: String },
    #[error("PostgreSQL exited during startup ({status}); last lines of {log}: {tail}")]
    EarlyExit { status: String, log: PathBuf, tail: String },
    #[error("PostgreSQL did not accept connections on {socket} within {secs} s ({last_error}); see {log}")]
    NotReady { socket: PathBuf, secs: u64, last_error: String, log: PathBuf },
    #[error("cannot create database {DATABASE} in the private PostgreSQL: {0}")]
    CreateDatabase(sqlx::Error),
    #[error("PostgreSQL (pid {pid}) did not stop within {secs} s")]
    StopTimeout { pid: i32, secs: u64 },
    #[error("waited {secs} s for {path}: another Ayni process is starting or stopping PostgreSQL")]
    LockTimeout { path: PathBuf, secs: u64 },
}

type Error = PrivatePostgresError;

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |error| Error::Io { action, path, error }
}

/// A running private server, owned by this handle or (for a guest) by another Ayni process.
pub struct PrivatePostgres {
    socket_dir: PathBuf,
    cluster: PathBuf,
    lock_path: PathBuf,
    owner_file: PathBuf,
    /// The current postmaster's pid (a restart changes it).
    postmaster_pid: Arc<AtomicI32>,
    role: Role,
}

enum Role {
    /// Another Ayni process (or handle) owns the server: leave it running.
    Guest,
    /// We spawned it; a supervising task restarts it when it dies and stops it on request.
    Spawned { stop: oneshot::Sender<()>, supervisor: tokio::task::JoinHandle<Result<(), Error>> },
    /// Left running by a dead owner; we only know its pid.
    Adopted,
}

/// What a restart needs.
struct Relaunch {
    bins: Binaries,
    layout: Layout,
    account: Option<Account>,
    opts: PrivatePostgresOptions,
}

#[derive(Clone)]
struct Binaries {
    initdb: PathBuf,
    postgres: PathBuf,
}

#[derive(Clone)]
struct Account {
    name: String,
    uid: u32,
    gid: u32,
}

#[derive(Clone)]
struct Layout {
    pg_root: PathBuf,
    cluster: PathBuf,
    socket_dir: PathBuf,
    log_path: PathBuf,
    owner_file: PathBuf,
    lock_path: PathBuf,
}

impl PrivatePostgres {
    /// Finds binaries, initialises the cluster if needed, starts it (or reuses a running one),
    /// waits until it accepts connections, and makes sure the database `ayni` exists.
    pub async fn start(opts: PrivatePostgresOptions) -> Result<Self, PrivatePostgresError> {
        let bins = find_binaries(opts.bin_dir.as_deref()).await?;
        // SAFETY: geteuid has no preconditions.
        let account = if unsafe { libc::geteuid() } == 0 {
            let name = opts.pg_user.clone();
            let found = tokio::task::spawn_blocking(move || lookup_user(&name)).await.ok().flatten();
            Some(found.ok_or_else(|| Error::NoSuchUser(opts.pg_user.clone()))?)
        } else {
            None
        };
        let layout = {
            let data_dir = opts.data_dir.clone();
            let account = account.clone();
            tokio::task::spawn_blocking(move || prepare(&data_dir, account.as_ref())).await.map_err(|e| {
                Error::Io { action: "prepare", path: opts.data_dir.clone(), error: io::Error::other(e) }
            })??
        };

        let lock = lock_file(&layout.lock_path).await?;
        let postmaster_pid = Arc::new(AtomicI32::new(0));
        let role = match reuse_running(&layout).await? {
            Some((pid, role)) => {
                postmaster_pid.store(pid, Ordering::SeqCst);
                role
            }
            None => {
                init_cluster(&bins, &layout, account.as_ref(), opts.fsync).await?;
                let (pid, mut exited) = launch(&bins, &layout, account.as_ref(), &opts).await?;
                if let Err(e) = claim_ownership(&layout) {
                    // An unrecorded owner would make the next Ayni adopt a server we still run.
                    let _ = stop_spawned(pid, &mut exited).await;
                    return Err(e);
                }
                postmaster_pid.store(pid, Ordering::SeqCst);
                let (stop, stop_rx) = oneshot::channel();
                let relaunch = Relaunch { bins, layout: layout.clone(), account, opts };
                let supervisor = tokio::spawn(supervise(relaunch, exited, postmaster_pid.clone(), stop_rx));
                Role::Spawned { stop, supervisor }
            }
        };
        drop(lock);

        let this = PrivatePostgres {
            socket_dir: layout.socket_dir,
            cluster: layout.cluster,
            lock_path: layout.lock_path,
            owner_file: layout.owner_file,
            postmaster_pid,
            role,
        };
        if let Err(e) = ensure_database(&this.socket_dir).await {
            if let Err(stop_err) = this.stop().await {
                warn!(error = %stop_err, "could not stop PostgreSQL after a failed start");
            }
            return Err(e);
        }
        Ok(this)
    }

    /// The running postmaster's pid.
    pub fn postmaster_pid(&self) -> i32 {
        self.postmaster_pid.load(Ordering::SeqCst)
    }

    /// Options to connect to `database` over the Unix socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        connect_opts(&self.socket_dir, database)
    }

    /// Fast shutdown (SIGINT to the postmaster) and wait for it to exit, if this process owns
    /// the server; a no-op for a guest.
    pub async fn stop(self) -> Result<(), PrivatePostgresError> {
        let pid = self.postmaster_pid();
        match self.role {
            Role::Guest => {
                debug!(pid, "leaving PostgreSQL running: another Ayni process owns it");
                return Ok(());
            }
            Role::Spawned { stop, supervisor } => {
                info!(pid, "stopping private PostgreSQL");
                // The supervisor stops the server it runs now, under the cluster lock (it may
                // be restarting, or have given up). Taking the lock here first could wait on
                // a restart that waits on this stop.
                let _ = stop.send(());
                supervisor.await.map_err(|e| Error::Io {
                    action: "supervise",
                    path: self.cluster.clone(),
                    error: io::Error::other(e),
                })??;
            }
            Role::Adopted => {
                let _lock = lock_file(&self.lock_path).await?;
                info!(pid, "stopping private PostgreSQL");
                stop_pid(pid, &self.cluster).await?;
            }
        }
        release_ownership(&self.owner_file, &self.cluster);
        info!(pid, "private PostgreSQL stopped");
        Ok(())
    }
}

/// Runs beside a server this process spawned: when it dies, starts it again after a growing
/// wait (under the cluster lock, like a start), and gives up after
/// `RESTART_BACKOFF.len()` failures in a row; on `stop`, stops whichever server runs now.
async fn supervise(
    relaunch: Relaunch,
    mut exited: oneshot::Receiver<ExitStatus>,
    pid: Arc<AtomicI32>,
    mut stop: oneshot::Receiver<()>,
) -> Result<(), Error> {
    let mut failures = 0;
    let mut started = Instant::now();
    loop {
        let status = tokio::select! {
            _ = &mut stop => {
                let _lock = lock_file(&relaunch.layout.lock_path).await?;
                return stop_spawned(pid.load(Ordering::SeqCst), &mut exited).await;
            }
            status = &mut exited => status.map_or_else(|_| "status unknown".to_string(), |s| s.to_string()),
        };
        if started.elapsed() >= HEALTHY_RUN {
            failures = 0;
        }
        warn!(pid = pid.load(Ordering::SeqCst), %status, "private PostgreSQL exited unexpectedly; restarting it");
        loop {
            let Some(wait) = RESTART_BACKOFF.get(failures) else {
                error!(
                    failures,
                    log = %relaunch.layout.log_path.display(),
                    "private PostgreSQL keeps failing; giving up restarting it (pages answer 503): \
                     see its log, then restart Ayni"
                );
                // Nothing more to supervise; wait for the stop request.
                let _ = stop.await;
                return Ok(());
            };
            tokio::select! {
                _ = &mut stop => return Ok(()),
                _ = tokio::time::sleep(*wait) => {}
            }
            failures += 1;
            let lock = tokio::select! {
                _ = &mut stop => return Ok(()),
                lock = lock_file(&relaunch.layout.lock_path) => lock?,
            };
            let relaunched = launch(&relaunch.bins, &relaunch.layout, relaunch.account.as_ref(), &relaunch.opts).await;
            match relaunched {
                // Asked to stop while it was starting: stop it now that it runs.
                Ok((new_pid, mut new_exited))
                    if !matches!(stop.try_recv(), Err(oneshot::error::TryRecvError::Empty)) =>
                {
                    return stop_spawned(new_pid, &mut new_exited).await;
                }
                Ok((new_pid, new_exited)) => {
                    drop(lock);
                    pid.store(new_pid, Ordering::SeqCst);
                    exited = new_exited;
                    started = Instant::now();
                    info!(pid = new_pid, attempt = failures, "private PostgreSQL restarted");
                    break;
                }
                Err(err) => {
                    drop(lock);
                    warn!(error = %err, attempt = failures, "cannot restart private PostgreSQL yet");
                }
            }
        }
    }
}

fn connect_opts(socket_dir: &Path, database: &str) -> PgConnectOptions {
    PgConnectOptions::new_without_pgpass()
        .socket(socket_dir)
        .port(PORT)
        .username(SUPERUSER)
        .database(database)
        .ssl_mode(PgSslMode::Disable)
}

// ---------------------------------------------------------------- binaries

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn binaries_in(dir: &Path) -> Option<Binaries> {
    let initdb = dir.join("initdb");
    let postgres = dir.join("postgres");
    if !(is_executable(&initdb) && is_executable(&postgres)) {
        return None;
    }
    // Resolved paths make the logs name the real installation, not a symlink.
    Some(Binaries {
        initdb: fs::canonicalize(&initdb).unwrap_or(initdb),
        postgres: fs::canonicalize(&postgres).unwrap_or(postgres),
    })
}

async fn find_binaries(bin_dir: Option<&Path>) -> Result<Binaries, Error> {
    if let Some(dir) = bin_dir {
        return binaries_in(dir).ok_or_else(|| Error::BinDir(dir.to_path_buf()));
    }
    if let Some(path) = std::env::var_os("PATH") {
        // Relative entries would depend on the working directory.
        for dir in std::env::split_paths(&path).filter(|d| d.is_absolute()) {
            if let Some(found) = binaries_in(&dir) {
                return Ok(found);
            }
        }
    }
    let pg_config = tokio::process::Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .await;
    if let Ok(out) = pg_config {
        let dir = PathBuf::from(OsString::from_vec(out.stdout.trim_ascii().to_vec()));
        if out.status.success() && dir.is_absolute() {
            if let Some(found) = binaries_in(&dir) {
                return Ok(found);
            }
        }
    }
    for dir in debian_bin_dirs(Path::new("/usr/lib/postgresql")) {
        if let Some(found) = binaries_in(&dir) {
            return Ok(found);
        }
    }
    Err(Error::BinariesNotFound)
}

/// `<root>/<version>/bin`, highest numeric version first.
fn debian_bin_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name();
            let version =
                name.to_str()?.split('.').map(|part| part.parse::<u32>().ok()).collect::<Option<Vec<u32>>>()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

// ---------------------------------------------------------------- layout and permissions

fn lookup_user(name: &str) -> Option<Account> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0 as libc::c_char; 1024];
    loop {
        // SAFETY: passwd is plain data; getpwnam_r fills it with pointers into `buf`.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the given lengths for the duration of the call.
        let rc = unsafe { libc::getpwnam_r(cname.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() {
            return None;
        }
        return Some(Account { name: name.to_string(), uid: pwd.pw_uid, gid: pwd.pw_gid });
    }
}

/// A stable hash (unlike std's DefaultHasher), so every Ayni version finds the same socket dir.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn socket_file(socket_dir: &Path) -> PathBuf {
    socket_dir.join(format!(".s.PGSQL.{PORT}"))
}

fn mkdir_private(path: &Path) -> Result<(), Error> {
    match DirBuilder::new().mode(0o700).create(path) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(io_err("create folder", path)(e)),
        _ => Ok(()),
    }
}

/// Creates the layout and, as root, hands it to the PostgreSQL user.
fn prepare(data_dir: &Path, account: Option<&Account>) -> Result<Layout, Error> {
    fs::create_dir_all(data_dir).map_err(io_err("create folder", data_dir))?;
    let data_dir = fs::canonicalize(data_dir).map_err(io_err("resolve", data_dir))?;
    let pg_root = data_dir.join("postgres");
    mkdir_private(&pg_root)?;
    let log_path = pg_root.join("postgres.log");
    // Created now so that the ownership pass below covers it.
    OpenOptions::new().create(true).append(true).open(&log_path).map_err(io_err("open", &log_path))?;

    let mut socket_dir = pg_root.join("socket");
    let in_tmp = socket_file(&socket_dir).as_os_str().len() > SOCKET_PATH_MAX;
    if in_tmp {
        let hash = fnv1a64(data_dir.as_os_str().as_bytes());
        socket_dir = PathBuf::from(format!("/tmp/ayni-pg-{hash:016x}"));
        prepare_tmp_socket_dir(&socket_dir, account)?;
    } else {
        mkdir_private(&socket_dir)?;
    }

    let cluster = pg_root.join("cluster");
    if let Some(account) = account {
        let changed = chown_tree(&pg_root, account.uid, account.gid).map_err(io_err("change owner of", &pg_root))?;
        if changed > 0 {
            info!(
                path = %pg_root.display(),
                user = %account.name,
                entries = changed,
                "gave PostgreSQL's files to the user that runs it (Ayni runs as root)"
            );
        }
        let meta = fs::metadata(&data_dir).map_err(io_err("read", &data_dir))?;
        if !can_search(&meta, account) {
            let mode = (meta.mode() | 0o001) & 0o7777;
            fs::set_permissions(&data_dir, fs::Permissions::from_mode(mode))
                .map_err(io_err("change mode of", &data_dir))?;
            info!(
                path = %data_dir.display(),
                mode = format!("{mode:o}"),
                "let others traverse the data dir so that PostgreSQL can reach its cluster"
            );
        }
        for dir in pg_root.ancestors() {
            let meta = fs::metadata(dir).map_err(io_err("read", dir))?;
            // A folder of root's own (such as a fresh 0700 temp dir holding a clone) only
            // needs the search bit; only search, never read, is granted.
            if !can_search(&meta, account) && meta.uid() == 0 {
                let mode = (meta.mode() | 0o001) & 0o7777;
                fs::set_permissions(dir, fs::Permissions::from_mode(mode)).map_err(io_err("change mode of", dir))?;
                info!(
                    path = %dir.display(),
                    mode = format!("{mode:o}"),
                    "let others traverse a parent folder so that PostgreSQL can reach its cluster"
                );
                continue;
            }
            if !can_search(&meta, account) {
                return Err(Error::NotTraversable {
                    user: account.name.clone(),
                    dir: dir.to_path_buf(),
                    mode: meta.mode() & 0o7777,
                    owner: meta.uid(),
                });
            }
        }
    }
    if let Ok(meta) = fs::metadata(&cluster) {
        let mode = meta.mode() & 0o777;
        // PostgreSQL refuses a data directory that others can read.
        if meta.is_dir() && mode != 0o700 && mode != 0o750 {
            fs::set_permissions(&cluster, fs::Permissions::from_mode(0o700))
                .map_err(io_err("change mode of", &cluster))?;
            info!(path = %cluster.display(), "set the cluster's mode to 0700");
        }
    }
    Ok(Layout {
        owner_file: pg_root.join("owner.pid"),
        lock_path: pg_root.join("supervisor.lock"),
        pg_root,
        cluster,
        socket_dir,
        log_path,
    })
}

fn prepare_tmp_socket_dir(dir: &Path, account: Option<&Account>) -> Result<(), Error> {
    mkdir_private(dir)?;
    let meta = fs::symlink_metadata(dir).map_err(io_err("read", dir))?;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let trusted = account.map_or(me, |a| a.uid);
    // Anyone can create folders in /tmp: never use one a stranger prepared.
    if !meta.is_dir() || (meta.uid() != me && meta.uid() != trusted) {
        return Err(Error::BadSocketDir(dir.to_path_buf()));
    }
    if let Some(account) = account {
        if meta.uid() != account.uid || meta.gid() != account.gid {
            std::os::unix::fs::lchown(dir, Some(account.uid), Some(account.gid))
                .map_err(io_err("change owner of", dir))?;
            info!(path = %dir.display(), user = %account.name, "gave the socket folder to the user that runs PostgreSQL");
        }
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err("change mode of", dir))?;
    }
    Ok(())
}

/// Returns how many entries changed owner.
fn chown_tree(path: &Path, uid: u32, gid: u32) -> io::Result<usize> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        // A running server may remove files while we walk.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut changed = 0;
    if meta.uid() != uid || meta.gid() != gid {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))?;
        changed += 1;
    }
    if meta.is_dir() {
        for entry in fs::read_dir(path)? {
            changed += chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(changed)
}

/// Search permission as the kernel decides it for a process with only this uid and primary gid
/// (std drops supplementary groups when it changes uid).
fn can_search(meta: &fs::Metadata, account: &Account) -> bool {
    let bit = if meta.uid() == account.uid {
        0o100
    } else if meta.gid() == account.gid {
        0o010
    } else {
        0o001
    };
    meta.mode() & bit != 0
}

// ---------------------------------------------------------------- processes

/// Running and not a zombie. /proc is readable for every process, unlike what kill(0) needs.
fn is_running(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name, which may itself contain ')'.
    match stat.rfind(')') {
        Some(i) => !matches!(stat[i + 1..].trim_start().chars().next(), Some('Z' | 'X')),
        None => false,
    }
}

/// A postmaster works in its data directory: this tells ours from a process that reused the pid
/// (such as the system PostgreSQL after a reboot).
fn is_our_postmaster(pid: i32, cluster: &Path) -> bool {
    if !is_running(pid) {
        return false;
    }
    let Ok(cwd) = fs::read_link(format!("/proc/{pid}/cwd")) else {
        return false;
    };
    let cluster = fs::canonicalize(cluster).unwrap_or_else(|_| cluster.to_path_buf());
    cwd == cluster
}

fn read_pid(path: &Path) -> Option<i32> {
    let text = fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn signal(pid: i32, sig: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, sig);
    }
}

async fn stop_spawned(pid: i32, exited: &mut oneshot::Receiver<ExitStatus>) -> Result<(), Error> {
    // Once the supervising thread has reaped it, the pid may belong to someone else.
    if !matches!(exited.try_recv(), Err(oneshot::error::TryRecvError::Empty)) {
        return Ok(());
    }
    signal(pid, libc::SIGINT);
    if tokio::time::timeout(STOP_TIMEOUT, &mut *exited).await.is_ok() {
        return Ok(());
    }
    warn!(pid, "PostgreSQL ignored the fast shutdown request; sending SIGQUIT");
    signal(pid, libc::SIGQUIT);
    if tokio::time::timeout(QUIT_TIMEOUT, &mut *exited).await.is_ok() {
        return Ok(());
    }
    Err(Error::StopTimeout { pid, secs: (STOP_TIMEOUT + QUIT_TIMEOUT).as_secs() })
}

/// Stops a postmaster that is not our child, so we can only poll for it.
async fn stop_pid(pid: i32, cluster: &Path) -> Result<(), Error> {
    for (sig, within) in [(libc::SIGINT, STOP_TIMEOUT), (libc::SIGQUIT, QUIT_TIMEOUT)] {
        if !is_our_postmaster(pid, cluster) {
            return Ok(());
        }
        if sig == libc::SIGQUIT {
            warn!(pid, "PostgreSQL ignored the fast shutdown request; sending SIGQUIT");
        }
        signal(pid, sig);
        // A stopped (SIGSTOP) server would never act on the request.
        signal(pid, libc::SIGCONT);
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if !is_our_postmaster(pid, cluster) {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }
    if !is_our_postmaster(pid, cluster) {
        return Ok(());
    }
    Err(Error::StopTimeout { pid, secs: (STOP_TIMEOUT + QUIT_TIMEOUT).as_secs() })
}

/// Serialises start and stop across Ayni processes; released when the file is dropped.
async fn lock_file(path: &Path) -> Result<fs::File, Error> {
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(io_err("open", path))?;
    let deadline = Instant::now() + LOCK_TIMEOUT;
    loop {
        // SAFETY: the descriptor is valid while `file` lives.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(file);
        }
        let err = io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::EWOULDBLOCK | libc::EINTR)) {
            return Err(io_err("lock", path)(err));
        }
        if Instant::now() >= deadline {
            return Err(Error::LockTimeout { path: path.to_path_buf(), secs: LOCK_TIMEOUT.as_secs() });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Tries to connect until `within` has passed; returns the last error on failure.
async fn probe(opts: &PgConnectOptions, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(opts)).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                return Ok(());
            }
            Ok(Err(e)) => {
                if Instant::now() >= deadline {
                    return Err(e.to_string());
                }
            }
            Err(_) => {
                if Instant::now() >= deadline {
                    return Err("connection attempt timed out".into());
                }
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

// ---------------------------------------------------------------- reuse and ownership

/// Reuses a server already running on our cluster, or clears the way for starting ours.
async fn reuse_running(layout: &Layout) -> Result<Option<(i32, Role)>, Error> {
    let Some(pid) = read_pid(&layout.cluster.join("postmaster.pid")) else {
        return Ok(None);
    };
    if !is_our_postmaster(pid, &layout.cluster) {
        // Stale pid file: postgres itself copes with it.
        return Ok(None);
    }
    let opts = connect_opts(&layout.socket_dir, "postgres");
    if let Err(e) = probe(&opts, PROBE_TIMEOUT).await {
        warn!(pid, error = %e, "a PostgreSQL server runs on our cluster but does not answer; stopping it");
        stop_pid(pid, &layout.cluster).await?;
        return Ok(None);
    }
    let me = std::process::id() as i32;
    let owner = read_pid(&layout.owner_file).filter(|&owner| is_running(owner));
    let guest = match owner {
        Some(owner) if owner == me => owned_here(&layout.cluster),
        Some(_) => true,
        None => false,
    };
    if guest {
        info!(pid, owner = ?owner, socket = %layout.socket_dir.display(), "connecting to the private PostgreSQL run by another Ayni process");
        return Ok(Some((pid, Role::Guest)));
    }
    info!(pid, socket = %layout.socket_dir.display(), "adopting the private PostgreSQL left running by an Ayni process that is gone");
    claim_ownership(layout)?;
    Ok(Some((pid, Role::Adopted)))
}

fn owned_here(cluster: &Path) -> bool {
    OWNED_HERE.lock().map(|owned| owned.iter().any(|c| c == cluster)).unwrap_or(false)
}

fn claim_ownership(layout: &Layout) -> Result<(), Error> {
    fs::write(&layout.owner_file, format!("{}\n", std::process::id())).map_err(io_err("write", &layout.owner_file))?;
    if let Ok(mut owned) = OWNED_HERE.lock() {
        owned.push(layout.cluster.clone());
    }
    Ok(())
}

fn release_ownership(owner_file: &Path, cluster: &Path) {
    if let Ok(mut owned) = OWNED_HERE.lock() {
        if let Some(i) = owned.iter().position(|c| c == cluster) {
            owned.remove(i);
        }
    }
    if read_pid(owner_file) == Some(std::process::id() as i32) {
        let _ = fs::remove_file(owner_file);
    }
}

// ---------------------------------------------------------------- initdb and launch

async fn init_cluster(bins: &Binaries, layout: &Layout, account: Option<&Account>, fsync: bool) -> Result<(), Error> {
    let cluster = &layout.cluster;
    if cluster.join("PG_VERSION").exists() {
        return Ok(());
    }
    if cluster.exists() {
        let empty = fs::read_dir(cluster).map(|mut entries| entries.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(Error::NotACluster(cluster.clone()));
        }
        fs::remove_dir(cluster).map_err(io_err("remove", cluster))?;
    }
    // initdb works in a side folder renamed at the end, so an interrupted run leaves no
    // half-made cluster behind.
    let staging = layout.pg_root.join("cluster.initdb");
    for locale in ["C.UTF-8", "C"] {
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_err("remove", &staging))?;
        }
        info!(
            cluster = %cluster.display(),
            initdb = %bins.initdb.display(),
            locale,
            user = account.map(|a| a.name.as_str()),
            "initialising the private PostgreSQL cluster"
        );
        let mut cmd = tokio::process::Command::new(&bins.initdb);
        cmd.arg("-D")
            .arg(&staging)
            .arg(format!("--username={SUPERUSER}"))
            .args(["--auth=trust", "--encoding=UTF8"])
            .arg(format!("--locale={locale}"))
            .current_dir(&layout.pg_root)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        if !fsync {
            cmd.arg("--no-sync");
        }
        if let Some(account) = account {
            cmd.uid(account.uid).gid(account.gid);
        }
        let out = cmd.output().await.map_err(io_err("run", &bins.initdb))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        append_log(&layout.log_path, &format!("--- Ayni runs initdb (locale {locale})\n{text}"));
        if out.status.success() {
            fs::rename(&staging, cluster).map_err(io_err("rename", &staging))?;
            info!(cluster = %cluster.display(), "private PostgreSQL cluster initialised");
            return Ok(());
        }
        if locale != "C" && text.contains("locale") {
            warn!(locale, "initdb rejected the locale; retrying with locale C");
            continue;
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(Error::Initdb {
            cluster: cluster.clone(),
            status: out.status.to_string(),
            detail: last_lines(&text, 5),
        });
    }
    Err(Error::Initdb {
        cluster: cluster.clone(),
        status: "locale".into(),
        detail: "neither locale C.UTF-8 nor C was accepted".into(),
    })
}

fn append_log(path: &Path, text: &str) {
    if let Ok(mut file) = OpenOptions::new().append(true).open(path) {
        let _ = file.write_all(text.as_bytes());
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// Written to the log before each start, so that an error quotes only that start's lines.
const START_MARKER: &str = "--- Ayni starts PostgreSQL";

/// The last lines of a possibly large log since the last start, on one line.
fn log_tail(path: &Path, n: usize) -> String {
    let Ok(mut file) = fs::File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(16 * 1024)));
    let mut buf = Vec::new();
    let _ = file.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let since_start = text.rsplit(START_MARKER).next().unwrap_or_default();
    last_lines(since_start, n)
}

/// Starts the postmaster and waits until it accepts connections; retries once after removing
/// lock files that postgres refused although no server of ours holds them.
async fn launch(
    bins: &Binaries,
    layout: &Layout,
    account: Option<&Account>,
    opts: &PrivatePostgresOptions,
) -> Result<(i32, oneshot::Receiver<ExitStatus>), Error> {
    let mut retried = false;
    loop {
        let (pid, mut exited) = spawn_postmaster(bins, layout, account, opts).await?;
        match wait_ready(layout, &mut exited).await {
            Ok(()) => {
                info!(pid, socket = %layout.socket_dir.display(), "private PostgreSQL is ready");
                return Ok((pid, exited));
            }
            Err(ReadyError::Exited(status)) => {
                let tail = log_tail(&layout.log_path, 6);
                if !retried && tail.contains("lock file") && remove_stale_locks(layout) {
                    retried = true;
                    continue;
                }
                return Err(Error::EarlyExit { status, log: layout.log_path.clone(), tail });
            }
            Err(ReadyError::Timeout(last_error)) => {
                if let Err(e) = stop_spawned(pid, &mut exited).await {
                    warn!(error = %e, "could not stop the PostgreSQL that failed to start");
                }
                return Err(Error::NotReady {
                    socket: socket_file(&layout.socket_dir),
                    secs: READY_TIMEOUT.as_secs(),
                    last_error,
                    log: layout.log_path.clone(),
                });
            }
        }
    }
}

fn remove_stale_locks(layout: &Layout) -> bool {
    let mut removed = false;
    let socket_lock = layout.socket_dir.join(format!(".s.PGSQL.{PORT}.lock"));
    for path in [layout.cluster.join("postmaster.pid"), socket_lock] {
        let stale = read_pid(&path).is_some_and(|pid| !is_our_postmaster(pid, &layout.cluster));
        if stale && fs::remove_file(&path).is_ok() {
            warn!(path = %path.display(), "removed a stale lock file that PostgreSQL refused");
            removed = true;
        }
    }
    removed
}

enum ReadyError {
    Exited(String),
    Timeout(String),
}

async fn wait_ready(layout: &Layout, exited: &mut oneshot::Receiver<ExitStatus>) -> Result<(), ReadyError> {
    let opts = connect_opts(&layout.socket_dir, "postgres");
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        match exited.try_recv() {
            Ok(status) => return Err(ReadyError::Exited(status.to_string())),
            Err(oneshot::error::TryRecvError::Closed) => return Err(ReadyError::Exited("status unknown".into())),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        match probe(&opts, Duration::ZERO).await {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() >= deadline => return Err(ReadyError::Timeout(e)),
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// `name="value"` with the quoting of PostgreSQL's directory lists, so commas and spaces in the
/// path are safe.
fn quoted_setting(name: &str, path: &Path) -> OsString {
    let mut bytes = format!("{name}=\"").into_bytes();
    for &b in path.as_os_str().as_bytes() {
        if b == b'"' {
            bytes.push(b'"');
        }
        bytes.push(b);
    }
    bytes.push(b'"');
    OsString::from_vec(bytes)
}

async fn spawn_postmaster(
    bins: &Binaries,
    layout: &Layout,
    account: Option<&Account>,
    opts: &PrivatePostgresOptions,
) -> Result<(i32, oneshot::Receiver<ExitStatus>), Error> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&layout.log_path)
        .map_err(io_err("open", &layout.log_path))?;
    let log_err = log.try_clone().map_err(io_err("open", &layout.log_path))?;
    append_log(&layout.log_path, &format!("{START_MARKER}\n"));

    let on_off = if opts.fsync { "on" } else { "off" };
    let mut cmd = std::process::Command::new(&bins.postgres);
    cmd.arg("-D")
        .arg(&layout.cluster)
        .args(["-c", "listen_addresses="])
        // Explicit so that PGPORT in our environment cannot rename the socket.
        .args(["-c", &format!("port={PORT}")])
        .arg("-c")
        .arg(quoted_setting("unix_socket_directories", &layout.socket_dir))
        .args(["-c", "unix_socket_permissions=0700"])
        .args(["-c", &format!("max_connections={}", opts.max_connections)])
        .args(["-c", &format!("fsync={on_off}")]);
    if !opts.fsync {
        cmd.args(["-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
    }
    cmd.current_dir(&layout.cluster).stdin(Stdio::null()).stdout(log).stderr(log_err);
    if let Some(account) = account {
        cmd.uid(account.uid).gid(account.gid);
    }
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure only makes async-signal-safe calls and does not allocate.
    unsafe {
        cmd.pre_exec(move || {
            // Own session: a Ctrl-C on Ayni's terminal must not reach postgres; Ayni stops it.
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            // After the uid change, which would clear it: if the supervising thread (and so
            // Ayni) dies, even by SIGKILL, the server gets a fast shutdown.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) == -1 {
                return Err(io::Error::last_os_error());
            }
            // Ayni may have died before prctl took effect.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }

    info!(
        postgres = %bins.postgres.display(),
        cluster = %layout.cluster.display(),
        socket = %layout.socket_dir.display(),
        log = %layout.log_path.display(),
        user = account.map(|a| a.name.as_str()),
        "starting private PostgreSQL (Unix socket only)"
    );
    let (started_tx, started_rx) = oneshot::channel::<io::Result<u32>>();
    let (exit_tx, exit_rx) = oneshot::channel::<ExitStatus>();
    std::thread::Builder::new()
        .name("ayni-postgres".into())
        .spawn(move || {
            let mut child = match cmd.spawn() {
                Ok(child) => child,
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                    return;
                }
            };
            let _ = started_tx.send(Ok(child.id()));
            // PDEATHSIG fires when the thread that spawned the server ends, so this thread
            // lives exactly as long as the server.
            match child.wait() {
                Ok(status) => {
                    if !status.success() {
                        warn!(%status, "private PostgreSQL exited");
                    }
                    let _ = exit_tx.send(status);
                }
                Err(e) => warn!(error = %e, "lost track of the private PostgreSQL"),
            }
        })
        .map_err(io_err("start a thread for", &bins.postgres))?;
    let pid = started_rx
        .await
        .map_err(|_| io_err("start", &bins.postgres)(io::Error::other("spawning thread died")))?
        .map_err(io_err("start", &bins.postgres))?;
    Ok((pid as i32, exit_rx))
}

async fn ensure_database(socket_dir: &Path) -> Result<(), Error> {
    let mut conn =
        PgConnection::connect_with(&connect_opts(socket_dir, "postgres")).await.map_err(Error::CreateDatabase)?;
    let exists: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
        .bind(DATABASE)
        .fetch_one(&mut conn)
        .await
        .map_err(Error::CreateDatabase)?;
    if !exists {
        match conn.execute(format!("CREATE DATABASE {DATABASE}").as_str()).await {
            Ok(_) => info!(database = DATABASE, "created database"),
            // Another Ayni process created it meanwhile.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(Error::CreateDatabase(e)),
        }
    }
    let _ = conn.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    fn options(dir: &Path) -> PrivatePostgresOptions {
        PrivatePostgresOptions {
            data_dir: dir.to_path_buf(),
            bin_dir: None,
            pg_user: "postgres".into(),
            fsync: false,
            max_connections: 20,
        }
    }

    async fn query_i64(pg: &PrivatePostgres, sql: &str) -> i64 {
        let mut conn = PgConnection::connect_with(&pg.connect_options("ayni")).await.unwrap();
        let value: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        value
    }

    #[tokio::test]
    async fn starts_serves_and_stops() {
        let tmp = TempDir::new().unwrap();
        let pg = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert!(matches!(pg.role, Role::Spawned { .. }));
        assert_eq!(query_i64(&pg, "select 1::int8").await, 1);
        let pid = pg.postmaster_pid();
        let socket = socket_file(&pg.socket_dir);
        assert!(socket.exists());
        let cluster = pg.cluster.clone();
        pg.stop().await.unwrap();
        assert!(!is_running(pid));
        assert!(!socket.exists());
        assert!(!cluster.join("postmaster.pid").exists());
        assert!(!tmp.path().join("postgres/owner.pid").exists());
    }

    #[tokio::test]
    async fn restart_reuses_the_cluster() {
        let tmp = TempDir::new().unwrap();
        let pg = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        let mut conn = PgConnection::connect_with(&pg.connect_options("ayni")).await.unwrap();
        conn.execute("create table kept (x int8); insert into kept values (42)").await.unwrap();
        conn.close().await.unwrap();
        let version = fs::metadata(pg.cluster.join("PG_VERSION")).unwrap().modified().unwrap();
        pg.stop().await.unwrap();

        let pg = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert_eq!(query_i64(&pg, "select x from kept").await, 42);
        let again = fs::metadata(pg.cluster.join("PG_VERSION")).unwrap().modified().unwrap();
        assert_eq!(version, again, "initdb ran again");
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn second_start_is_a_guest() {
        let tmp = TempDir::new().unwrap();
        let owner = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        let guest = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert!(matches!(guest.role, Role::Guest));
        assert_eq!(guest.postmaster_pid(), owner.postmaster_pid());
        assert_eq!(query_i64(&guest, "select 2::int8").await, 2);
        let pid = owner.postmaster_pid();
        guest.stop().await.unwrap();
        assert!(is_running(pid));
        assert_eq!(query_i64(&owner, "select 3::int8").await, 3);
        owner.stop().await.unwrap();
        assert!(!is_running(pid));
    }

    #[tokio::test]
    async fn adopts_a_server_whose_owner_died() {
        let tmp = TempDir::new().unwrap();
        let first = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        // The pid of a reaped child stands for an Ayni process that is gone.
        let dead = std::process::Command::new("true").spawn().unwrap();
        let dead_pid = dead.id();
        let _ = dead.wait_with_output().unwrap();
        fs::write(&first.owner_file, format!("{dead_pid}\n")).unwrap();

        let adopter = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert!(matches!(adopter.role, Role::Adopted));
        let pid = adopter.postmaster_pid();
        assert_eq!(query_i64(&adopter, "select 4::int8").await, 4);
        adopter.stop().await.unwrap();
        assert!(!is_running(pid));
        first.stop().await.unwrap();
    }

    #[tokio::test]
    async fn unresponsive_server_is_replaced() {
        let tmp = TempDir::new().unwrap();
        let hung = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        signal(hung.postmaster_pid(), libc::SIGSTOP);
        let fresh = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert!(matches!(fresh.role, Role::Spawned { .. }));
        assert_ne!(fresh.postmaster_pid(), hung.postmaster_pid());
        assert!(!is_running(hung.postmaster_pid()));
        assert_eq!(query_i64(&fresh, "select 6::int8").await, 6);
        hung.stop().await.unwrap();
        fresh.stop().await.unwrap();
    }

    #[tokio::test]
    async fn stale_pid_files_do_not_block_a_start() {
        let tmp = TempDir::new().unwrap();
        let pg = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        let pid_file = pg.cluster.join("postmaster.pid");
        let content = fs::read_to_string(&pid_file).unwrap();
        let old_pid = pg.postmaster_pid();
        pg.stop().await.unwrap();

        // A dead pid: postgres itself ignores the file.
        fs::write(&pid_file, &content).unwrap();
        let pg = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert!(matches!(pg.role, Role::Spawned { .. }));
        pg.stop().await.unwrap();

        // A live process of the server's user that is not postgres: postgres refuses the file.
        let mut sleeper = std::process::Command::new("sleep");
        sleeper.arg("60");
        if unsafe { libc::geteuid() } == 0 {
            let account = lookup_user("postgres").unwrap();
            sleeper.uid(account.uid).gid(account.gid);
        }
        let mut sleeper = sleeper.spawn().unwrap();
        let faked = content.replacen(&old_pid.to_string(), &sleeper.id().to_string(), 1);
        fs::write(&pid_file, faked).unwrap();
        let started = PrivatePostgres::start(options(tmp.path())).await;
        let _ = sleeper.kill();
        let _ = sleeper.wait();
        let pg = started.unwrap();
        assert_eq!(query_i64(&pg, "select 7::int8").await, 7);
        pg.stop().await.unwrap();
        let log = fs::read_to_string(tmp.path().join("postgres/postgres.log")).unwrap();
        assert!(log.contains("lock file \"postmaster.pid\" already exists"));
    }

    #[tokio::test]
    async fn early_exit_reports_the_log() {
        let tmp = TempDir::new().unwrap();
        let mut opts = options(tmp.path());
        opts.max_connections = 0;
        let err = PrivatePostgres::start(opts).await.err().unwrap();
        assert!(matches!(err, Error::EarlyExit { .. }), "{err}");
        let message = err.to_string();
        assert!(message.contains("max_connections"), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }

    #[tokio::test]
    async fn bogus_bin_dir_is_named() {
        let tmp = TempDir::new().unwrap();
        let bogus = tmp.path().join("no-such-bin");
        let mut opts = options(tmp.path());
        opts.bin_dir = Some(bogus.clone());
        let err = PrivatePostgres::start(opts).await.err().unwrap();
        assert!(matches!(err, Error::BinDir(_)));
        let message = err.to_string();
        assert!(message.contains(bogus.to_str().unwrap()), "{message}");
        assert!(!message.contains('\n'));
    }

    #[tokio::test]
    async fn long_data_dir_puts_the_socket_in_tmp() {
        let tmp = tempfile::Builder::new().prefix(&"ayni-long-path-".repeat(8)).tempdir().unwrap();
        assert!(tmp.path().as_os_str().len() > 100);
        let pg = PrivatePostgres::start(options(tmp.path())).await.unwrap();
        assert!(pg.socket_dir.starts_with("/tmp"));
        assert!(pg.socket_dir.to_string_lossy().starts_with("/tmp/ayni-pg-"));
        assert_eq!(query_i64(&pg, "select 5::int8").await, 5);
        let socket_dir = pg.socket_dir.clone();
        pg.stop().await.unwrap();
        let _ = fs::remove_dir_all(socket_dir);
    }

    #[tokio::test]
    async fn root_reports_a_folder_postgres_cannot_enter() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("this test checks what Ayni does as root; run the tests as root to exercise it");
            return;
        }
        let tmp = TempDir::new().unwrap();
        // A folder of another user, closed to others: Ayni names it and changes nothing.
        let closed = tmp.path().join("closed");
        fs::create_dir(&closed).unwrap();
        std::os::unix::fs::chown(&closed, Some(65534), Some(65534)).unwrap();
        fs::set_permissions(&closed, fs::Permissions::from_mode(0o700)).unwrap();
        let err = PrivatePostgres::start(options(&closed.join("data"))).await.err().unwrap();
        assert_eq!(fs::metadata(&closed).unwrap().mode() & 0o777, 0o700);
        assert!(matches!(err, Error::NotTraversable { .. }), "{err}");
        let closed = fs::canonicalize(&closed).unwrap();
        assert!(err.to_string().contains(closed.to_str().unwrap()), "{err}");
    }

    #[tokio::test]
    async fn root_opens_its_own_closed_parent_for_search_only() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("this test checks what Ayni does as root; run the tests as root to exercise it");
            return;
        }
        let tmp = TempDir::new().unwrap();
        let parent = tmp.path().join("clone");
        fs::create_dir(&parent).unwrap();
        fs::set_permissions(&parent, fs::Permissions::from_mode(0o700)).unwrap();
        let pg = PrivatePostgres::start(options(&parent.join("data"))).await.unwrap();
        assert_eq!(fs::metadata(&parent).unwrap().mode() & 0o777, 0o701);
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn missing_pg_user_is_reported_as_root() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("this test checks what Ayni does as root; run the tests as root to exercise it");
            return;
        }
        let tmp = TempDir::new().unwrap();
        let mut opts = options(tmp.path());
        opts.pg_user = "ayni-no-such-user".into();
        let err = PrivatePostgres::start(opts).await.err().unwrap();
        assert!(matches!(err, Error::NoSuchUser(_)), "{err}");
        assert!(err.to_string().contains("--pg-user"));
    }

    #[test]
    fn debian_versions_sort_highest_first() {
        let tmp = TempDir::new().unwrap();
        for v in ["9.6", "15", "13", "notaversion"] {
            fs::create_dir_all(tmp.path().join(v).join("bin")).unwrap();
        }
        let dirs = debian_bin_dirs(tmp.path());
        let names: Vec<_> = dirs.iter().map(|d| d.parent().unwrap().file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["15", "13", "9.6"]);
    }

    #[test]
    fn socket_setting_is_quoted() {
        let s = quoted_setting("unix_socket_directories", Path::new("/a b,\"c"));
        assert_eq!(s, OsString::from("unix_socket_directories=\"/a b,\"\"c\""));
    }
}
