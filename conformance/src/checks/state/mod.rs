//! Checks over sequences of requests: created resources are listed, deleted ones
//! are gone (and no longer called), updates persist, a replaced apikey stops
//! working, and one vendor cannot reach another's resources or tasks.
//!
//! Each check registers vendors of its own, so the checks run concurrently and
//! never touch the vendor the generated requests use. A step whose setup fails
//! (say, the application cannot be created) makes the check skip with the reason;
//! the failure itself is reported by the check that owns it.

pub mod availability;
pub mod isolation;
pub mod persistence;
pub mod revoked_apikey;
pub mod use_after_free;

use reqwest::Method;
use serde_json::Value;

use super::{CheckInfo, CheckKind};
use crate::context::{Ctx, Vendor, success_json};
use crate::http::{RawRequest, RawResponse};
use crate::record::Verdict;

/// `ensure_resource_availability`
pub const ENSURE_RESOURCE_AVAILABILITY: CheckInfo = CheckInfo {
    name: "ensure_resource_availability",
    doc: "A created vendor, application (and its test municipality) and webhook appear in their lists and filters.",
    kind: CheckKind::State,
};

/// `use_after_free`
pub const USE_AFTER_FREE: CheckInfo = CheckInfo {
    name: "use_after_free",
    doc: "A deleted application or webhook is gone from lists, cannot be changed or deleted again, and is no longer called.",
    kind: CheckKind::State,
};

/// `update_persistence`
pub const UPDATE_PERSISTENCE: CheckInfo = CheckInfo {
    name: "update_persistence",
    doc: "PUT vendor replaces every field (left-out ones become empty); PATCH webhook and application updates persist.",
    kind: CheckKind::State,
};

/// `revoked_apikey`
pub const REVOKED_APIKEY: CheckInfo = CheckInfo {
    name: "revoked_apikey",
    doc: "After regenerateApiKey the old apikey gets 401 and the new one works.",
    kind: CheckKind::State,
};

/// `vendor_isolation`
pub const VENDOR_ISOLATION: CheckInfo = CheckInfo {
    name: "vendor_isolation",
    doc: "A second vendor can neither see, change nor delete the first one's registration, applications, webhooks or tasks.",
    kind: CheckKind::State,
};

/// Sends a request to `op` (checked like every exchange) and returns both.
pub async fn send(
    ctx: &Ctx,
    op: &str,
    request: RawRequest,
) -> Result<(RawRequest, RawResponse), String> {
    let response = ctx.call(op, &request).await?;
    Ok((request, response))
}

/// Sends a setup step of a check (a PUT, PATCH or DELETE the check then probes); any
/// answer but 2xx is the reason the check is skipped, naming `step`.
pub async fn send_step(
    ctx: &Ctx,
    op: &str,
    request: RawRequest,
    step: &str,
) -> Result<(RawRequest, RawResponse), String> {
    let (request, response) = send(ctx, op, request).await?;
    if response.is_success() {
        Ok((request, response))
    } else {
        Err(format!("{step} failed with {}", response.status))
    }
}

/// A GET on `path` as `vendor`, with `query`; the list it answers.
pub async fn list(
    ctx: &Ctx,
    vendor: &Vendor,
    op: &str,
    path: &str,
    query: &[(&str, &str)],
) -> Result<(RawRequest, RawResponse, Vec<Value>), String> {
    let mut request = RawRequest::new(Method::GET, path).with_keys(&vendor.keys());
    for (k, v) in query {
        request = request.with_query(k, v.to_string());
    }
    let (request, response) = send(ctx, op, request).await?;
    let items = match success_json(op, &response)? {
        Value::Array(items) => items,
        other => return Err(format!("{op} did not answer a list: {other}")),
    };
    Ok((request, response, items))
}

/// Whether a list holds an item whose `key` is `id`.
pub fn holds(items: &[Value], key: &str, id: &str) -> bool {
    items
        .iter()
        .any(|item| id_of(item, key).as_deref() == Some(id))
}

/// The id at `key` of a list item, as text (strings and numbers).
pub fn id_of(item: &Value, key: &str) -> Option<String> {
    match item.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Records `verdict` for `check` about `op`, with the exchange behind it.
pub fn judge(
    ctx: &Ctx,
    op: &str,
    check: &str,
    verdict: Verdict,
    exchange: &(RawRequest, RawResponse),
) {
    ctx.judge(op, check, verdict, &exchange.0, Some(&exchange.1));
}

/// Pass when `ok`, else fail with `message`.
pub fn expect(ok: bool, message: impl FnOnce() -> String) -> Verdict {
    if ok {
        Verdict::Pass
    } else {
        Verdict::Fail(message())
    }
}

/// How a request that must be refused was answered: pass on any 4xx (the exact
/// status is `status_code_conformance`'s business), skip on 5xx, fail on 2xx.
pub fn refused(response: &RawResponse, what: &str) -> Verdict {
    match response.status {
        s if (200..300).contains(&s) => Verdict::Fail(format!("{what} was accepted with {s}")),
        s if s >= 500 => Verdict::Skip(format!("the server answered {s} (see not_a_server_error)")),
        _ => Verdict::Pass,
    }
}
