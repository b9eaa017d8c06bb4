//! `update_persistence`: updates are stored as the contract says.

use reqwest::Method;
use serde_json::{Value, json};

use super::{UPDATE_PERSISTENCE, expect, id_of, judge, list, send, send_step};
use crate::context::{Ctx, Vendor, register_vendor};
use crate::fixtures::{Fixtures, create_app, create_webhook, hook_url};
use crate::http::RawRequest;
use crate::record::Verdict;

const CHECK: &str = UPDATE_PERSISTENCE.name;

/// The fields of a vendor registration besides its id and name.
const VENDOR_FIELDS: &[&str] = &[
    "plz", "place", "address1", "address2", "address3", "phone", "email", "website",
];

/// Replaces a vendor registration, updates a webhook and an application, and reads each back.
pub async fn run(ctx: &Ctx, fx: &Fixtures) {
    let vendor = match register_vendor(ctx, "ssp-conformance persistence").await {
        Ok(v) => v,
        Err(e) => return ctx.recorder.skip("updateVendorRegistration", CHECK, e),
    };
    tokio::join!(
        vendor_replacement(ctx, &vendor),
        webhook_update(ctx, fx, &vendor),
        application_update(ctx, fx, &vendor)
    );
}

async fn vendor_replacement(ctx: &Ctx, vendor: &Vendor) {
    const OP: &str = "updateVendorRegistration";
    let full = json!({
        "providerName": "ssp-conformance full", "plz": "5000", "place": "Aarau",
        "address1": "Bahnhofstrasse 1", "address2": "Postfach", "address3": "c/o Test",
        "phone": "+41 62 000 00 00", "email": "full@example.org", "website": "https://example.org/full"
    });
    let partial =
        json!({"providerName": "ssp-conformance partial", "plz": "5001", "place": "Baden"});
    for (step, body) in [
        ("a full replacement", &full),
        ("a replacement that leaves fields out", &partial),
    ] {
        let put = RawRequest::new(Method::PUT, "/vendorregistration")
            .with_keys(&vendor.keys())
            .with_json(body.clone());
        if let Err(e) = send_step(ctx, OP, put, step).await {
            return ctx.recorder.skip(OP, CHECK, e);
        }
        let Ok((request, response, items)) = list(
            ctx,
            vendor,
            "getVendorRegistrations",
            "/vendorregistration",
            &[("providerId", &vendor.provider_id)],
        )
        .await
        else {
            return;
        };
        let stored = items.first().cloned().unwrap_or(Value::Null);
        let mut wrong = Vec::new();
        for field in std::iter::once("providerName").chain(VENDOR_FIELDS.iter().copied()) {
            let expected = body.get(field).and_then(Value::as_str).unwrap_or("");
            let found = stored.get(field).and_then(Value::as_str).unwrap_or("");
            if expected != found {
                wrong.push(format!("{field}: {found:?} instead of {expected:?}"));
            }
        }
        let verdict = expect(wrong.is_empty(), || {
            format!(
                "after {step}, the stored registration differs: {}",
                wrong.join(", ")
            )
        });
        judge(ctx, OP, CHECK, verdict, &(request, response));
    }
}

async fn webhook_update(ctx: &Ctx, fx: &Fixtures, vendor: &Vendor) {
    const OP: &str = "updateWebhookConfiguration";
    let app = match create_app(ctx, vendor, "ssp-conformance persistence", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return ctx.recorder.skip(OP, CHECK, e),
    };
    let whid = match create_webhook(
        ctx,
        vendor,
        &app,
        &fx.processes,
        &hook_url(ctx, "/persistence/a"),
        "before",
    )
    .await
    {
        Ok(whid) => whid,
        Err(e) => return ctx.recorder.skip(OP, CHECK, e),
    };
    let first_process = fx
        .processes
        .first()
        .map(i64::to_string)
        .unwrap_or_else(|| "7310".into());
    let changed = json!({
        "whname": "after", "whcomment": "kept when left out",
        "applicationId": app, "municipalityId": app,
        "processes": [first_process],
        "callbackUrl": hook_url(ctx, "/persistence/b"),
        "httprequestheaders": [{"key": "X-Ssp-Persistence", "value": "1"}],
        "httprequestparameter": [{"key": "p", "value": "1"}],
        "httprequestbody": [{"key": "b", "value": "1"}]
    });
    let mut without_comment = changed.clone();
    without_comment["whname"] = json!("after again");
    if let Some(map) = without_comment.as_object_mut() {
        map.remove("whcomment");
    }
    for (step, body) in [
        ("an update", &changed),
        ("an update that leaves whcomment out", &without_comment),
    ] {
        let patch = RawRequest::new(Method::PATCH, "/webhookconfig")
            .with_keys(&vendor.keys())
            .with_query("whid", whid.clone())
            .with_json(body.clone());
        if let Err(e) = send_step(ctx, OP, patch, step).await {
            return ctx.recorder.skip(OP, CHECK, e);
        }
        let Ok((request, response, items)) = list(
            ctx,
            vendor,
            "listWebhookConfigurations",
            "/webhookconfig",
            &[("whid", &whid)],
        )
        .await
        else {
            return;
        };
        let stored = items.first().cloned().unwrap_or(Value::Null);
        let mut wrong = Vec::new();
        for field in [
            "whname",
            "callbackUrl",
            "httprequestheaders",
            "httprequestparameter",
            "httprequestbody",
        ] {
            if stored.get(field) != body.get(field) {
                wrong.push(format!(
                    "{field}: {} instead of {}",
                    stored.get(field).unwrap_or(&Value::Null),
                    body[field]
                ));
            }
        }
        if stored.get("whcomment") != changed.get("whcomment") {
            wrong.push(format!(
                "whcomment: {} instead of {}",
                stored.get("whcomment").unwrap_or(&Value::Null),
                changed["whcomment"]
            ));
        }
        let processes = stored_processes(&stored);
        if processes
            != vec![
                changed["processes"][0]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ]
        {
            wrong.push(format!(
                "processes: {processes:?} instead of {}",
                changed["processes"]
            ));
        }
        let verdict = expect(wrong.is_empty(), || {
            format!(
                "after {step}, the stored webhook differs: {}",
                wrong.join(", ")
            )
        });
        judge(ctx, OP, CHECK, verdict, &(request, response));
    }
}

/// The process ids of a listed webhook (`processes`, or the legacy `process`).
fn stored_processes(webhook: &Value) -> Vec<String> {
    let mut ids: Vec<String> = webhook
        .get("processes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    if let Some(p) = webhook.get("process").and_then(Value::as_str)
        && !ids.iter().any(|id| id == p)
    {
        ids.push(p.to_string());
    }
    ids
}

async fn application_update(ctx: &Ctx, fx: &Fixtures, vendor: &Vendor) {
    const OP: &str = "createOrUpdateApplicationConfiguration";
    let app = match create_app(ctx, vendor, "ssp-conformance before update", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return ctx.recorder.skip(OP, CHECK, e),
    };
    let first_process = fx
        .processes
        .first()
        .map(i64::to_string)
        .unwrap_or_else(|| "7310".into());
    let update = RawRequest::new(Method::POST, "/applicationconfig")
        .with_keys(&vendor.keys())
        .with_query("appid", app.clone())
        .with_json(json!({"appName": "ssp-conformance after update", "appDescription": "updated", "processes": [{"processId": first_process}]}));
    match send(ctx, OP, update).await {
        Ok((request, response)) if response.is_success() => {
            let same_id =
                response.json().ok().and_then(|b| id_of(&b, "appid")) == Some(app.clone());
            let verdict = expect(same_id, || {
                format!("updating application {app} answered another appid")
            });
            judge(ctx, OP, CHECK, verdict, &(request, response));
        }
        Ok((_, response)) => {
            return ctx.recorder.skip(
                OP,
                CHECK,
                format!("the update failed with {}", response.status),
            );
        }
        Err(e) => return ctx.recorder.skip(OP, CHECK, e),
    }
    let Ok((request, response, items)) = list(
        ctx,
        vendor,
        "listApplicationConfigurations",
        "/applicationconfig",
        &[],
    )
    .await
    else {
        return;
    };
    let verdict = match items
        .iter()
        .find(|i| id_of(i, "appid").as_deref() == Some(app.as_str()))
    {
        None => Verdict::Fail(format!("the updated application {app} is no longer listed")),
        Some(item) => {
            let processes: Vec<String> = item
                .get("processes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| id_of(p, "processId").or_else(|| id_of(p, "processid")))
                .collect();
            let ok = item.get("appName") == Some(&json!("ssp-conformance after update"))
                && item.get("appDescription") == Some(&json!("updated"))
                && processes == vec![first_process.clone()];
            expect(ok, || {
                format!("the listed application does not show the update: {item}")
            })
        }
    };
    judge(ctx, OP, CHECK, verdict, &(request, response));
}
