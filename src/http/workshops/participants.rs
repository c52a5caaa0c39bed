//! The organisers' view of who is coming: the registered and waiting lists, attendance
//! after the event, the CSV export, and the co-organisers.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{
    domain::{permission::WorkshopAction, workshop::RegistrationState},
    error::{AppError, AppResult},
    http::{
        extract::{FormPairs, Params, Ui},
        session::{self, SignedInUser},
        views::{render, Chrome},
        AppState,
    },
    i18n::{done::WorkshopDone, fill, Catalog},
    store::workshops::{Participant, WorkshopRecord},
};

use super::{add_co_organiser, mark_attendance, number, started_workshop, workshop_for};

#[derive(Template)]
#[template(path = "workshop_participants.html")]
struct ParticipantsPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    w: WorkshopRecord,
    registered: Vec<Participant>,
    waiting: Vec<Participant>,
    /// Attendance can be marked once the workshop has started.
    started: bool,
    upcoming: bool,
    done: Option<WorkshopDone>,
    organiser_error: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
    organiser: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    Params(query): Params<PageQuery>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let people = state.store.participants(w.id).await?;
    let (registered, waiting) = people.into_iter().partition(|p| p.state == RegistrationState::Registered);
    let now = OffsetDateTime::now_utc();
    let t = ui.t;
    let organiser_error = query.organiser.as_deref() == Some("unknown");
    let csrf = session::csrf_token(&session).await?;
    let page = ParticipantsPage {
        chrome: Chrome::for_ui(&ui, fill(t.workshops.participants_title, &[("title", &w.draft.title)]), "workshops"),
        t,
        csrf,
        started: now >= w.draft.starts_at,
        upcoming: now < w.draft.starts_at,
        registered,
        waiting,
        done: query.done.as_deref().and_then(WorkshopDone::parse),
        organiser_error,
        w,
    };
    let status = if organiser_error { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(page)?).into_response())
}

fn back(slug: &str, done: WorkshopDone) -> Redirect {
    Redirect::to(&format!("/workshops/{slug}/participants?done={done}"))
}

/// Saves who attended: the ticked boxes are the people who came.
pub async fn attendance(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Redirect> {
    let w = started_workshop(&state, &slug, &user).await?;
    let attended: Vec<i64> = form.all("attended").iter().filter_map(|id| id.parse().ok()).collect();
    mark_attendance(&state, &w, &attended, &user).await?;
    Ok(back(&w.slug, WorkshopDone::Attendance))
}

/// An organiser cancels someone's registration (audited).
pub async fn remove(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let account = number(&id)?;
    state.store.cancel_registration(w.id, &w.slug, account, Some(&user), OffsetDateTime::now_utc()).await?;
    Ok(back(&w.slug, WorkshopDone::ParticipantRemoved))
}

pub async fn add_organiser(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    if add_co_organiser(&state, &w, &form.one("email"), &user).await?.is_err() {
        return Ok(Redirect::to(&format!("/workshops/{}/participants?organiser=unknown#organisers", w.slug)));
    }
    Ok(back(&w.slug, WorkshopDone::Organisers))
}

pub async fn remove_organiser(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let account = number(&id)?;
    state.store.remove_organiser(w.id, &w.slug, account, &user).await?;
    Ok(back(&w.slug, WorkshopDone::Organisers))
}

/// A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one) starts with an apostrophe instead, which shows as text.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The list as CSV: UTF-8 with a byte-order mark (so that Excel reads "Ñ" as itself), as
/// an attachment that no cache keeps.
pub async fn export(
    State(state): State<AppState>,
    ui: Ui,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let people = state.store.participants(w.id).await?;
    let body = participants_csv(ui.t, &people).map_err(|err| AppError::Internal(err.into()))?;
    let disposition = format!("attachment; filename=\"{}.csv\"", w.slug);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // A slug is ASCII letters, digits and hyphens: always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn participants_csv(t: &Catalog, people: &[Participant]) -> Result<Vec<u8>, csv::Error> {
    let w = &t.workshops;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record([
        w.col_name,
        w.col_email,
        w.col_organisation,
        w.col_region,
        w.registration_heading,
        w.col_registered_at,
        w.col_attended,
    ])?;
    for p in people {
        let attended = match p.attended {
            Some(true) => t.common.answer_yes,
            Some(false) => t.common.answer_no,
            None => "",
        };
        out.write_record([
            neutralise(t.person_name(&p.name)),
            neutralise(p.email.as_deref().unwrap_or_default()),
            neutralise(&p.organisation),
            neutralise(p.region_name.as_deref().unwrap_or_default()),
            t.registration_state(&p.state).to_string(),
            t.iso_datetime(&p.registered_at),
            attended.to_string(),
        ])?;
    }
    out.into_inner().map_err(|err| csv::Error::from(err.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_made_text() {
        for hostile in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            let safe = neutralise(hostile);
            assert!(safe.starts_with('\''), "{hostile:?} → {safe:?}");
            assert_eq!(&safe[1..], hostile);
        }
        assert_eq!(neutralise("Ñuñoa"), "Ñuñoa");
        assert_eq!(neutralise("a=b"), "a=b");
    }
}
