//! Interface strings: one catalogue per language (`es.rs`, `en.rs`). The `Catalog` struct
//! makes the compiler refuse a catalogue that lacks a string, and templates refuse a key
//! that no catalogue has.

pub mod done;
mod en;
mod es;

use time::OffsetDateTime;

use self::done::{AdminDone, CaseDone, ProfileDone};

use crate::{
    domain::{
        account::Role,
        case::{Kind, Language, Status},
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

/// Every string the interface shows. `{name}` marks a value filled in by [`fill`].
pub struct Catalog {
    pub lang: Lang,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_cases: &'static str,
    pub nav_regions: &'static str,
    pub nav_themes: &'static str,
    pub other_language_name: &'static str,
    pub other_language_hint: &'static str,
    pub footer_ayni: &'static str,
    pub footer_feed: &'static str,
    pub footer_api: &'static str,

    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub home_for_leaders: &'static str,
    pub home_for_facilitators: &'static str,
    pub home_for_practitioners: &'static str,
    pub home_latest: &'static str,
    pub home_all_cases: &'static str,
    pub home_by_region: &'static str,
    pub home_by_theme: &'static str,

    pub cases_title: &'static str,
    pub cases_one: &'static str,
    pub cases_many: &'static str,
    pub cases_none: &'static str,
    pub cases_none_hint: &'static str,
    pub filter_heading: &'static str,
    pub filter_region: &'static str,
    pub filter_theme: &'static str,
    pub filter_kind: &'static str,
    pub filter_language: &'static str,
    pub filter_year_from: &'static str,
    pub filter_year_to: &'static str,
    pub filter_any: &'static str,
    pub filter_apply: &'static str,
    pub filter_active: &'static str,
    pub filter_remove: &'static str,
    pub filter_clear: &'static str,
    pub pagination_label: &'static str,
    pub pagination_prev: &'static str,
    pub pagination_next: &'static str,
    pub pagination_page: &'static str,

    pub kind_case: &'static str,
    pub kind_success_story: &'static str,
    pub level_national: &'static str,
    pub level_regional: &'static str,
    pub level_municipal: &'static str,
    pub language_es: &'static str,
    pub language_en: &'static str,

    pub case_details: &'static str,
    pub case_region: &'static str,
    pub case_themes: &'static str,
    pub case_year: &'static str,
    pub case_kind: &'static str,
    pub case_language: &'static str,
    pub case_author: &'static str,
    pub case_author_editorial: &'static str,
    pub case_updated: &'static str,
    pub case_sources: &'static str,
    pub case_back: &'static str,

    pub regions_title: &'static str,
    pub regions_intro: &'static str,
    pub region_level: &'static str,
    pub region_part_of: &'static str,
    pub region_contains: &'static str,
    pub region_cases: &'static str,
    pub themes_title: &'static str,
    pub themes_intro: &'static str,
    pub theme_cases: &'static str,
    pub see_all_in_list: &'static str,
    pub nothing_published_yet: &'static str,

    pub search_title: &'static str,
    pub search_title_for: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_hint: &'static str,
    pub search_tips: &'static str,
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_newest: &'static str,
    pub results_one: &'static str,
    pub results_many: &'static str,
    pub search_none: &'static str,
    pub search_try_without_filters: &'static str,
    pub search_did_you_mean: &'static str,
    pub search_ignored: &'static str,
    pub search_building: &'static str,
    pub facets_heading: &'static str,
    pub facet_type: &'static str,
    pub type_case: &'static str,
    pub peer_cases: &'static str,

    pub feed_title: &'static str,
    pub feed_subtitle: &'static str,

    pub error_title_not_found: &'static str,
    pub error_title_bad_request: &'static str,
    pub error_title_unavailable: &'static str,
    pub error_title_other: &'static str,
    pub error_not_found: &'static str,
    pub error_bad_parameter: &'static str,
    pub error_bad_request: &'static str,
    pub error_method_not_allowed: &'static str,
    pub error_payload_too_large: &'static str,
    pub error_timeout: &'static str,
    pub error_database_unavailable: &'static str,
    pub error_internal: &'static str,
    pub error_back_home: &'static str,
    pub problem_unknown_value: &'static str,
    pub problem_not_a_number: &'static str,
    pub problem_out_of_range: &'static str,
    pub problem_too_long: &'static str,
    pub problem_before_year_from: &'static str,
    pub problem_unreadable: &'static str,

    pub nav_propose: &'static str,
    pub nav_my_cases: &'static str,
    pub nav_review: &'static str,
    pub nav_admin: &'static str,
    pub signout_button: &'static str,
    pub optional: &'static str,
    pub choose_none: &'static str,
    pub error_prefix: &'static str,
    pub form_problem_title: &'static str,
    pub signin_title: &'static str,
    pub signin_button: &'static str,
    pub signin_no_account: &'static str,
    pub signin_forgot: &'static str,
    pub signin_failed: &'static str,
    pub signin_too_many: &'static str,
    pub signup_title: &'static str,
    pub signup_intro: &'static str,
    pub signup_button: &'static str,
    pub signup_have_account: &'static str,
    pub signup_email_hint: &'static str,
    pub signup_name_hint: &'static str,
    pub signup_region_hint: &'static str,
    pub signup_consent: &'static str,
    pub signup_consent_missing: &'static str,
    pub signup_too_many: &'static str,
    pub password_hint: &'static str,
    pub privacy_title: &'static str,
    pub field_email: &'static str,
    pub field_display_name: &'static str,
    pub field_organisation: &'static str,
    pub field_organisation_optional: &'static str,
    pub field_region: &'static str,
    pub field_region_optional: &'static str,
    pub field_password: &'static str,
    pub field_password_confirm: &'static str,
    pub problem_missing: &'static str,
    pub problem_field_too_long: &'static str,
    pub problem_field_too_short: &'static str,
    pub problem_field_range: &'static str,
    pub problem_not_an_email: &'static str,
    pub problem_not_a_url: &'static str,
    pub problem_field_unknown: &'static str,
    pub problem_mismatch: &'static str,
    pub problem_taken: &'static str,
    pub problem_wrong_password: &'static str,
    pub error_title_forbidden: &'static str,
    pub error_title_gone: &'static str,
    pub error_sign_in_required: &'static str,
    pub error_bad_token: &'static str,
    pub error_forbidden: &'static str,
    pub error_forgery: &'static str,
    pub error_gone: &'static str,
    pub error_too_many_attempts: &'static str,
    pub error_edit_conflict: &'static str,
    pub error_invalid_fields: &'static str,

    pub new_case_title: &'static str,
    pub edit_case_title: &'static str,
    pub field_title: &'static str,
    pub field_kind: &'static str,
    pub field_themes: &'static str,
    pub field_case_language: &'static str,
    pub field_year: &'static str,
    pub field_summary: &'static str,
    pub field_sources: &'static str,
    pub field_body: &'static str,
    pub field_note: &'static str,
    pub title_hint: &'static str,
    pub themes_hint: &'static str,
    pub choose_region: &'static str,
    pub year_hint: &'static str,
    pub summary_hint: &'static str,
    pub body_hint: &'static str,
    pub sources_hint: &'static str,
    pub preview_heading: &'static str,
    pub preview_button: &'static str,
    pub save_draft: &'static str,
    pub save_changes: &'static str,
    pub cancel: &'static str,
    pub conflict_see_current: &'static str,
    pub conflict_text_kept: &'static str,
    pub case_actions: &'static str,
    pub action_edit: &'static str,
    pub action_submit: &'static str,
    pub action_publish: &'static str,
    pub action_unpublish: &'static str,
    pub action_send_back: &'static str,
    pub action_history: &'static str,
    pub action_delete: &'static str,
    pub note_hint: &'static str,
    pub review_note_heading: &'static str,
    pub status_draft: &'static str,
    pub status_submitted: &'static str,
    pub status_published: &'static str,
    pub status_unpublished: &'static str,
    pub status_draft_explained: &'static str,
    pub status_submitted_explained: &'static str,
    pub status_unpublished_explained: &'static str,
    pub done_created: &'static str,
    pub done_saved: &'static str,
    pub done_submitted: &'static str,
    pub done_published: &'static str,
    pub done_unpublished: &'static str,
    pub done_sent_back: &'static str,
    pub done_restored: &'static str,
    pub delete_title: &'static str,
    pub delete_warning: &'static str,
    pub delete_confirm: &'static str,

    pub history_title: &'static str,
    pub history_caption: &'static str,
    pub history_revision: &'static str,
    pub history_when: &'static str,
    pub history_who: &'static str,
    pub history_current: &'static str,
    pub history_no_author: &'static str,
    pub history_compare_previous: &'static str,
    pub history_restore: &'static str,
    pub history_compare_heading: &'static str,
    pub history_from: &'static str,
    pub history_to: &'static str,
    pub history_compare_button: &'static str,
    pub history_comparing: &'static str,
    pub history_no_changes: &'static str,
    pub history_field: &'static str,
    pub history_before: &'static str,
    pub history_after: &'static str,
    pub history_added: &'static str,
    pub history_removed: &'static str,
    pub origin_import: &'static str,
    pub origin_form: &'static str,
    pub origin_api: &'static str,
    pub origin_restore: &'static str,

    pub review_title: &'static str,
    pub review_intro: &'static str,
    pub review_empty: &'static str,
    pub my_cases_title: &'static str,
    pub my_cases_intro: &'static str,
    pub my_cases_empty: &'static str,
    pub listing_status: &'static str,
    pub listing_changed: &'static str,

    pub profile_title: &'static str,
    pub profile_signed_in_as: &'static str,
    pub profile_details: &'static str,
    pub profile_password: &'static str,
    pub profile_change_password: &'static str,
    pub field_language: &'static str,
    pub language_hint: &'static str,
    pub field_current_password: &'static str,
    pub field_new_password: &'static str,
    pub field_token_name: &'static str,
    pub token_name_hint: &'static str,
    pub tokens_title: &'static str,
    pub tokens_intro: &'static str,
    pub tokens_none: &'static str,
    pub token_created: &'static str,
    pub token_copy_now: &'static str,
    pub token_created_at: &'static str,
    pub token_last_used: &'static str,
    pub token_never_used: &'static str,
    pub token_revoke: &'static str,
    pub token_create: &'static str,
    pub close_title: &'static str,
    pub close_explained: &'static str,
    pub close_password_hint: &'static str,
    pub close_button: &'static str,
    pub profile_done_details: &'static str,
    pub profile_done_password: &'static str,
    pub profile_done_token_revoked: &'static str,

    pub admin_users_title: &'static str,
    pub admin_search_label: &'static str,
    pub admin_no_accounts: &'static str,
    pub field_role: &'static str,
    pub role_member: &'static str,
    pub role_editor: &'static str,
    pub role_facilitator: &'static str,
    pub role_admin: &'static str,
    pub all_regions: &'static str,
    pub account_active: &'static str,
    pub account_disabled: &'static str,
    pub account_closed: &'static str,
    pub account_since: &'static str,
    pub role_hint: &'static str,
    pub editor_all_regions: &'static str,
    pub editor_regions: &'static str,
    pub editor_regions_hint: &'static str,
    pub role_save: &'static str,
    pub access_title: &'static str,
    pub reset_link_button: &'static str,
    pub reset_link_issued: &'static str,
    pub reset_link_pass_on: &'static str,
    pub disable_button: &'static str,
    pub enable_button: &'static str,
    pub disable_hint: &'static str,
    pub admin_done_role: &'static str,
    pub admin_done_disabled: &'static str,
    pub admin_done_enabled: &'static str,
    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub audit_empty: &'static str,
    pub audit_actor: &'static str,
    pub audit_action: &'static str,
    pub audit_subject: &'static str,
    pub audit_detail: &'static str,
    pub audit_command_line: &'static str,

    pub audit_account_created: &'static str,
    pub audit_account_disabled: &'static str,
    pub audit_account_enabled: &'static str,
    pub audit_account_closed: &'static str,
    pub audit_role_changed: &'static str,
    pub audit_reset_link_issued: &'static str,
    pub audit_password_reset: &'static str,
    pub audit_password_changed: &'static str,
    pub audit_token_created: &'static str,
    pub audit_token_revoked: &'static str,
    pub audit_case_submitted: &'static str,
    pub audit_case_published: &'static str,
    pub audit_case_unpublished: &'static str,
    pub audit_case_sent_back: &'static str,
    pub audit_case_deleted: &'static str,
    pub date_time_format: &'static str,

    pub reset_title: &'static str,
    pub reset_intro: &'static str,
    pub reset_button: &'static str,
    pub signin_done_reset: &'static str,
    pub error_reset_gone: &'static str,

    pub history_saved: &'static str,

    pub audit_profile_updated: &'static str,

    pub problem_control_character: &'static str,

    pub region_not_yours: &'static str,

    pub audit_via_signup: &'static str,
    pub audit_via_cli: &'static str,
    pub audit_role_change: &'static str,
    pub error_title_link_expired: &'static str,

    pub privacy_who: &'static str,
    pub privacy_what: &'static str,
    pub privacy_why: &'static str,
    pub privacy_retention: &'static str,
    pub privacy_rights: &'static str,

    pub error_busy: &'static str,
    pub preview_too_many: &'static str,
    pub badge_illustrative: &'static str,
    pub illustrative_notice: &'static str,
    pub field_illustrative: &'static str,
    pub illustrative_hint: &'static str,
    pub answer_yes: &'static str,
    pub answer_no: &'static str,
    pub filter_illustrative: &'static str,
    pub filter_facts_only: &'static str,
    pub filter_illustrative_only: &'static str,
    pub filter_any_region: &'static str,
    pub filter_show: &'static str,
    pub search_refine: &'static str,
    pub operator_unset: &'static str,
    pub contact_unset: &'static str,
    pub footer_about: &'static str,
    pub footer_privacy: &'static str,
    pub footer_accessibility: &'static str,
    pub footer_contact: &'static str,
    pub done_submitted_to_admins: &'static str,
    pub done_withdrawn: &'static str,
    pub action_withdraw: &'static str,
    pub welcome_message: &'static str,
    pub home_join_title: &'static str,
    pub home_join_text: &'static str,
    pub home_join_signup: &'static str,
    pub home_join_signin: &'static str,
    pub results_heading: &'static str,
    pub table_scroll_label: &'static str,
    pub meta_description: &'static str,
    pub cases_year_order: &'static str,
    pub cases_year_invalid: &'static str,
    pub months: [&'static str; 12],
    /// `{day}`, `{month}` and `{year}`.
    pub date_format: &'static str,
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
            self.cases_one.to_string()
        } else {
            fill(self.cases_many, &[("n", &n)])
        }
    }

    pub fn result_count(&self, n: &usize) -> String {
        if *n == 1 {
            self.results_one.to_string()
        } else {
            fill(self.results_many, &[("n", n)])
        }
    }

    pub fn page_of(&self, page: u32, pages: i64) -> String {
        fill(self.pagination_page, &[("page", &page), ("pages", &pages)])
    }

    /// What is wrong with the field labelled `label`, as a sentence.
    pub fn field_problem(&self, label: &str, problem: FieldProblem) -> String {
        match problem {
            FieldProblem::Missing => fill(self.problem_missing, &[("label", &label)]),
            FieldProblem::TooLong { max } => fill(self.problem_field_too_long, &[("label", &label), ("max", &max)]),
            FieldProblem::TooShort { min } => fill(self.problem_field_too_short, &[("label", &label), ("min", &min)]),
            FieldProblem::OutOfRange { min, max } => {
                fill(self.problem_field_range, &[("label", &label), ("min", &min), ("max", &max)])
            }
            FieldProblem::NotAnEmail => self.problem_not_an_email.to_string(),
            FieldProblem::NotAUrl => fill(self.problem_not_a_url, &[("label", &label)]),
            FieldProblem::Unknown => fill(self.problem_field_unknown, &[("label", &label)]),
            FieldProblem::ControlCharacter => fill(self.problem_control_character, &[("label", &label)]),
            FieldProblem::Mismatch => self.problem_mismatch.to_string(),
            FieldProblem::Taken => self.problem_taken.to_string(),
            FieldProblem::Wrong => self.problem_wrong_password.to_string(),
        }
    }

    pub fn status(&self, status: &Status) -> &'static str {
        match status {
            Status::Draft => self.status_draft,
            Status::Submitted => self.status_submitted,
            Status::Published => self.status_published,
            Status::Unpublished => self.status_unpublished,
        }
    }

    pub fn status_explained(&self, status: &Status) -> &'static str {
        match status {
            Status::Draft => self.status_draft_explained,
            Status::Submitted => self.status_submitted_explained,
            Status::Published => "",
            Status::Unpublished => self.status_unpublished_explained,
        }
    }

    pub fn history_comparing(&self, from: &i32, to: &i32) -> String {
        fill(self.history_comparing, &[("from", from), ("to", to)])
    }

    /// How a revision came about.
    pub fn revision_origin(&self, origin: &Option<Origin>) -> String {
        match origin {
            Some(Origin::Restore(n)) => fill(self.origin_restore, &[("n", n)]),
            Some(Origin::Import) => self.origin_import.to_string(),
            Some(Origin::Api) => self.origin_api.to_string(),
            Some(Origin::Form) | None => self.origin_form.to_string(),
        }
    }

    /// A person's display name; closed accounts have none left.
    pub fn person_name<'a>(&self, name: &'a str) -> &'a str {
        if name.is_empty() {
            self.account_closed
        } else {
            name
        }
    }

    pub fn role(&self, role: &Role) -> &'static str {
        match role {
            Role::Member => self.role_member,
            Role::Editor => self.role_editor,
            Role::Facilitator => self.role_facilitator,
            Role::Admin => self.role_admin,
        }
    }

    /// An audit-log action in words; unknown actions show as recorded.
    pub fn audit_action_name(&self, action: &AuditAction) -> &'static str {
        match action {
            AuditAction::AccountCreated => self.audit_account_created,
            AuditAction::AccountDisabled => self.audit_account_disabled,
            AuditAction::AccountEnabled => self.audit_account_enabled,
            AuditAction::AccountClosed => self.audit_account_closed,
            AuditAction::ProfileUpdated => self.audit_profile_updated,
            AuditAction::RoleChanged => self.audit_role_changed,
            AuditAction::ResetLinkIssued => self.audit_reset_link_issued,
            AuditAction::PasswordReset => self.audit_password_reset,
            AuditAction::PasswordChanged => self.audit_password_changed,
            AuditAction::TokenCreated => self.audit_token_created,
            AuditAction::TokenRevoked => self.audit_token_revoked,
            AuditAction::CaseSubmitted => self.audit_case_submitted,
            AuditAction::CasePublished => self.audit_case_published,
            AuditAction::CaseUnpublished => self.audit_case_unpublished,
            AuditAction::CaseBackToDraft => self.audit_case_sent_back,
            AuditAction::CaseDeleted => self.audit_case_deleted,
        }
    }

    /// An entry's details in words: how an account was made, a role change, a token's
    /// name or an editor's note.
    pub fn audit_details(&self, details: &AuditDetails) -> String {
        let mut parts = Vec::new();
        match (details.via, details.role) {
            (Some(AccountOrigin::Signup), _) => parts.push(self.audit_via_signup.to_string()),
            (Some(AccountOrigin::Cli), role) => {
                let role = role.map_or("", |r| self.role(&r));
                parts.push(fill(self.audit_via_cli, &[("role", &role)]));
            }
            (None, _) => {}
        }
        if let Some(to) = details.to {
            let from = details.from.map_or("", |r| self.role(&r));
            let mut text = fill(self.audit_role_change, &[("from", &from), ("to", &self.role(&to))]);
            if details.all_regions {
                text.push_str(&format!(" ({})", self.all_regions));
            } else if !details.regions.is_empty() {
                text.push_str(&format!(" ({})", details.regions.join(", ")));
            }
            parts.push(text);
        }
        parts.extend(details.token.iter().chain(&details.note).cloned());
        parts.join(" · ")
    }

    pub fn date_time(&self, at: &OffsetDateTime) -> String {
        let lima = time::UtcOffset::from_hms(-5, 0, 0).unwrap_or(time::UtcOffset::UTC);
        let at = at.to_offset(lima);
        let clock = format!("{:02}:{:02}", at.hour(), at.minute());
        fill(self.date_time_format, &[("date", &self.date(&at)), ("time", &clock)])
    }

    /// A machine-readable timestamp for `<time datetime>`.
    pub fn iso_datetime(&self, at: &OffsetDateTime) -> String {
        at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }

    /// The banner on a case page after an action (`?done=…`).
    pub fn case_done(&self, done: &CaseDone) -> &'static str {
        match done {
            CaseDone::Created => self.done_created,
            CaseDone::Saved => self.done_saved,
            CaseDone::Submitted => self.done_submitted,
            CaseDone::SubmittedToAdmins => self.done_submitted_to_admins,
            CaseDone::Withdrawn => self.done_withdrawn,
            CaseDone::Published => self.done_published,
            CaseDone::Unpublished => self.done_unpublished,
            CaseDone::SentBack => self.done_sent_back,
            CaseDone::Restored => self.done_restored,
        }
    }

    /// The banner on an account's admin page after an admin action.
    pub fn admin_done(&self, done: &AdminDone) -> &'static str {
        match done {
            AdminDone::Role => self.admin_done_role,
            AdminDone::Disabled => self.admin_done_disabled,
            AdminDone::Enabled => self.admin_done_enabled,
        }
    }

    /// The banner on the profile page after a change.
    pub fn profile_done(&self, done: &ProfileDone) -> &'static str {
        match done {
            ProfileDone::Details => self.profile_done_details,
            ProfileDone::Password => self.profile_done_password,
            ProfileDone::TokenRevoked => self.profile_done_token_revoked,
        }
    }

    pub fn doc_type(&self, doc_type: &DocType) -> &'static str {
        match doc_type {
            DocType::Case => self.type_case,
        }
    }

    pub fn kind(&self, kind: &Kind) -> &'static str {
        match kind {
            Kind::Case => self.kind_case,
            Kind::SuccessStory => self.kind_success_story,
        }
    }

    pub fn level(&self, level: &Level) -> &'static str {
        match level {
            Level::National => self.level_national,
            Level::Regional => self.level_regional,
            Level::Municipal => self.level_municipal,
        }
    }

    pub fn language(&self, language: &Language) -> &'static str {
        match language {
            Language::Es => self.language_es,
            Language::En => self.language_en,
        }
    }

    pub fn date(&self, at: &OffsetDateTime) -> String {
        let month = self.months[usize::from(u8::from(at.month())) - 1];
        fill(self.date_format, &[("day", &at.day()), ("month", &month), ("year", &at.year())])
    }

    pub fn error_title(&self, report: &ErrorReport) -> &'static str {
        match report.code {
            ErrorCode::NotFound => self.error_title_not_found,
            ErrorCode::BadParameter | ErrorCode::BadRequest => self.error_title_bad_request,
            ErrorCode::Forbidden | ErrorCode::Forgery | ErrorCode::SignInRequired | ErrorCode::BadToken => {
                self.error_title_forbidden
            }
            ErrorCode::LinkExpired => self.error_title_link_expired,
            ErrorCode::Gone => self.error_title_gone,
            ErrorCode::Timeout | ErrorCode::Busy | ErrorCode::DatabaseUnavailable => self.error_title_unavailable,
            ErrorCode::MethodNotAllowed
            | ErrorCode::PayloadTooLarge
            | ErrorCode::TooManyAttempts
            | ErrorCode::EditConflict
            | ErrorCode::InvalidFields
            | ErrorCode::Internal => self.error_title_other,
        }
    }

    /// The plain-language message for an error, naming the parameter when there is one.
    pub fn error_message(&self, report: &ErrorReport) -> String {
        match report.code {
            ErrorCode::NotFound => self.error_not_found.to_string(),
            ErrorCode::BadParameter => {
                let problem = match report.problem.unwrap_or(ParamProblem::Unreadable) {
                    ParamProblem::UnknownValue => self.problem_unknown_value.to_string(),
                    ParamProblem::NotANumber => self.problem_not_a_number.to_string(),
                    ParamProblem::OutOfRange { min, max } => {
                        fill(self.problem_out_of_range, &[("min", &min), ("max", &max)])
                    }
                    ParamProblem::TooLong { max } => fill(self.problem_too_long, &[("max", &max)]),
                    ParamProblem::BeforeYearFrom => self.problem_before_year_from.to_string(),
                    ParamProblem::Unreadable => self.problem_unreadable.to_string(),
                };
                let param = report.param.as_deref().unwrap_or("?");
                fill(self.error_bad_parameter, &[("param", &param), ("problem", &problem)])
            }
            ErrorCode::BadRequest => self.error_bad_request.to_string(),
            ErrorCode::SignInRequired => self.error_sign_in_required.to_string(),
            ErrorCode::BadToken => self.error_bad_token.to_string(),
            ErrorCode::Forbidden => self.error_forbidden.to_string(),
            ErrorCode::Forgery => self.error_forgery.to_string(),
            ErrorCode::Gone => self.error_gone.to_string(),
            ErrorCode::LinkExpired => self.error_reset_gone.to_string(),
            ErrorCode::TooManyAttempts => self.error_too_many_attempts.to_string(),
            ErrorCode::EditConflict => self.error_edit_conflict.to_string(),
            ErrorCode::InvalidFields => {
                let fields: Vec<&str> = report.fields.iter().map(|f| f.field).collect();
                fill(self.error_invalid_fields, &[("fields", &fields.join(", "))])
            }
            ErrorCode::MethodNotAllowed => self.error_method_not_allowed.to_string(),
            ErrorCode::PayloadTooLarge => self.error_payload_too_large.to_string(),
            ErrorCode::Timeout => self.error_timeout.to_string(),
            ErrorCode::Busy => self.error_busy.to_string(),
            ErrorCode::DatabaseUnavailable => self.error_database_unavailable.to_string(),
            ErrorCode::Internal => self.error_internal.to_string(),
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
