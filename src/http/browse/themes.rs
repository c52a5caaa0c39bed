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
        theme::{sort_by_name, Theme},
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
};

#[derive(Template)]
#[template(path = "themes.html")]
struct ThemesPage {
    chrome: Chrome,
    t: &'static Catalog,
    themes: Vec<Theme>,
}

pub async fn list(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    let mut themes = state.store.themes_with_counts().await?;
    sort_by_name(&mut themes, ui.lang);
    render(ThemesPage { chrome: Chrome::for_ui(&ui, ui.t.browse.themes_title, "themes"), t: ui.t, themes })
}

#[derive(Template)]
#[template(path = "theme.html")]
struct ThemePage {
    chrome: Chrome,
    t: &'static Catalog,
    theme: Theme,
    cases: Vec<CaseSummary>,
    total: i64,
    all_url: String,
    /// For people signed in: follow the theme to hear of its new cases.
    follow: Option<FollowButton>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(slug): Path<String>,
) -> AppResult<Html<String>> {
    let slug = checked_slug(&slug)?;
    let theme = state.store.themes().await?.into_iter().find(|th| th.slug == slug).ok_or(AppError::NotFound)?;
    let next = format!("/themes/{slug}");
    let follow = FollowButton::by_slug(&state, &session, ui.viewer.user(), FollowKind::Theme, slug, next).await?;
    let filter = Filters { theme: Some(theme.slug.clone()), ..Filters::default() };
    let (cases, total) = state.store.list_cases(&filter, Paging { page: 1, per_page: DEFAULT_PER_PAGE }, None).await?;
    render(ThemePage {
        chrome: Chrome::for_ui(&ui, theme.name(&ui.lang).to_string(), "themes")
            .about(theme.description(&ui.lang).0, "website"),
        t: ui.t,
        all_url: link("/cases", &filter.pairs()),
        theme,
        cases,
        total,
        follow,
    })
}
