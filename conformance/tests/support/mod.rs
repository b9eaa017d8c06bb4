//! Running the suite in tests: against the embedded sandbox, or through fault
//! proxies planted in front of it and in front of the suite's receiver.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use smartservice_conformance::config::ReceiverHook;
use smartservice_conformance::fault::{Defect, FaultProxy, Side};
use smartservice_conformance::progress::ProgressMode;
use smartservice_conformance::{Config, RunReport, TargetConfig};

/// A quick configuration: few random cases, a fixed seed, no progress output.
pub fn quick_config() -> Config {
    Config {
        cases: 5,
        seed: Some(7),
        progress: ProgressMode::Quiet,
        timeout: Duration::from_secs(5),
        webhook_timeout: Duration::from_secs(5),
        ..Config::default()
    }
}

/// Runs the suite against a fresh sandbox behind fault proxies planting `defect`
/// (none: the proxies forward faithfully).
pub async fn run_through_proxies(defect: Option<Defect>) -> RunReport {
    run_through_proxies_with(defect, |_| {}).await
}

/// [`run_through_proxies`] with the configuration adjusted by `adjust`.
pub async fn run_through_proxies_with(
    defect: Option<Defect>,
    adjust: impl FnOnce(&mut Config),
) -> RunReport {
    let sandbox = smartservice_sandbox::Sandbox::start(smartservice_sandbox::Config::ephemeral())
        .await
        .expect("the sandbox starts");
    let on = |side| defect.filter(|d| d.side() == side);
    let api = FaultProxy::start(Some(sandbox.base_url().to_string()), on(Side::Api))
        .await
        .expect("the API proxy starts");
    let hooks = FaultProxy::start(None, on(Side::Callbacks))
        .await
        .expect("the callback proxy starts");
    let hooks_upstream = hooks.clone();
    let mut config = quick_config();
    config.target = TargetConfig::Remote {
        base_url: api.url.clone(),
        subscription_key: sandbox.subscription_key().to_string(),
        api_key: None,
        control_url: Some(format!(
            "{}/sandbox",
            sandbox.base_url().trim_end_matches('/')
        )),
    };
    config.webhook_public_url = Some(hooks.url.clone());
    config.receiver_bound = Some(ReceiverHook(Arc::new(move |addr| {
        hooks_upstream.set_upstream(&format!("http://{addr}"))
    })));
    if defect == Some(Defect::HangingEndpoint) {
        config.timeout = Duration::from_millis(300);
    }
    adjust(&mut config);
    let report = smartservice_conformance::run(config)
        .await
        .expect("the run is carried out");
    sandbox.shutdown().await;
    report
}

/// The failures of a report, one line each, for assertion messages.
pub fn failure_lines(report: &RunReport) -> String {
    report
        .rows
        .iter()
        .flat_map(|row| {
            row.tally
                .failures
                .iter()
                .map(move |f| format!("{} / {}: {}", row.operation, row.check, f.message))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
