//! What Ayni keeps records about beyond a single feature: the documents search indexes
//! (named in the change log by type and key) and the subjects of the audit log, with the
//! closed set of actions it records and their structured details.

use serde::{Deserialize, Serialize};

use super::{account::Role, text_enum};

text_enum!(
    /// A kind of document in the change log and the search index; the indexer's match makes
    /// each one say how it is indexed. A workshop's outcomes are keyed by the workshop's id.
    /// Threads and comments live in an index of their own (see [`DocType::is_discussion`]).
    DocType {
        Case => "case",
        Workshop => "workshop",
        Outcome => "outcome",
        Commitment => "commitment",
        Thread => "thread",
        Comment => "comment",
    }
);

impl DocType {
    /// Threads and comments: kept in their own index, so that a million comments do not
    /// slow down, or skew the ranking of, the searches for cases people make by default.
    pub fn is_discussion(self) -> bool {
        matches!(self, DocType::Thread | DocType::Comment)
    }
}

text_enum!(
    /// What an audit entry is about. Its key is the account's id, the case's or the
    /// workshop's slug, or the commitment's id.
    SubjectKind {
        Account => "account",
        Case => "case",
        Workshop => "workshop",
        Commitment => "commitment",
        Thread => "thread",
        Comment => "comment",
        Concept => "concept",
    }
);

text_enum!(
    /// Everything the audit log records, stored as its text. `case.draft` is a case sent
    /// back by an editor or withdrawn by its author.
    AuditAction {
        AccountCreated => "account.created",
        AccountDisabled => "account.disabled",
        AccountEnabled => "account.enabled",
        AccountClosed => "account.closed",
        ProfileUpdated => "profile.updated",
        RoleChanged => "role.changed",
        ResetLinkIssued => "reset_link.issued",
        PasswordReset => "password.reset",
        PasswordChanged => "password.changed",
        TokenCreated => "token.created",
        TokenRevoked => "token.revoked",
        CaseSubmitted => "case.submitted",
        CasePublished => "case.published",
        CaseUnpublished => "case.unpublished",
        CaseBackToDraft => "case.draft",
        CaseDeleted => "case.deleted",
        WorkshopCreated => "workshop.created",
        WorkshopUpdated => "workshop.updated",
        WorkshopPublished => "workshop.published",
        WorkshopCancelled => "workshop.cancelled",
        OrganiserAdded => "workshop.organiser_added",
        OrganiserRemoved => "workshop.organiser_removed",
        AgendaChanged => "workshop.agenda_changed",
        RegistrationChanged => "workshop.registration_changed",
        AttendanceMarked => "workshop.attendance_marked",
        OutcomesPublished => "workshop.outcomes_published",
        CommitmentAdded => "commitment.added",
        CommitmentUpdated => "commitment.updated",
        CommitmentDeleted => "commitment.deleted",
        CommitmentStatusChanged => "commitment.status_changed",
        CommentHidden => "comment.hidden",
        CommentRestored => "comment.restored",
        CommentApproved => "comment.approved",
        ThreadLocked => "thread.locked",
        ThreadUnlocked => "thread.unlocked",
        ThreadHidden => "thread.hidden",
        ThreadRestored => "thread.restored",
        ReportDismissed => "report.dismissed",
        ConceptCreated => "concept.created",
        ConceptUpdated => "concept.updated",
        ConceptMerged => "concept.merged",
        ConceptRetired => "concept.retired",
        ConceptReverted => "concept.reverted",
    }
);

/// How an account came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountOrigin {
    Signup,
    Cli,
}

/// What an audit entry records besides its action and subject, stored as JSON. Only the
/// fields an action needs are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDetails {
    /// `account.created`: the form or the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<AccountOrigin>,
    /// `account.created` from the command line: the role given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `role.changed`: before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Role>,
    /// `role.changed` to editor: every region, or these (slugs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_regions: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// `token.created`, `token.revoked`: the token's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `workshop.organiser_added`, `workshop.organiser_removed`,
    /// `workshop.registration_changed`: the account concerned; `commitment.added` and
    /// `commitment.deleted` (whose subject is the workshop): the commitment's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<i64>,
    /// `workshop.registration_changed`, `commitment.status_changed`: before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_to: Option<String>,
    /// `report.dismissed`, and moderation that handled reports: the report's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<i64>,
    /// `workshop.cancelled`: the reason given; `workshop.updated`: what changed;
    /// `comment.hidden`, `thread.hidden`: the moderator's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `concept.merged`: the concept it went into; `concept.reverted`: the revision made
    /// current again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    /// `case.draft` when sent back: the editor's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An audit entry about to be written.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// Who did it; `None` for the command line.
    pub actor: Option<i64>,
    pub action: AuditAction,
    pub subject: Option<(SubjectKind, String)>,
    pub details: AuditDetails,
}

impl AuditRecord {
    pub fn new(actor: Option<i64>, action: AuditAction) -> Self {
        AuditRecord { actor, action, subject: None, details: AuditDetails::default() }
    }

    pub fn on_account(mut self, id: i64) -> Self {
        self.subject = Some((SubjectKind::Account, id.to_string()));
        self
    }

    pub fn on_case(mut self, slug: &str) -> Self {
        self.subject = Some((SubjectKind::Case, slug.to_string()));
        self
    }

    pub fn on_workshop(mut self, slug: &str) -> Self {
        self.subject = Some((SubjectKind::Workshop, slug.to_string()));
        self
    }

    pub fn on_commitment(mut self, id: i64) -> Self {
        self.subject = Some((SubjectKind::Commitment, id.to_string()));
        self
    }

    pub fn on_thread(mut self, id: i64) -> Self {
        self.subject = Some((SubjectKind::Thread, id.to_string()));
        self
    }

    pub fn on_comment(mut self, id: i64) -> Self {
        self.subject = Some((SubjectKind::Comment, id.to_string()));
        self
    }

    pub fn on_concept(mut self, slug: &str) -> Self {
        self.subject = Some((SubjectKind::Concept, slug.to_string()));
        self
    }

    pub fn with(mut self, details: AuditDetails) -> Self {
        self.details = details;
        self
    }
}
