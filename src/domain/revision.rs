//! How a revision of a case came about: every save is one.

/// How a save came about; stored with its revision as a name and, for a restore, the
/// number restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Loaded from the content directory.
    Import,
    Form,
    Api,
    /// Restoring the revision with this number.
    Restore(i32),
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Import => "import",
            Origin::Form => "form",
            Origin::Api => "api",
            Origin::Restore(_) => "restore",
        }
    }

    pub fn restored_from(self) -> Option<i32> {
        match self {
            Origin::Restore(number) => Some(number),
            _ => None,
        }
    }

    /// Reads the stored pair back; `None` for a pair no release writes.
    pub fn from_stored(origin: &str, restored_from: Option<i32>) -> Option<Origin> {
        match (origin, restored_from) {
            ("import", _) => Some(Origin::Import),
            ("form", _) => Some(Origin::Form),
            ("api", _) => Some(Origin::Api),
            ("restore", Some(number)) => Some(Origin::Restore(number)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_read_back_as_they_were_stored() {
        for origin in [Origin::Import, Origin::Form, Origin::Api, Origin::Restore(3)] {
            assert_eq!(Origin::from_stored(origin.as_str(), origin.restored_from()), Some(origin));
        }
        assert_eq!(Origin::from_stored("restore", None), None);
        assert_eq!(Origin::from_stored("fax", None), None);
    }
}
