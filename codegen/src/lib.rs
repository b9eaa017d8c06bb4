//! Loads, lints and diffs the Smart Service Portal OpenAPI document, and generates
//! the typed Rust client from it with progenitor.
//!
//! The data flows one way: `spec/openapi.yaml` is loaded by [`spec::Spec`], checked by
//! [`lint`], and turned into Rust source by [`generate`]; the `smartservice-client`
//! crate calls [`generate::generate_client_source`] from its build script.

pub mod generate;
pub mod spec;

#[cfg(feature = "lint")]
pub mod json_schema;
#[cfg(feature = "lint")]
pub mod lint;

pub use spec::{LoadError, Spec};
