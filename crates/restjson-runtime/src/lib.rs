//! Service-neutral runtime for Smithy restJson1 clients.

pub mod credentials;
pub mod endpoint;
pub mod profile;
pub mod provider_env;
