//! Comparing what one exchange carries: the parameters and body of a request, the
//! statuses, headers and bodies of the responses. Schemas are handed to [`schema`].
//!
//! [`schema`]: super::schema

mod body;
mod parameters;
mod responses;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resolve::{Doc, Node};
use super::rules::{self, BodyKind, Exchange, MemberKind, Part};
use super::{Cx, code, schema};

pub(crate) use body::compare_request_body;
pub(crate) use parameters::compare_parameters;
pub(crate) use responses::compare_responses;

/// The schema of a parameter or header: its `schema`, or the schema of its only
/// `content` entry; the empty schema (anything) when it has none.
fn value_schema<'a>(doc: &Doc<'a>, node: &Node<'a>) -> Node<'a> {
    if let Some(schema) = doc.child(node, "schema") {
        return schema;
    }
    let from_content = doc
        .entries(node, "content")
        .into_iter()
        .next()
        .and_then(|(_, media)| doc.child(&media, "schema"));
    from_content.unwrap_or_else(|| empty_schema(node.pointer_to(&["schema"])))
}

fn empty_schema<'a>(pointer: String) -> Node<'a> {
    Node {
        value: Cow::Owned(Value::Object(Default::default())),
        pointer,
    }
}

/// `if_required` or `if_optional`, with the word messages use for it.
fn required_or_optional(
    required: bool,
    if_required: MemberKind,
    if_optional: MemberKind,
) -> (MemberKind, &'static str) {
    if required {
        (if_required, "Required")
    } else {
        (if_optional, "Optional")
    }
}

/// Compares the media types of two request bodies or responses, and the schema of each
/// media type they share.
fn compare_content<'a>(
    cx: &mut Cx<'a>,
    operation: &str,
    exchange: Exchange,
    subject: &str,
    old: &Node<'a>,
    new: &Node<'a>,
) {
    let media = |doc: &Doc<'a>, node: &Node<'a>| -> BTreeMap<String, Node<'a>> {
        doc.entries(node, "content")
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect()
    };
    let old_media = media(&cx.old, old);
    let new_media = media(&cx.new, new);
    let several = old_media.len() > 1 || new_media.len() > 1;
    let types: BTreeSet<&String> = old_media.keys().chain(new_media.keys()).collect();
    for media_type in types {
        match (old_media.get(media_type), new_media.get(media_type)) {
            (Some(o), None) => {
                let message = format!(
                    "Media type {} was removed from {subject}.",
                    code(media_type)
                );
                cx.push(
                    rules::body(exchange, BodyKind::MediaTypeRemoved),
                    operation,
                    &o.pointer,
                    &new.pointer_to(&["content"]),
                    message,
                );
            }
            (None, Some(n)) => {
                let message = format!("Media type {} was added to {subject}.", code(media_type));
                cx.push(
                    rules::body(exchange, BodyKind::MediaTypeAdded),
                    operation,
                    &old.pointer_to(&["content"]),
                    &n.pointer,
                    message,
                );
            }
            (Some(o), Some(n)) => {
                let old_schema = cx
                    .old
                    .child(o, "schema")
                    .unwrap_or_else(|| empty_schema(o.pointer_to(&["schema"])));
                let new_schema = cx
                    .new
                    .child(n, "schema")
                    .unwrap_or_else(|| empty_schema(n.pointer_to(&["schema"])));
                let subject = if several {
                    format!("{subject} ({media_type})")
                } else {
                    subject.to_string()
                };
                schema::compare(
                    cx,
                    operation,
                    exchange,
                    Part::Body,
                    &subject,
                    old_schema,
                    new_schema,
                );
            }
            (None, None) => {}
        }
    }
}
