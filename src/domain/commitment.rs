//! Commitments: what a region undertook at a workshop, and how it is followed up. Whether
//! one is overdue depends on the day, which callers pass in (Lima's date, from
//! [`super::lima::today`]) so that the rule and its SQL twin can be tested on a set clock.

use time::{Date, Duration};

use super::text_enum;

text_enum!(
    /// Where a commitment stands.
    CommitmentStatus { Planned => "planned", InProgress => "in_progress", Done => "done", Dropped => "dropped" }
);

impl CommitmentStatus {
    /// Done and dropped commitments are never overdue.
    pub fn is_open(self) -> bool {
        matches!(self, CommitmentStatus::Planned | CommitmentStatus::InProgress)
    }
}

/// How many days ahead "due soon" looks.
pub const DUE_SOON_DAYS: i64 = 30;

/// Overdue: the due date has passed in Lima (it is before `today`) and the commitment is
/// still open. The store's filters say the same in SQL, with `today` bound as a parameter.
pub fn is_overdue(status: CommitmentStatus, due_on: Option<Date>, today: Date) -> bool {
    status.is_open() && due_on.is_some_and(|due| due < today)
}

/// Due from `today` to [`DUE_SOON_DAYS`] ahead, and still open.
pub fn is_due_soon(status: CommitmentStatus, due_on: Option<Date>, today: Date) -> bool {
    status.is_open() && due_on.is_some_and(|due| due >= today && due <= today + Duration::days(DUE_SOON_DAYS))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use CommitmentStatus::*;

    #[test]
    fn overdue_means_past_due_in_lima_and_still_open() {
        let today = date!(2026 - 03 - 01);
        assert!(is_overdue(Planned, Some(date!(2026 - 02 - 28)), today));
        assert!(is_overdue(InProgress, Some(date!(2025 - 12 - 31)), today));
        assert!(!is_overdue(Planned, Some(today), today), "due today is not yet overdue");
        assert!(!is_overdue(Done, Some(date!(2026 - 02 - 28)), today));
        assert!(!is_overdue(Dropped, Some(date!(2026 - 02 - 28)), today));
        assert!(!is_overdue(Planned, None, today));
        assert!(is_due_soon(Planned, Some(today), today));
        assert!(is_due_soon(Planned, Some(date!(2026 - 03 - 31)), today));
        assert!(!is_due_soon(Planned, Some(date!(2026 - 04 - 01)), today));
        assert!(!is_due_soon(Done, Some(date!(2026 - 03 - 02)), today));
    }
}
