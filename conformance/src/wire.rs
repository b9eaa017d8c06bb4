//! Plain-HTTP exchanges over hyper's HTTP/1.1 connection API, with a small pool
//! of keep-alive connections per [`Wire`].
//!
//! The suite sends most of its requests to one `http://` origin, and judges every
//! answer itself: it needs no redirects, proxies, cookies, retries or
//! decompression. reqwest's layers for those were about a third of the client's
//! CPU per request (bench/NOTES.md). A `Wire` belongs to one runtime: the task that
//! drives a connection is spawned on the runtime that opened it, so each lane of a
//! run has its own (see [`crate::http::Http::sibling`]). `https://` goes through
//! reqwest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::http::{TransportError, append_within, error_chain};

/// What came back: status, headers and the whole body.
pub(crate) type WireAnswer = (u16, HeaderMap, Bytes);

/// One request as it goes on the wire.
pub(crate) struct WireRequest<'a> {
    /// The method.
    pub method: Method,
    /// An `http://` URL.
    pub url: &'a reqwest::Url,
    /// Headers in order.
    pub headers: &'a [(String, String)],
    /// The body and its content type.
    pub body: Option<(&'a str, Bytes)>,
}

/// Keep-alive connections to `http://` origins, and how long connecting may take.
pub(crate) struct Wire {
    idle: Mutex<HashMap<String, Vec<SendRequest<Full<Bytes>>>>>,
    connect_timeout: Duration,
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wire").finish_non_exhaustive()
    }
}

impl Wire {
    /// No connections yet.
    pub fn new(connect_timeout: Duration) -> Self {
        Wire {
            idle: Mutex::new(HashMap::new()),
            connect_timeout,
        }
    }

    /// Sends `request` and reads the whole answer, at most `max_body` bytes of body.
    /// When a kept-alive connection turns out to be closed by the server before an
    /// answer starts, the request goes once more on a new connection: always if it
    /// was never sent, and for idempotent methods also if it was. Anything else the
    /// server does wrong on a reused connection (garbage, a broken answer) is
    /// reported, not retried.
    pub async fn exchange(
        &self,
        request: WireRequest<'_>,
        max_body: usize,
    ) -> Result<WireAnswer, TransportError> {
        let origin = Origin::of(request.url)?;
        let mut sender = self.checkout(&origin).await?;
        let answer = match sender.0.send_request(build(&request, &origin)?).await {
            Err(e)
                if sender.1 && (e.is_canceled() || (closed(&e) && idempotent(&request.method))) =>
            {
                sender = (self.connect(&origin).await?, false);
                sender.0.send_request(build(&request, &origin)?).await
            }
            other => other,
        }
        .map_err(|e| TransportError::Protocol(error_chain(&e)))?;
        let status = answer.status().as_u16();
        let (parts, mut body) = answer.into_parts();
        let mut bytes = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| TransportError::Protocol(error_chain(&e)))?;
            if let Ok(data) = frame.into_data() {
                append_within(&mut bytes, &data, max_body)?;
            }
        }
        self.check_in(origin.key, sender.0);
        Ok((status, parts.headers, bytes.freeze()))
    }

    /// An idle connection to `origin` that is ready for a request (`true`: it was
    /// used before), or a new one.
    async fn checkout(
        &self,
        origin: &Origin,
    ) -> Result<(SendRequest<Full<Bytes>>, bool), TransportError> {
        loop {
            let idle = self
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_mut(&origin.key)
                .and_then(Vec::pop);
            let Some(mut sender) = idle else {
                return Ok((self.connect(origin).await?, false));
            };
            if sender.ready().await.is_ok() {
                return Ok((sender, true));
            }
        }
    }

    /// Keeps `sender` for the next request to the same origin, unless its
    /// connection is gone.
    fn check_in(&self, key: String, sender: SendRequest<Full<Bytes>>) {
        if !sender.is_closed() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(key)
                .or_default()
                .push(sender);
        }
    }

    /// Opens a connection to `origin` and starts the task that drives it.
    async fn connect(&self, origin: &Origin) -> Result<SendRequest<Full<Bytes>>, TransportError> {
        let connecting = tokio::net::TcpStream::connect((origin.host.as_str(), origin.port));
        let stream = match tokio::time::timeout(self.connect_timeout, connecting).await {
            Err(_) => {
                return Err(TransportError::Connect(format!(
                    "no connection to {} within {:?}",
                    origin.authority, self.connect_timeout
                )));
            }
            Ok(Err(e)) => {
                return Err(TransportError::Connect(format!(
                    "{}: {e}",
                    origin.authority
                )));
            }
            Ok(Ok(stream)) => stream,
        };
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| TransportError::Protocol(error_chain(&e)))?;
        tokio::spawn(async move {
            // The connection's end (closed, or broken by the server) shows in the
            // exchange that was using it.
            let _ = connection.await;
        });
        Ok(sender)
    }
}

/// Whether `error` says the connection was closed under the request (closed before
/// the answer was complete, reset, or a broken pipe), not that the server sent
/// something wrong.
fn closed(error: &hyper::Error) -> bool {
    if error.is_incomplete_message() {
        return true;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            );
        }
        source = cause.source();
    }
    false
}

/// Whether sending `method` twice means the same as sending it once (RFC 9110).
fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Where a URL's requests go: the host and port to connect to, the `Host` header,
/// and the pool key.
struct Origin {
    host: String,
    port: u16,
    authority: String,
    key: String,
}

impl Origin {
    fn of(url: &reqwest::Url) -> Result<Origin, TransportError> {
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(TransportError::Protocol(format!("{url} has no host"))),
        };
        let port = url.port_or_known_default().unwrap_or(80);
        let authority = url[url::Position::BeforeHost..url::Position::AfterPort].to_string();
        Ok(Origin {
            key: format!("{host}:{port}"),
            host,
            port,
            authority,
        })
    }
}

/// The hyper request for `request`: origin-form target, `Host`, the headers, the body.
fn build(
    request: &WireRequest<'_>,
    origin: &Origin,
) -> Result<hyper::Request<Full<Bytes>>, TransportError> {
    let target = match request.url.query() {
        Some(query) => format!("{}?{query}", request.url.path()),
        None => request.url.path().to_string(),
    };
    let mut builder = hyper::Request::builder()
        .method(request.method.clone())
        .uri(target)
        .header(hyper::header::HOST, origin.authority.as_str());
    for (name, value) in request.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| TransportError::Protocol(format!("header name {name:?}: {e}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|e| TransportError::Protocol(format!("header {name}: {e}")))?;
        builder = builder.header(name, value);
    }
    let body = match &request.body {
        Some((content_type, bytes)) => {
            builder = builder.header(hyper::header::CONTENT_TYPE, *content_type);
            Full::new(bytes.clone())
        }
        None => Full::new(Bytes::new()),
    };
    builder
        .body(body)
        .map_err(|e| TransportError::Protocol(format!("cannot build the request: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn origins_name_the_host_to_connect_to_and_the_host_header() {
        let o = Origin::of(&url("http://127.0.0.1:8080/x?y=1")).unwrap();
        assert_eq!(
            (o.host.as_str(), o.port, o.authority.as_str()),
            ("127.0.0.1", 8080, "127.0.0.1:8080")
        );
        let o = Origin::of(&url("http://[::1]:9/x")).unwrap();
        assert_eq!(
            (o.host.as_str(), o.port, o.authority.as_str()),
            ("::1", 9, "[::1]:9")
        );
        let o = Origin::of(&url("http://localhost/x")).unwrap();
        assert_eq!(
            (o.host.as_str(), o.port, o.authority.as_str()),
            ("localhost", 80, "localhost")
        );
    }

    #[test]
    fn requests_carry_origin_form_target_host_headers_and_body() {
        let target = url("http://127.0.0.1:8080/webhookconfig?whid=A%201");
        let headers = vec![("Ocp-Apim-Subscription-Key".to_string(), "k".to_string())];
        let request = WireRequest {
            method: Method::POST,
            url: &target,
            headers: &headers,
            body: Some(("application/json", Bytes::from_static(b"{}"))),
        };
        let origin = Origin::of(&target).unwrap();
        let built = build(&request, &origin).unwrap();
        assert_eq!(built.uri(), "/webhookconfig?whid=A%201");
        assert_eq!(built.headers()["host"], "127.0.0.1:8080");
        assert_eq!(built.headers()["ocp-apim-subscription-key"], "k");
        assert_eq!(built.headers()["content-type"], "application/json");
    }

    #[test]
    fn a_header_that_cannot_be_sent_is_an_error_naming_it() {
        let target = url("http://127.0.0.1:8080/processes");
        for (name, value) in [("bad name", "x"), ("X-Ok", "line\nbreak")] {
            let headers = vec![(name.to_string(), value.to_string())];
            let request = WireRequest {
                method: Method::GET,
                url: &target,
                headers: &headers,
                body: None,
            };
            let origin = Origin::of(&target).unwrap();
            let Err(TransportError::Protocol(message)) = build(&request, &origin) else {
                panic!("{name:?}: {value:?} was accepted");
            };
            assert!(message.contains("header"), "{message}");
        }
    }

    #[tokio::test]
    async fn nothing_listening_is_a_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let target = url(&format!("http://127.0.0.1:{port}/processes"));
        let request = WireRequest {
            method: Method::GET,
            url: &target,
            headers: &[],
            body: None,
        };
        let wire = Wire::new(Duration::from_secs(2));
        let result = wire.exchange(request, 1024).await;
        assert!(
            matches!(result, Err(TransportError::Connect(_))),
            "{result:?}"
        );
    }
}
