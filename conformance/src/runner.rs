//! One run, start to finish: start the target and the receiver, set up vendors
//! and fixtures, run every phase concurrently (generated cases per operation,
//! methods and paths, state checks, the workflow, the scenarios), clean up, and
//! write the reports.

use std::sync::Arc;
use std::time::Instant;

use reqwest::Method;
use serde_json::Value;

use crate::callbacks::Inbox;
use crate::checks;
use crate::config::Config;
use crate::context::{Ctx, Settings, Vendor, register_vendor};
use crate::control::Control;
use crate::fixtures::Fixtures;
use crate::http::{Http, RawRequest, TransportError};
use crate::lanes::{self, Phase};
use crate::progress::Progress;
use crate::record::Recorder;
use crate::report::{self, Row, RunReport};
use crate::secrets::Secrets;
use crate::spec_model::SpecModel;
use crate::target::Target;
use crate::{fuzz, scenarios, workflow};

/// Why a run could not be carried out (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// The operations each phase reports on (for `--operations`).
const STATE_OPERATIONS: &[(&str, &[&str])] = &[
    (
        "ensure_resource_availability",
        &[
            "createVendorRegistration",
            "createOrUpdateApplicationConfiguration",
            "listMunicipalities",
            "createWebhookConfiguration",
        ],
    ),
    (
        "use_after_free",
        &[
            "deleteWebhookConfiguration",
            "deleteApplicationConfiguration",
        ],
    ),
    (
        "update_persistence",
        &[
            "updateVendorRegistration",
            "updateWebhookConfiguration",
            "createOrUpdateApplicationConfiguration",
        ],
    ),
    ("revoked_apikey", &["regenerateApiKey"]),
    (
        "vendor_isolation",
        &[
            "getVendorRegistrations",
            "listApplicationConfigurations",
            "listMunicipalities",
            "listWebhookConfigurations",
            "createOrUpdateApplicationConfiguration",
            "createWebhookConfiguration",
            "updateWebhookConfiguration",
            "deleteWebhookConfiguration",
            "deleteApplicationConfiguration",
            "updateTaskStatus",
            "submitDocument",
        ],
    ),
];

/// Runs the suite as configured and returns the report; an error means the run
/// could not be carried out (the message says what to fix).
pub async fn run(config: Config) -> Result<RunReport, SetupError> {
    let started = Instant::now();
    let model = Arc::new(SpecModel::embedded().map_err(SetupError)?);
    if let Some(ops) = &config.operations {
        for op in ops {
            if model.operation(op).is_none() {
                let known: Vec<&str> = model.operations.iter().map(|o| o.id.as_str()).collect();
                return Err(SetupError(format!(
                    "unknown operation `{op}`; the operations are: {}",
                    known.join(", ")
                )));
            }
        }
    }
    let seed = config.seed.unwrap_or_else(fresh_seed);
    let progress = Progress::new(config.progress);
    let target = Target::start(&config.target).await.map_err(SetupError)?;
    let secrets = Secrets::new();
    secrets.add(&target.subscription_key);
    if let Some(key) = &target.api_key {
        secrets.add(key);
    }
    progress.say(&format!(
        "ssp-conformance: {} (seed {seed}, {} cases per operation)",
        target.description, config.cases
    ));
    let result = run_against(
        &config,
        &target,
        model,
        seed,
        secrets,
        progress.clone(),
        started,
    )
    .await;
    progress.finish();
    target.shutdown().await;
    result
}

async fn run_against(
    config: &Config,
    target: &Target,
    model: Arc<SpecModel>,
    seed: u64,
    secrets: Secrets,
    progress: Progress,
    started: Instant,
) -> Result<RunReport, SetupError> {
    let ctx = connect(
        config,
        target,
        model.clone(),
        seed,
        secrets,
        progress.clone(),
    )
    .await?;
    let (http, recorder) = (ctx.http.clone(), ctx.recorder.clone());
    let primary = match &target.api_key {
        Some(key) => Vendor::new(String::new(), &target.subscription_key, key),
        None => register_vendor(&ctx, "ssp-conformance")
            .await
            .map_err(|e| SetupError(format!("cannot register the suite's vendor: {e}")))?,
    };
    let fixtures = Arc::new(Fixtures::setup(&ctx, primary).await);
    progress.say(&format!(
        "  set up in {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    for missing in &fixtures.missing {
        progress.say(&format!("  note: {missing}"));
    }

    let selected = |op: &str| {
        config
            .operations
            .as_ref()
            .is_none_or(|ops| ops.iter().any(|o| o == op))
    };
    let mut phases: Vec<(String, Phase)> = Vec::new();
    for op in model.operations.iter().filter(|op| selected(&op.id)) {
        let count = fuzz::shard_count(op, config.cases, config.threads);
        for index in 0..count {
            let (fx, op) = (fixtures.clone(), op.clone());
            let shard = fuzz::Shard { index, count };
            let name = if count == 1 {
                op.id.clone()
            } else {
                format!("{} (part {} of {count})", op.id, index + 1)
            };
            phases.push((
                name,
                Box::new(move |c| {
                    Box::pin(async move { fuzz::run_operation(&c, &fx, &op, shard).await })
                }),
            ));
        }
    }
    if config.operations.is_none() {
        phases.push((
            "methods and paths".into(),
            Box::new(|c| Box::pin(async move { crate::methods::methods_and_paths(&c).await })),
        ));
    }
    for (check, ops) in STATE_OPERATIONS {
        if !recorder.is_selected(check) || !ops.iter().any(|op| selected(op)) {
            continue;
        }
        let fx = fixtures.clone();
        let phase: Phase = match *check {
            "ensure_resource_availability" => Box::new(move |c| {
                Box::pin(async move { checks::state::availability::run(&c, &fx).await })
            }),
            "use_after_free" => Box::new(move |c| {
                Box::pin(async move { checks::state::use_after_free::run(&c, &fx).await })
            }),
            "update_persistence" => Box::new(move |c| {
                Box::pin(async move { checks::state::persistence::run(&c, &fx).await })
            }),
            "revoked_apikey" => Box::new(move |c| {
                Box::pin(async move { checks::state::revoked_apikey::run(&c).await })
            }),
            _ => Box::new(move |c| {
                Box::pin(async move { checks::state::isolation::run(&c, &fx).await })
            }),
        };
        phases.push((check.to_string(), phase));
    }
    if config.operations.is_none()
        || ["updateTaskStatus", "submitDocument"]
            .iter()
            .any(|op| selected(op))
    {
        let fx = fixtures.clone();
        phases.push((
            "workflow".into(),
            Box::new(move |c| Box::pin(async move { workflow::run(&c, &fx).await })),
        ));
    }
    if config.operations.is_none() && recorder.is_selected(scenarios::SCENARIO_REPLAY.name) {
        phases.push((
            "scenarios".into(),
            Box::new(|c| Box::pin(async move { replay_scenarios(&c).await })),
        ));
    }

    progress.add_work(phases.len() as u64);
    lanes::run(&ctx, phases, config.threads, &progress)
        .await
        .map_err(SetupError)?;
    fixtures.cleanup(&ctx).await;

    let rows: Vec<Row> = recorder
        .tallies()
        .into_iter()
        .filter(|((op, _), _)| config.operations.is_none() || selected(op))
        .map(|((operation, check), tally)| Row {
            operation,
            check,
            tally,
        })
        .collect();
    let report = RunReport {
        target: target.description.clone(),
        seed,
        cases: config.cases,
        requests: http.requests_sent(),
        wall_time_ms: started.elapsed().as_millis() as u64,
        rows: order_rows(rows, &model),
        notes: recorder.notes(),
    };
    write_outputs(config, &report)?;
    Ok(report)
}

/// Checks that the target can be reached, starts the receiver and builds the
/// shared state of a run.
async fn connect(
    config: &Config,
    target: &Target,
    model: Arc<SpecModel>,
    seed: u64,
    secrets: Secrets,
    progress: Progress,
) -> Result<Arc<Ctx>, SetupError> {
    if target.base_url.starts_with("https://") && !cfg!(feature = "tls") {
        return Err(SetupError(format!(
            "{} is an https URL, and this build has no TLS; rebuild with `--features tls`",
            target.base_url
        )));
    }
    let http = Arc::new(
        Http::new(&target.base_url, config.timeout, config.max_body_bytes).map_err(SetupError)?,
    );
    probe_reachable(&http, &target.base_url).await?;
    let (inbox, bound) = Inbox::start(config.webhook_listen, config.webhook_public_url.clone())
        .await
        .map_err(SetupError)?;
    if let Some(hook) = &config.receiver_bound {
        (hook.0)(bound);
    }
    let control = target
        .control_url
        .as_ref()
        .map(|url| Control::new(http.clone(), url, &target.subscription_key));
    let recorder = Arc::new(Recorder::new(
        config.checks.clone(),
        secrets.clone(),
        progress.clone(),
    ));
    let settings = Settings {
        cases: config.cases,
        seed,
        webhook_timeout: config.webhook_timeout,
        concurrency: config.concurrency,
        max_shrink_steps: config.max_shrink_steps,
    };
    Ok(Arc::new(Ctx::new(
        model,
        http.clone(),
        recorder.clone(),
        secrets,
        settings,
        target.subscription_key.clone(),
        control,
        Some(inbox),
    )))
}

/// Rows in spec order of operations, then registry order of checks.
fn order_rows(mut rows: Vec<Row>, model: &SpecModel) -> Vec<Row> {
    let op_rank = |op: &str| {
        model
            .operations
            .iter()
            .position(|o| o.id == op)
            .unwrap_or(match op {
                workflow::CALLBACK_OPERATION => 1000,
                "(api)" => 1001,
                _ => 1002,
            })
    };
    let check_rank = |check: &str| {
        checks::ALL
            .iter()
            .position(|c| c.name == check)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|r| (op_rank(&r.operation), check_rank(&r.check)));
    rows
}

fn write_outputs(config: &Config, report: &RunReport) -> Result<(), SetupError> {
    let write = |path: &std::path::PathBuf, text: String| {
        std::fs::write(path, text)
            .map_err(|e| SetupError(format!("cannot write {}: {e}", path.display())))
    };
    if let Some(path) = &config.json {
        write(path, report::json::render(report))?;
    }
    if let Some(path) = &config.junit {
        write(path, report::junit::render(report).map_err(SetupError)?)?;
    }
    if let Some(path) = &config.markdown {
        write(path, report::markdown::render(report))?;
    }
    Ok(())
}

/// Fails early, with what to fix, when the target cannot be reached at all.
async fn probe_reachable(http: &Http, base_url: &str) -> Result<(), SetupError> {
    let request = RawRequest::new(Method::GET, "/processes");
    match http.send(&request).await {
        Ok(_) => Ok(()),
        Err(e @ TransportError::Connect(_)) => {
            Err(SetupError(format!("cannot reach {base_url}: {e}")))
        }
        Err(_) => Ok(()),
    }
}

/// Replays the embedded scenarios only (no generated cases, no state or workflow
/// checks) against the configured target; returns each replay, with its
/// normalised transcript, and the report of the per-response and replay checks.
pub async fn replay_scenarios_against(
    config: Config,
) -> Result<(Vec<scenarios::Replay>, RunReport), SetupError> {
    let started = Instant::now();
    let model = Arc::new(SpecModel::embedded().map_err(SetupError)?);
    let seed = config.seed.unwrap_or_else(fresh_seed);
    let progress = Progress::new(config.progress);
    let target = Target::start(&config.target).await.map_err(SetupError)?;
    let secrets = Secrets::new();
    secrets.add(&target.subscription_key);
    let result = async {
        let ctx = connect(&config, &target, model.clone(), seed, secrets, progress).await?;
        let list = scenarios::embedded().map_err(SetupError)?;
        let mut replays = Vec::new();
        for scenario in &list {
            replays.push(scenarios::replay(&ctx, scenario).await);
        }
        let rows = ctx
            .recorder
            .tallies()
            .into_iter()
            .map(|((operation, check), tally)| Row {
                operation,
                check,
                tally,
            })
            .collect();
        let report = RunReport {
            target: target.description.clone(),
            seed,
            cases: 0,
            requests: ctx.http.requests_sent(),
            wall_time_ms: started.elapsed().as_millis() as u64,
            rows: order_rows(rows, &model),
            notes: ctx.recorder.notes(),
        };
        Ok((replays, report))
    }
    .await;
    target.shutdown().await;
    result
}

async fn replay_scenarios(ctx: &Ctx) {
    let list = match scenarios::embedded() {
        Ok(list) => list,
        Err(e) => {
            ctx.recorder.fail(
                "(scenarios)",
                scenarios::SCENARIO_REPLAY.name,
                crate::record::Failure::new(e),
            );
            return;
        }
    };
    let runs = list.iter().map(|s| scenarios::replay(ctx, s));
    futures::future::join_all(runs).await;
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (nanos ^ (std::process::id() as u64).rotate_left(32)) % 1_000_000_007
}

/// The JSON value of a report (for tests and tools).
pub fn report_value(report: &RunReport) -> Value {
    serde_json::to_value(report).unwrap_or(Value::Null)
}
