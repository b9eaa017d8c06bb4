//! The spec passes the public linters: Spectral with the `spectral:oas` ruleset (no
//! errors, and no warnings, infos or hints either) and openapi-spec-validator. Both are
//! installed by `scripts/install-spec-tools.sh` into the git-ignored `.tools/`.

use std::process::Command;

#[test]
fn spectral_and_openapi_spec_validator_accept_the_spec() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new("bash")
        .arg(format!("{root}/scripts/lint-spec.sh"))
        .arg(format!("{root}/spec/openapi.yaml"))
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
    assert!(stdout.contains("openapi.yaml: OK"), "{stdout}");
}
