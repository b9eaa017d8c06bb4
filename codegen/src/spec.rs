//! Reading the OpenAPI document: YAML text into both a raw JSON tree (for lints,
//! JSON pointers and schema validation) and openapiv3's typed model (for progenitor).

use std::path::{Path, PathBuf};

/// A loaded OpenAPI document, in its raw and its typed form.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Where the document was read from (for messages), or `<memory>`.
    pub origin: String,
    /// The document as a JSON tree, exactly as written (no `$ref` resolved).
    pub raw: serde_json::Value,
    /// The document in openapiv3's typed model.
    pub model: openapiv3::OpenAPI,
}

/// Why a document could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that was asked for.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The text is not YAML (or JSON).
    #[error("{origin} is not valid YAML: {source}")]
    Yaml {
        /// Where the text came from.
        origin: String,
        /// The parser's message, with line and column.
        source: serde_norway::Error,
    },
    /// The YAML does not have the shape of an OpenAPI 3.0 document.
    #[error("{origin} is not an OpenAPI 3.0 document: {message}")]
    NotOpenApi {
        /// Where the text came from.
        origin: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Spec {
    /// Reads and parses the document at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_yaml(&text, path.display().to_string())
    }

    /// Parses a document from YAML (or JSON) text; `origin` names it in messages.
    pub fn from_yaml(text: &str, origin: impl Into<String>) -> Result<Self, LoadError> {
        let origin = origin.into();
        let raw: serde_json::Value =
            serde_norway::from_str(text).map_err(|source| LoadError::Yaml {
                origin: origin.clone(),
                source,
            })?;
        Self::from_value(raw, origin)
    }

    /// Builds a document from an already parsed JSON tree.
    pub fn from_value(
        raw: serde_json::Value,
        origin: impl Into<String>,
    ) -> Result<Self, LoadError> {
        let origin = origin.into();
        let version = raw.get("openapi").and_then(|v| v.as_str()).unwrap_or("");
        if !version.starts_with("3.0.") {
            return Err(LoadError::NotOpenApi {
                origin,
                message: format!(
                    "field `openapi` must be a 3.0.x version (progenitor supports no other), found {:?}",
                    raw.get("openapi")
                        .cloned()
                        .unwrap_or(serde_json::Value::Null)
                ),
            });
        }
        let model = serde_json::from_value(raw.clone()).map_err(|e| LoadError::NotOpenApi {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        Ok(Spec { origin, raw, model })
    }

    /// The value at a JSON pointer in the raw document, if there is one.
    pub fn pointer(&self, pointer: &str) -> Option<&serde_json::Value> {
        self.raw.pointer(pointer)
    }
}

/// Escapes one JSON pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`.
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Joins segments into a JSON pointer, escaping each.
pub fn pointer_of<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    segments
        .into_iter()
        .map(|s| format!("/{}", escape_pointer_segment(s.as_ref())))
        .collect()
}

/// The extension through which a schema names legacy spellings of its properties:
/// `x-ssp-aliases: {legacyName: canonicalName}` on the schema object.
pub const ALIASES_EXTENSION: &str = "x-ssp-aliases";

/// One legacy spelling the generated type must accept on input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyAlias {
    /// The component schema (and so the generated type) it belongs to.
    pub schema: String,
    /// The canonical property name.
    pub property: String,
    /// The legacy name that is accepted as well.
    pub alias: String,
}

/// Every alias declared with [`ALIASES_EXTENSION`] in `components/schemas`.
pub fn property_aliases(raw: &serde_json::Value) -> Vec<PropertyAlias> {
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    else {
        return Vec::new();
    };
    let mut aliases = Vec::new();
    for (schema, body) in schemas {
        let Some(map) = body.get(ALIASES_EXTENSION).and_then(|a| a.as_object()) else {
            continue;
        };
        for (alias, property) in map {
            if let Some(property) = property.as_str() {
                aliases.push(PropertyAlias {
                    schema: schema.clone(),
                    property: property.to_string(),
                    alias: alias.clone(),
                });
            }
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_openapi_3_1_with_the_field_named() {
        let err = Spec::from_yaml(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "t",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("`openapi` must be a 3.0.x version"),
            "{err}"
        );
    }

    #[test]
    fn reports_yaml_errors_with_their_origin() {
        let err = Spec::from_yaml("openapi: [", "broken.yaml").unwrap_err();
        assert!(matches!(err, LoadError::Yaml { .. }));
        assert!(
            err.to_string().starts_with("broken.yaml is not valid YAML"),
            "{err}"
        );
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(
            pointer_of(["paths", "/webhookconfig", "a~b"]),
            "/paths/~1webhookconfig/a~0b"
        );
    }
}
