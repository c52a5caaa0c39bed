//! The editors' review queue, and each person's own cases.

use askama::Template;
use axum::{extract::State, response::Html};

use crate::{
    error::{AppError, AppResult},
    http::{
        extract::Ui,
        session::SignedInUser,
        views::{render, Chrome},
        AppState,
    },
    i18n::Catalog,
    store::cases::CaseListing,
};

#[derive(Template)]
#[template(path = "case_listing.html")]
struct ListingPage {
    chrome: Chrome,
    t: &'static Catalog,
    intro: &'static str,
    empty: &'static str,
    cases: Vec<CaseListing>,
    show_author: bool,
}

/// Submissions waiting for the signed-in editor, oldest first.
pub async fn queue(State(state): State<AppState>, ui: Ui, SignedInUser(user): SignedInUser) -> AppResult<Html<String>> {
    if !user.reviews() {
        return Err(AppError::Forbidden);
    }
    let cases = state.store.review_queue(&user).await?;
    render(ListingPage {
        chrome: Chrome::for_ui(&ui, ui.t.cases.review_title, "review"),
        t: ui.t,
        intro: ui.t.cases.review_intro,
        empty: ui.t.cases.review_empty,
        cases,
        show_author: true,
    })
}

/// The cases the signed-in person wrote, in every state.
pub async fn mine(State(state): State<AppState>, ui: Ui, SignedInUser(user): SignedInUser) -> AppResult<Html<String>> {
    let cases = state.store.cases_by_author(&user).await?;
    render(ListingPage {
        chrome: Chrome::for_ui(&ui, ui.t.cases.my_cases_title, "mine"),
        t: ui.t,
        intro: ui.t.cases.my_cases_intro,
        empty: ui.t.cases.my_cases_empty,
        cases,
        show_author: false,
    })
}
