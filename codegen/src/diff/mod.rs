//! Semantic comparison of two versions of the spec: what a change breaks for vendors'
//! existing code, and what it changes in the generated client.
//!
//! [`diff`] compares two documents after following `$ref`s and merging `allOf`, so a
//! refactor into a shared component is no change. Each [`Change`] carries a stable rule
//! id from the [`rules`] catalogue, a [`Level`], the operation it affects, a JSON pointer
//! into each document and one plain sentence.
//!
//! Changes are judged from the side of a vendor whose code was written against the old
//! document. Data the vendor *sends* (requests, and the answer its webhook gives to the
//! `taskSubmitted` callback) breaks when the new document rejects something the old one
//! accepted; data the vendor *receives* (responses, and the callback payload the platform
//! POSTs to the webhook) breaks when the new document allows something the old one ruled
//! out. See [`rules::Flow`].

mod client;
mod exchange;
mod locate;
mod operations;
pub mod render;
mod resolve;
pub mod rules;
mod schema;
mod security;
pub mod source;

use serde_json::Value;

use crate::spec::Spec;
pub use client::{ClientDiff, client_diff};
pub use locate::line_of;
use resolve::Doc;
use rules::Rule;

/// How much a change matters to a vendor whose code was written against the old spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Worth knowing (an addition, a documentation change); breaks nothing.
    Info,
    /// May break some vendors, depending on how strictly they read or write the data.
    Warning,
    /// Breaks a vendor whose code follows the old spec.
    Breaking,
}

impl Level {
    /// Every level, most severe first (the order reports use).
    pub const ALL: [Level; 3] = [Level::Breaking, Level::Warning, Level::Info];

    /// The lower-case name used in every output format: `breaking`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between the old and the new spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The rule's stable id, e.g. `response-required-property-removed` (see [`rules::catalogue`]).
    pub rule: String,
    /// How much it matters.
    pub level: Level,
    /// The affected operation: `operationId (METHOD /path)`, or
    /// `callback NAME of operationId (METHOD EXPRESSION)` for a callback.
    pub operation: String,
    /// Where the change is in the old document: a JSON pointer to the changed node or,
    /// when it does not exist there (an addition), to its nearest existing parent.
    pub old_pointer: String,
    /// Where the change is in the new document, in the same way.
    pub new_pointer: String,
    /// What changed, in one sentence.
    pub message: String,
}

/// How many changes there are of each level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Changes that break old vendors.
    pub breaking: usize,
    /// Changes that may break some.
    pub warning: usize,
    /// Changes that break nothing.
    pub info: usize,
}

impl Summary {
    /// Counts `changes` by level.
    pub fn of(changes: &[Change]) -> Self {
        let mut summary = Summary::default();
        for change in changes {
            match change.level {
                Level::Breaking => summary.breaking += 1,
                Level::Warning => summary.warning += 1,
                Level::Info => summary.info += 1,
            }
        }
        summary
    }

    /// The number of changes of `level`.
    pub fn count(&self, level: Level) -> usize {
        match level {
            Level::Breaking => self.breaking,
            Level::Warning => self.warning,
            Level::Info => self.info,
        }
    }

    /// The most severe level present, if there is any change.
    pub fn highest(&self) -> Option<Level> {
        Level::ALL.into_iter().find(|level| self.count(*level) > 0)
    }
}

/// Compares two versions of the spec; the changes come most severe first, and in
/// document order (paths, then methods) within a level.
pub fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut cx = Cx {
        old: Doc::new(&old.raw),
        new: Doc::new(&new.raw),
        changes: Vec::new(),
    };
    operations::compare(&mut cx);
    let mut changes = cx.changes;
    // Stable: keeps the traversal order within each level.
    changes.sort_by_key(|change| std::cmp::Reverse(change.level));
    changes
}

/// The state of one comparison: both documents and the changes found so far.
pub(crate) struct Cx<'a> {
    pub old: Doc<'a>,
    pub new: Doc<'a>,
    pub changes: Vec<Change>,
}

impl Cx<'_> {
    /// Records a change. Each pointer is cut back to the nearest node that exists in its
    /// document, so that every reported pointer resolves.
    pub fn push(
        &mut self,
        rule: Rule,
        operation: &str,
        old_pointer: &str,
        new_pointer: &str,
        message: String,
    ) {
        self.changes.push(Change {
            rule: rule.id,
            level: rule.level,
            operation: operation.to_string(),
            old_pointer: nearest_existing(self.old.raw, old_pointer),
            new_pointer: nearest_existing(self.new.raw, new_pointer),
            message,
        });
    }
}

/// `pointer`, or its longest prefix that names a node of `raw`.
fn nearest_existing(raw: &Value, pointer: &str) -> String {
    let mut pointer = pointer;
    while !pointer.is_empty() && raw.pointer(pointer).is_none() {
        pointer = match pointer.rfind('/') {
            Some(slash) => &pointer[..slash],
            None => "",
        };
    }
    pointer.to_string()
}

/// Everything a report shows: the two inputs, the changes, and optionally the diff of the
/// generated client.
#[derive(Debug, Clone)]
pub struct Report {
    /// The old document, as named on the command line.
    pub old: source::Source,
    /// The new document, as named on the command line.
    pub new: source::Source,
    /// The changes, most severe first.
    pub changes: Vec<Change>,
    /// The generated client's diff, when it was asked for.
    pub client: Option<ClientDiff>,
}

impl Report {
    /// Compares `old` with `new`; with `with_client`, also generates the client from both
    /// and diffs the sources.
    pub fn build(old: source::Source, new: source::Source, with_client: bool) -> Self {
        let changes = diff(&old.spec, &new.spec);
        let client = with_client.then(|| client_diff(&old.spec, &new.spec));
        Report {
            old,
            new,
            changes,
            client,
        }
    }

    /// How many changes there are of each level.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.changes)
    }
}

/// Upper-cases the first letter of `text` (messages are built from lower-case parts).
pub(crate) fn sentence(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// `text` as an inline code span that survives backticks inside it (CommonMark: the
/// fence is one backtick longer than the longest run inside, padded with spaces).
pub(crate) fn code(text: &str) -> String {
    let mut longest_run = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest_run = longest_run.max(run);
    }
    if longest_run == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest_run + 1);
    format!("{fence} {text} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("^[_`|~]+$"), "`` ^[_`|~]+$ ``");
    }

    #[test]
    fn pointers_are_cut_back_to_an_existing_node() {
        let raw = serde_json::json!({"a": {"b": [1]}});
        assert_eq!(nearest_existing(&raw, "/a/b/0"), "/a/b/0");
        assert_eq!(nearest_existing(&raw, "/a/x/y"), "/a");
        assert_eq!(nearest_existing(&raw, "/z"), "");
    }

    #[test]
    fn sentences_start_upper_case() {
        assert_eq!(sentence("the body".into()), "The body");
        assert_eq!(sentence("`x` went".into()), "`x` went");
    }
}
