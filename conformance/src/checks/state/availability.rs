//! `ensure_resource_availability`: what was created can be read back.

use super::{ENSURE_RESOURCE_AVAILABILITY, expect, holds, id_of, judge, list};
use crate::context::{Ctx, register_vendor};
use crate::fixtures::{Fixtures, create_app, create_webhook, hook_url};
use crate::record::Verdict;

const CHECK: &str = ENSURE_RESOURCE_AVAILABILITY.name;

/// Creates a vendor, an application and a webhook, and reads each back.
pub async fn run(ctx: &Ctx, fx: &Fixtures) {
    let skip = |op: &str, reason: String| ctx.recorder.skip(op, CHECK, reason);
    let vendor = match register_vendor(ctx, "ssp-conformance availability").await {
        Ok(v) => v,
        Err(e) => return skip("createVendorRegistration", e),
    };
    match list(
        ctx,
        &vendor,
        "getVendorRegistrations",
        "/vendorregistration",
        &[("providerId", &vendor.provider_id)],
    )
    .await
    {
        Ok((request, response, items)) => {
            let found = items.len() == 1 && holds(&items, "providerId", &vendor.provider_id);
            let verdict = expect(found, || {
                format!(
                    "the new registration {} is not the one item of GET /vendorregistration?providerId=",
                    vendor.provider_id
                )
            });
            judge(
                ctx,
                "createVendorRegistration",
                CHECK,
                verdict,
                &(request, response),
            );
        }
        Err(e) => skip("createVendorRegistration", e),
    }
    match list(
        ctx,
        &vendor,
        "getVendorRegistrations",
        "/vendorregistration",
        &[],
    )
    .await
    {
        Ok((request, response, items)) => {
            let verdict = expect(holds(&items, "providerId", &vendor.provider_id), || {
                "the new registration is missing from GET /vendorregistration".to_string()
            });
            judge(
                ctx,
                "createVendorRegistration",
                CHECK,
                verdict,
                &(request, response),
            );
        }
        Err(e) => skip("createVendorRegistration", e),
    }

    let app = match create_app(ctx, &vendor, "ssp-conformance availability", &fx.processes).await {
        Ok(app) => app,
        Err(e) => return skip("createOrUpdateApplicationConfiguration", e),
    };
    match list(
        ctx,
        &vendor,
        "listApplicationConfigurations",
        "/applicationconfig",
        &[],
    )
    .await
    {
        Ok((request, response, items)) => {
            let item = items
                .iter()
                .find(|i| id_of(i, "appid").as_deref() == Some(app.as_str()));
            let verdict = match item {
                None => Verdict::Fail(format!(
                    "the new application {app} is missing from GET /applicationconfig"
                )),
                Some(item) => {
                    let name_ok = item.get("appName").and_then(|n| n.as_str())
                        == Some("ssp-conformance availability");
                    let listed: Vec<String> = item
                        .get("processes")
                        .and_then(|p| p.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|p| id_of(p, "processId").or_else(|| id_of(p, "processid")))
                        .collect();
                    let wanted: Vec<String> = fx.processes.iter().map(i64::to_string).collect();
                    let processes_ok = wanted.iter().all(|w| listed.contains(w));
                    expect(name_ok && processes_ok, || {
                        format!(
                            "the listed application {app} differs from the one created (appName ok: {name_ok}, processes {listed:?}, created with {wanted:?})"
                        )
                    })
                }
            };
            judge(
                ctx,
                "createOrUpdateApplicationConfiguration",
                CHECK,
                verdict,
                &(request, response),
            );
        }
        Err(e) => skip("createOrUpdateApplicationConfiguration", e),
    }
    match list(ctx, &vendor, "listMunicipalities", "/municipalities", &[]).await {
        Ok((request, response, items)) => {
            let verdict = expect(holds(&items, "munid", &app), || {
                format!(
                    "the test municipality of the new application (munid {app}) is missing from GET /municipalities"
                )
            });
            judge(
                ctx,
                "listMunicipalities",
                CHECK,
                verdict,
                &(request, response),
            );
        }
        Err(e) => skip("listMunicipalities", e),
    }

    let url = hook_url(ctx, "/availability");
    let whid = match create_webhook(
        ctx,
        &vendor,
        &app,
        &fx.processes,
        &url,
        "ssp-conformance availability",
    )
    .await
    {
        Ok(whid) => whid,
        Err(e) => return skip("createWebhookConfiguration", e),
    };
    match list(
        ctx,
        &vendor,
        "listWebhookConfigurations",
        "/webhookconfig",
        &[("whid", &whid)],
    )
    .await
    {
        Ok((request, response, items)) => {
            let verdict = expect(items.len() == 1 && holds(&items, "whid", &whid), || {
                format!(
                    "GET /webhookconfig?whid={whid} does not answer exactly the new webhook ({} items)",
                    items.len()
                )
            });
            judge(
                ctx,
                "createWebhookConfiguration",
                CHECK,
                verdict,
                &(request, response),
            );
        }
        Err(e) => skip("createWebhookConfiguration", e),
    }
    match list(
        ctx,
        &vendor,
        "listWebhookConfigurations",
        "/webhookconfig",
        &[],
    )
    .await
    {
        Ok((request, response, items)) => {
            let verdict = expect(holds(&items, "whid", &whid), || {
                format!("the new webhook {whid} is missing from GET /webhookconfig")
            });
            judge(
                ctx,
                "createWebhookConfiguration",
                CHECK,
                verdict,
                &(request, response),
            );
        }
        Err(e) => skip("createWebhookConfiguration", e),
    }
}
