//! Lints for the spec: what progenitor needs, and what keeps the description honest.
//!
//! Each rule is one function that appends [`Finding`]s; [`lint`] runs them all.
//! Findings name a JSON pointer into the raw document, so an editor can jump there.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::json_schema::SchemaCompiler;
use crate::spec::{Spec, pointer_of};

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// JSON pointer to the offending place.
    pub pointer: String,
    /// The rule that found it (see [`RULES`]).
    pub rule: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: [{}] {}", self.pointer, self.rule, self.message)
    }
}

/// Every rule, with a one-line description (printed by `ssp-codegen lint --list`).
pub const RULES: &[(&str, &str)] = &[
    (
        "operation-id",
        "every operation has an operationId, camelCase and unique (progenitor names methods after it)",
    ),
    (
        "response-shapes",
        "an operation's success responses share one body type, and so do its error responses (progenitor asserts this)",
    ),
    (
        "media-types",
        "request bodies use media types progenitor can send; JSON bodies have a schema and no encoding",
    ),
    (
        "parameters",
        "path parameters match the path template; no cookie or content-based parameters (progenitor rejects them)",
    ),
    (
        "ref-resolves",
        "every local $ref points at something that exists",
    ),
    (
        "unused-component",
        "every component is used, directly or through other components",
    ),
    (
        "example-valid",
        "every example validates against its schema",
    ),
    (
        "security",
        "every operation needs credentials (unless marked x-ssp-public), and only defined security schemes",
    ),
    (
        "tags",
        "every operation has exactly one tag, declared in the top-level tags",
    ),
    (
        "aliases",
        "x-ssp-aliases maps a legacy name to a property the schema declares",
    ),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An operation found in the document (a path operation or a callback operation).
struct Operation<'a> {
    pointer: String,
    path: &'a str,
    body: &'a Value,
    /// Security that applies when the operation declares none.
    inherited_security: Option<&'a Value>,
    /// The path item's own parameters, which apply to each of its operations.
    item_parameters: Option<&'a Value>,
    /// The path item's pointer (for its parameters).
    item_pointer: String,
    is_callback: bool,
}

impl<'a> Operation<'a> {
    /// Every parameter that applies, with its pointer: the path item's, then the
    /// operation's (which override a path-item parameter of the same name and place).
    fn parameters(&self) -> Vec<(&'a Value, String)> {
        let own = self
            .body
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let item = self
            .item_parameters
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        item.enumerate()
            .map(|(i, p)| (p, format!("{}/parameters/{i}", self.item_pointer)))
            .chain(
                own.enumerate()
                    .map(|(i, p)| (p, format!("{}/parameters/{i}", self.pointer))),
            )
            .collect()
    }
}

fn operations(raw: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let global = raw.get("security");
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let pointer = pointer_of(["paths", path.as_str(), method]);
            if let Some(callbacks) = op.get("callbacks").and_then(Value::as_object) {
                for (name, callback) in callbacks {
                    let Some(callback) = callback.as_object() else {
                        continue;
                    };
                    for (expression, cb_item) in callback {
                        for cb_method in METHODS {
                            if let Some(cb_op) = cb_item.get(*cb_method) {
                                out.push(Operation {
                                    pointer: format!(
                                        "{pointer}{}",
                                        pointer_of([
                                            "callbacks",
                                            name.as_str(),
                                            expression.as_str(),
                                            cb_method
                                        ])
                                    ),
                                    path: expression,
                                    item_parameters: cb_item.get("parameters"),
                                    item_pointer: format!(
                                        "{pointer}{}",
                                        pointer_of([
                                            "callbacks",
                                            name.as_str(),
                                            expression.as_str()
                                        ])
                                    ),
                                    body: cb_op,
                                    inherited_security: None,
                                    is_callback: true,
                                });
                            }
                        }
                    }
                }
            }
            out.push(Operation {
                pointer,
                path,
                body: op,
                item_parameters: item.get("parameters"),
                item_pointer: pointer_of(["paths", path.as_str()]),
                inherited_security: global,
                is_callback: false,
            });
        }
    }
    out
}

/// Follows local `$ref`s (at most 32) and returns the value and its pointer.
fn resolve<'a>(raw: &'a Value, value: &'a Value, pointer: String) -> (&'a Value, String) {
    let (mut value, mut pointer) = (value, pointer);
    for _ in 0..32 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(local) = target.strip_prefix('#') else {
            break;
        };
        match raw.pointer(local) {
            Some(next) => {
                value = next;
                pointer = local.to_string();
            }
            None => break,
        }
    }
    (value, pointer)
}

/// Runs every rule and returns the findings, sorted by pointer.
pub fn lint(spec: &Spec) -> Vec<Finding> {
    let raw = &spec.raw;
    let ops = operations(raw);
    let mut findings = Vec::new();
    check_operation_ids(&ops, &mut findings);
    check_response_shapes(raw, &ops, &mut findings);
    check_media_types(raw, &ops, &mut findings);
    check_parameters(raw, &ops, &mut findings);
    check_refs_resolve(raw, raw, String::new(), &mut findings);
    check_unused_components(raw, &mut findings);
    check_examples(raw, &mut findings);
    check_security(raw, &ops, &mut findings);
    check_tags(raw, &ops, &mut findings);
    check_aliases(raw, &mut findings);
    findings.sort();
    findings.dedup();
    findings
}

fn push(
    findings: &mut Vec<Finding>,
    pointer: impl Into<String>,
    rule: &'static str,
    message: impl Into<String>,
) {
    findings.push(Finding {
        pointer: pointer.into(),
        rule,
        message: message.into(),
    });
}

fn is_camel_case(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

fn check_operation_ids(ops: &[Operation<'_>], findings: &mut Vec<Finding>) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for op in ops {
        let pointer = format!("{}/operationId", op.pointer);
        match op.body.get("operationId").and_then(Value::as_str) {
            None => push(
                findings,
                &op.pointer,
                "operation-id",
                "operation has no operationId; add a unique camelCase one",
            ),
            Some(id) => {
                if !is_camel_case(id) {
                    push(
                        findings,
                        &pointer,
                        "operation-id",
                        format!(
                            "operationId {id:?} is not camelCase (letters and digits, starting lower-case)"
                        ),
                    );
                }
                if let Some(first) = seen.insert(id, &op.pointer) {
                    push(
                        findings,
                        &pointer,
                        "operation-id",
                        format!("operationId {id:?} is also used at {first}"),
                    );
                }
            }
        }
    }
}

/// What a response carries, as progenitor sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum BodyKind {
    None,
    Json(String),
    Other(String),
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

fn body_kind(raw: &Value, response: &Value) -> BodyKind {
    let (response, _) = resolve(raw, response, String::new());
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return BodyKind::None;
    };
    // progenitor decodes the JSON media type if there is one, else hands out raw bytes.
    if let Some(object) = content
        .iter()
        .find_map(|(media, object)| is_json(media).then_some(object))
    {
        let schema = object.get("schema").cloned().unwrap_or(Value::Null);
        return BodyKind::Json(schema.to_string());
    }
    match content.keys().next() {
        Some(media) => BodyKind::Other(media.clone()),
        None => BodyKind::None,
    }
}

fn check_response_shapes(raw: &Value, ops: &[Operation<'_>], findings: &mut Vec<Finding>) {
    for op in ops.iter().filter(|op| !op.is_callback) {
        let Some(responses) = op.body.get("responses").and_then(Value::as_object) else {
            push(
                findings,
                &op.pointer,
                "response-shapes",
                "operation has no responses",
            );
            continue;
        };
        let mut success = BTreeMap::new();
        let mut error = BTreeMap::new();
        for (code, response) in responses {
            let kind = body_kind(raw, response);
            let first = code.chars().next().unwrap_or('0');
            if code == "default" {
                success.insert(kind.clone(), code.clone());
                error.insert(kind, code.clone());
            } else if first == '2' || code == "101" {
                success.insert(kind, code.clone());
            } else if first == '4' || first == '5' {
                error.insert(kind, code.clone());
            }
        }
        let redirects = responses.keys().any(|code| code.starts_with('3'));
        if success.is_empty() && !redirects {
            push(
                findings,
                format!("{}/responses", op.pointer),
                "response-shapes",
                "operation declares no success (2xx) or redirect (3xx) response",
            );
        }
        for (set, what) in [(&success, "success"), (&error, "error")] {
            if set.len() > 1 {
                let codes: Vec<&str> = set.values().map(String::as_str).collect();
                push(
                    findings,
                    format!("{}/responses", op.pointer),
                    "response-shapes",
                    format!(
                        "{what} responses {} carry different bodies; progenitor needs one body type for all {what} responses (share one schema, or none)",
                        codes.join(", ")
                    ),
                );
            }
        }
    }
}

const SENDABLE_MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
    "text/x-markdown",
];

fn check_media_types(raw: &Value, ops: &[Operation<'_>], findings: &mut Vec<Finding>) {
    for op in ops.iter().filter(|op| !op.is_callback) {
        if let Some(body) = op.body.get("requestBody") {
            let (body, pointer) = resolve(raw, body, format!("{}/requestBody", op.pointer));
            for (media, object) in body
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let at = format!("{pointer}{}", pointer_of(["content", media.as_str()]));
                if !SENDABLE_MEDIA_TYPES.contains(&media.as_str()) {
                    push(
                        findings,
                        &at,
                        "media-types",
                        format!(
                            "progenitor cannot send {media:?}; use one of {}",
                            SENDABLE_MEDIA_TYPES.join(", ")
                        ),
                    );
                }
                if object.get("schema").is_none() {
                    push(
                        findings,
                        &at,
                        "media-types",
                        "request body media type has no schema (progenitor panics on it)",
                    );
                }
                if object.get("encoding").is_some() {
                    push(
                        findings,
                        &at,
                        "media-types",
                        "request body media type has an encoding (progenitor panics on it)",
                    );
                }
            }
        }
        for (code, response) in op
            .body
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let (response, pointer) = resolve(
                raw,
                response,
                format!("{}{}", op.pointer, pointer_of(["responses", code.as_str()])),
            );
            let content = response.get("content").and_then(Value::as_object);
            for (media, object) in content.into_iter().flatten().filter(|(m, _)| is_json(m)) {
                let at = format!("{pointer}{}", pointer_of(["content", media.as_str()]));
                if object.get("schema").is_none() {
                    push(
                        findings,
                        &at,
                        "media-types",
                        "JSON response without a schema (progenitor panics on it)",
                    );
                }
                if object.get("encoding").is_some() {
                    push(
                        findings,
                        &at,
                        "media-types",
                        "JSON response with an encoding (progenitor panics on it)",
                    );
                }
            }
        }
    }
}

fn check_parameters(raw: &Value, ops: &[Operation<'_>], findings: &mut Vec<Finding>) {
    for op in ops.iter().filter(|op| !op.is_callback) {
        let template: BTreeSet<&str> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let mut declared = BTreeSet::new();
        let mut own_seen = BTreeSet::new();
        let own_count = op
            .body
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let all = op.parameters();
        let item_count = all.len() - own_count;
        for (index, (param, pointer)) in all.into_iter().enumerate() {
            let (param, pointer) = resolve(raw, param, pointer);
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            let location = param.get("in").and_then(Value::as_str).unwrap_or("");
            // A parameter declared twice at the same level is an error; an operation's
            // parameter may override the path item's.
            let level = if index < item_count {
                "item"
            } else {
                "operation"
            };
            if !own_seen.insert((level, name.to_string(), location.to_string())) {
                push(
                    findings,
                    &pointer,
                    "parameters",
                    format!("parameter {name:?} in {location} is declared twice"),
                );
            }
            match location {
                "cookie" => push(
                    findings,
                    &pointer,
                    "parameters",
                    format!(
                        "cookie parameter {name:?}: progenitor does not support cookie parameters"
                    ),
                ),
                "path" => {
                    declared.insert(name.to_string());
                    if !template.contains(name) {
                        push(
                            findings,
                            &pointer,
                            "parameters",
                            format!(
                                "path parameter {name:?} is not in the path template {}",
                                op.path
                            ),
                        );
                    }
                }
                _ => {}
            }
            if param.get("content").is_some() {
                push(
                    findings,
                    &pointer,
                    "parameters",
                    format!(
                        "parameter {name:?} uses `content`; progenitor supports only `schema` parameters"
                    ),
                );
            }
            if param.get("schema").is_none() && param.get("content").is_none() {
                push(
                    findings,
                    &pointer,
                    "parameters",
                    format!("parameter {name:?} has no schema"),
                );
            }
        }
        for name in template.iter().filter(|n| !declared.contains(**n)) {
            push(
                findings,
                &op.pointer,
                "parameters",
                format!("path template variable {{{name}}} has no path parameter"),
            );
        }
    }
}

fn check_refs_resolve(raw: &Value, value: &Value, pointer: String, findings: &mut Vec<Finding>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                match target.strip_prefix('#') {
                    Some(local) if raw.pointer(local).is_some() => {}
                    Some(_) => push(
                        findings,
                        format!("{pointer}/$ref"),
                        "ref-resolves",
                        format!("$ref {target:?} points at nothing"),
                    ),
                    None => push(
                        findings,
                        format!("{pointer}/$ref"),
                        "ref-resolves",
                        format!("$ref {target:?} is not local; keep the spec in one file"),
                    ),
                }
            }
            for (key, child) in map {
                check_refs_resolve(
                    raw,
                    child,
                    format!("{pointer}{}", pointer_of([key])),
                    findings,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_refs_resolve(raw, child, format!("{pointer}/{i}"), findings);
            }
        }
        _ => {}
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && let Some(local) = target.strip_prefix('#')
            {
                out.push(local.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn collect_security_schemes(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(requirements)) = map.get("security") {
                for requirement in requirements.iter().filter_map(Value::as_object) {
                    out.extend(requirement.keys().cloned());
                }
            }
            map.values().for_each(|v| collect_security_schemes(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_security_schemes(v, out)),
        _ => {}
    }
}

fn check_unused_components(raw: &Value, findings: &mut Vec<Finding>) {
    let Some(components) = raw.get("components").and_then(Value::as_object) else {
        return;
    };
    // Everything outside `components` is a root; follow refs from there.
    let mut pending = Vec::new();
    if let Some(top) = raw.as_object() {
        for (key, value) in top.iter().filter(|(k, _)| k.as_str() != "components") {
            let _ = key;
            collect_refs(value, &mut pending);
        }
    }
    let mut reached = BTreeSet::new();
    while let Some(target) = pending.pop() {
        // A ref may point inside a component; the component itself is what is used.
        let component: String = target.split('/').take(4).collect::<Vec<_>>().join("/");
        if reached.insert(component.clone())
            && let Some(value) = raw.pointer(&component)
        {
            collect_refs(value, &mut pending);
        }
    }
    let mut schemes = BTreeSet::new();
    collect_security_schemes(raw, &mut schemes);
    for (kind, entries) in components {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        for name in entries.keys() {
            let pointer = pointer_of(["components", kind.as_str(), name.as_str()]);
            let used = if kind == "securitySchemes" {
                schemes.contains(name)
            } else {
                reached.contains(&pointer)
            };
            if !used {
                push(
                    findings,
                    &pointer,
                    "unused-component",
                    format!("{kind} {name:?} is never used; remove it or reference it"),
                );
            }
        }
    }
}

/// Validates every `example` and `examples.*.value` against the schema beside it,
/// and every Schema Object's own `example` against that schema.
fn check_examples(raw: &Value, findings: &mut Vec<Finding>) {
    let compiler = SchemaCompiler::new(raw);
    walk_examples(raw, &compiler, raw, String::new(), false, findings);
}

fn validate_example(
    compiler: &SchemaCompiler,
    schema: &Value,
    example: &Value,
    pointer: &str,
    findings: &mut Vec<Finding>,
) {
    match compiler.compile(schema) {
        Err(e) => push(
            findings,
            pointer,
            "example-valid",
            format!("the schema for this example does not compile: {e}"),
        ),
        Ok(compiled) => {
            for violation in compiled.violations(example) {
                push(
                    findings,
                    pointer,
                    "example-valid",
                    format!("example does not match its schema at {violation}"),
                );
            }
        }
    }
}

fn walk_examples(
    raw: &Value,
    compiler: &SchemaCompiler,
    value: &Value,
    pointer: String,
    in_schema: bool,
    findings: &mut Vec<Finding>,
) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                walk_examples(
                    raw,
                    compiler,
                    item,
                    format!("{pointer}/{i}"),
                    in_schema,
                    findings,
                );
            }
        }
        return;
    };
    if in_schema {
        if let Some(example) = map.get("example") {
            validate_example(
                compiler,
                value,
                example,
                &format!("{pointer}/example"),
                findings,
            );
        }
    } else if let Some(schema) = map.get("schema") {
        // A media type object or a parameter: its examples follow its schema.
        if let Some(example) = map.get("example") {
            validate_example(
                compiler,
                schema,
                example,
                &format!("{pointer}/example"),
                findings,
            );
        }
        for (name, example) in map
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let (example, at) = resolve(
                raw,
                example,
                format!("{pointer}{}", pointer_of(["examples", name.as_str()])),
            );
            if let Some(value) = example.get("value") {
                validate_example(compiler, schema, value, &format!("{at}/value"), findings);
            }
        }
    }
    for (key, child) in map {
        let child_pointer = format!("{pointer}{}", pointer_of([key]));
        let child_in_schema = if in_schema {
            // Inside a schema, `example` and `enum` hold data, not schemas.
            !matches!(key.as_str(), "example" | "enum" | "default")
        } else {
            key == "schema" || (pointer == "/components" && key == "schemas")
        };
        if in_schema && matches!(key.as_str(), "example" | "enum" | "default") {
            continue;
        }
        if !in_schema && pointer == "/components" && key == "schemas" {
            // Each entry of components/schemas is a schema.
            for (name, schema) in child.as_object().into_iter().flatten() {
                walk_examples(
                    raw,
                    compiler,
                    schema,
                    format!("{child_pointer}{}", pointer_of([name])),
                    true,
                    findings,
                );
            }
            continue;
        }
        if !in_schema && (key == "example" || key == "examples") {
            continue;
        }
        walk_examples(
            raw,
            compiler,
            child,
            child_pointer,
            child_in_schema,
            findings,
        );
    }
}

/// The extension that marks an operation as deliberately public (`security: []`),
/// like the sandbox's citizen forms.
pub const PUBLIC_EXTENSION: &str = "x-ssp-public";

fn check_security(raw: &Value, ops: &[Operation<'_>], findings: &mut Vec<Finding>) {
    let defined: BTreeSet<String> = raw
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for op in ops {
        let own = op.body.get("security");
        let public = op.body.get(PUBLIC_EXTENSION) == Some(&Value::Bool(true));
        let Some(security) = own.or(op.inherited_security) else {
            if !op.is_callback {
                push(
                    findings,
                    &op.pointer,
                    "security",
                    "operation has no security requirement; every call must carry the subscription key",
                );
            }
            continue;
        };
        let requirements = security.as_array().cloned().unwrap_or_default();
        if requirements.is_empty() && !op.is_callback && !public {
            push(
                findings,
                &op.pointer,
                "security",
                format!(
                    "operation declares `security: []` (no credentials); every call must carry the subscription key, or mark a deliberately public operation `{PUBLIC_EXTENSION}: true`"
                ),
            );
        }
        if public && !requirements.is_empty() {
            push(
                findings,
                &op.pointer,
                "security",
                format!(
                    "operation is marked `{PUBLIC_EXTENSION}: true` but requires credentials; drop one of the two"
                ),
            );
        }
        for requirement in &requirements {
            let Some(requirement) = requirement.as_object() else {
                continue;
            };
            if requirement.is_empty() && !op.is_callback {
                push(
                    findings,
                    &op.pointer,
                    "security",
                    "an empty security requirement makes credentials optional",
                );
            }
            for name in requirement.keys().filter(|n| !defined.contains(*n)) {
                push(
                    findings,
                    &op.pointer,
                    "security",
                    format!(
                        "security scheme {name:?} is not defined in components/securitySchemes"
                    ),
                );
            }
        }
    }
}

fn check_tags(raw: &Value, ops: &[Operation<'_>], findings: &mut Vec<Finding>) {
    let declared: BTreeSet<&str> = raw
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    for op in ops {
        let tags: Vec<&str> = op
            .body
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if tags.len() != 1 {
            push(
                findings,
                &op.pointer,
                "tags",
                format!("operation has {} tags; give it exactly one", tags.len()),
            );
        }
        for tag in tags.iter().filter(|t| !declared.contains(**t)) {
            push(
                findings,
                format!("{}/tags", op.pointer),
                "tags",
                format!("tag {tag:?} is not declared in the top-level tags"),
            );
        }
    }
}

fn check_aliases(raw: &Value, findings: &mut Vec<Finding>) {
    for alias in crate::spec::property_aliases(raw) {
        let properties = pointer_of(["components", "schemas", alias.schema.as_str(), "properties"]);
        let pointer = pointer_of([
            "components",
            "schemas",
            alias.schema.as_str(),
            crate::spec::ALIASES_EXTENSION,
            alias.alias.as_str(),
        ]);
        let props = raw.pointer(&properties).and_then(Value::as_object);
        if !props.is_some_and(|p| p.contains_key(&alias.property)) {
            push(
                findings,
                &pointer,
                "aliases",
                format!(
                    "alias {:?} names property {:?}, which {} does not declare",
                    alias.alias, alias.property, alias.schema
                ),
            );
        }
        if props.is_some_and(|p| p.contains_key(&alias.alias)) {
            push(
                findings,
                &pointer,
                "aliases",
                format!(
                    "alias {:?} is also declared as a property; declare it only as an alias",
                    alias.alias
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
