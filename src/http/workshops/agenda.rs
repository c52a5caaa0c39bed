//! The organisers' agenda page: the items in order (with a warning where two overlap), a
//! form to add one, and the same form to change one. Items outside the workshop's hours
//! are refused with the reason.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use crate::{
    domain::{
        lima,
        permission::WorkshopAction,
        workshop::{format_clock, outside_hours, overlapping, RawAgendaItem},
        FieldError,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormPairs, Params, Ui},
        session::{self, SignedInUser},
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::{done::WorkshopDone, fill, Catalog},
    store::workshops::{AgendaItem, WorkshopRecord},
};

use super::{number, workshop_for};

/// An item as the organisers' list shows it, with what is worth a warning.
struct AgendaLine {
    item: AgendaItem,
    /// It overlaps the one before (parallel sessions happen).
    overlaps: bool,
    /// The workshop was moved and this item no longer fits its hours.
    outside: bool,
}

#[derive(Template)]
#[template(path = "workshop_agenda.html")]
struct AgendaPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    errors: FormErrors,
    slug: String,
    items: Vec<AgendaLine>,
    /// The item being changed; `None` for the add form.
    editing: Option<i64>,
    form: RawAgendaItem,
    when: String,
    done: bool,
}

fn raw_item(form: &FormPairs) -> RawAgendaItem {
    RawAgendaItem {
        day: form.one("day"),
        time: form.one("time"),
        duration: form.one("duration"),
        title: form.one("title"),
        speakers: form.one("speakers"),
        speaker_emails: form.one("speaker_emails"),
        description: form.one("description"),
        cases: form.one("cases"),
    }
}

fn field_label(t: &Catalog, field: &str) -> &'static str {
    let w = &t.workshops;
    match field {
        "day" => w.field_day,
        "time" => w.field_time,
        "duration" => w.field_duration,
        "title" => w.field_item_title,
        "speakers" => w.field_speakers,
        "speaker_emails" => w.field_speaker_emails,
        "description" => w.field_item_description,
        _ => w.field_cases,
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    w: &WorkshopRecord,
    editing: Option<i64>,
    form: RawAgendaItem,
    errors: &[FieldError],
    done: bool,
) -> AppResult<Response> {
    let t = ui.t;
    let agenda = state.store.agenda(w.id).await?;
    let spans: Vec<_> = agenda.iter().map(|i| (i.starts_at, i.duration_minutes)).collect();
    let overlaps = overlapping(&spans);
    let outside = outside_hours(&spans, w.draft.starts_at, w.draft.ends_at);
    let mut form_errors = FormErrors::default();
    for e in errors {
        form_errors.add(e.field, t.field_problem(field_label(t, e.field), e.problem));
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let csrf = session::csrf_token(session).await?;
    let page = AgendaPage {
        chrome: Chrome::for_ui(ui, fill(t.workshops.agenda_title, &[("title", &w.draft.title)]), "workshops"),
        t,
        csrf,
        errors: form_errors,
        slug: w.slug.clone(),
        items: agenda
            .into_iter()
            .enumerate()
            .map(|(i, item)| AgendaLine { item, overlaps: overlaps.contains(&i), outside: outside.contains(&i) })
            .collect(),
        editing,
        form,
        when: t.workshop_when(&w.draft.starts_at, &w.draft.ends_at, &w.draft.all_day),
        done,
    };
    Ok((status, render(page)?).into_response())
}

/// The form's fields for a stored item.
fn raw_of(item: &AgendaItem, first_day: time::Date) -> RawAgendaItem {
    let at = lima::to_lima(item.starts_at);
    RawAgendaItem {
        day: if at.date() == first_day { String::new() } else { at.date().to_string() },
        time: format_clock(at.time()),
        duration: item.duration_minutes.to_string(),
        title: item.title.clone(),
        speakers: item.speakers.clone(),
        speaker_emails: item.speaker_emails.join("\n"),
        description: item.description.clone(),
        cases: item.case_slugs.join("\n"),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct AgendaQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    Params(query): Params<AgendaQuery>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let done = query.done.as_deref() == Some(WorkshopDone::Agenda.as_str());
    page(&state, &ui, &session, &w, None, RawAgendaItem::default(), &[], done).await
}

fn back(slug: &str) -> Redirect {
    Redirect::to(&format!("/workshops/{slug}/agenda?done={}", WorkshopDone::Agenda))
}

pub async fn add(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let raw = raw_item(&form);
    let errors = match state.store.check_agenda_item(&raw, w.draft.starts_at, w.draft.ends_at, &[]).await? {
        Ok(draft) => match state.store.add_agenda_item(w.id, &w.slug, &draft, &user).await {
            Ok(_) => return Ok(back(&w.slug).into_response()),
            Err(AppError::InvalidFields(errors)) => errors,
            Err(err) => return Err(err),
        },
        Err(errors) => errors,
    };
    page(&state, &ui, &session, &w, None, raw, &errors, false).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path((slug, item)): Path<(String, String)>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let item = number(&item)?;
    let agenda = state.store.agenda(w.id).await?;
    let found = agenda.iter().find(|i| i.id == item).ok_or(AppError::NotFound)?;
    let raw = raw_of(found, lima::to_lima(w.draft.starts_at).date());
    page(&state, &ui, &session, &w, Some(item), raw, &[], false).await
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path((slug, item)): Path<(String, String)>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let item = number(&item)?;
    let raw = raw_item(&form);
    let agenda = state.store.agenda(w.id).await?;
    let kept = agenda.iter().find(|i| i.id == item).map(|i| i.case_slugs.clone()).unwrap_or_default();
    let errors = match state.store.check_agenda_item(&raw, w.draft.starts_at, w.draft.ends_at, &kept).await? {
        Ok(draft) => match state.store.update_agenda_item(w.id, &w.slug, item, &draft, &user).await {
            Ok(()) => return Ok(back(&w.slug).into_response()),
            Err(AppError::InvalidFields(errors)) => errors,
            Err(err) => return Err(err),
        },
        Err(errors) => errors,
    };
    page(&state, &ui, &session, &w, Some(item), raw, &errors, false).await
}

pub async fn delete(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path((slug, item)): Path<(String, String)>,
) -> AppResult<Redirect> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    state.store.delete_agenda_item(w.id, &w.slug, number(&item)?, &user).await?;
    Ok(back(&w.slug))
}
