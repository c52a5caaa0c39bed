//! Integration tests: one binary, so the private PostgreSQL starts once.

mod support;

mod accounts;
mod api;
mod bad_input;
mod binary;
mod faults;
mod import;
mod pages;
mod search;
