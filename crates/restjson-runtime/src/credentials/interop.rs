//! Interoperation with the official AWS SDK's configuration (the `aws-config` feature): a
//! [`Config`] from an `aws_types::SdkConfig`, and any `aws_credential_types` credentials
//! provider as a provider of this runtime.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials as AwsProvideCredentials;
use aws_credential_types::provider::error::CredentialsError as AwsCredentialsError;

use super::{
    Credentials, CredentialsCache, CredentialsError, CredentialsErrorKind, CredentialsFuture,
    ProvideCredentials,
};
use crate::config::{Config, ConfigBuilder};
use crate::retry::{RetryConfig, RetryMode};
use crate::sleep::{AsyncSleep, Sleep};
use crate::time::TimeSource;

/// A credentials provider of the official AWS SDK (anything implementing
/// `aws_credential_types::provider::ProvideCredentials`, such as the chain `aws-config` builds)
/// as a provider of this runtime.
///
/// It asks the wrapped provider on every call: the official SDK caches in its clients, not in
/// its providers, so wrap it in a [`CredentialsCache`] (as
/// [`ConfigBuilder::aws_credentials_provider`] and [`Config::from_sdk_config`] do).
#[derive(Clone, Debug)]
pub struct AwsSdkCredentialsProvider<P>(P);

impl<P: AwsProvideCredentials> AwsSdkCredentialsProvider<P> {
    /// Wraps `provider`.
    pub fn new(provider: P) -> Self {
        Self(provider)
    }
}

/// The message of an error of the official SDK with its causes: its own `Display` is only the
/// category.
fn describe(error: &AwsCredentialsError) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn convert_error(error: AwsCredentialsError) -> CredentialsError {
    let kind = match &error {
        AwsCredentialsError::CredentialsNotLoaded(_) => CredentialsErrorKind::NotLoaded,
        AwsCredentialsError::ProviderTimedOut(_) => CredentialsErrorKind::ProviderTimedOut,
        AwsCredentialsError::InvalidConfiguration(_) => CredentialsErrorKind::InvalidConfiguration,
        _ => CredentialsErrorKind::ProviderError,
    };
    let message = format!("AWS SDK credentials provider: {}", describe(&error));
    CredentialsError::new(kind, message).with_source(error)
}

impl<P: AwsProvideCredentials> ProvideCredentials for AwsSdkCredentialsProvider<P> {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let credentials = self.0.provide_credentials().await.map_err(convert_error)?;
            Ok(Credentials::new(
                credentials.access_key_id(),
                credentials.secret_access_key(),
                credentials.session_token().map(str::to_owned),
                credentials.expiry(),
                "AwsSdk",
            ))
        })
    }
}

/// The official SDK's clock.
#[derive(Debug)]
struct AwsTimeSource(aws_smithy_async::time::SharedTimeSource);

impl TimeSource for AwsTimeSource {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}

/// The official SDK's sleep.
#[derive(Debug)]
struct AwsSleep(aws_smithy_async::rt::sleep::SharedAsyncSleep);

impl AsyncSleep for AwsSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(aws_smithy_async::rt::sleep::AsyncSleep::sleep(
            &self.0, duration,
        ))
    }
}

fn retry_config(retry: &aws_smithy_types::retry::RetryConfig) -> RetryConfig {
    let mode = match retry.mode() {
        aws_smithy_types::retry::RetryMode::Adaptive => RetryMode::Adaptive,
        _ => RetryMode::Standard,
    };
    RetryConfig::standard()
        .with_mode(mode)
        .with_max_attempts(retry.max_attempts())
        .with_transient_backoff(retry.initial_backoff())
        .with_throttling_backoff(retry.initial_backoff())
        .with_max_backoff(retry.max_backoff())
}

impl Config {
    /// A configuration from the official AWS SDK's `SdkConfig` (as `aws_config::load_defaults`
    /// returns it), for programs that already configure the official SDK:
    ///
    /// - region, endpoint URL, FIPS and dual-stack as set there;
    /// - its credentials provider, behind a [`CredentialsCache`] (without one, this runtime's
    ///   default chain is used);
    /// - retries: mode, maximum attempts, initial backoff (the base of both transient and
    ///   throttling backoff) and maximum backoff;
    /// - timeouts: connect, read, operation and operation attempt timeouts that are set;
    /// - its clock and sleep implementation.
    ///
    /// Its HTTP client is not used (this runtime keeps its own transport), nor its identity
    /// cache, token provider, app name, checksum and compression settings. Settings made on
    /// the returned builder win.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // What `aws_config::load_defaults(..).await` returns, built by hand here.
    /// let sdk_config = aws_types::SdkConfig::builder()
    ///     .region(aws_types::region::Region::new("eu-west-1"))
    ///     .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
    ///         aws_credential_types::Credentials::new("AKID", "SECRET", None, None, "example"),
    ///     ))
    ///     .timeout_config(
    ///         aws_smithy_types::timeout::TimeoutConfig::builder()
    ///             .operation_timeout(Duration::from_secs(20))
    ///             .build(),
    ///     )
    ///     .build();
    /// let config = restjson_runtime::Config::from_sdk_config(&sdk_config)
    ///     .max_attempts(5)
    ///     .build();
    /// assert_eq!(config.region(), Some("eu-west-1"));
    /// assert_eq!(config.operation_timeout(), Some(Duration::from_secs(20)));
    /// assert_eq!(config.retry_config().max_attempts(), 5);
    ///
    /// // Or only an official-SDK credentials provider:
    /// let config = restjson_runtime::Config::builder()
    ///     .region("eu-west-1")
    ///     .aws_credentials_provider(sdk_config.credentials_provider().expect("set above"))
    ///     .build();
    /// # let _ = config;
    /// ```
    pub fn from_sdk_config(sdk: &aws_types::SdkConfig) -> ConfigBuilder {
        let mut builder = Config::builder()
            .set_region(sdk.region().map(|r| r.as_ref().to_owned()))
            .set_endpoint_url(sdk.endpoint_url().map(str::to_owned));
        if let Some(on) = sdk.use_fips() {
            builder = builder.use_fips(on);
        }
        if let Some(on) = sdk.use_dual_stack() {
            builder = builder.use_dual_stack(on);
        }
        if let Some(provider) = sdk.credentials_provider() {
            builder = builder.aws_credentials_provider(provider);
        }
        if let Some(retry) = sdk.retry_config() {
            builder = builder.retry_config(retry_config(retry));
        }
        if let Some(timeouts) = sdk.timeout_config() {
            if let Some(t) = timeouts.connect_timeout() {
                builder = builder.connect_timeout(t);
            }
            if let Some(t) = timeouts.read_timeout() {
                builder = builder.read_timeout(Some(t));
            }
            if let Some(t) = timeouts.operation_timeout() {
                builder = builder.operation_timeout(t);
            }
            if let Some(t) = timeouts.operation_attempt_timeout() {
                builder = builder.attempt_timeout(t);
            }
        }
        if let Some(clock) = sdk.time_source() {
            builder = builder.time_source(AwsTimeSource(clock));
        }
        // After the retry settings, which replace the sleep.
        if let Some(sleep) = sdk.sleep_impl() {
            builder = builder.sleep_impl(AwsSleep(sleep));
        }
        builder
    }
}

impl ConfigBuilder {
    /// Signs requests with credentials from a credentials provider of the official AWS SDK,
    /// cached until shortly before they expire.
    pub fn aws_credentials_provider(self, provider: impl AwsProvideCredentials + 'static) -> Self {
        self.credentials_provider(CredentialsCache::new(AwsSdkCredentialsProvider::new(
            provider,
        )))
    }
}
