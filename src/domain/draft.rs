//! The text of a case as people write it in a form or send it to the API, and the rules it
//! must meet before it is saved (the same rules as the content directory's).

use super::FieldError;
use super::{
    case::{Kind, Language, Source},
    region::Region,
    theme::Theme,
    FieldProblem,
};

use super::limits::{MAX_BODY_CHARS, MAX_SOURCES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, MAX_YEAR, MIN_YEAR};

/// A case's editable content, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDraft {
    pub title: String,
    pub kind: Kind,
    pub region: String,
    pub themes: Vec<String>,
    pub language: Language,
    pub year: i32,
    pub summary: String,
    pub sources: Vec<Source>,
    pub body_markdown: String,
    /// Invented for peer learning rather than a fact.
    pub illustrative: bool,
}

/// What a person submitted, before validation: every field as typed.
#[derive(Debug, Clone, Default)]
pub struct RawDraft {
    pub title: String,
    pub kind: String,
    pub region: String,
    pub themes: Vec<String>,
    pub language: String,
    pub year: String,
    pub summary: String,
    pub sources: Vec<Source>,
    pub body_markdown: String,
    pub illustrative: bool,
}

impl RawDraft {
    /// Checks every field and reports every problem at once, in the form's order.
    pub fn validate(&self, regions: &[Region], themes: &[Theme]) -> Result<CaseDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, problem: FieldProblem| errors.push(FieldError { field, problem });
        let title = self.title.trim();
        if title.is_empty() {
            fail("title", FieldProblem::Missing);
        } else if title.chars().count() > MAX_TITLE_CHARS {
            fail("title", FieldProblem::TooLong { max: MAX_TITLE_CHARS });
        }
        let kind = Kind::parse(self.kind.trim());
        if kind.is_none() {
            fail("kind", if self.kind.trim().is_empty() { FieldProblem::Missing } else { FieldProblem::Unknown });
        }
        if self.region.trim().is_empty() {
            fail("region", FieldProblem::Missing);
        } else if !regions.iter().any(|r| r.slug == self.region.trim()) {
            fail("region", FieldProblem::Unknown);
        }
        let mut chosen: Vec<String> = Vec::new();
        for theme in &self.themes {
            let theme = theme.trim();
            if !themes.iter().any(|t| t.slug == theme) {
                fail("themes", FieldProblem::Unknown);
                break;
            }
            if !chosen.iter().any(|c| c == theme) {
                chosen.push(theme.to_string());
            }
        }
        if self.themes.is_empty() {
            fail("themes", FieldProblem::Missing);
        }
        let language = Language::parse(self.language.trim());
        if language.is_none() {
            fail(
                "language",
                if self.language.trim().is_empty() { FieldProblem::Missing } else { FieldProblem::Unknown },
            );
        }
        let year = self.year.trim().parse::<i32>().ok().filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y));
        if year.is_none() {
            let problem = if self.year.trim().is_empty() {
                FieldProblem::Missing
            } else {
                FieldProblem::OutOfRange { min: MIN_YEAR.into(), max: MAX_YEAR.into() }
            };
            fail("year", problem);
        }
        let summary = self.summary.trim();
        if summary.is_empty() {
            fail("summary", FieldProblem::Missing);
        } else if summary.chars().count() > MAX_SUMMARY_CHARS {
            fail("summary", FieldProblem::TooLong { max: MAX_SUMMARY_CHARS });
        }
        if self.sources.len() > MAX_SOURCES {
            fail("sources", FieldProblem::TooLong { max: MAX_SOURCES });
        } else if self.sources.iter().any(|s| !is_web_url(&s.url) || s.title.trim().is_empty()) {
            fail("sources", FieldProblem::NotAUrl);
        }
        if self.body_markdown.trim().is_empty() {
            fail("body", FieldProblem::Missing);
        } else if self.body_markdown.chars().count() > MAX_BODY_CHARS {
            fail("body", FieldProblem::TooLong { max: MAX_BODY_CHARS });
        }
        // Control characters cannot be stored (NUL) or break the feed: refuse them per field.
        let texts: [(&'static str, &str); 5] = [
            ("title", &self.title),
            ("region", &self.region),
            ("summary", &self.summary),
            ("body", &self.body_markdown),
            ("themes", &self.themes.concat()),
        ];
        for (field, text) in texts {
            if super::has_control_characters(text) && !errors.iter().any(|e: &FieldError| e.field == field) {
                errors.push(FieldError { field, problem: FieldProblem::ControlCharacter });
            }
        }
        if self.sources.iter().any(|s| super::has_control_characters(&s.title) || super::has_control_characters(&s.url))
            && !errors.iter().any(|e| e.field == "sources")
        {
            errors.push(FieldError { field: "sources", problem: FieldProblem::ControlCharacter });
        }
        match (kind, language, year) {
            (Some(kind), Some(language), Some(year)) if errors.is_empty() => Ok(CaseDraft {
                title: title.to_string(),
                kind,
                region: self.region.trim().to_string(),
                themes: chosen,
                language,
                year,
                summary: summary.to_string(),
                sources: self.sources.clone(),
                body_markdown: self.body_markdown.replace("\r\n", "\n"),
                illustrative: self.illustrative,
            }),
            _ => Err(errors),
        }
    }
}

impl From<&CaseDraft> for RawDraft {
    fn from(draft: &CaseDraft) -> Self {
        RawDraft {
            title: draft.title.clone(),
            kind: draft.kind.as_str().to_string(),
            region: draft.region.clone(),
            themes: draft.themes.clone(),
            language: draft.language.as_str().to_string(),
            year: draft.year.to_string(),
            summary: draft.summary.clone(),
            sources: draft.sources.clone(),
            body_markdown: draft.body_markdown.clone(),
            illustrative: draft.illustrative,
        }
    }
}

pub(crate) fn is_web_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
}

/// Sources typed one per line: a title, then the address (`Informe de la Contraloría
/// https://…`). A line that is only an address uses the address as its title.
pub fn parse_sources(text: &str) -> Vec<Source> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| match line.rsplit_once(char::is_whitespace) {
            Some((title, url)) if url.contains("://") => {
                let title = title.trim().trim_end_matches(['-', '—', '–', ':', '|']).trim();
                Source { title: if title.is_empty() { url } else { title }.to_string(), url: url.to_string() }
            }
            _ => Source { title: line.to_string(), url: if line.contains("://") { line } else { "" }.to_string() },
        })
        .collect()
}

/// The inverse of [`parse_sources`], for filling the form.
pub fn format_sources(sources: &[Source]) -> String {
    sources.iter().map(|s| format!("{} {}", s.title, s.url)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_trip_through_their_text_form() {
        let text = "Informe de la Contraloría — https://www.gob.pe/contraloria\nhttps://example.org/a\nsin dirección";
        let sources = parse_sources(text);
        assert_eq!(
            sources[0],
            Source { title: "Informe de la Contraloría".into(), url: "https://www.gob.pe/contraloria".into() }
        );
        assert_eq!(sources[1].title, "https://example.org/a");
        assert_eq!(sources[2].url, "");
        assert_eq!(parse_sources(&format_sources(&sources[..2])), sources[..2]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let raw = RawDraft { year: "3000".into(), kind: "novel".into(), ..RawDraft::default() };
        let errors = raw.validate(&[], &[]).expect_err("empty draft");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "kind", "region", "themes", "language", "year", "summary", "body"]);
        assert_eq!(errors[1].problem, FieldProblem::Unknown);
        assert_eq!(errors[5].problem, FieldProblem::OutOfRange { min: 1900, max: 2100 });
    }
}
