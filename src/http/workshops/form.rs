//! The new and edit forms of a workshop's details. Facilitators and admins create; the
//! organisers edit. The description is rendered once per save, off the async workers.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::{
    domain::{
        account::User,
        permission::{may, WorkshopAction, Workshops, WorkshopsAction},
        region::Region,
        workshop::{Format, RawWorkshop},
        FieldError,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormPairs, Ui},
        session::{self, SignedInUser},
        views::{option, render, Chrome, FormErrors, SelectOption},
        AppState,
    },
    i18n::{done::WorkshopDone, fill, Catalog},
    store::workshops::WorkshopRecord,
};

use super::{create_workshop, page_after, save_workshop, workshop_for};

/// A region checkbox.
pub struct RegionChoice {
    pub slug: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "workshop_form.html")]
struct WorkshopFormPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    errors: FormErrors,
    /// `/workshops/new` or `/workshops/{slug}/edit`.
    action: String,
    slug: Option<String>,
    form: RawWorkshop,
    format_options: Vec<SelectOption>,
    regions: Vec<RegionChoice>,
    /// How many are registered, beside the capacity field when editing.
    registered: Option<String>,
}

fn raw_workshop(form: &FormPairs) -> RawWorkshop {
    RawWorkshop {
        title: form.one("title"),
        summary: form.one("summary"),
        description: form.one("description"),
        start_date: form.one("start_date"),
        start_time: form.one("start_time"),
        end_date: form.one("end_date"),
        end_time: form.one("end_time"),
        format: form.one("format"),
        venue: form.one("venue"),
        city: form.one("city"),
        online_url: form.one("online_url"),
        capacity: form.one("capacity"),
        deadline_date: form.one("deadline_date"),
        deadline_time: form.one("deadline_time"),
        regions: form.all("regions"),
        region_count: form.one("region_count"),
        cases: form.one("cases"),
    }
}

/// The labels of the form's fields, for messages.
pub fn field_label(t: &Catalog, field: &str) -> &'static str {
    let w = &t.workshops;
    match field {
        "title" => w.field_title,
        "summary" => w.field_summary,
        "description" => w.field_description,
        "start_date" => w.field_start_date,
        "start_time" => w.field_start_time,
        "end_date" => w.field_end_date,
        "end_time" => w.field_end_time,
        "format" => w.field_format,
        "venue" => w.field_venue,
        "city" => w.field_city,
        "online_url" => w.field_online_url,
        "capacity" => w.field_capacity,
        "deadline_date" | "deadline_time" => w.field_deadline_date,
        "regions" => w.field_regions,
        "region_count" => w.field_region_count,
        _ => w.field_cases,
    }
}

fn form_errors(t: &Catalog, errors: &[FieldError]) -> FormErrors {
    let mut out = FormErrors::default();
    for e in errors {
        out.add(e.field, t.field_problem(field_label(t, e.field), e.problem));
    }
    out
}

fn page(
    ui: &Ui,
    csrf: String,
    regions: &[Region],
    existing: Option<&WorkshopRecord>,
    form: RawWorkshop,
    errors: FormErrors,
) -> WorkshopFormPage {
    let t = ui.t;
    let title = if existing.is_some() { t.workshops.edit_workshop_title } else { t.workshops.new_workshop_title };
    let slug = existing.map(|w| w.slug.clone());
    WorkshopFormPage {
        chrome: Chrome::for_ui(ui, title, "workshops"),
        t,
        csrf,
        errors,
        action: slug.as_ref().map_or_else(|| "/workshops/new".to_string(), |s| format!("/workshops/{s}/edit")),
        slug,
        format_options: Format::ALL.iter().map(|f| option(f.as_str(), t.format(f), Some(&form.format))).collect(),
        regions: regions
            .iter()
            .map(|r| RegionChoice {
                slug: r.slug.clone(),
                label: r.name.clone(),
                checked: form.regions.contains(&r.slug),
            })
            .collect(),
        registered: existing.map(|w| fill(t.workshops.capacity_registered, &[("n", &w.registered)])),
        form,
    }
}

fn refused(page: WorkshopFormPage) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

fn may_create(user: &User) -> AppResult<()> {
    if may(Some(user), WorkshopsAction::Create, &Workshops) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
) -> AppResult<Response> {
    may_create(&user)?;
    let regions = state.store.regions().await?;
    let csrf = session::csrf_token(&session).await?;
    let form = RawWorkshop { format: Format::InPerson.as_str().to_string(), ..RawWorkshop::default() };
    Ok(render(page(&ui, csrf, &regions, None, form, FormErrors::default()))?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    form: FormPairs,
) -> AppResult<Response> {
    may_create(&user)?;
    let raw = raw_workshop(&form);
    let draft = match state.store.check_workshop(&raw, &[]).await? {
        Ok(draft) => draft,
        Err(errors) => {
            let (regions, csrf) = (state.store.regions().await?, session::csrf_token(&session).await?);
            return refused(page(&ui, csrf, &regions, None, raw, form_errors(ui.t, &errors)));
        }
    };
    let slug = create_workshop(&state, &user, &draft).await?;
    Ok(page_after(&slug, WorkshopDone::Created).into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let regions = state.store.regions().await?;
    let csrf = session::csrf_token(&session).await?;
    let form = RawWorkshop::from_draft(&w.draft);
    Ok(render(page(&ui, csrf, &regions, Some(&w), form, FormErrors::default()))?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::Organise).await?;
    let raw = raw_workshop(&form);
    let result = match state.store.check_workshop(&raw, &w.draft.cases).await? {
        Ok(draft) => match save_workshop(&state, &w, draft, &user).await {
            Ok(()) => return Ok(page_after(&w.slug, WorkshopDone::Saved).into_response()),
            Err(AppError::InvalidFields(errors)) => errors,
            Err(err) => return Err(err),
        },
        Err(errors) => errors,
    };
    let (regions, csrf) = (state.store.regions().await?, session::csrf_token(&session).await?);
    refused(page(&ui, csrf, &regions, Some(&w), raw, form_errors(ui.t, &result)))
}
