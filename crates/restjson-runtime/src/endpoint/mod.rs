//! Endpoint resolution.
