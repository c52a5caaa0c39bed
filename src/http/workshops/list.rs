//! `/workshops`: those still to come (soonest first), then those held (latest first),
//! filtered by region and year.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;

use crate::{
    domain::{
        permission::{may, Workshops, WorkshopsAction},
        region::Region,
        workshop::WorkshopStatus,
        ParamProblem,
    },
    error::{AppError, AppResult},
    http::{
        extract::{Params, Ui},
        urls::without_empty_params,
        views::{option, region_options, render, Chrome, SelectOption},
        AppState,
    },
    i18n::Catalog,
    store::workshops::{WorkshopFilter, WorkshopListing},
};

#[derive(Template)]
#[template(path = "workshops.html")]
struct WorkshopsPage {
    chrome: Chrome,
    t: &'static Catalog,
    upcoming: Vec<WorkshopListing>,
    past: Vec<WorkshopListing>,
    region_options: Vec<SelectOption>,
    year_options: Vec<SelectOption>,
    may_create: bool,
}

/// The filters of `/workshops` and of its twin in the JSON API, as typed.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A region slug: the workshops it (or a place inside it) took part in.
    pub region: Option<String>,
    /// A year on Lima's calendar.
    pub year: Option<String>,
    /// Page number, from 1 (JSON API only).
    pub page: Option<String>,
    /// Results per page, 1 to 100 (JSON API only; the page lists them all).
    pub per_page: Option<String>,
}

impl ListQuery {
    /// The region and year, checked: an unknown region or a year that is not a number is
    /// a 400 naming the parameter.
    pub fn filter(&self, regions: &[Region]) -> AppResult<WorkshopFilter> {
        let region = self.region.clone().filter(|r| !r.is_empty());
        if region.as_ref().is_some_and(|r| !regions.iter().any(|known| &known.slug == r)) {
            return Err(AppError::bad_param("region", ParamProblem::UnknownValue));
        }
        let year = match self.year.as_deref().filter(|y| !y.is_empty()) {
            None => None,
            Some(text) => Some(text.parse::<i32>().map_err(|_| AppError::bad_param("year", ParamProblem::NotANumber))?),
        };
        Ok(WorkshopFilter { region, year })
    }
}

pub async fn list(State(state): State<AppState>, ui: Ui, Params(query): Params<ListQuery>) -> AppResult<Response> {
    if let Some(clean) = without_empty_params(&ui.here) {
        return Ok(Redirect::to(&clean).into_response());
    }
    let regions = state.store.regions().await?;
    let filter = query.filter(&regions)?;
    let (region, year) = (filter.region.clone(), filter.year);
    let ((upcoming, past), years) =
        tokio::try_join!(state.store.workshops(&filter, OffsetDateTime::now_utc()), state.store.workshop_years())?;
    let t = ui.t;
    let year_text = year.map(|y| y.to_string());
    let page = WorkshopsPage {
        chrome: Chrome::for_ui(&ui, t.workshops.workshops_title, "workshops")
            .about(t.workshops.workshops_intro, "website"),
        t,
        upcoming,
        past,
        region_options: region_options(&regions, region.as_deref()),
        year_options: years.iter().map(|y| option(&y.to_string(), &y.to_string(), year_text.as_deref())).collect(),
        may_create: may(ui.viewer.user(), WorkshopsAction::Create, &Workshops),
    };
    Ok(render(page)?.into_response())
}
