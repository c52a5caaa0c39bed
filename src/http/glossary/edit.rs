//! Editing the glossary: a new concept, an edit, merging one into another and retiring
//! one, for editors, facilitators and admins (`domain::permission::Glossary`). Lists are
//! written one item per line.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{editor, form_errors};
use crate::{
    domain::glossary::{Concept, Domain},
    error::{AppError, AppResult},
    http::{
        extract::{FormData, Ui},
        session::{self, SignedInUser},
        views::{option, render, Chrome, FormErrors, SelectOption},
        AppState,
    },
    i18n::{done::GlossaryDone, fill, Catalog},
    store::glossary::edit::Save,
};

/// The form as typed: lists as text, one item per line.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RawConcept {
    slug: String,
    domain: String,
    pref_es: String,
    pref_en: String,
    alt_es: String,
    alt_en: String,
    acronyms: String,
    hidden_es: String,
    hidden_en: String,
    definition_es: String,
    definition_en: String,
    scope_note_es: String,
    scope_note_en: String,
    legal_basis: String,
    broader: String,
    related: String,
    unverified: Option<String>,
    /// The revision the form was loaded at: a save over a newer one is refused.
    revision: i32,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl RawConcept {
    fn of(concept: &Concept, revision: i32) -> RawConcept {
        let c = concept.clone();
        RawConcept {
            slug: c.slug,
            domain: c.domain.map(|d| d.as_str().to_string()).unwrap_or_default(),
            pref_es: c.pref_es,
            pref_en: c.pref_en,
            alt_es: c.alt_es.join("\n"),
            alt_en: c.alt_en.join("\n"),
            acronyms: c.acronyms.join("\n"),
            hidden_es: c.hidden_es.join("\n"),
            hidden_en: c.hidden_en.join("\n"),
            definition_es: c.definition_es,
            definition_en: c.definition_en,
            scope_note_es: c.scope_note_es,
            scope_note_en: c.scope_note_en,
            legal_basis: c.legal_basis,
            broader: c.broader.join("\n"),
            related: c.related.join("\n"),
            unverified: c.unverified.then(|| "on".to_string()),
            revision,
        }
    }

    fn concept(&self) -> Concept {
        Concept {
            slug: self.slug.trim().to_string(),
            domain: Domain::parse(self.domain.trim()),
            pref_es: self.pref_es.clone(),
            pref_en: self.pref_en.clone(),
            alt_es: lines(&self.alt_es),
            alt_en: lines(&self.alt_en),
            acronyms: lines(&self.acronyms),
            hidden_es: lines(&self.hidden_es),
            hidden_en: lines(&self.hidden_en),
            definition_es: self.definition_es.clone(),
            definition_en: self.definition_en.clone(),
            scope_note_es: self.scope_note_es.clone(),
            scope_note_en: self.scope_note_en.clone(),
            legal_basis: self.legal_basis.clone(),
            broader: lines(&self.broader),
            related: lines(&self.related),
            unverified: self.unverified.is_some(),
        }
    }
}

/// Merging into another concept, or retiring, from the edit page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RawMove {
    into: String,
    revision: i32,
}

#[derive(Template)]
#[template(path = "concept_form.html")]
struct FormPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    /// `None` for a new concept.
    editing: Option<String>,
    raw: RawConcept,
    into: String,
    errors: FormErrors,
    domain_options: Vec<SelectOption>,
}

async fn form_page(
    ui: &Ui,
    session: &Session,
    editing: Option<String>,
    raw: RawConcept,
    into: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let t = ui.t;
    let title = match &editing {
        Some(_) => fill(t.glossary.form_edit_title, &[("label", &raw.pref_es)]),
        None => t.glossary.form_new_title.to_string(),
    };
    let status = errors.status();
    let page = FormPage {
        chrome: Chrome::for_ui(ui, title, "glossary"),
        t,
        csrf: session::csrf_token(session).await?,
        domain_options: Domain::ALL.iter().map(|d| option(d.as_str(), t.domain_name(d), Some(&raw.domain))).collect(),
        editing,
        raw,
        into,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// Shows the form again with the fields to mend; any other failure stays an error.
async fn or_mend(
    ui: &Ui,
    session: &Session,
    editing: Option<String>,
    raw: RawConcept,
    into: String,
    err: AppError,
) -> AppResult<Response> {
    match err {
        AppError::InvalidFields(fields) => form_page(ui, session, editing, raw, into, form_errors(ui.t, &fields)).await,
        other => Err(other),
    }
}

fn done(slug: &str, done: GlossaryDone) -> Response {
    Redirect::to(&format!("/glossary/{slug}?done={done}")).into_response()
}

pub async fn new_form(ui: Ui, session: Session, SignedInUser(user): SignedInUser) -> AppResult<Response> {
    editor(&user)?;
    form_page(&ui, &session, None, RawConcept::default(), String::new(), FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    FormData(raw): FormData<RawConcept>,
) -> AppResult<Response> {
    editor(&user)?;
    match state.store.save_concept(user.id, Save::Create, raw.concept()).await {
        Ok(slug) => Ok(done(&slug, GlossaryDone::Saved)),
        Err(err) => or_mend(&ui, &session, None, raw, String::new(), err).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    editor(&user)?;
    let stored = state.store.concept(&slug).await?.ok_or(AppError::NotFound)?;
    if stored.retired {
        return Err(AppError::Gone);
    }
    let raw = RawConcept::of(&stored.concept, stored.revision);
    form_page(&ui, &session, Some(slug), raw, String::new(), FormErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    FormData(raw): FormData<RawConcept>,
) -> AppResult<Response> {
    editor(&user)?;
    let save = Save::Edit { slug: &slug, revision: raw.revision };
    match state.store.save_concept(user.id, save, raw.concept()).await {
        Ok(slug) => Ok(done(&slug, GlossaryDone::Saved)),
        Err(err) => or_mend(&ui, &session, Some(slug), raw, String::new(), err).await,
    }
}

pub async fn merge(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    FormData(input): FormData<RawMove>,
) -> AppResult<Response> {
    editor(&user)?;
    let into = input.into.trim().to_string();
    match state.store.merge_concepts(user.id, &slug, input.revision, &into).await {
        Ok(()) => Ok(done(&into, GlossaryDone::Merged)),
        Err(err) => {
            let stored = state.store.concept(&slug).await?.ok_or(AppError::NotFound)?;
            let raw = RawConcept::of(&stored.concept, stored.revision);
            or_mend(&ui, &session, Some(slug), raw, into, err).await
        }
    }
}

pub async fn retire(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    FormData(input): FormData<RawMove>,
) -> AppResult<Response> {
    editor(&user)?;
    state.store.retire_concept(user.id, &slug, input.revision).await?;
    Ok(done(&slug, GlossaryDone::Retired))
}
