//! Snapshot replay: request sequences written down as files under
//! `conformance/scenarios/` (embedded in the binary), replayed against the
//! target with every response put through the per-response checks, each step's
//! expected status checked (`scenario_replay`), and a normalised transcript kept
//! (ids, keys and times replaced by stable placeholders) that the crate's tests
//! compare with insta snapshots, so that a change of behaviour shows in review.
//!
//! A step names an operation of the spec (method and path come from there), the
//! keys to send (`subscription`, `vendor`, `none`, `wrong`), query and body, the
//! expected status, and JSON pointers whose values to `save` as variables for
//! later steps (`${name}`). A step with `control: submit_task` submits a task
//! through the control API instead (the scenario then `needs: [control]`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::checks::{CheckInfo, CheckKind};
use crate::context::{Ctx, build_request};
use crate::http::{Keys, RawRequest};
use crate::record::{Failure, Verdict};

/// `scenario_replay`
pub const SCENARIO_REPLAY: CheckInfo = CheckInfo {
    name: "scenario_replay",
    doc: "Every step of the recorded scenarios (conformance/scenarios/) gets its expected status.",
    kind: CheckKind::Replay,
};

/// The scenarios shipped with the suite: (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "vendor_lifecycle.yaml",
        include_str!("../scenarios/vendor_lifecycle.yaml"),
    ),
    (
        "application_and_webhook.yaml",
        include_str!("../scenarios/application_and_webhook.yaml"),
    ),
    (
        "errors_and_reference_data.yaml",
        include_str!("../scenarios/errors_and_reference_data.yaml"),
    ),
    (
        "task_status.yaml",
        include_str!("../scenarios/task_status.yaml"),
    ),
];

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Its name (the snapshot's name).
    pub name: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// What the target must offer besides the API (`control`).
    #[serde(default)]
    pub needs: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step does.
    pub name: String,
    /// The operation id (absent for control steps).
    #[serde(default)]
    pub op: Option<String>,
    /// A control API action instead of an operation (`submit_task`).
    #[serde(default)]
    pub control: Option<String>,
    /// Which keys to send: `subscription`, `vendor` (the saved `apikey`), `none`, `wrong`.
    #[serde(default = "default_keys")]
    pub keys: String,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, Value>,
    /// The JSON body (or the control action's input).
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw, non-JSON body sent as application/json.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The expected status.
    #[serde(default)]
    pub expect: Option<u16>,
    /// Variables to keep: name -> JSON pointer into the answer.
    #[serde(default)]
    pub save: BTreeMap<String, String>,
}

fn default_keys() -> String {
    "vendor".into()
}

/// Parses a scenario file; the error names the file and the problem.
pub fn parse(file: &str, text: &str) -> Result<Scenario, String> {
    let scenario: Scenario =
        serde_norway::from_str(text).map_err(|e| format!("scenario {file}: {e}"))?;
    for step in &scenario.steps {
        if step.op.is_none() == step.control.is_none() {
            return Err(format!(
                "scenario {file}, step {:?}: give exactly one of `op` and `control`",
                step.name
            ));
        }
    }
    Ok(scenario)
}

/// The embedded scenarios, parsed.
pub fn embedded() -> Result<Vec<Scenario>, String> {
    EMBEDDED
        .iter()
        .map(|(file, text)| parse(file, text))
        .collect()
}

/// What one replay produced: the normalised transcript and whether every step
/// got its expected status.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The scenario's name.
    pub name: String,
    /// Steps with normalised request and response.
    pub transcript: Value,
    /// Steps whose status was not the expected one.
    pub mismatches: Vec<String>,
    /// Why the scenario was skipped, if it was.
    pub skipped: Option<String>,
}

/// Replays one scenario against the target.
pub async fn replay(ctx: &Ctx, scenario: &Scenario) -> Replay {
    let mut out = Replay {
        name: scenario.name.clone(),
        transcript: Value::Array(Vec::new()),
        mismatches: Vec::new(),
        skipped: None,
    };
    if scenario.needs.iter().any(|n| n == "control") && ctx.control.is_none() {
        let reason = format!(
            "scenario {} needs a control API (--control-url)",
            scenario.name
        );
        ctx.recorder
            .skip("(scenarios)", SCENARIO_REPLAY.name, reason.clone());
        out.skipped = Some(reason);
        return out;
    }
    let mut vars: BTreeMap<String, Value> = BTreeMap::new();
    let mut steps = Vec::new();
    for step in &scenario.steps {
        let query: Map<String, Value> = step
            .query
            .iter()
            .map(|(k, v)| (k.clone(), substitute(v, &vars)))
            .collect();
        let body = step.body.as_ref().map(|b| substitute(b, &vars));
        if let Some(action) = &step.control {
            let result = run_control(ctx, action, body.as_ref()).await;
            match result {
                Ok(answer) => {
                    save(&step.save, &answer, &mut vars);
                    // The task's citizen data is partly made up by the control API
                    // (at random); the transcript keeps what the scenario decides.
                    let kept: Map<String, Value> =
                        ["uniqueId", "status", "processId", "municipalityId"]
                            .iter()
                            .filter_map(|k| answer.get(*k).map(|v| (k.to_string(), v.clone())))
                            .collect();
                    steps.push(
                        json!({"step": step.name, "control": action, "body": body, "answer": kept}),
                    );
                }
                Err(e) => {
                    let message = format!("{}: step {:?}: {e}", scenario.name, step.name);
                    ctx.recorder.fail(
                        "(scenarios)",
                        SCENARIO_REPLAY.name,
                        Failure::new(message.clone()),
                    );
                    out.mismatches.push(message);
                    break;
                }
            }
            continue;
        }
        let op_id = step.op.as_deref().unwrap_or_default();
        let Ok(op) = ctx.op(op_id) else {
            let message = format!(
                "{}: step {:?} names no operation of the spec ({op_id})",
                scenario.name, step.name
            );
            ctx.recorder.fail(
                "(scenarios)",
                SCENARIO_REPLAY.name,
                Failure::new(message.clone()),
            );
            out.mismatches.push(message);
            break;
        };
        let keys = match step.keys.as_str() {
            "subscription" => ctx.subscription_keys(),
            "none" => Keys::default(),
            "wrong" => Keys::vendor(
                "ssp-conformance-unknown-subscription-key",
                "ak_ssp_conformance_unknown_apikey",
            ),
            _ => Keys::vendor(
                &ctx.subscription_key,
                vars.get("apikey")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
        };
        let mut input = json!({"query": query});
        if let Some(body) = &body {
            input["body"] = body.clone();
        }
        let mut request: RawRequest = build_request(op, &input, &keys);
        if let Some(raw) = &step.raw_body {
            request.body = crate::http::RequestBody::Raw {
                content_type: "application/json".into(),
                bytes: raw.clone().into_bytes(),
            };
        }
        let Some(response) = ctx.exchange(op, &request).await else {
            out.mismatches.push(format!(
                "{}: step {:?}: no complete response",
                scenario.name, step.name
            ));
            break;
        };
        let answer = response.json().unwrap_or_else(|_| {
            if response.body.is_empty() {
                Value::Null
            } else {
                Value::String(response.body_excerpt(200))
            }
        });
        if let Some(key) = answer.get("apikey").and_then(Value::as_str) {
            ctx.secrets.add(key);
        }
        save(&step.save, &answer, &mut vars);
        let verdict = match step.expect {
            Some(expected) if expected != response.status => {
                let message = format!(
                    "{}: step {:?} ({} {}) answered {}, the scenario expects {expected}",
                    scenario.name,
                    step.name,
                    op.method,
                    request.path_and_query(),
                    response.status
                );
                out.mismatches.push(message.clone());
                Verdict::Fail(message)
            }
            _ => Verdict::Pass,
        };
        ctx.judge(
            &op.id,
            SCENARIO_REPLAY.name,
            verdict,
            &request,
            Some(&response),
        );
        steps.push(json!({
            "step": step.name,
            "request": format!("{} {}", op.method, request.path_and_query()),
            "keys": step.keys,
            "body": body,
            "status": response.status,
            "answer": answer,
        }));
    }
    out.transcript = normalise(&Value::Array(steps), &vars);
    out
}

async fn run_control(ctx: &Ctx, action: &str, body: Option<&Value>) -> Result<Value, String> {
    let control = ctx.control.as_ref().ok_or("no control API")?;
    match action {
        "submit_task" => {
            let body = body.ok_or("submit_task needs a body {processId, municipalityId, form?}")?;
            let process = body
                .get("processId")
                .and_then(Value::as_i64)
                .ok_or("submit_task: processId must be an integer")?;
            let municipality = body.get("municipalityId").cloned().unwrap_or(json!(1));
            Ok(control
                .submit_task(process, &municipality, body.get("form").cloned())
                .await?
                .raw)
        }
        other => Err(format!(
            "unknown control action {other:?} (known: submit_task)"
        )),
    }
}

fn save(wanted: &BTreeMap<String, String>, answer: &Value, vars: &mut BTreeMap<String, Value>) {
    for (name, pointer) in wanted {
        let value = answer
            .pointer(pointer)
            .or_else(|| {
                if pointer == "/whid" {
                    answer.get("whid:")
                } else {
                    None
                }
            })
            .cloned();
        if let Some(value) = value {
            vars.insert(name.clone(), value);
        }
    }
}

/// Replaces `${name}` in strings (a whole-string reference keeps the variable's type).
fn substitute(value: &Value, vars: &BTreeMap<String, Value>) -> Value {
    match value {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
                && let Some(v) = vars.get(name)
            {
                return v.clone();
            }
            let mut out = s.clone();
            for (name, v) in vars {
                let text = match v {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("${{{name}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, vars)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The transcript with every saved variable's value replaced by `[name]`, and
/// times, apikeys and unknown UUIDs by placeholders, so that it is the same on
/// every run.
pub fn normalise(transcript: &Value, vars: &BTreeMap<String, Value>) -> Value {
    let mut known: Vec<(String, String)> = vars
        .iter()
        .filter_map(|(name, v)| {
            let text = match v {
                Value::String(s) if !s.is_empty() => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((text, format!("[{name}]")))
        })
        .collect();
    known.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    walk_normalise(transcript, &known, None)
}

fn walk_normalise(value: &Value, known: &[(String, String)], key: Option<&str>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), walk_normalise(v, known, Some(k))))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| walk_normalise(v, known, key))
                .collect(),
        ),
        Value::String(s) => {
            if key.is_some_and(|k| k.eq_ignore_ascii_case("apikey")) {
                return json!("[apikey]");
            }
            if let Some((_, placeholder)) = known.iter().find(|(text, _)| text == s) {
                return json!(placeholder);
            }
            if looks_like_time(s) {
                return json!("[time]");
            }
            if uuid::Uuid::try_parse(s).is_ok() {
                return json!("[uuid]");
            }
            let mut out = s.clone();
            for (text, placeholder) in known {
                if text.len() >= 6 && out.contains(text.as_str()) {
                    out = out.replace(text.as_str(), placeholder);
                }
            }
            Value::String(out)
        }
        Value::Number(n) => {
            let text = n.to_string();
            match known.iter().find(|(t, _)| *t == text) {
                Some((_, placeholder)) if text.len() >= 3 => json!(placeholder),
                _ => value.clone(),
            }
        }
        other => other.clone(),
    }
}

fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_scenario_parses_and_names_real_operations() {
        let model = crate::spec_model::SpecModel::embedded().unwrap();
        for scenario in embedded().unwrap() {
            for step in &scenario.steps {
                if let Some(op) = &step.op {
                    assert!(model.operation(op).is_some(), "{}: {op}", scenario.name);
                }
            }
        }
    }

    #[test]
    fn normalising_replaces_saved_values_times_and_keys() {
        let mut vars = BTreeMap::new();
        vars.insert(
            "appid".to_string(),
            json!("f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b"),
        );
        vars.insert("task".to_string(), json!(100001));
        let t = json!([{"answer": {"appid": "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b", "uniqueId": 100001,
            "datereceived": "2026-12-04 20:00:00", "apikey": "ak_1", "other": "0b6f7d0e-6c1f-4c5e-9a56-3f4bd1a7c2e1"},
            "request": "GET /webhookconfig?appid=f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b"}]);
        assert_eq!(
            normalise(&t, &vars),
            json!([{"answer": {"appid": "[appid]", "uniqueId": "[task]", "datereceived": "[time]", "apikey": "[apikey]", "other": "[uuid]"},
                "request": "GET /webhookconfig?appid=[appid]"}])
        );
    }

    #[test]
    fn substitution_keeps_types_of_whole_references() {
        let mut vars = BTreeMap::new();
        vars.insert("task".to_string(), json!(7));
        vars.insert("app".to_string(), json!("abc"));
        assert_eq!(
            substitute(&json!({"a": "${task}", "b": "x-${app}-${task}"}), &vars),
            json!({"a": 7, "b": "x-abc-7"})
        );
    }
}
