//! Credentials from the selected profile of the shared config and credentials files.

use std::time::Duration;

use super::ProvideCredentials;
use super::process::{CredentialProcessProvider, DEFAULT_PROCESS_TIMEOUT};
use super::{Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture};
use crate::profile::{ProfileSelection, ProfileSet};
use crate::provider_env::ProviderEnv;

/// Profile settings naming credential sources this SDK does not implement. A profile using
/// one is an error rather than a silent fall-through to the next provider, which could pick
/// up credentials for a different account or role.
const UNSUPPORTED_KEYS: &[&str] = &[
    "role_arn",
    "source_profile",
    "credential_source",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
    "login_session",
];

/// Credentials from the selected profile (chosen in code, else `AWS_PROFILE`, else
/// `default`): its `credential_process`, else its static keys `aws_access_key_id`,
/// `aws_secret_access_key` and `aws_session_token`.
///
/// * No profile `default` and none selected, or a profile without credentials:
///   [`CredentialsErrorKind::NotLoaded`].
/// * A selected profile that does not exist, a malformed file, one key without the other, or a
///   profile using a credential source this SDK does not support (`role_arn`, `sso_session`,
///   ...): [`CredentialsErrorKind::InvalidConfiguration`] naming the profile and the key.
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    env: ProviderEnv,
    profile: Option<String>,
    process_timeout: Duration,
}

impl ProfileProvider {
    /// Reads the files of `env` each time credentials are requested; `profile` overrides
    /// `AWS_PROFILE`.
    pub fn new(env: ProviderEnv, profile: Option<&str>) -> Self {
        Self {
            env,
            profile: profile.map(str::to_string),
            process_timeout: DEFAULT_PROCESS_TIMEOUT,
        }
    }

    /// How long a `credential_process` may run.
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    fn resolve(&self) -> Result<Source, CredentialsError> {
        let set = ProfileSet::load(&self.env, self.profile.as_deref()).map_err(|e| {
            CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!("profile: {e}"),
            )
            .with_source(e)
        })?;
        let name = set.selected_profile();
        let Some(profile) = set.selected() else {
            let files = describe_files(&set);
            return Err(match set.selection() {
                ProfileSelection::Default => CredentialsError::new(
                    CredentialsErrorKind::NotLoaded,
                    format!("profile: `default` is defined in {files}"),
                ),
                ProfileSelection::Explicit => CredentialsError::new(
                    CredentialsErrorKind::InvalidConfiguration,
                    format!("profile `{name}` was selected but is defined in {files}"),
                ),
                ProfileSelection::Environment => CredentialsError::new(
                    CredentialsErrorKind::InvalidConfiguration,
                    format!(
                        "profile `{name}` was selected by AWS_PROFILE but is defined in {files}"
                    ),
                ),
            });
        };
        if let Some(key) = UNSUPPORTED_KEYS.iter().find(|k| profile.contains(k)) {
            return Err(CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!("profile `{name}` uses `{key}`, which this SDK does not support yet"),
            ));
        }
        if let Some(command) = profile.get("credential_process") {
            if command.trim().is_empty() {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::InvalidConfiguration,
                    format!("profile `{name}` has an empty `credential_process`"),
                ));
            }
            return Ok(Source::Process(
                CredentialProcessProvider::new(command.trim())
                    .with_description(format!("credential_process of profile `{name}`"))
                    .with_timeout(self.process_timeout),
            ));
        }
        let non_empty = |key: &str| profile.get(key).map(str::trim).filter(|v| !v.is_empty());
        match (
            non_empty("aws_access_key_id"),
            non_empty("aws_secret_access_key"),
        ) {
            (Some(id), Some(secret)) => Ok(Source::Static(Credentials::new(
                id,
                secret,
                non_empty("aws_session_token").map(str::to_string),
                None,
                "Profile",
            ))),
            (None, None) => Err(CredentialsError::new(
                CredentialsErrorKind::NotLoaded,
                format!("profile: profile `{name}` has no credentials"),
            )),
            (Some(_), None) => Err(CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!(
                    "profile `{name}` sets `aws_access_key_id` but not `aws_secret_access_key`"
                ),
            )),
            (None, Some(_)) => Err(CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!(
                    "profile `{name}` sets `aws_secret_access_key` but not `aws_access_key_id`"
                ),
            )),
        }
    }
}

enum Source {
    Static(Credentials),
    Process(CredentialProcessProvider),
}

fn describe_files(set: &ProfileSet) -> String {
    let show = |p: Option<&std::path::Path>| match p {
        Some(p) => p.display().to_string(),
        None => "(no home directory)".to_string(),
    };
    format!(
        "neither the config file {} nor the credentials file {}",
        show(set.config_file()),
        show(set.credentials_file())
    )
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            match self.resolve()? {
                Source::Static(credentials) => Ok(credentials),
                Source::Process(process) => process.provide_credentials().await,
            }
        })
    }
}
