//! What the sandbox's integration tests share: a started sandbox with a raw HTTP
//! client, vendors registered through the generated client, and a webhook receiver
//! that records every call and answers as told.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use smartservice_client::{Client, Credentials, types};
use smartservice_sandbox::{Config, Sandbox};

/// Decodes JSON into a generated type (the test's input must fit it).
pub fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the test's JSON fits the generated type")
}

/// A raw answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

/// A running sandbox and a plain HTTP client for it.
pub struct Harness {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

/// A registered vendor.
pub struct Vendor {
    pub client: Client,
    pub apikey: String,
    pub provider_id: String,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::with_config(Config::ephemeral()).await
    }

    pub async fn with_config(config: Config) -> Harness {
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        Harness {
            sandbox,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub fn key(&self) -> &str {
        self.sandbox.subscription_key()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// Registers a vendor and returns a client that sends its apikey.
    pub async fn vendor(&self, name: &str) -> Vendor {
        let created = self
            .sandbox
            .client()
            .create_vendor_registration()
            .body(typed::<types::VendorRegistrationRequest>(
                json!({"providerName": name, "plz": "5000", "place": "Aarau"}),
            ))
            .send()
            .await
            .expect("registration succeeds")
            .into_inner();
        let apikey = created.apikey.to_string();
        let client = Client::with_credentials(
            self.sandbox.base_url(),
            Credentials::new(self.key()).with_api_key(apikey.clone()),
        )
        .unwrap();
        Vendor {
            client,
            apikey,
            provider_id: created.provider_id.to_string(),
        }
    }

    /// Sends a request with the given headers (name, value) and an optional body.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Answer {
        let mut request = self.http.request(method.parse().unwrap(), self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// A JSON request with the subscription key and, if given, the apikey.
    pub async fn json(
        &self,
        method: &str,
        path: &str,
        apikey: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let bearer = apikey.map(|k| format!("Bearer {k}"));
        let mut headers = vec![("Ocp-Apim-Subscription-Key", self.key())];
        if let Some(b) = &bearer {
            headers.push(("Authorization", b.as_str()));
        }
        let body = body.map(|b| ("application/json", serde_json::to_vec(&b).unwrap()));
        self.raw(method, path, &headers, body).await
    }

    /// Submits a task through the control API; returns the task.
    pub async fn submit(&self, process: u64, municipality: Value, form: Value) -> Value {
        let answer = self
            .json(
                "POST",
                "/sandbox/tasks",
                None,
                Some(json!({"processId": process, "municipalityId": municipality, "form": form})),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body
    }

    pub async fn task(&self, id: u64) -> Value {
        let answer = self
            .json("GET", &format!("/sandbox/tasks/{id}"), None, None)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body
    }

    pub async fn deliveries(&self, task: u64) -> Vec<Value> {
        let answer = self
            .json(
                "GET",
                &format!("/sandbox/deliveries?uniqueId={task}"),
                None,
                None,
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body.as_array().cloned().unwrap_or_default()
    }

    /// Waits (up to 10 s) until every delivery of `task` has left `pending`, and
    /// there is at least `count` of them.
    pub async fn settled(&self, task: u64, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let log = self.deliveries(task).await;
            if log.len() >= count && log.iter().all(|d| d["state"] != "pending") {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "deliveries of task {task} did not settle: {:#?}",
            self.deliveries(task).await
        );
    }

    /// Registers an application (processes: all five) and returns its id.
    pub async fn application(&self, vendor: &Vendor, name: &str) -> String {
        let processes: Vec<Value> = ["7310", "7311", "7312", "7313", "7314"]
            .iter()
            .map(|p| json!({"processId": p}))
            .collect();
        vendor
            .client
            .create_or_update_application_configuration()
            .body(typed::<types::ApplicationConfigurationRequest>(
                json!({"appName": name, "appDescription": "test", "processes": processes}),
            ))
            .send()
            .await
            .expect("application created")
            .into_inner()
            .appid
            .to_string()
    }

    /// Registers a webhook; `extra` is merged into the body.
    pub async fn webhook(
        &self,
        vendor: &Vendor,
        app: &str,
        municipality: Value,
        url: &str,
        extra: Value,
    ) -> String {
        let mut body = json!({
            "whname": "hook",
            "applicationId": app,
            "municipalityId": municipality,
            "processes": ["7310", "7311", "7312", "7313", "7314"],
            "callbackUrl": url,
        });
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        vendor
            .client
            .create_webhook_configuration()
            .body(typed::<types::WebhookConfigurationRequest>(body))
            .send()
            .await
            .expect("webhook created")
            .into_inner()
            .whid()
    }
}

/// One call the receiver got.
#[derive(Debug, Clone)]
pub struct Call {
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Value,
}

/// What the receiver answers: queued answers first, then `default`.
#[derive(Clone)]
struct ReceiverState {
    calls: Arc<Mutex<Vec<Call>>>,
    queue: Arc<Mutex<VecDeque<(u16, Value)>>>,
    default: Arc<Mutex<(u16, Value)>>,
}

/// A webhook receiver on 127.0.0.1.
pub struct Receiver {
    pub url: String,
    pub port: u16,
    state: ReceiverState,
    task: tokio::task::JoinHandle<()>,
}

async fn receive(
    State(state): State<ReceiverState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.calls.lock().unwrap().push(Call {
        query: uri.query().map(str::to_string),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let (status, answer) = state
        .queue
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| state.default.lock().unwrap().clone());
    let status = StatusCode::from_u16(status).unwrap();
    if answer.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(answer)).into_response()
    }
}

impl Receiver {
    /// A receiver that answers 200 with no body unless told otherwise.
    pub async fn start() -> Receiver {
        Receiver::on_port(0).await
    }

    pub async fn on_port(port: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = ReceiverState {
            calls: Arc::default(),
            queue: Arc::default(),
            default: Arc::new(Mutex::new((200, Value::Null))),
        };
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            port,
            state,
            task,
        }
    }

    /// The next answers, in order (status, JSON body or null for none).
    pub fn then(&self, status: u16, body: Value) {
        self.state.queue.lock().unwrap().push_back((status, body));
    }

    /// The answer after the queued ones.
    pub fn always(&self, status: u16, body: Value) {
        *self.state.default.lock().unwrap() = (status, body);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A valid AddressData answer.
pub fn address_data() -> Value {
    json!({
        "id_subject": 4711,
        "firstname": "Erika",
        "lastname": "Muster",
        "street": "Bahnhofstrasse",
        "number": 12,
        "zip": 5000,
        "city": "Aarau",
        "birthday": {"date": "1980-05-17 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/Zurich"}
    })
}
