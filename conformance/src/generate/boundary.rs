//! Deterministic boundary cases, sent before the random ones: the minimal and the
//! maximal valid request, and from the maximal one, each constrained value moved
//! to its edge (strings at exactly `minLength`/`maxLength`, integers at
//! `minimum`/`maximum`, every `enum` value, arrays at `minItems`). The negative
//! boundary cases are the [`super::mutate::mutations`] of the maximal request.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use super::pointer;
use super::strategy::{Optional, integer_bounds, merge_all_of, schema_type, value_strategy};
use crate::spec_model::resolve;

/// One boundary case: a valid request value and what is special about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// What this case tests, e.g. `/body/providerName at minLength 1`.
    pub name: String,
    /// The request value.
    pub input: Value,
}

/// The minimal and maximal requests drawn from `runner`.
pub fn extremes(spec_raw: &Value, schema: &Value, runner: &mut TestRunner) -> (Value, Value) {
    let mut draw = |optional| {
        value_strategy(spec_raw, schema, optional)
            .new_tree(runner)
            .map(|t| t.current())
            .unwrap_or(Value::Null)
    };
    (draw(Optional::AllAbsent), draw(Optional::AllPresent))
}

/// The positive boundary cases of a request schema, derived from `minimal` and
/// `maximal` (see [`extremes`]).
pub fn positive_boundaries(
    spec_raw: &Value,
    schema: &Value,
    minimal: &Value,
    maximal: &Value,
) -> Vec<Boundary> {
    let mut out = vec![
        Boundary {
            name: "minimal request (every optional member left out)".into(),
            input: minimal.clone(),
        },
        Boundary {
            name: "maximal request (every optional member set)".into(),
            input: maximal.clone(),
        },
    ];
    let mut edits = Vec::new();
    walk(spec_raw, schema, maximal, "", &mut edits);
    for (name, at, value) in edits {
        let mut input = maximal.clone();
        if pointer::set(&mut input, &at, value) {
            out.push(Boundary {
                name: format!("{} {name}", if at.is_empty() { "/" } else { &at }),
                input,
            });
        }
    }
    out
}

fn walk(
    raw: &Value,
    schema: &Value,
    instance: &Value,
    at: &str,
    out: &mut Vec<(String, String, Value)>,
) {
    let schema = resolve(raw, schema);
    if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
        return;
    }
    let merged;
    let schema = if schema.get("allOf").is_some() {
        merged = merge_all_of(raw, schema);
        &merged
    } else {
        schema
    };
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        for value in values {
            out.push((format!("= {value}"), at.to_string(), value.clone()));
        }
        return;
    }
    match schema_type(schema) {
        Some("string") => {
            let free = schema.get("pattern").is_none() && schema.get("format").is_none();
            if !free {
                return;
            }
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                out.push((
                    format!("at minLength {min}"),
                    at.to_string(),
                    json!("a".repeat(min as usize)),
                ));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                out.push((
                    format!("at maxLength {max}"),
                    at.to_string(),
                    json!("z".repeat(max as usize)),
                ));
            }
        }
        Some("integer") => {
            let (low, high) = integer_bounds(schema);
            if schema.get("minimum").is_some() {
                out.push((format!("at minimum {low}"), at.to_string(), json!(low)));
            }
            if schema.get("maximum").is_some() {
                out.push((format!("at maximum {high}"), at.to_string(), json!(high)));
            }
        }
        Some("array") => {
            let Some(items) = instance.as_array() else {
                return;
            };
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            if items.len() > min {
                out.push((
                    format!("at minItems {min}"),
                    at.to_string(),
                    Value::Array(items.iter().take(min).cloned().collect()),
                ));
            }
            if let (Some(item_schema), Some(first)) = (schema.get("items"), items.first()) {
                walk(raw, item_schema, first, &pointer::child(at, "0"), out);
            }
        }
        Some("object") => {
            let Some(object) = instance.as_object() else {
                return;
            };
            for (name, property) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(value) = object.get(name) {
                    walk(raw, property, value, &pointer::child(at, name), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec_model::SpecModel;

    #[test]
    fn boundaries_are_valid_and_cover_enums_and_lengths() {
        let model = SpecModel::embedded().unwrap();
        let mut names = Vec::new();
        for op in &model.operations {
            let mut runner = crate::generate::runner(1, &op.id);
            let (minimal, maximal) = extremes(model.raw(), &op.request_schema, &mut runner);
            for case in positive_boundaries(model.raw(), &op.request_schema, &minimal, &maximal) {
                let v = op.request_validator.violations(&case.input);
                assert!(v.is_empty(), "{} {}: {v:?}", op.id, case.name);
                names.push(format!("{} {}", op.id, case.name));
            }
        }
        for expected in [
            "updateTaskStatus /body/newStatus = \"refund\"",
            "createVendorRegistration /body/providerName at minLength 1",
            "updateTaskStatus /body/uniqueId at minimum 1",
            "createWebhookConfiguration /body/processes at minItems 1",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:#?}"
            );
        }
    }
}
