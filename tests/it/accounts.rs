//! Accounts: sign-up, sign-in and sign-out, sessions, rate limits and forged requests.

use std::time::Duration;

use axum::{body::Body, http::Request};
use ayni::{
    domain::account::Role,
    http::{router, AppState},
};

use crate::support::{
    browser::{token_in, Browser, ORIGIN, PASSWORD},
    http::send,
    TestApp,
};

const SIGNUP_OK: &[(&str, &str)] = &[
    ("email", "Rosa.Quispe@Region-Cusco.gob.pe"),
    ("display_name", "Rosa Quispe"),
    ("organisation", "Gobierno Regional del Cusco"),
    ("region", "cusco"),
    ("password", "una frase bastante larga"),
    ("password_confirm", "una frase bastante larga"),
    ("consent", "yes"),
];

async fn session_exists(app: &TestApp, id: &str) -> bool {
    sqlx::query_scalar("select exists (select 1 from sessions where id = $1)")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .expect("query sessions")
}

#[tokio::test]
async fn sign_up_then_out_then_in_with_an_argon2id_hash() {
    let app = TestApp::new().await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/signup").await.expect(200);
    assert!(form.body.contains("Ley N.° 29733"), "the privacy notice names the law");
    assert!(form.body.contains("Aviso de privacidad"));

    // A refused sign-up keeps what was typed, except the passwords, and says what to fix.
    let refused = browser
        .post(
            "/signup",
            &[
                ("email", "rosa@"),
                ("display_name", "Rosa Quispe"),
                ("organisation", "GORE Cusco"),
                ("password", "corta"),
                ("password_confirm", "corta"),
            ],
        )
        .await
        .expect(422);
    assert!(refused.body.contains("Hay un problema"));
    assert!(refused.body.contains(r##"<a href="#email">Escriba un correo"##), "{}", refused.body);
    assert!(refused.body.contains("«Contraseña» necesita al menos 10 caracteres"));
    assert!(refused.body.contains("marque que acepta el aviso de privacidad"));
    assert!(refused.body.contains(r#"value="rosa@""#) && refused.body.contains(r#"value="GORE Cusco""#));
    assert!(!refused.body.contains(r#"value="corta""#), "passwords are never sent back");

    let created = browser.post("/signup", SIGNUP_OK).await.expect(303);
    assert_eq!(created.header("location"), "/?done=welcome", "home, with a welcome");
    let (email, hash, region): (String, String, Option<String>) = sqlx::query_as(
        "select u.email, u.password_hash, r.slug from users u left join regions r on r.id = u.region_id",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("the account");
    assert_eq!(email, "rosa.quispe@region-cusco.gob.pe");
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!hash.contains("una frase"));
    assert_eq!(region.as_deref(), Some("cusco"));
    let (consented, version): (bool, Option<String>) =
        sqlx::query_as("select privacy_accepted_at is not null, privacy_notice_version from users")
            .fetch_one(&app.db.pool)
            .await
            .expect("consent");
    assert!(consented, "the consent is recorded");
    assert_eq!(version.as_deref(), Some(ayni::domain::account::PRIVACY_NOTICE_VERSION));
    let home = browser.get("/").await.expect(200);
    assert!(home.body.contains(r#"<a href="/profile">Rosa Quispe</a>"#), "signed in after sign-up");

    let again = Browser::new(&app).post("/signup", SIGNUP_OK).await.expect(422);
    assert!(again.body.contains("Ya existe una cuenta con este correo"));

    browser.post("/signout", &[]).await.expect(303);
    let home = browser.get("/").await.expect(200);
    assert!(!home.body.contains("Rosa Quispe") && home.body.contains(r#"<a href="/signin">Ingresar</a>"#));

    let signed_in = browser.sign_in("ROSA.quispe@region-cusco.gob.pe ", "una frase bastante larga").await.expect(303);
    assert_eq!(signed_in.header("location"), "/");
    assert!(browser.get("/").await.body.contains("Rosa Quispe"));
    let missing = browser.get("/cases/no-existe").await.expect(404);
    assert!(missing.body.contains(r#"<a href="/profile">Rosa Quispe</a>"#), "error pages keep the signed-in header");
    assert!(missing.header("cache-control").contains("no-store"));
}

#[tokio::test]
async fn sign_in_goes_back_where_the_person_was_and_never_elsewhere() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    let mut browser = Browser::new(&app);
    let redirect = browser.get("/cases/new").await.expect(303);
    assert_eq!(redirect.header("location"), "/signin?next=%2Fcases%2Fnew");
    let form = browser.get("/signin?next=%2Fcases%2Fnew").await.expect(200);
    assert!(form.body.contains(r#"name="next" value="/cases/new""#));
    let done = browser
        .post("/signin", &[("email", "ana@x.gob.pe"), ("password", PASSWORD), ("next", "/cases/new")])
        .await
        .expect(303);
    assert_eq!(done.header("location"), "/cases/new");
    let mut other = Browser::new(&app);
    let done = other
        .post("/signin", &[("email", "ana@x.gob.pe"), ("password", PASSWORD), ("next", "//evil.example/")])
        .await
        .expect(303);
    assert_eq!(done.header("location"), "/");
}

#[tokio::test]
async fn sign_in_does_not_reveal_whether_an_email_is_registered() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    let mut browser = Browser::new(&app);
    let wrong_password = browser.sign_in("ana@x.gob.pe", "no es la contraseña").await.expect(401);
    let unknown_email = browser.sign_in("nadie@x.gob.pe", "no es la contraseña").await.expect(401);
    let message = |body: &str| {
        let start = body.find(r#"<div class="error-summary""#).expect("an error summary");
        let end = body[start..].find("</div>").expect("end of the summary") + start;
        body[start..end].to_string()
    };
    assert_eq!(message(&wrong_password.body), message(&unknown_email.body));
    assert!(wrong_password.body.contains("El correo o la contraseña no son correctos."));
    // The typed address stays in the form either way.
    assert!(unknown_email.body.contains(r#"value="nadie@x.gob.pe""#));
}

#[tokio::test]
async fn ten_failures_per_email_then_429_even_with_the_right_password() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    for attempt in 0..10 {
        // Each from another address: the per-email limit alone applies.
        let mut browser = Browser::from_address(&app, &format!("198.51.100.{attempt}:4000"));
        browser.sign_in("ana@x.gob.pe", "equivocada 1234").await.expect(401);
    }
    let mut browser = Browser::from_address(&app, "198.51.100.200:4000");
    let limited = browser.sign_in("Ana@x.gob.pe", PASSWORD).await.expect(429);
    assert!(limited.body.contains("demasiados intentos fallidos"), "{}", limited.body);
    assert!(limited.body.contains("espere 15 minutos"));
    // Unknown emails are limited the same way, so the limit reveals nothing either.
    for _ in 0..10 {
        Browser::new(&app).sign_in("nadie@x.gob.pe", "equivocada 1234").await;
    }
    Browser::from_address(&app, "192.0.2.1:1").sign_in("nadie@x.gob.pe", "x").await.expect(429);
    // The counters live in PostgreSQL: every process sees them.
    let counted: i64 = sqlx::query_scalar("select count(*) from auth_attempts where kind = 'signin_email'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(counted, 20);
}

#[tokio::test]
async fn ten_failures_per_address_then_429_and_forwarded_for_is_ignored_from_strangers() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    let mut attacker = Browser::from_address(&app, "203.0.113.66:1234");
    for n in 0..10 {
        attacker.sign_in(&format!("persona{n}@x.gob.pe"), "equivocada 1234").await.expect(401);
    }
    attacker.sign_in("ana@x.gob.pe", PASSWORD).await.expect(429);
    // Claiming another address in X-Forwarded-For does not help: the peer is not a proxy.
    let token = attacker.csrf().await;
    let body = format!("email=ana%40x.gob.pe&password={}&csrf_token={token}", PASSWORD.replace(' ', "+"));
    let request = Request::post("/signin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ORIGIN)
        .header("x-forwarded-for", "192.0.2.99");
    attacker.send(request, Body::from(body)).await.expect(429);
    // Someone else, elsewhere, signs in as usual.
    Browser::from_address(&app, "192.0.2.7:1").sign_in("ana@x.gob.pe", PASSWORD).await.expect(303);
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_is_deleted_at_sign_out() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/signin").await.expect(200);
    let cookie = form.header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http public URL: no Secure flag");
    assert!(cookie.contains("Max-Age=1209600"), "14 days idle: {cookie}");
    let before = browser.session_id().expect("a session for the form token");
    assert!(session_exists(&app, &before).await);

    browser.sign_in("ana@x.gob.pe", PASSWORD).await.expect(303);
    let after = browser.session_id().expect("a signed-in session");
    assert_ne!(before, after, "a new id at sign-in");
    assert!(!session_exists(&app, &before).await, "the old id is gone");
    assert!(session_exists(&app, &after).await);

    // An attacker who planted the old id gets nothing.
    let mut planted = Browser::new(&app);
    planted.cookies.insert("ayni_session".into(), before);
    assert!(!planted.get("/").await.body.contains(r#"<a href="/profile">Ana</a>"#));

    browser.post("/signout", &[]).await.expect(303);
    assert!(!session_exists(&app, &after).await, "sign-out deletes the session on the server");
    assert!(browser.session_id().is_none(), "and clears the cookie");
    // Replaying the old cookie does not sign anyone in.
    let mut replay = Browser::new(&app);
    replay.cookies.insert("ayni_session".into(), after);
    assert!(replay.get("/").await.body.contains(r#"<a href="/signin">Ingresar</a>"#));
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let app = TestApp::new().await;
    let router = router(AppState {
        store: app.db.store(),
        search: app.search.clone(),
        public_url: "https://ayni.example".into(),
        request_timeout: Duration::from_secs(10),
        trusted_proxies: Vec::new().into(),
        renderer: Default::default(),
        previews: Default::default(),
        site: Default::default(),
        pages: Default::default(),
    });
    let response = send(&router, Request::get("/signin").body(Body::empty()).expect("request")).await;
    let cookie = response.header("set-cookie");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn forged_posts_get_403_and_change_nothing() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    let mut browser = Browser::new(&app);
    let token = browser.csrf().await;
    let form = format!("email=ana%40x.gob.pe&password={}", PASSWORD.replace(' ', "+"));
    // Sign-in itself needs the token…
    let page = browser.post_raw("/signin", &form, Some(ORIGIN)).await.expect(403);
    assert!(page.body.contains("No pudimos confirmar que este formulario viene de Ayni"));
    // …and the right origin, even with the token.
    let with_token = format!("{form}&csrf_token={token}");
    browser.post_raw("/signin", &with_token, Some("https://evil.example")).await.expect(403);
    browser.post_raw("/signin", "csrf_token=wrong&email=a", Some(ORIGIN)).await.expect(403);
    browser.post_raw("/signin", &with_token, Some(ORIGIN)).await.expect(303);

    // Signed in, a cross-site sign-out (or anything else) is refused.
    let page = browser.get("/").await;
    let token = token_in(&page.body).expect("the sign-out form's token");
    browser.post_raw("/signout", "", Some(ORIGIN)).await.expect(403);
    browser.post_raw("/signout", &format!("csrf_token={token}"), Some("https://evil.example")).await.expect(403);
    assert!(browser.get("/").await.body.contains(r#"<a href="/profile">Ana</a>"#), "still signed in");
    browser.post_raw("/signout", &format!("csrf_token={token}"), Some(ORIGIN)).await.expect(303);
}

#[tokio::test]
async fn what_has_run_out_is_deleted_and_nothing_else() {
    let app = TestApp::new().await;
    app.account("ana@x.gob.pe", "Ana", Role::Member).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("ana@x.gob.pe", PASSWORD).await.expect(303);
    let live = browser.session_id().expect("session");
    for sql in [
        "insert into sessions (id, data, expiry_date) values ('old', '', now() - interval '1 minute')",
        "insert into auth_attempts (kind, key, at)
         values ('signin_email', 'x', now() - interval '2 days'), ('signin_email', 'x', now())",
    ] {
        sqlx::query(sql).execute(&app.db.pool).await.expect("insert");
    }
    assert_eq!(app.db.store().delete_expired().await.expect("delete"), 2);
    assert!(session_exists(&app, &live).await && !session_exists(&app, "old").await);
    let attempts: i64 =
        sqlx::query_scalar("select count(*) from auth_attempts").fetch_one(&app.db.pool).await.expect("count");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let app = TestApp::new().await;
    let router = router(AppState {
        store: app.db.store(),
        search: app.search.clone(),
        public_url: "http://ayni.test".into(),
        request_timeout: Duration::from_secs(10),
        trusted_proxies: vec!["10.0.0.5".parse().expect("ip")].into(),
        renderer: Default::default(),
        previews: Default::default(),
        site: Default::default(),
        pages: Default::default(),
    });
    let proxy = axum::extract::ConnectInfo(std::net::SocketAddr::from(([10, 0, 0, 5], 443)));
    for (n, client, expected) in
        (0..11).map(|n| (n, "203.0.113.1", if n < 10 { 401 } else { 429 })).chain([(11, "203.0.113.2", 401)])
    {
        // A browser behind the proxy: its session and form token, then a failed sign-in.
        let mut form = Request::get("/signin").body(Body::empty()).expect("request");
        form.extensions_mut().insert(proxy);
        let page = send(&router, form).await;
        let cookie = page.header("set-cookie").split(';').next().expect("cookie").to_string();
        let token = token_in(&page.body).expect("token");
        let mut post = Request::post("/signin")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN)
            .header("cookie", cookie)
            .header("x-forwarded-for", client)
            .body(Body::from(format!("email=persona{n}%40x.gob.pe&password=equivocada123&csrf_token={token}")))
            .expect("request");
        post.extensions_mut().insert(proxy);
        assert_eq!(send(&router, post).await.status.as_u16(), expected, "attempt {n} from {client}");
    }
}
