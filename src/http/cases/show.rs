//! One case's page: its text, its peer cases from other regions, and the workflow actions
//! the reader may take.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use crate::{
    domain::{
        account::User,
        case::{Case, Status},
        permission::{may, CaseAction},
        region::name_of,
        Lang,
    },
    error::{AppError, AppResult},
    http::{
        discussions::{case_discussion, view::Discussion},
        extract::{Params, Ui},
        gate::{case_for, checked_slug},
        session,
        urls::link,
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::{done::CaseDone, Catalog},
    markdown::acronyms::{mark_acronyms, Meaning},
    search::{thesaurus::Thesaurus, Hit},
    store::cases::{CaseRecord, Lookup},
};

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
    done: Option<CaseDone>,
    review_note: Option<String>,
    csrf: String,
    errors: FormErrors,
    note: String,
    /// The discussion under a published case: its newest comments and the form.
    discussion: Option<Discussion>,
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
            return match case_for(&state, &current, ui.viewer.user(), CaseAction::View).await {
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
    Ok(page.with_done(query.done.as_deref().and_then(CaseDone::parse)).into_response())
}

/// A rendered case page that can still take the name of the action just done.
pub struct RenderedCase(CasePage);

impl RenderedCase {
    fn with_done(mut self, done: Option<CaseDone>) -> Self {
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
    let mut case = state.store.case(&record.slug, false).await?.ok_or(AppError::NotFound)?;
    let thesaurus = state.search.thesaurus();
    case.body_html = mark_acronyms(&case.body_html, |word| meaning(&thesaurus, ui.lang, word));
    let actions = CaseActions::for_viewer(user, &record);
    // Only published cases have peers in the index.
    let similar = if record.status == Status::Published { peer_cases(state, &record.slug).await? } else { Vec::new() };
    let csrf = if actions.any() || user.is_some() { session::csrf_token(session).await? } else { String::new() };
    let discussion = case_discussion(state, ui.t, user, &record).await?;
    Ok(RenderedCase(CasePage {
        chrome: Chrome::for_ui(ui, case.summary.title.clone(), "cases").about(
            if case.summary.illustrative {
                format!("{} · {}", ui.t.cases.badge_illustrative, case.summary.summary)
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
        done: None,
        review_note: record.review_note.clone(),
        csrf,
        errors,
        note: note.to_string(),
        discussion,
    }))
}

/// What an acronym in a case body stands for: its concept, or for one with several
/// meanings, each of them and the glossary's search for it.
fn meaning(thesaurus: &Thesaurus, lang: Lang, word: &str) -> Option<Meaning> {
    let concepts = thesaurus.acronym(word);
    let label = |i: &usize| {
        let c = &thesaurus.entries[*i].concept;
        match lang {
            Lang::Es => c.pref_es.clone(),
            Lang::En => c.pref_en.clone(),
        }
    };
    match concepts {
        [] => None,
        [one] => {
            Some(Meaning { href: format!("/glossary/{}", thesaurus.entries[*one].concept.slug), title: label(one) })
        }
        several => Some(Meaning {
            href: link("/glossary", &[("q", word.to_string())]),
            title: several.iter().map(label).collect::<Vec<_>>().join(" / "),
        }),
    }
}

async fn peer_cases(state: &AppState, slug: &str) -> AppResult<Vec<(Hit, String)>> {
    // Peer cases help but are not the page: if search fails, the case still shows.
    Ok(match state.search.peers(slug).await {
        Ok(hits) if !hits.is_empty() => {
            let regions = state.store.regions().await?;
            hits.iter()
                .map(|hit| {
                    let name = name_of(&regions, &hit.region);
                    (hit.clone(), name)
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
