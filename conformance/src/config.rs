//! Everything a run is told: target, selection, budgets and outputs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::checks::CheckSelection;
use crate::progress::ProgressMode;

/// What to test.
#[derive(Clone, PartialEq, Eq)]
pub enum TargetConfig {
    /// The sandbox of this repository, started in-process on 127.0.0.1.
    Embedded,
    /// Any implementation.
    Remote {
        /// Its base URL (scheme, host, port, path stem).
        base_url: String,
        /// The gateway subscription key.
        subscription_key: String,
        /// A vendor apikey; without one, a vendor is registered.
        api_key: Option<String>,
        /// A sandbox-compatible control API for submitting tasks.
        control_url: Option<String>,
    },
}

impl std::fmt::Debug for TargetConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetConfig::Embedded => f.write_str("Embedded"),
            TargetConfig::Remote {
                base_url,
                control_url,
                api_key,
                ..
            } => f
                .debug_struct("Remote")
                .field("base_url", base_url)
                .field("subscription_key", &"<redacted>")
                .field("api_key", &api_key.as_ref().map(|_| "<redacted>"))
                .field("control_url", control_url)
                .finish(),
        }
    }
}

/// Told where the webhook receiver listens, once it does (e.g. to point a tunnel
/// or a test proxy at it).
#[derive(Clone)]
pub struct ReceiverHook(pub std::sync::Arc<dyn Fn(SocketAddr) + Send + Sync>);

impl std::fmt::Debug for ReceiverHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiverHook")
    }
}

/// A whole run's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to test.
    pub target: TargetConfig,
    /// Which checks to apply.
    pub checks: CheckSelection,
    /// Which operations to generate requests for (all when `None`).
    pub operations: Option<Vec<String>>,
    /// Random positive and negative cases per operation.
    pub cases: u32,
    /// The seed (a fresh one when `None`).
    pub seed: Option<u64>,
    /// Most requests in flight.
    pub concurrency: usize,
    /// Threads that send requests and check answers (see [`default_threads`]).
    pub threads: usize,
    /// Total time allowed per exchange.
    pub timeout: Duration,
    /// How long to wait for a webhook call.
    pub webhook_timeout: Duration,
    /// Where the receiver listens.
    pub webhook_listen: SocketAddr,
    /// The receiver's address as the target must call it.
    pub webhook_public_url: Option<String>,
    /// Most bytes read of one response body.
    pub max_body_bytes: usize,
    /// Most shrinking steps per failure.
    pub max_shrink_steps: u32,
    /// JUnit XML output.
    pub junit: Option<PathBuf>,
    /// JSON output.
    pub json: Option<PathBuf>,
    /// Markdown output.
    pub markdown: Option<PathBuf>,
    /// How progress is shown.
    pub progress: ProgressMode,
    /// Called with the receiver's address once it listens.
    pub receiver_bound: Option<ReceiverHook>,
}

/// Half the machine's cores, at least one: the implementation under test usually
/// runs on the same machine and needs the other half (on two cores, a second
/// thread made runs no faster, only busier; bench/NOTES.md).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (usize::from(n) / 2).max(1))
}

impl Default for Config {
    fn default() -> Self {
        Config {
            target: TargetConfig::Embedded,
            checks: CheckSelection::default(),
            operations: None,
            cases: 100,
            seed: None,
            concurrency: 32,
            threads: default_threads(),
            timeout: Duration::from_secs(10),
            webhook_timeout: Duration::from_secs(10),
            webhook_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            webhook_public_url: None,
            max_body_bytes: 4 * 1024 * 1024,
            max_shrink_steps: 400,
            junit: None,
            json: None,
            markdown: None,
            progress: ProgressMode::Auto,
            receiver_bound: None,
        }
    }
}
