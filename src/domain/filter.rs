//! The filters of every list of documents: `/cases`, `/search`, the region and theme pages
//! and both JSON APIs read the same fields. Every value is checked here and a bad one is
//! reported with the parameter's name.

use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    case::{Kind, Language},
    limits::{MAX_YEAR, MIN_YEAR},
    region::{Level, Region},
    subject::DocType,
    theme::Theme,
    BadParam, ParamProblem,
};

/// Longest value any filter parameter may carry.
const MAX_VALUE_LEN: usize = 200;
pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
const MAX_PAGE: u32 = 10_000;
/// Lists page through their first 10,000 results at most: deeper offsets cost more the
/// larger the library grows, and nobody reads that far; filters narrow a list instead.
pub const MAX_DEPTH: u32 = 10_000;

/// The filters as typed in the query string. All text, so that reading it never fails
/// before validation. Search adds its own parameters beside these (`http::search`).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    /// A region slug; a region includes its municipalities.
    pub region: Option<String>,
    /// A theme slug.
    pub theme: Option<String>,
    /// `case` or `success-story`.
    pub kind: Option<String>,
    /// `es` or `en`.
    pub language: Option<String>,
    /// Earliest year, inclusive.
    pub year_from: Option<String>,
    /// Latest year, inclusive.
    pub year_to: Option<String>,
    /// `false`: only cases that rest on documented facts; `true`: only illustrative
    /// examples, invented for peer learning.
    pub illustrative: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Results per page, 1 to 100 (JSON API only; pages show 20).
    pub per_page: Option<String>,
}

/// Filters in force, checked. Region and theme slugs are checked against what exists by
/// [`Filters::check_refs`]. The type and level are search's own parameters: only search
/// sets and applies them (the case lists are of cases, at every level).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filters {
    pub region: Option<String>,
    pub theme: Option<String>,
    pub kind: Option<Kind>,
    pub language: Option<Language>,
    pub doc_type: Option<DocType>,
    pub level: Option<Level>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub illustrative: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// How many pages `total` results fill (at least one, so "page 1 of 1" reads right).
    pub fn page_count(&self, total: i64) -> i64 {
        ((total + i64::from(self.per_page) - 1) / i64::from(self.per_page)).max(1)
    }

    /// The last page that lies within [`MAX_DEPTH`] results.
    pub fn last_reachable(&self) -> u32 {
        (MAX_DEPTH / self.per_page).max(1)
    }

    /// `page` and `per_page` as typed: empty means the first page, of
    /// [`DEFAULT_PER_PAGE`]. Every list the JSON API pages through reads them here.
    pub fn parse(page: &Option<String>, per_page: &Option<String>) -> Result<Paging, BadParam> {
        Ok(Paging {
            page: number("page", page, 1, MAX_PAGE as i32)?.map_or(1, |p| p as u32),
            per_page: number("per_page", per_page, 1, MAX_PER_PAGE as i32)?.map_or(DEFAULT_PER_PAGE, |p| p as u32),
        })
    }

    /// This paging, or the problem of a page beyond [`MAX_DEPTH`] results.
    pub fn within_reach(self) -> Result<Paging, BadParam> {
        if self.page > self.last_reachable() {
            return Err(BadParam::new("page", ParamProblem::TooDeep { last: i64::from(self.last_reachable()) }));
        }
        Ok(self)
    }
}

impl FilterParams {
    /// Checks every value. An empty value means "no filter", as an empty form field does.
    pub fn validate(&self) -> Result<(Filters, Paging), BadParam> {
        let filter = Filters {
            region: slug_value("region", &self.region)?,
            theme: slug_value("theme", &self.theme)?,
            kind: enum_value("kind", &self.kind, Kind::parse)?,
            language: enum_value("language", &self.language, Language::parse)?,
            doc_type: None,
            level: None,
            year_from: number("year_from", &self.year_from, MIN_YEAR, MAX_YEAR)?,
            year_to: number("year_to", &self.year_to, MIN_YEAR, MAX_YEAR)?,
            illustrative: enum_value("illustrative", &self.illustrative, |v| v.parse::<bool>().ok())?,
        };
        if let (Some(from), Some(to)) = (filter.year_from, filter.year_to) {
            if to < from {
                return Err(BadParam::new("year_to", ParamProblem::BeforeYearFrom));
            }
        }
        Ok((filter, Paging::parse(&self.page, &self.per_page)?))
    }
}

impl Filters {
    /// The filters as query-string pairs, in a stable order, for links that keep them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(v) = &self.region {
            pairs.push(("region", v.clone()));
        }
        if let Some(v) = &self.theme {
            pairs.push(("theme", v.clone()));
        }
        if let Some(v) = self.kind {
            pairs.push(("kind", v.as_str().to_string()));
        }
        if let Some(v) = self.language {
            pairs.push(("language", v.as_str().to_string()));
        }
        if let Some(v) = self.doc_type {
            pairs.push(("type", v.as_str().to_string()));
        }
        if let Some(v) = self.level {
            pairs.push(("level", v.as_str().to_string()));
        }
        if let Some(v) = self.year_from {
            pairs.push(("year_from", v.to_string()));
        }
        if let Some(v) = self.year_to {
            pairs.push(("year_to", v.to_string()));
        }
        if let Some(v) = self.illustrative {
            pairs.push(("illustrative", v.to_string()));
        }
        pairs
    }

    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }

    /// A region or theme slug must name one that exists: `region=atlantis` is a 400.
    pub fn check_refs(&self, regions: &[Region], themes: &[Theme]) -> Result<(), BadParam> {
        if let Some(region) = &self.region {
            if !regions.iter().any(|r| &r.slug == region) {
                return Err(BadParam::new("region", ParamProblem::UnknownValue));
            }
        }
        if let Some(theme) = &self.theme {
            if !themes.iter().any(|t| &t.slug == theme) {
                return Err(BadParam::new("theme", ParamProblem::UnknownValue));
            }
        }
        Ok(())
    }
}

fn present<'a>(name: &'static str, value: &'a Option<String>) -> Result<Option<&'a str>, BadParam> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > MAX_VALUE_LEN => {
            Err(BadParam::new(name, ParamProblem::TooLong { max: MAX_VALUE_LEN }))
        }
        Some(v) => Ok(Some(v)),
    }
}

pub(crate) fn slug_value(name: &'static str, value: &Option<String>) -> Result<Option<String>, BadParam> {
    match present(name, value)? {
        None => Ok(None),
        Some(v) if super::slug::validate(v).is_ok() => Ok(Some(v.to_string())),
        Some(_) => Err(BadParam::new(name, ParamProblem::UnknownValue)),
    }
}

pub(crate) fn enum_value<T>(
    name: &'static str,
    value: &Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, BadParam> {
    present(name, value)?.map(|v| parse(v).ok_or_else(|| BadParam::new(name, ParamProblem::UnknownValue))).transpose()
}

fn number(name: &'static str, value: &Option<String>, min: i32, max: i32) -> Result<Option<i32>, BadParam> {
    let Some(text) = present(name, value)? else { return Ok(None) };
    let n: i64 = text.parse().map_err(|_| BadParam::new(name, ParamProblem::NotANumber))?;
    if n < i64::from(min) || n > i64::from(max) {
        return Err(BadParam::new(name, ParamProblem::OutOfRange { min: i64::from(min), max: i64::from(max) }));
    }
    Ok(Some(n as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> FilterParams {
        let text = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        serde_urlencoded::from_str(&text).expect("test query parses")
    }

    fn problem(pairs: &[(&str, &str)]) -> (String, ParamProblem) {
        match query(pairs).validate() {
            Err(BadParam { param, problem }) => (param.to_string(), problem),
            other => panic!("expected a bad parameter, got {other:?}"),
        }
    }

    #[test]
    fn empty_values_mean_no_filter() {
        let (filter, paging) = query(&[("region", ""), ("kind", "")]).validate().expect("valid");
        assert!(filter.is_empty());
        assert_eq!(paging, Paging { page: 1, per_page: 20 });
    }

    #[test]
    fn bad_values_name_their_parameter() {
        assert_eq!(problem(&[("year_from", "abc")]), ("year_from".into(), ParamProblem::NotANumber));
        assert_eq!(problem(&[("page", "0")]).0, "page");
        assert_eq!(problem(&[("page", "-1")]).0, "page");
        assert_eq!(problem(&[("per_page", "10000")]).0, "per_page");
        assert_eq!(problem(&[("kind", "novel")]), ("kind".into(), ParamProblem::UnknownValue));
        assert_eq!(problem(&[("region", &"a".repeat(5000))]).1, ParamProblem::TooLong { max: 200 });
        assert_eq!(problem(&[("year_from", "2020"), ("year_to", "2019")]).1, ParamProblem::BeforeYearFrom);
    }
}
