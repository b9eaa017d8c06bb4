//! What a spec change does to the generated Rust client: the unified diff of the source
//! progenitor generates from each side (as `generated/build.rs` does).

use similar::TextDiff;

use crate::generate::generate_client_source;
use crate::spec::Spec;

/// The generated client's diff between two versions of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientDiff {
    /// Both sides generate the same source.
    Unchanged,
    /// The sources differ.
    Changed {
        /// The unified diff (`--- old`, `+++ new`, three lines of context).
        unified: String,
        /// Lines added.
        added: usize,
        /// Lines removed.
        removed: usize,
    },
    /// One side could not be generated.
    Failed {
        /// Which side, and progenitor's reason.
        message: String,
    },
}

/// Generates the client from `old` and from `new` and diffs the two sources.
pub fn client_diff(old: &Spec, new: &Spec) -> ClientDiff {
    let generate = |spec: &Spec, side: &str| {
        generate_client_source(spec).map_err(|e| ClientDiff::Failed {
            message: format!("the {side} spec: {e}"),
        })
    };
    let (old_source, new_source) = match (generate(old, "old"), generate(new, "new")) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(failed), _) | (_, Err(failed)) => return failed,
    };
    if old_source == new_source {
        return ClientDiff::Unchanged;
    }
    let diff = TextDiff::from_lines(&old_source, &new_source);
    let (mut added, mut removed) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header("old/client.rs", "new/client.rs")
        .to_string();
    ClientDiff::Changed {
        unified,
        added,
        removed,
    }
}
