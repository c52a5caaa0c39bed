//! `regions.toml` and `themes.toml`.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
};

use serde::Deserialize;
use toml::Spanned;

use super::{line_at, toml_error_line, toml_message, RegionEntry, Report, ThemeEntry};
use crate::domain::{region::Level, slug};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    #[serde(default)]
    region: Vec<Spanned<RawRegion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    slug: Spanned<String>,
    name: String,
    level: Spanned<String>,
    parent: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemesFile {
    #[serde(default)]
    theme: Vec<Spanned<RawTheme>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    slug: Spanned<String>,
    name_es: String,
    name_en: String,
    description: String,
    /// The description in English; without it the English interface shows the Spanish one.
    #[serde(default)]
    description_en: String,
}

pub(super) fn regions(path: &Path, text: &str, known: &HashSet<String>, report: &mut Report) -> Vec<RegionEntry> {
    let file: RegionsFile = match toml::from_str(text) {
        Ok(file) => file,
        Err(err) => {
            report.add(path, toml_error_line(text, &err, 1), toml_message(&err));
            return Vec::new();
        }
    };
    let before = report.errors.len();
    let mut lines = HashMap::new();
    let mut entries = Vec::new();
    for raw in &file.region {
        let line = line_at(text, raw.span().start);
        let raw = raw.get_ref();
        let slug_line = line_at(text, raw.slug.span().start);
        if let Err(err) = slug::validate(raw.slug.get_ref()) {
            report.add(path, slug_line, err.to_string());
        } else if lines.insert(raw.slug.get_ref().clone(), slug_line).is_some() {
            report.add(path, slug_line, format!("duplicate region slug {:?}", raw.slug.get_ref()));
        }
        if raw.name.trim().is_empty() {
            report.add(path, line, "a region needs a name");
        }
        let Some(level) = Level::parse(raw.level.get_ref()) else {
            report.add(
                path,
                line_at(text, raw.level.span().start),
                format!("unknown level {:?}: use national, regional or municipal", raw.level.get_ref()),
            );
            continue;
        };
        entries.push(RegionEntry {
            slug: raw.slug.get_ref().clone(),
            name: raw.name.trim().to_string(),
            level,
            parent: raw.parent.as_ref().map(|p| p.get_ref().clone()),
        });
    }
    for raw in &file.region {
        let raw = raw.get_ref();
        if let Some(parent) = &raw.parent {
            if !lines.contains_key(parent.get_ref()) && !known.contains(parent.get_ref()) {
                report.add(
                    path,
                    line_at(text, parent.span().start),
                    format!("parent {:?} is not a region", parent.get_ref()),
                );
            }
        }
    }
    for entry in find_cycles(&entries) {
        report.add(path, lines.get(&entry).copied().unwrap_or(1), format!("region {entry:?} is its own ancestor"));
    }
    if report.errors.len() > before {
        return Vec::new();
    }
    entries
}

/// Regions whose chain of parents comes back to themselves.
fn find_cycles(entries: &[RegionEntry]) -> Vec<String> {
    let parents: HashMap<&str, &str> =
        entries.iter().filter_map(|e| e.parent.as_deref().map(|p| (e.slug.as_str(), p))).collect();
    let mut cyclic = Vec::new();
    for entry in entries {
        let mut seen = HashSet::new();
        let mut at = entry.slug.as_str();
        while let Some(parent) = parents.get(at) {
            if *parent == entry.slug {
                cyclic.push(entry.slug.clone());
                break;
            }
            if !seen.insert(*parent) {
                break;
            }
            at = parent;
        }
    }
    cyclic
}

pub(super) fn themes(path: &Path, text: &str, report: &mut Report) -> Vec<ThemeEntry> {
    let file: ThemesFile = match toml::from_str(text) {
        Ok(file) => file,
        Err(err) => {
            report.add(path, toml_error_line(text, &err, 1), toml_message(&err));
            return Vec::new();
        }
    };
    let before = report.errors.len();
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    for raw in &file.theme {
        let line = line_at(text, raw.span().start);
        let raw = raw.get_ref();
        let slug_line = line_at(text, raw.slug.span().start);
        if let Err(err) = slug::validate(raw.slug.get_ref()) {
            report.add(path, slug_line, err.to_string());
        } else if !seen.insert(raw.slug.get_ref().clone()) {
            report.add(path, slug_line, format!("duplicate theme slug {:?}", raw.slug.get_ref()));
        }
        if raw.name_es.trim().is_empty() || raw.name_en.trim().is_empty() {
            report.add(path, line, "a theme needs name_es and name_en");
        }
        entries.push(ThemeEntry {
            slug: raw.slug.get_ref().clone(),
            name_es: raw.name_es.trim().to_string(),
            name_en: raw.name_en.trim().to_string(),
            description: raw.description.trim().to_string(),
            description_en: raw.description_en.trim().to_string(),
        });
    }
    if report.errors.len() > before {
        return Vec::new();
    }
    entries
}
