//! Interface strings: one catalogue per language (`es.rs`, `en.rs`). The `Catalog` struct
//! makes the compiler refuse a catalogue that lacks a string, and templates refuse a key
//! that no catalogue has.

mod en;
mod es;

use time::OffsetDateTime;

use crate::{
    domain::{
        case::{Kind, Language},
        region::Level,
    },
    error::{ErrorReport, ParamProblem},
};

/// An interface language. Spanish is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Es => Lang::En,
            Lang::En => Lang::Es,
        }
    }

    pub fn catalog(self) -> &'static Catalog {
        match self {
            Lang::Es => &es::CATALOG,
            Lang::En => &en::CATALOG,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let quality =
                parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            if let Some(lang) = Lang::parse(primary) {
                if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                    best = Some((quality, lang));
                }
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// Every string the interface shows. `{name}` marks a value filled in by [`fill`].
pub struct Catalog {
    pub lang: Lang,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_cases: &'static str,
    pub nav_regions: &'static str,
    pub nav_themes: &'static str,
    pub other_language_name: &'static str,
    pub other_language_hint: &'static str,
    pub footer_ayni: &'static str,
    pub footer_feed: &'static str,
    pub footer_api: &'static str,

    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub home_for_leaders: &'static str,
    pub home_for_facilitators: &'static str,
    pub home_for_practitioners: &'static str,
    pub home_latest: &'static str,
    pub home_all_cases: &'static str,
    pub home_by_region: &'static str,
    pub home_by_theme: &'static str,

    pub cases_title: &'static str,
    pub cases_one: &'static str,
    pub cases_many: &'static str,
    pub cases_none: &'static str,
    pub cases_none_hint: &'static str,
    pub filter_heading: &'static str,
    pub filter_region: &'static str,
    pub filter_theme: &'static str,
    pub filter_kind: &'static str,
    pub filter_language: &'static str,
    pub filter_year_from: &'static str,
    pub filter_year_to: &'static str,
    pub filter_any: &'static str,
    pub filter_apply: &'static str,
    pub filter_active: &'static str,
    pub filter_remove: &'static str,
    pub filter_clear: &'static str,
    pub pagination_label: &'static str,
    pub pagination_prev: &'static str,
    pub pagination_next: &'static str,
    pub pagination_page: &'static str,

    pub kind_case: &'static str,
    pub kind_success_story: &'static str,
    pub level_national: &'static str,
    pub level_regional: &'static str,
    pub level_municipal: &'static str,
    pub language_es: &'static str,
    pub language_en: &'static str,

    pub case_details: &'static str,
    pub case_region: &'static str,
    pub case_themes: &'static str,
    pub case_year: &'static str,
    pub case_kind: &'static str,
    pub case_language: &'static str,
    pub case_author: &'static str,
    pub case_author_editorial: &'static str,
    pub case_updated: &'static str,
    pub case_sources: &'static str,
    pub case_back: &'static str,

    pub regions_title: &'static str,
    pub regions_intro: &'static str,
    pub region_level: &'static str,
    pub region_part_of: &'static str,
    pub region_contains: &'static str,
    pub region_cases: &'static str,
    pub themes_title: &'static str,
    pub themes_intro: &'static str,
    pub theme_cases: &'static str,
    pub see_all_in_list: &'static str,
    pub nothing_published_yet: &'static str,

    pub search_title: &'static str,
    pub search_title_for: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_hint: &'static str,
    pub search_tips: &'static str,
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_newest: &'static str,
    pub results_one: &'static str,
    pub results_many: &'static str,
    pub search_none: &'static str,
    pub search_try_without_filters: &'static str,
    pub search_did_you_mean: &'static str,
    pub search_ignored: &'static str,
    pub search_building: &'static str,
    pub facets_heading: &'static str,
    pub facet_type: &'static str,
    pub type_case: &'static str,
    pub peer_cases: &'static str,

    pub feed_title: &'static str,
    pub feed_subtitle: &'static str,

    pub error_title_not_found: &'static str,
    pub error_title_bad_request: &'static str,
    pub error_title_unavailable: &'static str,
    pub error_title_other: &'static str,
    pub error_not_found: &'static str,
    pub error_bad_parameter: &'static str,
    pub error_bad_request: &'static str,
    pub error_method_not_allowed: &'static str,
    pub error_payload_too_large: &'static str,
    pub error_timeout: &'static str,
    pub error_database_unavailable: &'static str,
    pub error_internal: &'static str,
    pub error_back_home: &'static str,
    pub problem_unknown_value: &'static str,
    pub problem_not_a_number: &'static str,
    pub problem_out_of_range: &'static str,
    pub problem_too_long: &'static str,
    pub problem_before_year_from: &'static str,
    pub problem_unreadable: &'static str,

    pub months: [&'static str; 12],
    /// `{day}`, `{month}` and `{year}`.
    pub date_format: &'static str,
}

/// Replaces each `{key}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), &value.to_string());
    }
    out
}

impl Catalog {
    // Templates pass their arguments by reference.
    pub fn case_count(&self, n: &i64) -> String {
        if *n == 1 {
            self.cases_one.to_string()
        } else {
            fill(self.cases_many, &[("n", &n)])
        }
    }

    pub fn result_count(&self, n: &usize) -> String {
        if *n == 1 {
            self.results_one.to_string()
        } else {
            fill(self.results_many, &[("n", n)])
        }
    }

    pub fn page_of(&self, page: u32, pages: i64) -> String {
        fill(self.pagination_page, &[("page", &page), ("pages", &pages)])
    }

    pub fn kind(&self, kind: &Kind) -> &'static str {
        match kind {
            Kind::Case => self.kind_case,
            Kind::SuccessStory => self.kind_success_story,
        }
    }

    pub fn level(&self, level: &Level) -> &'static str {
        match level {
            Level::National => self.level_national,
            Level::Regional => self.level_regional,
            Level::Municipal => self.level_municipal,
        }
    }

    pub fn language(&self, language: &Language) -> &'static str {
        match language {
            Language::Es => self.language_es,
            Language::En => self.language_en,
        }
    }

    pub fn date(&self, at: &OffsetDateTime) -> String {
        let month = self.months[usize::from(u8::from(at.month())) - 1];
        fill(self.date_format, &[("day", &at.day()), ("month", &month), ("year", &at.year())])
    }

    pub fn error_title(&self, report: &ErrorReport) -> &'static str {
        match report.code {
            "not_found" => self.error_title_not_found,
            "bad_parameter" | "bad_request" => self.error_title_bad_request,
            "timeout" | "database_unavailable" => self.error_title_unavailable,
            _ => self.error_title_other,
        }
    }

    /// The plain-language message for an error, naming the parameter when there is one.
    pub fn error_message(&self, report: &ErrorReport) -> String {
        match report.code {
            "not_found" => self.error_not_found.to_string(),
            "bad_parameter" => {
                let problem = match report.problem.unwrap_or(ParamProblem::Unreadable) {
                    ParamProblem::UnknownValue => self.problem_unknown_value.to_string(),
                    ParamProblem::NotANumber => self.problem_not_a_number.to_string(),
                    ParamProblem::OutOfRange { min, max } => {
                        fill(self.problem_out_of_range, &[("min", &min), ("max", &max)])
                    }
                    ParamProblem::TooLong { max } => fill(self.problem_too_long, &[("max", &max)]),
                    ParamProblem::BeforeYearFrom => self.problem_before_year_from.to_string(),
                    ParamProblem::Unreadable => self.problem_unreadable.to_string(),
                };
                let param = report.param.as_deref().unwrap_or("?");
                fill(self.error_bad_parameter, &[("param", &param), ("problem", &problem)])
            }
            "bad_request" => self.error_bad_request.to_string(),
            "method_not_allowed" => self.error_method_not_allowed.to_string(),
            "payload_too_large" => self.error_payload_too_large.to_string(),
            "timeout" => self.error_timeout.to_string(),
            "database_unavailable" => self.error_database_unavailable.to_string(),
            _ => self.error_internal.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,es;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, es-PE;q=0.9, en;q=0.5"), Some(Lang::Es));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("en;q=0, es;q=0.1"), Some(Lang::Es));
    }

    #[test]
    fn messages_fill_their_values() {
        let report = ErrorReport {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: "bad_parameter",
            param: Some("page".into()),
            problem: Some(ParamProblem::OutOfRange { min: 1, max: 10000 }),
        };
        let message = Lang::En.catalog().error_message(&report);
        assert!(message.contains("page") && message.contains("10000"), "{message}");
        assert!(!message.contains('{'), "{message}");
    }
}
