//! A workshop's page: what it is, its agenda, registration (with the viewer's own place),
//! in that order, and the organisers' buttons.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use time::{Date, OffsetDateTime};
use tower_sessions::Session;

use crate::{
    domain::{
        lima,
        permission::WorkshopAction,
        workshop::{next_turn, outside_hours, phase, registration_open, Phase, RegistrationState, WorkshopStatus},
    },
    error::AppResult,
    http::{
        discussions::{view::Discussion, workshop_discussion},
        extract::{Params, Ui},
        page_cache::KeptUntil,
        session,
        views::{render, Chrome},
        AppState,
    },
    i18n::{done::WorkshopDone, fill, Catalog},
    store::{
        commitments::CommitmentListing,
        workshops::{AgendaItem, MyRegistration, Outcomes, WorkshopRecord},
    },
};

use super::{parts, workshop_for, Parts};

#[derive(Template)]
#[template(path = "workshop.html")]
struct WorkshopPage {
    chrome: Chrome,
    t: &'static Catalog,
    w: WorkshopRecord,
    agenda: Vec<AgendaItem>,
    outcomes: Option<Outcomes>,
    commitments: Vec<CommitmentListing>,
    /// Lima's date, for marking commitments overdue.
    today: Date,
    /// Outcomes can be published once the workshop has started.
    started: bool,
    phase: Phase,
    organiser: bool,
    /// For organisers: how many agenda items the workshop's hours no longer hold.
    outside: usize,
    signed_in: bool,
    mine: Option<MyRegistration>,
    /// The online link, for those who may see it.
    link: Option<String>,
    open: bool,
    csrf: String,
    done: Option<WorkshopDone>,
    /// The discussion under a workshop that is not a draft.
    discussion: Option<Discussion>,
}

impl WorkshopPage {
    fn places(&self) -> Option<String> {
        let capacity = self.w.draft.capacity?;
        let left = self.w.places_left()?;
        Some(fill(self.t.workshops.places_left, &[("n", &left), ("capacity", &capacity)]))
    }

    fn full(&self) -> bool {
        self.w.places_left() == Some(0)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(slug): Path<String>,
    Params(query): Params<PageQuery>,
) -> AppResult<Response> {
    // `/workshops/{slug}.ics` shares this route: a path segment cannot hold a suffix.
    if let Some(slug) = slug.strip_suffix(".ics") {
        return super::ical::one(&state, &ui, slug).await;
    }
    let user = ui.viewer.user.clone();
    let w = workshop_for(&state, &slug, user.as_deref(), WorkshopAction::View).await?;
    let now = OffsetDateTime::now_utc();
    let Parts { agenda, outcomes, commitments, mine, organiser, link } =
        parts(&state, &w, user.as_deref(), true).await?;
    let spans: Vec<_> = agenda.iter().map(|i| (i.starts_at, i.duration_minutes)).collect();
    let outside = if organiser { outside_hours(&spans, w.draft.starts_at, w.draft.ends_at).len() } else { 0 };
    let csrf = if user.is_some() { session::csrf_token(&session).await? } else { String::new() };
    let discussion = workshop_discussion(&state, ui.t, user.as_deref(), &w).await?;
    let t = ui.t;
    let page = WorkshopPage {
        chrome: Chrome::for_ui(&ui, &w.draft.title, "workshops").about(&w.draft.summary, "website"),
        t,
        phase: phase(w.status, w.draft.ends_at, now),
        open: registration_open(w.status, w.draft.starts_at, w.draft.registration_deadline, now),
        organiser,
        outside,
        signed_in: user.is_some(),
        mine,
        link,
        csrf,
        done: query.done.as_deref().and_then(WorkshopDone::parse),
        discussion,
        agenda,
        commitments,
        outcomes,
        today: lima::today(now),
        started: now >= w.draft.starts_at,
        w,
    };
    let turn = next_turn(&page.w.draft, now);
    let mut response = render(page)?.into_response();
    // Kept for visitors until the clock changes what it says (registration closes…).
    if let Some(at) = turn {
        response.extensions_mut().insert(KeptUntil(at));
    }
    Ok(response)
}
