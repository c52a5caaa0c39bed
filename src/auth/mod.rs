//! Credentials: password hashes and random secrets (session CSRF tokens, API tokens,
//! reset links). No HTTP and no SQL here.

pub mod password;
pub mod secret;
