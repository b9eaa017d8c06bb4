//! The binary as a user runs it: exit codes, --list-checks, and that no key ever
//! reaches the output.

use std::process::Command;

fn ssp_conformance(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ssp-conformance"))
        .args(args)
        .env_remove("SSP_SUBSCRIPTION_KEY")
        .env_remove("SSP_API_KEY")
        .output()
        .expect("the binary runs")
}

#[test]
fn list_checks_prints_every_check_with_its_doc() {
    let out = ssp_conformance(&["run", "--list-checks"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for check in smartservice_conformance::checks::ALL {
        assert!(
            text.contains(check.name) && text.contains(check.doc),
            "{}",
            check.name
        );
    }
}

#[test]
fn usage_mistakes_exit_with_2_and_a_message() {
    for (args, message) in [
        (
            vec!["run", "--base-url", "http://127.0.0.1:1"],
            "--subscription-key",
        ),
        (vec!["run", "--checks", "no_such_check"], "unknown check"),
        (
            vec![
                "run",
                "--operations",
                "noSuchOperation",
                "--progress",
                "quiet",
            ],
            "unknown operation",
        ),
        (vec!["run", "--no-such-flag"], "--no-such-flag"),
    ] {
        let out = ssp_conformance(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unreachable_base_url_exits_with_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let out = ssp_conformance(&[
        "run",
        "--base-url",
        &url,
        "--subscription-key",
        "k-secret-1234",
        "--progress",
        "quiet",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));
}

#[test]
fn a_run_against_the_embedded_sandbox_exits_0_and_writes_every_report_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let out = ssp_conformance(&[
        "run",
        "--cases",
        "3",
        "--seed",
        "42",
        "--progress",
        "plain",
        "--junit",
        &path("junit.xml"),
        "--json",
        &path("report.json"),
        "--markdown",
        &path("report.md"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("PASSED") && stdout.contains("seed 42"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("report.json")).unwrap()).unwrap();
    assert_eq!(json["seed"], 42);
    let junit = std::fs::read_to_string(path("junit.xml")).unwrap();
    assert!(junit.contains("<testsuites") && junit.contains("negative_data_rejection"));
    let markdown = std::fs::read_to_string(path("report.md")).unwrap();
    assert!(markdown.contains("✅ passed"));
    // The sandbox's subscription key (`dev_` + 32 hex digits) and every apikey
    // (`ak_` + 32 hex digits) stay out of every output.
    for text in [
        stdout.as_ref(),
        stderr.as_ref(),
        json.to_string().as_str(),
        junit.as_str(),
        markdown.as_str(),
    ] {
        assert!(!leaks_a_key(text), "a key leaked: {text}");
    }
}

fn leaks_a_key(text: &str) -> bool {
    ["ak_", "dev_"].iter().any(|prefix| {
        text.match_indices(prefix).any(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            rest.len() >= 32 && rest[..32].bytes().all(|b| b.is_ascii_hexdigit())
        })
    })
}

#[test]
fn the_leak_detector_sees_a_key() {
    assert!(leaks_a_key("x ak_0123456789abcdef0123456789abcdef y"));
    assert!(!leaks_a_key("ak_ssp_conformance_unknown_apikey <redacted>"));
}
