//! Cases, workshops, outcomes and commitments as index documents: plain text taken from the
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

fn case_document(fields: &Fields, source: &SearchSource) -> TantivyDocument {
    let body = markdown::plain_text(&source.body_markdown);
    let lang = fields.language(source.language);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.key, format!("{}:{}", DocType::Case, source.id));
    doc.add_text(fields.doc_type, DocType::Case.as_str());
    doc.add_text(fields.slug, &source.slug);
    doc.add_text(fields.url, format!("/cases/{}", source.slug));
    doc.add_text(fields.title, &source.title);
    doc.add_text(fields.summary, &source.summary);
    doc.add_text(lang.title, &source.title);
    doc.add_text(lang.summary, &source.summary);
    doc.add_text(lang.body, &body);
    for text in [source.title.as_str(), source.summary.as_str(), body.as_str()] {
        doc.add_text(fields.folded, text);
    }
    doc.add_text(fields.region, &source.region);
    for region in &source.region_path {
        doc.add_text(fields.region_path, region);
    }
    doc.add_text(fields.level, &source.level);
    for theme in &source.themes {
        doc.add_text(fields.themes, theme);
    }
    doc.add_text(fields.kind, source.kind.as_str());
    doc.add_text(fields.language, source.language.as_str());
    doc.add_i64(fields.year, i64::from(source.year));
    doc.add_bool(fields.illustrative, source.illustrative);
    doc.add_u64(fields.newest, newest_key(source.year, source.updated_at.unix_timestamp()));
    doc
}

/// A workshop, its outcomes or a commitment: indexed in Spanish, in each of its regions.
fn record_document(fields: &Fields, source: &RecordSource) -> TantivyDocument {
    let mut body = markdown::plain_text(&source.markdown);
    if !source.text.is_empty() {
        body.push_str("\n\n");
        body.push_str(&source.text);
    }
    let lang = fields.language(Language::Es);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.key, format!("{}:{}", source.doc_type, source.id));
    doc.add_text(fields.doc_type, source.doc_type.as_str());
    doc.add_text(fields.slug, &source.slug);
    doc.add_text(fields.url, &source.url);
    doc.add_text(fields.title, &source.title);
    doc.add_text(fields.summary, &source.summary);
    doc.add_text(lang.title, &source.title);
    doc.add_text(lang.summary, &source.summary);
    doc.add_text(lang.body, &body);
    for text in [source.title.as_str(), source.summary.as_str(), body.as_str()] {
        doc.add_text(fields.folded, text);
    }
    for region in &source.regions {
        doc.add_text(fields.region, region);
    }
    for region in &source.region_path {
        doc.add_text(fields.region_path, region);
    }
    doc.add_text(fields.language, Language::Es.as_str());
    doc.add_i64(fields.year, i64::from(source.year));
    doc.add_bool(fields.illustrative, source.illustrative);
    doc.add_u64(fields.newest, newest_key(source.year, source.updated_at.unix_timestamp()));
    doc
}

/// Year first, then update time: one number that sorts "newest first" like the case list.
fn newest_key(year: i32, updated: i64) -> u64 {
    (year.max(0) as u64) * 10_000_000_000 + updated.clamp(0, 9_999_999_999) as u64
}
