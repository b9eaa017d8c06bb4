//! Reading and changing JSON values at JSON pointers (RFC 6901).

use serde_json::Value;

/// Splits a JSON pointer into its unescaped segments (`""` gives none).
pub fn segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The pointer of the parent of `pointer` (`""` for top-level members).
pub fn parent(pointer: &str) -> &str {
    match pointer.rfind('/') {
        Some(i) => &pointer[..i],
        None => "",
    }
}

/// Appends one segment to a pointer, escaping it.
pub fn child(pointer: &str, segment: &str) -> String {
    format!(
        "{pointer}/{}",
        segment.replace('~', "~0").replace('/', "~1")
    )
}

/// Sets the value at `pointer`; the parent must exist (an object gains the key,
/// an array's existing index is replaced). Returns whether it was set.
pub fn set(root: &mut Value, pointer: &str, value: Value) -> bool {
    let segs = segments(pointer);
    let Some((last, init)) = segs.split_last() else {
        *root = value;
        return true;
    };
    let mut node = root;
    for seg in init {
        node = match node {
            Value::Object(map) => match map.get_mut(seg) {
                Some(next) => next,
                None => return false,
            },
            Value::Array(items) => match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match node {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            true
        }
        Value::Array(items) => match last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Removes the value at `pointer` (an object member or an array item). Returns
/// whether something was removed.
pub fn remove(root: &mut Value, pointer: &str) -> bool {
    let parent_pointer = parent(pointer);
    let Some(last) = segments(pointer).pop() else {
        return false;
    };
    match root.pointer_mut(parent_pointer) {
        Some(Value::Object(map)) => map.remove(&last).is_some(),
        Some(Value::Array(items)) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_and_remove_follow_rfc_6901() {
        let mut v = json!({"a/b": {"c": [1, 2]}});
        assert!(set(&mut v, "/a~1b/c/1", json!(5)));
        assert!(set(&mut v, "/a~1b/d", json!("x")));
        assert!(!set(&mut v, "/nope/d", json!("x")));
        assert_eq!(v, json!({"a/b": {"c": [1, 5], "d": "x"}}));
        assert!(remove(&mut v, "/a~1b/c/0"));
        assert!(remove(&mut v, "/a~1b/d"));
        assert!(!remove(&mut v, "/a~1b/zz"));
        assert_eq!(v, json!({"a/b": {"c": [5]}}));
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(child("/a", "x/y"), "/a/x~1y");
    }
}
