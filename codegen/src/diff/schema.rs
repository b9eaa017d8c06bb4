//! Comparing two schemas in the direction their data flows (see [`Flow`]): type, format,
//! enum, bounds, pattern, nullable, properties and their `required`, array items, and
//! `oneOf`/`anyOf` options, recursively.
//!
//! [`Flow`]: super::rules::Flow

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::resolve::{Doc, Node};
use super::rules::{self, Bound, Exchange, Member, MemberKind, Part, ValueKind};
use super::{Cx, code, sentence};

/// How deep the comparison descends into nested schemas.
const MAX_DEPTH: usize = 64;

/// After this many schema pairs, a pair already compared (reached again through
/// another path of a `$ref` graph) is not compared again: without the limit, a chain of
/// schemas that each use the next one twice would take exponential time.
const REVISIT_BUDGET: usize = 20_000;

/// Compares the schema `old` with `new` and records what changed. `subject` names the
/// schema's root in messages ("the request body", "query parameter `whid`"); `root` is
/// the part it is (a body, a parameter or a header).
pub(crate) fn compare<'a>(
    cx: &mut Cx<'a>,
    operation: &str,
    exchange: Exchange,
    root: Part,
    subject: &str,
    old: Node<'a>,
    new: Node<'a>,
) {
    let mut diff = SchemaDiff {
        cx,
        operation,
        exchange,
        root,
        subject,
        stack: Vec::new(),
        seen: HashSet::new(),
        visits: 0,
    };
    diff.compare(old, new, "");
}

/// One comparison of a schema pair, walking both in step.
struct SchemaDiff<'c, 'a> {
    cx: &'c mut Cx<'a>,
    operation: &'c str,
    exchange: Exchange,
    root: Part,
    subject: &'c str,
    /// The (old, new) pointer pairs being compared, outermost first: a pair met again is
    /// a cycle through `$ref`, and is not descended into twice.
    stack: Vec<(String, String)>,
    /// Every pair compared so far (see [`REVISIT_BUDGET`]).
    seen: HashSet<(String, String)>,
    /// How many pairs were compared.
    visits: usize,
}

impl<'c, 'a> SchemaDiff<'c, 'a> {
    fn compare(&mut self, old: Node<'a>, new: Node<'a>, path: &str) {
        let key = (old.pointer.clone(), new.pointer.clone());
        if self.stack.len() >= MAX_DEPTH || self.stack.contains(&key) {
            return;
        }
        let first_visit = self.seen.insert(key.clone());
        if !first_visit && self.visits >= REVISIT_BUDGET {
            return;
        }
        self.visits += 1;
        self.stack.push(key);
        let old = self.cx.old.schema(old);
        let new = self.cx.new.schema(new);
        self.compare_node(&old, &new, path);
        self.stack.pop();
    }

    fn compare_node(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        if old.str("description") != new.str("description") {
            let message = format!("The description of {} changed.", self.place(path));
            self.emit(ValueKind::DescriptionChanged, path, old, new, message);
        }
        let composed = ["oneOf", "anyOf"]
            .iter()
            .any(|k| is_array(old, k) && is_array(new, k));
        // With options on both sides, the options are compared one by one instead.
        if !composed && !self.compare_types(old, new, path) {
            return;
        }
        self.compare_nullable(old, new, path);
        self.compare_format(old, new, path);
        self.compare_enum(old, new, path);
        for bound in Bound::ALL {
            self.compare_bound(bound, old, new, path);
        }
        self.compare_pattern(old, new, path);
        self.compare_additional_properties(old, new, path);
        self.compare_properties(old, new, path);
        if let (Some(o), Some(n)) = (
            self.cx.old.child(old, "items"),
            self.cx.new.child(new, "items"),
        ) {
            self.compare(o, n, &format!("{path}[]"));
        }
        self.compare_options("oneOf", old, new, path);
        self.compare_options("anyOf", old, new, path);
    }

    /// Compares the types; returns `false` when they are unrelated, so that nothing below
    /// is compared (every difference there would follow from the type change).
    fn compare_types(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) -> bool {
        let old_types = types(&self.cx.old, old, 0);
        let new_types = types(&self.cx.new, new, 0);
        if old_types == new_types {
            return true;
        }
        let generalized = match (&old_types, &new_types) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(o), Some(n)) => o.iter().all(|t| covers(n, t)),
        };
        let specialized = match (&old_types, &new_types) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(n)) => n.iter().all(|t| covers(o, t)),
        };
        let kind = if generalized {
            ValueKind::TypeGeneralized
        } else if specialized {
            ValueKind::TypeSpecialized
        } else {
            ValueKind::TypeChanged
        };
        let message = format!(
            "The type of {} changed from {} to {}.",
            self.place(path),
            show_types(&old_types),
            show_types(&new_types)
        );
        self.emit_at(kind, path, old, new, "type", message);
        kind != ValueKind::TypeChanged
    }

    fn compare_nullable(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let (was, is) = (old.flag("nullable"), new.flag("nullable"));
        if was == is {
            return;
        }
        let (kind, message) = if is {
            (
                ValueKind::BecameNullable,
                format!("{} became nullable.", self.place(path)),
            )
        } else {
            (
                ValueKind::BecameNotNullable,
                format!("{} is no longer nullable.", self.place(path)),
            )
        };
        self.emit_at(kind, path, old, new, "nullable", sentence(message));
    }

    fn compare_format(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let (was, is) = (old.str("format"), new.str("format"));
        if was == is {
            return;
        }
        let show = |f: Option<&str>| f.map_or_else(|| "none".to_string(), code);
        let message = format!(
            "The format of {} changed from {} to {}.",
            self.place(path),
            show(was),
            show(is)
        );
        self.emit_at(ValueKind::FormatChanged, path, old, new, "format", message);
    }

    fn compare_enum(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let was = old.value.get("enum").and_then(Value::as_array);
        let is = new.value.get("enum").and_then(Value::as_array);
        let place = self.place(path);
        match (was, is) {
            (None, None) => {}
            (None, Some(values)) => {
                let message = format!("{place} is now restricted to {}.", show_values(values));
                self.emit_at(
                    ValueKind::EnumAdded,
                    path,
                    old,
                    new,
                    "enum",
                    sentence(message),
                );
            }
            (Some(values), None) => {
                let message = format!(
                    "{place} is no longer restricted to {}.",
                    show_values(values)
                );
                self.emit_at(
                    ValueKind::EnumRemoved,
                    path,
                    old,
                    new,
                    "enum",
                    sentence(message),
                );
            }
            (Some(was), Some(is)) => {
                for (i, value) in was.iter().enumerate().filter(|(_, v)| !is.contains(v)) {
                    let message =
                        format!("Enum value {} was removed from {place}.", show_value(value));
                    let old_at = old.pointer_to(&["enum", &i.to_string()]);
                    let new_at = new.pointer_to(&["enum"]);
                    self.emit_pointers(
                        ValueKind::EnumValueRemoved,
                        path,
                        &old_at,
                        &new_at,
                        message,
                    );
                }
                for (i, value) in is.iter().enumerate().filter(|(_, v)| !was.contains(v)) {
                    let message = format!("Enum value {} was added to {place}.", show_value(value));
                    let old_at = old.pointer_to(&["enum"]);
                    let new_at = new.pointer_to(&["enum", &i.to_string()]);
                    self.emit_pointers(ValueKind::EnumValueAdded, path, &old_at, &new_at, message);
                }
            }
        }
    }

    fn compare_bound(&mut self, bound: Bound, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let (keyword, exclusive) = bound.keywords();
        let read = |node: &Node<'a>| -> Option<(f64, bool)> {
            let limit = node.value.get(keyword)?.as_f64()?;
            Some((limit, exclusive.is_some_and(|k| node.flag(k))))
        };
        let (was, is) = (read(old), read(new));
        if was == is {
            return;
        }
        // Order limits by strictness: a larger lower bound, or a smaller upper bound, or
        // the same limit made exclusive, is stricter.
        let stricter = |a: (f64, bool), b: (f64, bool)| -> bool {
            if a.0 == b.0 {
                a.1 && !b.1
            } else if bound.is_lower() {
                a.0 > b.0
            } else {
                a.0 < b.0
            }
        };
        let tightened = match (was, is) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(w), Some(i)) => stricter(i, w),
            (None, None) => return,
        };
        // A tightened lower bound went up; a tightened upper bound went down.
        let raised = tightened == bound.is_lower();
        let place = self.place(path);
        let message = match (was, is) {
            (None, Some(i)) => format!("{keyword} of {place} was set to {}.", show_limit(i)),
            (Some(w), None) => format!(
                "{keyword} of {place} was removed (it was {}).",
                show_limit(w)
            ),
            (Some(w), Some(i)) => format!(
                "{keyword} of {place} was {} from {} to {}.",
                if raised { "raised" } else { "lowered" },
                show_limit(w),
                show_limit(i)
            ),
            (None, None) => return,
        };
        self.emit_at(
            ValueKind::Bound(bound, raised),
            path,
            old,
            new,
            keyword,
            sentence(message),
        );
    }

    fn compare_pattern(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let place = self.place(path);
        let (kind, message) = match (old.str("pattern"), new.str("pattern")) {
            (was, is) if was == is => return,
            (None, Some(is)) => (
                ValueKind::PatternAdded,
                format!("{place} must now match the pattern {}.", code(is)),
            ),
            (Some(was), None) => (
                ValueKind::PatternRemoved,
                format!("{place} no longer has to match the pattern {}.", code(was)),
            ),
            (Some(was), Some(is)) => (
                ValueKind::PatternChanged,
                format!(
                    "The pattern of {place} changed from {} to {}.",
                    code(was),
                    code(is)
                ),
            ),
            (None, None) => return,
        };
        self.emit_at(kind, path, old, new, "pattern", sentence(message));
    }

    fn compare_additional_properties(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let forbidden =
            |node: &Node<'a>| node.value.get("additionalProperties") == Some(&Value::Bool(false));
        let place = self.place(path);
        match (forbidden(old), forbidden(new)) {
            (false, true) => {
                let message = format!("{place} no longer allows properties it does not declare.");
                self.emit_at(
                    ValueKind::AdditionalPropertiesForbidden,
                    path,
                    old,
                    new,
                    "additionalProperties",
                    sentence(message),
                );
            }
            (true, false) => {
                let message = format!("{place} now allows properties it does not declare.");
                self.emit_at(
                    ValueKind::AdditionalPropertiesAllowed,
                    path,
                    old,
                    new,
                    "additionalProperties",
                    sentence(message),
                );
            }
            _ => {
                let o = self.cx.old.child(old, "additionalProperties");
                let n = self.cx.new.child(new, "additionalProperties");
                if let (Some(o), Some(n)) = (o, n)
                    && o.value.is_object()
                    && n.value.is_object()
                {
                    self.compare(o, n, &format!("{path}.*"));
                }
            }
        }
    }

    fn compare_properties(&mut self, old: &Node<'a>, new: &Node<'a>, path: &str) {
        let (old_names, old_required) = members(old);
        let (new_names, new_required) = members(new);
        let place = self.place(path);
        for name in old_names.union(&new_names) {
            let was_required = old_required.contains(name);
            let is_required = new_required.contains(name);
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            match (old_names.contains(name), new_names.contains(name)) {
                (true, false) => {
                    let (kind, what) = if was_required {
                        (MemberKind::RequiredRemoved, "Required")
                    } else {
                        (MemberKind::OptionalRemoved, "Optional")
                    };
                    let message =
                        format!("{what} property {} was removed from {place}.", code(name));
                    self.emit_member(
                        kind,
                        &declared_at(old, name),
                        &new.pointer_to(&["properties"]),
                        message,
                    );
                }
                (false, true) => {
                    let (kind, what) = if is_required {
                        (MemberKind::RequiredAdded, "Required")
                    } else {
                        (MemberKind::OptionalAdded, "Optional")
                    };
                    let message = format!("{what} property {} was added to {place}.", code(name));
                    self.emit_member(
                        kind,
                        &old.pointer_to(&["properties"]),
                        &declared_at(new, name),
                        message,
                    );
                }
                (true, true) => {
                    if was_required != is_required {
                        let (kind, now) = if is_required {
                            (MemberKind::BecameRequired, "required")
                        } else {
                            (MemberKind::BecameOptional, "optional")
                        };
                        let message = format!("Property {} became {now} in {place}.", code(name));
                        self.emit_member(
                            kind,
                            &old.pointer_to(&["required"]),
                            &new.pointer_to(&["required"]),
                            message,
                        );
                    }
                    let o = property(&self.cx.old, old, name);
                    let n = property(&self.cx.new, new, name);
                    self.compare(o, n, &child_path);
                }
                (false, false) => {}
            }
        }
    }

    /// Pairs the options of `oneOf` (or `anyOf`): first those that are equal once
    /// inlined, then those defined at the same place, then those of the same type; the
    /// pairs are compared, and the options left over were removed or added.
    fn compare_options(&mut self, key: &str, old: &Node<'a>, new: &Node<'a>, path: &str) {
        if !(is_array(old, key) && is_array(new, key)) {
            return;
        }
        let olds: Vec<Node<'a>> = self
            .cx
            .old
            .items(old, key)
            .into_iter()
            .map(|n| self.cx.old.schema(n))
            .collect();
        let news: Vec<Node<'a>> = self
            .cx
            .new
            .items(new, key)
            .into_iter()
            .map(|n| self.cx.new.schema(n))
            .collect();
        let mut pair_of_old: Vec<Option<usize>> = vec![None; olds.len()];
        let mut taken = vec![false; news.len()];
        // Pass 0: equal once inlined; 1: defined at the same component; 2: same type.
        let alike = |pass: usize, o: &Node<'a>, n: &Node<'a>| match pass {
            0 => self.cx.old.inline(&o.value) == self.cx.new.inline(&n.value),
            1 => o.pointer == n.pointer && o.pointer.starts_with("/components/"),
            _ => o.str("type").is_some() && o.str("type") == n.str("type"),
        };
        for pass in 0..3 {
            for (i, o) in olds.iter().enumerate() {
                if pair_of_old[i].is_some() {
                    continue;
                }
                if let Some(j) = (0..news.len()).find(|&j| !taken[j] && alike(pass, o, &news[j])) {
                    pair_of_old[i] = Some(j);
                    taken[j] = true;
                }
            }
        }
        let (added, removed) = if key == "oneOf" {
            (ValueKind::OneOfOptionAdded, ValueKind::OneOfOptionRemoved)
        } else {
            (ValueKind::AnyOfOptionAdded, ValueKind::AnyOfOptionRemoved)
        };
        let place = self.place(path);
        for (i, pair) in pair_of_old.iter().enumerate() {
            match pair {
                Some(j) => self.compare(olds[i].clone(), news[*j].clone(), path),
                None => {
                    let message = format!(
                        "Option {} ({}) of the {key} of {place} was removed.",
                        i + 1,
                        show_types(&types(&self.cx.old, &olds[i], 0))
                    );
                    let old_at = old.pointer_to(&[key, &i.to_string()]);
                    self.emit_pointers(removed, path, &old_at, &new.pointer_to(&[key]), message);
                }
            }
        }
        for (j, _) in taken.iter().enumerate().filter(|(_, taken)| !**taken) {
            let message = format!(
                "Option {} ({}) was added to the {key} of {place}.",
                j + 1,
                show_types(&types(&self.cx.new, &news[j], 0))
            );
            let new_at = new.pointer_to(&[key, &j.to_string()]);
            self.emit_pointers(added, path, &old.pointer_to(&[key]), &new_at, message);
        }
    }

    /// The part the schema at `path` is: the root's part, except below a body's root.
    fn part(&self, path: &str) -> Part {
        match self.root {
            Part::Body if !path.is_empty() => Part::Property,
            part => part,
        }
    }

    /// How messages name the schema at `path`.
    fn place(&self, path: &str) -> String {
        if path.is_empty() {
            self.subject.to_string()
        } else {
            format!("{} in {}", code(path), self.subject)
        }
    }

    fn emit(
        &mut self,
        kind: ValueKind,
        path: &str,
        old: &Node<'a>,
        new: &Node<'a>,
        message: String,
    ) {
        let (o, n) = (old.pointer.clone(), new.pointer.clone());
        self.emit_pointers(kind, path, &o, &n, message);
    }

    /// Records a value change located at `keyword` of each schema.
    fn emit_at(
        &mut self,
        kind: ValueKind,
        path: &str,
        old: &Node<'a>,
        new: &Node<'a>,
        keyword: &str,
        message: String,
    ) {
        let (o, n) = (old.pointer_to(&[keyword]), new.pointer_to(&[keyword]));
        self.emit_pointers(kind, path, &o, &n, message);
    }

    fn emit_pointers(
        &mut self,
        kind: ValueKind,
        path: &str,
        old_at: &str,
        new_at: &str,
        message: String,
    ) {
        let rule = rules::value(self.exchange, self.part(path), kind);
        self.cx
            .push(rule, self.operation, old_at, new_at, sentence(message));
    }

    fn emit_member(&mut self, kind: MemberKind, old_at: &str, new_at: &str, message: String) {
        let rule = rules::member(self.exchange, Member::Property, kind);
        self.cx.push(rule, self.operation, old_at, new_at, message);
    }
}

fn is_array(node: &Node<'_>, key: &str) -> bool {
    node.value.get(key).is_some_and(Value::is_array)
}

/// The property names a schema declares (in `properties` or `required`), and the required ones.
fn members(node: &Node<'_>) -> (BTreeSet<String>, BTreeSet<String>) {
    let required: BTreeSet<String> = node
        .value
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut names: BTreeSet<String> = node.keys("properties").into_iter().collect();
    names.extend(required.iter().cloned());
    (names, required)
}

/// The schema of property `name` of `node`; a name that is only `required` has the
/// empty schema.
fn property<'a>(doc: &Doc<'a>, node: &Node<'a>, name: &str) -> Node<'a> {
    doc.child(node, "properties")
        .and_then(|properties| doc.child(&properties, name))
        .unwrap_or_else(|| Node {
            value: std::borrow::Cow::Owned(Value::Object(Default::default())),
            pointer: node.pointer_to(&["properties", name]),
        })
}

/// Where property `name` of `node` is declared: for a merged `allOf`, in the member that
/// declares it.
fn declared_at(node: &Node<'_>, name: &str) -> String {
    let declared = node.value.get("properties").and_then(|p| p.get(name));
    match declared.and_then(super::resolve::declaration) {
        Some(pointer) => pointer.to_string(),
        None => node.pointer_to(&["properties", name]),
    }
}

/// The types a schema allows: its `type`, or the union of its options' types; `None`
/// for any type.
fn types(doc: &Doc<'_>, node: &Node<'_>, depth: usize) -> Option<BTreeSet<String>> {
    if let Some(t) = node.str("type") {
        return Some(BTreeSet::from([t.to_string()]));
    }
    if depth > 8 {
        return None;
    }
    for key in ["oneOf", "anyOf"] {
        if is_array(node, key) {
            let mut all = BTreeSet::new();
            for option in doc.items(node, key) {
                all.extend(types(doc, &doc.schema(option), depth + 1)?);
            }
            return Some(all);
        }
    }
    None
}

/// Whether a value of type `t` is allowed by `types` (an integer is a number).
fn covers(types: &BTreeSet<String>, t: &str) -> bool {
    types.contains(t) || (t == "integer" && types.contains("number"))
}

fn show_types(types: &Option<BTreeSet<String>>) -> String {
    match types {
        None => "any type".to_string(),
        Some(set) if set.is_empty() => "no type".to_string(),
        Some(set) => set.iter().cloned().collect::<Vec<_>>().join(" or "),
    }
}

fn show_value(value: &Value) -> String {
    match value {
        Value::String(s) => code(s),
        other => code(&other.to_string()),
    }
}

fn show_values(values: &[Value]) -> String {
    values.iter().map(show_value).collect::<Vec<_>>().join(", ")
}

fn show_limit((limit, exclusive): (f64, bool)) -> String {
    let number = if limit.fract() == 0.0 && limit.abs() < 1e15 {
        format!("{}", limit as i64)
    } else {
        format!("{limit}")
    };
    if exclusive {
        format!("{number} (exclusive)")
    } else {
        number
    }
}
