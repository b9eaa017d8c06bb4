//! The Smart Service Portal conformance suite.
pub mod generate;
pub mod http;
pub mod secrets;
pub mod spec_model;
