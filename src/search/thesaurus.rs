//! The glossary as search uses it: every label of every concept in use, folded, for finding
//! the concepts a query names; each process keeps one in memory and reads it again when the
//! change log says the glossary changed (`follow`).

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use tantivy::tokenizer::TextAnalyzer;

use super::{analyzers, Search};
use crate::{
    domain::{
        case::Language,
        glossary::{self, Concept},
    },
    store::{changes::ChangeWaiter, glossary::StoredConcept, Store},
};

/// Without a notification, the log is read this often: an edit reaches every process
/// within two seconds even when a notification is lost.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// The type glossary writes log in the change log.
pub const GLOSSARY_CHANGE: &str = "glossary";

/// How a label belongs to its concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    Preferred,
    Alternative,
    Acronym,
    /// A misspelling: it finds the concept, and is never searched for itself.
    Hidden,
}

/// A concept in use, as search and the reading pages need it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub concept: Concept,
    /// Indexes of its narrower concepts.
    pub narrower: Vec<usize>,
}

impl Entry {
    /// The labels searched for when the concept is named, with the language of the texts
    /// they are looked for in (`None`: both, for acronyms): the preferred ones, then the
    /// acronyms, then the alternatives (never the hidden ones).
    pub fn searched_labels(&self) -> impl Iterator<Item = (&str, Option<Language>)> {
        let c = &self.concept;
        [(c.pref_es.as_str(), Some(Language::Es)), (c.pref_en.as_str(), Some(Language::En))]
            .into_iter()
            .chain(c.acronyms.iter().map(|a| (a.as_str(), None)))
            .chain(c.alt_es.iter().map(|l| (l.as_str(), Some(Language::Es))))
            .chain(c.alt_en.iter().map(|l| (l.as_str(), Some(Language::En))))
    }
}

/// A run of query words that names concepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// Concept indexes, with how the words matched each.
    pub concepts: Vec<(usize, LabelKind)>,
}

/// Every concept in use, with its labels analysed for matching.
#[derive(Default)]
pub struct Thesaurus {
    pub entries: Vec<Entry>,
    by_slug: HashMap<String, usize>,
    /// A label's words as [`analyzers::label_analyzer`] makes them, joined by spaces → the
    /// concepts that have it.
    by_label: HashMap<String, Vec<(usize, LabelKind)>>,
    analyzer: TextAnalyzer,
    /// The most words a label has.
    longest: usize,
    /// Every word of every label, folded: typo correction may propose them.
    vocabulary: HashSet<String>,
    /// Acronyms as written (upper case), for marking them in case bodies.
    acronyms: HashMap<String, Vec<usize>>,
    /// Moves each time the glossary is read again: pages drawn with an older one are stale.
    pub generation: u64,
}

impl Thesaurus {
    pub fn new(stored: Vec<StoredConcept>, generation: u64) -> Thesaurus {
        let concepts: Vec<Concept> = stored.into_iter().filter(|c| !c.retired).map(|c| c.concept).collect();
        let mut narrower = glossary::narrower(&concepts);
        let by_slug: HashMap<String, usize> = concepts.iter().enumerate().map(|(i, c)| (c.slug.clone(), i)).collect();
        let mut thesaurus = Thesaurus { generation, analyzer: analyzers::label_analyzer(), ..Thesaurus::default() };
        for (i, concept) in concepts.into_iter().enumerate() {
            let kinds = [
                (LabelKind::Preferred, vec![&concept.pref_es, &concept.pref_en]),
                (LabelKind::Alternative, concept.alt_es.iter().chain(&concept.alt_en).collect()),
                (LabelKind::Acronym, concept.acronyms.iter().collect()),
                (LabelKind::Hidden, concept.hidden_es.iter().chain(&concept.hidden_en).collect()),
            ];
            for (kind, labels) in kinds {
                for label in labels {
                    thesaurus.vocabulary.extend(glossary::words(label));
                    let words = analyzers::words_with(&mut thesaurus.analyzer, label);
                    if words.is_empty() {
                        continue;
                    }
                    thesaurus.longest = thesaurus.longest.max(words.len());
                    let found = thesaurus.by_label.entry(words.join(" ")).or_default();
                    // One concept once per label, by its strongest kind.
                    if !found.iter().any(|(c, _)| *c == i) {
                        found.push((i, kind));
                    }
                }
            }
            for acronym in &concept.acronyms {
                thesaurus.acronyms.entry(acronym.clone()).or_default().push(i);
            }
            let narrower = narrower.remove(&concept.slug).unwrap_or_default();
            thesaurus.entries.push(Entry {
                narrower: narrower.iter().filter_map(|slug| by_slug.get(slug).copied()).collect(),
                concept,
            });
        }
        thesaurus.by_slug = by_slug;
        thesaurus
    }

    pub fn get(&self, slug: &str) -> Option<&Entry> {
        self.by_slug.get(slug).map(|i| &self.entries[*i])
    }

    /// The runs of `words` (as typed, one word each) that are labels, longest first, left
    /// to right: «obras por impuestos» is one concept, not three words. Words the analysis
    /// drops («por», «de») join the run they sit in.
    pub fn spans(&self, words: &[String]) -> Vec<Span> {
        let mut analyzer = self.analyzer.clone();
        // (typed index, analysed word) for the words that are more than stop words.
        let keys: Vec<(usize, String)> = words
            .iter()
            .enumerate()
            .flat_map(|(i, w)| analyzers::words_with(&mut analyzer, w).into_iter().map(move |k| (i, k)))
            .collect();
        let mut spans = Vec::new();
        let mut start = 0;
        while start < keys.len() {
            let longest = self.longest.min(keys.len() - start);
            let found = (1..=longest).rev().find_map(|n| {
                let key: Vec<&str> = keys[start..start + n].iter().map(|(_, k)| k.as_str()).collect();
                self.by_label.get(&key.join(" ")).map(|concepts| (n, concepts))
            });
            match found {
                Some((n, concepts)) => {
                    let (first, last) = (keys[start].0, keys[start + n - 1].0);
                    // A typed word split in two ("Invierte.pe") is never cut in half.
                    if spans.last().is_none_or(|s: &Span| s.end <= first) {
                        spans.push(Span { start: first, end: last + 1, concepts: concepts.clone() });
                    }
                    start += n;
                }
                None => start += 1,
            }
        }
        spans
    }

    /// Whether a folded word is part of some label.
    pub fn knows_word(&self, folded: &str) -> bool {
        self.vocabulary.contains(folded)
    }

    /// The concepts an acronym, as written, stands for.
    pub fn acronym(&self, written: &str) -> &[usize] {
        self.acronyms.get(written).map_or(&[], Vec::as_slice)
    }

    /// Every acronym as written, for scanning texts.
    pub fn acronyms(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.acronyms.iter().map(|(a, c)| (a.as_str(), c.as_slice()))
    }
}

/// Keeps `search`'s thesaurus current: reads the glossary at start, then again whenever a
/// glossary change is logged.
pub(super) async fn follow(store: Store, search: Search) {
    // The change id the thesaurus is current with; `None` until it is first read.
    let mut seen: Option<i64> = None;
    let mut generation: u64 = 0;
    let mut waiter = ChangeWaiter::new(POLL_INTERVAL);
    loop {
        if store.pool().is_closed() {
            return;
        }
        match reload_if_changed(&store, &search, seen, generation + 1).await {
            Ok((latest, reloaded)) => {
                generation += u64::from(reloaded);
                seen = Some(latest);
                search.glossary_checked(latest);
            }
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "cannot read the glossary yet; retrying"),
        }
        waiter.wait(&store).await;
    }
}

/// Reads the glossary again when a glossary change was logged after `seen` (or it was
/// never read). Returns the change id it is now current with, and whether it was read.
/// Entries become visible in id order (migration 0002), so nothing logged after `latest`
/// can be missed.
async fn reload_if_changed(
    store: &Store,
    search: &Search,
    seen: Option<i64>,
    generation: u64,
) -> anyhow::Result<(i64, bool)> {
    let latest = store.latest_change_id().await?;
    if let Some(seen) = seen {
        if !store.logged_since(seen, GLOSSARY_CHANGE).await? {
            return Ok((latest, false));
        }
    }
    let stored = store.glossary().await?;
    let thesaurus = tokio::task::spawn_blocking(move || Thesaurus::new(stored, generation)).await?;
    search.install_thesaurus(Arc::new(thesaurus));
    Ok((latest, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::glossary::Domain;

    fn stored(slug: &str, es: &str, en: &str, alt: &[&str], acronyms: &[&str], broader: &[&str]) -> StoredConcept {
        StoredConcept {
            id: 0,
            concept: Concept {
                slug: slug.into(),
                domain: Some(Domain::Procurement),
                pref_es: es.into(),
                pref_en: en.into(),
                alt_es: alt.iter().map(|s| s.to_string()).collect(),
                acronyms: acronyms.iter().map(|s| s.to_string()).collect(),
                broader: broader.iter().map(|s| s.to_string()).collect(),
                definition_es: "D.".into(),
                definition_en: "D.".into(),
                ..Concept::default()
            },
            retired: false,
            replaced_by: None,
            revision: 1,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
            related_inbound: Vec::new(),
        }
    }

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_longest_label_wins_left_to_right() {
        let t = Thesaurus::new(
            vec![
                stored("oxi", "Obras por impuestos", "Works for taxes", &[], &["OxI"], &[]),
                stored("obra", "Obra pública", "Public works", &["obras"], &[], &[]),
                stored("impuesto", "Impuesto", "Tax", &["impuestos"], &[], &[]),
            ],
            1,
        );
        let spans = t.spans(&words("Obras por Impuestos en Piura"));
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!((spans[0].start, spans[0].end), (0, 3));
        let spans = t.spans(&words("obras piura impuestos"));
        assert_eq!(spans.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(), vec![(0, 1), (2, 3)]);
        let spans = t.spans(&words("obras del impuesto"));
        assert_eq!(spans.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(), vec![(0, 3)], "plurals and stop words");
        assert!(t.knows_word("impuestos") && !t.knows_word("piura"));
    }

    #[test]
    fn an_acronym_can_name_several_concepts_and_narrower_ones_are_known() {
        let t = Thesaurus::new(
            vec![
                stored(
                    "plan-anual-de-contrataciones",
                    "Plan Anual de Contrataciones",
                    "Annual Procurement Plan",
                    &[],
                    &["PAC"],
                    &[],
                ),
                stored("plan-anual-de-control", "Plan Anual de Control", "Annual Audit Plan", &[], &["PAC"], &[]),
                stored("contratacion", "Contratación pública", "Public procurement", &[], &[], &[]),
                stored("licitacion", "Licitación pública", "Public tender", &[], &[], &["contratacion"]),
            ],
            1,
        );
        let spans = t.spans(&words("pac"));
        assert_eq!(spans[0].concepts.len(), 2);
        assert_eq!(t.acronym("PAC").len(), 2);
        let parent = t.get("contratacion").expect("concept");
        assert_eq!(parent.narrower.len(), 1);
        assert_eq!(t.entries[parent.narrower[0]].concept.slug, "licitacion");
    }
}
