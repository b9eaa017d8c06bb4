//! The report for a terminal.

use std::fmt::Write as _;

use super::summary_line;
use crate::diff::{ClientDiff, Report};

/// One block per change (level and rule, operation, message, pointers), then the
/// generated client's diff when it was asked for.
pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "spec diff: {} -> {}",
        report.old.origin, report.new.origin
    );
    if report.changes.is_empty() {
        out.push_str("no API changes\n");
    } else {
        let _ = writeln!(out, "{}", summary_line(&report.summary()));
    }
    for change in &report.changes {
        let _ = writeln!(
            out,
            "\n{:<9} {}\n  {}\n  {}\n  old: {}\n  new: {}",
            change.level.as_str().to_uppercase(),
            change.rule,
            change.operation,
            change.message,
            change.old_pointer,
            change.new_pointer
        );
    }
    match &report.client {
        None => {}
        Some(ClientDiff::Unchanged) => out.push_str("\ngenerated client: unchanged\n"),
        Some(ClientDiff::Failed { message }) => {
            let _ = writeln!(
                out,
                "\ngenerated client: cannot be generated from {message}"
            );
        }
        Some(ClientDiff::Changed {
            unified,
            added,
            removed,
        }) => {
            let _ = writeln!(
                out,
                "\ngenerated client: {added} line(s) added, {removed} removed\n{unified}"
            );
        }
    }
    out
}
