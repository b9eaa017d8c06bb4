//! Matching the operations (and their callbacks) of two documents, and reporting
//! operations removed, moved, added or changed.
//!
//! Operations match by path and method; path templates match whatever their parameters
//! are called (`/a/{id}` is `/a/{key}`). An unmatched old operation whose operationId
//! turns up unmatched in the new document has moved (another method, or another path).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::resolve::{Doc, Node};
use super::rules::{self, ApiKind, Exchange};
use super::security::{self, Caller};
use super::{Cx, code, exchange};

/// The HTTP methods an OpenAPI path item can hold, in the order reports use.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An operation of the document.
struct Op<'a> {
    path: String,
    method: &'static str,
    item: Node<'a>,
    node: Node<'a>,
}

impl Op<'_> {
    fn id(&self) -> Option<&str> {
        self.node.str("operationId")
    }

    /// `operationId (METHOD /path)`, or `METHOD /path` without an operationId.
    fn label(&self) -> String {
        let route = format!("{} {}", self.method.to_ascii_uppercase(), self.path);
        match self.id() {
            Some(id) => format!("{id} ({route})"),
            None => route,
        }
    }

    /// The operationId, or `METHOD /path` without one (how a callback names its parent).
    fn short_name(&self) -> String {
        match self.id() {
            Some(id) => id.to_string(),
            None => format!("{} {}", self.method.to_ascii_uppercase(), self.path),
        }
    }

    fn key(&self) -> (String, &'static str) {
        (normalize(&self.path), self.method)
    }
}

/// A path template with its parameter names blanked: `/a/{id}` becomes `/a/{}`.
fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                out.push('{');
            }
            '}' => {
                in_parameter = false;
                out.push('}');
            }
            _ if in_parameter => {}
            _ => out.push(c),
        }
    }
    out
}

fn operations<'a>(doc: &Doc<'a>) -> Vec<Op<'a>> {
    let Some(paths) = doc.at("/paths") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in doc.members(&paths) {
        for method in METHODS {
            if let Some(node) = doc.child(&item, method) {
                out.push(Op {
                    path: path.clone(),
                    method,
                    item: item.clone(),
                    node,
                });
            }
        }
    }
    out
}

/// Compares every operation of the two documents.
pub(crate) fn compare(cx: &mut Cx<'_>) {
    let old_ops = operations(&cx.old);
    let new_ops = operations(&cx.new);
    let new_index: HashMap<(String, &str), usize> = new_ops
        .iter()
        .enumerate()
        .map(|(j, op)| (op.key(), j))
        .collect();
    let mut new_taken = vec![false; new_ops.len()];
    let mut pair_of_old: Vec<Option<usize>> = old_ops
        .iter()
        .map(|op| {
            let j = new_index.get(&op.key()).copied()?;
            new_taken[j] = true;
            Some(j)
        })
        .collect();
    // Moved operations: the same operationId, unmatched on both sides.
    let mut moved: Vec<Option<usize>> = vec![None; old_ops.len()];
    for (i, op) in old_ops.iter().enumerate() {
        if pair_of_old[i].is_some() {
            continue;
        }
        let Some(id) = op.id() else { continue };
        if let Some(j) = (0..new_ops.len()).find(|&j| !new_taken[j] && new_ops[j].id() == Some(id))
        {
            new_taken[j] = true;
            moved[i] = Some(j);
        }
    }
    let new_paths: BTreeSet<String> = new_ops.iter().map(|op| normalize(&op.path)).collect();
    for (i, old) in old_ops.iter().enumerate() {
        if let Some(j) = pair_of_old[i].take() {
            compare_operation(cx, old, &new_ops[j]);
        } else if let Some(j) = moved[i] {
            let new = &new_ops[j];
            let (kind, message) = if normalize(&old.path) == normalize(&new.path) {
                (
                    ApiKind::MethodChanged,
                    format!(
                        "The operation moved from {} to {} on {}.",
                        old.method.to_ascii_uppercase(),
                        new.method.to_ascii_uppercase(),
                        code(&old.path)
                    ),
                )
            } else {
                (
                    ApiKind::OperationMoved,
                    format!(
                        "The operation moved from {} {} to {} {}.",
                        old.method.to_ascii_uppercase(),
                        code(&old.path),
                        new.method.to_ascii_uppercase(),
                        code(&new.path)
                    ),
                )
            };
            cx.push(
                rules::api(kind),
                &old.label(),
                &old.node.pointer,
                &new.node.pointer,
                message,
            );
        } else {
            let path_remains = new_paths.contains(&normalize(&old.path));
            let (kind, message) = if path_remains {
                (
                    ApiKind::OperationRemoved,
                    format!(
                        "{} {} was removed.",
                        old.method.to_ascii_uppercase(),
                        code(&old.path)
                    ),
                )
            } else {
                (
                    ApiKind::PathRemoved,
                    format!(
                        "The path {} was removed, and this operation with it.",
                        code(&old.path)
                    ),
                )
            };
            let new_at = if path_remains {
                new_ops
                    .iter()
                    .find(|n| normalize(&n.path) == normalize(&old.path))
                    .map_or_else(|| "/paths".to_string(), |n| n.item.pointer.clone())
            } else {
                "/paths".to_string()
            };
            cx.push(
                rules::api(kind),
                &old.label(),
                &old.node.pointer,
                &new_at,
                message,
            );
        }
    }
    for (new, _) in new_ops.iter().zip(&new_taken).filter(|(_, taken)| !**taken) {
        let message = format!(
            "New operation {} {}.",
            new.method.to_ascii_uppercase(),
            code(&new.path)
        );
        cx.push(
            rules::api(ApiKind::OperationAdded),
            &new.label(),
            "/paths",
            &new.node.pointer,
            message,
        );
    }
}

/// Compares two operations at the same path and method.
fn compare_operation<'a>(cx: &mut Cx<'a>, old: &Op<'a>, new: &Op<'a>) {
    let label = old.label();
    if old.id() != new.id() {
        let show = |id: Option<&str>| id.map_or_else(|| "none".to_string(), code);
        let message = format!(
            "The operationId changed from {} to {}; the generated client's method is renamed.",
            show(old.id()),
            show(new.id())
        );
        cx.push(
            rules::api(ApiKind::OperationIdChanged),
            &label,
            &old.node.pointer_to(&["operationId"]),
            &new.node.pointer_to(&["operationId"]),
            message,
        );
    }
    if !old.node.flag("deprecated") && new.node.flag("deprecated") {
        let message = "The operation became deprecated.".to_string();
        cx.push(
            rules::api(ApiKind::OperationDeprecated),
            &label,
            &old.node.pointer,
            &new.node.pointer_to(&["deprecated"]),
            message,
        );
    }
    compare_texts(cx, &label, &old.node, &new.node, "operation");
    security::compare(cx, &label, Caller::Vendor, &old.node, &new.node);
    exchange::compare_parameters(
        cx,
        &label,
        Exchange::Request,
        (Some(&old.item), &old.node),
        (Some(&new.item), &new.node),
    );
    exchange::compare_request_body(cx, &label, Exchange::Request, &old.node, &new.node);
    exchange::compare_responses(cx, &label, Exchange::Response, &old.node, &new.node);
    compare_callbacks(cx, old, new);
}

/// Reports a changed summary or description.
fn compare_texts(cx: &mut Cx<'_>, label: &str, old: &Node<'_>, new: &Node<'_>, what: &str) {
    for field in ["summary", "description"] {
        if old.str(field) != new.str(field) {
            let message = format!("The {field} of the {what} changed.");
            cx.push(
                rules::api(ApiKind::DescriptionChanged),
                label,
                &old.pointer_to(&[field]),
                &new.pointer_to(&[field]),
                message,
            );
        }
    }
}

/// A callback operation: the platform's call to the vendor.
struct CallbackOp<'a> {
    item: Node<'a>,
    node: Node<'a>,
}

/// The callback operations of `op`, keyed by callback name, expression and method.
fn callbacks<'a>(
    doc: &Doc<'a>,
    op: &Node<'a>,
) -> BTreeMap<(String, String, &'static str), CallbackOp<'a>> {
    let mut out = BTreeMap::new();
    for (name, callback) in doc.entries(op, "callbacks") {
        for (expression, item) in doc.members(&callback) {
            for method in METHODS {
                if let Some(node) = doc.child(&item, method) {
                    let key = (name.clone(), expression.clone(), method);
                    out.insert(
                        key,
                        CallbackOp {
                            item: item.clone(),
                            node,
                        },
                    );
                }
            }
        }
    }
    out
}

/// `callback NAME of PARENT (METHOD EXPRESSION)`.
fn callback_label(parent: &Op<'_>, (name, expression, method): &(String, String, &str)) -> String {
    format!(
        "callback {name} of {} ({} {expression})",
        parent.short_name(),
        method.to_ascii_uppercase()
    )
}

/// Compares the callbacks of two matching operations.
fn compare_callbacks<'a>(cx: &mut Cx<'a>, old_op: &Op<'a>, new_op: &Op<'a>) {
    let old = callbacks(&cx.old, &old_op.node);
    let new = callbacks(&cx.new, &new_op.node);
    let keys: BTreeSet<&(String, String, &str)> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let label = callback_label(old_op, key);
        match (old.get(key), new.get(key)) {
            (Some(o), None) => {
                let message = format!(
                    "The platform no longer makes the callback {}.",
                    code(&key.0)
                );
                cx.push(
                    rules::api(ApiKind::CallbackRemoved),
                    &label,
                    &o.node.pointer,
                    &new_op.node.pointer_to(&["callbacks"]),
                    message,
                );
            }
            (None, Some(n)) => {
                let message = format!(
                    "The platform makes a new callback {} to the vendor's webhook.",
                    code(&key.0)
                );
                let label = callback_label(new_op, key);
                cx.push(
                    rules::api(ApiKind::CallbackAdded),
                    &label,
                    &old_op.node.pointer_to(&["callbacks"]),
                    &n.node.pointer,
                    message,
                );
            }
            (Some(o), Some(n)) => {
                compare_texts(cx, &label, &o.node, &n.node, "callback");
                security::compare(cx, &label, Caller::Platform, &o.node, &n.node);
                exchange::compare_parameters(
                    cx,
                    &label,
                    Exchange::CallbackRequest,
                    (Some(&o.item), &o.node),
                    (Some(&n.item), &n.node),
                );
                exchange::compare_request_body(
                    cx,
                    &label,
                    Exchange::CallbackRequest,
                    &o.node,
                    &n.node,
                );
                exchange::compare_responses(
                    cx,
                    &label,
                    Exchange::CallbackResponse,
                    &o.node,
                    &n.node,
                );
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn path_parameters_match_whatever_their_names() {
        assert_eq!(normalize("/a/{id}/b/{key}"), "/a/{}/b/{}");
        assert_eq!(normalize("/webhookconfig"), "/webhookconfig");
    }
}
