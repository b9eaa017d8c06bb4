//! Reading a document through its `$ref`s: every node is reached at the place it is
//! defined (so a refactor into a shared component compares equal), and `allOf` is merged
//! into one schema.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::spec::escape_pointer_segment;

/// How deep `allOf`s may nest inside each other before merging stops.
const MAX_ALL_OF_DEPTH: usize = 16;

/// How many nodes [`Doc::inline`] builds at most (a guard against `$ref` graphs that
/// would inline to exponentially many nodes).
const MAX_INLINED_NODES: usize = 100_000;

/// One document, for following `$ref`s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'a> {
    /// The whole document.
    pub raw: &'a Value,
}

/// A node after following `$ref`s: its value, and the JSON pointer where it is defined.
///
/// The value is borrowed from the document, except for a merged `allOf`, which is built.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub value: Cow<'a, Value>,
    pub pointer: String,
}

impl<'a> Node<'a> {
    /// The string at `key`, if there is one.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }

    /// The boolean at `key`, `false` when absent.
    pub fn flag(&self, key: &str) -> bool {
        self.value
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The keys of the object at `key` (none when absent or not an object).
    pub fn keys(&self, key: &str) -> Vec<String> {
        self.value
            .get(key)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The pointer of a child of this node (which need not exist).
    pub fn pointer_to(&self, segments: &[&str]) -> String {
        let mut pointer = self.pointer.clone();
        for segment in segments {
            pointer.push('/');
            pointer.push_str(&escape_pointer_segment(segment));
        }
        pointer
    }
}

impl<'a> Doc<'a> {
    /// Wraps a document.
    pub fn new(raw: &'a Value) -> Self {
        Doc { raw }
    }

    /// The node at `pointer`, `$ref`s followed.
    pub fn at(&self, pointer: &str) -> Option<Node<'a>> {
        let value = self.raw.pointer(pointer)?;
        Some(self.follow(Cow::Borrowed(value), pointer.to_string()))
    }

    /// Follows the `$ref` chain from `value` (found at `pointer`). A reference that is not
    /// local (`#/...`), does not resolve, or closes a cycle is left as it is, so it
    /// compares by its text.
    pub fn follow(&self, value: Cow<'a, Value>, pointer: String) -> Node<'a> {
        let mut node = Node { value, pointer };
        let mut seen = HashSet::new();
        while let Some(target) = node.str("$ref") {
            let Some(local) = target.strip_prefix('#') else {
                break;
            };
            if !seen.insert(local.to_string()) {
                break;
            }
            let Some(next) = self.raw.pointer(local) else {
                break;
            };
            node = Node {
                value: Cow::Borrowed(next),
                pointer: local.to_string(),
            };
        }
        node
    }

    /// The child of `parent` at `key` (an object member), `$ref`s followed.
    pub fn child(&self, parent: &Node<'a>, key: &str) -> Option<Node<'a>> {
        let value = match &parent.value {
            Cow::Borrowed(v) => {
                let v: &'a Value = v;
                Cow::Borrowed(v.as_object()?.get(key)?)
            }
            Cow::Owned(v) => Cow::Owned(v.as_object()?.get(key)?.clone()),
        };
        Some(self.follow(value, parent.pointer_to(&[key])))
    }

    /// The items of the array at `key` of `parent`, `$ref`s followed.
    pub fn items(&self, parent: &Node<'a>, key: &str) -> Vec<Node<'a>> {
        let Some(array) = self.child(parent, key) else {
            return Vec::new();
        };
        let len = array.value.as_array().map_or(0, Vec::len);
        (0..len)
            .filter_map(|i| {
                let value = match &array.value {
                    Cow::Borrowed(v) => {
                        let v: &'a Value = v;
                        Cow::Borrowed(v.get(i)?)
                    }
                    Cow::Owned(v) => Cow::Owned(v.get(i)?.clone()),
                };
                Some(self.follow(value, array.pointer_to(&[&i.to_string()])))
            })
            .collect()
    }

    /// The entries of the object at `key` of `parent`, each `$ref`-followed.
    pub fn entries(&self, parent: &Node<'a>, key: &str) -> Vec<(String, Node<'a>)> {
        match self.child(parent, key) {
            Some(map) => self.members(&map),
            None => Vec::new(),
        }
    }

    /// The entries of the object `node` itself, each `$ref`-followed (none when it is
    /// not an object).
    pub fn members(&self, node: &Node<'a>) -> Vec<(String, Node<'a>)> {
        let keys: Vec<String> = node
            .value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        keys.into_iter()
            .filter_map(|k| self.child(node, &k).map(|child| (k, child)))
            .collect()
    }

    /// A schema ready to compare: `$ref`s followed and `allOf` merged.
    pub fn schema(&self, node: Node<'a>) -> Node<'a> {
        self.merge_all_of(node, 0)
    }

    /// Merges the members of an `allOf` into its holder: properties (each kept as a
    /// reference to where it is declared, so its pointer stays true), `required`, and any
    /// other keyword the holder does not set itself (first member wins).
    fn merge_all_of(&self, node: Node<'a>, depth: usize) -> Node<'a> {
        if depth >= MAX_ALL_OF_DEPTH || !node.value.get("allOf").is_some_and(Value::is_array) {
            return node;
        }
        let members = self.items(&node, "allOf");
        let mut merged: Map<String, Value> = node.value.as_object().cloned().unwrap_or_default();
        merged.remove("allOf");
        merged.insert("properties".into(), Value::Object(Map::new()));
        let own = node.value.get("properties").and_then(Value::as_object);
        for name in own.into_iter().flat_map(Map::keys) {
            insert_property(&mut merged, name, &node.pointer_to(&["properties", name]));
        }
        for member in members {
            let member = self.merge_all_of(member, depth + 1);
            let Some(object) = member.value.as_object() else {
                continue;
            };
            for (key, value) in object {
                match key.as_str() {
                    "properties" => {
                        for name in value.as_object().into_iter().flat_map(Map::keys) {
                            let declared_at = match value.get(name).and_then(declaration) {
                                // Already merged one level down: keep the true place.
                                Some(pointer) => pointer.to_string(),
                                None => member.pointer_to(&["properties", name]),
                            };
                            insert_property(&mut merged, name, &declared_at);
                        }
                    }
                    "required" => {
                        let required = merged
                            .entry("required")
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let (Some(list), Some(more)) =
                            (required.as_array_mut(), value.as_array())
                        {
                            for name in more {
                                if !list.contains(name) {
                                    list.push(name.clone());
                                }
                            }
                        }
                    }
                    _ => {
                        merged.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
            }
        }
        if merged
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        {
            merged.remove("properties");
        }
        Node {
            value: Cow::Owned(Value::Object(merged)),
            pointer: node.pointer,
        }
    }

    /// `value` with every `$ref` replaced by what it names (a cycle, or a reference that
    /// does not resolve, is kept as the reference): two schemas are the same when their
    /// inlined forms are equal. References that would inline more than
    /// [`MAX_INLINED_NODES`] nodes in all are kept as references.
    pub fn inline(&self, value: &Value) -> Value {
        let mut budget = MAX_INLINED_NODES;
        self.inline_guarded(value, &mut Vec::new(), &mut budget)
    }

    fn inline_guarded(&self, value: &Value, stack: &mut Vec<String>, budget: &mut usize) -> Value {
        *budget = budget.saturating_sub(1);
        match value {
            Value::Object(map) => {
                if let Some(local) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix('#'))
                {
                    if *budget == 0 || stack.iter().any(|s| s == local) {
                        return value.clone();
                    }
                    if let Some(target) = self.raw.pointer(local) {
                        stack.push(local.to_string());
                        let inlined = self.inline_guarded(target, stack, budget);
                        stack.pop();
                        return inlined;
                    }
                    return value.clone();
                }
                Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), self.inline_guarded(v, stack, budget)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.inline_guarded(v, stack, budget))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The key that marks a property of a merged `allOf` as a reference to where the
/// property is declared (see [`declaration`]).
const DECLARATION: &str = "x-ssp-diff-declaration";

/// Adds a property to a merged schema unless it is there already, as a reference to
/// `declared_at` (marked with [`DECLARATION`]); following it leads on through any
/// `$ref` of the declaration itself.
fn insert_property(merged: &mut Map<String, Value>, name: &str, declared_at: &str) {
    let Some(properties) = merged.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    if properties.contains_key(name) {
        return;
    }
    let reference = serde_json::json!({ "$ref": format!("#{declared_at}"), DECLARATION: true });
    properties.insert(name.to_string(), reference);
}

/// Where a property of a merged `allOf` is declared, if `value` is such a property.
pub(crate) fn declaration(value: &Value) -> Option<&str> {
    if value.get(DECLARATION) != Some(&Value::Bool(true)) {
        return None;
    }
    value.get("$ref")?.as_str()?.strip_prefix('#')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_are_followed_to_where_they_are_defined() {
        let raw = json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"type": "string"}
            }},
            "use": {"$ref": "#/components/schemas/A"}
        });
        let doc = Doc::new(&raw);
        let node = doc.at("/use").unwrap();
        assert_eq!(node.pointer, "/components/schemas/B");
        assert_eq!(*node.value, json!({"type": "string"}));
    }

    #[test]
    fn a_ref_cycle_stops_without_looping() {
        let raw = json!({
            "a": {"$ref": "#/b"},
            "b": {"$ref": "#/a"}
        });
        let doc = Doc::new(&raw);
        let node = doc.at("/a").unwrap();
        assert!(node.value.get("$ref").is_some());
        let inlined = doc.inline(&raw["a"]);
        assert!(inlined.get("$ref").is_some());
    }

    #[test]
    fn all_of_merges_properties_with_their_true_pointers() {
        let raw = json!({
            "components": {"schemas": {
                "Both": {"description": "d", "allOf": [
                    {"$ref": "#/components/schemas/A"},
                    {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}
                ]},
                "A": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
            }}
        });
        let doc = Doc::new(&raw);
        let merged = doc.schema(doc.at("/components/schemas/Both").unwrap());
        assert_eq!(merged.value["required"], json!(["a", "b"]));
        assert_eq!(merged.value["type"], json!("object"));
        assert_eq!(merged.value["description"], json!("d"));
        let props = doc.entries(&merged, "properties");
        let pointers: Vec<&str> = props.iter().map(|(_, n)| n.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/components/schemas/A/properties/a",
                "/components/schemas/Both/allOf/1/properties/b"
            ]
        );
    }
}
