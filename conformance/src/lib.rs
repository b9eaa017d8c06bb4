//! The Smart Service Portal conformance suite: points at any implementation of
//! the API (or starts the embedded sandbox) and tells, precisely and
//! reproducibly, where it breaks the contract in `spec/openapi.yaml`.
//!
//! A run ([`runner::run`]) sends generated requests ([`generate`], [`fuzz`]),
//! walks resources through their lives ([`checks::state`]), follows citizen
//! tasks through webhooks, status updates and documents ([`workflow`]), and
//! replays recorded scenarios ([`scenarios`]); every response goes through the
//! per-response checks ([`checks::response`], [`checks::typed`]). Results are
//! tallied per operation and check ([`record`]) and rendered as a summary,
//! JUnit, JSON or Markdown ([`report`]).
//!
//! [`fault`] is a fault-injection layer for testing the suite itself.

pub mod callbacks;
pub mod checks;
pub mod cli;
pub mod config;
pub mod context;
pub mod control;
pub mod fault;
pub mod fixtures;
pub mod fuzz;
pub mod generate;
pub mod http;
pub mod lanes;
pub mod legacy;
pub mod methods;
pub mod progress;
pub mod record;
pub mod report;
pub mod runner;
pub mod scenarios;
pub mod secrets;
pub mod spec_model;
pub mod target;
mod wire;
pub mod workflow;

pub use config::{Config, TargetConfig};
pub use report::RunReport;
pub use runner::{SetupError, run};
