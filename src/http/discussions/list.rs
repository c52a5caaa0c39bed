//! `/discussions`: the free-standing threads, filtered by theme, region and whether they
//! are answered, in the order asked; and the form that starts one.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{render_comment, thread::form_errors, view::AuthorItem};
use crate::{
    auth::secret,
    domain::{
        discussion::{Answered, RawThread, ThreadParams, ThreadSort},
        region::name_of,
    },
    error::{AppError, AppResult},
    http::{
        extract::{FormData, Params, Ui},
        session::{self, SignedInUser},
        urls::without_empty_params,
        views::{option, region_options, render, Chrome, FormErrors, Pager, SelectOption},
        AppState,
    },
    i18n::Catalog,
    store::discussions::NewComment,
};

#[derive(Template)]
#[template(path = "discussions.html")]
struct DiscussionsPage {
    chrome: Chrome,
    t: &'static Catalog,
    threads: Vec<ThreadRow>,
    total: i64,
    theme_options: Vec<SelectOption>,
    region_options: Vec<SelectOption>,
    answered_options: Vec<SelectOption>,
    sort_options: Vec<SelectOption>,
    pager: Pager,
    signed_in: bool,
}

/// A thread as the list shows it.
struct ThreadRow {
    url: String,
    title: String,
    theme: String,
    region: Option<String>,
    author: AuthorItem,
    comments: String,
    useful: i32,
    activity: String,
    answered: bool,
    locked: bool,
}

pub async fn list(State(state): State<AppState>, ui: Ui, Params(query): Params<ThreadParams>) -> AppResult<Response> {
    if let Some(clean) = without_empty_params(&ui.here) {
        return Ok(Redirect::to(&clean).into_response());
    }
    let (themes, regions) = tokio::try_join!(state.store.themes(), state.store.regions())?;
    let (filter, paging) = query.validate(&themes, &regions)?;
    let (listed, total) = state.store.threads(&filter, paging).await?;
    let t = ui.t;
    let threads = listed
        .iter()
        .map(|th| ThreadRow {
            url: format!("/discussions/{}", th.id),
            title: th.title.clone(),
            theme: themes.iter().find(|x| x.slug == th.theme).map_or_else(String::new, |x| x.name(&t.lang).to_string()),
            region: th.region.as_ref().map(|r| name_of(&regions, r)),
            author: AuthorItem::of(t, &th.author),
            comments: t.comment_count(&th.comment_count),
            useful: th.useful_count,
            activity: t.date(&th.last_activity_at),
            answered: th.answered,
            locked: th.locked,
        })
        .collect();
    let d = &t.discussions;
    let answered = filter.answered.map(|a| a.as_str());
    let sort = filter.sort.as_str();
    let page = DiscussionsPage {
        chrome: Chrome::for_ui(&ui, d.discussions_title, "discussions").about(d.discussions_intro, "website"),
        t,
        threads,
        total,
        theme_options: themes.iter().map(|x| option(&x.slug, x.name(&t.lang), filter.theme.as_deref())).collect(),
        region_options: region_options(&regions, filter.region.as_deref()),
        answered_options: vec![
            option(Answered::Yes.as_str(), d.filter_answered, answered),
            option(Answered::No.as_str(), d.filter_unanswered, answered),
        ],
        sort_options: vec![
            option(ThreadSort::Activity.as_str(), d.sort_activity, Some(sort)),
            option(ThreadSort::Newest.as_str(), d.sort_newest, Some(sort)),
            option(ThreadSort::Useful.as_str(), d.sort_useful, Some(sort)),
        ],
        pager: Pager::filtered(t, "/discussions", filter.pairs(), paging, total),
        signed_in: ui.viewer.user.is_some(),
    };
    Ok(render(page)?.into_response())
}

#[derive(Template)]
#[template(path = "thread_new.html")]
struct NewThreadPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    raw: RawThread,
    errors: FormErrors,
    preview: Option<String>,
    key: String,
    theme_options: Vec<SelectOption>,
    region_options: Vec<SelectOption>,
}

/// The form as submitted: the thread, its key, and which button was pressed.
#[derive(serde::Deserialize, Default)]
pub struct NewThreadInput {
    #[serde(flatten)]
    raw: RawThread,
    #[serde(default)]
    key: String,
    preview: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct NewThreadQuery {
    theme: Option<String>,
    region: Option<String>,
}

async fn form_page(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    raw: RawThread,
    errors: FormErrors,
    preview: Option<String>,
    key: String,
) -> AppResult<Response> {
    let (themes, regions) = tokio::try_join!(state.store.themes(), state.store.regions())?;
    let t = ui.t;
    let status = errors.status();
    let page = NewThreadPage {
        chrome: Chrome::for_ui(ui, t.discussions.new_thread_title, "discussions"),
        t,
        csrf: session::csrf_token(session).await?,
        theme_options: themes.iter().map(|x| option(&x.slug, x.name(&t.lang), Some(raw.theme.as_str()))).collect(),
        region_options: region_options(&regions, Some(raw.region.as_str())),
        raw,
        errors,
        preview,
        key,
    };
    Ok((status, render(page)?).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(_): SignedInUser,
    Params(query): Params<NewThreadQuery>,
) -> AppResult<Response> {
    let raw = RawThread {
        theme: query.theme.unwrap_or_default(),
        region: query.region.unwrap_or_default(),
        ..RawThread::default()
    };
    form_page(&state, &ui, &session, raw, FormErrors::default(), None, secret::generate("")).await
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    FormData(input): FormData<NewThreadInput>,
) -> AppResult<Response> {
    let (themes, regions) = tokio::try_join!(state.store.themes(), state.store.regions())?;
    let key = if input.key.is_empty() { secret::generate("") } else { input.key.clone() };
    let draft = match input.raw.validate(&themes, &regions) {
        Ok(draft) => draft,
        Err(errors) => {
            let errors = form_errors(ui.t, &errors);
            return form_page(&state, &ui, &session, input.raw, errors, None, key).await;
        }
    };
    let rendered = render_comment(&state, &draft.body, "body").await?;
    if input.preview.is_some() {
        return form_page(&state, &ui, &session, input.raw, FormErrors::default(), Some(rendered.html), key).await;
    }
    if key.chars().count() > super::MAX_KEY_CHARS {
        return Err(AppError::BadRequest);
    }
    let opening = NewComment {
        thread_id: 0,
        author: &user,
        reply_to: None,
        body_markdown: &draft.body,
        body_html: rendered.html,
        body_text: rendered.text,
        mentions: rendered.mentions,
        has_links: rendered.has_links,
        idempotency_key: Some(&key),
    };
    let (thread, _) = state.store.start_thread(&draft.title, &draft.theme, draft.region.as_deref(), opening).await?;
    Ok(Redirect::to(&format!("/discussions/{thread}")).into_response())
}
