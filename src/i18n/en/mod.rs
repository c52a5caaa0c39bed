//! The English catalogue.

mod accounts;
mod admin;
mod browse;
mod cases;
mod common;
mod search;

use super::{Catalog, Lang};

pub static CATALOG: Catalog = Catalog {
    lang: Lang::En,
    common: common::COMMON,
    browse: browse::BROWSE,
    cases: cases::CASES,
    search: search::SEARCH,
    accounts: accounts::ACCOUNTS,
    admin: admin::ADMIN,
};
