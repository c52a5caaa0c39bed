//! Whose service this is: the operator is named, and the about, privacy, accessibility and
//! contact pages are one click from every page.

use std::{sync::Arc, time::Duration};

use axum::{body::Body, http::Request};
use ayni::http::{router, AppState, Site};

use crate::support::{http::send, TestApp};

#[tokio::test]
async fn the_operator_is_named_on_the_site_pages_and_the_privacy_notice() {
    let app = TestApp::new().await;
    let site = Site::new(Some("Gobierno Regional de Prueba".into()), Some("ayni@prueba.gob.pe".into()));
    let router = router(AppState {
        store: app.db.store(),
        search: app.search.clone(),
        public_url: "http://ayni.test".into(),
        request_timeout: Duration::from_secs(10),
        trusted_proxies: Vec::new().into(),
        renderer: Default::default(),
        previews: Default::default(),
        site: Arc::new(site),
        pages: Default::default(),
    });
    let get = |path: &'static str, lang: &'static str| {
        let router = router.clone();
        async move {
            let request = Request::get(path).header("accept-language", lang).body(Body::empty()).expect("request");
            send(&router, request).await.expect(200)
        }
    };
    for (path, es, en) in [
        ("/about", "Acerca de Ayni", "About Ayni"),
        ("/privacy", "Aviso de privacidad", "Privacy notice"),
        ("/accessibility", "Declaración de accesibilidad", "Accessibility statement"),
        ("/contact", "Contacto", "Contact"),
    ] {
        for (lang, title) in [("es", es), ("en", en)] {
            let page = get(path, lang).await;
            assert!(page.body.contains(&format!("<h1>{title}</h1>")), "{path} {lang}: {}", page.body);
            assert!(!page.body.contains("{operator}") && !page.body.contains("{contact}"), "{path} {lang}");
        }
    }
    assert!(get("/privacy", "es").await.body.contains("Gobierno Regional de Prueba"), "the controller is named");
    assert!(get("/contact", "es").await.body.contains(r#"href="mailto:ayni@prueba.gob.pe""#));
    assert!(get("/accessibility", "en").await.body.contains("(WCAG) 2.1 at level AA"));
    let signup = get("/signup", "es").await;
    assert!(signup.body.contains("Quién trata sus datos: Gobierno Regional de Prueba"), "{}", signup.body);
    let signin = get("/signin", "es").await;
    assert!(signin.body.contains(r#"¿Olvidó su contraseña?"#) && signin.body.contains(r#"<a href="/contact">"#));
    // Every page links to them.
    let home = get("/", "es").await;
    for link in ["/about", "/privacy", "/accessibility", "/contact"] {
        assert!(home.body.contains(&format!(r#"<a href="{link}">"#)), "footer link {link}");
    }
}

#[tokio::test]
async fn an_installation_that_names_no_operator_says_so() {
    let app = TestApp::new().await;
    let privacy = app.get("/privacy").await.expect(200);
    assert!(privacy.body.contains("AYNI_OPERATOR"), "{}", privacy.body);
    assert!(app.get("/contact").await.expect(200).body.contains("AYNI_CONTACT_EMAIL"));
}
