//! Live resources the generated requests refer to, so that a valid request is
//! valid for the server too (the false positive Schemathesis users meet most:
//! a schema-valid id that names nothing). A generated `applicationId` becomes one
//! of the suite's applications, `processes` become known process ids, a task id
//! becomes a task submitted through the control API, and so on; see
//! [`Fixtures::prepare`]. Operations that change the vendor itself (replace the
//! registration, regenerate the apikey) each get a vendor of their own.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::context::{Ctx, Vendor, build_request, register_vendor, success_json};
use crate::generate::pointer;
use crate::http::{Keys, RawRequest};
use crate::spec_model::Operation;

/// The shared resources of a run.
#[derive(Debug)]
pub struct Fixtures {
    /// The vendor the suite acts as.
    pub primary: Vendor,
    /// Known process ids (from `listProcesses`).
    pub processes: Vec<i64>,
    /// The application that generated webhooks belong to (its test municipality
    /// gets no tasks, so those webhooks are never called).
    pub fuzz_app: Option<String>,
    /// The application that generated updates (`?appid=`) change.
    pub update_app: Option<String>,
    /// The webhook that generated updates (`?whid=`) change.
    pub fuzz_webhook: Option<String>,
    /// The application in whose test municipality the generated tasks are submitted.
    pub task_app: Option<String>,
    /// A task that generated documents are attached to, and that negative status
    /// updates name.
    pub shared_task: Option<u64>,
    /// Why fixtures are missing, for skip reasons.
    pub missing: Vec<String>,
    scratch: tokio::sync::Mutex<HashMap<String, Vendor>>,
    initial_apps: Vec<String>,
    initial_webhooks: Vec<String>,
}

/// What a prepared request is sent with.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The keys.
    pub keys: Keys,
    /// The vendor whose keys they are (to follow a regenerated apikey).
    pub vendor: Option<Vendor>,
}

/// The webhook id in a createWebhookConfiguration answer (canonical or legacy).
pub fn whid_of(body: &Value) -> Option<String> {
    match body.get("whid").or_else(|| body.get("whid:"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Fixtures {
    /// Reads the processes and creates the shared applications, webhook and task.
    /// What cannot be created is noted in `missing`; checks that need it skip.
    pub async fn setup(ctx: &Ctx, primary: Vendor) -> Fixtures {
        let mut missing = Vec::new();
        let processes = match list_processes(ctx).await {
            Ok(p) if !p.is_empty() => p,
            Ok(_) => {
                missing.push("listProcesses returned no process".to_string());
                vec![7310]
            }
            Err(e) => {
                missing.push(e);
                vec![7310]
            }
        };
        let initial_apps = list_ids(
            ctx,
            &primary,
            "listApplicationConfigurations",
            "/applicationconfig",
            "appid",
        )
        .await;
        let initial_webhooks = list_ids(
            ctx,
            &primary,
            "listWebhookConfigurations",
            "/webhookconfig",
            "whid",
        )
        .await;
        let mut fx = Fixtures {
            primary,
            processes,
            fuzz_app: None,
            update_app: None,
            fuzz_webhook: None,
            task_app: None,
            shared_task: None,
            missing,
            scratch: tokio::sync::Mutex::new(HashMap::new()),
            initial_apps,
            initial_webhooks,
        };
        let vendor = fx.primary.clone();
        let (fuzz, update, task) = tokio::join!(
            create_app(
                ctx,
                &vendor,
                "ssp-conformance generated webhooks",
                &fx.processes
            ),
            create_app(
                ctx,
                &vendor,
                "ssp-conformance generated updates",
                &fx.processes
            ),
            create_app(
                ctx,
                &vendor,
                "ssp-conformance generated tasks",
                &fx.processes
            ),
        );
        fx.fuzz_app = fx.note(fuzz);
        fx.update_app = fx.note(update);
        fx.task_app = fx.note(task);
        if let Some(app) = fx.fuzz_app.clone() {
            let url = hook_url(ctx, "/fuzz");
            let webhook = create_webhook(
                ctx,
                &vendor,
                &app,
                &fx.processes,
                &url,
                "ssp-conformance generated",
            )
            .await;
            fx.fuzz_webhook = fx.note(webhook);
        }
        if let Some(app) = fx.task_app.clone() {
            let url = hook_url(ctx, "/tasks");
            let webhook = create_webhook(
                ctx,
                &vendor,
                &app,
                &fx.processes,
                &url,
                "ssp-conformance tasks",
            )
            .await;
            let _ = fx.note(webhook);
            let task = fx.submit_task(ctx).await;
            fx.shared_task = fx.note(task);
        }
        fx
    }

    fn note<T>(&mut self, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.missing.push(e);
                None
            }
        }
    }

    /// Why a fixture is missing, for a skip reason.
    pub fn why_missing(&self, what: &str) -> String {
        match self.missing.first() {
            Some(reason) => format!("no {what}: {reason}"),
            None => format!("no {what}"),
        }
    }

    /// Submits a new task (in the task application's test municipality).
    pub async fn submit_task(&self, ctx: &Ctx) -> Result<u64, String> {
        let control = ctx
            .control
            .as_ref()
            .ok_or("submitting a task needs a control API (--control-url)")?;
        let app = self
            .task_app
            .as_ref()
            .ok_or_else(|| self.why_missing("task application"))?;
        let process = self.processes.first().copied().unwrap_or(7310);
        Ok(control
            .submit_task(process, &json!(app), None)
            .await?
            .unique_id)
    }

    /// A vendor of its own for `op`, registered on first use. The lock is held
    /// while registering, so cases in flight at once (on any thread) share one.
    pub async fn scratch_vendor(&self, ctx: &Ctx, op: &str) -> Result<Vendor, String> {
        let mut scratch = self.scratch.lock().await;
        if let Some(vendor) = scratch.get(op) {
            return Ok(vendor.clone());
        }
        let vendor = register_vendor(ctx, &format!("ssp-conformance {op}")).await?;
        scratch.insert(op.to_string(), vendor.clone());
        Ok(vendor)
    }

    /// Pins the generated request value `input` of `op` to live resources and
    /// returns the keys to send it with. With `fresh`, resources the request uses
    /// up (an application or webhook to delete, a task to move) are created for it.
    pub async fn prepare(
        &self,
        ctx: &Ctx,
        op: &Operation,
        input: &mut Value,
        fresh: bool,
    ) -> Result<Prepared, String> {
        let processes = &self.processes;
        let pin_processes = |input: &mut Value, path: &str, key: Option<&str>| {
            if let Some(items) = input
                .pointer_mut(path)
                .and_then(Value::as_array_mut)
                .filter(|_| !processes.is_empty())
            {
                for (i, item) in items.iter_mut().enumerate() {
                    let id = json!(processes[i % processes.len()].to_string());
                    match key {
                        Some(key) => {
                            if item.is_object() {
                                item[key] = id;
                            }
                        }
                        None => *item = id,
                    }
                }
            }
        };
        let mut vendor = Some(self.primary.clone());
        match op.id.as_str() {
            "createOrUpdateApplicationConfiguration" => {
                if input.pointer("/query/appid").is_some() {
                    let app = self
                        .update_app
                        .as_ref()
                        .ok_or_else(|| self.why_missing("application to update"))?;
                    pointer::set(input, "/query/appid", json!(app));
                }
                pin_processes(input, "/body/processes", Some("processId"));
            }
            "deleteApplicationConfiguration" => {
                let app = if fresh {
                    create_app(
                        ctx,
                        &self.primary,
                        "ssp-conformance to delete",
                        &self.processes,
                    )
                    .await?
                } else {
                    self.update_app
                        .clone()
                        .ok_or_else(|| self.why_missing("application"))?
                };
                pointer::set(input, "/query/appid", json!(app));
            }
            "createWebhookConfiguration" | "updateWebhookConfiguration" => {
                let app = self
                    .fuzz_app
                    .as_ref()
                    .ok_or_else(|| self.why_missing("application for webhooks"))?;
                pointer::set(input, "/body/applicationId", json!(app));
                pointer::set(input, "/body/municipalityId", json!(app));
                pointer::set(input, "/body/callbackUrl", json!(hook_url(ctx, "/fuzz")));
                pin_processes(input, "/body/processes", None);
                if op.id == "updateWebhookConfiguration" {
                    let whid = self
                        .fuzz_webhook
                        .as_ref()
                        .ok_or_else(|| self.why_missing("webhook to update"))?;
                    pointer::set(input, "/query/whid", json!(whid));
                }
            }
            "deleteWebhookConfiguration" => {
                let whid = if fresh {
                    let app = self
                        .fuzz_app
                        .as_ref()
                        .ok_or_else(|| self.why_missing("application for webhooks"))?;
                    create_webhook(
                        ctx,
                        &self.primary,
                        app,
                        &self.processes,
                        &hook_url(ctx, "/fuzz"),
                        "ssp-conformance to delete",
                    )
                    .await?
                } else {
                    self.fuzz_webhook
                        .clone()
                        .ok_or_else(|| self.why_missing("webhook"))?
                };
                pointer::set(input, "/query/whid", json!(whid));
            }
            "updateTaskStatus" => {
                let task = if fresh {
                    self.submit_task(ctx).await?
                } else {
                    self.shared_task.ok_or_else(|| self.why_missing("task"))?
                };
                pointer::set(input, "/body/uniqueId", json!(task));
                if fresh && input.pointer("/body/newStatus") == Some(&json!("new")) {
                    // `new` -> `new` is no transition; a fresh task can move to any other.
                    pointer::set(input, "/body/newStatus", json!("inprogress"));
                }
            }
            "submitDocument" => {
                let task = self.shared_task.ok_or_else(|| self.why_missing("task"))?;
                let as_text = input
                    .pointer("/body/uniqueId")
                    .is_some_and(Value::is_string);
                let value = if as_text {
                    json!(task.to_string())
                } else {
                    json!(task)
                };
                pointer::set(input, "/body/uniqueId", value);
            }
            "updateVendorRegistration" | "regenerateApiKey" => {
                vendor = Some(self.scratch_vendor(ctx, &op.id).await?);
            }
            _ => {}
        }
        if !op.needs_api_key {
            return Ok(Prepared {
                keys: ctx.subscription_keys(),
                vendor: None,
            });
        }
        let keys = vendor.as_ref().map(Vendor::keys).unwrap_or_default();
        Ok(Prepared { keys, vendor })
    }

    /// Deletes what the run created for the primary vendor (webhooks and
    /// applications that were not there before), best effort.
    pub async fn cleanup(&self, ctx: &Ctx) {
        let webhooks = list_ids(
            ctx,
            &self.primary,
            "listWebhookConfigurations",
            "/webhookconfig",
            "whid",
        )
        .await;
        for whid in webhooks
            .iter()
            .filter(|w| !self.initial_webhooks.contains(w))
        {
            let request = RawRequest::new(Method::DELETE, "/webhookconfig")
                .with_keys(&self.primary.keys())
                .with_query("whid", whid.clone());
            let _ = ctx.call("deleteWebhookConfiguration", &request).await;
        }
        let apps = list_ids(
            ctx,
            &self.primary,
            "listApplicationConfigurations",
            "/applicationconfig",
            "appid",
        )
        .await;
        for appid in apps.iter().filter(|a| !self.initial_apps.contains(a)) {
            let request = RawRequest::new(Method::DELETE, "/applicationconfig")
                .with_keys(&self.primary.keys())
                .with_query("appid", appid.clone());
            let _ = ctx.call("deleteApplicationConfiguration", &request).await;
        }
    }
}

/// An integer, also when it came as a string of digits (reading ids is not where
/// the suite judges their type; `response_schema_conformance` does).
pub fn lenient_i64(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// The receiver URL for `path`, or a discard address when no receiver runs.
pub fn hook_url(ctx: &Ctx, path: &str) -> String {
    match &ctx.inbox {
        Some(inbox) => inbox.url(path),
        None => format!("http://127.0.0.1:9{path}"),
    }
}

async fn list_processes(ctx: &Ctx) -> Result<Vec<i64>, String> {
    let request = RawRequest::new(Method::GET, "/processes").with_keys(&ctx.subscription_keys());
    let response = ctx.call("listProcesses", &request).await?;
    let body = success_json("listProcesses", &response)?;
    Ok(body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("processId").and_then(lenient_i64))
        .collect())
}

async fn list_ids(ctx: &Ctx, vendor: &Vendor, op: &str, path: &str, key: &str) -> Vec<String> {
    let request = RawRequest::new(Method::GET, path).with_keys(&vendor.keys());
    let Ok(response) = ctx.call(op, &request).await else {
        return Vec::new();
    };
    response
        .json()
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.get(key).and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Creates an application handling `processes` for `vendor`; returns its id.
pub async fn create_app(
    ctx: &Ctx,
    vendor: &Vendor,
    name: &str,
    processes: &[i64],
) -> Result<String, String> {
    let body = json!({
        "appName": name,
        "appDescription": "created by ssp-conformance",
        "processes": processes.iter().map(|p| json!({"processId": p.to_string()})).collect::<Vec<_>>(),
    });
    let op = ctx.op("createOrUpdateApplicationConfiguration")?;
    let request = build_request(op, &json!({"query": {}, "body": body}), &vendor.keys());
    let response = ctx.call(&op.id, &request).await?;
    success_json("creating an application", &response)?
        .get("appid")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "the createOrUpdateApplicationConfiguration answer has no appid".to_string())
}

/// Creates a webhook of `vendor` for `app` (and its test municipality) calling `url`.
pub async fn create_webhook(
    ctx: &Ctx,
    vendor: &Vendor,
    app: &str,
    processes: &[i64],
    url: &str,
    name: &str,
) -> Result<String, String> {
    let body = json!({
        "whname": name,
        "applicationId": app,
        "municipalityId": app,
        "processes": processes.iter().map(i64::to_string).collect::<Vec<_>>(),
        "callbackUrl": url,
    });
    create_webhook_with(ctx, vendor, body).await
}

/// Creates a webhook from a full request body; returns its id.
pub async fn create_webhook_with(
    ctx: &Ctx,
    vendor: &Vendor,
    body: Value,
) -> Result<String, String> {
    let request = RawRequest::new(Method::POST, "/webhookconfig")
        .with_keys(&vendor.keys())
        .with_json(body);
    let response = ctx.call("createWebhookConfiguration", &request).await?;
    let body = success_json("creating a webhook", &response)?;
    whid_of(&body)
        .ok_or_else(|| format!("the createWebhookConfiguration answer has no whid: {body}"))
}
