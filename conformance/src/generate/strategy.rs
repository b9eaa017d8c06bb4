//! proptest strategies compiled from the spec's schemas: every value drawn
//! satisfies the schema by construction (types, lengths, ranges, enums, patterns
//! through `proptest::string::string_regex`, and the formats uuid, email, uri,
//! date, date-time and byte); nothing is generated and then filtered.

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use serde_json::{Map, Value};

use crate::spec_model::resolve;

/// What to do with optional object properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optional {
    /// Each one is present or absent at random.
    Random,
    /// Every one is present (the "maximal" value).
    AllPresent,
    /// None is present (the "minimal" value).
    AllAbsent,
}

/// Longest generated string when the schema sets no `maxLength`, beyond `minLength`.
const FREE_LENGTH: u64 = 16;
/// Most items generated beyond `minItems`.
const FREE_ITEMS: usize = 3;

/// Compiles `schema` (raw OAS, `$ref`s into `spec_raw` allowed) into a strategy.
pub fn value_strategy(
    spec_raw: &Value,
    schema: &Value,
    optional: Optional,
) -> BoxedStrategy<Value> {
    compile(spec_raw, schema, optional, 0)
}

fn compile(raw: &Value, schema: &Value, optional: Optional, depth: usize) -> BoxedStrategy<Value> {
    let schema = resolve(raw, schema);
    if depth > 16 {
        return Just(Value::Null).boxed();
    }
    if let Some(values) = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
    {
        return proptest::sample::select(values.clone()).boxed();
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(combinator).and_then(Value::as_array) {
            let strategies: Vec<_> = branches
                .iter()
                .map(|b| compile(raw, b, optional, depth + 1))
                .collect();
            if !strategies.is_empty() {
                return Union::new(strategies).boxed();
            }
        }
    }
    if schema.get("allOf").is_some() {
        let merged = merge_all_of(raw, schema);
        return compile(raw, &merged, optional, depth + 1);
    }
    match schema_type(schema) {
        Some("string") => string_strategy(schema),
        Some("integer") => integer_strategy(schema),
        Some("number") => number_strategy(schema),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => {
            let items = schema
                .get("items")
                .cloned()
                .unwrap_or(Value::Object(Map::new()));
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .map(|m| m as usize)
                .unwrap_or(usize::MAX)
                .min(min + FREE_ITEMS)
                .max(min);
            proptest::collection::vec(compile(raw, &items, optional, depth + 1), min..=max)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("object") => object_strategy(raw, schema, optional, depth),
        _ => Just(Value::String("any".into())).boxed(),
    }
}

/// The schema's type (`object` when it only has properties).
pub fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

/// An `allOf` folded into one object schema (properties and `required` joined).
pub fn merge_all_of(raw: &Value, schema: &Value) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut members = vec![schema.clone()];
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        members.extend(all.iter().map(|m| resolve(raw, m).clone()));
    }
    for member in &members {
        let member = if member.get("allOf").is_some() && member != schema {
            merge_all_of(raw, member)
        } else {
            member.clone()
        };
        if let Some(props) = member.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                properties.insert(k.clone(), v.clone());
            }
        }
        if let Some(req) = member.get("required").and_then(Value::as_array) {
            for r in req {
                if !required.contains(r) {
                    required.push(r.clone());
                }
            }
        }
    }
    serde_json::json!({"type": "object", "properties": properties, "required": required})
}

fn object_strategy(
    raw: &Value,
    schema: &Value,
    optional: Optional,
    depth: usize,
) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // `minProperties` beyond the required members: every member is set.
    let min_properties = schema
        .get("minProperties")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    let optional = if min_properties > required.len() {
        Optional::AllPresent
    } else {
        optional
    };
    let mut members: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let name = name.clone();
        let value = compile(raw, property, optional, depth + 1);
        let is_required = required.contains(&name.as_str());
        let member = if is_required || optional == Optional::AllPresent {
            value.prop_map(move |v| Some((name.clone(), v))).boxed()
        } else if optional == Optional::AllAbsent {
            Just(None).boxed()
        } else {
            proptest::option::of(value)
                .prop_map(move |v| v.map(|v| (name.clone(), v)))
                .boxed()
        };
        members.push(member);
    }
    members
        .prop_map(|members| Value::Object(members.into_iter().flatten().collect()))
        .boxed()
}

fn string_strategy(schema: &Value) -> BoxedStrategy<Value> {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX)
        .min(min + FREE_LENGTH)
        .max(min);
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && let Some(strategy) = format_strategy(format, min)
    {
        return strategy;
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        let real_max = schema.get("maxLength").and_then(Value::as_u64);
        if let Some(strategy) = pattern_strategy(pattern, min, real_max) {
            return strategy;
        }
    }
    let plain = format!("[ -~]{{{min},{max}}}");
    let accented = format!("[a-zA-Z äöüÄÖÜéèàç€]{{{min},{max}}}");
    Union::new_weighted(vec![(4, regex(&plain)), (1, regex(&accented))]).boxed()
}

fn regex(pattern: &str) -> BoxedStrategy<Value> {
    match proptest::string::string_regex(pattern) {
        Ok(s) => s.prop_map(Value::String).boxed(),
        Err(_) => Just(Value::String("x".into())).boxed(),
    }
}

/// A strategy for strings matching an ECMA-262 `pattern` (as a whole), when the
/// regex is one proptest can generate from; with lengths guarded to `min..=max`.
fn pattern_strategy(pattern: &str, min: u64, max: Option<u64>) -> Option<BoxedStrategy<Value>> {
    let mut body = pattern.to_string();
    let anchored_start = body.starts_with('^');
    if anchored_start {
        body.remove(0);
    }
    let anchored_end = body.ends_with('$') && !body.ends_with("\\$");
    if anchored_end {
        body.pop();
    } else {
        // An unanchored end lets anything follow the match.
        body = format!("(?:{body})[a-z0-9/._-]{{0,12}}");
    }
    let strategy = proptest::string::string_regex(&body).ok()?;
    Some(
        strategy
            .prop_filter("length within minLength..=maxLength", move |s| {
                let n = s.chars().count() as u64;
                n >= min && max.is_none_or(|max| n <= max)
            })
            .prop_map(Value::String)
            .boxed(),
    )
}

fn format_strategy(format: &str, min: u64) -> Option<BoxedStrategy<Value>> {
    Some(match format {
        "uuid" => any::<u128>()
            .prop_map(|n| {
                Value::String(
                    uuid::Builder::from_random_bytes(n.to_le_bytes())
                        .into_uuid()
                        .to_string(),
                )
            })
            .boxed(),
        "email" => regex("[a-z0-9]{1,12}(\\.[a-z0-9]{1,6})?@[a-z0-9]{1,10}\\.(ch|com|org)"),
        "uri" => regex("https?://[a-z0-9]{1,12}\\.example(:[1-9][0-9]{1,3})?(/[a-z0-9]{1,8}){0,3}"),
        "date" => (1900i32..2100, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| Value::String(format!("{y:04}-{m:02}-{d:02}")))
            .boxed(),
        "date-time" => (
            1970i32..2100,
            1u32..=12,
            1u32..=28,
            0u32..24,
            0u32..60,
            0u32..60,
        )
            .prop_map(|(y, mo, d, h, mi, s)| {
                Value::String(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"))
            })
            .boxed(),
        "byte" => {
            use base64::Engine as _;
            let min_bytes = if min > 0 { 1 } else { 0 };
            proptest::collection::vec(any::<u8>(), min_bytes..48)
                .prop_map(|bytes| {
                    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
                })
                .boxed()
        }
        _ => return None,
    })
}

/// The inclusive integer bounds a schema allows (draft-4 `exclusive*` booleans
/// and OAS `int32` respected).
pub fn integer_bounds(schema: &Value) -> (i64, i64) {
    let (mut low, mut high) = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        let exclusive = schema
            .get("exclusiveMinimum")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let min = min.ceil() as i64;
        low = low.max(if exclusive {
            min.saturating_add(1)
        } else {
            min
        });
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        let exclusive = schema
            .get("exclusiveMaximum")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let max = max.floor() as i64;
        high = high.min(if exclusive {
            max.saturating_sub(1)
        } else {
            max
        });
    }
    (low, high.max(low))
}

fn integer_strategy(schema: &Value) -> BoxedStrategy<Value> {
    let (low, high) = integer_bounds(schema);
    let near_low = low..=low.saturating_add(100).min(high);
    Union::new_weighted(vec![
        (3, near_low.prop_map(Value::from).boxed()),
        (1, (low..=high).prop_map(Value::from).boxed()),
    ])
    .boxed()
}

fn number_strategy(schema: &Value) -> BoxedStrategy<Value> {
    let low = schema
        .get("minimum")
        .and_then(Value::as_f64)
        .unwrap_or(-1.0e6);
    let high = schema
        .get("maximum")
        .and_then(Value::as_f64)
        .unwrap_or(low + 1.0e6);
    let exclusive_low = schema
        .get("exclusiveMinimum")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Union::new(vec![
        (low.ceil() as i64..=(high.floor() as i64).max(low.ceil() as i64))
            .prop_map(Value::from)
            .boxed(),
        (low..=high)
            .prop_map(|f| {
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::from(0))
            })
            .boxed(),
    ])
    .prop_filter("exclusiveMinimum", move |v| {
        !exclusive_low || v.as_f64().unwrap_or(low) > low
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec_model::SpecModel;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// Every operation's request strategy, in every optional mode, draws only
    /// values its compiled request schema accepts.
    #[test]
    fn drawn_requests_are_valid_for_every_operation() {
        let model = SpecModel::embedded().unwrap();
        let mut runner = TestRunner::deterministic();
        for op in &model.operations {
            for mode in [Optional::Random, Optional::AllPresent, Optional::AllAbsent] {
                let strategy = value_strategy(model.raw(), &op.request_schema, mode);
                for _ in 0..64 {
                    let value = strategy.new_tree(&mut runner).unwrap().current();
                    let violations = op.request_validator.violations(&value);
                    assert!(
                        violations.is_empty(),
                        "{} {mode:?}: {value} -> {violations:?}",
                        op.id
                    );
                }
            }
        }
    }

    #[test]
    fn every_component_schema_draws_valid_values() {
        let model = SpecModel::embedded().unwrap();
        let mut runner = TestRunner::deterministic();
        let names: Vec<String> = model.raw()["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for name in names {
            let schema = serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
            let validator = model.component_validator(&name).unwrap();
            let strategy = value_strategy(model.raw(), &schema, Optional::Random);
            for _ in 0..32 {
                let value = strategy.new_tree(&mut runner).unwrap().current();
                assert!(
                    validator.is_valid(&value),
                    "{name}: {value} -> {:?}",
                    validator.violations(&value)
                );
            }
        }
    }

    #[test]
    fn integer_bounds_respect_exclusive_and_format() {
        let s = serde_json::json!({"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true, "maximum": 10});
        assert_eq!(integer_bounds(&s), (1, 10));
        assert_eq!(
            integer_bounds(&serde_json::json!({"type": "integer"})),
            (i64::MIN, i64::MAX)
        );
    }
}
