//! A browser's view of the site: it keeps cookies, sends forms with their token and Origin,
//! and comes from one client address (what the TCP listener would report).

use std::{collections::BTreeMap, net::SocketAddr};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, Request},
};
use ayni::{
    auth::password,
    domain::{account::Role, Lang},
    store::accounts::NewUser,
};

use super::{http::TestResponse, TestApp};

pub const ORIGIN: &str = "http://ayni.test";
pub const PASSWORD: &str = "contraseña de prueba 123";

pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    pub address: SocketAddr,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser::from_address(app, "203.0.113.10:50000")
    }

    pub fn from_address(app: &'a TestApp, address: &str) -> Self {
        Browser { app, cookies: BTreeMap::new(), address: address.parse().expect("socket address") }
    }

    /// The session cookie's value (the session id), if any.
    pub fn session_id(&self) -> Option<String> {
        self.cookies.get("ayni_session").cloned()
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn send(&mut self, builder: axum::http::request::Builder, body: Body) -> TestResponse {
        let mut builder = builder;
        if !self.cookies.is_empty() {
            builder = builder.header(header::COOKIE, self.cookie_header());
        }
        let mut request = builder.body(body).expect("request");
        request.extensions_mut().insert(ConnectInfo(self.address));
        let response = self.app.request(request).await;
        for set in response.headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let expired = set.contains("Max-Age=0") || value.is_empty();
                if expired {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        response
    }

    pub async fn get(&mut self, uri: &str) -> TestResponse {
        self.send(Request::get(uri), Body::empty()).await
    }

    /// The form token of this browser's session, read from a page that has a form.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/signin").await;
        let page = if page.status.is_redirection() { self.get("/").await } else { page };
        token_in(&page.body).unwrap_or_else(|| panic!("no form token on the page:\n{}", page.body))
    }

    /// Posts a form as a browser on this site would: with the token and the Origin.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(uri, &serde_urlencoded::to_string(&all).expect("form"), Some(ORIGIN)).await
    }

    /// Posts a form body exactly as given.
    pub async fn post_raw(&mut self, uri: &str, body: &str, origin: Option<&str>) -> TestResponse {
        let mut builder = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        self.send(builder, Body::from(body.to_string())).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> TestResponse {
        self.post("/signin", &[("email", email), ("password", password)]).await
    }
}

/// The value of the first `csrf_token` field in a page.
pub fn token_in(body: &str) -> Option<String> {
    let at = body.find(r#"name="csrf_token" value=""#)?;
    let rest = &body[at + r#"name="csrf_token" value=""#.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Test accounts share one real argon2id hash of [`PASSWORD`], computed once per run: the
/// permission table makes hundreds of accounts, and each would otherwise pay for argon2.
fn shared_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
}

impl TestApp {
    /// An account made through the store, as `ayni user create` makes them; returns its id.
    pub async fn account(&self, email: &str, name: &str, role: Role) -> i64 {
        let new = NewUser {
            email,
            display_name: name,
            organisation: "Gobierno Regional",
            region: None,
            password_hash: shared_hash(),
            role,
            language: Lang::Es,
        };
        self.db.store().create_account(&new, false).await.expect("create account").expect("a new address")
    }

    /// A browser signed in to a new account.
    pub async fn browser_as(&self, email: &str, name: &str, role: Role) -> (Browser<'_>, i64) {
        let id = self.account(email, name, role).await;
        let mut browser = Browser::new(self);
        browser.sign_in(email, PASSWORD).await.expect(303);
        (browser, id)
    }
}

impl TestApp {
    /// Makes an account an editor of `regions` (slugs), as the admin page does.
    pub async fn make_editor(&self, id: i64, regions: &[&str]) {
        sqlx::query("update users set role = 'editor' where id = $1")
            .bind(id)
            .execute(&self.db.pool)
            .await
            .expect("role");
        sqlx::query("insert into editor_regions (user_id, region_id) select $1, id from regions where slug = any($2)")
            .bind(id)
            .bind(regions)
            .execute(&self.db.pool)
            .await
            .expect("editor regions");
    }
}

/// A valid case form for the region `region`, titled `title`.
pub fn case_form<'a>(title: &'a str, region: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("kind", "case"),
        ("region", region),
        ("themes", "integrity-risk-management"),
        ("themes", "internal-control"),
        ("language", "es"),
        ("year", "2024"),
        ("summary", "Cómo una región aplicó la guía de gestión de riesgos de integridad."),
        (
            "body",
            "## Contexto\n\nLa región aplicó la **guía** con sus equipos.\n\n## Resultados\n\nMenos observaciones.",
        ),
        ("sources", "Guía de gestión de riesgos https://www.gob.pe/pcm"),
        ("intent", "save"),
    ]
}

/// The case slug a `/cases/{slug}?done=…` redirect names.
pub fn slug_of(location: &str) -> String {
    location.trim_start_matches("/cases/").split(['?', '/']).next().unwrap_or_default().to_string()
}
