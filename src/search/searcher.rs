//! Answering a query: the tantivy query built from what was typed, ranking or sorting,
//! the total, facet counts, snippets, typo correction and peer cases.

use std::{collections::BTreeMap, ops::Bound};

use serde_json::{json, Value};
use tantivy::{
    aggregation::{agg_req::Aggregations, AggregationCollector},
    collector::{Count, TopDocs},
    query::{AllQuery, BooleanQuery, BoostQuery, MoreLikeThisQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery},
    schema::{IndexRecordOption, OwnedValue, Term, Value as _},
    snippet::SnippetGenerator,
    DocAddress, Order, Searcher, TantivyDocument,
};

use super::{
    analyzers::{self, ENGLISH, FOLDED, SPANISH},
    engine::Engine,
    query::ParsedQuery,
    schema::LanguageFields,
};
use crate::domain::{
    case::{Kind, Language},
    filter::Filters,
};

/// Title matches weigh most, then the summary, then the body.
const FIELD_WEIGHTS: [(Field3, f32); 3] = [(Field3::Title, 3.0), (Field3::Summary, 2.0), (Field3::Body, 1.0)];
/// A corrected word counts for less than the word as typed.
const CORRECTION_WEIGHT: f32 = 0.3;
/// Words this short are not corrected: too many neighbours.
const MIN_CORRECTABLE_CHARS: usize = 5;
/// A word in at most this many documents is "rare" and may be corrected to a common one.
const RARE_DOC_FREQ: u64 = 2;
const SNIPPET_CHARS: usize = 220;

/// The query for the words and phrases, if any, and the "did you mean" text.
type TextQuery = (Option<Box<dyn Query>>, Option<String>);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: ParsedQuery,
    pub filters: Filters,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
    /// False when only ranking, total and facets are wanted.
    pub snippets: bool,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub doc_type: String,
    pub kind: Kind,
    /// An example invented for peer learning.
    pub illustrative: bool,
    pub slug: String,
    pub url: String,
    pub title: String,
    pub region: String,
    pub year: i64,
    pub language: String,
    /// Escaped text with the matched words in `<b>`.
    pub snippet_html: String,
}

/// Counts per value, most first.
#[derive(Debug, Clone, Default)]
pub struct FacetCounts {
    pub region: Vec<(String, u64)>,
    pub theme: Vec<(String, u64)>,
    pub doc_type: Vec<(String, u64)>,
    pub language: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    pub hits: Vec<Hit>,
    pub total: usize,
    pub facets: FacetCounts,
    /// The query with misspelt words corrected, when any were.
    pub suggestion: Option<String>,
}

impl Engine {
    pub fn search(&self, request: &SearchRequest) -> tantivy::Result<SearchOutcome> {
        let searcher = self.reader.searcher();
        let (text_query, suggestion) = self.text_query(&searcher, &request.text)?;
        if text_query.is_none() && request.filters.is_empty() && request.text.excluded.is_empty() {
            return Ok(SearchOutcome { suggestion, ..SearchOutcome::default() });
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match text_query {
            Some(q) => clauses.push((Occur::Must, q)),
            None if request.text.has_text() => {
                // Only stop words or nothing known: nothing can match.
                return Ok(SearchOutcome { suggestion, ..SearchOutcome::default() });
            }
            None => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        for excluded in &request.text.excluded {
            if let Some(q) = self.phrase_or_word(excluded, 1.0) {
                clauses.push((Occur::MustNot, q));
            }
        }
        clauses.extend(self.filter_clauses(&request.filters).into_iter().map(|q| (Occur::Must, q)));
        let query = BooleanQuery::new(clauses);

        let offset = ((request.page.max(1) - 1) * request.per_page) as usize;
        let limit = request.per_page.max(1) as usize;
        let aggregations = AggregationCollector::from_aggs(facet_request()?, Default::default());
        let (total, addresses, aggregated) = match request.sort {
            Sort::Relevance => {
                let (total, top, aggs) =
                    searcher.search(&query, &(Count, TopDocs::with_limit(limit).and_offset(offset), aggregations))?;
                (total, top.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), aggs)
            }
            Sort::Newest => {
                let top = TopDocs::with_limit(limit).and_offset(offset).order_by_u64_field("newest", Order::Desc);
                let (total, top, aggs) = searcher.search(&query, &(Count, top, aggregations))?;
                (total, top.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), aggs)
            }
        };
        let facets = facet_counts(&serde_json::to_value(aggregated).map_err(json_error)?);
        let hits = self.hits(&searcher, &query, &addresses, request.snippets && request.text.has_text())?;
        Ok(SearchOutcome { hits, total, facets, suggestion })
    }

    /// Up to `limit` published cases most like `slug`, from other regions.
    pub fn similar(&self, slug: &str, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let by_slug = TermQuery::new(Term::from_field_text(f.slug, slug), IndexRecordOption::Basic);
        let Some((_, address)) = searcher.search(&by_slug, &TopDocs::with_limit(1))?.into_iter().next() else {
            return Ok(Vec::new());
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let language = Language::parse(&text(&doc, f.language)).unwrap_or(Language::Es);
        let lang = f.language(language);
        let values = |value: String| vec![OwnedValue::Str(value)];
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(30)
            .with_min_word_length(3)
            .with_document_fields(vec![
                (lang.title, values(text(&doc, f.title))),
                (lang.summary, values(text(&doc, f.summary))),
                (lang.body, values(text(&doc, lang.body))),
            ]);
        let region = text(&doc, f.region);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like)),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(Term::from_field_text(f.region, &region), IndexRecordOption::Basic)),
            ),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit))?;
        let addresses: Vec<DocAddress> = top.into_iter().map(|(_, a)| a).collect();
        self.hits(&searcher, &query, &addresses, false)
    }

    /// The words and phrases as one query, and the "did you mean" text when a word was
    /// corrected. `None` when nothing searchable was typed.
    fn text_query(&self, searcher: &Searcher, text: &ParsedQuery) -> tantivy::Result<TextQuery> {
        let mut word_clauses: Vec<Box<dyn Query>> = Vec::new();
        let mut suggestion_words = Vec::with_capacity(text.words.len());
        let mut corrected_any = false;
        // Words that either language drops (Spanish «cómo», «que», «para»; English «how»,
        // «what») would count towards "half the words" while matching nothing: they count
        // only when nothing else was typed.
        let stop: Vec<bool> = text.words.iter().map(|w| self.is_stop_word(w)).collect();
        let all_stop_words = stop.iter().all(|s| *s);
        for (word, is_stop) in text.words.iter().zip(stop) {
            if !all_stop_words && is_stop {
                suggestion_words.push(word.clone());
                continue;
            }
            let correction = self.correction(searcher, word)?;
            if correction.is_none() && !self.is_known(searcher, word)? {
                // A word no document has, with nothing near it, would only make matching stricter.
                suggestion_words.push(word.clone());
                continue;
            }
            let exact = self.word_query(word, 1.0);
            let fixed = correction.as_deref().and_then(|c| self.word_query(c, CORRECTION_WEIGHT));
            suggestion_words.push(match &correction {
                Some(c) => self.written_form(searcher, c)?,
                None => word.clone(),
            });
            corrected_any |= correction.is_some();
            match (exact, fixed) {
                (Some(e), Some(c)) => word_clauses.push(Box::new(BooleanQuery::union(vec![e, c]))),
                (Some(q), None) | (None, Some(q)) => word_clauses.push(q),
                (None, None) => {}
            }
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !word_clauses.is_empty() {
            // Documents with every word score highest; half of the words is enough to be
            // found, so a question in a reader's own words never comes back empty.
            let required = word_clauses.len().div_ceil(2);
            must.push((
                Occur::Must,
                Box::new(BooleanQuery::union_with_minimum_required_clauses(word_clauses, required)),
            ));
        }
        for phrase in &text.phrases {
            if let Some(q) = self.phrase_or_word(phrase, 1.5) {
                must.push((Occur::Must, q));
            }
        }
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
        Ok((query, suggestion))
    }

    /// A word in both languages' title, summary and body fields.
    fn word_query(&self, word: &str, weight: f32) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        for (lang, analyzer) in [(self.fields.es, SPANISH), (self.fields.en, ENGLISH)] {
            for (_, token) in analyzers::tokens(&self.index, analyzer, word) {
                for (which, field_weight) in FIELD_WEIGHTS {
                    let term = Term::from_field_text(field_of(lang, which), &token);
                    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                    clauses.push(Box::new(BoostQuery::new(Box::new(q), weight * field_weight)));
                }
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::union(clauses)) as Box<dyn Query>)
    }

    /// Several words in this order, in either language; one word is just that word.
    fn phrase_or_word(&self, words: &[String], weight: f32) -> Option<Box<dyn Query>> {
        if let [word] = words {
            return self.word_query(word, weight);
        }
        let text = words.join(" ");
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        for (lang, analyzer) in [(self.fields.es, SPANISH), (self.fields.en, ENGLISH)] {
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
                clauses.push(Box::new(BoostQuery::new(q, weight * field_weight)));
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::union(clauses)) as Box<dyn Query>)
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

    fn filter_clauses(&self, filters: &Filters) -> Vec<Box<dyn Query>> {
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

    fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        addresses: &[DocAddress],
        snippets: bool,
    ) -> tantivy::Result<Vec<Hit>> {
        let f = &self.fields;
        let generators = if snippets {
            let make = |field| {
                SnippetGenerator::create(searcher, query, field).map(|mut g| {
                    g.set_max_num_chars(SNIPPET_CHARS);
                    g
                })
            };
            Some([(make(f.es.body)?, make(f.es.summary)?), (make(f.en.body)?, make(f.en.summary)?)])
        } else {
            None
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let language = text(&doc, f.language);
            let summary = text(&doc, f.summary);
            let snippet_html = match &generators {
                Some([es, en]) => {
                    let ((body_gen, summary_gen), body_field) =
                        if language == "en" { (en, f.en.body) } else { (es, f.es.body) };
                    let body = text(&doc, body_field);
                    let snippet = body_gen.snippet(&body);
                    if !snippet.is_empty() {
                        with_ellipses(&body, snippet.fragment(), snippet.to_html())
                    } else {
                        let snippet = summary_gen.snippet(&summary);
                        with_ellipses(&summary, snippet.fragment(), snippet.to_html())
                    }
                }
                None => crate::markdown::escape(&truncate(&summary, SNIPPET_CHARS)),
            };
            hits.push(Hit {
                doc_type: text(&doc, f.doc_type),
                kind: Kind::parse(&text(&doc, f.kind)).unwrap_or(Kind::Case),
                illustrative: doc.get_first(f.illustrative).and_then(|v| v.as_bool()).unwrap_or_default(),
                slug: text(&doc, f.slug),
                url: text(&doc, f.url),
                title: text(&doc, f.title),
                region: text(&doc, f.region),
                year: doc.get_first(f.year).and_then(|v| v.as_i64()).unwrap_or_default(),
                language,
                snippet_html,
            });
        }
        Ok(hits)
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// A snippet cut out of a longer text says so: "…" where the text goes on before or after.
fn with_ellipses(text: &str, fragment: &str, html: String) -> String {
    if fragment.is_empty() {
        return html;
    }
    let at = text.find(fragment);
    let before = at.is_some_and(|at| !text[..at].trim().is_empty());
    let after = at.is_some_and(|at| !text[at + fragment.len()..].trim().is_empty());
    format!("{}{html}{}", if before { "…" } else { "" }, if after { "…" } else { "" })
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn json_error(err: serde_json::Error) -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError(err.to_string())
}

/// Counted per value: the region (with the regions above it), theme, type, language, year.
fn facet_request() -> tantivy::Result<Aggregations> {
    let terms = |field: &str| json!({"terms": {"field": field, "size": 200, "min_doc_count": 1}});
    serde_json::from_value(json!({
        "region": terms("region_path"),
        "theme": terms("themes"),
        "type": terms("type"),
        "language": terms("language"),
        "year": terms("year"),
    }))
    .map_err(json_error)
}

fn facet_counts(results: &Value) -> FacetCounts {
    let buckets = |name: &str| -> Vec<(String, u64)> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for bucket in results[name]["buckets"].as_array().into_iter().flatten() {
            let key = match &bucket["key"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), |f| format!("{}", f as i64)),
                _ => continue,
            };
            counts.insert(key, bucket["doc_count"].as_u64().unwrap_or_default());
        }
        let mut list: Vec<(String, u64)> = counts.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        list
    };
    FacetCounts {
        region: buckets("region"),
        theme: buckets("theme"),
        doc_type: buckets("type"),
        language: buckets("language"),
        year: buckets("year"),
    }
}

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
