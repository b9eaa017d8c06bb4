//! The webhook receiver (feature `receiver`) against real HTTP calls on 127.0.0.1.
#![cfg(feature = "receiver")]

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use smartservice_client::receiver::{self, Callback, Reply};
use smartservice_client::types::AddressData;

fn task(unique_id: u64) -> Value {
    json!({
        "uniqueId": unique_id,
        "datereceived": "2022-12-31 23:59:59",
        "status": "new",
        "municipalityName": "Aarau",
        "municipalityId": 1,
        "processName": "Hauptwohnsitzbescheinigung bestellen",
        "processId": "7310",
        "personaldata": {"lastname": "Muster", "firstname": "Erika"},
        "deliveryandpayment": {"deliverymethod": "post", "payment": "paymentprovider"}
    })
}

fn address() -> AddressData {
    serde_json::from_value(json!({
        "id_subject": 4711, "firstname": "Erika", "lastname": "Muster",
        "street": "Bahnhofstrasse", "zip": 5000, "city": "Aarau"
    }))
    .unwrap()
}

/// Starts the receiver on 127.0.0.1:0; returns its URL and what the handler saw.
async fn start() -> (String, Arc<Mutex<Vec<Callback>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = receiver::router(move |callback: Callback| {
        let log = log.clone();
        async move {
            let address_query = callback.is_address_query();
            log.lock().unwrap().push(callback);
            if address_query {
                Reply::Address(address())
            } else {
                Reply::Acknowledge
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn a_task_is_decoded_with_its_configured_extras_and_acknowledged_with_204() {
    let (url, seen) = start().await;
    let mut body = task(42);
    body["source"] = json!("smartservice");
    let response = reqwest::Client::new()
        .post(format!("{url}/hooks/a?tenant=aarau&x=a%20b"))
        .header("X-Customer", "gemeinde-aarau")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let callback = &seen[0];
    assert_eq!(callback.payload.unique_id.to_string(), "42");
    assert_eq!(
        callback.extra_fields.get("source"),
        Some(&json!("smartservice"))
    );
    assert_eq!(
        callback.extra_fields.len(),
        1,
        "{:?}",
        callback.extra_fields
    );
    assert_eq!(callback.headers["x-customer"], "gemeinde-aarau");
    assert_eq!(callback.query_value("tenant"), Some("aarau"));
    assert_eq!(callback.query_value("x"), Some("a b"));
    assert_eq!(callback.path, "/hooks/a");
    assert!(!callback.is_address_query());
}

#[tokio::test]
async fn an_address_query_is_answered_with_the_handlers_address_data() {
    let (url, _) = start().await;
    let mut body = task(7);
    body["ahvnumber"] = json!("756.1234.5678.97");
    let response = reqwest::Client::new()
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: AddressData = response.json().await.unwrap();
    assert_eq!(answer, address());
}

#[tokio::test]
async fn bad_callbacks_get_400_with_the_reason_and_never_reach_the_handler() {
    let (url, seen) = start().await;
    let client = reqwest::Client::new();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("application/json", b"{not json".to_vec(), "not JSON"),
        ("application/json", b"[1,2]".to_vec(), "JSON object"),
        (
            "text/plain",
            serde_json::to_vec(&task(1)).unwrap(),
            "Content-Type",
        ),
        (
            "application/json",
            {
                let mut t = task(1);
                t.as_object_mut().unwrap().remove("personaldata");
                serde_json::to_vec(&t).unwrap()
            },
            "personaldata",
        ),
        (
            "application/json",
            {
                let mut t = task(1);
                t["datereceived"] = json!("yesterday");
                serde_json::to_vec(&t).unwrap()
            },
            "datereceived",
        ),
        ("application/json", vec![0xff, 0xfe, b'{'], "not JSON"),
    ];
    for (content_type, body, reason) in cases {
        let response = client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{reason}");
        let text = response.text().await.unwrap();
        assert!(text.contains(reason), "{reason} not in {text}");
    }
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn only_post_is_accepted() {
    let (url, _) = start().await;
    let response = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
}
