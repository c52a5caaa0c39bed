//! The English catalogue.

mod accounts;
mod admin;
mod browse;
mod cases;
mod common;
mod discussions;
mod glossary;
mod search;
mod workshops;

use super::{Catalog, Lang};

pub static CATALOG: Catalog = Catalog {
    lang: Lang::En,
    common: common::COMMON,
    browse: browse::BROWSE,
    cases: cases::CASES,
    search: search::SEARCH,
    accounts: accounts::ACCOUNTS,
    admin: admin::ADMIN,
    workshops: workshops::WORKSHOPS,
    discussions: discussions::DISCUSSIONS,
    glossary: glossary::GLOSSARY,
};
