//! Checks of how the server treats what it is sent: valid generated requests,
//! requests with one constraint broken, missing or wrong keys, undocumented
//! methods and paths.
//!
//! A 5xx answer is left to `not_a_server_error`: these checks skip it, so that one
//! defect is reported once.

use reqwest::Method;

use super::{CheckInfo, CheckKind};
use crate::http::RawResponse;
use crate::record::Verdict;

/// `positive_data_acceptance`
pub const POSITIVE_DATA_ACCEPTANCE: CheckInfo = CheckInfo {
    name: "positive_data_acceptance",
    doc: "A request that satisfies every constraint of the spec (with live ids) is accepted with 2xx.",
    kind: CheckKind::Input,
};

/// `negative_data_rejection`
pub const NEGATIVE_DATA_REJECTION: CheckInfo = CheckInfo {
    name: "negative_data_rejection",
    doc: "A request that breaks exactly one named constraint is rejected with 400.",
    kind: CheckKind::Input,
};

/// `missing_subscription_key`
pub const MISSING_SUBSCRIPTION_KEY: CheckInfo = CheckInfo {
    name: "missing_subscription_key",
    doc: "A request without Ocp-Apim-Subscription-Key is rejected with 401.",
    kind: CheckKind::Input,
};

/// `wrong_subscription_key`
pub const WRONG_SUBSCRIPTION_KEY: CheckInfo = CheckInfo {
    name: "wrong_subscription_key",
    doc: "A request with an unknown Ocp-Apim-Subscription-Key is rejected with 401.",
    kind: CheckKind::Input,
};

/// `missing_api_key`
pub const MISSING_API_KEY: CheckInfo = CheckInfo {
    name: "missing_api_key",
    doc: "A vendor-scoped request without the apikey bearer token is rejected with 401.",
    kind: CheckKind::Input,
};

/// `wrong_api_key`
pub const WRONG_API_KEY: CheckInfo = CheckInfo {
    name: "wrong_api_key",
    doc: "A vendor-scoped request with an unknown apikey is rejected with 401.",
    kind: CheckKind::Input,
};

/// `unsupported_method`
pub const UNSUPPORTED_METHOD: CheckInfo = CheckInfo {
    name: "unsupported_method",
    doc: "An undocumented method on a documented path gets 405 with an Allow header naming the documented methods.",
    kind: CheckKind::Input,
};

/// `unknown_path`
pub const UNKNOWN_PATH: CheckInfo = CheckInfo {
    name: "unknown_path",
    doc: "An undocumented path gets 404.",
    kind: CheckKind::Input,
};

fn server_error(status: u16) -> Option<Verdict> {
    (status >= 500).then(|| {
        Verdict::Skip(format!(
            "the server answered {status} (see not_a_server_error)"
        ))
    })
}

/// A valid request must be accepted.
pub fn positive_data_acceptance(response: &RawResponse) -> Verdict {
    if let Some(v) = server_error(response.status) {
        return v;
    }
    if response.is_success() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "a request that satisfies the spec was rejected with {}: {}",
            response.status,
            response.body_excerpt(200)
        ))
    }
}

/// An invalid request (for the reason `why`) must get 400.
pub fn negative_data_rejection(response: &RawResponse, why: &str) -> Verdict {
    if let Some(v) = server_error(response.status) {
        return v;
    }
    match response.status {
        400 => Verdict::Pass,
        s if (200..300).contains(&s) => {
            Verdict::Fail(format!("an invalid request ({why}) was accepted with {s}"))
        }
        s => Verdict::Fail(format!(
            "an invalid request ({why}) was answered {s}; the contract says 400: {}",
            response.body_excerpt(200)
        )),
    }
}

/// A request without the right key (`what`) must get 401.
pub fn auth_rejection(response: &RawResponse, what: &str) -> Verdict {
    if let Some(v) = server_error(response.status) {
        return v;
    }
    match response.status {
        401 => Verdict::Pass,
        s if (200..300).contains(&s) => {
            Verdict::Fail(format!("a request {what} was accepted with {s}"))
        }
        s => Verdict::Fail(format!(
            "a request {what} was answered {s}; the contract says 401"
        )),
    }
}

/// An undocumented method must get 405 with an `Allow` naming `documented`.
pub fn unsupported_method(
    response: &RawResponse,
    method: &Method,
    documented: &[Method],
) -> Verdict {
    if let Some(v) = server_error(response.status) {
        return v;
    }
    if response.status != 405 {
        return Verdict::Fail(format!(
            "{method} (not documented here) was answered {}, not 405",
            response.status
        ));
    }
    let Some(allow) = response.headers.get(reqwest::header::ALLOW) else {
        return Verdict::Fail("the 405 answer has no Allow header (RFC 9110 requires one)".into());
    };
    let allow = String::from_utf8_lossy(allow.as_bytes()).to_ascii_uppercase();
    let listed: Vec<&str> = allow
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    let missing: Vec<&str> = documented
        .iter()
        .map(Method::as_str)
        .filter(|m| !listed.contains(m))
        .collect();
    let extra: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|m| !documented.iter().any(|d| d.as_str() == *m) && *m != "HEAD" && *m != "OPTIONS")
        .collect();
    if missing.is_empty() && extra.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "Allow: {allow} does not name the documented methods (missing: {missing:?}, undocumented: {extra:?})"
        ))
    }
}

/// An undocumented path must get 404.
pub fn unknown_path(response: &RawResponse) -> Verdict {
    if let Some(v) = server_error(response.status) {
        return v;
    }
    if response.status == 404 {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "an undocumented path was answered {}, not 404",
            response.status
        ))
    }
}
