//! Shaping what the query found: hits with their snippets, and facet counts.

use std::collections::BTreeMap;

use serde_json::Value;
use tantivy::{query::Query, schema::Value as _, snippet::SnippetGenerator, DocAddress, Searcher, TantivyDocument};

use super::{FacetCounts, Hit};
use crate::{domain::case::Kind, search::engine::Engine};

const SNIPPET_CHARS: usize = 220;

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

pub(super) fn json_error(err: serde_json::Error) -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError(err.to_string())
}

pub(super) fn facet_counts(results: &Value) -> FacetCounts {
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
