//! The responses of an operation (or the answers to a callback): statuses added or
//! removed, and each status's description, headers and content.

use std::collections::{BTreeMap, BTreeSet};

use super::{compare_content, required_or_optional, value_schema};
use crate::diff::resolve::{Doc, Node};
use crate::diff::rules::{self, BodyKind, Exchange, Member, MemberKind, Part, StatusKind};
use crate::diff::{Cx, code, schema, sentence};

/// Compares the responses of two matching operations of a response `exchange`.
pub(crate) fn compare_responses<'a>(
    cx: &mut Cx<'a>,
    operation: &str,
    exchange: Exchange,
    old_op: &Node<'a>,
    new_op: &Node<'a>,
) {
    let old: BTreeMap<String, Node<'a>> = cx.old.entries(old_op, "responses").into_iter().collect();
    let new: BTreeMap<String, Node<'a>> = cx.new.entries(new_op, "responses").into_iter().collect();
    let what = match exchange {
        Exchange::CallbackResponse => "answer",
        _ => "response",
    };
    let statuses: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for status in statuses {
        let success = status.starts_with('2');
        let declared = |op: &Node<'a>| op.pointer_to(&["responses", status]);
        match (old.get(status), new.get(status)) {
            (Some(_), None) => {
                let kind = if success {
                    StatusKind::SuccessRemoved
                } else {
                    StatusKind::OtherRemoved
                };
                let message = format!(
                    "The {} {what} {} was removed.",
                    if success { "success" } else { "non-success" },
                    code(status)
                );
                cx.push(
                    rules::status(exchange, kind),
                    operation,
                    &declared(old_op),
                    &new_op.pointer_to(&["responses"]),
                    message,
                );
            }
            (None, Some(_)) => {
                let kind = if success {
                    StatusKind::SuccessAdded
                } else {
                    StatusKind::OtherAdded
                };
                let message = format!(
                    "A {} {what} {} was added.",
                    if success { "success" } else { "non-success" },
                    code(status)
                );
                cx.push(
                    rules::status(exchange, kind),
                    operation,
                    &old_op.pointer_to(&["responses"]),
                    &declared(new_op),
                    message,
                );
            }
            (Some(o), Some(n)) => {
                if o.str("description") != n.str("description") {
                    let message =
                        format!("The description of the {what} {} changed.", code(status));
                    cx.push(
                        rules::body(exchange, BodyKind::DescriptionChanged),
                        operation,
                        &o.pointer_to(&["description"]),
                        &n.pointer_to(&["description"]),
                        message,
                    );
                }
                compare_headers(cx, operation, exchange, status, o, n);
                let subject = format!("the {status} {what} body");
                compare_content(cx, operation, exchange, &subject, o, n);
            }
            (None, None) => {}
        }
    }
}

/// Compares the headers of two responses with the same status.
fn compare_headers<'a>(
    cx: &mut Cx<'a>,
    operation: &str,
    exchange: Exchange,
    status: &str,
    old: &Node<'a>,
    new: &Node<'a>,
) {
    let headers = |doc: &Doc<'a>, node: &Node<'a>| -> BTreeMap<String, (String, Node<'a>)> {
        doc.entries(node, "headers")
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), (k, v)))
            .collect()
    };
    let old_headers = headers(&cx.old, old);
    let new_headers = headers(&cx.new, new);
    let names: BTreeSet<&String> = old_headers.keys().chain(new_headers.keys()).collect();
    let describe = |name: &str| format!("header {} of the {status} response", code(name));
    for key in names {
        match (old_headers.get(key), new_headers.get(key)) {
            (Some((name, o)), None) => {
                let (kind, what) = required_or_optional(
                    o.flag("required"),
                    MemberKind::RequiredRemoved,
                    MemberKind::OptionalRemoved,
                );
                let message = format!("{what} {} was removed.", describe(name));
                cx.push(
                    rules::member(exchange, Member::Header, kind),
                    operation,
                    &old.pointer_to(&["headers", name]),
                    &new.pointer_to(&["headers"]),
                    message,
                );
            }
            (None, Some((name, n))) => {
                let (kind, what) = required_or_optional(
                    n.flag("required"),
                    MemberKind::RequiredAdded,
                    MemberKind::OptionalAdded,
                );
                let message = format!("{what} {} was added.", describe(name));
                cx.push(
                    rules::member(exchange, Member::Header, kind),
                    operation,
                    &old.pointer_to(&["headers"]),
                    &new.pointer_to(&["headers", name]),
                    message,
                );
            }
            (Some((_, o)), Some((name, n))) => {
                if o.flag("required") != n.flag("required") {
                    let (kind, now) = if n.flag("required") {
                        (MemberKind::BecameRequired, "required")
                    } else {
                        (MemberKind::BecameOptional, "optional")
                    };
                    let message = sentence(format!("{} became {now}.", describe(name)));
                    cx.push(
                        rules::member(exchange, Member::Header, kind),
                        operation,
                        &o.pointer_to(&["required"]),
                        &n.pointer_to(&["required"]),
                        message,
                    );
                }
                let old_schema = value_schema(&cx.old, o);
                let new_schema = value_schema(&cx.new, n);
                schema::compare(
                    cx,
                    operation,
                    exchange,
                    Part::Header,
                    &describe(name),
                    old_schema,
                    new_schema,
                );
            }
            (None, None) => {}
        }
    }
}
