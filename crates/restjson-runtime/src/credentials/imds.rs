//! Credentials of the EC2 instance profile, from the instance metadata service (IMDSv2).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use percent_encoding::utf8_percent_encode;
use reqwest::header::{HeaderName, HeaderValue};

use super::ProvideCredentials;
use super::util::{
    FetchError, Fields, UNRESERVED, credentials_from_json, describe_duration, fetch, http_client,
    parse_json,
};
use super::{Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture};
use crate::profile::ProfileSet;
use crate::provider_env::ProviderEnv;

/// The IPv4 endpoint of the instance metadata service.
pub const DEFAULT_IMDS_ENDPOINT: &str = "http://169.254.169.254";
/// The IPv6 endpoint, used when `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`.
pub const DEFAULT_IMDS_ENDPOINT_IPV6: &str = "http://[fd00:ec2::254]";

// Header names and values are passed as such: every `header` call then has the same types
// (one copy of reqwest's generic method).
const TOKEN_TTL_HEADER: HeaderName =
    HeaderName::from_static("x-aws-ec2-metadata-token-ttl-seconds");
const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-aws-ec2-metadata-token");
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Credentials of the instance profile, from the EC2 instance metadata service with session
/// tokens (IMDSv2): `PUT /latest/api/token`, then the role name from
/// `GET /latest/meta-data/iam/security-credentials/`, then that role's credentials.
///
/// * The endpoint is the one set in code, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else
///   `ec2_metadata_service_endpoint` of the profile, else `http://[fd00:ec2::254]` when the
///   endpoint mode (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, else
///   `ec2_metadata_service_endpoint_mode` of the profile) is `IPv6`, else
///   `http://169.254.169.254`. An endpoint that is not an `http`/`https` URL, or a mode other
///   than `IPv4` and `IPv6` (in any case), is a [`CredentialsErrorKind::InvalidConfiguration`].
/// * `AWS_EC2_METADATA_DISABLED=true` turns it off ([`CredentialsErrorKind::NotLoaded`]).
/// * Off EC2 nothing answers: after the short connect timeout (1 s by default) the provider
///   reports [`CredentialsErrorKind::NotLoaded`] so that a chain gives up quickly. The whole
///   exchange is bounded by an overall timeout (3 s by default).
#[derive(Debug)]
pub struct ImdsProvider {
    env: ProviderEnv,
    profile: Option<String>,
    endpoint: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    token_ttl: Duration,
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl ImdsProvider {
    /// A provider reading its configuration from `env`.
    pub fn new(env: ProviderEnv) -> Self {
        Self {
            env,
            profile: None,
            endpoint: None,
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(3),
            token_ttl: Duration::from_secs(21_600),
            client: OnceLock::new(),
        }
    }

    /// Reads the endpoint settings of this profile (by default `AWS_PROFILE`, else `default`).
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Overrides the endpoint (otherwise taken from the environment).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// How long to wait for a connection to the metadata service.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.client = OnceLock::new();
        self
    }

    /// How long the whole exchange (three requests) may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.client = OnceLock::new();
        self
    }

    /// The lifetime requested for the session token (6 hours by default).
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    fn endpoint(&self) -> Result<String, CredentialsError> {
        let invalid = |message: String| {
            CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!("IMDS: {message}"),
            )
        };
        let mut profiles = None;
        // The shared files are only read when the environment does not settle the question.
        let mut setting = |variable: &str, key: &str| -> Result<_, CredentialsError> {
            if let Some(value) = self.env.get_non_empty_var(variable) {
                return Ok(Some((value.trim().to_owned(), variable.to_owned())));
            }
            if profiles.is_none() {
                profiles = Some(
                    ProfileSet::load(&self.env, self.profile.as_deref())
                        .map_err(|e| invalid(e.to_string()).with_source(e))?,
                );
            }
            let set = profiles.as_ref().expect("loaded above");
            Ok(set
                .get(key)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    let source = format!("`{key}` of profile `{}`", set.selected_profile());
                    (v.to_owned(), source)
                }))
        };
        let (endpoint, source) = match &self.endpoint {
            Some(e) => (e.clone(), "the configured endpoint".to_owned()),
            None => match setting(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                "ec2_metadata_service_endpoint",
            )? {
                Some(found) => found,
                None => {
                    let mode = setting(
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                        "ec2_metadata_service_endpoint_mode",
                    )?;
                    let endpoint = match mode {
                        None => DEFAULT_IMDS_ENDPOINT,
                        Some((mode, _)) if mode.eq_ignore_ascii_case("ipv4") => {
                            DEFAULT_IMDS_ENDPOINT
                        }
                        Some((mode, _)) if mode.eq_ignore_ascii_case("ipv6") => {
                            DEFAULT_IMDS_ENDPOINT_IPV6
                        }
                        Some((mode, source)) => {
                            return Err(invalid(format!(
                                "{source} is {mode:?}; expected `IPv4` or `IPv6`"
                            )));
                        }
                    };
                    return Ok(endpoint.to_owned());
                }
            },
        };
        match reqwest::Url::parse(&endpoint) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                Ok(endpoint.trim_end_matches('/').to_owned())
            }
            _ => Err(invalid(format!(
                "{source} {endpoint:?} is not an http:// or https:// URL with a host"
            ))),
        }
    }

    fn client(&self) -> Result<&reqwest::Client, CredentialsError> {
        self.client
            .get_or_init(|| http_client(self.connect_timeout, self.timeout))
            .as_ref()
            .map_err(|e| {
                CredentialsError::new(CredentialsErrorKind::ProviderError, format!("IMDS: {e}"))
            })
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        if self
            .env
            .get_var("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        {
            return Err(CredentialsError::new(
                CredentialsErrorKind::NotLoaded,
                "IMDS: disabled by AWS_EC2_METADATA_DISABLED",
            ));
        }
        let endpoint = self.endpoint()?;
        let client = self.client()?;
        // Until the token request is answered we cannot tell "not on EC2" from "slow".
        let answered = AtomicBool::new(false);
        let exchange = self.exchange(client, &endpoint, &answered);
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) if !answered.load(Ordering::Relaxed) => Err(not_on_ec2(&endpoint, self.timeout)),
            Err(_) => Err(CredentialsError::new(
                CredentialsErrorKind::ProviderTimedOut,
                format!(
                    "IMDS: {endpoint} did not provide credentials within {}",
                    describe_duration(self.timeout)
                ),
            )),
        }
    }

    async fn exchange(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        answered: &AtomicBool,
    ) -> Result<Credentials, CredentialsError> {
        let token_request = client.put(format!("{endpoint}/latest/api/token")).header(
            TOKEN_TTL_HEADER,
            HeaderValue::from(self.token_ttl.as_secs()),
        );
        let (status, body) = match fetch(token_request, Some(answered)).await {
            Ok(answer) => answer,
            Err(FetchError::Send(e)) if e.is_connect() || e.is_timeout() => {
                let waited = if e.is_connect() {
                    self.connect_timeout
                } else {
                    self.timeout
                };
                return Err(not_on_ec2(endpoint, waited).with_source(e));
            }
            Err(e) => return Err(fetch_failed(endpoint, "the session token", e)),
        };
        match status.as_u16() {
            200 => {}
            403 => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::NotLoaded,
                    format!(
                        "IMDS: {endpoint} refused a session token (HTTP 403): the metadata service is disabled for this instance"
                    ),
                ));
            }
            _ => return Err(bad_status(endpoint, "the session token", status)),
        }
        let token = String::from_utf8(body).map_err(|_| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("IMDS: the session token from {endpoint} is not valid UTF-8"),
            )
        })?;
        let mut token = HeaderValue::from_str(token.trim()).map_err(|_| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("IMDS: the session token from {endpoint} has invalid characters"),
            )
        })?;
        token.set_sensitive(true);

        let roles_url = format!("{endpoint}{CREDENTIALS_PATH}");
        let roles_request = client.get(&roles_url).header(TOKEN_HEADER, token.clone());
        let (status, body) = fetch(roles_request, None)
            .await
            .map_err(|e| fetch_failed(endpoint, "the instance profile", e))?;
        match status.as_u16() {
            200 => {}
            404 => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::NotLoaded,
                    format!(
                        "IMDS: no instance profile (IAM role) is attached to this instance ({endpoint})"
                    ),
                ));
            }
            _ => return Err(bad_status(endpoint, "the instance profile", status)),
        }
        let roles = String::from_utf8_lossy(&body);
        let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Err(CredentialsError::new(
                CredentialsErrorKind::NotLoaded,
                format!(
                    "IMDS: no instance profile (IAM role) is attached to this instance ({endpoint})"
                ),
            ));
        };
        let role_path = utf8_percent_encode(role, UNRESERVED).to_string();

        let credentials_request = client
            .get(format!("{roles_url}{role_path}"))
            .header(TOKEN_HEADER, token);
        let (status, body) = fetch(credentials_request, None)
            .await
            .map_err(|e| fetch_failed(endpoint, "the role credentials", e))?;
        if status.as_u16() != 200 {
            return Err(bad_status(endpoint, "the role credentials", status));
        }
        let json = parse_json(&body).map_err(|e| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("IMDS: the credentials from {endpoint} are {e}"),
            )
        })?;
        if let Some(code) = json.get("Code").and_then(|c| c.as_str())
            && code != "Success"
        {
            return Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("IMDS: {endpoint} answered with Code `{code}` instead of `Success`"),
            ));
        }
        credentials_from_json(
            &json,
            Fields { token: "Token" },
            "IMDS",
            &format!("IMDS at {endpoint}"),
        )
    }
}

fn not_on_ec2(endpoint: &str, waited: Duration) -> CredentialsError {
    CredentialsError::new(
        CredentialsErrorKind::NotLoaded,
        format!(
            "IMDS: no instance metadata service answered at {endpoint} within {} (not running on EC2?)",
            describe_duration(waited)
        ),
    )
}

fn fetch_failed(endpoint: &str, what: &str, e: FetchError) -> CredentialsError {
    match e {
        FetchError::Send(e) => {
            let kind = if e.is_timeout() {
                CredentialsErrorKind::ProviderTimedOut
            } else {
                CredentialsErrorKind::ProviderError
            };
            CredentialsError::new(
                kind,
                format!("IMDS: requesting {what} from {endpoint} failed: {e}"),
            )
            .with_source(e)
        }
        FetchError::Read(e) => CredentialsError::new(
            CredentialsErrorKind::ProviderError,
            format!("IMDS: {endpoint}: {e}"),
        ),
    }
}

fn bad_status(endpoint: &str, what: &str, status: reqwest::StatusCode) -> CredentialsError {
    CredentialsError::new(
        CredentialsErrorKind::ProviderError,
        format!("IMDS: requesting {what} from {endpoint} answered HTTP {status}"),
    )
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}
