//! "At least k of these words", scored a term at a time.
//!
//! A word is found in any of six fields (title, summary and body, in Spanish and English)
//! and, when it was corrected, in its corrected form too; a search finds the documents with
//! at least half of its words. As nested unions, tantivy walks every candidate of every
//! word through a heap of scorers, document by document: half of a search page's time at
//! 100,000 cases. Here each term's postings are read once, in order, adding the term's score
//! into one cell per document of the segment and marking the word it belongs to; the
//! documents with enough words are then read off the cells. A document's score is the
//! nested unions' score: the sum of its matching terms' BM25 scores, each times its weight.

use tantivy::{
    query::{EnableScoring, Explanation, Query, Scorer, TermQuery, Weight},
    schema::{IndexRecordOption, Term},
    DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED,
};

/// Words beyond this many are left out (the query language reads at most 16).
const MAX_WORDS: usize = 32;

/// The ways one word can be found, each with its weight: its terms, and the phrases of
/// the glossary labels it was expanded to.
pub(super) type Alternatives = Vec<(Box<dyn Query>, Score)>;

/// A term as one of a word's alternatives.
pub(super) fn term(term: Term, weight: Score) -> (Box<dyn Query>, Score) {
    (Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)), weight)
}

/// Documents holding at least `required` of the words, each word a list of weighted
/// alternatives.
#[derive(Debug)]
pub(super) struct Words {
    words: Vec<Alternatives>,
    required: u32,
}

impl Clone for Words {
    fn clone(&self) -> Self {
        let words = self.words.iter().map(|a| a.iter().map(|(q, w)| (q.box_clone(), *w)).collect()).collect();
        Words { words, required: self.required }
    }
}

impl Words {
    /// Words given as weighted terms.
    pub(super) fn new(words: Vec<Vec<(Term, Score)>>, required: usize) -> Words {
        let words = words.into_iter().map(|terms| terms.into_iter().map(|(t, w)| term(t, w)).collect()).collect();
        Words::of(words, required)
    }

    pub(super) fn of(mut words: Vec<Alternatives>, required: usize) -> Words {
        words.truncate(MAX_WORDS);
        let required = required.clamp(1, words.len().max(1)) as u32;
        Words { words, required }
    }
}

impl Query for Words {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut words = Vec::with_capacity(self.words.len());
        for alternatives in &self.words {
            let mut weights = Vec::with_capacity(alternatives.len());
            for (query, weight) in alternatives {
                weights.push((query.weight(scoring)?, *weight));
            }
            words.push(weights);
        }
        Ok(Box::new(WordsWeight { words, required: self.required }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (query, _) in self.words.iter().flatten() {
            query.query_terms(visitor);
        }
    }
}

struct WordsWeight {
    words: Vec<Vec<(Box<dyn Weight>, Score)>>,
    required: u32,
}

impl WordsWeight {
    /// Every document of a segment as a cell: its score and the words found in it.
    fn cells(&self, reader: &SegmentReader) -> tantivy::Result<Cells> {
        let mut cells: Vec<(Score, u32)> = vec![(0.0, 0); reader.max_doc() as usize];
        let mut touched = 0u32;
        for (i, terms) in self.words.iter().enumerate() {
            let bit = 1u32 << i;
            for (weight, term_weight) in terms {
                weight.for_each(reader, &mut |doc, score| {
                    if let Some(cell) = cells.get_mut(doc as usize) {
                        touched += u32::from(cell.1 == 0);
                        cell.0 += score * term_weight;
                        cell.1 |= bit;
                    }
                })?;
            }
        }
        Ok(Cells { cells, required: self.required, touched })
    }
}

/// A segment's cells, read as the documents that hold enough words.
struct Cells {
    cells: Vec<(Score, u32)>,
    required: u32,
    /// Documents with any of the words: at least as many as match.
    touched: u32,
}

impl Cells {
    /// The first matching document at or after `from`.
    fn next_match(&self, from: usize) -> DocId {
        let rest = self.cells.get(from..).unwrap_or_default();
        rest.iter()
            .position(|(_, found)| found.count_ones() >= self.required)
            .map_or(TERMINATED, |at| (from + at) as DocId)
    }

    fn score(&self, doc: DocId) -> Score {
        self.cells.get(doc as usize).map_or(0.0, |(score, _)| *score)
    }
}

impl Weight for WordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let cells = self.cells(reader)?;
        let doc = cells.next_match(0);
        Ok(Box::new(WordsScorer { cells, doc, boost }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let cells = self.cells(reader)?;
        if cells.next_match(doc as usize) != doc {
            return Err(TantivyError::InvalidArgument(format!("Document #({doc}) does not match")));
        }
        Ok(Explanation::new("sum of the matching terms' scores", cells.score(doc)))
    }

    fn for_each(&self, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score)) -> tantivy::Result<()> {
        let cells = self.cells(reader)?;
        for (doc, (score, found)) in cells.cells.iter().enumerate() {
            if found.count_ones() >= cells.required {
                callback(doc as DocId, *score);
            }
        }
        Ok(())
    }
}

struct WordsScorer {
    cells: Cells,
    doc: DocId,
    boost: Score,
}

impl DocSet for WordsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.cells.next_match(self.doc as usize + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.cells.next_match(target as usize);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.cells.touched
    }
}

impl Scorer for WordsScorer {
    fn score(&mut self) -> Score {
        self.cells.score(self.doc) * self.boost
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        collector::TopDocs,
        doc,
        query::{BooleanQuery, BoostQuery},
        schema::{Schema, TEXT},
        Index,
    };

    use super::*;

    /// A word's weighted terms.
    type WordTerms = Vec<(Term, Score)>;

    /// The same words as nested unions: what this query replaces.
    fn unions(words: &[WordTerms], required: usize) -> BooleanQuery {
        let word = |terms: &WordTerms| -> Box<dyn Query> {
            let clauses = terms
                .iter()
                .map(|(term, weight)| {
                    let q = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                    Box::new(BoostQuery::new(Box::new(q), *weight)) as Box<dyn Query>
                })
                .collect();
            Box::new(BooleanQuery::union(clauses))
        };
        BooleanQuery::union_with_minimum_required_clauses(words.iter().map(word).collect(), required)
    }

    #[test]
    fn finds_and_ranks_as_the_nested_unions_do() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        let vocabulary = ["integridad", "riesgo", "control", "compras", "publicas", "region", "taller", "obra"];
        // Two segments, and a deleted document, so that every path of a real index is taken.
        for batch in 0..2u32 {
            for n in 0..300u32 {
                let pick = |k: u32| vocabulary[((n * 7 + k * 3 + batch) % vocabulary.len() as u32) as usize];
                let title_text = format!("{} {}", pick(1), pick(n % 5));
                let body_text: Vec<&str> = (0..(n % 13 + 1)).map(|k| pick(k * (n % 4 + 1))).collect();
                writer.add_document(doc!(title => title_text, body => body_text.join(" "))).expect("add");
            }
            writer.commit().expect("commit");
        }
        writer.delete_term(Term::from_field_text(title, "obra"));
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 2);

        let terms = |word: &str, weight: Score| {
            vec![(Term::from_field_text(title, word), 3.0 * weight), (Term::from_field_text(body, word), weight)]
        };
        let cases: Vec<(Vec<WordTerms>, usize)> = vec![
            (vec![terms("integridad", 1.0)], 1),
            (vec![terms("riesgo", 1.0), terms("control", 1.0)], 1),
            (vec![terms("riesgo", 1.0), terms("control", 1.0), terms("compras", 1.0)], 2),
            (vec![terms("riesgo", 1.0), terms("taller", 1.0), terms("region", 1.0), terms("publicas", 1.0)], 2),
            (vec![[terms("contrl", 1.0), terms("control", 0.3)].concat(), terms("region", 1.0)], 1),
            (vec![terms("ausente", 1.0), terms("riesgo", 1.0)], 2),
        ];
        for (words, required) in cases {
            let ours = searcher.search(&Words::new(words.clone(), required), &TopDocs::with_limit(1000)).expect("ours");
            let theirs = searcher.search(&unions(&words, required), &TopDocs::with_limit(1000)).expect("theirs");
            assert_eq!(ours.len(), theirs.len(), "the same documents match");
            for ((a, x), (b, y)) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "scores agree: {a} vs {b}");
                // Documents that tie may come in either order; all others in the same one.
                if (a - b).abs() > 1e-4 || x == y {
                    continue;
                }
                let tied = theirs.iter().any(|(s, d)| d == x && (s - a).abs() <= 1e-4);
                assert!(tied, "{x:?} and {y:?} differ only where their scores tie");
            }
            let count = Words::new(words.clone(), required).count(&searcher).expect("count");
            assert_eq!(count, unions(&words, required).count(&searcher).expect("count"));
        }
    }

    #[test]
    fn seeks_and_explains_within_the_matches() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for text in ["uno dos", "dos", "uno", "tres", "uno dos tres"] {
            writer.add_document(doc!(body => text)).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let words = ["uno", "dos", "tres"].map(|w| vec![(Term::from_field_text(body, w), 1.0)]).to_vec();
        let weight = Words::new(words, 2).weight(EnableScoring::enabled_from_searcher(&searcher)).expect("weight");
        let mut scorer = weight.scorer(reader, 1.0).expect("scorer");
        assert_eq!(scorer.doc(), 0);
        assert_eq!(scorer.seek(1), 4, "documents 1 to 3 hold one word each");
        assert!(scorer.score() > 0.0);
        assert_eq!(scorer.advance(), TERMINATED);
        assert_eq!(scorer.advance(), TERMINATED);
        assert!(weight.explain(reader, 4).is_ok());
        assert!(weight.explain(reader, 2).is_err());
    }
}
