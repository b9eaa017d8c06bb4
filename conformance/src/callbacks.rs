//! The suite's webhook receiver: the client crate's `receiver::router` (the one
//! vendors use), wrapped in a layer that keeps every call exactly as it arrived
//! (path, query, headers, raw body) together with what the receiver answered.
//! Address queries are answered with a fixed [`AddressData`] per task, so that
//! the workflow can check that the platform stored the answer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::{Value, json};
use smartservice_client::receiver::{self, Callback, Reply};
use smartservice_client::types::AddressData;
use tokio::sync::Notify;

/// One webhook call, as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request path.
    pub path: String,
    /// The decoded query parameters.
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// What the receiver answered (400 when the call was not a valid task).
    pub answered: u16,
    /// The receiver's answer body (the reason, for a 400).
    pub answer: Bytes,
    /// When it arrived.
    pub at: Instant,
}

impl Received {
    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The `uniqueId` of the task in the body, if there is one.
    pub fn unique_id(&self) -> Option<u64> {
        self.json()?.get("uniqueId")?.as_u64()
    }

    /// The first value of the query parameter `key`.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The calls received so far; clones share them.
#[derive(Clone, Debug)]
pub struct Inbox {
    calls: Arc<Mutex<Vec<Received>>>,
    notify: Arc<Notify>,
    public_url: String,
}

impl Inbox {
    /// Starts the receiver on `listen`; the platform is told to call
    /// `public_url` (default: `http://<bound address>`). Returns the inbox and the
    /// address it is bound to.
    pub async fn start(
        listen: SocketAddr,
        public_url: Option<String>,
    ) -> Result<(Inbox, SocketAddr), String> {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
            format!(
                "cannot listen for webhook calls on {listen}: {e} (choose another --webhook-listen)"
            )
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot read the receiver's address: {e}"))?;
        let inbox = Inbox {
            calls: Arc::new(Mutex::new(Vec::new())),
            notify: Arc::new(Notify::new()),
            public_url: public_url
                .unwrap_or_else(|| format!("http://{bound}"))
                .trim_end_matches('/')
                .to_string(),
        };
        let app = Router::new()
            .merge(receiver::router({
                let refused = Arc::new(Mutex::new(std::collections::HashSet::new()));
                move |callback| answer(callback, refused.clone())
            }))
            .layer(middleware::from_fn_with_state(inbox.clone(), keep));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok((inbox, bound))
    }

    /// The URL the platform must call for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// Every call so far.
    pub fn all(&self) -> Vec<Received> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits up to `timeout` for a call that satisfies `wanted`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        wanted: impl Fn(&Received) -> bool,
    ) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = self.all().into_iter().find(|r| wanted(r)) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.all().into_iter().find(|r| wanted(r));
            }
        }
    }

    /// Every call for `path` carrying the task `unique_id`.
    pub fn calls_for(&self, path: &str, unique_id: u64) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|r| r.path == path && r.unique_id() == Some(unique_id))
            .collect()
    }
}

/// The address the suite answers for the task `unique_id`.
pub fn address_answer(unique_id: u64, firstname: &str, lastname: &str) -> AddressData {
    let value = json!({
        "id_subject": unique_id.min(i64::MAX as u64),
        "firstname": firstname,
        "lastname": lastname,
        "street": "Bahnhofstrasse",
        "number": 12,
        "addition": "b",
        "zip": 5000,
        "city": "Aarau",
        "birthday": {"date": "1980-05-17 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/Zurich"},
        "nationality": "Schweiz",
        "influx_date": {"date": "2015-04-01 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/Zurich"}
    });
    serde_json::from_value(value).unwrap_or_else(|_| AddressData {
        id_subject: 1,
        firstname: String::new(),
        lastname: String::new(),
        street: String::new(),
        number: None,
        addition: None,
        zip: 5000,
        city: String::new(),
        birthday: None,
        birth_city: None,
        birth_canton: None,
        civil_status: None,
        nationality: None,
        hometown_canton: None,
        branch: None,
        influx_date: None,
        influx_city: None,
        influx_canton: None,
    })
}

/// Calls to paths under this prefix are refused (503) the first time for each
/// task, to see that the platform sends them again.
pub const RETRY_PREFIX: &str = "/retry/";

async fn answer(
    callback: Callback,
    refused: Arc<Mutex<std::collections::HashSet<(String, u64)>>>,
) -> Reply {
    if callback.path.starts_with(RETRY_PREFIX) {
        let key = (callback.path.clone(), callback.payload.unique_id.0.get());
        if refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key)
        {
            return Reply::Retry(
                "refused once by ssp-conformance, to see the call sent again".into(),
            );
        }
    }
    if callback.is_address_query() {
        let task = &callback.payload;
        Reply::Address(address_answer(
            task.unique_id.0.get(),
            &task.personaldata.firstname,
            &task.personaldata.lastname,
        ))
    } else {
        Reply::Acknowledge
    }
}

async fn keep(State(inbox): State<Inbox>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, receiver::MAX_CALLBACK_BYTES)
        .await
        .unwrap_or_default();
    let query = parts
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let headers = parts.headers.clone();
    let response = next
        .run(Request::from_parts(parts, Body::from(body.clone())))
        .await;
    let (response_parts, response_body) = response.into_parts();
    let answer = axum::body::to_bytes(response_body, 1 << 20)
        .await
        .unwrap_or_default();
    inbox
        .calls
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Received {
            path,
            query,
            headers,
            body,
            answered: response_parts.status.as_u16(),
            answer: answer.clone(),
            at: Instant::now(),
        });
    inbox.notify.notify_waiters();
    Response::from_parts(response_parts, Body::from(answer))
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
