//! The content directory: a contract with the tools that write content.
//!
//! ```text
//! regions.toml      [[region]] slug, name, level, parent?
//! themes.toml       [[theme]]  slug, name_es, name_en, description
//! cases/<slug>.md   +++ TOML front matter +++ Markdown body
//! workshops/<slug>.md +++ TOML front matter +++ outcomes in Markdown
//! glossary/<domain>.toml [[concept]] id, pref_es, pref_en, definition_es, definition_en, …
//! ```
//!
//! [`load`] reads and checks a whole directory without touching the database, and reports
//! every bad file at once as `path:line: what is wrong`.

mod case_file;
pub mod glossary_file;
mod tables;
mod workshop_file;

use std::{
    collections::HashSet,
    fmt,
    path::{Path, PathBuf},
};

use time::{Date, OffsetDateTime};

use crate::domain::{
    case::{Kind, Language, Source, Status},
    commitment::CommitmentStatus,
    glossary::Concept,
    region::Level,
    workshop::Format,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionEntry {
    pub slug: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeEntry {
    pub slug: String,
    pub name_es: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEntry {
    pub slug: String,
    pub title: String,
    pub kind: Kind,
    pub region: String,
    pub themes: Vec<String>,
    pub language: Language,
    pub year: i32,
    pub summary: String,
    pub status: Status,
    /// An invented example, not a fact.
    pub illustrative: bool,
    pub sources: Vec<Source>,
    pub body_markdown: String,
    /// SHA-256 of the file's text (byte-order mark and CRLF removed), in hex.
    pub hash: String,
}

/// A workshop with its agenda, outcomes and commitments, as its file gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkshopEntry {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description_markdown: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub all_day: bool,
    pub format: Format,
    pub venue: String,
    pub city: String,
    pub capacity: Option<i32>,
    pub regions: Vec<String>,
    pub region_count: Option<i32>,
    pub illustrative: bool,
    /// Empty: no outcomes published.
    pub outcomes_markdown: String,
    pub attendance: Option<i32>,
    pub organisations: Vec<String>,
    pub materials: Vec<Source>,
    pub agenda: Vec<AgendaEntry>,
    pub commitments: Vec<CommitmentEntry>,
    /// SHA-256 of the file's text, in hex.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaEntry {
    pub starts_at: OffsetDateTime,
    pub minutes: i32,
    pub title: String,
    pub speakers: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentEntry {
    pub region: String,
    pub action: String,
    pub owner: String,
    pub due: Option<Date>,
    pub status: CommitmentStatus,
}

/// A glossary concept with the place it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryEntry {
    pub concept: Concept,
    pub path: PathBuf,
    pub line: usize,
    /// The concept's fingerprint ([`glossary_file::hash`]).
    pub hash: String,
}

/// A whole content directory, checked.
#[derive(Debug, Default, Clone)]
pub struct ContentSet {
    pub regions: Vec<RegionEntry>,
    pub themes: Vec<ThemeEntry>,
    pub cases: Vec<CaseEntry>,
    pub workshops: Vec<WorkshopEntry>,
    pub glossary: Vec<GlossaryEntry>,
}

/// One thing wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// Every problem found in a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the content has {} problem(s); nothing was written:", self.0.len())?;
        for error in &self.0 {
            writeln!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

/// Region and theme slugs the database already has, which cases may point to as well.
#[derive(Debug, Default, Clone)]
pub struct Known {
    pub regions: HashSet<String>,
    pub themes: HashSet<String>,
}

/// Collects errors as files are read, so that one run reports all of them.
struct Report {
    errors: Vec<ContentError>,
}

impl Report {
    fn add(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.errors.push(ContentError { path: path.to_path_buf(), line, message: message.into() });
    }
}

/// Reads and checks the directory. `known` holds what the database has already.
pub fn load(dir: &Path, known: &Known) -> Result<ContentSet, ContentErrors> {
    let mut report = Report { errors: Vec::new() };
    if !dir.is_dir() {
        report.add(dir, 0, "no such directory");
        return Err(ContentErrors(report.errors));
    }
    let mut set = ContentSet::default();
    let regions_path = dir.join("regions.toml");
    if regions_path.exists() {
        if let Some(text) = read_text(&regions_path, &mut report) {
            set.regions = tables::regions(&regions_path, &text, &known.regions, &mut report);
        }
    }
    let themes_path = dir.join("themes.toml");
    if themes_path.exists() {
        if let Some(text) = read_text(&themes_path, &mut report) {
            set.themes = tables::themes(&themes_path, &text, &mut report);
        }
    }
    let regions: HashSet<&str> =
        known.regions.iter().map(String::as_str).chain(set.regions.iter().map(|r| r.slug.as_str())).collect();
    let themes: HashSet<&str> =
        known.themes.iter().map(String::as_str).chain(set.themes.iter().map(|t| t.slug.as_str())).collect();
    let glossary_dir = dir.join("glossary");
    if glossary_dir.is_dir() {
        set.glossary = glossary_file::load(&glossary_dir, &mut report);
    }
    let workshops_dir = dir.join("workshops");
    if workshops_dir.is_dir() {
        for path in markdown_paths(&workshops_dir, "workshops/", &mut report) {
            if let Some(text) = read_text(&path, &mut report) {
                if let Some(workshop) = workshop_file::parse(&path, &text, &regions, &mut report) {
                    set.workshops.push(workshop);
                }
            }
        }
    }
    let cases_dir = dir.join("cases");
    if cases_dir.is_dir() {
        for path in markdown_paths(&cases_dir, "cases/", &mut report) {
            if let Some(text) = read_text(&path, &mut report) {
                if let Some(case) = case_file::parse(&path, &text, &regions, &themes, &mut report) {
                    set.cases.push(case);
                }
            }
        }
    }
    if report.errors.is_empty() {
        Ok(set)
    } else {
        Err(ContentErrors(report.errors))
    }
}

/// The `<slug>.md` files of a folder, sorted; anything else is reported.
fn markdown_paths(dir: &Path, folder: &str, report: &mut Report) -> Vec<PathBuf> {
    files_ending(dir, ".md", &format!("only <slug>.md files belong in {folder}"), report)
}

/// The files of a folder whose names end with `ending`, sorted; anything else is reported
/// with `misplaced`, and hidden files are passed over.
fn files_ending(dir: &Path, ending: &str, misplaced: &str, report: &mut Report) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            report.add(dir, 0, format!("cannot read the directory: {err}"));
            return Vec::new();
        }
    };
    let mut paths = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_file() && name.ends_with(ending) {
            paths.push(path);
        } else {
            report.add(&path, 0, misplaced);
        }
    }
    paths.sort();
    paths
}

/// Reads a file as UTF-8 text without its byte-order mark, with LF line endings.
fn read_text(path: &Path, report: &mut Report) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            report.add(path, 0, format!("cannot read the file: {err}"));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            Some(text.replace("\r\n", "\n"))
        }
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            report.add(path, line, "the file is not valid UTF-8 text");
            None
        }
    }
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// The line a TOML error points to, counted from `first_line`.
fn toml_error_line(text: &str, err: &toml::de::Error, first_line: usize) -> usize {
    err.span().map_or(first_line, |span| first_line + line_at(text, span.start) - 1)
}

/// A TOML error's message without the source excerpt that the crate appends.
fn toml_message(err: &toml::de::Error) -> String {
    err.message().trim().to_string()
}

#[cfg(test)]
mod tests;
