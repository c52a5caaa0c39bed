use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::{
    domain::{
        account::User,
        case::{Case, CaseSummary, Kind, Language, Source, Status},
        filter::FilterParams,
        permission::{may, CaseAction},
        region::RegionRef,
        slug,
        theme::ThemeRef,
    },
    error::{AppError, AppResult},
    http::{extract::Params, gate::case_for, middleware::ErrorBody, session::Viewer, AppState},
    store::cases::Lookup,
};

/// A case as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseItem {
    pub slug: String,
    /// Always `published` for anonymous callers; a signed-in caller also gets the cases they
    /// may edit, in any state.
    pub status: Status,
    /// The case's page.
    pub url: String,
    pub title: String,
    pub kind: Kind,
    pub region: RegionRef,
    pub themes: Vec<ThemeRef>,
    pub language: Language,
    #[schema(minimum = 1900, maximum = 2100)]
    pub year: i32,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// True for an example invented for peer learning: it does not describe real events.
    pub illustrative: bool,
}

impl CaseItem {
    pub fn new(base: &str, case: CaseSummary) -> Self {
        CaseItem {
            status: case.status,
            url: format!("{base}/cases/{}", case.slug),
            region: case.region(),
            slug: case.slug,
            title: case.title,
            kind: case.kind,
            themes: case.themes.0,
            language: case.language,
            year: case.year,
            summary: case.summary,
            illustrative: case.illustrative,
            published_at: case.published_at,
            updated_at: case.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseItem>,
    /// How many cases match, over all pages.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A whole published case, with its Markdown source and the HTML rendered from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseItem,
    pub sources: Vec<Source>,
    pub body_markdown: String,
    /// Sanitized HTML.
    pub body_html: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The number of the latest revision: send it back with `PUT` to save over it.
    #[schema(minimum = 1)]
    pub revision: i32,
}

/// Cases, newest first, with the same filters as the `/cases` page: the published ones, and
/// with an API token also those its owner may edit.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(FilterParams),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "A filter is not valid; the message names it", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(query): Params<FilterParams>,
) -> AppResult<Json<CaseList>> {
    let (filter, paging) = query.validate()?;
    let paging = paging.within_reach()?;
    let (regions, themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    filter.check_refs(&regions, &themes)?;
    let (cases, total) = state.store.list_cases(&filter, paging, viewer.user()).await?;
    Ok(Json(CaseList {
        cases: cases.into_iter().map(|c| CaseItem::new(&state.public_url, c)).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One case: a published one, or for a signed-in caller one they may edit.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{slug}",
    tag = "cases",
    params(("slug" = String, Path, description = "The case's slug")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 308, description = "The case has a new slug; `Location` gives it"),
        (status = 404, description = "No case that the caller may see has this slug", body = ErrorBody),
        (status = 410, description = "The case was deleted", body = ErrorBody),
        (status = 503, description = "The database is unavailable or the request ran out of time", body = ErrorBody),
    ),
    security((), ("api_token" = []))
)]
pub async fn show(State(state): State<AppState>, viewer: Viewer, Path(slug): Path<String>) -> AppResult<Response> {
    slug::validate(&slug).map_err(|_| AppError::NotFound)?;
    let record = match state.store.find_case(&slug).await? {
        Lookup::Found(record) => record,
        Lookup::Moved(current) => return moved(&state, &current, viewer.user()).await,
        Lookup::Gone => return Err(AppError::Gone),
        Lookup::Missing => return Err(AppError::NotFound),
    };
    if !may(viewer.user(), CaseAction::View, &record.access()) {
        return Err(AppError::NotFound);
    }
    Ok(Json(detail(&state, &record.slug, record.revision).await?).into_response())
}

/// A renamed case's old slug: 308 to the current one (which keeps the method and body, so a
/// `PUT` is sent again there) for callers who may see the case, 404 for the others.
pub async fn moved(state: &AppState, current: &str, user: Option<&User>) -> AppResult<Response> {
    match case_for(state, current, user, CaseAction::View).await {
        Ok(_) => Ok(Redirect::permanent(&format!("/api/v1/cases/{current}")).into_response()),
        Err(_) => Err(AppError::NotFound),
    }
}

/// The JSON form of the case `slug`, whose latest revision is `revision`.
pub async fn detail(state: &AppState, slug: &str, revision: i32) -> AppResult<CaseDetail> {
    let case: Case = state.store.case(slug, false).await?.ok_or(AppError::NotFound)?;
    Ok(CaseDetail {
        sources: case.sources.0,
        body_markdown: case.body_markdown,
        body_html: case.body_html,
        created_at: case.created_at,
        revision,
        case: CaseItem::new(&state.public_url, case.summary),
    })
}
