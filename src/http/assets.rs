//! Styles, icons and the one small script, compiled into the binary: no CDN, no outside requests, and nothing to
//! find on disk at run time.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "ayni.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../web/static/ayni.css"),
    },
    Asset {
        name: "ayni.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../web/static/ayni.js"),
    },
    Asset { name: "favicon.svg", content_type: "image/svg+xml", body: include_bytes!("../../web/static/favicon.svg") },
];

/// A short hash of all assets: part of their URLs, so browsers may keep them for a year.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    for asset in ASSETS {
        hasher.update(asset.body);
    }
    format!("{:x}", hasher.finalize())[..12].to_string()
});

pub fn version() -> &'static str {
    &VERSION
}

pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let asset = ASSETS.iter().find(|a| a.name == file).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", version());
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let mut response = asset.body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    Ok(response)
}
