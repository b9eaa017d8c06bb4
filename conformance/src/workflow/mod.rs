//! The task workflow, end to end: register a vendor, an application and a webhook
//! (with extra headers, query parameters and body fields), have citizen tasks
//! submitted, and check what the vendor's side sees and may do:
//!
//! task submitted -> `webhook_callback_conformance` -> `status_transitions` ->
//! `document_upload` -> failed refund (`failed_refund_callback`) -> address query
//! (`address_query_answer`).
//!
//! Tasks are submitted through the control API when there is one; otherwise the
//! suite waits up to `--webhook-timeout` for a person to submit a test form, and
//! what needs more than one task is skipped with the reason.

mod callback;
mod transitions;

use serde_json::{Value, json};

use crate::callbacks::{Received, address_answer};
use crate::checks::{CheckInfo, CheckKind};
use crate::context::{Ctx, Vendor, register_vendor};
use crate::fixtures::{Fixtures, create_app, create_webhook_with};
use crate::http::RawRequest;
use crate::record::{Failure, Verdict};
use callback::{Expected, Extras, callback_problems, judge_callback, wait_and_judge};
use reqwest::Method;
use transitions::{stored_status, transition, transitions_and_documents};

/// `webhook_callback_conformance`
pub const WEBHOOK_CALLBACK_CONFORMANCE: CheckInfo = CheckInfo {
    name: "webhook_callback_conformance",
    doc: "A submitted task's webhook call arrives, validates as CallbackPayload, matches the task and carries the configured headers, parameters and body fields.",
    kind: CheckKind::Workflow,
};

/// `status_transitions`
pub const STATUS_TRANSITIONS: CheckInfo = CheckInfo {
    name: "status_transitions",
    doc: "Valid status transitions (new->inprogress->done, any open->refund) are accepted and stored; invalid ones are rejected.",
    kind: CheckKind::Workflow,
};

/// `document_upload`
pub const DOCUMENT_UPLOAD: CheckInfo = CheckInfo {
    name: "document_upload",
    doc: "A document for the vendor's task is accepted (task id as integer or digit string) and attached; one for an unknown task is refused.",
    kind: CheckKind::Workflow,
};

/// `failed_refund_callback`
pub const FAILED_REFUND_CALLBACK: CheckInfo = CheckInfo {
    name: "failed_refund_callback",
    doc: "After the payment gateway's failed refund, the task is sent again with status refund and paymentRefundStatus failed.",
    kind: CheckKind::Workflow,
};

/// `address_query_answer`
pub const ADDRESS_QUERY_ANSWER: CheckInfo = CheckInfo {
    name: "address_query_answer",
    doc: "The webhook's AddressData answer to an address query is accepted and stored for the citizen.",
    kind: CheckKind::Workflow,
};

/// `webhook_retry`
pub const WEBHOOK_RETRY: CheckInfo = CheckInfo {
    name: "webhook_retry",
    doc: "A webhook call answered with 503 is sent again until it is acknowledged.",
    kind: CheckKind::Workflow,
};

/// The operation id the webhook call is reported under.
pub const CALLBACK_OPERATION: &str = "taskSubmitted";
/// Where the workflow's webhook calls arrive.
const HOOK_PATH: &str = "/workflow/main";

/// Runs the workflow checks.
pub async fn run(ctx: &Ctx, fx: &Fixtures) {
    let all = [
        &WEBHOOK_RETRY,
        &WEBHOOK_CALLBACK_CONFORMANCE,
        &STATUS_TRANSITIONS,
        &DOCUMENT_UPLOAD,
        &FAILED_REFUND_CALLBACK,
        &ADDRESS_QUERY_ANSWER,
    ];
    if !all.iter().any(|c| ctx.recorder.is_selected(c.name)) {
        return;
    }
    let skip_all = |reason: &str| {
        for check in all {
            ctx.recorder.skip(CALLBACK_OPERATION, check.name, reason);
        }
    };
    if ctx.inbox.is_none() {
        return skip_all("the webhook receiver is not running");
    }
    let vendor = match register_vendor(ctx, "ssp-conformance workflow").await {
        Ok(v) => v,
        Err(e) => return skip_all(&e),
    };
    let app = match create_app(ctx, &vendor, "ssp-conformance workflow", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return skip_all(&e),
    };
    let token = format!("{:016x}", ctx.settings.seed ^ 0x5ca1_ab1e);
    let extras = Extras {
        header: ("X-Ssp-Conformance".into(), token.clone()),
        parameter: ("tenant".into(), format!("t{}", &token[..6])),
        field: ("conformanceRun".into(), token),
    };
    let body = json!({
        "whname": "ssp-conformance workflow",
        "whcomment": "calls the conformance suite's receiver",
        "applicationId": app,
        "municipalityId": app,
        "processes": fx.processes.iter().map(i64::to_string).collect::<Vec<_>>(),
        "callbackUrl": ctx.inbox.as_ref().map(|i| i.url(HOOK_PATH)).unwrap_or_default(),
        "httprequestheaders": [{"key": extras.header.0, "value": extras.header.1}],
        "httprequestparameter": [{"key": extras.parameter.0, "value": extras.parameter.1}],
        "httprequestbody": [{"key": extras.field.0, "value": extras.field.1}],
    });
    if let Err(e) = create_webhook_with(ctx, &vendor, body).await {
        return skip_all(&e);
    }
    if ctx.control.is_some() {
        let first = fx.processes.first().copied().unwrap_or(7310);
        tokio::join!(
            main_task(ctx, &vendor, &app, first, &extras, None),
            refund_task(ctx, &vendor, &app, first, &extras),
            address_task(ctx, &app, fx, &extras),
            retry_task(ctx, &vendor, fx),
        );
    } else {
        manual(ctx, &vendor, &app, &extras).await;
    }
}

/// Without a control API: wait for a person to submit a form for `app`.
async fn manual(ctx: &Ctx, vendor: &Vendor, app: &str, extras: &Extras) {
    let timeout = ctx.settings.webhook_timeout;
    ctx.recorder.progress().say(&format!(
        "Waiting up to {timeout:?} for a webhook call: submit a test form for the test municipality {app} in the Development Environment."
    ));
    let Some(inbox) = &ctx.inbox else { return };
    let reason =
        "needs a control API (--control-url) to simulate the payment gateway and the address query";
    ctx.recorder
        .skip(CALLBACK_OPERATION, FAILED_REFUND_CALLBACK.name, reason);
    ctx.recorder
        .skip(CALLBACK_OPERATION, ADDRESS_QUERY_ANSWER.name, reason);
    ctx.recorder.skip(
        CALLBACK_OPERATION,
        WEBHOOK_RETRY.name,
        "needs a control API (--control-url) to submit a task whose call the receiver refuses once",
    );
    let Some(call) = inbox.wait_for(timeout, |r| r.path == HOOK_PATH).await else {
        let reason = format!(
            "no webhook call arrived within {timeout:?} (no --control-url; raise --webhook-timeout and submit a test form)"
        );
        for check in [
            &WEBHOOK_CALLBACK_CONFORMANCE,
            &STATUS_TRANSITIONS,
            &DOCUMENT_UPLOAD,
        ] {
            ctx.recorder
                .skip(CALLBACK_OPERATION, check.name, reason.clone());
        }
        return;
    };
    let Some(unique_id) = call.unique_id() else {
        judge_callback(
            ctx,
            WEBHOOK_CALLBACK_CONFORMANCE.name,
            &call,
            vec!["the call carries no uniqueId".into()],
        );
        return;
    };
    let expected = Expected {
        unique_id,
        status: "new",
        process_id: None,
        municipality: app,
        refund_failed: false,
        address_query: false,
    };
    let (general, specific) = callback_problems(ctx, &call, &expected, extras, None).await;
    judge_callback(
        ctx,
        WEBHOOK_CALLBACK_CONFORMANCE.name,
        &call,
        [general, specific].concat(),
    );
    transitions_and_documents(ctx, vendor, unique_id).await;
}

async fn main_task(
    ctx: &Ctx,
    vendor: &Vendor,
    app: &str,
    process: i64,
    extras: &Extras,
    form: Option<Value>,
) {
    let Some(task) = submit(
        ctx,
        process,
        app,
        form,
        &[
            &WEBHOOK_CALLBACK_CONFORMANCE,
            &STATUS_TRANSITIONS,
            &DOCUMENT_UPLOAD,
        ],
    )
    .await
    else {
        return;
    };
    let expected = Expected {
        unique_id: task,
        status: "new",
        process_id: Some(process.to_string()),
        municipality: app,
        refund_failed: false,
        address_query: false,
    };
    if wait_and_judge(
        ctx,
        WEBHOOK_CALLBACK_CONFORMANCE.name,
        &expected,
        extras,
        |_| true,
    )
    .await
    .is_none()
    {
        return;
    }
    transitions_and_documents(ctx, vendor, task).await;
}

async fn refund_task(ctx: &Ctx, vendor: &Vendor, app: &str, process: i64, extras: &Extras) {
    let Some(task) = submit(
        ctx,
        process,
        app,
        None,
        &[&FAILED_REFUND_CALLBACK, &STATUS_TRANSITIONS],
    )
    .await
    else {
        return;
    };
    let first = Expected {
        unique_id: task,
        status: "new",
        process_id: Some(process.to_string()),
        municipality: app,
        refund_failed: false,
        address_query: false,
    };
    if wait_and_judge(
        ctx,
        WEBHOOK_CALLBACK_CONFORMANCE.name,
        &first,
        extras,
        |_| true,
    )
    .await
    .is_none()
    {
        ctx.recorder.skip(
            CALLBACK_OPERATION,
            FAILED_REFUND_CALLBACK.name,
            "the task's first webhook call did not arrive",
        );
        return;
    }
    transition(ctx, vendor, task, "new", "inprogress", true).await;
    transition(ctx, vendor, task, "inprogress", "new", false).await;
    transition(ctx, vendor, task, "inprogress", "refund", true).await;
    transition(ctx, vendor, task, "refund", "done", false).await;
    transition(ctx, vendor, task, "refund", "inprogress", false).await;
    stored_status(ctx, task, "refund").await;
    let Some(control) = &ctx.control else { return };
    if let Err(e) = control.fail_refund(task).await {
        ctx.recorder
            .skip(CALLBACK_OPERATION, FAILED_REFUND_CALLBACK.name, e);
        return;
    }
    let again = Expected {
        status: "refund",
        refund_failed: true,
        ..first
    };
    let second = |r: &Received| {
        r.json().is_some_and(|b| {
            b.get("paymentRefundStatus").is_some() && b.get("status") != Some(&json!("new"))
        })
    };
    wait_and_judge(ctx, FAILED_REFUND_CALLBACK.name, &again, extras, second).await;
}

async fn address_task(ctx: &Ctx, app: &str, fx: &Fixtures, extras: &Extras) {
    let process = address_process(ctx)
        .await
        .unwrap_or_else(|| fx.processes.get(3).copied().unwrap_or(7313));
    let form = json!({"ahvnumber": "756.1234.5678.97", "personaldata": {"firstname": "Erika", "lastname": "Muster"}});
    let Some(task) = submit(ctx, process, app, Some(form), &[&ADDRESS_QUERY_ANSWER]).await else {
        return;
    };
    let expected = Expected {
        unique_id: task,
        status: "new",
        process_id: Some(process.to_string()),
        municipality: app,
        refund_failed: false,
        address_query: true,
    };
    let Some(call) = wait_and_judge(
        ctx,
        WEBHOOK_CALLBACK_CONFORMANCE.name,
        &expected,
        extras,
        |_| true,
    )
    .await
    else {
        ctx.recorder.skip(
            CALLBACK_OPERATION,
            ADDRESS_QUERY_ANSWER.name,
            "the address query's webhook call did not arrive",
        );
        return;
    };
    let person = call.json().unwrap_or_default();
    let answer = serde_json::to_value(address_answer(
        task,
        person
            .pointer("/personaldata/firstname")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        person
            .pointer("/personaldata/lastname")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    ))
    .unwrap_or_default();
    let Some(control) = &ctx.control else { return };
    let deadline = tokio::time::Instant::now() + ctx.settings.webhook_timeout;
    let verdict = loop {
        match control.task(task).await {
            Ok(stored) => match stored.address_data() {
                Some(found) if *found == answer => break Verdict::Pass,
                Some(found) => {
                    break Verdict::Fail(format!(
                        "the stored address answer differs from the one the webhook gave: {found}"
                    ));
                }
                None if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await
                }
                None => {
                    break Verdict::Fail(format!(
                        "the webhook's AddressData answer was not stored for task {task}"
                    ));
                }
            },
            Err(e) => break Verdict::Skip(e),
        }
    };
    ctx.recorder.record(
        CALLBACK_OPERATION,
        ADDRESS_QUERY_ANSWER.name,
        verdict,
        || {
            let mut f = Failure::new("");
            f.body = Some(answer.to_string());
            f
        },
    );
}

/// A call refused with 503 must come again.
async fn retry_task(ctx: &Ctx, vendor: &Vendor, fx: &Fixtures) {
    let Some(inbox) = &ctx.inbox else { return };
    let skip = |reason: String| {
        ctx.recorder
            .skip(CALLBACK_OPERATION, WEBHOOK_RETRY.name, reason)
    };
    let app = match create_app(ctx, vendor, "ssp-conformance retries", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return skip(e),
    };
    let path = format!("{}main", crate::callbacks::RETRY_PREFIX);
    let body = json!({
        "whname": "ssp-conformance retries",
        "applicationId": app,
        "municipalityId": app,
        "processes": fx.processes.iter().map(i64::to_string).collect::<Vec<_>>(),
        "callbackUrl": inbox.url(&path),
    });
    if let Err(e) = create_webhook_with(ctx, vendor, body).await {
        return skip(e);
    }
    let process = fx.processes.first().copied().unwrap_or(7310);
    let Some(task) = submit(ctx, process, &app, None, &[&WEBHOOK_RETRY]).await else {
        return;
    };
    let timeout = ctx.settings.webhook_timeout;
    // The first call is refused with 503; a second call is the retry (whether
    // its body is right is webhook_callback_conformance's business).
    let first_at = inbox
        .wait_for(timeout, |r| r.path == path && r.unique_id() == Some(task))
        .await
        .map(|_| ());
    let again = first_at.is_some()
        && inbox
            .wait_for(timeout, |_| inbox.calls_for(&path, task).len() >= 2)
            .await
            .is_some();
    let verdict = match (first_at, again) {
        (None, _) => Verdict::Fail(format!(
            "no webhook call for task {task} arrived within {timeout:?}"
        )),
        (Some(_), false) => Verdict::Fail(format!(
            "the call for task {task} was answered 503 and not sent again within {timeout:?}"
        )),
        (Some(_), true) => Verdict::Pass,
    };
    ctx.recorder
        .record(CALLBACK_OPERATION, WEBHOOK_RETRY.name, verdict, || {
            Failure::new("")
        });
}

/// The id of the address query process ("Adressauskunft"), from listProcesses.
async fn address_process(ctx: &Ctx) -> Option<i64> {
    let request = RawRequest::new(Method::GET, "/processes").with_keys(&ctx.subscription_keys());
    let body = ctx
        .call("listProcesses", &request)
        .await
        .ok()?
        .json()
        .ok()?;
    body.as_array()?
        .iter()
        .find(|p| {
            p.get("processName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.contains("Adressauskunft"))
        })
        .and_then(|p| p.get("processId").and_then(crate::fixtures::lenient_i64))
}

async fn submit(
    ctx: &Ctx,
    process: i64,
    app: &str,
    form: Option<Value>,
    checks: &[&CheckInfo],
) -> Option<u64> {
    let control = ctx.control.as_ref()?;
    match control.submit_task(process, &json!(app), form).await {
        Ok(task) => Some(task.unique_id),
        Err(e) => {
            for check in checks {
                ctx.recorder.skip(CALLBACK_OPERATION, check.name, e.clone());
            }
            None
        }
    }
}
