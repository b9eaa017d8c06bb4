//! The routing table and request validation, both read from an OpenAPI document.
//!
//! Paths, methods, parameters, request bodies and security come from the spec
//! (`spec/openapi.yaml` for the portal, `spec/sandbox.yaml` for the citizen side),
//! so the sandbox answers exactly the operations the spec describes and rejects
//! exactly what the spec's schemas reject. Schemas are compiled once, at start.

use std::collections::BTreeMap;

use serde_json::Value;
use smartservice_codegen::Spec;
use smartservice_codegen::json_schema::{CompiledSchema, SchemaCompiler, Violation};

use crate::error::ApiError;

/// The methods an OpenAPI path item may hold, in the order `Allow` lists them.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Which keys an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// None (the citizen's forms).
    Public,
    /// The subscription key.
    Subscription,
    /// The subscription key and the vendor's apikey.
    Vendor,
}

/// How an operation's request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/json`, validated against the body schema here.
    Json,
    /// `application/x-www-form-urlencoded`, handed to the handler as it came.
    Form,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Variable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Query,
    Path,
}

struct Parameter {
    name: String,
    location: Location,
    required: bool,
    integer: bool,
    schema: CompiledSchema,
}

struct Body {
    required: bool,
    media: Media,
    schema: Option<CompiledSchema>,
}

/// One operation of the spec.
pub struct Operation {
    /// The spec's `operationId`.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Which keys it needs.
    pub auth: Auth,
    segments: Vec<Segment>,
    parameters: Vec<Parameter>,
    body: Option<Body>,
}

/// The validated inputs of one request.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// Path and query parameters by name (each given at most once).
    pub params: BTreeMap<String, String>,
    /// The JSON body, when the operation takes one and it was sent.
    pub json: Option<Value>,
    /// The raw body of a form operation.
    pub form: Option<bytes::Bytes>,
}

impl Inputs {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// A matched operation and its path parameters.
pub type Found<'a> = (&'a Operation, BTreeMap<String, String>);

/// Every operation of one spec.
pub struct Routes {
    operations: Vec<Operation>,
    compiler: SchemaCompiler,
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routes")
            .field("operations", &self.operations.len())
            .finish()
    }
}

fn resolve<'a>(raw: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..8 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) if reference.starts_with('#') => match raw.pointer(&reference[1..]) {
                Some(target) => value = target,
                None => return value,
            },
            _ => return value,
        }
    }
    value
}

fn auth_of(security: Option<&Value>) -> Auth {
    let Some(requirements) = security.and_then(Value::as_array) else {
        return Auth::Public;
    };
    let Some(first) = requirements.first().and_then(Value::as_object) else {
        return Auth::Public;
    };
    if first.contains_key("vendorApiKey") {
        Auth::Vendor
    } else if first.contains_key("subscriptionKey") {
        Auth::Subscription
    } else {
        Auth::Public
    }
}

impl Routes {
    /// Reads the operations of the OpenAPI document `text` (`origin` names it in
    /// errors) and compiles their schemas.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, String> {
        let spec = Spec::from_yaml(text, origin).map_err(|e| e.to_string())?;
        Self::from_spec(&spec)
    }

    /// Builds the table from a loaded spec.
    pub fn from_spec(spec: &Spec) -> Result<Self, String> {
        let raw = &spec.raw;
        let compiler = SchemaCompiler::new(raw);
        let global_security = raw.get("security");
        let mut operations = Vec::new();
        let paths = raw
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the spec has no paths")?;
        for (path, item) in paths {
            let item = resolve(raw, item);
            let shared: Vec<&Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .map(|p| p.iter().collect())
                .unwrap_or_default();
            for method in METHODS {
                let Some(op) = item.get(method.to_ascii_lowercase()) else {
                    continue;
                };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{method} {path} has no operationId"))?
                    .to_string();
                let mut parameters = Vec::new();
                let own = op.get("parameters").and_then(Value::as_array);
                for parameter in shared.iter().copied().chain(own.into_iter().flatten()) {
                    let parameter = resolve(raw, parameter);
                    let location = match parameter.get("in").and_then(Value::as_str) {
                        Some("query") => Location::Query,
                        Some("path") => Location::Path,
                        _ => continue,
                    };
                    let name = parameter
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| format!("{id}: a parameter has no name"))?
                        .to_string();
                    let schema_raw = parameter
                        .get("schema")
                        .cloned()
                        .unwrap_or(Value::Bool(true));
                    let integer = resolve(raw, &schema_raw)
                        .get("type")
                        .and_then(Value::as_str)
                        == Some("integer");
                    let schema = compiler
                        .compile(&schema_raw)
                        .map_err(|e| format!("{id}: parameter {name}: {e}"))?;
                    parameters.push(Parameter {
                        required: location == Location::Path
                            || parameter.get("required").and_then(Value::as_bool) == Some(true),
                        name,
                        location,
                        integer,
                        schema,
                    });
                }
                let body = match op.get("requestBody").map(|b| resolve(raw, b)) {
                    None => None,
                    Some(body) => {
                        let required = body.get("required").and_then(Value::as_bool) == Some(true);
                        let content = body.get("content").and_then(Value::as_object);
                        if let Some(media) = content.and_then(|c| c.get("application/json")) {
                            let schema_raw =
                                media.get("schema").cloned().unwrap_or(Value::Bool(true));
                            let schema = compiler
                                .compile(&schema_raw)
                                .map_err(|e| format!("{id}: request body: {e}"))?;
                            Some(Body {
                                required,
                                media: Media::Json,
                                schema: Some(schema),
                            })
                        } else if content
                            .is_some_and(|c| c.contains_key("application/x-www-form-urlencoded"))
                        {
                            Some(Body {
                                required,
                                media: Media::Form,
                                schema: None,
                            })
                        } else {
                            return Err(format!("{id}: unsupported request body media type"));
                        }
                    }
                };
                let segments = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(var) => Segment::Variable(var.to_string()),
                            None => Segment::Literal(s.to_string()),
                        },
                    )
                    .collect();
                operations.push(Operation {
                    id,
                    method,
                    auth: auth_of(op.get("security").or(global_security)),
                    segments,
                    parameters,
                    body,
                });
            }
        }
        Ok(Routes {
            operations,
            compiler,
        })
    }

    /// Compiles a schema of this spec, e.g. `{"$ref": "#/components/schemas/X"}`.
    pub fn compile(&self, schema: &Value) -> Result<CompiledSchema, String> {
        self.compiler.compile(schema)
    }

    /// The operations, in spec order.
    #[cfg(test)]
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation for `method` on `path`, with its path parameters; `None` when
    /// no operation has this path; `Err` (405) when the path exists but not the method.
    pub fn find(&self, method: &str, path: &str) -> Option<Result<Found<'_>, ApiError>> {
        // A trailing slash is a different path (as on the real gateway).
        if path.len() > 1 && path.ends_with('/') {
            return None;
        }
        let mut allow = Vec::new();
        for operation in &self.operations {
            let Some(params) = operation.matches(path) else {
                continue;
            };
            if operation.method == method {
                return Some(Ok((operation, params)));
            }
            if !allow.contains(&operation.method) {
                allow.push(operation.method);
            }
        }
        if allow.is_empty() {
            return None;
        }
        allow.sort_by_key(|m| METHODS.iter().position(|x| x == m));
        Some(Err(ApiError::MethodNotAllowed {
            allow,
            method: method.to_string(),
        }))
    }
}

impl Operation {
    /// The path parameters, when `path`'s non-empty segments match this
    /// operation's (without collecting the segments first).
    fn matches(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let mut actual = path.split('/').filter(|s| !s.is_empty());
        let mut params = BTreeMap::new();
        for pattern in &self.segments {
            let segment = actual.next()?;
            match pattern {
                Segment::Literal(literal) if literal == segment => {}
                Segment::Literal(_) => return None,
                Segment::Variable(name) => {
                    params.insert(name.clone(), percent_decode(segment)?);
                }
            }
        }
        if actual.next().is_some() {
            return None;
        }
        Some(params)
    }

    /// The largest body this operation reads, in bytes.
    pub fn body_limit(&self) -> usize {
        crate::limits::body_limit(&self.id)
    }

    /// Whether the operation takes a request body.
    pub fn takes_body(&self) -> bool {
        self.body.is_some()
    }

    /// Validates the parameters and the body of a request against the spec.
    pub fn validate(
        &self,
        path_params: BTreeMap<String, String>,
        query: Option<&str>,
        content_type: Option<&str>,
        body: bytes::Bytes,
    ) -> Result<Inputs, ApiError> {
        let mut inputs = Inputs {
            params: BTreeMap::new(),
            ..Inputs::default()
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("the query string is malformed: {e}")))?;
        for parameter in &self.parameters {
            let value = match parameter.location {
                Location::Path => path_params.get(&parameter.name).cloned(),
                Location::Query => {
                    let mut values = pairs.iter().filter(|(k, _)| *k == parameter.name);
                    let first = values.next().map(|(_, v)| v.clone());
                    if values.next().is_some() {
                        return Err(ApiError::bad(
                            parameter.name.clone(),
                            format!(
                                "query parameter `{}` is given more than once",
                                parameter.name
                            ),
                        ));
                    }
                    first
                }
            };
            let Some(value) = value else {
                if parameter.required {
                    return Err(ApiError::bad(
                        parameter.name.clone(),
                        format!("required parameter `{}` is missing", parameter.name),
                    ));
                }
                continue;
            };
            let json = match value.parse::<i64>() {
                Ok(n) if parameter.integer => Value::from(n),
                _ => Value::String(value.clone()),
            };
            if !parameter.schema.is_valid(&json)
                && let Some(violation) = parameter.schema.violations(&json).into_iter().next()
            {
                let kind = match parameter.location {
                    Location::Path => "path",
                    Location::Query => "query",
                };
                return Err(ApiError::bad(
                    parameter.name.clone(),
                    format!(
                        "{kind} parameter `{}`: {}",
                        parameter.name, violation.message
                    ),
                ));
            }
            inputs.params.insert(parameter.name.clone(), value);
        }
        let Some(spec_body) = &self.body else {
            return Ok(inputs);
        };
        if body.is_empty() && spec_body.media == Media::Form {
            // An empty form is a form with every field left empty.
            inputs.form = Some(body);
            return Ok(inputs);
        }
        if body.is_empty() {
            if spec_body.required {
                return Err(ApiError::bad_request("a request body is required"));
            }
            return Ok(inputs);
        }
        let mime = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase());
        match spec_body.media {
            Media::Form => {
                if mime.as_deref() != Some("application/x-www-form-urlencoded") {
                    return Err(ApiError::bad(
                        "Content-Type",
                        "the body must be application/x-www-form-urlencoded",
                    ));
                }
                inputs.form = Some(body);
            }
            Media::Json => {
                let is_json = mime
                    .as_deref()
                    .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
                if !is_json {
                    return Err(ApiError::bad(
                        "Content-Type",
                        "the body must be JSON (Content-Type: application/json)",
                    ));
                }
                let value: Value = serde_json::from_slice(&body).map_err(|e| {
                    ApiError::bad_request(format!("the body is not valid JSON: {e}"))
                })?;
                if let Some(schema) = &spec_body.schema {
                    check(schema, &value)?;
                }
                inputs.json = Some(value);
            }
        }
        Ok(inputs)
    }
}

/// Checks `value` against `schema`; the first violation becomes a 400 naming the field.
pub fn check(schema: &CompiledSchema, value: &Value) -> Result<(), ApiError> {
    // Most values are valid: find that out without collecting violations.
    if schema.is_valid(value) {
        return Ok(());
    }
    match schema.violations(value).into_iter().next() {
        None => Ok(()),
        Some(violation) => Err(violation_error(&violation)),
    }
}

/// A 400 for one schema violation: the field is the JSON pointer of the offending
/// value, or of the missing property for `required`.
pub fn violation_error(violation: &Violation) -> ApiError {
    let mut field = violation.instance_pointer.clone();
    if violation.keyword == "required"
        && let Some(name) = violation.message.split('"').nth(1)
    {
        field = format!("{field}/{}", name.replace('~', "~0").replace('/', "~1"));
    }
    let shown = if field.is_empty() { "/" } else { &field };
    ApiError::bad(field.clone(), format!("{shown}: {}", violation.message))
}

fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes {
        Routes::from_yaml(crate::PORTAL_SPEC, "openapi.yaml").unwrap()
    }

    #[test]
    fn every_portal_operation_is_routed() {
        let routes = routes();
        assert_eq!(routes.operations().len(), 15);
        let (op, _) = routes.find("PATCH", "/webhookconfig").unwrap().unwrap();
        assert_eq!(op.id, "updateWebhookConfiguration");
        assert_eq!(op.auth, Auth::Vendor);
        let (op, _) = routes.find("POST", "/vendorregistration").unwrap().unwrap();
        assert_eq!(op.auth, Auth::Subscription);
    }

    #[test]
    fn unknown_path_and_wrong_method() {
        let routes = routes();
        assert!(routes.find("GET", "/nope").is_none());
        assert!(routes.find("GET", "/processes/").is_none());
        match routes.find("PUT", "/webhookconfig").unwrap() {
            Err(ApiError::MethodNotAllowed { allow, .. }) => {
                assert_eq!(allow, vec!["GET", "POST", "PATCH", "DELETE"])
            }
            other => panic!("{:?}", other.map(|(op, _)| op.id.clone())),
        }
    }

    #[test]
    fn path_parameters_are_decoded_and_every_segment_counts() {
        let citizen = Routes::from_yaml(crate::SANDBOX_SPEC, "sandbox.yaml").unwrap();
        let (op, params) = citizen
            .find("GET", "/forms/tasks/100001/documents/7")
            .unwrap()
            .unwrap();
        assert_eq!(op.id, "downloadDocument");
        assert_eq!(params["uniqueId"], "100001");
        assert_eq!(params["documentId"], "7");
        // Empty segments are skipped, as before.
        let (op, params) = citizen.find("GET", "//forms//tasks/12").unwrap().unwrap();
        assert_eq!(
            (op.id.as_str(), params["uniqueId"].as_str()),
            ("showTask", "12")
        );
        let (_, params) = citizen.find("GET", "/forms/a%20b").unwrap().unwrap();
        assert_eq!(params["processId"], "a b");
        // Too many or too few segments, or a broken escape: no operation.
        assert!(
            citizen
                .find("GET", "/forms/tasks/1/documents/2/x")
                .is_none()
        );
        assert!(citizen.find("GET", "/forms/tasks/1/documents").is_none());
        assert!(citizen.find("GET", "/forms/%zz").is_none());
        assert!(citizen.find("GET", "/").is_none());
        assert!(citizen.find("GET", "").is_none());
    }

    #[test]
    fn violations_name_the_field() {
        let routes = routes();
        let (op, params) = routes.find("POST", "/vendorregistration").unwrap().unwrap();
        let err = op
            .validate(
                params.clone(),
                None,
                Some("application/json"),
                bytes::Bytes::from_static(br#"{"providerName":"x","plz":"50000"}"#),
            )
            .unwrap_err();
        assert!(
            matches!(&err, ApiError::BadRequest { field: Some(f), .. } if f == "/plz"),
            "{err:?}"
        );
        let err = op
            .validate(
                params,
                None,
                Some("application/json"),
                bytes::Bytes::from_static(br#"{"plz":"5000"}"#),
            )
            .unwrap_err();
        assert!(
            matches!(&err, ApiError::BadRequest { field: Some(f), .. } if f == "/providerName"),
            "{err:?}"
        );
    }

    #[test]
    fn query_parameters_are_checked() {
        let routes = routes();
        let (op, params) = routes
            .find("DELETE", "/applicationconfig")
            .unwrap()
            .unwrap();
        let err = op
            .validate(params.clone(), None, None, bytes::Bytes::new())
            .unwrap_err();
        assert!(matches!(&err, ApiError::BadRequest { field: Some(f), .. } if f == "appid"));
        let err = op
            .validate(
                params.clone(),
                Some("appid=nope"),
                None,
                bytes::Bytes::new(),
            )
            .unwrap_err();
        assert!(matches!(&err, ApiError::BadRequest { field: Some(f), .. } if f == "appid"));
        let ok = op
            .validate(
                params,
                Some("appid=f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b&x=1"),
                None,
                bytes::Bytes::new(),
            )
            .unwrap();
        assert_eq!(
            ok.param("appid"),
            Some("f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b")
        );
    }
}
