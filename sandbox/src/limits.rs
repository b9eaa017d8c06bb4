//! Size limits of request bodies.

/// Largest decoded document (`submitDocument`): 10 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Largest body of every operation but `submitDocument`: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest `submitDocument` body: a 10 MiB document in base64 (4 characters per 3
/// bytes) plus room for the other fields.
pub const MAX_DOCUMENT_BODY_BYTES: usize = MAX_DOCUMENT_BYTES.div_ceil(3) * 4 + MAX_BODY_BYTES;

/// The largest body the operation `operation_id` reads.
pub fn body_limit(operation_id: &str) -> usize {
    if operation_id == "submitDocument" {
        MAX_DOCUMENT_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}
