//! The glossary's concepts (migration 0017): reading them whole, for search and the pages
//! (`read`), writing them from the content directory (`import`) and from the app's forms
//! (`edit`), with their history.

pub mod edit;
pub mod import;
mod read;

pub use self::read::{ConceptRevision, StoredConcept};

/// Serialises writes to the glossary across processes, so that two edits cannot both take
/// the same preferred label or close a broader cycle between them.
pub(crate) const GLOSSARY_LOCK: i64 = 0x4159_4e49_0002;
