//! Cases, workshops, outcomes, commitments, threads and comments as index documents: plain text taken from the
//! Markdown, never the Markdown. Nothing private is read into them (a workshop's online
//! link never is).

use tantivy::{schema::Term, TantivyDocument};

use super::schema::Fields;
use crate::{
    domain::{case::Language, subject::DocType},
    markdown,
    store::search::{RecordSource, SearchSource, Source},
};

/// The unique key of a document: its type and its key in the change log.
pub fn key(fields: &Fields, doc_type: DocType, key: &str) -> Term {
    Term::from_field_text(fields.key, &format!("{doc_type}:{key}"))
}

pub fn document(fields: &Fields, source: &Source) -> TantivyDocument {
    match source {
        Source::Case(case) => case_document(fields, case),
        Source::Record(record) => record_document(fields, record),
    }
}

/// What every document has, whatever its type.
struct Common<'a> {
    doc_type: DocType,
    id: i64,
    slug: &'a str,
    url: &'a str,
    title: &'a str,
    summary: &'a str,
    /// Plain text, never Markdown.
    body: &'a str,
    language: Language,
    regions: &'a [String],
    region_path: &'a [String],
    year: i32,
    updated_at: i64,
    illustrative: bool,
}

impl Common<'_> {
    fn document(&self, fields: &Fields) -> TantivyDocument {
        let lang = fields.language(self.language);
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.key, format!("{}:{}", self.doc_type, self.id));
        doc.add_text(fields.doc_type, self.doc_type.as_str());
        doc.add_text(fields.slug, self.slug);
        doc.add_text(fields.url, self.url);
        doc.add_text(fields.title, self.title);
        doc.add_text(fields.summary, self.summary);
        doc.add_text(lang.title, self.title);
        doc.add_text(lang.summary, self.summary);
        doc.add_text(lang.body, self.body);
        for text in [self.title, self.summary, self.body] {
            doc.add_text(fields.folded, text);
        }
        for region in self.regions {
            doc.add_text(fields.region, region);
        }
        for region in self.region_path {
            doc.add_text(fields.region_path, region);
        }
        doc.add_text(fields.language, self.language.as_str());
        doc.add_i64(fields.year, i64::from(self.year));
        doc.add_bool(fields.illustrative, self.illustrative);
        doc.add_u64(fields.newest, newest_key(self.year, self.updated_at));
        doc
    }
}

fn case_document(fields: &Fields, source: &SearchSource) -> TantivyDocument {
    let body = markdown::plain_text(&source.body_markdown);
    let url = format!("/cases/{}", source.slug);
    let mut doc = Common {
        doc_type: DocType::Case,
        id: source.id,
        slug: &source.slug,
        url: &url,
        title: &source.title,
        summary: &source.summary,
        body: &body,
        language: source.language,
        regions: std::slice::from_ref(&source.region),
        region_path: &source.region_path,
        year: source.year,
        updated_at: source.updated_at.unix_timestamp(),
        illustrative: source.illustrative,
    }
    .document(fields);
    doc.add_text(fields.level, &source.level);
    for theme in &source.themes {
        doc.add_text(fields.themes, theme);
    }
    doc.add_text(fields.kind, source.kind.as_str());
    doc
}

/// A workshop, its outcomes, a commitment, a thread or a comment: indexed in Spanish, in each
/// of its regions, under its themes.
fn record_document(fields: &Fields, source: &RecordSource) -> TantivyDocument {
    let mut body = markdown::plain_text(&source.markdown);
    if !source.text.is_empty() {
        body.push_str("\n\n");
        body.push_str(&source.text);
    }
    let mut doc = Common {
        doc_type: source.doc_type,
        id: source.id,
        slug: &source.slug,
        url: &source.url,
        title: &source.title,
        summary: &source.summary,
        body: &body,
        language: Language::Es,
        regions: &source.regions,
        region_path: &source.region_path,
        year: source.year,
        updated_at: source.updated_at.unix_timestamp(),
        illustrative: source.illustrative,
    }
    .document(fields);
    for theme in &source.themes {
        doc.add_text(fields.themes, theme);
    }
    doc
}

/// Year first, then update time: one number that sorts "newest first" like the case list.
fn newest_key(year: i32, updated: i64) -> u64 {
    (year.max(0) as u64) * 10_000_000_000 + updated.clamp(0, 9_999_999_999) as u64
}
