//! `glossary/<domain>.toml`: one file per domain, one `[[concept]]` table per concept.
//! The whole glossary is checked as one set (preferred labels unique per language, links
//! that resolve, no broader cycle), with each problem reported at its concept's line.

use std::{collections::HashMap, path::Path};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{line_at, toml_error_line, toml_message, GlossaryEntry, Report};
use crate::domain::glossary::{self, Concept, Domain};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    #[serde(default)]
    concept: Vec<Spanned<RawConcept>>,
}

/// A concept as written; the domain comes from the file's name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    id: String,
    pref_es: String,
    pref_en: String,
    #[serde(default)]
    alt_es: Vec<String>,
    #[serde(default)]
    alt_en: Vec<String>,
    #[serde(default)]
    acronyms: Vec<String>,
    #[serde(default)]
    hidden_es: Vec<String>,
    #[serde(default)]
    hidden_en: Vec<String>,
    definition_es: String,
    definition_en: String,
    #[serde(default)]
    scope_note_es: String,
    #[serde(default)]
    scope_note_en: String,
    #[serde(default)]
    broader: Vec<String>,
    /// Optional: `broader` says it already; when written, it must agree.
    #[serde(default)]
    narrower: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    unverified: bool,
}

/// Reads every `<domain>.toml` of `dir`, then checks them as one glossary.
pub(super) fn load(dir: &Path, report: &mut Report) -> Vec<GlossaryEntry> {
    let before = report.errors.len();
    let mut entries = Vec::new();
    let mut narrower_written: Vec<(usize, Vec<String>)> = Vec::new();
    for path in super::files_ending(dir, ".toml", "only <domain>.toml files belong in glossary/", report) {
        let Some(text) = super::read_text(&path, report) else { continue };
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(domain) = Domain::parse(&name) else {
            let domains: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
            report.add(&path, 0, format!("{name:?} is not a domain; the files are named {}", domains.join(", ")));
            continue;
        };
        let file: GlossaryFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(err) => {
                report.add(&path, toml_error_line(&text, &err, 1), toml_message(&err));
                continue;
            }
        };
        for raw in file.concept {
            let line = line_at(&text, raw.span().start);
            let raw = raw.into_inner();
            let mut concept = Concept {
                slug: raw.id,
                domain: Some(domain),
                pref_es: raw.pref_es,
                pref_en: raw.pref_en,
                alt_es: raw.alt_es,
                alt_en: raw.alt_en,
                acronyms: raw.acronyms,
                hidden_es: raw.hidden_es,
                hidden_en: raw.hidden_en,
                definition_es: raw.definition_es,
                definition_en: raw.definition_en,
                scope_note_es: raw.scope_note_es,
                scope_note_en: raw.scope_note_en,
                broader: raw.broader,
                related: raw.related,
                legal_basis: raw.legal_basis,
                unverified: raw.unverified,
            };
            concept.normalise();
            for problem in concept.problems() {
                report.add(&path, line, format!("{} {}: {}", concept.slug, problem.field, problem.message));
            }
            if !raw.narrower.is_empty() {
                narrower_written.push((entries.len(), raw.narrower));
            }
            let hash = hash(&concept);
            entries.push(GlossaryEntry { concept, path: path.clone(), line, hash });
        }
    }
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if let Some(first) = at.insert(&entry.concept.slug, i) {
            let other = &entries[first];
            report.add(
                &entry.path,
                entry.line,
                format!("the id {:?} is already used at {}:{}", entry.concept.slug, other.path.display(), other.line),
            );
        }
    }
    for (i, narrower) in &narrower_written {
        let entry = &entries[*i];
        for slug in narrower {
            let inverse =
                at.get(slug.as_str()).is_some_and(|j| entries[*j].concept.broader.contains(&entry.concept.slug));
            if !inverse {
                report.add(
                    &entry.path,
                    entry.line,
                    format!(
                        "{} narrower: {slug:?} does not name {:?} among its broader concepts",
                        entry.concept.slug, entry.concept.slug
                    ),
                );
            }
        }
    }
    let concepts: Vec<Concept> = entries.iter().map(|e| e.concept.clone()).collect();
    for (slug, problem) in glossary::set_problems(&concepts) {
        if let Some(entry) = at.get(slug.as_str()).map(|i| &entries[*i]) {
            report.add(&entry.path, entry.line, format!("{slug} {}: {}", problem.field, problem.message));
        }
    }
    if report.errors.len() > before {
        return Vec::new();
    }
    entries
}

/// A concept's fingerprint: equal when every field is, however the file is laid out.
pub fn hash(concept: &Concept) -> String {
    format!("{:x}", Sha256::digest(serde_json::to_vec(concept).unwrap_or_default()))
}
