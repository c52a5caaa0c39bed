//! Expanding the words a query names through the glossary. A span of words that is a
//! label is also searched as the other labels of its concept, in both languages (weighing
//! less than the words as typed), and as the labels of its narrower concepts (less still);
//! never as broader ones. An ambiguous span (an acronym of several concepts) weighs less
//! again. A query gets at most [`MAX_LABELS`] labels, so a common phrase cannot explode it.

use std::collections::HashSet;

use super::{
    words::{term, Alternatives},
    ExpandedTerm, Expansion,
};
use crate::{
    domain::{
        case::Language,
        glossary::{self, fold},
    },
    search::{
        engine::Engine,
        thesaurus::{Span, Thesaurus},
    },
};

/// Another label of the concept named, against 1.0 for the words as typed.
const SYNONYM_WEIGHT: f32 = 0.35;
/// A label of a narrower concept.
const NARROWER_WEIGHT: f32 = 0.2;
/// Times either, when the words name several concepts.
const AMBIGUOUS_FACTOR: f32 = 0.6;
/// Labels added to one query, at most.
pub(super) const MAX_LABELS: usize = 20;
/// Labels added for one concept, at most (its narrower concepts' included).
const MAX_LABELS_PER_CONCEPT: usize = 8;

/// What the words as typed already find and rank: each word's stems in each language. A
/// label made only of typed words («predial» beside the typed «impuesto predial»), or
/// holding all of them («impuesto predial municipal»), finds no document that the words
/// (and their phrase) do not find and rank already, so it is not searched: it would only
/// cost time.
pub(super) struct Covered {
    /// Per typed word: its stems (and its correction's) in Spanish, then in English.
    words: Vec<[Vec<String>; 2]>,
    /// How many of the typed words a document needs.
    required: usize,
}

impl Covered {
    /// `typed`: each word, with its correction after it if it has one; a document needs
    /// `required` of them.
    pub(super) fn new(engine: &Engine, typed: impl Iterator<Item = String>, required: usize) -> Covered {
        let words = typed.map(|text| [engine.stems(&text, Language::Es), engine.stems(&text, Language::En)]).collect();
        Covered { words, required }
    }

    /// Whether this label (searched in the texts of `lang`, or of both) holds all the typed
    /// words, or is made only of typed words and holds enough of them: then every document
    /// with it has the words already. («predial» alone does not cover «impuesto predial
    /// municipal», which needs two of its words.)
    fn finds(&self, engine: &Engine, label: &str, lang: Option<Language>) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let languages = match lang {
            Some(l) => vec![l],
            None => vec![Language::Es, Language::En],
        };
        languages.into_iter().all(|language| {
            let stems = engine.stems(label, language);
            let at = usize::from(language == Language::En);
            let typed = |stem: &String| self.words.iter().any(|w| w[at].contains(stem));
            let held = self.words.iter().filter(|w| w[at].iter().any(|s| stems.contains(s))).count();
            let only_typed = stems.iter().all(typed);
            !stems.is_empty() && (held == self.words.len() || (only_typed && held >= self.required))
        })
    }
}

pub(super) struct Expander<'a> {
    engine: &'a Engine,
    thesaurus: &'a Thesaurus,
    left: usize,
    /// Labels searched so far (folded), the words typed among them: each once per query.
    seen: HashSet<String>,
    expansions: Vec<Expansion>,
}

impl<'a> Expander<'a> {
    pub(super) fn new(engine: &'a Engine, thesaurus: &'a Thesaurus) -> Expander<'a> {
        Expander { engine, thesaurus, left: MAX_LABELS, seen: HashSet::new(), expansions: Vec::new() }
    }

    /// The alternatives a span adds to the words as typed (`typed`), with a text naming
    /// them (each label, its language and weight), and a record of them.
    pub(super) fn expand(&mut self, span: &Span, typed: &str, covered: &Covered) -> (Alternatives, String) {
        let factor = if span.concepts.len() > 1 { AMBIGUOUS_FACTOR } else { 1.0 };
        self.seen.insert(fold(typed));
        let mut alternatives = Alternatives::new();
        let mut named = String::new();
        let mut terms = Vec::new();
        for (index, _) in &span.concepts {
            let entry = &self.thesaurus.entries[*index];
            let own = entry.searched_labels().map(|(label, lang)| (label, lang, &entry.concept.slug, false));
            let narrower = entry.narrower.iter().flat_map(|n| {
                let c = &self.thesaurus.entries[*n].concept;
                [(c.pref_es.as_str(), Some(Language::Es)), (c.pref_en.as_str(), Some(Language::En))]
                    .into_iter()
                    .chain(c.acronyms.iter().map(|a| (a.as_str(), None)))
                    .map(move |(label, lang)| (label, lang, &c.slug, true))
            });
            let mut taken = 0;
            for (label, lang, slug, is_narrower) in own.chain(narrower) {
                if self.left == 0 || taken == MAX_LABELS_PER_CONCEPT {
                    break;
                }
                if !self.seen.insert(fold(label)) || covered.finds(self.engine, label, lang) {
                    continue;
                }
                let weight = factor * if is_narrower { NARROWER_WEIGHT } else { SYNONYM_WEIGHT };
                let words = glossary::words(label);
                let added: Alternatives = match words.as_slice() {
                    [] => continue,
                    // A label is looked for in the texts of its own language.
                    [one] => {
                        self.engine.word_terms_in(one, weight, lang).into_iter().map(|(t, w)| term(t, w)).collect()
                    }
                    _ => self.engine.phrase_in(&words, weight, lang),
                };
                if added.is_empty() {
                    continue;
                }
                alternatives.extend(added);
                named.push_str(&format!("{label}|{lang:?}|{weight};"));
                terms.push(ExpandedTerm { label: label.to_string(), concept: slug.clone(), narrower: is_narrower });
                taken += 1;
                self.left -= 1;
            }
        }
        if !terms.is_empty() {
            self.expansions.push(Expansion { typed: typed.to_string(), terms });
        }
        (alternatives, named)
    }

    pub(super) fn finish(self) -> Vec<Expansion> {
        self.expansions
    }
}
