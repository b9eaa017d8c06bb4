//! A vendor's webhook receiver: prints every task the platform sends and answers
//! address queries ("Adressauskunft") from a (here: canned) address register.
//!
//! Run it with `cargo run -p smartservice-client --features receiver --example
//! webhook_receiver [LISTEN_ADDR]` (default `127.0.0.1:8081`), then register a
//! webhook whose `callbackUrl` is `http://<LISTEN_ADDR>/smartservice/tasks`.

use axum::Router;
use smartservice_client::receiver::{self, Callback, Reply};
use smartservice_client::types::AddressData;

async fn handle(callback: Callback) -> Reply {
    let task = &callback.payload;
    println!(
        "task {} ({}, {}): status {:?}, extra fields {:?}",
        task.unique_id,
        task.process_name,
        task.municipality_name,
        task.status,
        callback.extra_fields
    );
    if callback.is_address_query() {
        // Look the person up by `task.ahvnumber` in your register; this one is canned.
        let answer = AddressData {
            id_subject: 4711,
            firstname: task.personaldata.firstname.clone(),
            lastname: task.personaldata.lastname.clone(),
            street: "Bahnhofstrasse".into(),
            number: Some(12),
            addition: None,
            zip: 5000,
            city: "Aarau".into(),
            birthday: None,
            birth_city: None,
            birth_canton: None,
            civil_status: None,
            nationality: Some("Schweiz".into()),
            hometown_canton: None,
            branch: None,
            influx_date: None,
            influx_city: None,
            influx_canton: None,
        };
        return Reply::Address(answer);
    }
    Reply::Acknowledge
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let app = Router::new().nest("/smartservice/tasks", receiver::router(handle));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!(
        "receiving webhook calls on http://{}/smartservice/tasks",
        listener.local_addr()?
    );
    axum::serve(listener, app).await
}
