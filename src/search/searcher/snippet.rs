//! Snippets: about 220 characters of a text from the sentence that holds most of the query's
//! terms, with the words that match in `<b>` and everything else escaped.
//!
//! A word matches when the field's own analyzer turns it into one of the query's terms, so
//! what is highlighted is what search found. Running the analyzer over whole bodies was most
//! of a search page's time, so each distinct word is analysed once per search, and only if
//! it could match at all: a stem keeps its word's letters but the last two at most (Spanish
//! «transparencia» → «transparent», English «city» → «citi»), so an ASCII word that differs
//! from every stem before that point is passed over without analysis.

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use crate::markdown::escape;

/// Characters shown, at most (the "…" aside).
pub(super) const SNIPPET_CHARS: usize = 220;
/// Sentences holding a query term that are compared before one is chosen: the best of the
/// first few is as good as any, and a long body is not read to its end.
const SENTENCES_WEIGHED: usize = 12;
/// Letters at the end of a stem that may differ from its word.
const STEM_SLACK: usize = 2;

/// Which words of a text are the query's terms in one field.
pub(super) struct Matcher {
    analyzer: TextAnalyzer,
    /// The query's terms in this field; the first 64 are told apart when choosing a sentence.
    stems: Vec<String>,
    /// Each word analysed so far, as written, and the stems it matched (as bits).
    seen: HashMap<String, u64>,
}

impl Matcher {
    pub(super) fn new(analyzer: TextAnalyzer, stems: Vec<String>) -> Matcher {
        Matcher { analyzer, stems, seen: HashMap::new() }
    }

    /// The query terms `word` matches, as bits (none is 0).
    fn matches(&mut self, word: &str) -> u64 {
        if word.is_ascii() && !self.stems.iter().any(|stem| could_stem_to(word, stem)) {
            return 0;
        }
        if let Some(found) = self.seen.get(word) {
            return *found;
        }
        let mut found = 0u64;
        let mut stream = self.analyzer.token_stream(word);
        while stream.advance() {
            let token = &stream.token().text;
            for (i, stem) in self.stems.iter().enumerate() {
                if stem == token {
                    found |= 1 << i.min(63);
                }
            }
        }
        self.seen.insert(word.to_string(), found);
        found
    }
}

/// Whether an ASCII `word` could be analysed into `stem`: they agree, whatever the case, up
/// to the stem's last [`STEM_SLACK`] letters.
fn could_stem_to(word: &str, stem: &str) -> bool {
    let keep = stem.len().saturating_sub(STEM_SLACK).max(1);
    stem.is_char_boundary(keep)
        && word.len() >= keep
        && word.as_bytes()[..keep].eq_ignore_ascii_case(&stem.as_bytes()[..keep])
}

/// The snippet of `text`, or `None` when no word of it matches.
pub(super) fn snippet(text: &str, matcher: &mut Matcher) -> Option<String> {
    let (start, first_match) = best_sentence(text, matcher)?;
    let start = window_start(text, start, first_match);
    let end = window_end(text, start);
    let mut html = String::with_capacity(end - start + 64);
    if !text[..start].trim().is_empty() {
        html.push('…');
    }
    let mut written = start;
    for (at, word) in words(&text[start..end]) {
        let at = start + at;
        if matcher.matches(word) != 0 {
            html += &escape(&text[written..at]);
            html += "<b>";
            html += &escape(word);
            html += "</b>";
            written = at + word.len();
        }
    }
    html += &escape(&text[written..end]);
    if !text[end..].trim().is_empty() {
        html.push('…');
    }
    Some(html)
}

/// The start of the sentence holding most distinct query terms (the first such), and the
/// offset of its first matching word.
fn best_sentence(text: &str, matcher: &mut Matcher) -> Option<(usize, usize)> {
    let all = match matcher.stems.len() {
        0 => return None,
        n if n >= 64 => u64::MAX,
        n => (1u64 << n) - 1,
    };
    let mut best: Option<(u32, usize, usize)> = None;
    let mut matching = 0;
    let (mut sentence, mut found, mut first) = (0, 0u64, None);
    for piece in pieces(text) {
        match piece {
            Piece::Word(at, word) => {
                let bits = matcher.matches(word);
                if bits != 0 {
                    found |= bits;
                    first.get_or_insert(at);
                }
            }
            Piece::End(at) => {
                if let Some(first) = first.take() {
                    let count = found.count_ones();
                    if best.is_none_or(|(most, _, _)| count > most) {
                        best = Some((count, sentence, first));
                        if found == all {
                            break;
                        }
                    }
                    matching += 1;
                    if matching == SENTENCES_WEIGHED {
                        break;
                    }
                }
                (sentence, found) = (at, 0);
            }
        }
    }
    best.map(|(_, start, first)| (start, first))
}

/// Where the snippet starts: at its sentence, unless the sentence's first match lies beyond
/// half a snippet from there; then a few words before that match.
fn window_start(text: &str, sentence: usize, first_match: usize) -> usize {
    let lead = text[sentence..first_match].chars().count();
    let from = if lead <= SNIPPET_CHARS / 2 {
        sentence
    } else {
        let back = text[..first_match].char_indices().rev().nth(SNIPPET_CHARS / 4).map_or(sentence, |(at, _)| at);
        // Start at a word.
        text[back..first_match].find(char::is_whitespace).map_or(first_match, |space| back + space)
    };
    from + (text[from..].len() - text[from..].trim_start().len())
}

/// Where a snippet starting at `start` ends: at the last whole word within
/// [`SNIPPET_CHARS`] characters.
fn window_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let Some((limit, _)) = rest.char_indices().nth(SNIPPET_CHARS) else {
        return start + rest.trim_end().len();
    };
    // A word cut at the limit is left out, unless it is the only one.
    let cut = if rest[limit..].starts_with(char::is_alphanumeric) {
        rest[..limit].rfind(|c: char| !c.is_alphanumeric()).unwrap_or(limit)
    } else {
        limit
    };
    start + rest[..cut].trim_end().len()
}

/// What a text is read as: words (runs of letters and digits, as the analyzers split them)
/// and the ends of sentences (after `.`, `!`, `?` or a line break, and at the end).
enum Piece<'a> {
    /// A word and its byte offset.
    Word(usize, &'a str),
    /// A sentence ends before this byte offset.
    End(usize),
}

/// The pieces of `text`, read in one pass over its bytes; most text is ASCII, and only other
/// characters are decoded.
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let bytes = text.as_bytes();
    // The character at `i` (a character boundary) and its length, when it is not ASCII.
    let wide = move |i: usize| text[i..].chars().next().map(|c| (c, c.len_utf8()));
    let mut i = 0;
    let mut ended = false;
    std::iter::from_fn(move || {
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_alphanumeric() {
                break;
            }
            if matches!(b, b'.' | b'!' | b'?' | b'\n') {
                i += 1;
                return Some(Piece::End(i));
            }
            match wide(i) {
                Some((c, _)) if !b.is_ascii() && c.is_alphanumeric() => break,
                Some((_, len)) if !b.is_ascii() => i += len,
                _ => i += 1,
            }
        }
        if i >= bytes.len() {
            return (!std::mem::replace(&mut ended, true)).then_some(Piece::End(bytes.len()));
        }
        let start = i;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                i += 1;
            } else {
                match wide(i) {
                    Some((c, len)) if c.is_alphanumeric() => i += len,
                    _ => break,
                }
            }
        }
        Some(Piece::Word(start, &text[start..i]))
    })
}

/// The words of `text` with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    pieces(text).filter_map(|piece| match piece {
        Piece::Word(at, word) => Some((at, word)),
        Piece::End(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use tantivy::{schema::Schema, Index};

    use super::*;
    use crate::search::analyzers::{self, ENGLISH, SPANISH};

    fn matcher(analyzer: &str, query: &str) -> Matcher {
        let index = Index::create_in_ram(Schema::builder().build());
        analyzers::register(&index);
        let stems = analyzers::tokens(&index, analyzer, query).into_iter().map(|(_, t)| t).collect();
        Matcher::new(index.tokenizers().get(analyzer).expect("registered"), stems)
    }

    #[test]
    fn highlights_every_form_of_the_words_and_escapes_the_rest() {
        let text = "La TRANSPARENCIA & la <b>gestión</b> transparente: capacitaciones y capacitación.";
        let html = snippet(text, &mut matcher(SPANISH, "transparencia capacitación gestion")).expect("matches");
        assert_eq!(
            html,
            "La <b>TRANSPARENCIA</b> &amp; la &lt;b&gt;<b>gestión</b>&lt;/b&gt; <b>transparente</b>: \
             <b>capacitaciones</b> y <b>capacitación</b>."
        );
    }

    #[test]
    fn english_stems_that_change_their_last_letters_still_match() {
        let html = snippet("Every city and its cities.", &mut matcher(ENGLISH, "city")).expect("matches");
        assert_eq!(html, "Every <b>city</b> and its <b>cities</b>.");
    }

    #[test]
    fn stop_words_and_other_words_are_not_highlighted() {
        let mut m = matcher(SPANISH, "integridad");
        assert_eq!(snippet("Sin nada que ver.", &mut m), None);
        // The analyzer decides: «íntegro» has the stem of «integridad», «integral» does not.
        let html = snippet("Integral, íntegro e integridad.", &mut m).expect("matches");
        assert_eq!(html, "Integral, <b>íntegro</b> e <b>integridad</b>.");
    }

    #[test]
    fn a_long_text_is_cut_at_words_around_the_best_sentence() {
        let filler = "Texto de relleno sin relación alguna. ".repeat(40);
        let text = format!("{filler}Una oficina de integridad. Otra frase con integridad y oficina juntas. {filler}");
        let html = snippet(&text, &mut matcher(SPANISH, "oficina integridad")).expect("matches");
        assert!(html.starts_with("…Una <b>oficina</b> de <b>integridad</b>."), "{html}");
        assert!(html.ends_with('…'), "{html}");
        let shown = html.replace("<b>", "").replace("</b>", "");
        assert!(shown.chars().count() <= SNIPPET_CHARS + 2, "{} characters", shown.chars().count());
        assert!(!shown.trim_end_matches('…').ends_with("relle"), "no word is cut: {html}");
    }

    #[test]
    fn text_is_read_as_words_and_sentence_ends() {
        let read: Vec<String> = pieces("¿Qué? Año 2023, «niño»—sí.\n\nFin")
            .map(|piece| match piece {
                Piece::Word(at, word) => format!("{at}:{word}"),
                Piece::End(at) => format!("|{at}"),
            })
            .collect();
        assert_eq!(read, ["2:Qué", "|7", "8:Año", "13:2023", "21:niño", "31:sí", "|35", "|36", "|37", "37:Fin", "|40"]);
    }

    #[test]
    fn a_match_late_in_a_long_sentence_is_shown() {
        let text = format!("{} integridad al final.", "palabra ".repeat(80));
        let html = snippet(&text, &mut matcher(SPANISH, "integridad")).expect("matches");
        assert!(html.contains("<b>integridad</b>"), "{html}");
        assert!(html.starts_with("…palabra"), "{html}");
    }
}
