//! Receiving the platform's webhook calls (cargo feature `receiver`).
//!
//! The platform POSTs every task submitted for one of your webhooks (and again,
//! with status `refund`, when the payment gateway reports a failed refund) to the
//! webhook's `callbackUrl`, as a [`CallbackPayload`]. [`router`] gives you an axum
//! [`Router`] that takes those calls: it checks that the body is JSON that decodes
//! into [`CallbackPayload`], hands a [`Callback`] (the decoded task, the extra body
//! fields, headers and query parameters you configured on the webhook) to your
//! async handler, and answers with what the handler returns:
//!
//! - [`Reply::Acknowledge`]: `204 No Content`, the task is taken;
//! - [`Reply::Address`]: `200` with the [`AddressData`] body, the answer to an
//!   address query ("Adressauskunft"), which the platform hands to the citizen;
//! - [`Reply::Retry`]: `503`, the platform tries again later.
//!
//! A call that is not a task gets `400` with the reason (which field, what is
//! wrong), and the handler is not called.
//!
//! ```no_run
//! use smartservice_client::receiver::{self, Callback, Reply};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let app = receiver::router(|callback: Callback| async move {
//!     println!("task {} is {:?}", callback.payload.unique_id, callback.payload.status);
//!     Reply::Acknowledge
//! });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8081").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! See `examples/webhook_receiver.rs` for a receiver that also answers address queries.

use std::future::Future;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value};

use crate::types::{AddressData, CallbackPayload};

/// The largest callback body the receiver reads (1 MiB); larger calls get `413`.
pub const MAX_CALLBACK_BYTES: usize = 1024 * 1024;

/// One webhook call from the platform, decoded.
#[derive(Debug, Clone)]
pub struct Callback {
    /// The task.
    pub payload: CallbackPayload,
    /// Top-level body fields that are not part of [`CallbackPayload`]: the
    /// `httprequestbody` entries configured on the webhook.
    pub extra_fields: Map<String, Value>,
    /// The HTTP headers of the call (with the configured `httprequestheaders`).
    pub headers: HeaderMap,
    /// The query parameters of the call (the configured `httprequestparameter`),
    /// in the order they came.
    pub query: Vec<(String, String)>,
    /// The request path, as the receiver saw it (relative to where it is mounted).
    pub path: String,
}

impl Callback {
    /// Whether this call is an address query ("Adressauskunft"), which must be
    /// answered with [`Reply::Address`]: only address queries carry the AHV number
    /// of the person asked about (`ahvnumber`).
    pub fn is_address_query(&self) -> bool {
        self.payload.ahvnumber.is_some()
    }

    /// The first value of the query parameter `key`, if the call carried it.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What the receiver answers the platform.
// One reply per webhook call, moved once: boxing the address answer would only
// make handlers harder to write.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Reply {
    /// The task is taken: `204 No Content`.
    Acknowledge,
    /// The answer to an address query: `200` with this body.
    Address(AddressData),
    /// The task cannot be taken now (for example, the vendor's database is down):
    /// `503` with this reason, so that the platform retries.
    Retry(String),
}

/// An axum [`Router`] that receives webhook calls on `POST /` and `POST /<any path>`,
/// and hands each decoded [`Callback`] to `handler`.
///
/// Mount it where your webhook's `callbackUrl` points, for example with
/// `Router::new().nest("/smartservice", receiver::router(handler))`.
pub fn router<H, F>(handler: H) -> Router
where
    H: Fn(Callback) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    let handle = move |State(handler): State<H>, uri: Uri, headers: HeaderMap, body: Bytes| async move {
        match decode_callback(&uri, headers, &body) {
            Ok(callback) => reply_response(handler(callback).await),
            Err(reason) => bad_callback(&reason),
        }
    };
    Router::new()
        .route("/", post(handle))
        .route("/{*path}", post(handle))
        .layer(DefaultBodyLimit::max(MAX_CALLBACK_BYTES))
        .with_state(handler)
}

/// Checks and decodes one webhook call; the error says what is wrong with it.
pub fn decode_callback(uri: &Uri, headers: HeaderMap, body: &[u8]) -> Result<Callback, String> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let essence = content_type
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" {
            return Err(format!(
                "Content-Type must be application/json, found {:?}",
                String::from_utf8_lossy(content_type.as_bytes())
            ));
        }
    }
    let raw: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Value::Object(fields) = &raw else {
        return Err("the body must be a JSON object (a CallbackPayload)".to_string());
    };
    let payload = match axum::Json::<CallbackPayload>::from_bytes(body) {
        Ok(axum::Json(payload)) => payload,
        Err(rejection) => {
            return Err(format!(
                "the body is not a CallbackPayload: {}",
                rejection.body_text()
            ));
        }
    };
    let known = match serde_json::to_value(&payload) {
        Ok(Value::Object(known)) => known,
        _ => Map::new(),
    };
    let extra_fields = fields
        .iter()
        .filter(|(key, _)| !known.contains_key(*key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let query = uri.query().map(url_decode_pairs).unwrap_or_default();
    Ok(Callback {
        payload,
        extra_fields,
        headers,
        query,
        path: uri.path().to_string(),
    })
}

/// Splits an `application/x-www-form-urlencoded` query into decoded pairs.
fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reply_response(reply: Reply) -> Response {
    match reply {
        Reply::Acknowledge => StatusCode::NO_CONTENT.into_response(),
        Reply::Address(address) => (StatusCode::OK, axum::Json(address)).into_response(),
        Reply::Retry(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "code": "retry", "message": reason })),
        )
            .into_response(),
    }
}

fn bad_callback(reason: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({ "code": "bad_request", "message": reason })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_percent_decoded() {
        assert_eq!(
            url_decode_pairs("tenant=aarau&x=a%20b+c&flag&bad=%zz&end=%4"),
            vec![
                ("tenant".to_string(), "aarau".to_string()),
                ("x".to_string(), "a b c".to_string()),
                ("flag".to_string(), String::new()),
                ("bad".to_string(), "%zz".to_string()),
                ("end".to_string(), "%4".to_string()),
            ]
        );
    }
}
