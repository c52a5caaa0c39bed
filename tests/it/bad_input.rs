//! Bad input gets a clear 4xx, on pages and in JSON, never a 500.

use axum::{body::Body, http::Request};

use crate::support::TestApp;

#[tokio::test]
async fn bad_filters_get_400_naming_the_parameter() {
    let app = TestApp::new().await;
    let long = "x".repeat(5000);
    let cases = [
        ("region=atlantis", "region"),
        ("theme=astrology", "theme"),
        ("kind=novel", "kind"),
        ("language=fr", "language"),
        ("year_from=abc", "year_from"),
        ("year_to=1800", "year_to"),
        ("year_from=2020&year_to=2010", "year_to"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=10000", "per_page"),
        ("per_page=0", "per_page"),
        (&format!("region={long}"), "region"),
        ("region=cusco&region=puno", "region"),
    ];
    for (query, param) in cases {
        let json = app.get(&format!("/api/v1/cases?{query}")).await.expect(400).json();
        assert_eq!(json["error"]["code"], "bad_parameter", "{query}");
        assert_eq!(json["error"]["parameter"], param, "{query}");
        assert!(json["error"]["message"].as_str().is_some_and(|m| m.contains(param)), "{query}: {json}");

        let page = app.get(&format!("/cases?{query}")).await.expect(400);
        assert!(page.header("content-type").starts_with("text/html"), "{query}");
        if param.starts_with("year") {
            // Years are fields of the list's own form: it comes back with an error summary.
            let field = if param == "year_from" { "f-year-from" } else { "f-year-to" };
            assert!(page.body.contains(&format!(r##"<a href="#{field}">"##)), "{query}: {}", page.body);
        } else {
            assert!(page.body.contains(&format!("El parámetro «{param}» no es válido")), "{query}: {}", page.body);
        }
    }
    let english = app.get_with("/api/v1/cases?page=0", &[("accept-language", "en")]).await.expect(400).json();
    assert_eq!(english["error"]["message"], "The parameter “page” is not valid: it must be between 1 and 10000.");
}

#[tokio::test]
async fn unknown_addresses_get_404_pages_or_json() {
    let app = TestApp::new().await;
    for path in ["/cases/no-such-case", "/cases/NOT%20A%20SLUG", "/nowhere", "/regions/x--y", "/cases/a/b"] {
        let page = app.get(path).await.expect(404);
        assert!(page.body.contains("No encontramos esta página"), "{path}");
        assert!(page.body.contains(r#"<html lang="es">"#));
    }
    let json = app.get("/api/v1/nowhere").await.expect(404).json();
    assert_eq!(json["error"]["code"], "not_found");
    let wrong_method = app.request(Request::delete("/cases").body(Body::empty()).expect("request")).await.expect(405);
    assert!(wrong_method.body.contains("no acepta ese tipo de solicitud"));
}

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413() {
    let app = TestApp::new().await;
    let big = vec![b'a'; 1024 * 1024 + 1];
    let request = Request::post("/api/v1/cases")
        .header("content-type", "application/json")
        .header("content-length", big.len())
        .body(Body::from(big))
        .expect("request");
    let json = app.request(request).await.expect(413).json();
    assert_eq!(json["error"]["code"], "payload_too_large");
    let page = app
        .request(
            Request::post("/cases")
                .header("content-length", 2 * 1024 * 1024)
                .body(Body::from(vec![b'a'; 2 * 1024 * 1024]))
                .expect("request"),
        )
        .await
        .expect(413);
    assert!(page.body.contains("1 MiB"));
}

#[tokio::test]
async fn hostile_markdown_comes_out_harmless() {
    let app = TestApp::new().await;
    let hostile = concat!(
        "## Hola\n\n<script>alert('x')</script>\n\n",
        "<img src=\"x\" onerror=\"alert(1)\">\n\n",
        "[click](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)\n\n",
        "<iframe src=\"https://example.org\"></iframe>\n\n",
        "<form action=\"https://example.org\"><input name=\"p\"><button>go</button></form>\n\n",
        "<svg onload=\"alert(1)\"><script>alert(2)</script></svg>\n\n",
        "<a href=\"https://example.org\" onmouseover=\"alert(3)\">ok link</a>\n",
    );
    // Written the way every path writes a case: rendered and sanitized once, at the change.
    let slug = "caso-hostil";
    let store_path = tempfile::tempdir().expect("tempdir");
    let cases = store_path.path().join("cases");
    std::fs::create_dir(&cases).expect("mkdir");
    std::fs::write(
        cases.join(format!("{slug}.md")),
        format!("+++\ntitle = \"<b>Título</b> con <script>alert(4)</script>\"\nkind = \"case\"\nregion = \"cusco\"\nthemes = [\"tax-collection\"]\nlanguage = \"es\"\nyear = 2024\nsummary = \"<img src=x onerror=alert(5)>\"\n\n[[sources]]\ntitle = \"<script>alert(6)</script>\"\nurl = \"https://example.org/?a=\\\"><script>\"\n+++\n{hostile}"),
    )
    .expect("write");
    app.db
        .store()
        .import_dir(store_path.path(), ayni::store::import::When::Always { force: false })
        .await
        .expect("import");

    // What the case contributes to each page (the pages' own forms are not the case's).
    for (path, start, end) in [
        (format!("/cases/{slug}"), r#"<article class="case">"#, "</article>"),
        ("/cases".to_string(), r#"<ul class="cards">"#, "</section>"),
        ("/".to_string(), r#"<ul class="cards">"#, "</section>"),
    ] {
        let body = app.get(&path).await.expect(200).body;
        let from = body.find(start).unwrap_or_else(|| panic!("{start} in {path}"));
        let part = &body[from..from + body[from..].find(end).expect("end marker")];
        assert!(part.contains("Título"), "the hostile case is shown on {path}");
        assert_harmless(part, &path);
    }
    let page = app.get(&format!("/cases/{slug}")).await.body;
    assert!(page.contains("&#60;b&#62;Título&#60;/b&#62;"), "titles are escaped");
    assert!(page.contains(r#"<a href="https://example.org" rel="noopener noreferrer nofollow">ok link</a>"#), "{page}");
    let json = app.get(&format!("/api/v1/cases/{slug}")).await.json();
    assert_harmless(json["body_html"].as_str().expect("html"), "the API's body_html");
}

/// No dangerous element, and no tag with an event handler or a script URL. Escaped text
/// such as `&lt;script&gt;` is harmless and allowed.
fn assert_harmless(html: &str, place: &str) {
    for tag in html.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or_default().to_lowercase()) {
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').find(|s| !s.is_empty()).unwrap_or_default();
        assert!(!["script", "iframe", "form", "input", "svg", "object", "embed"].contains(&name), "<{tag}> in {place}");
        assert!(!tag.contains("javascript:") && !tag.contains("data:"), "<{tag}> in {place}");
        let handler = tag.split_whitespace().skip(1).any(|attr| attr.starts_with("on"));
        assert!(!handler, "event handler in <{tag}> in {place}");
    }
}
