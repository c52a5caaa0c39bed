//! Building the query: weighted words and phrases in both languages, typo correction,
//! and the filters as clauses.

use std::ops::Bound;

use tantivy::{
    collector::TopDocs,
    query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery},
    schema::{IndexRecordOption, Term},
    Searcher, TantivyDocument,
};

use super::{
    expand::{Covered, Expander},
    shape::text,
    words::{term, Alternatives, Words},
    Expansion,
};
use crate::{
    domain::{case::Language, filter::Filters, glossary::fold},
    search::{
        analyzers::{self, ENGLISH, FOLDED, SPANISH},
        engine::Engine,
        kept::KeptQuery,
        query::ParsedQuery,
        schema::LanguageFields,
        thesaurus::Thesaurus,
    },
};

/// Title matches weigh most, then the summary, then the body.
const FIELD_WEIGHTS: [(Field3, f32); 3] = [(Field3::Title, 3.0), (Field3::Summary, 2.0), (Field3::Body, 1.0)];
/// A corrected word counts for less than the word as typed.
const CORRECTION_WEIGHT: f32 = 0.3;
/// Words this short are not corrected: too many neighbours.
const MIN_CORRECTABLE_CHARS: usize = 5;
/// Words longer than the index keeps (`analyzers`' token limit) are not corrected either.
const MAX_CORRECTABLE_CHARS: usize = 40;
/// A word in at most this many documents is "rare" and may be corrected to a common one.
const RARE_DOC_FREQ: u64 = 2;

/// The query for the words and phrases, if any, the "did you mean" text, and what the
/// glossary added.
type TextQuery = (Option<Box<dyn Query>>, Option<String>, Vec<Expansion>);

/// A typed word as search reads it.
struct Typed {
    word: String,
    stop: bool,
    /// Some document has it, as typed or by its stem.
    known: bool,
    correction: Option<String>,
}

impl Typed {
    /// The word, and its correction if any.
    fn with_correction(&self) -> String {
        match &self.correction {
            Some(c) => format!("{} {c}", self.word),
            None => self.word.clone(),
        }
    }
}

#[derive(Clone, Copy)]
enum Field3 {
    Title,
    Summary,
    Body,
}

fn field_of(lang: LanguageFields, which: Field3) -> tantivy::schema::Field {
    match which {
        Field3::Title => lang.title,
        Field3::Summary => lang.summary,
        Field3::Body => lang.body,
    }
}

impl Engine {
    /// The words and phrases as one query, the "did you mean" text when a word was
    /// corrected, and what the glossary added. `None` when nothing searchable was typed.
    ///
    /// With a thesaurus, runs of words that are glossary labels (longest first) become one
    /// word each: found as typed, or as any label of the concept in either language (at a
    /// lower weight), or as a narrower concept's labels (lower still).
    pub(super) fn text_query(
        &self,
        searcher: &Searcher,
        text: &ParsedQuery,
        thesaurus: Option<&Thesaurus>,
    ) -> tantivy::Result<TextQuery> {
        let mut typed = Vec::with_capacity(text.words.len());
        for word in &text.words {
            typed.push(self.typed_word(searcher, word, thesaurus)?);
        }
        // Words that either language drops (Spanish «cómo», «que», «para»; English «how»,
        // «what») would count towards "half the words" while matching nothing: they count
        // only when nothing else was typed.
        let all_stop_words = typed.iter().all(|t| t.stop);
        let effective: Vec<String> = typed.iter().map(|t| t.correction.clone().unwrap_or(t.word.clone())).collect();
        let spans = thesaurus.map(|t| t.spans(&effective)).unwrap_or_default();
        let mut expander = thesaurus.map(|t| Expander::new(self, t));
        let mut word_clauses: Vec<Alternatives> = Vec::new();
        let mut suggestion_words = Vec::with_capacity(typed.len());
        let mut at = 0;
        while at < typed.len() {
            // A run of stop words alone («as», which is also an acronym) names nothing.
            let span = spans
                .iter()
                .find(|s| s.start == at)
                .filter(|s| all_stop_words || typed[s.start..s.end].iter().any(|t| !t.stop));
            if let (Some(span), Some(expander)) = (span, expander.as_mut()) {
                let words = &typed[span.start..span.end];
                let written: Vec<String> =
                    words.iter().map(|t| t.correction.clone().unwrap_or(t.word.clone())).collect();
                // The words as typed: half of them, apart, are enough (as for a whole query),
                // and all of them together as a phrase rank the exact wording first.
                let searched: Vec<&Typed> = words.iter().filter(|w| !w.stop || all_stop_words).collect();
                let mut typed_words: Vec<Alternatives> =
                    searched.iter().map(|w| self.typed_terms(w)).filter(|terms| !terms.is_empty()).collect();
                let required = typed_words.len().div_ceil(2);
                let covered = Covered::new(self, searched.iter().map(|t| t.with_correction()), required);
                let mut alternatives: Alternatives = if required <= 1 {
                    // One word of them is enough: they are simply more alternatives.
                    typed_words.drain(..).flatten().collect()
                } else {
                    vec![(Box::new(Words::of(typed_words, required)) as Box<dyn Query>, 1.0)]
                };
                // The phrase and the labels cost most and change least: kept (`search::kept`).
                let mut costly = Alternatives::new();
                let mut named = String::new();
                if words.len() > 1 {
                    costly = self.phrase_in(&written, 1.0, None);
                    named = format!("\"{}\";", written.join(" "));
                }
                let (labels, labels_named) = expander.expand(span, &written.join(" "), &covered);
                costly.extend(labels);
                named.push_str(&labels_named);
                if !costly.is_empty() {
                    let kept = KeptQuery::new(self.kept.clone(), named, costly);
                    alternatives.push((Box::new(kept), 1.0));
                }
                for word in words {
                    suggestion_words.push(self.suggested(searcher, word)?);
                }
                if !alternatives.is_empty() {
                    word_clauses.push(alternatives);
                }
                at = span.end;
                continue;
            }
            let word = &typed[at];
            at += 1;
            suggestion_words.push(self.suggested(searcher, word)?);
            if (!all_stop_words && word.stop) || (word.correction.is_none() && !word.known) {
                // A word no document has, with nothing near it, would only make matching stricter.
                continue;
            }
            let terms = self.typed_terms(word);
            if !terms.is_empty() {
                word_clauses.push(terms);
            }
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !word_clauses.is_empty() {
            // Documents with every word score highest; half of the words is enough to be
            // found, so a question in a reader's own words never comes back empty.
            let required = word_clauses.len().div_ceil(2);
            must.push((Occur::Must, Box::new(Words::of(word_clauses, required))));
        }
        for phrase in &text.phrases {
            if let Some(q) = self.phrase_or_word(phrase, 1.5) {
                must.push((Occur::Must, q));
            }
        }
        let corrected_any = typed.iter().any(|t| t.correction.is_some());
        let suggestion = corrected_any.then(|| {
            let mut parts = suggestion_words;
            parts.extend(text.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))));
            parts.join(" ")
        });
        let query: Option<Box<dyn Query>> = match must.len() {
            0 => None,
            1 => must.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(must))),
        };
        Ok((query, suggestion, expander.map(Expander::finish).unwrap_or_default()))
    }

    /// What search makes of one typed word: whether it is a stop word, whether any document
    /// has it, and its correction: to a commoner word of the index, or else to a word of the
    /// glossary's labels (so that «pecualdo» becomes «peculado», then a concept).
    fn typed_word(&self, searcher: &Searcher, word: &str, thesaurus: Option<&Thesaurus>) -> tantivy::Result<Typed> {
        let stop = self.is_stop_word(word);
        let folded = fold(word);
        let in_glossary = thesaurus.is_some_and(|t| t.knows_word(&folded));
        let known = self.is_known(searcher, word)?;
        let mut correction = if in_glossary || stop { None } else { self.correction(searcher, word)? };
        // The same bounds as the index's dictionary: a long or non-ASCII word has no
        // neighbours worth listing (and listing them costs memory in its length squared).
        let correctable = (MIN_CORRECTABLE_CHARS..=MAX_CORRECTABLE_CHARS).contains(&folded.len())
            && folded.chars().all(|c| c.is_ascii_alphanumeric());
        if correction.is_none() && !known && !in_glossary && !stop && correctable {
            correction = thesaurus.and_then(|t| one_edit_away(&folded).into_iter().filter(|c| t.knows_word(c)).min());
        }
        Ok(Typed { word: word.to_string(), stop, known, correction })
    }

    /// A typed word's own terms, and its correction's at a lower weight.
    fn typed_terms(&self, word: &Typed) -> Alternatives {
        let mut terms = self.word_terms(&word.word, 1.0);
        if let Some(c) = word.correction.as_deref() {
            terms.extend(self.word_terms(c, CORRECTION_WEIGHT));
        }
        terms.into_iter().map(|(t, w)| term(t, w)).collect()
    }

    /// A word as "did you mean" writes it: corrected, in its usual spelling.
    fn suggested(&self, searcher: &Searcher, word: &Typed) -> tantivy::Result<String> {
        match &word.correction {
            Some(c) => self.written_form(searcher, c),
            None => Ok(word.word.clone()),
        }
    }

    /// A word's terms in both languages' title, summary and body fields, with their weights.
    pub(super) fn word_terms(&self, word: &str, weight: f32) -> Vec<(Term, f32)> {
        self.word_terms_in(word, weight, None)
    }

    /// The languages' fields to look in: both, or one (a document's text is in its own).
    fn languages(&self, only: Option<Language>) -> Vec<(LanguageFields, &'static str)> {
        let both = [(Language::Es, self.fields.es, SPANISH), (Language::En, self.fields.en, ENGLISH)];
        both.into_iter().filter(|(l, _, _)| only.is_none_or(|o| o == *l)).map(|(_, f, a)| (f, a)).collect()
    }

    /// A text's words as one language's analysis makes them.
    pub(super) fn stems(&self, text: &str, language: Language) -> Vec<String> {
        self.languages(Some(language))
            .into_iter()
            .flat_map(|(_, analyzer)| analyzers::tokens(&self.index, analyzer, text))
            .map(|(_, t)| t)
            .collect()
    }

    /// A word's terms in one language's fields, or in both.
    pub(super) fn word_terms_in(&self, word: &str, weight: f32, only: Option<Language>) -> Vec<(Term, f32)> {
        let mut terms = Vec::new();
        for (lang, analyzer) in self.languages(only) {
            for (_, token) in analyzers::tokens(&self.index, analyzer, word) {
                for (which, field_weight) in FIELD_WEIGHTS {
                    terms.push((Term::from_field_text(field_of(lang, which), &token), weight * field_weight));
                }
            }
        }
        terms
    }

    /// Several words in this order, in either language; one word is just that word.
    pub(super) fn phrase_or_word(&self, words: &[String], weight: f32) -> Option<Box<dyn Query>> {
        if let [word] = words {
            let terms = self.word_terms(word, weight);
            return (!terms.is_empty()).then(|| Box::new(Words::new(vec![terms], 1)) as Box<dyn Query>);
        }
        let clauses: Vec<Box<dyn Query>> = self
            .phrase_in(words, weight, None)
            .into_iter()
            .map(|(q, w)| Box::new(BoostQuery::new(q, w)) as Box<dyn Query>)
            .collect();
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::union(clauses)) as Box<dyn Query>)
    }

    /// Several words in this order in one language's fields, or in both: one alternative per
    /// field, so that a word's cells add them up (cheaper than a union of them).
    pub(super) fn phrase_in(&self, words: &[String], weight: f32, only: Option<Language>) -> Alternatives {
        let text = words.join(" ");
        let mut alternatives = Alternatives::new();
        for (lang, analyzer) in self.languages(only) {
            let tokens = analyzers::tokens(&self.index, analyzer, &text);
            for (which, field_weight) in FIELD_WEIGHTS {
                let field = field_of(lang, which);
                let q: Box<dyn Query> = match tokens.as_slice() {
                    [] => continue,
                    [(_, token)] => {
                        Box::new(TermQuery::new(Term::from_field_text(field, token), IndexRecordOption::WithFreqs))
                    }
                    _ => Box::new(PhraseQuery::new_with_offset(
                        tokens.iter().map(|(pos, t)| (*pos, Term::from_field_text(field, t))).collect(),
                    )),
                };
                alternatives.push((q, weight * field_weight));
            }
        }
        alternatives
    }

    /// A corrected word as people write it («capacitación», not the folded «capacitacion»):
    /// the commonest spelling of it in a few documents that have it.
    fn written_form(&self, searcher: &Searcher, folded: &str) -> tantivy::Result<String> {
        let query = TermQuery::new(Term::from_field_text(self.fields.folded, folded), IndexRecordOption::Basic);
        let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let length = folded.chars().count();
        for (_, address) in searcher.search(&query, &TopDocs::with_limit(3))? {
            let doc: TantivyDocument = searcher.doc(address)?;
            let f = &self.fields;
            for field in [f.title, f.summary, f.es.body, f.en.body] {
                for word in text(&doc, field).split(|c: char| !c.is_alphanumeric()) {
                    if word.chars().count() == length {
                        let lower = word.to_lowercase();
                        if deunicode::deunicode(&lower) == folded {
                            *counts.entry(lower).or_default() += 1;
                        }
                    }
                }
            }
        }
        let commonest = counts.into_iter().max_by(|(a, m), (b, n)| m.cmp(n).then_with(|| b.cmp(a)));
        Ok(commonest.map_or_else(|| folded.to_string(), |(word, _)| word))
    }

    /// Whether the Spanish or the English analyzer drops this word, as typed or without its
    /// accents (the stop lists have «como» but people type «cómo»).
    fn is_stop_word(&self, word: &str) -> bool {
        let folded: String = analyzers::tokens(&self.index, FOLDED, word).into_iter().map(|(_, t)| t).collect();
        let dropped = [word, folded.as_str()].into_iter().filter(|w| !w.is_empty()).any(|w| {
            [SPANISH, ENGLISH].into_iter().any(|analyzer| analyzers::tokens(&self.index, analyzer, w).is_empty())
        });
        dropped
    }

    /// Whether any document has this word, as typed or by its stem.
    fn is_known(&self, searcher: &Searcher, word: &str) -> tantivy::Result<bool> {
        for (_, token) in analyzers::tokens(&self.index, FOLDED, word) {
            if searcher.doc_freq(&Term::from_field_text(self.fields.folded, &token))? > 0 {
                return Ok(true);
            }
        }
        for (lang, analyzer) in [(self.fields.es, SPANISH), (self.fields.en, ENGLISH)] {
            for (_, token) in analyzers::tokens(&self.index, analyzer, word) {
                for field in [lang.title, lang.summary, lang.body] {
                    if searcher.doc_freq(&Term::from_field_text(field, &token))? > 0 {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// The nearest known word within one edit, for a word the index lacks or barely has.
    fn correction(&self, searcher: &Searcher, word: &str) -> tantivy::Result<Option<String>> {
        let folded: String = analyzers::tokens(&self.index, FOLDED, word).into_iter().map(|(_, t)| t).collect();
        if folded.chars().count() < MIN_CORRECTABLE_CHARS || !folded.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        let freq = |w: &str| searcher.doc_freq(&Term::from_field_text(self.fields.folded, w));
        let own = freq(&folded)?;
        if own > RARE_DOC_FREQ {
            return Ok(None);
        }
        let stems = |w: &str| {
            [SPANISH, ENGLISH].map(|analyzer| {
                analyzers::tokens(&self.index, analyzer, w).into_iter().map(|(_, t)| t).collect::<Vec<_>>()
            })
        };
        let own_stems = stems(&folded);
        let mut best: Option<(u64, String)> = None;
        for candidate in one_edit_away(&folded) {
            let n = freq(&candidate)?;
            // Ties go to the most frequent word, then the first in alphabetical order.
            if n > 0 && best.as_ref().is_none_or(|(m, w)| n > *m || (n == *m && candidate < *w)) {
                // Another form of the same word ("jurada" for "juradas") is found anyway.
                let same_word = stems(&candidate).iter().zip(&own_stems).any(|(a, b)| !a.is_empty() && a == b);
                if !same_word {
                    best = Some((n, candidate));
                }
            }
        }
        Ok(best.filter(|(n, _)| *n > own).map(|(_, w)| w))
    }

    pub(super) fn filter_clauses(&self, filters: &Filters) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let term = |field, value: Option<&str>| {
            value.map(|v| {
                Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic)) as Box<dyn Query>
            })
        };
        let mut clauses: Vec<Box<dyn Query>> = [
            term(f.region_path, filters.region.as_deref()),
            term(f.themes, filters.theme.as_deref()),
            term(f.kind, filters.kind.map(|k| k.as_str())),
            term(f.language, filters.language.map(|l| l.as_str())),
            term(f.doc_type, filters.doc_type.map(|t| t.as_str())),
            term(f.level, filters.level.map(|l| l.as_str())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if filters.year_from.is_some() || filters.year_to.is_some() {
            let bound = |year: Option<i32>| {
                year.map_or(Bound::Unbounded, |y| Bound::Included(Term::from_field_i64(f.year, i64::from(y))))
            };
            clauses.push(Box::new(RangeQuery::new(bound(filters.year_from), bound(filters.year_to))));
        }
        if let Some(illustrative) = filters.illustrative {
            let term = Term::from_field_bool(f.illustrative, illustrative);
            clauses.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        clauses
    }
}

/// Counted per value: the region (with the regions above it), theme, type, language, year.
/// Every string one deletion, transposition, substitution or insertion away.
fn one_edit_away(word: &str) -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let chars: Vec<u8> = word.bytes().collect();
    let mut out = Vec::with_capacity(chars.len() * 75);
    let push = |bytes: Vec<u8>, out: &mut Vec<String>| {
        if let Ok(s) = String::from_utf8(bytes) {
            out.push(s);
        }
    };
    for i in 0..chars.len() {
        let mut deleted = chars.clone();
        deleted.remove(i);
        push(deleted, &mut out);
        if i + 1 < chars.len() && chars[i] != chars[i + 1] {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            push(swapped, &mut out);
        }
        for &c in ALPHABET {
            if c != chars[i] {
                let mut replaced = chars.clone();
                replaced[i] = c;
                push(replaced, &mut out);
            }
        }
    }
    for i in 0..=chars.len() {
        for &c in ALPHABET {
            let mut inserted = chars.clone();
            inserted.insert(i, c);
            push(inserted, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::one_edit_away;

    #[test]
    fn one_edit_covers_transpositions_and_substitutions() {
        let near = one_edit_away("integirdad");
        assert!(near.contains(&"integridad".to_string()), "a transposition is one edit");
        assert!(one_edit_away("capacitasion").contains(&"capacitacion".to_string()));
        assert!(one_edit_away("publcias").contains(&"publicas".to_string()));
        assert!(!one_edit_away("abc").contains(&"abc".to_string()));
    }
}
