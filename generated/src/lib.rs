//! Typed client for the Kanton Aargau Smart Service Portal API 2.0.0.
//!
//! The client and every type in [`types`] are generated at build time from
//! `spec/openapi.yaml` by progenitor (see `build.rs`): change the spec, rebuild, and
//! the client follows. What is written by hand here is only what the spec cannot
//! say: how the two keys reach every request ([`Credentials`]), and accessors that
//! read the documented legacy spellings of a few fields ([`quirks`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use smartservice_client::{Client, Credentials};
//!
//! let client = Client::with_credentials(
//!     "http://127.0.0.1:8080",
//!     Credentials::new("my-subscription-key").with_api_key("my-apikey"),
//! )?;
//! for process in client.list_processes().send().await?.into_inner() {
//!     println!("{} {}", process.process_id, process.process_name);
//! }
//! # Ok(()) }
//! ```

mod context;
pub mod quirks;
#[cfg(feature = "receiver")]
pub mod receiver;

pub use context::{ClientContext, Credentials, InvalidCredentials};
pub use progenitor_client::{Error, ResponseValue};

#[allow(missing_docs, unused_imports, rustdoc::all, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
}

pub use generated::*;
