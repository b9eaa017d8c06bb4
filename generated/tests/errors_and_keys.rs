//! Typed errors for the documented error statuses, and how the two keys travel.

mod support;

use smartservice_client::{Client, Credentials, Error, types};
use support::{RecordingServer, SUBSCRIPTION_KEY, error_example};

/// Calls listProcesses against a server answering `status` with the example of `response`.
async fn error_for(status: u16, response: &str) -> Error<types::Error> {
    let server = RecordingServer::start().await;
    server.answer(status, Some(error_example(response)));
    server.client().list_processes().send().await.unwrap_err()
}

fn expect_error_response(
    err: Error<types::Error>,
    status: u16,
    code: types::ErrorCode,
) -> types::Error {
    match err {
        Error::ErrorResponse(rv) => {
            assert_eq!(rv.status().as_u16(), status);
            assert_eq!(rv.code, code);
            rv.into_inner()
        }
        other => panic!("expected a typed error response, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_request_is_a_typed_error_naming_the_field() {
    let body = expect_error_response(
        error_for(400, "BadRequest").await,
        400,
        types::ErrorCode::BadRequest,
    );
    assert_eq!(body.field.as_deref(), Some("/plz"));
}

#[tokio::test]
async fn unauthorized_is_a_typed_error() {
    expect_error_response(
        error_for(401, "Unauthorized").await,
        401,
        types::ErrorCode::Unauthorized,
    );
}

#[tokio::test]
async fn server_error_is_a_typed_error() {
    expect_error_response(
        error_for(500, "ServerError").await,
        500,
        types::ErrorCode::InternalError,
    );
}

#[tokio::test]
async fn payload_too_large_is_a_typed_error() {
    let server = RecordingServer::start().await;
    server.answer(413, Some(error_example("PayloadTooLarge")));
    let body = serde_json::from_value::<types::StatusUpdate>(
        serde_json::json!({"uniqueId": 1, "newStatus": "done"}),
    )
    .unwrap();
    let err = server
        .client()
        .update_task_status()
        .body(body)
        .send()
        .await
        .unwrap_err();
    expect_error_response(err, 413, types::ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn an_error_body_that_is_not_the_error_schema_keeps_the_raw_bytes() {
    let server = RecordingServer::start().await;
    server.answer(400, Some(serde_json::json!({"unexpected": true})));
    match server.client().list_processes().send().await.unwrap_err() {
        Error::InvalidResponsePayload(bytes, _) => {
            assert_eq!(&bytes[..], br#"{"unexpected":true}"#)
        }
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}

#[tokio::test]
async fn without_an_apikey_no_authorization_header_is_sent() {
    let server = RecordingServer::start().await;
    server.answer(200, Some(serde_json::json!([])));
    let client =
        Client::with_credentials(&server.base_url, Credentials::new(SUBSCRIPTION_KEY)).unwrap();
    assert!(!client.has_api_key());
    client.list_processes().send().await.unwrap();
    let req = server.only_request();
    assert_eq!(
        req.header("ocp-apim-subscription-key"),
        Some(SUBSCRIPTION_KEY)
    );
    assert!(req.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_replaced_apikey_is_sent_by_every_clone_from_then_on() {
    let server = RecordingServer::start().await;
    server.answer(200, Some(serde_json::json!([])));
    let client = server.client();
    let clone = client.clone();
    client.set_api_key(Some("ak_regenerated_key_0001")).unwrap();
    clone.list_processes().send().await.unwrap();
    assert_eq!(
        server.only_request().header("authorization"),
        Some("Bearer ak_regenerated_key_0001")
    );
    client.set_api_key(None).unwrap();
    clone.list_processes().send().await.unwrap();
    assert!(server.only_request().headers.get("authorization").is_none());
}

#[test]
fn keys_that_cannot_be_headers_are_rejected_with_a_reason() {
    let err =
        Client::with_credentials("http://127.0.0.1:1", Credentials::new("bad\nkey")).unwrap_err();
    assert!(err.to_string().contains("subscription key"), "{err}");
    let err = Client::with_credentials(
        "http://127.0.0.1:1",
        Credentials::new("k").with_api_key("a\rb"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("apikey"), "{err}");
}

#[test]
fn debug_output_never_shows_the_keys() {
    let credentials = Credentials::new("secret-sub-key").with_api_key("secret-apikey");
    let client = Client::with_credentials("http://127.0.0.1:1", credentials.clone()).unwrap();
    for text in [format!("{credentials:?}"), format!("{client:?}")] {
        assert!(
            !text.contains("secret-sub-key") && !text.contains("secret-apikey"),
            "{text}"
        );
    }
}
