//! Moving tasks through their statuses, and attaching documents.

use reqwest::Method;
use serde_json::{Value, json};

use super::{DOCUMENT_UPLOAD, STATUS_TRANSITIONS};
use crate::checks::state::{judge, refused, send};
use crate::context::{Ctx, Vendor};
use crate::http::RawRequest;
use crate::record::{Failure, Verdict};

/// new -> inprogress, two documents, -> done, then invalid moves from done.
pub(super) async fn transitions_and_documents(ctx: &Ctx, vendor: &Vendor, task: u64) {
    transition(ctx, vendor, task, "new", "inprogress", true).await;
    let mut uploaded = 0;
    for (form, unique_id) in [
        ("an integer", json!(task)),
        ("a digit string", json!(task.to_string())),
    ] {
        let request = RawRequest::new(Method::POST, "/document").with_keys(&vendor.keys()).with_json(json!({
            "uniqueId": unique_id,
            "documentName": format!("bescheinigung-{}.pdf", if unique_id.is_string() { "s" } else { "i" }),
            "documentType": "Hauptwohnsitzbescheinigung",
            "documentBase64": "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==",
        }));
        if let Ok(exchange) = send(ctx, "submitDocument", request).await {
            let verdict = accepted(
                &exchange.1,
                &format!("a document for the vendor's own task (uniqueId as {form})"),
            );
            uploaded += usize::from(verdict == Verdict::Pass);
            judge(
                ctx,
                "submitDocument",
                DOCUMENT_UPLOAD.name,
                verdict,
                &exchange,
            );
        }
    }
    let unknown = RawRequest::new(Method::POST, "/document").with_keys(&vendor.keys()).with_json(json!({
        "uniqueId": 9_007_199_254_740_000u64, "documentName": "x.pdf", "documentType": "Test", "documentBase64": "aGVsbG8="
    }));
    if let Ok(exchange) = send(ctx, "submitDocument", unknown).await {
        judge(
            ctx,
            "submitDocument",
            DOCUMENT_UPLOAD.name,
            refused(&exchange.1, "a document for an unknown task"),
            &exchange,
        );
    }
    if let (Some(control), 2) = (&ctx.control, uploaded)
        && let Ok(stored) = control.task(task).await
    {
        let names: Vec<String> = stored
            .documents()
            .iter()
            .filter_map(|d| {
                d.get("documentName")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect();
        let ok = ["bescheinigung-i.pdf", "bescheinigung-s.pdf"]
            .iter()
            .all(|n| names.iter().any(|m| m == n));
        let verdict = if ok {
            Verdict::Pass
        } else {
            Verdict::Fail(format!(
                "the uploaded documents are not attached to task {task} (it has {names:?})"
            ))
        };
        ctx.recorder
            .record("submitDocument", DOCUMENT_UPLOAD.name, verdict, || {
                Failure::new("")
            });
    }
    transition(ctx, vendor, task, "inprogress", "done", true).await;
    for to in ["inprogress", "refund", "new"] {
        transition(ctx, vendor, task, "done", to, false).await;
    }
    stored_status(ctx, task, "done").await;
}

pub(super) async fn transition(
    ctx: &Ctx,
    vendor: &Vendor,
    task: u64,
    from: &str,
    to: &str,
    valid: bool,
) {
    let request = RawRequest::new(Method::POST, "/statusupdate")
        .with_keys(&vendor.keys())
        .with_json(json!({"uniqueId": task, "newStatus": to}));
    let Ok(exchange) = send(ctx, "updateTaskStatus", request).await else {
        return;
    };
    let verdict = if valid {
        accepted(&exchange.1, &format!("the valid transition {from} -> {to}"))
    } else {
        refused(
            &exchange.1,
            &format!("the invalid transition {from} -> {to}"),
        )
    };
    judge(
        ctx,
        "updateTaskStatus",
        STATUS_TRANSITIONS.name,
        verdict,
        &exchange,
    );
}

pub(super) async fn stored_status(ctx: &Ctx, task: u64, expected: &str) {
    let Some(control) = &ctx.control else { return };
    if let Ok(stored) = control.task(task).await {
        let verdict = if stored.status == expected {
            Verdict::Pass
        } else {
            Verdict::Fail(format!(
                "task {task} is stored as {:?}, expected {expected:?} after its transitions",
                stored.status
            ))
        };
        ctx.recorder
            .record("updateTaskStatus", STATUS_TRANSITIONS.name, verdict, || {
                Failure::new("")
            });
    }
}

pub(super) fn accepted(response: &crate::http::RawResponse, what: &str) -> Verdict {
    match response.status {
        s if (200..300).contains(&s) => Verdict::Pass,
        s if s >= 500 => Verdict::Skip(format!("the server answered {s} (see not_a_server_error)")),
        s => Verdict::Fail(format!(
            "{what} was refused with {s}: {}",
            response.body_excerpt(200)
        )),
    }
}
