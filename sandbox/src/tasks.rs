//! Tasks as the citizen side creates them: a submitted form becomes a
//! CallbackPayload, is stored with one pending delivery per matching webhook (in
//! one transaction, before the submission is acknowledged), and the dispatcher is
//! woken.

use rand::seq::IndexedRandom as _;
use serde_json::{Map, Value, json};
use smartservice_client::types::{CallbackPayload, MunicipalityId};

use crate::error::ApiError;
use crate::reference::{self, ADDRESS_QUERY, RESIDENCE_CERTIFICATE};
use crate::routes::violation_error;
use crate::server::Shared;
use crate::store;

const FIRST_NAMES: &[(&str, &str)] = &[
    ("Frau", "Erika"),
    ("Herr", "Max"),
    ("Frau", "Anna"),
    ("Herr", "Luca"),
    ("Frau", "Laura"),
    ("Herr", "Noah"),
    ("Frau", "Sarah"),
    ("Herr", "Daniel"),
];
const LAST_NAMES: &[&str] = &[
    "Muster", "Meier", "Müller", "Keller", "Frei", "Widmer", "Hofmann", "Suter", "Brunner",
];
const STREETS: &[&str] = &[
    "Bahnhofstrasse",
    "Hauptstrasse",
    "Kirchweg",
    "Dorfstrasse",
    "Laurenzenvorstadt",
    "Schulstrasse",
];

fn digits(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rand::random_range(0..10u8)))
        .collect()
}

/// A plausible AHV number (756.xxxx.xxxx.xx).
fn ahv_number() -> String {
    format!("756.{}.{}.{}", digits(4), digits(4), digits(2))
}

/// The values a citizen would have entered, for everything the form left out.
fn defaults(
    id: u64,
    process: &reference::ProcessInfo,
    municipality: &MunicipalityId,
    municipality_name: &str,
) -> Value {
    let mut rng = rand::rng();
    let (salutation, firstname) = *FIRST_NAMES.choose(&mut rng).unwrap_or(&("Frau", "Erika"));
    let lastname = *LAST_NAMES.choose(&mut rng).unwrap_or(&"Muster");
    let street = *STREETS.choose(&mut rng).unwrap_or(&"Bahnhofstrasse");
    let place = if reference::MUNICIPALITIES.contains(&municipality_name) {
        municipality_name
    } else {
        "Aarau"
    };
    let year = rand::random_range(1950..2004);
    let mut payload = json!({
        "uniqueId": id,
        "datereceived": store::now_text(),
        "cantonreference": format!("N{id}"),
        "status": "new",
        "amount": process.fee,
        "paymentStatus": "paid",
        "paymentRefId": digits(7),
        "municipalityName": municipality_name,
        "municipalityId": municipality,
        "processName": process.name,
        "processId": process.id.to_string(),
        "personaldata": {
            "ahvNumber": ahv_number(),
            "salutation": salutation,
            "lastname": lastname,
            "firstname": firstname,
            "dob": format!("{year}-{:02}-{:02}", rand::random_range(1..13), rand::random_range(1..29)),
            "street": street,
            "streetnumber": rand::random_range(1..120).to_string(),
            "postcode": "5000",
            "place": place,
            "country": "Schweiz",
            "phone": format!("+41 62 {} {} {}", digits(3), digits(2), digits(2)),
            "email": format!("{}.{}@example.ch", firstname.to_lowercase(), lastname.to_lowercase().replace('ü', "ue")),
        },
        "deliveryaddress": { "differentDeliveryaddress": false },
        "deliveryandpayment": { "deliverymethod": "post", "payment": "paymentprovider" },
        "comments": "",
        "documentLanguage": "de",
    });
    if process.id == RESIDENCE_CERTIFICATE {
        payload["residencesince"] = json!(format!("{}-04-01", rand::random_range(1990..2024)));
        payload["residenceto"] = json!("");
    }
    if process.id == ADDRESS_QUERY {
        payload["ahvnumber"] = json!(ahv_number());
    }
    payload
}

/// Lays `over` onto `base`, object by object.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// What a citizen submits: the process, the municipality, and what was filled in.
#[derive(Debug, Clone)]
pub struct Submission {
    pub process_id: u64,
    pub municipality: MunicipalityId,
    /// The form's fields (a partial CallbackPayload: personaldata, deliveryaddress,
    /// deliveryandpayment, comments, documentLanguage, residencesince, residenceto,
    /// ahvnumber); what is missing is filled with realistic values.
    pub form: Map<String, Value>,
}

/// Stores the task and its deliveries, wakes the dispatcher, and returns the task id.
/// `field_prefix` is put before JSON pointers in errors (where the form sits in the
/// request).
pub async fn submit(
    state: &Shared,
    submission: Submission,
    field_prefix: &str,
) -> Result<u64, ApiError> {
    let process = reference::process(submission.process_id).ok_or_else(|| {
        ApiError::bad(
            "processId",
            format!(
                "processId: unknown process {} (see listProcesses)",
                submission.process_id
            ),
        )
    })?;
    let municipality_key = submission.municipality.to_string();
    let real_name = match &submission.municipality {
        MunicipalityId::Int64(id) => reference::municipality(id.get()).map(str::to_string),
        MunicipalityId::Uuid(_) => None,
    };
    let state_for_tx = state.clone();
    let prefix = field_prefix.to_string();
    let id = state
        .db
        .transaction(move |tx| {
            let (name, test_owner) = match real_name {
                Some(name) => (name, None),
                None => match store::get_application(tx, &municipality_key)? {
                    Some(app) if matches!(submission.municipality, MunicipalityId::Uuid(_)) => (
                        reference::test_municipality_name(&app.name),
                        Some(app.vendor_id),
                    ),
                    _ => {
                        return Err(ApiError::bad(
                            "municipalityId",
                            format!("municipalityId: unknown municipality {municipality_key}"),
                        ));
                    }
                },
            };
            let hooks = store::matching_webhooks(tx, &municipality_key, &process.id.to_string())?;
            let (id, payload) = store::insert_task(tx, process.id, &municipality_key, |id| {
                let mut payload = defaults(id, process, &submission.municipality, &name);
                merge(&mut payload, &Value::Object(submission.form.clone()));
                let schema = &state_for_tx.schemas.callback_payload;
                if !schema.is_valid(&payload)
                    && let Some(violation) = schema.violations(&payload).into_iter().next()
                {
                    let err = violation_error(&violation);
                    return Err(match err {
                        ApiError::BadRequest { message, field } => ApiError::BadRequest {
                            message: format!("{prefix}{message}"),
                            field: field.map(|f| format!("{prefix}{f}")),
                        },
                        other => other,
                    });
                }
                // Through the generated type, so the payload has its exact shape.
                let typed: CallbackPayload = serde_json::from_value(payload)
                    .map_err(|e| ApiError::bad_request(format!("{prefix}: {e}")))?;
                Ok(serde_json::to_value(typed)?)
            })?;
            if let Some(vendor) = test_owner {
                store::add_owner(tx, id, &vendor)?;
            }
            for hook in &hooks {
                store::add_owner(tx, id, &hook.vendor_id)?;
                store::enqueue(tx, id, &hook.id, store::EVENT_SUBMITTED, &payload)?;
            }
            Ok(id)
        })
        .await?;
    state.dispatch.notify_one();
    Ok(id)
}

/// The payment gateway reports that the refund of task `id` failed: the task goes
/// to its webhooks again, with `status: refund` and `paymentRefundStatus: failed`.
pub async fn fail_refund(state: &Shared, id: u64) -> Result<(), ApiError> {
    state
        .db
        .transaction(move |tx| {
            let Some(task) = store::get_task(tx, id)? else {
                return Err(ApiError::NotFound(format!("/sandbox/tasks/{id}")));
            };
            if task.status != "refund" {
                return Err(ApiError::bad(
                    "uniqueId",
                    format!(
                        "task {id} is {}: only a task in status refund has a refund that can fail",
                        task.status
                    ),
                ));
            }
            let mut payload = task.payload.clone();
            payload["status"] = json!("refund");
            payload["paymentRefundStatus"] = json!("failed");
            payload["paymentRefundId"] = json!(rand::random_range(1_000_000..10_000_000i64));
            store::update_payload(tx, id, &payload)?;
            store::add_event(
                tx,
                id,
                "refund",
                "the payment gateway reported a failed refund",
            )?;
            let hooks =
                store::matching_webhooks(tx, &task.municipality, &task.process_id.to_string())?;
            for hook in &hooks {
                store::add_owner(tx, id, &hook.vendor_id)?;
                store::enqueue(tx, id, &hook.id, store::EVENT_REFUND_FAILED, &payload)?;
            }
            Ok(())
        })
        .await?;
    state.dispatch.notify_one();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_what_the_form_leaves_out() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "b": 3});
        merge(&mut base, &json!({"a": {"y": 5}, "c": 4}));
        assert_eq!(base, json!({"a": {"x": 1, "y": 5}, "b": 3, "c": 4}));
    }

    #[test]
    fn ahv_numbers_look_real() {
        let n = ahv_number();
        assert_eq!(n.len(), 16);
        assert!(n.starts_with("756."));
    }
}
