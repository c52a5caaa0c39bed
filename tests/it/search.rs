//! Search as regional leaders use it: Spanish and English, typos, phrases, filters, facets.

use std::time::Duration;

use ayni::search::Search;
use serde_json::Value;

use crate::support::{app_router, wait_for_index, Template, TestApp, TestDb, SEED_CASES};

fn slugs(json: &Value) -> Vec<String> {
    json["results"].as_array().expect("results").iter().filter_map(|r| r["slug"].as_str().map(String::from)).collect()
}

async fn search(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/search?{query}")).await.expect(200).json()
}

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).expect("encode").trim_start_matches('=').to_string()
}

/// Adds a published case through SQL, as any writer would; the change log picks it up.
async fn insert_case(app: &TestApp, slug: &str, title: &str, body: &str, region: &str, year: i32) {
    sqlx::query(
        "insert into cases (slug, title, kind, region_id, language, year, summary, body_markdown, body_html,
                            body_html_version, status, provenance, published_at)
         values ($1, $2, 'case', (select id from regions where slug = $3), 'es', $4, 'Resumen de prueba.', $5, '', 1,
                 'published', 'app', now())",
    )
    .bind(slug)
    .bind(title)
    .bind(region)
    .bind(year)
    .bind(body)
    .execute(&app.db.pool)
    .await
    .expect("insert case");
    sqlx::query("insert into case_themes (case_id, theme_id) select c.id, t.id from cases c, themes t where c.slug = $1 and t.slug = 'integrity-training'")
        .bind(slug)
        .execute(&app.db.pool)
        .await
        .expect("theme");
    app.wait_for_index().await;
}

#[tokio::test]
async fn accents_case_and_plurals_find_the_same_cases() {
    let app = TestApp::new().await;
    let base = slugs(&search(&app, &q("corrupción")).await);
    assert!(base.len() >= 3, "{base:?}");
    for variant in ["corrupcion", "CORRUPCIÓN", "corrupciones", "Corrupciones"] {
        assert_eq!(slugs(&search(&app, &q(variant)).await), base, "{variant}");
    }
    // English text is stemmed as English: "trained" finds "training".
    let english = search(&app, &q("trained officials")).await;
    assert!(slugs(&english).contains(&"first-joint-public-integrity-workshop-2023".to_string()), "{english}");
}

#[tokio::test]
async fn the_json_has_its_documented_shape() {
    let app = TestApp::new().await;
    let json = search(&app, &q("impuesto predial")).await;
    let first = &json["results"][0];
    for key in ["type", "slug", "url", "title", "region", "year", "snippet_html"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    assert_eq!(first["type"], "case");
    assert!(first["url"].as_str().is_some_and(|u| u.starts_with("http://ayni.test/cases/")));
    assert!(first["region"]["name"].is_string());
    assert_eq!((json["page"].as_i64(), json["per_page"].as_i64()), (Some(1), Some(20)));
    for facet in ["region", "theme", "type", "language", "year"] {
        assert!(json["facets"][facet].is_array(), "{facet}");
    }
    // Only results carry slugs.
    let without_results = {
        let mut j = json.clone();
        j.as_object_mut().expect("object").remove("results");
        j.to_string()
    };
    assert!(!without_results.contains("\"slug\""), "{without_results}");
}

#[tokio::test]
async fn long_questions_are_not_empty_and_rank_all_words_first() {
    let app = TestApp::new().await;
    let json = search(&app, &q("cómo reducir la evasión del impuesto predial en mi municipalidad xyzzy")).await;
    assert!(json["total"].as_u64().is_some_and(|n| n > 0), "one unknown word must not empty the results");
    assert_eq!(json["results"][0]["slug"], "impuesto-predial-recordatorios-conductuales-cusco");
}

#[tokio::test]
async fn questions_typed_as_sentences_find_cases_in_both_languages() {
    let app = TestApp::new().await;
    for question in [
        "como reducir la evasion del impuesto predial",
        "cómo reducir la evasión del impuesto predial",
        "¿Cómo reducir la evasión del impuesto predial?",
    ] {
        let json = search(&app, &q(question)).await;
        assert!(
            slugs(&json).contains(&"impuesto-predial-recordatorios-conductuales-cusco".to_string()),
            "{question}: {json}"
        );
    }
    let keywords = slugs(&search(&app, &q("transparencia presupuesto")).await);
    assert!(!keywords.is_empty());
    for question in [
        "que hicieron otras regiones para la transparencia del presupuesto",
        "¿qué hicieron otras regiones para la transparencia del presupuesto?",
    ] {
        let found = slugs(&search(&app, &q(question)).await);
        for slug in &keywords {
            assert!(found.contains(slug), "{question} misses {slug}: {found:?}");
        }
    }
    for question in ["how did other regions collect more property tax", "what did other regions do about property tax"]
    {
        let found = slugs(&search(&app, &q(question)).await);
        assert!(!found.is_empty(), "{question}");
    }
    // A query of stop words alone still searches them.
    assert!(search(&app, &q("para")).await["total"].is_u64());
}

#[tokio::test]
async fn results_are_labelled_by_kind_and_cut_snippets_say_so() {
    let app = TestApp::new().await;
    let json = search(&app, &q("recordatorios impuesto predial")).await;
    let kinds: Vec<&str> =
        json["results"].as_array().expect("results").iter().filter_map(|r| r["kind"].as_str()).collect();
    assert!(kinds.contains(&"success-story") && kinds.contains(&"case"), "{kinds:?}");
    let page = app.get(&format!("/search?{}", q("recordatorios impuesto predial"))).await.expect(200);
    assert!(page.body.contains("<p class=\"meta\">Experiencia exitosa · "), "a success story says so");
    assert!(page.body.contains("<p class=\"meta\">Caso · "), "a case says so");
    let snippets: Vec<&str> =
        json["results"].as_array().expect("results").iter().filter_map(|r| r["snippet_html"].as_str()).collect();
    assert!(snippets.iter().any(|s| s.starts_with('…') || s.ends_with('…')), "{snippets:?}");
}

#[tokio::test]
async fn typos_find_the_right_word_ranked_below_exact_matches_with_a_suggestion() {
    let app = TestApp::new().await;
    for (typo, correct, suggestion) in [
        ("integirdad", "integridad", "integridad"),
        // The suggestion is written as people write the word, accents and all.
        ("capacitasion", "capacitación", "capacitación"),
        ("licitaciones publcias", "licitaciones públicas", "licitaciones públicas"),
    ] {
        let right = slugs(&search(&app, &q(correct)).await);
        let wrong = search(&app, &q(typo)).await;
        assert!(!right.is_empty());
        let mut found = slugs(&wrong);
        found.sort();
        let mut expected = right.clone();
        expected.sort();
        assert_eq!(found, expected, "{typo} finds what {correct} finds");
        assert_eq!(wrong["suggestion"], suggestion, "{typo}");
    }
    assert!(search(&app, &q("integridad")).await["suggestion"].is_null(), "no suggestion for a known word");
    assert!(
        search(&app, &q("declaraciones juradas")).await["suggestion"].is_null(),
        "a rare plural is not 'corrected' to its singular"
    );

    // A case that really says "capacitasion" matches exactly and ranks first.
    insert_case(&app, "caso-con-errata", "Registro de la capacitasion", "Texto.", "tacna", 2020).await;
    let ranked = slugs(&search(&app, &q("capacitasion")).await);
    assert_eq!(ranked.first().map(String::as_str), Some("caso-con-errata"), "{ranked:?}");
    assert!(ranked.len() > 1, "the corrected word still finds the others");
}

#[tokio::test]
async fn phrases_exclusions_and_filters() {
    let app = TestApp::new().await;
    let phrase = slugs(&search(&app, &q("\"declaraciones juradas de intereses\"")).await);
    assert!(phrase.contains(&"declaraciones-juradas-intereses-arequipa".to_string()));
    assert!(
        slugs(&search(&app, &q("\"intereses juradas declaraciones\"")).await).is_empty(),
        "order matters in a phrase"
    );

    let with = slugs(&search(&app, &q("integridad")).await);
    let without = slugs(&search(&app, &q("integridad -capacitación")).await);
    assert!(without.len() < with.len());
    assert!(!without.contains(&"capacitacion-armonizada-gestion-riesgos-integridad".to_string()));

    // A typed filter and the same filter clicked give the same results.
    let typed = search(&app, &q("integridad region:cusco")).await;
    let clicked = search(&app, &format!("{}&region=cusco", q("integridad"))).await;
    assert_eq!(slugs(&typed), slugs(&clicked));
    assert_eq!(slugs(&typed), ["impuesto-predial-recordatorios-conductuales-cusco"]);
    let themed = search(&app, &q("theme:tax-collection")).await;
    assert_eq!(themed["total"], 3);
    let year = search(&app, &q("year:2023 language:en")).await;
    assert_eq!(year["total"], 2);

    // An unknown typed value is ignored and said; in the query string it is a 400.
    let page = app.get(&format!("/search?{}", q("integridad region:atlantis"))).await.expect(200);
    assert!(page.body.contains("Se ignoró «region:atlantis»: ese valor no existe."), "{}", page.body);
    assert_eq!(slugs(&search(&app, &q("integridad region:atlantis")).await), with);
    let bad = app.get(&format!("/api/v1/search?{}&region=atlantis", q("integridad"))).await.expect(400).json();
    assert_eq!(bad["error"]["parameter"], "region");
    for (param, value) in
        [("type", "novel"), ("level", "planet"), ("sort", "random"), ("per_page", "101"), ("page", "0")]
    {
        let bad = app.get(&format!("/api/v1/search?q=x&{param}={value}")).await.expect(400).json();
        assert_eq!(bad["error"]["parameter"], param);
    }
}

#[tokio::test]
async fn facet_counts_match_what_each_facet_finds() {
    let app = TestApp::new().await;
    let json = search(&app, &q("integridad")).await;
    let total = json["total"].as_u64().expect("total");
    for facet in ["region", "theme", "type", "language", "year"] {
        let values = json["facets"][facet].as_array().expect("facet").clone();
        assert!(!values.is_empty(), "{facet}");
        // Types searched apart (threads, comments) are offered without a count.
        for value in values.iter().filter(|v| v.get("count").is_some()).take(4) {
            let v = value["value"].as_str().expect("value");
            let filter = if facet == "year" { format!("year_from={v}&year_to={v}") } else { format!("{facet}={v}") };
            let narrowed = search(&app, &format!("{}&{filter}", q("integridad"))).await;
            assert_eq!(narrowed["total"], value["count"], "{facet}={v}");
            assert!(value["count"].as_u64().is_some_and(|c| c <= total));
            assert!(value["label"].as_str().is_some_and(|l| !l.is_empty()));
        }
    }
    // On the page each facet value is one click to apply, and one to remove.
    let page = app.get(&format!("/search?{}", q("integridad"))).await.expect(200);
    assert!(page.body.contains(r#"<a href="/search?q=integridad&#38;theme=integrity-training">"#), "{}", page.body);
    let applied = app.get(&format!("/search?{}&theme=integrity-training", q("integridad"))).await.expect(200);
    assert!(
        applied.body.contains(r#"<a href="/search?q=integridad" aria-current="true" class="active">"#),
        "{}",
        applied.body
    );
}

#[tokio::test]
async fn snippets_highlight_matches_and_escape_hostile_text() {
    let app = TestApp::new().await;
    insert_case(
        &app,
        "caso-marcado",
        "Caso con marcado",
        "Un párrafo sobre la **transparencia** y `<script>alert('x')</script>` más <img src=x onerror=alert(1)> texto \\<b\\>falso\\</b\\> transparencia.",
        "puno",
        2024,
    )
    .await;
    let json = search(&app, &q("transparencia alert")).await;
    let hit = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["slug"] == "caso-marcado")
        .expect("found")
        .clone();
    let snippet = hit["snippet_html"].as_str().expect("snippet");
    assert!(snippet.contains("<b>transparencia</b>"), "{snippet}");
    assert!(!snippet.contains("<script") && !snippet.contains("<img") && !snippet.contains("<b>falso"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;") || snippet.contains("&lt;b&gt;"), "{snippet}");
    let page = app.get(&format!("/search?{}", q("transparencia alert"))).await.expect(200);
    assert!(
        !page.body.contains("<script>alert") && !page.body.contains("onerror=alert"),
        "hostile text reached the page"
    );
}

#[tokio::test]
async fn malformed_queries_never_error() {
    let app = TestApp::new().await;
    let punctuation = "!?¿¡.,;:()[]{}<>\"'-".repeat(110);
    for text in
        ["", "\"unbalanced quote", "-", ":", "region:", "-\"", "\"\"", "a:b:c", punctuation.as_str(), "%00", "🙂"]
    {
        let json = search(&app, &q(text)).await;
        assert!(json["total"].is_u64(), "{text:?}");
        let page = app.get(&format!("/search?{}", q(text))).await.expect(200);
        assert!(page.body.contains("<h1>"), "{text:?}");
    }
    assert_eq!(search(&app, &q("")).await["total"], 0, "an empty query shows the empty state");
    let page = app.get("/search?q=").await.expect(200);
    assert!(page.body.contains("Use comillas para una frase exacta"));
    let unbalanced = slugs(&search(&app, &q("\"declaraciones juradas")).await);
    assert!(unbalanced.contains(&"declaraciones-juradas-intereses-arequipa".to_string()), "read as plain words");
}

#[tokio::test]
async fn sorting_and_pagination() {
    let app = TestApp::new().await;
    let newest = search(&app, "q=region:peru&sort=newest&per_page=100").await;
    assert_eq!(newest["total"], SEED_CASES);
    let years: Vec<i64> =
        newest["results"].as_array().expect("results").iter().filter_map(|r| r["year"].as_i64()).collect();
    let mut sorted = years.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(years, sorted, "newest first");

    let all: Vec<String> = slugs(&search(&app, &format!("{}&per_page=100", q("integridad"))).await);
    let mut paged = Vec::new();
    for page in 1..=3 {
        let json = search(&app, &format!("{}&per_page=5&page={page}", q("integridad"))).await;
        assert_eq!(json["total"].as_u64(), Some(all.len() as u64));
        paged.extend(slugs(&json));
    }
    assert_eq!(paged, all[..paged.len()].to_vec(), "pages follow rank order");
    let page = app.get(&format!("/search?{}&page=2", q("integridad"))).await.expect(200);
    assert!(page.body.contains(r#"<a href="/search?q=integridad" rel="prev">"#), "{}", page.body);
}

#[tokio::test]
async fn peer_cases_come_from_other_regions() {
    let app = TestApp::new().await;
    let page = app.get("/cases/impuesto-predial-recordatorios-conductuales-cusco").await.expect(200);
    assert!(page.body.contains("Casos similares de otras regiones"));
    let section = &page.body[page.body.find("peer-heading").expect("peer cases")..];
    let section = &section[..section.find("</section>").expect("end")];
    assert_eq!(section.matches("<li>").count(), 5, "{section}");
    assert!(
        !section.contains("cusco-provincia") && !section.contains("Municipalidad Provincial del Cusco"),
        "{section}"
    );
    let other = app.get("/cases/whistleblower-channel-conflict-of-interest-loreto").await.expect(200).body;
    let other = &other[other.find("peer-heading").expect("peer cases")..];
    assert_ne!(&other[..other.find("</section>").expect("end")], section, "peers depend on the case");
    assert!(other.contains("lang=\"en\""), "an English case finds English peers");
}

#[tokio::test]
async fn drafts_are_never_found_and_changes_are_followed() {
    let app = TestApp::new().await;
    let slug = "guia-gestion-riesgos-integridad-2023";
    assert!(slugs(&search(&app, &q("Secretaría de Integridad Pública guía")).await).contains(&slug.to_string()));
    for status in ["draft", "submitted", "unpublished"] {
        sqlx::query("update cases set status = $2 where slug = $1")
            .bind(slug)
            .bind(status)
            .execute(&app.db.pool)
            .await
            .expect("update");
        app.wait_for_index().await;
        assert!(
            !slugs(&search(&app, &q("Secretaría de Integridad Pública guía")).await).contains(&slug.to_string()),
            "{status} found"
        );
        assert!(!app.get("/search?q=region:peru&per_page=100").await.body.contains(&format!("/cases/{slug}")));
    }
    sqlx::query("update cases set status = 'published', title = 'Guía renovada de riesgos' where slug = $1")
        .bind(slug)
        .execute(&app.db.pool)
        .await
        .expect("update");
    app.wait_for_index().await;
    assert_eq!(slugs(&search(&app, &q("renovada")).await), [slug]);
    sqlx::query("delete from cases where slug = $1").bind(slug).execute(&app.db.pool).await.expect("delete");
    app.wait_for_index().await;
    assert!(slugs(&search(&app, &q("renovada")).await).is_empty());
}

#[tokio::test]
async fn the_change_log_records_every_write_in_order() {
    let db = TestDb::new(Template::Seed).await;
    let before = db.store().latest_change_id().await.expect("latest");
    sqlx::query("update cases set year = 2022 where slug = 'guia-gestion-riesgos-integridad-2023'")
        .execute(&db.pool)
        .await
        .expect("update");
    sqlx::query("update regions set parent_id = (select id from regions where slug = 'puno') where slug = 'cusco'")
        .execute(&db.pool)
        .await
        .expect("move a region");
    let changes = db.store().changes_after(before, 100).await.expect("changes");
    let ids: Vec<i64> = changes.iter().map(|change| change.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let cases: Vec<String> = sqlx::query_scalar(
        "select c.slug from changes l join cases c on l.doc_type = 'case' and c.id::text = l.doc_key
         where l.id > $1 order by l.id",
    )
    .bind(before)
    .fetch_all(&db.pool)
    .await
    .expect("slugs");
    assert_eq!(cases, ["guia-gestion-riesgos-integridad-2023", "impuesto-predial-recordatorios-conductuales-cusco"]);
}

#[tokio::test]
async fn a_deleted_corrupt_outdated_or_pruned_index_is_rebuilt() {
    let app = TestApp::new().await;
    let dir = app.index_dir.path().join("search");
    assert_eq!(total(&app.db, &app.search, "region:peru").await, SEED_CASES);

    // Deleted: a new process on the same data dir builds it again.
    let other = tempfile::tempdir().expect("dir");
    std::fs::rename(&dir, other.path().join("moved")).expect("move the index away");
    let (search, pool) = process(&app.db, &dir).await;
    wait_for_index(&app.db, &search).await;
    assert_eq!(total(&app.db, &search, "region:peru").await, SEED_CASES);
    // The process ends: its indexers stop with its pool and let go of the indexes.
    pool.close().await;

    // Corrupt: garbage in the metadata of both indexes.
    let parts = [dir.clone(), dir.join("discussions")];
    for part in &parts {
        let current = std::fs::read_to_string(part.join("current")).expect("pointer");
        std::fs::write(part.join(current.trim()).join("meta.json"), "{ not json").expect("corrupt");
    }
    let (search, pool) = process(&app.db, &dir).await;
    wait_for_index(&app.db, &search).await;
    assert_eq!(total(&app.db, &search, "region:peru").await, SEED_CASES);
    pool.close().await;

    // Outdated: indexes written with another schema.
    for part in &parts {
        let old = part.join("index-outdated");
        let mut schema = tantivy::schema::Schema::builder();
        schema.add_text_field("title", tantivy::schema::TEXT);
        std::fs::create_dir(&old).expect("old index folder");
        tantivy::Index::create_in_dir(&old, schema.build()).expect("old index");
        std::fs::write(part.join("current"), "index-outdated\n").expect("pointer");
    }
    let (search, pool) = process(&app.db, &dir).await;
    wait_for_index(&app.db, &search).await;
    assert_eq!(total(&app.db, &search, "region:peru").await, SEED_CASES);
    pool.close().await;
    assert_ne!(std::fs::read_to_string(dir.join("current")).expect("pointer").trim(), "index-outdated");

    // Fallen behind the pruned log: rebuilt rather than left stale.
    let stale = tempfile::tempdir().expect("dir");
    let lagging = Search::start(app.db.store(), stale.path().join("search"));
    wait_for_index(&app.db, &lagging).await;
    sqlx::query("update cases set title = 'Título podado' where slug = 'guia-gestion-riesgos-integridad-2023'")
        .execute(&app.db.pool)
        .await
        .expect("update");
    let pruned = app.db.store().prune_changes(Duration::ZERO).await.expect("prune");
    assert!(pruned > 0);
    wait_for_index(&app.db, &lagging).await;
    assert_eq!(total(&app.db, &lagging, "podado").await, 1);
}

/// Another Ayni process on the data dir `dir`: its indexes, with a pool of its own.
async fn process(db: &TestDb, dir: &std::path::Path) -> (Search, sqlx::PgPool) {
    let pool = ayni::db::pool_options().connect_with(db.options.clone()).await.expect("connect");
    (Search::start(ayni::store::Store::new(pool.clone()), dir.to_path_buf()), pool)
}

/// The total of a search through a router over `search`.
async fn total(db: &TestDb, search: &Search, text: &str) -> Value {
    let router = app_router(db.store(), search.clone(), Duration::from_secs(10));
    let uri = format!("/api/v1/search?{}", q(text));
    let request = axum::http::Request::get(uri).body(axum::body::Body::empty()).expect("request");
    crate::support::http::send(&router, request).await.json()["total"].clone()
}

/// A change of a type this release does not know is passed over, and the changes after it
/// still reach the index.
#[tokio::test]
async fn the_index_passes_over_changes_of_an_unknown_type() {
    let app = TestApp::new().await;
    sqlx::query("select log_change('workshop', '7')").execute(&app.db.pool).await.expect("an unknown type");
    sqlx::query("update cases set title = 'Recordatorios conductuales del predial' where slug = 'impuesto-predial-recordatorios-conductuales-cusco'")
        .execute(&app.db.pool)
        .await
        .expect("a case change after it");
    app.wait_for_index().await;
    let found = app.get("/api/v1/search?q=conductuales+predial").await.expect(200).json();
    assert!(found["results"]
        .as_array()
        .expect("results")
        .iter()
        .any(|r| r["title"] == "Recordatorios conductuales del predial"));
}

#[tokio::test]
async fn snippets_come_from_the_passage_that_matched_deep_in_a_long_body() {
    let app = TestApp::new().await;
    let filler = "Texto de relleno sin relación alguna con lo buscado. ".repeat(200);
    let body = format!(
        "{filler}\n\nLa municipalidad organizó la oficina de integridad con solo dos personas & un \"plan\" <claro>. {filler}"
    );
    insert_case(&app, "caso-largo", "Caso largo", &body, "puno", 2024).await;
    let json = search(&app, &q("oficina integridad personas")).await;
    let hit = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["slug"] == "caso-largo")
        .unwrap_or_else(|| panic!("the long case is found: {json}"))
        .clone();
    let snippet = hit["snippet_html"].as_str().expect("snippet");
    for word in ["oficina", "integridad", "personas"] {
        assert!(snippet.contains(&format!("<b>{word}</b>")), "{word} is highlighted: {snippet}");
    }
    assert!(snippet.contains("&amp;") && !snippet.contains(" & "), "the text is escaped: {snippet}");
    assert!(!snippet.contains("<claro>"), "{snippet}");
    assert!(snippet.starts_with('…') && snippet.ends_with('…'), "the body goes on both sides: {snippet}");
}
