//! Comparing the security requirements of an operation (or callback operation).
//!
//! A requirement list is a set of alternatives; each alternative names the schemes (with
//! scopes) that must all be satisfied. A caller that sends the credentials of
//! alternative `A` satisfies a list when some alternative `B` of it needs no more than
//! `A` (`B ⊆ A`). For an operation the vendor is the caller, so a change breaks when an
//! old alternative no longer satisfies the new list. For a callback the platform is the
//! caller and the vendor checks: a change breaks when an alternative the platform may
//! now use does not satisfy the old list.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resolve::{Doc, Node};
use super::rules::{self, ApiKind};
use super::{Cx, code};

/// One alternative: scheme name to the scopes it needs.
type Alternative = BTreeMap<String, BTreeSet<String>>;

/// Who calls: decides the direction of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// The vendor calls an operation of the platform.
    Vendor,
    /// The platform calls the vendor's webhook (a callback).
    Platform,
}

/// Compares the effective security of `old` and `new` (operations, or callback operations).
pub(crate) fn compare(
    cx: &mut Cx<'_>,
    operation: &str,
    caller: Caller,
    old: &Node<'_>,
    new: &Node<'_>,
) {
    let was = effective(&cx.old, old, caller);
    let is = effective(&cx.new, new, caller);
    let old_at = security_pointer(old, caller);
    let new_at = security_pointer(new, caller);
    if was != is {
        let (kind, message) = match caller {
            Caller::Vendor => {
                let broken = was.iter().any(|a| !satisfies(a, &is));
                let kind = if !broken {
                    ApiKind::SecurityRelaxed
                } else if was.iter().any(Alternative::is_empty) {
                    ApiKind::SecurityAdded
                } else {
                    ApiKind::SecurityChanged
                };
                let message = format!(
                    "The operation's credentials changed from {} to {}.",
                    show(&was),
                    show(&is)
                );
                (kind, message)
            }
            Caller::Platform => {
                let broken = is.iter().any(|b| !satisfies(b, &was));
                let kind = if broken {
                    ApiKind::CallbackSecurityChanged
                } else {
                    ApiKind::CallbackSecurityChangedCompatibly
                };
                let message = format!(
                    "The credentials the platform sends with the callback changed from {} to {}.",
                    show(&was),
                    show(&is)
                );
                (kind, message)
            }
        };
        cx.push(rules::api(kind), operation, &old_at, &new_at, message);
    }
    compare_schemes(cx, operation, &was, &is);
}

/// Reports each scheme used on both sides whose definition changed (its description
/// aside).
fn compare_schemes(cx: &mut Cx<'_>, operation: &str, was: &[Alternative], is: &[Alternative]) {
    let used = |alternatives: &[Alternative]| -> BTreeSet<String> {
        alternatives
            .iter()
            .flat_map(|a| a.keys().cloned())
            .collect()
    };
    for name in used(was).intersection(&used(is)) {
        let pointer = format!(
            "/components/securitySchemes/{}",
            crate::spec::escape_pointer_segment(name)
        );
        let old = scheme(&cx.old, &pointer);
        let new = scheme(&cx.new, &pointer);
        if old != new {
            let message = format!(
                "Security scheme {} was redefined ({} before, {} now).",
                code(name),
                show_scheme(&old),
                show_scheme(&new)
            );
            cx.push(
                rules::api(ApiKind::SecuritySchemeChanged),
                operation,
                &pointer,
                &pointer,
                message,
            );
        }
    }
}

/// A scheme's definition without its description, `$ref` followed.
fn scheme(doc: &Doc<'_>, pointer: &str) -> Option<Value> {
    let mut value = doc.at(pointer)?.value.into_owned();
    if let Some(object) = value.as_object_mut() {
        object.remove("description");
    }
    Some(value)
}

fn show_scheme(scheme: &Option<Value>) -> String {
    match scheme {
        None => "undefined".to_string(),
        Some(value) => code(&value.to_string()),
    }
}

/// The alternatives that apply to an operation: its own `security`, else (for an
/// operation, not a callback) the document's. No requirement at all is one empty
/// alternative: nothing needed.
fn effective(doc: &Doc<'_>, operation: &Node<'_>, caller: Caller) -> Vec<Alternative> {
    let own = operation.value.get("security");
    let list = match (own, caller) {
        (Some(list), _) => Some(list),
        (None, Caller::Vendor) => doc.raw.get("security"),
        (None, Caller::Platform) => None,
    };
    let mut alternatives: Vec<Alternative> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|requirement| {
            requirement
                .iter()
                .map(|(name, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect();
                    (name.clone(), scopes)
                })
                .collect()
        })
        .collect();
    if alternatives.is_empty() {
        alternatives.push(Alternative::new());
    }
    alternatives.sort();
    alternatives.dedup();
    alternatives
}

/// Whether credentials for `sent` satisfy one of `required`.
fn satisfies(sent: &Alternative, required: &[Alternative]) -> bool {
    required.iter().any(|needed| {
        needed
            .iter()
            .all(|(name, scopes)| sent.get(name).is_some_and(|have| scopes.is_subset(have)))
    })
}

fn show(alternatives: &[Alternative]) -> String {
    alternatives
        .iter()
        .map(|a| {
            if a.is_empty() {
                "no credentials".to_string()
            } else {
                a.keys().map(|k| code(k)).collect::<Vec<_>>().join(" + ")
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Where the requirement is written: the operation's `security`, or the document's.
fn security_pointer(operation: &Node<'_>, caller: Caller) -> String {
    if operation.value.get("security").is_some() || caller == Caller::Platform {
        operation.pointer_to(&["security"])
    } else {
        "/security".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt(names: &[&str]) -> Alternative {
        names
            .iter()
            .map(|n| (n.to_string(), BTreeSet::new()))
            .collect()
    }

    #[test]
    fn more_credentials_satisfy_fewer() {
        assert!(satisfies(&alt(&["a", "b"]), &[alt(&["a"])]));
        assert!(!satisfies(&alt(&["a"]), &[alt(&["a", "b"])]));
        assert!(satisfies(&alt(&[]), &[alt(&[])]));
        assert!(satisfies(&alt(&["b"]), &[alt(&["a"]), alt(&["b"])]));
    }
}
