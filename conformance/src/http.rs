//! Raw HTTP exchanges with the implementation under test.
//!
//! The suite must send requests the typed client cannot (invalid bodies, missing
//! keys, wrong methods) and must judge the bytes the server really sent, so it
//! talks HTTP through one shared keep-alive `reqwest::Client`. Every exchange is
//! bounded: a total timeout covers connecting, sending and reading the whole body,
//! and bodies larger than the limit are cut off with an error. Whatever the server
//! does (garbage, endless bodies, closed connections), [`Http::send`] returns a
//! [`TransportError`] instead of panicking or hanging.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::wire::{Wire, WireAnswer, WireRequest};

/// The header that carries the API gateway's subscription key.
pub const SUBSCRIPTION_KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// The body of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestBody {
    /// No body at all.
    None,
    /// A JSON document, sent as `application/json`.
    Json(Value),
    /// Bytes sent as they are, with this content type (for malformed bodies).
    Raw {
        /// The `Content-Type` header to send.
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

/// One request, exactly as it goes on the wire (relative to the target's base URL).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRequest {
    /// The HTTP method.
    pub method: Method,
    /// The path below the base URL, starting with `/`.
    pub path: String,
    /// Query parameters in order, not yet encoded.
    pub query: Vec<(String, String)>,
    /// Extra headers (keys included), in order.
    pub headers: Vec<(String, String)>,
    /// Query text appended as it is, not encoded (for malformed escapes).
    pub raw_query: Option<String>,
    /// The body.
    pub body: RequestBody,
}

impl RawRequest {
    /// A request without query, headers or body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        RawRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            raw_query: None,
            body: RequestBody::None,
        }
    }

    /// Adds the subscription key and, if given, the vendor apikey as a bearer token.
    pub fn with_keys(mut self, keys: &Keys) -> Self {
        self.set_keys(keys);
        self
    }

    /// Replaces the key headers with `keys`.
    pub fn set_keys(&mut self, keys: &Keys) {
        self.headers.retain(|(name, _)| {
            !name.eq_ignore_ascii_case(SUBSCRIPTION_KEY_HEADER)
                && !name.eq_ignore_ascii_case("authorization")
        });
        if let Some(key) = &keys.subscription_key {
            self.headers
                .push((SUBSCRIPTION_KEY_HEADER.to_string(), key.clone()));
        }
        if let Some(key) = &keys.api_key {
            self.headers
                .push(("Authorization".to_string(), format!("Bearer {key}")));
        }
    }

    /// Sets a JSON body.
    pub fn with_json(mut self, body: Value) -> Self {
        self.body = RequestBody::Json(body);
        self
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_string(), value.into()));
        self
    }

    /// The path with its encoded query string.
    pub fn path_and_query(&self) -> String {
        match self.query_string() {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        }
    }

    /// The encoded query string (without `?`), if there is one.
    pub fn query_string(&self) -> Option<String> {
        if self.query.is_empty() && self.raw_query.is_none() {
            return None;
        }
        let mut out = String::new();
        for (key, value) in &self.query {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&encode_query_component(key));
            out.push('=');
            out.push_str(&encode_query_component(value));
        }
        if let Some(raw) = &self.raw_query {
            if !self.query.is_empty() {
                out.push('&');
            }
            out.push_str(raw);
        }
        Some(out)
    }

    /// A `curl` command that sends this request to `base_url`. Keys are never
    /// written out: they come from `$SSP_SUBSCRIPTION_KEY` and `$SSP_API_KEY`.
    pub fn to_curl(&self, base_url: &str) -> String {
        let mut out = format!(
            "curl -sS -i -X {} {}",
            self.method,
            shell_quote(&format!(
                "{}{}",
                base_url.trim_end_matches('/'),
                self.path_and_query()
            ))
        );
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case(SUBSCRIPTION_KEY_HEADER) {
                let _ = write!(out, " -H \"{name}: $SSP_SUBSCRIPTION_KEY\"");
            } else if name.eq_ignore_ascii_case("authorization") && value.starts_with("Bearer ") {
                let _ = write!(out, " -H \"{name}: Bearer $SSP_API_KEY\"");
            } else if name.eq_ignore_ascii_case("authorization") {
                let _ = write!(out, " -H \"{name}: <redacted>\"");
            } else {
                let _ = write!(out, " -H {}", shell_quote(&format!("{name}: {value}")));
            }
        }
        match &self.body {
            RequestBody::None => {}
            RequestBody::Json(value) => {
                let _ = write!(
                    out,
                    " -H 'Content-Type: application/json' --data-raw {}",
                    shell_quote(&value.to_string())
                );
            }
            RequestBody::Raw {
                content_type,
                bytes,
            } => {
                let _ = write!(
                    out,
                    " -H {} --data-raw {}",
                    shell_quote(&format!("Content-Type: {content_type}")),
                    shell_quote(&String::from_utf8_lossy(bytes))
                );
            }
        }
        out
    }
}

/// The keys a request carries.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Keys {
    /// The gateway's subscription key.
    pub subscription_key: Option<String>,
    /// The vendor's apikey.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field(
                "subscription_key",
                &self.subscription_key.as_ref().map(|_| "<redacted>"),
            )
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Keys {
    /// Only the subscription key.
    pub fn subscription(key: &str) -> Self {
        Keys {
            subscription_key: Some(key.to_string()),
            api_key: None,
        }
    }

    /// Both keys.
    pub fn vendor(subscription_key: &str, api_key: &str) -> Self {
        Keys {
            subscription_key: Some(subscription_key.to_string()),
            api_key: Some(api_key.to_string()),
        }
    }
}

/// What the server answered.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body (at most the configured limit).
    pub body: Bytes,
    /// From sending the request to the last body byte.
    pub elapsed: Duration,
    parsed: std::sync::OnceLock<Result<Value, String>>,
}

impl RawResponse {
    /// A response as received.
    pub fn new(status: u16, headers: HeaderMap, body: Bytes, elapsed: Duration) -> Self {
        RawResponse {
            status,
            headers,
            body,
            elapsed,
            parsed: std::sync::OnceLock::new(),
        }
    }

    /// The body parsed as JSON, parsed once however often it is asked for.
    pub fn parsed(&self) -> Result<&Value, &str> {
        self.parsed
            .get_or_init(|| {
                serde_json::from_slice(&self.body).map_err(|e| format!("the body is not JSON: {e}"))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The first `Content-Type` header, if there is one and it is text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body parsed as JSON (a copy; see [`RawResponse::parsed`]).
    pub fn json(&self) -> Result<Value, String> {
        self.parsed().cloned().map_err(str::to_string)
    }

    /// The start of the body, as text, for messages (at most `max` characters).
    pub fn body_excerpt(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut out: String = text.chars().take(max).collect();
        if text.chars().count() > max {
            out.push('…');
        }
        out
    }
}

/// Why no complete response came back.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransportError {
    /// Nothing (or not all of it) arrived within the timeout.
    #[error("no complete response within {0:?} (raise --timeout if the server is just slow)")]
    Timeout(Duration),
    /// The connection could not be opened.
    #[error("cannot connect: {0} (is the server running, and is the base URL right?)")]
    Connect(String),
    /// The body was larger than the suite reads.
    #[error("the response body exceeds {0} bytes; the rest was not read")]
    BodyTooLarge(usize),
    /// The server broke HTTP (closed the connection, sent garbage, ...).
    #[error("the exchange failed: {0}")]
    Protocol(String),
}

/// An HTTP client of a run: its keep-alive connections belong to the runtime that
/// opened them, so each thread that runs phases has its own ([`Http::sibling`]).
/// `http://` goes over hyper's connection API ([`crate::wire`]), `https://` through
/// reqwest.
#[derive(Debug)]
pub struct Http {
    wire: Wire,
    client: reqwest::Client,
    base_url: String,
    /// `base_url` parsed once (requests only set path and query on a copy).
    base: Result<reqwest::Url, String>,
    timeout: Duration,
    max_body: usize,
    sent: Arc<AtomicU64>,
}

impl Http {
    /// A client for the target at `base_url`, with a total `timeout` per exchange
    /// and a body limit of `max_body` bytes.
    pub fn new(base_url: &str, timeout: Duration, max_body: usize) -> Result<Self, String> {
        let base_url = base_url.trim_end_matches('/').to_string();
        Ok(Http {
            wire: Wire::new(timeout),
            client: build_client(timeout)?,
            base: reqwest::Url::parse(&base_url)
                .map_err(|e| format!("the base URL {base_url} is not a URL: {e}")),
            base_url,
            timeout,
            max_body,
            sent: Arc::new(AtomicU64::new(0)),
        })
    }

    /// A client with the same target and limits but connections of its own, for
    /// another thread's runtime; requests sent by either count together.
    pub fn sibling(&self) -> Result<Self, String> {
        Ok(Http {
            wire: Wire::new(self.timeout),
            client: build_client(self.timeout)?,
            base_url: self.base_url.clone(),
            base: self.base.clone(),
            timeout: self.timeout,
            max_body: self.max_body,
            sent: self.sent.clone(),
        })
    }

    /// The target's base URL (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many requests were sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The timeout of one exchange.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request` to the target and reads the whole answer.
    pub async fn send(&self, request: &RawRequest) -> Result<RawResponse, TransportError> {
        let url = self.url_for(request)?;
        self.send_url(url, request).await
    }

    /// The URL `request` goes to: the parsed base URL with the request's path
    /// appended and its query set (the same URL as parsing the whole text, without
    /// parsing scheme and host again for every request).
    fn url_for(&self, request: &RawRequest) -> Result<reqwest::Url, TransportError> {
        let mut url = self.base.clone().map_err(TransportError::Protocol)?;
        let path = format!("{}{}", url.path().trim_end_matches('/'), request.path);
        url.set_path(&path);
        url.set_query(request.query_string().as_deref());
        Ok(url)
    }

    /// Sends `request` to an absolute `url` (the method, headers and body of
    /// `request`; its path and query are ignored).
    pub async fn send_to(
        &self,
        url: &str,
        request: &RawRequest,
    ) -> Result<RawResponse, TransportError> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| TransportError::Protocol(format!("{url} is not a URL: {e}")))?;
        self.send_url(url, request).await
    }

    async fn send_url(
        &self,
        url: reqwest::Url,
        request: &RawRequest,
    ) -> Result<RawResponse, TransportError> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let body = match &request.body {
            RequestBody::None => None,
            RequestBody::Json(value) => Some((
                "application/json",
                Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            )),
            RequestBody::Raw {
                content_type,
                bytes,
            } => Some((content_type.as_str(), Bytes::from(bytes.clone()))),
        };
        let started = Instant::now();
        let answer = if url.scheme() == "http" {
            let request = WireRequest {
                method: request.method.clone(),
                url: &url,
                headers: &request.headers,
                body,
            };
            tokio::time::timeout(self.timeout, self.wire.exchange(request, self.max_body)).await
        } else {
            let exchange = self.send_with_reqwest(url, &request.method, &request.headers, body);
            tokio::time::timeout(self.timeout, exchange).await
        };
        match answer {
            Err(_) => Err(TransportError::Timeout(self.timeout)),
            Ok(Err(e)) => Err(e),
            Ok(Ok((status, headers, body))) => {
                Ok(RawResponse::new(status, headers, body, started.elapsed()))
            }
        }
    }

    /// One exchange through reqwest (for `https://`).
    async fn send_with_reqwest(
        &self,
        url: reqwest::Url,
        method: &Method,
        headers: &[(String, String)],
        body: Option<(&str, Bytes)>,
    ) -> Result<WireAnswer, TransportError> {
        let mut builder = self.client.request(method.clone(), url);
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some((content_type, bytes)) = body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            append_within(&mut body, &chunk, self.max_body)?;
        }
        Ok((status, headers, body.freeze()))
    }
}

/// Appends `chunk` to the body read so far, unless that makes it longer than
/// `max_body` bytes.
pub(crate) fn append_within(
    body: &mut BytesMut,
    chunk: &[u8],
    max_body: usize,
) -> Result<(), TransportError> {
    if body.len() + chunk.len() > max_body {
        return Err(TransportError::BodyTooLarge(max_body));
    }
    body.extend_from_slice(chunk);
    Ok(())
}

fn build_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout)
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", error_chain(&e)))
}

fn classify(error: reqwest::Error) -> TransportError {
    let text = error_chain(&error);
    if error.is_connect() {
        TransportError::Connect(text)
    } else if error.is_timeout() {
        TransportError::Timeout(Duration::ZERO)
    } else {
        TransportError::Protocol(text)
    }
}

/// An error with all its causes, `a: b: c`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            let _ = write!(text, ": {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// Percent-encodes a query key or value (everything but unreserved characters).
pub fn encode_query_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Quotes `text` for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_never_contains_keys_and_quotes_bodies() {
        let request = RawRequest::new(Method::POST, "/vendorregistration")
            .with_keys(&Keys::vendor("sub-secret", "api-secret"))
            .with_query("a b", "x&y")
            .with_json(serde_json::json!({"providerName": "O'Brien"}));
        let curl = request.to_curl("http://127.0.0.1:1/");
        assert!(
            !curl.contains("sub-secret") && !curl.contains("api-secret"),
            "{curl}"
        );
        assert!(curl.contains("$SSP_SUBSCRIPTION_KEY") && curl.contains("Bearer $SSP_API_KEY"));
        assert!(
            curl.contains("'http://127.0.0.1:1/vendorregistration?a%20b=x%26y'"),
            "{curl}"
        );
        assert!(
            curl.contains(r#"'{"providerName":"O'\''Brien"}'"#),
            "{curl}"
        );
    }

    #[test]
    fn request_urls_equal_parsing_the_whole_text() {
        for base in ["http://127.0.0.1:8080", "http://127.0.0.1:8080/api/"] {
            let http = Http::new(base, Duration::from_secs(1), 1024).unwrap();
            let mut odd =
                RawRequest::new(Method::GET, "/webhookconfig").with_query("whid", "ä b&c");
            odd.raw_query = Some("x=%FF%zz".into());
            let requests = [
                RawRequest::new(Method::GET, "/processes"),
                RawRequest::new(Method::GET, "/webhookconfig").with_query("whid", "A1"),
                odd,
                RawRequest::new(Method::GET, "/a/../b/%2e/c"),
                RawRequest::new(Method::GET, "/x y/ü"),
            ];
            for request in requests {
                let whole = format!("{}{}", http.base_url(), request.path_and_query());
                assert_eq!(
                    http.url_for(&request).unwrap(),
                    reqwest::Url::parse(&whole).unwrap(),
                    "{whole}"
                );
            }
        }
    }

    #[test]
    fn an_invalid_base_url_is_an_error_on_send_not_a_panic() {
        let http = Http::new("not a url", Duration::from_secs(1), 1024).unwrap();
        let error = http
            .url_for(&RawRequest::new(Method::GET, "/processes"))
            .unwrap_err();
        assert!(error.to_string().contains("not a URL"), "{error}");
    }

    #[test]
    fn set_keys_replaces_earlier_keys() {
        let mut request =
            RawRequest::new(Method::GET, "/processes").with_keys(&Keys::vendor("a1234", "b1234"));
        request.set_keys(&Keys::default());
        assert!(request.headers.is_empty());
    }
}
