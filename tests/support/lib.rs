//! Shared helpers of the workspace integration tests: a capturing HTTP server on 127.0.0.1 and
//! an independent SigV4 verifier.

pub mod fault_server;
pub mod hostile_server;
pub mod server;
pub mod sigv4;
