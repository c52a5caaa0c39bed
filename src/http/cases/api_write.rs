//! Writing cases through the API: `POST /api/v1/cases` and `PUT /api/v1/cases/{slug}`,
//! under the same rules as the forms. Scripts authenticate with a personal API token.

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::{detail, moved, CaseDetail};
use crate::{
    domain::{
        account::User,
        case::{Source, Status},
        draft::{CaseDraft, RawDraft},
        permission::{may, CaseAccess, CaseAction, Library, LibraryAction},
        revision::Origin,
        FieldError, FieldProblem,
    },
    error::{AppError, AppResult},
    http::{
        extract::JsonBody,
        gate::{case_for, may_move},
        middleware::ErrorBody,
        session::Viewer,
        AppState,
    },
    store::cases::Lookup,
};

/// A case's text as a script sends it. `revision` is required by `PUT`; `status` asks for
/// a workflow step (`submitted`, `published` or `unpublished`) after the save.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CaseInput {
    /// At most 200 characters.
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title: String,
    /// `case` or `success-story`.
    #[schema(required = true, example = "case")]
    pub kind: String,
    /// A region slug.
    #[schema(required = true)]
    pub region: String,
    /// Theme slugs; at least one.
    #[schema(required = true, min_items = 1)]
    pub themes: Vec<String>,
    /// `es` or `en`.
    #[schema(required = true, example = "es")]
    pub language: String,
    #[schema(required = true, minimum = 1900, maximum = 2100)]
    pub year: Option<i64>,
    /// At most 1,000 characters.
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub summary: String,
    /// At most 30.
    #[schema(max_items = 30)]
    pub sources: Vec<Source>,
    /// At most 200,000 characters.
    #[schema(required = true, min_length = 1, max_length = 200000)]
    pub body_markdown: String,
    /// True for an example invented for peer learning rather than a fact: the site shows it
    /// with a badge. Left out: false for a new case, unchanged by a `PUT`.
    pub illustrative: Option<bool>,
    /// The revision this text was based on (from `GET`); required by `PUT`, where a save
    /// over a newer one is 409.
    #[schema(minimum = 1)]
    pub revision: Option<i32>,
    /// A workflow step after the save: `submitted`, `published` or `unpublished`.
    pub status: Option<String>,
}

impl CaseInput {
    /// The draft as typed; `illustrative` stays `keep` when the input does not say.
    fn raw(&self, keep: bool) -> RawDraft {
        RawDraft {
            title: self.title.clone(),
            kind: self.kind.clone(),
            region: self.region.clone(),
            themes: self.themes.clone(),
            language: self.language.clone(),
            year: self.year.map(|y| y.to_string()).unwrap_or_default(),
            summary: self.summary.clone(),
            sources: self.sources.clone(),
            body_markdown: self.body_markdown.clone(),
            illustrative: self.illustrative.unwrap_or(keep),
        }
    }

    /// The requested workflow step, if any.
    fn target(&self) -> Result<Option<Status>, Vec<FieldError>> {
        match self.status.as_deref() {
            None => Ok(None),
            Some(text) => match Status::parse(text) {
                Some(status @ (Status::Submitted | Status::Published | Status::Unpublished)) => Ok(Some(status)),
                _ => Err(vec![FieldError { field: "status", problem: FieldProblem::Unknown }]),
            },
        }
    }
}

/// `keep_illustrative`: the flag a case already has (false for a new one).
async fn validate(
    state: &AppState,
    input: &CaseInput,
    keep_illustrative: bool,
) -> AppResult<(CaseDraft, Option<Status>)> {
    let (regions, themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    let mut errors = match input.raw(keep_illustrative).validate(&regions, &themes) {
        Ok(draft) => return Ok((draft, input.target().map_err(AppError::InvalidFields)?)),
        Err(errors) => errors,
    };
    if let Err(more) = input.target() {
        errors.extend(more);
    }
    Err(AppError::InvalidFields(errors))
}

/// The workflow steps from `from` to `to`, in order: a draft asked to be published is
/// submitted first, as review is a step of its own.
fn steps(from: Status, to: Status) -> Vec<(CaseAction, Status)> {
    match (from, to) {
        (from, to) if from == to => Vec::new(),
        (Status::Draft, Status::Published) => {
            vec![(CaseAction::Submit, Status::Submitted), (CaseAction::Publish, Status::Published)]
        }
        (_, Status::Submitted) => vec![(CaseAction::Submit, Status::Submitted)],
        (_, Status::Published) => vec![(CaseAction::Publish, Status::Published)],
        _ => vec![(CaseAction::Unpublish, Status::Unpublished)],
    }
}

/// Refuses a requested workflow step before anything is saved, so that a refused request
/// changes nothing. `after` is the case as it will be once the text is saved.
fn check_steps(user: &User, target: Option<Status>, after: &CaseAccess) -> AppResult<()> {
    let Some(to) = target else { return Ok(()) };
    let mut access = after.clone();
    for (action, status) in steps(after.status, to) {
        if !may(Some(user), action, &access) {
            return Err(AppError::Forbidden);
        }
        access.status = status;
    }
    Ok(())
}

/// Applies a requested (and already checked) workflow step.
async fn step(state: &AppState, user: &User, slug: &str, target: Option<Status>) -> AppResult<()> {
    let Some(to) = target else { return Ok(()) };
    let record = case_for(state, slug, Some(user), CaseAction::View).await?;
    let mut access = record.access();
    for (action, status) in steps(record.status, to) {
        if !may(Some(user), action, &access) {
            return Err(AppError::Forbidden);
        }
        state.store.set_status(record.id, access.status, status, None, user).await?;
        access.status = status;
    }
    Ok(())
}

/// Proposes a new case, as a draft of the caller's (then submits or publishes it, when
/// `status` asks and the caller may).
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = CaseInput,
    responses(
        (status = 201, description = "Created; `Location` gives its address", body = CaseDetail),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may not take the requested workflow step", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
        (status = 503, description = "Every core is rendering; try again in a few seconds (`Retry-After`)", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    JsonBody(input): JsonBody<CaseInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    if !may(Some(user), LibraryAction::Propose, &Library) {
        return Err(AppError::Forbidden);
    }
    let (draft, target) = validate(&state, &input, false).await?;
    let region_path = state.store.region_path(&draft.region).await?;
    check_steps(user, target, &CaseAccess { author_id: Some(user.id), status: Status::Draft, region_path })?;
    let html = state.renderer.render(draft.body_markdown.clone()).await?;
    let slug = state.store.create_case(user, &draft, &html, Origin::Api).await?;
    step(&state, user, &slug, target).await?;
    let record = case_for(&state, &slug, Some(user), CaseAction::View).await?;
    let body = detail(&state, &record.slug, record.revision).await?;
    let location = format!("/api/v1/cases/{}", record.slug);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// Saves new text over the revision named in `revision`.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{slug}",
    tag = "cases",
    params(("slug" = String, Path, description = "The case's slug")),
    request_body = CaseInput,
    responses(
        (status = 200, description = "Saved", body = CaseDetail),
        (status = 308, description = "The case has a new slug; send the same request to `Location`"),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller may see the case but not edit it", body = ErrorBody),
        (status = 404, description = "No case that the caller may see has this slug", body = ErrorBody),
        (status = 409, description = "Someone saved the case after `revision`", body = ErrorBody),
        (status = 410, description = "The case was deleted", body = ErrorBody),
        (status = 422, description = "Fields are not valid; `error.fields` lists them", body = ErrorBody),
        (status = 503, description = "Every core is rendering; try again in a few seconds (`Retry-After`)", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<CaseInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    if crate::domain::slug::validate(&slug).is_ok() {
        if let Lookup::Moved(current) = state.store.find_case(&slug).await? {
            return moved(&state, &current, Some(user)).await;
        }
    }
    let record = case_for(&state, &slug, Some(user), CaseAction::Edit).await?;
    let (draft, target) = validate(&state, &input, record.draft.illustrative).await?;
    let base = input.revision.ok_or_else(|| {
        AppError::InvalidFields(vec![FieldError { field: "revision", problem: FieldProblem::Missing }])
    })?;
    if !may_move(&state, user, &record, &draft).await? {
        return Err(AppError::Forbidden);
    }
    let region_path = state.store.region_path(&draft.region).await?;
    check_steps(user, target, &CaseAccess { author_id: record.author_id, status: record.status, region_path })?;
    let html = state.renderer.render(draft.body_markdown.clone()).await?;
    let slug = state.store.update_case(record.id, base, &draft, &html, user, Origin::Api).await?;
    step(&state, user, &slug, target).await?;
    let record = case_for(&state, &slug, Some(user), CaseAction::View).await?;
    Ok(Json(detail(&state, &record.slug, record.revision).await?).into_response())
}
