//! Runs with less than everything: no control API, one operation only.

mod support;

use std::time::Duration;

use smartservice_conformance::TargetConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_control_api_task_checks_wait_then_skip_with_the_reason() {
    let sandbox = smartservice_sandbox::Sandbox::start(smartservice_sandbox::Config::ephemeral())
        .await
        .unwrap();
    let mut config = support::quick_config();
    config.webhook_timeout = Duration::from_millis(200);
    config.target = TargetConfig::Remote {
        base_url: sandbox.base_url().to_string(),
        subscription_key: sandbox.subscription_key().to_string(),
        api_key: None,
        control_url: None,
    };
    let report = smartservice_conformance::run(config).await.unwrap();
    sandbox.shutdown().await;
    assert!(!report.failed(), "{}", support::failure_lines(&report));
    for check in [
        "webhook_callback_conformance",
        "status_transitions",
        "failed_refund_callback",
        "address_query_answer",
    ] {
        let row = report
            .rows
            .iter()
            .find(|r| r.check == check)
            .unwrap_or_else(|| panic!("{check} is not reported"));
        assert_eq!((row.tally.passed, row.tally.failed), (0, 0), "{check}");
        assert!(
            row.tally
                .skip_reasons
                .iter()
                .any(|r| r.contains("--control-url")),
            "{check}: {:?}",
            row.tally.skip_reasons
        );
    }
    // Everything that needs no task still ran.
    let applied: Vec<&str> = report
        .by_check()
        .iter()
        .filter(|(_, t, _)| t.passed > 0)
        .map(|(c, _, _)| *c)
        .collect();
    for check in [
        "vendor_isolation",
        "use_after_free",
        "revoked_apikey",
        "negative_data_rejection",
    ] {
        assert!(applied.contains(&check), "{check} did not run");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_and_checks_narrow_a_run_to_a_replay() {
    let mut config = support::quick_config();
    config.operations = Some(vec!["createVendorRegistration".into()]);
    config.checks = smartservice_conformance::checks::CheckSelection::new(
        &["positive_data_acceptance".into()],
        &[],
    )
    .unwrap();
    let report = smartservice_conformance::run(config).await.unwrap();
    assert!(!report.rows.is_empty());
    for row in &report.rows {
        assert_eq!(
            (row.operation.as_str(), row.check.as_str()),
            ("createVendorRegistration", "positive_data_acceptance")
        );
    }
    assert!(report.rows[0].tally.passed >= 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_threads_change_speed_not_results() {
    let tallies = |report: &smartservice_conformance::RunReport| {
        report
            .rows
            .iter()
            .filter(|r| {
                // Generated cases only: their number does not depend on timing
                // (a webhook may be retried a different number of times).
                [
                    "positive_data_acceptance",
                    "negative_data_rejection",
                    "missing_api_key",
                    "wrong_subscription_key",
                ]
                .contains(&r.check.as_str())
            })
            .map(|r| {
                (
                    r.operation.clone(),
                    r.check.clone(),
                    r.tally.passed,
                    r.tally.failed,
                    r.tally.skipped,
                )
            })
            .collect::<Vec<_>>()
    };
    let mut one = support::quick_config();
    one.threads = 1;
    let mut three = support::quick_config();
    three.threads = 3;
    let one = smartservice_conformance::run(one).await.unwrap();
    let three = smartservice_conformance::run(three).await.unwrap();
    assert!(!three.failed(), "{}", support::failure_lines(&three));
    assert_eq!(
        one.rows
            .iter()
            .map(|r| (&r.operation, &r.check))
            .collect::<Vec<_>>(),
        three
            .rows
            .iter()
            .map(|r| (&r.operation, &r.check))
            .collect::<Vec<_>>(),
        "the same (operation, check) pairs are reported"
    );
    assert!(!tallies(&one).is_empty());
    assert_eq!(tallies(&one), tallies(&three));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cases_share_one_scratch_vendor() {
    // Concurrency must not change what is sent: in particular, the cases of
    // updateVendorRegistration in flight at once, on one thread or two, register
    // one scratch vendor between them, not one each.
    let run = |concurrency: usize, threads: usize| async move {
        let mut config = support::quick_config();
        config.cases = 20;
        config.concurrency = concurrency;
        config.threads = threads;
        config.operations = Some(vec!["updateVendorRegistration".into()]);
        smartservice_conformance::run(config).await.unwrap()
    };
    let one_at_a_time = run(1, 1).await;
    let sixteen = run(16, 2).await;
    assert!(!sixteen.failed(), "{}", support::failure_lines(&sixteen));
    assert_eq!(one_at_a_time.requests, sixteen.requests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_sends_the_same_requests_at_any_concurrency() {
    // The portal requests of each operation (`response_completes` is counted once
    // per request that was answered); polls of the control API are left out, as
    // how often the workflow polls depends on timing.
    let requests_per_operation = |report: &smartservice_conformance::RunReport| {
        report
            .rows
            .iter()
            .filter(|r| r.check == "response_completes")
            .map(|r| (r.operation.clone(), r.tally.passed + r.tally.failed))
            .collect::<Vec<_>>()
    };
    let run = |concurrency: usize, threads: usize| async move {
        let mut config = support::quick_config();
        config.cases = 20;
        config.concurrency = concurrency;
        config.threads = threads;
        smartservice_conformance::run(config).await.unwrap()
    };
    let one_at_a_time = run(1, 1).await;
    assert!(requests_per_operation(&one_at_a_time).len() >= 15);
    for (concurrency, threads) in [(16, 2), (32, 3)] {
        let report = run(concurrency, threads).await;
        assert!(!report.failed(), "{}", support::failure_lines(&report));
        assert_eq!(
            requests_per_operation(&one_at_a_time),
            requests_per_operation(&report),
            "concurrency {concurrency} on {threads} threads"
        );
    }
}
