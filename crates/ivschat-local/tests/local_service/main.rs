//! Raw-HTTP and raw-WebSocket tests of the local IVS Chat service.

mod auth;
mod client;
mod concurrency;
mod limits;
mod messaging;
mod modelled_errors;
mod operations;
mod protocol;
mod review;
mod state;
mod validation;
mod ws;

/// The service's table of modelled errors, as the service compiles it.
#[path = "../../src/modelled.rs"]
mod modelled;
