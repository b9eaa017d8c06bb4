//! Snapshot replay: the recorded scenarios (conformance/scenarios/), replayed
//! against the embedded sandbox; each normalised transcript is an insta snapshot,
//! so that any change of the sandbox's behaviour shows up in review.

mod support;

use smartservice_conformance::runner::replay_scenarios_against;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_scenarios_replay_unchanged_against_the_sandbox() {
    let (replays, report) = replay_scenarios_against(support::quick_config())
        .await
        .expect("the replay is carried out");
    assert!(!report.failed(), "{}", support::failure_lines(&report));
    assert_eq!(
        replays.len(),
        smartservice_conformance::scenarios::EMBEDDED.len()
    );
    for replay in replays {
        assert!(replay.skipped.is_none(), "{:?}", replay.skipped);
        assert!(replay.mismatches.is_empty(), "{:?}", replay.mismatches);
        insta::with_settings!({sort_maps => true, prepend_module_to_snapshot => false}, {
            insta::assert_json_snapshot!(replay.name.clone(), replay.transcript);
        });
    }
}
