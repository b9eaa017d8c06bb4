//! The suite against a target, from `cargo test`.
//!
//! Without environment variables this runs the whole suite against the embedded
//! sandbox. A vendor runs it against their own implementation with
//!
//! ```sh
//! SSP_BASE_URL=https://... SSP_SUBSCRIPTION_KEY=... [SSP_API_KEY=...] [SSP_CONTROL_URL=...] \
//!     cargo test -p smartservice-conformance --features tls --test target -- --nocapture
//! ```
//!
//! and sees the summary (and every failure with its curl reproduction) in the
//! test output.

mod support;

use smartservice_conformance::{TargetConfig, checks, report};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_target_conforms_to_the_contract() {
    let mut config = support::quick_config();
    config.cases = 10;
    let embedded = match env("SSP_BASE_URL") {
        None => true,
        Some(base_url) => {
            config.target = TargetConfig::Remote {
                base_url,
                subscription_key: env("SSP_SUBSCRIPTION_KEY")
                    .expect("SSP_BASE_URL needs SSP_SUBSCRIPTION_KEY"),
                api_key: env("SSP_API_KEY"),
                control_url: env("SSP_CONTROL_URL"),
            };
            false
        }
    };
    let report = smartservice_conformance::run(config)
        .await
        .expect("the run is carried out");
    println!("{}", report::summary::render(&report));
    assert!(
        !report.failed(),
        "conformance failures:\n{}",
        support::failure_lines(&report)
    );
    if embedded {
        // Against the sandbox, every check of the suite is applied and passes.
        let applied = report.by_check();
        for check in checks::ALL {
            let passed = applied
                .iter()
                .find(|(name, _, _)| *name == check.name)
                .map(|(_, t, _)| t.passed);
            assert!(passed.unwrap_or(0) > 0, "{} was never applied", check.name);
        }
    }
}
