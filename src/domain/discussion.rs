//! Discussions: threads (on a case, on a workshop, or on their own under a theme), their
//! comments, follows, notifications and reports: the types and the rules input obeys.

use time::Duration;

use super::{
    filter::{enum_value, slug_value, Paging},
    has_control_characters,
    limits::MAX_TITLE_CHARS,
    region::Region,
    text_enum,
    theme::Theme,
    BadParam, FieldError, FieldProblem, ParamProblem,
};

/// Long enough for a worked answer with a table; a case body is the place for more.
pub const MAX_COMMENT_CHARS: usize = 20_000;
pub const MAX_REPORT_NOTE_CHARS: usize = 1_000;
pub const MAX_MODERATION_REASON_CHARS: usize = 500;
/// A thread's pages hold this many comments (replies count).
pub const COMMENTS_PER_PAGE: i64 = 50;
/// Mentions after the first ten in a comment notify nobody (they still link).
pub const MAX_NOTIFIED_MENTIONS: usize = 10;
pub const MIN_HANDLE_CHARS: usize = 3;
pub const MAX_HANDLE_CHARS: usize = 30;

/// Accounts younger than this post fewer comments per window.
pub const NEW_ACCOUNT_AGE: Duration = Duration::DAY;
pub const COMMENT_WINDOW: Duration = Duration::minutes(10);
pub const NEW_ACCOUNT_COMMENTS_PER_WINDOW: i64 = 5;
pub const COMMENTS_PER_WINDOW: i64 = 30;

/// How many comments an account of this age may post in [`COMMENT_WINDOW`].
pub fn comments_allowed(account_age: Duration) -> i64 {
    if account_age < NEW_ACCOUNT_AGE {
        NEW_ACCOUNT_COMMENTS_PER_WINDOW
    } else {
        COMMENTS_PER_WINDOW
    }
}

text_enum!(
    /// Why someone reports a comment or a thread.
    ReportReason { Spam => "spam", Offensive => "offensive", OffTopic => "off_topic", PersonalData => "personal_data" }
);

text_enum!(
    /// What a moderator did about a report.
    ReportResolution { Hidden => "hidden", Locked => "locked", Dismissed => "dismissed" }
);

text_enum!(
    /// What people follow.
    FollowKind { Case => "case", Thread => "thread", Workshop => "workshop", Region => "region", Theme => "theme" }
);

text_enum!(
    /// What happened, as the outbox records it (migration 0015).
    EventKind {
        CommentPosted => "comment_posted",
        CommentMentions => "comment_mentions",
        CasePublished => "case_published",
        WorkshopPublished => "workshop_published",
        WorkshopChanged => "workshop_changed",
        WorkshopCancelled => "workshop_cancelled",
        OutcomesPublished => "outcomes_published",
        PlaceOpened => "place_opened",
        CommitmentStatus => "commitment_status",
        CommitmentOverdue => "commitment_overdue",
        ReportHandled => "report_handled",
    }
);

text_enum!(
    /// Why a person got a notification: the most particular reason wins.
    NotificationReason {
        Mention => "mention",
        Reply => "reply",
        Follow => "follow",
        Region => "region",
        Theme => "theme",
        Participant => "participant",
        WaitingList => "waiting_list",
        Commitment => "commitment",
        Report => "report",
    }
);

text_enum!(
    /// How `/discussions` orders threads.
    ThreadSort { Activity => "activity", Newest => "newest", Useful => "useful" }
);

text_enum!(
    /// `/discussions`' filter on whether a thread has an accepted answer.
    Answered { Yes => "yes", No => "no" }
);

/// `/discussions`' query string, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadParams {
    /// A theme's slug.
    pub theme: Option<String>,
    /// A region's slug; a region takes in the places under it.
    pub region: Option<String>,
    /// `yes` or `no`.
    pub answered: Option<String>,
    /// `activity` (the default), `newest` or `useful`.
    pub sort: Option<String>,
    /// From 1.
    pub page: Option<String>,
}

/// `/discussions`' filters and order, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadFilter {
    pub theme: Option<String>,
    pub region: Option<String>,
    pub answered: Option<Answered>,
    pub sort: ThreadSort,
}

impl ThreadParams {
    /// Every value checked: an unknown theme, region, order or answer filter is a 400.
    pub fn validate(&self, themes: &[Theme], regions: &[Region]) -> Result<(ThreadFilter, Paging), BadParam> {
        let theme = slug_value("theme", &self.theme)?;
        if theme.as_ref().is_some_and(|th| !themes.iter().any(|t| &t.slug == th)) {
            return Err(BadParam::new("theme", ParamProblem::UnknownValue));
        }
        let region = slug_value("region", &self.region)?;
        if region.as_ref().is_some_and(|rg| !regions.iter().any(|r| &r.slug == rg)) {
            return Err(BadParam::new("region", ParamProblem::UnknownValue));
        }
        let filter = ThreadFilter {
            theme,
            region,
            answered: enum_value("answered", &self.answered, Answered::parse)?,
            sort: enum_value("sort", &self.sort, ThreadSort::parse)?.unwrap_or(ThreadSort::Activity),
        };
        Ok((filter, Paging::parse(&self.page, &None)?.within_reach()?))
    }
}

impl ThreadFilter {
    /// The filters as query-string pairs (the order only when it is not the default).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(v) = &self.theme {
            pairs.push(("theme", v.clone()));
        }
        if let Some(v) = &self.region {
            pairs.push(("region", v.clone()));
        }
        if let Some(v) = self.answered {
            pairs.push(("answered", v.as_str().to_string()));
        }
        if self.sort != ThreadSort::Activity {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        pairs
    }
}

/// A free-standing thread as typed: its title, theme and region (slugs, "" for none) and
/// its opening comment.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RawThread {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub body: String,
}

/// A free-standing thread that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadDraft {
    pub title: String,
    pub theme: String,
    pub region: Option<String>,
    pub body: String,
}

impl RawThread {
    /// Everything wrong, in form order (`title`, `theme`, `region`, `body`), or the thread.
    pub fn validate(&self, themes: &[Theme], regions: &[Region]) -> Result<ThreadDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if let Err(problem) = check_title(title) {
            errors.push(FieldError { field: "title", problem });
        }
        let theme = self.theme.trim();
        if theme.is_empty() {
            errors.push(FieldError { field: "theme", problem: FieldProblem::Missing });
        } else if !themes.iter().any(|t| t.slug == theme) {
            errors.push(FieldError { field: "theme", problem: FieldProblem::Unknown });
        }
        let region = self.region.trim();
        if !region.is_empty() && !regions.iter().any(|r| r.slug == region) {
            errors.push(FieldError { field: "region", problem: FieldProblem::Unknown });
        }
        if let Err(problem) = check_comment(&self.body) {
            errors.push(FieldError { field: "body", problem });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ThreadDraft {
            title: title.to_string(),
            theme: theme.to_string(),
            region: (!region.is_empty()).then(|| region.to_string()),
            body: self.body.clone(),
        })
    }
}

fn check_title(title: &str) -> Result<(), FieldProblem> {
    if title.is_empty() {
        Err(FieldProblem::Missing)
    } else if title.chars().count() > MAX_TITLE_CHARS {
        Err(FieldProblem::TooLong { max: MAX_TITLE_CHARS })
    } else if title.chars().any(char::is_control) {
        Err(FieldProblem::ControlCharacter)
    } else {
        Ok(())
    }
}

/// A comment's Markdown: not blank, not over [`MAX_COMMENT_CHARS`], no control characters
/// beyond line breaks and tabs.
pub fn check_comment(body: &str) -> Result<(), FieldProblem> {
    if body.trim().is_empty() {
        Err(FieldProblem::Missing)
    } else if body.chars().count() > MAX_COMMENT_CHARS {
        Err(FieldProblem::TooLong { max: MAX_COMMENT_CHARS })
    } else if has_control_characters(body) {
        Err(FieldProblem::ControlCharacter)
    } else {
        Ok(())
    }
}

/// A handle as typed (with or without its `@`), folded to lower case: 3 to 30 of `a-z`,
/// `0-9` and `_`.
pub fn check_handle(typed: &str) -> Result<String, FieldProblem> {
    let handle = typed.trim().trim_start_matches('@').to_lowercase();
    let chars = handle.chars().count();
    if handle.is_empty() {
        Err(FieldProblem::Missing)
    } else if chars > MAX_HANDLE_CHARS {
        Err(FieldProblem::TooLong { max: MAX_HANDLE_CHARS })
    } else if chars < MIN_HANDLE_CHARS {
        Err(FieldProblem::TooShort { min: MIN_HANDLE_CHARS })
    } else if !handle.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        Err(FieldProblem::Unknown)
    } else {
        Ok(handle)
    }
}

/// A short text a moderator or a reporter writes: optional or required, one paragraph.
pub fn check_note(note: &str, required: bool, max: usize) -> Result<(), FieldProblem> {
    let trimmed = note.trim();
    if required && trimmed.is_empty() {
        Err(FieldProblem::Missing)
    } else if trimmed.chars().count() > max {
        Err(FieldProblem::TooLong { max })
    } else if has_control_characters(note) {
        Err(FieldProblem::ControlCharacter)
    } else {
        Ok(())
    }
}

/// The page (from 1) that holds the comment at `rank` (from 0) in a thread's order.
pub fn page_of(rank: i64) -> i64 {
    rank / COMMENTS_PER_PAGE + 1
}

/// How many pages `total` comments fill (at least one, empty or not).
pub fn page_count(total: i64) -> i64 {
    ((total + COMMENTS_PER_PAGE - 1) / COMMENTS_PER_PAGE).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_fold_to_lower_case_and_refuse_anything_else() {
        assert_eq!(check_handle(" @Ana_Quispe "), Ok("ana_quispe".into()));
        assert_eq!(check_handle("ab"), Err(FieldProblem::TooShort { min: 3 }));
        assert_eq!(check_handle("ana.quispe"), Err(FieldProblem::Unknown));
        assert_eq!(check_handle("añaño"), Err(FieldProblem::Unknown));
        assert_eq!(check_handle(&"a".repeat(31)), Err(FieldProblem::TooLong { max: 30 }));
        assert_eq!(check_handle("@"), Err(FieldProblem::Missing));
    }

    #[test]
    fn comments_need_text_within_the_limit() {
        assert_eq!(check_comment("  \n"), Err(FieldProblem::Missing));
        assert_eq!(
            check_comment(&"x".repeat(MAX_COMMENT_CHARS + 1)),
            Err(FieldProblem::TooLong { max: MAX_COMMENT_CHARS })
        );
        assert_eq!(check_comment("hola\u{0}"), Err(FieldProblem::ControlCharacter));
        assert_eq!(check_comment("línea 1\nlínea 2\t"), Ok(()));
    }

    #[test]
    fn pages_hold_fifty_comments() {
        assert_eq!((page_of(0), page_of(49), page_of(50)), (1, 1, 2));
        assert_eq!((page_count(0), page_count(50), page_count(51), page_count(5_000)), (1, 1, 2, 100));
    }

    #[test]
    fn new_accounts_post_fewer_comments() {
        assert_eq!(comments_allowed(Duration::hours(23)), 5);
        assert_eq!(comments_allowed(Duration::days(2)), 30);
    }
}
