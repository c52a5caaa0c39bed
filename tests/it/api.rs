//! The JSON API and its OpenAPI document.

use serde_json::Value;

use crate::support::{TestApp, SEED_CASES};

#[tokio::test]
async fn the_case_list_has_its_shape_filters_and_pages() {
    let app = TestApp::new().await;
    let all = app.get("/api/v1/cases").await.expect(200).json();
    assert_eq!(all["total"], SEED_CASES);
    assert_eq!((all["page"].as_i64(), all["per_page"].as_i64()), (Some(1), Some(20)));
    let first = &all["cases"][0];
    assert_eq!(first["slug"], "property-tax-register-reconciliation-tacna");
    assert_eq!(first["url"], "http://ayni.test/cases/property-tax-register-reconciliation-tacna");
    assert_eq!(first["region"]["slug"], "tacna");
    assert_eq!(first["year"], 2025);
    assert!(first["themes"][0]["name_es"].is_string());
    assert!(first["updated_at"].as_str().is_some_and(|t| t.contains('T')), "RFC 3339 times");

    let page = app.get("/api/v1/cases?per_page=5&page=4").await.expect(200).json();
    assert_eq!(page["cases"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        (page["total"].as_i64(), page["page"].as_i64(), page["per_page"].as_i64()),
        (Some(18), Some(4), Some(5))
    );

    let filtered = app
        .get("/api/v1/cases?region=la-libertad&kind=success-story&language=es&year_from=2010&year_to=2030&theme=public-procurement")
        .await
        .expect(200)
        .json();
    assert_eq!(filtered["total"], 1);
    assert_eq!(filtered["cases"][0]["slug"], "licitaciones-publicas-alertas-riesgo-la-libertad");
    let other_kind = app.get("/api/v1/cases?region=la-libertad&kind=case").await.expect(200).json();
    assert_eq!(other_kind["total"], 0);
    assert_eq!(other_kind["cases"], serde_json::json!([]));
}

#[tokio::test]
async fn one_case_has_markdown_and_rendered_html() {
    let app = TestApp::new().await;
    let case = app.get("/api/v1/cases/impuesto-predial-recordatorios-conductuales-cusco").await.expect(200).json();
    assert_eq!(case["slug"], "impuesto-predial-recordatorios-conductuales-cusco");
    assert!(case["body_markdown"].as_str().is_some_and(|md| md.contains("## Contexto")));
    assert!(case["body_html"].as_str().is_some_and(|html| html.contains(r#"<h2 id="contexto">Contexto</h2>"#)));
    assert!(case["sources"].is_array());
    let missing = app.get("/api/v1/cases/no-such-case").await.expect(404);
    assert!(missing.header("content-type").starts_with("application/json"));
    assert_eq!(missing.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn regions_and_themes() {
    let app = TestApp::new().await;
    let regions = app.get("/api/v1/regions").await.expect(200).json();
    let regions = regions["regions"].as_array().expect("regions").clone();
    assert_eq!(regions.len(), 35);
    let cusco = regions.iter().find(|r| r["slug"] == "cusco").expect("cusco");
    assert_eq!(
        (cusco["level"].as_str(), cusco["parent"].as_str(), cusco["case_count"].as_i64()),
        (Some("regional"), Some("peru"), Some(1))
    );
    let themes = app.get("/api/v1/themes").await.expect(200).json();
    assert_eq!(themes["themes"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_that_answers() {
    let app = TestApp::new().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.expect(200).json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths: Vec<String> = doc["paths"].as_object().expect("paths").keys().cloned().collect();
    for expected in [
        "/api/v1/cases",
        "/api/v1/cases/{slug}",
        "/api/v1/regions",
        "/api/v1/themes",
        "/api/v1/workshops",
        "/api/v1/workshops/{slug}",
        "/api/v1/workshops/{slug}/registration",
        "/api/v1/workshops/{slug}/participants",
        "/api/v1/commitments",
        "/api/v1/commitments/{id}/notes",
    ] {
        assert!(paths.iter().any(|p| p == expected), "{expected} missing from {paths:?}");
    }
    // Every documented reading answers, so the document cannot describe routes that do not
    // exist (the seed has a workshop but no commitment and no agenda: those answer the
    // documented 404; a reading only for token holders asks a visitor for one).
    let mut read = 0;
    for path in paths.iter().filter(|p| doc["paths"][p.as_str()]["get"].is_object()) {
        let slug = if path.starts_with("/api/v1/workshops") {
            "primer-taller-conjunto-integridad-publica-2023"
        } else if path.starts_with("/api/v1/glossary") {
            "seace"
        } else {
            "guia-gestion-riesgos-integridad-2023"
        };
        let concrete = path.replace("{slug}", slug).replace("{id}", "1").replace("{item}", "1");
        let security = doc["paths"][path.as_str()]["get"]["security"].as_array().cloned().unwrap_or_default();
        let open = security.is_empty() || security.iter().any(|s| s.as_object().is_some_and(|s| s.is_empty()));
        let expected = match (open, path.contains("{id}") || path.contains("{item}")) {
            (false, _) => 401,
            (true, true) => 404,
            (true, false) => 200,
        };
        app.get(&concrete).await.expect(expected);
        read += 1;
    }
    assert!(read >= 9, "only {read} documented readings");
    let params: Vec<&str> = doc["paths"]["/api/v1/cases"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in ["region", "theme", "kind", "language", "year_from", "year_to", "page", "per_page"] {
        assert!(params.contains(&name), "{name} missing from {params:?}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn the_openapi_document_names_the_texts_the_api_sends_with_their_bounds() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.expect(200).json();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Kind"]["enum"], serde_json::json!(["case", "success-story"]));
    assert_eq!(schemas["Language"]["enum"], serde_json::json!(["es", "en"]));
    assert_eq!(schemas["Status"]["enum"], serde_json::json!(["draft", "submitted", "published", "unpublished"]));
    assert_eq!(schemas["Level"]["enum"], serde_json::json!(["national", "regional", "municipal"]));
    let input = &schemas["CaseInput"];
    for field in ["title", "kind", "region", "themes", "language", "year", "summary", "body_markdown"] {
        assert!(input["required"].as_array().is_some_and(|r| r.contains(&field.into())), "{field} required: {input}");
    }
    assert_eq!(input["properties"]["year"]["minimum"], 1900.0);
    assert_eq!(input["properties"]["year"]["maximum"], 2100.0);
    assert_eq!(input["properties"]["revision"]["minimum"], 1.0);
}

#[tokio::test]
async fn a_path_that_is_not_utf8_gets_the_json_error_under_the_api() {
    let app = TestApp::new().await;
    let api = app.get("/api/v1/cases/%FF%FE").await;
    assert!(api.status.is_client_error(), "{}", api.status);
    assert!(api.header("content-type").starts_with("application/json"), "{}", api.header("content-type"));
    assert_eq!(api.json()["error"]["code"], "bad_request");
    let page = app.get("/cases/%FF%FE").await;
    assert!(page.header("content-type").starts_with("text/html"), "pages get the page: {}", page.body);
}

#[test]
fn an_answer_that_breaks_the_document_is_caught() {
    // The check every API answer in these tests goes through must refuse a wrong enum text.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let result = runtime.block_on(async {
        let app = TestApp::new().await;
        let mut list = app.get("/api/v1/cases").await.expect(200).json();
        list["cases"][0]["kind"] = "SuccessStory".into();
        let forged = crate::support::http::TestResponse {
            status: axum::http::StatusCode::OK,
            headers: [(axum::http::header::CONTENT_TYPE, "application/json".parse().expect("header"))]
                .into_iter()
                .collect(),
            body: list.to_string(),
        };
        let document = app.get("/api/v1/openapi.json").await.json();
        std::panic::catch_unwind(|| crate::support::http::conforms(&document, "get", "/api/v1/cases", &forged))
    });
    assert!(result.is_err(), "a kind of \"SuccessStory\" passed the OpenAPI check");
}

/// The API document states the same year bounds as the domain's limits (utoipa's schema
/// attributes take only literals, so they are written out there).
#[tokio::test]
async fn the_documented_year_bounds_are_the_domains() {
    use ayni::domain::limits::{MAX_YEAR, MIN_YEAR};
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.expect(200).json();
    let schemas = &doc["components"]["schemas"];
    let mut checked = 0;
    for (name, schema) in schemas.as_object().expect("schemas") {
        if let Some(year) = schema["properties"].get("year") {
            assert_eq!(year["minimum"].as_f64(), Some(f64::from(MIN_YEAR)), "{name}.year minimum");
            assert_eq!(year["maximum"].as_f64(), Some(f64::from(MAX_YEAR)), "{name}.year maximum");
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} schemas have a year");
}
