//! A case's history: its revisions, a readable diff between any two, and restoring one.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    domain::{
        diff::{self, DiffLine},
        draft::{format_sources, CaseDraft},
        permission::{may, CaseAction},
        region::name_of,
        revision::Origin,
        theme::Theme,
        Lang,
    },
    error::{AppError, AppResult},
    http::{
        cpu::off_workers,
        extract::{FormPairs, Params, Ui},
        gate::case_for,
        session::{self, SignedInUser},
        views::{render, Chrome},
        AppState,
    },
    i18n::{done::CaseDone, Catalog},
    store::cases::RevisionSummary,
};

/// A field whose value differs between the two revisions.
pub struct FieldChange {
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    slug: String,
    title: String,
    revisions: Vec<RevisionSummary>,
    current: i32,
    from: i32,
    to: i32,
    changes: Vec<FieldChange>,
    body: Vec<DiffLine>,
    can_restore: bool,
}

#[derive(Deserialize, Default)]
pub struct Compare {
    from: Option<i32>,
    to: Option<i32>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    Params(compare): Params<Compare>,
) -> AppResult<Response> {
    let record = case_for(&state, &slug, Some(&user), CaseAction::History).await?;
    let revisions = state.store.revisions(record.id).await?;
    let current = record.revision;
    let to = compare.to.unwrap_or(current);
    let from = compare.from.unwrap_or(to.saturating_sub(1)).max(1);
    let (old, new) = tokio::try_join!(state.store.revision(record.id, from), state.store.revision(record.id, to))?;
    let (old, new) = match (old, new) {
        (Some(old), Some(new)) => (old, new),
        _ => return Err(AppError::NotFound),
    };
    let (regions, themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    let describe = Describe { t: ui.t, lang: ui.lang, themes: &themes, regions: &regions };
    let page = HistoryPage {
        chrome: Chrome::for_ui(&ui, ui.t.cases.history_title, ""),
        t: ui.t,
        csrf: session::csrf_token(&session).await?,
        slug: record.slug.clone(),
        title: record.draft.title.clone(),
        current,
        from,
        to,
        changes: describe.changes(&old, &new),
        body: body_diff(&old.body_markdown, &new.body_markdown).await?,
        can_restore: may(Some(&user), CaseAction::Restore, &record.access()),
        revisions,
    };
    Ok(render(page)?.into_response())
}

/// Diffing long bodies is CPU work: off the async workers (and time-limited in `diff`).
async fn body_diff(old: &str, new: &str) -> AppResult<Vec<DiffLine>> {
    let (old, new) = (old.to_string(), new.to_string());
    off_workers(move || diff::lines(&old, &new)).await
}

/// Words a reader understands for each field's value.
struct Describe<'a> {
    t: &'static Catalog,
    lang: Lang,
    themes: &'a [Theme],
    regions: &'a [crate::domain::region::Region],
}

impl Describe<'_> {
    fn changes(&self, old: &CaseDraft, new: &CaseDraft) -> Vec<FieldChange> {
        let t = self.t;
        let theme_names = |slugs: &[String]| {
            slugs
                .iter()
                .map(|s| self.themes.iter().find(|th| &th.slug == s).map_or(s.as_str(), |th| th.name(&self.lang)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let yes_no = |b: bool| if b { t.common.answer_yes } else { t.common.answer_no };
        let fields = [
            (t.cases.field_title, old.title.clone(), new.title.clone()),
            (t.cases.field_kind, t.kind(&old.kind).to_string(), t.kind(&new.kind).to_string()),
            (t.common.field_region, name_of(self.regions, &old.region), name_of(self.regions, &new.region)),
            (t.cases.field_themes, theme_names(&old.themes), theme_names(&new.themes)),
            (t.cases.field_case_language, t.language(&old.language).to_string(), t.language(&new.language).to_string()),
            (t.cases.field_year, old.year.to_string(), new.year.to_string()),
            (t.cases.field_summary, old.summary.clone(), new.summary.clone()),
            (t.cases.field_sources, format_sources(&old.sources), format_sources(&new.sources)),
            (t.cases.field_illustrative, yes_no(old.illustrative).to_string(), yes_no(new.illustrative).to_string()),
        ];
        fields
            .into_iter()
            .filter(|(_, old, new)| old != new)
            .map(|(label, old, new)| FieldChange { label, old, new })
            .collect()
    }
}

/// Makes an older revision the current text, as a new revision. Refused like any save
/// when the case changed since the history page was loaded.
pub async fn restore(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path((slug, number)): Path<(String, String)>,
    form: FormPairs,
) -> AppResult<Redirect> {
    let number = number.parse::<i32>().map_err(|_| AppError::NotFound)?;
    let record = case_for(&state, &slug, Some(&user), CaseAction::Restore).await?;
    let base_revision = form.one("base_revision").parse::<i32>().map_err(|_| AppError::BadRequest)?;
    let draft = state.store.revision(record.id, number).await?.ok_or(AppError::NotFound)?;
    let html = state.renderer.render(draft.body_markdown.clone()).await?;
    let slug = state.store.update_case(record.id, base_revision, &draft, &html, &user, Origin::Restore(number)).await?;
    Ok(Redirect::to(&format!("/cases/{slug}?done={}", CaseDone::Restored)))
}
