//! The keys every request carries, and the client constructor that installs them.
//!
//! The subscription key goes into the HTTP client's default headers; the vendor
//! apikey is added to each request by the pre-request hook, from shared state, so
//! that it can be replaced (after `regenerateApiKey`) without building a new client.
//! Both header values are marked sensitive, and `Debug` never shows them.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::Client;

/// The header that carries the API gateway's subscription key.
pub const SUBSCRIPTION_KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// The keys a client sends: the subscription key on every call, and the vendor's
/// apikey (as a bearer token) once the vendor is registered.
#[derive(Clone)]
pub struct Credentials {
    subscription_key: String,
    api_key: Option<String>,
    timeout: Duration,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("subscription_key", &"<redacted>")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Credentials {
    /// Credentials with only the subscription key (enough to register a vendor).
    pub fn new(subscription_key: impl Into<String>) -> Self {
        Credentials {
            subscription_key: subscription_key.into(),
            api_key: None,
            timeout: Duration::from_secs(15),
        }
    }

    /// Adds the vendor's apikey, sent as `Authorization: Bearer <apikey>`.
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Sets the connect and total timeout of each request (default 15 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A key that cannot be sent in an HTTP header.
#[derive(Debug, thiserror::Error)]
pub enum InvalidCredentials {
    /// The subscription key holds characters a header value cannot carry.
    #[error(
        "the subscription key cannot be sent as a header (control characters or non-visible bytes)"
    )]
    SubscriptionKey,
    /// The apikey holds characters a header value cannot carry.
    #[error(
        "the apikey cannot be sent as a bearer token (control characters or non-visible bytes)"
    )]
    ApiKey,
    /// The HTTP client could not be built (for example, no TLS backend).
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// What a generated [`Client`] carries besides its HTTP client: the current apikey,
/// shared by all clones of the client.
#[derive(Clone, Default)]
pub struct ClientContext {
    api_key: Arc<RwLock<Option<HeaderValue>>>,
}

impl std::fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self.api_key.read().map(|k| k.is_some()).unwrap_or(false);
        f.debug_struct("ClientContext")
            .field("api_key", &if set { "<redacted>" } else { "<none>" })
            .finish()
    }
}

fn bearer(api_key: &str) -> Result<HeaderValue, InvalidCredentials> {
    let mut value = HeaderValue::from_str(&format!("Bearer {api_key}"))
        .map_err(|_| InvalidCredentials::ApiKey)?;
    value.set_sensitive(true);
    Ok(value)
}

impl Client {
    /// A client for the API at `base_url` (scheme, host, port and any path stem)
    /// that sends `credentials` with every request.
    pub fn with_credentials(
        base_url: &str,
        credentials: Credentials,
    ) -> Result<Self, InvalidCredentials> {
        let mut key = HeaderValue::from_str(&credentials.subscription_key)
            .map_err(|_| InvalidCredentials::SubscriptionKey)?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(SUBSCRIPTION_KEY_HEADER, key);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(credentials.timeout)
            .timeout(credentials.timeout)
            .build()?;
        let context = ClientContext::default();
        if let Some(api_key) = &credentials.api_key {
            *context.api_key.write().unwrap_or_else(|e| e.into_inner()) = Some(bearer(api_key)?);
        }
        Ok(Client::new_with_client(base_url, http, context))
    }

    /// Replaces the apikey sent from now on (for example with the one
    /// `regenerate_api_key` returned), or stops sending one (`None`). Every clone
    /// of this client sees the change.
    pub fn set_api_key(&self, api_key: Option<&str>) -> Result<(), InvalidCredentials> {
        let value = api_key.map(bearer).transpose()?;
        *self
            .inner
            .api_key
            .write()
            .unwrap_or_else(|e| e.into_inner()) = value;
        Ok(())
    }

    /// Whether an apikey is currently set.
    pub fn has_api_key(&self) -> bool {
        self.inner
            .api_key
            .read()
            .map(|k| k.is_some())
            .unwrap_or(false)
    }
}

impl ClientHooks<ClientContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let api_key = self
            .inner
            .api_key
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(value) = api_key {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(())
    }
}
