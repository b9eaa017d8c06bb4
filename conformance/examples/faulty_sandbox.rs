//! The sandbox behind a fault proxy that plants one defect, to watch the suite
//! catch it:
//!
//! ```sh
//! cargo run -p smartservice-conformance --example faulty_sandbox -- InvalidInputAccepted
//! # then, in another terminal, with the URLs and key it prints:
//! ssp-conformance run --base-url http://127.0.0.1:PORT --subscription-key KEY --control-url URL
//! ```
//!
//! Without an argument it lists the defects it can plant (those in the API's
//! answers; the callback defects need the suite's test harness).

use smartservice_conformance::fault::{Defect, FaultProxy, Side};

#[tokio::main]
async fn main() -> Result<(), String> {
    let wanted = std::env::args().nth(1).unwrap_or_default();
    let api_defects: Vec<Defect> = Defect::ALL
        .iter()
        .copied()
        .filter(|d| d.side() == Side::Api)
        .collect();
    let Some(defect) = api_defects
        .iter()
        .copied()
        .find(|d| format!("{d:?}") == wanted)
    else {
        eprintln!("usage: faulty_sandbox DEFECT, one of:");
        for d in &api_defects {
            eprintln!("  {d:?} (caught by {})", d.caught_by().join(", "));
        }
        std::process::exit(2);
    };
    let sandbox = smartservice_sandbox::Sandbox::start(smartservice_sandbox::Config::ephemeral())
        .await
        .map_err(|e| format!("{e:#}"))?;
    let proxy = FaultProxy::start(Some(sandbox.base_url().to_string()), Some(defect)).await?;
    println!(
        "defect:           {defect:?} (to be caught by {})",
        defect.caught_by().join(", ")
    );
    println!("base URL:         {}", proxy.url);
    println!("subscription key: {}", sandbox.subscription_key());
    println!(
        "control URL:      {}/sandbox",
        sandbox.base_url().trim_end_matches('/')
    );
    println!("(Ctrl-C stops it)");
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(())
}
