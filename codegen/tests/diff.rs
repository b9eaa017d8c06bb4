//! `diff` on pairs of small variants of the project spec, with the exact changes each
//! must give: rule, level, operation, and the pointer in each document.
//!
//! Each case edits the project spec's JSON tree: `both` (if any) makes the old spec,
//! and `change` then makes the new one from it.

#![cfg(feature = "diff")]

use std::collections::BTreeSet;

use serde_json::{Value, json};
use smartservice_codegen::Spec;
use smartservice_codegen::diff::{Change, Level, diff, rules};

use Level::{Breaking as B, Info as I, Warning as W};

const CALLBACK: &str =
    "callback taskSubmitted of createWebhookConfiguration (POST {$request.body#/callbackUrl})";
const CALLBACK_OP: &str =
    "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post";

fn project_spec() -> Value {
    Spec::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml"))
        .expect("the project spec loads")
        .raw
}

fn at<'v>(raw: &'v mut Value, pointer: &str) -> &'v mut Value {
    raw.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the project spec has no {pointer}"))
}

fn split(pointer: &str) -> (&str, String) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    (parent, key.replace("~1", "/").replace("~0", "~"))
}

/// Sets the member at `pointer` (adding it when absent).
fn set(raw: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = split(pointer);
    at(raw, parent)
        .as_object_mut()
        .expect("an object")
        .insert(key, value);
}

/// Removes the member at `pointer`, which must exist, and returns it.
fn remove(raw: &mut Value, pointer: &str) -> Value {
    let (parent, key) = split(pointer);
    match at(raw, parent) {
        Value::Object(map) => map
            .remove(&key)
            .unwrap_or_else(|| panic!("nothing to remove at {pointer}")),
        Value::Array(items) => items.remove(key.parse::<usize>().expect("an index")),
        _ => panic!("{parent} holds no members"),
    }
}

/// Removes `name` from the `required` list of the schema at `schema`.
fn unrequire(raw: &mut Value, schema: &str, name: &str) {
    let list = at(raw, &format!("{schema}/required"))
        .as_array_mut()
        .expect("a required list");
    let before = list.len();
    list.retain(|v| v != name);
    assert_eq!(
        list.len() + 1,
        before,
        "{name} was not required in {schema}"
    );
}

fn require(raw: &mut Value, schema: &str, name: &str) {
    at(raw, &format!("{schema}/required"))
        .as_array_mut()
        .expect("a required list")
        .push(json!(name));
}

const S: &str = "/components/schemas";

/// One expected change: rule, level, operation, old pointer, new pointer.
type Expected = (
    &'static str,
    Level,
    &'static str,
    &'static str,
    &'static str,
);

struct Case {
    name: &'static str,
    both: fn(&mut Value),
    change: fn(&mut Value),
    expected: Vec<Expected>,
}

fn case(name: &'static str, change: fn(&mut Value), expected: Vec<Expected>) -> Case {
    Case {
        name,
        both: |_| {},
        change,
        expected,
    }
}

fn case_from(
    name: &'static str,
    both: fn(&mut Value),
    change: fn(&mut Value),
    expected: Vec<Expected>,
) -> Case {
    Case {
        name,
        both,
        change,
        expected,
    }
}

/// The changes between the old and the new spec of `case`.
fn run(case: &Case) -> Vec<Change> {
    let mut old = project_spec();
    (case.both)(&mut old);
    let mut new = old.clone();
    (case.change)(&mut new);
    let old = Spec::from_value(old, "old").expect("the old variant is an OpenAPI document");
    let new = Spec::from_value(new, "new").expect("the new variant is an OpenAPI document");
    diff(&old, &new)
}

fn cases() -> Vec<Case> {
    vec![
        // --- refactors that change nothing -------------------------------------------
        case(
            "a component inlined at its only use is no change",
            |raw| {
                let schema = remove(raw, &format!("{S}/StatusUpdate"));
                set(
                    raw,
                    "/paths/~1statusupdate/post/requestBody/content/application~1json/schema",
                    schema,
                );
            },
            vec![],
        ),
        case(
            "an inline schema moved into a new component is no change",
            |raw| {
                let pointer = "/paths/~1vendorregistration/get/responses/200/content/application~1json/schema";
                let schema = remove(raw, pointer);
                set(raw, &format!("{S}/VendorRegistrationList"), schema);
                set(
                    raw,
                    pointer,
                    json!({"$ref": "#/components/schemas/VendorRegistrationList"}),
                );
            },
            vec![],
        ),
        case(
            "an allOf written out as one object is no change",
            |raw| {
                let registration = at(raw, &format!("{S}/VendorRegistration")).clone();
                let key = at(raw, &format!("{S}/ApiKey")).clone();
                let mut properties = registration["properties"].clone();
                properties["apikey"] = key["properties"]["apikey"].clone();
                set(
                    raw,
                    &format!("{S}/VendorRegistrationCreated"),
                    json!({
                        "type": "object",
                        "description": "A new vendor registration and its apikey.",
                        "required": ["providerId", "providerName", "apikey"],
                        "properties": properties,
                    }),
                );
            },
            vec![],
        ),
        // --- operations and paths --------------------------------------------------
        case(
            "a removed path",
            |raw| {
                remove(raw, "/paths/~1document");
            },
            vec![(
                "api-path-removed",
                B,
                "submitDocument (POST /document)",
                "/paths/~1document/post",
                "/paths",
            )],
        ),
        case(
            "a removed operation",
            |raw| {
                remove(raw, "/paths/~1vendorregistration/put");
            },
            vec![(
                "api-operation-removed",
                B,
                "updateVendorRegistration (PUT /vendorregistration)",
                "/paths/~1vendorregistration/put",
                "/paths/~1vendorregistration",
            )],
        ),
        case(
            "a changed method",
            |raw| {
                let op = remove(raw, "/paths/~1webhookconfig/patch");
                set(raw, "/paths/~1webhookconfig/put", op);
            },
            vec![(
                "api-method-changed",
                B,
                "updateWebhookConfiguration (PATCH /webhookconfig)",
                "/paths/~1webhookconfig/patch",
                "/paths/~1webhookconfig/put",
            )],
        ),
        case(
            "an operation moved to another path",
            |raw| {
                let item = remove(raw, "/paths/~1document");
                set(raw, "/paths/~1documents", item);
            },
            vec![(
                "api-operation-moved",
                B,
                "submitDocument (POST /document)",
                "/paths/~1document/post",
                "/paths/~1documents/post",
            )],
        ),
        case(
            "a new operation",
            |raw| {
                set(
                    raw,
                    "/paths/~1document/get",
                    json!({
                        "operationId": "listDocuments",
                        "tags": ["Task"],
                        "responses": {"200": {"description": "The documents."}}
                    }),
                );
            },
            vec![(
                "api-operation-added",
                I,
                "listDocuments (GET /document)",
                "/paths",
                "/paths/~1document/get",
            )],
        ),
        case(
            "a renamed operationId",
            |raw| {
                set(
                    raw,
                    "/paths/~1processes/get/operationId",
                    json!("getProcesses"),
                );
            },
            vec![(
                "api-operation-id-changed",
                W,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get/operationId",
                "/paths/~1processes/get/operationId",
            )],
        ),
        case(
            "a changed operation description",
            |raw| {
                set(
                    raw,
                    "/paths/~1processes/get/description",
                    json!("Lists the processes."),
                );
            },
            vec![(
                "api-description-changed",
                I,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get/description",
                "/paths/~1processes/get/description",
            )],
        ),
        // --- statuses and media types -----------------------------------------------
        case(
            "a removed success status",
            |raw| {
                remove(raw, "/paths/~1webhookconfig/delete/responses/200");
            },
            vec![(
                "response-success-status-removed",
                B,
                "deleteWebhookConfiguration (DELETE /webhookconfig)",
                "/paths/~1webhookconfig/delete/responses/200",
                "/paths/~1webhookconfig/delete/responses",
            )],
        ),
        case(
            "a request media type replaced",
            |raw| {
                let content = "/paths/~1statusupdate/post/requestBody/content";
                let media = remove(raw, &format!("{content}/application~1json"));
                set(raw, &format!("{content}/application~1xml"), media);
            },
            vec![
                (
                    "request-media-type-removed",
                    B,
                    "updateTaskStatus (POST /statusupdate)",
                    "/paths/~1statusupdate/post/requestBody/content/application~1json",
                    "/paths/~1statusupdate/post/requestBody/content",
                ),
                (
                    "request-media-type-added",
                    I,
                    "updateTaskStatus (POST /statusupdate)",
                    "/paths/~1statusupdate/post/requestBody/content",
                    "/paths/~1statusupdate/post/requestBody/content/application~1xml",
                ),
            ],
        ),
        case(
            "a response media type removed",
            |raw| {
                let content = "/paths/~1processes/get/responses/200/content";
                remove(raw, &format!("{content}/application~1json"));
                set(
                    raw,
                    &format!("{content}/text~1csv"),
                    json!({"schema": {"type": "string"}}),
                );
            },
            vec![
                (
                    "response-media-type-removed",
                    B,
                    "listProcesses (GET /processes)",
                    "/paths/~1processes/get/responses/200/content/application~1json",
                    "/paths/~1processes/get/responses/200/content",
                ),
                (
                    "response-media-type-added",
                    I,
                    "listProcesses (GET /processes)",
                    "/paths/~1processes/get/responses/200/content",
                    "/paths/~1processes/get/responses/200/content/text~1csv",
                ),
            ],
        ),
        // --- new required things in requests ----------------------------------------
        case(
            "a new required query parameter",
            |raw| {
                set(
                    raw,
                    "/paths/~1processes/get/parameters",
                    json!([{"name": "tenant", "in": "query", "required": true, "schema": {"type": "string"}}]),
                );
            },
            vec![(
                "request-required-parameter-added",
                B,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get",
                "/paths/~1processes/get/parameters/0",
            )],
        ),
        case(
            "a new required header",
            |raw| {
                set(
                    raw,
                    "/paths/~1municipalities/get/parameters",
                    json!([{"name": "X-Request-Id", "in": "header", "required": true, "schema": {"type": "string"}}]),
                );
            },
            vec![(
                "request-required-parameter-added",
                B,
                "listMunicipalities (GET /municipalities)",
                "/paths/~1municipalities/get",
                "/paths/~1municipalities/get/parameters/0",
            )],
        ),
        case(
            "a new optional query parameter",
            |raw| {
                set(
                    raw,
                    "/paths/~1processes/get/parameters",
                    json!([{"name": "tenant", "in": "query", "schema": {"type": "string"}}]),
                );
            },
            vec![(
                "request-optional-parameter-added",
                I,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get",
                "/paths/~1processes/get/parameters/0",
            )],
        ),
        case(
            "a parameter that became required",
            |raw| {
                set(
                    raw,
                    "/components/parameters/WebhookIdFilter/required",
                    json!(true),
                );
            },
            vec![(
                "request-parameter-became-required",
                B,
                "listWebhookConfigurations (GET /webhookconfig)",
                "/components/parameters/WebhookIdFilter/required",
                "/components/parameters/WebhookIdFilter/required",
            )],
        ),
        case(
            "a new required request property",
            |raw| {
                set(
                    raw,
                    &format!("{S}/StatusUpdate/properties/reason"),
                    json!({"type": "string"}),
                );
                require(raw, &format!("{S}/StatusUpdate"), "reason");
            },
            vec![(
                "request-required-property-added",
                B,
                "updateTaskStatus (POST /statusupdate)",
                "/components/schemas/StatusUpdate/properties",
                "/components/schemas/StatusUpdate/properties/reason",
            )],
        ),
        case(
            "a request property that became required, in a schema two operations share",
            |raw| require(raw, &format!("{S}/VendorRegistrationRequest"), "plz"),
            vec![
                (
                    "request-property-became-required",
                    B,
                    "createVendorRegistration (POST /vendorregistration)",
                    "/components/schemas/VendorRegistrationRequest/required",
                    "/components/schemas/VendorRegistrationRequest/required",
                ),
                (
                    "request-property-became-required",
                    B,
                    "updateVendorRegistration (PUT /vendorregistration)",
                    "/components/schemas/VendorRegistrationRequest/required",
                    "/components/schemas/VendorRegistrationRequest/required",
                ),
            ],
        ),
        // --- request constraints tightened ------------------------------------------
        case(
            "a request property's type changed",
            |raw| {
                set(
                    raw,
                    &format!("{S}/ApplicationConfigurationRequest/properties/appDescription/type"),
                    json!("integer"),
                );
            },
            vec![(
                "request-property-type-changed",
                B,
                "createOrUpdateApplicationConfiguration (POST /applicationconfig)",
                "/components/schemas/ApplicationConfigurationRequest/properties/appDescription/type",
                "/components/schemas/ApplicationConfigurationRequest/properties/appDescription/type",
            )],
        ),
        case(
            "an enum value removed: breaking in the request, info in the callback payload",
            |raw| {
                remove(raw, &format!("{S}/TaskStatus/enum/3"));
            },
            vec![
                (
                    "request-property-enum-value-removed",
                    B,
                    "updateTaskStatus (POST /statusupdate)",
                    "/components/schemas/TaskStatus/enum/3",
                    "/components/schemas/TaskStatus/enum",
                ),
                (
                    "callback-request-property-enum-value-removed",
                    I,
                    CALLBACK,
                    "/components/schemas/TaskStatus/enum/3",
                    "/components/schemas/TaskStatus/enum",
                ),
            ],
        ),
        case(
            "a minimum length raised",
            |raw| {
                set(
                    raw,
                    &format!("{S}/ApplicationConfigurationRequest/properties/appName/minLength"),
                    json!(3),
                );
            },
            vec![(
                "request-property-min-length-increased",
                B,
                "createOrUpdateApplicationConfiguration (POST /applicationconfig)",
                "/components/schemas/ApplicationConfigurationRequest/properties/appName/minLength",
                "/components/schemas/ApplicationConfigurationRequest/properties/appName/minLength",
            )],
        ),
        case_from(
            "a minimum raised",
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/pages"),
                    json!({"type": "integer", "minimum": 1}),
                )
            },
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/pages/minimum"),
                    json!(2),
                )
            },
            vec![(
                "request-property-min-increased",
                B,
                "submitDocument (POST /document)",
                "/components/schemas/DocumentSubmission/properties/pages/minimum",
                "/components/schemas/DocumentSubmission/properties/pages/minimum",
            )],
        ),
        case_from(
            "a maximum lowered",
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/pages"),
                    json!({"type": "integer", "maximum": 500}),
                )
            },
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/pages/maximum"),
                    json!(100),
                )
            },
            vec![(
                "request-property-max-decreased",
                B,
                "submitDocument (POST /document)",
                "/components/schemas/DocumentSubmission/properties/pages/maximum",
                "/components/schemas/DocumentSubmission/properties/pages/maximum",
            )],
        ),
        case_from(
            "a maximum length lowered",
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/documentName/maxLength"),
                    json!(255),
                )
            },
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/documentName/maxLength"),
                    json!(100),
                )
            },
            vec![(
                "request-property-max-length-decreased",
                B,
                "submitDocument (POST /document)",
                "/components/schemas/DocumentSubmission/properties/documentName/maxLength",
                "/components/schemas/DocumentSubmission/properties/documentName/maxLength",
            )],
        ),
        case(
            "a pattern added",
            |raw| {
                set(
                    raw,
                    &format!("{S}/ApplicationConfigurationRequest/properties/appName/pattern"),
                    json!("^[A-Za-z]"),
                )
            },
            vec![(
                "request-property-pattern-added",
                B,
                "createOrUpdateApplicationConfiguration (POST /applicationconfig)",
                "/components/schemas/ApplicationConfigurationRequest/properties/appName",
                "/components/schemas/ApplicationConfigurationRequest/properties/appName/pattern",
            )],
        ),
        case(
            "a pattern changed, in a schema two operations share",
            |raw| {
                set(
                    raw,
                    &format!("{S}/WebhookConfigurationRequest/properties/callbackUrl/pattern"),
                    json!("^https://"),
                )
            },
            vec![
                (
                    "request-property-pattern-changed",
                    B,
                    "createWebhookConfiguration (POST /webhookconfig)",
                    "/components/schemas/WebhookConfigurationRequest/properties/callbackUrl/pattern",
                    "/components/schemas/WebhookConfigurationRequest/properties/callbackUrl/pattern",
                ),
                (
                    "request-property-pattern-changed",
                    B,
                    "updateWebhookConfiguration (PATCH /webhookconfig)",
                    "/components/schemas/WebhookConfigurationRequest/properties/callbackUrl/pattern",
                    "/components/schemas/WebhookConfigurationRequest/properties/callbackUrl/pattern",
                ),
            ],
        ),
        case_from(
            "a request property that became non-nullable",
            |raw| {
                set(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/documentType/nullable"),
                    json!(true),
                )
            },
            |raw| {
                remove(
                    raw,
                    &format!("{S}/DocumentSubmission/properties/documentType/nullable"),
                );
            },
            vec![(
                "request-property-became-not-nullable",
                B,
                "submitDocument (POST /document)",
                "/components/schemas/DocumentSubmission/properties/documentType/nullable",
                "/components/schemas/DocumentSubmission/properties/documentType",
            )],
        ),
        // --- response constraints loosened ------------------------------------------
        case(
            "a required response property removed",
            |raw| {
                remove(raw, &format!("{S}/Municipality/properties/munName"));
                unrequire(raw, &format!("{S}/Municipality"), "munName");
            },
            vec![(
                "response-required-property-removed",
                B,
                "listMunicipalities (GET /municipalities)",
                "/components/schemas/Municipality/properties/munName",
                "/components/schemas/Municipality/properties",
            )],
        ),
        case(
            "a response property made optional",
            |raw| unrequire(raw, &format!("{S}/Process"), "processName"),
            vec![(
                "response-property-became-optional",
                B,
                "listProcesses (GET /processes)",
                "/components/schemas/Process/required",
                "/components/schemas/Process/required",
            )],
        ),
        case(
            "a response property made nullable",
            |raw| {
                set(
                    raw,
                    &format!("{S}/Process/properties/processName/nullable"),
                    json!(true),
                )
            },
            vec![(
                "response-property-became-nullable",
                B,
                "listProcesses (GET /processes)",
                "/components/schemas/Process/properties/processName",
                "/components/schemas/Process/properties/processName/nullable",
            )],
        ),
        case(
            "a response property's type changed",
            |raw| {
                set(
                    raw,
                    &format!("{S}/Process/properties/processId/type"),
                    json!("string"),
                )
            },
            vec![(
                "response-property-type-changed",
                B,
                "listProcesses (GET /processes)",
                "/components/schemas/Process/properties/processId/type",
                "/components/schemas/Process/properties/processId/type",
            )],
        ),
        case_from(
            "a response enum value added",
            |raw| {
                set(
                    raw,
                    &format!("{S}/Process/properties/processName/enum"),
                    json!(["a", "b"]),
                )
            },
            |raw| {
                at(raw, &format!("{S}/Process/properties/processName/enum"))
                    .as_array_mut()
                    .expect("an enum")
                    .push(json!("c"));
            },
            vec![(
                "response-property-enum-value-added",
                W,
                "listProcesses (GET /processes)",
                "/components/schemas/Process/properties/processName/enum",
                "/components/schemas/Process/properties/processName/enum/2",
            )],
        ),
        case(
            "a new optional response property",
            |raw| {
                set(
                    raw,
                    &format!("{S}/Process/properties/category"),
                    json!({"type": "string"}),
                )
            },
            vec![(
                "response-optional-property-added",
                I,
                "listProcesses (GET /processes)",
                "/components/schemas/Process/properties",
                "/components/schemas/Process/properties/category",
            )],
        ),
        // --- security ---------------------------------------------------------------
        case_from(
            "security added to an operation that needed none",
            |raw| set(raw, "/paths/~1processes/get/security", json!([])),
            |raw| {
                set(
                    raw,
                    "/paths/~1processes/get/security",
                    json!([{"subscriptionKey": []}]),
                )
            },
            vec![(
                "api-security-added",
                B,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get/security",
                "/paths/~1processes/get/security",
            )],
        ),
        case(
            "security changed: the operation now inherits the apikey requirement",
            |raw| {
                remove(raw, "/paths/~1processes/get/security");
            },
            vec![(
                "api-security-changed",
                B,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get/security",
                "/security",
            )],
        ),
        case(
            "security relaxed",
            |raw| {
                set(
                    raw,
                    "/paths/~1vendorregistration~1regenerateapikey/post/security",
                    json!([{"subscriptionKey": []}]),
                )
            },
            vec![(
                "api-security-relaxed",
                I,
                "regenerateApiKey (POST /vendorregistration/regenerateapikey)",
                "/security",
                "/paths/~1vendorregistration~1regenerateapikey/post/security",
            )],
        ),
        // --- the callback: payload read by the vendor, answer written by it ----------
        case(
            "a required field removed from the callback payload",
            |raw| {
                remove(raw, &format!("{S}/CallbackPayload/properties/datereceived"));
                unrequire(raw, &format!("{S}/CallbackPayload"), "datereceived");
            },
            vec![(
                "callback-request-required-property-removed",
                B,
                CALLBACK,
                "/components/schemas/CallbackPayload/properties/datereceived",
                "/components/schemas/CallbackPayload/properties",
            )],
        ),
        case(
            "a callback payload field made optional",
            |raw| unrequire(raw, &format!("{S}/CallbackPayload"), "status"),
            vec![(
                "callback-request-property-became-optional",
                B,
                CALLBACK,
                "/components/schemas/CallbackPayload/required",
                "/components/schemas/CallbackPayload/required",
            )],
        ),
        case(
            "a new required field in the callback payload",
            |raw| {
                set(
                    raw,
                    &format!("{S}/CallbackPayload/properties/channel"),
                    json!({"type": "string"}),
                );
                require(raw, &format!("{S}/CallbackPayload"), "channel");
            },
            vec![(
                "callback-request-required-property-added",
                I,
                CALLBACK,
                "/components/schemas/CallbackPayload/properties",
                "/components/schemas/CallbackPayload/properties/channel",
            )],
        ),
        case(
            "a callback payload field's type changed, nested and through a $ref",
            |raw| {
                set(
                    raw,
                    &format!("{S}/DeliveryAddress/properties/differentDeliveryaddress/type"),
                    json!("string"),
                )
            },
            vec![(
                "callback-request-property-type-changed",
                B,
                CALLBACK,
                "/components/schemas/DeliveryAddress/properties/differentDeliveryaddress/type",
                "/components/schemas/DeliveryAddress/properties/differentDeliveryaddress/type",
            )],
        ),
        case(
            "a new required field in the callback's answer",
            |raw| {
                set(
                    raw,
                    &format!("{S}/AddressData/properties/email"),
                    json!({"type": "string"}),
                );
                require(raw, &format!("{S}/AddressData"), "email");
            },
            vec![(
                "callback-response-required-property-added",
                B,
                CALLBACK,
                "/components/schemas/AddressData/properties",
                "/components/schemas/AddressData/properties/email",
            )],
        ),
        case(
            "a callback answer field made optional",
            |raw| unrequire(raw, &format!("{S}/AddressData"), "street"),
            vec![(
                "callback-response-property-became-optional",
                I,
                CALLBACK,
                "/components/schemas/AddressData/required",
                "/components/schemas/AddressData/required",
            )],
        ),
        case(
            "a callback answer bound tightened",
            |raw| {
                set(
                    raw,
                    &format!("{S}/AddressData/properties/zip/maximum"),
                    json!(9000),
                )
            },
            vec![(
                "callback-response-property-max-decreased",
                B,
                CALLBACK,
                "/components/schemas/AddressData/properties/zip/maximum",
                "/components/schemas/AddressData/properties/zip/maximum",
            )],
        ),
        case(
            "a callback answer status removed",
            |raw| {
                remove(raw, &format!("{CALLBACK_OP}/responses/204"));
            },
            vec![(
                "callback-response-success-status-removed",
                B,
                CALLBACK,
                "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/responses/204",
                "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/responses",
            )],
        ),
        case(
            "a removed callback",
            |raw| {
                remove(raw, "/paths/~1webhookconfig/post/callbacks");
            },
            vec![(
                "callback-removed",
                B,
                CALLBACK,
                CALLBACK_OP,
                "/paths/~1webhookconfig/post",
            )],
        ),
        // --- more rules: options, bodies, headers, parameters, callbacks ------------
        case(
            "a oneOf option removed from a request",
            |raw| {
                remove(raw, &format!("{S}/TaskReference/oneOf/1"));
            },
            vec![(
                "request-property-one-of-option-removed",
                B,
                "submitDocument (POST /document)",
                "/components/schemas/TaskReference/oneOf/1",
                "/components/schemas/TaskReference/oneOf",
            )],
        ),
        case(
            "a oneOf option added to a request, and another one's pattern changed",
            |raw| {
                set(
                    raw,
                    &format!("{S}/TaskReference/oneOf/1/pattern"),
                    json!("^[0-9]+$"),
                );
                at(raw, &format!("{S}/TaskReference/oneOf"))
                    .as_array_mut()
                    .expect("options")
                    .push(json!({"type": "number"}));
            },
            vec![
                (
                    "request-property-pattern-changed",
                    B,
                    "submitDocument (POST /document)",
                    "/components/schemas/TaskReference/oneOf/1/pattern",
                    "/components/schemas/TaskReference/oneOf/1/pattern",
                ),
                (
                    "request-property-one-of-option-added",
                    I,
                    "submitDocument (POST /document)",
                    "/components/schemas/TaskReference/oneOf",
                    "/components/schemas/TaskReference/oneOf/2",
                ),
            ],
        ),
        case(
            "a response type generalized",
            |raw| {
                set(
                    raw,
                    &format!("{S}/Process/properties/processId/type"),
                    json!("number"),
                )
            },
            vec![(
                "response-property-type-generalized",
                B,
                "listProcesses (GET /processes)",
                "/components/schemas/Process/properties/processId/type",
                "/components/schemas/Process/properties/processId/type",
            )],
        ),
        case(
            "a callback answer type generalized",
            |raw| {
                set(
                    raw,
                    &format!("{S}/AddressData/properties/number/type"),
                    json!("number"),
                )
            },
            vec![(
                "callback-response-property-type-generalized",
                I,
                CALLBACK,
                "/components/schemas/AddressData/properties/number/type",
                "/components/schemas/AddressData/properties/number/type",
            )],
        ),
        case(
            "a request body that forbids undeclared properties",
            |raw| {
                set(
                    raw,
                    &format!("{S}/StatusUpdate/additionalProperties"),
                    json!(false),
                )
            },
            vec![(
                "request-body-additional-properties-forbidden",
                B,
                "updateTaskStatus (POST /statusupdate)",
                "/components/schemas/StatusUpdate",
                "/components/schemas/StatusUpdate/additionalProperties",
            )],
        ),
        case(
            "request bodies made optional: harmless in a request, breaking in the callback",
            |raw| {
                set(
                    raw,
                    "/paths/~1statusupdate/post/requestBody/required",
                    json!(false),
                );
                set(
                    raw,
                    &format!("{CALLBACK_OP}/requestBody/required"),
                    json!(false),
                );
            },
            vec![
                (
                    "request-body-became-optional",
                    I,
                    "updateTaskStatus (POST /statusupdate)",
                    "/paths/~1statusupdate/post/requestBody/required",
                    "/paths/~1statusupdate/post/requestBody/required",
                ),
                (
                    "callback-request-body-became-optional",
                    B,
                    CALLBACK,
                    "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/requestBody/required",
                    "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/requestBody/required",
                ),
            ],
        ),
        case_from(
            "a required response header removed",
            |raw| {
                set(
                    raw,
                    "/paths/~1processes/get/responses/200/headers",
                    json!({"X-Total": {"required": true, "schema": {"type": "integer"}}}),
                )
            },
            |raw| {
                remove(raw, "/paths/~1processes/get/responses/200/headers/X-Total");
            },
            vec![(
                "response-required-header-removed",
                B,
                "listProcesses (GET /processes)",
                "/paths/~1processes/get/responses/200/headers/X-Total",
                "/paths/~1processes/get/responses/200/headers",
            )],
        ),
        case(
            "a parameter's schema changed type",
            |raw| {
                set(
                    raw,
                    "/components/parameters/WebhookIdFilter/schema",
                    json!({"type": "integer"}),
                )
            },
            vec![
                (
                    "request-parameter-description-changed",
                    I,
                    "listWebhookConfigurations (GET /webhookconfig)",
                    "/components/schemas/WebhookId",
                    "/components/parameters/WebhookIdFilter/schema",
                ),
                (
                    "request-parameter-type-changed",
                    B,
                    "listWebhookConfigurations (GET /webhookconfig)",
                    "/components/schemas/WebhookId/type",
                    "/components/parameters/WebhookIdFilter/schema/type",
                ),
            ],
        ),
        case(
            "a new callback",
            |raw| {
                let callback =
                    at(raw, "/paths/~1webhookconfig/post/callbacks/taskSubmitted").clone();
                set(
                    raw,
                    "/paths/~1webhookconfig/post/callbacks/taskCancelled",
                    callback,
                );
            },
            vec![(
                "callback-added",
                W,
                "callback taskCancelled of createWebhookConfiguration (POST {$request.body#/callbackUrl})",
                "/paths/~1webhookconfig/post/callbacks",
                "/paths/~1webhookconfig/post/callbacks/taskCancelled/{$request.body#~1callbackUrl}/post",
            )],
        ),
        case(
            "the platform starts sending credentials with the callback",
            |raw| {
                set(
                    raw,
                    &format!("{CALLBACK_OP}/security"),
                    json!([{"subscriptionKey": []}]),
                )
            },
            vec![(
                "callback-security-changed-compatibly",
                I,
                CALLBACK,
                "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/security",
                "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/security",
            )],
        ),
        case_from(
            "the platform stops sending credentials a webhook checks",
            |raw| {
                set(
                    raw,
                    &format!("{CALLBACK_OP}/security"),
                    json!([{"subscriptionKey": []}]),
                )
            },
            |raw| set(raw, &format!("{CALLBACK_OP}/security"), json!([])),
            vec![(
                "callback-security-changed",
                B,
                CALLBACK,
                "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/security",
                "/paths/~1webhookconfig/post/callbacks/taskSubmitted/{$request.body#~1callbackUrl}/post/security",
            )],
        ),
        // --- additions and documentation --------------------------------------------
        case(
            "a new optional request property",
            |raw| {
                set(
                    raw,
                    &format!("{S}/StatusUpdate/properties/comment"),
                    json!({"type": "string"}),
                )
            },
            vec![(
                "request-optional-property-added",
                I,
                "updateTaskStatus (POST /statusupdate)",
                "/components/schemas/StatusUpdate/properties",
                "/components/schemas/StatusUpdate/properties/comment",
            )],
        ),
        case(
            "a changed schema description, in every place the schema is used",
            |raw| set(raw, &format!("{S}/Plz/description"), json!("Postcode.")),
            vec![
                (
                    "request-property-description-changed",
                    I,
                    "createVendorRegistration (POST /vendorregistration)",
                    "/components/schemas/Plz",
                    "/components/schemas/Plz",
                ),
                (
                    "request-property-description-changed",
                    I,
                    "updateVendorRegistration (PUT /vendorregistration)",
                    "/components/schemas/Plz",
                    "/components/schemas/Plz",
                ),
                (
                    "callback-request-property-description-changed",
                    I,
                    CALLBACK,
                    "/components/schemas/Plz",
                    "/components/schemas/Plz",
                ),
            ],
        ),
    ]
}

fn show(changes: &[(String, Level, String, String, String)]) -> String {
    changes
        .iter()
        .map(|c| format!("  {:?}", c))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_rule_reports_exactly_the_expected_changes() {
    let catalogue = rules::catalogue();
    let mut failures = Vec::new();
    let cases = cases();
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    for case in &cases {
        let changes = run(case);
        for change in &changes {
            let listed = catalogue.iter().find(|r| r.id == change.rule);
            assert_eq!(
                listed.map(|r| r.level),
                Some(change.level),
                "{}: {} is in the catalogue with its level",
                case.name,
                change.rule
            );
            assert!(!change.message.is_empty());
        }
        let mut got: Vec<(String, Level, String, String, String)> = changes
            .iter()
            .map(|c| {
                (
                    c.rule.clone(),
                    c.level,
                    c.operation.clone(),
                    c.old_pointer.clone(),
                    c.new_pointer.clone(),
                )
            })
            .collect();
        let mut want: Vec<(String, Level, String, String, String)> = case
            .expected
            .iter()
            .map(|(r, l, o, a, b)| {
                (
                    r.to_string(),
                    *l,
                    o.to_string(),
                    a.to_string(),
                    b.to_string(),
                )
            })
            .collect();
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!(
                "{}:\n expected\n{}\n got\n{}",
                case.name,
                show(&want),
                show(&got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_spec_against_itself_gives_nothing() {
    let spec = Spec::from_value(project_spec(), "spec").unwrap();
    assert_eq!(diff(&spec, &spec), vec![]);
}

#[test]
fn changes_come_most_severe_first() {
    let old = Spec::from_value(project_spec(), "old").unwrap();
    let mut raw = project_spec();
    set(
        &mut raw,
        &format!("{S}/StatusUpdate/properties/comment"),
        json!({"type": "string"}),
    );
    remove(&mut raw, "/paths/~1document");
    set(
        &mut raw,
        &format!("{S}/Process/properties/processName/format"),
        json!("email"),
    );
    let new = Spec::from_value(raw, "new").unwrap();
    let levels: Vec<Level> = diff(&old, &new).iter().map(|c| c.level).collect();
    assert_eq!(levels, [B, W, I]);
}

#[test]
fn messages_name_the_property_and_where_it_is() {
    let old = Spec::from_value(project_spec(), "old").unwrap();
    let mut raw = project_spec();
    remove(
        &mut raw,
        &format!("{S}/CallbackPayload/properties/datereceived"),
    );
    unrequire(&mut raw, &format!("{S}/CallbackPayload"), "datereceived");
    set(
        &mut raw,
        &format!("{S}/PersonalData/properties/email/format"),
        json!("idn-email"),
    );
    let new = Spec::from_value(raw, "new").unwrap();
    let messages: Vec<String> = diff(&old, &new).into_iter().map(|c| c.message).collect();
    assert_eq!(
        messages,
        [
            "Required property `datereceived` was removed from the callback payload.",
            "The format of `personaldata.email` in the callback payload changed from `email` to `idn-email`.",
        ]
    );
}

#[test]
fn a_recursive_schema_is_compared_without_looping() {
    let with_children = |raw: &mut Value, child_type: &str| {
        set(
            raw,
            &format!("{S}/Process/properties/children"),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Process"}}),
        );
        set(
            raw,
            &format!("{S}/Process/properties/processName/type"),
            json!(child_type),
        );
    };
    let mut old = project_spec();
    with_children(&mut old, "string");
    let mut new = project_spec();
    with_children(&mut new, "integer");
    let changes = diff(
        &Spec::from_value(old, "old").unwrap(),
        &Spec::from_value(new, "new").unwrap(),
    );
    // `children[]` leads back to Process, where the comparison stops: one change.
    let messages: Vec<&str> = changes.iter().map(|c| c.message.as_str()).collect();
    assert_eq!(
        messages,
        ["The type of `[].processName` in the 200 response body changed from string to integer."]
    );
}

#[test]
fn a_ref_graph_with_exponentially_many_paths_is_compared_in_bounded_time() {
    // S0 -> S1 -> ... -> S40, each through two properties: 2^40 paths to S40.
    let chain = |raw: &mut Value, leaf_type: &str| {
        for i in 0..40 {
            let next = json!({"$ref": format!("#/components/schemas/S{}", i + 1)});
            set(
                raw,
                &format!("{S}/S{i}"),
                json!({"type": "object", "properties": {"a": next.clone(), "b": next}}),
            );
        }
        set(raw, &format!("{S}/S40"), json!({"type": leaf_type}));
        set(
            raw,
            "/paths/~1processes/get/responses/200/content/application~1json/schema",
            json!({"$ref": "#/components/schemas/S0"}),
        );
    };
    let mut old = project_spec();
    chain(&mut old, "string");
    let mut new = project_spec();
    chain(&mut new, "integer");
    let started = std::time::Instant::now();
    let changes = diff(
        &Spec::from_value(old, "old").unwrap(),
        &Spec::from_value(new, "new").unwrap(),
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(!changes.is_empty());
    assert!(
        changes
            .iter()
            .all(|c| c.rule == "response-property-type-changed")
    );
}

#[test]
fn a_redefined_security_scheme_breaks_every_operation_that_uses_it() {
    let old = Spec::from_value(project_spec(), "old").unwrap();
    let mut raw = project_spec();
    set(
        &mut raw,
        "/components/securitySchemes/subscriptionKey/name",
        json!("X-Subscription-Key"),
    );
    let new = Spec::from_value(raw, "new").unwrap();
    let changes = diff(&old, &new);
    let operations: BTreeSet<&str> = changes.iter().map(|c| c.operation.as_str()).collect();
    // All 15 operations carry the subscription key; the callback does not.
    assert_eq!(operations.len(), 15, "{operations:#?}");
    assert!(operations.iter().all(|o| !o.starts_with("callback")));
    for change in &changes {
        assert_eq!(change.rule, "api-security-scheme-changed");
        assert_eq!(change.level, B);
        assert_eq!(
            change.old_pointer,
            "/components/securitySchemes/subscriptionKey"
        );
        assert_eq!(
            change.new_pointer,
            "/components/securitySchemes/subscriptionKey"
        );
    }
}

/// Every JSON pointer of `value` below `prefix`.
fn all_pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (segment, child) in children {
        let pointer = format!("{prefix}/{segment}");
        all_pointers(child, pointer.clone(), out);
        out.push(pointer);
    }
}

/// Every fifth node of the spec (all 1,400 take half a minute in a debug build).
const STRIDE: usize = 5;

#[test]
fn removing_nodes_gives_resolvable_pointers_and_catalogued_rules_both_ways() {
    let original = project_spec();
    let mut pointers = Vec::new();
    all_pointers(&original, String::new(), &mut pointers);
    let catalogue: BTreeSet<String> = rules::catalogue().into_iter().map(|r| r.id).collect();
    let base = Spec::from_value(original.clone(), "base").unwrap();
    let mut variants = 0;
    for pointer in pointers.iter().step_by(STRIDE) {
        let mut raw = original.clone();
        remove(&mut raw, pointer);
        let Ok(variant) = Spec::from_value(raw, "variant") else {
            continue; // no longer an OpenAPI document
        };
        variants += 1;
        for (old, new) in [(&base, &variant), (&variant, &base)] {
            for change in diff(old, new) {
                assert!(catalogue.contains(&change.rule), "{pointer}: {change:?}");
                assert!(
                    old.raw.pointer(&change.old_pointer).is_some()
                        && new.raw.pointer(&change.new_pointer).is_some(),
                    "removing {pointer}: {change:?}"
                );
            }
        }
    }
    assert!(variants > 200, "only {variants} variants loaded");
}

#[test]
fn annotations_find_the_line_of_every_key_of_the_project_spec() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml"))
            .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut pointers = Vec::new();
    all_pointers(&project_spec(), String::new(), &mut pointers);
    let mut checked = 0;
    for pointer in &pointers {
        let key = pointer
            .rsplit('/')
            .next()
            .unwrap()
            .replace("~1", "/")
            .replace("~0", "~");
        if key.parse::<usize>().is_ok() {
            continue; // a sequence item
        }
        let line = smartservice_codegen::diff::line_of(&text, pointer)
            .unwrap_or_else(|| panic!("no line for {pointer}"));
        let content = lines[line - 1].trim_start().trim_start_matches("- ");
        let declares = [
            format!("{key}:"),
            format!("'{key}':"),
            format!("\"{key}\":"),
        ]
        .iter()
        .any(|k| content.starts_with(k.as_str()));
        assert!(declares, "{pointer} -> line {line}: {}", lines[line - 1]);
        checked += 1;
    }
    assert!(checked > 1000, "{checked}");
}
