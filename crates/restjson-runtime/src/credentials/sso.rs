//! Credentials from IAM Identity Center (SSO): the access token `aws sso login` caches in
//! `~/.aws/sso/cache/`, refreshed through the SSO OIDC service when it can be, exchanged for
//! role credentials with `GetRoleCredentials`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Map, Value};

use super::service::{ServiceSettings, call_error, failure_kind, regional_endpoint, service_meta};
use super::util::{UNRESERVED, parse_json, parse_rfc3339};
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture, ProvideCredentials,
};
use crate::client::{Handle, OperationMeta, REST_JSON_ERRORS, RequestParts, ServiceMeta};
use crate::config::CredentialsSetting;
use crate::endpoint::{Endpoint, EndpointError, EndpointParams};
use crate::error::{ErrorMetadata, SdkError, SdkErrorKind, Unhandled};
use crate::http::HttpResponse;
use crate::json::DeserializeError;

static SSO: ServiceMeta = service_meta("SSO", "awsssoportal", "portal.sso", resolve_sso);
static SSO_OIDC: ServiceMeta = service_meta("SSO OIDC", "sso-oauth", "oidc", resolve_oidc);

static GET_ROLE_CREDENTIALS: OperationMeta = OperationMeta {
    name: "GetRoleCredentials",
    idempotent: true,
};

static CREATE_TOKEN: OperationMeta = OperationMeta {
    name: "CreateToken",
    idempotent: false,
};

fn resolve_sso(params: &EndpointParams) -> Result<Endpoint, EndpointError> {
    regional_endpoint(params, "portal.sso")
}

fn resolve_oidc(params: &EndpointParams) -> Result<Endpoint, EndpointError> {
    regional_endpoint(params, "oidc")
}

/// A token is refreshed this long before it expires.
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
/// At most one refresh attempt per token in this interval, so that a failing refresh does not
/// hit the OIDC service on every call.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// When each cached token was last refreshed or tried to be, shared by the providers a
/// profile provider builds on each resolution.
#[derive(Default)]
pub(crate) struct RefreshLog(Mutex<HashMap<PathBuf, SystemTime>>);

impl RefreshLog {
    fn may_refresh(&self, file: &Path, now: SystemTime) -> bool {
        let log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.get(file).is_none_or(|last| {
            now.duration_since(*last)
                .is_ok_and(|elapsed| elapsed >= MIN_REFRESH_INTERVAL)
        })
    }

    fn record(&self, file: &Path, now: SystemTime) {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.insert(file.to_path_buf(), now);
    }
}

impl fmt::Debug for RefreshLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.0.lock().map(|l| l.len()).unwrap_or_default();
        f.debug_struct("RefreshLog").field("tokens", &len).finish()
    }
}

/// What a profile says about IAM Identity Center.
#[derive(Clone, Debug)]
pub(crate) struct SsoSettings {
    /// The profile, for messages and the `aws sso login` hint.
    pub(crate) profile: String,
    /// The `sso-session` name; `None` for the legacy form (`sso_start_url` in the profile),
    /// whose tokens cannot be refreshed.
    pub(crate) session: Option<String>,
    pub(crate) start_url: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
}

/// Credentials of an IAM Identity Center role: the cached access token is read (and refreshed
/// through SSO OIDC when it expires within 5 minutes and has a refresh token and a client
/// registration), then exchanged with `GetRoleCredentials`. Both calls are unsigned.
#[derive(Clone, Debug)]
pub(crate) struct SsoProvider {
    settings: ServiceSettings,
    sso: SsoSettings,
    refresh_log: Arc<RefreshLog>,
}

/// The cached token document: its fields are kept as found, so that rewriting it after a
/// refresh keeps what other tools wrote.
struct CachedToken {
    document: Map<String, Value>,
    access_token: String,
    expires_at: SystemTime,
}

impl CachedToken {
    fn field(&self, name: &str) -> Option<&str> {
        self.document
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    }
}

impl SsoProvider {
    pub(crate) fn new(
        settings: ServiceSettings,
        sso: SsoSettings,
        refresh_log: Arc<RefreshLog>,
    ) -> Self {
        Self {
            settings,
            sso,
            refresh_log,
        }
    }

    fn describe(&self) -> String {
        match &self.sso.session {
            Some(session) => format!(
                "profile `{}` (IAM Identity Center session `{session}`)",
                self.sso.profile
            ),
            None => format!("profile `{}` (IAM Identity Center)", self.sso.profile),
        }
    }

    fn login_hint(&self) -> String {
        format!("run `aws sso login --profile {}`", self.sso.profile)
    }

    /// `~/.aws/sso/cache/<SHA-1 of the session name, or of the start URL>.json`, as the AWS CLI
    /// names it.
    fn cache_file(&self) -> Result<PathBuf, CredentialsError> {
        let key = self.sso.session.as_deref().unwrap_or(&self.sso.start_url);
        let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
        let name: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let home = self.settings.env().home_dir().ok_or_else(|| {
            CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!(
                    "{}: no home directory to find the IAM Identity Center token cache in",
                    self.describe()
                ),
            )
        })?;
        Ok(home
            .join(".aws")
            .join("sso")
            .join("cache")
            .join(format!("{name}.json")))
    }

    fn read_token(&self, file: &Path) -> Result<CachedToken, CredentialsError> {
        let what = self.describe();
        let failed = |why: String| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: the cached token {} {why}", file.display()),
            )
        };
        let text = match self.settings.env().read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(failed(format!(
                    "does not exist (not logged in?): {}",
                    self.login_hint()
                )));
            }
            Err(e) => return Err(failed(format!("could not be read: {e}")).with_source(e)),
        };
        let Value::Object(document) =
            parse_json(text.as_bytes()).map_err(|e| failed(format!("is {e}")))?
        else {
            return Err(failed("is not a JSON object".to_owned()));
        };
        let string = |name: &str| match document.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) | None => Err(failed(format!("has no `{name}`"))),
            Some(_) => Err(failed(format!("has a `{name}` that is not a string"))),
        };
        let access_token = string("accessToken")?;
        let expires_at = parse_expiry(&string("expiresAt")?)
            .map_err(|e| failed(format!("has an `expiresAt` that is {e}")))?;
        Ok(CachedToken {
            document,
            access_token,
            expires_at,
        })
    }

    /// Whether the token can be refreshed: a session (not the legacy form), a refresh token
    /// and a client registration that has not expired.
    fn refreshable(&self, token: &CachedToken, now: SystemTime) -> bool {
        let registration_valid = token
            .field("registrationExpiresAt")
            .and_then(|t| parse_expiry(t).ok())
            .is_some_and(|t| now < t);
        self.sso.session.is_some()
            && registration_valid
            && ["refreshToken", "clientId", "clientSecret"]
                .iter()
                .all(|f| token.field(f).is_some())
    }

    /// The access token to use: the cached one, refreshed first when it expires soon.
    async fn access_token(
        &self,
        config: &super::service::ServiceConfig,
    ) -> Result<String, CredentialsError> {
        let file = self.cache_file()?;
        let token = self.read_token(&file)?;
        let now = config.now();
        let expired = token.expires_at <= now;
        let expires_soon = token.expires_at <= now + REFRESH_WINDOW;
        let refreshable = self.refreshable(&token, now);
        if expires_soon && refreshable && self.refresh_log.may_refresh(&file, now) {
            self.refresh_log.record(&file, now);
            match self.refresh(config, &token, now).await {
                Ok(refreshed) => {
                    self.save(&file, &refreshed);
                    return Ok(refreshed.access_token);
                }
                Err(error) if expired => {
                    return Err(CredentialsError::new(
                        error_kind(&error),
                        format!(
                            "{}: the IAM Identity Center token expired and refreshing it failed: {error}; {}",
                            self.describe(),
                            self.login_hint()
                        ),
                    )
                    .with_source(error));
                }
                Err(error) => {
                    tracing::warn!(
                        "{}: refreshing the IAM Identity Center token failed; using it until it expires: {error}",
                        self.describe()
                    );
                }
            }
        } else if expired {
            return Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!(
                    "{}: the IAM Identity Center token has expired: {}",
                    self.describe(),
                    self.login_hint()
                ),
            ));
        }
        Ok(token.access_token)
    }

    /// SSO OIDC `CreateToken` with the refresh token.
    async fn refresh(
        &self,
        config: &super::service::ServiceConfig,
        token: &CachedToken,
        now: SystemTime,
    ) -> Result<CachedToken, SdkError<Unhandled>> {
        let field = |name| token.field(name).unwrap_or_default();
        let body = serde_json::json!({
            "clientId": field("clientId"),
            "clientSecret": field("clientSecret"),
            "grantType": "refresh_token",
            "refreshToken": field("refreshToken"),
        });
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let request = RequestParts {
            method: Method::POST,
            path_and_query: "/token".to_owned(),
            headers,
            body: Bytes::from(body.to_string()),
            host_prefix: None,
        };
        let handle = config.handle(
            &SSO_OIDC,
            &REST_JSON_ERRORS,
            &self.sso.region,
            CredentialsSetting::Anonymous,
        );
        let answer = invoke(&handle, &CREATE_TOKEN, request, read_create_token).await?;
        let mut document = token.document.clone();
        // Whole seconds, as the AWS CLI writes them.
        let now_secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let expires_at = SystemTime::UNIX_EPOCH + Duration::from_secs(now_secs + answer.expires_in);
        let expires_text = DateTime::from(expires_at)
            .fmt(Format::DateTime)
            .unwrap_or_default();
        document.insert(
            "accessToken".to_owned(),
            Value::String(answer.access_token.clone()),
        );
        document.insert("expiresAt".to_owned(), Value::String(expires_text));
        if let Some(refresh_token) = answer.refresh_token {
            document.insert("refreshToken".to_owned(), Value::String(refresh_token));
        }
        Ok(CachedToken {
            document,
            access_token: answer.access_token,
            expires_at,
        })
    }

    /// Writes the refreshed token back for the next process; failing to is not fatal.
    fn save(&self, file: &Path, token: &CachedToken) {
        let text = Value::Object(token.document.clone()).to_string();
        if let Err(e) = self
            .settings
            .env()
            .write_private_file(file, text.as_bytes())
        {
            tracing::warn!(
                "{}: could not save the refreshed IAM Identity Center token to {}: {e}",
                self.describe(),
                file.display()
            );
        } else {
            tracing::debug!(
                "{}: refreshed the IAM Identity Center token",
                self.describe()
            );
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let what = format!(
            "{}: getting credentials of role `{}` in account {}",
            self.describe(),
            self.sso.role_name,
            self.sso.account_id
        );
        let config = self.settings.load(&what)?;
        let access_token = self.access_token(&config).await?;
        let mut bearer = HeaderValue::from_str(&access_token).map_err(|_| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: the cached access token has characters a header cannot carry"),
            )
        })?;
        bearer.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-sso_bearer_token", bearer);
        let encode = |v: &str| percent_encoding::utf8_percent_encode(v, UNRESERVED).to_string();
        let request = RequestParts {
            method: Method::GET,
            path_and_query: format!(
                "/federation/credentials?role_name={}&account_id={}",
                encode(&self.sso.role_name),
                encode(&self.sso.account_id)
            ),
            headers,
            body: Bytes::new(),
            host_prefix: None,
        };
        let handle = config.handle(
            &SSO,
            &REST_JSON_ERRORS,
            &self.sso.region,
            CredentialsSetting::Anonymous,
        );
        invoke(
            &handle,
            &GET_ROLE_CREDENTIALS,
            request,
            read_role_credentials,
        )
        .await
        .map_err(|error| {
            let hint = match error.kind() {
                SdkErrorKind::Service { error, .. }
                    if error.code() == Some("UnauthorizedException") =>
                {
                    Some(format!(
                        "the access token was refused; {}",
                        self.login_hint()
                    ))
                }
                _ => None,
            };
            call_error(&what, error_kind(&error), error, hint.as_deref())
        })
    }
}

fn error_kind(error: &SdkError<Unhandled>) -> CredentialsErrorKind {
    match error.kind() {
        SdkErrorKind::Service { error, .. }
            if matches!(
                error.code(),
                Some("InvalidRequestException" | "ResourceNotFoundException")
            ) =>
        {
            CredentialsErrorKind::InvalidConfiguration
        }
        SdkErrorKind::Service { .. } => CredentialsErrorKind::ProviderError,
        _ => failure_kind(error),
    }
}

/// `expiresAt` as the AWS CLI writes it: RFC 3339, or (older versions) with `UTC` for `Z`.
fn parse_expiry(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    match text.strip_suffix("UTC") {
        Some(rest) => parse_rfc3339(&format!("{rest}Z")),
        None => parse_rfc3339(text),
    }
}

/// The OIDC service describes errors in `error_description` rather than `message`.
fn read_error(
    meta: &ErrorMetadata,
    response: &HttpResponse,
) -> Result<Unhandled, DeserializeError> {
    let message = meta.message().map(str::to_owned).or_else(|| {
        parse_json(response.body())
            .ok()?
            .get("error_description")?
            .as_str()
            .map(str::to_owned)
    });
    let meta = ErrorMetadata::new(
        meta.code().map(str::to_owned),
        message,
        meta.request_id().map(str::to_owned),
    );
    Ok(Unhandled::new(response.status().as_u16(), meta))
}

async fn invoke<O>(
    handle: &Handle,
    operation: &'static OperationMeta,
    request: RequestParts,
    read: fn(&HttpResponse) -> Result<O, DeserializeError>,
) -> Result<O, SdkError<Unhandled>> {
    handle
        .invoke(operation, Ok(request), read, read_error)
        .await
}

fn json_object(response: &HttpResponse) -> Result<Map<String, Value>, DeserializeError> {
    match parse_json(response.body()) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(DeserializeError::new("the response is not a JSON object")),
        Err(e) => Err(DeserializeError::new(format!("the response is {e}"))),
    }
}

fn string_member(object: &Map<String, Value>, name: &str) -> Result<String, DeserializeError> {
    match object.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(DeserializeError::new(format!(
            "the response has no string `{name}`"
        ))),
    }
}

struct CreateTokenAnswer {
    access_token: String,
    expires_in: u64,
    refresh_token: Option<String>,
}

fn read_create_token(response: &HttpResponse) -> Result<CreateTokenAnswer, DeserializeError> {
    let object = json_object(response)?;
    let expires_in = object
        .get("expiresIn")
        .and_then(Value::as_u64)
        .filter(|s| *s > 0)
        .ok_or_else(|| DeserializeError::new("the response has no positive integer `expiresIn`"))?;
    Ok(CreateTokenAnswer {
        access_token: string_member(&object, "accessToken")?,
        expires_in,
        refresh_token: string_member(&object, "refreshToken").ok(),
    })
}

fn read_role_credentials(response: &HttpResponse) -> Result<Credentials, DeserializeError> {
    let object = json_object(response)?;
    let Some(Value::Object(role)) = object.get("roleCredentials") else {
        return Err(DeserializeError::new(
            "the response has no `roleCredentials` object",
        ));
    };
    let at = |e: DeserializeError| e.at("roleCredentials");
    let expiration = role
        .get("expiration")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            at(DeserializeError::new(
                "`expiration` is not a time in milliseconds",
            ))
        })?;
    Ok(Credentials::new(
        string_member(role, "accessKeyId").map_err(at)?,
        string_member(role, "secretAccessKey").map_err(at)?,
        Some(string_member(role, "sessionToken").map_err(at)?),
        Some(SystemTime::UNIX_EPOCH + Duration::from_millis(expiration)),
        "Sso",
    ))
}

impl ProvideCredentials for SsoProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_in_either_cli_format() {
        let expected = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645);
        assert_eq!(parse_expiry("2024-01-02T03:04:05Z"), Ok(expected));
        assert_eq!(parse_expiry("2024-01-02T03:04:05UTC"), Ok(expected));
        assert!(parse_expiry("tomorrow").is_err());
    }
}
