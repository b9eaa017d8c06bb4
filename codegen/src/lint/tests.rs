use super::*;
use serde_json::json;

fn project_spec() -> Spec {
    Spec::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml")).expect("spec loads")
}

/// Lints the project spec after `change` edits its raw JSON.
fn lint_changed(change: impl FnOnce(&mut Value)) -> Vec<Finding> {
    let mut raw = project_spec().raw;
    change(&mut raw);
    lint(&Spec::from_value(raw, "test").expect("still an OpenAPI document"))
}

fn rules(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

#[test]
fn the_project_spec_is_clean() {
    let findings = lint(&project_spec());
    assert!(
        findings.is_empty(),
        "{}",
        findings
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn duplicate_and_non_camel_operation_ids_are_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["operationId"] = json!("listMunicipalities");
        raw["paths"]["/document"]["post"]["operationId"] = json!("submit_document");
    });
    assert_eq!(rules(&findings), BTreeSet::from(["operation-id"]));
    assert!(findings.iter().any(|f| f.message.contains("also used at")));
    assert!(
        findings
            .iter()
            .any(|f| f.pointer == "/paths/~1document/post/operationId"
                && f.message.contains("camelCase"))
    );
}

#[test]
fn mixed_error_bodies_are_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["responses"]["500"] = json!({"description": "boom", "content": {"text/plain": {"schema": {"type": "string"}}}});
    });
    assert_eq!(rules(&findings), BTreeSet::from(["response-shapes"]));
    assert_eq!(findings[0].pointer, "/paths/~1processes/get/responses");
}

#[test]
fn a_default_response_beside_a_typed_success_is_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["responses"]["default"] =
            json!({"$ref": "#/components/responses/ServerError"});
    });
    assert!(rules(&findings).contains("response-shapes"), "{findings:?}");
}

#[test]
fn unsendable_media_types_are_found() {
    let findings = lint_changed(|raw| {
        let body =
            raw["paths"]["/document"]["post"]["requestBody"]["content"]["application/json"].clone();
        raw["paths"]["/document"]["post"]["requestBody"]["content"] =
            json!({"application/xml": body});
    });
    assert_eq!(rules(&findings), BTreeSet::from(["media-types"]));
}

#[test]
fn cookie_and_undeclared_path_parameters_are_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["parameters"] =
            json!([{"name": "session", "in": "cookie", "schema": {"type": "string"}}]);
        let op = raw["paths"]["/municipalities"].clone();
        raw["paths"]["/municipalities/{munid}"] = op;
        raw["paths"]["/municipalities/{munid}"]["get"]["operationId"] = json!("getMunicipality");
    });
    assert_eq!(rules(&findings), BTreeSet::from(["parameters"]));
    assert!(findings.iter().any(|f| f.message.contains("cookie")));
    assert!(
        findings
            .iter()
            .any(|f| f.message.contains("{munid} has no path parameter"))
    );
}

#[test]
fn dangling_refs_are_found() {
    let findings = lint_changed(|raw| {
        raw["components"]["schemas"]["StatusUpdate"]["properties"]["newStatus"] =
            json!({"$ref": "#/components/schemas/Nope"});
    });
    assert!(
        findings.iter().any(|f| f.rule == "ref-resolves"
            && f.pointer == "/components/schemas/StatusUpdate/properties/newStatus/$ref"),
        "{findings:?}"
    );
}

#[test]
fn unused_components_are_found() {
    let findings = lint_changed(|raw| {
        raw["components"]["schemas"]["Orphan"] = json!({"type": "string"});
        raw["components"]["securitySchemes"]["unusedScheme"] =
            json!({"type": "http", "scheme": "basic"});
    });
    let pointers: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.rule == "unused-component")
        .map(|f| f.pointer.as_str())
        .collect();
    assert_eq!(
        pointers,
        BTreeSet::from([
            "/components/schemas/Orphan",
            "/components/securitySchemes/unusedScheme"
        ])
    );
}

#[test]
fn invalid_examples_are_found_with_the_violation() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/vendorregistration"]["post"]["requestBody"]["content"]["application/json"]
            ["example"]["plz"] = json!("50000");
        raw["components"]["schemas"]["Plz"]["example"] = json!("abc");
        raw["components"]["schemas"]["TaskStatus"]["example"] = json!("closed");
    });
    assert_eq!(rules(&findings), BTreeSet::from(["example-valid"]));
    let pointers: BTreeSet<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        BTreeSet::from([
            "/components/schemas/Plz/example",
            "/components/schemas/TaskStatus/example",
            "/paths/~1vendorregistration/post/requestBody/content/application~1json/example",
        ])
    );
    assert!(
        findings
            .iter()
            .any(|f| f.message.contains("/plz") && f.message.contains("pattern")),
        "{findings:?}"
    );
}

#[test]
fn callback_examples_are_validated_too() {
    let findings = lint_changed(|raw| {
        let cb = "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/requestBody/content/application~1json/example";
        *raw.pointer_mut(cb).unwrap().get_mut("status").unwrap() = json!("closed");
    });
    assert_eq!(
        rules(&findings),
        BTreeSet::from(["example-valid"]),
        "{findings:?}"
    );
}

#[test]
fn operations_without_credentials_are_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["security"] = json!([]);
        raw["paths"]["/document"]["post"]["security"] = json!([{"oauth": []}]);
    });
    assert_eq!(rules(&findings), BTreeSet::from(["security"]));
    assert_eq!(findings.len(), 2, "{findings:?}");
}

#[test]
fn missing_and_undeclared_tags_are_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["tags"] = json!([]);
        raw["paths"]["/document"]["post"]["tags"] = json!(["Documents"]);
    });
    assert_eq!(rules(&findings), BTreeSet::from(["tags"]));
    assert_eq!(findings.len(), 2, "{findings:?}");
}

#[test]
fn aliases_must_name_declared_properties() {
    let findings = lint_changed(|raw| {
        raw["components"]["schemas"]["WebhookConfiguration"]["x-ssp-aliases"]["munid"] =
            json!("municipality");
    });
    assert_eq!(rules(&findings), BTreeSet::from(["aliases"]));
}

#[test]
fn every_rule_is_listed() {
    let listed: BTreeSet<&str> = RULES.iter().map(|(id, _)| *id).collect();
    assert_eq!(listed.len(), 10);
}

#[test]
fn path_item_parameters_declare_path_variables() {
    let findings = lint_changed(|raw| {
        let op = raw["paths"]["/municipalities"]["get"].clone();
        raw["paths"]["/municipalities/{munid}"] = json!({
            "parameters": [{"name": "munid", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "get": op,
        });
        raw["paths"]["/municipalities/{munid}"]["get"]["operationId"] = json!("getMunicipality");
    });
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_parameter_declared_twice_at_one_level_is_found() {
    let findings = lint_changed(|raw| {
        let p = json!({"name": "x", "in": "query", "schema": {"type": "string"}});
        raw["paths"]["/processes"]["get"]["parameters"] = json!([p, p]);
    });
    assert_eq!(rules(&findings), BTreeSet::from(["parameters"]));
}

#[test]
fn a_public_operation_must_say_so() {
    let unmarked = lint_changed(|raw| raw["paths"]["/processes"]["get"]["security"] = json!([]));
    assert!(
        unmarked.iter().any(|f| f.message.contains("x-ssp-public")),
        "{unmarked:?}"
    );
    let marked = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["security"] = json!([]);
        raw["paths"]["/processes"]["get"]["x-ssp-public"] = json!(true);
    });
    assert!(marked.is_empty(), "{marked:?}");
    let contradictory =
        lint_changed(|raw| raw["paths"]["/processes"]["get"]["x-ssp-public"] = json!(true));
    assert_eq!(rules(&contradictory), BTreeSet::from(["security"]));
}

#[test]
fn a_json_response_without_schema_is_found() {
    let findings = lint_changed(|raw| {
        raw["paths"]["/processes"]["get"]["responses"]["200"]["content"]["application/json"] =
            json!({});
    });
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "media-types" && f.message.contains("without a schema")),
        "{findings:?}"
    );
}

#[test]
fn the_sandbox_spec_is_clean() {
    let spec =
        Spec::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/sandbox.yaml")).expect("loads");
    let findings = lint(&spec);
    assert!(findings.is_empty(), "{findings:?}");
}
