//! Accounts in the store: who people are and how they sign in, their own profile and
//! tokens, what admins change, the audit log of all of it, and rate-limit counters.

mod admin;
mod attempts;
mod audit;
mod identity;
mod profile;

pub(crate) use self::audit::audit;
pub use self::{
    admin::{AccountListing, RoleChange, RESET_LINK_LIFETIME},
    attempts::AttemptKind,
    audit::AuditEntry,
    identity::{Credentials, NewUser},
    profile::{ApiToken, ProfileChange},
};
