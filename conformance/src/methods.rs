//! Requests outside the documented surface: every undocumented method on every
//! documented path (`unsupported_method`), and an undocumented path
//! (`unknown_path`).

use reqwest::Method;

use crate::checks::{self, input};
use crate::context::Ctx;
use crate::http::RawRequest;

/// `unsupported_method` on every documented path, and `unknown_path`.
pub async fn methods_and_paths(ctx: &Ctx) {
    let keys = ctx.subscription_keys();
    for (path, documented) in &ctx.model.path_methods {
        let Some(op) = ctx.model.operations.iter().find(|o| &o.path == path) else {
            continue;
        };
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            if documented.contains(&method)
                || !ctx.recorder.is_selected(input::UNSUPPORTED_METHOD.name)
            {
                continue;
            }
            let request = RawRequest::new(method.clone(), path.clone()).with_keys(&keys);
            match ctx.probe(&request).await {
                Ok(response) => {
                    ctx.recorder
                        .pass(&op.id, checks::response::RESPONSE_COMPLETES.name);
                    let verdict = input::unsupported_method(&response, &method, documented);
                    ctx.judge(
                        &op.id,
                        input::UNSUPPORTED_METHOD.name,
                        verdict,
                        &request,
                        Some(&response),
                    );
                }
                Err(e) => {
                    let mut failure = ctx.failure_for(&request, None);
                    failure.message = format!("{method} {path}: {e}");
                    ctx.recorder
                        .fail(&op.id, checks::response::RESPONSE_COMPLETES.name, failure);
                }
            }
        }
    }
    if ctx.recorder.is_selected(input::UNKNOWN_PATH.name) {
        let request =
            RawRequest::new(Method::GET, "/ssp-conformance/undocumented-path").with_keys(&keys);
        if let Ok(response) = ctx.probe(&request).await {
            ctx.judge(
                "(api)",
                input::UNKNOWN_PATH.name,
                input::unknown_path(&response),
                &request,
                Some(&response),
            );
        }
    }
}
