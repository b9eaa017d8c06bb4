//! `revoked_apikey`: regenerating the apikey revokes the old one at once.

use reqwest::Method;
use serde_json::Value;

use super::{REVOKED_APIKEY, expect, judge, send};
use crate::context::{Ctx, register_vendor};
use crate::http::{Keys, RawRequest};
use crate::record::Verdict;

const CHECK: &str = REVOKED_APIKEY.name;
const OP: &str = "regenerateApiKey";

/// Regenerates a vendor's apikey and tries the old and the new one.
pub async fn run(ctx: &Ctx) {
    let vendor = match register_vendor(ctx, "ssp-conformance revoked apikey").await {
        Ok(v) => v,
        Err(e) => return ctx.recorder.skip(OP, CHECK, e),
    };
    let old = vendor.api_key();
    let regenerate = RawRequest::new(Method::POST, "/vendorregistration/regenerateapikey")
        .with_keys(&vendor.keys());
    let new = match send(ctx, OP, regenerate).await {
        Ok((request, response)) if response.is_success() => {
            let key = response
                .json()
                .ok()
                .and_then(|b| b.get("apikey").and_then(Value::as_str).map(str::to_string));
            let verdict = match &key {
                Some(key) if *key != old => Verdict::Pass,
                Some(_) => Verdict::Fail("regenerateApiKey answered the old apikey again".into()),
                None => Verdict::Skip(
                    "the answer has no apikey (see response_schema_conformance)".into(),
                ),
            };
            judge(ctx, OP, CHECK, verdict, &(request, response));
            match key {
                Some(key) => key,
                None => return,
            }
        }
        Ok((_, response)) => {
            return ctx.recorder.skip(
                OP,
                CHECK,
                format!("regenerating failed with {}", response.status),
            );
        }
        Err(e) => return ctx.recorder.skip(OP, CHECK, e),
    };
    ctx.secrets.add(&new);
    vendor.set_api_key(&new);
    let with_old = RawRequest::new(Method::GET, "/applicationconfig")
        .with_keys(&Keys::vendor(&ctx.subscription_key, &old));
    if let Ok(exchange) = send(ctx, "listApplicationConfigurations", with_old).await {
        let status = exchange.1.status;
        let verdict = match status {
            401 => Verdict::Pass,
            s if s >= 500 => {
                Verdict::Skip(format!("the server answered {s} (see not_a_server_error)"))
            }
            s => Verdict::Fail(format!("the revoked apikey was answered {s}, not 401")),
        };
        judge(ctx, OP, CHECK, verdict, &exchange);
    }
    let with_new = RawRequest::new(Method::GET, "/applicationconfig").with_keys(&vendor.keys());
    if let Ok(exchange) = send(ctx, "listApplicationConfigurations", with_new).await {
        let ok = exchange.1.is_success();
        let verdict = expect(ok, || {
            format!("the new apikey was answered {}", exchange.1.status)
        });
        judge(ctx, OP, CHECK, verdict, &exchange);
    }
}
