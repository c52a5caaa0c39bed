//! Workshops: the list, a workshop's page, the organisers' forms (details, agenda,
//! participants, co-organisers), registration and the certificate of attendance. Who may
//! do what is asked of `domain::permission` through `gate::workshop_for`.

mod agenda;
mod api;
mod api_participants;
mod api_write;
mod certificate;
mod feed;
mod form;
mod ical;
mod list;
mod outcomes;
mod participants;
mod registration;
mod show;
mod status;

use axum::{
    routing::{get, post},
    Router,
};

use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    gate::{checked_slug, workshop_for},
    guarded, guarded_api, kept, AppState,
};
use crate::{
    domain::{
        account::{normalise_email, User},
        permission::{may, WorkshopAction},
        workshop::{check_attendance, RegistrationState, WorkshopDraft},
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    store::{
        commitments::CommitmentListing,
        workshops::{AgendaItem, MyRegistration, Outcomes, Provenance, WorkshopRecord},
    },
};

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/workshops", get(list::list))
        .route("/workshops.ics", get(ical::all))
        .route("/workshops/new", guarded(state, get(form::new_form).post(form::create)))
        // A workshop and the feed read the same for every visitor: kept between changes.
        .merge(kept(
            state,
            Router::new()
                .route("/workshops/{slug}", get(show::show))
                .route("/feeds/outcomes.atom", get(feed::outcomes)),
        ))
        .route("/workshops/{slug}/edit", guarded(state, get(form::edit_form).post(form::update)))
        .route("/workshops/{slug}/publish", guarded(state, post(status::publish)))
        .route("/workshops/{slug}/cancel", guarded(state, get(status::cancel_form).post(status::cancel)))
        .route("/workshops/{slug}/register", guarded(state, post(registration::register)))
        .route("/workshops/{slug}/unregister", guarded(state, post(registration::unregister)))
        .route("/workshops/{slug}/agenda", guarded(state, get(agenda::show).post(agenda::add)))
        .route("/workshops/{slug}/agenda/{item}", guarded(state, get(agenda::edit_form).post(agenda::update)))
        .route("/workshops/{slug}/agenda/{item}/delete", guarded(state, post(agenda::delete)))
        .route("/workshops/{slug}/participants", get(participants::page))
        .route("/workshops/{slug}/participants.csv", get(participants::export))
        .route("/workshops/{slug}/attendance", guarded(state, post(participants::attendance)))
        .route("/workshops/{slug}/participants/{id}/cancel", guarded(state, post(participants::remove)))
        .route("/workshops/{slug}/organisers", guarded(state, post(participants::add_organiser)))
        .route("/workshops/{slug}/organisers/{id}/remove", guarded(state, post(participants::remove_organiser)))
        .route("/workshops/{slug}/certificate", get(certificate::show))
        .route("/workshops/{slug}/outcomes", guarded(state, get(outcomes::show).post(outcomes::save)))
        .route("/workshops/{slug}/commitments", guarded(state, post(outcomes::add_commitment)))
        .route(
            "/workshops/{slug}/commitments/{id}",
            guarded(state, get(outcomes::edit_commitment).post(outcomes::update_commitment)),
        )
        .route("/workshops/{slug}/commitments/{id}/delete", guarded(state, post(outcomes::delete_commitment)))
}

/// The JSON API for workshops: reading, registering, and the organisers' writes.
pub fn api(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(guarded_api(state, routes!(api_write::create)))
        .routes(routes!(api::show))
        .routes(guarded_api(state, routes!(api_write::update)))
        .routes(guarded_api(state, routes!(api_write::publish)))
        .routes(guarded_api(state, routes!(api_write::cancel)))
        .routes(guarded_api(state, routes!(api::register)))
        .routes(guarded_api(state, routes!(api::unregister)))
        .routes(routes!(api_participants::list))
        .routes(guarded_api(state, routes!(api_participants::attendance)))
        .routes(guarded_api(state, routes!(api_participants::cancel)))
        .routes(guarded_api(state, routes!(api_participants::add_organiser)))
        .routes(guarded_api(state, routes!(api_participants::remove_organiser)))
        .routes(guarded_api(state, routes!(api_write::agenda_create)))
        .routes(routes!(api::agenda_item))
        .routes(guarded_api(state, routes!(api_write::agenda_update)))
        .routes(guarded_api(state, routes!(api_write::agenda_delete)))
        .routes(guarded_api(state, routes!(api_write::outcomes_update)))
        .routes(guarded_api(state, routes!(api_write::commitment_create)))
        .routes(guarded_api(state, routes!(api_write::commitment_update)))
        .routes(guarded_api(state, routes!(api_write::commitment_delete)))
}

/// `{item}` and `{id}` in addresses are numbers; anything else names nothing.
fn number(text: &str) -> AppResult<i64> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// The workshop `slug` for its organiser `user`, once it has started: attendance and
/// outcomes come after the event (403 before).
pub(crate) async fn started_workshop(state: &AppState, slug: &str, user: &User) -> AppResult<WorkshopRecord> {
    let w = workshop_for(state, slug, Some(user), WorkshopAction::Organise).await?;
    if time::OffsetDateTime::now_utc() < w.draft.starts_at {
        return Err(AppError::Forbidden);
    }
    Ok(w)
}

/// A new draft workshop organised by `user`, its description rendered once (off the
/// async workers); the form and the API create through this. Returns its slug.
pub(crate) async fn create_workshop(state: &AppState, user: &User, draft: &WorkshopDraft) -> AppResult<String> {
    let html = state.renderer.render(draft.description_markdown.clone()).await?;
    state.store.create_workshop(Some(user), draft, &html, Provenance::App).await
}

/// Saves new details over `w`'s (the form and the API). Whether a workshop is
/// illustrative is the content directory's to say, so an edit keeps it.
pub(crate) async fn save_workshop(
    state: &AppState,
    w: &WorkshopRecord,
    mut draft: WorkshopDraft,
    user: &User,
) -> AppResult<()> {
    draft.illustrative = w.draft.illustrative;
    let html = state.renderer.render(draft.description_markdown.clone()).await?;
    state.store.update_workshop(w.id, &draft, &html, Some(user)).await
}

/// Makes the account with this email (as typed) a co-organiser of `w` (the form and the
/// API). `Ok(Err(..))`: no email, or no active account has it.
pub(crate) async fn add_co_organiser(
    state: &AppState,
    w: &WorkshopRecord,
    email: &str,
    user: &User,
) -> AppResult<Result<(), FieldProblem>> {
    let email = normalise_email(email);
    if email.is_empty() {
        return Ok(Err(FieldProblem::Missing));
    }
    let added = state.store.add_organiser(w.id, &w.slug, &email, user).await?;
    Ok(if added { Ok(()) } else { Err(FieldProblem::Unknown) })
}

/// Marks who attended `w` (the form and the API): `attended` may name only people who
/// hold a place (422 otherwise); every other registered person is marked absent.
pub(crate) async fn mark_attendance(
    state: &AppState,
    w: &WorkshopRecord,
    attended: &[i64],
    user: &User,
) -> AppResult<()> {
    let registered: Vec<i64> = state
        .store
        .participants(w.id)
        .await?
        .into_iter()
        .filter(|p| p.state == RegistrationState::Registered)
        .map(|p| p.user_id)
        .collect();
    check_attendance(attended, &registered)
        .map_err(|problem| AppError::InvalidFields(vec![FieldError { field: "attended", problem }]))?;
    state.store.mark_attendance(w.id, &w.slug, attended, user).await
}

/// What a workshop's page and its JSON show beyond the workshop itself, as `user` may see
/// it: read in a fixed number of statements, however long the agenda or the list of
/// commitments.
pub(crate) struct Parts {
    pub agenda: Vec<AgendaItem>,
    pub outcomes: Option<Outcomes>,
    /// Public with the outcomes they belong to; before that, for the organisers alone.
    pub commitments: Vec<CommitmentListing>,
    pub mine: Option<MyRegistration>,
    pub organiser: bool,
    pub link: Option<String>,
}

/// Reads [`Parts`]; `telling` as for `Store::my_registration` (the page tells a person once
/// that a place came free for them).
pub(crate) async fn parts(
    state: &AppState,
    w: &WorkshopRecord,
    user: Option<&User>,
    telling: bool,
) -> AppResult<Parts> {
    let (agenda, outcomes, commitments, mine) = tokio::try_join!(
        state.store.agenda(w.id),
        state.store.outcomes(w.id),
        state.store.commitments_of(w.id),
        async {
            match user {
                Some(user) => state.store.my_registration(w.id, user.id, telling).await,
                None => Ok(None),
            }
        }
    )?;
    let organiser = may(user, WorkshopAction::Organise, &w.access());
    let commitments = if outcomes.is_some() || organiser { commitments } else { Vec::new() };
    let link = online_link(w, organiser, mine.as_ref());
    Ok(Parts { agenda, outcomes, commitments, mine, organiser, link })
}

/// The online link for a viewer who organises the workshop or holds a place in it (not
/// one on the waiting list); `None` for everyone else, and when there is no link. The
/// page and the API both ask here, through [`parts`].
fn online_link(w: &WorkshopRecord, organiser: bool, mine: Option<&MyRegistration>) -> Option<String> {
    let registered = mine.is_some_and(|m| m.state == RegistrationState::Registered);
    (organiser || registered).then(|| w.draft.online_url.clone()).filter(|l| !l.is_empty())
}

/// Where a workshop's page is, with the banner of what was just done.
fn page_after(slug: &str, done: crate::i18n::done::WorkshopDone) -> axum::response::Redirect {
    axum::response::Redirect::to(&format!("/workshops/{slug}?done={done}"))
}
