//! What every handler can reach.

use std::{net::IpAddr, sync::Arc, time::Duration};

use super::{page_cache::PageCache, site::Site, throttle};
use crate::{config::Config, markdown::Renderer, search::Search, store::Store};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// This process's search index.
    pub search: Search,
    /// Base for absolute links (feeds, API `url` fields), without a trailing slash.
    pub public_url: Arc<str>,
    pub request_timeout: Duration,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[IpAddr]>,
    /// Markdown rendering, a core at a time.
    pub renderer: Renderer,
    pub previews: Arc<throttle::PreviewLimit>,
    /// Who runs this installation, and the pages that say so.
    pub site: Arc<Site>,
    /// Anonymous pages kept whole.
    pub pages: PageCache,
}

impl AppState {
    pub fn new(store: Store, search: Search, config: &Config) -> Self {
        AppState {
            store,
            search,
            public_url: config.public_base_url().into(),
            request_timeout: config.request_timeout(),
            trusted_proxies: config.trusted_proxies.clone().into(),
            renderer: Renderer::default(),
            previews: Arc::default(),
            site: Arc::new(Site::new(config.operator.clone(), config.contact_email.clone())),
            pages: PageCache::default(),
        }
    }
}
