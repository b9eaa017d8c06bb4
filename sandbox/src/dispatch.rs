//! Webhook dispatch: at least once, with exponential backoff.
//!
//! Deliveries live in the database (`deliveries`), written in the same transaction
//! as the task they carry, so a submission that was acknowledged is delivered even
//! if the sandbox is killed and started again. The dispatcher sends every due
//! delivery, logs each attempt, and either marks it delivered, schedules the next
//! attempt, or gives up after the configured number of attempts.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::reference::ADDRESS_QUERY;
use crate::server::Shared;
use crate::store::{self, AttemptLog, Delivery, Outcome};

/// Largest answer body read from a receiver.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// How webhooks are called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Attempts per delivery before it is marked failed (at least 1).
    pub max_attempts: u32,
    /// Delay before the second attempt; each further one doubles it.
    pub initial_backoff: Duration,
    /// Longest delay between two attempts.
    pub max_backoff: Duration,
    /// Connect and total timeout of one attempt.
    pub timeout: Duration,
    /// Call only callback URLs on this machine (`localhost`, 127.0.0.0/8, `::1`);
    /// others fail with the reason logged. For test runs that must not reach out.
    pub loopback_only: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            max_attempts: 8,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            timeout: Duration::from_secs(10),
            loopback_only: false,
        }
    }
}

impl DeliveryConfig {
    /// The delay after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// Runs the dispatcher until `shutdown` turns true.
pub async fn run(state: Shared, mut shutdown: watch::Receiver<bool>) {
    let config = state.delivery.clone();
    let client = match reqwest::Client::builder()
        .connect_timeout(config.timeout)
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!("cannot build the webhook HTTP client: {e}");
            return;
        }
    };
    let in_flight: Arc<Mutex<HashSet<u64>>> = Arc::default();
    let mut running = JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let due = state
            .db
            .call(|conn| store::due_deliveries(conn, store::now_ms(), 64))
            .await
            .unwrap_or_else(|e| {
                tracing::error!("cannot read pending deliveries: {e}");
                Vec::new()
            });
        for delivery in due {
            let fresh = in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(delivery.id);
            if fresh {
                let (state, client, in_flight) = (state.clone(), client.clone(), in_flight.clone());
                running.spawn(async move {
                    let id = delivery.id;
                    attempt(&state, &client, delivery).await;
                    in_flight
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&id);
                });
            }
        }
        let next = state
            .db
            .call(|conn| store::next_due(conn))
            .await
            .ok()
            .flatten();
        let wait = match next {
            None => Duration::from_secs(60),
            Some(at) => {
                let ms = at - store::now_ms();
                if ms <= 0 {
                    // Due but in flight: the end of an attempt wakes us.
                    Duration::from_millis(200)
                } else {
                    Duration::from_millis(ms as u64).min(Duration::from_secs(60))
                }
            }
        };
        tokio::select! {
            _ = state.dispatch.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    // Attempts still running are dropped; their deliveries stay pending and are
    // sent again on the next start (at least once).
    running.abort_all();
}

/// The outcome of one HTTP call.
struct Sent {
    status: Option<u16>,
    error: Option<String>,
    address_data: Option<Value>,
}

async fn attempt(state: &Shared, client: &reqwest::Client, delivery: Delivery) {
    let (id, attempts, webhook_id) = (delivery.id, delivery.attempts, delivery.webhook_id.clone());
    let hook = match state
        .db
        .call(move |conn| {
            if !store::still_due(conn, id, attempts)? {
                return Ok(Err(()));
            }
            Ok(Ok(store::get_webhook(conn, &webhook_id)?))
        })
        .await
    {
        Ok(Err(())) => return, // another attempt got there first
        Ok(Ok(Some(hook))) => hook,
        Ok(Ok(None)) => {
            let id = delivery.id;
            let _ = state
                .db
                .call(move |conn| store::cancel_delivery(conn, id, "the webhook was deleted"))
                .await;
            return;
        }
        Err(e) => {
            tracing::error!("cannot read webhook of delivery {}: {e}", delivery.id);
            return;
        }
    };
    let number = delivery.attempts + 1;
    let at = store::now_text();
    let started = Instant::now();
    let (url, sent) = match target(&hook, state.delivery.loopback_only) {
        Ok(url) => {
            let shown = url.to_string();
            (shown, send(state, client, &hook, &delivery, url).await)
        }
        Err(reason) => (
            hook.callback_url.clone(),
            Sent {
                status: None,
                error: Some(reason),
                address_data: None,
            },
        ),
    };
    let outcome = if sent.error.is_none() {
        Outcome::Delivered
    } else if number >= state.delivery.max_attempts.max(1) {
        Outcome::Failed
    } else {
        let delay = state.delivery.backoff(number);
        Outcome::Retry(store::now_ms() + delay.as_millis() as i64)
    };
    tracing::info!(
        "delivery {} (task {}, webhook {}, {}) attempt {number}: {}",
        delivery.id,
        delivery.task_id,
        hook.id,
        delivery.event,
        match (&outcome, &sent.error) {
            (Outcome::Delivered, _) => "delivered".to_string(),
            (_, Some(error)) => error.clone(),
            _ => "failed".to_string(),
        }
    );
    let log = AttemptLog {
        attempt: number,
        at,
        url,
        status: sent.status,
        error: sent.error,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let task_id = delivery.task_id;
    let address_data = sent.address_data;
    let result = state
        .db
        .transaction(move |tx| {
            store::record_attempt(tx, &delivery, &log, &outcome)?;
            if let Some(data) = &address_data {
                store::set_address_data(tx, task_id, data)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!("cannot record a delivery attempt: {e}");
    }
}

/// The URL to call: the callback URL with the webhook's query parameters.
fn target(hook: &store::Webhook, loopback_only: bool) -> Result<reqwest::Url, String> {
    let mut url = reqwest::Url::parse(&hook.callback_url)
        .map_err(|e| format!("the callbackUrl is not a URL: {e}"))?;
    if loopback_only && !is_loopback(&url) {
        return Err(format!(
            "refused: {} is not on this machine (the sandbox runs with --loopback-webhooks-only)",
            url.host_str().unwrap_or("")
        ));
    }
    if !hook.parameters.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (key, value) in &hook.parameters {
            pairs.append_pair(key, value);
        }
    }
    Ok(url)
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// The body to send: the payload with the webhook's extra body fields (which never
/// replace a payload field).
pub fn body_with_extras(payload: &Value, extras: &[(String, String)]) -> Value {
    let mut body = payload.clone();
    if let Value::Object(map) = &mut body {
        for (key, value) in extras {
            map.entry(key.clone())
                .or_insert_with(|| Value::String(value.clone()));
        }
    }
    body
}

async fn send(
    state: &Shared,
    client: &reqwest::Client,
    hook: &store::Webhook,
    delivery: &Delivery,
    url: reqwest::Url,
) -> Sent {
    let fail = |status: Option<u16>, error: String| Sent {
        status,
        error: Some(error),
        address_data: None,
    };
    let mut headers = HeaderMap::new();
    for (key, value) in &hook.headers {
        match (
            HeaderName::from_bytes(key.as_bytes()),
            // Bytes, not str: a value may hold non-ASCII text (sent as UTF-8).
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => return fail(None, format!("header {key:?} cannot be sent")),
        }
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = body_with_extras(&delivery.payload, &hook.body);
    let response = match client.post(url).headers(headers).json(&body).send().await {
        Ok(response) => response,
        Err(e) => {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            return fail(None, format!("{kind}: {}", error_chain(&e)));
        }
    };
    let status = response.status().as_u16();
    if !response.status().is_success() {
        return fail(Some(status), format!("the receiver answered {status}"));
    }
    let wants_address = delivery.event == store::EVENT_SUBMITTED
        && delivery.payload.get("processId").and_then(Value::as_str)
            == Some(ADDRESS_QUERY.to_string().as_str());
    if !wants_address {
        return Sent {
            status: Some(status),
            error: None,
            address_data: None,
        };
    }
    if response
        .content_length()
        .is_some_and(|l| l as usize > MAX_ANSWER_BYTES)
    {
        return fail(
            Some(status),
            "invalid AddressData answer: the body is too large".into(),
        );
    }
    let bytes = match response.bytes().await {
        Ok(bytes) if bytes.len() <= MAX_ANSWER_BYTES => bytes,
        Ok(_) => {
            return fail(
                Some(status),
                "invalid AddressData answer: the body is too large".into(),
            );
        }
        Err(e) => return fail(Some(status), format!("cannot read the answer: {e}")),
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => {
            return fail(
                Some(status),
                format!("invalid AddressData answer: not JSON ({e})"),
            );
        }
    };
    if let Some(violation) = state
        .schemas
        .address_data
        .violations(&value)
        .into_iter()
        .next()
    {
        return fail(
            Some(status),
            format!("invalid AddressData answer: {violation}"),
        );
    }
    Sent {
        status: Some(status),
        error: None,
        address_data: Some(value),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = DeliveryConfig {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
            ..DeliveryConfig::default()
        };
        assert_eq!(config.backoff(1), Duration::from_millis(100));
        assert_eq!(config.backoff(2), Duration::from_millis(200));
        assert_eq!(config.backoff(3), Duration::from_millis(400));
        assert_eq!(config.backoff(4), Duration::from_millis(500));
        assert_eq!(config.backoff(200), Duration::from_millis(500));
    }

    #[test]
    fn extras_never_replace_payload_fields() {
        let body = body_with_extras(
            &serde_json::json!({"uniqueId": 1}),
            &[
                ("uniqueId".into(), "x".into()),
                ("source".into(), "s".into()),
            ],
        );
        assert_eq!(body, serde_json::json!({"uniqueId": 1, "source": "s"}));
    }

    #[test]
    fn loopback_hosts() {
        for (url, expected) in [
            ("http://localhost:1/x", true),
            ("http://127.0.0.2/", true),
            ("http://[::1]:8/", true),
            ("http://example.com/", false),
            ("http://10.0.0.1/", false),
        ] {
            assert_eq!(
                is_loopback(&reqwest::Url::parse(url).unwrap()),
                expected,
                "{url}"
            );
        }
    }
}
