//! The embedded database's tables and the queries on them (run on the database
//! thread, `db`). Every statement is prepared once per connection and cached.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// The tables, created when missing.
pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS vendors (
    id TEXT PRIMARY KEY,
    subscription TEXT NOT NULL,
    apikey TEXT NOT NULL UNIQUE,
    provider_name TEXT NOT NULL,
    plz TEXT NOT NULL,
    place TEXT NOT NULL,
    address1 TEXT NOT NULL,
    address2 TEXT NOT NULL,
    address3 TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    website TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applications (
    id TEXT PRIMARY KEY,
    vendor_id TEXT NOT NULL REFERENCES vendors(id),
    name TEXT NOT NULL,
    description TEXT,
    processes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    vendor_id TEXT NOT NULL REFERENCES vendors(id),
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    comment TEXT,
    municipality TEXT NOT NULL,
    processes TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    headers TEXT NOT NULL,
    parameters TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    process_id INTEGER NOT NULL,
    municipality TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    address_data TEXT,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS task_owners (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    vendor_id TEXT NOT NULL,
    PRIMARY KEY (task_id, vendor_id)
);
CREATE TABLE IF NOT EXISTS task_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    name TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    content BLOB NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    webhook_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at_ms INTEGER NOT NULL,
    last_error TEXT,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_at_ms);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
-- Task ids look like the portal's (six digits) from the first task on.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'tasks', 100000 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tasks');
"#;

/// Runs `sql` (prepared once per connection) with `params`.
fn exec<P: rusqlite::Params>(conn: &Connection, sql: &str, params: P) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// The one row `sql` (prepared once per connection) finds for `params`.
fn row<T, P, F>(conn: &Connection, sql: &str, params: P, f: F) -> rusqlite::Result<T>
where
    P: rusqlite::Params,
    F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
{
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// Now, as the portal writes times (`YYYY-MM-DD hh:mm:ss`, local time).
pub fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn json_col<T: for<'de> Deserialize<'de>>(text: String) -> rusqlite::Result<T> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

// ----------------------------------------------------------------------------
// Vendors

/// A vendor's contact details; a field never set is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorFields {
    pub provider_name: String,
    pub plz: String,
    pub place: String,
    pub address1: String,
    pub address2: String,
    pub address3: String,
    pub phone: String,
    pub email: String,
    pub website: String,
}

/// A stored vendor registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub id: String,
    pub fields: VendorFields,
}

/// Stores a new vendor with the digests of its subscription key and apikey (hex).
pub fn insert_vendor(
    conn: &Connection,
    id: &str,
    subscription: &str,
    apikey: &str,
    f: &VendorFields,
) -> Result<(), ApiError> {
    exec(
        conn,
        "INSERT INTO vendors (id, subscription, apikey, provider_name, plz, place, address1, \
         address2, address3, phone, email, website, created) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            id,
            subscription,
            apikey,
            f.provider_name,
            f.plz,
            f.place,
            f.address1,
            f.address2,
            f.address3,
            f.phone,
            f.email,
            f.website,
            now_text()
        ],
    )?;
    Ok(())
}

/// Replaces every contact field of the vendor `id`.
pub fn replace_vendor(conn: &Connection, id: &str, f: &VendorFields) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE vendors SET provider_name = ?2, plz = ?3, place = ?4, address1 = ?5, \
         address2 = ?6, address3 = ?7, phone = ?8, email = ?9, website = ?10 WHERE id = ?1",
        params![
            id,
            f.provider_name,
            f.plz,
            f.place,
            f.address1,
            f.address2,
            f.address3,
            f.phone,
            f.email,
            f.website
        ],
    )?;
    Ok(())
}

/// The vendor `id`, if it exists.
pub fn get_vendor(conn: &Connection, id: &str) -> Result<Option<Vendor>, ApiError> {
    Ok(row(
        conn,
        "SELECT id, provider_name, plz, place, address1, address2, address3, phone, email, \
             website FROM vendors WHERE id = ?1",
        [id],
        |r| {
            Ok(Vendor {
                id: r.get(0)?,
                fields: VendorFields {
                    provider_name: r.get(1)?,
                    plz: r.get(2)?,
                    place: r.get(3)?,
                    address1: r.get(4)?,
                    address2: r.get(5)?,
                    address3: r.get(6)?,
                    phone: r.get(7)?,
                    email: r.get(8)?,
                    website: r.get(9)?,
                },
            })
        },
    )
    .optional()?)
}

/// Every vendor's id, subscription digest and apikey digest (hex), oldest first.
pub fn vendor_keys(conn: &Connection) -> Result<Vec<(String, String, String)>, ApiError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, subscription, apikey FROM vendors ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replaces the vendor's apikey digest (hex).
pub fn set_apikey(conn: &Connection, id: &str, apikey: &str) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE vendors SET apikey = ?2 WHERE id = ?1",
        params![id, apikey],
    )?;
    Ok(())
}

// ----------------------------------------------------------------------------
// Applications

/// A stored application configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: String,
    pub vendor_id: String,
    pub name: String,
    pub description: Option<String>,
    pub processes: Vec<String>,
}

fn application_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Application> {
    Ok(Application {
        id: r.get(0)?,
        vendor_id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        processes: json_col(r.get(4)?)?,
    })
}

macro_rules! application_columns {
    () => {
        "id, vendor_id, name, description, processes"
    };
}

/// Creates the application, or replaces its name, description and processes.
pub fn upsert_application(conn: &Connection, app: &Application) -> Result<(), ApiError> {
    exec(
        conn,
        "INSERT INTO applications (id, vendor_id, name, description, processes) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET name = excluded.name, \
         description = excluded.description, processes = excluded.processes",
        params![
            app.id,
            app.vendor_id,
            app.name,
            app.description,
            to_json(&app.processes)
        ],
    )?;
    Ok(())
}

/// The applications of `vendor`, oldest first.
pub fn list_applications(conn: &Connection, vendor: &str) -> Result<Vec<Application>, ApiError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications WHERE vendor_id = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([vendor], application_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The id and name of each application of `vendor`, oldest first (its test
/// municipalities).
pub fn application_names(
    conn: &Connection,
    vendor: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name FROM applications WHERE vendor_id = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([vendor], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The application `id`, whoever owns it.
pub fn get_application(conn: &Connection, id: &str) -> Result<Option<Application>, ApiError> {
    Ok(row(
        conn,
        concat!(
            "SELECT ",
            application_columns!(),
            " FROM applications WHERE id = ?1"
        ),
        [id],
        application_row,
    )
    .optional()?)
}

/// Deletes an application of `vendor` with its webhooks; cancels their pending
/// deliveries. `false` when the vendor has no such application.
pub fn delete_application(tx: &Transaction<'_>, vendor: &str, id: &str) -> Result<bool, ApiError> {
    let hooks: Vec<String> = {
        let mut stmt = tx.prepare_cached("SELECT id FROM webhooks WHERE application_id = ?1")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let deleted = exec(
        tx,
        "DELETE FROM applications WHERE id = ?1 AND vendor_id = ?2",
        params![id, vendor],
    )?;
    if deleted == 0 {
        return Ok(false);
    }
    for hook in hooks {
        cancel_deliveries(tx, &hook, "the webhook's application was deleted")?;
    }
    Ok(true)
}

// ----------------------------------------------------------------------------
// Webhooks

/// A stored webhook configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub vendor_id: String,
    pub application_id: String,
    pub name: String,
    pub comment: Option<String>,
    /// Canonical municipality id: decimal for a real one, hyphenated UUID for a test one.
    pub municipality: String,
    pub processes: Vec<String>,
    pub callback_url: String,
    pub headers: Vec<(String, String)>,
    pub parameters: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
}

macro_rules! webhook_columns {
    () => {
        "id, vendor_id, application_id, name, comment, municipality, processes, callback_url, \
         headers, parameters, body"
    };
}

fn webhook_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: r.get(0)?,
        vendor_id: r.get(1)?,
        application_id: r.get(2)?,
        name: r.get(3)?,
        comment: r.get(4)?,
        municipality: r.get(5)?,
        processes: json_col(r.get(6)?)?,
        callback_url: r.get(7)?,
        headers: json_col(r.get(8)?)?,
        parameters: json_col(r.get(9)?)?,
        body: json_col(r.get(10)?)?,
    })
}

/// Creates or replaces the webhook.
pub fn upsert_webhook(conn: &Connection, w: &Webhook) -> Result<(), ApiError> {
    exec(
        conn,
        concat!(
            "INSERT OR REPLACE INTO webhooks (",
            webhook_columns!(),
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            w.id,
            w.vendor_id,
            w.application_id,
            w.name,
            w.comment,
            w.municipality,
            to_json(&w.processes),
            w.callback_url,
            to_json(&w.headers),
            to_json(&w.parameters),
            to_json(&w.body)
        ],
    )?;
    Ok(())
}

/// The webhooks of `vendor`, oldest first.
pub fn list_webhooks(conn: &Connection, vendor: &str) -> Result<Vec<Webhook>, ApiError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        webhook_columns!(),
        " FROM webhooks WHERE vendor_id = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([vendor], webhook_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The webhook `id`, whoever owns it.
pub fn get_webhook(conn: &Connection, id: &str) -> Result<Option<Webhook>, ApiError> {
    Ok(row(
        conn,
        concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE id = ?1"
        ),
        [id],
        webhook_row,
    )
    .optional()?)
}

/// The webhooks that serve `process` in `municipality`.
pub fn matching_webhooks(
    conn: &Connection,
    municipality: &str,
    process: &str,
) -> Result<Vec<Webhook>, ApiError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        webhook_columns!(),
        " FROM webhooks WHERE municipality = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([municipality], webhook_row)?;
    let all: Vec<Webhook> = rows.collect::<Result<_, _>>()?;
    Ok(all
        .into_iter()
        .filter(|w| w.processes.iter().any(|p| p == process))
        .collect())
}

/// Deletes a webhook of `vendor` and cancels its pending deliveries; `false` when
/// the vendor has no such webhook.
pub fn delete_webhook(tx: &Transaction<'_>, vendor: &str, id: &str) -> Result<bool, ApiError> {
    let deleted = exec(
        tx,
        "DELETE FROM webhooks WHERE id = ?1 AND vendor_id = ?2",
        params![id, vendor],
    )?;
    if deleted == 0 {
        return Ok(false);
    }
    cancel_deliveries(tx, id, "the webhook was deleted")?;
    Ok(true)
}

fn cancel_deliveries(conn: &Connection, webhook: &str, reason: &str) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE deliveries SET state = 'cancelled', last_error = ?2 \
         WHERE webhook_id = ?1 AND state = 'pending'",
        params![webhook, reason],
    )?;
    Ok(())
}

// ----------------------------------------------------------------------------
// Tasks

/// A stored task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: u64,
    pub process_id: u64,
    pub municipality: String,
    /// The CallbackPayload as submitted (status `new`).
    pub payload: Value,
    pub status: String,
    pub address_data: Option<Value>,
    pub created: String,
}

/// One entry of a task's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskEvent {
    pub at: String,
    pub status: String,
    pub note: String,
}

/// A document attached to a task (without its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentInfo {
    pub id: u64,
    pub document_name: String,
    pub document_type: String,
    pub size: u64,
    pub uploaded_at: String,
}

/// Reserves the next task id (the transaction inserts the task right after).
pub fn insert_task(
    tx: &Transaction<'_>,
    process_id: u64,
    municipality: &str,
    build_payload: impl FnOnce(u64) -> Result<Value, ApiError>,
) -> Result<(u64, Value), ApiError> {
    let created = now_text();
    exec(
        tx,
        "INSERT INTO tasks (process_id, municipality, payload, status, created) \
         VALUES (?1, ?2, '{}', 'new', ?3)",
        params![process_id as i64, municipality, created],
    )?;
    let id = tx.last_insert_rowid() as u64;
    let payload = build_payload(id)?;
    exec(
        tx,
        "UPDATE tasks SET payload = ?2 WHERE id = ?1",
        params![id as i64, to_json(&payload)],
    )?;
    add_event(tx, id, "new", "submitted by the citizen")?;
    Ok((id, payload))
}

/// Lets `vendor` update the task.
pub fn add_owner(conn: &Connection, task: u64, vendor: &str) -> Result<(), ApiError> {
    exec(
        conn,
        "INSERT OR IGNORE INTO task_owners (task_id, vendor_id) VALUES (?1, ?2)",
        params![task as i64, vendor],
    )?;
    Ok(())
}

/// Whether `vendor` may update the task.
pub fn is_owner(conn: &Connection, task: u64, vendor: &str) -> Result<bool, ApiError> {
    Ok(row(
        conn,
        "SELECT 1 FROM task_owners WHERE task_id = ?1 AND vendor_id = ?2",
        params![task as i64, vendor],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// The task `id`, if it exists.
pub fn get_task(conn: &Connection, id: u64) -> Result<Option<Task>, ApiError> {
    let Ok(id) = i64::try_from(id) else {
        return Ok(None);
    };
    Ok(row(
        conn,
        "SELECT id, process_id, municipality, payload, status, address_data, created \
             FROM tasks WHERE id = ?1",
        [id],
        |r| {
            Ok(Task {
                id: r.get::<_, i64>(0)? as u64,
                process_id: r.get::<_, i64>(1)? as u64,
                municipality: r.get(2)?,
                payload: json_col(r.get(3)?)?,
                status: r.get(4)?,
                address_data: r.get::<_, Option<String>>(5)?.map(json_col).transpose()?,
                created: r.get(6)?,
            })
        },
    )
    .optional()?)
}

/// Moves the task to `status`, with a history entry.
pub fn set_status(conn: &Connection, id: u64, status: &str, note: &str) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE tasks SET status = ?2 WHERE id = ?1",
        params![id as i64, status],
    )?;
    add_event(conn, id, status, note)
}

/// Adds an entry to the task's status history.
pub fn add_event(conn: &Connection, id: u64, status: &str, note: &str) -> Result<(), ApiError> {
    exec(
        conn,
        "INSERT INTO task_events (task_id, at, status, note) VALUES (?1, ?2, ?3, ?4)",
        params![id as i64, now_text(), status, note],
    )?;
    Ok(())
}

/// The task's status history, oldest first.
pub fn task_history(conn: &Connection, id: u64) -> Result<Vec<TaskEvent>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, status, note FROM task_events WHERE task_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id as i64], |r| {
        Ok(TaskEvent {
            at: r.get(0)?,
            status: r.get(1)?,
            note: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replaces the task's stored payload.
pub fn update_payload(conn: &Connection, id: u64, payload: &Value) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE tasks SET payload = ?2 WHERE id = ?1",
        params![id as i64, to_json(payload)],
    )?;
    Ok(())
}

/// Stores the vendor's answer to an address query, with a history entry.
pub fn set_address_data(conn: &Connection, id: u64, data: &Value) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE tasks SET address_data = ?2 WHERE id = ?1",
        params![id as i64, to_json(data)],
    )?;
    add_event(conn, id, "new", "address data received from the vendor")
}

/// Attaches a document to the task; answers its id.
pub fn insert_document(
    conn: &Connection,
    task: u64,
    name: &str,
    doc_type: &str,
    content: &[u8],
) -> Result<u64, ApiError> {
    exec(
        conn,
        "INSERT INTO documents (task_id, name, doc_type, content, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![task as i64, name, doc_type, content, now_text()],
    )?;
    Ok(conn.last_insert_rowid() as u64)
}

/// The task's documents (without content), oldest first.
pub fn documents(conn: &Connection, task: u64) -> Result<Vec<DocumentInfo>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, doc_type, length(content), at FROM documents WHERE task_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([task as i64], |r| {
        Ok(DocumentInfo {
            id: r.get::<_, i64>(0)? as u64,
            document_name: r.get(1)?,
            document_type: r.get(2)?,
            size: r.get::<_, i64>(3)? as u64,
            uploaded_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A document's name, type and content.
pub fn document_content(
    conn: &Connection,
    task: u64,
    doc: u64,
) -> Result<Option<(String, String, Vec<u8>)>, ApiError> {
    let (Ok(task), Ok(doc)) = (i64::try_from(task), i64::try_from(doc)) else {
        return Ok(None);
    };
    Ok(row(
        conn,
        "SELECT name, doc_type, content FROM documents WHERE task_id = ?1 AND id = ?2",
        params![task, doc],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

// ----------------------------------------------------------------------------
// Deliveries

/// Why the platform calls a webhook.
pub const EVENT_SUBMITTED: &str = "submitted";
/// The payment gateway reported a failed refund.
pub const EVENT_REFUND_FAILED: &str = "refund_failed";

/// A pending call of one webhook with one payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: u64,
    pub task_id: u64,
    pub webhook_id: String,
    pub event: String,
    pub payload: Value,
    pub attempts: u32,
}

/// One attempt to deliver, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptLog {
    pub attempt: u32,
    pub at: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// A delivery with its attempts, as the log shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryLog {
    pub id: u64,
    pub unique_id: u64,
    pub whid: String,
    pub event: String,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created: String,
    pub attempts: Vec<AttemptLog>,
    pub payload: Value,
}

/// Stores a pending delivery, due now.
pub fn enqueue(
    conn: &Connection,
    task: u64,
    webhook: &str,
    event: &str,
    payload: &Value,
) -> Result<(), ApiError> {
    exec(
        conn,
        "INSERT INTO deliveries (task_id, webhook_id, event, payload, state, next_at_ms, created) \
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
        params![
            task as i64,
            webhook,
            event,
            to_json(payload),
            now_ms(),
            now_text()
        ],
    )?;
    Ok(())
}

/// Pending deliveries due at `now`, oldest first.
pub fn due_deliveries(
    conn: &Connection,
    now: i64,
    limit: usize,
) -> Result<Vec<Delivery>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, task_id, webhook_id, event, payload, attempts FROM deliveries \
         WHERE state = 'pending' AND next_at_ms <= ?1 ORDER BY next_at_ms, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit as i64], |r| {
        Ok(Delivery {
            id: r.get::<_, i64>(0)? as u64,
            task_id: r.get::<_, i64>(1)? as u64,
            webhook_id: r.get(2)?,
            event: r.get(3)?,
            payload: json_col(r.get(4)?)?,
            attempts: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the delivery is still pending after exactly `attempts` attempts (a
/// delivery read before another attempt finished is stale, and must not be sent).
pub fn still_due(conn: &Connection, id: u64, attempts: u32) -> Result<bool, ApiError> {
    Ok(row(
        conn,
        "SELECT 1 FROM deliveries WHERE id = ?1 AND state = 'pending' AND attempts = ?2",
        params![id as i64, attempts],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// When the next pending delivery is due (ms since the epoch).
pub fn next_due(conn: &Connection) -> Result<Option<i64>, ApiError> {
    Ok(row(
        conn,
        "SELECT min(next_at_ms) FROM deliveries WHERE state = 'pending'",
        [],
        |r| r.get(0),
    )?)
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged by the receiver.
    Delivered,
    /// Failed; try again at this time (ms since the epoch).
    Retry(i64),
    /// Failed, and no attempts are left.
    Failed,
}

/// Logs one attempt and moves the delivery on, in one transaction.
pub fn record_attempt(
    tx: &Transaction<'_>,
    delivery: &Delivery,
    log: &AttemptLog,
    outcome: &Outcome,
) -> Result<(), ApiError> {
    exec(
        tx,
        "INSERT INTO attempts (delivery_id, attempt, at, url, status, error, duration_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            delivery.id as i64,
            log.attempt,
            log.at,
            log.url,
            log.status,
            log.error,
            log.duration_ms as i64
        ],
    )?;
    let (state, next) = match outcome {
        Outcome::Delivered => ("delivered", 0),
        Outcome::Retry(at) => ("pending", *at),
        Outcome::Failed => ("failed", 0),
    };
    exec(
        tx,
        "UPDATE deliveries SET state = ?2, attempts = ?3, next_at_ms = ?4, last_error = ?5 \
         WHERE id = ?1 AND state = 'pending'",
        params![delivery.id as i64, state, log.attempt, next, log.error],
    )?;
    Ok(())
}

/// Marks a delivery cancelled without an attempt (its webhook is gone).
pub fn cancel_delivery(conn: &Connection, id: u64, reason: &str) -> Result<(), ApiError> {
    exec(
        conn,
        "UPDATE deliveries SET state = 'cancelled', last_error = ?2 WHERE id = ?1 AND state = 'pending'",
        params![id as i64, reason],
    )?;
    Ok(())
}

/// The delivery log, newest first, optionally for one task and/or one webhook.
pub fn delivery_log(
    conn: &Connection,
    task: Option<u64>,
    webhook: Option<&str>,
) -> Result<Vec<DeliveryLog>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, task_id, webhook_id, event, state, last_error, created, payload FROM deliveries \
         WHERE (?1 IS NULL OR task_id = ?1) AND (?2 IS NULL OR webhook_id = ?2) ORDER BY id DESC LIMIT 500",
    )?;
    let task = task.and_then(|t| i64::try_from(t).ok());
    let rows = stmt.query_map(params![task, webhook], |r| {
        Ok(DeliveryLog {
            id: r.get::<_, i64>(0)? as u64,
            unique_id: r.get::<_, i64>(1)? as u64,
            whid: r.get(2)?,
            event: r.get(3)?,
            state: r.get(4)?,
            last_error: r.get(5)?,
            created: r.get(6)?,
            attempts: Vec::new(),
            payload: json_col(r.get(7)?)?,
        })
    })?;
    let mut log: Vec<DeliveryLog> = rows.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT attempt, at, url, status, error, duration_ms FROM attempts WHERE delivery_id = ?1 ORDER BY id",
    )?;
    for entry in &mut log {
        let rows = stmt.query_map([entry.id as i64], |r| {
            Ok(AttemptLog {
                attempt: r.get(0)?,
                at: r.get(1)?,
                url: r.get(2)?,
                status: r.get(3)?,
                error: r.get(4)?,
                duration_ms: r.get::<_, i64>(5)? as u64,
            })
        })?;
        entry.attempts = rows.collect::<Result<_, _>>()?;
    }
    Ok(log)
}
