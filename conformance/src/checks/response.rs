//! Checks applied to every response: does it arrive, is it a documented status
//! with the documented content type, body schema and headers.
//!
//! Each check owns one concern, so that one defect fails one check: a 500 fails
//! only `not_a_server_error` (500 is documented), a body that is not JSON fails
//! only `response_schema_conformance`, a wrong `Content-Type` only
//! `content_type_conformance`.

use super::{CheckInfo, CheckKind};
use crate::http::{RawRequest, RawResponse};
use crate::record::Verdict;
use crate::spec_model::Operation;

/// One request and the response to it, with the operation it was sent to.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// The request as sent.
    pub request: &'a RawRequest,
    /// The response as received.
    pub response: &'a RawResponse,
}

/// `response_completes`
pub const RESPONSE_COMPLETES: CheckInfo = CheckInfo {
    name: "response_completes",
    doc: "A complete HTTP response arrives within --timeout (no hang, reset connection or garbage).",
    kind: CheckKind::Response,
};

/// `not_a_server_error`
pub const NOT_A_SERVER_ERROR: CheckInfo = CheckInfo {
    name: "not_a_server_error",
    doc: "The server does not answer with a 5xx status.",
    kind: CheckKind::Response,
};

/// `status_code_conformance`
pub const STATUS_CODE_CONFORMANCE: CheckInfo = CheckInfo {
    name: "status_code_conformance",
    doc: "The status code is one the spec documents for the operation.",
    kind: CheckKind::Response,
};

/// `content_type_conformance`
pub const CONTENT_TYPE_CONFORMANCE: CheckInfo = CheckInfo {
    name: "content_type_conformance",
    doc: "A documented body comes with the documented Content-Type; a response documented without a body has none.",
    kind: CheckKind::Response,
};

/// `response_schema_conformance`
pub const RESPONSE_SCHEMA_CONFORMANCE: CheckInfo = CheckInfo {
    name: "response_schema_conformance",
    doc: "The raw body is JSON that validates against the spec's schema for that status (pointer and keyword named).",
    kind: CheckKind::Response,
};

/// `response_headers_conformance`
pub const RESPONSE_HEADERS_CONFORMANCE: CheckInfo = CheckInfo {
    name: "response_headers_conformance",
    doc: "Documented response headers are present and valid, and Content-Type is sent at most once.",
    kind: CheckKind::Response,
};

/// The media type of a `Content-Type` value, lower-cased, without parameters.
pub fn media_type_essence(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// No 5xx.
pub fn not_a_server_error(x: &Exchange) -> Verdict {
    if x.response.status >= 500 {
        Verdict::Fail(format!(
            "{} answered {}: {}",
            x.op.id,
            x.response.status,
            x.response.body_excerpt(200)
        ))
    } else {
        Verdict::Pass
    }
}

/// The status is documented.
pub fn status_code_conformance(x: &Exchange) -> Verdict {
    if x.op.responses.contains_key(&x.response.status) {
        Verdict::Pass
    } else {
        let documented: Vec<String> = x.op.responses.keys().map(u16::to_string).collect();
        Verdict::Fail(format!(
            "status {} is not documented for {} (documented: {})",
            x.response.status,
            x.op.id,
            documented.join(", ")
        ))
    }
}

/// The content type is the documented one.
pub fn content_type_conformance(x: &Exchange) -> Verdict {
    let Some(spec) = x.op.responses.get(&x.response.status) else {
        return Verdict::Skip(format!("status {} is not documented", x.response.status));
    };
    let found = x.response.content_type();
    match (&spec.media_type, found) {
        (Some(expected), None) => Verdict::Fail(format!(
            "the {} response has no Content-Type header; the spec documents {expected}",
            x.response.status
        )),
        (Some(expected), Some(found))
            if media_type_essence(found) != media_type_essence(expected) =>
        {
            Verdict::Fail(format!(
                "the {} response is sent as {found:?}; the spec documents {expected}",
                x.response.status
            ))
        }
        (Some(_), Some(_)) => Verdict::Pass,
        (None, _) if !x.response.body.is_empty() => Verdict::Fail(format!(
            "the {} response is documented without a body, but {} bytes came ({})",
            x.response.status,
            x.response.body.len(),
            found.unwrap_or("no Content-Type")
        )),
        (None, _) => Verdict::Pass,
    }
}

/// The body validates against the documented schema.
pub fn response_schema_conformance(x: &Exchange) -> Verdict {
    let Some(spec) = x.op.responses.get(&x.response.status) else {
        return Verdict::Skip(format!("status {} is not documented", x.response.status));
    };
    let Some(validator) = &spec.validator else {
        return Verdict::NotApplicable;
    };
    let value = match x.response.parsed() {
        Ok(value) => value,
        Err(e) => {
            return Verdict::Fail(format!(
                "the {} body is not JSON ({e}): {}",
                x.response.status,
                x.response.body_excerpt(120)
            ));
        }
    };
    if validator.is_valid(value) {
        return Verdict::Pass;
    }
    let violations = validator.violations(value);
    let listed: Vec<String> = violations.iter().take(3).map(|v| v.to_string()).collect();
    let more = if violations.len() > 3 {
        format!(" (and {} more)", violations.len() - 3)
    } else {
        String::new()
    };
    Verdict::Fail(format!(
        "the {} body does not match the spec: {}{more}",
        x.response.status,
        listed.join("; ")
    ))
}

/// Documented headers are there and valid; one Content-Type.
pub fn response_headers_conformance(x: &Exchange) -> Verdict {
    let content_types = x
        .response
        .headers
        .get_all(reqwest::header::CONTENT_TYPE)
        .iter()
        .count();
    if content_types > 1 {
        let values: Vec<String> = x
            .response
            .headers
            .get_all(reqwest::header::CONTENT_TYPE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        return Verdict::Fail(format!(
            "Content-Type is sent {content_types} times: {values:?}"
        ));
    }
    let Some(spec) = x.op.responses.get(&x.response.status) else {
        return Verdict::Pass;
    };
    for (name, required, validator) in &spec.headers {
        match x.response.headers.get(name.as_str()) {
            None if *required => {
                return Verdict::Fail(format!("the documented header {name} is missing"));
            }
            None => {}
            Some(value) => {
                let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
                if let Some(validator) = validator {
                    let as_json = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .filter(|v| v.is_number() || v.is_boolean())
                        .unwrap_or(serde_json::Value::String(text.clone()));
                    if !validator.is_valid(&as_json)
                        && !validator.is_valid(&serde_json::Value::String(text.clone()))
                    {
                        return Verdict::Fail(format!(
                            "the header {name}: {text:?} does not match its schema"
                        ));
                    }
                }
            }
        }
    }
    Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec_model::SpecModel;
    use reqwest::Method;
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

    fn response(status: u16, content_type: Option<&str>, body: &str) -> RawResponse {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        RawResponse::new(
            status,
            headers,
            bytes::Bytes::from(body.to_string()),
            std::time::Duration::ZERO,
        )
    }

    fn judge(op: &str, r: &RawResponse) -> Vec<(&'static str, Verdict)> {
        let model = SpecModel::embedded().unwrap();
        let op = model.operation(op).unwrap().clone();
        let request = RawRequest::new(Method::GET, "/x");
        let x = Exchange {
            op: &op,
            request: &request,
            response: r,
        };
        vec![
            ("server", not_a_server_error(&x)),
            ("status", status_code_conformance(&x)),
            ("ct", content_type_conformance(&x)),
            ("schema", response_schema_conformance(&x)),
            ("headers", response_headers_conformance(&x)),
        ]
    }

    fn failing(verdicts: &[(&'static str, Verdict)]) -> Vec<&'static str> {
        verdicts
            .iter()
            .filter(|(_, v)| matches!(v, Verdict::Fail(_)))
            .map(|(n, _)| *n)
            .collect()
    }

    #[test]
    fn a_conformant_list_passes_every_check() {
        let r = response(
            200,
            Some("application/json; charset=utf-8"),
            r#"[{"processId": 7310, "processName": "x"}]"#,
        );
        assert!(failing(&judge("listProcesses", &r)).is_empty());
    }

    #[test]
    fn one_defect_fails_one_check() {
        let cases = [
            (
                response(
                    200,
                    Some("application/json"),
                    r#"[{"processId": "7310", "processName": "x"}]"#,
                ),
                "schema",
            ),
            (
                response(200, Some("application/json"), r#"[{"processId": 7310"#),
                "schema",
            ),
            (response(200, Some("text/plain"), r#"[]"#), "ct"),
            (response(200, None, r#"[]"#), "ct"),
            (response(201, Some("application/json"), r#"[]"#), "status"),
            (
                response(
                    500,
                    Some("application/json"),
                    r#"{"code":"internal_error","message":"x"}"#,
                ),
                "server",
            ),
        ];
        for (r, check) in cases {
            assert_eq!(
                failing(&judge("listProcesses", &r)),
                vec![check],
                "{:?}",
                r.body
            );
        }
    }

    #[test]
    fn schema_failures_name_pointer_and_keyword() {
        let r = response(
            200,
            Some("application/json"),
            r#"[{"processId": "7310", "processName": "x"}]"#,
        );
        let Verdict::Fail(message) = response_schema_conformance(&Exchange {
            op: SpecModel::embedded()
                .unwrap()
                .operation("listProcesses")
                .unwrap(),
            request: &RawRequest::new(Method::GET, "/processes"),
            response: &r,
        }) else {
            panic!("expected a failure")
        };
        assert!(
            message.contains("/0/processId") && message.contains("(type)"),
            "{message}"
        );
    }

    #[test]
    fn a_body_on_a_bodiless_response_and_a_doubled_content_type_are_caught() {
        let r = response(200, Some("application/json"), "{}");
        assert_eq!(
            failing(&judge("deleteWebhookConfiguration", &r)),
            vec!["ct"]
        );
        let mut r = response(200, Some("application/json"), "[]");
        r.headers
            .append(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        assert_eq!(failing(&judge("listProcesses", &r)), vec!["headers"]);
    }
}
