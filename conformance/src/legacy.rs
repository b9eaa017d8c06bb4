//! The documentation's legacy spellings, which the spec describes beside the
//! canonical ones (see spec/NOTES.md): an implementation that answers with them
//! conforms, and the report says that it does, so that client authors know.
//!
//! The legacy keys are read from the spec: the `x-ssp-aliases` of every schema,
//! the properties of the `Legacy*` schemas, and properties marked `deprecated`.

use std::collections::BTreeMap;

use serde_json::Value;

/// Legacy key -> what to use instead.
#[derive(Debug, Clone, Default)]
pub struct LegacyKeys(BTreeMap<String, String>);

impl LegacyKeys {
    /// The legacy keys the spec declares.
    pub fn from_spec(spec_raw: &Value) -> Self {
        let mut keys = BTreeMap::new();
        for alias in smartservice_codegen::spec::property_aliases(spec_raw) {
            keys.insert(alias.alias, alias.property);
        }
        let schemas = spec_raw
            .pointer("/components/schemas")
            .and_then(Value::as_object);
        for (name, schema) in schemas.into_iter().flatten() {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (property, body) in properties.into_iter().flatten() {
                if name.starts_with("Legacy") {
                    keys.insert(
                        property.clone(),
                        format!(
                            "the canonical shape of {}",
                            name.trim_start_matches("Legacy")
                        ),
                    );
                } else if body.get("deprecated") == Some(&Value::Bool(true)) {
                    keys.insert(
                        property.clone(),
                        format!("the non-deprecated properties of {name}"),
                    );
                }
            }
        }
        LegacyKeys(keys)
    }

    /// The legacy keys used anywhere in `value`, each with its replacement.
    pub fn used_in(&self, value: &Value) -> Vec<(String, String)> {
        let mut found = BTreeMap::new();
        self.walk(value, &mut found);
        found.into_iter().collect()
    }

    fn walk(&self, value: &Value, found: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if let Some(instead) = self.0.get(key) {
                        found.insert(key.clone(), instead.clone());
                    }
                    self.walk(inner, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.walk(v, found)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_specs_legacy_spellings_are_found() {
        let keys =
            LegacyKeys::from_spec(&crate::spec_model::SpecModel::embedded().unwrap().spec.raw);
        let used = keys.used_in(&json!([{"whid": "a", "municipalityid": 1, "process": "7310", "processes": [{"processid": "7310"}]}]));
        let names: Vec<&str> = used.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, vec!["municipalityid", "process", "processid"]);
        assert_eq!(keys.used_in(&json!({"whid:": 20}))[0].0, "whid:");
        assert!(
            keys.used_in(&json!({"whid": "a", "municipalityId": 1}))
                .is_empty()
        );
    }
}
