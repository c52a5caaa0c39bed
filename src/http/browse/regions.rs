use askama::Template;
use axum::{
    extract::{Path, State},
    response::Html,
};

use tower_sessions::Session;

use crate::{
    domain::{
        case::CaseSummary,
        discussion::FollowKind,
        filter::{Filters, Paging, DEFAULT_PER_PAGE},
        lima,
        region::{grouped, Region, RegionGroup},
    },
    error::{AppError, AppResult},
    http::{
        extract::Ui,
        gate::checked_slug,
        notifications::FollowButton,
        urls::link,
        views::{render, Chrome},
        AppState,
    },
    i18n::Catalog,
    store::commitments::{CommitmentFilter, CommitmentListing},
};
use time::{Date, OffsetDateTime};

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    chrome: Chrome,
    t: &'static Catalog,
    groups: Vec<RegionGroup>,
}

pub async fn list(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    let regions = state.store.regions_with_counts().await?;
    render(RegionsPage {
        chrome: Chrome::for_ui(&ui, ui.t.browse.regions_title, "regions"),
        t: ui.t,
        groups: grouped(&regions),
    })
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    chrome: Chrome,
    t: &'static Catalog,
    region: Region,
    parent: Option<Region>,
    children: Vec<Region>,
    cases: Vec<CaseSummary>,
    total: i64,
    all_url: String,
    commitments: Vec<CommitmentListing>,
    commitments_total: i64,
    today: Date,
    /// For people signed in: follow the region to hear of its new cases and workshops.
    follow: Option<FollowButton>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(slug): Path<String>,
) -> AppResult<Html<String>> {
    let slug = checked_slug(&slug)?;
    let regions = state.store.regions().await?;
    let region = regions.iter().find(|r| r.slug == slug).cloned().ok_or(AppError::NotFound)?;
    let next = format!("/regions/{slug}");
    let follow = FollowButton::by_slug(&state, &session, ui.viewer.user(), FollowKind::Region, slug, next).await?;
    let filter = Filters { region: Some(region.slug.clone()), ..Filters::default() };
    let today = lima::today(OffsetDateTime::now_utc());
    let commitments_filter = CommitmentFilter { region: Some(region.slug.clone()), ..CommitmentFilter::default() };
    let paging = Paging { page: 1, per_page: DEFAULT_PER_PAGE };
    let ((cases, total), (commitments, commitments_total, _)) = tokio::try_join!(
        state.store.list_cases(&filter, paging, None),
        state.store.list_commitments(&commitments_filter, today, paging)
    )?;
    render(RegionPage {
        chrome: Chrome::for_ui(&ui, region.name.clone(), "regions"),
        t: ui.t,
        parent: region.parent.as_ref().and_then(|p| regions.iter().find(|r| &r.slug == p)).cloned(),
        children: regions.iter().filter(|r| r.parent.as_deref() == Some(slug)).cloned().collect(),
        all_url: link("/cases", &filter.pairs()),
        region,
        cases,
        total,
        commitments,
        commitments_total,
        today,
        follow,
    })
}
