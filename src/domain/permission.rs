//! Who may do what: the one place these rules live, one pure function per kind of subject
//! (a case, the library as a whole, the accounts), all asked through [`may`]. Handlers and
//! the API ask here (cases through `http::gate`); the store only filters lists with the
//! same rules written in SQL (`store::cases::editor_scope` and the list queries beside it).
//! A workshop, thread, comment or glossary concept joins as one more [`Subject`].

use super::{
    account::{Role, User},
    case::Status,
    workshop::WorkshopStatus,
};

/// What is being done to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// Read it (and its page) while it is not published.
    View,
    /// Change its text.
    Edit,
    /// Draft → submitted.
    Submit,
    /// Submitted or unpublished → published (a draft is submitted first: review is a step).
    Publish,
    /// Published → unpublished.
    Unpublish,
    /// Submitted → draft, with a note for the author.
    SendBack,
    /// Submitted → draft, by its author, to change it before review.
    Withdraw,
    /// See its revisions and their differences.
    History,
    /// Make an older revision the current text.
    Restore,
    /// Remove it for good; its URL answers 410 from then on.
    Delete,
}

/// The facts about a case that decide who may act on it.
#[derive(Debug, Clone)]
pub struct CaseAccess {
    pub author_id: Option<i64>,
    pub status: Status,
    /// The case's region slug first, then the regions above it.
    pub region_path: Vec<String>,
}

/// Something permissions are asked about, with the actions that can be done to it.
pub trait Subject {
    type Action: Copy;

    /// Whether `user` (None: an anonymous visitor) may do `action` to this.
    fn allows(&self, user: Option<&User>, action: Self::Action) -> bool;
}

/// Whether `user` (None: an anonymous visitor) may do `action` to `subject`.
pub fn may<S: Subject>(user: Option<&User>, action: S::Action, subject: &S) -> bool {
    subject.allows(user, action)
}

impl Subject for CaseAccess {
    type Action = CaseAction;

    fn allows(&self, user: Option<&User>, action: CaseAction) -> bool {
        case_rules(user, action, self)
    }
}

fn case_rules(user: Option<&User>, action: CaseAction, case: &CaseAccess) -> bool {
    let published = case.status == Status::Published;
    let Some(user) = user else {
        return action == CaseAction::View && published;
    };
    let reviewer = user.edits_region(&case.region_path);
    let author = case.author_id == Some(user.id);
    match action {
        CaseAction::View => published || reviewer || author,
        CaseAction::Edit => reviewer || (author && case.status == Status::Draft),
        CaseAction::Submit => case.status == Status::Draft && (author || reviewer),
        CaseAction::Publish => reviewer && matches!(case.status, Status::Submitted | Status::Unpublished),
        CaseAction::Unpublish => reviewer && published,
        CaseAction::SendBack => reviewer && case.status == Status::Submitted,
        CaseAction::Withdraw => author && case.status == Status::Submitted,
        CaseAction::History => reviewer || author,
        CaseAction::Restore => reviewer,
        CaseAction::Delete => user.role == Role::Admin,
    }
}

/// The case library as a whole, which cases are proposed to.
pub struct Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryAction {
    /// Start a new case: anyone signed in.
    Propose,
}

impl Subject for Library {
    type Action = LibraryAction;

    fn allows(&self, user: Option<&User>, action: LibraryAction) -> bool {
        match action {
            LibraryAction::Propose => user.is_some(),
        }
    }
}

/// Everyone's accounts, and the audit log of what was done to them.
pub struct Accounts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountsAction {
    /// List accounts, change roles, disable, issue reset links, read the audit log.
    Administer,
}

impl Subject for Accounts {
    type Action = AccountsAction;

    fn allows(&self, user: Option<&User>, action: AccountsAction) -> bool {
        match action {
            AccountsAction::Administer => user.is_some_and(User::is_admin),
        }
    }
}

/// The workshops as a whole, which new ones are added to.
pub struct Workshops;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkshopsAction {
    /// Create a workshop and become its organiser: facilitators and admins.
    Create,
}

impl Subject for Workshops {
    type Action = WorkshopsAction;

    fn allows(&self, user: Option<&User>, action: WorkshopsAction) -> bool {
        match action {
            WorkshopsAction::Create => user.is_some_and(|u| matches!(u.role, Role::Facilitator | Role::Admin)),
        }
    }
}

/// What is being done to a workshop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkshopAction {
    /// Read its page (a draft is for its organisers).
    View,
    /// Everything its organisers do: details, agenda, co-organisers, publishing,
    /// cancelling, capacity, the list of participants, attendance, outcomes.
    Organise,
    /// Register or cancel one's own registration (whether registration is still open is a
    /// matter of time, decided apart).
    Register,
}

/// The facts about a workshop that decide who may act on it.
#[derive(Debug, Clone)]
pub struct WorkshopAccess {
    pub status: WorkshopStatus,
    pub organisers: Vec<i64>,
}

impl WorkshopAccess {
    pub fn is_organiser(&self, user: Option<&User>) -> bool {
        user.is_some_and(|u| u.is_admin() || self.organisers.contains(&u.id))
    }
}

impl Subject for WorkshopAccess {
    type Action = WorkshopAction;

    fn allows(&self, user: Option<&User>, action: WorkshopAction) -> bool {
        let organiser = self.is_organiser(user);
        match action {
            WorkshopAction::View => self.status != WorkshopStatus::Draft || organiser,
            WorkshopAction::Organise => organiser,
            WorkshopAction::Register => user.is_some() && self.status == WorkshopStatus::Published,
        }
    }
}

/// What is being done to a commitment made at a workshop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentAction {
    /// Add a progress note, which may change its status.
    AddNote,
}

/// The facts about a commitment that decide who may follow it up. A profile's region is
/// chosen by its owner, so it grants nothing here: only editing rights over the region do.
#[derive(Debug, Clone)]
pub struct CommitmentAccess {
    pub workshop_organisers: Vec<i64>,
    /// The commitment's region slug first, then the regions above it.
    pub region_path: Vec<String>,
    pub owner_id: Option<i64>,
}

impl Subject for CommitmentAccess {
    type Action = CommitmentAction;

    fn allows(&self, user: Option<&User>, action: CommitmentAction) -> bool {
        let Some(user) = user else { return false };
        match action {
            CommitmentAction::AddNote => {
                user.is_admin()
                    || self.workshop_organisers.contains(&user.id)
                    || user.edits_region(&self.region_path)
                    || self.owner_id == Some(user.id)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;

    fn user(id: i64, role: Role, regions: &[&str]) -> User {
        User {
            id,
            email: format!("{id}@x.pe"),
            display_name: id.to_string(),
            organisation: String::new(),
            region: None,
            role,
            edits_all_regions: false,
            editor_regions: regions.iter().map(|r| r.to_string()).collect(),
            language: Lang::Es,
            session_epoch: 0,
        }
    }

    fn case(status: Status) -> CaseAccess {
        CaseAccess { author_id: Some(1), status, region_path: vec!["cusco".into()] }
    }

    #[test]
    fn authors_edit_only_their_drafts_and_reviewers_do_the_rest() {
        let author = user(1, Role::Member, &[]);
        let other = user(2, Role::Member, &[]);
        let editor = user(3, Role::Editor, &["cusco"]);
        let far_editor = user(4, Role::Editor, &["piura"]);
        let admin = user(5, Role::Admin, &[]);
        assert!(may(Some(&author), CaseAction::Edit, &case(Status::Draft)));
        assert!(!may(Some(&author), CaseAction::Edit, &case(Status::Submitted)));
        assert!(!may(Some(&author), CaseAction::Publish, &case(Status::Submitted)));
        assert!(!may(Some(&other), CaseAction::View, &case(Status::Draft)));
        assert!(!may(None, CaseAction::View, &case(Status::Unpublished)));
        assert!(may(None, CaseAction::View, &case(Status::Published)));
        assert!(may(Some(&editor), CaseAction::Publish, &case(Status::Submitted)));
        assert!(!may(Some(&editor), CaseAction::Publish, &case(Status::Draft)), "review is a step");
        assert!(may(Some(&editor), CaseAction::SendBack, &case(Status::Submitted)));
        assert!(may(Some(&author), CaseAction::Withdraw, &case(Status::Submitted)));
        assert!(!may(Some(&editor), CaseAction::Withdraw, &case(Status::Submitted)), "editors send back");
        assert!(!may(Some(&author), CaseAction::Withdraw, &case(Status::Draft)));
        assert!(!may(Some(&editor), CaseAction::SendBack, &case(Status::Published)));
        assert!(!may(Some(&far_editor), CaseAction::View, &case(Status::Submitted)));
        assert!(!may(Some(&editor), CaseAction::Delete, &case(Status::Published)));
        assert!(may(Some(&admin), CaseAction::Delete, &case(Status::Published)));
        let administer = |user: Option<&User>| may(user, AccountsAction::Administer, &Accounts);
        assert!(administer(Some(&admin)) && !administer(Some(&editor)) && !administer(None));
        assert!(may(Some(&other), LibraryAction::Propose, &Library) && !may(None, LibraryAction::Propose, &Library));
    }

    #[test]
    fn organisers_run_their_workshops_and_others_only_read_published_ones() {
        let facilitator = user(1, Role::Facilitator, &[]);
        let other_facilitator = user(2, Role::Facilitator, &[]);
        let member = user(3, Role::Member, &[]);
        let admin = user(4, Role::Admin, &[]);
        let create = |u: &User| may(Some(u), WorkshopsAction::Create, &Workshops);
        assert!(
            create(&facilitator)
                && create(&admin)
                && !create(&member)
                && !may(None, WorkshopsAction::Create, &Workshops)
        );
        let draft = WorkshopAccess { status: WorkshopStatus::Draft, organisers: vec![1] };
        assert!(may(Some(&facilitator), WorkshopAction::Organise, &draft));
        assert!(!may(Some(&other_facilitator), WorkshopAction::View, &draft));
        assert!(may(Some(&admin), WorkshopAction::View, &draft));
        assert!(!may(None, WorkshopAction::View, &draft));
        assert!(!may(Some(&member), WorkshopAction::Register, &draft));
        let published = WorkshopAccess { status: WorkshopStatus::Published, ..draft.clone() };
        assert!(may(None, WorkshopAction::View, &published) && !may(None, WorkshopAction::Register, &published));
        assert!(may(Some(&member), WorkshopAction::Register, &published));
        assert!(!may(Some(&other_facilitator), WorkshopAction::Organise, &published));
        let cancelled = WorkshopAccess { status: WorkshopStatus::Cancelled, ..draft };
        assert!(
            may(None, WorkshopAction::View, &cancelled) && !may(Some(&member), WorkshopAction::Register, &cancelled)
        );
    }

    #[test]
    fn progress_notes_come_from_organisers_editors_of_the_region_and_the_owner() {
        let commitment =
            CommitmentAccess { workshop_organisers: vec![1], region_path: vec!["cusco".into()], owner_id: Some(5) };
        let note = |u: Option<&User>| may(u, CommitmentAction::AddNote, &commitment);
        assert!(note(Some(&user(1, Role::Facilitator, &[]))));
        assert!(note(Some(&user(3, Role::Editor, &["cusco"]))));
        assert!(!note(Some(&user(3, Role::Editor, &["piura"]))));
        assert!(note(Some(&user(5, Role::Member, &[]))));
        assert!(note(Some(&user(9, Role::Admin, &[]))));
        let mut from_cusco = user(6, Role::Member, &[]);
        from_cusco.region = Some("cusco".into());
        assert!(!note(Some(&from_cusco)), "a profile's region grants nothing");
        assert!(!note(None));
    }
}
