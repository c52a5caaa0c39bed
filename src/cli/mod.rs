//! The subcommands: `serve` (the default), `migrate`, `import`, `user`, `reindex` and `generate`.

pub mod generate;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::{
    config::{Cli, Command, Config, LogFormat, UserCommand},
    db::{postgres::PrivatePostgresOptions, Database, DbSettings},
    http::{self, AppState},
    search::{self, Search},
    store::{
        import::{ImportError, When},
        Store,
    },
};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("ayni: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line, with its causes, for the operator.
            eprintln!("ayni: {}", format!("{err:#}").trim_end().replace('\n', "\n  "));
            ExitCode::FAILURE
        }
    }
}

/// The default log is for operators: Ayni's own events at info, its dependencies' (tantivy's
/// commits, sqlx's slow-statement notes) only from warn up. `RUST_LOG` overrides it.
pub const DEFAULT_LOG: &str = "warn,ayni=info";

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}

/// Where the configuration says the database is.
fn db_settings(config: &Config) -> DbSettings {
    DbSettings {
        url: config.database_url().map(str::to_string),
        private: PrivatePostgresOptions {
            data_dir: config.data_dir.clone(),
            bin_dir: config.pg_bin_dir.clone(),
            pg_user: config.pg_user.clone(),
            fsync: true,
            max_connections: 100,
        },
        request_timeout: config.request_timeout(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    let db = Database::open(db_settings(&config)).await?;
    let result = async {
        db.migrate().await?;
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(&config, &db).await,
            Command::Migrate => {
                tracing::info!("migrations applied");
                Ok(())
            }
            Command::Import { dir, force } => import(&db, &dir, force).await,
            Command::User(UserCommand::Create { email, name, role, organisation }) => {
                create_user(&db, &email, &name, &role, &organisation).await
            }
            Command::Reindex => reindex(&config, &db).await,
            Command::Generate { cases, comments, seed } => {
                let store = Store::new(db.pool.clone());
                let started = std::time::Instant::now();
                let written = generate::generate(&store, cases, seed).await?;
                println!("wrote {written} synthetic cases in {:.1} s", started.elapsed().as_secs_f64());
                if comments > 0 {
                    let started = std::time::Instant::now();
                    let written = generate::generate_discussions(&store, comments, seed).await?;
                    println!("wrote {written} synthetic comments in {:.1} s", started.elapsed().as_secs_f64());
                }
                Ok(())
            }
        }
    }
    .await;
    let closed = db.close().await;
    result.and(closed)
}

async fn import(db: &Database, dir: &std::path::Path, force: bool) -> anyhow::Result<()> {
    let store = Store::new(db.pool.clone());
    match store.import_dir(dir, When::Always { force }).await {
        Ok(Some(summary)) => {
            println!("{summary}");
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(ImportError::Content(errors)) => {
            for error in &errors.0 {
                eprintln!("{error}");
            }
            anyhow::bail!("{} problem(s) in {}; nothing was written", errors.0.len(), dir.display())
        }
        Err(err) => Err(err.into()),
    }
}

/// `ayni user create`: validates like the sign-up form, then reads the password.
async fn create_user(db: &Database, email: &str, name: &str, role: &str, organisation: &str) -> anyhow::Result<()> {
    use crate::domain::account::{self, AccountDetails, Role};
    let email = account::normalise_email(email);
    let details = AccountDetails {
        email: Some(&email),
        display_name: Some(name),
        organisation: Some(organisation),
        ..AccountDetails::default()
    };
    if let Some(error) = details.check(&[]).first() {
        let flag = match error.field {
            "email" => format!("--email {email:?}"),
            "display_name" => "--name".to_string(),
            _ => "--organisation".to_string(),
        };
        anyhow::bail!("{flag}: {:?}", error.problem);
    }
    let role = Role::parse(role)
        .ok_or_else(|| anyhow::anyhow!("--role {role:?}: use member, editor, facilitator or admin"))?;
    let password = read_password()?;
    let details = AccountDetails { password: Some((&password, &password)), ..AccountDetails::default() };
    if let Some(error) = details.check(&[]).first() {
        anyhow::bail!(
            "the password is not acceptable ({:?}): use {} to {} characters",
            error.problem,
            account::MIN_PASSWORD_CHARS,
            account::MAX_PASSWORD_CHARS
        );
    }
    let hash = crate::auth::password::hash(&password)?;
    let store = Store::new(db.pool.clone());
    let new = crate::store::accounts::NewUser {
        email: &email,
        display_name: name.trim(),
        organisation: organisation.trim(),
        region: None,
        password_hash: &hash,
        role,
        language: crate::domain::Lang::Es,
    };
    let id =
        store.create_account(&new, false).await?.ok_or_else(|| anyhow::anyhow!("{email} already has an account"))?;
    println!("created account {id} for {email} with the role {role}");
    Ok(())
}

/// From a prompt (typed twice, not echoed) or the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing was created");
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Rebuilds the index with a progress bar.
async fn reindex(config: &Config, db: &Database) -> anyhow::Result<()> {
    let store = Store::new(db.pool.clone());
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let dir = config.data_dir.join("search");
    for part in search::Part::ALL {
        bar.set_message(match part {
            search::Part::Documents => "indexing cases and workshops",
            search::Part::Discussions => "indexing discussions",
        });
        bar.reset();
        let started = std::time::Instant::now();
        let (engine, _, change) = search::build_index(&store, &dir, part, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
        bar.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        let documents = engine.documents();
        println!(
            "indexed {documents} documents in {seconds:.1} s ({:.0} per second), up to change {change}, in {}",
            documents as f64 / seconds.max(0.001),
            part.dir(&dir).display()
        );
    }
    Ok(())
}

async fn serve(config: &Config, db: &Database) -> anyhow::Result<()> {
    let store = Store::new(db.pool.clone());
    load_seed(&store, config).await?;
    store.watch_catalog();
    let search = Search::start(store.clone(), config.data_dir.join("search"));
    tokio::spawn(delete_expired(store.clone()));
    crate::outbox::start(store.clone());
    let state = AppState::new(store.clone(), search, config);
    let renderer = state.renderer.clone();
    let app = http::router(state);
    let listener = TcpListener::bind(config.bind).await.with_context(|| format!("cannot listen on {}", config.bind))?;
    tracing::info!("serving on http://{}", config.bind);
    tokio::spawn(rerender_stale(store, renderer));
    // The peer address feeds the sign-in rate limits.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("the server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Bodies stored by an older renderer are rendered again once the site is up, in batches.
async fn rerender_stale(store: Store, renderer: crate::markdown::Renderer) {
    match store.rerender_stale(&renderer).await {
        Ok(0) => {}
        Ok(rendered) => tracing::info!(rendered, "rendered case bodies again with the current renderer"),
        Err(err) => tracing::warn!(error = %format!("{err:#}"), "cannot render stored case bodies again"),
    }
}

/// Ended sessions, old sign-in attempts and expired reset links are deleted hourly (any
/// process may do it; the deletes are idempotent).
async fn delete_expired(store: Store) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match store.delete_expired().await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted expired sessions, attempts and reset links"),
            Err(err) => tracing::warn!(error = %err, "cannot delete expired sessions"),
        }
    }
}

/// On first start against an empty database, loads the content directory (once, even when
/// several processes start together). Later starts leave the database as people left it.
async fn load_seed(store: &Store, config: &Config) -> anyhow::Result<()> {
    if !config.content.is_dir() {
        tracing::warn!(dir = %config.content.display(), "no content directory: nothing to load on first start");
        return Ok(());
    }
    match store.import_dir(&config.content, When::FirstStart).await {
        Ok(Some(summary)) => tracing::info!(%summary, dir = %config.content.display(), "loaded the content directory"),
        Ok(None) => {}
        Err(ImportError::Content(errors)) => {
            for error in &errors.0 {
                tracing::error!("{error}");
            }
            anyhow::bail!("the content directory {} has {} problem(s)", config.content.display(), errors.0.len());
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight then finish before the server stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
