//! The certificate of attendance: a page styled for print, for people an organiser marked
//! as having attended. Officials file it in their personnel records.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use crate::{
    domain::permission::WorkshopAction,
    error::{AppError, AppResult},
    http::{
        extract::Ui,
        session::SignedInUser,
        views::{render, Chrome},
        AppState,
    },
    i18n::{fill, Catalog},
    store::workshops::WorkshopRecord,
};

use super::workshop_for;

#[derive(Template)]
#[template(path = "workshop_certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    t: &'static Catalog,
    w: WorkshopRecord,
    name: String,
    issued: OffsetDateTime,
}

impl CertificatePage {
    fn text(&self) -> String {
        fill(self.t.workshops.certificate_text, &[("name", &self.name)])
    }

    fn held(&self) -> String {
        let d = &self.w.draft;
        fill(
            self.t.workshops.certificate_held,
            &[("when", &self.t.workshop_when(&d.starts_at, &d.ends_at, &d.all_day))],
        )
    }

    /// Hours, when the times are known (an all-day record says nothing about hours).
    fn hours(&self) -> Option<String> {
        let d = &self.w.draft;
        if d.all_day {
            return None;
        }
        let minutes = (d.ends_at - d.starts_at).whole_minutes();
        let hours =
            if minutes % 60 == 0 { (minutes / 60).to_string() } else { format!("{:.1}", minutes as f64 / 60.0) };
        Some(fill(self.t.workshops.certificate_hours, &[("hours", &hours)]))
    }

    fn organisers(&self) -> String {
        let names: Vec<&str> = self.w.organisers.iter().map(|p| self.t.person_name(&p.name)).collect();
        fill(self.t.workshops.certificate_organised_by, &[("names", &names.join(", "))])
    }

    fn issued_on(&self) -> String {
        fill(self.t.workshops.certificate_issued, &[("date", &self.t.date(&self.issued))])
    }
}

/// Only for the signed-in person's own attendance: anyone else gets 403.
pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let w = workshop_for(&state, &slug, Some(&user), WorkshopAction::View).await?;
    let mine = state.store.my_registration(w.id, user.id, false).await?;
    if mine.is_none_or(|m| m.attended != Some(true)) {
        return Err(AppError::Forbidden);
    }
    let page = CertificatePage {
        chrome: Chrome::for_ui(&ui, ui.t.workshops.certificate_title, "workshops"),
        t: ui.t,
        name: user.display_name.clone(),
        issued: OffsetDateTime::now_utc(),
        w,
    };
    Ok(render(page)?.into_response())
}
