//! The citizen side (spec/sandbox.yaml): HTML forms and status pages, and the JSON
//! control API for tests and scripts.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use smartservice_client::types::MunicipalityId;

use crate::error::ApiError;
use crate::reference::{self, ADDRESS_QUERY, RESIDENCE_CERTIFICATE};
use crate::routes::Inputs;
use crate::server::Shared;
use crate::store::{self, DeliveryLog, DocumentInfo, TaskEvent};
use crate::tasks::{self, Submission};

type Answer = Result<Response, ApiError>;

/// Runs the citizen-side operation `id`.
pub async fn call(state: &Shared, id: &str, inputs: Inputs) -> Answer {
    match id {
        "listForms" => Ok(Html(forms_index()).into_response()),
        "showForm" => {
            let process = form_process(&inputs)?;
            Ok(Html(form_page(process, &Map::new(), None)).into_response())
        }
        "submitForm" => submit_form(state, inputs).await,
        "showTask" => show_task(state, path_id(&inputs, "uniqueId")?).await,
        "downloadDocument" => {
            download(
                state,
                path_id(&inputs, "uniqueId")?,
                path_id(&inputs, "documentId")?,
            )
            .await
        }
        "submitTask" => submit_task(state, inputs).await,
        "getTask" => {
            let id = path_id(&inputs, "uniqueId")?;
            Ok(Json(task_view(state, id).await?).into_response())
        }
        "failRefund" => {
            let id = path_id(&inputs, "uniqueId")?;
            tasks::fail_refund(state, id).await?;
            Ok(Json(task_view(state, id).await?).into_response())
        }
        "getStats" => Ok(Json(serde_json::json!({
            "portalRequests": state.portal_requests.load(std::sync::atomic::Ordering::Relaxed),
        }))
        .into_response()),
        "listDeliveries" => {
            let task = inputs.param("uniqueId").and_then(|v| v.parse().ok());
            let whid = inputs.param("whid");
            let log = state
                .db
                .read(|conn| store::delivery_log(conn, task, whid))
                .await?;
            Ok(Json(log).into_response())
        }
        other => Err(ApiError::Internal(format!(
            "operation {other} is not implemented"
        ))),
    }
}

fn path_id(inputs: &Inputs, name: &str) -> Result<u64, ApiError> {
    inputs
        .param(name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiError::bad(name, format!("{name}: not a positive integer")))
}

fn form_process(inputs: &Inputs) -> Result<&'static reference::ProcessInfo, ApiError> {
    let id = path_id(inputs, "processId")?;
    reference::process(id).ok_or_else(|| ApiError::NotFound(format!("/forms/{id}")))
}

// ----------------------------------------------------------------------------
// Control API

/// A task as the control API shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub unique_id: u64,
    pub status: String,
    pub process_id: u64,
    pub municipality_id: Value,
    pub status_page: String,
    pub payload: Value,
    pub history: Vec<TaskEvent>,
    pub documents: Vec<DocumentInfo>,
    pub address_data: Option<Value>,
}

/// Reads task `id` with its history and documents (404 when there is none).
pub async fn task_view(state: &Shared, id: u64) -> Result<TaskView, ApiError> {
    state
        .db
        .read(|conn| {
            let task = store::get_task(conn, id)?
                .ok_or_else(|| ApiError::NotFound(format!("/sandbox/tasks/{id}")))?;
            Ok(TaskView {
                unique_id: task.id,
                status: task.status,
                process_id: task.process_id,
                municipality_id: task
                    .payload
                    .get("municipalityId")
                    .cloned()
                    .unwrap_or(Value::Null),
                status_page: format!("/forms/tasks/{}", task.id),
                payload: task.payload,
                history: store::task_history(conn, id)?,
                documents: store::documents(conn, id)?,
                address_data: task.address_data,
            })
        })
        .await
}

async fn submit_task(state: &Shared, inputs: Inputs) -> Answer {
    let body = inputs.json.unwrap_or(Value::Null);
    let process_id = body.get("processId").and_then(Value::as_u64).unwrap_or(0);
    let municipality: MunicipalityId =
        serde_json::from_value(body.get("municipalityId").cloned().unwrap_or(Value::Null))
            .map_err(|e| ApiError::bad("/municipalityId", format!("/municipalityId: {e}")))?;
    let form = body
        .get("form")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let id = tasks::submit(
        state,
        Submission {
            process_id,
            municipality,
            form,
        },
        "/form",
    )
    .await
    .map_err(|e| match e {
        ApiError::BadRequest { message, field } => ApiError::BadRequest {
            field: field.map(|f| match f.as_str() {
                "processId" | "municipalityId" => format!("/{f}"),
                _ => f,
            }),
            message,
        },
        other => other,
    })?;
    Ok(Json(task_view(state, id).await?).into_response())
}

// ----------------------------------------------------------------------------
// HTML

fn esc(text: &str) -> String {
    html_escape::encode_text(text).to_string()
}

fn attr(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).to_string()
}

fn page(title: &str, body: &str, refresh: bool) -> String {
    let refresh = if refresh {
        r#"<meta http-equiv="refresh" content="5">"#
    } else {
        ""
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}
<title>{title} – Smart Service Portal (Sandbox)</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d2a36; }}
header {{ border-bottom: 3px solid #0b5394; margin-bottom: 1.5rem; }}
header p {{ color: #5b6b7a; margin-top: 0; }}
fieldset {{ border: 1px solid #c5d0db; margin-bottom: 1rem; }}
label {{ display: block; margin: .4rem 0; }}
label span {{ display: inline-block; width: 13rem; }}
input[type=text], input[type=email], input[type=date], select, textarea {{ width: 20rem; max-width: 100%; }}
.error {{ background: #fde8e8; border: 1px solid #d93025; padding: .6rem; }}
.status {{ font-size: 1.3rem; font-weight: bold; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #c5d0db; padding: .25rem .6rem; text-align: left; }}
button {{ font-size: 1rem; padding: .4rem 1.2rem; }}
</style>
</head>
<body>
<header><h1>{title}</h1><p>Smart Service Portal · Entwicklungsumgebung (Sandbox)</p></header>
{body}
</body>
</html>
"#,
        title = esc(title)
    )
}

fn forms_index() -> String {
    let items: String = reference::PROCESSES
        .iter()
        .map(|p| format!(r#"<li><a href="/forms/{}">{}</a></li>"#, p.id, esc(p.name)))
        .collect();
    page(
        "Formulare",
        &format!(
            "<p>Wählen Sie den Auftrag, den Sie als Bürgerin oder Bürger einreichen möchten. \
             Das Absenden löst die registrierten Webhooks aus.</p><ul>{items}</ul>"
        ),
        false,
    )
}

/// One text field of the form; `name` is the CallbackPayload path with dots.
fn field(values: &Map<String, Value>, name: &str, label: &str, kind: &str) -> String {
    let value = values.get(name).and_then(Value::as_str).unwrap_or("");
    format!(
        r#"<label><span>{}</span><input type="{kind}" name="{}" value="{}"></label>"#,
        esc(label),
        attr(name),
        attr(value)
    )
}

fn form_page(
    process: &reference::ProcessInfo,
    values: &Map<String, Value>,
    error: Option<&str>,
) -> String {
    let f = |name: &str, label: &str| field(values, name, label, "text");
    let selected = values
        .get("municipalityId")
        .and_then(Value::as_str)
        .unwrap_or("1");
    let options: String = reference::MUNICIPALITIES
        .iter()
        .zip(1u64..)
        .map(|(name, id)| {
            let sel = if selected == id.to_string() {
                " selected"
            } else {
                ""
            };
            format!(r#"<option value="{id}"{sel}>{}</option>"#, esc(name))
        })
        .collect();
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let mut specific = String::new();
    if process.id == RESIDENCE_CERTIFICATE {
        specific.push_str(&format!(
            "<fieldset><legend>Wohnsitz</legend>{}{}</fieldset>",
            field(values, "residencesince", "Wohnhaft seit", "date"),
            field(values, "residenceto", "Wohnhaft bis (leer: heute)", "date"),
        ));
    }
    if process.id == ADDRESS_QUERY {
        specific.push_str(&format!(
            "<fieldset><legend>Gesuchte Person</legend>{}</fieldset>",
            f("ahvnumber", "AHV-Nummer der gesuchten Person"),
        ));
    }
    let checked = if values
        .get("deliveryaddress.differentDeliveryaddress")
        .is_some()
    {
        " checked"
    } else {
        ""
    };
    let comments = values.get("comments").and_then(Value::as_str).unwrap_or("");
    let body = format!(
        r#"{error}<p>Gebühr: CHF {fee:.2}. Leere Felder füllt die Sandbox mit Beispielwerten.</p>
<form method="post" action="/forms/{id}">
<fieldset><legend>Gemeinde</legend>
<label><span>Gemeinde</span><select name="municipalityId">{options}</select></label>
{test}
</fieldset>
<fieldset><legend>Personalien</legend>
{salutation}{firstname}{lastname}{company}{dob}{ahv}{street}{streetnumber}{postcode}{place}{country}{phone}{email}
</fieldset>
<fieldset><legend>Lieferadresse</legend>
<label><span>Abweichende Lieferadresse</span><input type="checkbox" name="deliveryaddress.differentDeliveryaddress"{checked}></label>
{dcompany}{dfirstname}{dlastname}{dstreet}{dstreetnumber}{dpostcode}{dplace}{dcountry}
</fieldset>
<fieldset><legend>Zustellung und Zahlung</legend>
<label><span>Zustellung</span><select name="deliveryandpayment.deliverymethod"><option value="post">Post</option></select></label>
<label><span>Zahlung</span><select name="deliveryandpayment.payment"><option value="paymentprovider">TWINT, PostFinance, Karte</option></select></label>
<label><span>Sprache des Dokuments</span><select name="documentLanguage"><option value="de">Deutsch</option><option value="fr">Französisch</option><option value="it">Italienisch</option><option value="en">Englisch</option></select></label>
</fieldset>
{specific}
<fieldset><legend>Bemerkungen</legend><textarea name="comments" rows="3">{comments}</textarea></fieldset>
<button type="submit">Bezahlen und absenden</button>
</form>"#,
        fee = process.fee,
        id = process.id,
        test = field(
            values,
            "testMunicipalityId",
            "oder Testgemeinde (Application-ID)",
            "text"
        ),
        salutation = f("personaldata.salutation", "Anrede"),
        firstname = f("personaldata.firstname", "Vorname"),
        lastname = f("personaldata.lastname", "Nachname"),
        company = f("personaldata.company", "Firma"),
        dob = field(values, "personaldata.dob", "Geburtsdatum", "date"),
        ahv = f("personaldata.ahvNumber", "AHV-Nummer"),
        street = f("personaldata.street", "Strasse"),
        streetnumber = f("personaldata.streetnumber", "Hausnummer"),
        postcode = f("personaldata.postcode", "PLZ"),
        place = f("personaldata.place", "Ort"),
        country = f("personaldata.country", "Land"),
        phone = f("personaldata.phone", "Telefon"),
        email = field(values, "personaldata.email", "E-Mail", "email"),
        dcompany = f("deliveryaddress.company", "Firma"),
        dfirstname = f("deliveryaddress.firstname", "Vorname"),
        dlastname = f("deliveryaddress.lastname", "Nachname"),
        dstreet = f("deliveryaddress.street", "Strasse"),
        dstreetnumber = f("deliveryaddress.streetnumber", "Hausnummer"),
        dpostcode = f("deliveryaddress.postcode", "PLZ"),
        dplace = f("deliveryaddress.place", "Ort"),
        dcountry = f("deliveryaddress.country", "Land"),
        comments = esc(comments),
    );
    page(process.name, &body, false)
}

/// The form fields that become the TaskForm: dotted names nest, empty fields are
/// left out, the checkbox becomes a boolean.
pub fn form_to_json(fields: &[(String, String)]) -> Map<String, Value> {
    let mut form = Map::new();
    for (name, value) in fields {
        if matches!(name.as_str(), "municipalityId" | "testMunicipalityId") {
            continue;
        }
        let value = value.trim();
        let json = if name == "deliveryaddress.differentDeliveryaddress" {
            Value::Bool(true)
        } else if value.is_empty() {
            continue;
        } else {
            Value::String(value.to_string())
        };
        match name.split_once('.') {
            None => {
                form.insert(name.clone(), json);
            }
            Some((group, key)) if !key.contains('.') => {
                let entry = form
                    .entry(group.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(key.to_string(), json);
                }
            }
            Some(_) => {}
        }
    }
    if let Some(Value::Object(delivery)) = form.get_mut("deliveryaddress") {
        delivery
            .entry("differentDeliveryaddress")
            .or_insert(Value::Bool(false));
    }
    form
}

async fn submit_form(state: &Shared, inputs: Inputs) -> Answer {
    let process = form_process(&inputs)?;
    let raw = inputs.form.clone().unwrap_or_default();
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw)
        .map_err(|e| ApiError::bad_request(format!("the form data is malformed: {e}")))?;
    let shown: Map<String, Value> = fields
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let again = |message: String| -> Response {
        (
            StatusCode::BAD_REQUEST,
            Html(form_page(process, &shown, Some(&message))),
        )
            .into_response()
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let municipality = match (get("testMunicipalityId"), get("municipalityId")) {
        (Some(test), _) => match uuid::Uuid::parse_str(&test) {
            Ok(id) => MunicipalityId::Uuid(id),
            Err(_) => {
                return Ok(again(
                    "Die Testgemeinde muss eine Application-ID (UUID) sein.".into(),
                ));
            }
        },
        (None, Some(id)) => match id.parse::<u64>().ok().and_then(std::num::NonZeroU64::new) {
            Some(id) => MunicipalityId::Int64(id),
            None => return Ok(again("Bitte wählen Sie eine Gemeinde.".into())),
        },
        // The form preselects the first municipality.
        (None, None) => MunicipalityId::Int64(std::num::NonZeroU64::MIN),
    };
    let form = form_to_json(&fields);
    if let Err(e) = crate::routes::check(&state.schemas.task_form, &Value::Object(form.clone())) {
        return Ok(again(e.body().message));
    }
    match tasks::submit(
        state,
        Submission {
            process_id: process.id,
            municipality,
            form,
        },
        "",
    )
    .await
    {
        Ok(id) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/forms/tasks/{id}")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            Ok(response)
        }
        Err(ApiError::BadRequest { message, .. }) => Ok(again(message)),
        Err(other) => Err(other),
    }
}

const STATUS_LABELS: [(&str, &str); 4] = [
    ("new", "Eingegangen"),
    ("inprogress", "In Bearbeitung"),
    ("done", "Erledigt"),
    ("refund", "Storniert / zurückerstattet"),
];

fn status_label(status: &str) -> &str {
    STATUS_LABELS
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, l)| *l)
        .unwrap_or(status)
}

async fn show_task(state: &Shared, id: u64) -> Answer {
    let view = task_view(state, id).await?;
    let deliveries: Vec<DeliveryLog> = state
        .db
        .read(|conn| store::delivery_log(conn, Some(id), None))
        .await?;
    let payload = &view.payload;
    let text = |pointer: &str| {
        payload
            .pointer(pointer)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let history: String = view
        .history
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&e.at),
                esc(status_label(&e.status)),
                esc(&e.note)
            )
        })
        .collect();
    let documents = if view.documents.is_empty() {
        "<p>Noch keine Dokumente.</p>".to_string()
    } else {
        let items: String = view
            .documents
            .iter()
            .map(|d| {
                format!(
                    r#"<li><a href="/forms/tasks/{id}/documents/{}">{}</a> ({}, {} Bytes, {})</li>"#,
                    d.id,
                    esc(&d.document_name),
                    esc(&d.document_type),
                    d.size,
                    esc(&d.uploaded_at)
                )
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    let address = if view.process_id == ADDRESS_QUERY {
        match &view.address_data {
            None => "<h2>Adressauskunft</h2><p>Noch keine Antwort der Gemeinde.</p>".to_string(),
            Some(Value::Object(data)) => {
                let rows: String = data
                    .iter()
                    .map(|(k, v)| {
                        let shown = match v {
                            Value::String(s) => s.clone(),
                            Value::Object(o) => o
                                .get("date")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                            other => other.to_string(),
                        };
                        format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&shown))
                    })
                    .collect();
                format!(r#"<h2>Adressauskunft</h2><table id="address">{rows}</table>"#)
            }
            Some(other) => format!(
                "<h2>Adressauskunft</h2><pre>{}</pre>",
                esc(&other.to_string())
            ),
        }
    } else {
        String::new()
    };
    let delivered = deliveries.iter().filter(|d| d.state == "delivered").count();
    let body = format!(
        r#"<p>Vielen Dank. Ihre Referenz: <strong id="reference">{reference}</strong> (Auftrag <span id="uniqueId">{id}</span>)</p>
<p>{process} · {municipality} · eingereicht am {received} · CHF {amount}</p>
<p class="status">Status: <span id="status">{status}</span></p>
<h2>Verlauf</h2>
<table><tr><th>Zeit</th><th>Status</th><th>Ereignis</th></tr>{history}</table>
<h2>Dokumente</h2>
{documents}
{address}
<p><small>Webhook-Zustellungen: {delivered} von {total} zugestellt. Diese Seite aktualisiert sich alle 5 Sekunden.</small></p>"#,
        reference = esc(&text("/cantonreference")),
        process = esc(&text("/processName")),
        municipality = esc(&text("/municipalityName")),
        received = esc(&text("/datereceived")),
        amount = esc(&text("/amount")),
        status = esc(status_label(&view.status)),
        total = deliveries.len(),
    );
    Ok(Html(page("Ihr Auftrag", &body, true)).into_response())
}

async fn download(state: &Shared, task: u64, doc: u64) -> Answer {
    let found = state
        .db
        .read(|conn| store::document_content(conn, task, doc))
        .await?;
    let Some((name, _doc_type, content)) = found else {
        return Err(ApiError::NotFound(format!(
            "/forms/tasks/{task}/documents/{doc}"
        )));
    };
    let mime = if name.to_ascii_lowercase().ends_with(".pdf") {
        "application/pdf"
    } else {
        "application/octet-stream"
    };
    let mut response = (StatusCode::OK, content).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_nest_and_empty_ones_go() {
        let fields = vec![
            ("municipalityId".to_string(), "1".to_string()),
            ("personaldata.lastname".to_string(), "Muster".to_string()),
            ("personaldata.firstname".to_string(), " ".to_string()),
            (
                "deliveryaddress.differentDeliveryaddress".to_string(),
                "on".to_string(),
            ),
            ("comments".to_string(), "zwei".to_string()),
        ];
        let form = form_to_json(&fields);
        assert_eq!(
            Value::Object(form),
            serde_json::json!({
                "personaldata": {"lastname": "Muster"},
                "deliveryaddress": {"differentDeliveryaddress": true},
                "comments": "zwei"
            })
        );
    }

    #[test]
    fn pages_escape_what_they_show() {
        let mut values = Map::new();
        values.insert(
            "personaldata.lastname".into(),
            Value::String("<b>\"x\"".into()),
        );
        let html = form_page(reference::process(7310).unwrap(), &values, Some("<err>"));
        assert!(html.contains("&lt;err&gt;"));
        assert!(html.contains("value=\"&lt;b&gt;&quot;x&quot;\""), "{html}");
        assert!(html.contains("residencesince"));
    }
}
