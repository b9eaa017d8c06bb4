//! The documented legacy spellings: the client accepts each of them and the
//! canonical one, and answers the same.

mod support;

use serde_json::json;
use smartservice_client::types;
use support::RecordingServer;

async fn created_whid(answer: serde_json::Value) -> String {
    let server = RecordingServer::start().await;
    server.answer(200, Some(answer));
    let body = serde_json::from_value::<types::WebhookConfigurationRequest>(
        support::request_example("/webhookconfig", "post"),
    )
    .unwrap();
    server
        .client()
        .create_webhook_configuration()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
        .whid()
}

#[tokio::test]
async fn create_webhook_accepts_whid_with_colon_and_integer() {
    assert_eq!(created_whid(json!({"whid:": 20})).await, "20");
    assert_eq!(created_whid(json!({"whid:": "A123123"})).await, "A123123");
}

#[tokio::test]
async fn create_webhook_accepts_canonical_whid() {
    assert_eq!(created_whid(json!({"whid": "A123123"})).await, "A123123");
}

fn webhook(extra: serde_json::Value) -> types::WebhookConfiguration {
    let mut value = json!({"whid": "A1", "whname": "n", "applicationId": "d0db4b13-20d4-42c3-8268-37db22b36f98"});
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(value).expect("decodes")
}

#[test]
fn webhook_municipality_id_accepts_both_spellings() {
    let canonical = webhook(json!({"municipalityId": 1}));
    let legacy = webhook(json!({"municipalityid": 1}));
    assert_eq!(canonical.municipality_id, legacy.municipality_id);
    assert_eq!(legacy.municipality_id.unwrap().to_string(), "1");
    // Re-serialised, the legacy spelling comes out canonical.
    assert_eq!(
        serde_json::to_value(webhook(json!({"municipalityid": 1}))).unwrap()["municipalityId"],
        json!(1)
    );
}

#[test]
fn webhook_municipality_id_may_be_an_application_uuid() {
    let test_municipality =
        webhook(json!({"municipalityid": "d0db4b13-20d4-42c3-8268-37db22b36f98"}));
    assert!(matches!(
        test_municipality.municipality_id,
        Some(types::MunicipalityId::Uuid(_))
    ));
}

#[test]
fn webhook_processes_accept_the_single_legacy_process() {
    assert_eq!(
        webhook(json!({"process": "7310"})).process_ids(),
        vec!["7310"]
    );
    assert_eq!(
        webhook(json!({"processes": ["7310", "7311"]})).process_ids(),
        vec!["7310", "7311"]
    );
    assert_eq!(
        webhook(json!({"processes": ["7310"], "process": "7310"})).process_ids(),
        vec!["7310"]
    );
}

#[test]
fn application_process_accepts_processid_and_process_id() {
    let legacy: types::ApplicationProcessEntry =
        serde_json::from_value(json!({"processid": "7310"})).unwrap();
    let canonical: types::ApplicationProcessEntry =
        serde_json::from_value(json!({"processId": "7310"})).unwrap();
    assert_eq!(legacy.id(), Some("7310"));
    assert_eq!(legacy, canonical);
}

#[test]
fn document_task_reference_accepts_string_and_integer() {
    for id in [json!("1234567"), json!(1234567)] {
        let doc: types::DocumentSubmission = serde_json::from_value(json!({
            "uniqueId": id, "documentName": "a.pdf", "documentType": "t", "documentBase64": "aGk="
        }))
        .unwrap();
        assert_eq!(doc.unique_id.to_string(), "1234567");
    }
}
