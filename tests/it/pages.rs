//! Every page, as a reader sees it.

use crate::support::{TestApp, SEED_CASES};

/// How many case cards a page lists.
fn cards(body: &str) -> usize {
    body.matches(r#"<li class="card">"#).count()
}

#[tokio::test]
async fn home_explains_ayni_and_offers_entry_points() {
    let app = TestApp::new().await;
    let page = app.get("/").await.expect(200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.body.contains(r#"<html lang="es">"#));
    assert!(page.body.contains("Aprenda de lo que funcionó en otras regiones"));
    assert_eq!(cards(&page.body), 6, "the six latest cases");
    // Entry points by region and theme, with counts.
    assert!(page.body.contains(r#"<a href="/regions/peru">Perú</a> <span class="count">18</span>"#), "{}", page.body);
    assert!(page.body.contains(r#"<a href="/themes/tax-collection">"#));
}

#[tokio::test]
async fn the_interface_follows_accept_language_and_the_language_cookie() {
    let app = TestApp::new().await;
    let english = app.get_with("/cases", &[("accept-language", "en-GB,en;q=0.9")]).await.expect(200);
    assert!(english.body.contains(r#"<html lang="en">"#));
    assert!(english.body.contains("Cases and success stories"));
    assert!(english.header("vary").contains("Accept-Language"));

    let switch = app.get("/language/en?next=/cases%3Fkind%3Dcase").await.expect(303);
    assert_eq!(switch.header("location"), "/cases?kind=case");
    assert!(switch.header("set-cookie").starts_with("ayni_lang=en;"));
    let with_cookie = app.get_with("/cases", &[("cookie", "ayni_lang=en"), ("accept-language", "es")]).await;
    assert!(with_cookie.body.contains(r#"<html lang="en">"#));
    // The switch link is the same page at its Spanish address; the old switch route still
    // works and never leaves the site.
    assert!(with_cookie.body.contains(r#"class="lang-switch" href="/cases?lang=es""#), "{}", with_cookie.body);
    assert_eq!(app.get("/language/es?next=//evil.example").await.header("location"), "/");
    app.get("/language/fr").await.expect(404);
}

#[tokio::test]
async fn the_case_list_filters_counts_and_pages() {
    let app = TestApp::new().await;
    let all = app.get("/cases").await.expect(200);
    assert!(all.body.contains(&format!("{SEED_CASES} casos")));
    assert_eq!(cards(&all.body), SEED_CASES as usize, "18 cases fit on one page of 20");
    // Newest first: by year, then updated time, then slug.
    let first_2025 = all.body.find("/cases/property-tax-register-reconciliation-tacna").expect("2025 case");
    let a_2016 = all.body.find("/cases/control-interno-contrataciones-san-martin").expect("2016 case");
    assert!(first_2025 < a_2016);

    // A region includes its municipalities: Cusco's case is in the provincial municipality.
    let cusco = app.get("/cases?region=cusco").await.expect(200);
    assert!(cusco.body.contains("1 caso"), "{}", cusco.body);
    assert!(cusco.body.contains("/cases/impuesto-predial-recordatorios-conductuales-cusco"));
    assert!(cusco.body.contains(r#"<option value="cusco" selected>Cusco</option>"#));
    // Each filter in force can be removed on its own.
    assert!(cusco.body.contains(r#"<a href="/cases" aria-label="Quitar filtro: Región: Cusco">"#), "{}", cusco.body);

    let combined = app.get("/cases?theme=tax-collection&language=en&year_from=2024&year_to=2025").await.expect(200);
    assert!(combined.body.contains("1 caso"));
    assert!(combined.body.contains("/cases/property-tax-register-reconciliation-tacna"));
    assert!(
        combined.body.contains(r#"href="/cases?theme=tax-collection&#38;year_from=2024&#38;year_to=2025""#),
        "{}",
        combined.body
    );

    let stories = app.get("/cases?kind=success-story").await.expect(200);
    assert!(stories.body.contains("10 casos"));

    let none = app.get("/cases?region=tumbes").await.expect(200);
    assert!(none.body.contains("Ningún caso publicado coincide con estos filtros."));
}

#[tokio::test]
async fn pagination_keeps_the_filters() {
    let app = TestApp::new().await;
    // Fill a second page: copies of a published case under new slugs.
    sqlx::query(
        "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                            body_html_version, status, provenance, published_at)
         select 'extra-' || n, 'Caso extra ' || n, kind, region_id, language, 2010, summary, body_markdown, body_html,
                body_html_version, 'published', 'app', now()
         from cases, generate_series(1, 5) n where slug = 'guia-gestion-riesgos-integridad-2023'",
    )
    .execute(&app.db.pool)
    .await
    .expect("insert");
    let first = app.get("/cases?language=es").await.expect(200);
    assert!(first.body.contains("18 casos"));
    assert_eq!(cards(&first.body), 18);
    let first = app.get("/cases").await.expect(200);
    assert!(first.body.contains("23 casos") && first.body.contains("Página 1 de 2"));
    assert_eq!(cards(&first.body), 20);
    assert!(first.body.contains(r#"<a href="/cases?page=2" rel="next">"#));
    let second = app.get("/cases?page=2").await.expect(200);
    assert_eq!(cards(&second.body), 3);
    assert!(second.body.contains(r#"<a href="/cases" rel="prev">"#));
    let beyond = app.get("/cases?page=9").await.expect(200);
    assert!(beyond.body.contains("23 casos"), "the count stays right past the last page");
    assert_eq!(cards(&beyond.body), 0);
}

#[tokio::test]
async fn a_case_page_shows_the_rendered_case_and_its_details() {
    let app = TestApp::new().await;
    let page = app.get("/cases/impuesto-predial-recordatorios-conductuales-cusco").await.expect(200);
    let body = &page.body;
    assert!(body.contains(r#"<div class="prose" lang="es">"#));
    assert!(body.contains("<table>"), "the Markdown table is rendered");
    assert!(body.contains(r#"<a href="/regions/cusco-provincia">Municipalidad Provincial del Cusco</a>"#), "{body}");
    assert!(body.contains(r#"<a href="/themes/tax-collection">Recaudación tributaria</a>"#), "{body}");
    assert!(body.contains("<dd>2019</dd>"));
    assert!(body.contains("Equipo editorial de Ayni"));
    assert!(!body.contains("<dt>Actualizado</dt>"), "a seed case's import date is not an update");

    let english = app.get("/cases/first-joint-public-integrity-workshop-2023").await.expect(200);
    assert!(english.body.contains(r#"<div class="prose" lang="en">"#));
    assert!(english.body.contains(r#"<html lang="es">"#), "the interface stays Spanish");
}

#[tokio::test]
async fn drafts_and_unpublished_cases_are_never_shown() {
    let app = TestApp::new().await;
    for (slug, status) in
        [("guia-gestion-riesgos-integridad-2023", "draft"), ("procurement-open-data-dashboard-moquegua", "unpublished")]
    {
        sqlx::query("update cases set status = $2 where slug = $1")
            .bind(slug)
            .bind(status)
            .execute(&app.db.pool)
            .await
            .expect("update");
        app.get(&format!("/cases/{slug}")).await.expect(404);
        app.get(&format!("/api/v1/cases/{slug}")).await.expect(404);
        for list in [
            "/",
            "/cases",
            "/feeds/cases.atom",
            "/api/v1/cases?per_page=100",
            "/regions/peru",
            "/themes/public-procurement",
        ] {
            let body = app.get(list).await.expect(200).body;
            assert!(!body.contains(&format!("/cases/{slug}")), "{slug} leaked into {list}");
        }
    }
    assert!(app.get("/cases").await.body.contains("16 casos"));
}

#[tokio::test]
async fn regions_and_themes_list_their_cases() {
    let app = TestApp::new().await;
    let regions = app.get("/regions").await.expect(200);
    assert!(regions.body.contains(r#"<a href="/regions/ancash">Áncash</a>"#));
    assert!(regions.body.contains(r#"<a href="/regions/miraflores">Municipalidad Distrital de Miraflores</a>"#));
    assert_eq!(regions.body.matches("<a href=\"/regions/").count(), 35);

    let cusco = app.get("/regions/cusco").await.expect(200);
    assert!(cusco.body.contains("<h1>Cusco</h1>"));
    assert!(cusco.body.contains(r#"<a href="/regions/peru">Perú</a>"#), "parent");
    assert!(cusco.body.contains(r#"<a href="/regions/cusco-provincia">"#), "municipality");
    assert!(cusco.body.contains("/cases/impuesto-predial-recordatorios-conductuales-cusco"));
    assert!(cusco.body.contains(r#"href="/cases?region=cusco""#));

    let themes = app.get("/themes").await.expect(200);
    assert_eq!(themes.body.matches("<a href=\"/themes/").count(), 10);
    let theme = app.get_with("/themes/whistleblowing", &[("accept-language", "en")]).await.expect(200);
    assert!(theme.body.contains("<h1>Whistleblowing"), "{}", theme.body);
    assert!(theme.body.contains("3 cases"));
    app.get("/regions/atlantis").await.expect(404);
    app.get("/themes/astrology").await.expect(404);
}

#[tokio::test]
async fn the_atom_feed_lists_published_cases() {
    let app = TestApp::new().await;
    let feed = app.get("/feeds/cases.atom").await.expect(200);
    assert!(feed.header("content-type").starts_with("application/atom+xml"));
    assert!(feed.body.starts_with("<?xml"));
    assert_eq!(feed.body.matches("<entry ").count(), SEED_CASES as usize);
    assert!(feed.body.contains("<id>http://ayni.test/cases/guia-gestion-riesgos-integridad-2023</id>"));
    // The HTML content is escaped once, as Atom wants for type="html".
    assert!(feed.body.contains("&#60;h2 id="), "body HTML is escaped in the feed");
    assert!(!feed.body.contains("<h2"), "no raw HTML in the XML");
}

#[tokio::test]
async fn static_assets_are_served_by_ayni_itself() {
    let app = TestApp::new().await;
    let css = app.get("/static/ayni.css").await.expect(200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.header("cache-control").contains("immutable"));
    let page = app.get("/").await;
    assert!(page.body.contains(r#"<link rel="stylesheet" href="/static/ayni.css?v="#));
    assert!(!page.body.contains("https://"), "no outside requests from the page frame");
    // The one script is ours, deferred, and allowed by the page's policy.
    assert!(page.body.contains(r#"<script src="/static/ayni.js?v="#) && page.body.contains("defer></script>"));
    assert!(page.header("content-security-policy").contains("script-src 'self'"));
    let js = app.get("/static/ayni.js").await.expect(200);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains("getElementById(\"preview\")"), "the live preview reads the server's own preview");
    app.get("/static/nothing.js").await.expect(404);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.expect(200).json()["status"], "ok");
    assert_eq!(app.get("/readyz").await.expect(200).json()["status"], "ready");
}

/// Invented cases carry the mark wherever a case is shown, so nobody quotes one as fact.
#[tokio::test]
async fn illustrative_cases_cannot_be_missed() {
    let app = TestApp::new().await;
    let all = app.get("/api/v1/cases?per_page=100").await.expect(200).json();
    let cases = all["cases"].as_array().expect("cases");
    let invented: Vec<&serde_json::Value> = cases.iter().filter(|c| c["illustrative"] == true).collect();
    assert_eq!(invented.len(), 12, "the seed's twelve invented cases say so in the data");
    let list = app.get("/cases?per_page=100").await.expect(200).body + &app.get("/cases?page=2").await.expect(200).body;
    let feed = app.get("/feeds/cases.atom").await.expect(200).body;
    for case in cases {
        let (slug, title) = (case["slug"].as_str().expect("slug"), case["title"].as_str().expect("title"));
        let invented = case["illustrative"] == true;
        let page = app.get(&format!("/cases/{slug}")).await.expect(200).body;
        let header = &page[page.find("<article").expect("article")..page.find("<div class=\"prose\"").expect("body")];
        assert_eq!(header.contains("Ejemplo ilustrativo"), invented, "{slug}: badge under the title");
        assert_eq!(page.contains("no lo cite como un hecho"), invented, "{slug}: the notice");
        let card_at = list.find(&format!("href=\"/cases/{slug}\"")).expect("on the list");
        let card = &list[card_at..card_at + list[card_at..].find("</li>").expect("card end")];
        assert_eq!(card.contains("badge-illustrative"), invented, "{slug}: the card");
        let found = app.get(&format!("/api/v1/search?q=%22{}%22", urlencode(title))).await.expect(200).json();
        let hit = found["results"].as_array().and_then(|r| r.iter().find(|h| h["slug"] == slug)).expect("found");
        assert_eq!(hit["illustrative"], invented, "{slug}: search API");
        if feed.contains(&format!("/cases/{slug}<")) {
            assert_eq!(feed.contains(&format!("[Ejemplo ilustrativo] {title}")), invented, "{slug}: the feed");
        }
    }
    let search = app.get("/search?q=impuesto+predial").await.expect(200).body;
    assert!(search.contains("badge-illustrative"), "search results carry the mark");
    // And they can be left out, or looked at alone.
    assert_eq!(app.get("/api/v1/cases?illustrative=false").await.expect(200).json()["total"], 6);
    assert_eq!(app.get("/api/v1/cases?illustrative=true").await.expect(200).json()["total"], 12);
    assert!(app.get("/cases?illustrative=false").await.expect(200).body.contains("6 casos"));
    let facts = app.get("/api/v1/search?q=integridad&illustrative=false").await.expect(200).json();
    assert!(facts["results"].as_array().expect("results").iter().all(|r| r["illustrative"] == false), "{facts}");
    app.get("/api/v1/cases?illustrative=quizas").await.expect(400);
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).expect("encode").trim_start_matches('=').to_string()
}

#[tokio::test]
async fn years_in_the_wrong_order_show_the_form_with_an_error_summary() {
    let app = TestApp::new().await;
    let page = app.get("/cases?year_from=2024&year_to=2010&kind=case").await.expect(400);
    assert!(page.body.contains("<title>Error: "), "{}", &page.body[..300]);
    assert!(
        page.body.contains(r##"<a href="#f-year-to">«Hasta el año» no puede ser anterior a «Desde el año».</a>"##),
        "the summary links to the field, in words people use"
    );
    assert!(!page.body.contains("«year_to»") && !page.body.contains("«year_from»"), "no parameter names");
    assert!(page.body.contains(r#"value="2024""#) && page.body.contains(r#"value="2010""#), "what was typed stays");
    assert!(page.body.contains(r#"<details class="filters-disclosure" id="filters" open>"#));
    assert!(page.body.contains(r#"<li class="card">"#), "the other filters still list cases");
}

#[tokio::test]
async fn a_case_page_shows_region_and_year_under_its_title_and_filters_fold_away() {
    let app = TestApp::new().await;
    let page = app.get("/cases/impuesto-predial-recordatorios-conductuales-cusco").await.expect(200).body;
    let (title, meta, body) = (
        page.find("<h1").expect("h1"),
        page.find("class=\"case-meta\"").expect("meta"),
        page.find("class=\"prose\"").expect("body"),
    );
    assert!(title < meta && meta < body, "region and year come right under the title");
    let under_title = &page[meta..body];
    assert!(
        under_title.contains(r#"href="/regions/cusco-provincia""#) && under_title.contains("2019"),
        "{under_title}"
    );
    let list = app.get("/cases").await.expect(200).body;
    let details =
        list.find(r#"<details class="filters-disclosure" id="filters">"#).expect("closed when no filter is on");
    assert!(details < list.find(r#"<li class="card">"#).expect("cards"));
    assert!(list.contains(r#"<option value="">Todas</option>"#), "«Región: Todas»");
}

#[tokio::test]
async fn small_things_read_right() {
    let app = TestApp::new().await;
    // A filter form sends every field; the address keeps only those that filter.
    let sent = app.get("/cases?region=&theme=&kind=case&language=&year_from=&year_to=").await.expect(303);
    assert_eq!(sent.header("location"), "/cases?kind=case");

    // Regions with as many cases are listed by name, as people read them.
    let home = app.get("/").await.expect(200).body;
    let list = &home[home.find(r#"id="by-region""#).expect("regions")..home.find(r#"id="by-theme""#).expect("themes")];
    let entries: Vec<(String, i64)> = list
        .split("<li><a href=\"/regions/")
        .skip(1)
        .map(|item| {
            let name = item.split_once("\">").and_then(|(_, r)| r.split_once("</a>")).map(|(n, _)| n).expect("name");
            let count = item.split("<span class=\"count\">").nth(1).and_then(|c| c.split('<').next()).expect("count");
            (name.to_string(), count.parse().expect("number"))
        })
        .collect();
    assert!(entries.len() > 3, "{entries:?}");
    let folded = |name: &str| deunicode::deunicode(&name.to_lowercase());
    for pair in entries.windows(2) {
        let ((a, m), (b, n)) = (&pair[0], &pair[1]);
        assert!(m > n || (m == n && folded(a) <= folded(b)), "{a} ({m}) before {b} ({n})");
    }

    // A seed case shows no import date as if it were an update.
    let seed = app.get("/cases/impuesto-predial-recordatorios-conductuales-cusco").await.expect(200).body;
    assert!(!seed.contains("<dt>Actualizado</dt>"), "the import date is not an update");
}

#[tokio::test]
async fn themes_describe_themselves_in_the_readers_language() {
    let app = TestApp::new().await;
    let english = app.get_with("/themes/tax-collection", &[("accept-language", "en")]).await.expect(200).body;
    assert!(english.contains(r#"<p class="lead" lang="en">Practices to improve the collection"#), "{english}");
    let spanish = app.get("/themes/tax-collection").await.expect(200).body;
    assert!(spanish.contains(r#"<p class="lead" lang="es">Prácticas para mejorar"#));
    let list = app.get_with("/themes", &[("accept-language", "en")]).await.expect(200).body;
    assert!(!list.contains(r#"lang="es">Identificación"#), "no Spanish description in the English list");
}

#[tokio::test]
async fn each_language_has_its_own_address_and_pages_describe_themselves() {
    let app = TestApp::new().await;
    let slug = "impuesto-predial-recordatorios-conductuales-cusco";
    // A link to the English page shows English to anyone, whatever their browser asks for.
    let english = app.get_with(&format!("/cases/{slug}?lang=en"), &[("accept-language", "es")]).await.expect(200);
    assert!(english.body.contains(r#"<html lang="en">"#));
    assert!(english.header("set-cookie").starts_with("ayni_lang=en;"), "and the next pages follow");
    for (lang, url) in [
        ("es", format!("http://ayni.test/cases/{slug}?lang=es")),
        ("en", format!("http://ayni.test/cases/{slug}?lang=en")),
        ("x-default", format!("http://ayni.test/cases/{slug}")),
    ] {
        let tag = format!(r#"<link rel="alternate" hreflang="{lang}" href="{url}">"#);
        assert!(english.body.contains(&tag), "{tag}");
    }
    // Shared on a phone, a case shows its title and summary.
    assert!(english.body.contains(r#"<meta property="og:type" content="article">"#));
    assert!(english
        .body
        .contains(&format!(r#"<meta property="og:url" content="http://ayni.test/cases/{slug}?lang=en">"#)));
    assert!(english.body.contains(r#"<meta property="og:title" content="#));
    assert!(
        english.body.contains(r#"<meta name="description" content="Illustrative example · "#),
        "the summary, marked"
    );
    let home = app.get("/?lang=es").await.expect(200);
    assert!(home.body.contains(r#"<meta name="description" content="Ayni: casos y experiencias exitosas"#));
    // The switch never leads to another site, whatever the address looked like.
    let odd = app.get("//evil.example").await;
    assert!(!odd.body.contains(r#"href="//evil.example"#), "{}", odd.body);
    // Other parameters stay; the language one is replaced, not repeated.
    let list = app.get("/cases?kind=case&lang=es").await.expect(200);
    assert!(list.body.contains(r#"class="lang-switch" href="/cases?kind=case&#38;lang=en""#), "{}", list.body);
}
