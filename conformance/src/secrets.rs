//! Keeping keys out of output: every secret the suite learns (subscription keys,
//! apikeys) is registered here, and every text that leaves the suite (terminal,
//! reports, curl reproductions) goes through [`Secrets::redact`].

use std::sync::{Arc, RwLock};

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// The set of secrets seen during a run; cheap to clone and share.
#[derive(Clone, Default, Debug)]
pub struct Secrets {
    known: Arc<RwLock<Vec<String>>>,
}

impl Secrets {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers `secret` so that it is never printed (empty strings are ignored,
    /// and very short ones too, since they would blank out ordinary words).
    pub fn add(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        if !known.iter().any(|k| k == secret) {
            known.push(secret.to_string());
            // Longest first, so that a secret containing another is replaced whole.
            known.sort_by_key(|k| std::cmp::Reverse(k.len()));
        }
    }

    /// `text` with every known secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for secret in known.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// A JSON value with every known secret redacted in its strings, and the
    /// values of `apikey` fields replaced whatever they are.
    pub fn redact_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.redact(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if k.eq_ignore_ascii_case("apikey") && v.is_string() {
                            Value::String(REDACTED.to_string())
                        } else {
                            self.redact_json(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_and_apikey_fields_are_redacted() {
        let secrets = Secrets::new();
        secrets.add("sk_live_1234");
        secrets.add("sk_live_1234_longer");
        secrets.add("ab");
        assert_eq!(
            secrets.redact("a sk_live_1234_longer b sk_live_1234 ab"),
            "a <redacted> b <redacted> ab"
        );
        let v = serde_json::json!({"apikey": "unknown-key", "n": ["sk_live_1234"]});
        assert_eq!(
            secrets.redact_json(&v),
            serde_json::json!({"apikey": "<redacted>", "n": ["<redacted>"]})
        );
    }
}
