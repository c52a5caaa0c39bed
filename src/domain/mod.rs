//! The domain: the types Ayni talks about and the rules they obey. It is the bottom layer and
//! uses nothing else of Ayni's (the layering test holds it to that). It is free of HTTP, but
//! not of SQL: a few types derive `sqlx::FromRow` so that the store reads them directly.

pub mod account;
pub mod case;
pub mod commitment;
pub mod diff;
pub mod discussion;
pub mod draft;
pub mod filter;
pub mod glossary;
pub mod lang;
pub mod lima;
pub mod limits;
pub mod outcome;
pub mod permission;
pub mod problem;
pub mod region;
pub mod revision;
pub mod slug;
pub mod subject;
pub mod theme;
pub mod workshop;

/// Declares a text-backed enum with its wire names, parsing and display in one place.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        // Written out, not derived: utoipa's derive cannot read a `rename` given as a macro
        // literal, and would publish the Rust names instead of the texts the API sends.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = crate::domain::UnknownValue;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text).ok_or(crate::domain::UnknownValue(text))
            }
        }
    };
}
pub(crate) use text_enum;

pub use lang::Lang;
pub use problem::{BadParam, FieldError, FieldProblem, ParamProblem};

/// A stored or typed value outside an enum's known names.
#[derive(Debug, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// Whether `text` holds control characters other than line breaks and tabs: they cannot be
/// stored (NUL) or break XML feeds, and no one types them on purpose.
pub fn has_control_characters(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}
