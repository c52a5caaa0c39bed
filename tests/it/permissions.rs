//! The permission table: every state-changing route (and the API's reads that only
//! organisers may make), tried by each kind of actor, with the answer each must get. A route added without a row here fails `the_table_covers_every_route`.

use std::collections::{BTreeSet, HashMap};

use axum::{body::Body, http::Request};
use ayni::{
    domain::revision::Origin,
    domain::{
        account::{Role, User},
        case::{Kind, Language, Source, Status},
        draft::CaseDraft,
        lima,
        outcome::{RawCommitment, RawOutcomes},
        workshop::{Format, RawAgendaItem, WorkshopDraft},
    },
    store::workshops::Provenance,
};

use crate::support::{
    browser::{case_form, Browser, PASSWORD},
    TestApp,
};

/// Who tries a route. Each row names the actors it is about, and the accounts it needs
/// are made for that row alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Actor {
    Anonymous,
    /// The author of the row's case.
    Member,
    AnotherMember,
    /// An editor of Piura (the row's case is in Cusco).
    EditorElsewhere,
    /// An editor of Cusco.
    EditorHere,
    Facilitator,
    Admin,
    /// A member whose profile says Cusco (the row's workshop's region): it grants nothing.
    RegionMember,
    /// The facilitator who organises the row's workshop.
    Organiser,
    /// A member who wrote the row's comment (and, on a free-standing thread, started it).
    Commenter,
}

use Actor::{
    Admin as ADMIN, Anonymous as ANON, AnotherMember as OTHER, Commenter as AUTHOR, EditorElsewhere as FAR_EDITOR,
    EditorHere as EDITOR, Facilitator as FACIL, Member as MEMBER, Organiser as ORG, RegionMember as REGION_MEMBER,
};

impl Actor {
    /// The role the account gets, and for editors the regions they review.
    fn role(self) -> Option<(Role, &'static [&'static str])> {
        match self {
            Actor::Anonymous => None,
            Actor::Member | Actor::AnotherMember | Actor::RegionMember | Actor::Commenter => Some((Role::Member, &[])),
            Actor::Organiser => Some((Role::Facilitator, &[])),
            Actor::EditorElsewhere => Some((Role::Editor, &["piura"])),
            Actor::EditorHere => Some((Role::Editor, &["cusco"])),
            Actor::Facilitator => Some((Role::Facilitator, &[])),
            Actor::Admin => Some((Role::Admin, &[])),
        }
    }
}

/// One state-changing route, what it is tried on, and the status each actor gets.
struct Row {
    method: &'static str,
    path: &'static str,
    /// For case routes: the state of the (member's, Cusco) case it acts on.
    case: Option<Status>,
    /// For workshop routes: the stage of the (organiser's, Cusco) workshop it acts on.
    workshop: Option<Stage>,
    /// For discussion routes: where the thread it acts on lives.
    thread: Option<Place>,
    expected: &'static [(Actor, u16)],
}

const fn row(method: &'static str, path: &'static str, case: Option<Status>, expected: &'static [(Actor, u16)]) -> Row {
    Row { method, path, case, workshop: None, thread: None, expected }
}

/// Where a discussion row's thread lives. Each holds one comment by the commenter, which
/// someone else has reported; the member (the case's author) has been notified of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The member's published case in Cusco: its moderators are Cusco's editors and admins.
    Case,
    /// The organiser's open workshop: its moderators are its organisers and admins.
    Workshop,
    /// A free-standing thread in Cusco, started by the commenter.
    Standalone,
}

const fn drow(method: &'static str, path: &'static str, place: Place, expected: &'static [(Actor, u16)]) -> Row {
    Row { method, path, case: None, workshop: None, thread: Some(place), expected }
}

/// Where the row's workshop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Draft,
    /// Published, a month away.
    Open,
    /// Published, over yesterday.
    Over,
}

const fn wrow(method: &'static str, path: &'static str, stage: Stage, expected: &'static [(Actor, u16)]) -> Row {
    Row { method, path, case: None, workshop: Some(stage), thread: None, expected }
}

use Status::{Draft, Published, Submitted, Unpublished};

// One row per line, so that the table reads as a table.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    row("POST", "/signup", None, &[(ANON, 303), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/signin", None, &[(ANON, 303), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/signout", None, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/profile", None, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/profile/password", None, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/profile/tokens", None, &[(ANON, 401), (MEMBER, 200), (OTHER, 200), (FAR_EDITOR, 200), (EDITOR, 200), (FACIL, 200), (ADMIN, 200)]),
    row("POST", "/profile/tokens/{id}/revoke", None, &[(ANON, 401), (MEMBER, 303), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 404), (FACIL, 404), (ADMIN, 404)]),
    row("POST", "/profile/close", None, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/reset/{token}", None, &[(ANON, 303), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/cases/new", None, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/edit", Some(Draft), &[(ANON, 401), (MEMBER, 303), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 303), (FACIL, 404), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/edit", Some(Published), &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 303), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/submit", Some(Draft), &[(ANON, 401), (MEMBER, 303), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 303), (FACIL, 404), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/submit", Some(Submitted), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 403), (FACIL, 404), (ADMIN, 403)]),
    // Only the author withdraws a submission; editors send it back with a note.
    row("POST", "/cases/{slug}/withdraw", Some(Submitted), &[(ANON, 401), (MEMBER, 303), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 403), (FACIL, 404), (ADMIN, 403)]),
    row("POST", "/cases/{slug}/withdraw", Some(Draft), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 403), (FACIL, 404), (ADMIN, 403)]),
    row("POST", "/cases/{slug}/publish", Some(Submitted), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 303), (FACIL, 404), (ADMIN, 303)]),
    // Review is a step: nobody publishes a draft that was never submitted.
    row("POST", "/cases/{slug}/publish", Some(Draft), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 403), (FACIL, 404), (ADMIN, 403)]),
    row("POST", "/cases/{slug}/publish", Some(Unpublished), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 303), (FACIL, 404), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/unpublish", Some(Published), &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 303), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/unpublish", Some(Draft), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 403), (FACIL, 404), (ADMIN, 403)]),
    row("POST", "/cases/{slug}/send-back", Some(Submitted), &[(ANON, 401), (MEMBER, 403), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 303), (FACIL, 404), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/send-back", Some(Published), &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 403), (FACIL, 403), (ADMIN, 403)]),
    row("POST", "/cases/{slug}/history/{number}/restore", Some(Published), &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 303), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/cases/{slug}/delete", Some(Published), &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 403), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/admin/users/{id}/role", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 403), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/admin/users/{id}/disable", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 403), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/admin/users/{id}/enable", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 403), (FACIL, 403), (ADMIN, 303)]),
    row("POST", "/admin/users/{id}/reset-link", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 403), (FACIL, 403), (ADMIN, 200)]),
    row("POST", "/api/v1/cases", None, &[(ANON, 401), (MEMBER, 201), (OTHER, 201), (FAR_EDITOR, 201), (EDITOR, 201), (FACIL, 201), (ADMIN, 201)]),
    row("PUT", "/api/v1/cases/{slug}", Some(Draft), &[(ANON, 401), (MEMBER, 200), (OTHER, 404), (FAR_EDITOR, 404), (EDITOR, 200), (FACIL, 404), (ADMIN, 200)]),
    // Workshops: facilitators and admins create; organisers (and admins) run their own; a
    // draft is invisible to everyone else; a profile's region grants nothing.
    wrow("POST", "/workshops/new", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 303), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/edit", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/edit", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 303), (FACIL, 404), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/publish", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 303), (FACIL, 404), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/publish", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 403), (FACIL, 403), (ADMIN, 403)]),
    wrow("POST", "/workshops/{slug}/cancel", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/register", Stage::Open, &[(ANON, 401), (MEMBER, 303), (REGION_MEMBER, 303), (EDITOR, 303), (ORG, 303), (FACIL, 303), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/register", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 403), (FACIL, 404), (ADMIN, 403)]),
    wrow("POST", "/workshops/{slug}/register", Stage::Over, &[(ANON, 401), (MEMBER, 409), (REGION_MEMBER, 409), (EDITOR, 409), (ORG, 409), (FACIL, 409), (ADMIN, 409)]),
    wrow("POST", "/workshops/{slug}/unregister", Stage::Open, &[(ANON, 401), (MEMBER, 303), (REGION_MEMBER, 303), (EDITOR, 303), (ORG, 303), (FACIL, 303), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/agenda", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/agenda/{item}", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/agenda/{item}/delete", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 303), (FACIL, 404), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/attendance", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    // Attendance is marked once the workshop has started.
    wrow("POST", "/workshops/{slug}/attendance", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 403), (FACIL, 403), (ADMIN, 403)]),
    wrow("POST", "/workshops/{slug}/participants/{id}/cancel", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/organisers", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/organisers/{id}/remove", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/outcomes", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    // Outcomes come after the workshop has started.
    wrow("POST", "/workshops/{slug}/outcomes", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 403), (FACIL, 403), (ADMIN, 403)]),
    wrow("POST", "/workshops/{slug}/commitments", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/commitments/{id}", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    wrow("POST", "/workshops/{slug}/commitments/{id}/delete", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    // Progress notes: the organisers, the editors of the commitment's region (Cusco) and
    // its owner; a profile that says Cusco grants nothing.
    wrow("POST", "/commitments/{id}/notes", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 303), (ORG, 303), (FACIL, 403), (ADMIN, 303)]),
    // The same through the JSON API, with a token: the same answers, in the API's statuses.
    wrow("POST", "/api/v1/workshops", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 201), (FACIL, 201), (ADMIN, 201)]),
    wrow("PUT", "/api/v1/workshops/{slug}", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("PUT", "/api/v1/workshops/{slug}", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 200), (FACIL, 404), (ADMIN, 200)]),
    wrow("POST", "/api/v1/workshops/{slug}/publish", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 200), (FACIL, 404), (ADMIN, 200)]),
    wrow("POST", "/api/v1/workshops/{slug}/publish", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 403), (FACIL, 403), (ADMIN, 403)]),
    wrow("POST", "/api/v1/workshops/{slug}/cancel", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("POST", "/api/v1/workshops/{slug}/registration", Stage::Open, &[(ANON, 401), (MEMBER, 200), (REGION_MEMBER, 200), (EDITOR, 200), (ORG, 200), (FACIL, 200), (ADMIN, 200)]),
    wrow("POST", "/api/v1/workshops/{slug}/registration", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 403), (FACIL, 404), (ADMIN, 403)]),
    wrow("POST", "/api/v1/workshops/{slug}/registration", Stage::Over, &[(ANON, 401), (MEMBER, 409), (REGION_MEMBER, 409), (EDITOR, 409), (ORG, 409), (FACIL, 409), (ADMIN, 409)]),
    wrow("DELETE", "/api/v1/workshops/{slug}/registration", Stage::Open, &[(ANON, 401), (MEMBER, 204), (REGION_MEMBER, 204), (EDITOR, 204), (ORG, 204), (FACIL, 204), (ADMIN, 204)]),
    wrow("DELETE", "/api/v1/workshops/{slug}/registration", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 403), (FACIL, 404), (ADMIN, 403)]),
    wrow("POST", "/api/v1/workshops/{slug}/agenda", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 201), (FACIL, 403), (ADMIN, 201)]),
    wrow("PUT", "/api/v1/workshops/{slug}/agenda/{item}", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("DELETE", "/api/v1/workshops/{slug}/agenda/{item}", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 204), (FACIL, 404), (ADMIN, 204)]),
    wrow("PUT", "/api/v1/workshops/{slug}/outcomes", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("PUT", "/api/v1/workshops/{slug}/outcomes", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 403), (FACIL, 403), (ADMIN, 403)]),
    wrow("POST", "/api/v1/workshops/{slug}/commitments", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 201), (FACIL, 403), (ADMIN, 201)]),
    wrow("PUT", "/api/v1/workshops/{slug}/commitments/{id}", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("DELETE", "/api/v1/workshops/{slug}/commitments/{id}", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 204), (FACIL, 403), (ADMIN, 204)]),
    // The participants and co-organisers: people's names and emails, for organisers and
    // admins alone (a GET, tried like the writes). `{id}` is a registered co-organiser.
    wrow("GET", "/api/v1/workshops/{slug}/participants", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("GET", "/api/v1/workshops/{slug}/participants", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 200), (FACIL, 404), (ADMIN, 200)]),
    wrow("PUT", "/api/v1/workshops/{slug}/attendance", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("PUT", "/api/v1/workshops/{slug}/attendance", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 403), (FACIL, 403), (ADMIN, 403)]),
    wrow("PUT", "/api/v1/workshops/{slug}/attendance", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 403), (FACIL, 404), (ADMIN, 403)]),
    wrow("DELETE", "/api/v1/workshops/{slug}/participants/{id}", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 204), (FACIL, 403), (ADMIN, 204)]),
    // Once it has started, nobody's place is cancelled.
    wrow("DELETE", "/api/v1/workshops/{slug}/participants/{id}", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 409), (FACIL, 403), (ADMIN, 409)]),
    wrow("POST", "/api/v1/workshops/{slug}/organisers", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 200), (FACIL, 403), (ADMIN, 200)]),
    wrow("POST", "/api/v1/workshops/{slug}/organisers", Stage::Draft, &[(ANON, 401), (MEMBER, 404), (REGION_MEMBER, 404), (EDITOR, 404), (ORG, 200), (FACIL, 404), (ADMIN, 200)]),
    wrow("DELETE", "/api/v1/workshops/{slug}/organisers/{id}", Stage::Open, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 403), (ORG, 204), (FACIL, 403), (ADMIN, 204)]),
    wrow("POST", "/api/v1/commitments/{id}/notes", Stage::Over, &[(ANON, 401), (MEMBER, 403), (REGION_MEMBER, 403), (EDITOR, 201), (ORG, 201), (FACIL, 403), (ADMIN, 201)]),
    // Discussions. "Moderator" is whoever moderates the row's thread: Cusco's editors on a
    // case or a Cusco thread, the organisers on a workshop, and admins everywhere.
    drow("POST", "/cases/{slug}/discussion", Place::Case, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 303), (OTHER, 303), (FAR_EDITOR, 303), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/workshops/{slug}/discussion", Place::Workshop, &[(ANON, 401), (AUTHOR, 303), (OTHER, 303), (EDITOR, 303), (ORG, 303), (ADMIN, 303)]),
    drow("POST", "/discussions/new", Place::Standalone, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (EDITOR, 303), (ORG, 303), (ADMIN, 303)]),
    drow("POST", "/discussions/{id}", Place::Standalone, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 303), (OTHER, 303), (EDITOR, 303), (ADMIN, 303)]),
    // Only its author edits or deletes a comment; moderators hide it instead.
    drow("POST", "/comments/{id}/edit", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 303), (OTHER, 403), (EDITOR, 403), (ADMIN, 403)]),
    drow("POST", "/comments/{id}/delete", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 303), (OTHER, 403), (EDITOR, 403), (ADMIN, 403)]),
    // Nobody finds their own comment useful, nor reports it.
    drow("POST", "/comments/{id}/useful", Place::Case, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 403), (OTHER, 303), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/report", Place::Case, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 403), (OTHER, 303), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/discussions/{id}/report", Place::Standalone, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (FAR_EDITOR, 303), (ADMIN, 303)]),
    // The accepted answer: the case's author, a workshop's organisers, a thread's starter.
    drow("POST", "/comments/{id}/accept", Place::Case, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 403), (OTHER, 403), (EDITOR, 403), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/accept", Place::Workshop, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (EDITOR, 403), (ORG, 303), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/accept", Place::Standalone, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 303), (OTHER, 403), (EDITOR, 403), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/hide", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (OTHER, 403), (FAR_EDITOR, 403), (ORG, 403), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/hide", Place::Workshop, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (EDITOR, 403), (ORG, 303), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/restore", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/comments/{id}/approve", Place::Workshop, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (EDITOR, 403), (ORG, 303), (ADMIN, 303)]),
    drow("POST", "/discussions/{id}/lock", Place::Standalone, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/discussions/{id}/hide", Place::Standalone, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (OTHER, 403), (FAR_EDITOR, 403), (EDITOR, 303), (ADMIN, 303)]),
    // Its only comment is hidden: others no longer see the thread at all.
    drow("POST", "/discussions/{id}/restore", Place::Standalone, &[(ANON, 401), (MEMBER, 404), (AUTHOR, 403), (FAR_EDITOR, 404), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/moderation/reports/{id}/dismiss", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 403), (OTHER, 403), (FAR_EDITOR, 403), (ORG, 403), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/moderation/reports/{id}/dismiss", Place::Workshop, &[(ANON, 401), (EDITOR, 403), (ORG, 303), (ADMIN, 303)]),
    // Following and one's own notifications: anyone signed in, about themselves alone.
    drow("POST", "/follows", Place::Case, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 303), (OTHER, 303), (EDITOR, 303), (ADMIN, 303)]),
    drow("POST", "/notifications/{id}/read", Place::Case, &[(ANON, 401), (MEMBER, 303), (AUTHOR, 404), (OTHER, 404), (EDITOR, 404), (ADMIN, 404)]),
    drow("POST", "/notifications/read-all", Place::Case, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (ADMIN, 303)]),
    drow("POST", "/notifications/feed", Place::Case, &[(ANON, 401), (MEMBER, 200), (OTHER, 200), (ADMIN, 200)]),
    drow("POST", "/notifications/feed/revoke", Place::Case, &[(ANON, 401), (MEMBER, 303), (OTHER, 303), (ADMIN, 303)]),
    drow("POST", "/api/v1/discussions", Place::Standalone, &[(ANON, 401), (MEMBER, 201), (OTHER, 201), (EDITOR, 201), (ADMIN, 201)]),
    drow("POST", "/api/v1/discussions/{id}/comments", Place::Standalone, &[(ANON, 401), (MEMBER, 201), (AUTHOR, 201), (OTHER, 201), (EDITOR, 201), (ADMIN, 201)]),
    drow("POST", "/api/v1/cases/{slug}/comments", Place::Case, &[(ANON, 401), (MEMBER, 201), (AUTHOR, 201), (OTHER, 201), (FAR_EDITOR, 201), (ADMIN, 201)]),
    drow("POST", "/api/v1/workshops/{slug}/comments", Place::Workshop, &[(ANON, 401), (AUTHOR, 201), (OTHER, 201), (ORG, 201), (ADMIN, 201)]),
    drow("PUT", "/api/v1/comments/{id}", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 200), (OTHER, 403), (EDITOR, 403), (ADMIN, 403)]),
    drow("DELETE", "/api/v1/comments/{id}", Place::Case, &[(ANON, 401), (MEMBER, 403), (AUTHOR, 204), (OTHER, 403), (EDITOR, 403), (ADMIN, 403)]),
    drow("PUT", "/api/v1/comments/{id}/vote", Place::Case, &[(ANON, 401), (MEMBER, 204), (AUTHOR, 403), (OTHER, 204), (EDITOR, 204), (ADMIN, 204)]),
    drow("DELETE", "/api/v1/comments/{id}/vote", Place::Case, &[(ANON, 401), (MEMBER, 204), (AUTHOR, 403), (OTHER, 204), (ADMIN, 204)]),
    drow("POST", "/api/v1/notifications/{id}/read", Place::Case, &[(ANON, 401), (MEMBER, 204), (AUTHOR, 404), (OTHER, 404), (ADMIN, 404)]),
    drow("POST", "/api/v1/notifications/read", Place::Case, &[(ANON, 401), (MEMBER, 204), (OTHER, 204), (ADMIN, 204)]),
    drow("PUT", "/api/v1/follows/{kind}/{key}", Place::Standalone, &[(ANON, 401), (MEMBER, 204), (AUTHOR, 204), (OTHER, 204), (ADMIN, 204)]),
    drow("DELETE", "/api/v1/follows/{kind}/{key}", Place::Standalone, &[(ANON, 401), (MEMBER, 204), (AUTHOR, 204), (ADMIN, 204)]),
    // The glossary: editors (of any region), facilitators and admins edit it; everyone reads it.
    row("POST", "/glossary", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/glossary/{slug}", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/glossary/{slug}/merge", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/glossary/{slug}/retire", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
    row("POST", "/glossary/{slug}/revert", None, &[(ANON, 401), (MEMBER, 403), (OTHER, 403), (FAR_EDITOR, 303), (EDITOR, 303), (FACIL, 303), (ADMIN, 303)]),
];

/// A workshop's details as a form sends them: a morning a month from now, in Lima.
fn workshop_form(title: &str) -> Vec<(String, String)> {
    let day = lima::today(time::OffsetDateTime::now_utc()) + time::Duration::days(30);
    [
        ("title", title),
        ("summary", "Intercambio de prácticas de integridad."),
        ("start_date", &day.to_string()),
        ("start_time", "09:00"),
        ("end_time", "13:00"),
        ("format", "in_person"),
        ("city", "Cusco"),
        ("capacity", "30"),
        ("regions", "cusco"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A valid four-hour workshop in Cusco starting at `start`.
fn workshop_draft(title: &str, start: time::OffsetDateTime) -> WorkshopDraft {
    WorkshopDraft {
        title: title.into(),
        summary: "Intercambio de prácticas de integridad.".into(),
        description_markdown: String::new(),
        starts_at: start,
        ends_at: start + time::Duration::hours(4),
        all_day: false,
        format: Format::InPerson,
        venue: String::new(),
        city: "Cusco".into(),
        online_url: String::new(),
        capacity: Some(30),
        registration_deadline: None,
        regions: vec!["cusco".into()],
        region_count: None,
        cases: Vec::new(),
        illustrative: false,
    }
}

/// The actors of one row, each with an account and a browser of their own (made for the
/// row, so that signing out or closing an account does not spill into the next).
struct World<'a> {
    app: &'a TestApp,
    row: usize,
    browsers: HashMap<Actor, Browser<'a>>,
    accounts: HashMap<Actor, (i64, String)>,
}

impl<'a> World<'a> {
    fn new(app: &'a TestApp, row: usize) -> World<'a> {
        World { app, row, browsers: HashMap::new(), accounts: HashMap::new() }
    }

    /// The actor's account (made and signed in on first use); `None` for a visitor.
    async fn account(&mut self, actor: Actor) -> Option<(i64, String)> {
        let (role, regions) = actor.role()?;
        if let Some(account) = self.accounts.get(&actor) {
            return Some(account.clone());
        }
        let n = self.accounts.len();
        let email = format!("{actor:?}-row{}@x.gob.pe", self.row).to_lowercase();
        let stored_role = if role == Role::Editor { Role::Member } else { role };
        let id = self.app.account(&email, &format!("{actor:?}"), stored_role).await;
        if role == Role::Editor {
            self.app.make_editor(id, regions).await;
        }
        if actor == Actor::RegionMember {
            sqlx::query("update users set region_id = (select id from regions where slug = 'cusco') where id = $1")
                .bind(id)
                .execute(&self.app.db.pool)
                .await
                .expect("profile region");
        }
        if actor == Actor::Commenter {
            // An established member: the setup of each of the row's attempts posts as them,
            // more often than a day-old account may.
            crate::discussions::established(self.app, id).await;
        }
        // Each from an address of its own, as people are.
        let mut browser = Browser::from_address(self.app, &format!("198.51.100.{}:4000", n + 1));
        browser.sign_in(&email, PASSWORD).await.expect(303);
        self.browsers.insert(actor, browser);
        self.accounts.insert(actor, (id, email.clone()));
        Some((id, email))
    }

    async fn browser(&mut self, actor: Actor) -> &mut Browser<'a> {
        if self.account(actor).await.is_none() {
            let app = self.app;
            return self.browsers.entry(actor).or_insert_with(|| Browser::new(app));
        }
        self.browsers.get_mut(&actor).expect("signed in above")
    }

    async fn user(&mut self, actor: Actor) -> User {
        let (id, _) = self.account(actor).await.expect("a signed-in actor");
        self.app.db.store().active_user(id).await.expect("load").expect("active")
    }

    /// A fresh case of the member's in Cusco, in `status`, with `revisions` saves.
    async fn case(&mut self, status: Status, n: usize) -> String {
        let store = self.app.db.store();
        let author = self.user(MEMBER).await;
        let mut draft = CaseDraft {
            title: format!("Caso de prueba {n}"),
            kind: Kind::Case,
            region: "cusco".into(),
            themes: vec!["internal-control".into()],
            language: Language::Es,
            year: 2024,
            summary: "Resumen.".into(),
            sources: vec![Source { title: "Fuente".into(), url: "https://example.org".into() }],
            body_markdown: "Texto.".into(),
            illustrative: false,
        };
        let html = ayni::markdown::render(&draft.body_markdown);
        let slug = store.create_case(&author, &draft, &html, Origin::Form).await.expect("create");
        let Ok(ayni::store::cases::Lookup::Found(record)) = store.find_case(&slug).await else { panic!("no case") };
        draft.body_markdown = "Texto revisado.".into();
        store.update_case(record.id, 1, &draft, &html, &author, Origin::Form).await.expect("second revision");
        if status != Draft {
            store.set_status(record.id, Draft, Submitted, None, &author).await.expect("submit");
        }
        if status == Published || status == Unpublished {
            store.set_status(record.id, Submitted, Published, None, &author).await.expect("publish");
        }
        if status == Unpublished {
            store.set_status(record.id, Published, Unpublished, None, &author).await.expect("unpublish");
        }
        slug
    }

    /// A fresh workshop in Cusco at `stage`, organised by the organiser and by `co` (for
    /// the removal row), with one agenda item, and when it is over its outcomes and one
    /// commitment of Cusco's; returns its slug, the item's id and the commitment's.
    async fn workshop(&mut self, stage: Stage, n: usize, co: i64) -> (String, i64, i64) {
        let store = self.app.db.store();
        let organiser = self.user(ORG).await;
        let today = lima::today(time::OffsetDateTime::now_utc());
        // 09:00 to 13:00 in Lima: yesterday, or a month from now.
        let day = if stage == Stage::Over { today - time::Duration::days(1) } else { today + time::Duration::days(30) };
        let start = lima::from_lima(day, time::macros::time!(09:00));
        let draft = workshop_draft(&format!("Taller de prueba {n}"), start);
        let slug = store.create_workshop(Some(&organiser), &draft, "", Provenance::App).await.expect("create");
        let record = store.find_workshop(&slug).await.expect("find").expect("the workshop");
        if stage != Stage::Draft {
            store.publish_workshop(record.id, &organiser).await.expect("publish");
        }
        if stage == Stage::Open {
            // A place for `co`, for the row that cancels someone's.
            let co = store.active_user(co).await.expect("load").expect("active");
            store.register(record.id, &co, time::OffsetDateTime::now_utc()).await.expect("register");
        }
        let email: String = sqlx::query_scalar("select email from users where id = $1")
            .bind(co)
            .fetch_one(&self.app.db.pool)
            .await
            .expect("email");
        store.add_organiser(record.id, &slug, &email, &organiser).await.expect("co-organiser");
        let item = RawAgendaItem {
            day: day.to_string(),
            time: "10:00".into(),
            duration: "30".into(),
            title: "Apertura".into(),
            ..Default::default()
        };
        let item = item.validate(draft.starts_at, draft.ends_at).expect("an item inside");
        let item = store.add_agenda_item(record.id, &slug, &item, &organiser).await.expect("agenda item");
        let mut commitment = 0;
        if stage == Stage::Over {
            let outcomes =
                RawOutcomes { conclusions: "Acuerdos.".into(), ..Default::default() }.validate().expect("valid");
            store
                .save_outcomes(record.id, &slug, &outcomes, "<p>Acuerdos.</p>", Some(&organiser))
                .await
                .expect("outcomes");
            let raw = RawCommitment { region: "cusco".into(), action: "Aprobar el plan.".into(), ..Default::default() };
            let regions = store.regions().await.expect("regions");
            let draft = raw.validate(&regions).expect("valid");
            commitment = store.add_commitment(record.id, &slug, &draft, Some(&organiser)).await.expect("commitment");
        }
        (slug, item, commitment)
    }

    /// The newest row's id, by `sql`.
    async fn latest(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, Option<i64>>(sql).fetch_one(&self.app.db.pool).await.expect("id").unwrap_or(0)
    }

    /// A fresh thread at `place` holding one comment by the commenter, reported by someone
    /// else, of which the member (following the case they wrote) has been notified; hidden
    /// for the restore row, held for the approve row. Returns the slug of its case or
    /// workshop (empty for a free-standing thread).
    async fn discussion(&mut self, row: &Row, place: Place, n: usize, co: i64) -> String {
        let (slug, path) = match place {
            Place::Case => {
                let slug = self.case(Published, n).await;
                (slug.clone(), format!("/cases/{slug}/discussion"))
            }
            Place::Workshop => {
                let (slug, _, _) = self.workshop(Stage::Open, n, co).await;
                (slug.clone(), format!("/workshops/{slug}/discussion"))
            }
            Place::Standalone => (String::new(), "/discussions/new".to_string()),
        };
        let key = format!("setup-{n}");
        let fields = [
            ("title", "¿Cómo organizaron la oficina de integridad?"),
            ("theme", "internal-control"),
            ("region", "cusco"),
            ("body", "¿Con cuántas personas empezaron?"),
            ("key", key.as_str()),
        ];
        self.browser(AUTHOR).await.post(&path, &fields).await.expect(303);
        let reporter = self.app.account(&format!("reporter{n}@x.gob.pe"), "Reporter", Role::Member).await;
        let reporter = self.app.db.store().active_user(reporter).await.expect("load").expect("active");
        let comment = self.latest("select max(id) from comments").await;
        let thread = self.latest("select max(id) from threads").await;
        let reason = ayni::domain::discussion::ReportReason::Spam;
        self.app.db.store().report(thread, Some(comment), &reporter, reason, "Publicidad.").await.expect("report");
        if row.path.ends_with("/restore") {
            let admin = self.user(ADMIN).await;
            self.app.db.store().hide_comment(comment, &admin, "Datos personales.").await.expect("hide");
        }
        if row.path.ends_with("/approve") {
            sqlx::query("update comments set held = true where id = $1")
                .bind(comment)
                .execute(&self.app.db.pool)
                .await
                .expect("held");
        }
        self.app.wait_for_notifications().await;
        slug
    }

    /// A new glossary concept, at revision 1; returns its slug.
    async fn concept(&mut self, slug: &str) -> String {
        let admin = self.user(ADMIN).await;
        let concept = ayni::domain::glossary::Concept {
            slug: slug.to_string(),
            domain: Some(ayni::domain::glossary::Domain::Integrity),
            pref_es: format!("Concepto {slug}"),
            pref_en: format!("Concept {slug}"),
            definition_es: "Definición.".into(),
            definition_en: "Definition.".into(),
            ..Default::default()
        };
        let save = ayni::store::glossary::edit::Save::Create;
        self.app.db.store().save_concept(admin.id, save, concept).await.expect("concept")
    }

    /// Does `row` as `actor` and returns the status.
    async fn attempt(&mut self, row: &Row, actor: Actor, n: usize) -> u16 {
        let target = self.app.account(&format!("target{n}@x.gob.pe"), "Target", Role::Member).await;
        let (slug, item, commitment) = match (row.case, row.workshop, row.thread) {
            (Some(status), _, _) => (self.case(status, n).await, 0, 0),
            (None, Some(stage), _) => self.workshop(stage, n, target).await,
            (None, None, Some(place)) => (self.discussion(row, place, n, target).await, 0, 0),
            (None, None, None) if row.path.starts_with("/glossary/{slug}") => {
                (self.concept(&format!("prueba-{n}")).await, 0, 0)
            }
            (None, None, None) => (String::new(), 0, 0),
        };
        // `{id}` is an account, except on commitment and discussion routes (pages or API).
        let id = match row.path.strip_prefix("/api/v1").unwrap_or(row.path) {
            path if path.contains("commitments/{id}") => commitment,
            path if path.starts_with("/discussions/") => self.latest("select max(id) from threads").await,
            path if path.starts_with("/comments/") => self.latest("select max(id) from comments").await,
            path if path.starts_with("/moderation/reports/") => self.latest("select max(id) from reports").await,
            path if path.starts_with("/notifications/") => self.latest("select max(id) from notifications").await,
            _ => target,
        };
        let path = row
            .path
            .replace("{slug}", &slug)
            .replace("{number}", "1")
            .replace("{id}", &id.to_string())
            .replace("{item}", &item.to_string())
            // A follow is tried on the row's free-standing thread.
            .replace("{kind}", "thread")
            .replace("{key}", &self.latest("select max(id) from threads").await.to_string());
        let store = self.app.db.store();
        let member_email = self.account(MEMBER).await.expect("the member").1;
        let fields: Vec<(String, String)> = match row.path {
            "/signup" => vec![
                ("email".into(), format!("new{n}@x.gob.pe")),
                ("display_name".into(), "Nueva".into()),
                ("password".into(), PASSWORD.into()),
                ("password_confirm".into(), PASSWORD.into()),
                ("consent".into(), "yes".into()),
            ],
            "/signin" => vec![("email".into(), member_email), ("password".into(), PASSWORD.into())],
            "/profile" => vec![("display_name".into(), "Otro nombre".into()), ("language".into(), "en".into())],
            "/profile/password" => vec![
                ("current_password".into(), PASSWORD.into()),
                ("new_password".into(), "otra contraseña larga".into()),
                ("new_password_confirm".into(), "otra contraseña larga".into()),
            ],
            "/profile/tokens" => vec![("token_name".into(), "script".into())],
            "/profile/close" => vec![("close_password".into(), PASSWORD.into())],
            "/reset/{token}" => vec![
                ("new_password".into(), "otra contraseña larga".into()),
                ("new_password_confirm".into(), "otra contraseña larga".into()),
            ],
            "/cases/new" => case_form(&format!("Caso nuevo {n}"), "cusco")
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            "/cases/{slug}/edit" => {
                let mut form: Vec<(String, String)> = case_form(&format!("Caso de prueba {n}"), "cusco")
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                form.push(("base_revision".into(), "2".into()));
                form
            }
            "/cases/{slug}/send-back" => vec![("note".into(), "Falta detalle.".into())],
            "/cases/{slug}/history/{number}/restore" => vec![("base_revision".into(), "2".into())],
            "/admin/users/{id}/role" => vec![("role".into(), "editor".into()), ("regions".into(), "cusco".into())],
            "/workshops/new" | "/workshops/{slug}/edit" => workshop_form(&format!("Taller nuevo {n}")),
            "/workshops/{slug}/cancel" => vec![("reason".into(), "Falta de quórum.".into())],
            "/workshops/{slug}/agenda" | "/workshops/{slug}/agenda/{item}" => vec![
                ("time".into(), "11:00".into()),
                ("duration".into(), "30".into()),
                ("title".into(), "Trabajo en grupos".into()),
            ],
            "/workshops/{slug}/organisers" => vec![("email".into(), member_email.clone())],
            "/workshops/{slug}/outcomes" => vec![("conclusions".into(), "Se acordó un plan.".into())],
            "/workshops/{slug}/commitments" | "/workshops/{slug}/commitments/{id}" => vec![
                ("region".into(), "cusco".into()),
                ("action".into(), "Publicar el mapa de riesgos.".into()),
                ("status".into(), "in_progress".into()),
            ],
            "/commitments/{id}/notes" => {
                vec![("note".into(), "Avance del 50 %.".into()), ("status".into(), "in_progress".into())]
            }
            "/cases/{slug}/discussion" | "/workshops/{slug}/discussion" | "/discussions/{id}" | "/discussions/new" => {
                vec![
                    ("title".into(), format!("Otra pregunta {n}")),
                    ("theme".into(), "internal-control".into()),
                    ("region".into(), "cusco".into()),
                    ("body".into(), "Nosotros empezamos con dos personas.".into()),
                    ("key".into(), format!("row-{n}")),
                ]
            }
            "/comments/{id}/edit" => vec![("body".into(), "¿Con cuántas personas empezaron en 2023?".into())],
            "/comments/{id}/useful" | "/comments/{id}/accept" | "/discussions/{id}/lock" => {
                vec![("on".into(), "1".into())]
            }
            "/comments/{id}/report" | "/discussions/{id}/report" => {
                vec![("reason".into(), "off_topic".into()), ("note".into(), "No trata del caso.".into())]
            }
            "/comments/{id}/hide" | "/discussions/{id}/hide" => vec![("reason".into(), "Datos personales.".into())],
            "/follows" => {
                vec![("kind".into(), "region".into()), ("key".into(), "cusco".into()), ("on".into(), "1".into())]
            }
            "/glossary" | "/glossary/{slug}" => vec![
                ("slug".into(), format!("nuevo-{n}")),
                ("domain".into(), "integrity".into()),
                ("pref_es".into(), format!("Término nuevo {n}")),
                ("pref_en".into(), format!("New term {n}")),
                ("definition_es".into(), "Una definición.".into()),
                ("definition_en".into(), "A definition.".into()),
                ("revision".into(), "1".into()),
            ],
            "/glossary/{slug}/merge" => {
                vec![("into".into(), self.concept(&format!("destino-{n}")).await), ("revision".into(), "1".into())]
            }
            "/glossary/{slug}/retire" | "/glossary/{slug}/revert" => vec![("revision".into(), "1".into())],
            _ => Vec::new(),
        };
        let path = match row.path {
            "/profile/tokens/{id}/revoke" => {
                let member = self.user(MEMBER).await;
                store.create_token(&member, "del miembro").await.expect("token");
                let id: i64 = sqlx::query_scalar("select max(id) from api_tokens")
                    .fetch_one(&self.app.db.pool)
                    .await
                    .expect("id");
                format!("/profile/tokens/{id}/revoke")
            }
            "/reset/{token}" => {
                let admin = self.user(ADMIN).await;
                format!("/reset/{}", store.issue_reset(&admin, target).await.expect("reset link"))
            }
            _ => path,
        };
        if row.path.starts_with("/api/") {
            return self.api(row, actor, &path, n).await;
        }
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.browser(actor).await.post(&path, &pairs).await.status.as_u16()
    }

    async fn api(&mut self, row: &Row, actor: Actor, path: &str, n: usize) -> u16 {
        use serde_json::json;
        let day = lima::today(time::OffsetDateTime::now_utc()) + time::Duration::days(30);
        let body = match row.path {
            "/api/v1/workshops" | "/api/v1/workshops/{slug}" => json!({
                "title": format!("Taller de la API {n}"), "summary": "Intercambio de prácticas.",
                "start_date": day.to_string(), "start_time": "09:00", "end_time": "13:00",
                "format": "in_person", "city": "Cusco", "capacity": 30, "regions": ["cusco"]
            }),
            "/api/v1/workshops/{slug}/cancel" => json!({"reason": "Falta de quórum."}),
            "/api/v1/discussions" => json!({
                "title": format!("Conversación de la API {n}"), "theme": "internal-control", "region": "cusco",
                "body": "¿Cómo lo hicieron?"
            }),
            "/api/v1/discussions/{id}/comments"
            | "/api/v1/cases/{slug}/comments"
            | "/api/v1/workshops/{slug}/comments"
            | "/api/v1/comments/{id}" => json!({"body": format!("Comentario de la API {n}.")}),
            path if path.starts_with("/api/v1/notifications/") || path.starts_with("/api/v1/follows/") => json!({}),
            "/api/v1/comments/{id}/vote" => json!({}),
            "/api/v1/workshops/{slug}/agenda" | "/api/v1/workshops/{slug}/agenda/{item}" => {
                json!({"time": "11:00", "duration": 30, "title": "Trabajo en grupos"})
            }
            "/api/v1/workshops/{slug}/outcomes" => json!({"conclusions": "Se acordó un plan."}),
            "/api/v1/workshops/{slug}/commitments" | "/api/v1/workshops/{slug}/commitments/{id}" => {
                json!({"region": "cusco", "action": "Publicar el mapa de riesgos.", "status": "in_progress"})
            }
            "/api/v1/commitments/{id}/notes" => json!({"note": "Avance del 50 %.", "status": "in_progress"}),
            "/api/v1/workshops/{slug}/attendance" => json!({"attended": []}),
            "/api/v1/workshops/{slug}/organisers" => {
                json!({"email": self.account(MEMBER).await.expect("the member").1})
            }
            _ if row.method == "GET" || row.method == "DELETE" => json!({}),
            path if path.contains("/registration") || path.ends_with("/publish") => json!({}),
            _ => json!({
                "title": format!("Caso de la API {n}"), "kind": "case", "region": "cusco",
                "themes": ["internal-control"], "language": "es", "year": 2024, "summary": "Resumen.",
                "body_markdown": "Texto.", "revision": 2
            }),
        };
        let mut request = Request::builder().method(row.method).uri(path).header("content-type", "application/json");
        if actor != ANON {
            let user = self.user(actor).await;
            let token = self.app.db.store().create_token(&user, "api").await.expect("token");
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.app.request(request.body(Body::from(body.to_string())).expect("request")).await.status.as_u16()
    }
}

#[tokio::test]
async fn every_state_changing_route_answers_each_actor_as_the_roles_say() {
    let app = TestApp::new().await;
    let mut failures = Vec::new();
    let mut n = 0;
    for (index, row) in TABLE.iter().enumerate() {
        let mut world = World::new(&app, index);
        for &(actor, expected) in row.expected {
            n += 1;
            let got = world.attempt(row, actor, n).await;
            if got != expected {
                failures.push(format!(
                    "{} {} {:?} as {actor:?}: expected {expected}, got {got}",
                    row.method, row.path, row.case
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {n} answers differ:\n{}", failures.len(), failures.join("\n"));
}

/// Every route file under `src/http`: each feature registers its own routes.
fn route_files() -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/http") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a route file");
                files.push((path, text));
            }
        }
    }
    files
}

/// The methods that change state, as routers and the OpenAPI document spell them.
const WRITES: [&str; 4] = ["post", "put", "delete", "patch"];

/// Every state-changing route in the routers of every feature (and in the API document) has
/// a row above, and goes through the forgery check.
#[tokio::test]
async fn the_table_covers_every_route() {
    let mut routes = BTreeSet::new();
    let mut files_with_routes = 0;
    for (file, source) in route_files() {
        if source.contains(".route(\"") {
            files_with_routes += 1;
        }
        // Each `.route("path", …)` registration, up to the next one.
        for registration in source.split(".route(\"").skip(1) {
            let path = registration.split('"').next().unwrap_or_default();
            let body = registration.split(".route(").next().unwrap_or_default();
            for method in WRITES {
                if body.contains(&format!("{method}(")) {
                    assert!(body.contains("guarded("), "{path} in {file:?} changes state without the forgery check");
                    routes.insert((method.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    // API routes registered through utoipa: a handler whose `#[utoipa::path]` says it
    // writes (in any feature's files) must be registered behind the guard.
    let files = route_files();
    let (mut write_handlers, mut documented_writes) = (BTreeSet::new(), 0);
    for (_, source) in &files {
        for documented in source.split("#[utoipa::path(").skip(1) {
            let method = documented.trim_start().split(',').next().unwrap_or_default().trim();
            let name =
                documented.split("pub async fn ").nth(1).unwrap_or_default().split('(').next().unwrap_or_default();
            if WRITES.contains(&method) {
                write_handlers.insert(name.to_string());
                documented_writes += 1;
            }
        }
    }
    assert!(documented_writes >= 16, "the scan found only {documented_writes} API writes: {write_handlers:?}");
    for (file, source) in &files {
        for registration in source.split(".routes(").skip(1) {
            let body = registration.split(".routes(").next().unwrap_or_default();
            let handlers = body.split("routes!(").nth(1).unwrap_or_default().split(')').next().unwrap_or_default();
            for handler in handlers.split(',').map(|h| h.trim().rsplit("::").next().unwrap_or_default()) {
                let writes = write_handlers.contains(handler);
                assert!(
                    !writes || body.contains("guarded_api("),
                    "{handler} in {file:?} writes without the forgery check"
                );
            }
        }
    }
    assert!(files_with_routes >= 5, "the route scan read only {files_with_routes} files with routes");
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.expect(200).json();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in WRITES {
            if item.get(method).is_some() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let covered: BTreeSet<(String, String)> =
        TABLE.iter().map(|r| (r.method.to_string(), r.path.to_string())).collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(missing.is_empty(), "state-changing routes without a row in the permission table: {missing:?}");
    assert!(routes.len() >= 20, "the route scan found only {routes:?}");
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_browser_post_without_the_token() {
    let app = TestApp::new().await;
    let mut world = World::new(&app, 0);
    // A GET changes nothing, so there is nothing to forge.
    for row in TABLE.iter().filter(|r| r.method != "GET") {
        let path = row
            .path
            .replace("{slug}", "caso")
            .replace("{number}", "1")
            .replace("{id}", "1")
            .replace("{token}", "x")
            .replace("{item}", "1");
        let request = Request::builder()
            .method(row.method)
            .uri(&path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", crate::support::browser::ORIGIN);
        let status = world.browser(ADMIN).await.send(request, Body::from("a=b")).await.status.as_u16();
        assert_eq!(status, 403, "{} {path} without the form token", row.method);
    }
}
