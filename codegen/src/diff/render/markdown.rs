//! The report as a pull-request comment (GitHub-flavoured markdown).

use std::fmt::Write as _;

use super::summary_line;
use crate::diff::{ClientDiff, Level, Report, code};

/// The first line of every comment, so that a workflow can find and update its own
/// comment instead of adding one per push.
pub const MARKER: &str = "<!-- ssp-codegen diff -->";

/// The longest client diff shown in full; GitHub refuses comments over 65,536 characters.
const MAX_CLIENT_DIFF: usize = 40_000;

/// A summary line, a table per level (most severe first), then the generated client's
/// diff in a collapsed `<details>` block.
pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER}");
    let summary = report.summary();
    if report.changes.is_empty() {
        let _ = writeln!(out, "### Spec diff: no API changes");
    } else {
        let _ = writeln!(out, "### Spec diff: {}", summary_line(&summary));
    }
    let _ = writeln!(
        out,
        "\n{} → {}",
        code(&report.old.origin),
        code(&report.new.origin)
    );
    for level in Level::ALL {
        let changes: Vec<_> = report.changes.iter().filter(|c| c.level == level).collect();
        if changes.is_empty() {
            continue;
        }
        let heading = match level {
            Level::Breaking => "Breaking",
            Level::Warning => "Warning",
            Level::Info => "Info",
        };
        let _ = writeln!(out, "\n#### {heading} ({})\n", changes.len());
        out.push_str("| Rule | Operation | Change | Old | New |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for change in changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&code(&change.rule)),
                cell(&change.operation),
                cell(&change.message),
                cell(&code(&change.old_pointer)),
                cell(&code(&change.new_pointer)),
            );
        }
    }
    if let Some(client) = &report.client {
        out.push('\n');
        render_client(&mut out, client);
    }
    out
}

fn render_client(out: &mut String, client: &ClientDiff) {
    match client {
        ClientDiff::Unchanged => out.push_str("Generated client: unchanged.\n"),
        ClientDiff::Failed { message } => {
            let _ = writeln!(
                out,
                "Generated client: cannot be generated from {}.",
                cell(message)
            );
        }
        ClientDiff::Changed {
            unified,
            added,
            removed,
        } => {
            let (shown, truncated) = truncate_at_line(unified, MAX_CLIENT_DIFF);
            let fence = "`".repeat(longest_backtick_run(shown).max(2) + 1);
            let _ = writeln!(
                out,
                "<details>\n<summary>Generated client: {added} line(s) added, {removed} removed</summary>\n\n{fence}diff\n{}{fence}\n",
                ensure_newline(shown)
            );
            if truncated {
                let _ = writeln!(
                    out,
                    "The diff is cut here; run `ssp-codegen diff --client-diff OLD NEW` to see all of it.\n"
                );
            }
            out.push_str("</details>\n");
        }
    }
}

/// A table cell: `|` escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// `text` cut at the last line break before `max` bytes, and whether it was cut.
fn truncate_at_line(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(end, |i| i + 1);
    (&text[..end], true)
}

fn ensure_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_line_breaks() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn long_diffs_are_cut_at_a_line_break() {
        let (shown, cut) = truncate_at_line("aaa\nbbb\nccc\n", 6);
        assert_eq!((shown, cut), ("aaa\n", true));
        assert_eq!(truncate_at_line("short\n", 100), ("short\n", false));
    }
}
