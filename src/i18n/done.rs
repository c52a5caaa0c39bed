//! What a page says after an action, named in its address (`?done=saved`): the redirect
//! after a form names one of these, and the page it lands on shows its banner. A value a
//! page does not know shows none.

use crate::domain::text_enum;

text_enum!(
    /// After an action on a case, on the case's page.
    CaseDone {
        Created => "created",
        Saved => "saved",
        Submitted => "submitted",
        SubmittedToAdmins => "submitted-to-admins",
        Withdrawn => "withdrawn",
        Published => "published",
        Unpublished => "unpublished",
        SentBack => "sent-back",
        Restored => "restored",
    }
);

text_enum!(
    /// After an admin action, on the account's admin page.
    AdminDone { Role => "role", Disabled => "disabled", Enabled => "enabled" }
);

text_enum!(
    /// After a change to one's own account, on the profile page.
    ProfileDone { Details => "details", Password => "password", TokenRevoked => "token-revoked" }
);

text_enum!(
    /// After signing up or resetting a password: `welcome` greets on any page, `reset` on
    /// the sign-in page.
    AccountDone { Welcome => "welcome", Reset => "reset" }
);

text_enum!(
    /// After an action on a glossary concept, on its page.
    GlossaryDone { Saved => "saved", Merged => "merged", Retired => "retired", Reverted => "reverted" }
);

text_enum!(
    /// After an action on a workshop, on its page.
    WorkshopDone {
        Created => "created",
        Saved => "saved",
        Published => "published",
        Cancelled => "cancelled",
        Registered => "registered",
        Waiting => "waiting",
        Unregistered => "unregistered",
        Agenda => "agenda",
        Attendance => "attendance",
        Organisers => "organisers",
        ParticipantRemoved => "participant-removed",
        Outcomes => "outcomes",
        Commitment => "commitment",
        Note => "note",
    }
);
