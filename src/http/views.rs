//! What every page template shares: the page chrome, rendering (pages and Atom feeds), form
//! errors and pagers.

use askama::Template;
use axum::{
    http::{header, HeaderValue},
    response::{Html, IntoResponse, Response},
};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use super::{assets, extract::Ui, session::Viewer, urls};
use crate::{
    domain::{
        filter::Paging,
        region::{grouped, Region},
        Lang,
    },
    error::{AppError, AppResult},
    i18n::{done::AccountDone, Catalog},
};

/// The frame around every page: language, title, navigation state.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    /// Which navigation entry is current: "home", "cases", "regions", "themes" or "".
    pub section: &'static str,
    /// The link that shows this page in the other language.
    pub switch_url: String,
    /// This page's absolute address in Spanish, in English, and with neither chosen.
    pub url_es: String,
    pub url_en: String,
    pub url_default: String,
    /// What the page is about, for search engines and link previews (Open Graph).
    pub description: String,
    /// `article` for a case, `website` for the rest.
    pub og_type: &'static str,
    pub asset_version: &'static str,
    /// What the header's search box shows: the current query on the search page.
    pub search_q: String,
    /// The signed-in person's links in the header; `None` for visitors.
    pub account: Option<AccountNav>,
    /// Just signed up (`?done=welcome`): the page greets them.
    pub welcome: bool,
}

/// The header's links for someone signed in.
pub struct AccountNav {
    pub name: String,
    /// For the sign-out button, which is a form.
    pub csrf: String,
    pub reviews: bool,
    pub admin: bool,
    /// Unread notifications, up to 100.
    pub unread: i64,
    /// Editors, facilitators and admins may moderate some discussions.
    pub moderates: bool,
}

impl Chrome {
    pub fn new(lang: Lang, base: &str, here: &str, title: impl Into<String>, section: &'static str) -> Self {
        let (path, rest) = here.split_once('?').unwrap_or((here, ""));
        let without_lang: Vec<&str> = rest.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
        Chrome {
            lang,
            title: title.into(),
            section,
            switch_url: urls::url_in(here, lang.other()),
            url_es: format!("{base}{}", urls::url_in(here, Lang::Es)),
            url_en: format!("{base}{}", urls::url_in(here, Lang::En)),
            url_default: format!("{base}{}", urls::link_raw(&urls::local_path(path), &without_lang)),
            description: crate::i18n::catalog(lang).common.meta_description.to_string(),
            og_type: "website",
            asset_version: assets::version(),
            search_q: String::new(),
            account: None,
            welcome: here.split_once('?').is_some_and(|(_, q)| {
                q.split('&')
                    .any(|pair| pair.strip_prefix("done=").and_then(AccountDone::parse) == Some(AccountDone::Welcome))
            }),
        }
    }

    pub fn for_ui(ui: &Ui, title: impl Into<String>, section: &'static str) -> Self {
        Chrome::new(ui.lang, &ui.base, &ui.here, title, section).signed_in(&ui.viewer)
    }

    /// A page about one thing: its own description, and for a case the article type.
    pub fn about(mut self, description: impl Into<String>, og_type: &'static str) -> Self {
        self.description = description.into();
        self.og_type = og_type;
        self
    }

    /// This page's own address, in its language (Open Graph's `og:url`).
    pub fn own_url(&self) -> &str {
        match self.lang {
            Lang::Es => &self.url_es,
            Lang::En => &self.url_en,
        }
    }

    /// The header's account links for whoever is asking.
    pub fn signed_in(mut self, viewer: &Viewer) -> Self {
        self.account = viewer.user().map(|user| AccountNav {
            name: user.display_name.clone(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
            reviews: user.reviews(),
            admin: user.is_admin(),
            unread: viewer.unread,
            moderates: user.role != crate::domain::account::Role::Member,
        });
        self
    }
}

pub fn render(page: impl Template) -> AppResult<Html<String>> {
    page.render().map(Html).map_err(|err| AppError::Internal(err.into()))
}

/// An Atom feed, rendered and labelled as one.
pub fn render_atom(feed: impl Template) -> AppResult<Response> {
    let mut xml = feed.render().map_err(|err| AppError::Internal(err.into()))?;
    // Text people wrote may hold characters that HTML tolerates and XML 1.0 forbids (control
    // characters, U+FFFE, U+FFFF): one of them would make the whole feed unreadable.
    xml.retain(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..));
    let mut response = xml.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(response)
}

/// An instant as Atom writes it.
pub fn rfc3339(at: OffsetDateTime) -> AppResult<String> {
    at.format(&Rfc3339).map_err(|err| AppError::Internal(err.into()))
}

/// A refused form's problems, in the order of its fields: the error summary at the top
/// and the message beside each field.
#[derive(Default)]
pub struct FormErrors {
    pub items: Vec<FormError>,
}

pub struct FormError {
    /// The `id` of the field, which the summary links to.
    pub field: &'static str,
    pub message: String,
}

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.items.push(FormError { field, message: message.into() });
    }

    /// How a form page answers: 200 when it is blank or fine, 422 when it lists problems.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// One choice in a `<select>`.
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn option(value: &str, label: &str, selected: Option<&str>) -> SelectOption {
    SelectOption { value: value.to_string(), label: label.to_string(), selected: selected == Some(value) }
}

/// Regions in their tree order, municipalities indented under their region.
pub fn region_options(regions: &[Region], selected: Option<&str>) -> Vec<SelectOption> {
    let mut options = Vec::new();
    for group in grouped(regions) {
        options.push(option(&group.region.slug, &group.region.name, selected));
        for child in &group.children {
            options.push(option(&child.slug, &format!("— {}", child.name), selected));
        }
    }
    options
}

/// A filter in force, with the link that removes it.
pub struct ActiveFilter {
    pub label: String,
    pub remove_url: String,
}

/// Previous and next links that keep the filters.
pub struct Pager {
    pub summary: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// On the last page a list reaches, when more results lie beyond it.
    pub narrow: Option<&'static str>,
}

impl Pager {
    /// Links to `path` with `pairs` and the page number.
    pub fn new(t: &Catalog, path: &str, pairs: Vec<(&'static str, String)>, paging: Paging, total: i64) -> Self {
        Pager::build(t, path, pairs, paging, total, None)
    }

    /// The same for a list with filters that pages no deeper than [`Paging::last_reachable`],
    /// and says so on its last page.
    pub fn filtered(t: &Catalog, path: &str, pairs: Vec<(&'static str, String)>, paging: Paging, total: i64) -> Self {
        Pager::build(t, path, pairs, paging, total, Some(i64::from(paging.last_reachable())))
    }

    fn build(
        t: &Catalog,
        path: &str,
        pairs: Vec<(&'static str, String)>,
        paging: Paging,
        total: i64,
        deepest: Option<i64>,
    ) -> Self {
        let pages = paging.page_count(total);
        let at = |page: i64| {
            let mut pairs = pairs.clone();
            if page > 1 {
                pairs.push(("page", page.to_string()));
            }
            urls::link(path, &pairs)
        };
        let page = i64::from(paging.page);
        let reachable = deepest.map_or(pages, |deepest| pages.min(deepest));
        Pager {
            summary: t.page_of(paging.page, pages),
            prev_url: (page > 1).then(|| at((page - 1).min(reachable))),
            next_url: (page < reachable).then(|| at(page + 1)),
            narrow: (page >= reachable && reachable < pages).then_some(t.common.pagination_narrow),
        }
    }
}
