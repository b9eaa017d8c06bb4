//! Comparing what one exchange carries: the parameters and body of a request, the
//! statuses, headers and bodies of the responses. Schemas are handed to [`schema`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resolve::{Doc, Node};
use super::rules::{self, BodyKind, Exchange, Member, MemberKind, Part, StatusKind, ValueKind};
use super::{Cx, code, schema, sentence};

/// A parameter of an operation, as declared on its path item or on the operation.
struct Param<'a> {
    name: String,
    location: String,
    required: bool,
    /// Where it is declared (its slot in a `parameters` list).
    declared: String,
    /// The parameter object, `$ref` followed.
    node: Node<'a>,
}

impl Param<'_> {
    fn describe(&self) -> String {
        format!("{} parameter {}", self.location, code(&self.name))
    }
}

/// The parameters that apply to an operation, keyed by location and name (header names
/// compare case-insensitively); the operation's own override the path item's.
fn parameters<'a>(
    doc: &Doc<'a>,
    item: Option<&Node<'a>>,
    op: &Node<'a>,
) -> BTreeMap<(String, String), Param<'a>> {
    let mut out = BTreeMap::new();
    for source in item.into_iter().chain([op]) {
        for (i, node) in doc.items(source, "parameters").into_iter().enumerate() {
            let (Some(name), Some(location)) = (node.str("name"), node.str("in")) else {
                continue;
            };
            let (name, location) = (name.to_string(), location.to_string());
            let key_name = if location == "header" {
                name.to_ascii_lowercase()
            } else {
                name.to_string()
            };
            let param = Param {
                required: node.flag("required") || location == "path",
                declared: source.pointer_to(&["parameters", &i.to_string()]),
                node,
                name,
                location: location.clone(),
            };
            out.insert((location, key_name), param);
        }
    }
    out
}

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

/// Compares the parameters of two matching operations of a request `exchange`.
pub(crate) fn compare_parameters<'a>(
    cx: &mut Cx<'a>,
    operation: &str,
    exchange: Exchange,
    (old_item, old_op): (Option<&Node<'a>>, &Node<'a>),
    (new_item, new_op): (Option<&Node<'a>>, &Node<'a>),
) {
    let old = parameters(&cx.old, old_item, old_op);
    let new = parameters(&cx.new, new_item, new_op);
    let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (Some(o), None) => {
                let (kind, what) = required_or_optional(
                    o.required,
                    MemberKind::RequiredRemoved,
                    MemberKind::OptionalRemoved,
                );
                let message = format!("{what} {} was removed.", o.describe());
                let rule = rules::member(exchange, Member::Parameter, kind);
                cx.push(
                    rule,
                    operation,
                    &o.declared,
                    &new_op.pointer_to(&["parameters"]),
                    message,
                );
            }
            (None, Some(n)) => {
                let (kind, what) = required_or_optional(
                    n.required,
                    MemberKind::RequiredAdded,
                    MemberKind::OptionalAdded,
                );
                let message = format!("{what} {} was added.", n.describe());
                let rule = rules::member(exchange, Member::Parameter, kind);
                cx.push(
                    rule,
                    operation,
                    &old_op.pointer_to(&["parameters"]),
                    &n.declared,
                    message,
                );
            }
            (Some(o), Some(n)) => {
                if o.required != n.required {
                    let (kind, now) = if n.required {
                        (MemberKind::BecameRequired, "required")
                    } else {
                        (MemberKind::BecameOptional, "optional")
                    };
                    let message = sentence(format!("{} became {now}.", n.describe()));
                    let rule = rules::member(exchange, Member::Parameter, kind);
                    cx.push(
                        rule,
                        operation,
                        &o.node.pointer_to(&["required"]),
                        &n.node.pointer_to(&["required"]),
                        message,
                    );
                }
                if o.node.str("description") != n.node.str("description") {
                    let message = format!("The description of {} changed.", n.describe());
                    let rule =
                        rules::value(exchange, Part::Parameter, ValueKind::DescriptionChanged);
                    cx.push(
                        rule,
                        operation,
                        &o.node.pointer_to(&["description"]),
                        &n.node.pointer_to(&["description"]),
                        message,
                    );
                }
                let old_schema = value_schema(&cx.old, &o.node);
                let new_schema = value_schema(&cx.new, &n.node);
                schema::compare(
                    cx,
                    operation,
                    exchange,
                    Part::Parameter,
                    &n.describe(),
                    old_schema,
                    new_schema,
                );
            }
            (None, None) => {}
        }
    }
}

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
