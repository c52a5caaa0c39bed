//! The permission table: every state-changing route, tried by each kind of actor, with the
//! answer each must get. A route added without a row here fails `the_table_covers_every_route`.

use std::collections::BTreeSet;

use axum::{body::Body, http::Request};
use ayni::{
    domain::revision::Origin,
    domain::{
        account::{Role, User},
        case::{Kind, Language, Source, Status},
        draft::CaseDraft,
    },
};

use crate::support::{
    browser::{case_form, Browser, PASSWORD},
    TestApp,
};

const ACTORS: [&str; 7] = [
    "anonymous",
    "member",
    "another member",
    "editor of another region",
    "editor of the region",
    "facilitator",
    "admin",
];
const ANON: usize = 0;
const MEMBER: usize = 1;

/// One state-changing route, what it is tried on, and the status each actor gets.
struct Row {
    method: &'static str,
    path: &'static str,
    /// For case routes: the state of the (member's, Cusco) case it acts on.
    case: Option<Status>,
    expected: [u16; 7],
}

const fn row(method: &'static str, path: &'static str, case: Option<Status>, expected: [u16; 7]) -> Row {
    Row { method, path, case, expected }
}

use Status::{Draft, Published, Submitted, Unpublished};

const TABLE: &[Row] = &[
    row("POST", "/signup", None, [303, 303, 303, 303, 303, 303, 303]),
    row("POST", "/signin", None, [303, 303, 303, 303, 303, 303, 303]),
    row("POST", "/signout", None, [401, 303, 303, 303, 303, 303, 303]),
    row("POST", "/profile", None, [401, 303, 303, 303, 303, 303, 303]),
    row("POST", "/profile/password", None, [401, 303, 303, 303, 303, 303, 303]),
    row("POST", "/profile/tokens", None, [401, 200, 200, 200, 200, 200, 200]),
    row("POST", "/profile/tokens/{id}/revoke", None, [401, 303, 404, 404, 404, 404, 404]),
    row("POST", "/profile/close", None, [401, 303, 303, 303, 303, 303, 303]),
    row("POST", "/reset/{token}", None, [303, 303, 303, 303, 303, 303, 303]),
    row("POST", "/cases/new", None, [401, 303, 303, 303, 303, 303, 303]),
    row("POST", "/cases/{slug}/edit", Some(Draft), [401, 303, 404, 404, 303, 404, 303]),
    row("POST", "/cases/{slug}/edit", Some(Published), [401, 403, 403, 403, 303, 403, 303]),
    row("POST", "/cases/{slug}/submit", Some(Draft), [401, 303, 404, 404, 303, 404, 303]),
    row("POST", "/cases/{slug}/submit", Some(Submitted), [401, 403, 404, 404, 403, 404, 403]),
    // Only the author withdraws a submission; editors send it back with a note.
    row("POST", "/cases/{slug}/withdraw", Some(Submitted), [401, 303, 404, 404, 403, 404, 403]),
    row("POST", "/cases/{slug}/withdraw", Some(Draft), [401, 403, 404, 404, 403, 404, 403]),
    row("POST", "/cases/{slug}/publish", Some(Submitted), [401, 403, 404, 404, 303, 404, 303]),
    // Review is a step: nobody publishes a draft that was never submitted.
    row("POST", "/cases/{slug}/publish", Some(Draft), [401, 403, 404, 404, 403, 404, 403]),
    row("POST", "/cases/{slug}/publish", Some(Unpublished), [401, 403, 404, 404, 303, 404, 303]),
    row("POST", "/cases/{slug}/unpublish", Some(Published), [401, 403, 403, 403, 303, 403, 303]),
    row("POST", "/cases/{slug}/unpublish", Some(Draft), [401, 403, 404, 404, 403, 404, 403]),
    row("POST", "/cases/{slug}/send-back", Some(Submitted), [401, 403, 404, 404, 303, 404, 303]),
    row("POST", "/cases/{slug}/send-back", Some(Published), [401, 403, 403, 403, 403, 403, 403]),
    row("POST", "/cases/{slug}/history/{number}/restore", Some(Published), [401, 403, 403, 403, 303, 403, 303]),
    row("POST", "/cases/{slug}/delete", Some(Published), [401, 403, 403, 403, 403, 403, 303]),
    row("POST", "/admin/users/{id}/role", None, [401, 403, 403, 403, 403, 403, 303]),
    row("POST", "/admin/users/{id}/disable", None, [401, 403, 403, 403, 403, 403, 303]),
    row("POST", "/admin/users/{id}/enable", None, [401, 403, 403, 403, 403, 403, 303]),
    row("POST", "/admin/users/{id}/reset-link", None, [401, 403, 403, 403, 403, 403, 200]),
    row("POST", "/api/v1/cases", None, [401, 201, 201, 201, 201, 201, 201]),
    row("PUT", "/api/v1/cases/{slug}", Some(Draft), [401, 200, 404, 404, 200, 404, 200]),
];

/// Seven actors with accounts of their own (for one row, so that signing out or closing
/// an account does not spill into the next).
struct World<'a> {
    app: &'a TestApp,
    browsers: Vec<Browser<'a>>,
    ids: Vec<Option<i64>>,
    emails: Vec<String>,
}

impl<'a> World<'a> {
    async fn new(app: &'a TestApp, row_index: usize) -> World<'a> {
        let mut browsers = vec![Browser::new(app)];
        let mut ids = vec![None];
        let mut emails = vec![String::new()];
        let roles = [Role::Member, Role::Member, Role::Editor, Role::Editor, Role::Facilitator, Role::Admin];
        for (n, role) in roles.into_iter().enumerate() {
            let email = format!("actor{n}-row{row_index}@x.gob.pe");
            let id = app
                .account(&email, &format!("Actor {n}"), if role == Role::Editor { Role::Member } else { role })
                .await;
            match n {
                2 => app.make_editor(id, &["piura"]).await,
                3 => app.make_editor(id, &["cusco"]).await,
                _ => {}
            }
            // Each from an address of its own, as people are.
            let mut browser = Browser::from_address(app, &format!("198.51.100.{}:4000", n + 1));
            browser.sign_in(&email, PASSWORD).await.expect(303);
            browsers.push(browser);
            ids.push(Some(id));
            emails.push(email);
        }
        World { app, browsers, ids, emails }
    }

    async fn user(&self, actor: usize) -> User {
        let id = self.ids[actor].expect("a signed-in actor");
        self.app.db.store().active_user(id).await.expect("load").expect("active")
    }

    /// A fresh case of the member's in Cusco, in `status`, with `revisions` saves.
    async fn case(&self, status: Status, n: usize) -> String {
        let store = self.app.db.store();
        let author = self.user(MEMBER).await;
        let mut draft = CaseDraft {
            title: format!("Caso de prueba {n}"),
            kind: Kind::Case,
            region: "cusco".into(),
            themes: vec!["internal-control".into()],
            language: Language::Es,
            year: 2024,
            summary: "Resumen.".into(),
            sources: vec![Source { title: "Fuente".into(), url: "https://example.org".into() }],
            body_markdown: "Texto.".into(),
            illustrative: false,
        };
        let html = ayni::markdown::render(&draft.body_markdown);
        let slug = store.create_case(&author, &draft, &html, Origin::Form).await.expect("create");
        let Ok(ayni::store::cases::Lookup::Found(record)) = store.find_case(&slug).await else { panic!("no case") };
        draft.body_markdown = "Texto revisado.".into();
        store.update_case(record.id, 1, &draft, &html, &author, Origin::Form).await.expect("second revision");
        if status != Draft {
            store.set_status(record.id, Draft, Submitted, None, &author).await.expect("submit");
        }
        if status == Published || status == Unpublished {
            store.set_status(record.id, Submitted, Published, None, &author).await.expect("publish");
        }
        if status == Unpublished {
            store.set_status(record.id, Published, Unpublished, None, &author).await.expect("unpublish");
        }
        slug
    }

    /// Does `row` as `actor` and returns the status.
    async fn attempt(&mut self, row: &Row, actor: usize, n: usize) -> u16 {
        let slug = match row.case {
            Some(status) => self.case(status, n).await,
            None => String::new(),
        };
        let target = self.app.account(&format!("target{n}@x.gob.pe"), "Target", Role::Member).await;
        let path = row.path.replace("{slug}", &slug).replace("{number}", "1").replace("{id}", &target.to_string());
        let store = self.app.db.store();
        let member_email = self.emails[MEMBER].clone();
        let fields: Vec<(String, String)> = match row.path {
            "/signup" => vec![
                ("email".into(), format!("new{n}@x.gob.pe")),
                ("display_name".into(), "Nueva".into()),
                ("password".into(), PASSWORD.into()),
                ("password_confirm".into(), PASSWORD.into()),
                ("consent".into(), "yes".into()),
            ],
            "/signin" => vec![("email".into(), member_email), ("password".into(), PASSWORD.into())],
            "/profile" => vec![("display_name".into(), "Otro nombre".into()), ("language".into(), "en".into())],
            "/profile/password" => vec![
                ("current_password".into(), PASSWORD.into()),
                ("new_password".into(), "otra contraseña larga".into()),
                ("new_password_confirm".into(), "otra contraseña larga".into()),
            ],
            "/profile/tokens" => vec![("token_name".into(), "script".into())],
            "/profile/close" => vec![("close_password".into(), PASSWORD.into())],
            "/reset/{token}" => vec![
                ("new_password".into(), "otra contraseña larga".into()),
                ("new_password_confirm".into(), "otra contraseña larga".into()),
            ],
            "/cases/new" => case_form(&format!("Caso nuevo {n}"), "cusco")
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            "/cases/{slug}/edit" => {
                let mut form: Vec<(String, String)> = case_form(&format!("Caso de prueba {n}"), "cusco")
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                form.push(("base_revision".into(), "2".into()));
                form
            }
            "/cases/{slug}/send-back" => vec![("note".into(), "Falta detalle.".into())],
            "/cases/{slug}/history/{number}/restore" => vec![("base_revision".into(), "2".into())],
            "/admin/users/{id}/role" => vec![("role".into(), "editor".into()), ("regions".into(), "cusco".into())],
            _ => Vec::new(),
        };
        let path = match row.path {
            "/profile/tokens/{id}/revoke" => {
                let member = self.user(MEMBER).await;
                store.create_token(&member, "del miembro").await.expect("token");
                let id: i64 = sqlx::query_scalar("select max(id) from api_tokens")
                    .fetch_one(&self.app.db.pool)
                    .await
                    .expect("id");
                format!("/profile/tokens/{id}/revoke")
            }
            "/reset/{token}" => {
                let admin = self.user(6).await;
                format!("/reset/{}", store.issue_reset(&admin, target).await.expect("reset link"))
            }
            _ => path,
        };
        if row.path.starts_with("/api/") {
            return self.api(row, actor, &path, n).await;
        }
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.browsers[actor].post(&path, &pairs).await.status.as_u16()
    }

    async fn api(&mut self, row: &Row, actor: usize, path: &str, n: usize) -> u16 {
        let body = serde_json::json!({
            "title": format!("Caso de la API {n}"), "kind": "case", "region": "cusco",
            "themes": ["internal-control"], "language": "es", "year": 2024, "summary": "Resumen.",
            "body_markdown": "Texto.", "revision": 2
        });
        let mut request = Request::builder().method(row.method).uri(path).header("content-type", "application/json");
        if actor != ANON {
            let user = self.user(actor).await;
            let token = self.app.db.store().create_token(&user, "api").await.expect("token");
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.app.request(request.body(Body::from(body.to_string())).expect("request")).await.status.as_u16()
    }
}

#[tokio::test]
async fn every_state_changing_route_answers_each_actor_as_the_roles_say() {
    let app = TestApp::new().await;
    let mut failures = Vec::new();
    let mut n = 0;
    for (index, row) in TABLE.iter().enumerate() {
        let mut world = World::new(&app, index).await;
        for (actor, expected) in row.expected.iter().enumerate() {
            n += 1;
            let got = world.attempt(row, actor, n).await;
            if got != *expected {
                failures.push(format!(
                    "{} {} {:?} as {}: expected {expected}, got {got}",
                    row.method, row.path, row.case, ACTORS[actor]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {n} answers differ:\n{}", failures.len(), failures.join("\n"));
}

/// Every route file under `src/http`: each feature registers its own routes.
fn route_files() -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/http") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a route file");
                files.push((path, text));
            }
        }
    }
    files
}

/// Every state-changing route in the routers of every feature (and in the API document) has
/// a row above, and goes through the forgery check.
#[tokio::test]
async fn the_table_covers_every_route() {
    let mut routes = BTreeSet::new();
    let mut files_with_routes = 0;
    for (file, source) in route_files() {
        if source.contains(".route(\"") {
            files_with_routes += 1;
        }
        // Each `.route("path", …)` registration, up to the next one.
        for registration in source.split(".route(\"").skip(1) {
            let path = registration.split('"').next().unwrap_or_default();
            let body = registration.split(".route(").next().unwrap_or_default();
            for method in ["post(", "put(", "delete(", "patch("] {
                if body.contains(method) {
                    assert!(body.contains("guarded("), "{path} in {file:?} changes state without the forgery check");
                    routes.insert((if method == "put(" { "PUT" } else { "POST" }, path.to_string()));
                }
            }
        }
        // API routes registered through utoipa: a write without the guard.
        for registration in source.split(".routes(").skip(1) {
            let body = registration.split(".routes(").next().unwrap_or_default();
            let handler = body.split("routes!(").nth(1).unwrap_or_default().split(')').next().unwrap_or_default();
            let writes = ["create", "update", "delete"].iter().any(|w| handler.ends_with(w));
            assert!(!writes || body.contains("guarded_api("), "{handler} in {file:?} writes without the forgery check");
        }
    }
    assert!(files_with_routes >= 5, "the route scan read only {files_with_routes} files with routes");
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.expect(200).json();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                routes.insert((if method == "put" { "PUT" } else { "POST" }, path.clone()));
            }
        }
    }
    let covered: BTreeSet<(&str, String)> = TABLE.iter().map(|r| (r.method, r.path.to_string())).collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(missing.is_empty(), "state-changing routes without a row in the permission table: {missing:?}");
    assert!(routes.len() >= 20, "the route scan found only {routes:?}");
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_browser_post_without_the_token() {
    let app = TestApp::new().await;
    let mut world = World::new(&app, 0).await;
    let admin = 6;
    for row in TABLE {
        let path =
            row.path.replace("{slug}", "caso").replace("{number}", "1").replace("{id}", "1").replace("{token}", "x");
        let request = Request::builder()
            .method(row.method)
            .uri(&path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", crate::support::browser::ORIGIN);
        let status = world.browsers[admin].send(request, Body::from("a=b")).await.status.as_u16();
        assert_eq!(status, 403, "{} {path} without the form token", row.method);
    }
}
