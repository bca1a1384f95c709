//! Credentials from environment variables.

use super::ProvideCredentials;
use super::util::parse_rfc3339;
use super::{Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture};
use crate::provider_env::ProviderEnv;

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and
/// `AWS_CREDENTIAL_EXPIRATION` (RFC 3339). Empty variables count as unset.
///
/// Neither key set: [`CredentialsErrorKind::NotLoaded`]. Only one of the two set:
/// [`CredentialsErrorKind::InvalidConfiguration`].
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    env: ProviderEnv,
}

impl EnvironmentProvider {
    /// Reads the variables of `env` each time credentials are requested.
    pub fn new(env: ProviderEnv) -> Self {
        Self { env }
    }

    fn load(&self) -> Result<Credentials, CredentialsError> {
        let access_key_id = self.env.get_non_empty_var("AWS_ACCESS_KEY_ID");
        let secret_access_key = self.env.get_non_empty_var("AWS_SECRET_ACCESS_KEY");
        let (access_key_id, secret_access_key) = match (access_key_id, secret_access_key) {
            (Some(id), Some(secret)) => (id, secret),
            (None, None) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::NotLoaded,
                    "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
                ));
            }
            (Some(_), None) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::InvalidConfiguration,
                    "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                ));
            }
            (None, Some(_)) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::InvalidConfiguration,
                    "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                ));
            }
        };
        let session_token = self.env.get_non_empty_var("AWS_SESSION_TOKEN");
        let expiry = match self.env.get_non_empty_var("AWS_CREDENTIAL_EXPIRATION") {
            None => None,
            Some(text) => Some(parse_rfc3339(&text).map_err(|e| {
                CredentialsError::new(
                    CredentialsErrorKind::InvalidConfiguration,
                    format!("environment: AWS_CREDENTIAL_EXPIRATION is {e}"),
                )
            })?),
        };
        Ok(Credentials::new(
            access_key_id.trim(),
            secret_access_key.trim(),
            session_token.map(|t| t.trim().to_string()),
            expiry,
            "Environment",
        ))
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let result = self.load();
        Box::pin(async move { result })
    }
}
