//! Marking acronyms in rendered HTML when a page is read: the first use of each acronym
//! the glossary knows becomes `<a href="…"><abbr title="…">SEACE</abbr></a>`. It runs over
//! the stored, sanitized HTML's text (never inside links, code or existing `<abbr>`), so a
//! glossary edit shows on the next view without rendering any body again.

use std::collections::HashSet;

use super::escape;

/// Elements whose text is left alone: a link inside a link is invalid, code is literal.
const SKIPPED: [&str; 4] = ["a", "abbr", "code", "pre"];

/// What an acronym stands for: where it links, and the title that spells it out.
pub struct Meaning {
    pub href: String,
    pub title: String,
}

/// `html` (sanitized, as `render` makes it) with the first use of each acronym `lookup`
/// knows marked. `lookup` sees words as written (case matters: «SEACE», not «seace»).
pub fn mark_acronyms(html: &str, lookup: impl Fn(&str) -> Option<Meaning>) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut marked: HashSet<String> = HashSet::new();
    let mut skip_depth = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = tag_end(rest);
                let tag = &rest[..end];
                if let Some((name, closing)) = tag_name(tag) {
                    if SKIPPED.contains(&name.as_str()) && !tag.ends_with("/>") {
                        skip_depth = if closing { skip_depth.saturating_sub(1) } else { skip_depth + 1 };
                    }
                }
                out.push_str(tag);
                rest = &rest[end..];
            }
            found => {
                let end = found.unwrap_or(rest.len());
                let text = &rest[..end];
                if skip_depth == 0 {
                    mark_text(text, &lookup, &mut marked, &mut out);
                } else {
                    out.push_str(text);
                }
                rest = &rest[end..];
            }
        }
    }
    out
}

/// The length of the tag at the start of `html`, quotes respected; the rest of the text
/// when it never closes.
fn tag_end(html: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in html.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// A tag's element name, lower case, and whether it closes.
fn tag_name(tag: &str) -> Option<(String, bool)> {
    let inner = tag.strip_prefix('<')?;
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(after) => (true, after),
        None => (false, inner),
    };
    let name: String = inner.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    (!name.is_empty()).then(|| (name.to_ascii_lowercase(), closing))
}

/// Characters an acronym may hold besides letters and digits («SIAF-SP», «EE.TT.», «LA/FT»).
fn joins(c: char) -> bool {
    matches!(c, '-' | '.' | '/')
}

fn mark_text(text: &str, lookup: &impl Fn(&str) -> Option<Meaning>, marked: &mut HashSet<String>, out: &mut String) {
    let mut written = 0;
    let mut words = Vec::new();
    // Runs of letters, digits and joining marks; each run, and else each part of it.
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let inside = c.is_alphanumeric() || (joins(c) && start.is_some());
        match (start, inside) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let run = text[s..i].trim_end_matches(['-', '/']);
                words.push((s, run));
                start = None;
            }
            _ => {}
        }
    }
    for (at, run) in words {
        // The whole run as written («SIAF-SP», «EE.TT.»), without a closing full stop, or
        // else each of its parts («OCI/SEACE»).
        let whole = [run, run.trim_end_matches('.')].into_iter().find_map(|w| known(w, lookup).map(|m| (at, w, m)));
        let found: Vec<(usize, &str, Meaning)> = match whole {
            Some(found) => vec![found],
            None => parts(at, run).into_iter().filter_map(|(at, w)| known(w, lookup).map(|m| (at, w, m))).collect(),
        };
        for (at, word, meaning) in found {
            if at < written || !marked.insert(word.to_string()) {
                continue;
            }
            out.push_str(&text[written..at]);
            out.push_str(&format!(
                "<a class=\"glossary-term\" href=\"{}\"><abbr title=\"{}\">{word}</abbr></a>",
                escape(&meaning.href),
                escape(&meaning.title)
            ));
            written = at + word.len();
        }
    }
    out.push_str(&text[written..]);
}

/// What a word stands for, if it could be an acronym (two capitals at least) and is one.
fn known(word: &str, lookup: &impl Fn(&str) -> Option<Meaning>) -> Option<Meaning> {
    (word.chars().filter(|c| c.is_uppercase()).count() >= 2).then(|| lookup(word)).flatten()
}

/// The letter-and-digit parts of a run, with where each starts.
fn parts(at: usize, run: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in run.char_indices().chain([(run.len(), ' ')]) {
        match (start, c.is_alphanumeric()) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((at + s, &run[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(word: &str) -> Option<Meaning> {
        match word {
            "SEACE" => Some(Meaning {
                href: "/glossary/seace".into(),
                title: "Sistema \"Electrónico\" <de> Contrataciones".into(),
            }),
            "SIAF-SP" => Some(Meaning { href: "/glossary/siaf".into(), title: "SIAF".into() }),
            "EE.TT." => Some(Meaning { href: "/glossary/eett".into(), title: "Especificaciones técnicas".into() }),
            "OCI" => Some(Meaning { href: "/glossary/oci".into(), title: "Órgano de Control Institucional".into() }),
            _ => None,
        }
    }

    #[test]
    fn marks_the_first_use_only_and_escapes_the_title() {
        let html = "<p>El SEACE publica; el SEACE otra vez.</p>";
        let out = mark_acronyms(html, lookup);
        assert_eq!(out.matches("<abbr").count(), 1, "{out}");
        assert!(out.contains(r#"<a class="glossary-term" href="/glossary/seace"><abbr title="Sistema &quot;Electrónico&quot; &lt;de&gt; Contrataciones">SEACE</abbr></a> publica"#), "{out}");
        assert!(out.ends_with("el SEACE otra vez.</p>"), "{out}");
    }

    #[test]
    fn leaves_links_code_and_attributes_alone() {
        let html = r#"<p><a href="https://x.pe/SEACE" title="OCI y SEACE">SEACE</a> <code>OCI</code> <img alt="OCI > SEACE"> luego OCI.</p>"#;
        let out = mark_acronyms(html, lookup);
        assert!(out.starts_with(r#"<p><a href="https://x.pe/SEACE" title="OCI y SEACE">SEACE</a> <code>OCI</code> <img alt="OCI > SEACE"> luego <a"#), "{out}");
        assert_eq!(out.matches("<abbr").count(), 1, "{out}");
    }

    #[test]
    fn finds_acronyms_with_marks_and_inside_punctuation() {
        let out = mark_acronyms("<p>(SIAF-SP), las EE.TT. y OCI/SEACE; seace no.</p>", lookup);
        assert!(out.contains(r#">SIAF-SP</abbr></a>),"#), "{out}");
        assert!(out.contains(r#">EE.TT.</abbr></a> y"#), "{out}");
        assert!(out.contains(r#">OCI</abbr></a>/<a"#) && out.contains(r#">SEACE</abbr></a>; seace no."#), "{out}");
    }
}
