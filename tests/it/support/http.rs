//! Requests through the real router, and what came back.

use axum::{
    body::Body,
    http::{HeaderMap, Request, StatusCode},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::TestApp;

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }

    /// All values of a header, joined as one.
    pub fn header(&self, name: &str) -> String {
        self.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(", ")
    }

    /// Asserts the status, showing the body when it differs.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body:\n{}", self.body);
        self
    }
}

impl TestApp {
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).expect("request")).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut builder = Request::get(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.request(builder.body(Body::empty()).expect("request")).await
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        send(&self.router, request).await
    }
}

pub async fn send(router: &axum::Router, request: Request<Body>) -> TestResponse {
    let method = request.method().as_str().to_ascii_lowercase();
    let path = request.uri().path().to_string();
    let response = router.clone().oneshot(request).await.expect("the router always answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("read the body").to_bytes();
    let answer = TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() };
    if path.starts_with("/api/") && path != OPENAPI_PATH {
        let document = openapi(router).await;
        conforms(document, &method, &path, &answer);
    }
    answer
}

const OPENAPI_PATH: &str = "/api/v1/openapi.json";
static OPENAPI: tokio::sync::OnceCell<serde_json::Value> = tokio::sync::OnceCell::const_new();

/// The OpenAPI document, as the router serves it.
async fn openapi(router: &axum::Router) -> &'static serde_json::Value {
    OPENAPI
        .get_or_init(|| async {
            let request = Request::get(OPENAPI_PATH).body(Body::empty()).expect("request");
            let response = router.clone().oneshot(request).await.expect("the router always answers");
            let bytes = response.into_body().collect().await.expect("read the body").to_bytes();
            serde_json::from_slice(&bytes).expect("the OpenAPI document is JSON")
        })
        .await
}

/// Every JSON answer under `/api/` must be what the OpenAPI document promises for its path,
/// method and status, so that the document cannot drift from the API. An error status that
/// an operation does not list must still have the documented error body.
pub fn conforms(document: &serde_json::Value, method: &str, path: &str, answer: &TestResponse) {
    let is_json = answer.header("content-type").starts_with("application/json");
    let operation = document["paths"]
        .as_object()
        .and_then(|paths| paths.iter().find(|(template, _)| path_matches(template, path)))
        .map(|(_, item)| &item[method])
        .filter(|operation| operation.is_object());
    let status = answer.status.as_str();
    let documented = operation.map(|op| &op["responses"][status]).filter(|r| r.is_object());
    let schema = match documented {
        Some(response) => match response["content"]["application/json"]["schema"].clone() {
            serde_json::Value::Null => {
                assert!(!is_json, "{method} {path} {status}: the document lists no JSON body: {}", answer.body);
                return;
            }
            schema => schema,
        },
        None if answer.status.is_client_error() || answer.status.is_server_error() => {
            serde_json::json!({"$ref": "#/components/schemas/ErrorBody"})
        }
        None => panic!("{method} {path} answered {status}, which the OpenAPI document does not list"),
    };
    assert!(is_json, "{method} {path} {status}: not JSON: {}", answer.body);
    let mut root = schema;
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema".into();
    root["components"] = document["components"].clone();
    let validator = jsonschema::validator_for(&root).expect("the OpenAPI schemas compile");
    let instance = answer.json();
    let problems: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(
        problems.is_empty(),
        "{method} {path} {status} disagrees with the OpenAPI document:\n{}\n{}",
        problems.join("\n"),
        answer.body
    );
}

/// `/api/v1/cases/{slug}` matches `/api/v1/cases/x`.
fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}

/// One HTTP/1.1 request over a real socket, from a plain thread with its own deadline: it
/// answers even when every async worker of the server is stuck. `Err` says what happened.
pub fn over_tcp(
    addr: std::net::SocketAddr,
    head: &str,
    body: &str,
    deadline: std::time::Duration,
) -> Result<(u16, String), String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect_timeout(&addr, deadline).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(deadline)).map_err(|e| e.to_string())?;
    let request =
        format!("{head}\r\nHost: ayni.test\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    stream.write_all(request.as_bytes()).map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| format!("no answer within {deadline:?}: {e}"))?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("not HTTP: {answer}"))?;
    Ok((status, answer))
}
