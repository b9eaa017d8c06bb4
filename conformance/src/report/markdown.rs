//! The report as Markdown (`--markdown FILE`), meant as a pull-request comment:
//! the verdict, the failing operation x check pairs with how to reproduce them,
//! and the whole matrix folded away.

use std::fmt::Write as _;

use super::RunReport;

/// The report as Markdown.
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    let totals = report.totals();
    let verdict = if report.failed() {
        "❌ failed"
    } else {
        "✅ passed"
    };
    let _ = writeln!(out, "## Smart Service Portal API conformance: {verdict}\n");
    let _ = writeln!(
        out,
        "Target `{}`, seed `{}`: **{}** passed, **{}** failed, **{}** skipped; {} requests in {:.2} s.\n",
        report.target,
        report.seed,
        totals.passed,
        totals.failed,
        totals.skipped,
        report.requests,
        report.wall_time_ms as f64 / 1000.0
    );
    let failing: Vec<_> = report.rows.iter().filter(|r| r.tally.failed > 0).collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "| operation | check | failed | first failure |\n|---|---|---:|---|"
        );
        for row in &failing {
            let first = row
                .tally
                .failures
                .first()
                .map(|f| cell(&f.message))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {first} |",
                row.operation, row.check, row.tally.failed
            );
        }
        let _ = writeln!(out, "\n<details><summary>How to reproduce</summary>\n");
        for row in &failing {
            for failure in &row.tally.failures {
                let _ = writeln!(
                    out,
                    "**{} / {}**: {}\n",
                    row.operation, row.check, failure.message
                );
                if let Some(curl) = &failure.curl {
                    let _ = writeln!(out, "```sh\n{curl}\n```");
                }
                if let Some(replay) = &failure.replay {
                    let _ = writeln!(out, "Replay: `{replay}`\n");
                }
            }
        }
        let _ = writeln!(out, "</details>\n");
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "Notes:\n");
        for note in &report.notes {
            let _ = writeln!(out, "- {}", cell(note));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "<details><summary>All results (operation x check)</summary>\n"
    );
    let _ = writeln!(
        out,
        "| operation | check | passed | failed | skipped |\n|---|---|---:|---:|---:|"
    );
    for row in &report.rows {
        let t = &row.tally;
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            row.operation, row.check, t.passed, t.failed, t.skipped
        );
    }
    let _ = writeln!(out, "\n</details>");
    out
}

fn cell(text: &str) -> String {
    let one_line: String = text.replace('|', "\\|").replace('\n', " ");
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}
