//! The command line of `ssp-conformance`: parsing and validating arguments into a
//! [`Config`]; every mistake gets a message that says what to change.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::checks::CheckSelection;
use crate::config::{Config, TargetConfig};
use crate::progress::ProgressMode;

/// Conformance suite for the Smart Service Portal API 2.0.0.
#[derive(Debug, Parser)]
#[command(name = "ssp-conformance", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite (against the embedded sandbox unless --base-url is given).
    Run(RunArgs),
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProgressArg {
    /// A bar on a terminal, plain lines otherwise.
    Auto,
    /// Plain lines.
    Plain,
    /// Nothing but the summary.
    Quiet,
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Base URL of the implementation to test; without it, the embedded sandbox is started.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Subscription key (Ocp-Apim-Subscription-Key); default: $SSP_SUBSCRIPTION_KEY.
    #[arg(long, value_name = "KEY")]
    pub subscription_key: Option<String>,
    /// A vendor apikey; default: $SSP_API_KEY, else a vendor is registered.
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// A sandbox-compatible control API (spec/sandbox.yaml) for submitting tasks; default: $SSP_CONTROL_URL.
    #[arg(long, value_name = "URL")]
    pub control_url: Option<String>,
    /// Where the suite's webhook receiver listens.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub webhook_listen: SocketAddr,
    /// The receiver's URL as the target must call it (default: http://<webhook-listen>).
    #[arg(long, value_name = "URL")]
    pub webhook_public_url: Option<String>,
    /// How long to wait for a webhook call (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub webhook_timeout: Duration,
    /// Only these checks (comma-separated; see --list-checks).
    #[arg(long, value_name = "CHECKS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Leave these checks out (comma-separated).
    #[arg(long, value_name = "CHECKS", value_delimiter = ',')]
    pub exclude_checks: Vec<String>,
    /// Only generate requests for these operations (comma-separated operationIds).
    #[arg(long, value_name = "OPERATIONS", value_delimiter = ',')]
    pub operations: Vec<String>,
    /// Random positive and negative cases per operation (after the boundary cases).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub cases: u32,
    /// Seed of the generators (printed by every run; the same seed replays the same cases).
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
    /// Most requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub concurrency: usize,
    /// Threads that send requests and check answers (default: half the cores, at least 1).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Total time allowed per request, answer included (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a Markdown report (a pull-request comment) here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Print every check with what it verifies, and exit.
    #[arg(long)]
    pub list_checks: bool,
    /// How progress is shown.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
}

/// Parses `10s`, `500ms`, `1.5s` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; write e.g. 10s or 500ms"))?;
    if !value.is_finite() || value < 0.0 || value * scale > 86_400.0 {
        return Err(format!("{text:?} is out of range (0 to 24 h)"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

impl RunArgs {
    /// The configuration these arguments (and `SSP_*` variables from `env`) describe.
    pub fn into_config(self, env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let subscription_key = self
            .subscription_key
            .or_else(|| env("SSP_SUBSCRIPTION_KEY"));
        let api_key = self.api_key.or_else(|| env("SSP_API_KEY"));
        let control_url = self.control_url.or_else(|| env("SSP_CONTROL_URL"));
        let target = match self.base_url {
            None => {
                if api_key.is_some() {
                    return Err("--api-key needs --base-url (the embedded sandbox registers its own vendor)".into());
                }
                TargetConfig::Embedded
            }
            Some(base_url) => {
                if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
                    return Err(format!(
                        "--base-url {base_url:?} must start with http:// or https://"
                    ));
                }
                let subscription_key = subscription_key
                    .filter(|k| !k.is_empty())
                    .ok_or("--base-url needs --subscription-key (or SSP_SUBSCRIPTION_KEY)")?;
                TargetConfig::Remote {
                    base_url,
                    subscription_key,
                    api_key: api_key.filter(|k| !k.is_empty()),
                    control_url: control_url.filter(|u| !u.is_empty()),
                }
            }
        };
        if self.concurrency == 0 {
            return Err("--concurrency must be at least 1".into());
        }
        if self.threads == Some(0) {
            return Err("--threads must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return Err("--timeout must be more than 0".into());
        }
        let operations = if self.operations.iter().all(|o| o.trim().is_empty()) {
            None
        } else {
            Some(
                self.operations
                    .iter()
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect(),
            )
        };
        Ok(Config {
            target,
            checks: CheckSelection::new(&self.checks, &self.exclude_checks)?,
            operations,
            cases: self.cases,
            seed: self.seed,
            concurrency: self.concurrency,
            threads: self.threads.unwrap_or_else(crate::config::default_threads),
            timeout: self.timeout,
            webhook_timeout: self.webhook_timeout,
            webhook_listen: self.webhook_listen,
            webhook_public_url: self.webhook_public_url,
            junit: self.junit,
            json: self.json,
            markdown: self.markdown,
            progress: match self.progress {
                ProgressArg::Auto => ProgressMode::Auto,
                ProgressArg::Plain => ProgressMode::Plain,
                ProgressArg::Quiet => ProgressMode::Quiet,
            },
            ..Config::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Config, String> {
        let mut all = vec!["ssp-conformance", "run"];
        all.extend_from_slice(list);
        let cli = Cli::try_parse_from(all).map_err(|e| e.to_string())?;
        let Command::Run(run) = cli.command;
        run.into_config(|name| (name == "SSP_SUBSCRIPTION_KEY").then(|| "from-env".to_string()))
    }

    #[test]
    fn defaults_target_the_embedded_sandbox() {
        let config = args(&[]).unwrap();
        assert_eq!(config.target, TargetConfig::Embedded);
        assert_eq!(config.cases, 100);
    }

    #[test]
    fn a_base_url_takes_the_key_from_the_environment() {
        let config = args(&[
            "--base-url",
            "http://127.0.0.1:1",
            "--checks",
            "use_after_free",
            "--timeout",
            "500ms",
        ])
        .unwrap();
        let TargetConfig::Remote {
            subscription_key, ..
        } = &config.target
        else {
            panic!()
        };
        assert_eq!(subscription_key, "from-env");
        assert_eq!(config.timeout, Duration::from_millis(500));
        assert!(
            config.checks.contains("use_after_free")
                && !config.checks.contains("not_a_server_error")
        );
    }

    #[test]
    fn mistakes_say_what_to_fix() {
        assert!(
            args(&["--base-url", "ftp://x"])
                .unwrap_err()
                .contains("http://")
        );
        assert!(
            args(&["--api-key", "k"])
                .unwrap_err()
                .contains("--base-url")
        );
        assert!(
            args(&["--checks", "nope"])
                .unwrap_err()
                .contains("unknown check")
        );
        assert!(
            args(&["--timeout", "soon"])
                .unwrap_err()
                .contains("duration")
        );
        assert!(
            args(&["--concurrency", "0"])
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            args(&["--threads", "0"])
                .unwrap_err()
                .contains("--threads must be at least 1")
        );
        assert_eq!(args(&["--threads", "3"]).unwrap().threads, 3);
        assert!(args(&[]).unwrap().threads >= 1);
    }
}
