//! Markdown to safe HTML. Case bodies are rendered once, when they change, and stored; the
//! output always passes through ammonia, whatever the Markdown held.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Bump when the rendering or the sanitizer policy changes: stored HTML of an older
/// version is rendered again at start.
pub const RENDER_VERSION: i32 = 1;

/// Renders Markdown with tables, footnotes, strikethrough, task lists and heading anchors,
/// then sanitizes the HTML.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = with_heading_anchors(Parser::new_ext(markdown, options).map(task_marker_as_text).collect());
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// Task-list checkboxes become characters: no form controls reach the page.
fn task_marker_as_text(event: Event<'_>) -> Event<'_> {
    match event {
        Event::TaskListMarker(done) => Event::Text(CowStr::Borrowed(if done { "☑ " } else { "☐ " })),
        other => other,
    }
}

/// Gives every heading without an id one made from its text, unique within the body.
fn with_heading_anchors(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for event in &events[i + 1..] {
                match event {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base = match crate::domain::slug::slugify(&text) {
                s if s.is_empty() => "section".to_string(),
                s => s,
            };
            let mut anchor = base.clone();
            let mut n = 1;
            while !used.insert(anchor.clone()) {
                n += 1;
                anchor = format!("{base}-{n}");
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(anchor));
            }
        }
        i += 1;
    }
    events
}

fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // Heading anchors and footnote definitions are link targets.
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_allowed_classes("div", ["footnote-definition"])
        .add_allowed_classes("sup", ["footnote-definition-label", "footnote-reference"])
        // Tables align columns with style="text-align: …"; nothing else in style survives.
        .filter_style_properties(HashSet::from(["text-align"]))
        .link_rel(Some("noopener noreferrer nofollow"));
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, ["id"]);
    }
    builder.clean(html).to_string()
}

/// The text a reader sees, without markup: what search indexes.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    // Text inside raw <script> or <style> never reaches a page, so it is not searchable.
    let mut hidden = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                let tag = html.trim_start().to_ascii_lowercase();
                if tag.starts_with("<script") || tag.starts_with("<style") {
                    hidden = !(tag.contains("</script") || tag.contains("</style"));
                } else if tag.starts_with("</script") || tag.starts_with("</style") {
                    hidden = false;
                }
            }
            Event::Text(_) | Event::Code(_) if hidden => {}
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_extensions() {
        let html = render(
            "## Qué se hizo\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~antes~~\n\n- [x] hecho\n- [ ] pendiente\n\nNota[^1].\n\n[^1]: Fuente.\n",
        );
        assert!(html.contains(r#"<h2 id="que-se-hizo">"#), "{html}");
        assert!(html.contains("<table>") && html.contains("<del>antes</del>"), "{html}");
        assert!(html.contains("☑ hecho") && html.contains("☐ pendiente"), "{html}");
        assert!(html.contains(r#"class="footnote-definition""#), "{html}");
        assert!(!html.contains("<input"), "{html}");
    }

    #[test]
    fn duplicate_headings_get_distinct_anchors() {
        let html = render("## Resultados\n\n## Resultados\n");
        assert!(html.contains(r#"id="resultados""#) && html.contains(r#"id="resultados-2""#), "{html}");
    }

    #[test]
    fn hostile_markup_comes_out_harmless() {
        let html = render(concat!(
            "<script>alert(1)</script>\n\n",
            "<img src=x onerror=alert(1)>\n\n",
            "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n",
            "<iframe src=\"https://example.org\"></iframe>\n\n",
            "<form action=\"/x\"><input name=a></form>\n\n",
            "<svg><script>alert(1)</script></svg>\n\n",
            "<a href=\"https://example.org\" onclick=\"alert(1)\" style=\"color:red\">ok</a>\n",
        ));
        for forbidden in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "data:",
            "<iframe",
            "<form",
            "<input",
            "<svg",
            "alert(1)</",
        ] {
            assert!(!html.to_lowercase().contains(forbidden), "{forbidden} survived in {html}");
        }
        assert!(html.contains(r#"href="https://example.org""#), "{html}");
    }

    #[test]
    fn plain_text_drops_markup_and_raw_html() {
        assert_eq!(
            plain_text("## Título\n\nUn **caso** con [enlace](https://x.org).<script>x</script>"),
            "Título\nUn caso con enlace."
        );
    }
}
