//! `vendor_isolation`: a second vendor cannot reach the first one's resources.

use reqwest::Method;
use serde_json::json;

use super::{VENDOR_ISOLATION, expect, holds, judge, list, refused, send};
use crate::context::{Ctx, register_vendor};
use crate::fixtures::{Fixtures, create_app, create_webhook, hook_url};
use crate::http::RawRequest;

const CHECK: &str = VENDOR_ISOLATION.name;

/// A read as the intruder: operation, path, query, the id's key, the owner's id.
type Read<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// Vendor B reads, changes and deletes what vendor A owns; A's things survive.
pub async fn run(ctx: &Ctx, fx: &Fixtures) {
    let skip = |op: &str, reason: String| ctx.recorder.skip(op, CHECK, reason);
    let (owner, intruder) = tokio::join!(
        register_vendor(ctx, "ssp-conformance owner"),
        register_vendor(ctx, "ssp-conformance intruder")
    );
    let (owner, intruder) = match (owner, intruder) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return skip("listApplicationConfigurations", e),
    };
    let app = match create_app(ctx, &owner, "ssp-conformance owned", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return skip("listApplicationConfigurations", e),
    };
    let own_app = create_app(ctx, &intruder, "ssp-conformance intruder", &fx.processes)
        .await
        .ok();
    let whid = match create_webhook(
        ctx,
        &owner,
        &app,
        &fx.processes,
        &hook_url(ctx, "/isolation"),
        "ssp-conformance owned",
    )
    .await
    {
        Ok(whid) => whid,
        Err(e) => return skip("listWebhookConfigurations", e),
    };
    let task = match &ctx.control {
        Some(control) => control
            .submit_task(
                fx.processes.first().copied().unwrap_or(7310),
                &json!(app),
                None,
            )
            .await
            .ok()
            .map(|t| t.unique_id),
        None => None,
    };

    // Reading.
    let reads: [Read; 6] = [
        (
            "getVendorRegistrations",
            "/vendorregistration",
            vec![],
            "providerId",
            owner.provider_id.as_str(),
        ),
        (
            "getVendorRegistrations",
            "/vendorregistration",
            vec![("providerId", owner.provider_id.as_str())],
            "providerId",
            owner.provider_id.as_str(),
        ),
        (
            "listApplicationConfigurations",
            "/applicationconfig",
            vec![],
            "appid",
            app.as_str(),
        ),
        (
            "listMunicipalities",
            "/municipalities",
            vec![],
            "munid",
            app.as_str(),
        ),
        (
            "listWebhookConfigurations",
            "/webhookconfig",
            vec![],
            "whid",
            whid.as_str(),
        ),
        (
            "listWebhookConfigurations",
            "/webhookconfig",
            vec![("whid", whid.as_str())],
            "whid",
            whid.as_str(),
        ),
    ];
    for (op, path, query, key, id) in reads {
        if let Ok((request, response, items)) = list(ctx, &intruder, op, path, &query).await {
            let verdict = expect(!holds(&items, key, id), || {
                format!(
                    "another vendor sees {key} {id} in GET {}",
                    request.path_and_query()
                )
            });
            judge(ctx, op, CHECK, verdict, &(request, response));
        }
    }

    // Changing and deleting.
    let processes: Vec<String> = fx.processes.iter().map(i64::to_string).collect();
    let keys = intruder.keys();
    let mut writes = vec![
        (
            "createOrUpdateApplicationConfiguration",
            "updating another vendor's application",
            RawRequest::new(Method::POST, "/applicationconfig")
                .with_query("appid", app.clone())
                .with_json(json!({"appName": "taken over", "processes": []})),
        ),
        (
            "createWebhookConfiguration",
            "a webhook for another vendor's application",
            RawRequest::new(Method::POST, "/webhookconfig").with_json(json!({
                "whname": "taken over", "applicationId": app, "municipalityId": app,
                "processes": processes, "callbackUrl": hook_url(ctx, "/isolation/intruder")
            })),
        ),
        (
            "updateWebhookConfiguration",
            "updating another vendor's webhook",
            RawRequest::new(Method::PATCH, "/webhookconfig")
                .with_query("whid", whid.clone())
                .with_json(json!({
                    "whname": "taken over", "applicationId": own_app.clone().unwrap_or_else(|| app.clone()),
                    "municipalityId": own_app.clone().unwrap_or_else(|| app.clone()),
                    "processes": processes, "callbackUrl": hook_url(ctx, "/isolation/intruder")
                })),
        ),
        (
            "deleteWebhookConfiguration",
            "deleting another vendor's webhook",
            RawRequest::new(Method::DELETE, "/webhookconfig").with_query("whid", whid.clone()),
        ),
        (
            "deleteApplicationConfiguration",
            "deleting another vendor's application",
            RawRequest::new(Method::DELETE, "/applicationconfig").with_query("appid", app.clone()),
        ),
    ];
    if let Some(task) = task {
        writes.push((
            "updateTaskStatus",
            "a status update of another vendor's task",
            RawRequest::new(Method::POST, "/statusupdate")
                .with_json(json!({"uniqueId": task, "newStatus": "inprogress"})),
        ));
        writes.push((
            "submitDocument",
            "a document for another vendor's task",
            RawRequest::new(Method::POST, "/document").with_json(json!({
                "uniqueId": task, "documentName": "intruder.pdf", "documentType": "Test", "documentBase64": "aGVsbG8="
            })),
        ));
    } else {
        let reason = "tasks of another vendor need a control API (--control-url)";
        skip("updateTaskStatus", reason.into());
        skip("submitDocument", reason.into());
    }
    for (op, what, request) in writes {
        if let Ok(exchange) = send(ctx, op, request.with_keys(&keys)).await {
            judge(ctx, op, CHECK, refused(&exchange.1, what), &exchange);
        }
    }

    // The owner's resources survived.
    if let Ok((request, response, items)) = list(
        ctx,
        &owner,
        "listApplicationConfigurations",
        "/applicationconfig",
        &[],
    )
    .await
    {
        let intact = items.iter().any(|i| {
            i.get("appid") == Some(&json!(app))
                && i.get("appName") == Some(&json!("ssp-conformance owned"))
        });
        let verdict = expect(intact, || {
            format!("the owner's application {app} was changed or deleted by another vendor")
        });
        judge(
            ctx,
            "listApplicationConfigurations",
            CHECK,
            verdict,
            &(request, response),
        );
    }
    if let Ok((request, response, items)) = list(
        ctx,
        &owner,
        "listWebhookConfigurations",
        "/webhookconfig",
        &[("whid", &whid)],
    )
    .await
    {
        let intact = items
            .iter()
            .any(|w| w.get("whname") == Some(&json!("ssp-conformance owned")));
        let verdict = expect(intact, || {
            format!("the owner's webhook {whid} was changed or deleted by another vendor")
        });
        judge(
            ctx,
            "listWebhookConfigurations",
            CHECK,
            verdict,
            &(request, response),
        );
    }
    if let (Some(task), Some(control)) = (task, &ctx.control)
        && let Ok(stored) = control.task(task).await
    {
        let verdict = expect(stored.status == "new", || {
            format!(
                "the owner's task {task} is now {:?} after another vendor's update",
                stored.status
            )
        });
        ctx.recorder.record("updateTaskStatus", CHECK, verdict, || {
            crate::record::Failure::new("")
        });
        let verdict = expect(stored.documents().is_empty(), || {
            format!("another vendor attached a document to task {task}")
        });
        ctx.recorder.record("submitDocument", CHECK, verdict, || {
            crate::record::Failure::new("")
        });
    }
}
