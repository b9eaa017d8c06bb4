//! `ssp-sandbox`: runs the Smart Service Portal sandbox until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use smartservice_sandbox::{Config, DeliveryConfig, Sandbox};

/// The Smart Service Portal sandbox: the portal API, citizen forms, and webhook
/// dispatch, in one process.
#[derive(Parser, Debug)]
#[command(name = "ssp-sandbox", version)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// SQLite database file, kept across restarts; in memory when not given.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Accepted Ocp-Apim-Subscription-Key (repeatable); a development key is
    /// generated and printed when none is given.
    #[arg(long = "subscription-key", value_name = "KEY")]
    subscription_keys: Vec<String>,
    /// Attempts per webhook delivery before it is marked failed.
    #[arg(long, default_value_t = 8)]
    max_attempts: u32,
    /// Delay before the second attempt, in milliseconds (doubling after each).
    #[arg(long, default_value_t = 2000)]
    initial_backoff_ms: u64,
    /// Longest delay between attempts, in milliseconds.
    #[arg(long, default_value_t = 300_000)]
    max_backoff_ms: u64,
    /// Timeout of one webhook call, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    webhook_timeout_ms: u64,
    /// Call only webhooks on this machine (localhost, 127.0.0.0/8, ::1).
    #[arg(long)]
    loopback_webhooks_only: bool,
}

async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = Config {
        listen: args.listen,
        db: args.db.clone(),
        subscription_keys: args.subscription_keys,
        delivery: DeliveryConfig {
            max_attempts: args.max_attempts.max(1),
            initial_backoff: Duration::from_millis(args.initial_backoff_ms),
            max_backoff: Duration::from_millis(args.max_backoff_ms),
            timeout: Duration::from_millis(args.webhook_timeout_ms),
            loopback_only: args.loopback_webhooks_only,
        },
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("ssp-sandbox: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("Smart Service Portal sandbox");
    println!("  API:    {}", sandbox.base_url());
    println!("  forms:  {}", sandbox.forms_url());
    match &args.db {
        Some(path) => println!("  db:     {}", path.display()),
        None => println!("  db:     in memory (gone at exit; use --db PATH to keep it)"),
    }
    if sandbox.key_was_generated() {
        println!(
            "  development subscription key: {}",
            sandbox.subscription_key()
        );
    } else {
        println!(
            "  subscription keys: {} configured",
            sandbox.subscription_keys().len()
        );
    }
    println!("Stop with Ctrl-C.");
    sandbox.run_until(stop_signal()).await;
    eprintln!("ssp-sandbox: stopped");
    std::process::ExitCode::SUCCESS
}
