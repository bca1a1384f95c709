//! Credentials for a role assumed with a web identity token (OIDC), as on EKS with IAM roles for
//! service accounts: STS `AssumeRoleWithWebIdentity`.

use std::path::Path;

use super::ProvideCredentials;
use super::service::{ServiceSettings, default_session_name};
use super::sts::{assume_role_with_web_identity, client, failed};
use super::{Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture};
use crate::config::{Config, CredentialsSetting};
use crate::provider_env::ProviderEnv;

const TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
const ROLE_ARN: &str = "AWS_ROLE_ARN";
const SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";

/// The most a token file may hold: STS takes tokens of up to 20,000 characters.
const MAX_TOKEN_LEN: usize = 20_000;

#[derive(Clone, Debug)]
enum Source {
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`.
    Environment,
    /// Set in code or by a profile.
    Fixed {
        token_file: String,
        role_arn: String,
        /// Where the settings came from, for messages (e.g. "profile `dev`").
        origin: String,
    },
}

/// Credentials of a role assumed with a web identity token: STS `AssumeRoleWithWebIdentity`
/// (unsigned: the token is the proof of identity), as on EKS with IAM roles for service
/// accounts.
///
/// * [`from_env`](Self::from_env): the token file `AWS_WEB_IDENTITY_TOKEN_FILE`, the role
///   `AWS_ROLE_ARN` and the session name `AWS_ROLE_SESSION_NAME`. Without
///   `AWS_WEB_IDENTITY_TOKEN_FILE`: [`CredentialsErrorKind::NotLoaded`]; with it but without
///   `AWS_ROLE_ARN`: [`CredentialsErrorKind::InvalidConfiguration`].
/// * [`new`](Self::new): a token file and a role set in code.
/// * Profiles with `web_identity_token_file` and `role_arn` use it too (see
///   [`ProfileProvider`](super::ProfileProvider)).
///
/// The token file is read again on every call, since the platform rotates it. Without a
/// session name, sessions are named `restjson-runtime-<milliseconds since 1970>`.
///
/// STS is called in the region set with [`with_region`](Self::with_region), else the
/// configured one (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`), else
/// `us-east-1`; at the endpoint of `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the profile's
/// `[services]` section if set, else the regional STS endpoint; with the retry and timeout
/// settings of the environment, each call bounded by
/// [`DEFAULT_CREDENTIALS_CALL_TIMEOUT`](super::DEFAULT_CREDENTIALS_CALL_TIMEOUT) unless
/// [`with_client_config`](Self::with_client_config) says otherwise.
///
/// Every call goes to STS: wrap the provider in a [`CredentialsCache`](super::CredentialsCache)
/// (the default chain does).
#[derive(Clone, Debug)]
pub struct WebIdentityTokenProvider {
    settings: ServiceSettings,
    source: Source,
    session_name: Option<String>,
    region: Option<String>,
}

impl WebIdentityTokenProvider {
    /// The token file, role and session name of `AWS_WEB_IDENTITY_TOKEN_FILE`,
    /// `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME` in `env`, read on every call.
    pub fn from_env(env: ProviderEnv) -> Self {
        Self {
            settings: ServiceSettings::new(env, None),
            source: Source::Environment,
            session_name: None,
            region: None,
        }
    }

    /// Assumes `role_arn` with the token in `token_file` (a leading `~` is the home
    /// directory of `env`).
    pub fn new(
        env: ProviderEnv,
        token_file: impl Into<String>,
        role_arn: impl Into<String>,
    ) -> Self {
        Self {
            settings: ServiceSettings::new(env, None),
            source: Source::Fixed {
                token_file: token_file.into(),
                role_arn: role_arn.into(),
                origin: "web identity".to_owned(),
            },
            session_name: None,
            region: None,
        }
    }

    /// A provider configured by profile `profile`'s `web_identity_token_file`, `role_arn` and
    /// `role_session_name`.
    pub(crate) fn from_profile(
        settings: ServiceSettings,
        profile: &str,
        token_file: &str,
        role_arn: &str,
        session_name: Option<&str>,
    ) -> Self {
        Self {
            settings,
            source: Source::Fixed {
                token_file: token_file.to_owned(),
                role_arn: role_arn.to_owned(),
                origin: format!("profile `{profile}`"),
            },
            session_name: session_name.map(str::to_owned),
            region: None,
        }
    }

    /// The session name (for [`from_env`](Self::from_env), instead of
    /// `AWS_ROLE_SESSION_NAME`).
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// The region whose STS endpoint is called.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Transport, retry and timeout settings of the calls to STS (its region, credentials and
    /// endpoint URL are not used).
    pub fn with_client_config(mut self, config: Config) -> Self {
        self.settings.set_config(config);
        self
    }

    /// The profile whose settings (region, endpoint, retries) the STS calls use.
    pub(crate) fn with_profile_name(mut self, profile: Option<&str>) -> Self {
        self.settings.set_profile(profile);
        self
    }

    pub(crate) fn set_client_config(&mut self, config: Config) {
        self.settings.set_config(config);
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let env = self.settings.env();
        let (token_file, role_arn, origin, env_session_name) = match &self.source {
            Source::Environment => {
                let Some(token_file) = env.get_non_empty_var(TOKEN_FILE) else {
                    return Err(CredentialsError::new(
                        CredentialsErrorKind::NotLoaded,
                        format!("web identity: {TOKEN_FILE} is not set"),
                    ));
                };
                let Some(role_arn) = env.get_non_empty_var(ROLE_ARN) else {
                    return Err(CredentialsError::new(
                        CredentialsErrorKind::InvalidConfiguration,
                        format!("web identity: {TOKEN_FILE} is set but {ROLE_ARN} is not"),
                    ));
                };
                (
                    token_file.trim().to_owned(),
                    role_arn.trim().to_owned(),
                    format!("web identity ({TOKEN_FILE})"),
                    env.get_non_empty_var(SESSION_NAME)
                        .map(|n| n.trim().to_owned()),
                )
            }
            Source::Fixed {
                token_file,
                role_arn,
                origin,
            } => (token_file.clone(), role_arn.clone(), origin.clone(), None),
        };
        let token = read_token(env, &env.expand_home(&token_file), &origin)?;
        let what = format!("{origin}: assuming role `{role_arn}` with a web identity token");
        let config = self.settings.load(&what)?;
        let session_name = self
            .session_name
            .clone()
            .or(env_session_name)
            .unwrap_or_else(|| default_session_name(config.now()));
        let handle = client(
            &config,
            self.region.as_deref(),
            CredentialsSetting::Anonymous,
        );
        assume_role_with_web_identity(&handle, &role_arn, &session_name, &token)
            .await
            .map_err(|error| failed(&what, error, true))
    }
}

/// Reads the token, which must be one non-empty line of at most [`MAX_TOKEN_LEN`] characters.
fn read_token(env: &ProviderEnv, path: &Path, origin: &str) -> Result<String, CredentialsError> {
    let failed = |why: String| {
        CredentialsError::new(
            CredentialsErrorKind::ProviderError,
            format!(
                "{origin}: the web identity token file {} {why}",
                path.display()
            ),
        )
    };
    let text = env
        .read_to_string(path)
        .map_err(|e| failed(format!("could not be read: {e}")).with_source(e))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(failed("is empty".to_owned()));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(failed(format!(
            "holds more than {MAX_TOKEN_LEN} characters"
        )));
    }
    Ok(token.to_owned())
}

impl ProvideCredentials for WebIdentityTokenProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}
