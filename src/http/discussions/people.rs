//! A person's page: what mentions and names beside comments link to.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};

use super::number;
use crate::{
    domain::region::name_of,
    error::{AppError, AppResult},
    http::{
        extract::Ui,
        views::{render, Chrome},
        AppState,
    },
    i18n::Catalog,
    store::discussions::{PersonComment, PersonView},
};

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    t: &'static Catalog,
    person: PersonView,
    region: Option<String>,
    comments: Vec<PersonComment>,
}

/// Someone's name, handle, organisation and region, and their latest public comments; a
/// closed account answers 404.
pub async fn show(State(state): State<AppState>, ui: Ui, Path(id): Path<String>) -> AppResult<Response> {
    let id = number(&id)?;
    let person = state.store.person(id).await?.ok_or(AppError::NotFound)?;
    let (comments, regions) = tokio::try_join!(state.store.public_comments_by(id, 20), state.store.regions())?;
    let region = person.region.as_ref().map(|r| name_of(&regions, r));
    let page = PersonPage {
        chrome: Chrome::for_ui(&ui, &person.display_name, "discussions"),
        t: ui.t,
        person,
        region,
        comments,
    };
    Ok(render(page)?.into_response())
}
