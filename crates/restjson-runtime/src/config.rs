//! Client configuration, shared by every generated client.

use std::time::Duration;

use crate::credentials::{ProvideCredentials, SharedCredentialsProvider};
use crate::http::{HttpConnector, HttpSettings, ProxySetting, SharedConnector};
use crate::idempotency::IdempotencyTokenProvider;
use crate::retry::{Jitter, RetryConfig, RetryMode};
use crate::sleep::AsyncSleep;
use crate::time::{SharedTimeSource, TimeSource};

/// Where request credentials come from.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum CredentialsSetting {
    /// The default credential chain (environment, shared files, container, instance metadata).
    #[default]
    Default,
    /// This provider.
    Provider(SharedCredentialsProvider),
    /// No credentials: requests go unsigned and no credential source is consulted.
    Anonymous,
}

/// Configuration of a client: region, credentials, endpoint, transport and timeouts.
///
/// Build one with [`Config::builder`]. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) region: Option<String>,
    pub(crate) credentials: CredentialsSetting,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    pub(crate) time_source: SharedTimeSource,
    pub(crate) connector: Option<SharedConnector>,
    pub(crate) http: HttpSettings,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) env_sources: Option<crate::env_config::EnvSources>,
    pub(crate) retry: RetryConfig,
    pub(crate) idempotency_tokens: IdempotencyTokenProvider,
    pub(crate) strict_validation: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::builder().build()
    }
}

impl Config {
    /// A builder with every setting at its default.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config {
                region: None,
                credentials: CredentialsSetting::Default,
                endpoint_url: None,
                use_fips: false,
                use_dual_stack: false,
                time_source: SharedTimeSource::default(),
                connector: None,
                http: HttpSettings::default(),
                operation_timeout: None,
                attempt_timeout: None,
                env_sources: None,
                retry: RetryConfig::standard(),
                idempotency_tokens: IdempotencyTokenProvider::default(),
                strict_validation: false,
            },
        }
    }

    /// A token for an `@idempotencyToken` member the caller left unset.
    pub fn make_idempotency_token(&self) -> String {
        self.idempotency_tokens.make_token()
    }

    /// A builder starting from this configuration.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            config: self.clone(),
        }
    }

    /// The region requests are signed for and sent to.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The credentials setting.
    pub fn credentials(&self) -> &CredentialsSetting {
        &self.credentials
    }

    /// The endpoint URL that overrides endpoint resolution.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// Whether FIPS endpoints are used.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Whether dual-stack (IPv4 and IPv6) endpoints are used.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// The settings of the default HTTP connector.
    pub fn http_settings(&self) -> &HttpSettings {
        &self.http
    }

    /// The time allowed for a whole call (all attempts).
    pub fn operation_timeout(&self) -> Option<Duration> {
        self.operation_timeout
    }

    /// The time allowed for one attempt.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The clock used for signing.
    pub fn time_source(&self) -> &SharedTimeSource {
        &self.time_source
    }

    /// The environment and profile this configuration was loaded from, if any.
    pub fn env_sources(&self) -> Option<&crate::env_config::EnvSources> {
        self.env_sources.as_ref()
    }

    /// The retry settings.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }

    /// Whether inputs are also checked against maximum lengths, maximum values and patterns
    /// (see [`validate`](crate::validate)).
    pub fn strict_validation(&self) -> bool {
        self.strict_validation
    }
}

/// Builder of [`Config`].
#[derive(Clone, Debug)]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The region, e.g. `us-west-2`. Required: without one every call fails before sending,
    /// even with an endpoint URL (requests are signed for the region).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = Some(region.into());
        self
    }

    /// Sets or clears the region.
    pub fn set_region(mut self, region: Option<String>) -> Self {
        self.config.region = region;
        self
    }

    /// Signs requests with credentials from `provider` (for example
    /// [`Credentials::from_keys`](crate::credentials::Credentials::from_keys)).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.config.credentials =
            CredentialsSetting::Provider(SharedCredentialsProvider::new(provider));
        self
    }

    /// Sends requests unsigned, without looking for credentials.
    pub fn anonymous(mut self) -> Self {
        self.config.credentials = CredentialsSetting::Anonymous;
        self
    }

    /// Sets where credentials come from.
    pub fn set_credentials(mut self, setting: CredentialsSetting) -> Self {
        self.config.credentials = setting;
        self
    }

    /// Sends requests to this URL instead of the resolved endpoint. Its path, if any, is a
    /// prefix of every operation's path. Plain `http://` is allowed (local services, tests).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.config.endpoint_url = Some(url.into());
        self
    }

    /// Sets or clears the endpoint URL.
    pub fn set_endpoint_url(mut self, url: Option<String>) -> Self {
        self.config.endpoint_url = url;
        self
    }

    /// Use FIPS endpoints.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.config.use_fips = on;
        self
    }

    /// Use dual-stack endpoints.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.config.use_dual_stack = on;
        self
    }

    /// The clock used for signing (tests use a fixed one).
    pub fn time_source(mut self, source: impl TimeSource + 'static) -> Self {
        self.config.time_source = SharedTimeSource::new(source);
        self
    }

    /// Sends requests with `connector` instead of the default reqwest connector.
    pub fn http_connector(mut self, connector: impl HttpConnector + 'static) -> Self {
        self.config.connector = Some(SharedConnector::new(connector));
        self
    }

    /// Time allowed to establish a connection (default 3 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.http.connect_timeout = timeout;
        self
    }

    /// Time allowed between two reads of a response (default 30 s); `None` waits forever.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.http.read_timeout = timeout;
        self
    }

    /// Close each connection after its request instead of pooling it (default: pool).
    pub fn close_connections(mut self, close: bool) -> Self {
        self.config.http.close_connections = close;
        self
    }

    /// Proxy choice (default: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from the environment).
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.config.http.proxy = proxy;
        self
    }

    /// Largest response body accepted (default 16 MiB).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.config.http.max_response_body = bytes;
        self
    }

    /// Time allowed for a whole call, all attempts included (default: none).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.config.operation_timeout = Some(timeout);
        self
    }

    /// Time allowed for one attempt (default: none).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.config.attempt_timeout = Some(timeout);
        self
    }

    /// Keeps the environment a configuration was loaded from (set by
    /// [`Config::from_env`]); per-service endpoint URLs are read from it.
    pub fn set_env_sources(mut self, sources: Option<crate::env_config::EnvSources>) -> Self {
        self.config.env_sources = sources;
        self
    }

    /// Retry settings (default: [`RetryConfig::standard`], 3 attempts). Replaces every retry
    /// setting made before, sleep and jitter included.
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.config.retry = retry;
        self
    }

    /// Attempts per call, the first included (default 3; 1 disables retries; 0 counts as 1).
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.config.retry = self.config.retry.with_max_attempts(max_attempts);
        self
    }

    /// The retry mode (default: standard).
    pub fn retry_mode(mut self, mode: RetryMode) -> Self {
        self.config.retry = self.config.retry.with_mode(mode);
        self
    }

    /// How the client waits between attempts (default: the tokio timer).
    pub fn sleep_impl(mut self, sleep: impl AsyncSleep + 'static) -> Self {
        self.config.retry = self.config.retry.with_sleep(sleep);
        self
    }

    /// The source of backoff jitter, numbers in `[0, 1]` (default: pseudo-random).
    pub fn jitter(mut self, source: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.config.retry = self.config.retry.with_jitter(Jitter::new(source));
        self
    }

    /// Where tokens for unset `@idempotencyToken` members come from (default: random UUIDs).
    pub fn idempotency_token_provider(mut self, provider: IdempotencyTokenProvider) -> Self {
        self.config.idempotency_tokens = provider;
        self
    }

    /// Also checks inputs against the model's maximum lengths, maximum values and patterns
    /// before sending (default: off, only minimums are checked). The model's patterns can be
    /// narrower than what the service accepts, so this can refuse valid requests; see
    /// [`validate`](crate::validate).
    pub fn strict_validation(mut self, strict: bool) -> Self {
        self.config.strict_validation = strict;
        self
    }

    /// The configuration.
    pub fn build(self) -> Config {
        self.config
    }
}
