//! The Smart Service Portal sandbox: the portal side of API 2.0.0, end to end, as
//! one process with an embedded database.
//!
//! * The 15 operations of `spec/openapi.yaml`, routed and validated by that spec,
//!   with bodies read into and answers built from the generated client's types.
//! * The citizen side of `spec/sandbox.yaml`: HTML forms at `/forms` that create
//!   tasks, and a JSON control API at `/sandbox` for tests and scripts.
//! * Webhook dispatch, at least once, with exponential backoff; pending deliveries
//!   are stored with their task and survive a restart.
//!
//! Start it in-process (tests, the conformance suite) on port 0:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sandbox = smartservice_sandbox::Sandbox::start(smartservice_sandbox::Config::ephemeral()).await?;
//! let client = sandbox.client(); // sends sandbox.subscription_key()
//! let processes = client.list_processes().send().await?.into_inner();
//! assert_eq!(processes.len(), 5);
//! println!("{} {}", sandbox.base_url(), sandbox.forms_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod answers;
mod api;
mod auth;
mod citizen;
mod db;
mod dispatch;
mod error;
mod limits;
pub mod reference;
mod routes;
mod server;
mod store;
mod tasks;
mod vendor_keys;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::json;
use smartservice_client::{Client, Credentials};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

pub use dispatch::DeliveryConfig;
pub use limits::{MAX_BODY_BYTES, MAX_DOCUMENT_BYTES};

/// The portal's spec, which routes and validates every portal request.
pub const PORTAL_SPEC: &str = include_str!("../../spec/openapi.yaml");
/// The citizen side's spec (forms and control API).
pub const SANDBOX_SPEC: &str = include_str!("../../spec/sandbox.yaml");

/// How to run a sandbox.
#[derive(Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The database file (created if missing); `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// The accepted subscription keys; when empty, one is generated.
    pub subscription_keys: Vec<String>,
    /// How webhooks are called.
    pub delivery: DeliveryConfig,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("db", &self.db)
            .field(
                "subscription_keys",
                &format!("<{} redacted>", self.subscription_keys.len()),
            )
            .field("delivery", &self.delivery)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: None,
            subscription_keys: Vec::new(),
            delivery: DeliveryConfig::default(),
        }
    }
}

impl Config {
    /// For tests: 127.0.0.1 on a free port, in memory, a generated key, and webhook
    /// retries after 50 ms, 100 ms, ... (5 attempts, 2 s timeout).
    pub fn ephemeral() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            delivery: DeliveryConfig {
                max_attempts: 5,
                initial_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(400),
                timeout: Duration::from_secs(2),
                loopback_only: false,
            },
            ..Config::default()
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    keys: Vec<String>,
    generated_key: bool,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    dispatcher: JoinHandle<()>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish()
    }
}

async fn build_state(config: &Config, keys: &[String]) -> anyhow::Result<server::AppState> {
    let portal = routes::Routes::from_yaml(PORTAL_SPEC, "spec/openapi.yaml")
        .map_err(|e| anyhow::anyhow!("spec/openapi.yaml: {e}"))?;
    let citizen = routes::Routes::from_yaml(SANDBOX_SPEC, "spec/sandbox.yaml")
        .map_err(|e| anyhow::anyhow!("spec/sandbox.yaml: {e}"))?;
    let compile = |routes: &routes::Routes, name: &str| {
        routes
            .compile(&json!({ "$ref": format!("#/components/schemas/{name}") }))
            .map_err(|e| anyhow::anyhow!("schema {name}: {e}"))
    };
    let schemas = server::Schemas {
        callback_payload: compile(&portal, "CallbackPayload")?,
        address_data: compile(&portal, "AddressData")?,
        task_form: compile(&citizen, "TaskForm")?,
    };
    let db = db::Db::open(config.db.as_deref()).with_context(|| match &config.db {
        Some(path) => format!("cannot open the database {}", path.display()),
        None => "cannot open the in-memory database".to_string(),
    })?;
    let vendors = db
        .call(|conn| vendor_keys::VendorKeys::load(conn))
        .await
        .context("cannot read the vendors' keys")?;
    Ok(server::AppState {
        db,
        portal,
        citizen,
        schemas,
        keys: auth::SubscriptionKeys::new(keys),
        vendors: Arc::new(vendors),
        answers: answers::StaticAnswers::build().context("cannot serialize the reference data")?,
        delivery: config.delivery.clone(),
        dispatch: Notify::new(),
        portal_requests: Default::default(),
    })
}

impl Sandbox {
    /// Opens the database, binds `config.listen`, and starts serving and
    /// dispatching (pending deliveries from an earlier run are sent again).
    pub async fn start(config: Config) -> anyhow::Result<Sandbox> {
        anyhow::ensure!(
            config
                .subscription_keys
                .iter()
                .all(|k| !k.trim().is_empty()),
            "a subscription key must not be empty"
        );
        let generated_key = config.subscription_keys.is_empty();
        let keys = if generated_key {
            vec![auth::new_secret("dev_")]
        } else {
            config.subscription_keys.clone()
        };
        let state = Arc::new(build_state(&config, &keys).await?);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let dispatcher = tokio::spawn(dispatch::run(state.clone(), stopped.clone()));
        let mut server_stopped = stopped;
        let app = server::router(state);
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = server_stopped.wait_for(|s| *s).await;
                })
                .await
        });
        let host = match addr.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            std::net::IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            ip => ip.to_string(),
        };
        Ok(Sandbox {
            base_url: format!("http://{host}:{}", addr.port()),
            addr,
            keys,
            generated_key,
            stop,
            server,
            dispatcher,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`, the base URL of the portal API.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The URL of the citizen forms.
    pub fn forms_url(&self) -> String {
        format!("{}/forms", self.base_url)
    }

    /// The first accepted subscription key (the generated one, if none was given).
    pub fn subscription_key(&self) -> &str {
        &self.keys[0]
    }

    /// Every accepted subscription key.
    pub fn subscription_keys(&self) -> &[String] {
        &self.keys
    }

    /// Whether the subscription key was generated at start.
    pub fn key_was_generated(&self) -> bool {
        self.generated_key
    }

    /// A portal client that sends the first subscription key (and no apikey yet:
    /// set it with `Client::set_api_key`).
    pub fn client(&self) -> Client {
        Client::with_credentials(&self.base_url, Credentials::new(self.subscription_key()))
            .expect("generated and configured keys are valid header values")
    }

    /// Stops accepting requests, lets running ones finish, and stops the dispatcher.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        let _ = self.dispatcher.await;
    }

    /// Runs until `signal` completes, then shuts down.
    pub async fn run_until(self, signal: impl std::future::Future<Output = ()>) {
        signal.await;
        self.shutdown().await;
    }
}
