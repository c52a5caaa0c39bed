//! The index's fields: generic, so that workshops, outcomes and commitments join cases as
//! `type` values (and comments can later) without fields of their own.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

use super::analyzers::{ENGLISH, FOLDED, SPANISH};
use crate::domain::case::Language;

/// Fields whose text is analyzed in one language.
#[derive(Clone, Copy)]
pub struct LanguageFields {
    pub title: Field,
    pub summary: Field,
    pub body: Field,
}

#[derive(Clone)]
pub struct Fields {
    pub schema: Schema,
    /// `case:<id>`, `workshop:<id>`…: the one term that names a document, to replace or
    /// delete it.
    pub key: Field,
    /// `case`, `workshop`, `outcome`, `commitment`.
    pub doc_type: Field,
    pub slug: Field,
    pub url: Field,
    /// Stored, for display.
    pub title: Field,
    pub summary: Field,
    pub es: LanguageFields,
    pub en: LanguageFields,
    /// Every word of title, summary and body, folded but not stemmed.
    pub folded: Field,
    /// The document's own region (a workshop's: each participating one).
    pub region: Field,
    /// The region and every region above it, so that a region finds its municipalities.
    pub region_path: Field,
    pub level: Field,
    pub themes: Field,
    pub kind: Field,
    pub language: Field,
    pub year: Field,
    /// Year and update time in one number, for "newest first".
    pub newest: Field,
    /// An example invented for peer learning.
    pub illustrative: Field,
}

impl Fields {
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let keyword = STRING | STORED | FAST;
        let text = |analyzer: &str, stored: bool| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let options = TextOptions::default().set_indexing_options(indexing);
            if stored {
                options.set_stored()
            } else {
                options
            }
        };
        let mut language = |code: &str, analyzer: &str| LanguageFields {
            title: b.add_text_field(&format!("title_{code}"), text(analyzer, false)),
            summary: b.add_text_field(&format!("summary_{code}"), text(analyzer, false)),
            body: b.add_text_field(&format!("body_{code}"), text(analyzer, true)),
        };
        let es = language("es", SPANISH);
        let en = language("en", ENGLISH);
        let folded = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(FOLDED).set_index_option(IndexRecordOption::WithFreqs),
        );
        let key = b.add_text_field("key", STRING);
        let doc_type = b.add_text_field("type", keyword.clone());
        let slug = b.add_text_field("slug", keyword.clone());
        let url = b.add_text_field("url", STORED);
        let title = b.add_text_field("title", STORED);
        let summary = b.add_text_field("summary", STORED);
        let folded = b.add_text_field("folded", folded);
        let region = b.add_text_field("region", keyword.clone());
        let region_path = b.add_text_field("region_path", STRING | FAST);
        let level = b.add_text_field("level", keyword.clone());
        let themes = b.add_text_field("themes", STRING | FAST);
        let kind = b.add_text_field("kind", keyword.clone());
        let language = b.add_text_field("language", keyword);
        let year = b.add_i64_field("year", NumericOptions::default().set_indexed().set_stored().set_fast());
        let newest = b.add_u64_field("newest", FAST);
        let illustrative = b.add_bool_field("illustrative", NumericOptions::default().set_indexed().set_stored());
        Fields {
            schema: b.build(),
            key,
            doc_type,
            slug,
            url,
            title,
            summary,
            es,
            en,
            folded,
            region,
            region_path,
            level,
            themes,
            kind,
            language,
            year,
            newest,
            illustrative,
        }
    }

    pub fn language(&self, language: Language) -> LanguageFields {
        match language {
            Language::Es => self.es,
            Language::En => self.en,
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}
