use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Lang;

/// A theme with the number of published cases that carry it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Theme {
    pub slug: String,
    pub name_es: String,
    pub name_en: String,
    /// In Spanish.
    pub description: String,
    /// In English; empty when the content gives none.
    pub description_en: String,
    /// Published cases with this theme, when counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_count: Option<i64>,
}

/// The short form of a theme that cases point to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ThemeRef {
    pub slug: String,
    pub name_es: String,
    pub name_en: String,
}

/// Theme names come in both interface languages; these pick the reader's.
impl Theme {
    pub fn name(&self, lang: &Lang) -> &str {
        pick(*lang, &self.name_es, &self.name_en)
    }

    /// The description in the reader's language, and that language (the Spanish one stands
    /// in where no English one was given).
    pub fn description(&self, lang: &Lang) -> (&str, &'static str) {
        match lang {
            Lang::En if !self.description_en.is_empty() => (&self.description_en, "en"),
            _ => (&self.description, "es"),
        }
    }
}

impl ThemeRef {
    pub fn name(&self, lang: &Lang) -> &str {
        pick(*lang, &self.name_es, &self.name_en)
    }
}

fn pick<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Es => es,
        Lang::En => en,
    }
}

/// Alphabetical in the reader's language, accents ignored ("Índice" sorts under I).
pub fn sort_by_name(themes: &mut [Theme], lang: Lang) {
    themes.sort_by_cached_key(|th| deunicode::deunicode(th.name(&lang)).to_lowercase());
}
