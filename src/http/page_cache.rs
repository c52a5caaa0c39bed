//! Pages that read the same for every anonymous visitor are kept whole, per language and
//! address, and served again while nothing they show has changed: the change log's last
//! entry, the site version (regions, themes, names, re-rendered bodies), the regions and
//! themes this process keeps, and its index (peer cases) are the same as when the page was
//! drawn. Checking costs one small
//! query, so a page written by another process is never served stale. A signed-in person
//! never gets a kept page, and a page is only kept when it sets no cookie.

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
}

#[derive(Clone)]
struct Kept {
    stamp: Stamp,
    headers: HeaderMap,
    body: Bytes,
}

impl IntoResponse for Kept {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.headers_mut() = self.headers;
        response
    }
}

#[derive(Clone)]
struct BySize;

impl Weighter<Key, Kept> for BySize {
    fn weight(&self, key: &Key, kept: &Kept) -> u64 {
        (key.path_and_query.len() + kept.body.len()) as u64
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
    let catalog = state.store.catalog_generation();
    let Ok(versions) = state.store.versions().await else {
        return next.run(request).await;
    };
    let stamp = Stamp { versions, catalog, index: state.search.applied_change() };
    let key = Key {
        lang: lang::negotiate(request.uri(), request.headers()),
        path_and_query: request.uri().path_and_query().map_or("/", |pq| pq.as_str()).to_string(),
    };
    let pages = &state.pages.0;
    // A page drawn before the last change is dropped, so that one request draws it again
    // while the others with the same address wait for it: many visitors arriving at once
    // after a change draw a page once, not once each.
    pages.remove_if(&key, |kept| kept.stamp != stamp);
    let guard = match pages.get_value_or_guard_async(&key).await {
        Ok(kept) if kept.stamp == stamp => return kept.into_response(),
        // Drawn meanwhile by a request that saw other versions: draw this one's own.
        Ok(_) => None,
        Err(guard) => Some(guard),
    };
    let response = next.run(request).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::CACHE_CONTROL)
        && response.body().size_hint().exact().is_some_and(|size| size <= LARGEST_PAGE as u64);
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, LARGEST_PAGE).await {
        Ok(body) => {
            let kept = Kept { stamp, headers: parts.headers.clone(), body: body.clone() };
            match guard {
                // Err only when the placeholder was replaced meanwhile: a page is kept then.
                Some(guard) => {
                    guard.insert(kept).ok();
                }
                None => pages.insert(key, kept),
            }
            Response::from_parts(parts, Body::from(body))
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot read a drawn page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
