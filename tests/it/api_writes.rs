//! Writing through the JSON API with personal tokens, under the same rules as the forms.

use axum::{body::Body, http::Request};
use ayni::domain::account::Role;
use serde_json::{json, Value};

use crate::support::{
    browser::{token_in, Browser},
    http::TestResponse,
    TestApp,
};

fn case_json(title: &str) -> Value {
    json!({
        "title": title, "kind": "success-story", "region": "cusco-provincia",
        "themes": ["tax-collection"], "language": "es", "year": 2025,
        "summary": "La provincia subió su recaudación predial.",
        "sources": [{"title": "Municipalidad", "url": "https://www.gob.pe/"}],
        "body_markdown": "## Qué se hizo\n\nCartas con **recordatorios**."
    })
}

async fn call(app: &TestApp, method: &str, uri: &str, token: Option<&str>, body: &Value) -> TestResponse {
    let mut request = Request::builder().method(method).uri(uri).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.request(request.body(Body::from(body.to_string())).expect("request")).await
}

/// A token made the way a person makes one: on their profile page.
async fn token_from_profile(browser: &mut Browser<'_>) -> String {
    let page = browser.post("/profile/tokens", &[("token_name", "script de Cusco")]).await.expect(200);
    assert!(page.body.contains("no volveremos a mostrarlo"));
    let start = page.body.find("ayni_").expect("the token is shown once");
    page.body[start..start + 69].to_string()
}

#[tokio::test]
async fn tokens_are_made_on_the_profile_stored_as_hashes_and_revocable() {
    let app = TestApp::new().await;
    let (mut member, _) = app.browser_as("m@x.gob.pe", "Miembro", Role::Member).await;
    let token = token_from_profile(&mut member).await;
    let stored: String =
        sqlx::query_scalar("select token_hash from api_tokens").fetch_one(&app.db.pool).await.expect("row");
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains(&token[5..20]), "only a hash is kept");
    let profile = member.get("/profile").await.expect(200);
    assert!(profile.body.contains("script de Cusco") && !profile.body.contains(&token), "never shown again");

    let created =
        call(&app, "POST", "/api/v1/cases", Some(&token), &case_json("Cartas que recaudan")).await.expect(201);
    assert_eq!(created.header("location"), "/api/v1/cases/cartas-que-recaudan");
    let body = created.json();
    assert_eq!(body["status"], "draft");
    assert_eq!(body["revision"], 1);
    assert!(body["body_html"].as_str().expect("html").contains("<strong>recordatorios</strong>"));

    let id: i64 = sqlx::query_scalar("select id from api_tokens").fetch_one(&app.db.pool).await.expect("id");
    let page = member.get("/profile").await;
    let csrf = token_in(&page.body).expect("token");
    member
        .post_raw(
            &format!("/profile/tokens/{id}/revoke"),
            &format!("csrf_token={csrf}"),
            Some(crate::support::browser::ORIGIN),
        )
        .await
        .expect(303);
    let refused = call(&app, "POST", "/api/v1/cases", Some(&token), &case_json("Otro")).await.expect(401);
    assert_eq!(refused.json()["error"]["code"], "bad_token");
    // A token opens the API only, not the pages.
    let page = app.get_with("/profile", &[("authorization", &format!("Bearer {token}"))]).await.expect(303);
    assert!(page.header("location").starts_with("/signin"));
}

#[tokio::test]
async fn api_writes_follow_the_same_rules_as_the_forms() {
    let app = TestApp::new().await;
    let (mut member, _) = app.browser_as("m@x.gob.pe", "Miembro", Role::Member).await;
    let token = token_from_profile(&mut member).await;
    let (mut editor, editor_id) = app.browser_as("e@x.gob.pe", "Editor", Role::Member).await;
    app.make_editor(editor_id, &["cusco"]).await;
    let editor_token = token_from_profile(&mut editor).await;

    let anonymous = call(&app, "POST", "/api/v1/cases", None, &case_json("Sin token")).await.expect(401);
    assert_eq!(anonymous.json()["error"]["code"], "sign_in_required");

    let mut bad = case_json("");
    bad["year"] = json!(1800);
    bad["region"] = json!("atlantis");
    let invalid = call(&app, "POST", "/api/v1/cases", Some(&token), &bad).await.expect(422).json();
    assert_eq!(invalid["error"]["code"], "invalid_fields");
    let fields: Vec<&str> = invalid["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().expect("name"))
        .collect();
    assert_eq!(fields, ["title", "region", "year"]);
    assert!(invalid["error"]["fields"][2]["message"].as_str().expect("message").contains("1900"));
    let mut unknown = case_json("Campo desconocido");
    unknown["titel"] = json!("typo");
    call(&app, "POST", "/api/v1/cases", Some(&token), &unknown).await.expect(400);
    let malformed = Request::post("/api/v1/cases")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from("{not json"))
        .expect("request");
    app.request(malformed).await.expect(400);

    // A member may not publish: refused before anything is written.
    let mut publish = case_json("Publicado sin revisión");
    publish["status"] = json!("published");
    call(&app, "POST", "/api/v1/cases", Some(&token), &publish).await.expect(403);
    let none: i64 = sqlx::query_scalar("select count(*) from cases where title = 'Publicado sin revisión'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(none, 0);

    let mut submit = case_json("Cartas que recaudan");
    submit["status"] = json!("submitted");
    let created = call(&app, "POST", "/api/v1/cases", Some(&token), &submit).await.expect(201).json();
    assert_eq!(created["status"], "submitted");
    let slug = created["slug"].as_str().expect("slug").to_string();

    // Signed-in callers see what they may edit; anonymous callers never do.
    let mine =
        app.get_with("/api/v1/cases?region=cusco", &[("authorization", &format!("Bearer {token}"))]).await.expect(200);
    assert!(mine.body.contains(&slug));
    assert!(!app.get("/api/v1/cases?region=cusco").await.body.contains(&slug));
    app.get(&format!("/api/v1/cases/{slug}")).await.expect(404);
    let other = app.account("o@x.gob.pe", "Otro", Role::Member).await;
    let other_user = app.db.store().active_user(other).await.expect("load").expect("user");
    let other_token = app.db.store().create_token(&other_user, "t").await.expect("token");
    let stranger =
        app.get_with(&format!("/api/v1/cases/{slug}"), &[("authorization", &format!("Bearer {other_token}"))]).await;
    stranger.expect(404);
    let far = app.account("far@x.gob.pe", "Lejano", Role::Member).await;
    app.make_editor(far, &["piura"]).await;
    let far_user = app.db.store().active_user(far).await.expect("load").expect("user");
    let far_token = app.db.store().create_token(&far_user, "t").await.expect("token");
    for (who, token) in [("another member", &other_token), ("an editor of another region", &far_token)] {
        let list = app.get_with("/api/v1/cases?per_page=100", &[("authorization", &format!("Bearer {token}"))]).await;
        assert!(!list.expect(200).body.contains(&slug), "{who} does not see the submission in the list");
    }
    let theirs =
        app.get_with("/api/v1/cases?per_page=100", &[("authorization", &format!("Bearer {editor_token}"))]).await;
    assert!(theirs.expect(200).body.contains(&slug), "the region's editor does");

    // The editor saves over revision 1 and publishes; a stale save is refused.
    let mut edit = case_json("Cartas que recaudan");
    edit["summary"] = json!("Resumen revisado por el editor.");
    edit["revision"] = json!(1);
    edit["status"] = json!("published");
    let saved =
        call(&app, "PUT", &format!("/api/v1/cases/{slug}"), Some(&editor_token), &edit).await.expect(200).json();
    assert_eq!((saved["revision"].as_i64(), saved["status"].as_str()), (Some(2), Some("published")));
    let stale =
        call(&app, "PUT", &format!("/api/v1/cases/{slug}"), Some(&editor_token), &edit).await.expect(409).json();
    assert_eq!(stale["error"]["code"], "edit_conflict");
    edit.as_object_mut().expect("object").remove("revision");
    let missing =
        call(&app, "PUT", &format!("/api/v1/cases/{slug}"), Some(&editor_token), &edit).await.expect(422).json();
    assert_eq!(missing["error"]["fields"][0]["field"], "revision");
    // Authors cannot edit once it is published.
    edit["revision"] = json!(2);
    call(&app, "PUT", &format!("/api/v1/cases/{slug}"), Some(&token), &edit).await.expect(403);
    app.wait_for_index().await;
    assert!(
        app.get("/api/v1/search?q=recaudan").await.body.contains(&slug),
        "published through the API, found by search"
    );
}

#[tokio::test]
async fn browser_sessions_calling_the_api_need_the_form_token() {
    let app = TestApp::new().await;
    let (mut member, _) = app.browser_as("m@x.gob.pe", "Miembro", Role::Member).await;
    let csrf = member.csrf().await;
    let post = |token: Option<String>| {
        let mut request = Request::post("/api/v1/cases")
            .header("content-type", "application/json")
            .header("origin", crate::support::browser::ORIGIN);
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request
    };
    member.send(post(None), Body::from(case_json("Con sesión").to_string())).await.expect(403);
    member.send(post(Some(csrf)), Body::from(case_json("Con sesión").to_string())).await.expect(201);
}

#[tokio::test]
async fn the_openapi_document_describes_the_writes_and_the_token() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.expect(200).json();
    assert!(doc["paths"]["/api/v1/cases"]["post"]["requestBody"].is_object());
    assert!(doc["paths"]["/api/v1/cases/{slug}"]["put"]["responses"]["409"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["api_token"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["CaseInput"]["properties"]["body_markdown"].is_object());
}

#[tokio::test]
async fn a_put_to_an_old_slug_is_sent_on_like_a_get() {
    let app = TestApp::new().await;
    let (mut member, _) = app.browser_as("m@x.gob.pe", "Miembro", Role::Member).await;
    let token = token_from_profile(&mut member).await;
    call(&app, "POST", "/api/v1/cases", Some(&token), &case_json("Primer título")).await.expect(201);
    let mut renamed = case_json("Segundo título");
    renamed["revision"] = 1.into();
    call(&app, "PUT", "/api/v1/cases/primer-titulo", Some(&token), &renamed).await.expect(200);
    let get = call(&app, "GET", "/api/v1/cases/primer-titulo", Some(&token), &json!({})).await.expect(308);
    assert_eq!(get.header("location"), "/api/v1/cases/segundo-titulo");
    renamed["revision"] = 2.into();
    let put = call(&app, "PUT", "/api/v1/cases/primer-titulo", Some(&token), &renamed).await.expect(308);
    assert_eq!(put.header("location"), "/api/v1/cases/segundo-titulo");
    // Nobody else learns where a draft went.
    let (mut other, _) = app.browser_as("otro@x.gob.pe", "Otro", Role::Member).await;
    let other_token = token_from_profile(&mut other).await;
    call(&app, "PUT", "/api/v1/cases/primer-titulo", Some(&other_token), &renamed).await.expect(404);
}

#[tokio::test]
async fn a_put_that_does_not_mention_illustrative_keeps_it() {
    let app = TestApp::new().await;
    let (mut member, _) = app.browser_as("m@x.gob.pe", "Miembro", Role::Member).await;
    let token = token_from_profile(&mut member).await;
    let mut invented = case_json("Un ejemplo inventado");
    invented["illustrative"] = true.into();
    let created = call(&app, "POST", "/api/v1/cases", Some(&token), &invented).await.expect(201).json();
    assert_eq!(created["illustrative"], true);
    let mut edit = case_json("Un ejemplo inventado");
    edit["revision"] = 1.into();
    let saved = call(&app, "PUT", "/api/v1/cases/un-ejemplo-inventado", Some(&token), &edit).await.expect(200).json();
    assert_eq!(saved["illustrative"], true, "a script written before the field cannot unmark a case");
    edit["revision"] = 2.into();
    edit["illustrative"] = false.into();
    let saved = call(&app, "PUT", "/api/v1/cases/un-ejemplo-inventado", Some(&token), &edit).await.expect(200).json();
    assert_eq!(saved["illustrative"], false);
}
