//! The body of a request: added, removed, made required or optional, its description
//! and its content.

use super::compare_content;
use crate::diff::resolve::Node;
use crate::diff::rules::{self, BodyKind, Exchange};
use crate::diff::{Cx, sentence};

/// Compares the request bodies of two matching operations of a request `exchange`.
pub(crate) fn compare_request_body<'a>(
    cx: &mut Cx<'a>,
    operation: &str,
    exchange: Exchange,
    old_op: &Node<'a>,
    new_op: &Node<'a>,
) {
    let subject = match exchange {
        Exchange::CallbackRequest => "the callback payload",
        _ => "the request body",
    };
    let old = cx.old.child(old_op, "requestBody");
    let new = cx.new.child(new_op, "requestBody");
    let old_at = |node: &Option<Node<'a>>| {
        node.as_ref().map_or_else(
            || old_op.pointer_to(&["requestBody"]),
            |n| n.pointer.clone(),
        )
    };
    let new_at = |node: &Option<Node<'a>>| {
        node.as_ref().map_or_else(
            || new_op.pointer_to(&["requestBody"]),
            |n| n.pointer.clone(),
        )
    };
    let (o_at, n_at) = (old_at(&old), new_at(&new));
    let (kind, message) = match (&old, &new) {
        (None, None) => return,
        (None, Some(n)) if n.flag("required") => (
            BodyKind::BecameRequired,
            format!("A required body was added: {subject}."),
        ),
        (None, Some(_)) => (
            BodyKind::Added,
            format!("An optional body was added: {subject}."),
        ),
        (Some(_), None) => (
            BodyKind::Removed,
            sentence(format!("{subject} was removed.")),
        ),
        (Some(o), Some(n)) => {
            if o.flag("required") != n.flag("required") {
                let (kind, now) = if n.flag("required") {
                    (BodyKind::BecameRequired, "required")
                } else {
                    (BodyKind::BecameOptional, "optional")
                };
                let message = sentence(format!("{subject} became {now}."));
                cx.push(
                    rules::body(exchange, kind),
                    operation,
                    &o.pointer_to(&["required"]),
                    &n.pointer_to(&["required"]),
                    message,
                );
            }
            if o.str("description") != n.str("description") {
                let message = format!("The description of {subject} changed.");
                cx.push(
                    rules::body(exchange, BodyKind::DescriptionChanged),
                    operation,
                    &o.pointer_to(&["description"]),
                    &n.pointer_to(&["description"]),
                    message,
                );
            }
            compare_content(cx, operation, exchange, subject, o, n);
            return;
        }
    };
    cx.push(
        rules::body(exchange, kind),
        operation,
        &o_at,
        &n_at,
        message,
    );
}
