//! The organisers' outcomes page: what was concluded and agreed (published once the
//! workshop has started), and the commitments each region made, added and corrected one
//! at a time.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use crate::{
    domain::{
        commitment::CommitmentStatus,
        draft::format_sources,
        outcome::{RawCommitment, RawOutcomes},
        FieldError,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormPairs, Ui},
        session::{self, SignedInUser},
        views::{option, region_options, render, Chrome, FormErrors, SelectOption},
        AppState,
    },
    i18n::{done::WorkshopDone, fill, Catalog},
    store::{commitments::CommitmentListing, workshops::WorkshopRecord},
};

use super::{number, page_after, started_workshop};

#[derive(Template)]
#[template(path = "workshop_outcomes.html")]
struct OutcomesPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    slug: String,
    published: bool,
    outcomes: RawOutcomes,
    /// How many were marked as attended, shown beside the count.
    attended: String,
    outcome_errors: FormErrors,
    commitments: Vec<CommitmentListing>,
    /// The commitment being edited; `None` for the add form.
    editing: Option<i64>,
    commitment: RawCommitment,
    commitment_errors: FormErrors,
    region_options: Vec<SelectOption>,
    status_options: Vec<SelectOption>,
}

/// Which of the page's two forms a refusal belongs to.
enum Refused {
    None,
    Outcomes(RawOutcomes, Vec<FieldError>),
    Commitment(Option<i64>, RawCommitment, Vec<FieldError>),
}

fn outcome_label(t: &Catalog, field: &str) -> &'static str {
    let w = &t.workshops;
    match field {
        "conclusions" => w.field_conclusions,
        "attendance" => w.field_attendance,
        "organisations" => w.field_organisations,
        _ => w.field_materials,
    }
}

fn commitment_label(t: &Catalog, field: &str) -> &'static str {
    let w = &t.workshops;
    match field {
        "region" => w.field_commitment_region,
        "action" => w.field_action,
        "owner_name" => w.field_owner_name,
        "owner_email" => w.field_owner_email,
        "due_on" => w.field_due_on,
        "status" => w.field_status,
        _ => w.field_cases,
    }
}

fn errors_of(t: &Catalog, errors: &[FieldError], label: fn(&Catalog, &str) -> &'static str) -> FormErrors {
    let mut out = FormErrors::default();
    for e in errors {
        out.add(e.field, t.field_problem(label(t, e.field), e.problem));
    }
    out
}

async fn page(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    w: &WorkshopRecord,
    refused: Refused,
) -> AppResult<Response> {
    let t = ui.t;
    let (stored, commitments, attended, regions) = tokio::try_join!(
        state.store.outcomes(w.id),
        state.store.commitments_of(w.id),
        state.store.attended_count(w.id),
        state.store.regions()
    )?;
    let published = stored.is_some();
    let mut outcomes = stored.map_or_else(
        || RawOutcomes { attendance: attended.to_string(), ..RawOutcomes::default() },
        |o| RawOutcomes {
            conclusions: o.conclusions_markdown,
            attendance: o.attendance.map(|n| n.to_string()).unwrap_or_default(),
            organisations: o.organisations.join("\n"),
            materials: format_sources(&o.materials),
        },
    );
    let (mut editing, mut commitment) = (None, RawCommitment::default());
    let (mut outcome_errors, mut commitment_errors) = (FormErrors::default(), FormErrors::default());
    match refused {
        Refused::None => {}
        Refused::Outcomes(raw, errors) => {
            outcomes = raw;
            outcome_errors = errors_of(t, &errors, outcome_label);
        }
        Refused::Commitment(id, raw, errors) => {
            editing = id;
            commitment = raw;
            commitment_errors = errors_of(t, &errors, commitment_label);
        }
    }
    let csrf = session::csrf_token(session).await?;
    let status_options = CommitmentStatus::ALL
        .iter()
        .map(|s| option(s.as_str(), t.commitment_status(s), Some(commitment.status.as_str())))
        .collect();
    let status = if outcome_errors.is_empty() && commitment_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OutcomesPage {
        chrome: Chrome::for_ui(ui, fill(t.workshops.outcomes_title, &[("title", &w.draft.title)]), "workshops"),
        t,
        csrf,
        slug: w.slug.clone(),
        published,
        outcomes,
        attended: fill(t.workshops.attendance_prefilled, &[("n", &attended)]),
        outcome_errors,
        commitments,
        editing,
        region_options: region_options(&regions, Some(&commitment.region)),
        status_options,
        commitment,
        commitment_errors,
    };
    Ok((status, render(page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let w = started_workshop(&state, &slug, &user).await?;
    page(&state, &ui, &session, &w, Refused::None).await
}

pub async fn save(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = started_workshop(&state, &slug, &user).await?;
    let raw = RawOutcomes {
        conclusions: form.one("conclusions"),
        attendance: form.one("attendance"),
        organisations: form.one("organisations"),
        materials: form.one("materials"),
    };
    let draft = match raw.validate() {
        Ok(draft) => draft,
        Err(errors) => return page(&state, &ui, &session, &w, Refused::Outcomes(raw, errors)).await,
    };
    let html = state.renderer.render(draft.conclusions_markdown.clone()).await?;
    state.store.save_outcomes(w.id, &w.slug, &draft, &html, Some(&user)).await?;
    Ok(page_after(&w.slug, WorkshopDone::Outcomes).into_response())
}

fn raw_commitment(form: &FormPairs) -> RawCommitment {
    RawCommitment {
        region: form.one("region"),
        action: form.one("action"),
        owner_name: form.one("owner_name"),
        owner_email: form.one("owner_email"),
        due_on: form.one("due_on"),
        status: form.one("status"),
        cases: form.one("cases"),
    }
}

fn back(slug: &str) -> Redirect {
    Redirect::to(&format!("/workshops/{slug}/outcomes?done={}#commitments", WorkshopDone::Commitment))
}

pub async fn add_commitment(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = started_workshop(&state, &slug, &user).await?;
    let raw = raw_commitment(&form);
    let errors = match state.store.check_commitment(&raw, &[]).await? {
        Ok(draft) => match state.store.add_commitment(w.id, &w.slug, &draft, Some(&user)).await {
            Ok(_) => return Ok(back(&w.slug).into_response()),
            Err(AppError::InvalidFields(errors)) => errors,
            Err(err) => return Err(err),
        },
        Err(errors) => errors,
    };
    page(&state, &ui, &session, &w, Refused::Commitment(None, raw, errors)).await
}

pub async fn edit_commitment(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let w = started_workshop(&state, &slug, &user).await?;
    let record = state.store.commitment(number(&id)?).await?.filter(|c| c.workshop_id == w.id);
    let record = record.ok_or(AppError::NotFound)?;
    let c = &record.listing;
    let raw = RawCommitment {
        region: c.region_slug.clone(),
        action: c.action.clone(),
        owner_name: c.owner_name.clone(),
        owner_email: record.owner_email.clone().unwrap_or_default(),
        due_on: c.due_on.map(|d| d.to_string()).unwrap_or_default(),
        status: c.status.as_str().to_string(),
        cases: record.case_slugs.join("\n"),
    };
    page(&state, &ui, &session, &w, Refused::Commitment(Some(c.id), raw, Vec::new())).await
}

pub async fn update_commitment(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path((slug, id)): Path<(String, String)>,
    form: FormPairs,
) -> AppResult<Response> {
    let w = started_workshop(&state, &slug, &user).await?;
    let id = number(&id)?;
    let raw = raw_commitment(&form);
    let kept = state.store.commitment(id).await?.map(|c| c.case_slugs).unwrap_or_default();
    let errors = match state.store.check_commitment(&raw, &kept).await? {
        Ok(draft) => match state.store.update_commitment(w.id, id, &draft, &user).await {
            Ok(()) => return Ok(back(&w.slug).into_response()),
            Err(AppError::InvalidFields(errors)) => errors,
            Err(err) => return Err(err),
        },
        Err(errors) => errors,
    };
    page(&state, &ui, &session, &w, Refused::Commitment(Some(id), raw, errors)).await
}

pub async fn delete_commitment(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Redirect> {
    let w = started_workshop(&state, &slug, &user).await?;
    state.store.delete_commitment(w.id, &w.slug, number(&id)?, &user).await?;
    Ok(back(&w.slug))
}
