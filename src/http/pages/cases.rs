use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{checked_slug, option, region_options};
use crate::{
    domain::{
        account::User,
        case::{Case, CaseSummary, Kind, Language, Status},
        filter::{CaseFilter, CaseQuery, Paging, DEFAULT_PER_PAGE},
        permission::{may, CaseAction},
        region::{name_of, Region},
        theme::Theme,
    },
    error::{AppError, AppResult, ParamProblem},
    http::{
        extract::{Params, Ui},
        session,
        views::{link, render, without_empty_params, ActiveFilter, Chrome, FormErrors, Pager, SelectOption},
        AppState,
    },
    i18n::{fill, Catalog},
    search::Hit,
    store::authoring::{CaseRecord, Lookup},
};

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    t: &'static Catalog,
    cases: Vec<CaseSummary>,
    total: i64,
    active: Vec<ActiveFilter>,
    pager: Pager,
    region_options: Vec<SelectOption>,
    theme_options: Vec<SelectOption>,
    kind_options: Vec<SelectOption>,
    language_options: Vec<SelectOption>,
    illustrative_options: Vec<SelectOption>,
    year_from: String,
    year_to: String,
    /// A year typed wrong: the form shows it with an error summary.
    errors: FormErrors,
}

/// `/cases`. Years given wrong (not numbers, out of range, in the wrong order) are shown
/// in the filter form with an error summary, with status 400 and the years left out of the
/// list; any other bad parameter is the plain 400 page.
pub async fn list(State(state): State<AppState>, ui: Ui, Params(query): Params<CaseQuery>) -> AppResult<Response> {
    if let Some(clean) = without_empty_params(&ui.here) {
        return Ok(Redirect::to(&clean).into_response());
    }
    let t = ui.t;
    let mut errors = FormErrors::default();
    let (filter, paging) = match query.validate() {
        Err(AppError::BadParam { param, problem }) if param == "year_from" || param == "year_to" => {
            let (field, label) = if param == "year_from" {
                ("f-year-from", t.filter_year_from)
            } else {
                ("f-year-to", t.filter_year_to)
            };
            let message = match problem {
                ParamProblem::BeforeYearFrom => t.cases_year_order.to_string(),
                _ => fill(t.cases_year_invalid, &[("label", &label)]),
            };
            errors.add(field, message);
            CaseQuery { year_from: None, year_to: None, ..query.clone() }.validate()?
        }
        other => other?,
    };
    // Pages always show 20; `per_page` is for the JSON API.
    let paging = Paging { per_page: DEFAULT_PER_PAGE, ..paging };
    let (regions, mut themes) = tokio::try_join!(state.store.regions(), state.store.themes())?;
    filter.check_refs(&regions, &themes)?;
    let (cases, total) = state.store.list_cases(&filter, paging, None).await?;
    super::themes::sort_by_name(&mut themes, ui.lang);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let typed = |value: &Option<String>| value.clone().unwrap_or_default();
    let page = render(CasesPage {
        chrome: Chrome::for_ui(&ui, t.cases_title, "cases"),
        t,
        total,
        active: active_filters(t, &filter, &regions, &themes, &ui),
        pager: Pager::new(t, "/cases", filter.pairs(), paging, total),
        region_options: region_options(&regions, filter.region.as_deref()),
        theme_options: themes.iter().map(|th| option(&th.slug, th.name(&ui.lang), filter.theme.as_deref())).collect(),
        kind_options: Kind::ALL.iter().map(|k| option(k.as_str(), t.kind(k), filter.kind.map(Kind::as_str))).collect(),
        language_options: Language::ALL
            .iter()
            .map(|l| option(l.as_str(), t.language(l), filter.language.map(Language::as_str)))
            .collect(),
        illustrative_options: [("false", t.filter_facts_only), ("true", t.filter_illustrative_only)]
            .into_iter()
            .map(|(value, label)| option(value, label, filter.illustrative.map(|b| if b { "true" } else { "false" })))
            .collect(),
        year_from: typed(&query.year_from),
        year_to: typed(&query.year_to),
        errors,
        cases,
    })?;
    Ok((status, page).into_response())
}

/// Each filter in force, labelled for people, with a link to the list without it.
fn active_filters(
    t: &Catalog,
    filter: &CaseFilter,
    regions: &[Region],
    themes: &[Theme],
    ui: &Ui,
) -> Vec<ActiveFilter> {
    let pairs = filter.pairs();
    pairs
        .iter()
        .map(|(name, value)| {
            let shown = match *name {
                "region" => regions.iter().find(|r| &r.slug == value).map_or(value.clone(), |r| r.name.clone()),
                "theme" => {
                    themes.iter().find(|th| &th.slug == value).map_or(value.clone(), |th| th.name(&ui.lang).into())
                }
                "kind" => Kind::parse(value).map_or(value.as_str(), |k| t.kind(&k)).to_string(),
                "language" => Language::parse(value).map_or(value.as_str(), |l| t.language(&l)).to_string(),
                "illustrative" if value == "true" => t.filter_illustrative_only.to_string(),
                "illustrative" => t.filter_facts_only.to_string(),
                _ => value.clone(),
            };
            let label = match *name {
                "region" => t.filter_region,
                "theme" => t.filter_theme,
                "kind" => t.filter_kind,
                "language" => t.filter_language,
                "illustrative" => t.filter_illustrative,
                "year_from" => t.filter_year_from,
                _ => t.filter_year_to,
            };
            let rest: Vec<(&str, String)> = pairs.iter().filter(|(n, _)| n != name).cloned().collect();
            ActiveFilter { label: format!("{label}: {shown}"), remove_url: link("/cases", &rest) }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    t: &'static Catalog,
    case: Case,
    /// Peer cases from other regions, with their region's name.
    similar: Vec<(Hit, String)>,
    status: Status,
    author_name: Option<String>,
    /// What the viewer may do here, and what they just did.
    actions: CaseActions,
    done: String,
    review_note: Option<String>,
    csrf: String,
    errors: FormErrors,
    note: String,
}

/// The workflow buttons the viewer may use on this case.
#[derive(Default)]
pub struct CaseActions {
    pub edit: bool,
    pub submit: bool,
    pub publish: bool,
    pub unpublish: bool,
    pub send_back: bool,
    pub withdraw: bool,
    pub history: bool,
    pub delete: bool,
}

impl CaseActions {
    fn for_viewer(user: Option<&User>, record: &CaseRecord) -> Self {
        let access = record.access();
        let can = |action| may(user, action, &access);
        CaseActions {
            edit: can(CaseAction::Edit),
            submit: can(CaseAction::Submit),
            publish: can(CaseAction::Publish),
            unpublish: can(CaseAction::Unpublish),
            send_back: can(CaseAction::SendBack),
            withdraw: can(CaseAction::Withdraw),
            history: can(CaseAction::History),
            delete: can(CaseAction::Delete),
        }
    }

    pub fn any(&self) -> bool {
        self.edit
            || self.submit
            || self.publish
            || self.unpublish
            || self.send_back
            || self.withdraw
            || self.history
            || self.delete
    }
}

const PEER_CASES: usize = 5;

#[derive(serde::Deserialize, Default)]
pub struct CasePageQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(slug): Path<String>,
    Params(query): Params<CasePageQuery>,
) -> AppResult<Response> {
    let slug = checked_slug(&slug)?;
    let record = match state.store.find_case(slug).await? {
        Lookup::Found(record) => record,
        Lookup::Moved(current) => {
            return match super::authoring::case_for(&state, &current, ui.viewer.user(), CaseAction::View).await {
                Ok(_) => Ok(Redirect::permanent(&format!("/cases/{current}")).into_response()),
                // The new slug of a draft is not for everyone to learn.
                Err(_) => Err(AppError::NotFound),
            };
        }
        Lookup::Gone => return Err(AppError::Gone),
        Lookup::Missing => return Err(AppError::NotFound),
    };
    let user = ui.viewer.user.clone();
    if !may(user.as_deref(), CaseAction::View, &record.access()) {
        return Err(AppError::NotFound);
    }
    let page = case_page(&state, &ui, &session, user.as_deref(), record, FormErrors::default(), "").await?;
    Ok(page.with_done(query.done.unwrap_or_default()).into_response())
}

/// A rendered case page that can still take the name of the action just done.
pub struct RenderedCase(CasePage);

impl RenderedCase {
    fn with_done(mut self, done: String) -> Self {
        self.0.done = done;
        self
    }
}

impl IntoResponse for RenderedCase {
    fn into_response(self) -> Response {
        render(self.0).into_response()
    }
}

/// The case page for `record`, which the viewer may see.
pub async fn case_page(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    user: Option<&User>,
    record: Box<CaseRecord>,
    errors: FormErrors,
    note: &str,
) -> AppResult<RenderedCase> {
    let case = state.store.case(&record.slug, false).await?.ok_or(AppError::NotFound)?;
    let actions = CaseActions::for_viewer(user, &record);
    // Only published cases have peers in the index.
    let similar = if record.status == Status::Published { peer_cases(state, &record.slug).await? } else { Vec::new() };
    let csrf = if actions.any() { session::csrf_token(session).await? } else { String::new() };
    Ok(RenderedCase(CasePage {
        chrome: Chrome::for_ui(ui, case.summary.title.clone(), "cases").about(
            if case.summary.illustrative {
                format!("{} · {}", ui.t.badge_illustrative, case.summary.summary)
            } else {
                case.summary.summary.clone()
            },
            "article",
        ),
        t: ui.t,
        case,
        similar,
        status: record.status,
        author_name: record.author_name.clone(),
        actions,
        done: String::new(),
        review_note: record.review_note.clone(),
        csrf,
        errors,
        note: note.to_string(),
    }))
}

async fn peer_cases(state: &AppState, slug: &str) -> AppResult<Vec<(Hit, String)>> {
    // Peer cases help but are not the page: if search fails, the case still shows.
    Ok(match state.search.similar(slug, PEER_CASES).await {
        Ok(hits) if !hits.is_empty() => {
            let regions = state.store.regions().await?;
            hits.into_iter()
                .map(|hit| {
                    let name = name_of(&regions, &hit.region);
                    (hit, name)
                })
                .collect()
        }
        Ok(_) => Vec::new(),
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "peer cases unavailable");
            Vec::new()
        }
    })
}
