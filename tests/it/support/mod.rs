//! The test harness: real PostgreSQL, the real router, no mocks.
//!
//! Without `DATABASE_URL`, one private cluster starts per test binary (fsync off). Two
//! template databases are made once: `empty` (migrated) and `seed` (migrated, with the
//! content directory imported). Each test gets its own `CREATE DATABASE … TEMPLATE` copy.

pub mod browser;
pub mod http;

use std::{path::PathBuf, str::FromStr, time::Duration};

use axum::Router;
use ayni::{
    db::{
        self,
        postgres::{PrivatePostgres, PrivatePostgresOptions},
        MIGRATOR,
    },
    http::{router, AppState},
    search::Search,
    store::{import::When, Store},
};
use sqlx::{
    postgres::{PgConnectOptions, PgPool},
    Connection, Executor, PgConnection,
};
use tokio::sync::OnceCell;

/// The repository's own content directory: the seed library.
pub fn content_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content")
}

pub const SEED_CASES: i64 = 18;

struct Server {
    admin: PgConnectOptions,
    prefix: String,
    _private: Option<PrivatePostgres>,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Empty,
    Seed,
}

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let (admin, private, prefix) = match ayni::config::database_url_from_env() {
                Some(url) => {
                    let options = PgConnectOptions::from_str(&url).expect("DATABASE_URL must be a PostgreSQL URL");
                    // A prefix of our own, so parallel test binaries on one server never collide.
                    (options, None, format!("ayni_it_{}", std::process::id()))
                }
                None => {
                    let private = start_private_cluster(&scratch_dir("cluster")).await;
                    (private.connect_options("postgres"), Some(private), "ayni_it".to_string())
                }
            };
            let server = Server { admin, prefix, _private: private };
            if server._private.is_none() {
                drop_stale_databases(&server).await;
            }
            make_templates(&server).await;
            server
        })
        .await
}

/// A private cluster for the tests, or a message that says what to install.
pub async fn start_private_cluster(data_dir: &std::path::Path) -> PrivatePostgres {
    PrivatePostgres::start(PrivatePostgresOptions {
        data_dir: data_dir.to_path_buf(),
        bin_dir: None,
        pg_user: "postgres".to_string(),
        fsync: false,
        max_connections: 400,
    })
    .await
    .unwrap_or_else(|err| {
        panic!(
            "the tests need PostgreSQL: either PostgreSQL's server binaries (initdb, postgres; \
             Debian: apt-get install postgresql) or DATABASE_URL pointing at a server: {err}"
        )
    })
}

/// A fresh folder under the system's temp dir, kept until the next run cleans it up (the
/// private cluster lives in it until this process exits).
pub fn scratch_dir(what: &str) -> PathBuf {
    let root = std::env::temp_dir();
    remove_stale_scratch(&root);
    let dir = tempfile::Builder::new()
        .prefix(&format!("ayni-it-{}-{what}-", std::process::id()))
        .tempdir_in(&root)
        .expect("cannot make a temporary directory");
    dir.keep()
}

/// Removes the folders of earlier test runs whose process is gone.
fn remove_stale_scratch(root: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("ayni-it-").and_then(|rest| rest.split('-').next()) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !PathBuf::from(format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// On a shared server, the databases of earlier runs whose process is gone (the harness has
/// no end-of-run hook), like the stale scratch folders: `ayni_it_<pid>_…`.
async fn drop_stale_databases(server: &Server) {
    let mut admin = admin_connection(server).await;
    let names: Vec<String> = sqlx::query_scalar("select datname from pg_database where datname like 'ayni\\_it\\_%'")
        .fetch_all(&mut admin)
        .await
        .expect("list the test databases");
    for name in names {
        let Some(pid) = name.strip_prefix("ayni_it_").and_then(|rest| rest.split('_').next()) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !PathBuf::from(format!("/proc/{pid}")).exists() {
            let drop = format!("drop database if exists \"{name}\" with (force)");
            if let Err(err) = admin.execute(drop.as_str()).await {
                eprintln!("could not drop the stale test database {name}: {err}");
            }
        }
    }
}

fn template_name(server: &Server, template: Template) -> String {
    match template {
        Template::Empty => format!("{}_tpl_empty", server.prefix),
        Template::Seed => format!("{}_tpl_seed", server.prefix),
    }
}

async fn admin_connection(server: &Server) -> PgConnection {
    PgConnection::connect_with(&server.admin).await.expect("cannot connect to the test PostgreSQL")
}

async fn make_templates(server: &Server) {
    let mut admin = admin_connection(server).await;
    for template in [Template::Empty, Template::Seed] {
        let name = template_name(server, template);
        admin.execute(format!("drop database if exists \"{name}\"").as_str()).await.expect("drop old template");
    }
    let empty = template_name(server, Template::Empty);
    admin.execute(format!("create database \"{empty}\"").as_str()).await.expect("create template");
    let pool = PgPool::connect_with(server.admin.clone().database(&empty)).await.expect("connect to template");
    MIGRATOR.run(&pool).await.expect("migrations apply to an empty database");
    pool.close().await;
    let seed = template_name(server, Template::Seed);
    create_from_template(&mut admin, &seed, &empty).await;
    let pool = PgPool::connect_with(server.admin.clone().database(&seed)).await.expect("connect to seed");
    Store::new(pool.clone())
        .import_dir(&content_dir(), When::Always { force: false })
        .await
        .expect("the seed content imports");
    pool.close().await;
}

/// `CREATE DATABASE … TEMPLATE`, waiting out a session that is still closing on the template.
async fn create_from_template(admin: &mut PgConnection, name: &str, template: &str) {
    let sql = format!("create database \"{name}\" template \"{template}\"");
    for attempt in 0.. {
        match admin.execute(sql.as_str()).await {
            Ok(_) => return,
            // 55006: the template is still being accessed by other users.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55006") && attempt < 50 => {
                // A pool that closed may leave its last connection behind for a while (seen
                // with the migrator's): nothing uses a template, so end its sessions.
                if attempt >= 10 {
                    sqlx::query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1")
                        .bind(template)
                        .execute(&mut *admin)
                        .await
                        .expect("end sessions on the template");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("cannot create database {name}: {err}"),
        }
    }
}

/// A database of its own for one test, copied from a template.
pub struct TestDb {
    pub pool: PgPool,
    pub options: PgConnectOptions,
}

impl TestDb {
    pub async fn new(template: Template) -> TestDb {
        let server = server().await;
        let name = format!("{}_{}", server.prefix, uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection(server).await;
        create_from_template(&mut admin, &name, &template_name(server, template)).await;
        admin.close().await.ok();
        let options = server.admin.clone().database(&name);
        let pool = db::pool_options()
            .connect_with(db::with_session_settings(options.clone(), Duration::from_secs(10)))
            .await
            .expect("connect to the test database");
        TestDb { pool, options }
    }

    /// A database of its own with no migration applied, for tests of the migrations.
    pub async fn blank() -> TestDb {
        let server = server().await;
        let name = format!("{}_{}", server.prefix, uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection(server).await;
        admin.execute(format!("create database \"{name}\"").as_str()).await.expect("create a blank database");
        admin.close().await.ok();
        let options = server.admin.clone().database(&name);
        let pool = db::pool_options().connect_with(options.clone()).await.expect("connect to the blank database");
        TestDb { pool, options }
    }

    pub fn store(&self) -> Store {
        Store::new(self.pool.clone())
    }

    /// A `postgres://` URL for the binary, over TCP or the Unix socket.
    pub fn url(&self) -> String {
        let o = &self.options;
        let (user, port, database) = (o.get_username(), o.get_port(), o.get_database().unwrap_or_default());
        match o.get_socket() {
            Some(socket) => format!("postgres://{user}@localhost:{port}/{database}?host={}", socket.display()),
            None => format!("postgres://{user}@{}:{port}/{database}", o.get_host()),
        }
    }
}

/// The real router over a test database, with a search index of its own.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
    pub search: Search,
    pub index_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(Template::Seed, Duration::from_secs(10)).await
    }

    pub async fn with(template: Template, request_timeout: Duration) -> TestApp {
        let db = TestDb::new(template).await;
        let index_dir = tempfile::tempdir().expect("index dir");
        let search = Search::start(db.store(), index_dir.path().join("search"));
        let store = db.store();
        store.watch_catalog();
        ayni::outbox::start(store.clone());
        let router = app_router(store, search.clone(), request_timeout);
        let app = TestApp { db, router, search, index_dir };
        app.wait_for_index().await;
        app
    }

    /// Waits until the index reflects every change in the database so far.
    pub async fn wait_for_index(&self) {
        wait_for_index(&self.db, &self.search).await;
    }
}

impl TestApp {
    /// Waits until the outbox worker has fanned out every event written so far.
    pub async fn wait_for_notifications(&self) {
        for _ in 0..200 {
            let pending: i64 = sqlx::query_scalar("select count(*) from events where notified_at is null")
                .fetch_one(&self.db.pool)
                .await
                .expect("pending events");
            if pending == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the outbox worker left events pending for 10 s");
    }
}

pub async fn wait_for_index(db: &TestDb, search: &Search) {
    let target = db.store().latest_change_id().await.expect("latest change");
    assert!(
        search.wait_for(target, Duration::from_secs(10)).await,
        "the index did not reach change {target} within 10 s (it is at {:?})",
        search.applied_change()
    );
}

pub fn app_router(store: Store, search: Search, request_timeout: Duration) -> Router {
    router(AppState {
        store,
        search,
        public_url: "http://ayni.test".into(),
        request_timeout,
        trusted_proxies: Vec::new().into(),
        renderer: Default::default(),
        previews: Default::default(),
        site: Default::default(),
        pages: Default::default(),
    })
}
