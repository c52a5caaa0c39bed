//! Notifications: the page (with the unread ones marked), reading them one by one or all
//! at once, the private Atom feed and its token, and following things. They are made by
//! the outbox worker (`crate::outbox`) from events written with the changes that caused
//! them.

mod api;

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use time::OffsetDateTime;
use tower_sessions::Session;

use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    guarded, guarded_api,
    views::{render, render_atom, rfc3339, Chrome},
    AppState,
};
use crate::{
    domain::{discussion::FollowKind, Lang},
    error::{AppError, AppResult},
    http::{
        extract::{BeforeParam, FormData, Params, Ui},
        session::{self, SignedInUser},
        urls::{self, safe_next},
    },
    i18n::Catalog,
    store::notifications::{NotificationView, NOTIFICATIONS_PER_PAGE},
};

/// The JSON API for notifications and follows.
pub fn api(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(guarded_api(state, routes!(api::read)))
        .routes(guarded_api(state, routes!(api::read_all)))
        .routes(routes!(api::follows))
        .routes(guarded_api(state, routes!(api::follow, api::unfollow)))
}

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/notifications", get(page))
        .route("/notifications/read-all", guarded(state, post(read_all)))
        .route("/notifications/{id}", get(open))
        .route("/notifications/{id}/read", guarded(state, post(read)))
        .route("/notifications/feed", guarded(state, post(new_feed)))
        .route("/notifications/feed/revoke", guarded(state, post(revoke_feed)))
        .route("/feeds/notifications/{token}", get(feed))
        .route("/follows", guarded(state, post(follow)))
}

/// A notification, ready for the page and the feed.
pub struct Item {
    pub id: i64,
    pub text: String,
    pub excerpt: Option<String>,
    pub url: String,
    pub when: String,
    pub when_iso: String,
    pub read: bool,
}

/// Where a notification leads.
pub(crate) fn target(n: &NotificationView) -> String {
    if let Some(comment) = n.comment_id {
        format!("/comments/{comment}")
    } else if let Some(id) = n.commitment_id {
        format!("/commitments/{id}")
    } else if let Some(slug) = &n.workshop_slug {
        format!("/workshops/{slug}")
    } else if let Some(slug) = &n.case_slug {
        format!("/cases/{slug}")
    } else if let Some(thread) = n.thread_id {
        format!("/discussions/{thread}")
    } else {
        "/notifications".into()
    }
}

fn item(t: &Catalog, n: &NotificationView) -> Item {
    Item {
        id: n.id,
        text: t.notification_text(n),
        excerpt: n.excerpt.clone().filter(|e| !e.is_empty()),
        url: target(n),
        when: t.date_time(&n.created_at),
        when_iso: t.iso_datetime(&n.created_at),
        read: n.read,
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    t: &'static Catalog,
    csrf: String,
    items: Vec<Item>,
    older_url: Option<String>,
    /// The feed's address, shown once when it is made.
    new_feed_url: Option<String>,
    feed_since: Option<String>,
}

async fn draw(
    state: &AppState,
    ui: &Ui,
    session: &Session,
    user: i64,
    before: Option<i64>,
    new_feed_url: Option<String>,
) -> AppResult<Response> {
    let t = ui.t;
    let (listed, feed) =
        tokio::try_join!(state.store.notifications(user, before), state.store.feed_token_created(user))?;
    let older_url = (listed.len() as i64 == NOTIFICATIONS_PER_PAGE)
        .then(|| listed.last().map(|n| urls::link("/notifications", &[("before", n.id.to_string())])))
        .flatten();
    let page = NotificationsPage {
        chrome: Chrome::for_ui(ui, t.discussions.notifications_title, "notifications"),
        t,
        csrf: session::csrf_token(session).await?,
        items: listed.iter().map(|n| item(t, n)).collect(),
        older_url,
        new_feed_url,
        feed_since: feed.map(|at| t.date(&at)),
    };
    Ok(render(page)?.into_response())
}

pub async fn page(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
    Params(query): Params<BeforeParam>,
) -> AppResult<Response> {
    draw(&state, &ui, &session, user.id, query.before()?, None).await
}

/// Opens what a notification is about, marking it read.
pub async fn open(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let listed = state.store.notification(user.id, id).await?.ok_or(AppError::NotFound)?;
    state.store.mark_read(user.id, Some(id)).await?;
    Ok(Redirect::to(&target(&listed)).into_response())
}

pub async fn read(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !state.store.mark_read(user.id, Some(id)).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/notifications").into_response())
}

pub async fn read_all(State(state): State<AppState>, SignedInUser(user): SignedInUser) -> AppResult<Response> {
    state.store.mark_read(user.id, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// Makes (or replaces) the private feed's address and shows it once.
pub async fn new_feed(
    State(state): State<AppState>,
    ui: Ui,
    session: Session,
    SignedInUser(user): SignedInUser,
) -> AppResult<Response> {
    let token = state.store.new_feed_token(user.id).await?;
    let url = format!("{}/feeds/notifications/{token}", state.public_url);
    draw(&state, &ui, &session, user.id, None, Some(url)).await
}

pub async fn revoke_feed(State(state): State<AppState>, SignedInUser(user): SignedInUser) -> AppResult<Response> {
    state.store.revoke_feed_token(user.id).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Template)]
#[template(path = "notifications_feed.xml")]
struct Feed {
    t: &'static Catalog,
    lang: Lang,
    base: String,
    updated: String,
    entries: Vec<(Item, String)>,
}

/// The private feed: a person's latest notifications, in their own language, at an
/// address only they know (a wrong or revoked token is 404, like any unknown address).
pub async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let (user, lang) = state.store.feed_owner(&token).await?.ok_or(AppError::NotFound)?;
    let t = crate::i18n::catalog(lang);
    let listed = state.store.notifications(user, None).await?;
    let updated = rfc3339(listed.first().map_or(OffsetDateTime::UNIX_EPOCH, |n| n.created_at))?;
    let mut entries = Vec::with_capacity(listed.len());
    for n in &listed {
        entries.push((item(t, n), rfc3339(n.created_at)?));
    }
    let mut response =
        render_atom(Feed { t, lang, base: state.public_url.to_string(), updated, entries })?.into_response();
    // A private address: never kept by shared caches.
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// A follow button for a region's or a theme's page (by slug), as the viewer stands.
pub(crate) struct FollowButton {
    pub kind: FollowKind,
    pub key: String,
    pub on: bool,
    pub next: String,
    pub csrf: String,
}

impl FollowButton {
    /// The button for `user` (None for visitors, who are offered nothing to follow).
    pub(crate) async fn by_slug(
        state: &AppState,
        session: &Session,
        user: Option<&crate::domain::account::User>,
        kind: FollowKind,
        slug: &str,
        next: String,
    ) -> AppResult<Option<FollowButton>> {
        let Some(user) = user else { return Ok(None) };
        let on = state.store.follows_slug(user.id, kind, slug).await?;
        let csrf = session::csrf_token(session).await?;
        Ok(Some(FollowButton { kind, key: slug.to_string(), on, next, csrf }))
    }
}

#[derive(serde::Deserialize, Default)]
pub struct FollowInput {
    #[serde(default)]
    kind: String,
    /// An id, or a region's or theme's slug.
    #[serde(default)]
    key: String,
    #[serde(default)]
    on: String,
    next: Option<String>,
}

/// Follows a case, thread, workshop, region or theme (`on=1`), or stops (`on=0`), then
/// goes back where the button was.
pub async fn follow(
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    FormData(input): FormData<FollowInput>,
) -> AppResult<Response> {
    let kind = FollowKind::parse(&input.kind).ok_or(AppError::BadRequest)?;
    let id = state.store.followable(kind, &input.key, user.id).await?.ok_or(AppError::NotFound)?;
    state.store.follow(user.id, kind, id, input.on != "0").await?;
    Ok(Redirect::to(&safe_next(input.next.as_deref())).into_response())
}
