//! The checks: each one a small named unit with a one-line doc, listed in [`ALL`]
//! (what `--list-checks` prints and `--checks`/`--exclude-checks` select from).
//!
//! - [`response`]: applied to every response the suite receives;
//! - [`typed`]: the typed-client round trip, also on every response;
//! - [`input`]: how the server treats generated, unauthenticated and odd requests;
//! - [`state`]: resources across requests (lists, deletes, updates, keys, vendors);
//! - the workflow checks are in [`crate::workflow`], the replay check in
//!   [`crate::scenarios`].

pub mod input;
pub mod response;
pub mod state;
pub mod typed;

use std::collections::BTreeSet;

/// When a check is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// To every response.
    Response,
    /// To responses to generated or deliberately wrong requests.
    Input,
    /// To sequences of requests on one resource or vendor.
    State,
    /// To the task workflow (webhook calls, status updates, documents).
    Workflow,
    /// To the replayed snapshot scenarios.
    Replay,
}

/// A check's name and what it verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CheckInfo {
    /// The name used on the command line and in reports.
    pub name: &'static str,
    /// What it verifies, in one line.
    pub doc: &'static str,
    /// When it is applied.
    pub kind: CheckKind,
}

/// Every check of the suite, in the order reports show them.
pub const ALL: &[CheckInfo] = &[
    response::RESPONSE_COMPLETES,
    response::NOT_A_SERVER_ERROR,
    response::STATUS_CODE_CONFORMANCE,
    response::CONTENT_TYPE_CONFORMANCE,
    response::RESPONSE_SCHEMA_CONFORMANCE,
    response::RESPONSE_HEADERS_CONFORMANCE,
    typed::TYPED_CLIENT_ROUNDTRIP,
    input::POSITIVE_DATA_ACCEPTANCE,
    input::NEGATIVE_DATA_REJECTION,
    input::MISSING_SUBSCRIPTION_KEY,
    input::WRONG_SUBSCRIPTION_KEY,
    input::MISSING_API_KEY,
    input::WRONG_API_KEY,
    input::UNSUPPORTED_METHOD,
    input::UNKNOWN_PATH,
    state::ENSURE_RESOURCE_AVAILABILITY,
    state::USE_AFTER_FREE,
    state::UPDATE_PERSISTENCE,
    state::REVOKED_APIKEY,
    state::VENDOR_ISOLATION,
    crate::workflow::WEBHOOK_CALLBACK_CONFORMANCE,
    crate::workflow::STATUS_TRANSITIONS,
    crate::workflow::DOCUMENT_UPLOAD,
    crate::workflow::FAILED_REFUND_CALLBACK,
    crate::workflow::ADDRESS_QUERY_ANSWER,
    crate::workflow::WEBHOOK_RETRY,
    crate::scenarios::SCENARIO_REPLAY,
];

/// The check named `name`.
pub fn by_name(name: &str) -> Option<&'static CheckInfo> {
    ALL.iter().find(|c| c.name == name)
}

/// The checks a run applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSelection {
    enabled: BTreeSet<&'static str>,
}

impl Default for CheckSelection {
    fn default() -> Self {
        CheckSelection {
            enabled: ALL.iter().map(|c| c.name).collect(),
        }
    }
}

impl CheckSelection {
    /// `include` (all checks when empty, or when it holds `all`) minus `exclude`;
    /// an unknown name is an error that lists the known ones.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, String> {
        let resolve = |names: &[String]| -> Result<BTreeSet<&'static str>, String> {
            names
                .iter()
                .map(|n| n.trim())
                .filter(|n| !n.is_empty())
                .map(|n| {
                    if n == "all" {
                        return Ok(None);
                    }
                    by_name(n).map(|c| Some(c.name)).ok_or_else(|| {
                        format!(
                            "unknown check `{n}`; the checks are: {} (see --list-checks)",
                            ALL.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|names| {
                    if names.iter().any(Option::is_none) {
                        ALL.iter().map(|c| c.name).collect()
                    } else {
                        names.into_iter().flatten().collect()
                    }
                })
        };
        let mut enabled = if include.iter().all(|n| n.trim().is_empty()) {
            ALL.iter().map(|c| c.name).collect()
        } else {
            resolve(include)?
        };
        for name in resolve(exclude)? {
            enabled.remove(name);
        }
        Ok(CheckSelection { enabled })
    }

    /// Whether `check` is selected.
    pub fn contains(&self, check: &str) -> bool {
        self.enabled.contains(check)
    }

    /// Whether any of `checks` is selected.
    pub fn any(&self, checks: &[&CheckInfo]) -> bool {
        checks.iter().any(|c| self.contains(c.name))
    }
}

/// The text `--list-checks` prints: one check per line, name and doc.
pub fn listing() -> String {
    let width = ALL.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut kind = None;
    for check in ALL {
        if kind != Some(check.kind) {
            kind = Some(check.kind);
            out.push_str(&format!("{:?} checks:\n", check.kind));
        }
        out.push_str(&format!("  {:width$}  {}\n", check.name, check.doc));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_docs_are_one_line() {
        let names: BTreeSet<_> = ALL.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), ALL.len());
        for c in ALL {
            assert!(!c.doc.contains('\n') && c.doc.ends_with('.'), "{}", c.name);
        }
    }

    #[test]
    fn selection_includes_excludes_and_names_unknown_checks() {
        let s = CheckSelection::new(
            &["not_a_server_error".into(), " use_after_free".into()],
            &[],
        )
        .unwrap();
        assert!(s.contains("use_after_free") && !s.contains("vendor_isolation"));
        let s = CheckSelection::new(&[], &["use_after_free".into()]).unwrap();
        assert!(!s.contains("use_after_free") && s.contains("vendor_isolation"));
        let err = CheckSelection::new(&["nope".into()], &[]).unwrap_err();
        assert!(err.contains("unknown check `nope`") && err.contains("vendor_isolation"));
        assert!(listing().contains("typed_client_roundtrip"));
    }
}
