//! `cases/<slug>.md`: TOML front matter between two `+++` lines, then Markdown.

use std::{collections::HashSet, path::Path};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{line_at, toml_error_line, toml_message, CaseEntry, Report};
use crate::domain::{
    case::{Kind, Language, Source, Status},
    limits::{MAX_TITLE_CHARS as MAX_TITLE, MAX_YEAR, MIN_YEAR},
    slug,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    kind: Spanned<String>,
    region: Spanned<String>,
    themes: Spanned<Vec<Spanned<String>>>,
    language: Spanned<String>,
    year: Spanned<i64>,
    summary: Spanned<String>,
    status: Option<Spanned<String>>,
    /// Invented for peer learning rather than a fact: shown with a badge everywhere.
    #[serde(default)]
    illustrative: bool,
    #[serde(default)]
    sources: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    url: String,
}

/// Parses one case file; problems go to `report` with their lines.
pub(super) fn parse(
    path: &Path,
    text: &str,
    regions: &HashSet<&str>,
    themes: &HashSet<&str>,
    report: &mut Report,
) -> Option<CaseEntry> {
    let before = report.errors.len();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Err(err) = slug::validate(&stem) {
        report.add(path, 1, format!("bad file name: {err}"));
    }
    let (front, body) = split(path, text, report)?;
    // The front matter starts on line 2, after the opening `+++`.
    let fm: FrontMatter = match toml::from_str(front) {
        Ok(fm) => fm,
        Err(err) => {
            report.add(path, toml_error_line(front, &err, 2), toml_message(&err));
            return None;
        }
    };
    let line = |span: std::ops::Range<usize>| line_at(front, span.start) + 1;

    let kind = Kind::parse(fm.kind.get_ref());
    if kind.is_none() {
        report.add(
            path,
            line(fm.kind.span()),
            format!("unknown kind {:?}: use case or success-story", fm.kind.get_ref()),
        );
    }
    let language = Language::parse(fm.language.get_ref());
    if language.is_none() {
        report.add(
            path,
            line(fm.language.span()),
            format!("unknown language {:?}: use es or en", fm.language.get_ref()),
        );
    }
    let status = match &fm.status {
        None => Some(Status::Published),
        Some(s) => {
            let status = Status::parse(s.get_ref());
            if status.is_none() {
                report.add(
                    path,
                    line(s.span()),
                    format!("unknown status {:?}: use draft, submitted, published or unpublished", s.get_ref()),
                );
            }
            status
        }
    };
    if !regions.contains(fm.region.get_ref().as_str()) {
        report.add(path, line(fm.region.span()), format!("unknown region {:?}", fm.region.get_ref()));
    }
    if fm.themes.get_ref().is_empty() {
        report.add(path, line(fm.themes.span()), "a case needs at least one theme");
    }
    let mut seen = HashSet::new();
    for theme in fm.themes.get_ref() {
        if !themes.contains(theme.get_ref().as_str()) {
            report.add(path, line(theme.span()), format!("unknown theme {:?}", theme.get_ref()));
        } else if !seen.insert(theme.get_ref().as_str()) {
            report.add(path, line(theme.span()), format!("theme {:?} is listed twice", theme.get_ref()));
        }
    }
    let year = *fm.year.get_ref();
    if !(i64::from(MIN_YEAR)..=i64::from(MAX_YEAR)).contains(&year) {
        report.add(path, line(fm.year.span()), format!("year {year} is not between {MIN_YEAR} and {MAX_YEAR}"));
    }
    let title = fm.title.get_ref().trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        report.add(path, line(fm.title.span()), format!("the title must have 1 to {MAX_TITLE} characters"));
    }
    if fm.summary.get_ref().trim().is_empty() {
        report.add(path, line(fm.summary.span()), "the summary is empty");
    }
    let mut sources = Vec::new();
    for source in &fm.sources {
        let raw = source.get_ref();
        let url = raw.url.trim();
        let web = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        if raw.title.trim().is_empty()
            || !web.is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
        {
            report.add(path, line(source.span()), "a source needs a title and an http:// or https:// url");
        }
        sources.push(Source { title: raw.title.trim().to_string(), url: url.to_string() });
    }
    if body.trim().is_empty() {
        report.add(path, line_at(text, text.len()), "the Markdown body is empty");
    }
    if report.errors.len() > before {
        return None;
    }
    Some(CaseEntry {
        slug: stem,
        title: title.to_string(),
        kind: kind?,
        region: fm.region.into_inner(),
        themes: fm.themes.into_inner().into_iter().map(Spanned::into_inner).collect(),
        language: language?,
        year: year as i32,
        summary: fm.summary.into_inner().trim().to_string(),
        status: status?,
        illustrative: fm.illustrative,
        sources,
        body_markdown: body.trim_start_matches('\n').to_string(),
        hash: format!("{:x}", Sha256::digest(text.as_bytes())),
    })
}

/// Splits `+++\n<front>\n+++\n<body>`; the delimiters are lines that are exactly `+++`.
pub(super) fn split<'a>(path: &Path, text: &'a str, report: &mut Report) -> Option<(&'a str, &'a str)> {
    let Some(rest) = text.strip_prefix("+++\n") else {
        report.add(path, 1, "the file must start with a line that is exactly +++");
        return None;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches('\n') == "+++" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    report.add(path, line_at(text, text.len()), "the front matter is not closed by a line that is exactly +++");
    None
}
