//! Server-rendered pages. Each module holds its handlers and their template structs.

pub mod cases;
pub mod feed;
pub mod home;
pub mod regions;
pub mod search;
pub mod themes;

use crate::domain::slug;
use crate::error::AppError;

/// A path segment that cannot be a slug cannot name anything: 404 without a query.
fn checked_slug(text: &str) -> Result<&str, AppError> {
    slug::validate(text).map(|()| text).map_err(|_| AppError::NotFound)
}
