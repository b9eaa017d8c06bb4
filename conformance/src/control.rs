//! The sandbox-compatible control API (`spec/sandbox.yaml`, usually at
//! `<base>/sandbox`): submits citizen tasks, simulates the payment gateway's failed
//! refund, and reads tasks and the webhook delivery log. It is not part of the
//! portal's contract, so its answers are not judged, only used.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Http, Keys, RawRequest, RawResponse};

/// A client for the control API at one base URL.
#[derive(Debug, Clone)]
pub struct Control {
    http: Arc<Http>,
    base_url: String,
    keys: Keys,
}

impl Control {
    /// The control API at `base_url` (e.g. `http://127.0.0.1:8080/sandbox`),
    /// called with `subscription_key`.
    pub fn new(http: Arc<Http>, base_url: &str, subscription_key: &str) -> Self {
        Control {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            keys: Keys::subscription(subscription_key),
        }
    }

    /// The same control API, called through `http`.
    pub fn with_http(&self, http: Arc<Http>) -> Self {
        Control {
            http,
            ..self.clone()
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request = RawRequest::new(method.clone(), path).with_keys(&self.keys);
        if let Some(body) = body {
            request = request.with_json(body);
        }
        let url = format!("{}{}", self.base_url, request.path_and_query());
        let response: RawResponse = self
            .http
            .send_to(&url, &request)
            .await
            .map_err(|e| format!("control API {method} {path}: {e}"))?;
        if !response.is_success() {
            return Err(format!(
                "control API {method} {path} answered {}: {} (is --control-url a sandbox-compatible control API?)",
                response.status,
                response.body_excerpt(200)
            ));
        }
        response
            .json()
            .map_err(|e| format!("control API {method} {path}: {e}"))
    }

    /// Submits a citizen task for `process_id` in `municipality_id` (an integer or
    /// an application's UUID), with optional form data; returns the stored task.
    pub async fn submit_task(
        &self,
        process_id: i64,
        municipality_id: &Value,
        form: Option<Value>,
    ) -> Result<Task, String> {
        let mut body = json!({"processId": process_id, "municipalityId": municipality_id});
        if let Some(form) = form {
            body["form"] = form;
        }
        Task::from_value(self.call(Method::POST, "/tasks", Some(body)).await?)
    }

    /// Reads a task (status, history, documents, address answer).
    pub async fn task(&self, unique_id: u64) -> Result<Task, String> {
        Task::from_value(
            self.call(Method::GET, &format!("/tasks/{unique_id}"), None)
                .await?,
        )
    }

    /// Simulates the payment gateway's failed refund of a task in status `refund`.
    pub async fn fail_refund(&self, unique_id: u64) -> Result<Task, String> {
        Task::from_value(
            self.call(
                Method::POST,
                &format!("/tasks/{unique_id}/refundfailure"),
                None,
            )
            .await?,
        )
    }

    /// The delivery log of a task (newest first), optionally of one webhook only.
    pub async fn deliveries(
        &self,
        unique_id: u64,
        whid: Option<&str>,
    ) -> Result<Vec<Value>, String> {
        let mut path = format!("/deliveries?uniqueId={unique_id}");
        if let Some(whid) = whid {
            path.push_str(&format!(
                "&whid={}",
                crate::http::encode_query_component(whid)
            ));
        }
        let mut request = RawRequest::new(Method::GET, "/deliveries").with_keys(&self.keys);
        request
            .query
            .push(("uniqueId".into(), unique_id.to_string()));
        if let Some(whid) = whid {
            request.query.push(("whid".into(), whid.to_string()));
        }
        let url = format!("{}{}", self.base_url, request.path_and_query());
        let response = self
            .http
            .send_to(&url, &request)
            .await
            .map_err(|e| format!("control API GET {path}: {e}"))?;
        if !response.is_success() {
            return Err(format!(
                "control API GET {path} answered {}: {}",
                response.status,
                response.body_excerpt(200)
            ));
        }
        match response.json()? {
            Value::Array(items) => Ok(items),
            other => Err(format!(
                "control API GET {path}: expected a list, got {other}"
            )),
        }
    }
}

/// A task as the control API shows it.
#[derive(Debug, Clone)]
pub struct Task {
    /// The task id.
    pub unique_id: u64,
    /// Its current status.
    pub status: String,
    /// The whole answer (payload, history, documents, addressData).
    pub raw: Value,
}

impl Task {
    fn from_value(raw: Value) -> Result<Task, String> {
        let unique_id = raw
            .get("uniqueId")
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("the control API's task has no uniqueId: {raw}"))?;
        let status = raw
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Task {
            unique_id,
            status,
            raw,
        })
    }

    /// The documents uploaded for the task.
    pub fn documents(&self) -> Vec<Value> {
        self.raw
            .get("documents")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The vendor's address answer, if stored.
    pub fn address_data(&self) -> Option<&Value> {
        self.raw.get("addressData").filter(|v| !v.is_null())
    }
}
