//! The summary printed at the end of a run: per operation and per check, how
//! often checks passed, failed and were skipped, then every kept failure with the
//! curl command and the seed that reproduce it.

use std::fmt::Write as _;

use super::RunReport;

/// The summary as text.
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    let totals = report.totals();
    let checks = report.by_check();
    let op_width = report
        .by_operation()
        .iter()
        .map(|(op, _, _)| op.len())
        .max()
        .unwrap_or(9)
        .max(9);
    // The operation x check matrix: one column per applied check (numbered as in
    // the check table below); `.` passed, `F` failed, `s` only skipped.
    let _ = write!(out, "\n{:op_width$} ", "operation");
    for i in 1..=checks.len() {
        let _ = write!(out, "{i:>3}");
    }
    let _ = writeln!(out, "  {:>7} {:>7} {:>7}", "passed", "failed", "skipped");
    for (op, totals, _) in report.by_operation() {
        let _ = write!(out, "{op:op_width$} ");
        for (check, _, _) in &checks {
            let cell = match report
                .rows
                .iter()
                .find(|r| r.operation == op && r.check == *check)
            {
                Some(r) if r.tally.failed > 0 => "F",
                Some(r) if r.tally.passed > 0 => ".",
                Some(_) => "s",
                None => " ",
            };
            let _ = write!(out, "{cell:>3}");
        }
        let _ = writeln!(
            out,
            "  {:>7} {:>7} {:>7}",
            totals.passed, totals.failed, totals.skipped
        );
    }
    let check_width = crate::checks::ALL
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5);
    let _ = writeln!(
        out,
        "\n {:>2}  {:check_width$}  {:>7} {:>7} {:>7}  failing on",
        "#", "check", "passed", "failed", "skipped"
    );
    for (i, (check, t, failing)) in checks.iter().enumerate() {
        let _ = writeln!(
            out,
            " {:>2}  {check:check_width$}  {:>7} {:>7} {:>7}  {}",
            i + 1,
            t.passed,
            t.failed,
            t.skipped,
            failing.join(", ")
        );
    }
    let failures: Vec<_> = report
        .rows
        .iter()
        .filter(|r| !r.tally.failures.is_empty())
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nFailures:");
        for row in failures {
            for failure in &row.tally.failures {
                let _ = writeln!(
                    out,
                    "\n- {} / {}: {}",
                    row.operation, row.check, failure.message
                );
                if let Some(case) = &failure.case {
                    let _ = writeln!(out, "  case: {case}");
                }
                if let Some(status) = failure.status {
                    let body = failure.body.as_deref().unwrap_or("");
                    let _ = writeln!(out, "  answered {status}: {body}");
                }
                if let Some(curl) = &failure.curl {
                    let _ = writeln!(out, "  reproduce: {curl}");
                }
                if let Some(replay) = &failure.replay {
                    let _ = writeln!(out, "  replay:    {replay}");
                }
            }
            if row.tally.failed as usize > row.tally.failures.len() {
                let _ = writeln!(
                    out,
                    "  ({} failures of {} / {} in all)",
                    row.tally.failed, row.operation, row.check
                );
            }
        }
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for note in &report.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    let rate = if report.wall_time_ms > 0 {
        report.requests as f64 * 1000.0 / report.wall_time_ms as f64
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "\n{}: {} passed, {} failed, {} skipped ({} checks applied; {} requests in {:.2} s, {:.0} requests/s; seed {})",
        if report.failed() { "FAILED" } else { "PASSED" },
        totals.passed,
        totals.failed,
        totals.skipped,
        report.by_check().len(),
        report.requests,
        report.wall_time_ms as f64 / 1000.0,
        rate,
        report.seed
    );
    out
}
