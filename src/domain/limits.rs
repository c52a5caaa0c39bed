//! The limits that the content format, the forms, the API and the database share, in one
//! place. Where a migration repeats one as a check, a test below reads the migration.

/// A case's year.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_SUMMARY_CHARS: usize = 1_000;
pub const MAX_BODY_CHARS: usize = 200_000;
pub const MAX_SOURCES: usize = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_checks_the_same_years() {
        let schema = include_str!("../../migrations/0001_case_library.sql");
        assert!(
            schema.contains(&format!("check (year between {MIN_YEAR} and {MAX_YEAR})")),
            "migration 0001 checks years between {MIN_YEAR} and {MAX_YEAR}"
        );
    }
}
