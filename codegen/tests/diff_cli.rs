//! `ssp-codegen diff` as a user runs it: on spec files in a temporary directory and on
//! `REV:path` in a temporary git repository; its exit codes (0, 1 with `--fail-on`, 2
//! on unreadable input) and its four formats.

#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

/// Runs `ssp-codegen` in `dir`; returns exit code, stdout and stderr.
fn ssp(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ssp-codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("ssp-codegen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn project_spec() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml"))
        .expect("the project spec is readable")
}

/// `text` with `from` (which must occur exactly once) replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} occurs once");
    text.replacen(from, to, 1)
}

/// The project spec without the callback payload's required `datereceived` (breaking).
fn without_datereceived(text: &str) -> String {
    let text = edit(
        text,
        "        datereceived:\n          type: string\n          pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'\n          description: When the form was submitted, `YYYY-MM-DD hh:mm:ss` local time.\n",
        "",
    );
    edit(&text, "        - datereceived\n", "")
}

/// The project spec with an optional `comment` in the status update (info).
fn with_status_comment(text: &str) -> String {
    edit(
        text,
        "        newStatus:\n          $ref: '#/components/schemas/TaskStatus'\n",
        "        newStatus:\n          $ref: '#/components/schemas/TaskStatus'\n        comment:\n          type: string\n          description: A note for the citizen.\n",
    )
}

/// The project spec with `listProcesses` renamed (a warning).
fn with_renamed_operation(text: &str) -> String {
    edit(
        text,
        "operationId: listProcesses",
        "operationId: getProcesses",
    )
}

/// A temporary directory with `old.yaml` (the project spec) and `new.yaml`.
fn pair(new: impl FnOnce(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let old = project_spec();
    std::fs::write(dir.path().join("old.yaml"), &old).unwrap();
    std::fs::write(dir.path().join("new.yaml"), new(&old)).unwrap();
    dir
}

#[test]
fn the_spec_against_itself_reports_nothing_and_exits_0() {
    let dir = pair(|old| old.to_string());
    let (code, stdout, _) = ssp(
        dir.path(),
        &["diff", "old.yaml", "old.yaml", "--fail-on", "warning"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, "spec diff: old.yaml -> old.yaml\nno API changes\n");
}

#[test]
fn fail_on_sets_exit_1_at_or_above_its_level_only() {
    let breaking = pair(without_datereceived);
    let warning = pair(with_renamed_operation);
    let info = pair(with_status_comment);
    let code = |dir: &tempfile::TempDir, extra: &[&str]| {
        let mut args = vec!["diff", "old.yaml", "new.yaml"];
        args.extend_from_slice(extra);
        ssp(dir.path(), &args).0
    };
    assert_eq!(
        code(&breaking, &[]),
        0,
        "without --fail-on, changes do not fail"
    );
    assert_eq!(code(&breaking, &["--fail-on", "breaking"]), 1);
    assert_eq!(code(&breaking, &["--fail-on", "warning"]), 1);
    assert_eq!(code(&warning, &["--fail-on", "breaking"]), 0);
    assert_eq!(code(&warning, &["--fail-on", "warning"]), 1);
    assert_eq!(code(&info, &["--fail-on", "warning"]), 0);
    assert_eq!(code(&info, &["--fail-on", "breaking"]), 0);
}

#[test]
fn unreadable_input_exits_2_and_says_what_to_fix() {
    let dir = pair(|old| old.to_string());
    std::fs::write(dir.path().join("broken.yaml"), "openapi: 3.0.3\npaths: [").unwrap();
    let (code, stdout, stderr) = ssp(
        dir.path(),
        &["diff", "missing.yaml", "old.yaml", "--fail-on", "breaking"],
    );
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(
            "cannot read the old spec: missing.yaml: no such file, and not of the form REV:path"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = ssp(dir.path(), &["diff", "old.yaml", "broken.yaml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read the new spec: broken.yaml is not valid YAML"),
        "{stderr}"
    );
}

#[test]
fn the_text_report_names_rule_operation_message_and_pointers() {
    let dir = pair(without_datereceived);
    let (code, stdout, stderr) = ssp(dir.path(), &["diff", "old.yaml", "new.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "spec diff: old.yaml -> new.yaml\n\
         1 breaking, 0 warnings, 0 info\n\
         \n\
         BREAKING  callback-request-required-property-removed\n  \
         callback taskSubmitted of createWebhookConfiguration (POST {$request.body#/callbackUrl})\n  \
         Required property `datereceived` was removed from the callback payload.\n  \
         old: /components/schemas/CallbackPayload/properties/datereceived\n  \
         new: /components/schemas/CallbackPayload/properties\n"
    );
    assert_eq!(stderr, "spec diff: 1 breaking, 0 warnings, 0 info\n");
}

#[test]
fn json_output_has_the_documented_shape() {
    let dir = pair(|old| with_status_comment(&without_datereceived(old)));
    let (code, stdout, _) = ssp(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "json"],
    );
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        report,
        serde_json::json!({
            "version": 1,
            "old": {"origin": "old.yaml", "file": "old.yaml"},
            "new": {"origin": "new.yaml", "file": "new.yaml"},
            "summary": {"breaking": 1, "warning": 0, "info": 1, "highest": "breaking"},
            "changes": [
                {
                    "rule": "callback-request-required-property-removed",
                    "level": "breaking",
                    "operation": "callback taskSubmitted of createWebhookConfiguration (POST {$request.body#/callbackUrl})",
                    "old_pointer": "/components/schemas/CallbackPayload/properties/datereceived",
                    "new_pointer": "/components/schemas/CallbackPayload/properties",
                    "message": "Required property `datereceived` was removed from the callback payload."
                },
                {
                    "rule": "request-optional-property-added",
                    "level": "info",
                    "operation": "updateTaskStatus (POST /statusupdate)",
                    "old_pointer": "/components/schemas/StatusUpdate/properties",
                    "new_pointer": "/components/schemas/StatusUpdate/properties/comment",
                    "message": "Optional property `comment` was added to the request body."
                }
            ],
            "client": null
        })
    );
}

#[test]
fn json_carries_the_client_diff_when_asked() {
    let dir = pair(with_status_comment);
    let (code, stdout, _) = ssp(
        dir.path(),
        &[
            "diff",
            "old.yaml",
            "new.yaml",
            "--format",
            "json",
            "--client-diff",
        ],
    );
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let client = &report["client"];
    assert_eq!(client["status"], "changed");
    assert_eq!(client["error"], serde_json::Value::Null);
    let diff = client["diff"].as_str().expect("the unified diff");
    assert!(
        diff.starts_with("--- old/client.rs\n+++ new/client.rs\n@@ "),
        "{diff}"
    );
    let added = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .count();
    assert_eq!(client["added"], added);
    assert!(added > 0);
}

#[test]
fn markdown_has_a_summary_a_table_per_level_and_the_client_diff() {
    let dir = pair(|old| with_status_comment(&without_datereceived(old)));
    let (code, stdout, _) = ssp(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "markdown"],
    );
    assert_eq!(code, 0);
    let expected_head = "<!-- ssp-codegen diff -->\n\
        ### Spec diff: 1 breaking, 0 warnings, 1 info\n\
        \n\
        `old.yaml` → `new.yaml`\n\
        \n\
        #### Breaking (1)\n\
        \n\
        | Rule | Operation | Change | Old | New |\n\
        | --- | --- | --- | --- | --- |\n\
        | `callback-request-required-property-removed` | callback taskSubmitted of createWebhookConfiguration (POST {$request.body#/callbackUrl}) | Required property `datereceived` was removed from the callback payload. | `/components/schemas/CallbackPayload/properties/datereceived` | `/components/schemas/CallbackPayload/properties` |\n\
        \n\
        #### Info (1)\n\
        \n\
        | Rule | Operation | Change | Old | New |\n\
        | --- | --- | --- | --- | --- |\n\
        | `request-optional-property-added` | updateTaskStatus (POST /statusupdate) | Optional property `comment` was added to the request body. | `/components/schemas/StatusUpdate/properties` | `/components/schemas/StatusUpdate/properties/comment` |\n\
        \n\
        <details>\n\
        <summary>Generated client: ";
    assert!(stdout.starts_with(expected_head), "{stdout}");
    assert!(
        !stdout.contains("#### Warning"),
        "no table for an empty level"
    );
    // The client diff: the new field in the generated type, removed one gone.
    let diff_lines: Vec<&str> = stdout.lines().collect();
    assert!(
        diff_lines.iter().any(|l| l.starts_with('+')
            && l.contains("pub comment: ::std::option::Option<::std::string::String>")),
        "{stdout}"
    );
    assert!(
        diff_lines
            .iter()
            .any(|l| l.starts_with('-')
                && l.contains("pub datereceived: CallbackPayloadDatereceived")),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("</details>"));

    let (_, without, _) = ssp(
        dir.path(),
        &[
            "diff",
            "old.yaml",
            "new.yaml",
            "--format",
            "markdown",
            "--no-client-diff",
        ],
    );
    assert!(!without.contains("<details>"));
    let (_, text_with, _) = ssp(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--client-diff"],
    );
    assert!(text_with.contains("generated client: "), "{text_with}");
}

#[test]
fn githubactions_annotates_the_changed_line_of_the_new_spec() {
    let dir = pair(|old| with_status_comment(&without_datereceived(old)));
    let (code, stdout, _) = ssp(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "githubactions"],
    );
    assert_eq!(code, 0);
    let new = std::fs::read_to_string(dir.path().join("new.yaml")).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let line_number = |annotation: &str| -> usize {
        let start = annotation.find(",line=").expect("a line") + 6;
        let end = start + annotation[start..].find(',').unwrap();
        annotation[start..end].parse().unwrap()
    };
    assert!(
        lines[0].starts_with("::error file=new.yaml,line="),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(",title=callback-request-required-property-removed (breaking)::callback taskSubmitted of createWebhookConfiguration (POST {$request.body#/callbackUrl}): Required property `datereceived` was removed from the callback payload."));
    let source: Vec<&str> = new.lines().collect();
    let at = line_number(lines[0]);
    // The `properties:` of CallbackPayload, which no longer lists `datereceived`.
    assert_eq!(source[at - 1], "      properties:");
    let schema = source[..at]
        .iter()
        .rev()
        .find(|l| l.starts_with("    ") && !l.starts_with("     "))
        .expect("the schema holding it");
    assert_eq!(*schema, "    CallbackPayload:");
    assert!(lines[1].starts_with("::notice file=new.yaml,line="));
    assert_eq!(source[line_number(lines[1]) - 1], "        comment:");
}

#[test]
fn list_rules_prints_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = ssp(dir.path(), &["diff", "--list-rules"]);
    assert_eq!(code, 0);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("callback-request-required-property-removed "))
        .expect("the callback rule is listed");
    assert!(line.contains(" breaking "), "{line}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn git_revisions_are_read_as_rev_colon_path() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    std::fs::create_dir(dir.join("spec")).unwrap();
    let old = project_spec();
    std::fs::write(dir.join("spec/openapi.yaml"), &old).unwrap();
    git(dir, &["add", "spec/openapi.yaml"]);
    git(dir, &["commit", "-q", "-m", "spec"]);
    std::fs::write(dir.join("spec/openapi.yaml"), without_datereceived(&old)).unwrap();

    let (code, stdout, stderr) = ssp(
        dir,
        &[
            "diff",
            "HEAD:spec/openapi.yaml",
            "spec/openapi.yaml",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.starts_with("spec diff: HEAD:spec/openapi.yaml -> spec/openapi.yaml\n1 breaking"),
        "{stdout}"
    );
    assert!(stdout.contains("callback-request-required-property-removed"));

    let (code, stdout, _) = ssp(
        dir,
        &[
            "diff",
            "HEAD:spec/openapi.yaml",
            "HEAD:spec/openapi.yaml",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("no API changes"));

    let (code, _, stderr) = ssp(
        dir,
        &["diff", "no-such-rev:spec/openapi.yaml", "spec/openapi.yaml"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("git cannot read no-such-rev:spec/openapi.yaml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("check that the revision exists"),
        "{stderr}"
    );

    // A file whose name looks like REV:path is read as the file.
    std::fs::write(dir.join("HEAD:spec.yaml"), without_datereceived(&old)).unwrap();
    let (code, stdout, _) = ssp(
        dir,
        &[
            "diff",
            "HEAD:spec.yaml",
            "spec/openapi.yaml",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("no API changes"));
}
