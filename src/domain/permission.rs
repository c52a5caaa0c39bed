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

/// The glossary, which everyone reads.
pub struct Glossary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlossaryAction {
    /// Create, edit, merge, retire and revert concepts, and review the recent changes:
    /// editors, facilitators and admins, the people who know the field's words.
    Edit,
}

impl Subject for Glossary {
    type Action = GlossaryAction;

    fn allows(&self, user: Option<&User>, action: GlossaryAction) -> bool {
        match action {
            GlossaryAction::Edit => {
                user.is_some_and(|u| matches!(u.role, Role::Editor | Role::Facilitator | Role::Admin))
            }
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

/// Where a thread hangs, with what decides who sees it, moderates it and accepts answers.
#[derive(Debug, Clone)]
pub enum ThreadHome {
    /// A case's discussion, seen while the case is published. Editors of its region
    /// moderate it; its author may accept an answer.
    Case { published: bool, author_id: Option<i64>, region_path: Vec<String> },
    /// A workshop's discussion, seen unless the workshop is a draft; its organisers
    /// moderate it and accept answers.
    Workshop { draft: bool, organisers: Vec<i64> },
    /// A thread of its own: editors of its region (if it has one) moderate it.
    Standalone { region_path: Vec<String> },
}

/// The facts about a thread that decide who may act on it.
#[derive(Debug, Clone)]
pub struct ThreadAccess {
    pub home: ThreadHome,
    /// Who started it (a free-standing thread).
    pub author_id: Option<i64>,
    pub locked: bool,
    pub hidden: bool,
}

/// What is being done to a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadAction {
    View,
    /// Post a comment (a reply included).
    Comment,
    /// Mark one comment as the accepted answer, or take the mark away.
    Accept,
    /// Hide and restore its comments, lock and unlock it, handle its reports, let held
    /// comments through.
    Moderate,
    Report,
    Follow,
}

impl ThreadAccess {
    /// Whether the case or workshop it belongs to is public: when it is not, the thread
    /// is seen by nobody, and comes back with it.
    fn home_public(&self) -> bool {
        match &self.home {
            ThreadHome::Case { published, .. } => *published,
            ThreadHome::Workshop { draft, .. } => !draft,
            ThreadHome::Standalone { .. } => true,
        }
    }

    /// Admins, editors of the case's (or thread's) region, a workshop's organisers.
    pub fn moderated_by(&self, user: Option<&User>) -> bool {
        let Some(user) = user else { return false };
        user.is_admin()
            || match &self.home {
                ThreadHome::Case { region_path, .. } => user.edits_region(region_path),
                ThreadHome::Workshop { organisers, .. } => organisers.contains(&user.id),
                ThreadHome::Standalone { region_path } => !region_path.is_empty() && user.edits_region(region_path),
            }
    }

    fn answers_for(&self, user: &User) -> bool {
        user.is_admin()
            || match &self.home {
                ThreadHome::Case { author_id, .. } => *author_id == Some(user.id),
                ThreadHome::Workshop { organisers, .. } => organisers.contains(&user.id),
                ThreadHome::Standalone { .. } => self.author_id == Some(user.id),
            }
    }
}

impl Subject for ThreadAccess {
    type Action = ThreadAction;

    fn allows(&self, user: Option<&User>, action: ThreadAction) -> bool {
        if !self.home_public() {
            return false;
        }
        let moderator = self.moderated_by(user);
        let author = user.is_some_and(|u| self.author_id == Some(u.id));
        let seen = !self.hidden || moderator || author;
        let Some(user) = user else {
            return action == ThreadAction::View && !self.hidden;
        };
        match action {
            ThreadAction::View => seen,
            ThreadAction::Comment => !self.hidden && !self.locked,
            ThreadAction::Accept => seen && self.answers_for(user),
            ThreadAction::Moderate => moderator,
            ThreadAction::Report | ThreadAction::Follow => !self.hidden,
        }
    }
}

/// Where a comment stands, beyond its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommentState {
    /// Waiting for a moderator (a new account's first comment with links).
    pub held: bool,
    pub hidden: bool,
    pub deleted: bool,
}

impl CommentState {
    /// Seen by everyone who sees the thread.
    pub fn public(self) -> bool {
        !self.held && !self.hidden && !self.deleted
    }
}

/// The facts about a comment that decide who may act on it.
#[derive(Debug, Clone)]
pub struct CommentAccess {
    pub thread: ThreadAccess,
    pub author_id: Option<i64>,
    pub state: CommentState,
}

/// What is being done to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    /// Read its text (its author and moderators read a held or hidden one).
    Read,
    Edit,
    Delete,
    Reply,
    /// Mark it useful (never one's own).
    Vote,
    Report,
}

impl Subject for CommentAccess {
    type Action = CommentAction;

    fn allows(&self, user: Option<&User>, action: CommentAction) -> bool {
        if !may(user, ThreadAction::View, &self.thread) || self.state.deleted {
            return false;
        }
        let public = self.state.public();
        let author = user.is_some_and(|u| self.author_id == Some(u.id));
        let moderator = self.thread.moderated_by(user);
        match action {
            CommentAction::Read => public || author || moderator,
            _ if user.is_none() => false,
            CommentAction::Edit => author && !self.state.hidden && !self.thread.locked,
            CommentAction::Delete => author,
            CommentAction::Reply => public && may(user, ThreadAction::Comment, &self.thread),
            CommentAction::Vote | CommentAction::Report => public && !author,
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
            handle: format!("user{id}"),
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

    fn thread(home: ThreadHome) -> ThreadAccess {
        ThreadAccess { home, author_id: Some(7), locked: false, hidden: false }
    }

    #[test]
    fn a_case_discussion_follows_its_case_and_its_region_editors_moderate_it() {
        let on_case = |published| {
            thread(ThreadHome::Case { published, author_id: Some(1), region_path: vec!["cusco".into(), "peru".into()] })
        };
        let member = user(2, Role::Member, &[]);
        let case_author = user(1, Role::Member, &[]);
        let editor = user(3, Role::Editor, &["cusco"]);
        let far_editor = user(4, Role::Editor, &["piura"]);
        let admin = user(5, Role::Admin, &[]);
        let open = on_case(true);
        assert!(may(None, ThreadAction::View, &open) && !may(None, ThreadAction::Comment, &open));
        assert!(may(Some(&member), ThreadAction::Comment, &open));
        assert!(
            !may(Some(&member), ThreadAction::Accept, &open) && may(Some(&case_author), ThreadAction::Accept, &open)
        );
        assert!(
            may(Some(&editor), ThreadAction::Moderate, &open) && !may(Some(&far_editor), ThreadAction::Moderate, &open)
        );
        assert!(may(Some(&admin), ThreadAction::Moderate, &open));
        let unpublished = on_case(false);
        assert!(!may(Some(&admin), ThreadAction::View, &unpublished), "it goes with its case");
        let locked = ThreadAccess { locked: true, ..open };
        assert!(!may(Some(&member), ThreadAction::Comment, &locked) && may(Some(&member), ThreadAction::View, &locked));
    }

    #[test]
    fn organisers_moderate_their_workshop_discussion_and_hidden_threads_are_for_few() {
        let organiser = user(1, Role::Facilitator, &[]);
        let other = user(2, Role::Facilitator, &[]);
        let on_workshop = thread(ThreadHome::Workshop { draft: false, organisers: vec![1] });
        assert!(may(Some(&organiser), ThreadAction::Moderate, &on_workshop));
        assert!(!may(Some(&other), ThreadAction::Moderate, &on_workshop));
        assert!(!may(None, ThreadAction::View, &thread(ThreadHome::Workshop { draft: true, organisers: vec![1] })));
        let standalone = ThreadAccess { hidden: true, ..thread(ThreadHome::Standalone { region_path: vec![] }) };
        assert!(!may(None, ThreadAction::View, &standalone) && !may(Some(&other), ThreadAction::View, &standalone));
        assert!(may(Some(&user(7, Role::Member, &[])), ThreadAction::View, &standalone), "its author still sees it");
        assert!(may(Some(&user(9, Role::Admin, &[])), ThreadAction::View, &standalone));
        let no_region = thread(ThreadHome::Standalone { region_path: vec![] });
        assert!(!may(Some(&user(3, Role::Editor, &["cusco"])), ThreadAction::Moderate, &no_region));
        assert!(may(Some(&user(7, Role::Member, &[])), ThreadAction::Accept, &no_region));
    }

    #[test]
    fn comments_are_edited_by_their_author_and_voted_on_by_others() {
        let comment = |state| CommentAccess {
            thread: thread(ThreadHome::Standalone { region_path: vec!["cusco".into()] }),
            author_id: Some(1),
            state,
        };
        let author = user(1, Role::Member, &[]);
        let other = user(2, Role::Member, &[]);
        let editor = user(3, Role::Editor, &["cusco"]);
        let public = comment(CommentState::default());
        assert!(may(Some(&author), CommentAction::Edit, &public) && !may(Some(&other), CommentAction::Edit, &public));
        assert!(!may(Some(&author), CommentAction::Vote, &public) && may(Some(&other), CommentAction::Vote, &public));
        assert!(!may(None, CommentAction::Vote, &public) && may(None, CommentAction::Read, &public));
        let held = comment(CommentState { held: true, ..CommentState::default() });
        assert!(!may(None, CommentAction::Read, &held) && !may(Some(&other), CommentAction::Read, &held));
        assert!(may(Some(&author), CommentAction::Read, &held) && may(Some(&editor), CommentAction::Read, &held));
        assert!(!may(Some(&other), CommentAction::Reply, &held));
        let hidden = comment(CommentState { hidden: true, ..CommentState::default() });
        assert!(
            !may(Some(&author), CommentAction::Edit, &hidden) && may(Some(&author), CommentAction::Delete, &hidden)
        );
        let deleted = comment(CommentState { deleted: true, ..CommentState::default() });
        assert!(!may(Some(&author), CommentAction::Read, &deleted));
    }
}
