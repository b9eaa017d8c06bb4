//! The citizen side: the HTML forms create tasks that reach the webhooks, and the
//! status page shows what the vendor does with them.

mod common;

use common::{Harness, Receiver};
use serde_json::json;

#[tokio::test]
async fn the_html_form_submits_a_task_and_shows_its_status() {
    let h = Harness::start().await;
    let vendor = h.vendor("A").await;
    let app = h.application(&vendor, "App").await;
    let receiver = Receiver::start().await;
    h.webhook(&vendor, &app, json!(1), &receiver.url, json!({}))
        .await;

    let index = h.raw("GET", "/forms", &[], None).await;
    assert_eq!(index.status, 200);
    assert!(
        index.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    for id in [7310, 7311, 7312, 7313, 7314] {
        assert!(
            index.text.contains(&format!("href=\"/forms/{id}\"")),
            "{id}"
        );
    }
    let form = h.raw("GET", "/forms/7310", &[], None).await;
    assert_eq!(form.status, 200);
    for field in [
        "personaldata.lastname",
        "personaldata.postcode",
        "deliveryaddress.differentDeliveryaddress",
        "deliveryandpayment.deliverymethod",
        "deliveryandpayment.payment",
        "comments",
        "documentLanguage",
        "residencesince",
        "residenceto",
        "municipalityId",
        "testMunicipalityId",
    ] {
        assert!(form.text.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(
        !h.raw("GET", "/forms/7311", &[], None)
            .await
            .text
            .contains("residencesince")
    );
    assert!(
        h.raw("GET", "/forms/7313", &[], None)
            .await
            .text
            .contains("name=\"ahvnumber\"")
    );
    assert_eq!(h.raw("GET", "/forms/1234", &[], None).await.status, 404);

    let fields = [
        ("municipalityId", "1"),
        ("testMunicipalityId", ""),
        ("personaldata.salutation", "Frau"),
        ("personaldata.firstname", "Erika"),
        ("personaldata.lastname", "Formular"),
        ("personaldata.postcode", "5000"),
        ("personaldata.email", "erika@example.ch"),
        ("deliveryaddress.differentDeliveryaddress", "on"),
        ("deliveryaddress.lastname", "Muster"),
        ("deliveryaddress.postcode", "8000"),
        ("deliveryandpayment.deliverymethod", "post"),
        ("deliveryandpayment.payment", "paymentprovider"),
        ("documentLanguage", "fr"),
        ("residencesince", "2015-04-01"),
        ("residenceto", ""),
        ("comments", "Bitte <zwei> Exemplare"),
    ];
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    let submitted = h
        .raw(
            "POST",
            "/forms/7310",
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);
    let location = submitted.headers["location"].to_str().unwrap().to_string();
    let id: u64 = location
        .strip_prefix("/forms/tasks/")
        .unwrap()
        .parse()
        .unwrap();

    let log = h.settled(id, 1).await;
    assert_eq!(log[0]["state"], "delivered");
    let sent = &receiver.calls()[0].body;
    assert_eq!(sent["personaldata"]["lastname"], "Formular");
    assert_eq!(sent["personaldata"]["email"], "erika@example.ch");
    assert_eq!(sent["deliveryaddress"]["differentDeliveryaddress"], true);
    assert_eq!(sent["deliveryaddress"]["postcode"], "8000");
    assert_eq!(sent["documentLanguage"], "fr");
    assert_eq!(sent["residencesince"], "2015-04-01");
    assert_eq!(sent["comments"], "Bitte <zwei> Exemplare");
    assert_eq!(sent["municipalityName"], "Aarau");
    assert!(
        sent["personaldata"]["street"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "missing data is filled"
    );

    let page = h.raw("GET", &location, &[], None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(&format!("N{id}")), "the reference");
    assert!(page.text.contains("Eingegangen"));
    assert!(page.text.contains("Hauptwohnsitzbescheinigung bestellen"));

    // The vendor works on it: the page follows.
    let answer = h
        .json(
            "POST",
            "/statusupdate",
            Some(&vendor.apikey),
            Some(json!({"uniqueId": id, "newStatus": "inprogress"})),
        )
        .await;
    assert_eq!(answer.status, 200);
    let answer = h
        .json("POST", "/document", Some(&vendor.apikey), Some(json!({"uniqueId": id, "documentName": "bescheinigung.pdf", "documentType": "Hauptwohnsitzbescheinigung", "documentBase64": "JVBERi0xLjQK"})))
        .await;
    assert_eq!(answer.status, 200);
    let page = h.raw("GET", &location, &[], None).await;
    assert!(
        page.text
            .contains("<span id=\"status\">In Bearbeitung</span>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("bescheinigung.pdf"));
    assert!(page.text.contains(&format!("/forms/tasks/{id}/documents/")));
}

#[tokio::test]
async fn a_wrong_form_is_shown_again_with_the_reason() {
    let h = Harness::start().await;
    let fields = [
        ("municipalityId", "1"),
        ("personaldata.lastname", "<Muster>"),
        ("personaldata.postcode", "50000"),
    ];
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    let answer = h
        .raw(
            "POST",
            "/forms/7311",
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert!(answer.text.contains("postcode"), "{}", answer.text);
    assert!(
        answer.text.contains("value=\"&lt;Muster&gt;\""),
        "what was entered is kept, escaped"
    );

    let fields = [
        ("municipalityId", "1"),
        ("testMunicipalityId", "not-an-app"),
    ];
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    let answer = h
        .raw(
            "POST",
            "/forms/7311",
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await;
    assert_eq!(answer.status, 400);
    let fields = [("testMunicipalityId", uuid::Uuid::new_v4().to_string())];
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    let answer = h
        .raw(
            "POST",
            "/forms/7311",
            &[],
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await;
    assert_eq!(answer.status, 400, "an unknown test municipality");
    let answer = h
        .raw(
            "POST",
            "/forms/7311",
            &[],
            Some(("application/json", b"{}".to_vec())),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        h.raw("GET", "/forms/tasks/123", &[], None).await.status,
        404
    );
    assert_eq!(
        h.raw("GET", "/forms/tasks/abc", &[], None).await.status,
        400
    );
}

#[tokio::test]
async fn the_control_api_fills_in_missing_data_and_checks_the_rest() {
    let h = Harness::start().await;
    let task = h.submit(7313, json!(5), json!({})).await;
    let payload = &task["payload"];
    assert_eq!(payload["municipalityName"], "Berikon");
    assert_eq!(payload["processName"], "Adressauskunft bestellen");
    assert!(payload["ahvnumber"].as_str().unwrap().starts_with("756."));
    assert!(payload["personaldata"]["lastname"].as_str().is_some());
    assert_eq!(task["status"], "new");
    assert_eq!(task["history"][0]["status"], "new");
    assert_eq!(
        task["statusPage"],
        format!("/forms/tasks/{}", task["uniqueId"])
    );

    for (body, field) in [
        (json!({"processId": 1, "municipalityId": 1}), "/processId"),
        (
            json!({"processId": 7310, "municipalityId": 999}),
            "/municipalityId",
        ),
        (json!({"processId": 7310}), "/municipalityId"),
        (
            json!({"processId": 7310, "municipalityId": 1, "form": {"personaldata": {"postcode": "1"}}}),
            "/form/personaldata/postcode",
        ),
        (
            json!({"processId": 7310, "municipalityId": 1, "form": {"unknown": 1}}),
            "/form",
        ),
    ] {
        let answer = h
            .json("POST", "/sandbox/tasks", None, Some(body.clone()))
            .await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        assert_eq!(answer.body["field"], field, "{body}: {}", answer.text);
    }
    assert_eq!(
        h.json("GET", "/sandbox/tasks/99999999", None, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn stats_count_portal_requests_whatever_their_status_and_nothing_else() {
    let h = Harness::start().await;
    let stats = h.json("GET", "/sandbox/stats", None, None).await;
    assert_eq!(stats.body, json!({"portalRequests": 0}));
    h.json("GET", "/processes", None, None).await; // 200
    h.raw("GET", "/processes", &[], None).await; // 401
    h.json("POST", "/statusupdate", Some("nope"), Some(json!({})))
        .await; // 401
    h.raw("GET", "/forms", &[], None).await; // citizen side: not counted
    h.json("GET", "/sandbox/deliveries", None, None).await; // control API: not counted
    h.raw("GET", "/no/such/path", &[], None).await; // no operation: not counted
    let stats = h.json("GET", "/sandbox/stats", None, None).await;
    assert_eq!(stats.status, 200);
    assert_eq!(stats.body, json!({"portalRequests": 3}));
    assert_eq!(h.raw("GET", "/sandbox/stats", &[], None).await.status, 401);
}
