//! Every one of the 15 operations, called once through the generated client against
//! a recording server: the request's method, path, query, both keys and body are
//! checked, and the documented sample answer must decode into the typed result.

mod support;

use serde_json::{Value, json};
use smartservice_client::types;
use support::{
    API_KEY, Recorded, RecordingServer, SUBSCRIPTION_KEY, request_example, response_example,
};

/// Asserts method, path, query and both keys of a recorded request.
fn assert_request(req: &Recorded, method: &str, path: &str, query: Option<&str>) {
    assert_eq!(req.method.as_str(), method, "method");
    assert_eq!(req.path, path, "path");
    assert_eq!(req.query.as_deref(), query, "query");
    assert_eq!(
        req.header("ocp-apim-subscription-key"),
        Some(SUBSCRIPTION_KEY),
        "subscription key header"
    );
    assert_eq!(
        req.header("authorization").map(str::to_string),
        Some(format!("Bearer {API_KEY}")),
        "apikey header"
    );
}

/// Decodes a documented example into a typed value (the example must fit the type).
fn typed<T: serde::de::DeserializeOwned>(example: &Value) -> T {
    serde_json::from_value(example.clone())
        .expect("documented example decodes into the generated type")
}

#[tokio::test]
async fn get_vendor_registrations() {
    let server = RecordingServer::start().await;
    let answer = response_example("/vendorregistration", "get");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .get_vendor_registrations()
        .provider_id("0b6f7d0e-6c1f-4c5e-9a56-3f4bd1a7c2e1")
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(
        &req,
        "GET",
        "/vendorregistration",
        Some("providerId=0b6f7d0e-6c1f-4c5e-9a56-3f4bd1a7c2e1"),
    );
    assert!(req.body.is_empty());
    assert_eq!(got, typed::<Vec<types::VendorRegistration>>(&answer));
    assert_eq!(got[0].plz.as_ref().map(|p| p.as_str()), Some("5000"));
}

#[tokio::test]
async fn create_vendor_registration() {
    let server = RecordingServer::start().await;
    let body = request_example("/vendorregistration", "post");
    let answer = response_example("/vendorregistration", "post");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .create_vendor_registration()
        .body(typed::<types::VendorRegistrationRequest>(&body))
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(&req, "POST", "/vendorregistration", None);
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.json(), body);
    assert_eq!(got, typed::<types::VendorRegistrationCreated>(&answer));
    assert_eq!(got.apikey.as_str(), "ak_3f9c2b7e51d04a8c9e6f1b2d7a4c8e05");
}

#[tokio::test]
async fn update_vendor_registration() {
    let server = RecordingServer::start().await;
    let body = request_example("/vendorregistration", "put");
    let answer = response_example("/vendorregistration", "put");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .update_vendor_registration()
        .body(typed::<types::VendorRegistrationRequest>(&body))
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(&req, "PUT", "/vendorregistration", None);
    assert_eq!(req.json(), body);
    assert_eq!(got, typed::<types::VendorRegistration>(&answer));
}

#[tokio::test]
async fn regenerate_api_key() {
    let server = RecordingServer::start().await;
    let answer = response_example("/vendorregistration/regenerateapikey", "post");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .regenerate_api_key()
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(&req, "POST", "/vendorregistration/regenerateapikey", None);
    assert!(req.body.is_empty());
    assert_eq!(got, typed::<types::ApiKey>(&answer));
}

#[tokio::test]
async fn list_application_configurations() {
    let server = RecordingServer::start().await;
    let answer = response_example("/applicationconfig", "get");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .list_application_configurations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(&server.only_request(), "GET", "/applicationconfig", None);
    assert_eq!(got, typed::<Vec<types::ApplicationConfiguration>>(&answer));
}

#[tokio::test]
async fn create_or_update_application_configuration() {
    let server = RecordingServer::start().await;
    let body = request_example("/applicationconfig", "post");
    let answer = response_example("/applicationconfig", "post");
    server.answer(200, Some(answer.clone()));
    let client = server.client();

    let created = client
        .create_or_update_application_configuration()
        .body(typed::<types::ApplicationConfigurationRequest>(&body))
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(&req, "POST", "/applicationconfig", None);
    assert_eq!(req.json(), body);
    assert_eq!(created, typed::<types::ApplicationConfigurationId>(&answer));

    let appid = created.appid.to_string();
    client
        .create_or_update_application_configuration()
        .appid(uuid_of(&appid))
        .body(typed::<types::ApplicationConfigurationRequest>(&body))
        .send()
        .await
        .unwrap();
    assert_request(
        &server.only_request(),
        "POST",
        "/applicationconfig",
        Some(&format!("appid={appid}")),
    );
}

fn uuid_of(text: &str) -> uuid::Uuid {
    text.parse().unwrap()
}

#[tokio::test]
async fn delete_application_configuration() {
    let server = RecordingServer::start().await;
    let appid = "f8bc07f6-3e6c-4d92-97a2-82c9f2ece44b";
    let got = server
        .client()
        .delete_application_configuration()
        .appid(uuid_of(appid))
        .send()
        .await
        .unwrap();
    assert_request(
        &server.only_request(),
        "DELETE",
        "/applicationconfig",
        Some(&format!("appid={appid}")),
    );
    assert_eq!(got.status(), 200);
}

#[tokio::test]
async fn list_municipalities() {
    let server = RecordingServer::start().await;
    let answer = response_example("/municipalities", "get");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .list_municipalities()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(&server.only_request(), "GET", "/municipalities", None);
    assert_eq!(got, typed::<Vec<types::Municipality>>(&answer));
    assert_eq!(got[0].munid.to_string(), "1");
    assert_eq!(got[0].mun_name, "Aarau");
}

#[tokio::test]
async fn list_processes() {
    let server = RecordingServer::start().await;
    let answer = response_example("/processes", "get");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .list_processes()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(&server.only_request(), "GET", "/processes", None);
    assert_eq!(got[0].process_id.get(), 7310);
    assert_eq!(got[0].process_name, "Hauptwohnsitzbescheinigung bestellen");
}

#[tokio::test]
async fn list_webhook_configurations() {
    let server = RecordingServer::start().await;
    let answer = response_example("/webhookconfig", "get");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .list_webhook_configurations()
        .whid("A123123")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &server.only_request(),
        "GET",
        "/webhookconfig",
        Some("whid=A123123"),
    );
    assert_eq!(got, typed::<Vec<types::WebhookConfiguration>>(&answer));
    assert_eq!(got[0].whid.as_str(), "A123123");
}

#[tokio::test]
async fn create_webhook_configuration() {
    let server = RecordingServer::start().await;
    let body = request_example("/webhookconfig", "post");
    server.answer(200, Some(response_example("/webhookconfig", "post")));
    let got = server
        .client()
        .create_webhook_configuration()
        .body(typed::<types::WebhookConfigurationRequest>(&body))
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(&req, "POST", "/webhookconfig", None);
    assert_eq!(req.json(), body);
    assert_eq!(got.whid(), "20");
}

#[tokio::test]
async fn delete_webhook_configuration() {
    let server = RecordingServer::start().await;
    server
        .client()
        .delete_webhook_configuration()
        .whid("A123123")
        .send()
        .await
        .unwrap();
    let req = server.only_request();
    assert_request(&req, "DELETE", "/webhookconfig", Some("whid=A123123"));
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn update_webhook_configuration() {
    let server = RecordingServer::start().await;
    let body = request_example("/webhookconfig", "patch");
    let answer = response_example("/webhookconfig", "patch");
    server.answer(200, Some(answer.clone()));
    let got = server
        .client()
        .update_webhook_configuration()
        .whid("A123123")
        .body(typed::<types::WebhookConfigurationRequest>(&body))
        .send()
        .await
        .unwrap()
        .into_inner();
    let req = server.only_request();
    assert_request(&req, "PATCH", "/webhookconfig", Some("whid=A123123"));
    assert_eq!(req.json(), body);
    assert_eq!(got, typed::<types::WebhookConfiguration>(&answer));
}

#[tokio::test]
async fn update_task_status() {
    let server = RecordingServer::start().await;
    let body = request_example("/statusupdate", "post");
    server
        .client()
        .update_task_status()
        .body(typed::<types::StatusUpdate>(&body))
        .send()
        .await
        .unwrap();
    let req = server.only_request();
    assert_request(&req, "POST", "/statusupdate", None);
    assert_eq!(req.json(), json!({"uniqueId": 123, "newStatus": "done"}));
}

#[tokio::test]
async fn submit_document() {
    let server = RecordingServer::start().await;
    let body = request_example("/document", "post");
    server
        .client()
        .submit_document()
        .body(typed::<types::DocumentSubmission>(&body))
        .send()
        .await
        .unwrap();
    let req = server.only_request();
    assert_request(&req, "POST", "/document", None);
    assert_eq!(req.json(), body);
    assert_eq!(
        req.json()["uniqueId"],
        json!("1234567"),
        "the documented string id is sent as a string"
    );
}
