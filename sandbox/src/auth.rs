//! The two keys: the API gateway's subscription key (`Ocp-Apim-Subscription-Key`)
//! and the vendor's apikey (`Authorization: Bearer <apikey>`).
//!
//! Keys are kept and compared as SHA-256 digests: the database never holds a key,
//! the comparison runs in constant time (`subtle`), and no key is ever logged.

use axum::http::HeaderMap;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::store;

/// The header that carries the subscription key.
pub const SUBSCRIPTION_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// The hex SHA-256 digest of a key.
pub fn digest(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh secret: `prefix` and 32 random hex digits (128 bits).
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// The configured subscription keys, as digests.
#[derive(Clone)]
pub struct SubscriptionKeys {
    digests: Vec<String>,
}

impl std::fmt::Debug for SubscriptionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubscriptionKeys({} configured)", self.digests.len())
    }
}

impl SubscriptionKeys {
    /// Keeps the digests of `keys`.
    pub fn new(keys: &[String]) -> Self {
        SubscriptionKeys {
            digests: keys.iter().map(|k| digest(k)).collect(),
        }
    }

    /// The digest of the request's subscription key, when it is one of ours.
    pub fn check(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        let mut values = headers.get_all(SUBSCRIPTION_HEADER).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(ApiError::Unauthorized(format!(
                "missing or invalid {SUBSCRIPTION_HEADER}"
            )));
        };
        let presented = digest(&String::from_utf8_lossy(value.as_bytes()));
        // Compare with every configured key, without stopping at a match.
        let mut found = subtle::Choice::from(0);
        for known in &self.digests {
            found |= known.as_bytes().ct_eq(presented.as_bytes());
        }
        if bool::from(found) {
            Ok(presented)
        } else {
            Err(ApiError::Unauthorized(format!(
                "missing or invalid {SUBSCRIPTION_HEADER}"
            )))
        }
    }
}

/// The bearer token of the request, if it carries exactly one.
pub fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    let missing =
        || ApiError::Unauthorized("missing or invalid Authorization: Bearer <apikey>".into());
    let mut values = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(missing());
    };
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token.to_string())
}

/// The id of the vendor whose apikey is `token`, registered under the subscription
/// whose key has the digest `subscription`.
pub fn vendor_for(conn: &Connection, subscription: &str, token: &str) -> Result<String, ApiError> {
    let presented = digest(token);
    let unauthorized =
        || ApiError::Unauthorized("missing or invalid Authorization: Bearer <apikey>".into());
    let Some((vendor, vendor_subscription, stored)) = store::vendor_by_apikey(conn, &presented)?
    else {
        return Err(unauthorized());
    };
    let same_key = stored.as_bytes().ct_eq(presented.as_bytes());
    let same_subscription = vendor_subscription
        .as_bytes()
        .ct_eq(subscription.as_bytes());
    if bool::from(same_key & same_subscription) {
        Ok(vendor)
    } else {
        Err(unauthorized())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn subscription_keys_match_exactly() {
        let keys = SubscriptionKeys::new(&["a-key".to_string(), "other".to_string()]);
        let mut headers = HeaderMap::new();
        assert!(keys.check(&headers).is_err());
        headers.insert(SUBSCRIPTION_HEADER, HeaderValue::from_static("other"));
        assert_eq!(keys.check(&headers).unwrap(), digest("other"));
        headers.insert(SUBSCRIPTION_HEADER, HeaderValue::from_static("other "));
        assert!(keys.check(&headers).is_err());
        assert!(!format!("{keys:?}").contains("a-key"));
    }

    #[test]
    fn bearer_needs_the_scheme_and_a_token() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer ak_1"));
        assert_eq!(bearer(&headers).unwrap(), "ak_1");
        headers.insert("authorization", HeaderValue::from_static("bearer  ak_2 "));
        assert_eq!(bearer(&headers).unwrap(), "ak_2");
        headers.insert("authorization", HeaderValue::from_static("Basic ak_1"));
        assert!(bearer(&headers).is_err());
        headers.insert("authorization", HeaderValue::from_static("Bearer"));
        assert!(bearer(&headers).is_err());
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = new_secret("ak_");
        assert_eq!(a.len(), 35);
        assert_ne!(a, new_secret("ak_"));
    }
}
