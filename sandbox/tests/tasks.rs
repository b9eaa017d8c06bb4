//! Tasks end to end: dispatch to matching webhooks with their extras, retries,
//! the address query, failed refunds, status transitions, documents, and
//! redelivery after a restart.

mod common;

use std::time::Duration;

use common::{Harness, Receiver, address_data, closed_port, typed};
use serde_json::{Value, json};
use smartservice_client::types;
use smartservice_sandbox::{Config, Sandbox};

fn id_of(task: &Value) -> u64 {
    task["uniqueId"].as_u64().expect("a task id")
}

#[tokio::test]
async fn a_task_goes_to_every_matching_webhook_with_its_extras() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let matching = Receiver::start().await;
    let second = Receiver::start().await;
    let elsewhere = Receiver::start().await;
    let other_process = Receiver::start().await;
    h.webhook(&vendor, &app, json!(1), &matching.url, json!({
        "httprequestheaders": [{"key": "X-Customer", "value": "gemeinde-aarau"}, {"key": "X-Token", "value": "s3cret"}, {"key": "X-Ort", "value": "Zürich"}],
        "httprequestparameter": [{"key": "tenant", "value": "aarau"}, {"key": "q", "value": "a b&c"}],
        "httprequestbody": [{"key": "source", "value": "smartservice"}, {"key": "uniqueId", "value": "not replaced"}]
    })).await;
    h.webhook(&vendor, &app, json!(1), &second.url, json!({}))
        .await;
    h.webhook(&vendor, &app, json!(3), &elsewhere.url, json!({}))
        .await;
    let body = json!({"whname": "x", "applicationId": app, "municipalityId": 1, "processes": ["7312"], "callbackUrl": other_process.url});
    vendor
        .client
        .create_webhook_configuration()
        .body(typed::<types::WebhookConfigurationRequest>(body))
        .send()
        .await
        .unwrap();

    let task = h
        .submit(7310, json!(1), json!({"personaldata": {"lastname": "Meier", "firstname": "Anna"}, "comments": "Bitte zwei Exemplare."}))
        .await;
    let id = id_of(&task);
    let log = h.settled(id, 2).await;
    assert_eq!(log.len(), 2, "{log:#?}");
    assert!(
        log.iter()
            .all(|d| d["state"] == "delivered" && d["event"] == "submitted")
    );
    assert!(
        elsewhere.calls().is_empty(),
        "another municipality's webhook is not called"
    );
    assert!(
        other_process.calls().is_empty(),
        "another process's webhook is not called"
    );
    assert_eq!(second.calls().len(), 1);

    let calls = matching.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.headers["x-customer"], "gemeinde-aarau");
    assert_eq!(call.headers["x-token"], "s3cret");
    assert_eq!(call.headers["x-ort"].as_bytes(), "Zürich".as_bytes());
    assert_eq!(call.headers["content-type"], "application/json");
    assert_eq!(call.query.as_deref(), Some("tenant=aarau&q=a+b%26c"));
    assert_eq!(call.body["source"], "smartservice");
    assert_eq!(
        call.body["uniqueId"], id,
        "extras never replace payload fields"
    );
    // The payload is a CallbackPayload, with what the citizen entered.
    let payload: types::CallbackPayload =
        serde_json::from_value(call.body.clone()).expect("a CallbackPayload");
    assert_eq!(payload.unique_id.get(), id);
    assert_eq!(payload.status, types::TaskStatus::New);
    assert_eq!(payload.process_id.as_str(), "7310");
    assert_eq!(payload.process_name, "Hauptwohnsitzbescheinigung bestellen");
    assert_eq!(payload.municipality_name, "Aarau");
    assert_eq!(payload.municipality_id.to_string(), "1");
    assert_eq!(payload.personaldata.lastname, "Meier");
    assert_eq!(payload.comments.as_deref(), Some("Bitte zwei Exemplare."));
    assert!(
        payload.residencesince.is_some(),
        "the residence certificate carries residencesince"
    );
    assert_eq!(
        payload.cantonreference.as_deref(),
        Some(format!("N{id}").as_str())
    );
    assert_eq!(payload.deliveryandpayment.deliverymethod, "post");
    assert_eq!(payload.payment_status.as_deref(), Some("paid"));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_every_attempt_logged() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let flaky = Receiver::start().await;
    flaky.then(500, Value::Null);
    flaky.then(503, json!({"error": "busy"}));
    h.webhook(&vendor, &app, json!(app), &flaky.url, json!({}))
        .await;
    let down = closed_port().await;
    h.webhook(
        &vendor,
        &app,
        json!(app),
        &format!("http://127.0.0.1:{down}/hook"),
        json!({}),
    )
    .await;

    let id = id_of(&h.submit(7311, json!(app), json!({})).await);
    let log = h.settled(id, 2).await;
    let delivered = log
        .iter()
        .find(|d| d["state"] == "delivered")
        .expect("the flaky receiver got it");
    let statuses: Vec<Value> = delivered["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(500), json!(503), json!(200)]);
    assert!(
        delivered["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    assert!(delivered["attempts"][2].get("error").is_none());
    assert_eq!(flaky.calls().len(), 3);
    assert!(
        flaky.calls().iter().all(|c| c.body["uniqueId"] == id),
        "the same task each time"
    );

    // Nobody listens: every attempt fails, then the delivery is marked failed.
    let failed = log
        .iter()
        .find(|d| d["state"] == "failed")
        .expect("the closed port's delivery failed");
    let attempts = failed["attempts"].as_array().unwrap();
    assert_eq!(
        attempts.len(),
        Config::ephemeral().delivery.max_attempts as usize
    );
    assert!(
        attempts
            .iter()
            .all(|a| a["error"].as_str().unwrap().contains("connection")),
        "{attempts:#?}"
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_retried() {
    let mut config = Config::ephemeral();
    config.delivery.timeout = Duration::from_millis(300);
    let h = Harness::with_config(config).await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    // A receiver that accepts the connection and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    h.webhook(
        &vendor,
        &app,
        json!(app),
        &format!("http://127.0.0.1:{port}/"),
        json!({}),
    )
    .await;
    let id = id_of(&h.submit(7312, json!(app), json!({})).await);
    let log = h.settled(id, 1).await;
    assert_eq!(log[0]["state"], "failed");
    assert!(log[0]["attempts"].as_array().unwrap().len() > 1);
    assert!(
        log[0]["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{log:#?}"
    );
    hold.abort();
}

#[tokio::test]
async fn the_address_query_answer_goes_back_to_the_citizen() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let receiver = Receiver::start().await;
    // First an answer that is no AddressData, then a valid one.
    receiver.then(200, json!({"firstname": "Erika"}));
    receiver.always(200, address_data());
    h.webhook(&vendor, &app, json!(app), &receiver.url, json!({}))
        .await;

    let id = id_of(
        &h.submit(7313, json!(app), json!({"ahvnumber": "756.1234.5678.97"}))
            .await,
    );
    let log = h.settled(id, 1).await;
    assert_eq!(log[0]["state"], "delivered");
    let attempts = log[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    let reason = attempts[0]["error"].as_str().unwrap();
    assert!(reason.contains("invalid AddressData answer"), "{reason}");
    assert!(
        reason.contains("id_subject") || reason.contains("required"),
        "{reason}"
    );
    assert_eq!(receiver.calls()[0].body["ahvnumber"], "756.1234.5678.97");

    let task = h.task(id).await;
    assert_eq!(task["addressData"], address_data());
    let page = h.raw("GET", &format!("/forms/tasks/{id}"), &[], None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Adressauskunft"));
    assert!(
        page.text.contains("Bahnhofstrasse") && page.text.contains("4711"),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn an_address_query_without_a_valid_answer_fails() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let receiver = Receiver::start().await; // answers 200 without a body
    h.webhook(&vendor, &app, json!(app), &receiver.url, json!({}))
        .await;
    let id = id_of(&h.submit(7313, json!(app), json!({})).await);
    let log = h.settled(id, 1).await;
    assert_eq!(log[0]["state"], "failed");
    assert!(
        log[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("invalid AddressData answer")
    );
    assert!(h.task(id).await["addressData"].is_null());
}

#[tokio::test]
async fn status_transitions_follow_the_rules() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let update = |id: u64, status: &str| {
        let body = json!({"uniqueId": id, "newStatus": status});
        let apikey = vendor.apikey.clone();
        let h = &h;
        async move {
            h.json("POST", "/statusupdate", Some(&apikey), Some(body))
                .await
        }
    };
    // (path through the states, whether the last step is allowed)
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (vec!["inprogress"], true),
        (vec!["inprogress", "done"], true),
        (vec!["done"], true),
        (vec!["refund"], true),
        (vec!["inprogress", "refund"], true),
        (vec!["new"], false),
        (vec!["inprogress", "inprogress"], false),
        (vec!["inprogress", "new"], false),
        (vec!["done", "refund"], false),
        (vec!["done", "inprogress"], false),
        (vec!["done", "done"], false),
        (vec!["refund", "new"], false),
        (vec!["refund", "done"], false),
        (vec!["inprogress", "refund", "inprogress"], false),
    ];
    for (path, allowed) in cases {
        let id = id_of(&h.submit(7312, json!(app), json!({})).await);
        let (last, before) = path.split_last().unwrap();
        for step in before {
            let answer = update(id, step).await;
            assert_eq!(answer.status, 200, "{path:?} step {step}: {}", answer.text);
        }
        let answer = update(id, last).await;
        if allowed {
            assert_eq!(answer.status, 200, "{path:?}: {}", answer.text);
            assert_eq!(h.task(id).await["status"], *last);
        } else {
            assert_eq!(answer.status, 400, "{path:?}: {}", answer.text);
            assert_eq!(answer.body["field"], "/newStatus");
            let from = before.last().copied().unwrap_or("new");
            let message = answer.body["message"].as_str().unwrap();
            assert!(message.contains(&format!("{from} -> {last}")), "{message}");
            assert_eq!(h.task(id).await["status"], from);
        }
    }
    // The history records each change.
    let id = id_of(&h.submit(7312, json!(app), json!({})).await);
    update(id, "inprogress").await;
    update(id, "done").await;
    let history: Vec<Value> = h.task(id).await["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    assert_eq!(
        history,
        vec![json!("new"), json!("inprogress"), json!("done")]
    );
}

#[tokio::test]
async fn documents_are_stored_and_listed_on_the_task() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let id = id_of(&h.submit(7310, json!(app), json!({})).await);
    let pdf = b"%PDF-1.4\n%\xc3\xa4\n".to_vec();
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    vendor
        .client
        .submit_document()
        .body(typed::<types::DocumentSubmission>(json!({
            "uniqueId": id.to_string(), "documentName": "bescheinigung.pdf",
            "documentType": "Hauptwohnsitzbescheinigung", "documentBase64": encoded
        })))
        .send()
        .await
        .unwrap();
    vendor
        .client
        .submit_document()
        .body(typed::<types::DocumentSubmission>(json!({
            "uniqueId": id, "documentName": "beilage.txt", "documentType": "Beilage", "documentBase64": "aGk="
        })))
        .send()
        .await
        .unwrap();
    let task = h.task(id).await;
    let docs = task["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["documentName"], "bescheinigung.pdf");
    assert_eq!(docs[0]["documentType"], "Hauptwohnsitzbescheinigung");
    assert_eq!(docs[0]["size"], pdf.len());
    assert_eq!(docs[1]["size"], 2);
    let download = h
        .http
        .get(h.url(&format!("/forms/tasks/{id}/documents/{}", docs[0]["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
    // Unknown task.
    let answer = h
        .json("POST", "/document", Some(&vendor.apikey), Some(json!({"uniqueId": "99999999", "documentName": "a", "documentType": "b", "documentBase64": "aGk="})))
        .await;
    assert_eq!(
        (answer.status, answer.body["field"].as_str()),
        (400, Some("/uniqueId"))
    );
}

#[tokio::test]
async fn deleted_webhooks_and_applications_are_not_called() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let other_app = h.application(&vendor, "Other").await;
    let deleted_hook = Receiver::start().await;
    let deleted_app = Receiver::start().await;
    let kept = Receiver::start().await;
    let whid = h
        .webhook(&vendor, &app, json!(2), &deleted_hook.url, json!({}))
        .await;
    h.webhook(&vendor, &other_app, json!(2), &deleted_app.url, json!({}))
        .await;
    h.webhook(&vendor, &app, json!(2), &kept.url, json!({}))
        .await;
    vendor
        .client
        .delete_webhook_configuration()
        .whid(whid.as_str())
        .send()
        .await
        .unwrap();
    vendor
        .client
        .delete_application_configuration()
        .appid(other_app.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        vendor
            .client
            .list_webhook_configurations()
            .send()
            .await
            .unwrap()
            .into_inner()
            .len(),
        1
    );
    let id = id_of(&h.submit(7310, json!(2), json!({})).await);
    let log = h.settled(id, 1).await;
    assert_eq!(log.len(), 1);
    assert_eq!(kept.calls().len(), 1);
    assert!(deleted_hook.calls().is_empty() && deleted_app.calls().is_empty());
    // The deleted application's test municipality is gone too.
    let answer = h
        .json(
            "POST",
            "/sandbox/tasks",
            None,
            Some(json!({"processId": 7310, "municipalityId": other_app})),
        )
        .await;
    assert_eq!(
        (answer.status, answer.body["field"].as_str()),
        (400, Some("/municipalityId"))
    );
}

#[tokio::test]
async fn pending_deliveries_of_a_deleted_webhook_are_cancelled() {
    let mut config = Config::ephemeral();
    config.delivery.initial_backoff = Duration::from_secs(30);
    config.delivery.max_backoff = Duration::from_secs(30);
    let h = Harness::with_config(config).await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let receiver = Receiver::start().await;
    receiver.always(500, Value::Null);
    let whid = h
        .webhook(&vendor, &app, json!(app), &receiver.url, json!({}))
        .await;
    let id = id_of(&h.submit(7310, json!(app), json!({})).await);
    for _ in 0..100 {
        if receiver.calls().len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    vendor
        .client
        .delete_webhook_configuration()
        .whid(whid.as_str())
        .send()
        .await
        .unwrap();
    let log = h.deliveries(id).await;
    assert_eq!(log[0]["state"], "cancelled");
    assert_eq!(log[0]["lastError"], "the webhook was deleted");
}

#[tokio::test]
async fn a_failed_refund_sends_the_task_again() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let receiver = Receiver::start().await;
    h.webhook(&vendor, &app, json!(app), &receiver.url, json!({}))
        .await;
    let id = id_of(&h.submit(7312, json!(app), json!({})).await);
    h.settled(id, 1).await;

    // Only a refunded task has a refund that can fail.
    let path = format!("/sandbox/tasks/{id}/refundfailure");
    let answer = h.json("POST", &path, None, None).await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let answer = h
        .json(
            "POST",
            "/statusupdate",
            Some(&vendor.apikey),
            Some(json!({"uniqueId": id, "newStatus": "refund"})),
        )
        .await;
    assert_eq!(answer.status, 200);
    let answer = h.json("POST", &path, None, None).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["payload"]["paymentRefundStatus"], "failed");

    let log = h.settled(id, 2).await;
    let refund = log
        .iter()
        .find(|d| d["event"] == "refund_failed")
        .expect("sent again");
    assert_eq!(refund["state"], "delivered");
    let calls = receiver.calls();
    assert_eq!(calls.len(), 2);
    let payload: types::CallbackPayload = serde_json::from_value(calls[1].body.clone()).unwrap();
    assert_eq!(payload.status, types::TaskStatus::Refund);
    assert_eq!(payload.payment_refund_status.as_deref(), Some("failed"));
    assert!(payload.payment_refund_id.is_some());
    assert_eq!(
        h.json("POST", "/sandbox/tasks/424242/refundfailure", None, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn pending_deliveries_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral();
    config.db = Some(dir.path().join("sandbox.db"));
    config.subscription_keys = vec!["restart-key".into()];
    config.delivery.max_attempts = 1000;
    config.delivery.max_backoff = Duration::from_millis(100);
    let port = closed_port().await;

    let h = Harness::with_config(config.clone()).await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    h.webhook(
        &vendor,
        &app,
        json!(app),
        &format!("http://127.0.0.1:{port}/hook"),
        json!({}),
    )
    .await;
    let id = id_of(
        &h.submit(
            7310,
            json!(app),
            json!({"personaldata": {"lastname": "Restart"}}),
        )
        .await,
    );
    for _ in 0..100 {
        if h.deliveries(id).await[0]["attempts"]
            .as_array()
            .unwrap()
            .len()
            >= 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(h.deliveries(id).await[0]["state"], "pending");
    h.sandbox.shutdown().await;

    // The receiver comes up; a new sandbox on the same database delivers.
    let receiver = Receiver::on_port(port).await;
    let again = Sandbox::start(config).await.unwrap();
    let h2 = Harness {
        sandbox: again,
        http: reqwest::Client::new(),
    };
    let log = h2.settled(id, 1).await;
    assert_eq!(log[0]["state"], "delivered");
    assert_eq!(receiver.calls().len(), 1);
    assert_eq!(
        receiver.calls()[0].body["personaldata"]["lastname"],
        "Restart"
    );
    // The vendor, its apikey and its data survived too.
    let apps = h2
        .json("GET", "/applicationconfig", Some(&vendor.apikey), None)
        .await;
    assert_eq!(apps.body[0]["appid"], app);
    h2.sandbox.shutdown().await;
}
