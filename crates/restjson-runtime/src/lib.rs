//! The runtime of generated AWS restJson1 clients (such as `ivschat`): everything that does not
//! depend on the service model.
//!
//! Applications use it through a generated client, which re-exports what they name. The public
//! modules hold what users configure, call and match on:
//!
//! - [`config`]: [`Config`] and its builder (region, credentials, endpoint, FIPS and dual-stack,
//!   validation mode, idempotency tokens), the [time limits](config#time-limits) every call is
//!   held to, and configuration from the environment and shared config files;
//! - [`credentials`]: [`Credentials`], the [`ProvideCredentials`] trait, the default chain and
//!   every provider it is made of (environment, profiles, assumed roles, web identity, IAM
//!   Identity Center, container, instance metadata, `credential_process`), and their cache;
//! - [`error`]: [`SdkError`] (what failed and why), [`Unhandled`], [`ErrorMetadata`] and the
//!   [`ProvideErrorMetadata`](error::ProvideErrorMetadata) trait, [`BuildError`](error::BuildError);
//! - [`validate`]: the client-side [`ValidationError`] of inputs the model does not allow;
//! - [`paginator`]: [`Paginator`] and [`Items`], the streams of paginated operations;
//! - [`retry`]: [`RetryConfig`](retry::RetryConfig) and the retry modes;
//! - [`http`]: the [`HttpConnector`](http::HttpConnector) trait (bring your own transport), the
//!   default connector's settings and proxies;
//! - [`time`] and [`sleep`]: the clock and the timer, for tests that control time;
//! - [`types`] and [`datetime`]: [`Blob`], [`Document`], [`UnknownVariantValue`], [`DateTime`];
//! - `byte_stream` (feature `streaming`): `ByteStream`, streaming payloads;
//! - `token` (feature `bearer`): bearer tokens and their providers.
//!
//! What only generated code uses (operation plumbing, the JSON reader and writer, request
//! signing, endpoint rules, response classification) lives in a hidden `__private` module: it
//! is not part of the API and changes without notice.

#![warn(missing_docs, unreachable_pub)]
// `SdkError` carries the raw response (status, headers, body) so callers can inspect it; results
// of calls are not on a hot path where their size matters.
#![allow(clippy::result_large_err)]

#[cfg(feature = "streaming")]
pub mod byte_stream;
mod client;
pub mod config;
pub mod credentials;
pub mod datetime;
mod endpoint;
mod env_config;
pub mod error;
pub mod http;
mod idempotency;
mod json;
mod operation;
pub mod paginator;
mod profile;
mod provider_env;
mod random;
pub mod retry;
mod sign;
pub mod sleep;
pub mod time;
#[cfg(feature = "bearer")]
pub mod token;
pub mod types;
pub mod validate;

#[cfg(feature = "serde")]
mod serde_impls;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "streaming")]
pub use crate::byte_stream::{ByteStream, ByteStreamError};
pub use crate::config::{Config, ConfigBuilder, CredentialsSetting};
pub use crate::credentials::{Credentials, ProvideCredentials, SharedCredentialsProvider};
pub use crate::datetime::{DateTime, TimestampFormat};
pub use crate::error::{ErrorMetadata, SdkError, SdkErrorKind, Unhandled};
pub use crate::paginator::{Items, PaginationError, Paginator};
pub use crate::types::{Blob, Document, UnknownVariantValue};
pub use crate::validate::{FieldViolation, ValidationError};
