//! A thread's page (free-standing, or the whole discussion of a case or a workshop), the
//! discussion shown under a case or a workshop, and posting a comment (with a preview
//! that needs no JavaScript).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{
    check_thread, number, post_comment, thread_for,
    view::{self, AuthorItem, CommentForm, Discussion},
};
use crate::{
    auth::secret,
    domain::{
        account::User,
        case::Status,
        discussion::FollowKind,
        permission::{may, CaseAction, CommentAction, ThreadAction, WorkshopAction},
        region::name_of,
        workshop::WorkshopStatus,
        FieldError,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormData, Params, Ui},
        gate::{case_for, workshop_for},
        session::{self, SignedInUser},
        urls,
        views::{render, Chrome, FormErrors},
        AppState,
    },
    i18n::Catalog,
    store::{
        cases::CaseRecord,
        discussions::{Home, ThreadRecord},
        workshops::WorkshopRecord,
    },
};

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    title: String,
    /// Where the thread belongs: the case or workshop (with its page), or its theme and
    /// region (names) under `/discussions`.
    back_url: String,
    back_label: String,
    meta: Vec<String>,
    /// What was just done (`?done=reported`).
    notice: Option<&'static str>,
    author: Option<AuthorItem>,
    created: String,
    discussion: Discussion,
}

/// `?page=` and `?reply=` on a thread's page.
#[derive(serde::Deserialize, Default)]
pub struct ThreadQuery {
    page: Option<String>,
    reply: Option<String>,
    done: Option<String>,
}

impl ThreadQuery {
    fn notice(&self, t: &'static Catalog) -> Option<&'static str> {
        (self.done.as_deref() == Some("reported")).then_some(t.discussions.done_reported)
    }
}

/// A comment form as submitted.
#[derive(serde::Deserialize, Default)]
pub struct CommentInput {
    #[serde(default)]
    body: String,
    #[serde(default)]
    reply_to: String,
    #[serde(default)]
    key: String,
    /// Present when the "preview" button was pressed.
    preview: Option<String>,
}

/// Where a discussion is, what following it follows, and how it is shown: which page
/// (None: the newest), and whether under its case's or workshop's page.
pub(crate) struct Place {
    pub url: String,
    pub follow: (FollowKind, i64),
    pub page: Option<i64>,
    pub embedded: bool,
}

/// The form's state when the page is drawn.
pub(crate) struct FormState {
    pub body: String,
    pub reply_to: Option<i64>,
    pub errors: FormErrors,
    pub preview: Option<String>,
    /// Keeps the key of a refused or previewed submission, so that the post that follows
    /// is still one.
    pub key: Option<String>,
}

impl FormState {
    pub fn empty(reply_to: Option<i64>) -> FormState {
        FormState { body: String::new(), reply_to, errors: FormErrors::default(), preview: None, key: None }
    }
}

/// The discussion of `thread` (None: nobody commented yet) at `place`, as `user` sees it.
pub(crate) async fn discussion(
    state: &AppState,
    t: &'static Catalog,
    user: Option<&User>,
    thread: Option<&ThreadRecord>,
    place: Place,
    form: FormState,
) -> AppResult<Discussion> {
    let viewer = user.map(|u| u.id);
    let (parts, accepted, following) = tokio::try_join!(
        async {
            match thread {
                Some(th) => {
                    let page = state.store.comment_page(th, place.page.unwrap_or(i64::MAX), viewer).await?;
                    Ok(Some(view::page_parts(t, th, &page, user, &place.url)))
                }
                None => Ok(None),
            }
        },
        async {
            match thread.and_then(|th| th.accepted_comment_id.map(|id| (th, id))) {
                Some((th, id)) => Ok(state.store.comment(id, viewer).await?.and_then(|c| view::item(t, th, &c, user))),
                None => Ok(None),
            }
        },
        async {
            match user {
                Some(u) => state.store.follows(u.id, place.follow.0, place.follow.1).await.map(Some),
                None => Ok(None),
            }
        }
    )?;
    let access = thread.map(ThreadRecord::access);
    let may_comment = user.is_some() && access.as_ref().is_none_or(|a| may(user, ThreadAction::Comment, a));
    let reply_to = match (form.reply_to, thread) {
        (Some(id), Some(th)) => reply_target(state, t, th, id, user).await?,
        _ => None,
    };
    let comment_form = may_comment.then(|| CommentForm {
        action: place.url.clone(),
        body: form.body,
        reply_to,
        errors: form.errors,
        preview: form.preview,
        key: form.key.unwrap_or_else(|| secret::generate("")),
    });
    let moderator = access.as_ref().is_some_and(|a| a.moderated_by(user));
    let (comments, page, pages, prev_url, next_url) = match parts {
        Some(p) => (p.comments, p.page, p.pages, p.prev_url, p.next_url),
        None => (Vec::new(), 1, 1, None, None),
    };
    Ok(Discussion {
        sign_in_url: user.is_none().then(|| urls::link("/signin", &[("next", place.url.clone())])),
        url: place.url,
        thread_id: thread.map(|th| th.id),
        comment_count: thread.map_or(0, |th| th.comment_count),
        comments,
        accepted,
        page,
        pages,
        prev_url,
        next_url,
        locked: thread.is_some_and(|th| th.locked),
        hidden_reason: thread.and_then(|th| th.hidden_reason.clone()),
        form: comment_form,
        follow: following.map(|on| (place.follow.0, place.follow.1, on)),
        moderator,
        can_report: access.as_ref().is_some_and(|a| may(user, ThreadAction::Report, a))
            && thread.is_some_and(|th| th.standalone()),
        embedded: place.embedded,
    })
}

/// The comment a reply form answers (in this thread, and answerable), with its author.
async fn reply_target(
    state: &AppState,
    t: &Catalog,
    thread: &ThreadRecord,
    id: i64,
    user: Option<&User>,
) -> AppResult<Option<(i64, String)>> {
    let Some(c) = state.store.comment(id, None).await? else { return Ok(None) };
    let ok = c.thread_id == thread.id && may(user, CommentAction::Reply, &c.access(thread));
    Ok(ok.then(|| (c.id, AuthorItem::of(t, &c.author).name)))
}

fn page_number(text: Option<&str>) -> Option<i64> {
    text.and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1)
}

fn reply_number(text: Option<&str>) -> Option<i64> {
    text.and_then(|r| r.parse::<i64>().ok())
}

/// Draws a thread's page (422 when the form comes back with errors).
async fn thread_page(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    thread: Option<&ThreadRecord>,
    home: HomeInfo,
    page: Option<i64>,
    form: FormState,
) -> AppResult<Response> {
    let t = ui.t;
    let user = ui.viewer.user.clone();
    let csrf = if user.is_some() { session::csrf_token(session).await? } else { String::new() };
    let status = if form.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let place = Place { url: home.url.clone(), follow: home.follow, page: Some(page.unwrap_or(1)), embedded: false };
    let discussion = discussion(state, t, user.as_deref(), thread, place, form).await?;
    let title = home.title.clone();
    let page = ThreadPage {
        chrome: Chrome::for_ui(ui, &title, "discussions"),
        t,
        csrf,
        title,
        back_url: home.back_url,
        back_label: home.back_label,
        meta: home.meta,
        notice: home.notice,
        author: thread.filter(|th| th.standalone()).map(|th| AuthorItem::of(t, &th.author)),
        created: thread.map(|th| t.date(&th.created_at)).unwrap_or_default(),
        discussion,
    };
    Ok((status, render(page)?).into_response())
}

/// What a thread page says of where the thread belongs.
struct HomeInfo {
    title: String,
    url: String,
    back_url: String,
    back_label: String,
    meta: Vec<String>,
    notice: Option<&'static str>,
    follow: (FollowKind, i64),
}

async fn standalone_info(state: &AppState, t: &Catalog, thread: &ThreadRecord) -> AppResult<HomeInfo> {
    let mut meta = Vec::new();
    if let Home::Standalone { theme, region } = &thread.home {
        let (themes, regions) = tokio::try_join!(state.store.themes(), state.store.regions())?;
        if let Some(theme) = themes.iter().find(|th| &th.slug == theme) {
            meta.push(theme.name(&t.lang).to_string());
        }
        if let Some(region) = region {
            meta.push(name_of(&regions, region));
        }
    }
    Ok(HomeInfo {
        title: thread.title.clone(),
        url: thread.url(),
        back_url: "/discussions".into(),
        back_label: t.discussions.back_to_discussions.to_string(),
        meta,
        notice: None,
        follow: view::follow_subject(thread),
    })
}

fn case_info(t: &Catalog, case: &CaseRecord) -> HomeInfo {
    HomeInfo {
        title: crate::i18n::fill(t.discussions.discussion_of, &[("title", &case.draft.title)]),
        url: format!("/cases/{}/discussion", case.slug),
        back_url: format!("/cases/{}", case.slug),
        back_label: t.discussions.back_to_case.to_string(),
        meta: Vec::new(),
        notice: None,
        follow: (FollowKind::Case, case.id),
    }
}

fn workshop_info(t: &Catalog, w: &WorkshopRecord) -> HomeInfo {
    HomeInfo {
        title: crate::i18n::fill(t.discussions.discussion_of, &[("title", &w.draft.title)]),
        url: format!("/workshops/{}/discussion", w.slug),
        back_url: format!("/workshops/{}", w.slug),
        back_label: t.discussions.back_to_workshop.to_string(),
        meta: Vec::new(),
        notice: None,
        follow: (FollowKind::Workshop, w.id),
    }
}

/// A case whose discussion `user` may read: it is published.
pub(super) async fn discussed_case(state: &AppState, slug: &str, user: Option<&User>) -> AppResult<Box<CaseRecord>> {
    let case = case_for(state, slug, user, CaseAction::View).await?;
    if case.status != Status::Published {
        return Err(AppError::NotFound);
    }
    Ok(case)
}

/// A workshop whose discussion `user` may read: it is not a draft.
pub(super) async fn discussed_workshop(state: &AppState, slug: &str, user: Option<&User>) -> AppResult<WorkshopRecord> {
    let w = workshop_for(state, slug, user, WorkshopAction::View).await?;
    if w.status == WorkshopStatus::Draft {
        return Err(AppError::NotFound);
    }
    Ok(w)
}

pub async fn show(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(id): Path<String>,
    Params(query): Params<ThreadQuery>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, ui.viewer.user(), ThreadAction::View).await?;
    if !thread.standalone() {
        // A case's or workshop's thread lives under it.
        let url = match query.page.as_deref() {
            Some(page) => urls::link(&thread.url(), &[("page", page.to_string())]),
            None => thread.url(),
        };
        return Ok(Redirect::to(&url).into_response());
    }
    let info = standalone_info(&state, ui.t, &thread).await?;
    show_as_asked(&state, &ui, &session, Some(&thread), info, &query).await
}

/// A thread's page as its address asks: which page, the reply form open, a notice.
async fn show_as_asked(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    thread: Option<&ThreadRecord>,
    info: HomeInfo,
    query: &ThreadQuery,
) -> AppResult<Response> {
    let info = HomeInfo { notice: query.notice(ui.t), ..info };
    let form = FormState::empty(reply_number(query.reply.as_deref()));
    thread_page(state, ui, session, thread, info, page_number(query.page.as_deref()), form).await
}

pub async fn show_case(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(slug): Path<String>,
    Params(query): Params<ThreadQuery>,
) -> AppResult<Response> {
    let case = discussed_case(&state, &slug, ui.viewer.user()).await?;
    let thread = state.store.thread_of_case(case.id).await?;
    show_as_asked(&state, &ui, &session, thread.as_ref(), case_info(ui.t, &case), &query).await
}

pub async fn show_workshop(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    Path(slug): Path<String>,
    Params(query): Params<ThreadQuery>,
) -> AppResult<Response> {
    let w = discussed_workshop(&state, &slug, ui.viewer.user()).await?;
    let thread = state.store.thread_of_workshop(w.id).await?;
    show_as_asked(&state, &ui, &session, thread.as_ref(), workshop_info(ui.t, &w), &query).await
}

pub async fn post(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    FormData(input): FormData<CommentInput>,
) -> AppResult<Response> {
    let thread = thread_for(&state, number(&id)?, Some(&user), ThreadAction::View).await?;
    let info = standalone_info(&state, ui.t, &thread).await?;
    submit(&state, &ui, &session, &user, thread, info, input).await
}

pub async fn post_case(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    FormData(input): FormData<CommentInput>,
) -> AppResult<Response> {
    let case = discussed_case(&state, &slug, Some(&user)).await?;
    let thread = state.store.discussion_of(Some(case.id), None).await?;
    let info = case_info(ui.t, &case);
    submit(&state, &ui, &session, &user, thread, info, input).await
}

pub async fn post_workshop(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Path(slug): Path<String>,
    FormData(input): FormData<CommentInput>,
) -> AppResult<Response> {
    let w = discussed_workshop(&state, &slug, Some(&user)).await?;
    let thread = state.store.discussion_of(None, Some(w.id)).await?;
    let info = workshop_info(ui.t, &w);
    submit(&state, &ui, &session, &user, thread, info, input).await
}

/// Previews or posts a comment. A refused comment comes back in the form with the error
/// summary (422); a posted one opens at its place in the thread.
async fn submit(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    user: &User,
    thread: ThreadRecord,
    info: HomeInfo,
    input: CommentInput,
) -> AppResult<Response> {
    check_thread(&thread, Some(user), ThreadAction::Comment)?;
    let reply_to = reply_number(Some(&input.reply_to));
    let key = (!input.key.is_empty()).then(|| input.key.clone());
    let refused = |errors: FormErrors, preview: Option<String>| FormState {
        body: input.body.clone(),
        reply_to,
        errors,
        preview,
        key: key.clone(),
    };
    if input.preview.is_some() {
        return match super::render_comment(state, &input.body, "body").await {
            Ok(rendered) => {
                let form = refused(FormErrors::default(), Some(rendered.html));
                thread_page(state, ui, session, Some(&thread), info, None, form).await
            }
            Err(AppError::InvalidFields(errors)) => {
                let form = refused(form_errors(ui.t, &errors), None);
                thread_page(state, ui, session, Some(&thread), info, None, form).await
            }
            Err(err) => Err(err),
        };
    }
    match post_comment(state, &thread, user, &input.body, reply_to, key.as_deref()).await {
        Ok(posted) => Ok(Redirect::to(&format!("/comments/{}", posted.id)).into_response()),
        Err(AppError::InvalidFields(errors)) => {
            let form = refused(form_errors(ui.t, &errors), None);
            thread_page(state, ui, session, Some(&thread), info, None, form).await
        }
        Err(err) => Err(err),
    }
}

/// A comment form's problems in words.
pub(crate) fn form_errors(t: &Catalog, errors: &[FieldError]) -> FormErrors {
    let mut out = FormErrors::default();
    for e in errors {
        let label = match e.field {
            "title" => t.discussions.field_title,
            "theme" => t.discussions.field_theme,
            "region" => t.discussions.field_region,
            "reason" => t.discussions.field_reason,
            "note" => t.discussions.field_note,
            _ => t.discussions.field_comment,
        };
        out.add(e.field, t.field_problem(label, e.problem));
    }
    out
}

/// The discussion under a case's page: its newest comments, for a published case.
pub async fn case_discussion(
    state: &AppState,
    t: &'static Catalog,
    user: Option<&User>,
    case: &CaseRecord,
) -> AppResult<Option<Discussion>> {
    if case.status != Status::Published {
        return Ok(None);
    }
    let thread = state.store.thread_of_case(case.id).await?;
    let url = format!("/cases/{}/discussion", case.slug);
    let place = Place { url, follow: (FollowKind::Case, case.id), page: None, embedded: true };
    discussion(state, t, user, thread.as_ref(), place, FormState::empty(None)).await.map(Some)
}

/// The discussion under a workshop's page, unless it is a draft.
pub async fn workshop_discussion(
    state: &AppState,
    t: &'static Catalog,
    user: Option<&User>,
    w: &WorkshopRecord,
) -> AppResult<Option<Discussion>> {
    if w.status == WorkshopStatus::Draft {
        return Ok(None);
    }
    let thread = state.store.thread_of_workshop(w.id).await?;
    let url = format!("/workshops/{}/discussion", w.slug);
    let place = Place { url, follow: (FollowKind::Workshop, w.id), page: None, embedded: true };
    discussion(state, t, user, thread.as_ref(), place, FormState::empty(None)).await.map(Some)
}
