//! The request pipeline every generated operation goes through: endpoint, standard headers,
//! credentials, signing, dispatch, and the split between success, service error and
//! malformed response.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use tracing::Instrument;

use crate::config::{Config, CredentialsSetting};
use crate::credentials::ProvideCredentials;
use crate::endpoint::{Endpoint, EndpointError, EndpointParams};
use crate::error::{BoxError, BuildError, ErrorMetadata, RawResponse, SdkError, SdkErrorKind};
use crate::http::{
    ConnectorErrorKind, HttpConnector, HttpResponse, ReqwestConnector, SharedConnector,
};
use crate::json::DeserializeError;
use crate::time::TimeSource;

/// A service's endpoint resolver (generated from its rule set).
pub type ResolveEndpointFn = fn(&EndpointParams) -> Result<Endpoint, EndpointError>;

/// Facts about a service that generated code passes to the runtime.
#[derive(Debug)]
pub struct ServiceMeta {
    /// The SDK id of the service, e.g. `ivschat`.
    pub sdk_id: &'static str,
    /// The SigV4 signing name.
    pub signing_name: &'static str,
    /// The name of the generated crate (for the user agent).
    pub crate_name: &'static str,
    /// The version of the generated crate (for the user agent).
    pub crate_version: &'static str,
    /// The hostname prefix of the service's default endpoints.
    pub endpoint_prefix: &'static str,
    /// Resolves endpoints with the service's rule set (`None` when the model has none: then
    /// an endpoint URL must be configured).
    pub resolve_endpoint: Option<ResolveEndpointFn>,
}

/// Facts about one operation.
#[derive(Debug)]
pub struct OperationMeta {
    /// The operation name, e.g. `GetRoom`.
    pub name: &'static str,
    /// Whether the operation is marked idempotent or read-only.
    pub idempotent: bool,
}

/// An operation's request before endpoint, standard headers and signing are applied.
#[derive(Debug)]
pub struct RequestParts {
    /// The HTTP method.
    pub method: Method,
    /// The path and query, already percent-encoded, starting with `/`.
    pub path_and_query: String,
    /// Headers bound from the input.
    pub headers: HeaderMap,
    /// The body (empty when the operation sends none).
    pub body: Bytes,
    /// A prefix for the endpoint's host (`@endpoint` trait), already validated.
    pub host_prefix: Option<String>,
}

/// Where requests go and how they are signed, resolved once per client.
#[derive(Debug, Clone)]
struct Target {
    url: String,
    headers: HeaderMap,
    signing_region: String,
    signing_name: String,
}

struct Inner {
    config: Config,
    service: &'static ServiceMeta,
    connector: Result<SharedConnector, String>,
    target: Result<Target, String>,
    user_agent: HeaderValue,
}

/// The runtime side of a generated client: configuration, connection pool and pipeline.
/// Clones share everything.
#[derive(Clone)]
pub struct Handle(Arc<Inner>);

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("service", &self.0.service.sdk_id)
            .field("config", &self.0.config)
            .finish()
    }
}

fn check_endpoint_url(url: &str) -> Result<(), String> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|e| format!("invalid endpoint URL {url:?}: {e}"))?;
    if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
        return Err(format!(
            "invalid endpoint URL {url:?}: expected http:// or https:// and a host"
        ));
    }
    if parsed.query().is_some() {
        return Err(format!(
            "invalid endpoint URL {url:?}: it must not have a query"
        ));
    }
    Ok(())
}

/// Resolves the endpoint of every call of a client: the rule set of the service with the
/// configured region, FIPS and dual-stack switches and endpoint URL.
fn resolve_target(config: &Config, service: &ServiceMeta) -> Result<Target, String> {
    if let Some(url) = &config.endpoint_url {
        check_endpoint_url(url)?;
    }
    let endpoint = match service.resolve_endpoint {
        Some(resolve) => {
            let mut params = EndpointParams::new()
                .with_use_fips(config.use_fips)
                .with_use_dual_stack(config.use_dual_stack);
            if let Some(region) = &config.region {
                params = params.with_region(region.clone());
            }
            if let Some(url) = &config.endpoint_url {
                params = params.with_endpoint(url.clone());
            }
            resolve(&params).map_err(|e| {
                if config.region.is_none() && config.endpoint_url.is_none() {
                    format!(
                        "no region is configured for {}: set one on the config (or AWS_REGION), or set an endpoint URL ({e})",
                        service.sdk_id
                    )
                } else {
                    format!("cannot resolve the {} endpoint: {e}", service.sdk_id)
                }
            })?
        }
        None => match &config.endpoint_url {
            Some(url) => Endpoint::new(url.clone()),
            None => {
                return Err(format!(
                    "{} has no endpoint rules: configure an endpoint URL",
                    service.sdk_id
                ));
            }
        },
    };
    let mut headers = HeaderMap::new();
    for (name, values) in endpoint.headers() {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("endpoint header name {name:?} is invalid"))?;
        for v in values {
            let value = HeaderValue::from_str(v)
                .map_err(|_| format!("endpoint header {name} has an invalid value"))?;
            headers.append(name.clone(), value);
        }
    }
    // The first sigv4 auth scheme of the endpoint may override signing region and name.
    let scheme = endpoint
        .auth_schemes()
        .iter()
        .find(|s| s.get("name").and_then(|n| n.as_str()) == Some("sigv4"));
    let prop = |key: &str| {
        scheme
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let signing_region = prop("signingRegion")
        .or_else(|| config.region.clone())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let signing_name = prop("signingName").unwrap_or_else(|| service.signing_name.to_owned());
    Ok(Target {
        url: endpoint.url().trim_end_matches('/').to_owned(),
        headers,
        signing_region,
        signing_name,
    })
}

impl Handle {
    /// A handle for `service` configured by `config`. Never fails: configuration problems are
    /// reported by each call as construction errors, before anything is sent.
    pub fn new(mut config: Config, service: &'static ServiceMeta) -> Self {
        let mut env_error = None;
        if let (None, Some(sources)) = (&config.endpoint_url, &config.env_sources) {
            match sources.endpoint_url(service.sdk_id) {
                Ok(url) => config.endpoint_url = url,
                Err(e) => env_error = Some(e.to_string()),
            }
        }
        if let CredentialsSetting::Default = config.credentials {
            config.credentials =
                CredentialsSetting::Provider(crate::credentials::default_provider(
                    &crate::provider_env::ProviderEnv::real(),
                    None,
                ));
        }
        let connector = match &config.connector {
            Some(c) => Ok(c.clone()),
            None => ReqwestConnector::new(&config.http)
                .map(SharedConnector::new)
                .map_err(|e| e.to_string()),
        };
        let target = match env_error {
            Some(e) => Err(e),
            None => resolve_target(&config, service),
        };
        let ua = format!(
            "{}/{} restjson-runtime/{} lang/rust",
            service.crate_name,
            service.crate_version,
            env!("CARGO_PKG_VERSION")
        );
        let user_agent = HeaderValue::from_str(&ua)
            .unwrap_or_else(|_| HeaderValue::from_static("restjson-runtime"));
        Self(Arc::new(Inner {
            config,
            service,
            connector,
            target,
            user_agent,
        }))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// Runs one operation: sends `request` and turns the response into the output (2xx) or
    /// the operation's error.
    pub async fn invoke<O, E>(
        &self,
        op: &'static OperationMeta,
        request: Result<RequestParts, BuildError>,
        de_ok: fn(&HttpResponse) -> Result<O, DeserializeError>,
        de_err: fn(&ErrorMetadata, &HttpResponse) -> Result<E, DeserializeError>,
    ) -> Result<O, SdkError<E>> {
        let request = request.map_err(|e| SdkError::construction(op.name, e))?;
        let response = self
            .send(op, request)
            .await
            .map_err(|kind| SdkError::new(op.name, widen(kind)))?;
        let raw = |r: &HttpResponse| {
            RawResponse::new(r.status().as_u16(), r.headers().clone(), r.body().clone())
        };
        if response.status().is_success() {
            de_ok(&response).map_err(|e| {
                SdkError::new(
                    op.name,
                    SdkErrorKind::Response {
                        raw: raw(&response),
                        source: Box::new(e),
                    },
                )
            })
        } else {
            let meta = ErrorMetadata::from_response(response.headers(), response.body());
            let kind = match de_err(&meta, &response) {
                Ok(error) => SdkErrorKind::Service {
                    error,
                    meta,
                    raw: raw(&response),
                },
                Err(e) => SdkErrorKind::Response {
                    raw: raw(&response),
                    source: Box::new(e),
                },
            };
            Err(SdkError::new(op.name, kind))
        }
    }

    async fn send(
        &self,
        op: &'static OperationMeta,
        parts: RequestParts,
    ) -> Result<HttpResponse, SdkErrorKind<Infallible>> {
        let inner = &*self.0;
        let span =
            tracing::debug_span!("call", service = inner.service.sdk_id, operation = op.name);
        let call = async {
            let target = inner
                .target
                .as_ref()
                .map_err(|e| SdkErrorKind::Construction(e.clone().into()))?;
            let connector = inner
                .connector
                .as_ref()
                .map_err(|e| SdkErrorKind::Construction(e.clone().into()))?;
            let invocation_id = uuid::Uuid::new_v4().to_string();
            let mut request = self.build(target, parts, &invocation_id)?;
            self.authorize(target, &mut request).await?;
            let attempt = async {
                connector.call(request).await.map_err(|e| match e.kind() {
                    ConnectorErrorKind::Timeout => SdkErrorKind::Timeout(Box::new(e)),
                    _ => SdkErrorKind::Dispatch(Box::new(e)),
                })
            };
            let response = match inner.config.attempt_timeout {
                Some(limit) => tokio::time::timeout(limit, attempt).await.map_err(|_| {
                    SdkErrorKind::Timeout(format!("attempt exceeded {limit:?}").into())
                })??,
                None => attempt.await?,
            };
            tracing::debug!(
                status = response.status().as_u16(),
                request_id = response
                    .headers()
                    .get("x-amzn-requestid")
                    .and_then(|v| v.to_str().ok()),
                "response"
            );
            Ok(response)
        };
        match inner.config.operation_timeout {
            Some(limit) => tokio::time::timeout(limit, call.instrument(span))
                .await
                .map_err(|_| {
                    SdkErrorKind::Timeout(format!("operation exceeded {limit:?}").into())
                })?,
            None => call.instrument(span).await,
        }
    }

    fn build(
        &self,
        target: &Target,
        parts: RequestParts,
        invocation_id: &str,
    ) -> Result<http::Request<Bytes>, SdkErrorKind<Infallible>> {
        let construction = |e: BoxError| SdkErrorKind::Construction(e);
        let endpoint = target.url.as_str();
        let uri = match &parts.host_prefix {
            Some(prefix) => match endpoint.split_once("://") {
                Some((scheme, rest)) => {
                    format!("{scheme}://{prefix}{rest}{}", parts.path_and_query)
                }
                None => format!("{endpoint}{}", parts.path_and_query),
            },
            None => format!("{endpoint}{}", parts.path_and_query),
        };
        let mut request = http::Request::builder()
            .method(parts.method)
            .uri(uri)
            .body(parts.body)
            .map_err(|e| construction(e.into()))?;
        let headers = request.headers_mut();
        *headers = parts.headers;
        for (name, value) in &target.headers {
            headers.append(name.clone(), value.clone());
        }
        headers.insert(http::header::USER_AGENT, self.0.user_agent.clone());
        headers.insert(
            "amz-sdk-invocation-id",
            HeaderValue::from_str(invocation_id).map_err(|e| construction(e.into()))?,
        );
        headers.insert(
            "amz-sdk-request",
            HeaderValue::from_static("attempt=1; max=1"),
        );
        Ok(request)
    }

    async fn authorize(
        &self,
        target: &Target,
        request: &mut http::Request<Bytes>,
    ) -> Result<(), SdkErrorKind<Infallible>> {
        let inner = &*self.0;
        let credentials = match &inner.config.credentials {
            CredentialsSetting::Anonymous => return Ok(()),
            CredentialsSetting::Provider(p) => p.provide_credentials().await,
            CredentialsSetting::Default => Err(crate::credentials::CredentialsError::new(
                crate::credentials::CredentialsErrorKind::NotLoaded,
                "no credentials provider is configured",
            )),
        }
        .map_err(SdkErrorKind::Credentials)?;
        crate::sign::sign_request(
            request,
            &credentials,
            &target.signing_region,
            &target.signing_name,
            inner.config.time_source.now(),
        )
        .map_err(SdkErrorKind::Construction)
    }
}

fn widen<E>(kind: SdkErrorKind<Infallible>) -> SdkErrorKind<E> {
    match kind {
        SdkErrorKind::Construction(e) => SdkErrorKind::Construction(e),
        SdkErrorKind::Credentials(e) => SdkErrorKind::Credentials(e),
        SdkErrorKind::Timeout(e) => SdkErrorKind::Timeout(e),
        SdkErrorKind::Dispatch(e) => SdkErrorKind::Dispatch(e),
        SdkErrorKind::Response { raw, source } => SdkErrorKind::Response { raw, source },
        SdkErrorKind::Service { error, .. } => match error {},
    }
}
