//! The report as JSON (`--json FILE`): the [`super::RunReport`] as serialized.

use super::RunReport;

/// The report as pretty-printed JSON.
pub fn render(report: &RunReport) -> String {
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialize the report: {e}\"}}"))
}
