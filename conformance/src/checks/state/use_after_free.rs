//! `use_after_free`: a deleted webhook or application is gone for good, and the
//! platform stops calling it.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::{USE_AFTER_FREE, expect, holds, judge, list, refused, send, send_step};
use crate::context::{Ctx, Vendor, register_vendor};
use crate::fixtures::{Fixtures, create_app, create_webhook, hook_url};
use crate::http::RawRequest;
use crate::record::Verdict;

const CHECK: &str = USE_AFTER_FREE.name;
/// How long after the live webhook's call the deleted one must stay silent. The
/// control API's delivery log is the main evidence (a sandbox-compatible control
/// API stores every delivery before it answers the submission), so this is short.
const GRACE: Duration = Duration::from_millis(20);

/// Deletes a webhook and an application and probes them afterwards.
pub async fn run(ctx: &Ctx, fx: &Fixtures) {
    let vendor = match register_vendor(ctx, "ssp-conformance use-after-free").await {
        Ok(v) => v,
        Err(e) => return ctx.recorder.skip("deleteWebhookConfiguration", CHECK, e),
    };
    tokio::join!(
        deleted_webhook(ctx, fx, &vendor),
        deleted_application(ctx, fx, &vendor)
    );
}

async fn deleted_webhook(ctx: &Ctx, fx: &Fixtures, vendor: &Vendor) {
    const OP: &str = "deleteWebhookConfiguration";
    let skip = |reason: String| ctx.recorder.skip(OP, CHECK, reason);
    let app = match create_app(ctx, vendor, "ssp-conformance use-after-free", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return skip(e),
    };
    let live_path = "/use-after-free/live";
    let dead_path = "/use-after-free/deleted";
    let live = create_webhook(
        ctx,
        vendor,
        &app,
        &fx.processes,
        &hook_url(ctx, live_path),
        "ssp-conformance live",
    )
    .await;
    let dead = match create_webhook(
        ctx,
        vendor,
        &app,
        &fx.processes,
        &hook_url(ctx, dead_path),
        "ssp-conformance deleted",
    )
    .await
    {
        Ok(whid) => whid,
        Err(e) => return skip(e),
    };
    let delete = match delete_resource(ctx, OP, vendor, "/webhookconfig", "whid", &dead).await {
        Ok(delete) => delete,
        Err(e) => return skip(e),
    };
    if let Ok((request, response, items)) = list(
        ctx,
        vendor,
        "listWebhookConfigurations",
        "/webhookconfig",
        &[("whid", &dead)],
    )
    .await
    {
        let verdict = expect(items.is_empty(), || {
            format!("GET /webhookconfig?whid={dead} still answers the deleted webhook")
        });
        judge(ctx, OP, CHECK, verdict, &(request, response));
    }
    if let Ok((request, response, items)) = list(
        ctx,
        vendor,
        "listWebhookConfigurations",
        "/webhookconfig",
        &[],
    )
    .await
    {
        let verdict = expect(!holds(&items, "whid", &dead), || {
            format!("the deleted webhook {dead} is still listed")
        });
        judge(ctx, OP, CHECK, verdict, &(request, response));
    }
    let patch = RawRequest::new(Method::PATCH, "/webhookconfig")
        .with_keys(&vendor.keys())
        .with_query("whid", dead.clone())
        .with_json(json!({
            "whname": "changed after delete",
            "applicationId": app,
            "municipalityId": app,
            "processes": fx.processes.iter().map(i64::to_string).collect::<Vec<_>>(),
            "callbackUrl": hook_url(ctx, dead_path),
        }));
    if let Ok(exchange) = send(ctx, "updateWebhookConfiguration", patch).await {
        judge(
            ctx,
            OP,
            CHECK,
            refused(&exchange.1, "updating the deleted webhook"),
            &exchange,
        );
    }
    if let Ok(exchange) = send(ctx, OP, delete).await {
        judge(
            ctx,
            OP,
            CHECK,
            refused(&exchange.1, "deleting the webhook a second time"),
            &exchange,
        );
    }

    // The deleted webhook is no longer called: a task for its municipality reaches
    // the live webhook, and not the deleted one.
    let (Some(control), Some(inbox)) = (&ctx.control, &ctx.inbox) else {
        return ctx.recorder.skip(
            OP,
            CHECK,
            "whether a deleted webhook is still called needs a control API and the receiver",
        );
    };
    if live.is_err() {
        return skip("the live webhook could not be created".into());
    }
    let process = fx.processes.first().copied().unwrap_or(7310);
    let task = match control.submit_task(process, &json!(app), None).await {
        Ok(task) => task.unique_id,
        Err(e) => return skip(e),
    };
    let timeout = ctx.settings.webhook_timeout;
    if inbox
        .wait_for(timeout, |r| {
            r.path == live_path && r.unique_id() == Some(task)
        })
        .await
        .is_none()
    {
        return skip(format!(
            "task {task} did not reach the live webhook within {timeout:?} (see webhook_callback_conformance)"
        ));
    }
    tokio::time::sleep(GRACE).await;
    let calls = inbox.calls_for(dead_path, task).len();
    let stored = control
        .deliveries(task, Some(&dead))
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.get("state").and_then(Value::as_str) != Some("cancelled"))
        .count();
    let verdict = expect(calls == 0 && stored == 0, || {
        format!(
            "task {task} was sent to the deleted webhook {dead} ({calls} calls received, {stored} deliveries logged)"
        )
    });
    ctx.recorder
        .record(OP, CHECK, verdict, || crate::record::Failure::new(""));
}

async fn deleted_application(ctx: &Ctx, fx: &Fixtures, vendor: &Vendor) {
    const OP: &str = "deleteApplicationConfiguration";
    let skip = |reason: String| ctx.recorder.skip(OP, CHECK, reason);
    let app = match create_app(
        ctx,
        vendor,
        "ssp-conformance deleted application",
        &fx.processes,
    )
    .await
    {
        Ok(app) => app,
        Err(e) => return skip(e),
    };
    let path = "/use-after-free/deleted-application";
    let webhook = create_webhook(
        ctx,
        vendor,
        &app,
        &fx.processes,
        &hook_url(ctx, path),
        "ssp-conformance app deleted",
    )
    .await;
    let delete = match delete_resource(ctx, OP, vendor, "/applicationconfig", "appid", &app).await {
        Ok(delete) => delete,
        Err(e) => return skip(e),
    };
    if let Ok((request, response, items)) = list(
        ctx,
        vendor,
        "listApplicationConfigurations",
        "/applicationconfig",
        &[],
    )
    .await
    {
        let verdict = expect(!holds(&items, "appid", &app), || {
            format!("the deleted application {app} is still listed")
        });
        judge(ctx, OP, CHECK, verdict, &(request, response));
    }
    let update = RawRequest::new(Method::POST, "/applicationconfig")
        .with_keys(&vendor.keys())
        .with_query("appid", app.clone())
        .with_json(json!({"appName": "changed after delete", "processes": []}));
    if let Ok(exchange) = send(ctx, "createOrUpdateApplicationConfiguration", update).await {
        judge(
            ctx,
            OP,
            CHECK,
            refused(&exchange.1, "updating the deleted application"),
            &exchange,
        );
    }
    if let Ok(exchange) = send(ctx, OP, delete).await {
        judge(
            ctx,
            OP,
            CHECK,
            refused(&exchange.1, "deleting the application a second time"),
            &exchange,
        );
    }
    let (Some(control), Some(inbox), Ok(whid)) = (&ctx.control, &ctx.inbox, webhook) else {
        return;
    };
    // A task for the deleted application's test municipality may be refused; if
    // it is taken, it must not reach the application's webhook.
    let process = fx.processes.first().copied().unwrap_or(7310);
    let Ok(task) = control.submit_task(process, &json!(app), None).await else {
        return ctx.recorder.pass(OP, CHECK);
    };
    let stored = control
        .deliveries(task.unique_id, Some(&whid))
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.get("state").and_then(Value::as_str) != Some("cancelled"))
        .count();
    tokio::time::sleep(GRACE).await;
    let calls = inbox.calls_for(path, task.unique_id).len();
    let verdict = if calls == 0 && stored == 0 {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "task {} was sent to webhook {whid} of the deleted application {app} ({calls} calls received, {stored} deliveries logged)",
            task.unique_id
        ))
    };
    ctx.recorder
        .record(OP, CHECK, verdict, || crate::record::Failure::new(""));
}

/// Deletes one of the vendor's resources (`DELETE path?param=id`) and returns the
/// request, to send again later; or says why the deletion failed.
async fn delete_resource(
    ctx: &Ctx,
    op: &str,
    vendor: &Vendor,
    path: &str,
    param: &str,
    id: &str,
) -> Result<RawRequest, String> {
    let delete = RawRequest::new(Method::DELETE, path)
        .with_keys(&vendor.keys())
        .with_query(param, id.to_string());
    send_step(
        ctx,
        op,
        delete.clone(),
        &format!("DELETE {path}?{param}=..."),
    )
    .await?;
    Ok(delete)
}
