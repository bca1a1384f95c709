//! Raw-HTTP and raw-WebSocket tests of the local IVS Chat service.

mod auth;
mod client;
mod concurrency;
mod limits;
mod messaging;
mod operations;
mod protocol;
mod review;
mod validation;
mod ws;
