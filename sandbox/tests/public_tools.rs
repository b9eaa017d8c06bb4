//! The sandbox as public tools see it: Schemathesis (all phases, all checks, valid
//! keys) finds no failure against a running `ssp-sandbox`, with the portal's spec and
//! with the citizen side's; and the citizen side's spec passes the same linters as
//! the portal's. The tools are installed by the scripts into the git-ignored `.tools/`.

use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn schemathesis(spec: &str) -> String {
    let output = Command::new("bash")
        .arg(format!("{ROOT}/scripts/schemathesis.sh"))
        .arg(format!("{ROOT}/{spec}"))
        .args(["--seed", "1"])
        .env("SSP_SANDBOX_BIN", env!("CARGO_BIN_EXE_ssp-sandbox"))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "Schemathesis found failures:\n{stdout}\n{stderr}"
    );
    for phase in ["Examples", "Coverage", "Fuzzing", "Stateful"] {
        assert!(
            stdout.contains(&format!("✅ {phase}")),
            "phase {phase} did not pass:\n{stdout}"
        );
    }
    assert!(!stdout.contains("failed"), "{stdout}");
    stdout
}

/// One test for both specs: the runs share the tool's install and report folder.
#[test]
fn schemathesis_finds_no_failure_with_either_spec() {
    let out = schemathesis("spec/openapi.yaml");
    assert!(out.contains("15 selected / 15 total"), "{out}");
    let out = schemathesis("spec/sandbox.yaml");
    assert!(out.contains("10 selected / 10 total"), "{out}");
}

#[test]
fn spectral_and_openapi_spec_validator_accept_the_sandbox_spec() {
    let output = Command::new("bash")
        .arg(format!("{ROOT}/scripts/lint-spec.sh"))
        .arg(format!("{ROOT}/spec/sandbox.yaml"))
        .env("SPECTRAL_FAIL_SEVERITY", "hint")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "lint-spec.sh failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("No results with a severity of 'hint' or higher found!"),
        "{stdout}"
    );
    assert!(stdout.contains("sandbox.yaml: OK"), "{stdout}");
}
