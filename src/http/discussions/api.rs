//! Discussions through the JSON API: threads (listed, started, read a page at a time),
//! comments (posted with an `Idempotency-Key`, read, edited, deleted) and useful votes. The
//! same checks, permissions and limits as the forms, through the same functions.

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{
    check_thread, comment_for, edit_comment, number, post_comment, render_comment,
    thread::{discussed_case, discussed_workshop},
    thread_for,
};
use crate::{
    domain::{
        account::User,
        discussion::{RawThread, ThreadParams},
        permission::{may, CommentAction, ThreadAction},
    },
    error::{AppError, AppResult},
    http::{
        extract::{JsonBody, Params},
        middleware::ErrorBody,
        session::Viewer,
        AppState,
    },
    store::discussions::{Author, CommentView, Home, NewComment, ThreadRecord},
};

/// Who wrote something; absent for a closed account ("former member").
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorRef {
    pub id: i64,
    pub name: String,
    /// What people type after `@` to mention them.
    pub handle: Option<String>,
}

fn author_ref(author: &Author) -> Option<AuthorRef> {
    Some(AuthorRef { id: author.id?, name: author.name.clone()?, handle: author.handle.clone() })
}

/// A thread: a case's or a workshop's discussion, or a free-standing one under a theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadSummary {
    pub id: i64,
    /// The thread's page.
    pub url: String,
    /// Its own title, or its case's or workshop's.
    pub title: String,
    /// `case`, `workshop` or `standalone`.
    pub home: &'static str,
    /// The case's or workshop's slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// A free-standing thread's theme and region (slugs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub author: Option<AuthorRef>,
    pub comment_count: i32,
    /// The comment the thread's (or the case's) author accepted as the answer.
    pub accepted_comment_id: Option<i64>,
    /// No new comments while locked.
    pub locked: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_activity_at: OffsetDateTime,
}

fn summary(state: &AppState, thread: &ThreadRecord) -> ThreadSummary {
    let (home, slug, theme, region) = match &thread.home {
        Home::Case { slug, .. } => ("case", Some(slug.clone()), None, None),
        Home::Workshop { slug, .. } => ("workshop", Some(slug.clone()), None, None),
        Home::Standalone { theme, region } => ("standalone", None, Some(theme.clone()), region.clone()),
    };
    ThreadSummary {
        id: thread.id,
        url: format!("{}{}", state.public_url, thread.url()),
        title: thread.title.clone(),
        home,
        slug,
        theme,
        region,
        author: author_ref(&thread.author),
        comment_count: thread.comment_count,
        accepted_comment_id: thread.accepted_comment_id,
        locked: thread.locked,
        created_at: thread.created_at,
        last_activity_at: thread.last_activity_at,
    }
}

/// A comment as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDetail {
    pub id: i64,
    pub thread_id: i64,
    /// Its place in the thread, from 1, in the order comments were posted.
    pub number: i32,
    /// The permalink: opens the thread's page at the comment.
    pub url: String,
    /// A reply (shown under its top comment).
    pub is_reply: bool,
    /// The reply it answers, when that is not its top comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes: Option<i64>,
    pub author: Option<AuthorRef>,
    /// `shown`, `held` (waiting for a moderator), `hidden` (by moderators) or `deleted`.
    pub state: &'static str,
    /// Sanitized HTML; absent when the caller may not read it (hidden or deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// The moderators' reason, for the author and the moderators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    pub useful_count: i32,
    /// Whether the caller marked it useful.
    pub voted: bool,
    pub accepted: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
}

/// The comment as `viewer` sees it; `None` when it is not shown to them at all (deleted
/// without replies, or held for someone other than its author and the moderators).
fn detail(state: &AppState, thread: &ThreadRecord, c: &CommentView, viewer: Option<&User>) -> Option<CommentDetail> {
    let readable = may(viewer, CommentAction::Read, &c.access(thread));
    let status = if c.state.deleted {
        "deleted"
    } else if c.state.hidden {
        "hidden"
    } else if c.state.held {
        "held"
    } else {
        "shown"
    };
    if (c.state.deleted && !c.has_replies) || (status == "held" && !readable) {
        return None;
    }
    let shows_text = readable && !c.state.deleted;
    Some(CommentDetail {
        id: c.id,
        thread_id: thread.id,
        number: c.number,
        url: format!("{}/comments/{}", state.public_url, c.id),
        is_reply: c.is_reply,
        quotes: c.quote.as_ref().map(|q| q.id),
        author: author_ref(&c.author),
        state: status,
        body_html: shows_text.then(|| c.body_html.clone()),
        hidden_reason: if readable { c.hidden_reason.clone() } else { None },
        useful_count: c.useful_count,
        voted: c.voted,
        accepted: thread.accepted_comment_id == Some(c.id),
        created_at: c.created_at,
        edited_at: c.edited_at,
    })
}

/// A page of free-standing threads.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadList {
    pub threads: Vec<ThreadSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A thread and one page of its comments (50 to a page, replies under their top comment).
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadPage {
    pub thread: ThreadSummary,
    pub comments: Vec<CommentDetail>,
    /// From 1.
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParam {
    /// From 1; left out: the newest page.
    pub page: Option<String>,
}

/// A new free-standing thread, with its opening comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewThreadInput {
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title: String,
    /// A theme's slug.
    #[schema(required = true)]
    pub theme: String,
    /// A region's slug, or left out.
    pub region: String,
    /// Markdown, at most 20,000 characters. `@handle` mentions the person.
    #[schema(required = true)]
    pub body: String,
}

/// A comment. A reply to a reply is shown under the top comment, quoting the reply.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CommentInput {
    /// Markdown, at most 20,000 characters. `@handle` mentions the person.
    #[schema(required = true)]
    pub body: String,
    /// The id of the comment it answers.
    pub reply_to: Option<i64>,
}

/// A comment's new text.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EditInput {
    #[schema(required = true)]
    pub body: String,
}

/// The `Idempotency-Key` header: a retried request with the same key makes nothing new.
fn idempotency_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => Ok(Some(value.to_str().map_err(|_| AppError::BadRequest)?.to_string())),
    }
}

fn created(location: String, body: impl Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// The comment `id` as `user` now sees it, for an answer.
async fn comment_answer(state: &AppState, id: i64, user: &User) -> AppResult<CommentDetail> {
    let (thread, comment) = comment_for(state, id, Some(user), CommentAction::Read).await?;
    detail(state, &thread, &comment, Some(user)).ok_or(AppError::NotFound)
}

/// Free-standing threads, filtered and sorted as on `/discussions`.
#[utoipa::path(
    get,
    path = "/api/v1/discussions",
    tag = "discussions",
    params(ThreadParams),
    responses(
        (status = 200, description = "A page of threads", body = ThreadList),
        (status = 400, description = "A filter is not valid; the message names it", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, Params(query): Params<ThreadParams>) -> AppResult<Json<ThreadList>> {
    let (themes, regions) = tokio::try_join!(state.store.themes(), state.store.regions())?;
    let (filter, paging) = query.validate(&themes, &regions)?;
    let (listed, total) = state.store.threads(&filter, paging).await?;
    let threads = listed
        .into_iter()
        .map(|t| ThreadSummary {
            id: t.id,
            url: format!("{}/discussions/{}", state.public_url, t.id),
            title: t.title,
            home: "standalone",
            slug: None,
            theme: Some(t.theme),
            region: t.region,
            author: author_ref(&t.author),
            comment_count: t.comment_count,
            accepted_comment_id: t.accepted_comment_id,
            locked: t.locked,
            created_at: t.created_at,
            last_activity_at: t.last_activity_at,
        })
        .collect();
    Ok(Json(ThreadList { threads, total, page: paging.page, per_page: paging.per_page }))
}

/// Starts a free-standing thread with its opening comment. The caller follows it.
#[utoipa::path(
    post,
    path = "/api/v1/discussions",
    tag = "discussions",
    request_body = NewThreadInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters: a retry with the same key starts nothing new")),
    responses(
        (status = 201, description = "Started; `Location` is its address", body = ThreadPage),
        (status = 400, description = "The `Idempotency-Key` is longer than 200 characters", body = ErrorBody),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 409, description = "The `Idempotency-Key` was used for a post that did not start a thread", body = ErrorBody),
        (status = 422, description = "A field is missing or not valid; the message names it", body = ErrorBody),
        (status = 429, description = "Too many comments in ten minutes", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    JsonBody(input): JsonBody<NewThreadInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let key = idempotency_key(&headers)?;
    if key.as_ref().is_some_and(|k| k.chars().count() > super::MAX_KEY_CHARS) {
        return Err(AppError::BadRequest);
    }
    let (themes, regions) = tokio::try_join!(state.store.themes(), state.store.regions())?;
    let raw = RawThread { title: input.title, theme: input.theme, region: input.region, body: input.body };
    let draft = raw.validate(&themes, &regions)?;
    let rendered = render_comment(&state, &draft.body, "body").await?;
    let opening = NewComment {
        thread_id: 0,
        author: user,
        reply_to: None,
        body_markdown: &draft.body,
        body_html: rendered.html,
        body_text: rendered.text,
        mentions: rendered.mentions,
        has_links: rendered.has_links,
        idempotency_key: key.as_deref().filter(|k| !k.is_empty()),
    };
    let (id, _) = state.store.start_thread(&draft.title, &draft.theme, draft.region.as_deref(), opening).await?;
    let thread = thread_for(&state, id, Some(user), ThreadAction::View).await?;
    let page = thread_page(&state, thread, None, Some(user)).await?;
    Ok(created(format!("/api/v1/discussions/{id}"), page))
}

async fn thread_page(
    state: &AppState,
    thread: ThreadRecord,
    page: Option<&str>,
    user: Option<&User>,
) -> AppResult<ThreadPage> {
    let wanted = match page.filter(|p| !p.is_empty()) {
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| AppError::bad_param("page", crate::domain::ParamProblem::NotANumber))?,
        None => i64::MAX,
    };
    let listed = state.store.comment_page(&thread, wanted, user.map(|u| u.id)).await?;
    let comments = listed.comments.iter().filter_map(|c| detail(state, &thread, c, user)).collect();
    Ok(ThreadPage { thread: summary(state, &thread), comments, page: listed.page, pages: listed.pages })
}

/// A thread and a page of its comments.
#[utoipa::path(
    get,
    path = "/api/v1/discussions/{id}",
    tag = "discussions",
    params(("id" = i64, Path, description = "The thread's id"), PageParam),
    responses(
        (status = 200, description = "The thread and the page asked for (the newest by default)", body = ThreadPage),
        (status = 400, description = "`page` is not a number from 1", body = ErrorBody),
        (status = 404, description = "No thread the caller may see has this id", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Params(query): Params<PageParam>,
) -> AppResult<Json<ThreadPage>> {
    let thread = thread_for(&state, number(&id)?, viewer.user(), ThreadAction::View).await?;
    Ok(Json(thread_page(&state, thread, query.page.as_deref(), viewer.user()).await?))
}

/// Posts `input` in `thread` for the caller, answering 201 with the comment.
async fn post_in(
    state: &AppState,
    thread: ThreadRecord,
    user: &User,
    headers: &HeaderMap,
    input: CommentInput,
) -> AppResult<Response> {
    check_thread(&thread, Some(user), ThreadAction::Comment)?;
    let key = idempotency_key(headers)?;
    let posted = post_comment(state, &thread, user, &input.body, input.reply_to, key.as_deref()).await?;
    let answer = comment_answer(state, posted.id, user).await?;
    Ok(created(format!("/api/v1/comments/{}", posted.id), answer))
}

/// Comments in a thread. A new account's first comment with links waits for a moderator
/// (`state: held`).
#[utoipa::path(
    post,
    path = "/api/v1/discussions/{id}/comments",
    tag = "discussions",
    request_body = CommentInput,
    params(
        ("id" = i64, Path, description = "The thread's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters: a retry with the same key posts nothing new and answers with the first comment"),
    ),
    responses(
        (status = 201, description = "Posted; `Location` is its address", body = CommentDetail),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The thread is locked", body = ErrorBody),
        (status = 404, description = "No thread the caller may see has this id", body = ErrorBody),
        (status = 400, description = "The `Idempotency-Key` is longer than 200 characters", body = ErrorBody),
        (status = 404, description = "`reply_to` names no comment of this thread that the caller may answer", body = ErrorBody),
        (status = 409, description = "The `Idempotency-Key` was used for a post elsewhere", body = ErrorBody),
        (status = 422, description = "The text is blank or too long", body = ErrorBody),
        (status = 429, description = "Too many comments in ten minutes", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn comment(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CommentInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let thread = thread_for(&state, number(&id)?, Some(user), ThreadAction::View).await?;
    post_in(&state, thread, user, &headers, input).await
}

/// Comments on a published case, starting its discussion with the first comment.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{slug}/comments",
    tag = "discussions",
    request_body = CommentInput,
    params(
        ("slug" = String, Path, description = "The case's slug"),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters: a retry with the same key posts nothing new"),
    ),
    responses(
        (status = 201, description = "Posted; `Location` is its address", body = CommentDetail),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The discussion is locked", body = ErrorBody),
        (status = 404, description = "No published case has this slug", body = ErrorBody),
        (status = 400, description = "The `Idempotency-Key` is longer than 200 characters", body = ErrorBody),
        (status = 409, description = "The `Idempotency-Key` was used for a post elsewhere", body = ErrorBody),
        (status = 422, description = "The text is blank or too long", body = ErrorBody),
        (status = 429, description = "Too many comments in ten minutes", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn comment_on_case(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<CommentInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let case = discussed_case(&state, &slug, Some(user)).await?;
    let thread = state.store.discussion_of(Some(case.id), None).await?;
    post_in(&state, thread, user, &headers, input).await
}

/// Comments on a workshop (not a draft), starting its discussion with the first comment.
#[utoipa::path(
    post,
    path = "/api/v1/workshops/{slug}/comments",
    tag = "discussions",
    request_body = CommentInput,
    params(
        ("slug" = String, Path, description = "The workshop's slug"),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters: a retry with the same key posts nothing new"),
    ),
    responses(
        (status = 201, description = "Posted; `Location` is its address", body = CommentDetail),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The discussion is locked", body = ErrorBody),
        (status = 404, description = "No workshop the caller may discuss has this slug", body = ErrorBody),
        (status = 400, description = "The `Idempotency-Key` is longer than 200 characters", body = ErrorBody),
        (status = 409, description = "The `Idempotency-Key` was used for a post elsewhere", body = ErrorBody),
        (status = 422, description = "The text is blank or too long", body = ErrorBody),
        (status = 429, description = "Too many comments in ten minutes", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn comment_on_workshop(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<CommentInput>,
) -> AppResult<Response> {
    let user = viewer.signed_in()?;
    let workshop = discussed_workshop(&state, &slug, Some(user)).await?;
    let thread = state.store.discussion_of(None, Some(workshop.id)).await?;
    post_in(&state, thread, user, &headers, input).await
}

/// One comment.
#[utoipa::path(
    get,
    path = "/api/v1/comments/{id}",
    tag = "discussions",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "The comment as the caller may see it (a hidden one without its text)", body = CommentDetail),
        (status = 404, description = "No comment the caller may see has this id (held for a moderator, or deleted without replies)", body = ErrorBody),
    )
)]
pub async fn comment_show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Json<CommentDetail>> {
    let comment = state.store.comment(number(&id)?, viewer.user().map(|u| u.id)).await?.ok_or(AppError::NotFound)?;
    let thread = thread_for(&state, comment.thread_id, viewer.user(), ThreadAction::View).await?;
    Ok(Json(detail(&state, &thread, &comment, viewer.user()).ok_or(AppError::NotFound)?))
}

/// Replaces the caller's comment's text. The earlier text is kept in its history; only
/// people newly mentioned are notified.
#[utoipa::path(
    put,
    path = "/api/v1/comments/{id}",
    tag = "discussions",
    request_body = EditInput,
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "Saved", body = CommentDetail),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "Not the caller's comment, or the thread is locked", body = ErrorBody),
        (status = 404, description = "No comment the caller may see has this id", body = ErrorBody),
        (status = 422, description = "The text is blank or too long", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn comment_update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<EditInput>,
) -> AppResult<Json<CommentDetail>> {
    let user = viewer.signed_in()?;
    let (_, comment) = comment_for(&state, number(&id)?, Some(user), CommentAction::Edit).await?;
    edit_comment(&state, &comment, user, &input.body).await?;
    Ok(Json(comment_answer(&state, comment.id, user).await?))
}

/// Deletes the caller's comment. One with replies leaves a "comment deleted" placeholder.
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}",
    tag = "discussions",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "Not the caller's comment", body = ErrorBody),
        (status = 404, description = "No comment the caller may see has this id", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn comment_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let (_, comment) = comment_for(&state, number(&id)?, Some(user), CommentAction::Delete).await?;
    state.store.delete_comment(comment.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn vote(state: &AppState, viewer: &Viewer, id: &str, useful: bool) -> AppResult<StatusCode> {
    let user = viewer.signed_in()?;
    let (_, comment) = comment_for(state, number(id)?, Some(user), CommentAction::Vote).await?;
    state.store.vote(&comment, user.id, useful).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a comment useful: once per person, never one's own. Marking again changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/comments/{id}/vote",
    tag = "discussions",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 204, description = "Marked useful"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller's own comment, or one not shown to everyone", body = ErrorBody),
        (status = 404, description = "No comment the caller may see has this id", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn vote_put(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> AppResult<StatusCode> {
    vote(&state, &viewer, &id, true).await
}

/// Takes the caller's useful mark back.
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}/vote",
    tag = "discussions",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 204, description = "No longer marked"),
        (status = 401, description = "No API token, or an unknown or revoked one", body = ErrorBody),
        (status = 403, description = "The caller's own comment", body = ErrorBody),
        (status = 404, description = "No comment the caller may see has this id", body = ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn vote_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    vote(&state, &viewer, &id, false).await
}
