//! A forwarding proxy on 127.0.0.1 whose tower layer ([`inject`]) plants one
//! [`Defect`] in what passes through.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Defect;

/// Most bytes the proxy reads of one body.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A running fault proxy.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    /// Where it listens (`http://127.0.0.1:<port>`).
    pub url: String,
    upstream: Arc<RwLock<Option<String>>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (which may be set later with
    /// [`FaultProxy::set_upstream`]) planting `defect` (none: a faithful proxy).
    pub async fn start(
        upstream: Option<String>,
        defect: Option<Defect>,
    ) -> Result<FaultProxy, String> {
        let upstream = Arc::new(RwLock::new(upstream));
        let state = Arc::new(Proxy {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| e.to_string())?,
            upstream: upstream.clone(),
            defect,
            memory: Mutex::new(Memory::default()),
        });
        let app = Router::new()
            .fallback(forward)
            .layer(middleware::from_fn_with_state(state.clone(), inject))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot start the fault proxy: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FaultProxy {
            url: format!("http://{addr}"),
            upstream,
        })
    }

    /// Points the proxy at `upstream` (a base URL).
    pub fn set_upstream(&self, upstream: &str) {
        *self.upstream.write().unwrap_or_else(|e| e.into_inner()) =
            Some(upstream.trim_end_matches('/').to_string());
    }
}

type Shared = Arc<Proxy>;

struct Proxy {
    client: reqwest::Client,
    upstream: Arc<RwLock<Option<String>>>,
    defect: Option<Defect>,
    memory: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    /// Replaced bearer token -> the one that replaced it.
    revoked: HashMap<String, String>,
    /// Webhooks seen created, by whid.
    webhooks: HashMap<String, Value>,
    /// Tasks moved to `done`.
    done: HashSet<u64>,
    /// Bearer tokens of the apikeys issued so far.
    issued: HashSet<String>,
    /// The first subscription key seen on an accepted request.
    subscription_key: Option<HeaderValue>,
}

impl Proxy {
    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a side request upstream with the caller's headers; its JSON answer.
    async fn side_request(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &HeaderMap,
    ) -> Option<Value> {
        let upstream = self
            .upstream
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        let mut request = self
            .client
            .request(method, format!("{upstream}{path_and_query}"));
        for (name, value) in headers {
            if name != header::HOST
                && name != header::CONTENT_LENGTH
                && name != header::CONTENT_TYPE
            {
                request = request.header(name, value);
            }
        }
        let response = request.send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json().await.ok()
    }
}

/// Forwards a request upstream and returns the answer as it came.
async fn forward(State(proxy): State<Shared>, request: Request) -> Response {
    let Some(upstream) = proxy
        .upstream
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
    else {
        return (
            StatusCode::BAD_GATEWAY,
            "the fault proxy has no upstream yet",
        )
            .into_response();
    };
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut outgoing = proxy
        .client
        .request(parts.method.clone(), format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = match outgoing.body(body).send().await {
        Ok(answer) => answer,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("upstream: {e}")).into_response(),
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if name != header::CONTENT_LENGTH
            && name != header::TRANSFER_ENCODING
            && name != header::CONNECTION
        {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

/// Rewrites a canonical answer into the documentation's legacy spellings.
fn legacy_spellings(method: &Method, path: &str, answer: &mut Option<Value>) {
    match (method.as_str(), path, answer) {
        ("POST", "/webhookconfig", Some(Value::Object(map))) => {
            if let Some(whid) = map.remove("whid") {
                map.insert("whid:".into(), whid);
            }
        }
        ("GET", "/webhookconfig", Some(Value::Array(items))) => {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(municipality) = item.remove("municipalityId") {
                    item.insert("municipalityid".into(), municipality);
                }
                let single = item
                    .get("processes")
                    .and_then(Value::as_array)
                    .filter(|p| p.len() == 1)
                    .map(|p| p[0].clone());
                if let Some(process) = single {
                    item.remove("processes");
                    item.insert("process".into(), process);
                }
            }
        }
        ("GET", "/applicationconfig", Some(Value::Array(items))) => {
            for app in items.iter_mut() {
                let processes = app.get_mut("processes").and_then(Value::as_array_mut);
                for process in processes
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object_mut)
                {
                    if let Some(id) = process.remove("processId") {
                        process.insert("processid".into(), id);
                    }
                }
            }
        }
        _ => {}
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn query_value(uri: &axum::http::Uri, key: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

/// The tower layer: rewrites the request, forwards it, rewrites the answer.
async fn inject(State(proxy): State<Shared>, request: Request, next: Next) -> Response {
    let Some(defect) = proxy.defect else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let mut body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let is = |m: &Method, p: &str| method == *m && path == p;
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut request_json: Option<Value> = serde_json::from_slice(&body).ok();

    // The request side.
    match defect {
        Defect::AuthIgnored if is(&Method::GET, "/applicationconfig") && bearer.is_none() => {
            return json_response(StatusCode::OK, json!([]));
        }
        Defect::OldApikeyStillValid => {
            let replacement = bearer
                .as_ref()
                .and_then(|b| proxy.memory().revoked.get(b).cloned());
            if let Some(new) = replacement
                && let Ok(value) = HeaderValue::from_str(&new)
            {
                parts.headers.insert(header::AUTHORIZATION, value);
            }
        }
        Defect::InvalidInputAccepted
            if path == "/vendorregistration"
                && (method == Method::POST || method == Method::PUT) =>
        {
            if let Some(Value::Object(map)) = &mut request_json {
                let plz_ok = map
                    .get("plz")
                    .and_then(Value::as_str)
                    .is_none_or(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()));
                if !plz_ok {
                    map.insert("plz".into(), json!("5000"));
                    body = Bytes::from(serde_json::to_vec(&request_json).unwrap_or_default());
                }
            }
        }
        Defect::DeletedWebhookStillCalled if is(&Method::DELETE, "/webhookconfig") => {
            if let Some(whid) = query_value(&parts.uri, "whid") {
                let own = proxy
                    .side_request(
                        Method::GET,
                        &format!("/webhookconfig?whid={whid}"),
                        &parts.headers,
                    )
                    .await
                    .and_then(|v| v.as_array().map(|a| !a.is_empty()))
                    .unwrap_or(false);
                if own {
                    return StatusCode::OK.into_response();
                }
            }
        }
        Defect::InvalidTransitionAccepted if is(&Method::POST, "/statusupdate") => {
            let task = request_json
                .as_ref()
                .and_then(|b| b.get("uniqueId"))
                .and_then(Value::as_u64);
            if task.is_some_and(|t| proxy.memory().done.contains(&t)) {
                return StatusCode::OK.into_response();
            }
        }
        Defect::HangingEndpoint if is(&Method::GET, "/municipalities") => {
            std::future::pending::<()>().await;
        }
        Defect::ServerError if is(&Method::POST, "/document") => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"code": "internal_error", "message": "A server side exception has occurred, please contact support"}),
            );
        }
        Defect::PutMergesInsteadOfReplacing if is(&Method::PUT, "/vendorregistration") => {
            let current = proxy
                .side_request(Method::GET, "/vendorregistration", &parts.headers)
                .await
                .and_then(|v| v.as_array().and_then(|a| a.first().cloned()));
            if let (Some(Value::Object(stored)), Some(Value::Object(map))) =
                (current, &mut request_json)
            {
                // A merging implementation still validates what it was sent.
                if map
                    .get("providerName")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    return json_response(
                        StatusCode::BAD_REQUEST,
                        json!({"code": "bad_request", "message": "providerName is required", "field": "/providerName"}),
                    );
                }
                for (key, value) in stored {
                    if key != "providerId" && !map.contains_key(&key) {
                        map.insert(key, value);
                    }
                }
                body = Bytes::from(serde_json::to_vec(&request_json).unwrap_or_default());
            }
        }
        Defect::CallbackMissingField if method == Method::POST => {
            if let Some(Value::Object(map)) = &mut request_json
                && map.get("status") == Some(&json!("new"))
                && map.get("processId") == Some(&json!("7310"))
            {
                map.remove("municipalityName");
                body = Bytes::from(serde_json::to_vec(&request_json).unwrap_or_default());
            }
        }
        Defect::RejectsNonAscii if is(&Method::POST, "/vendorregistration") && !body.is_ascii() => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"code": "bad_request", "message": "only ASCII is supported"}),
            );
        }
        Defect::SubscriptionKeyIgnored
            if is(&Method::GET, "/processes")
                && !parts.headers.contains_key("ocp-apim-subscription-key") =>
        {
            return json_response(
                StatusCode::OK,
                json!([{"processId": 7310, "processName": "Hauptwohnsitzbescheinigung bestellen"}]),
            );
        }
        Defect::UnknownPathAnswered if path.starts_with("/ssp-conformance/") => {
            return json_response(StatusCode::OK, json!({}));
        }
        Defect::RefundFailureNotResent
            if method == Method::POST
                && request_json
                    .as_ref()
                    .and_then(|b| b.get("paymentRefundStatus"))
                    == Some(&json!("failed")) =>
        {
            return StatusCode::NO_CONTENT.into_response();
        }
        Defect::UnknownApikeyAccepted
            if is(&Method::GET, "/webhookconfig")
                && bearer
                    .as_ref()
                    .is_some_and(|b| !proxy.memory().issued.contains(b)) =>
        {
            return json_response(StatusCode::OK, json!([]));
        }
        Defect::AnySubscriptionKeyAccepted if is(&Method::GET, "/municipalities") => {
            let known = proxy.memory().subscription_key.clone();
            if let Some(known) =
                known.filter(|_| parts.headers.contains_key("ocp-apim-subscription-key"))
            {
                parts.headers.insert("ocp-apim-subscription-key", known);
            }
        }
        Defect::DocumentNameLost if is(&Method::POST, "/document") => {
            if let Some(Value::Object(map)) = &mut request_json {
                if let Some(Value::String(name)) = map
                    .get_mut("documentName")
                    .filter(|n| n.as_str().is_some_and(|n| !n.is_empty()))
                {
                    *name = name.split('.').next().unwrap_or_default().to_string() + ".bin";
                }
                body = Bytes::from(serde_json::to_vec(&request_json).unwrap_or_default());
            }
        }
        Defect::CallbackMissingHeader if method == Method::POST => {
            parts.headers.remove("x-ssp-conformance");
        }
        _ => {}
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let response = next
        .run(Request::from_parts(parts.clone(), Body::from(body)))
        .await;

    // The answer side.
    let (mut answer, answer_body) = response.into_parts();
    let answer_body = axum::body::to_bytes(answer_body, MAX_BODY)
        .await
        .unwrap_or_default();
    let mut answer_json: Option<Value> = serde_json::from_slice(&answer_body).ok();
    let mut new_body: Option<Vec<u8>> = None;
    let ok = answer.status.is_success();
    let whid_filter = query_value(&parts.uri, "whid");
    match defect {
        Defect::RequiredFieldDropped | Defect::NumberAsString
            if is(&Method::GET, "/processes") && ok =>
        {
            if let Some(Value::Array(items)) = &mut answer_json {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    if defect == Defect::RequiredFieldDropped {
                        item.remove("processName");
                    } else if let Some(id) = item.get("processId").cloned() {
                        item.insert("processId".into(), json!(id.to_string()));
                    }
                }
                new_body = serde_json::to_vec(&answer_json).ok();
            }
        }
        Defect::WrongStatusForInvalidInput
            if is(&Method::POST, "/applicationconfig")
                && answer.status == StatusCode::BAD_REQUEST =>
        {
            answer.status = StatusCode::UNAUTHORIZED;
        }
        Defect::UndocumentedStatus
            if is(&Method::POST, "/applicationconfig") && answer.status == StatusCode::OK =>
        {
            answer.status = StatusCode::CREATED;
        }
        Defect::WrongContentType if is(&Method::GET, "/municipalities") => {
            answer.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
        }
        Defect::OldApikeyStillValid
            if is(&Method::POST, "/vendorregistration/regenerateapikey") && ok =>
        {
            let new = answer_json
                .as_ref()
                .and_then(|b| b.get("apikey"))
                .and_then(Value::as_str);
            if let (Some(old), Some(new)) = (bearer.clone(), new) {
                let mut memory = proxy.memory();
                memory.revoked.insert(old, format!("Bearer {new}"));
                // Older keys of the same vendor follow the newest one.
                let newest = format!("Bearer {new}");
                for value in memory.revoked.values_mut() {
                    if bearer.as_deref() == Some(value.as_str()) {
                        *value = newest.clone();
                    }
                }
            }
        }
        Defect::OtherVendorsDataVisible if path == "/webhookconfig" => {
            if method == Method::POST && ok {
                let whid = answer_json.as_ref().and_then(crate::fixtures::whid_of);
                if let (Some(whid), Some(Value::Object(mut created))) = (whid, request_json.clone())
                {
                    created.insert("whid".into(), json!(whid));
                    proxy.memory().webhooks.insert(whid, Value::Object(created));
                }
            } else if method == Method::DELETE && ok {
                if let Some(whid) = &whid_filter {
                    proxy.memory().webhooks.remove(whid);
                }
            } else if method == Method::GET
                && ok
                && let (Some(whid), Some(Value::Array(items))) = (&whid_filter, &mut answer_json)
                && items.is_empty()
                && let Some(seen) = proxy.memory().webhooks.get(whid).cloned()
            {
                items.push(seen);
                new_body = serde_json::to_vec(&answer_json).ok();
            }
        }
        Defect::InvalidTransitionAccepted if is(&Method::POST, "/statusupdate") && ok => {
            let body = request_json.as_ref();
            if body.and_then(|b| b.get("newStatus")) == Some(&json!("done"))
                && let Some(task) = body.and_then(|b| b.get("uniqueId")).and_then(Value::as_u64)
            {
                proxy.memory().done.insert(task);
            }
        }
        Defect::MalformedJson if is(&Method::GET, "/applicationconfig") && ok => {
            new_body = Some(answer_body[..answer_body.len() / 2].to_vec());
        }
        Defect::MisspeltErrorField if answer.status == StatusCode::BAD_REQUEST => {
            if let Some(Value::Object(map)) = &mut answer_json
                && let Some(field) = map.remove("field")
            {
                map.insert("fields".into(), field);
                new_body = serde_json::to_vec(&answer_json).ok();
            }
        }
        Defect::DuplicateContentType if is(&Method::GET, "/processes") => {
            answer
                .headers
                .append(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        }
        Defect::LegacySpellings
            if ok && (path == "/webhookconfig" || path == "/applicationconfig") =>
        {
            legacy_spellings(&method, &path, &mut answer_json);
            if answer_json.is_some() {
                new_body = serde_json::to_vec(&answer_json).ok();
            }
        }
        Defect::MissingAllowHeader if answer.status == StatusCode::METHOD_NOT_ALLOWED => {
            answer.headers.remove(header::ALLOW);
        }
        Defect::CreatedWebhookNotListed
            if is(&Method::GET, "/webhookconfig") && ok && whid_filter.is_none() =>
        {
            if let Some(Value::Array(items)) = &mut answer_json
                && items.pop().is_some()
            {
                new_body = serde_json::to_vec(&answer_json).ok();
            }
        }
        _ => {}
    }
    if defect == Defect::AddressAnswerDropped
        && method == Method::POST
        && request_json
            .as_ref()
            .and_then(|b| b.get("ahvnumber"))
            .is_some()
    {
        // The receiver answered; the platform is given nothing.
        return StatusCode::NO_CONTENT.into_response();
    }
    if defect == Defect::NoRetry && method == Method::POST && !answer.status.is_success() {
        // The platform is told the call was taken, so it never sends it again.
        return StatusCode::NO_CONTENT.into_response();
    }
    if ok
        && (defect == Defect::UnknownApikeyAccepted || defect == Defect::AnySubscriptionKeyAccepted)
    {
        let mut memory = proxy.memory();
        if let Some(key) = answer_json
            .as_ref()
            .and_then(|b| b.get("apikey"))
            .and_then(Value::as_str)
        {
            memory.issued.insert(format!("Bearer {key}"));
        }
        if memory.subscription_key.is_none() {
            memory.subscription_key = parts.headers.get("ocp-apim-subscription-key").cloned();
        }
    }
    answer.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(
        answer,
        Body::from(new_body.map(Bytes::from).unwrap_or(answer_body)),
    )
}
