//! The spec, read once per run: every operation with its parameters, request body,
//! documented responses and compiled response validators.
//!
//! Nothing is parsed per request: schemas are compiled here, once, with
//! `smartservice_codegen::json_schema::SchemaCompiler` (OAS 3.0 converted to JSON
//! Schema draft 4), and shared by reference.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};
use smartservice_codegen::Spec;
use smartservice_codegen::json_schema::{CompiledSchema, SchemaCompiler};

/// The spec this suite was built with (`spec/openapi.yaml`), embedded in the binary.
pub const EMBEDDED_SPEC: &str = include_str!("../../spec/openapi.yaml");

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterLocation {
    /// In the query string.
    Query,
    /// As an HTTP header.
    Header,
}

/// One documented parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: ParameterLocation,
    /// Whether the operation requires it.
    pub required: bool,
    /// Its OAS schema (raw, `$ref`s kept).
    pub schema: Value,
}

/// The documented request body.
#[derive(Debug, Clone)]
pub struct BodySpec {
    /// Whether a body is required.
    pub required: bool,
    /// The media type (`application/json`).
    pub media_type: String,
    /// Its OAS schema (raw, `$ref`s kept).
    pub schema: Value,
}

/// Which generated client type a response body decodes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// One value of the named component schema.
    One(String),
    /// A JSON array of the named component schema.
    List(String),
}

/// One documented response of an operation.
#[derive(Debug, Clone)]
pub struct ResponseSpec {
    /// The status code.
    pub status: u16,
    /// The documented media type, if the response has a body.
    pub media_type: Option<String>,
    /// The compiled body schema, if the response has one.
    pub validator: Option<Arc<CompiledSchema>>,
    /// The generated type the body decodes into, if known.
    pub type_ref: Option<TypeRef>,
    /// Documented response headers: name, required, compiled schema.
    pub headers: Vec<(String, bool, Option<Arc<CompiledSchema>>)>,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The spec's `operationId`.
    pub id: String,
    /// The HTTP method.
    pub method: Method,
    /// The path template.
    pub path: String,
    /// Whether the vendor apikey is required (else only the subscription key).
    pub needs_api_key: bool,
    /// Whether any key is required at all.
    pub needs_subscription_key: bool,
    /// Query and header parameters.
    pub parameters: Vec<Parameter>,
    /// The request body, if the operation takes one.
    pub body: Option<BodySpec>,
    /// Documented responses by status code.
    pub responses: BTreeMap<u16, ResponseSpec>,
    /// The whole request as one OAS schema, `{query: {...}, body: ...}`, which the
    /// generators draw from and validate against.
    pub request_schema: Value,
    /// `request_schema`, compiled.
    pub request_validator: Arc<CompiledSchema>,
}

impl Operation {
    /// `METHOD /path`, for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The spec of a run, compiled.
pub struct SpecModel {
    /// The loaded document.
    pub spec: Spec,
    /// Every operation, in document order.
    pub operations: Vec<Operation>,
    /// The documented methods of every path.
    pub path_methods: BTreeMap<String, Vec<Method>>,
    compiler: SchemaCompiler,
    component_validators: Mutex<BTreeMap<String, Arc<CompiledSchema>>>,
}

impl std::fmt::Debug for SpecModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpecModel")
            .field("origin", &self.spec.origin)
            .field("operations", &self.operations.len())
            .finish()
    }
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl SpecModel {
    /// Compiles the spec embedded in the suite.
    pub fn embedded() -> Result<Self, String> {
        let spec = Spec::from_yaml(EMBEDDED_SPEC, "spec/openapi.yaml (embedded)")
            .map_err(|e| e.to_string())?;
        Self::compile(spec)
    }

    /// Compiles a loaded spec; the error names what could not be compiled.
    pub fn compile(spec: Spec) -> Result<Self, String> {
        let compiler = SchemaCompiler::new(&spec.raw);
        let raw = &spec.raw;
        let global_security = raw.get("security").cloned().unwrap_or(Value::Null);
        let mut operations = Vec::new();
        let mut path_methods = BTreeMap::new();
        let paths = raw
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the spec has no `paths`")?;
        for (path, item) in paths {
            let item = resolve(raw, item);
            let mut methods = Vec::new();
            for method_name in METHODS {
                let Some(op) = item.get(*method_name) else {
                    continue;
                };
                let method = Method::from_bytes(method_name.to_ascii_uppercase().as_bytes())
                    .map_err(|e| e.to_string())?;
                methods.push(method.clone());
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{method} {path} has no operationId"))?
                    .to_string();
                let security = op.get("security").unwrap_or(&global_security);
                let schemes = security_schemes(security);
                let needs_api_key = schemes.iter().any(|s| s == "vendorApiKey");
                let needs_subscription_key = schemes.iter().any(|s| s == "subscriptionKey");
                let mut parameters = Vec::new();
                let shared = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let own = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for parameter in shared.iter().chain(own.iter()) {
                    let parameter = resolve(raw, parameter);
                    let location = match parameter.get("in").and_then(Value::as_str) {
                        Some("query") => ParameterLocation::Query,
                        Some("header") => ParameterLocation::Header,
                        other => {
                            return Err(format!(
                                "{id}: parameters in {other:?} are not supported by the suite"
                            ));
                        }
                    };
                    parameters.push(Parameter {
                        name: parameter
                            .get("name")
                            .and_then(Value::as_str)
                            .ok_or_else(|| format!("{id}: a parameter has no name"))?
                            .to_string(),
                        location,
                        required: parameter
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        schema: parameter
                            .get("schema")
                            .cloned()
                            .unwrap_or(json!({"type": "string"})),
                    });
                }
                let body = op
                    .get("requestBody")
                    .map(|b| resolve(raw, b))
                    .and_then(|b| {
                        let (media_type, media) = b.get("content")?.as_object()?.iter().next()?;
                        Some(BodySpec {
                            required: b.get("required").and_then(Value::as_bool).unwrap_or(false),
                            media_type: media_type.clone(),
                            schema: media.get("schema").cloned().unwrap_or(json!({})),
                        })
                    });
                let mut responses = BTreeMap::new();
                for (code, response) in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let Ok(status) = code.parse::<u16>() else {
                        continue;
                    };
                    let response = resolve(raw, response);
                    let content = response
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.iter().next());
                    let (media_type, validator, type_ref) = match content {
                        Some((media_type, media)) => match media.get("schema") {
                            Some(schema) => (
                                Some(media_type.clone()),
                                Some(Arc::new(compiler.compile(schema).map_err(|e| {
                                    format!("{id}: the {status} schema does not compile: {e}")
                                })?)),
                                type_ref_of(schema),
                            ),
                            None => (Some(media_type.clone()), None, None),
                        },
                        None => (None, None, None),
                    };
                    let mut headers = Vec::new();
                    for (name, header) in response
                        .get("headers")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        let header = resolve(raw, header);
                        let required = header
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false);
                        let validator = match header.get("schema") {
                            Some(schema) => Some(Arc::new(compiler.compile(schema)?)),
                            None => None,
                        };
                        headers.push((name.clone(), required, validator));
                    }
                    responses.insert(
                        status,
                        ResponseSpec {
                            status,
                            media_type,
                            validator,
                            type_ref,
                            headers,
                        },
                    );
                }
                let request_schema = request_schema(&parameters, body.as_ref());
                let request_validator = Arc::new(
                    compiler
                        .compile(&request_schema)
                        .map_err(|e| format!("{id}: the request schema does not compile: {e}"))?,
                );
                operations.push(Operation {
                    id,
                    method,
                    path: path.clone(),
                    needs_api_key,
                    needs_subscription_key,
                    parameters,
                    body,
                    responses,
                    request_schema,
                    request_validator,
                });
            }
            path_methods.insert(path.clone(), methods);
        }
        Ok(SpecModel {
            spec,
            operations,
            path_methods,
            compiler,
            component_validators: Mutex::new(BTreeMap::new()),
        })
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The compiled validator of the component schema `name` (compiled on first use).
    pub fn component_validator(&self, name: &str) -> Result<Arc<CompiledSchema>, String> {
        let mut cache = self
            .component_validators
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(validator) = cache.get(name) {
            return Ok(validator.clone());
        }
        if self
            .spec
            .raw
            .pointer(&format!("/components/schemas/{name}"))
            .is_none()
        {
            return Err(format!("the spec has no component schema {name}"));
        }
        let validator = Arc::new(
            self.compiler
                .compile(&json!({"$ref": format!("#/components/schemas/{name}")}))?,
        );
        cache.insert(name.to_string(), validator.clone());
        Ok(validator)
    }

    /// Compiles any OAS schema of this spec.
    pub fn compile_schema(&self, schema: &Value) -> Result<CompiledSchema, String> {
        self.compiler.compile(schema)
    }

    /// The raw document.
    pub fn raw(&self) -> &Value {
        &self.spec.raw
    }
}

/// Follows a local `$ref` (repeatedly); other values are returned as they are.
pub fn resolve<'a>(raw: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) if reference.starts_with('#') => match raw.pointer(&reference[1..]) {
                Some(target) => current = target,
                None => return current,
            },
            _ => return current,
        }
    }
    current
}

fn security_schemes(security: &Value) -> Vec<String> {
    security
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys().cloned())
        .collect()
}

fn component_name(schema: &Value) -> Option<String> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string)
}

fn type_ref_of(schema: &Value) -> Option<TypeRef> {
    if let Some(name) = component_name(schema) {
        return Some(TypeRef::One(name));
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return schema
            .get("items")
            .and_then(component_name)
            .map(TypeRef::List);
    }
    None
}

fn request_schema(parameters: &[Parameter], body: Option<&BodySpec>) -> Value {
    let mut query_props = serde_json::Map::new();
    let mut query_required = Vec::new();
    for parameter in parameters {
        query_props.insert(parameter.name.clone(), parameter.schema.clone());
        if parameter.required {
            query_required.push(Value::String(parameter.name.clone()));
        }
    }
    let mut query = json!({"type": "object", "properties": query_props});
    if !query_required.is_empty() {
        query["required"] = Value::Array(query_required);
    }
    let mut schema =
        json!({"type": "object", "required": ["query"], "properties": {"query": query}});
    if let Some(body) = body {
        schema["properties"]["body"] = body.schema.clone();
        if body.required {
            schema["required"] = json!(["query", "body"]);
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_spec_compiles_with_every_operation() {
        let model = SpecModel::embedded().unwrap();
        assert_eq!(model.operations.len(), 15);
        let create = model.operation("createVendorRegistration").unwrap();
        assert!(!create.needs_api_key && create.needs_subscription_key);
        assert!(create.responses.contains_key(&413));
        let delete = model.operation("deleteWebhookConfiguration").unwrap();
        assert!(delete.needs_api_key);
        assert!(delete.parameters[0].required);
        assert!(delete.responses[&200].media_type.is_none());
        assert_eq!(
            model.operation("listProcesses").unwrap().responses[&200].type_ref,
            Some(TypeRef::List("Process".into()))
        );
        assert_eq!(model.path_methods["/webhookconfig"].len(), 4);
    }

    #[test]
    fn the_request_schema_covers_query_and_body() {
        let model = SpecModel::embedded().unwrap();
        let op = model.operation("updateWebhookConfiguration").unwrap();
        assert!(
            !op.request_validator
                .is_valid(&json!({"query": {}, "body": {}}))
        );
        let missing_whid = op
            .request_validator
            .violations(&json!({"query": {}, "body": {
                "whname": "a", "applicationId": "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b",
                "municipalityId": 1, "processes": ["7310"], "callbackUrl": "http://x.example/"
            }}));
        assert_eq!(missing_whid.len(), 1, "{missing_whid:?}");
        assert_eq!(missing_whid[0].instance_pointer, "/query");
        assert_eq!(missing_whid[0].keyword, "required");
    }
}
