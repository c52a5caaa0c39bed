//! Whose service this is: the about, privacy, accessibility and contact pages. Their text
//! lives in `web/pages/<lang>/<page>.md`, compiled in and rendered once at start, with the
//! operator and contact address from the configuration put in its place.

use std::collections::HashMap;

use askama::Template;
use axum::{extract::State, response::Html};

use crate::{
    domain::Lang,
    error::AppResult,
    http::{
        extract::Ui,
        views::{render, Chrome},
        AppState,
    },
    i18n::Catalog,
    markdown,
};

/// Each page's Markdown, per language: `(path, Spanish, English)`.
const SOURCES: [(&str, &str, &str); 4] = [
    ("about", include_str!("../../../web/pages/es/about.md"), include_str!("../../../web/pages/en/about.md")),
    ("privacy", include_str!("../../../web/pages/es/privacy.md"), include_str!("../../../web/pages/en/privacy.md")),
    (
        "accessibility",
        include_str!("../../../web/pages/es/accessibility.md"),
        include_str!("../../../web/pages/en/accessibility.md"),
    ),
    ("contact", include_str!("../../../web/pages/es/contact.md"), include_str!("../../../web/pages/en/contact.md")),
];

/// Who runs this installation, and the four pages that say so.
pub struct Site {
    pub operator: Option<String>,
    pages: HashMap<(&'static str, Lang), SitePage>,
}

struct SitePage {
    title: String,
    html: String,
}

impl Site {
    pub fn new(operator: Option<String>, contact: Option<String>) -> Site {
        let mut pages = HashMap::new();
        for (name, es, en) in SOURCES {
            for (lang, source) in [(Lang::Es, es), (Lang::En, en)] {
                pages.insert(
                    (name, lang),
                    SitePage::new(source, crate::i18n::catalog(lang), operator.as_deref(), contact.as_deref()),
                );
            }
        }
        Site { operator, pages }
    }

    /// The operator's name as the privacy notice and footer show it.
    pub fn operator_or(&self, t: &Catalog) -> String {
        self.operator.clone().unwrap_or_else(|| t.common.operator_unset.to_string())
    }
}

impl Default for Site {
    fn default() -> Self {
        Site::new(None, None)
    }
}

impl SitePage {
    fn new(source: &str, t: &Catalog, operator: Option<&str>, contact: Option<&str>) -> SitePage {
        let (first, body) = source.split_once('\n').unwrap_or((source, ""));
        let title = first.trim_start_matches('#').trim().to_string();
        let operator = markdown::escape(operator.unwrap_or(t.common.operator_unset));
        let contact = match contact {
            Some(address) => {
                let address = markdown::escape(address);
                format!(r#"<a href="mailto:{address}">{address}</a>"#)
            }
            None => markdown::escape(t.common.contact_unset),
        };
        let html = markdown::render(body).replace("{operator}", &operator).replace("{contact}", &contact);
        SitePage { title, html }
    }
}

#[derive(Template)]
#[template(path = "site_page.html")]
struct SitePageView {
    chrome: Chrome,
    t: &'static Catalog,
    html: String,
}

async fn page(state: &AppState, ui: &Ui, name: &'static str) -> AppResult<Html<String>> {
    let page = state.site.pages.get(&(name, ui.lang)).ok_or(crate::error::AppError::NotFound)?;
    render(SitePageView { chrome: Chrome::for_ui(ui, page.title.clone(), ""), t: ui.t, html: page.html.clone() })
}

pub async fn about(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    page(&state, &ui, "about").await
}

pub async fn privacy(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    page(&state, &ui, "privacy").await
}

pub async fn accessibility(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    page(&state, &ui, "accessibility").await
}

pub async fn contact(State(state): State<AppState>, ui: Ui) -> AppResult<Html<String>> {
    page(&state, &ui, "contact").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_and_contact_fill_every_page_escaped() {
        let site = Site::new(Some("Gobierno <Regional>".into()), Some("ayni@region.gob.pe".into()));
        for ((name, lang), page) in &site.pages {
            assert!(!page.title.is_empty(), "{name} {lang:?}");
            assert!(!page.html.contains('{') && !page.html.contains('}'), "{name} {lang:?}: a placeholder is left");
        }
        let about = &site.pages[&("about", Lang::Es)].html;
        assert!(about.contains("Gobierno &lt;Regional&gt;") && !about.contains("<Regional>"), "{about}");
        let contact = &site.pages[&("contact", Lang::En)].html;
        assert!(contact.contains(r#"<a href="mailto:ayni@region.gob.pe">"#), "{contact}");
        let unset = Site::default();
        assert!(unset.pages[&("privacy", Lang::Es)].html.contains("AYNI_OPERATOR"));
    }
}
