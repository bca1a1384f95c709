//! Credentials from a container credentials endpoint (ECS tasks, EKS Pod Identity).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use super::ProvideCredentials;
use super::util::{
    FetchError, Fields, credentials_from_json, describe_duration, fetch, http_client, parse_json,
};
use super::{Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture};
use crate::provider_env::ProviderEnv;

const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// Where ECS serves credentials for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
pub const DEFAULT_RELATIVE_URI_BASE: &str = "http://169.254.170.2";

/// Credentials from the container credentials endpoint.
///
/// * `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: fetched from `http://169.254.170.2` + the URI.
/// * else `AWS_CONTAINER_CREDENTIALS_FULL_URI`: any `https` URL, or an `http` URL whose host is
///   a loopback address, `169.254.170.2`, `169.254.170.23` or `fd00:ec2::23`.
/// * The `Authorization` header comes from the file named by
///   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every request, since it rotates), else
///   from `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
///
/// Neither URI variable set: [`CredentialsErrorKind::NotLoaded`]. `Debug` never shows tokens.
#[derive(Debug)]
pub struct ContainerProvider {
    env: ProviderEnv,
    relative_uri_base: String,
    connect_timeout: Duration,
    timeout: Duration,
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl ContainerProvider {
    /// A provider reading its configuration from `env`, with a 2 s connect timeout and a 5 s
    /// overall timeout.
    pub fn new(env: ProviderEnv) -> Self {
        Self {
            env,
            relative_uri_base: DEFAULT_RELATIVE_URI_BASE.to_string(),
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            client: OnceLock::new(),
        }
    }

    /// How long to wait for the connection to the endpoint.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.client = OnceLock::new();
        self
    }

    /// How long the whole request may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.client = OnceLock::new();
        self
    }

    /// Replaces `http://169.254.170.2` as the base of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
    /// (for tests and local emulators).
    pub fn with_relative_uri_base(mut self, base: impl Into<String>) -> Self {
        self.relative_uri_base = base.into().trim_end_matches('/').to_string();
        self
    }

    fn client(&self) -> Result<&reqwest::Client, CredentialsError> {
        self.client
            .get_or_init(|| http_client(self.connect_timeout, self.timeout))
            .as_ref()
            .map_err(|e| {
                CredentialsError::new(
                    CredentialsErrorKind::ProviderError,
                    format!("container: {e}"),
                )
            })
    }

    fn endpoint(&self) -> Result<String, CredentialsError> {
        if let Some(relative) = self.env.get_non_empty_var(RELATIVE_URI) {
            let relative = relative.trim();
            let separator = if relative.starts_with('/') { "" } else { "/" };
            return Ok(format!("{}{separator}{relative}", self.relative_uri_base));
        }
        let Some(full) = self.env.get_non_empty_var(FULL_URI) else {
            return Err(CredentialsError::new(
                CredentialsErrorKind::NotLoaded,
                format!("container: {RELATIVE_URI} and {FULL_URI} are not set"),
            ));
        };
        let full = full.trim().to_string();
        let invalid = |why: String| {
            CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!("container: {FULL_URI} {why}"),
            )
        };
        let url =
            reqwest::Url::parse(&full).map_err(|e| invalid(format!("is not a valid URL ({e})")))?;
        match url.scheme() {
            "https" => Ok(full),
            "http" => {
                let host = url.host_str().unwrap_or_default();
                if is_allowed_http_host(host) {
                    Ok(full)
                } else {
                    Err(invalid(format!(
                        "uses plain http with host `{host}`; plain http is only allowed to a \
                         loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23"
                    )))
                }
            }
            other => Err(invalid(format!(
                "has unsupported scheme `{other}` (expected http or https)"
            ))),
        }
    }

    fn authorization(&self) -> Result<Option<reqwest::header::HeaderValue>, CredentialsError> {
        let invalid = |why: String| {
            CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!("container: {why}"),
            )
        };
        let token = if let Some(path) = self.env.get_non_empty_var(TOKEN_FILE) {
            let path = self.env.expand_home(path.trim());
            let text = self.env.read_to_string(&path).map_err(|e| {
                invalid(format!(
                    "could not read the authorization token file {} named by {TOKEN_FILE}: {e}",
                    Path::new(&path).display()
                ))
                .with_source(e)
            })?;
            // Token files are often written with a trailing newline.
            text.trim_end_matches(['\r', '\n']).to_string()
        } else if let Some(token) = self.env.get_non_empty_var(TOKEN) {
            token
        } else {
            return Ok(None);
        };
        if token.contains(['\r', '\n']) {
            return Err(invalid(
                "the authorization token contains a line break".to_string(),
            ));
        }
        let mut value = reqwest::header::HeaderValue::from_str(&token).map_err(|_| {
            invalid("the authorization token contains invalid characters".to_string())
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let endpoint = self.endpoint()?;
        let authorization = self.authorization()?;
        let client = self.client()?;
        let mut request = client.get(&endpoint).header(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        if let Some(value) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                CredentialsError::new(
                    CredentialsErrorKind::ProviderTimedOut,
                    format!(
                        "container: the endpoint {endpoint} did not answer within {}",
                        describe_duration(self.timeout)
                    ),
                )
            } else {
                CredentialsError::new(
                    CredentialsErrorKind::ProviderError,
                    format!("container: request to {endpoint} failed: {e}"),
                )
            }
            .with_source(e)
        };
        let response = tokio::time::timeout(self.timeout, fetch(request, None)).await;
        let (status, body) = match response {
            Ok(Ok(answer)) => answer,
            Ok(Err(FetchError::Send(e))) => return Err(failed(e)),
            Ok(Err(FetchError::Read(e))) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::ProviderError,
                    format!("container: {endpoint}: {e}"),
                ));
            }
            Err(_) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::ProviderTimedOut,
                    format!(
                        "container: the endpoint {endpoint} did not answer within {}",
                        describe_duration(self.timeout)
                    ),
                ));
            }
        };
        if !status.is_success() {
            return Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("container: the endpoint {endpoint} answered HTTP {status}"),
            ));
        }
        let json = parse_json(&body).map_err(|e| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("container: the answer of {endpoint} is {e}"),
            )
        })?;
        credentials_from_json(
            &json,
            Fields { token: "Token" },
            "Container",
            &format!("container endpoint {endpoint}"),
        )
    }
}

/// Hosts a plain-http full URI may name: the ones the AWS SDKs allow.
fn is_allowed_http_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(IpAddr::V4(ip)) => {
            ip == Ipv4Addr::new(169, 254, 170, 2) || ip == Ipv4Addr::new(169, 254, 170, 23)
        }
        Ok(IpAddr::V6(ip)) => ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23),
        Err(_) => false,
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}
