//! Pages that read the same for every anonymous visitor are kept whole, per language and
//! address, and served again while nothing they show has changed: the change log's last
//! entry, the site version (regions, themes, names, re-rendered bodies), Lima's date
//! (commitments turn overdue), the regions and
//! themes this process keeps, and its index (peer cases) are the same as when the page was
//! drawn. Checking costs one small
//! query, so a page written by another process is never served stale. A signed-in person
//! never gets a kept page, and a page is only kept when it sets no cookie. A page that
//! changes with the clock (a workshop's registration closes at its start) says until when
//! it holds with [`KeptUntil`].

use std::sync::Arc;

use axum::{
    body::{Body, Bytes, HttpBody},
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use quick_cache::{sync::Cache, Weighter};

use super::{lang, session::Viewer, AppState};
use crate::{domain::Lang, store::versions::Versions};

/// Memory for kept pages, in bytes: about 3,000 case pages.
const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;
/// Pages larger than this are drawn each time.
const LARGEST_PAGE: usize = 1024 * 1024;
/// Addresses longer than this are drawn each time: nobody links to them, and each would
/// take an entry.
const LONGEST_ADDRESS: usize = 512;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    lang: Lang,
    path_and_query: String,
}

/// What a page was drawn from: it is only served while all of it is unchanged.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    versions: Versions,
    /// The regions and themes kept in memory, which follow their notification.
    catalog: u64,
    index: Option<i64>,
    /// Lima's date: pages mark commitments overdue by it.
    day: time::Date,
}

/// A response extension: the page drawn is true until this instant, then drawn again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeptUntil(pub time::OffsetDateTime);

#[derive(Clone)]
struct Kept {
    stamp: Stamp,
    until: Option<time::OffsetDateTime>,
    /// `None` when the answer drawn at this stamp is not kept (a redirect, a 404): the
    /// requests waiting for it then draw their own at once, not one after another.
    page: Option<(HeaderMap, Bytes)>,
}

impl Kept {
    /// Whether this page may still be served: drawn at `stamp`, and not past its time.
    fn holds(&self, stamp: &Stamp, now: time::OffsetDateTime) -> bool {
        self.stamp == *stamp && self.until.is_none_or(|until| now < until)
    }
}

fn kept_response((headers, body): (HeaderMap, Bytes)) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = headers;
    response
}

#[derive(Clone)]
struct BySize;

impl Weighter<Key, Kept> for BySize {
    fn weight(&self, key: &Key, kept: &Kept) -> u64 {
        (key.path_and_query.len() + kept.page.as_ref().map_or(0, |(_, body)| body.len())).max(1) as u64
    }
}

/// The pages kept by this process.
#[derive(Clone)]
pub struct PageCache(Arc<Cache<Key, Kept, BySize>>);

impl Default for PageCache {
    fn default() -> Self {
        PageCache(Arc::new(Cache::with_weighter(4096, CAPACITY_BYTES, BySize)))
    }
}

/// Serves a kept page to anonymous visitors, or draws it and keeps it.
pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let anonymous = request.extensions().get::<Viewer>().is_some_and(|v| v.user.is_none());
    if request.method() != Method::GET || !anonymous {
        return next.run(request).await;
    }
    let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str()).to_string();
    if path_and_query.len() > LONGEST_ADDRESS {
        return next.run(request).await;
    }
    let Ok(versions) = state.store.versions().await else {
        return next.run(request).await;
    };
    // Read after the versions: lists kept from before a write they show are dropped first.
    state.store.saw_site_version(versions.site);
    let catalog = state.store.catalog_generation();
    let now = time::OffsetDateTime::now_utc();
    let day = crate::domain::lima::today(now);
    let stamp = Stamp { versions, catalog, index: state.search.applied_change(), day };
    let key = Key { lang: lang::negotiate(request.uri(), request.headers()), path_and_query };
    let pages = &state.pages.0;
    // A page drawn before the last change is dropped, so that one request draws it again
    // while the others with the same address wait for it: many visitors arriving at once
    // after a change draw a page once, not once each.
    pages.remove_if(&key, |kept| !kept.holds(&stamp, now));
    let guard = match pages.get_value_or_guard_async(&key).await {
        Ok(kept) => match kept.page {
            Some(page) if kept.holds(&stamp, now) => return kept_response(page),
            // Not kept at this stamp, or drawn by a request that saw other versions.
            _ => return next.run(request).await,
        },
        Err(guard) => guard,
    };
    let response = next.run(request).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::CACHE_CONTROL)
        && response.body().size_hint().exact().is_some_and(|size| size <= LARGEST_PAGE as u64);
    let until = response.extensions().get::<KeptUntil>().map(|k| k.0);
    if !keep {
        guard.insert(Kept { stamp, until, page: None }).ok();
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, LARGEST_PAGE).await {
        Ok(body) => {
            // Err only when the placeholder was replaced meanwhile: a page is kept then.
            guard.insert(Kept { stamp, until, page: Some((parts.headers.clone(), body.clone())) }).ok();
            Response::from_parts(parts, Body::from(body))
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot read a drawn page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
