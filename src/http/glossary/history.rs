//! A concept's history, going back to an earlier revision, and the glossary's recent
//! changes, where admins and editors review what every edit did to search.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{editor, field_label};
use crate::{
    domain::glossary::Concept,
    error::{AppError, AppResult},
    http::{
        extract::{BeforeParam, FormData, Params, Ui},
        session::{self, SignedInUser},
        views::{render, Chrome},
        AppState,
    },
    i18n::{done::GlossaryDone, fill, Catalog},
    store::glossary::ConceptRevision,
};

/// Changes listed per page.
const CHANGES_PER_PAGE: i64 = 50;

/// A revision as the pages list it.
struct RevisionView {
    slug: String,
    label: String,
    revision: i32,
    what: String,
    by: String,
    at: String,
    /// What changed from the revision before, in words.
    changed: String,
    current: bool,
}

fn view(t: &'static Catalog, r: ConceptRevision, current: bool) -> RevisionView {
    let changed = match &r.previous {
        None => String::new(),
        Some(before) => {
            let fields: Vec<&str> = r.concept.changed_fields(before).into_iter().map(|f| field_label(t, f)).collect();
            if fields.is_empty() {
                t.glossary.no_field_changed.to_string()
            } else {
                fill(t.glossary.changed_fields, &[("fields", &fields.join(", "))])
            }
        }
    };
    let label = match t.lang {
        crate::domain::Lang::Es => r.concept.pref_es.clone(),
        crate::domain::Lang::En => r.concept.pref_en.clone(),
    };
    let mut what = t.revision_action(&r.action);
    if !r.note.is_empty() {
        what = format!("{what} ({})", r.note);
    }
    RevisionView {
        slug: r.slug,
        label,
        revision: r.revision,
        what,
        by: r.actor_name.map(|name| fill(t.glossary.by_name, &[("name", &name)])).unwrap_or_default(),
        at: t.date_time(&r.at),
        changed,
        current,
    }
}

#[derive(Template)]
#[template(path = "concept_history.html")]
struct HistoryPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    slug: String,
    revisions: Vec<RevisionView>,
}

pub async fn history(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    editor(&user)?;
    let revisions = state.store.concept_history(&slug).await?;
    let Some(newest) = revisions.first() else { return Err(AppError::NotFound) };
    let t = ui.t;
    let title = fill(t.glossary.history_title, &[("label", &label_of(t, &newest.concept))]);
    let newest = newest.revision;
    let page = HistoryPage {
        chrome: Chrome::for_ui(&ui, title, "glossary"),
        t,
        csrf: session::csrf_token(&session).await?,
        slug,
        revisions: revisions
            .into_iter()
            .map(|r| {
                let current = r.revision == newest;
                view(t, r, current)
            })
            .collect(),
    };
    Ok(render(page)?.into_response())
}

fn label_of(t: &Catalog, concept: &Concept) -> String {
    match t.lang {
        crate::domain::Lang::Es => concept.pref_es.clone(),
        crate::domain::Lang::En => concept.pref_en.clone(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevertInput {
    revision: i32,
}

pub async fn revert(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    FormData(input): FormData<RevertInput>,
) -> AppResult<Response> {
    editor(&user)?;
    state.store.revert_concept(user.id, &slug, input.revision).await?;
    Ok(Redirect::to(&format!("/glossary/{slug}?done={}", GlossaryDone::Reverted)).into_response())
}

#[derive(Template)]
#[template(path = "glossary_changes.html")]
struct ChangesPage {
    chrome: Chrome,
    t: &'static Catalog,
    changes: Vec<RevisionView>,
    older: Option<String>,
}

pub async fn changes(
    State(state): State<AppState>,
    ui: Ui,
    SignedInUser(user): SignedInUser,
    Params(query): Params<BeforeParam>,
) -> AppResult<Response> {
    editor(&user)?;
    let before = query.before()?;
    let rows = state.store.glossary_changes(CHANGES_PER_PAGE, before).await?;
    let t = ui.t;
    let older = (rows.len() as i64 == CHANGES_PER_PAGE)
        .then(|| rows.last().map(|r| format!("/glossary/changes?before={}", r.id)))
        .flatten();
    let page = ChangesPage {
        chrome: Chrome::for_ui(&ui, t.glossary.recent_changes_title, "glossary"),
        t,
        changes: rows.into_iter().map(|r| view(t, r, false)).collect(),
        older,
    };
    Ok(render(page)?.into_response())
}
