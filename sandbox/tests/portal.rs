//! The portal API of the sandbox, through the generated client and raw HTTP: every
//! operation's success, every error class, isolation between vendors, and apikey
//! regeneration.

#![allow(clippy::type_complexity)] // tables of cases

mod common;

use common::{Harness, typed};
use serde_json::{Value, json};
use smartservice_client::types;
use smartservice_client::{Error, ResponseValue};
use smartservice_sandbox::Config;

/// The status and error body of a failed call (panics on success).
fn failure<T: std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<types::Error>>,
) -> (u16, types::Error) {
    match result {
        Err(Error::ErrorResponse(answer)) => (answer.status().as_u16(), answer.into_inner()),
        other => panic!("expected an error answer, got {other:?}"),
    }
}

#[tokio::test]
async fn vendor_registration_create_read_replace() {
    let h = Harness::start().await;
    let created = h
        .sandbox
        .client()
        .create_vendor_registration()
        .body(typed::<types::VendorRegistrationRequest>(json!({
            "providerName": "Muster Software AG", "plz": "5000", "place": "Aarau",
            "address1": "Bahnhofstrasse 1", "address2": "Postfach", "phone": "+41 62 000 00 00",
            "email": "support@muster-software.ch", "website": "https://muster-software.ch"
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.provider_name, "Muster Software AG");
    assert_eq!(
        created.address3.as_deref(),
        Some(""),
        "fields never set are empty"
    );
    assert!(created.apikey.len() >= 16);
    let client = smartservice_client::Client::with_credentials(
        h.sandbox.base_url(),
        smartservice_client::Credentials::new(h.key()).with_api_key(created.apikey.to_string()),
    )
    .unwrap();

    let all = client
        .get_vendor_registrations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].provider_id.as_str(), created.provider_id.as_str());
    assert_eq!(
        all[0].website.as_deref(),
        Some("https://muster-software.ch")
    );
    let one = client
        .get_vendor_registrations()
        .provider_id(created.provider_id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(one, all);
    let none = client
        .get_vendor_registrations()
        .provider_id("someone-else")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(none.is_empty());

    // Replacement: what the body leaves out becomes empty.
    let replaced = client
        .update_vendor_registration()
        .body(typed::<types::VendorRegistrationRequest>(
            json!({"providerName": "Neu AG", "plz": "5001"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replaced.provider_name, "Neu AG");
    assert_eq!(replaced.plz.as_ref().map(|p| p.as_str()), Some("5001"));
    for field in [
        &replaced.place,
        &replaced.address1,
        &replaced.address2,
        &replaced.phone,
        &replaced.email,
        &replaced.website,
    ] {
        assert_eq!(field.as_deref(), Some(""));
    }
    let read = client
        .get_vendor_registrations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read, vec![replaced]);
}

#[tokio::test]
async fn regenerating_the_apikey_invalidates_the_old_one_at_once() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let fresh = vendor
        .client
        .regenerate_api_key()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_ne!(fresh.apikey.as_str(), vendor.apikey);
    let (status, body) = failure(vendor.client.list_application_configurations().send().await);
    assert_eq!(status, 401);
    assert_eq!(body.code, types::ErrorCode::Unauthorized);
    vendor
        .client
        .set_api_key(Some(fresh.apikey.as_str()))
        .unwrap();
    let apps = vendor
        .client
        .list_application_configurations()
        .send()
        .await
        .unwrap();
    assert!(apps.into_inner().is_empty());
    // The registration is the same vendor's.
    let me = vendor
        .client
        .get_vendor_registrations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me[0].provider_id.as_str(), vendor.provider_id);
}

#[tokio::test]
async fn reference_data() {
    let h = Harness::start().await;
    let processes = h
        .sandbox
        .client()
        .list_processes()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(processes.len(), 5);
    assert_eq!(processes[0].process_id.get(), 7310);
    assert_eq!(
        processes[0].process_name,
        "Hauptwohnsitzbescheinigung bestellen"
    );
    let names: Vec<&str> = processes.iter().map(|p| p.process_name.as_str()).collect();
    for name in [
        "Leumundszeugnis bestellen",
        "Heimatausweis bestellen",
        "Adressauskunft bestellen",
        "Wahlfähigkeisausweis bestellen",
    ] {
        assert!(names.contains(&name), "{name}");
    }

    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "Gemeindesoftware").await;
    let municipalities = vendor
        .client
        .list_municipalities()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(municipalities.len() >= 21);
    assert_eq!(
        serde_json::to_value(&municipalities[0]).unwrap(),
        json!({"munid": 1, "munName": "Aarau"})
    );
    let names: Vec<&str> = municipalities.iter().map(|m| m.mun_name.as_str()).collect();
    for largest in [
        "Aarau",
        "Wettingen",
        "Baden",
        "Wohlen",
        "Oftringen",
        "Rheinfelden",
        "Spreitenbach",
        "Brugg",
        "Zofingen",
        "Möhlin",
        "Suhr",
        "Lenzburg",
        "Rothrist",
        "Obersiggenthal",
        "Neuenhof",
        "Reinach",
        "Oberentfelden",
        "Aarburg",
        "Zurzach",
        "Muri",
        "Bremgarten",
        "Villmergen",
        "Windisch",
        "Buchs",
    ] {
        assert!(names.contains(&largest), "{largest}");
    }
    let test = municipalities.last().unwrap();
    assert_eq!(
        test.munid.to_string(),
        app,
        "the test municipality's id is the application id"
    );
    assert_eq!(test.mun_name, "Testgemeinde Gemeindesoftware");
}

#[tokio::test]
async fn applications_create_update_list_delete() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "First").await;
    let updated = vendor
        .client
        .create_or_update_application_configuration()
        .appid(app.parse::<uuid::Uuid>().unwrap())
        .body(typed::<types::ApplicationConfigurationRequest>(
            json!({"appName": "Renamed", "processes": [{"processId": "7313"}]}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.appid.to_string(), app, "an update keeps the id");
    let list = vendor
        .client
        .list_application_configurations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        json!([{"appid": app, "appName": "Renamed", "processes": [{"processId": "7313"}]}])
    );

    let (status, body) = failure(
        vendor
            .client
            .create_or_update_application_configuration()
            .appid(uuid::Uuid::new_v4())
            .body(typed::<types::ApplicationConfigurationRequest>(
                json!({"appName": "x", "processes": []}),
            ))
            .send()
            .await,
    );
    assert_eq!((status, body.field.as_deref()), (400, Some("appid")));
    let (status, body) = failure(
        vendor
            .client
            .create_or_update_application_configuration()
            .body(typed::<types::ApplicationConfigurationRequest>(
                json!({"appName": "x", "processes": [{"processId": "7310"}, {"processId": "999"}]}),
            ))
            .send()
            .await,
    );
    assert_eq!(
        (status, body.field.as_deref()),
        (400, Some("/processes/1/processId"))
    );
    assert!(body.message.contains("999"), "{}", body.message);

    vendor
        .client
        .delete_application_configuration()
        .appid(app.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        vendor
            .client
            .list_application_configurations()
            .send()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );
    let (status, body) = failure(
        vendor
            .client
            .delete_application_configuration()
            .appid(app.parse::<uuid::Uuid>().unwrap())
            .send()
            .await,
    );
    assert_eq!((status, body.field.as_deref()), (400, Some("appid")));
}

#[tokio::test]
async fn webhooks_create_list_update_delete() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let whid = h
        .webhook(
            &vendor,
            &app,
            json!(app),
            "http://127.0.0.1:9/hook",
            json!({
                "whcomment": "first",
                "httprequestheaders": [{"key": "X-Customer", "value": "aarau"}],
                "httprequestparameter": [{"key": "tenant", "value": "aarau"}],
                "httprequestbody": [{"key": "source", "value": "smartservice"}]
            }),
        )
        .await;
    let other = h
        .webhook(
            &vendor,
            &app,
            json!(1),
            "https://vendor.example.com/x",
            json!({}),
        )
        .await;
    let all = vendor
        .client
        .list_webhook_configurations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.len(), 2);
    let one = vendor
        .client
        .list_webhook_configurations()
        .whid(whid.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(one.len(), 1);
    assert_eq!(
        serde_json::to_value(&one[0]).unwrap(),
        json!({
            "whid": whid, "whname": "hook", "whcomment": "first", "applicationId": app,
            "municipalityId": app, "processes": ["7310", "7311", "7312", "7313", "7314"],
            "callbackUrl": "http://127.0.0.1:9/hook",
            "httprequestheaders": [{"key": "X-Customer", "value": "aarau"}],
            "httprequestparameter": [{"key": "tenant", "value": "aarau"}],
            "httprequestbody": [{"key": "source", "value": "smartservice"}]
        })
    );
    assert!(
        vendor
            .client
            .list_webhook_configurations()
            .whid("nope")
            .send()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );

    // PATCH: given fields replace, optional ones left out keep their value. (Raw
    // JSON: the generated client leaves an empty list out, so it cannot clear one.)
    let answer = h
        .json(
            "PATCH",
            &format!("/webhookconfig?whid={whid}"),
            Some(&vendor.apikey),
            Some(json!({
                "whname": "renamed", "applicationId": app, "municipalityId": 3,
                "processes": ["7313"], "callbackUrl": "http://127.0.0.1:9/other",
                "httprequestbody": []
            })),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let _: types::WebhookConfiguration = serde_json::from_value(answer.body.clone()).unwrap();
    let patched = answer.body;
    assert_eq!(patched["whname"], "renamed");
    assert_eq!(patched["municipalityId"], 3);
    assert_eq!(patched["processes"], json!(["7313"]));
    assert_eq!(patched["whcomment"], "first");
    assert_eq!(
        patched["httprequestheaders"],
        json!([{"key": "X-Customer", "value": "aarau"}])
    );
    // Cleared (the generated type leaves an empty list out of the answer).
    assert!(
        patched["httprequestbody"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{patched}"
    );

    vendor
        .client
        .delete_webhook_configuration()
        .whid(other.as_str())
        .send()
        .await
        .unwrap();
    let left = vendor
        .client
        .list_webhook_configurations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(left.len(), 1);
    let (status, body) = failure(
        vendor
            .client
            .delete_webhook_configuration()
            .whid(other.as_str())
            .send()
            .await,
    );
    assert_eq!((status, body.field.as_deref()), (400, Some("whid")));
    let (status, body) = failure(
        vendor
            .client
            .update_webhook_configuration()
            .whid("unknown")
            .body(typed::<types::WebhookConfigurationRequest>(json!({
                "whname": "x", "applicationId": app, "municipalityId": 1, "processes": ["7310"],
                "callbackUrl": "http://127.0.0.1:9/"
            })))
            .send()
            .await,
    );
    assert_eq!((status, body.field.as_deref()), (400, Some("whid")));
}

#[tokio::test]
async fn webhook_references_must_exist() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let base = json!({"whname": "x", "applicationId": app, "municipalityId": 1, "processes": ["7310"], "callbackUrl": "http://127.0.0.1:9/"});
    for (change, field) in [
        (
            json!({"applicationId": uuid::Uuid::new_v4()}),
            "/applicationId",
        ),
        (json!({"municipalityId": 999}), "/municipalityId"),
        (
            json!({"municipalityId": uuid::Uuid::new_v4()}),
            "/municipalityId",
        ),
        (json!({"processes": ["7310", "1234"]}), "/processes/1"),
    ] {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let answer = h
            .json("POST", "/webhookconfig", Some(&vendor.apikey), Some(body))
            .await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        assert_eq!(answer.body["field"], field, "{}", answer.text);
        assert_eq!(answer.body["code"], "bad_request");
    }
}

#[tokio::test]
async fn a_vendor_sees_and_changes_only_its_own() {
    let h = Harness::start().await;
    let a = h.vendor("A").await;
    let b = h.vendor("B").await;
    let app = h.application(&a, "A's app").await;
    let whid = h
        .webhook(&a, &app, json!(app), "http://127.0.0.1:9/", json!({}))
        .await;

    assert!(
        b.client
            .list_application_configurations()
            .send()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );
    assert!(
        b.client
            .list_webhook_configurations()
            .send()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );
    assert!(
        b.client
            .list_webhook_configurations()
            .whid(whid.as_str())
            .send()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );
    let b_municipalities = b
        .client
        .list_municipalities()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        b_municipalities.iter().all(|m| m.munid.to_string() != app),
        "A's test municipality is A's"
    );
    assert!(
        b.client
            .get_vendor_registrations()
            .provider_id(a.provider_id.as_str())
            .send()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );
    let mine = b
        .client
        .get_vendor_registrations()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].provider_name, "B");

    let appid = app.parse::<uuid::Uuid>().unwrap();
    let (status, _) = failure(
        b.client
            .delete_application_configuration()
            .appid(appid)
            .send()
            .await,
    );
    assert_eq!(status, 400);
    let (status, _) = failure(
        b.client
            .create_or_update_application_configuration()
            .appid(appid)
            .body(typed::<types::ApplicationConfigurationRequest>(
                json!({"appName": "stolen", "processes": []}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    let (status, _) = failure(
        b.client
            .delete_webhook_configuration()
            .whid(whid.as_str())
            .send()
            .await,
    );
    assert_eq!(status, 400);
    let answer = h
        .json(
            "POST",
            "/webhookconfig",
            Some(&b.apikey),
            Some(json!({
                "whname": "x", "applicationId": app, "municipalityId": app, "processes": ["7310"],
                "callbackUrl": "http://127.0.0.1:9/"
            })),
        )
        .await;
    assert_eq!(
        (answer.status, answer.body["field"].as_str()),
        (400, Some("/applicationId"))
    );

    // A's task: B can neither update it nor attach documents to it.
    let task = h.submit(7310, json!(app), json!({})).await;
    let id = task["uniqueId"].as_u64().unwrap();
    let answer = h
        .json(
            "POST",
            "/statusupdate",
            Some(&b.apikey),
            Some(json!({"uniqueId": id, "newStatus": "inprogress"})),
        )
        .await;
    assert_eq!(
        (answer.status, answer.body["field"].as_str()),
        (400, Some("/uniqueId"))
    );
    let answer = h
        .json("POST", "/document", Some(&b.apikey), Some(json!({"uniqueId": id, "documentName": "a.pdf", "documentType": "x", "documentBase64": "aGk="})))
        .await;
    assert_eq!(
        (answer.status, answer.body["field"].as_str()),
        (400, Some("/uniqueId"))
    );
    // A still owns everything.
    assert_eq!(
        a.client
            .list_application_configurations()
            .send()
            .await
            .unwrap()
            .into_inner()[0]
            .app_name,
        "A's app"
    );
    assert_eq!(
        a.client
            .list_webhook_configurations()
            .send()
            .await
            .unwrap()
            .into_inner()
            .len(),
        1
    );
    let answer = h
        .json(
            "POST",
            "/statusupdate",
            Some(&a.apikey),
            Some(json!({"uniqueId": id, "newStatus": "inprogress"})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn missing_or_wrong_keys_are_401() {
    let mut config = Config::ephemeral();
    config.subscription_keys = vec!["key-one".into(), "key-two".into()];
    let h = Harness::with_config(config).await;
    let vendor = h.vendor("A").await;
    let bearer = format!("Bearer {}", vendor.apikey);
    let cases: Vec<(&str, &str, Vec<(&str, &str)>)> = vec![
        ("GET", "/processes", vec![]),
        (
            "GET",
            "/processes",
            vec![("Ocp-Apim-Subscription-Key", "wrong")],
        ),
        (
            "POST",
            "/vendorregistration",
            vec![("Ocp-Apim-Subscription-Key", "")],
        ),
        (
            "GET",
            "/applicationconfig",
            vec![("Ocp-Apim-Subscription-Key", "key-one")],
        ),
        (
            "GET",
            "/applicationconfig",
            vec![
                ("Ocp-Apim-Subscription-Key", "key-one"),
                ("Authorization", "Bearer ak_wrong"),
            ],
        ),
        (
            "GET",
            "/applicationconfig",
            vec![
                ("Ocp-Apim-Subscription-Key", "key-one"),
                ("Authorization", &vendor.apikey),
            ],
        ),
        (
            "GET",
            "/applicationconfig",
            vec![("Authorization", &bearer)],
        ),
        // The apikey of a vendor registered under another subscription.
        (
            "GET",
            "/applicationconfig",
            vec![
                ("Ocp-Apim-Subscription-Key", "key-two"),
                ("Authorization", &bearer),
            ],
        ),
        ("GET", "/sandbox/deliveries", vec![]),
    ];
    for (method, path, headers) in cases {
        let answer = h.raw(method, path, &headers, None).await;
        assert_eq!(
            answer.status, 401,
            "{method} {path} {headers:?}: {}",
            answer.text
        );
        assert_eq!(answer.body["code"], "unauthorized");
        assert!(!answer.text.contains("key-one") && !answer.text.contains(&vendor.apikey));
    }
    let ok = h
        .raw(
            "GET",
            "/applicationconfig",
            &[
                ("Ocp-Apim-Subscription-Key", "key-one"),
                ("Authorization", &bearer),
            ],
            None,
        )
        .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn malformed_requests_are_400_naming_the_field() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let key = h.key().to_string();
    let bearer = format!("Bearer {}", vendor.apikey);
    let headers = [
        ("Ocp-Apim-Subscription-Key", key.as_str()),
        ("Authorization", bearer.as_str()),
    ];
    let hook = |change: Value| {
        let mut body = json!({"whname": "x", "applicationId": app, "municipalityId": 1, "processes": ["7310"], "callbackUrl": "http://127.0.0.1:9/"});
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        serde_json::to_vec(&body).unwrap()
    };
    let cases: Vec<(&str, &str, Vec<u8>, &str, Option<&str>)> = vec![
        // bad JSON
        ("POST", "/vendorregistration", b"{\"providerName\": ".to_vec(), "application/json", None),
        // wrong type
        ("POST", "/vendorregistration", br#"{"providerName": 5}"#.to_vec(), "application/json", Some("/providerName")),
        // missing required field
        ("POST", "/vendorregistration", br#"{"plz": "5000"}"#.to_vec(), "application/json", Some("/providerName")),
        // pattern
        ("PUT", "/vendorregistration", br#"{"providerName": "x", "plz": "50000"}"#.to_vec(), "application/json", Some("/plz")),
        // bad enum
        ("POST", "/statusupdate", br#"{"uniqueId": 1, "newStatus": "finished"}"#.to_vec(), "application/json", Some("/newStatus")),
        // bad base64
        ("POST", "/document", br#"{"uniqueId": "1", "documentName": "a", "documentType": "b", "documentBase64": "not base64!"}"#.to_vec(), "application/json", Some("/documentBase64")),
        // bad uri
        ("POST", "/webhookconfig", hook(json!({"callbackUrl": "not a url"})), "application/json", Some("/callbackUrl")),
        // bad header name in the extras
        ("POST", "/webhookconfig", hook(json!({"httprequestheaders": [{"key": "bad header", "value": "x"}]})), "application/json", Some("/httprequestheaders/0/key")),
        // unknown id
        ("POST", "/statusupdate", br#"{"uniqueId": 999999, "newStatus": "done"}"#.to_vec(), "application/json", Some("/uniqueId")),
        // not JSON at all
        ("POST", "/applicationconfig", b"appName=x".to_vec(), "application/x-www-form-urlencoded", Some("Content-Type")),
        // an empty body where one is required
        ("POST", "/statusupdate", Vec::new(), "application/json", None),
        // JSON of the wrong shape
        ("POST", "/applicationconfig", b"[]".to_vec(), "application/json", Some("")),
    ];
    for (method, path, body, content_type, field) in cases {
        let answer = h
            .raw(method, path, &headers, Some((content_type, body.clone())))
            .await;
        assert_eq!(
            answer.status,
            400,
            "{method} {path} {}: {}",
            String::from_utf8_lossy(&body),
            answer.text
        );
        assert_eq!(answer.body["code"], "bad_request", "{}", answer.text);
        assert!(!answer.body["message"].as_str().unwrap_or("").is_empty());
        if let Some(field) = field {
            assert_eq!(
                answer.body["field"], field,
                "{method} {path}: {}",
                answer.text
            );
        }
    }
    // Query parameters.
    for (path, field) in [
        ("/applicationconfig?appid=nope", "appid"),
        ("/webhookconfig?whid=", "whid"),
        ("/webhookconfig", "whid"),
        ("/applicationconfig?appid=a&appid=b", "appid"),
    ] {
        let answer = h.raw("DELETE", path, &headers, None).await;
        assert_eq!(
            (answer.status, answer.body["field"].as_str()),
            (400, Some(field)),
            "{path}: {}",
            answer.text
        );
    }
    let answer = h
        .raw("GET", "/vendorregistration?providerId=", &headers, None)
        .await;
    assert_eq!(
        (answer.status, answer.body["field"].as_str()),
        (400, Some("providerId"))
    );
}

#[tokio::test]
async fn unknown_paths_methods_and_large_bodies() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let key = h.key().to_string();
    let bearer = format!("Bearer {}", vendor.apikey);
    let headers = [
        ("Ocp-Apim-Subscription-Key", key.as_str()),
        ("Authorization", bearer.as_str()),
    ];

    for path in ["/", "/nope", "/processes/", "/vendorregistration/x", "/%ff"] {
        let answer = h.raw("GET", path, &headers, None).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(answer.body["message"].as_str().is_some());
    }
    for (method, path, allow) in [
        ("PUT", "/webhookconfig", "GET, POST, PATCH, DELETE"),
        ("DELETE", "/processes", "GET"),
        ("GET", "/statusupdate", "POST"),
        ("OPTIONS", "/vendorregistration", "GET, POST, PUT"),
        ("HEAD", "/document", "POST"),
        ("GET", "/vendorregistration/regenerateapikey", "POST"),
    ] {
        let answer = h.raw(method, path, &headers, None).await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(answer.headers["allow"], allow, "{method} {path}");
    }

    let big = format!(r#"{{"providerName": "{}"}}"#, "x".repeat(70 * 1024));
    let answer = h
        .raw(
            "PUT",
            "/vendorregistration",
            &headers,
            Some(("application/json", big.into_bytes())),
        )
        .await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body["code"], "payload_too_large");

    // Documents: 10 MiB decoded is the limit.
    let app = h.application(&vendor, "App").await;
    let task = h.submit(7310, json!(app), json!({})).await;
    let id = task["uniqueId"].as_u64().unwrap();
    use base64::Engine as _;
    let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
    let doc = |content: String| {
        serde_json::to_vec(&json!({"uniqueId": id, "documentName": "big.pdf", "documentType": "x", "documentBase64": content})).unwrap()
    };
    let answer = h
        .raw(
            "POST",
            "/document",
            &headers,
            Some(("application/json", doc(b64(10 * 1024 * 1024 + 3)))),
        )
        .await;
    assert_eq!(answer.status, 413, "{}", answer.text);
    let answer = h
        .raw(
            "POST",
            "/document",
            &headers,
            Some(("application/json", doc(b64(10 * 1024 * 1024)))),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let answer = h
        .raw(
            "POST",
            "/document",
            &headers,
            Some(("application/json", vec![b' '; 20 * 1024 * 1024])),
        )
        .await;
    assert_eq!(answer.status, 413);
}
