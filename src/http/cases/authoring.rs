//! Writing cases: the new and edit forms with their preview. Who may do what is decided in
//! `domain::permission` and asked through the gate.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::{
    domain::{
        account::User,
        case::{Kind, Language},
        draft::{format_sources, parse_sources, CaseDraft, RawDraft},
        permission::{may, CaseAction, Library, LibraryAction},
        region::Region,
        revision::Origin,
        theme::{sort_by_name, Theme},
        FieldError,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormPairs, Ui},
        gate::{case_for, may_move},
        session::{self, SignedInUser},
        views::{option, region_options, render, Chrome, FormErrors, SelectOption},
        AppState,
    },
    i18n::{done::CaseDone, Catalog},
    markdown::RenderError,
};

/// A theme checkbox.
pub struct ThemeChoice {
    pub slug: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct CaseFormPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    errors: FormErrors,
    /// Where the form posts: `/cases/new` or `/cases/{slug}/edit`.
    action: String,
    /// The case being edited, for the cancel link; `None` for a new case.
    slug: Option<String>,
    base_revision: i32,
    form: RawDraft,
    sources_text: String,
    kind_options: Vec<SelectOption>,
    language_options: Vec<SelectOption>,
    region_options: Vec<SelectOption>,
    themes: Vec<ThemeChoice>,
    /// Rendered and sanitized body, when the preview button was pressed.
    preview: Option<String>,
    /// Another save came first: link to what is there now.
    conflict: bool,
}

/// What the form's buttons asked for.
enum Intent {
    Preview,
    Save,
}

fn raw_draft(form: &FormPairs) -> (RawDraft, String) {
    let sources_text = form.one("sources");
    let raw = RawDraft {
        title: form.one("title"),
        kind: form.one("kind"),
        region: form.one("region"),
        themes: form.all("themes"),
        language: form.one("language"),
        year: form.one("year"),
        summary: form.one("summary"),
        sources: parse_sources(&sources_text),
        body_markdown: form.one("body"),
        illustrative: form.one("illustrative") == "yes",
    };
    (raw, sources_text)
}

fn intent(form: &FormPairs) -> Intent {
    if form.one("intent") == "preview" {
        Intent::Preview
    } else {
        Intent::Save
    }
}

/// The labels of the form's fields, for messages.
fn field_label(t: &Catalog, field: &str) -> &'static str {
    match field {
        "title" => t.cases.field_title,
        "kind" => t.cases.field_kind,
        "region" => t.common.field_region,
        "themes" => t.cases.field_themes,
        "language" => t.cases.field_case_language,
        "year" => t.cases.field_year,
        "summary" => t.cases.field_summary,
        "sources" => t.cases.field_sources,
        _ => t.cases.field_body,
    }
}

pub fn form_errors(t: &Catalog, errors: &[FieldError]) -> FormErrors {
    let mut out = FormErrors::default();
    for e in errors {
        out.add(e.field, t.field_problem(field_label(t, e.field), e.problem));
    }
    out
}

struct FormContext<'a> {
    ui: &'a Ui,
    csrf: String,
    regions: &'a [Region],
    themes: &'a [Theme],
}

impl FormContext<'_> {
    /// The Preview button: the body is checked like a save would check it (so its length
    /// limit bounds the work), each account may ask [`crate::http::throttle::PREVIEWS_PER_WINDOW`] times a
    /// minute, and rendering waits for a free core. Whatever happens, the text stays in the
    /// form. Other fields' problems wait for the save: a half-written form may be previewed.
    #[allow(clippy::too_many_arguments)]
    async fn preview(
        &self,
        state: &AppState,
        user: &User,
        slug: Option<String>,
        base_revision: i32,
        raw: RawDraft,
        sources_text: String,
        checked: Result<CaseDraft, Vec<FieldError>>,
    ) -> AppResult<Response> {
        let t = self.ui.t;
        let body_problems: Vec<FieldError> =
            checked.err().unwrap_or_default().into_iter().filter(|e| e.field == "body").collect();
        let refused = |status: StatusCode, errors: FormErrors, raw: RawDraft, sources_text: String| {
            let page = self.page(slug.clone(), base_revision, raw, sources_text, errors, None, false);
            Ok((status, render(page)?).into_response())
        };
        if !body_problems.is_empty() {
            return refused(StatusCode::UNPROCESSABLE_ENTITY, form_errors(t, &body_problems), raw, sources_text);
        }
        if !state.previews.allow(user.id) {
            let mut errors = FormErrors::default();
            errors.add("body", t.cases.preview_too_many);
            return refused(StatusCode::TOO_MANY_REQUESTS, errors, raw, sources_text);
        }
        match state.renderer.render(raw.body_markdown.clone()).await {
            Ok(html) => {
                let page = self.page(slug, base_revision, raw, sources_text, FormErrors::default(), Some(html), false);
                Ok(render(page)?.into_response())
            }
            Err(RenderError::Busy) => self.busy(slug, base_revision, raw, sources_text),
            Err(err) => Err(err.into()),
        }
    }

    /// Every core is rendering: the form again, with the text, and "try again".
    fn busy(
        &self,
        slug: Option<String>,
        base_revision: i32,
        raw: RawDraft,
        sources_text: String,
    ) -> AppResult<Response> {
        let mut errors = FormErrors::default();
        errors.add("body", self.ui.t.common.error_busy);
        let page = self.page(slug, base_revision, raw, sources_text, errors, None, false);
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, render(page)?).into_response();
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        Ok(response)
    }

    #[allow(clippy::too_many_arguments)]
    fn page(
        &self,
        slug: Option<String>,
        base_revision: i32,
        form: RawDraft,
        sources_text: String,
        errors: FormErrors,
        preview: Option<String>,
        conflict: bool,
    ) -> CaseFormPage {
        let t = self.ui.t;
        let title = if slug.is_some() { t.cases.edit_case_title } else { t.cases.new_case_title };
        CaseFormPage {
            chrome: Chrome::for_ui(self.ui, title, if slug.is_some() { "" } else { "new" }),
            t,
            csrf: self.csrf.clone(),
            errors,
            action: slug.as_ref().map_or_else(|| "/cases/new".to_string(), |s| format!("/cases/{s}/edit")),
            base_revision,
            kind_options: Kind::ALL.iter().map(|k| option(k.as_str(), t.kind(k), Some(&form.kind))).collect(),
            language_options: Language::ALL
                .iter()
                .map(|l| option(l.as_str(), t.language(l), Some(&form.language)))
                .collect(),
            region_options: region_options(self.regions, Some(&form.region)),
            themes: self
                .themes
                .iter()
                .map(|th| ThemeChoice {
                    slug: th.slug.clone(),
                    label: th.name(&self.ui.lang).to_string(),
                    checked: form.themes.contains(&th.slug),
                })
                .collect(),
            slug,
            sources_text,
            form,
            preview,
            conflict,
        }
    }
}

/// The regions and themes the form offers, themes in the reader's alphabetical order.
async fn form_choices(state: &AppState, ui: &Ui) -> AppResult<(Vec<Region>, Vec<Theme>)> {
    let (regions, mut themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    sort_by_name(&mut themes, ui.lang);
    Ok((regions, themes))
}

pub async fn new_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
) -> AppResult<Response> {
    let (regions, themes) = form_choices(&state, &ui).await?;
    let form = RawDraft {
        region: user.region.clone().unwrap_or_default(),
        language: ui.lang.code().to_string(),
        year: OffsetDateTime::now_utc().year().to_string(),
        ..RawDraft::default()
    };
    let context =
        FormContext { ui: &ui, csrf: session::csrf_token(&session).await?, regions: &regions, themes: &themes };
    Ok(render(context.page(None, 0, form, String::new(), FormErrors::default(), None, false))?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    form: FormPairs,
) -> AppResult<Response> {
    if !may(Some(&user), LibraryAction::Propose, &Library) {
        return Err(AppError::Forbidden);
    }
    let (regions, themes) = form_choices(&state, &ui).await?;
    let (raw, sources_text) = raw_draft(&form);
    let context =
        FormContext { ui: &ui, csrf: session::csrf_token(&session).await?, regions: &regions, themes: &themes };
    let checked = raw.validate(&regions, &themes);
    match (intent(&form), checked) {
        (Intent::Save, Ok(draft)) => {
            let html = match state.renderer.render(draft.body_markdown.clone()).await {
                Ok(html) => html,
                Err(RenderError::Busy) => return context.busy(None, 0, raw, sources_text),
                Err(err) => return Err(err.into()),
            };
            let slug = state.store.create_case(&user, &draft, &html, Origin::Form).await?;
            Ok(Redirect::to(&format!("/cases/{slug}?done={}", CaseDone::Created)).into_response())
        }
        (Intent::Save, Err(errors)) => {
            let page = context.page(None, 0, raw, sources_text, form_errors(ui.t, &errors), None, false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        (Intent::Preview, checked) => context.preview(&state, &user, None, 0, raw, sources_text, checked).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let record = case_for(&state, &slug, Some(&user), CaseAction::Edit).await?;
    let (regions, themes) = form_choices(&state, &ui).await?;
    let context =
        FormContext { ui: &ui, csrf: session::csrf_token(&session).await?, regions: &regions, themes: &themes };
    let sources_text = format_sources(&record.draft.sources);
    let page = context.page(
        Some(record.slug.clone()),
        record.revision,
        RawDraft::from(&record.draft),
        sources_text,
        FormErrors::default(),
        None,
        false,
    );
    Ok(render(page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let record = case_for(&state, &slug, Some(&user), CaseAction::Edit).await?;
    let (regions, themes) = form_choices(&state, &ui).await?;
    let (raw, sources_text) = raw_draft(&form);
    let base_revision = form.one("base_revision").parse::<i32>().map_err(|_| AppError::BadRequest)?;
    let context =
        FormContext { ui: &ui, csrf: session::csrf_token(&session).await?, regions: &regions, themes: &themes };
    let slug = Some(record.slug.clone());
    let checked = raw.validate(&regions, &themes);
    match (intent(&form), checked) {
        (Intent::Save, Ok(draft)) if !may_move(&state, &user, &record, &draft).await? => {
            let mut errors = FormErrors::default();
            errors.add("region", ui.t.cases.region_not_yours);
            let page = context.page(slug, base_revision, raw, sources_text, errors, None, false);
            Ok((StatusCode::FORBIDDEN, render(page)?).into_response())
        }
        (Intent::Save, Ok(draft)) => {
            let html = match state.renderer.render(draft.body_markdown.clone()).await {
                Ok(html) => html,
                Err(RenderError::Busy) => return context.busy(slug, base_revision, raw, sources_text),
                Err(err) => return Err(err.into()),
            };
            match state.store.update_case(record.id, base_revision, &draft, &html, &user, Origin::Form).await {
                Ok(slug) => Ok(Redirect::to(&format!("/cases/{slug}?done={}", CaseDone::Saved)).into_response()),
                Err(AppError::EditConflict) => {
                    // Their text stays in the form; the base stays theirs, so saving again
                    // is refused until they have looked at the other version.
                    let mut errors = FormErrors::default();
                    errors.add("title", ui.t.common.error_edit_conflict);
                    let page = context.page(slug, base_revision, raw, sources_text, errors, None, true);
                    Ok((StatusCode::CONFLICT, render(page)?).into_response())
                }
                Err(err) => Err(err),
            }
        }
        (Intent::Save, Err(errors)) => {
            let page = context.page(slug, base_revision, raw, sources_text, form_errors(ui.t, &errors), None, false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        (Intent::Preview, checked) => {
            context.preview(&state, &user, slug, base_revision, raw, sources_text, checked).await
        }
    }
}
