//! Server-rendered pages. Each module holds its handlers and their template structs.

pub mod account;
pub mod admin;
pub mod authoring;
pub mod cases;
pub mod feed;
pub mod history;
pub mod home;
pub mod profile;
pub mod regions;
pub mod reset;
pub mod review;
pub mod search;
pub mod site;
pub mod themes;

use self::regions::grouped;
use super::views::SelectOption;
use crate::{
    domain::{region::Region, slug},
    error::AppError,
};

/// A path segment that cannot be a slug cannot name anything: 404 without a query.
fn checked_slug(text: &str) -> Result<&str, AppError> {
    slug::validate(text).map(|()| text).map_err(|_| AppError::NotFound)
}

pub fn option(value: &str, label: &str, selected: Option<&str>) -> SelectOption {
    SelectOption { value: value.to_string(), label: label.to_string(), selected: selected == Some(value) }
}

/// Regions in their tree order, municipalities indented under their region.
pub fn region_options(regions: &[Region], selected: Option<&str>) -> Vec<SelectOption> {
    let mut options = Vec::new();
    for group in grouped(regions) {
        options.push(option(&group.region.slug, &group.region.name, selected));
        for child in &group.children {
            options.push(option(&child.slug, &format!("— {}", child.name), selected));
        }
    }
    options
}
