//! Interface strings: one catalogue per language (`es/`, `en/`), split by area (`areas/`). The `Catalog` struct
//! makes the compiler refuse a catalogue that lacks a string, and templates refuse a key
//! that no catalogue has.

pub mod areas;
mod discussions;
pub mod done;
mod en;
mod es;
mod glossary;
mod workshops;

use time::{Date, OffsetDateTime};

use self::{
    areas::{Accounts, Admin, Browse, Cases, Common, Discussions, Glossary, SearchText, Workshops},
    done::{AdminDone, CaseDone, ProfileDone},
};

use crate::{
    domain::{
        account::Role,
        case::{Kind, Language, Status},
        lima,
        region::Level,
        revision::Origin,
        subject::{AccountOrigin, AuditAction, AuditDetails, DocType},
        FieldProblem, Lang, ParamProblem,
    },
    error::{ErrorCode, ErrorReport},
};

/// The catalogue of `lang`.
pub fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Es => &es::CATALOG,
        Lang::En => &en::CATALOG,
    }
}

/// Every string the interface shows, by area. `{name}` marks a value filled in by [`fill`].
pub struct Catalog {
    pub lang: Lang,
    pub common: Common,
    pub browse: Browse,
    pub cases: Cases,
    pub search: SearchText,
    pub accounts: Accounts,
    pub admin: Admin,
    pub workshops: Workshops,
    pub discussions: Discussions,
    pub glossary: Glossary,
}

/// Replaces each `{key}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), &value.to_string());
    }
    out
}

impl Catalog {
    // Templates pass their arguments by reference.
    pub fn case_count(&self, n: &i64) -> String {
        if *n == 1 {
            self.cases.cases_one.to_string()
        } else {
            fill(self.cases.cases_many, &[("n", &n)])
        }
    }

    pub fn result_count(&self, n: &usize) -> String {
        if *n == 1 {
            self.search.results_one.to_string()
        } else {
            fill(self.search.results_many, &[("n", n)])
        }
    }

    pub fn page_of(&self, page: u32, pages: i64) -> String {
        fill(self.common.pagination_page, &[("page", &page), ("pages", &pages)])
    }

    /// What is wrong with the field labelled `label`, as a sentence.
    pub fn field_problem(&self, label: &str, problem: FieldProblem) -> String {
        match problem {
            FieldProblem::Missing => fill(self.common.problem_missing, &[("label", &label)]),
            FieldProblem::TooLong { max } => {
                fill(self.common.problem_field_too_long, &[("label", &label), ("max", &max)])
            }
            FieldProblem::TooShort { min } => {
                fill(self.common.problem_field_too_short, &[("label", &label), ("min", &min)])
            }
            FieldProblem::OutOfRange { min, max } => {
                fill(self.common.problem_field_range, &[("label", &label), ("min", &min), ("max", &max)])
            }
            FieldProblem::NotAnEmail => self.common.problem_not_an_email.to_string(),
            FieldProblem::NotAUrl => fill(self.common.problem_not_a_url, &[("label", &label)]),
            FieldProblem::Unknown => fill(self.common.problem_field_unknown, &[("label", &label)]),
            FieldProblem::ControlCharacter => fill(self.common.problem_control_character, &[("label", &label)]),
            FieldProblem::Mismatch => self.common.problem_mismatch.to_string(),
            FieldProblem::Taken => self.common.problem_taken.to_string(),
            FieldProblem::Wrong => self.common.problem_wrong_password.to_string(),
            FieldProblem::NotADate => fill(self.common.problem_not_a_date, &[("label", &label)]),
            FieldProblem::NotATime => fill(self.common.problem_not_a_time, &[("label", &label)]),
            FieldProblem::BeforeStart => fill(self.common.problem_before_start, &[("label", &label)]),
            FieldProblem::AfterStart => fill(self.common.problem_after_start, &[("label", &label)]),
            FieldProblem::OutsideHours => fill(self.common.problem_outside_hours, &[("label", &label)]),
            FieldProblem::TooMany { max } => fill(self.common.problem_too_many, &[("label", &label), ("max", &max)]),
            FieldProblem::NotAConcept => fill(self.common.problem_not_a_concept, &[("label", &label)]),
            FieldProblem::SelfLink => fill(self.common.problem_self_link, &[("label", &label)]),
            FieldProblem::Cycle => fill(self.common.problem_cycle, &[("label", &label)]),
            FieldProblem::BelowRegistered { registered } => {
                fill(self.common.problem_below_registered, &[("label", &label), ("registered", &registered)])
            }
        }
    }

    pub fn status(&self, status: &Status) -> &'static str {
        match status {
            Status::Draft => self.cases.status_draft,
            Status::Submitted => self.cases.status_submitted,
            Status::Published => self.cases.status_published,
            Status::Unpublished => self.cases.status_unpublished,
        }
    }

    pub fn status_explained(&self, status: &Status) -> &'static str {
        match status {
            Status::Draft => self.cases.status_draft_explained,
            Status::Submitted => self.cases.status_submitted_explained,
            Status::Published => "",
            Status::Unpublished => self.cases.status_unpublished_explained,
        }
    }

    pub fn history_comparing(&self, from: &i32, to: &i32) -> String {
        fill(self.cases.history_comparing, &[("from", from), ("to", to)])
    }

    /// How a revision came about.
    pub fn revision_origin(&self, origin: &Option<Origin>) -> String {
        match origin {
            Some(Origin::Restore(n)) => fill(self.cases.origin_restore, &[("n", n)]),
            Some(Origin::Import) => self.cases.origin_import.to_string(),
            Some(Origin::Api) => self.cases.origin_api.to_string(),
            Some(Origin::Form) | None => self.cases.origin_form.to_string(),
        }
    }

    /// A person's display name; closed accounts have none left.
    pub fn person_name<'a>(&self, name: &'a str) -> &'a str {
        if name.is_empty() {
            self.admin.account_closed
        } else {
            name
        }
    }

    pub fn role(&self, role: &Role) -> &'static str {
        match role {
            Role::Member => self.admin.role_member,
            Role::Editor => self.admin.role_editor,
            Role::Facilitator => self.admin.role_facilitator,
            Role::Admin => self.admin.role_admin,
        }
    }

    /// An audit-log action in words (the audit page shows unknown ones as recorded).
    pub fn audit_action_name(&self, action: &AuditAction) -> &'static str {
        match action {
            AuditAction::AccountCreated => self.admin.audit_account_created,
            AuditAction::AccountDisabled => self.admin.audit_account_disabled,
            AuditAction::AccountEnabled => self.admin.audit_account_enabled,
            AuditAction::AccountClosed => self.admin.audit_account_closed,
            AuditAction::ProfileUpdated => self.admin.audit_profile_updated,
            AuditAction::RoleChanged => self.admin.audit_role_changed,
            AuditAction::ResetLinkIssued => self.admin.audit_reset_link_issued,
            AuditAction::PasswordReset => self.admin.audit_password_reset,
            AuditAction::PasswordChanged => self.admin.audit_password_changed,
            AuditAction::TokenCreated => self.admin.audit_token_created,
            AuditAction::TokenRevoked => self.admin.audit_token_revoked,
            AuditAction::CaseSubmitted => self.admin.audit_case_submitted,
            AuditAction::CasePublished => self.admin.audit_case_published,
            AuditAction::CaseUnpublished => self.admin.audit_case_unpublished,
            AuditAction::CaseBackToDraft => self.admin.audit_case_sent_back,
            AuditAction::CaseDeleted => self.admin.audit_case_deleted,
            AuditAction::WorkshopCreated => self.workshops.audit_workshop_created,
            AuditAction::WorkshopUpdated => self.workshops.audit_workshop_updated,
            AuditAction::WorkshopPublished => self.workshops.audit_workshop_published,
            AuditAction::WorkshopCancelled => self.workshops.audit_workshop_cancelled,
            AuditAction::OrganiserAdded => self.workshops.audit_organiser_added,
            AuditAction::OrganiserRemoved => self.workshops.audit_organiser_removed,
            AuditAction::AgendaChanged => self.workshops.audit_agenda_changed,
            AuditAction::RegistrationChanged => self.workshops.audit_registration_changed,
            AuditAction::AttendanceMarked => self.workshops.audit_attendance_marked,
            AuditAction::OutcomesPublished => self.workshops.audit_outcomes_published,
            AuditAction::CommitmentAdded => self.workshops.audit_commitment_added,
            AuditAction::CommitmentUpdated => self.workshops.audit_commitment_updated,
            AuditAction::CommitmentDeleted => self.workshops.audit_commitment_deleted,
            AuditAction::CommitmentStatusChanged => self.workshops.audit_commitment_status_changed,
            AuditAction::CommentHidden => self.discussions.audit_comment_hidden,
            AuditAction::CommentRestored => self.discussions.audit_comment_restored,
            AuditAction::CommentApproved => self.discussions.audit_comment_approved,
            AuditAction::ThreadLocked => self.discussions.audit_thread_locked,
            AuditAction::ThreadUnlocked => self.discussions.audit_thread_unlocked,
            AuditAction::ThreadHidden => self.discussions.audit_thread_hidden,
            AuditAction::ThreadRestored => self.discussions.audit_thread_restored,
            AuditAction::ReportDismissed => self.discussions.audit_report_dismissed,
            AuditAction::ConceptCreated => self.glossary.audit_concept_created,
            AuditAction::ConceptUpdated => self.glossary.audit_concept_updated,
            AuditAction::ConceptMerged => self.glossary.audit_concept_merged,
            AuditAction::ConceptRetired => self.glossary.audit_concept_retired,
            AuditAction::ConceptReverted => self.glossary.audit_concept_reverted,
        }
    }

    /// An entry's details in words: how an account was made, a role change, a token's
    /// name or an editor's note.
    pub fn audit_details(&self, details: &AuditDetails) -> String {
        let mut parts = Vec::new();
        match (details.via, details.role) {
            (Some(AccountOrigin::Signup), _) => parts.push(self.admin.audit_via_signup.to_string()),
            (Some(AccountOrigin::Cli), role) => {
                let role = role.map_or("", |r| self.role(&r));
                parts.push(fill(self.admin.audit_via_cli, &[("role", &role)]));
            }
            (None, _) => {}
        }
        if let Some(to) = details.to {
            let from = details.from.map_or("", |r| self.role(&r));
            let mut text = fill(self.admin.audit_role_change, &[("from", &from), ("to", &self.role(&to))]);
            if details.all_regions {
                text.push_str(&format!(" ({})", self.admin.all_regions));
            } else if !details.regions.is_empty() {
                text.push_str(&format!(" ({})", details.regions.join(", ")));
            }
            parts.push(text);
        }
        parts.extend(details.token.iter().chain(&details.note).cloned());
        if let Some(account) = details.account {
            parts.push(format!("#{account}"));
        }
        if let (Some(from), Some(to)) = (&details.state_from, &details.state_to) {
            parts.push(format!("{from} → {to}"));
        }
        parts.extend(details.reason.iter().cloned());
        parts.join(" · ")
    }

    /// A date with the time of day in Lima, where most readers are.
    pub fn date_time(&self, at: &OffsetDateTime) -> String {
        let at = lima::to_lima(*at);
        let clock = format!("{:02}:{:02}", at.hour(), at.minute());
        fill(self.common.date_time_format, &[("date", &self.date(&at)), ("time", &clock)])
    }

    /// The Lima date of `at`, machine-readable, for `<time datetime>` beside [`Self::date`].
    pub fn iso_date(&self, at: &OffsetDateTime) -> String {
        lima::to_lima(*at).date().to_string()
    }

    /// A machine-readable timestamp for `<time datetime>`.
    pub fn iso_datetime(&self, at: &OffsetDateTime) -> String {
        at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }

    /// The banner on a case page after an action (`?done=…`).
    pub fn case_done(&self, done: &CaseDone) -> &'static str {
        match done {
            CaseDone::Created => self.cases.done_created,
            CaseDone::Saved => self.cases.done_saved,
            CaseDone::Submitted => self.cases.done_submitted,
            CaseDone::SubmittedToAdmins => self.cases.done_submitted_to_admins,
            CaseDone::Withdrawn => self.cases.done_withdrawn,
            CaseDone::Published => self.cases.done_published,
            CaseDone::Unpublished => self.cases.done_unpublished,
            CaseDone::SentBack => self.cases.done_sent_back,
            CaseDone::Restored => self.cases.done_restored,
        }
    }

    /// The banner on an account's admin page after an admin action.
    pub fn admin_done(&self, done: &AdminDone) -> &'static str {
        match done {
            AdminDone::Role => self.admin.admin_done_role,
            AdminDone::Disabled => self.admin.admin_done_disabled,
            AdminDone::Enabled => self.admin.admin_done_enabled,
        }
    }

    /// The banner on the profile page after a change.
    pub fn profile_done(&self, done: &ProfileDone) -> &'static str {
        match done {
            ProfileDone::Details => self.accounts.profile_done_details,
            ProfileDone::Password => self.accounts.profile_done_password,
            ProfileDone::TokenRevoked => self.accounts.profile_done_token_revoked,
        }
    }

    pub fn doc_type(&self, doc_type: &DocType) -> &'static str {
        match doc_type {
            DocType::Case => self.search.type_case,
            DocType::Workshop => self.search.type_workshop,
            DocType::Outcome => self.search.type_outcome,
            DocType::Commitment => self.search.type_commitment,
            DocType::Thread => self.search.type_thread,
            DocType::Comment => self.search.type_comment,
        }
    }

    pub fn kind(&self, kind: &Kind) -> &'static str {
        match kind {
            Kind::Case => self.cases.kind_case,
            Kind::SuccessStory => self.cases.kind_success_story,
        }
    }

    pub fn level(&self, level: &Level) -> &'static str {
        match level {
            Level::National => self.browse.level_national,
            Level::Regional => self.browse.level_regional,
            Level::Municipal => self.browse.level_municipal,
        }
    }

    pub fn language(&self, language: &Language) -> &'static str {
        match language {
            Language::Es => self.common.language_es,
            Language::En => self.common.language_en,
        }
    }

    /// The date on Lima's calendar when `at` happened.
    pub fn date(&self, at: &OffsetDateTime) -> String {
        self.day(&lima::to_lima(*at).date())
    }

    /// A calendar date (a due date, an all-day workshop) in words.
    pub fn day(&self, day: &Date) -> String {
        let month = self.common.months[usize::from(u8::from(day.month())) - 1];
        fill(self.common.date_format, &[("day", &day.day()), ("month", &month), ("year", &day.year())])
    }

    pub fn error_title(&self, report: &ErrorReport) -> &'static str {
        match report.code {
            ErrorCode::NotFound => self.common.error_title_not_found,
            ErrorCode::BadParameter | ErrorCode::BadRequest => self.common.error_title_bad_request,
            ErrorCode::Forbidden | ErrorCode::Forgery | ErrorCode::SignInRequired | ErrorCode::BadToken => {
                self.common.error_title_forbidden
            }
            ErrorCode::LinkExpired => self.common.error_title_link_expired,
            ErrorCode::Gone => self.common.error_title_gone,
            ErrorCode::Timeout | ErrorCode::Busy | ErrorCode::DatabaseUnavailable => {
                self.common.error_title_unavailable
            }
            ErrorCode::MethodNotAllowed
            | ErrorCode::PayloadTooLarge
            | ErrorCode::TooManyAttempts
            | ErrorCode::TooManyComments
            | ErrorCode::ThreadLocked
            | ErrorCode::KeyReused
            | ErrorCode::EditConflict
            | ErrorCode::RegistrationClosed
            | ErrorCode::InvalidFields
            | ErrorCode::Internal => self.common.error_title_other,
        }
    }

    /// The plain-language message for an error, naming the parameter when there is one.
    pub fn error_message(&self, report: &ErrorReport) -> String {
        match report.code {
            ErrorCode::NotFound => self.common.error_not_found.to_string(),
            ErrorCode::BadParameter => {
                let problem = match report.problem.unwrap_or(ParamProblem::Unreadable) {
                    ParamProblem::UnknownValue => self.common.problem_unknown_value.to_string(),
                    ParamProblem::NotANumber => self.common.problem_not_a_number.to_string(),
                    ParamProblem::OutOfRange { min, max } => {
                        fill(self.common.problem_out_of_range, &[("min", &min), ("max", &max)])
                    }
                    ParamProblem::TooLong { max } => fill(self.common.problem_too_long, &[("max", &max)]),
                    ParamProblem::BeforeYearFrom => self.common.problem_before_year_from.to_string(),
                    ParamProblem::Unreadable => self.common.problem_unreadable.to_string(),
                    ParamProblem::TooDeep { last } => fill(self.common.problem_too_deep, &[("last", &last)]),
                };
                let param = report.param.as_deref().unwrap_or("?");
                fill(self.common.error_bad_parameter, &[("param", &param), ("problem", &problem)])
            }
            ErrorCode::BadRequest => self.common.error_bad_request.to_string(),
            ErrorCode::SignInRequired => self.common.error_sign_in_required.to_string(),
            ErrorCode::BadToken => self.common.error_bad_token.to_string(),
            ErrorCode::Forbidden => self.common.error_forbidden.to_string(),
            ErrorCode::Forgery => self.common.error_forgery.to_string(),
            ErrorCode::Gone => self.common.error_gone.to_string(),
            ErrorCode::LinkExpired => self.accounts.error_reset_gone.to_string(),
            ErrorCode::TooManyAttempts => self.common.error_too_many_attempts.to_string(),
            ErrorCode::TooManyComments => self.discussions.error_too_many_comments.to_string(),
            ErrorCode::ThreadLocked => self.discussions.error_thread_locked.to_string(),
            ErrorCode::KeyReused => self.discussions.error_key_reused.to_string(),
            ErrorCode::EditConflict => self.common.error_edit_conflict.to_string(),
            ErrorCode::RegistrationClosed => self.common.error_registration_closed.to_string(),
            ErrorCode::InvalidFields => {
                let fields: Vec<&str> = report.fields.iter().map(|f| f.field).collect();
                fill(self.common.error_invalid_fields, &[("fields", &fields.join(", "))])
            }
            ErrorCode::MethodNotAllowed => self.common.error_method_not_allowed.to_string(),
            ErrorCode::PayloadTooLarge => self.common.error_payload_too_large.to_string(),
            ErrorCode::Timeout => self.common.error_timeout.to_string(),
            ErrorCode::Busy => self.common.error_busy.to_string(),
            ErrorCode::DatabaseUnavailable => self.common.error_database_unavailable.to_string(),
            ErrorCode::Internal => self.common.error_internal.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_fill_their_values() {
        let report = ErrorReport {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: ErrorCode::BadParameter,
            param: Some("page".into()),
            problem: Some(ParamProblem::OutOfRange { min: 1, max: 10000 }),
            fields: Vec::new(),
        };
        let message = catalog(Lang::En).error_message(&report);
        assert!(message.contains("page") && message.contains("10000"), "{message}");
        assert!(!message.contains('{'), "{message}");
    }
}
