//! Ayni: a peer-learning library of public-integrity cases from Peru's regions.
//!
//! The modules form a one-way stack; each uses only those below it (`tests/it/layering.rs`
//! holds them to it):
//!
//! - `cli`: the subcommands (`serve`, `import`, `user`, `generate`…);
//! - `http`: the router, grouped by feature (`cases`, `search`, `browse`, `accounts`,
//!   `admin`, `site`), each with its pages, JSON API and routes;
//! - `i18n`: the interface strings, which `http` words pages with;
//! - `search`: the tantivy index, derived from the database; `outbox`: the worker that
//!   turns events into notifications;
//! - `store`: every SQL statement, grouped by feature;
//! - `content` (the content directory format), `markdown` (rendering and sanitizing),
//!   `auth` (passwords and secrets);
//! - `domain`: the types and rules, using nothing else of Ayni's.
//!
//! `config`, `db` (the pool and the private cluster) and `error` (one error type, mapped to
//! HTTP in one place) are plumbing that the layers below `http` may use; they use only
//! `domain`.

pub mod auth;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod markdown;
pub mod outbox;
pub mod search;
pub mod store;
