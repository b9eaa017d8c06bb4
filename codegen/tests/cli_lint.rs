//! `ssp-codegen lint` as a user runs it: exit 0 when clean, 1 with findings (each with
//! its JSON pointer), 2 when the spec cannot be read.

use std::process::Command;

fn lint(path: &std::path::Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ssp-codegen"))
        .arg("lint")
        .arg(path)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn project_spec() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.yaml")
}

#[test]
fn the_project_spec_lints_clean() {
    let (code, stdout, stderr) = lint(&project_spec());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("clean"));
}

#[test]
fn findings_print_their_pointer_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(project_spec())
        .unwrap()
        .replace("operationId: listProcesses", "operationId: list_processes");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, _) = lint(&path);
    assert_eq!(code, 1);
    assert_eq!(
        stdout.trim(),
        "/paths/~1processes/get/operationId: [operation-id] operationId \"list_processes\" is not camelCase (letters and digits, starting lower-case)"
    );
}

#[test]
fn an_unreadable_spec_exits_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = lint(&dir.path().join("missing.yaml"));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, "openapi: 3.0.3\npaths: [").unwrap();
    let (code, _, stderr) = lint(&path);
    assert_eq!(code, 2);
    assert!(stderr.contains("not valid YAML"), "{stderr}");
}
