//! Loads, lints and diffs the Smart Service Portal OpenAPI document, and generates
//! the typed Rust client from it with progenitor.
//!
//! The data flows one way: `spec/openapi.yaml` is loaded by [`spec::Spec`], checked by
//! [`lint`], and turned into Rust source by [`generate`]; the `smartservice-client`
//! crate calls [`generate::generate_client_source`] from its build script. Two versions
//! of the spec are compared by [`diff`] (feature `diff`).

#[cfg(feature = "diff")]
pub mod diff;
#[cfg(feature = "generate")]
pub mod generate;
pub mod spec;

#[cfg(feature = "validate")]
pub mod json_schema;
#[cfg(feature = "validate")]
pub mod lint;

pub use spec::{LoadError, Spec};
