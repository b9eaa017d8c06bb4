//! The parameters of a request: added, removed, made required or optional, and their
//! schemas.

use std::collections::{BTreeMap, BTreeSet};

use super::{required_or_optional, value_schema};
use crate::diff::resolve::{Doc, Node};
use crate::diff::rules::{self, Exchange, Member, MemberKind, Part, ValueKind};
use crate::diff::{Cx, code, schema, sentence};

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
