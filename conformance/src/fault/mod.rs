//! Fault injection (filled next).
