//! Writing a [`Report`] for a terminal, a pull-request comment, a program, or GitHub's
//! annotations.

mod githubactions;
mod json;
mod markdown;
mod text;

use super::{Report, Summary};

/// An output format of `ssp-codegen diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For a terminal: one block per change, most severe first.
    Text,
    /// A pull-request comment: a summary line, then a table per level, then the
    /// generated client's diff in a collapsed block.
    Markdown,
    /// A stable JSON document (see `docs/diff-json.md`).
    Json,
    /// GitHub Actions workflow commands: one annotation per change, on the changed line.
    GithubActions,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report),
        Format::GithubActions => githubactions::render(report),
    }
}

/// `1 breaking, 2 warnings, 3 info`.
pub fn summary_line(summary: &Summary) -> String {
    format!(
        "{} breaking, {} warning{}, {} info",
        summary.breaking,
        summary.warning,
        if summary.warning == 1 { "" } else { "s" },
        summary.info
    )
}
