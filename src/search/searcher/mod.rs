//! Answering a query: what a search asks for and gets back, and the two steps between:
//! building the tantivy query from what was typed (`build`), and shaping what it found into
//! hits (`shape`) with their snippets (`snippet`); `facets` counts the hits per value as
//! they are collected, and `words` finds and scores "at least half of these words" a term
//! at a time.
//! Peer cases go through the same two steps.

mod build;
mod expand;
mod facets;
mod shape;
mod snippet;
mod words;

use tantivy::{
    collector::{Count, TopDocs},
    query::{AllQuery, BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery},
    schema::{IndexRecordOption, OwnedValue, Term},
    DocAddress, Order, TantivyDocument,
};

use self::{facets::Facets, shape::text};
use crate::{
    domain::{
        case::{Kind, Language},
        filter::Filters,
        subject::DocType,
    },
    search::{engine::Engine, query::ParsedQuery, thesaurus::Thesaurus},
};

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
    /// Whether the glossary expands the words (`expand=false` turns it off).
    pub expand: bool,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub doc_type: DocType,
    /// A case's kind; `None` for other documents.
    pub kind: Option<Kind>,
    /// An example invented for peer learning.
    pub illustrative: bool,
    pub slug: String,
    pub url: String,
    pub title: String,
    /// The region's slug (a workshop's first); empty when no region is named.
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
    /// What the glossary added to the query.
    pub expansions: Vec<Expansion>,
}

/// Words of the query that the glossary knows, and the labels they were also searched as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The words as typed (corrected, when they were).
    pub typed: String,
    pub terms: Vec<ExpandedTerm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandedTerm {
    pub label: String,
    /// The slug of the concept the label belongs to.
    pub concept: String,
    /// A narrower concept's label.
    pub narrower: bool,
}

impl Engine {
    /// Answers `request`, expanding its words through `thesaurus` when given.
    pub fn search(&self, request: &SearchRequest, thesaurus: Option<&Thesaurus>) -> tantivy::Result<SearchOutcome> {
        let searcher = self.reader.searcher();
        let (text_query, suggestion, expansions) = self.text_query(&searcher, &request.text, thesaurus)?;
        if text_query.is_none() && request.filters.is_empty() && request.text.excluded.is_empty() {
            return Ok(SearchOutcome { suggestion, ..SearchOutcome::default() });
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match text_query {
            Some(q) => clauses.push((Occur::Must, q)),
            None if request.text.has_text() => {
                // Only stop words or nothing known: nothing can match.
                return Ok(SearchOutcome { suggestion, expansions, ..SearchOutcome::default() });
            }
            None => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        for excluded in &request.text.excluded {
            if let Some(q) = self.phrase_or_word(excluded, 1.0) {
                clauses.push((Occur::MustNot, q));
            }
        }
        clauses.extend(self.filter_clauses(&request.filters).into_iter().map(|q| (Occur::Must, q)));
        // A query alone is run as itself, so that its own way of visiting every match (the
        // words' cells) is used rather than a one-clause boolean query's, document by document.
        let query: Box<dyn Query> = match clauses.len() {
            1 if clauses[0].0 == Occur::Must => clauses.remove(0).1,
            _ => Box::new(BooleanQuery::new(clauses)),
        };

        let offset = ((request.page.max(1) - 1) * request.per_page) as usize;
        let limit = request.per_page.max(1) as usize;
        let facets = Facets(self.facets.for_searcher(&searcher)?);
        let (total, addresses, facets) = match request.sort {
            Sort::Relevance => {
                let (total, top, aggs) =
                    searcher.search(&query, &(Count, TopDocs::with_limit(limit).and_offset(offset), facets))?;
                (total, top.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), aggs)
            }
            Sort::Newest => {
                let top = TopDocs::with_limit(limit).and_offset(offset).order_by_u64_field("newest", Order::Desc);
                let (total, top, aggs) = searcher.search(&query, &(Count, top, facets))?;
                (total, top.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), aggs)
            }
        };
        let hits = self.hits(&searcher, query.as_ref(), &addresses, request.snippets && request.text.has_text())?;
        Ok(SearchOutcome { hits, total, facets, suggestion, expansions })
    }

    /// Up to `limit` published cases most like `slug`, from other regions.
    pub fn similar(&self, slug: &str, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        // Workshops share the slug field, and peers are cases only.
        let case = DocType::Case.as_str();
        let by_slug = BooleanQuery::new(vec![(Occur::Must, term(f.slug, slug)), (Occur::Must, term(f.doc_type, case))]);
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
            (Occur::Must, term(f.doc_type, case)),
            (Occur::MustNot, term(f.region, &region)),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit))?;
        let addresses: Vec<DocAddress> = top.into_iter().map(|(_, a)| a).collect();
        self.hits(&searcher, &query, &addresses, false)
    }
}
