//! The JSON API's lists of regions and themes.

use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::{region::Region, theme::Theme},
    error::AppResult,
    http::{middleware::ErrorBody, AppState},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub regions: Vec<Region>,
}

/// Every region: the national level, the regions and the municipalities, with case counts.
#[utoipa::path(
    get,
    path = "/api/v1/regions",
    tag = "regions",
    responses(
        (status = 200, description = "All regions", body = RegionList),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    )
)]
pub async fn regions(State(state): State<AppState>) -> AppResult<Json<RegionList>> {
    Ok(Json(RegionList { regions: state.store.regions_with_counts().await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeList {
    pub themes: Vec<Theme>,
}

/// Every theme, with its name in Spanish and English and its case count.
#[utoipa::path(
    get,
    path = "/api/v1/themes",
    tag = "themes",
    responses(
        (status = 200, description = "All themes", body = ThemeList),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    )
)]
pub async fn themes(State(state): State<AppState>) -> AppResult<Json<ThemeList>> {
    Ok(Json(ThemeList { themes: state.store.themes_with_counts().await? }))
}
