//! Markdown to safe HTML. Case bodies are rendered once, when they change, and stored; the
//! output always passes through ammonia, whatever the Markdown held.
//!
//! Rendering is linear in the input: containers nested deeper than [`MAX_NESTING`] are
//! flattened and raw HTML beyond [`MAX_RAW_HTML`] fragments is shown as text, because the
//! HTML parser inside the sanitizer takes time that grows with the square of the depth.

pub mod acronyms;

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Bump when the rendering or the sanitizer policy changes: stored HTML of an older
/// version is rendered again, in the background, after the server starts.
pub const RENDER_VERSION: i32 = 2;

/// Blocks and inlines nested deeper than this keep their text but lose their markup.
pub const MAX_NESTING: usize = 24;
/// Raw HTML fragments after this many are shown as text.
pub const MAX_RAW_HTML: usize = 2_000;

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

/// How long a render waits for a free core before the answer is "busy, try again".
const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// Renders on tokio's blocking pool, at most one body per core at a time, so that long
/// bodies can neither hold up the async workers nor pile up behind each other.
#[derive(Clone)]
pub struct Renderer {
    permits: Arc<tokio::sync::Semaphore>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("every core is rendering already")]
    Busy,
    #[error("the renderer failed: {0}")]
    Failed(#[from] tokio::task::JoinError),
}

impl From<RenderError> for crate::error::AppError {
    fn from(err: RenderError) -> Self {
        match err {
            RenderError::Busy => crate::error::AppError::Busy,
            RenderError::Failed(err) => crate::error::AppError::Internal(err.into()),
        }
    }
}

impl Default for Renderer {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Renderer { permits: Arc::new(tokio::sync::Semaphore::new(cores)) }
    }
}

impl Renderer {
    /// [`render`], off the async workers. The core stays taken until the render ends, even
    /// when the request that asked for it has timed out meanwhile.
    pub async fn render(&self, markdown: String) -> Result<String, RenderError> {
        self.run(move || render(&markdown)).await
    }

    /// [`render_comment`], off the async workers, with its text without markup.
    pub async fn render_comment(
        &self,
        markdown: String,
        people: HashMap<String, i64>,
    ) -> Result<(String, String), RenderError> {
        self.run(move || (render_comment(&markdown, &people), plain_text(&markdown))).await
    }

    /// The handles a comment mentions ([`mentions`]) and whether it links anywhere
    /// ([`has_links`]), off the async workers.
    pub async fn scan_comment(&self, markdown: String) -> Result<(Vec<String>, bool), RenderError> {
        self.run(move || (mentions(&markdown), has_links(&markdown))).await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, RenderError> {
        let permit = tokio::time::timeout(QUEUE_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| RenderError::Busy)?
            .map_err(|_| RenderError::Busy)?;
        Ok(tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await?)
    }
}

/// Renders Markdown with tables, footnotes, strikethrough, task lists and heading anchors,
/// then sanitizes the HTML. CPU-bound: call it off the async workers.
pub fn render(markdown: &str) -> String {
    let source = escape_unclosed_raw_text(markdown);
    let events = bounded(Parser::new_ext(&source, OPTIONS).map(task_marker_as_text));
    let events = with_heading_anchors(events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// Renders a comment like [`render`], without heading anchors (many comments share a
/// page), each mention of a handle in `people` (as typed, folded to lower case, to the
/// account's id) becoming a link to that person's page. CPU-bound.
pub fn render_comment(markdown: &str, people: &HashMap<String, i64>) -> String {
    let source = escape_unclosed_raw_text(markdown);
    let parsed = pulldown_cmark::TextMergeStream::new(Parser::new_ext(&source, OPTIONS)).map(task_marker_as_text);
    let events = bounded(with_mention_links(parsed, people).into_iter());
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// The handles a comment mentions (`@ana_quispe`), folded to lower case, in order of first
/// mention and without repeats. Mentions in code spans, code blocks and raw HTML never
/// count; neither does the `@` of an email address.
pub fn mentions(markdown: &str) -> Vec<String> {
    let source = escape_unclosed_raw_text(markdown);
    let mut found: Vec<String> = Vec::new();
    let mut in_code = 0_usize;
    for event in pulldown_cmark::TextMergeStream::new(Parser::new_ext(&source, OPTIONS)) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(text) if in_code == 0 => {
                for (_, handle) in mention_spans(&text) {
                    let handle = handle.to_ascii_lowercase();
                    if !found.contains(&handle) {
                        found.push(handle);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Whether a comment links anywhere: a link or image, an autolink, or an address typed
/// out (`https://…`, `www.…`) that readers would copy.
pub fn has_links(markdown: &str) -> bool {
    let source = escape_unclosed_raw_text(markdown);
    Parser::new_ext(&source, OPTIONS).any(|event| match event {
        Event::Start(Tag::Link { .. } | Tag::Image { .. }) => true,
        Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
            let lower = text.to_ascii_lowercase();
            lower.contains("http://") || lower.contains("https://") || lower.contains("www.")
        }
        _ => false,
    })
}

/// Where `@handle` mentions start in `text` (byte offset of the `@`) and the handle as
/// typed: 3 to 30 of `A-Za-z0-9_`, after the start or a character that is not part of a
/// word or an address.
fn mention_spans(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut spans = Vec::new();
    for (at, _) in text.match_indices('@') {
        if at > 0 && (word(bytes[at - 1]) || matches!(bytes[at - 1], b'@' | b'.' | b'/' | b'-')) {
            continue;
        }
        let len = bytes[at + 1..].iter().take_while(|b| word(**b)).count();
        if (3..=30).contains(&len) {
            spans.push((at, &text[at + 1..at + 1 + len]));
        }
    }
    spans
}

/// Turns mentions of known people into links, outside code and outside other links.
fn with_mention_links<'a>(events: impl Iterator<Item = Event<'a>>, people: &HashMap<String, i64>) -> Vec<Event<'a>> {
    let mut in_code = 0_usize;
    let mut in_link = 0_usize;
    events
        .flat_map(|event| {
            match &event {
                Event::Start(Tag::CodeBlock(_)) => in_code += 1,
                Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => in_link += 1,
                Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
                Event::Text(text) if in_code == 0 && in_link == 0 && !people.is_empty() => {
                    return link_mentions(text, people);
                }
                _ => {}
            }
            vec![event]
        })
        .collect()
}

fn link_mentions<'a>(text: &str, people: &HashMap<String, i64>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut from = 0;
    for (at, handle) in mention_spans(text) {
        let Some(id) = people.get(&handle.to_ascii_lowercase()) else { continue };
        if at > from {
            out.push(Event::Text(CowStr::from(text[from..at].to_string())));
        }
        let end = at + 1 + handle.len();
        out.push(Event::Start(Tag::Link {
            link_type: pulldown_cmark::LinkType::Inline,
            dest_url: CowStr::from(format!("/people/{id}")),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        out.push(Event::Text(CowStr::from(text[at..end].to_string())));
        out.push(Event::End(TagEnd::Link));
        from = end;
    }
    if from < text.len() {
        out.push(Event::Text(CowStr::from(text[from..].to_string())));
    }
    out
}

/// Task-list checkboxes become characters: no form controls reach the page.
fn task_marker_as_text(event: Event<'_>) -> Event<'_> {
    match event {
        Event::TaskListMarker(done) => Event::Text(CowStr::Borrowed(if done { "☑ " } else { "☐ " })),
        other => other,
    }
}

/// Drops the markup of containers nested deeper than [`MAX_NESTING`] (their text stays)
/// and turns raw HTML after the first [`MAX_RAW_HTML`] fragments into text.
fn bounded<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // For each open container: whether its start was kept, so its end matches.
    let mut open: Vec<bool> = Vec::new();
    let mut kept_depth = 0;
    let mut raw_html = 0;
    for event in events {
        match event {
            Event::Start(tag) => {
                let keep = kept_depth < MAX_NESTING;
                open.push(keep);
                if keep {
                    kept_depth += 1;
                    // A wide table scrolls inside its own box, which keyboards can reach.
                    if matches!(tag, Tag::Table(_)) {
                        out.push(Event::Html(CowStr::Borrowed(r#"<div class="table-scroll" tabindex="0">"#)));
                    }
                    out.push(Event::Start(tag));
                }
            }
            Event::End(tag) => {
                if open.pop().unwrap_or(false) {
                    kept_depth -= 1;
                    let table = matches!(tag, TagEnd::Table);
                    out.push(Event::End(tag));
                    if table {
                        out.push(Event::Html(CowStr::Borrowed("</div>")));
                    }
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if raw_html >= MAX_RAW_HTML => out.push(Event::Text(html)),
            Event::Html(html) => {
                raw_html += 1;
                out.push(Event::Html(html));
            }
            Event::InlineHtml(html) => {
                raw_html += 1;
                out.push(Event::InlineHtml(html));
            }
            other => out.push(other),
        }
    }
    out
}

/// Gives every heading without an id one made from its text, unique within the body. Each
/// base name remembers its next number, so many equal headings cost linear time.
fn with_heading_anchors(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used = HashSet::new();
    let mut next_number: HashMap<String, usize> = HashMap::new();
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
            if !used.insert(anchor.clone()) {
                let n = next_number.entry(base.clone()).or_insert(1);
                loop {
                    *n += 1;
                    anchor = format!("{base}-{n}");
                    if used.insert(anchor.clone()) {
                        break;
                    }
                }
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(anchor));
            }
        }
        i += 1;
    }
    events
}

/// Raw-text elements and comments whose end never comes would swallow the rest of the body
/// (CommonMark ends such an HTML block only at its closing tag, and the sanitizer drops it).
const RAW_TEXT: [(&str, &str); 5] =
    [("<script", "</script"), ("<style", "</style"), ("<pre", "</pre"), ("<textarea", "</textarea"), ("<!--", "-->")];

/// Escapes the `<` of every raw-text opener with no closing tag after it, so that it and
/// what follows are shown as text. Only openers that the parser reads as HTML are touched
/// (code spans and blocks keep theirs); each pass may reveal one that the previous hid.
fn escape_unclosed_raw_text(markdown: &str) -> Cow<'_, str> {
    let mut source = Cow::Borrowed(markdown);
    for _ in 0..8 {
        let lower = source.to_ascii_lowercase();
        // Where each closer last appears: an opener after it is never closed.
        let last_close = RAW_TEXT.map(|(_, closer)| lower.rfind(closer));
        let mut unclosed: Vec<usize> = Parser::new_ext(&source, OPTIONS)
            .into_offset_iter()
            .filter(|(event, _)| matches!(event, Event::Html(_) | Event::InlineHtml(_)))
            .filter_map(|(_, range)| {
                let start = range.start + lower[range.clone()].find('<')?;
                let kind = RAW_TEXT.iter().position(|(opener, _)| opens(&lower[start..], opener))?;
                last_close[kind].is_none_or(|close| close < start).then_some(start)
            })
            .collect();
        unclosed.sort_unstable();
        unclosed.dedup();
        if unclosed.is_empty() {
            return source;
        }
        let mut fixed = String::with_capacity(source.len() + 3 * unclosed.len());
        let mut from = 0;
        for at in unclosed {
            fixed.push_str(&source[from..at]);
            fixed.push_str("&lt;");
            from = at + 1;
        }
        fixed.push_str(&source[from..]);
        source = Cow::Owned(fixed);
    }
    source
}

/// Whether `text` starts with the tag `opener` (`<pre` opens `<pre>` but not `<prefix>`).
fn opens(text: &str, opener: &str) -> bool {
    text.starts_with(opener)
        && (opener == "<!--"
            || text[opener.len()..].chars().next().is_none_or(|c| c.is_ascii_whitespace() || c == '>' || c == '/'))
}

fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // Heading anchors and footnote definitions are link targets.
        .add_tag_attributes("div", ["id", "tabindex"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_allowed_classes("div", ["footnote-definition", "table-scroll"])
        .add_allowed_classes("sup", ["footnote-definition-label", "footnote-reference"])
        // Tables align columns with style="text-align: …"; nothing else in style survives.
        .filter_style_properties(HashSet::from(["text-align"]))
        .link_rel(Some("noopener noreferrer nofollow"));
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, ["id"]);
    }
    builder.clean(html).to_string()
}

/// Plain text made safe to stand in HTML, in text or in a quoted attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The text a reader sees, without markup: what search indexes.
pub fn plain_text(markdown: &str) -> String {
    let source = escape_unclosed_raw_text(markdown);
    let mut out = String::with_capacity(markdown.len());
    // Text inside raw <script> or <style> never reaches a page, so it is not searchable.
    let mut hidden = false;
    for event in Parser::new_ext(&source, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES) {
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
    fn mentions_skip_code_addresses_and_repeats() {
        let text = "Hola @Ana_Quispe y @luis, ver `@no_code` y ana@region.gob.pe; otra vez @ana_quispe.\n\n```\n@bloque\n```\n";
        assert_eq!(mentions(text), vec!["ana_quispe".to_string(), "luis".to_string()]);
        assert!(mentions("@ab y @x").is_empty(), "handles have at least three characters");
    }

    #[test]
    fn mentions_of_known_people_link_to_them_and_others_stay_text() {
        let people = HashMap::from([("ana_quispe".to_string(), 7)]);
        let html = render_comment("Gracias @Ana_Quispe y @nadie. `@ana_quispe`", &people);
        assert!(html.contains(r#"<a href="/people/7" rel="noopener noreferrer nofollow">@Ana_Quispe</a>"#), "{html}");
        assert!(html.contains("@nadie") && html.contains("<code>@ana_quispe</code>"), "{html}");
        let hostile = render_comment("@ana_quispe <script>alert(1)</script><img src=x onerror=alert(1)>", &people);
        assert!(!hostile.contains("<script") && !hostile.contains("onerror"), "{hostile}");
    }

    #[test]
    fn links_are_seen_in_every_form() {
        assert!(has_links("ver [esto](https://x.pe)"));
        assert!(has_links("<https://x.pe>"));
        assert!(has_links("escriba a www.ejemplo.pe"));
        assert!(!has_links("sin enlaces, solo texto y un correo: ana@x.pe"));
    }

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
    fn unclosed_raw_text_elements_keep_the_rest_of_the_body() {
        for opener in ["<script>", "<style>", "<pre>", "<textarea>", "<!--", "<SCRIPT type=x>"] {
            let markdown = format!("Antes.\n\n{opener}\n\n## Después\n\nEl **resto** del caso.\n");
            let html = render(&markdown);
            assert!(
                html.contains("Antes.") && html.contains("El <strong>resto</strong> del caso."),
                "{opener}: {html}"
            );
            assert!(html.contains(r#"<h2 id="despues">"#), "{opener}: {html}");
            assert!(html.contains(&opener.replace('<', "&lt;").replace('>', "&gt;")), "{opener} shown as text: {html}");
            let text = plain_text(&markdown);
            assert!(text.contains("El resto del caso."), "{opener}: {text}");
        }
        // Closed ones are still removed, and code keeps its own brackets.
        let html = render("<script>alert(1)</script>\n\n`<pre>` y más\n");
        assert!(!html.contains("alert(1)") && html.contains("<code>&lt;pre&gt;</code> y más"), "{html}");
    }

    #[test]
    fn tables_scroll_in_a_focusable_box_and_raw_html_cannot_fake_one() {
        let html = render("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.starts_with(r#"<div class="table-scroll" tabindex="0"><table>"#)
                && html.trim_end().ends_with("</table>\n</div>"),
            "{html}"
        );
        // A raw table keeps its own markup and adds no stray closing tag; an attribute that
        // spells a table stays an attribute.
        let html = render("<table summary=\"x\"><tr><td>1</td></tr></table>\n\n<span title=\"<table><img src=x onerror=alert(1)>\">t</span>");
        assert_eq!(html.matches("<div").count(), html.matches("</div>").count(), "{html}");
        assert!(!html.contains("onerror=alert") || html.contains("title=\"&lt;table&gt;&lt;img"), "{html}");
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let html = render(&">".repeat(80_000));
        assert!(html.matches("<blockquote>").count() <= MAX_NESTING, "{} levels", html.matches("<blockquote>").count());
        let html = render(&format!("{}texto", "<div>".repeat(10_000)));
        assert!(html.contains("texto"), "{}", &html[..200]);
        let html = render(&"- ".repeat(5_000));
        assert!(html.matches("<ul>").count() <= MAX_NESTING);
    }

    #[test]
    fn many_equal_headings_get_numbered_anchors() {
        let html = render(&"## A\n\n".repeat(3));
        assert!(html.contains(r#"id="a""#) && html.contains(r#"id="a-2""#) && html.contains(r#"id="a-3""#), "{html}");
        let html = render("## A-2\n\n## A\n\n## A\n");
        assert!(html.contains(r#"id="a-2""#) && html.contains(r#"id="a-3""#), "{html}");
    }

    #[test]
    fn plain_text_drops_markup_and_raw_html() {
        assert_eq!(
            plain_text("## Título\n\nUn **caso** con [enlace](https://x.org).<script>x</script>"),
            "Título\nUn caso con enlace."
        );
    }
}
