//! The one error type of every handler, and how it becomes an HTTP answer with the
//! spec's `Error` body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use smartservice_client::types::{Error as ErrorBody, ErrorCode};

/// Longest message put into an error body (a violation message may quote the
/// whole offending value, which can be megabytes of base64).
const MAX_MESSAGE: usize = 400;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 400: the request is malformed, breaks the schema, or names an unknown id.
    BadRequest {
        /// What is wrong, naming the field.
        message: String,
        /// JSON pointer into the body, or the name of a query parameter or header.
        field: Option<String>,
    },
    /// 401: a key is missing or wrong.
    Unauthorized(String),
    /// 404: no such path.
    NotFound(String),
    /// 405: the path exists, the method does not; carries the allowed methods.
    MethodNotAllowed {
        /// The methods the path answers, for the `Allow` header.
        allow: Vec<&'static str>,
        /// The method that was used.
        method: String,
    },
    /// 413: the body is larger than the operation accepts.
    PayloadTooLarge(String),
    /// 500: something broke on our side (never expected; logged).
    Internal(String),
}

impl ApiError {
    /// A 400 naming `field`.
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A 400 about the request as a whole.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            field: None,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `Error` body of this error.
    pub fn body(&self) -> ErrorBody {
        let (code, message, field) = match self {
            ApiError::BadRequest { message, field } => {
                (ErrorCode::BadRequest, message.clone(), field.clone())
            }
            ApiError::Unauthorized(message) => (ErrorCode::Unauthorized, message.clone(), None),
            // The spec's Error codes have no class of their own for an unknown path or
            // method (neither is an operation's documented answer); both are the
            // client's mistake, so they carry `bad_request` (see spec/NOTES.md).
            ApiError::NotFound(path) => {
                (ErrorCode::BadRequest, format!("no such path: {path}"), None)
            }
            ApiError::MethodNotAllowed { allow, method } => (
                ErrorCode::BadRequest,
                format!(
                    "method {method} is not allowed here; allowed: {}",
                    allow.join(", ")
                ),
                None,
            ),
            ApiError::PayloadTooLarge(message) => {
                (ErrorCode::PayloadTooLarge, message.clone(), None)
            }
            ApiError::Internal(_) => (
                ErrorCode::InternalError,
                "A server side exception has occurred, please contact support".to_string(),
                None,
            ),
        };
        ErrorBody {
            code,
            message: truncate(&message),
            field,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status().as_u16(), self.body().message)
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(format!("json: {e}"))
    }
}

fn truncate(message: &str) -> String {
    if message.len() <= MAX_MESSAGE {
        return message.to_string();
    }
    let mut end = MAX_MESSAGE;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(reason) = &self {
            tracing::error!("internal error: {reason}");
        }
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::MethodNotAllowed { allow, .. } = &self
            && let Ok(value) = HeaderValue::from_str(&allow.join(", "))
        {
            response.headers_mut().insert(header::ALLOW, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let long = "ä".repeat(1000);
        let body = ApiError::bad("/x", long).body();
        assert!(
            body.message.len() <= MAX_MESSAGE + 3,
            "{}",
            body.message.len()
        );
        assert!(body.message.ends_with('…'));
    }

    #[test]
    fn method_not_allowed_carries_allow() {
        let response = ApiError::MethodNotAllowed {
            allow: vec!["GET", "POST"],
            method: "PUT".into(),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET, POST");
    }
}
