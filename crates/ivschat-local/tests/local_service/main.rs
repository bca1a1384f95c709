//! Raw-HTTP tests of the local IVS Chat service.

mod auth;
mod client;
mod concurrency;
mod operations;
mod protocol;
mod validation;
