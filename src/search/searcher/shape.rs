//! Shaping what the query found: hits with their snippets, and facet counts.

use tantivy::{query::Query, schema::Value as _, snippet::SnippetGenerator, DocAddress, Searcher, TantivyDocument};

use super::Hit;
use crate::{domain::case::Kind, search::engine::Engine};

const SNIPPET_CHARS: usize = 220;
/// Sentences holding a query term that are compared before a passage is chosen.
const SENTENCES_WEIGHED: usize = 12;

impl Engine {
    pub(super) fn hits(
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
        let stems = |field| {
            let mut stems = Vec::new();
            query.query_terms(&mut |term, _| {
                if term.field() == field {
                    if let Some(stem) = term.value().as_str() {
                        stems.push(stem.to_string());
                    }
                }
            });
            stems
        };
        let body_stems = if snippets { [stems(f.es.body), stems(f.en.body)] } else { Default::default() };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let language = text(&doc, f.language);
            let summary = text(&doc, f.summary);
            let snippet_html = match &generators {
                Some([es, en]) => {
                    let ((body_gen, summary_gen), body_field, stems) = if language == "en" {
                        (en, f.en.body, &body_stems[1])
                    } else {
                        (es, f.es.body, &body_stems[0])
                    };
                    let body = text(&doc, body_field);
                    // A stem that does not begin its word (English «city», «citi») finds no
                    // passage: the whole body is analysed then, as before.
                    let snippet = body_gen.snippet(passage(&body, stems).unwrap_or(&body));
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

/// The passage worth analysing for a snippet: from the sentence that holds most of the
/// query's terms, about two snippets long. Sentences are compared with the terms' stems on
/// folded words (a stem begins its folded word), which is cheap; only the passage then
/// goes through the analyzer, not a body of 1,500 words.
fn passage<'a>(body: &'a str, stems: &[String]) -> Option<&'a str> {
    if stems.is_empty() {
        return None;
    }
    // Distinct stems a sentence holds, as bits (the first 64 stems are enough to choose).
    let all = if stems.len() >= 64 { u64::MAX } else { (1u64 << stems.len()) - 1 };
    let mut best: Option<(u32, usize)> = None;
    let mut matching = 0;
    for (start, sentence) in sentences(body) {
        let mut found = 0u64;
        for word in sentence.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let folded = fold(word);
            for (i, stem) in stems.iter().enumerate().take(64) {
                if begins(&folded, stem) {
                    found |= 1 << i;
                }
            }
        }
        if found.count_ones() > best.map_or(0, |(n, _)| n) {
            best = Some((found.count_ones(), start));
            if found == all {
                break;
            }
        }
        // The best of the first few sentences that match is as good a passage as any, and
        // a long body is not read to its end for a word it lacks.
        matching += usize::from(found != 0);
        if matching == SENTENCES_WEIGHED {
            break;
        }
    }
    let (_, start) = best?;
    let rest = &body[start..];
    let end = sentences(rest)
        .map(|(at, sentence)| at + sentence.len())
        .find(|end| *end >= 2 * SNIPPET_CHARS)
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Sentences with their byte offsets, ending at `.`, `!`, `?` or a line break.
fn sentences(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    let mut ends = text.match_indices(['.', '!', '?', '\n']).map(|(at, mark)| at + mark.len()).chain([text.len()]);
    std::iter::from_fn(move || loop {
        let end = ends.next()?;
        if end > start {
            let sentence = (start, &text[start..end]);
            start = end;
            return Some(sentence);
        }
    })
}

/// A word as the folded analyzer sees it, up to case: ASCII words as they are.
fn fold(word: &str) -> std::borrow::Cow<'_, str> {
    if word.is_ascii() {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(deunicode::deunicode(word))
    }
}

/// Whether a folded `word` begins with `stem`, whatever the case.
fn begins(word: &str, stem: &str) -> bool {
    word.len() >= stem.len() && word.as_bytes()[..stem.len()].eq_ignore_ascii_case(stem.as_bytes())
}

pub(super) fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
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
