//! The glossary: a bilingual thesaurus in the manner of SKOS. A concept has a preferred
//! label per language, alternative labels (synonyms, spelled-out forms, colloquial terms),
//! acronyms, hidden labels (misspellings, matched but never shown), a definition per
//! language, broader and related concepts, and a domain. The rules that hold for a whole
//! glossary (unique preferred labels, links that resolve, no broader cycle) live here, so
//! that the content files and the app's forms are checked by the same code.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{problem::FieldProblem, text_enum};

text_enum!(
    /// The field a concept belongs to; a content file per domain.
    Domain {
        Procurement => "procurement",
        Budget => "budget",
        Tax => "tax",
        InternalControl => "internal-control",
        Integrity => "integrity",
        Transparency => "transparency",
        Participation => "participation",
        HumanResources => "human-resources",
        PublicWorks => "public-works",
        SocialProgrammes => "social-programmes",
        Institutions => "institutions",
    }
);

/// The longest label, definition or note kept, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 2000;
/// Addresses under `/glossary/` that are pages, not concepts.
const RESERVED_SLUGS: [&str; 1] = ["changes"];
/// Labels of one kind per concept, at most.
pub const MAX_LABELS: usize = 40;

/// A concept as files, forms and revisions hold it: links name other concepts by slug.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concept {
    pub slug: String,
    pub domain: Option<Domain>,
    pub pref_es: String,
    pub pref_en: String,
    #[serde(default)]
    pub alt_es: Vec<String>,
    #[serde(default)]
    pub alt_en: Vec<String>,
    #[serde(default)]
    pub acronyms: Vec<String>,
    #[serde(default)]
    pub hidden_es: Vec<String>,
    #[serde(default)]
    pub hidden_en: Vec<String>,
    pub definition_es: String,
    pub definition_en: String,
    #[serde(default)]
    pub scope_note_es: String,
    #[serde(default)]
    pub scope_note_en: String,
    #[serde(default)]
    pub broader: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub legal_basis: String,
    /// Its author was not sure of the definition or the legal basis.
    #[serde(default)]
    pub unverified: bool,
}

/// One thing wrong with a concept: the field, the problem as forms word it, and a message
/// in English for the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub kind: FieldProblem,
    pub message: String,
}

fn problem(field: &'static str, kind: FieldProblem, message: impl Into<String>) -> Problem {
    Problem { field, kind, message: message.into() }
}

impl Concept {
    /// Trims every text and drops empty and repeated labels and links.
    pub fn normalise(&mut self) {
        for text in [
            &mut self.slug,
            &mut self.pref_es,
            &mut self.pref_en,
            &mut self.definition_es,
            &mut self.definition_en,
            &mut self.scope_note_es,
            &mut self.scope_note_en,
            &mut self.legal_basis,
        ] {
            *text = text.trim().to_string();
        }
        for list in [
            &mut self.alt_es,
            &mut self.alt_en,
            &mut self.acronyms,
            &mut self.hidden_es,
            &mut self.hidden_en,
            &mut self.broader,
            &mut self.related,
        ] {
            let mut seen = HashSet::new();
            list.retain_mut(|item| {
                *item = item.split_whitespace().collect::<Vec<_>>().join(" ");
                !item.is_empty() && seen.insert(item.to_lowercase())
            });
        }
    }

    /// What is wrong with this concept on its own (not with respect to the others).
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Err(err) = super::slug::validate(&self.slug) {
            problems.push(problem("slug", FieldProblem::Unknown, err.to_string()));
        } else if RESERVED_SLUGS.contains(&self.slug.as_str()) {
            problems.push(problem("slug", FieldProblem::Taken, format!("{:?} names a glossary page", self.slug)));
        }
        if self.domain.is_none() {
            problems.push(problem("domain", FieldProblem::Missing, "choose a domain"));
        }
        for (field, text, max) in [
            ("pref_es", &self.pref_es, MAX_LABEL_CHARS),
            ("pref_en", &self.pref_en, MAX_LABEL_CHARS),
            ("definition_es", &self.definition_es, MAX_TEXT_CHARS),
            ("definition_en", &self.definition_en, MAX_TEXT_CHARS),
        ] {
            if text.trim().is_empty() {
                problems.push(problem(field, FieldProblem::Missing, "required"));
            } else if text.chars().count() > max {
                problems.push(problem(field, FieldProblem::TooLong { max }, format!("at most {max} characters")));
            } else if words(text).is_empty() {
                problems.push(problem(field, FieldProblem::Missing, "needs letters or digits"));
            }
        }
        for (field, text) in [
            ("scope_note_es", &self.scope_note_es),
            ("scope_note_en", &self.scope_note_en),
            ("legal_basis", &self.legal_basis),
        ] {
            if text.chars().count() > MAX_TEXT_CHARS {
                problems.push(problem(
                    field,
                    FieldProblem::TooLong { max: MAX_TEXT_CHARS },
                    format!("at most {MAX_TEXT_CHARS} characters"),
                ));
            }
        }
        for (field, labels) in [
            ("alt_es", &self.alt_es),
            ("alt_en", &self.alt_en),
            ("acronyms", &self.acronyms),
            ("hidden_es", &self.hidden_es),
            ("hidden_en", &self.hidden_en),
        ] {
            if labels.len() > MAX_LABELS {
                problems.push(problem(
                    field,
                    FieldProblem::TooMany { max: MAX_LABELS },
                    format!("at most {MAX_LABELS} labels"),
                ));
            }
            if let Some(label) = labels.iter().find(|l| l.chars().count() > MAX_LABEL_CHARS) {
                problems.push(problem(
                    field,
                    FieldProblem::TooLong { max: MAX_LABEL_CHARS },
                    format!("{label:?} is longer than {MAX_LABEL_CHARS} characters"),
                ));
            } else if let Some(label) = labels.iter().find(|l| words(l).is_empty()) {
                problems.push(problem(field, FieldProblem::Missing, format!("{label:?} has no letters or digits")));
            }
        }
        let texts = [
            ("pref_es", &self.pref_es),
            ("pref_en", &self.pref_en),
            ("definition_es", &self.definition_es),
            ("definition_en", &self.definition_en),
            ("scope_note_es", &self.scope_note_es),
            ("scope_note_en", &self.scope_note_en),
            ("legal_basis", &self.legal_basis),
        ];
        let lists = [
            ("alt_es", &self.alt_es),
            ("alt_en", &self.alt_en),
            ("acronyms", &self.acronyms),
            ("hidden_es", &self.hidden_es),
            ("hidden_en", &self.hidden_en),
        ];
        let controls = |text: &str| text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
        for (field, text) in texts.into_iter().chain(lists.into_iter().flat_map(|(f, l)| l.iter().map(move |t| (f, t))))
        {
            if controls(text) && !problems.iter().any(|p: &Problem| p.field == field) {
                problems.push(problem(field, FieldProblem::ControlCharacter, "holds control characters"));
            }
        }
        for (field, links) in [("broader", &self.broader), ("related", &self.related)] {
            if links.contains(&self.slug) {
                problems.push(problem(field, FieldProblem::SelfLink, "a concept cannot point to itself"));
            }
        }
        if let Some(both) = self.broader.iter().find(|b| self.related.contains(b)) {
            problems.push(problem("related", FieldProblem::SelfLink, format!("{both:?} is already a broader concept")));
        }
        problems
    }

    /// The fields that differ from `before`, by name, in the form's order.
    pub fn changed_fields(&self, before: &Concept) -> Vec<&'static str> {
        let pairs: [(&'static str, bool); 17] = [
            ("domain", self.domain != before.domain),
            ("pref_es", self.pref_es != before.pref_es),
            ("pref_en", self.pref_en != before.pref_en),
            ("alt_es", self.alt_es != before.alt_es),
            ("alt_en", self.alt_en != before.alt_en),
            ("acronyms", self.acronyms != before.acronyms),
            ("hidden_es", self.hidden_es != before.hidden_es),
            ("hidden_en", self.hidden_en != before.hidden_en),
            ("definition_es", self.definition_es != before.definition_es),
            ("definition_en", self.definition_en != before.definition_en),
            ("scope_note_es", self.scope_note_es != before.scope_note_es),
            ("scope_note_en", self.scope_note_en != before.scope_note_en),
            ("legal_basis", self.legal_basis != before.legal_basis),
            ("broader", self.broader != before.broader),
            ("related", self.related != before.related),
            ("unverified", self.unverified != before.unverified),
            ("slug", self.slug != before.slug),
        ];
        pairs.into_iter().filter(|(_, changed)| *changed).map(|(field, _)| field).collect()
    }

    /// Every label search matches: preferred, alternative, acronyms and hidden.
    pub fn matched_labels(&self) -> impl Iterator<Item = &str> {
        [&self.pref_es, &self.pref_en]
            .into_iter()
            .chain(self.alt_es.iter())
            .chain(self.alt_en.iter())
            .chain(self.acronyms.iter())
            .chain(self.hidden_es.iter())
            .chain(self.hidden_en.iter())
            .map(String::as_str)
    }
}

/// A text as search compares labels: its words, lower case, without accents.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| deunicode::deunicode(&w.to_lowercase()))
        .collect()
}

/// A text folded to one key: its words joined by single spaces.
pub fn fold(text: &str) -> String {
    words(text).join(" ")
}

/// What is wrong with a whole glossary, as (slug, problem): preferred labels used twice in a
/// language, links to concepts that do not exist, and broader chains that come back to
/// where they started. `retired` concepts keep their slugs but no longer count.
pub fn set_problems(concepts: &[Concept]) -> Vec<(String, Problem)> {
    let mut problems = Vec::new();
    let slugs: HashSet<&str> = concepts.iter().map(|c| c.slug.as_str()).collect();
    for (field, pick) in
        [("pref_es", (|c: &Concept| &c.pref_es) as fn(&Concept) -> &String), ("pref_en", |c| &c.pref_en)]
    {
        let mut first: HashMap<String, &str> = HashMap::new();
        for concept in concepts {
            let key = fold(pick(concept));
            if let Some(other) = first.get(&key) {
                problems.push((
                    concept.slug.clone(),
                    problem(
                        field,
                        FieldProblem::Taken,
                        format!("{:?} is already the preferred label of {other:?}", pick(concept)),
                    ),
                ));
            } else {
                first.insert(key, &concept.slug);
            }
        }
    }
    for concept in concepts {
        for (field, links) in [("broader", &concept.broader), ("related", &concept.related)] {
            for link in links.iter().filter(|l| !slugs.contains(l.as_str())) {
                problems.push((
                    concept.slug.clone(),
                    problem(field, FieldProblem::NotAConcept, format!("no concept is called {link:?}")),
                ));
            }
        }
    }
    for slug in broader_cycles(concepts) {
        problems.push((slug, problem("broader", FieldProblem::Cycle, "its broader concepts lead back to it")));
    }
    problems
}

/// Concepts that are their own ancestors through `broader`.
fn broader_cycles(concepts: &[Concept]) -> Vec<String> {
    let parents: HashMap<&str, &[String]> = concepts.iter().map(|c| (c.slug.as_str(), c.broader.as_slice())).collect();
    let mut cyclic = Vec::new();
    for concept in concepts {
        let mut stack: Vec<&str> = concept.broader.iter().map(String::as_str).collect();
        let mut seen = HashSet::new();
        while let Some(at) = stack.pop() {
            if at == concept.slug {
                cyclic.push(concept.slug.clone());
                break;
            }
            if seen.insert(at) {
                stack.extend(parents.get(at).into_iter().flat_map(|p| p.iter().map(String::as_str)));
            }
        }
    }
    cyclic
}

/// The narrower concepts of each concept: `broader` read the other way, so the two are
/// inverse by construction.
pub fn narrower(concepts: &[Concept]) -> HashMap<String, Vec<String>> {
    let mut narrower: HashMap<String, Vec<String>> = HashMap::new();
    for concept in concepts {
        for broader in &concept.broader {
            narrower.entry(broader.clone()).or_default().push(concept.slug.clone());
        }
    }
    for list in narrower.values_mut() {
        list.sort();
    }
    narrower
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(slug: &str, es: &str, en: &str) -> Concept {
        Concept {
            slug: slug.into(),
            domain: Some(Domain::Integrity),
            pref_es: es.into(),
            pref_en: en.into(),
            definition_es: "Definición.".into(),
            definition_en: "Definition.".into(),
            ..Concept::default()
        }
    }

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("  Peculado, APROPIACIÓN  de fondos "), "peculado apropiacion de fondos");
        assert_eq!(words("Invierte.pe"), vec!["invierte", "pe"]);
    }

    #[test]
    fn finds_duplicate_preferred_labels_dangling_links_and_cycles() {
        let mut a = concept("a", "Peculado", "Embezzlement");
        let mut b = concept("b", "PECULADO", "Other");
        let mut c = concept("c", "Tercero", "Third");
        a.broader = vec!["c".into()];
        c.broader = vec!["a".into()];
        b.related = vec!["nowhere".into()];
        let problems = set_problems(&[a, b, c]);
        let said = |slug: &str, field: &str| problems.iter().any(|(s, p)| s == slug && p.field == field);
        assert!(said("b", "pref_es"), "{problems:?}");
        assert!(!said("b", "pref_en"));
        assert!(said("b", "related"));
        assert!(said("a", "broader") && said("c", "broader"));
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn narrower_is_broader_read_the_other_way() {
        let mut child = concept("child", "Hijo", "Child");
        child.broader = vec!["parent".into()];
        let parent = concept("parent", "Padre", "Parent");
        let narrower = narrower(&[child, parent]);
        assert_eq!(narrower.get("parent"), Some(&vec!["child".to_string()]));
        assert_eq!(narrower.get("child"), None);
    }

    #[test]
    fn a_concept_needs_both_labels_and_definitions() {
        let mut c = concept("x", "", "X");
        c.definition_en = " ".into();
        c.related = vec!["x".into()];
        let fields: Vec<&str> = c.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["pref_es", "definition_en", "related"]);
    }
}
