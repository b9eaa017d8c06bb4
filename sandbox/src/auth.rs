//! The two keys: the API gateway's subscription key (`Ocp-Apim-Subscription-Key`)
//! and the vendor's apikey (`Authorization: Bearer <apikey>`).
//!
//! Keys are kept and compared as SHA-256 digests: the database never holds a key,
//! the comparison runs in constant time (`subtle`), and no key is ever logged.
//! Which vendor an apikey belongs to is answered from memory (`vendor_keys`).

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// The header that carries the subscription key.
pub const SUBSCRIPTION_HEADER: &str = "Ocp-Apim-Subscription-Key";

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// The SHA-256 digest of a key: all the sandbox keeps of it. `Debug` never shows it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyDigest([u8; 32]);

impl std::fmt::Debug for KeyDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyDigest(..)")
    }
}

impl KeyDigest {
    /// The digest of `key`.
    pub fn of(key: &str) -> Self {
        KeyDigest(Sha256::digest(key.as_bytes()).into())
    }

    /// Reads the lower-case hex form (as the database stores it); `None` if it is not one.
    pub fn from_hex(text: &str) -> Option<Self> {
        let text = text.as_bytes();
        if text.len() != 64 {
            return None;
        }
        let nibble = |c: u8| {
            HEX.iter()
                .position(|h| *h == c)
                .and_then(|n| u8::try_from(n).ok())
        };
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
            *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
        }
        Some(KeyDigest(out))
    }

    /// The lower-case hex form, as the database stores it.
    pub fn to_hex(self) -> String {
        hex(&self.0)
    }

    /// Whether both digests are equal, in constant time.
    pub fn ct_eq(&self, other: &KeyDigest) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

/// A fresh secret: `prefix` and 32 random hex digits (128 bits).
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 16] = rand::random();
    format!("{prefix}{}", hex(&bytes))
}

fn unauthorized_subscription() -> ApiError {
    ApiError::Unauthorized(format!("missing or invalid {SUBSCRIPTION_HEADER}"))
}

/// The configured subscription keys, as digests.
#[derive(Clone)]
pub struct SubscriptionKeys {
    digests: Vec<KeyDigest>,
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
            digests: keys.iter().map(|k| KeyDigest::of(k)).collect(),
        }
    }

    /// The digest of the request's subscription key, when it is one of ours.
    pub fn check(&self, headers: &HeaderMap) -> Result<KeyDigest, ApiError> {
        let mut values = headers.get_all(SUBSCRIPTION_HEADER).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(unauthorized_subscription());
        };
        let presented = KeyDigest::of(&String::from_utf8_lossy(value.as_bytes()));
        // Compare with every configured key, without stopping at a match.
        let mut found = subtle::Choice::from(0);
        for known in &self.digests {
            found |= known.ct_eq(&presented);
        }
        if bool::from(found) {
            Ok(presented)
        } else {
            Err(unauthorized_subscription())
        }
    }
}

/// The error of a missing or unknown apikey.
pub fn unauthorized_vendor() -> ApiError {
    ApiError::Unauthorized("missing or invalid Authorization: Bearer <apikey>".into())
}

/// The bearer token of the request, if it carries exactly one.
pub fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let mut values = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(unauthorized_vendor());
    };
    let value = value.to_str().map_err(|_| unauthorized_vendor())?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(unauthorized_vendor)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(unauthorized_vendor());
    }
    Ok(token)
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
        assert_eq!(keys.check(&headers).unwrap(), KeyDigest::of("other"));
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
        assert!(a[3..].bytes().all(|b| HEX.contains(&b)));
        assert_ne!(a, new_secret("ak_"));
    }

    #[test]
    fn digests_read_back_from_hex_as_before() {
        // The hex form is what earlier versions stored: it must not change.
        assert_eq!(
            KeyDigest::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let d = KeyDigest::of("abc");
        assert_eq!(KeyDigest::from_hex(&d.to_hex()), Some(d));
        assert_eq!(KeyDigest::from_hex("ab"), None);
        assert_eq!(KeyDigest::from_hex(&"G".repeat(64)), None);
        assert_eq!(KeyDigest::from_hex(&d.to_hex().to_uppercase()), None);
        assert_eq!(format!("{d:?}"), "KeyDigest(..)");
    }
}
