//! The glossary: `/glossary` and each concept's page (`pages`), editing them (`edit`),
//! their history and the recent changes (`history`), the JSON API (`api`) and the SKOS
//! export (`skos`). Who may edit is asked of `domain::permission::Glossary`.

mod api;
mod edit;
mod history;
mod pages;
mod skos;

use axum::{
    routing::{get, post},
    Router,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{guarded, kept, AppState};
use crate::{
    domain::{
        account::User,
        permission::{may, Glossary, GlossaryAction},
        FieldError,
    },
    error::{AppError, AppResult},
    http::views::FormErrors,
    i18n::Catalog,
};

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list)).routes(routes!(api::show))
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let reading = Router::new()
        .route("/glossary", get(pages::index))
        .route("/glossary/{slug}", get(pages::concept))
        .route("/glossary.ttl", get(skos::export));
    Router::new()
        .merge(kept(state, reading))
        .route("/glossary", guarded(state, post(edit::create)))
        .route("/glossary/new", get(edit::new_form))
        .route("/glossary/changes", get(history::changes))
        .route("/glossary/{slug}", guarded(state, post(edit::update)))
        .route("/glossary/{slug}/edit", get(edit::edit_form))
        .route("/glossary/{slug}/merge", guarded(state, post(edit::merge)))
        .route("/glossary/{slug}/retire", guarded(state, post(edit::retire)))
        .route("/glossary/{slug}/history", get(history::history))
        .route("/glossary/{slug}/revert", guarded(state, post(history::revert)))
}

/// Editors, facilitators and admins edit the glossary; anyone else gets 403.
fn editor(user: &User) -> AppResult<()> {
    if may(Some(user), GlossaryAction::Edit, &Glossary) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A field of the concept form, named as the form names it.
fn field_label(t: &'static Catalog, field: &str) -> &'static str {
    let g = &t.glossary;
    match field {
        "slug" => g.field_slug,
        "domain" => g.field_domain,
        "pref_es" => g.field_pref_es,
        "pref_en" => g.field_pref_en,
        "alt_es" => g.field_alt_es,
        "alt_en" => g.field_alt_en,
        "acronyms" => g.field_acronyms,
        "hidden_es" => g.field_hidden_es,
        "hidden_en" => g.field_hidden_en,
        "definition_es" => g.field_definition_es,
        "definition_en" => g.field_definition_en,
        "scope_note_es" => g.field_scope_note_es,
        "scope_note_en" => g.field_scope_note_en,
        "legal_basis" => g.field_legal_basis,
        "broader" => g.field_broader,
        "related" => g.field_related,
        "unverified" => g.unverified_badge,
        _ => g.field_into,
    }
}

fn form_errors(t: &'static Catalog, errors: &[FieldError]) -> FormErrors {
    let mut out = FormErrors::default();
    for e in errors {
        out.add(e.field, t.field_problem(field_label(t, e.field), e.problem));
    }
    out
}
