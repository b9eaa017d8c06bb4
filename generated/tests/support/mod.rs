//! An in-test HTTP server on 127.0.0.1 that records every request and answers
//! with a canned status and JSON body, and access to the spec's documented examples.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::Value;
use smartservice_client::{Client, Credentials};

/// The subscription key every test client sends.
pub const SUBSCRIPTION_KEY: &str = "test-subscription-key";
/// The vendor apikey every test client sends.
pub const API_KEY: &str = "ak_test_0123456789abcdef";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    /// The value of a header, if sent once as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

#[derive(Clone)]
struct State {
    recorded: Arc<Mutex<Vec<Recorded>>>,
    answer: Arc<Mutex<(StatusCode, Option<Value>)>>,
}

/// A running recording server.
pub struct RecordingServer {
    pub base_url: String,
    state: State,
}

impl RecordingServer {
    /// Starts a server on 127.0.0.1, port 0, answering 200 with no body until told otherwise.
    pub async fn start() -> Self {
        let state = State {
            recorded: Arc::default(),
            answer: Arc::new(Mutex::new((StatusCode::OK, None))),
        };
        let app = axum::Router::new()
            .fallback(record)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        RecordingServer { base_url, state }
    }

    /// Sets the status and JSON body of the following answers.
    pub fn answer(&self, status: u16, body: Option<Value>) {
        *self.state.answer.lock().unwrap() = (StatusCode::from_u16(status).unwrap(), body);
    }

    /// The one request recorded since the last call (panics if there is not exactly one).
    pub fn only_request(&self) -> Recorded {
        let mut recorded = self.state.recorded.lock().unwrap();
        assert_eq!(
            recorded.len(),
            1,
            "expected exactly one request, got {recorded:?}"
        );
        recorded.pop().unwrap()
    }

    /// A client for this server with both keys.
    pub fn client(&self) -> Client {
        Client::with_credentials(
            &self.base_url,
            Credentials::new(SUBSCRIPTION_KEY).with_api_key(API_KEY),
        )
        .unwrap()
    }
}

async fn record(
    axum::extract::State(state): axum::extract::State<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    state.recorded.lock().unwrap().push(Recorded {
        method,
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        body,
    });
    let (status, body) = state.answer.lock().unwrap().clone();
    match body {
        Some(json) => (status, axum::Json(json)).into_response(),
        None => status.into_response(),
    }
}

/// The project's spec, as raw JSON.
pub fn spec() -> Value {
    smartservice_codegen::Spec::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml"))
        .expect("spec loads")
        .raw
}

/// The documented example at `pointer` (relative to the operation `path` + `method`).
pub fn example(path: &str, method: &str, rest: &str) -> Value {
    let pointer = format!(
        "{}{}",
        smartservice_codegen::spec::pointer_of(["paths", path, method]),
        rest
    );
    spec()
        .pointer(&pointer)
        .cloned()
        .unwrap_or_else(|| panic!("no example at {pointer}"))
}

/// The operation's documented request body example.
pub fn request_example(path: &str, method: &str) -> Value {
    example(
        path,
        method,
        "/requestBody/content/application~1json/example",
    )
}

/// The operation's documented 200 answer example.
pub fn response_example(path: &str, method: &str) -> Value {
    example(
        path,
        method,
        "/responses/200/content/application~1json/example",
    )
}

/// The shared error example for a status (from components/responses).
pub fn error_example(response: &str) -> Value {
    spec()
        .pointer(&format!(
            "/components/responses/{response}/content/application~1json/example"
        ))
        .cloned()
        .unwrap()
}
