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
use crate::error::{BoxError, BuildError, ErrorMetadata, RawResponse, SdkError, SdkErrorKind};
use crate::http::{
    ConnectorErrorKind, HttpConnector, HttpResponse, ReqwestConnector, SharedConnector,
};
use crate::json::DeserializeError;
use crate::time::TimeSource;

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

struct Inner {
    config: Config,
    service: &'static ServiceMeta,
    connector: Result<SharedConnector, String>,
    endpoint: Result<String, String>,
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

fn resolve_endpoint(config: &Config, service: &ServiceMeta) -> Result<String, String> {
    if let Some(url) = &config.endpoint_url {
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
        return Ok(url.trim_end_matches('/').to_owned());
    }
    match &config.region {
        None => Err(format!(
            "no region is configured for {}: set one on the config (or AWS_REGION), or set an endpoint URL",
            service.sdk_id
        )),
        Some(region) => {
            let valid = !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                return Err(format!("invalid region {region:?}"));
            }
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            Ok(format!(
                "https://{}.{region}.{suffix}",
                service.endpoint_prefix
            ))
        }
    }
}

impl Handle {
    /// A handle for `service` configured by `config`. Never fails: configuration problems are
    /// reported by each call as construction errors, before anything is sent.
    pub fn new(config: Config, service: &'static ServiceMeta) -> Self {
        let connector = match &config.connector {
            Some(c) => Ok(c.clone()),
            None => ReqwestConnector::new(&config.http)
                .map(SharedConnector::new)
                .map_err(|e| e.to_string()),
        };
        let endpoint = resolve_endpoint(&config, service);
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
            endpoint,
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
            let endpoint = inner
                .endpoint
                .as_ref()
                .map_err(|e| SdkErrorKind::Construction(e.clone().into()))?;
            let connector = inner
                .connector
                .as_ref()
                .map_err(|e| SdkErrorKind::Construction(e.clone().into()))?;
            let invocation_id = uuid::Uuid::new_v4().to_string();
            let mut request = self.build(endpoint, parts, &invocation_id)?;
            self.authorize(&mut request).await?;
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
        endpoint: &str,
        parts: RequestParts,
        invocation_id: &str,
    ) -> Result<http::Request<Bytes>, SdkErrorKind<Infallible>> {
        let construction = |e: BoxError| SdkErrorKind::Construction(e);
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
        request: &mut http::Request<Bytes>,
    ) -> Result<(), SdkErrorKind<Infallible>> {
        let inner = &*self.0;
        let credentials = match &inner.config.credentials {
            CredentialsSetting::Anonymous => return Ok(()),
            CredentialsSetting::Provider(p) => p.provide_credentials().await,
            CredentialsSetting::Default => Err(crate::credentials::CredentialsError::new(
                crate::credentials::CredentialsErrorKind::NotLoaded,
                "no credentials configured",
            )),
        }
        .map_err(SdkErrorKind::Credentials)?;
        let region = inner.config.region.as_deref().unwrap_or("us-east-1");
        crate::sign::sign_request(
            request,
            &credentials,
            region,
            inner.service.signing_name,
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
