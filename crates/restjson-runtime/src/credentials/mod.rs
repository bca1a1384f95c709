//! Credentials: the values used to sign requests and the providers that produce them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

mod assume_role;
mod cache;
mod chain;
mod container;
mod environment;
mod imds;
#[cfg(feature = "aws-config")]
mod interop;
mod process;
mod profile;
mod service;
mod sso;
mod sts;
mod util;
mod web_identity;
mod xml;

pub use assume_role::AssumeRoleProvider;
pub use cache::{Clock, CredentialsCache, DEFAULT_REFRESH_BUFFER};
pub use chain::{DefaultChain, default_provider};
pub use container::{ContainerProvider, DEFAULT_RELATIVE_URI_BASE};
pub use environment::EnvironmentProvider;
pub use imds::{DEFAULT_IMDS_ENDPOINT, DEFAULT_IMDS_ENDPOINT_IPV6, ImdsProvider};
#[cfg(feature = "aws-config")]
pub use interop::AwsSdkCredentialsProvider;
pub use process::{CredentialProcessProvider, DEFAULT_PROCESS_TIMEOUT};
pub use profile::ProfileProvider;
pub use service::DEFAULT_CREDENTIALS_CALL_TIMEOUT;
pub use web_identity::WebIdentityTokenProvider;

pub use crate::provider_env::ProviderEnv;

/// AWS credentials used to sign a request with SigV4.
///
/// `Debug` never prints the secret access key or the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(Arc<CredentialsInner>);

/// Shared, so the per-call copy a provider hands out is a reference count, and the signer's
/// form of them is made once per credentials value rather than once per request.
struct CredentialsInner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    provider_name: &'static str,
    identity: std::sync::OnceLock<aws_smithy_runtime_api::client::identity::Identity>,
}

/// Equal when the values are (the cached signing identity is not compared).
impl PartialEq for CredentialsInner {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self, other);
        a.access_key_id == b.access_key_id
            && a.secret_access_key == b.secret_access_key
            && a.session_token == b.session_token
            && a.expiry == b.expiry
            && a.provider_name == b.provider_name
    }
}

impl Eq for CredentialsInner {}

impl Credentials {
    /// Credentials from their parts. `provider_name` says where they came from (for diagnostics).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
        provider_name: &'static str,
    ) -> Self {
        Self(Arc::new(CredentialsInner {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry,
            provider_name,
            identity: std::sync::OnceLock::new(),
        }))
    }

    /// These credentials as aws-sigv4's signing identity, converted on first use.
    pub(crate) fn identity(&self) -> &aws_smithy_runtime_api::client::identity::Identity {
        self.0.identity.get_or_init(|| {
            aws_credential_types::Credentials::new(
                self.access_key_id(),
                self.secret_access_key(),
                self.session_token().map(str::to_owned),
                self.expiry(),
                self.provider_name(),
            )
            .into()
        })
    }

    /// Long-lived credentials set in code, with an optional session token.
    pub fn from_keys(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self::new(
            access_key_id,
            secret_access_key,
            session_token,
            None,
            "Static",
        )
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.0.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_deref()
    }

    /// When these credentials stop being valid, if they expire.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    /// The name of the provider that produced these credentials.
    pub fn provider_name(&self) -> &'static str {
        self.0.provider_name
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("provider_name", &self.0.provider_name)
            .field("access_key_id", &self.0.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.0.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiry", &self.0.expiry)
            .finish()
    }
}

/// Why credentials could not be provided.
#[derive(Debug)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// This source has no credentials to offer (the chain may try the next one).
    NotLoaded,
    /// The source is configured, but its configuration is invalid.
    InvalidConfiguration,
    /// The source was asked and failed (bad answer, process failure, I/O error).
    ProviderError,
    /// The source did not answer in time.
    ProviderTimedOut,
}

/// An error from a credentials provider. Its message never contains a secret.
#[derive(Debug)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl CredentialsError {
    /// A new error of `kind` with a human-readable message.
    pub fn new(kind: CredentialsErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying cause.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> &CredentialsErrorKind {
        &self.kind
    }

    /// The message, naming the source and what went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The future a credentials provider returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Produces credentials, or says why it cannot.
    fn provide_credentials(&self) -> CredentialsFuture<'_>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let creds = self.clone();
        Box::pin(async move { Ok(creds) })
    }
}

/// A cheaply clonable, shared credentials provider.
#[derive(Clone, Debug)]
pub struct SharedCredentialsProvider(Arc<dyn ProvideCredentials>);

impl SharedCredentialsProvider {
    /// Wraps a provider.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self(Arc::new(provider))
    }
}

impl ProvideCredentials for SharedCredentialsProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        self.0.provide_credentials()
    }
}
