//! `typed_client_roundtrip`: the generated client (`smartservice_client::types`)
//! must decode every schema-valid body, and must not silently drop a field.
//!
//! serde ignores unknown fields, so a misspelt optional field (`fields` for
//! `field`) validates against the schema and vanishes in the client. This check
//! decodes the raw body, serializes the typed value again, and compares keys:
//! a key of the raw body missing from the re-serialized one is reported, unless
//! its value was empty (`[]`, `null`) or it is a documented alias
//! (`x-ssp-aliases`) of a key that is there.

use std::collections::BTreeMap;

use serde_json::Value;
use smartservice_client::types;

use super::response::Exchange;
use super::{CheckInfo, CheckKind};
use crate::record::Verdict;
use crate::spec_model::TypeRef;

/// `typed_client_roundtrip`
pub const TYPED_CLIENT_ROUNDTRIP: CheckInfo = CheckInfo {
    name: "typed_client_roundtrip",
    doc: "A schema-valid body decodes into the generated client's type and no field is silently dropped.",
    kind: CheckKind::Response,
};

macro_rules! roundtrips {
    ($($name:ident),* $(,)?) => {
        /// Decodes `value` as `types::<name>` and serializes it again; `None` when
        /// the client has no type of that name.
        pub fn roundtrip(name: &str, value: &Value) -> Option<Result<Value, String>> {
            match name {
                $(stringify!($name) => Some(
                    <types::$name as serde::Deserialize>::deserialize(value)
                        .map_err(|e| e.to_string())
                        .and_then(|typed| serde_json::to_value(&typed).map_err(|e| e.to_string())),
                ),)*
                _ => None,
            }
        }
    };
}

roundtrips!(
    AddressData,
    ApiKey,
    ApplicationConfiguration,
    ApplicationConfigurationId,
    ApplicationConfigurationRequest,
    ApplicationId,
    ApplicationProcess,
    ApplicationProcessEntry,
    CallbackPayload,
    DeliveryAddress,
    DeliveryAndPayment,
    DocumentSubmission,
    Error,
    HttpHeader,
    KeyValue,
    LegacyWebhookIdAnswer,
    Municipality,
    MunicipalityId,
    PersonalData,
    PhpDateTime,
    Plz,
    Process,
    ProcessReference,
    StatusUpdate,
    TaskId,
    TaskReference,
    TaskStatus,
    VendorRegistration,
    VendorRegistrationCreated,
    VendorRegistrationRequest,
    WebhookConfiguration,
    WebhookConfigurationRequest,
    WebhookCreated,
    WebhookId,
    WebhookIdAnswer,
);

/// Legacy key -> canonical key, from the spec's `x-ssp-aliases`.
pub type Aliases = BTreeMap<String, String>;

/// Every alias the spec declares.
pub fn aliases(spec_raw: &Value) -> Aliases {
    smartservice_codegen::spec::property_aliases(spec_raw)
        .into_iter()
        .map(|a| (a.alias, a.property))
        .collect()
}

/// Decodes `value` as `type_ref` and lists the JSON pointers of raw fields the
/// typed value lost (keys in `ignore` at the top level are expected extras).
pub fn check_value(
    type_ref: &TypeRef,
    value: &Value,
    aliases: &Aliases,
    ignore: &[String],
) -> Verdict {
    let (name, items): (&str, Vec<(String, &Value)>) = match type_ref {
        TypeRef::One(name) => (name, vec![(String::new(), value)]),
        TypeRef::List(name) => match value.as_array() {
            Some(list) => (
                name,
                list.iter()
                    .enumerate()
                    .map(|(i, v)| (format!("/{i}"), v))
                    .collect(),
            ),
            None => return Verdict::Skip("the body is not a list".into()),
        },
    };
    let mut dropped = Vec::new();
    for (at, item) in items {
        match roundtrip(name, item) {
            None => return Verdict::Skip(format!("the generated client has no type {name}")),
            Some(Err(e)) => {
                return Verdict::Fail(format!(
                    "the body{} validates against the spec but does not decode into types::{name}: {e}",
                    if at.is_empty() {
                        String::new()
                    } else {
                        format!(" item {at}")
                    }
                ));
            }
            Some(Ok(typed)) => dropped_fields(item, &typed, &at, aliases, ignore, &mut dropped),
        }
    }
    if dropped.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "types::{name} silently drops {}: a field the spec does not declare (misspelt?) is lost by every typed client",
            dropped.join(", ")
        ))
    }
}

/// The check on one exchange.
pub fn typed_client_roundtrip(x: &Exchange, aliases: &Aliases) -> Verdict {
    let Some(spec) = x.op.responses.get(&x.response.status) else {
        return Verdict::Skip(format!("status {} is not documented", x.response.status));
    };
    let (Some(type_ref), Some(validator)) = (&spec.type_ref, &spec.validator) else {
        return Verdict::NotApplicable;
    };
    let Ok(value) = x.response.parsed() else {
        return Verdict::Skip("the body is not JSON (see response_schema_conformance)".into());
    };
    if !validator.is_valid(value) {
        return Verdict::Skip(
            "the body does not match the spec (see response_schema_conformance)".into(),
        );
    }
    check_value(type_ref, value, aliases, &[])
}

fn dropped_fields(
    raw: &Value,
    typed: &Value,
    at: &str,
    aliases: &Aliases,
    ignore: &[String],
    out: &mut Vec<String>,
) {
    match (raw, typed) {
        (Value::Object(raw), Value::Object(typed)) => {
            for (key, value) in raw {
                if at.is_empty() && ignore.contains(key) {
                    continue;
                }
                if value.is_string() || value.is_number() || value.is_boolean() {
                    // Nothing below a scalar can be dropped; only its key can be.
                    if typed.contains_key(key) {
                        continue;
                    }
                }
                let here = crate::generate::pointer::child(at, key);
                match typed.get(key) {
                    Some(typed_value) => {
                        dropped_fields(value, typed_value, &here, aliases, &[], out)
                    }
                    None => {
                        let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty);
                        let aliased = aliases.get(key).and_then(|canonical| typed.get(canonical));
                        match aliased {
                            Some(typed_value) => {
                                dropped_fields(value, typed_value, &here, aliases, &[], out)
                            }
                            None if empty => {}
                            None => out.push(here),
                        }
                    }
                }
            }
        }
        (Value::Array(raw), Value::Array(typed)) => {
            for (i, (r, t)) in raw.iter().zip(typed).enumerate() {
                dropped_fields(r, t, &format!("{at}/{i}"), aliases, &[], out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn aliases() -> Aliases {
        super::aliases(&crate::spec_model::SpecModel::embedded().unwrap().spec.raw)
    }

    #[test]
    fn a_misspelt_optional_field_is_reported_by_pointer() {
        let body = json!({"code": "bad_request", "message": "x", "fields": "/plz"});
        let Verdict::Fail(message) =
            check_value(&TypeRef::One("Error".into()), &body, &aliases(), &[])
        else {
            panic!("expected a failure")
        };
        assert!(message.contains("/fields"), "{message}");
    }

    #[test]
    fn aliases_empty_lists_and_legacy_shapes_pass() {
        let list = json!([{
            "whid": "A1", "whname": "n", "applicationId": "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b",
            "municipalityid": 1, "process": "7310", "httprequestheaders": []
        }]);
        assert_eq!(
            check_value(
                &TypeRef::List("WebhookConfiguration".into()),
                &list,
                &aliases(),
                &[]
            ),
            Verdict::Pass
        );
        assert_eq!(
            check_value(
                &TypeRef::One("WebhookCreated".into()),
                &json!({"whid:": 20}),
                &aliases(),
                &[]
            ),
            Verdict::Pass
        );
    }

    #[test]
    fn undecodable_values_fail_and_unknown_types_skip() {
        let v = check_value(
            &TypeRef::One("Process".into()),
            &json!({"processId": 0, "processName": "x"}),
            &aliases(),
            &[],
        );
        assert!(matches!(v, Verdict::Fail(_)), "{v:?}");
        let v = check_value(&TypeRef::One("Nope".into()), &json!({}), &aliases(), &[]);
        assert!(matches!(v, Verdict::Skip(_)));
    }
}
