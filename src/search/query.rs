//! The query language people type: plain words, "exact phrases", -excluded words and
//! filters such as `region:cusco`. Reading never fails: whatever does not parse is read as
//! plain words, and punctuation alone is nothing.

/// Longest query read; the rest is ignored, so a pasted essay cannot slow search down.
const MAX_QUERY_CHARS: usize = 500;
/// At most this many words, phrases or exclusions are used.
const MAX_PARTS: usize = 16;

/// A filter that can be typed into the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedField {
    Region,
    Theme,
    Kind,
    Language,
    Year,
    Type,
    Level,
}

impl TypedField {
    fn parse(name: &str) -> Option<TypedField> {
        Some(match name.to_lowercase().as_str() {
            "region" | "región" => TypedField::Region,
            "theme" | "tema" => TypedField::Theme,
            "kind" | "tipo" => TypedField::Kind,
            "language" | "idioma" => TypedField::Language,
            "year" | "año" | "ano" => TypedField::Year,
            "type" => TypedField::Type,
            "level" | "nivel" => TypedField::Level,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TypedField::Region => "region",
            TypedField::Theme => "theme",
            TypedField::Kind => "kind",
            TypedField::Language => "language",
            TypedField::Year => "year",
            TypedField::Type => "type",
            TypedField::Level => "level",
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Plain words, lower case, as typed (accents kept).
    pub words: Vec<String>,
    /// Each phrase (or single quoted word) as its words.
    pub phrases: Vec<Vec<String>>,
    /// Excluded words and phrases, each as its words.
    pub excluded: Vec<Vec<String>>,
    /// Filters typed into the box, with their raw values.
    pub filters: Vec<(TypedField, String)>,
}

impl ParsedQuery {
    pub fn has_text(&self) -> bool {
        !self.words.is_empty() || !self.phrases.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        !self.has_text() && self.excluded.is_empty() && self.filters.is_empty()
    }
}

/// Splits text into words: runs of letters and digits.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

pub fn parse(input: &str) -> ParsedQuery {
    let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
    let mut query = ParsedQuery::default();
    let mut rest = input.as_str();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let (negated, after_sign) = match rest.strip_prefix('-') {
            Some(after) if !after.starts_with(char::is_whitespace) && !after.is_empty() => (true, after),
            Some(after) => {
                rest = after;
                continue;
            }
            None => (false, rest),
        };
        if let Some(quoted) = after_sign.strip_prefix('"') {
            if let Some(end) = quoted.find('"') {
                let words = words_of(&quoted[..end]);
                if !words.is_empty() {
                    // A quoted word is found as written, like a phrase: never corrected,
                    // never expanded through the glossary.
                    if negated {
                        query.excluded.push(words);
                    } else {
                        query.phrases.push(words);
                    }
                }
                rest = &quoted[end + 1..];
                continue;
            }
            // An unbalanced quote: the rest is plain words.
            rest = quoted;
            continue;
        }
        let end = after_sign.find(char::is_whitespace).unwrap_or(after_sign.len());
        let token = &after_sign[..end];
        rest = &after_sign[end..];
        if let Some((name, value)) = token.split_once(':') {
            if let Some(field) = TypedField::parse(name) {
                let value = value.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                if !value.is_empty() && !negated {
                    query.filters.push((field, value));
                }
                continue;
            }
        }
        let words = words_of(token);
        if negated {
            query.excluded.extend(words.into_iter().map(|w| vec![w]));
        } else {
            query.words.extend(words);
        }
    }
    let mut seen = std::collections::HashSet::new();
    query.words.retain(|w| seen.insert(w.clone()));
    query.words.truncate(MAX_PARTS);
    query.phrases.truncate(MAX_PARTS);
    query.excluded.truncate(MAX_PARTS);
    query.filters.truncate(MAX_PARTS);
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn reads_words_phrases_exclusions_and_filters() {
        let q = parse(r#"Impuesto "declaraciones juradas" -multas region:cusco tema:tax-collection"#);
        assert_eq!(q.words, strings(&["impuesto"]));
        assert_eq!(q.phrases, vec![strings(&["declaraciones", "juradas"])]);
        assert_eq!(q.excluded, vec![strings(&["multas"])]);
        assert_eq!(q.filters, vec![(TypedField::Region, "cusco".into()), (TypedField::Theme, "tax-collection".into())]);
        let quoted = parse(r#""peculado" coima"#);
        assert_eq!((quoted.words, quoted.phrases), (strings(&["coima"]), vec![strings(&["peculado"])]));
    }

    #[test]
    fn malformed_input_is_read_as_plain_words() {
        assert_eq!(parse(r#""unbalanced quote here"#).words, strings(&["unbalanced", "quote", "here"]));
        assert!(parse("-").is_empty());
        assert!(parse(":").is_empty());
        assert!(parse(" - : -- \"\" ").is_empty());
        assert!(parse(&"!?.,;:()[]{}".repeat(200)).is_empty());
        assert_eq!(parse("foo:bar").words, strings(&["foo", "bar"]));
        assert_eq!(parse("región:").filters, vec![]);
        assert_eq!(
            parse(r#"-"conflicto de intereses" gestión"#).excluded,
            vec![strings(&["conflicto", "de", "intereses"])]
        );
    }

    #[test]
    fn long_input_is_bounded() {
        let q = parse(&"palabra ".repeat(1000));
        // Cut at 500 characters: the last word may be cut too.
        assert_eq!(q.words, strings(&["palabra", "pala"]));
        let q = parse(&(0..100).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" "));
        assert_eq!(q.words.len(), MAX_PARTS);
    }
}
