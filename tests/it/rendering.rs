//! Markdown rendering cannot freeze the server: it runs off the async workers, a core at a
//! time, on bodies within the limits; stored HTML is renewed without reordering anything.

use std::time::{Duration, Instant};

use ayni::{domain::account::Role, markdown};

use crate::support::{
    browser::{case_form, ORIGIN},
    http::over_tcp,
    TestApp,
};

/// A preview form with this body, as the browser would send it.
fn preview_body(csrf: &str, body: &str) -> String {
    let mut fields = case_form("Vista previa pesada", "cusco");
    fields.retain(|(k, _)| *k != "body" && *k != "intent");
    fields.push(("body", body));
    fields.push(("intent", "preview"));
    fields.push(("csrf_token", csrf));
    serde_urlencoded::to_string(&fields).expect("form")
}

// Two workers, as on a 2-core machine: on a current-thread runtime a blocked worker would
// hang the test instead of failing it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_previews_do_not_stop_the_site() {
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let service = app.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });

    let mut posts = Vec::new();
    // One body within the limit but nested 80,000 deep; one over the limit (300 KB).
    for (n, body) in [">".repeat(80_000), "palabra ".repeat(300_000 / 8)].into_iter().enumerate() {
        let (mut browser, _) = app.browser_as(&format!("autor{n}@x.gob.pe"), "Autor", Role::Member).await;
        let csrf = browser.csrf().await;
        let cookies: Vec<String> = browser.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let head = format!(
            "POST /cases/new HTTP/1.1\r\nOrigin: {ORIGIN}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded",
            cookies.join("; ")
        );
        let form = preview_body(&csrf, &body);
        posts.push(std::thread::spawn(move || {
            let started = Instant::now();
            (over_tcp(addr, &head, &form, Duration::from_secs(8)), started.elapsed())
        }));
    }
    // While both run, the site answers.
    let checks = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        ["/healthz", "/cases/impuesto-predial-recordatorios-conductuales-cusco"]
            .map(|path| {
                let started = Instant::now();
                (path, over_tcp(addr, &format!("GET {path} HTTP/1.1"), "", Duration::from_secs(3)), started.elapsed())
            })
            .to_vec()
    });
    for (path, answer, took) in tokio::task::spawn_blocking(move || checks.join().expect("checks")).await.expect("join")
    {
        let (status, _) = answer.unwrap_or_else(|e| panic!("{path} during heavy previews: {e}"));
        assert_eq!(status, 200, "{path}");
        assert!(took < Duration::from_secs(3), "{path} took {took:?}");
    }
    let mut statuses = Vec::new();
    for post in posts {
        let (answer, took) = tokio::task::spawn_blocking(move || post.join().expect("post")).await.expect("join");
        let (status, page) = answer.unwrap_or_else(|e| panic!("a heavy preview got no answer: {e}"));
        assert!(took < Duration::from_secs(8), "the preview took {took:?}");
        statuses.push((status, page));
    }
    // The deep one is rendered, flattened; the long one is refused with the form kept.
    let (deep, page) = &statuses[0];
    assert_eq!(*deep, 200, "{page}");
    assert!(page.contains(r#"id="preview""#), "{page}");
    let (long, page) = &statuses[1];
    assert_eq!(*long, 422);
    assert!(page.contains("error-summary") && page.contains("Vista previa pesada"), "the form keeps the text");
}

#[tokio::test]
async fn previews_are_limited_per_account_and_the_form_is_kept() {
    let app = TestApp::new().await;
    let (mut author, _) = app.browser_as("autora@x.gob.pe", "Autora", Role::Member).await;
    let mut fields = case_form("Mi caso", "cusco");
    fields.retain(|(k, _)| *k != "intent");
    fields.push(("intent", "preview"));
    let mut last = author.post("/cases/new", &fields).await;
    for _ in 0..40 {
        if last.status == 429 {
            break;
        }
        last = author.post("/cases/new", &fields).await;
    }
    let refused = last.expect(429);
    assert!(refused.body.contains("Pidió muchas vistas previas seguidas"), "{}", refused.body);
    assert!(refused.body.contains(r#"value="Mi caso""#), "the title stays in the form");
    assert!(refused.body.contains("<title>Error: "), "the title says the form was refused");
    // Someone else still gets theirs.
    let (mut other, _) = app.browser_as("otra@x.gob.pe", "Otra", Role::Member).await;
    other.post("/cases/new", &fields).await.expect(200);
}

#[tokio::test]
async fn an_unclosed_script_keeps_the_rest_of_the_body_on_the_page_and_in_search() {
    let app = TestApp::new().await;
    let (mut author, _) = app.browser_as("autora@x.gob.pe", "Autora", Role::Admin).await;
    for (n, opener) in ["<script>", "<style>", "<pre>", "<textarea>"].into_iter().enumerate() {
        let title = format!("Caso con etiqueta abierta {n}");
        let body = format!("Inicio del caso.\n\n{opener}\n\nLa contraloria zanahoriaverde{n} revisó todo.\n");
        let mut fields = case_form(&title, "cusco");
        fields.retain(|(k, _)| *k != "body");
        fields.push(("body", &body));
        let saved = author.post("/cases/new", &fields).await.expect(303);
        let location = saved.header("location");
        let page = author.get(&location).await.expect(200);
        assert!(page.body.contains(&format!("zanahoriaverde{n} revisó todo.")), "{opener}: {}", page.body);
        assert!(page.body.contains(&opener.replace('<', "&lt;").replace('>', "&gt;")), "{opener} shown as text");
        let slug = crate::support::browser::slug_of(&location);
        author.post(&format!("/cases/{slug}/submit"), &[]).await.expect(303);
        author.post(&format!("/cases/{slug}/publish"), &[]).await.expect(303);
        app.wait_for_index().await;
        let found = app.get(&format!("/api/v1/search?q=zanahoriaverde{n}")).await.expect(200).json();
        assert_eq!(found["total"], 1, "{opener}: {found}");
    }
}

#[tokio::test]
async fn stored_html_is_rendered_again_without_reordering_or_logging() {
    let app = TestApp::new().await;
    let pool = &app.db.pool;
    sqlx::query("update cases set body_html = 'old', body_html_version = 1").execute(pool).await.expect("age");
    let before: Vec<(String, time::OffsetDateTime)> =
        sqlx::query_as("select slug, updated_at from cases order by id").fetch_all(pool).await.expect("read");
    let changes: i64 = sqlx::query_scalar("select count(*) from changes").fetch_one(pool).await.expect("count");

    // The seed workshop's description and outcomes, as an older, looser renderer left them.
    sqlx::query("update workshops set description_html = '<script>old</script>', description_html_version = 0")
        .execute(pool)
        .await
        .expect("age the workshop");
    sqlx::query("update workshop_outcomes set conclusions_html = '<script>old</script>', conclusions_html_version = 0")
        .execute(pool)
        .await
        .expect("age the outcomes");

    let rendered = app.db.store().rerender_stale(&markdown::Renderer::default()).await.expect("rerender");
    assert_eq!(rendered, before.len() + 2, "every case, the workshop's description and its outcomes");
    let workshop = app.get("/workshops/primer-taller-conjunto-integridad-publica-2023").await.expect(200).body;
    assert!(!workshop.contains("<script>old") && workshop.contains("Secretaría de Integridad Pública"));
    let after: Vec<(String, time::OffsetDateTime)> =
        sqlx::query_as("select slug, updated_at from cases order by id").fetch_all(pool).await.expect("read");
    assert_eq!(after, before, "updated_at stays");
    let changes_after: i64 = sqlx::query_scalar("select count(*) from changes").fetch_one(pool).await.expect("count");
    assert_eq!(changes_after, changes, "no change-log entries for derived columns");
    let stale: i64 =
        sqlx::query_scalar("select count(*) from cases where body_html_version <> $1 or body_html = 'old'")
            .bind(markdown::RENDER_VERSION)
            .fetch_one(pool)
            .await
            .expect("count");
    assert_eq!(stale, 0);
    // A real edit still moves updated_at and is logged.
    sqlx::query("update cases set summary = summary || '.' where slug = $1")
        .bind(&before[0].0)
        .execute(pool)
        .await
        .expect("edit");
    let logged: i64 = sqlx::query_scalar("select count(*) from changes").fetch_one(pool).await.expect("count");
    assert_eq!(logged, changes + 1);
}
