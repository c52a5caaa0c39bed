//! Ayni: a peer-learning library of public-integrity cases from Peru's regions.
//!
//! Layout: `config` (flags and environment), `cli` (subcommands), `postgres` (the private
//! cluster), `store` (all SQL), `domain` (types and rules), `content` (the content directory
//! format), `markdown` (rendering and sanitizing), `http` (router, pages, JSON API),
//! `i18n` (interface strings), `error` (one error type, mapped to HTTP in one place).

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
pub mod search;
pub mod store;
