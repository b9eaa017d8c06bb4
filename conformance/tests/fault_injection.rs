//! Trust: the suite passes a faithful implementation, and each planted defect is
//! caught by the checks that own it, and by nothing else.

mod support;

use smartservice_conformance::fault::Defect;
use support::{failure_lines, run_through_proxies};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faithful_proxy_passes_every_check() {
    let report = run_through_proxies(None).await;
    assert!(
        !report.failed(),
        "false positives:\n{}",
        failure_lines(&report)
    );
    assert!(report.totals().passed > 1000, "{:?}", report.totals());
}

async fn caught(defect: Defect) {
    let report = run_through_proxies(Some(defect)).await;
    let mut expected: Vec<String> = defect.caught_by().iter().map(|c| c.to_string()).collect();
    expected.sort();
    assert_eq!(
        report.failing_checks(),
        expected,
        "{defect:?} should fail exactly {expected:?}; failures:\n{}",
        failure_lines(&report)
    );
}

macro_rules! defect_tests {
    ($($name:ident => $defect:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                caught(Defect::$defect).await;
            }
        )*

        #[test]
        fn every_defect_has_a_test() {
            let tested = [$(Defect::$defect),*];
            for defect in Defect::ALL {
                assert!(tested.contains(defect), "{defect:?} has no test");
            }
            assert!(Defect::ALL.len() >= 15);
            // Every check of the suite is proven by at least one planted defect.
            for check in smartservice_conformance::checks::ALL {
                assert!(
                    Defect::ALL.iter().any(|d| d.caught_by().contains(&check.name)),
                    "no defect proves {}",
                    check.name
                );
            }
        }
    };
}

defect_tests! {
    a_dropped_required_field_fails_response_schema_conformance => RequiredFieldDropped,
    a_number_sent_as_string_fails_response_schema_conformance => NumberAsString,
    a_wrong_status_for_invalid_input_fails_negative_data_rejection => WrongStatusForInvalidInput,
    an_undocumented_status_fails_status_code_conformance => UndocumentedStatus,
    a_wrong_content_type_fails_content_type_conformance => WrongContentType,
    accepted_invalid_input_fails_negative_data_rejection => InvalidInputAccepted,
    ignored_auth_fails_missing_api_key => AuthIgnored,
    an_old_apikey_still_valid_fails_revoked_apikey => OldApikeyStillValid,
    another_vendors_data_visible_fails_vendor_isolation => OtherVendorsDataVisible,
    a_deleted_webhook_still_called_fails_use_after_free => DeletedWebhookStillCalled,
    a_callback_missing_a_field_fails_webhook_callback_conformance => CallbackMissingField,
    a_callback_missing_its_header_fails_webhook_callback_conformance => CallbackMissingHeader,
    an_invalid_transition_accepted_fails_status_transitions => InvalidTransitionAccepted,
    a_hanging_endpoint_fails_response_completes => HangingEndpoint,
    malformed_json_fails_response_schema_conformance => MalformedJson,
    a_misspelt_error_field_fails_typed_client_roundtrip => MisspeltErrorField,
    a_doubled_content_type_fails_response_headers_conformance => DuplicateContentType,
    a_server_error_fails_not_a_server_error => ServerError,
    a_405_without_allow_fails_unsupported_method => MissingAllowHeader,
    a_merging_put_fails_update_persistence => PutMergesInsteadOfReplacing,
    an_unlisted_webhook_fails_ensure_resource_availability => CreatedWebhookNotListed,
    refused_umlauts_fail_positive_data_acceptance => RejectsNonAscii,
    a_platform_that_never_retries_fails_webhook_retry => NoRetry,
    an_ignored_subscription_key_fails_missing_subscription_key => SubscriptionKeyIgnored,
    an_answered_unknown_path_fails_unknown_path => UnknownPathAnswered,
    a_failed_refund_not_sent_again_fails_failed_refund_callback => RefundFailureNotResent,
    a_dropped_address_answer_fails_address_query_answer => AddressAnswerDropped,
    an_accepted_unknown_apikey_fails_wrong_api_key => UnknownApikeyAccepted,
    any_accepted_subscription_key_fails_wrong_subscription_key => AnySubscriptionKeyAccepted,
    a_lost_document_name_fails_document_upload => DocumentNameLost,
    legacy_spellings_fail_nothing => LegacySpellings,
}

/// The documentation's legacy spellings conform; the report notes each one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_spellings_are_accepted_and_noted() {
    let report = run_through_proxies(Some(Defect::LegacySpellings)).await;
    assert!(!report.failed(), "{}", failure_lines(&report));
    for key in ["`whid:`", "`municipalityid`", "`process`", "`processid`"] {
        assert!(
            report.notes.iter().any(|n| n.contains(key)),
            "no note on {key}: {:#?}",
            report.notes
        );
    }
}

/// A random case that fails is shrunk to a small request that still fails, and
/// reported with the seed that replays it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_random_cases_are_shrunk_and_replayable() {
    let report = run_through_proxies(Some(Defect::RejectsNonAscii)).await;
    let row = report
        .rows
        .iter()
        .find(|r| {
            r.operation == "createVendorRegistration" && r.check == "positive_data_acceptance"
        })
        .expect("the defect is caught");
    let shrunk: Vec<_> = row
        .tally
        .failures
        .iter()
        .filter(|f| {
            f.case
                .as_deref()
                .is_some_and(|c| c.contains("random") && c.contains("shrunk in"))
        })
        .collect();
    assert!(
        !shrunk.is_empty(),
        "no shrunk random case among {:#?}",
        row.tally.failures
    );
    for failure in shrunk {
        let curl = failure.curl.as_deref().unwrap_or_default();
        let body = curl
            .split("--data-raw '")
            .nth(1)
            .unwrap_or_default()
            .trim_end_matches('\'');
        let body: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {curl}"));
        // Shrinking leaves the one required member, with a short non-ASCII name.
        let fields = body.as_object().unwrap();
        let non_ascii: Vec<_> = fields
            .iter()
            .filter(|(_, v)| !v.to_string().is_ascii())
            .collect();
        assert_eq!(non_ascii.len(), 1, "{body} {:?}", failure.case);
        assert!(fields.len() <= 2, "not minimal: {body}");
        assert!(
            non_ascii[0].1.as_str().unwrap().chars().count() <= 2,
            "not minimal: {body}"
        );
        let replay = failure.replay.as_deref().unwrap_or_default();
        assert!(
            replay.contains("--seed 7") && replay.contains("--operations createVendorRegistration"),
            "{replay}"
        );
    }
}

/// A shrunk negative case is still invalid, for the reason it is named after
/// (the false positive Schemathesis users report most: a case shrunk until its
/// only invalid part is gone, still reported as negative).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shrunk_negative_cases_keep_their_reason() {
    let report = support::run_through_proxies_with(Some(Defect::InvalidInputAccepted), |config| {
        config.cases = 40;
        config.operations = Some(vec![
            "createVendorRegistration".into(),
            "updateVendorRegistration".into(),
        ]);
    })
    .await;
    let model = smartservice_conformance::spec_model::SpecModel::embedded().unwrap();
    let mut seen = 0;
    for row in report
        .rows
        .iter()
        .filter(|r| r.check == "negative_data_rejection")
    {
        for failure in &row.tally.failures {
            let case = failure.case.as_deref().unwrap_or_default();
            if !case.contains("shrunk in") {
                continue;
            }
            seen += 1;
            assert_eq!(case.matches("/body/plz: pattern").count(), 1, "{case}");
            let curl = failure.curl.as_deref().unwrap_or_default();
            let body = curl
                .split("--data-raw '")
                .nth(1)
                .unwrap_or_default()
                .trim_end_matches('\'');
            let body: serde_json::Value =
                serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {curl}"));
            let op = model.operation(&row.operation).unwrap();
            let violations = op
                .request_validator
                .violations(&serde_json::json!({"query": {}, "body": body}));
            assert!(
                !violations.is_empty()
                    && violations
                        .iter()
                        .all(|v| v.instance_pointer == "/body/plz" && v.keyword == "pattern"),
                "{body}: {violations:?}"
            );
            assert!(body.as_object().unwrap().len() <= 2, "not minimal: {body}");
        }
    }
    assert!(
        seen > 0,
        "no shrunk negative case:\n{}",
        support::failure_lines(&report)
    );
}
