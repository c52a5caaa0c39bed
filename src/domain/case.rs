use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{region::RegionRef, text_enum, theme::ThemeRef};

text_enum!(
    /// A case describes a practice; a success story tells one that worked.
    Kind { Case => "case", SuccessStory => "success-story" }
);

text_enum!(
    /// The language a case is written in.
    Language { Es => "es", En => "en" }
);

text_enum!(
    /// Where a case is in its life. Only `Published` is ever shown to the public.
    Status { Draft => "draft", Submitted => "submitted", Published => "published", Unpublished => "unpublished" }
);

text_enum!(
    /// Where a case's current text came from.
    Provenance { Import => "import", App => "app" }
);

/// A reference that backs a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// A published case as it appears in lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseSummary {
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub region_slug: String,
    pub region_name: String,
    pub themes: Json<Vec<ThemeRef>>,
    #[sqlx(try_from = "String")]
    pub language: Language,
    pub year: i32,
    pub summary: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    /// Invented for peer learning rather than a fact.
    pub illustrative: bool,
}

impl CaseSummary {
    pub fn region(&self) -> RegionRef {
        RegionRef { slug: self.region_slug.clone(), name: self.region_name.clone() }
    }
}

/// A whole case: its summary, Markdown source, rendered HTML and sources.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Case {
    #[sqlx(flatten)]
    pub summary: CaseSummary,
    pub sources: Json<Vec<Source>>,
    pub body_markdown: String,
    /// Rendered and sanitized when the body last changed.
    pub body_html: String,
    pub created_at: OffsetDateTime,
    /// Changed in Ayni itself, not only loaded from the content directory: only then does
    /// its update time mean something to a reader.
    pub edited_in_app: bool,
}
