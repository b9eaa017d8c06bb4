//! Turning OpenAPI 3.0 Schema Objects into JSON Schema (draft 4) and validating
//! JSON values against them with the `jsonschema` crate.
//!
//! OAS 3.0 schemas are an extended subset of draft 4: `nullable` must become a
//! `null` type, OAS-only keywords (`example`, `discriminator`, ...) are dropped, and
//! the OAS formats `uuid` and `byte` get checks of their own. `$ref`s into
//! `#/components/schemas` keep working because every compiled schema carries the
//! converted components beside it.

use serde_json::{Map, Value, json};

/// Keywords that OAS 3.0 adds to JSON Schema and that mean nothing to a validator.
const OAS_ONLY_KEYWORDS: &[&str] = &[
    "nullable",
    "example",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "deprecated",
];

/// Converts one OAS 3.0 Schema Object (raw JSON) into a draft-4 JSON Schema.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(convert_object(map)),
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

fn convert_object(map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in map {
        if OAS_ONLY_KEYWORDS.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "properties" => match value {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, s)| (name.clone(), to_json_schema(s)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "not" | "allOf" | "anyOf" | "oneOf" => {
                to_json_schema(value)
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    add_alias_properties(map, &mut out);
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(ty)) = out.get("type").cloned() {
            out.insert("type".into(), json!([ty, "null"]));
        }
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
    }
    out
}

/// Declares each legacy spelling named in `x-ssp-aliases` as a property with the
/// canonical property's schema, so that a value sent under the alias is checked too.
fn add_alias_properties(map: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Some(aliases) = map
        .get(crate::spec::ALIASES_EXTENSION)
        .and_then(Value::as_object)
    else {
        return;
    };
    let Some(Value::Object(props)) = out.get_mut("properties") else {
        return;
    };
    for (alias, canonical) in aliases {
        let schema = canonical.as_str().and_then(|c| props.get(c)).cloned();
        if let Some(schema) = schema {
            props.entry(alias.clone()).or_insert(schema);
        }
    }
}

/// One reason a value does not match its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the value (`""` for the value itself).
    pub instance_pointer: String,
    /// The JSON Schema keyword that failed (`required`, `pattern`, ...).
    pub keyword: String,
    /// The validator's message.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.instance_pointer.is_empty() {
            "/"
        } else {
            &self.instance_pointer
        };
        write!(f, "{at}: {} ({})", self.message, self.keyword)
    }
}

/// Compiles schemas of one spec: holds the spec's converted `components/schemas`
/// so that `$ref`s resolve.
#[derive(Debug, Clone)]
pub struct SchemaCompiler {
    components: Value,
}

/// A compiled schema, ready to validate values.
pub struct CompiledSchema {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompiledSchema")
    }
}

impl SchemaCompiler {
    /// Prepares a compiler for schemas of the spec whose raw document is `spec_raw`.
    pub fn new(spec_raw: &Value) -> Self {
        let schemas: Map<String, Value> = spec_raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
            .collect();
        SchemaCompiler {
            components: json!({ "schemas": schemas }),
        }
    }

    /// Compiles an OAS 3.0 schema (raw JSON, possibly a `$ref`).
    pub fn compile(&self, oas_schema: &Value) -> Result<CompiledSchema, String> {
        let root = json!({
            "allOf": [to_json_schema(oas_schema)],
            "components": self.components,
        });
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .with_format("uuid", |s: &str| uuid::Uuid::try_parse(s).is_ok())
            .with_format("byte", is_base64)
            .build(&root)
            .map_err(|e| e.to_string())?;
        Ok(CompiledSchema { validator })
    }
}

impl CompiledSchema {
    /// Every way `value` breaks the schema (empty when it is valid).
    pub fn violations(&self, value: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(value)
            .map(|e| Violation {
                instance_pointer: e.instance_path().as_str().to_string(),
                keyword: e.kind().keyword().to_string(),
                message: e.to_string(),
            })
            .collect()
    }

    /// Whether `value` matches the schema.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }
}

/// Whether `s` is standard base64 with padding (RFC 4648 section 4), as OAS
/// `format: byte` means.
pub fn is_base64(s: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({"components": {"schemas": {
            "Name": {"type": "string", "minLength": 2, "nullable": true, "example": "ab"},
            "Thing": {"type": "object", "required": ["name"], "properties": {
                "name": {"$ref": "#/components/schemas/Name"},
                "id": {"type": "string", "format": "uuid"},
                "blob": {"type": "string", "format": "byte"}
            }}
        }}})
    }

    #[test]
    fn nullable_becomes_a_null_type_and_oas_keywords_go() {
        let converted = to_json_schema(&spec()["components"]["schemas"]["Name"]);
        assert_eq!(
            converted,
            json!({"type": ["string", "null"], "minLength": 2})
        );
    }

    #[test]
    fn refs_resolve_and_violations_name_pointer_and_keyword() {
        let compiler = SchemaCompiler::new(&spec());
        let schema = compiler
            .compile(&json!({"$ref": "#/components/schemas/Thing"}))
            .unwrap();
        assert!(schema.is_valid(&json!({"name": null})));
        let v = schema.violations(&json!({"name": "a"}));
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].instance_pointer, "/name");
        assert_eq!(v[0].keyword, "minLength");
        let v = schema.violations(&json!({}));
        assert_eq!(v[0].keyword, "required");
    }

    #[test]
    fn uuid_and_byte_formats_are_checked() {
        let compiler = SchemaCompiler::new(&spec());
        let schema = compiler
            .compile(&json!({"$ref": "#/components/schemas/Thing"}))
            .unwrap();
        assert!(schema.is_valid(
            &json!({"name": "ab", "id": "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b", "blob": "aGk="})
        ));
        assert_eq!(
            schema.violations(&json!({"name": "ab", "id": "nope"}))[0].keyword,
            "format"
        );
        assert_eq!(
            schema.violations(&json!({"name": "ab", "blob": "not base64!"}))[0].keyword,
            "format"
        );
    }
}
