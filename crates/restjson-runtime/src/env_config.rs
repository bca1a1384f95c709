//! Configuration from the environment and the shared config files, with the AWS SDKs'
//! precedence: explicit settings in code, then environment variables, then the active profile.

use std::fmt;
use std::sync::Arc;

use crate::config::{Config, ConfigBuilder, CredentialsSetting};
use crate::credentials::default_provider;
use crate::profile::{ProfileFileError, ProfileSet};
use crate::provider_env::ProviderEnv;

/// A configuration source that could not be read or holds an invalid value.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
    source: Option<ProfileFileError>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<ProfileFileError> for ConfigError {
    fn from(e: ProfileFileError) -> Self {
        Self {
            message: e.to_string(),
            source: Some(e),
        }
    }
}

/// The environment and profile a configuration was loaded from, kept so that per-service
/// settings (the endpoint URL of `AWS_ENDPOINT_URL_<SERVICE>` and `[services]`) are resolved
/// when a client for a given service is created.
#[derive(Clone)]
pub(crate) struct EnvSources {
    env: ProviderEnv,
    profiles: Arc<ProfileSet>,
}

impl fmt::Debug for EnvSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvSources")
            .field("profile", &self.profiles.selected_profile())
            .finish()
    }
}

fn parse_bool(value: &str, what: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ConfigError {
            message: format!("{what} must be `true` or `false`, not {value:?}"),
            source: None,
        }),
    }
}

impl EnvSources {
    /// Reads the shared files of `env` and selects `profile` (else `AWS_PROFILE`, else
    /// `default`).
    pub(crate) fn load(env: &ProviderEnv, profile: Option<&str>) -> Result<Self, ConfigError> {
        Ok(Self {
            env: env.clone(),
            profiles: Arc::new(ProfileSet::load(env, profile)?),
        })
    }

    /// A variable, else a key of the selected profile (`what` names both for errors).
    fn setting(&self, variable: &str, key: &str) -> Option<(String, String)> {
        if let Some(v) = self.env.get_non_empty_var(variable) {
            return Some((v, variable.to_owned()));
        }
        self.profiles.get(key).map(|v| {
            (
                v.to_owned(),
                format!("`{key}` of profile `{}`", self.profiles.selected_profile()),
            )
        })
    }

    fn bool_setting(&self, variable: &str, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.setting(variable, key) {
            Some((v, what)) => parse_bool(&v, &what).map(Some),
            None => Ok(None),
        }
    }

    /// `AWS_USE_FIPS_ENDPOINT`, else the profile's `use_fips_endpoint` (default false).
    pub(crate) fn use_fips(&self) -> Result<bool, ConfigError> {
        Ok(self
            .bool_setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?
            .unwrap_or(false))
    }

    /// `AWS_USE_DUALSTACK_ENDPOINT`, else the profile's `use_dualstack_endpoint` (default
    /// false).
    pub(crate) fn use_dual_stack(&self) -> Result<bool, ConfigError> {
        Ok(self
            .bool_setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?
            .unwrap_or(false))
    }

    /// The endpoint URL configured for the service with SDK id `sdk_id`: `AWS_ENDPOINT_URL_<ID>`,
    /// `AWS_ENDPOINT_URL`, the profile's `[services]` entry, then the profile's
    /// `endpoint_url`; none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
    /// `ignore_configured_endpoint_urls`) is true.
    pub(crate) fn endpoint_url(&self, sdk_id: &str) -> Result<Option<String>, ConfigError> {
        if self
            .bool_setting(
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                "ignore_configured_endpoint_urls",
            )?
            .unwrap_or(false)
        {
            return Ok(None);
        }
        let env_suffix: String = sdk_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        if let Some(v) = self
            .env
            .get_non_empty_var(&format!("AWS_ENDPOINT_URL_{env_suffix}"))
        {
            return Ok(Some(v));
        }
        if let Some(v) = self.env.get_non_empty_var("AWS_ENDPOINT_URL") {
            return Ok(Some(v));
        }
        let service_key = env_suffix.to_ascii_lowercase();
        if let Some(v) = self
            .profiles
            .selected_services_value(&service_key, "endpoint_url")
        {
            return Ok(Some(v.to_owned()));
        }
        Ok(self.profiles.get("endpoint_url").map(str::to_owned))
    }
}

impl Config {
    /// Configuration from the process environment and the shared files (`~/.aws/config`,
    /// `~/.aws/credentials`), as the AWS SDKs read them:
    ///
    /// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then `region` of the profile;
    /// - credentials: the default chain (environment, shared files and `credential_process`,
    ///   container credentials, EC2 instance metadata), cached and refreshed before expiry;
    /// - endpoint URL: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
    ///   `services` section and `endpoint_url` (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`);
    /// - FIPS and dual-stack: `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`, and the
    ///   profile's `use_fips_endpoint` and `use_dualstack_endpoint`;
    /// - retries: `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE`, and the profile's `max_attempts` and
    ///   `retry_mode`.
    ///
    /// The profile is `AWS_PROFILE`, else `default`. Settings made on the returned builder win
    /// over what was read.
    pub fn from_env() -> Result<ConfigBuilder, ConfigError> {
        Self::from_env_with(&ProviderEnv::real(), None)
    }

    /// Like [`from_env`](Self::from_env) with the named profile.
    pub fn from_profile(profile: &str) -> Result<ConfigBuilder, ConfigError> {
        Self::from_env_with(&ProviderEnv::real(), Some(profile))
    }

    /// Like [`from_env`](Self::from_env), reading `env` (tests use a fake one) and the profile
    /// `profile` (else `AWS_PROFILE`, else `default`).
    pub fn from_env_with(
        env: &ProviderEnv,
        profile: Option<&str>,
    ) -> Result<ConfigBuilder, ConfigError> {
        let sources = EnvSources::load(env, profile)?;
        let region = match ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|v| env.get_non_empty_var(v))
        {
            Some(r) => Some(r.trim().to_owned()),
            None => sources
                .profiles
                .get("region")
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        };
        let use_fips = sources.use_fips()?;
        let use_dual_stack = sources.use_dual_stack()?;
        let credentials = CredentialsSetting::Provider(default_provider(env, profile));
        let retry =
            crate::retry::RetryConfig::from_env(env, profile).map_err(|message| ConfigError {
                message,
                source: None,
            })?;
        Ok(Config::builder()
            .retry_config(retry)
            .set_region(region)
            .use_fips(use_fips)
            .use_dual_stack(use_dual_stack)
            .set_credentials(credentials)
            .set_env_sources(Some(sources)))
    }
}
