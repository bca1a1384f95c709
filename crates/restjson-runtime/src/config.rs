//! Client configuration, shared by every generated client.
//!
//! # Time limits
//!
//! Under the default configuration every call ends, whatever the server does, within
//! [`DEFAULT_OPERATION_TIMEOUT`] (60 s) of being sent, with an error whose `is_timeout()` is
//! true if the limit is what ended it. The limits, from the widest:
//!
//! - **operation timeout** (default [`DEFAULT_OPERATION_TIMEOUT`], 60 s): the whole call, every
//!   attempt, backoff and credential lookup included, up to a response whose body is read;
//! - **attempt timeout** (default [`DEFAULT_ATTEMPT_TIMEOUT`], 30 s): one attempt, from
//!   credentials and signing to the last byte of the response body. It is what ends a server
//!   that never answers, trickles its headers or its body (a byte every few seconds keeps the
//!   read timeout from ever firing) or sends `1xx` interim responses forever; a timed-out
//!   attempt is retried while attempts and operation time remain;
//! - **connect timeout** (default 3 s) and **read timeout** (default 30 s, the longest silence
//!   between two reads) of the default connector.
//!
//! With the defaults a server that never answers ends a call after 60 s (two attempts of 30 s).
//! [`ConfigBuilder::set_operation_timeout`] and [`ConfigBuilder::set_attempt_timeout`] with
//! `None` lift a limit; a user who lifts both and the read timeout can be kept waiting forever.
//! Paginators are walks of calls, each within these limits; see
//! [`paginator`](crate::paginator) for how a walk that makes no progress ends.
//!
//! The limits are tokio timers, and a flood of `1xx` interim responses is their hardest case.
//! The HTTP stack (hyper, under reqwest) skips interim responses one after the other without a
//! limit and offers reqwest no hook to count them, so a flood ends only at the attempt timeout
//! and costs CPU until then. One poll of a flooded connection can parse up to 128 reads of
//! up to 400 KiB; tokio fires timers between polls, so the timeout can be noticed up to one
//! such poll late (a fraction of a second in release builds, seconds in debug builds), and the
//! connection stops reading at most one poll after the call ends.

use std::fmt;
use std::time::Duration;

pub use crate::env_config::ConfigError;
pub use crate::idempotency::IdempotencyTokenProvider;
pub use crate::provider_env::ProviderEnv;

use crate::credentials::{ProvideCredentials, SharedCredentialsProvider};
use crate::http::{HttpConnector, HttpSettings, ProxySetting, SharedConnector, redact_url};
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

/// Default time allowed for a whole call, all attempts included (see [Time limits](self#time-limits)).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// Default time allowed for one attempt (see [Time limits](self#time-limits)).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Configuration of a client: region, credentials, endpoint, transport and timeouts.
///
/// Build one with [`Config::builder`]. Cloning is cheap. `Debug` shows the user information of
/// URLs (endpoint, proxy) as `***`.
#[derive(Clone)]
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
    #[cfg(feature = "bearer")]
    pub(crate) token_provider: Option<crate::token::SharedTokenProvider>,
}

impl Default for Config {
    fn default() -> Self {
        Self::builder().build()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field(
                "endpoint_url",
                &self.endpoint_url.as_deref().map(redact_url),
            )
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("time_source", &self.time_source)
            .field("connector", &self.connector)
            .field("http", &self.http)
            .field("operation_timeout", &self.operation_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("env_sources", &self.env_sources)
            .field("retry", &self.retry)
            .field("idempotency_tokens", &self.idempotency_tokens)
            .field("strict_validation", &self.strict_validation)
            .finish()
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
                operation_timeout: Some(DEFAULT_OPERATION_TIMEOUT),
                attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
                env_sources: None,
                retry: RetryConfig::standard(),
                idempotency_tokens: IdempotencyTokenProvider::default(),
                strict_validation: false,
                #[cfg(feature = "bearer")]
                token_provider: None,
            },
        }
    }

    /// A token for an `@idempotencyToken` member the caller left unset.
    pub(crate) fn make_idempotency_token(&self) -> String {
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

    /// The time allowed for a whole call (all attempts); `None`: no limit.
    pub fn operation_timeout(&self) -> Option<Duration> {
        self.operation_timeout
    }

    /// The time allowed for one attempt; `None`: no limit.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The clock used for signing.
    pub fn time_source(&self) -> &SharedTimeSource {
        &self.time_source
    }

    /// The environment and profile this configuration was loaded from, if any.
    pub(crate) fn env_sources(&self) -> Option<&crate::env_config::EnvSources> {
        self.env_sources.as_ref()
    }

    /// The retry settings.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }

    /// The bearer token provider (feature `bearer`).
    #[cfg(feature = "bearer")]
    pub fn token_provider(&self) -> Option<&crate::token::SharedTokenProvider> {
        self.token_provider.as_ref()
    }

    /// Whether inputs are also checked against maximum lengths, maximum values and patterns
    /// (see [`validate`](crate::validate)).
    pub fn strict_validation(&self) -> bool {
        self.strict_validation
    }
}

/// Builder of [`Config`]. `Debug` shows the user information of URLs as `***`.
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
    /// A URL with user information (`http://user:password@host`) is refused: every call fails
    /// with a construction error before anything is sent (requests are signed, not
    /// authenticated with URL credentials).
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
    /// Without streamed responses (the `streaming` feature), an attempt timeout no longer
    /// than this already ends a stalled read sooner, and the read timeout is then not set on
    /// the connection (a call fails with the attempt's timeout instead).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.http.read_timeout = timeout;
        self
    }

    /// Close each connection after its request instead of pooling it (default: pool).
    pub fn close_connections(mut self, close: bool) -> Self {
        self.config.http.close_connections = close;
        self
    }

    /// Proxy choice (default: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from the environment). A
    /// proxy URL may carry credentials (`http://user:password@proxy:3128`); they are sent to
    /// the proxy only, and shown as `***` in `Debug` output and errors.
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.config.http.proxy = proxy;
        self
    }

    /// Largest response body accepted (default 16 MiB).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.config.http.max_response_body = bytes;
        self
    }

    /// Time allowed for a whole call, all attempts and backoff included (default
    /// [`DEFAULT_OPERATION_TIMEOUT`], 60 s; see [Time limits](self#time-limits)).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.config.operation_timeout = Some(timeout);
        self
    }

    /// Sets the operation timeout, or lifts it with `None`.
    pub fn set_operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.operation_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, up to the last byte of its response (default
    /// [`DEFAULT_ATTEMPT_TIMEOUT`], 30 s; see [Time limits](self#time-limits)).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.config.attempt_timeout = Some(timeout);
        self
    }

    /// Sets the attempt timeout, or lifts it with `None`.
    pub fn set_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.attempt_timeout = timeout;
        self
    }

    /// Keeps the environment a configuration was loaded from (set by
    /// [`Config::from_env`]); per-service endpoint URLs are read from it.
    pub(crate) fn set_env_sources(
        mut self,
        sources: Option<crate::env_config::EnvSources>,
    ) -> Self {
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
    /// before sending (default: off, only minimums are checked). Patterns are checked only when
    /// the client crate's `patterns` feature is on (it compiles a regex engine); without it
    /// strict mode checks maximums alone. The model's patterns can be narrower than what the
    /// service accepts, so this can refuse valid requests; see [`validate`](crate::validate).
    pub fn strict_validation(mut self, strict: bool) -> Self {
        self.config.strict_validation = strict;
        self
    }

    /// Authenticates calls of services that use bearer tokens with tokens from `provider`
    /// (for example a [`Token`](crate::token::Token)); feature `bearer`.
    #[cfg(feature = "bearer")]
    pub fn token_provider(mut self, provider: impl crate::token::ProvideToken + 'static) -> Self {
        self.config.token_provider = Some(crate::token::SharedTokenProvider::new(provider));
        self
    }

    /// The configuration.
    pub fn build(self) -> Config {
        self.config
    }
}
