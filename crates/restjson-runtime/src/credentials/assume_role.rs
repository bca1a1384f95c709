//! Credentials of a role assumed with other credentials: STS `AssumeRole`.

use std::fmt;
use std::time::Duration;

use super::service::{ServiceSettings, default_session_name};
use super::sts::{AssumeRole, assume_role, client, failed};
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture, ProvideCredentials,
    SharedCredentialsProvider,
};
use crate::config::{Config, CredentialsSetting};
use crate::provider_env::ProviderEnv;

/// The session durations STS accepts, in seconds (the role's own maximum may be lower).
const DURATION_RANGE: std::ops::RangeInclusive<u64> = 900..=43_200;

/// Credentials of a role assumed with STS `AssumeRole`, signed with the credentials of a
/// source provider.
///
/// ```no_run
/// use restjson_runtime::credentials::{
///     AssumeRoleProvider, CredentialsCache, EnvironmentProvider,
/// };
/// use restjson_runtime::config::ProviderEnv;
///
/// let source = EnvironmentProvider::new(ProviderEnv::real());
/// let role = AssumeRoleProvider::new("arn:aws:iam::123456789012:role/chat-admin", source)
///     .with_session_name("chat-admin-tool")
///     .with_region("eu-west-1");
/// // Every call goes to STS: cache the credentials until shortly before they expire.
/// let config = restjson_runtime::Config::builder()
///     .region("eu-west-1")
///     .credentials_provider(CredentialsCache::new(role))
///     .build();
/// # let _ = config;
/// ```
///
/// Without a session name, sessions are named `restjson-runtime-<milliseconds since 1970>`;
/// without a duration, STS grants its default (one hour). STS is called in the region set with
/// [`with_region`](Self::with_region), else the configured one (`AWS_REGION`,
/// `AWS_DEFAULT_REGION`, the profile's `region`), else `us-east-1`; at the endpoint of
/// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the profile's `[services]` section if set,
/// else the regional STS endpoint; with the environment's retry settings, each call bounded by
/// [`DEFAULT_CREDENTIALS_CALL_TIMEOUT`](super::DEFAULT_CREDENTIALS_CALL_TIMEOUT) unless
/// [`with_client_config`](Self::with_client_config) says otherwise.
///
/// STS errors become [`CredentialsError`]s naming the role, STS's code and message, and the
/// usual cause. `Debug` does not show the external id.
#[derive(Clone)]
pub struct AssumeRoleProvider {
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration: Option<Duration>,
    region: Option<String>,
    source: SharedCredentialsProvider,
    settings: ServiceSettings,
    /// Where the role was configured, for messages.
    origin: Option<String>,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` with the credentials of `source`.
    pub fn new(role_arn: impl Into<String>, source: impl ProvideCredentials + 'static) -> Self {
        Self::with_shared_source(
            role_arn.into(),
            SharedCredentialsProvider::new(source),
            ServiceSettings::new(ProviderEnv::real(), None),
        )
    }

    pub(crate) fn with_shared_source(
        role_arn: String,
        source: SharedCredentialsProvider,
        settings: ServiceSettings,
    ) -> Self {
        Self {
            role_arn,
            session_name: None,
            external_id: None,
            duration: None,
            region: None,
            source,
            settings,
            origin: None,
        }
    }

    /// The session name (2 to 64 characters of `[\w+=,.@-]`).
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// The external id the role's trust policy requires.
    pub fn with_external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// How long the credentials last: 15 minutes to 12 hours, at most the role's maximum
    /// (default: STS's, one hour). Whole seconds are sent.
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// The region whose STS endpoint is called.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Where region, endpoint URL and retry settings of the STS calls are read (by default the
    /// process environment, and `AWS_PROFILE` else `default`).
    pub fn with_env(mut self, env: ProviderEnv, profile: Option<&str>) -> Self {
        let config = self.settings.config().cloned();
        self.settings = ServiceSettings::new(env, profile);
        if let Some(config) = config {
            self.settings.set_config(config);
        }
        self
    }

    /// Transport, retry and timeout settings of the calls to STS (its region, credentials and
    /// endpoint URL are not used).
    pub fn with_client_config(mut self, config: Config) -> Self {
        self.settings.set_config(config);
        self
    }

    pub(crate) fn with_origin(mut self, origin: String) -> Self {
        self.origin = Some(origin);
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let role_arn = &self.role_arn;
        let what = match &self.origin {
            Some(origin) => format!("{origin}: assuming role `{role_arn}`"),
            None => format!("assuming role `{role_arn}`"),
        };
        if let Some(duration) = self.duration
            && !DURATION_RANGE.contains(&duration.as_secs())
        {
            return Err(CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!(
                    "{what}: the duration of {} seconds is outside the 900 to 43200 STS accepts",
                    duration.as_secs()
                ),
            ));
        }
        let config = self.settings.load(&what)?;
        let session_name = self
            .session_name
            .clone()
            .unwrap_or_else(|| default_session_name(config.now()));
        let handle = client(
            &config,
            self.region.as_deref(),
            CredentialsSetting::Provider(self.source.clone()),
        );
        let input = AssumeRole {
            role_arn,
            session_name: &session_name,
            external_id: self.external_id.as_deref(),
            duration: self.duration,
        };
        assume_role(&handle, &input)
            .await
            .map_err(|error| failed(&what, error, false))
    }
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field(
                "external_id",
                &self.external_id.as_ref().map(|_| "** redacted **"),
            )
            .field("duration", &self.duration)
            .field("region", &self.region)
            .field("source", &self.source)
            .field("settings", &self.settings)
            .finish()
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}
