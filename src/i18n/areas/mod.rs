//! The catalogue's strings, one struct per area of the site. Each language fills every
//! struct (`es/`, `en/`), so a string missing in one language does not compile.

mod accounts;
mod admin;
mod browse;
mod cases;
mod common;
mod discussions;
mod glossary;
mod search;
mod workshops;

pub use self::{
    accounts::Accounts, admin::Admin, browse::Browse, cases::Cases, common::Common, discussions::Discussions,
    glossary::Glossary, search::SearchText, workshops::Workshops,
};
