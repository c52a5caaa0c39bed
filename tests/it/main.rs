//! Integration tests: one binary, so the private PostgreSQL starts once.

mod support;

mod accounts;
mod admin;
mod api;
mod api_workshops;
mod api_writes;
mod authoring;
mod bad_input;
mod binary;
mod caching;
mod discussions;
mod faults;
mod getting_started;
mod glossary;
mod import;
mod layering;
mod migrations;
mod pages;
mod permissions;
mod relevance;
mod rendering;
mod search;
mod site;
mod workshop_search;
mod workshops;
