//! The catalogue's words for discussions: counts, report reasons, and what each
//! notification says.

use super::{fill, Catalog};
use crate::{
    domain::discussion::{EventKind, NotificationReason, ReportReason, ReportResolution},
    store::notifications::NotificationView,
};

impl Catalog {
    fn plural(&self, n: i64, one: &str, many: &str) -> String {
        if n == 1 {
            one.to_string()
        } else {
            fill(many, &[("n", &n)])
        }
    }

    pub fn comment_count(&self, n: &i32) -> String {
        self.plural(i64::from(*n), self.discussions.comment_one, self.discussions.comments_many)
    }

    pub fn thread_count(&self, n: &i64) -> String {
        self.plural(*n, self.discussions.thread_one, self.discussions.threads_many)
    }

    pub fn useful_count(&self, n: &i32) -> String {
        self.plural(i64::from(*n), self.discussions.useful_one, self.discussions.useful_many)
    }

    /// "Page 2 of 7" for a thread's pages.
    pub fn thread_page_of(&self, page: &i64, pages: &i64) -> String {
        fill(self.common.pagination_page, &[("page", page), ("pages", pages)])
    }

    /// The header's unread count: "99+" past 99.
    pub fn unread_count(&self, n: &i64) -> String {
        let n = if *n > 99 { "99+".to_string() } else { n.to_string() };
        fill(self.discussions.unread_count, &[("n", &n)])
    }

    /// A revision's number, as the history lists it.
    pub fn revision_label(&self, n: &i32) -> String {
        format!("#{n}")
    }

    pub fn report_reason(&self, reason: &ReportReason) -> &'static str {
        let d = &self.discussions;
        match reason {
            ReportReason::Spam => d.reason_spam,
            ReportReason::Offensive => d.reason_offensive,
            ReportReason::OffTopic => d.reason_off_topic,
            ReportReason::PersonalData => d.reason_personal_data,
        }
    }

    /// What a notification says, in one line.
    pub fn notification_text(&self, n: &NotificationView) -> String {
        let d = &self.discussions;
        let actor = n.actor_name.as_deref().filter(|a| !a.is_empty()).unwrap_or(d.someone);
        let title = n.title.as_str();
        let template = match n.kind {
            EventKind::CommentPosted | EventKind::CommentMentions => match n.reason {
                NotificationReason::Mention => d.n_comment_mention,
                NotificationReason::Reply => d.n_comment_reply,
                _ => d.n_comment_follow,
            },
            EventKind::CasePublished => d.n_case_published,
            EventKind::WorkshopPublished => d.n_workshop_published,
            EventKind::WorkshopChanged => d.n_workshop_changed,
            EventKind::WorkshopCancelled => d.n_workshop_cancelled,
            EventKind::OutcomesPublished => d.n_outcomes_published,
            EventKind::PlaceOpened => d.n_place_opened,
            EventKind::CommitmentOverdue => d.n_commitment_overdue,
            EventKind::CommitmentStatus => {
                let status = n
                    .details
                    .get("to")
                    .and_then(|s| s.as_str())
                    .and_then(crate::domain::commitment::CommitmentStatus::parse)
                    .map_or("", |s| self.commitment_status(&s));
                return fill(d.n_commitment_status, &[("title", &title), ("status", &status)]);
            }
            EventKind::ReportHandled => {
                let resolution =
                    match n.details.get("resolution").and_then(|r| r.as_str()).and_then(ReportResolution::parse) {
                        Some(ReportResolution::Hidden) => d.resolution_hidden,
                        Some(ReportResolution::Locked) => d.resolution_locked,
                        _ => d.resolution_dismissed,
                    };
                return fill(d.n_report_handled, &[("title", &title), ("resolution", &resolution)]);
            }
        };
        fill(template, &[("actor", &actor), ("title", &title)])
    }
}
