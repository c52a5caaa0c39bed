//! Slugs name regions, themes and cases in URLs and in the content directory.

/// The longest slug the content format allows.
pub const MAX_LEN: usize = 80;

/// Words that would clash with the case routes (`/cases/new`, `/cases/{slug}/edit`, …).
pub const RESERVED: &[&str] = &["new", "edit", "history"];

/// Why a text is not a valid slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("slug {0:?} must be lowercase letters a-z, digits and single hyphens between them")]
    Pattern(String),
    #[error("slug {0:?} is longer than 80 characters")]
    TooLong(String),
    #[error("slug {0:?} is reserved")]
    Reserved(String),
}

/// Checks `^[a-z0-9]+(-[a-z0-9]+)*$`, the length limit and the reserved words.
pub fn validate(slug: &str) -> Result<(), SlugError> {
    if slug.len() > MAX_LEN {
        return Err(SlugError::TooLong(slug.to_string()));
    }
    let well_formed = !slug.is_empty()
        && slug
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if !well_formed {
        return Err(SlugError::Pattern(slug.to_string()));
    }
    if RESERVED.contains(&slug) {
        return Err(SlugError::Reserved(slug.to_string()));
    }
    Ok(())
}

/// Turns any text into a slug-like anchor: accents transliterated, other characters dropped.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for part in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_content_format() {
        assert_eq!(validate("impuesto-predial-cusco-2023"), Ok(()));
        assert_eq!(validate("a"), Ok(()));
    }

    #[test]
    fn rejects_what_the_format_forbids() {
        for bad in ["", "-a", "a-", "a--b", "Cusco", "año", "a_b", "a b"] {
            assert!(matches!(validate(bad), Err(SlugError::Pattern(_))), "{bad:?}");
        }
        assert!(matches!(validate(&"a".repeat(81)), Err(SlugError::TooLong(_))));
        assert!(matches!(validate("edit"), Err(SlugError::Reserved(_))));
    }

    #[test]
    fn slugify_transliterates_accents() {
        assert_eq!(slugify("Gestión de riesgos en Áncash"), "gestion-de-riesgos-en-ancash");
        assert_eq!(slugify("¿Qué se hizo?"), "que-se-hizo");
    }
}
