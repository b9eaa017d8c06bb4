//! The 15 operations of the portal API (spec/openapi.yaml).
//!
//! Requests arrive here already routed, authenticated and validated against the
//! spec (see `server`); bodies are then read into the generated client's types, and
//! answers are built from them, so the sandbox cannot drift from the spec.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::de::DeserializeOwned;
use smartservice_client::types::{
    ApiKey, ApplicationConfiguration, ApplicationConfigurationId, ApplicationConfigurationRequest,
    ApplicationProcessEntry, DocumentSubmission, HttpHeader, KeyValue, MunicipalityId,
    StatusUpdate, TaskReference, TaskStatus, VendorRegistration, VendorRegistrationCreated,
    VendorRegistrationRequest, WebhookConfiguration, WebhookConfigurationRequest, WebhookCreated,
    WebhookIdAnswer,
};

use crate::auth::KeyDigest;
use crate::error::ApiError;
use crate::limits::MAX_DOCUMENT_BYTES;
use crate::reference;
use crate::routes::Inputs;
use crate::server::{Caller, Shared};
use crate::store::{self, Application, VendorFields, Webhook};

type Answer = Result<Response, ApiError>;

/// Runs the portal operation `id`.
pub async fn call(state: &Shared, id: &str, caller: Caller, inputs: Inputs) -> Answer {
    match (id, caller) {
        ("createVendorRegistration", Caller::Subscription(subscription)) => {
            create_vendor(state, subscription, inputs).await
        }
        ("listProcesses", Caller::Subscription(_)) => Ok(state.answers.processes()),
        ("getVendorRegistrations", Caller::Vendor { vendor, .. }) => {
            get_vendors(state, vendor, inputs).await
        }
        ("updateVendorRegistration", Caller::Vendor { vendor, .. }) => {
            update_vendor(state, vendor, inputs).await
        }
        ("regenerateApiKey", Caller::Vendor { vendor, .. }) => regenerate(state, vendor).await,
        ("listApplicationConfigurations", Caller::Vendor { vendor, .. }) => {
            list_applications(state, vendor).await
        }
        ("createOrUpdateApplicationConfiguration", Caller::Vendor { vendor, .. }) => {
            save_application(state, vendor, inputs).await
        }
        ("deleteApplicationConfiguration", Caller::Vendor { vendor, .. }) => {
            delete_application(state, vendor, inputs).await
        }
        ("listMunicipalities", Caller::Vendor { vendor, .. }) => {
            list_municipalities(state, vendor).await
        }
        ("listWebhookConfigurations", Caller::Vendor { vendor, .. }) => {
            list_webhooks(state, vendor, inputs).await
        }
        ("createWebhookConfiguration", Caller::Vendor { vendor, .. }) => {
            save_webhook(state, vendor, None, inputs).await
        }
        ("updateWebhookConfiguration", Caller::Vendor { vendor, .. }) => {
            let whid = inputs.param("whid").unwrap_or_default().to_string();
            save_webhook(state, vendor, Some(whid), inputs).await
        }
        ("deleteWebhookConfiguration", Caller::Vendor { vendor, .. }) => {
            delete_webhook(state, vendor, inputs).await
        }
        ("updateTaskStatus", Caller::Vendor { vendor, .. }) => {
            update_status(state, vendor, inputs).await
        }
        ("submitDocument", Caller::Vendor { vendor, .. }) => {
            submit_document(state, vendor, inputs).await
        }
        (other, _) => Err(ApiError::Internal(format!(
            "operation {other} is not implemented"
        ))),
    }
}

/// Reads the validated JSON body into a generated type.
pub fn body<T: DeserializeOwned>(inputs: &Inputs) -> Result<T, ApiError> {
    let value = inputs
        .json
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("a request body is required"))?;
    // Read from the borrowed value: no copy of the body.
    T::deserialize(value)
        .map_err(|e| ApiError::bad_request(format!("the body does not match the schema: {e}")))
}

fn ok<T: serde::Serialize>(value: T) -> Answer {
    Ok((StatusCode::OK, Json(value)).into_response())
}

fn ok_empty() -> Answer {
    Ok(StatusCode::OK.into_response())
}

fn internal<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> ApiError {
    move |e| ApiError::Internal(format!("{what}: {e}"))
}

// ----------------------------------------------------------------------------
// Vendor registration

fn vendor_fields(request: VendorRegistrationRequest) -> VendorFields {
    VendorFields {
        provider_name: request.provider_name.into(),
        plz: request.plz.map(String::from).unwrap_or_default(),
        place: request.place.unwrap_or_default(),
        address1: request.address1.unwrap_or_default(),
        address2: request.address2.unwrap_or_default(),
        address3: request.address3.unwrap_or_default(),
        phone: request.phone.unwrap_or_default(),
        email: request.email.unwrap_or_default(),
        website: request.website.unwrap_or_default(),
    }
}

fn registration(vendor: &store::Vendor) -> Result<VendorRegistration, ApiError> {
    let f = &vendor.fields;
    Ok(VendorRegistration {
        provider_id: vendor.id.parse().map_err(internal("providerId"))?,
        provider_name: f.provider_name.clone(),
        plz: Some(f.plz.parse().map_err(internal("plz"))?),
        place: Some(f.place.clone()),
        address1: Some(f.address1.clone()),
        address2: Some(f.address2.clone()),
        address3: Some(f.address3.clone()),
        phone: Some(f.phone.clone()),
        email: Some(f.email.clone()),
        website: Some(f.website.clone()),
    })
}

async fn create_vendor(state: &Shared, subscription: KeyDigest, inputs: Inputs) -> Answer {
    let fields = vendor_fields(body(&inputs)?);
    let id = uuid::Uuid::new_v4().to_string();
    let apikey = crate::auth::new_secret("ak_");
    let digest = KeyDigest::of(&apikey);
    let vendors = state.vendors.clone();
    let vendor = state
        .db
        .call({
            let id = id.clone();
            move |conn| {
                vendors.insert_vendor(conn, &id, subscription, digest, &fields)?;
                store::get_vendor(conn, &id)
            }
        })
        .await?
        .ok_or_else(|| ApiError::Internal("the new vendor vanished".into()))?;
    let r = registration(&vendor)?;
    ok(VendorRegistrationCreated {
        provider_id: id.parse().map_err(internal("providerId"))?,
        provider_name: r.provider_name,
        plz: Some(vendor.fields.plz.parse().map_err(internal("plz"))?),
        place: r.place,
        address1: r.address1,
        address2: r.address2,
        address3: r.address3,
        phone: r.phone,
        email: r.email,
        website: r.website,
        apikey: apikey.parse().map_err(internal("apikey"))?,
    })
}

async fn get_vendors(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let filter = inputs.param("providerId").map(str::to_string);
    if filter.as_deref().is_some_and(|f| f != vendor) {
        return ok(Vec::<VendorRegistration>::new());
    }
    let found = state
        .db
        .read(|conn| store::get_vendor(conn, &vendor))
        .await?;
    let list = found
        .iter()
        .map(registration)
        .collect::<Result<Vec<_>, _>>()?;
    ok(list)
}

async fn update_vendor(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let fields = vendor_fields(body(&inputs)?);
    let stored = state
        .db
        .call(move |conn| {
            store::replace_vendor(conn, &vendor, &fields)?;
            store::get_vendor(conn, &vendor)
        })
        .await?
        .ok_or_else(|| ApiError::Internal("the vendor vanished".into()))?;
    ok(registration(&stored)?)
}

async fn regenerate(state: &Shared, vendor: String) -> Answer {
    let apikey = crate::auth::new_secret("ak_");
    let digest = KeyDigest::of(&apikey);
    let vendors = state.vendors.clone();
    state
        .db
        .call(move |conn| vendors.set_apikey(conn, &vendor, digest))
        .await?;
    ok(ApiKey {
        apikey: apikey.parse().map_err(internal("apikey"))?,
    })
}

// ----------------------------------------------------------------------------
// Reference data

async fn list_municipalities(state: &Shared, vendor: String) -> Answer {
    let apps = state
        .db
        .read(|conn| store::application_names(conn, &vendor))
        .await?;
    state.answers.municipalities(&apps)
}

// ----------------------------------------------------------------------------
// Applications

fn application(app: Application) -> Result<ApplicationConfiguration, ApiError> {
    Ok(ApplicationConfiguration {
        appid: app.id.parse().map_err(internal("appid"))?,
        app_name: app.name,
        app_description: app.description,
        processes: app
            .processes
            .into_iter()
            .map(|p| {
                Ok(ApplicationProcessEntry {
                    process_id: Some(p.parse().map_err(internal("processId"))?),
                })
            })
            .collect::<Result<_, ApiError>>()?,
    })
}

async fn list_applications(state: &Shared, vendor: String) -> Answer {
    let apps = state
        .db
        .read(|conn| store::list_applications(conn, &vendor))
        .await?;
    ok(apps
        .into_iter()
        .map(application)
        .collect::<Result<Vec<_>, _>>()?)
}

/// The process ids of `processes`, each known (else a 400 naming `pointer/i...`),
/// without duplicates.
fn known_processes<'a>(
    processes: impl Iterator<Item = &'a str>,
    pointer: impl Fn(usize) -> String,
) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for (i, id) in processes.enumerate() {
        let Some(process) = reference::process_by_str(id) else {
            return Err(ApiError::bad(
                pointer(i),
                format!(
                    "{}: unknown process id {id:?} (see listProcesses)",
                    pointer(i)
                ),
            ));
        };
        let canonical = process.id.to_string();
        if !ids.contains(&canonical) {
            ids.push(canonical);
        }
    }
    Ok(ids)
}

fn not_found_application(field: &str, id: &str) -> ApiError {
    ApiError::bad(field, format!("{field}: no application {id:?} of yours"))
}

async fn save_application(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let request: ApplicationConfigurationRequest = body(&inputs)?;
    let processes = known_processes(
        request.processes.iter().map(|p| p.process_id.as_str()),
        |i| format!("/processes/{i}/processId"),
    )?;
    let appid = inputs.param("appid").map(str::to_string);
    let id = match &appid {
        Some(given) => uuid::Uuid::parse_str(given)
            .map_err(|_| ApiError::bad("appid", "appid: not a UUID"))?
            .to_string(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let app = Application {
        id: id.clone(),
        vendor_id: vendor.clone(),
        name: request.app_name.into(),
        description: request.app_description,
        processes,
    };
    let updating = appid.is_some();
    state
        .db
        .transaction(move |tx| {
            if updating {
                match store::get_application(tx, &app.id)? {
                    Some(existing) if existing.vendor_id == app.vendor_id => {}
                    _ => return Err(not_found_application("appid", &app.id)),
                }
            }
            store::upsert_application(tx, &app)
        })
        .await?;
    ok(ApplicationConfigurationId {
        appid: id.parse().map_err(internal("appid"))?,
    })
}

async fn delete_application(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let given = inputs.param("appid").unwrap_or_default();
    let id = uuid::Uuid::parse_str(given)
        .map_err(|_| ApiError::bad("appid", "appid: not a UUID"))?
        .to_string();
    let deleted = state
        .db
        .transaction({
            let id = id.clone();
            move |tx| store::delete_application(tx, &vendor, &id)
        })
        .await?;
    if !deleted {
        return Err(not_found_application("appid", &id));
    }
    ok_empty()
}

// ----------------------------------------------------------------------------
// Webhooks

fn webhook(w: Webhook) -> Result<WebhookConfiguration, ApiError> {
    let pairs = |list: &[(String, String)]| -> Result<Vec<KeyValue>, ApiError> {
        list.iter()
            .map(|(k, v)| {
                Ok(KeyValue {
                    key: k.parse().map_err(internal("key"))?,
                    value: v.clone(),
                })
            })
            .collect()
    };
    Ok(WebhookConfiguration {
        whid: w.id.parse().map_err(internal("whid"))?,
        whname: w.name,
        whcomment: w.comment,
        application_id: w
            .application_id
            .parse()
            .map_err(internal("applicationId"))?,
        municipality_id: Some(w.municipality.parse().map_err(internal("municipalityId"))?),
        processes: w
            .processes
            .iter()
            .map(|p| p.parse().map_err(internal("processes")))
            .collect::<Result<_, _>>()?,
        process: None,
        callback_url: Some(w.callback_url),
        httprequestheaders: w
            .headers
            .iter()
            .map(|(k, v)| {
                Ok(HttpHeader {
                    key: k.parse().map_err(internal("header key"))?,
                    value: v.parse().map_err(internal("header value"))?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        httprequestparameter: pairs(&w.parameters)?,
        httprequestbody: pairs(&w.body)?,
    })
}

async fn list_webhooks(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let hooks = state
        .db
        .read(|conn| match inputs.param("whid") {
            // One of the caller's webhooks, looked up by its id.
            Some(id) => Ok(store::get_webhook(conn, id)?
                .filter(|w| w.vendor_id == vendor)
                .into_iter()
                .collect()),
            None => store::list_webhooks(conn, &vendor),
        })
        .await?;
    ok(hooks
        .into_iter()
        .map(webhook)
        .collect::<Result<Vec<_>, _>>()?)
}

fn not_found_webhook(id: &str) -> ApiError {
    ApiError::bad("whid", format!("whid: no webhook {id:?} of yours"))
}

async fn save_webhook(
    state: &Shared,
    vendor: String,
    whid: Option<String>,
    inputs: Inputs,
) -> Answer {
    // PATCH keeps the stored value of each optional field the body leaves out.
    let given = |field: &str| inputs.json.as_ref().is_some_and(|v| v.get(field).is_some());
    let keep_comment = !given("whcomment");
    let keep_headers = !given("httprequestheaders");
    let keep_parameters = !given("httprequestparameter");
    let keep_body = !given("httprequestbody");
    let request: WebhookConfigurationRequest = body(&inputs)?;
    let processes = known_processes(request.processes.iter().map(|p| p.as_str()), |i| {
        format!("/processes/{i}")
    })?;
    let municipality = request.municipality_id.to_string();
    let real = matches!(&request.municipality_id, MunicipalityId::Int64(id) if reference::municipality(id.get()).is_some());
    let kv = |list: Vec<KeyValue>| -> Vec<(String, String)> {
        list.into_iter().map(|p| (p.key.into(), p.value)).collect()
    };
    let mut hook = Webhook {
        id: whid
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        vendor_id: vendor.clone(),
        application_id: request.application_id.to_string(),
        name: request.whname.into(),
        comment: request.whcomment,
        municipality,
        processes,
        callback_url: request.callback_url.into(),
        headers: request
            .httprequestheaders
            .into_iter()
            .map(|h| (h.key.into(), h.value.into()))
            .collect(),
        parameters: kv(request.httprequestparameter),
        body: kv(request.httprequestbody),
    };
    let updating = whid.is_some();
    let stored = state
        .db
        .transaction(move |tx| {
            match store::get_application(tx, &hook.application_id)? {
                Some(app) if app.vendor_id == hook.vendor_id => {}
                _ => {
                    return Err(not_found_application(
                        "/applicationId",
                        &hook.application_id,
                    ));
                }
            }
            if !real {
                // A test municipality: the id of one of the caller's applications.
                match store::get_application(tx, &hook.municipality)? {
                    Some(app) if app.vendor_id == hook.vendor_id => {}
                    _ => {
                        return Err(ApiError::bad(
                            "/municipalityId",
                            format!(
                                "/municipalityId: unknown municipality {} (see listMunicipalities)",
                                hook.municipality
                            ),
                        ));
                    }
                }
            }
            if let Some(id) = &whid {
                // PATCH: optional fields left out keep their stored value.
                let existing = match store::get_webhook(tx, id)? {
                    Some(existing) if existing.vendor_id == hook.vendor_id => existing,
                    _ => return Err(not_found_webhook(id)),
                };
                if keep_comment {
                    hook.comment = existing.comment;
                }
                if keep_headers {
                    hook.headers = existing.headers;
                }
                if keep_parameters {
                    hook.parameters = existing.parameters;
                }
                if keep_body {
                    hook.body = existing.body;
                }
            }
            store::upsert_webhook(tx, &hook)?;
            Ok(hook)
        })
        .await?;
    if updating {
        ok(webhook(stored)?)
    } else {
        ok(WebhookCreated::WebhookIdAnswer(WebhookIdAnswer {
            whid: stored.id.parse().map_err(internal("whid"))?,
        }))
    }
}

async fn delete_webhook(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let id = inputs.param("whid").unwrap_or_default().to_string();
    let deleted = state
        .db
        .transaction({
            let id = id.clone();
            move |tx| store::delete_webhook(tx, &vendor, &id)
        })
        .await?;
    if !deleted {
        return Err(not_found_webhook(&id));
    }
    ok_empty()
}

// ----------------------------------------------------------------------------
// Tasks

/// The wire name of a status.
pub fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::New => "new",
        TaskStatus::Inprogress => "inprogress",
        TaskStatus::Done => "done",
        TaskStatus::Refund => "refund",
    }
}

/// Whether a task may move from `from` to `to`: new -> inprogress -> done,
/// new -> done, and any open status -> refund; done and refund are final.
pub fn transition_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("new", "inprogress")
            | ("new", "done")
            | ("inprogress", "done")
            | ("new" | "inprogress", "refund")
    )
}

fn unknown_task(field: &str, id: &str) -> ApiError {
    ApiError::bad(field, format!("{field}: no task {id} of yours"))
}

async fn update_status(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let update: StatusUpdate = body(&inputs)?;
    let id = update.unique_id.get();
    let to = status_name(update.new_status);
    state
        .db
        .transaction(move |tx| {
            let task = match store::get_task(tx, id)? {
                Some(task) if store::is_owner(tx, id, &vendor)? => task,
                _ => return Err(unknown_task("/uniqueId", &id.to_string())),
            };
            if !transition_allowed(&task.status, to) {
                let why = if matches!(task.status.as_str(), "done" | "refund") {
                    format!("{} is final", task.status)
                } else {
                    "allowed: new -> inprogress -> done, new -> done, open -> refund".to_string()
                };
                return Err(ApiError::bad(
                    "/newStatus",
                    format!(
                        "/newStatus: the transition {} -> {to} is not allowed for task {id} ({why})",
                        task.status
                    ),
                ));
            }
            store::set_status(tx, id, to, "status update by the vendor")
        })
        .await?;
    ok_empty()
}

async fn submit_document(state: &Shared, vendor: String, inputs: Inputs) -> Answer {
    let submission: DocumentSubmission = body(&inputs)?;
    let id_text = match &submission.unique_id {
        TaskReference::TaskId(id) => id.to_string(),
        TaskReference::String(s) => s.to_string(),
    };
    let id: u64 = id_text
        .parse()
        .map_err(|_| unknown_task("/uniqueId", &id_text))?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(submission.document_base64.as_bytes())
        .map_err(|e| {
            ApiError::bad(
                "/documentBase64",
                format!("/documentBase64: not base64: {e}"),
            )
        })?;
    if content.len() > MAX_DOCUMENT_BYTES {
        return Err(ApiError::PayloadTooLarge(format!(
            "the document has {} bytes; at most {MAX_DOCUMENT_BYTES} are accepted",
            content.len()
        )));
    }
    let name: String = submission.document_name.into();
    let doc_type: String = submission.document_type.into();
    state
        .db
        .transaction(move |tx| {
            let task = match store::get_task(tx, id)? {
                Some(task) if store::is_owner(tx, id, &vendor)? => task,
                _ => return Err(unknown_task("/uniqueId", &id.to_string())),
            };
            store::insert_document(tx, id, &name, &doc_type, &content)?;
            store::add_event(tx, id, &task.status, &format!("document {name} uploaded"))
        })
        .await?;
    ok_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_documented_rules() {
        let all = ["new", "inprogress", "done", "refund"];
        let allowed: Vec<(&str, &str)> = all
            .iter()
            .flat_map(|f| all.iter().map(move |t| (*f, *t)))
            .filter(|(f, t)| transition_allowed(f, t))
            .collect();
        assert_eq!(
            allowed,
            vec![
                ("new", "inprogress"),
                ("new", "done"),
                ("new", "refund"),
                ("inprogress", "done"),
                ("inprogress", "refund"),
            ]
        );
    }
}
