use serde::Serialize;
use utoipa::ToSchema;

use super::text_enum;

text_enum!(
    /// How far a government's remit reaches.
    Level { National => "national", Regional => "regional", Municipal => "municipal" }
);

/// A region as listed, with the number of published cases in it and below it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Region {
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub level: Level,
    /// The slug of the region this one belongs to, if any.
    pub parent: Option<String>,
    /// Published cases of this region and of the municipalities inside it, when counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_count: Option<i64>,
}

/// The name of the region with this slug, or the slug itself when it names none.
pub fn name_of(regions: &[Region], slug: &str) -> String {
    regions.iter().find(|r| r.slug == slug).map_or_else(|| slug.to_string(), |r| r.name.clone())
}

/// The short form of a region that other objects point to.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct RegionRef {
    pub slug: String,
    pub name: String,
}

/// A region with the regions directly inside it.
pub struct RegionGroup {
    pub region: Region,
    pub children: Vec<Region>,
}

/// The national level first, then each region with its municipalities under it.
pub fn grouped(regions: &[Region]) -> Vec<RegionGroup> {
    let mut top: Vec<&Region> = regions.iter().filter(|r| r.level != Level::Municipal).collect();
    top.sort_by_key(|r| (r.level != Level::National, r.slug.clone()));
    top.into_iter()
        .map(|region| RegionGroup {
            region: region.clone(),
            children: regions
                .iter()
                .filter(|r| r.level == Level::Municipal && r.parent.as_deref() == Some(region.slug.as_str()))
                .cloned()
                .collect(),
        })
        .collect()
}
