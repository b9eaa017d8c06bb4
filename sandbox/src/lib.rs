//! The Smart Service Portal reference sandbox (filled by the sandbox issue).
