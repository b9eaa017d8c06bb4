//! Judging one webhook call: its shape, its schema, the configured extras, and
//! what it says about its task.

use serde_json::{Value, json};

use super::{CALLBACK_OPERATION, HOOK_PATH, WEBHOOK_CALLBACK_CONFORMANCE};
use crate::callbacks::Received;
use crate::checks::typed::{self, TYPED_CLIENT_ROUNDTRIP};
use crate::context::Ctx;
use crate::record::{Failure, Verdict};
use crate::spec_model::TypeRef;

/// What the workflow webhook adds to every call.
pub(super) struct Extras {
    pub(super) header: (String, String),
    pub(super) parameter: (String, String),
    pub(super) field: (String, String),
}

/// What a webhook call for a task must say.
pub(super) struct Expected<'a> {
    pub(super) unique_id: u64,
    pub(super) status: &'a str,
    pub(super) process_id: Option<String>,
    pub(super) municipality: &'a str,
    pub(super) refund_failed: bool,
    pub(super) address_query: bool,
}

/// Waits for the call for `expected` (and `wanted`), judges it under `check`.
pub(super) async fn wait_and_judge(
    ctx: &Ctx,
    check: &str,
    expected: &Expected<'_>,
    extras: &Extras,
    wanted: impl Fn(&Received) -> bool,
) -> Option<Received> {
    let inbox = ctx.inbox.as_ref()?;
    let timeout = ctx.settings.webhook_timeout;
    let found = inbox
        .wait_for(timeout, |r| {
            r.path == HOOK_PATH && r.unique_id() == Some(expected.unique_id) && wanted(r)
        })
        .await;
    let Some(call) = found else {
        ctx.recorder.fail(
            CALLBACK_OPERATION,
            check,
            Failure::new(format!(
                "no webhook call for task {} arrived within {timeout:?}",
                expected.unique_id
            )),
        );
        return None;
    };
    let stored = match &ctx.control {
        Some(control) => control
            .task(expected.unique_id)
            .await
            .ok()
            .and_then(|t| t.raw.get("payload").cloned()),
        None => None,
    };
    let (general, specific) =
        callback_problems(ctx, &call, expected, extras, stored.as_ref()).await;
    if check == WEBHOOK_CALLBACK_CONFORMANCE.name {
        judge_callback(ctx, check, &call, [general, specific].concat());
    } else {
        // The call's general shape is webhook_callback_conformance's business;
        // `check` judges what is special about this call.
        judge_callback(ctx, WEBHOOK_CALLBACK_CONFORMANCE.name, &call, general);
        judge_callback(ctx, check, &call, specific);
    }
    Some(call)
}

pub(super) fn judge_callback(ctx: &Ctx, check: &str, call: &Received, problems: Vec<String>) {
    let verdict = if problems.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(problems.join("; "))
    };
    ctx.recorder.record(CALLBACK_OPERATION, check, verdict, || {
        let mut f = Failure::new("");
        f.body = Some(
            String::from_utf8_lossy(&call.body)
                .chars()
                .take(400)
                .collect(),
        );
        f
    });
}

/// Everything wrong with one webhook call: what is wrong with any call (shape,
/// schema, configured extras, agreement with the stored task), and what is
/// wrong with the task it carries (id, status, process, municipality, refund
/// status, AHV number).
pub(super) async fn callback_problems(
    ctx: &Ctx,
    call: &Received,
    expected: &Expected<'_>,
    extras: &Extras,
    stored: Option<&Value>,
) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let mut specific = Vec::new();
    let content_type = call
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(crate::checks::response::media_type_essence);
    if content_type.as_deref() != Some("application/json") {
        problems.push(format!(
            "the call's Content-Type is {content_type:?}, not application/json"
        ));
    }
    let Some(body) = call.json() else {
        problems.push("the call's body is not JSON".into());
        return (problems, specific);
    };
    if !(200..300).contains(&call.answered) {
        problems.push(format!(
            "the client crate's receiver refused the call with {}: {}",
            call.answered,
            String::from_utf8_lossy(&call.answer)
        ));
    }
    match ctx.model.component_validator("CallbackPayload") {
        Ok(validator) => {
            for v in validator.violations(&body).iter().take(3) {
                problems.push(format!("the body does not match CallbackPayload: {v}"));
            }
        }
        Err(e) => problems.push(e),
    }
    let field = |name: &str| body.get(name).cloned().unwrap_or(Value::Null);
    if field("uniqueId") != json!(expected.unique_id) {
        specific.push(format!(
            "uniqueId is {}, the task is {}",
            field("uniqueId"),
            expected.unique_id
        ));
    }
    if field("status") != json!(expected.status) {
        specific.push(format!(
            "status is {}, expected {:?}",
            field("status"),
            expected.status
        ));
    }
    if let Some(process) = &expected.process_id
        && field("processId") != json!(process)
    {
        specific.push(format!(
            "processId is {}, the task's process is {process:?}",
            field("processId")
        ));
    }
    if field("municipalityId") != json!(expected.municipality) {
        specific.push(format!(
            "municipalityId is {}, the task's is {:?}",
            field("municipalityId"),
            expected.municipality
        ));
    }
    if expected.refund_failed && field("paymentRefundStatus") != json!("failed") {
        specific.push(format!(
            "paymentRefundStatus is {}, expected \"failed\"",
            field("paymentRefundStatus")
        ));
    }
    if expected.address_query && !field("ahvnumber").is_string() {
        specific.push("the address query's call carries no ahvnumber".into());
    }
    let (header, value) = &extras.header;
    if call
        .headers
        .get(header.as_str())
        .and_then(|v| v.to_str().ok())
        != Some(value.as_str())
    {
        problems.push(format!(
            "the configured header {header} is missing or wrong"
        ));
    }
    let (key, value) = &extras.parameter;
    if call.query_value(key) != Some(value.as_str()) {
        problems.push(format!(
            "the configured query parameter {key} is missing or wrong"
        ));
    }
    let (key, value) = &extras.field;
    if field(key) != json!(value) {
        problems.push(format!(
            "the configured body field {key} is missing or wrong"
        ));
    }
    if let Some(stored) = stored.and_then(Value::as_object) {
        for (key, value) in stored {
            if body.get(key) != Some(value) {
                problems.push(format!(
                    "{key} is {} in the call but {value} in the submitted task",
                    body.get(key).unwrap_or(&Value::Null)
                ));
            }
        }
    }
    let verdict = typed::check_value(
        &TypeRef::One("CallbackPayload".into()),
        &body,
        ctx.aliases(),
        std::slice::from_ref(&extras.field.0),
    );
    if problems.is_empty() || matches!(verdict, Verdict::Pass) {
        ctx.recorder.record(
            CALLBACK_OPERATION,
            TYPED_CLIENT_ROUNDTRIP.name,
            verdict,
            || Failure::new(""),
        );
    }
    (problems, specific)
}
