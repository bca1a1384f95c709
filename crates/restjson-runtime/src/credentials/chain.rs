//! The default credentials provider chain.

use std::time::Duration;

use super::cache::CredentialsCache;
use super::container::ContainerProvider;
use super::environment::EnvironmentProvider;
use super::imds::ImdsProvider;
use super::profile::ProfileProvider;
use super::web_identity::WebIdentityTokenProvider;
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture, ProvideCredentials,
    SharedCredentialsProvider,
};
use crate::config::Config;
use crate::provider_env::ProviderEnv;

/// The sources the AWS SDKs try, in order: environment variables, the selected profile (static
/// keys, `credential_process`, assumed roles, web identity, IAM Identity Center), a web identity
/// token named by the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, as on EKS), the container
/// credentials endpoint, then the EC2 instance metadata service.
///
/// A source without credentials ([`CredentialsErrorKind::NotLoaded`]) passes to the next; any
/// other error stops the chain and is returned. When no source has credentials, the
/// `NotLoaded` error lists what each one said.
#[derive(Debug)]
pub struct DefaultChain {
    environment: EnvironmentProvider,
    profile: ProfileProvider,
    web_identity: WebIdentityTokenProvider,
    container: ContainerProvider,
    imds: ImdsProvider,
}

impl DefaultChain {
    /// The chain reading `env`; `profile` overrides `AWS_PROFILE`.
    pub fn new(env: &ProviderEnv, profile: Option<&str>) -> Self {
        Self {
            environment: EnvironmentProvider::new(env.clone()),
            profile: ProfileProvider::new(env.clone(), profile),
            web_identity: WebIdentityTokenProvider::from_env(env.clone())
                .with_profile_name(profile),
            container: ContainerProvider::new(env.clone()),
            imds: match profile {
                Some(profile) => ImdsProvider::new(env.clone()).with_profile(profile),
                None => ImdsProvider::new(env.clone()),
            },
        }
    }

    /// Replaces the profile provider (for example to change the `credential_process` timeout).
    pub fn with_profile_provider(mut self, provider: ProfileProvider) -> Self {
        self.profile = provider;
        self
    }

    /// Replaces the container provider (for example to change its timeouts).
    pub fn with_container_provider(mut self, provider: ContainerProvider) -> Self {
        self.container = provider;
        self
    }

    /// Replaces the instance metadata provider (for example to change its timeouts).
    pub fn with_imds_provider(mut self, provider: ImdsProvider) -> Self {
        self.imds = provider;
        self
    }

    /// Transport, retry and timeout settings of the calls to STS and IAM Identity Center made
    /// by the profile and web identity providers (by default those of the environment and
    /// profile, each call bounded by
    /// [`DEFAULT_CREDENTIALS_CALL_TIMEOUT`](super::DEFAULT_CREDENTIALS_CALL_TIMEOUT)).
    pub fn with_client_config(mut self, config: Config) -> Self {
        self.profile = self.profile.with_client_config(config.clone());
        self.web_identity.set_client_config(config);
        self
    }

    /// Shortcut for the `credential_process` timeout of the profile provider.
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.profile = self.profile.with_process_timeout(timeout);
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let providers: [(&str, &dyn ProvideCredentials); 5] = [
            ("environment", &self.environment),
            ("profile", &self.profile),
            ("web identity", &self.web_identity),
            ("container", &self.container),
            ("IMDS", &self.imds),
        ];
        let mut tried = Vec::with_capacity(providers.len());
        for (name, provider) in providers {
            match provider.provide_credentials().await {
                Ok(credentials) => {
                    tracing::debug!(provider = name, "credentials chain: found credentials");
                    return Ok(credentials);
                }
                Err(error) if matches!(error.kind(), CredentialsErrorKind::NotLoaded) => {
                    tracing::debug!(provider = name, "credentials chain: {error}");
                    tried.push(error.message().to_string());
                }
                Err(error) => return Err(error),
            }
        }
        Err(CredentialsError::new(
            CredentialsErrorKind::NotLoaded,
            format!("no credentials found; tried {}", tried.join("; ")),
        ))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

/// The default chain for `env` and `profile`, behind a [`CredentialsCache`].
pub fn default_provider(env: &ProviderEnv, profile: Option<&str>) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(CredentialsCache::new(DefaultChain::new(env, profile)))
}
