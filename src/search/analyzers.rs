//! Every text analyzer, registered in one place. Stop words come out before accents are
//! folded (Spanish stop words carry accents), and accents are folded before stemming, so
//! "comités" and "comites" reach the stemmer as the same word.

use tantivy::{
    tokenizer::{
        AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
        TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
    },
    Index,
};

/// Spanish: lower case, stop words, accents folded, Spanish stems.
pub const SPANISH: &str = "ayni_es";
/// English: lower case, stop words, accents folded, English stems.
pub const ENGLISH: &str = "ayni_en";
/// Words as typed, lower case and accents folded, not stemmed: the dictionary for typos.
pub const FOLDED: &str = "ayni_folded";

/// Longer tokens are noise (URLs, hashes) and bloat the dictionary.
const MAX_TOKEN_LEN: usize = 40;

fn stemmed(language: Language) -> TextAnalyzer {
    let stop_words = StopWordFilter::new(language).unwrap_or_else(|| StopWordFilter::remove(Vec::<String>::new()));
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(stop_words)
        .filter(AsciiFoldingFilter);
    match language {
        Language::Spanish => builder.filter(SpanishStemmerAccents).filter(Stemmer::new(language)).build(),
        _ => builder.filter(Stemmer::new(language)).build(),
    }
}

/// The Spanish Snowball stemmer knows some suffixes only with their accent ("-ación",
/// "-ución", "-logía"): folded, "capacitacion" would keep its suffix while "capacitaciones"
/// loses it. This puts back just those accents, after folding, for the stemmer's sake.
#[derive(Clone)]
struct SpanishStemmerAccents;

const SUFFIX_ACCENTS: &[(&str, &str)] =
    &[("acion", "ación"), ("ucion", "ución"), ("logia", "logía"), ("logias", "logías")];

impl TokenFilter for SpanishStemmerAccents {
    type Tokenizer<T: Tokenizer> = SpanishStemmerAccentsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        SpanishStemmerAccentsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct SpanishStemmerAccentsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SpanishStemmerAccentsFilter<T> {
    type TokenStream<'a> = SpanishStemmerAccentsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SpanishStemmerAccentsStream { inner: self.inner.token_stream(text) }
    }
}

struct SpanishStemmerAccentsStream<S> {
    inner: S,
}

impl<S: TokenStream> TokenStream for SpanishStemmerAccentsStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let text = &mut self.inner.token_mut().text;
        if let Some((plain, accented)) = SUFFIX_ACCENTS.iter().find(|(plain, _)| text.ends_with(plain)) {
            text.truncate(text.len() - plain.len());
            text.push_str(accented);
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers; needed every time an index is opened.
pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(SPANISH, stemmed(Language::Spanish));
    manager.register(ENGLISH, stemmed(Language::English));
    manager.register(FOLDED, folded());
}

/// How glossary labels and the words of a query are compared: the Spanish analysis (stop
/// words out, accents folded, stems), so that «corrupciones» names the concept
/// «corrupción», and «canal denuncias» the one of «canal de denuncias».
pub fn label_analyzer() -> TextAnalyzer {
    stemmed(Language::Spanish)
}

/// The tokens an analyzer makes of `text`.
pub fn words_with(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The tokens `analyzer` makes of `text`, with their positions.
pub fn tokens(index: &Index, analyzer: &str, text: &str) -> Vec<(usize, String)> {
    let Some(mut analyzer) = index.tokenizers().get(analyzer) else { return Vec::new() };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Schema;

    use super::*;

    fn index() -> Index {
        let index = Index::create_in_ram(Schema::builder().build());
        register(&index);
        index
    }

    fn words(analyzer: &str, text: &str) -> Vec<String> {
        tokens(&index(), analyzer, text).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn spanish_folds_case_and_accents_then_stems() {
        assert_eq!(words(SPANISH, "corrupción"), ["corrupcion"]);
        assert_eq!(words(SPANISH, "CORRUPCIÓN"), ["corrupcion"]);
        assert_eq!(words(SPANISH, "corrupcion"), ["corrupcion"]);
        assert_eq!(words(SPANISH, "corrupciones"), ["corrupcion"]);
        assert_eq!(words(SPANISH, "comités comites"), ["comit", "comit"]);
        assert_eq!(words(SPANISH, "capacitación capacitacion capacitaciones"), ["capacit", "capacit", "capacit"]);
        assert_eq!(words(SPANISH, "declaración DECLARACIONES"), ["declar", "declar"]);
        assert_eq!(words(SPANISH, "tecnología tecnologias"), ["tecnolog", "tecnolog"]);
        assert_eq!(words(SPANISH, "licitaciones públicas licitación"), ["licit", "public", "licit"]);
    }

    #[test]
    fn spanish_drops_stop_words_before_folding() {
        // "más" and "está" are stop words only with their accents.
        assert_eq!(
            words(SPANISH, "la gestión de riesgos está en el área más crítica"),
            ["gestion", "riesg", "are", "critic"]
        );
    }

    #[test]
    fn english_stems_and_drops_stop_words() {
        assert_eq!(words(ENGLISH, "The Trainings of municipal staff"), ["train", "municip", "staff"]);
        assert_eq!(words(ENGLISH, "integrity INTEGRITY"), ["integr", "integr"]);
    }

    #[test]
    fn folded_keeps_words_whole() {
        assert_eq!(
            words(FOLDED, "Capacitación, capacitaciones y DECLARACIÓN"),
            ["capacitacion", "capacitaciones", "y", "declaracion"]
        );
    }

    #[test]
    fn positions_survive_stop_words() {
        let positions: Vec<usize> =
            tokens(&index(), SPANISH, "impuesto de la renta").into_iter().map(|(p, _)| p).collect();
        assert_eq!(positions, [0, 3]);
    }
}
