//! Accounts in the store: who people are and how they sign in, their own profile and
//! tokens, what admins change, and rate-limit counters. What they do is written to the
//! audit log (`store::audit`).

mod admin;
mod attempts;
mod identity;
mod profile;

pub use self::{
    admin::{AccountListing, RoleChange, RESET_LINK_LIFETIME},
    attempts::AttemptKind,
    identity::{Credentials, NewUser},
    profile::{ApiToken, ProfileChange},
};
