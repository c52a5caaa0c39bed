//! Whose service this is: the about, privacy, accessibility and contact pages.

mod pages;

use axum::{routing::get, Router};

pub use self::pages::Site;
use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/about", get(pages::about))
        .route("/privacy", get(pages::privacy))
        .route("/accessibility", get(pages::accessibility))
        .route("/contact", get(pages::contact))
}
