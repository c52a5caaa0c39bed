//! Time limits, and the database going away and coming back.

use std::time::Duration;

use ayni::{db, search::Search, store::Store};

use crate::support::{app_router, http::send, scratch_dir, start_private_cluster, Template, TestApp};

#[tokio::test]
async fn a_request_that_runs_out_of_time_gets_503() {
    let app = TestApp::with(Template::Seed, Duration::from_secs(1)).await;
    // Another session holds the cases table, so the list query waits past the limit.
    let mut blocker = app.db.pool.begin().await.expect("begin");
    sqlx::query("lock table cases in access exclusive mode").execute(&mut *blocker).await.expect("lock");
    let page = app.get("/cases").await.expect(503);
    assert!(page.body.contains("La respuesta tardó demasiado"), "{}", page.body);
    assert_eq!(page.header("retry-after"), "5");
    let json = app.get("/api/v1/cases").await.expect(503).json();
    assert_eq!(json["error"]["code"], "timeout");
    blocker.rollback().await.expect("rollback");
    app.get("/cases").await.expect(200);
}

#[tokio::test]
async fn pages_answer_503_while_the_database_is_gone_and_recover_without_a_restart() {
    // This test stops and starts a cluster of its own.
    let dir = scratch_dir("outage");
    let cluster = start_private_cluster(&dir).await;
    let pool = db::pool_options()
        .connect_with(db::with_session_settings(cluster.connect_options("ayni"), Duration::from_secs(5)))
        .await
        .expect("connect");
    db::MIGRATOR.run(&pool).await.expect("migrate");
    let index = tempfile::tempdir().expect("index dir");
    let search = Search::start(Store::new(pool.clone()), index.path().join("search"));
    let router = app_router(Store::new(pool.clone()), search, Duration::from_secs(10));
    let get = |path: &'static str| {
        let router = router.clone();
        async move { send(&router, axum::http::Request::get(path).body(axum::body::Body::empty()).expect("request")).await }
    };
    get("/cases").await.expect(200);
    get("/readyz").await.expect(200);

    cluster.stop().await.expect("stop the cluster");
    let page = get("/cases").await.expect(503);
    assert!(page.body.contains("No podemos leer la base de datos en este momento"), "{}", page.body);
    let ready = get("/readyz").await.expect(503).json();
    assert_eq!(ready["error"]["code"], "database_unavailable");
    let api = get("/api/v1/regions").await.expect(503).json();
    assert_eq!(api["error"]["code"], "database_unavailable");
    get("/healthz").await.expect(200);
    // A signed-in browser sends its session cookie everywhere: liveness and the stylesheet
    // of the outage page must not wait for the session store.
    for path in ["/healthz", "/static/ayni.css"] {
        let request = axum::http::Request::get(path)
            .header("cookie", "ayni_session=8ZQ0u1UzV7cQ9Mk6T4hFqA")
            .body(axum::body::Body::empty())
            .expect("request");
        send(&router, request).await.expect(200);
    }

    let cluster = start_private_cluster(&dir).await;
    get("/readyz").await.expect(200);
    get("/cases").await.expect(200);
    pool.close().await;
    cluster.stop().await.expect("stop");
}

/// Every connection stops a statement soon after its request would give up, and never
/// spends tens of milliseconds compiling a short query's plan.
#[tokio::test]
async fn connections_carry_the_statement_limit_and_no_jit() {
    let app = TestApp::new().await;
    let (timeout, jit): (String, String) =
        sqlx::query_as("select current_setting('statement_timeout'), current_setting('jit')")
            .fetch_one(&app.db.pool)
            .await
            .expect("settings");
    assert_eq!((timeout.as_str(), jit.as_str()), ("11s", "off"));
}
