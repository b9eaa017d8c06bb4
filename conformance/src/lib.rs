//! The Smart Service Portal conformance suite (filled by the conformance issue).
