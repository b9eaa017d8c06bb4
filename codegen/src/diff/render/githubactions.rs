//! The report as GitHub Actions workflow commands: each change becomes an annotation
//! (`::error` for breaking, `::warning`, `::notice` for info) on the line of the new
//! spec where it is, so it shows on the pull request's diff.

use std::fmt::Write as _;

use crate::diff::{Level, Report, line_of};

/// One workflow command per change.
pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    for change in &report.changes {
        let command = match change.level {
            Level::Breaking => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let mut properties = format!("file={}", escape_property(&report.new.file));
        if let Some(line) = line_of(&report.new.text, &change.new_pointer) {
            let _ = write!(properties, ",line={line}");
        }
        let title = format!("{} ({})", change.rule, change.level);
        let _ = write!(properties, ",title={}", escape_property(&title));
        let message = format!("{}: {}", change.operation, change.message);
        let _ = writeln!(out, "::{command} {properties}::{}", escape_data(&message));
    }
    out
}

/// Escapes a command's message (GitHub's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_escape_their_separators() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
