//! How a vendor's crate uses the client: list the processes, then register a
//! webhook for the first one in a municipality.
//!
//! ```sh
//! SSP_BASE_URL=http://127.0.0.1:8080 SSP_SUBSCRIPTION_KEY=... SSP_API_KEY=... \
//! SSP_APPLICATION_ID=<appid> SSP_MUNICIPALITY_ID=<munid> \
//! SSP_CALLBACK_URL=https://vendor.example.com/tasks \
//!   cargo run -p smartservice-client --example register_webhook
//! ```

use std::error::Error;

use smartservice_client::{Client, Credentials, types};

fn env(name: &str) -> Result<String, Box<dyn Error>> {
    std::env::var(name)
        .map_err(|_| format!("set {name} (see the comment at the top of this example)").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::with_credentials(
        &env("SSP_BASE_URL")?,
        Credentials::new(env("SSP_SUBSCRIPTION_KEY")?).with_api_key(env("SSP_API_KEY")?),
    )?;

    let processes = client.list_processes().send().await?.into_inner();
    for process in &processes {
        println!(
            "process {:>5}  {}",
            process.process_id, process.process_name
        );
    }
    let first = processes.first().ok_or("the portal lists no processes")?;

    let request = types::WebhookConfigurationRequest::builder()
        .whname("Tasks for our municipality software")
        .application_id(env("SSP_APPLICATION_ID")?.parse::<uuid::Uuid>()?)
        .municipality_id(env("SSP_MUNICIPALITY_ID")?.parse::<types::MunicipalityId>()?)
        .processes(vec![
            first
                .process_id
                .to_string()
                .parse::<types::ProcessReference>()?,
        ])
        .callback_url(env("SSP_CALLBACK_URL")?);
    let created = client
        .create_webhook_configuration()
        .body(request)
        .send()
        .await?
        .into_inner();
    println!(
        "webhook {} registered for process {}",
        created.whid(),
        first.process_id
    );
    Ok(())
}
