//! Shaping what the query found: hits with their snippets.

use tantivy::{query::Query, schema::Value as _, DocAddress, Searcher, TantivyDocument};

use super::{
    snippet::{snippet, Matcher, SNIPPET_CHARS},
    Hit,
};
use crate::{
    domain::{case::Kind, subject::DocType},
    markdown::escape,
    search::{
        analyzers::{ENGLISH, SPANISH},
        engine::Engine,
        schema::LanguageFields,
    },
};

impl Engine {
    pub(super) fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        addresses: &[DocAddress],
        snippets: bool,
    ) -> tantivy::Result<Vec<Hit>> {
        let f = &self.fields;
        let matcher = |fields: LanguageFields, analyzer: &str| {
            let mut stems = Vec::new();
            query.query_terms(&mut |term, _| {
                if term.field() == fields.body {
                    if let Some(stem) = term.value().as_str() {
                        stems.push(stem.to_string());
                    }
                }
            });
            self.index.tokenizers().get(analyzer).map(|analyzer| Matcher::new(analyzer, stems))
        };
        let mut matchers = if snippets { [matcher(f.es, SPANISH), matcher(f.en, ENGLISH)] } else { [None, None] };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let language = text(&doc, f.language);
            let summary = text_of(&doc, f.summary);
            let (fields, matcher) = if language == "en" { (f.en, &mut matchers[1]) } else { (f.es, &mut matchers[0]) };
            // The body's passage that matched, else the summary's, else the summary's start.
            let snippet_html = matcher
                .as_mut()
                .and_then(|m| snippet(text_of(&doc, fields.body), m).or_else(|| snippet(summary, m)))
                .unwrap_or_else(|| escape(&truncate(summary, SNIPPET_CHARS)));
            hits.push(Hit {
                doc_type: DocType::parse(text_of(&doc, f.doc_type)).unwrap_or(DocType::Case),
                kind: Kind::parse(text_of(&doc, f.kind)),
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

/// A stored text field, owned.
pub(super) fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    text_of(doc, field).to_string()
}

/// A stored text field as it is in the document (a body need not be copied to be read).
fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> &str {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default()
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
