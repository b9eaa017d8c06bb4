//! Negative cases: a valid request with exactly one named constraint broken.
//!
//! [`mutations`] lists, for a valid request value, every way to break one
//! constraint of its schema at one place: a required member removed, a value of
//! the wrong type, a string too short or too long, a pattern, format or enum
//! broken, a number out of range, too few items. [`Mutation::apply`] applies one
//! and keeps the result only if the compiled schema rejects it **for that reason
//! and at that place alone**; so a negative case sent to the server is always
//! invalid, and always for the reason it is named after.

use serde_json::{Value, json};
use smartservice_codegen::json_schema::CompiledSchema;

use super::pointer;
use super::strategy::{integer_bounds, merge_all_of, schema_type};
use crate::spec_model::resolve;

/// One constraint broken at one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutation {
    /// Where in the request value (`/body/plz`, `/query/appid`, `/body` for the whole body).
    pub pointer: String,
    /// The JSON Schema keyword broken (`pattern`, `required`, `type`, ...).
    pub keyword: &'static str,
    /// What is wrong, in words (`does not match ^[0-9]{4}$`).
    pub description: String,
    edit: Edit,
}

#[derive(Debug, Clone, PartialEq)]
enum Edit {
    /// Put the first of these values (that breaks the constraint alone) at the pointer.
    Replace(Vec<Value>),
    /// Remove the member at the pointer.
    Remove,
}

/// A negative request value and the constraint it breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct NegativeCase {
    /// The request value (`{query, body}`).
    pub input: Value,
    /// Why it is invalid.
    pub mutation: Mutation,
}

impl Mutation {
    /// A short stable name, `pointer: keyword`, that says which constraint is broken.
    pub fn name(&self) -> String {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        format!("{at}: {}", self.keyword)
    }

    /// Applies the mutation to `input`; `None` unless the result is invalid for
    /// exactly this reason (checked with `validator`, the request's compiled schema).
    pub fn apply(&self, input: &Value, validator: &CompiledSchema) -> Option<Value> {
        match &self.edit {
            Edit::Remove => {
                let mut mutated = input.clone();
                if !pointer::remove(&mut mutated, &self.pointer) {
                    return None;
                }
                self.confirms(&mutated, validator).then_some(mutated)
            }
            Edit::Replace(candidates) => candidates.iter().find_map(|candidate| {
                let mut mutated = input.clone();
                if !pointer::set(&mut mutated, &self.pointer, candidate.clone()) {
                    return None;
                }
                self.confirms(&mutated, validator).then_some(mutated)
            }),
        }
    }

    /// Whether `mutated` is invalid, and only for this mutation's reason.
    pub fn confirms(&self, mutated: &Value, validator: &CompiledSchema) -> bool {
        let violations = validator.violations(mutated);
        if violations.is_empty() {
            return false;
        }
        let (at, keyword) = match self.edit {
            Edit::Remove => (pointer::parent(&self.pointer), "required"),
            Edit::Replace(_) => (self.pointer.as_str(), self.keyword),
        };
        violations.iter().all(|v| {
            v.instance_pointer == at
                && (v.keyword == keyword || v.keyword == "oneOf" || v.keyword == "anyOf")
        })
    }
}

/// Every single-constraint mutation of the valid request value `input`, whose
/// schema is `schema` (the operation's request schema), in a stable order.
pub fn mutations(spec_raw: &Value, schema: &Value, input: &Value) -> Vec<Mutation> {
    let mut out = Vec::new();
    walk(spec_raw, schema, Some(input), "", &mut out);
    out
}

fn in_query(pointer: &str) -> bool {
    pointer.starts_with("/query/")
}

fn walk(raw: &Value, schema: &Value, instance: Option<&Value>, at: &str, out: &mut Vec<Mutation>) {
    let schema = resolve(raw, schema);
    let query = in_query(at);
    for combinator in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(combinator).and_then(Value::as_array) {
            let branches: Vec<&Value> = branches.iter().map(|b| resolve(raw, b)).collect();
            let allowed: Vec<&str> = branches.iter().filter_map(|b| schema_type(b)).collect();
            if !query {
                push_type_mutation(&allowed, at, out);
            }
            let matching =
                instance.and_then(|value| branches.iter().find(|b| type_matches(b, value)));
            if let Some(branch) = matching {
                walk_constraints(raw, branch, instance, at, out);
            }
            return;
        }
    }
    let merged;
    let schema = if schema.get("allOf").is_some() {
        merged = merge_all_of(raw, schema);
        &merged
    } else {
        schema
    };
    // The request root and its `query` object are not on the wire as such.
    if !query
        && !at.is_empty()
        && at != "/query"
        && let Some(t) = schema_type(schema)
    {
        push_type_mutation(&[t], at, out);
    }
    walk_constraints(raw, schema, instance, at, out);
}

fn walk_constraints(
    raw: &Value,
    schema: &Value,
    instance: Option<&Value>,
    at: &str,
    out: &mut Vec<Mutation>,
) {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let candidates: Vec<Value> = [json!("not-a-listed-value"), json!(""), json!(987654321)]
            .into_iter()
            .filter(|c| !values.contains(c))
            .collect();
        out.push(replace(
            at,
            "enum",
            "is not one of the listed values".into(),
            candidates,
        ));
        return;
    }
    match schema_type(schema) {
        Some("string") => string_mutations(schema, instance, at, out),
        Some("integer") | Some("number") => number_mutations(schema, at, out),
        Some("array") => {
            let items = instance.and_then(Value::as_array);
            if let Some(min) = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .filter(|m| *m > 0)
            {
                let kept: Vec<Value> = items
                    .map(|i| i.iter().take(min as usize - 1).cloned().collect())
                    .unwrap_or_default();
                out.push(replace(
                    at,
                    "minItems",
                    format!("has fewer than {min} items"),
                    vec![Value::Array(kept)],
                ));
            }
            if let (Some(max), Some(first)) = (
                schema.get("maxItems").and_then(Value::as_u64),
                items.and_then(|i| i.first()),
            ) {
                let grown = vec![first.clone(); max as usize + 1];
                out.push(replace(
                    at,
                    "maxItems",
                    format!("has more than {max} items"),
                    vec![Value::Array(grown)],
                ));
            }
            if let (Some(item_schema), Some(first)) =
                (schema.get("items"), items.and_then(|i| i.first()))
            {
                walk(raw, item_schema, Some(first), &pointer::child(at, "0"), out);
            }
        }
        Some("object") => {
            let Some(object) = instance.and_then(Value::as_object) else {
                return;
            };
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for name in &required {
                // The synthetic request root always carries `query`.
                if at.is_empty() && *name == "query" {
                    continue;
                }
                if object.contains_key(*name) {
                    out.push(Mutation {
                        pointer: pointer::child(at, name),
                        keyword: "required",
                        description: if at.is_empty() && *name == "body" {
                            "the required request body is missing".to_string()
                        } else {
                            format!("the required member `{name}` is missing")
                        },
                        edit: Edit::Remove,
                    });
                }
            }
            for (name, property) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let child = pointer::child(at, name);
                match object.get(name) {
                    Some(value) => walk(raw, property, Some(value), &child, out),
                    None => {
                        // An optional member that is absent: add it with a bad value.
                        let property = resolve(raw, property);
                        if !in_query(&child) {
                            let allowed: Vec<&str> =
                                match property.get("oneOf").and_then(Value::as_array) {
                                    Some(branches) => branches
                                        .iter()
                                        .filter_map(|b| schema_type(resolve(raw, b)))
                                        .collect(),
                                    None => schema_type(property).into_iter().collect(),
                                };
                            push_type_mutation(&allowed, &child, out);
                        }
                        if schema_type(property) == Some("string") {
                            string_mutations(property, None, &child, out);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn string_mutations(schema: &Value, instance: Option<&Value>, at: &str, out: &mut Vec<Mutation>) {
    let current = instance.and_then(Value::as_str).unwrap_or("");
    if let Some(min) = schema
        .get("minLength")
        .and_then(Value::as_u64)
        .filter(|m| *m > 0)
    {
        let shorter: String = current
            .chars()
            .chain(std::iter::repeat('a'))
            .take(min as usize - 1)
            .collect();
        out.push(replace(
            at,
            "minLength",
            format!("is shorter than minLength {min}"),
            vec![json!(shorter)],
        ));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
        out.push(replace(
            at,
            "maxLength",
            format!("is longer than maxLength {max}"),
            vec![json!("a".repeat(max as usize + 1))],
        ));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        let candidates = [
            "!",
            "~~~",
            "a",
            "0",
            "-1",
            "00000",
            "ftp://example.org/x",
            "urn:x:y",
            "ÄÖÜ",
            " 1",
            "\u{7}",
        ]
        .iter()
        .map(|s| json!(s))
        .chain([
            json!(format!("{current}!")),
            json!(format!("!{current}")),
            json!(""),
        ])
        .collect();
        out.push(replace(
            at,
            "pattern",
            format!("does not match {pattern}"),
            candidates,
        ));
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        let candidates: &[&str] = match format {
            "uuid" => &["not-a-uuid", "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44", "12345"],
            "email" => &["not-an-email", "a@", "@example.org"],
            "uri" => &["not a uri", "http://[::1", "http://exa mple.org/", "::"],
            "date" => &["2021-13-45", "31.12.2021", "yesterday"],
            "date-time" => &["yesterday", "2021-13-45T00:00:00Z"],
            "byte" => &["not base64!", "abc", "a=b="],
            _ => &[],
        };
        if !candidates.is_empty() {
            out.push(replace(
                at,
                "format",
                format!("is not a valid {format}"),
                candidates.iter().map(|s| json!(s)).collect(),
            ));
        }
    }
}

fn number_mutations(schema: &Value, at: &str, out: &mut Vec<Mutation>) {
    let integer = schema_type(schema) == Some("integer");
    let (low, high) = if integer {
        integer_bounds(schema)
    } else {
        (
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .map(|f| f.ceil() as i64)
                .unwrap_or(i64::MIN),
            schema
                .get("maximum")
                .and_then(Value::as_f64)
                .map(|f| f.floor() as i64)
                .unwrap_or(i64::MAX),
        )
    };
    if schema.get("minimum").is_some() && low > i64::MIN {
        out.push(replace(
            at,
            "minimum",
            format!("is below the minimum {low}"),
            vec![json!(low - 1)],
        ));
    }
    if schema.get("maximum").is_some() && high < i64::MAX {
        out.push(replace(
            at,
            "maximum",
            format!("is above the maximum {high}"),
            vec![json!(high + 1)],
        ));
    }
    if integer && !in_query(at) {
        out.push(replace(
            at,
            "type",
            "is not an integer".into(),
            vec![json!(1.5)],
        ));
    }
}

fn push_type_mutation(allowed: &[&str], at: &str, out: &mut Vec<Mutation>) {
    if allowed.is_empty() {
        return;
    }
    let candidates = [
        ("boolean", json!(true)),
        ("integer", json!(12345)),
        ("string", json!("text")),
        ("array", json!([])),
        ("object", json!({})),
    ];
    let wrong = candidates
        .into_iter()
        .find(|(t, _)| !(allowed.contains(t) || *t == "integer" && allowed.contains(&"number")));
    if let Some((t, value)) = wrong {
        out.push(replace(
            at,
            "type",
            format!("is a {t}, not {}", allowed.join(" or ")),
            vec![value],
        ));
    }
}

fn replace(
    at: &str,
    keyword: &'static str,
    description: String,
    candidates: Vec<Value>,
) -> Mutation {
    Mutation {
        pointer: at.to_string(),
        keyword,
        description,
        edit: Edit::Replace(candidates),
    }
}

fn type_matches(schema: &Value, value: &Value) -> bool {
    match schema_type(schema) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::strategy::{Optional, value_strategy};
    use crate::spec_model::SpecModel;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    /// For every operation, every mutation of a maximal valid request that applies
    /// yields a value the schema rejects for the named reason only.
    #[test]
    fn applied_mutations_break_exactly_their_constraint() {
        let model = SpecModel::embedded().unwrap();
        let mut runner = TestRunner::deterministic();
        let mut applied = 0;
        for op in &model.operations {
            let strategy = value_strategy(model.raw(), &op.request_schema, Optional::AllPresent);
            let input = strategy.new_tree(&mut runner).unwrap().current();
            let list = mutations(model.raw(), &op.request_schema, &input);
            for mutation in &list {
                if let Some(mutated) = mutation.apply(&input, &op.request_validator) {
                    applied += 1;
                    let violations = op.request_validator.violations(&mutated);
                    assert!(!violations.is_empty(), "{} {}", op.id, mutation.name());
                    assert!(mutation.confirms(&mutated, &op.request_validator));
                }
            }
        }
        assert!(applied > 100, "only {applied} mutations applied");
    }

    #[test]
    fn a_plz_pattern_and_a_missing_provider_name_are_named() {
        let model = SpecModel::embedded().unwrap();
        let op = model.operation("createVendorRegistration").unwrap();
        let input = json!({"query": {}, "body": {"providerName": "Muster AG", "plz": "5000"}});
        let list = mutations(model.raw(), &op.request_schema, &input);
        let names: Vec<String> = list.iter().map(Mutation::name).collect();
        for expected in [
            "/body: required",
            "/body/plz: pattern",
            "/body/providerName: required",
            "/body/providerName: minLength",
            "/body/email: format",
            "/body: type",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} not in {names:?}"
            );
        }
        let plz = list
            .iter()
            .find(|m| m.name() == "/body/plz: pattern")
            .unwrap();
        let mutated = plz.apply(&input, &op.request_validator).unwrap();
        assert_eq!(mutated["body"]["plz"], json!("!"));
        let missing = list
            .iter()
            .find(|m| m.name() == "/body/providerName: required")
            .unwrap();
        let mutated = missing.apply(&input, &op.request_validator).unwrap();
        assert!(mutated["body"].get("providerName").is_none());
    }

    #[test]
    fn a_valid_value_is_never_confirmed_as_negative() {
        let model = SpecModel::embedded().unwrap();
        let op = model.operation("createVendorRegistration").unwrap();
        let input = json!({"query": {}, "body": {"providerName": "Muster AG"}});
        let list = mutations(model.raw(), &op.request_schema, &input);
        for m in &list {
            assert!(!m.confirms(&input, &op.request_validator), "{}", m.name());
        }
    }
}
