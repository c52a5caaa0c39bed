//! Command-line flags and their environment variables: one struct, so that a flag and its
//! variable can never disagree.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "ayni", version, about = "Ayni: peer learning on public integrity for Peru's regions")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (the default).
    Serve,
    /// Apply the database migrations and stop.
    Migrate,
    /// Rebuild this process's search index from PostgreSQL (stop `serve` first, or it keeps
    /// its own until it restarts).
    Reindex,
    /// Write N synthetic published cases (and discussions), for benchmarks.
    Generate {
        /// How many cases to write.
        #[arg(long, default_value_t = 0)]
        cases: u64,
        /// How many comments to write, in threads on the synthetic cases and free-standing.
        #[arg(long, default_value_t = 0)]
        comments: u64,
        /// Seed of the random choices: the same seed writes the same text.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage accounts from the command line (the first admin, above all).
    #[command(subcommand)]
    User(UserCommand),
    /// Validate a content directory, then write it to the database in one transaction.
    Import {
        /// The content directory (regions.toml, themes.toml, cases/*.md).
        dir: PathBuf,
        /// Overwrite cases that were edited in the app since they were imported.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from a prompt, or from the first line of
    /// standard input when it is not a terminal; never from an argument.
    Create {
        #[arg(long)]
        email: String,
        /// The name others see.
        #[arg(long)]
        name: String,
        /// member, editor, facilitator or admin.
        #[arg(long, default_value = "member")]
        role: String,
        #[arg(long, default_value = "")]
        organisation: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Options shared by every subcommand; `global` lets them stand before or after it.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "AYNI_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// Where Ayni keeps its data (the private PostgreSQL cluster among it).
    #[arg(long, env = "AYNI_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// The content directory loaded on first start.
    #[arg(long, env = "AYNI_CONTENT", default_value = "./content", global = true)]
    pub content: PathBuf,
    /// PostgreSQL to use; without it Ayni runs a private cluster under the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// The address people use to reach the site, for absolute links and secure cookies.
    #[arg(long, env = "AYNI_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Log lines as plain text or JSON.
    #[arg(long, env = "AYNI_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// Folder with PostgreSQL's server binaries (initdb, postgres).
    #[arg(long, env = "AYNI_PG_BIN_DIR", global = true)]
    pub pg_bin_dir: Option<PathBuf>,
    /// System user that runs the private PostgreSQL when Ayni runs as root.
    #[arg(long, env = "AYNI_PG_USER", default_value = "postgres", global = true)]
    pub pg_user: String,
    /// Seconds a request may take before it is answered with 503.
    #[arg(long = "request-timeout", env = "AYNI_REQUEST_TIMEOUT", default_value_t = 30, global = true)]
    pub request_timeout_secs: u64,
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (comma-separated).
    /// Rate limits count per client address; from anyone else the header is ignored.
    #[arg(long = "trusted-proxy", env = "AYNI_TRUSTED_PROXY", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Who runs this installation: named on the about, privacy and contact pages, and as
    /// the controller of personal data (Ley N.° 29733).
    #[arg(long, env = "AYNI_OPERATOR", global = true)]
    pub operator: Option<String>,
    /// Where people write for help, a forgotten password, or their data rights.
    #[arg(long, env = "AYNI_CONTACT_EMAIL", global = true)]
    pub contact_email: Option<String>,
}

/// `DATABASE_URL` from the environment; empty means unset, as most tools read it. The server,
/// the tests and the benchmarks all ask this.
pub fn database_url_from_env() -> Option<String> {
    std::env::var("DATABASE_URL").ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// The database to use, if one was named: an empty `--database-url` or `DATABASE_URL=`
    /// names none.
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref().filter(|v| !v.trim().is_empty())
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }

    /// The public base URL without a trailing slash; defaults to the bind address.
    pub fn public_base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }
}
