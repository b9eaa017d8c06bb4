//! The report as a stable JSON document; `docs/diff-json.md` describes its shape.

use serde_json::{Value, json};

use crate::diff::{ClientDiff, Level, Report};

/// The version of the JSON shape; raised on any incompatible change to it.
pub const FORMAT_VERSION: u32 = 1;

/// The report as pretty-printed JSON, ending in a newline.
pub(super) fn render(report: &Report) -> String {
    let summary = report.summary();
    let changes: Vec<Value> = report
        .changes
        .iter()
        .map(|c| {
            json!({
                "rule": c.rule,
                "level": c.level.as_str(),
                "operation": c.operation,
                "old_pointer": c.old_pointer,
                "new_pointer": c.new_pointer,
                "message": c.message,
            })
        })
        .collect();
    let client = report.client.as_ref().map(|client| match client {
        ClientDiff::Unchanged => json!({"status": "unchanged", "added": 0, "removed": 0, "diff": null, "error": null}),
        ClientDiff::Changed { unified, added, removed } => {
            json!({"status": "changed", "added": added, "removed": removed, "diff": unified, "error": null})
        }
        ClientDiff::Failed { message } => {
            json!({"status": "failed", "added": 0, "removed": 0, "diff": null, "error": message})
        }
    });
    let document = json!({
        "version": FORMAT_VERSION,
        "old": {"origin": report.old.origin, "file": report.old.file},
        "new": {"origin": report.new.origin, "file": report.new.file},
        "summary": {
            "breaking": summary.breaking,
            "warning": summary.warning,
            "info": summary.info,
            "highest": summary.highest().map(Level::as_str),
        },
        "changes": changes,
        "client": client,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
