//! The request pipeline every generated operation goes through: endpoint, standard headers,
//! credentials, signing, dispatch, and the split between success, service error and
//! malformed response.

use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tracing::Instrument;

use crate::config::{Config, CredentialsSetting};
use crate::credentials::ProvideCredentials;
use crate::endpoint::{Endpoint, EndpointError, EndpointParams};
use crate::error::{BoxError, BuildError, ErrorMetadata, RawResponse, SdkError, SdkErrorKind};
use crate::http::{
    ConnectorErrorKind, HttpConnector, HttpResponse, ReqwestConnector, SharedConnector,
    append_header, redact_url, set_header,
};
use crate::json::DeserializeError;
use crate::retry::{
    ClientRateLimiter, RetryKind, RetryMode, RetryQuota, apply_offset, classify_response,
    clock_skew, epoch_secs,
};
use crate::sleep::AsyncSleep;
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
    /// How requests are authenticated, in order of preference; empty for unauthenticated
    /// operations.
    pub auth: &'static [AuthScheme],
}

/// An auth scheme an operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// SigV4 signatures with the configured credentials.
    SigV4,
    /// `Authorization: Bearer` with the configured token provider (feature `bearer`).
    Bearer,
}

/// The response body of a call whose output streams it (feature `streaming`).
#[cfg(feature = "streaming")]
type BodyStream = Option<crate::byte_stream::ByteStream>;
#[cfg(not(feature = "streaming"))]
type BodyStream = ();

/// What [`Handle::send`] ends with: the final response, with the metadata of an error response.
type SendOutcome =
    Result<(HttpResponse, Option<ErrorMetadata>, BodyStream), SdkErrorKind<Infallible>>;

/// [`Handle::send`]'s future.
type SendFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = SendOutcome> + Send + 'a>>;

/// What a call sends as its body and how it reads the response body.
#[derive(Default)]
struct Payload {
    /// A streaming request body, sent instead of the request's bytes.
    #[cfg(feature = "streaming")]
    source: Option<crate::byte_stream::ByteStream>,
    /// Whether a successful response's body is handed to the caller as a stream.
    #[cfg(feature = "streaming")]
    stream_response: bool,
}

impl Payload {
    /// Whether the request body is streamed (it is then sent as an unsigned payload).
    fn is_streaming(&self) -> bool {
        #[cfg(feature = "streaming")]
        {
            self.source.is_some()
        }
        #[cfg(not(feature = "streaming"))]
        {
            false
        }
    }

    /// Whether the request goes to the connector whole, body and response in memory
    /// ([`HttpConnector::call`]), rather than streamed either way.
    fn in_memory(&self) -> bool {
        #[cfg(feature = "streaming")]
        {
            self.source.is_none() && !self.stream_response
        }
        #[cfg(not(feature = "streaming"))]
        {
            true
        }
    }

    /// Whether the body can be sent again (a stream of chunks cannot).
    fn can_resend(&self) -> bool {
        #[cfg(feature = "streaming")]
        {
            self.source
                .as_ref()
                .is_none_or(|s| s.retry_copy().is_some())
        }
        #[cfg(not(feature = "streaming"))]
        {
            true
        }
    }
}

/// An operation's request before endpoint, standard headers and signing are applied.
#[derive(Debug, Default)]
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
    /// A streaming body, sent instead of `body` (feature `streaming`).
    #[cfg(feature = "streaming")]
    pub stream: Option<crate::byte_stream::ByteStream>,
}

/// Where requests go and how they are signed, resolved once per client.
#[derive(Debug, Clone)]
struct Target {
    url: String,
    /// `url`'s scheme and authority, parsed once, when its text is theirs as is.
    origin: Option<Origin>,
    headers: HeaderMap,
    signing_region: String,
    signing_name: String,
}

/// The scheme and authority of an endpoint URL, and how many bytes of its text they take
/// (`scheme://authority`).
#[derive(Debug, Clone)]
struct Origin {
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    len: usize,
}

impl Origin {
    /// `url`'s origin, when the text before its path is exactly `scheme://authority` and it
    /// has no query (else requests parse their whole URI).
    fn of(url: &str) -> Option<Self> {
        let parsed: http::Uri = url.parse().ok()?;
        let (scheme, authority) = (parsed.scheme()?.clone(), parsed.authority()?.clone());
        let len = scheme.as_str().len() + "://".len() + authority.as_str().len();
        let head = url.get(..len)?;
        let exact =
            head.strip_prefix(scheme.as_str())?.strip_prefix("://") == Some(authority.as_str());
        (exact && parsed.query().is_none()).then_some(Self {
            scheme,
            authority,
            len,
        })
    }

    /// The URI `text`, which starts with this origin: only its path and query are parsed.
    fn uri(&self, text: &str) -> Option<http::Uri> {
        let path_and_query = text.get(self.len..).filter(|p| p.starts_with('/'))?;
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path_and_query.try_into().ok()?);
        http::Uri::from_parts(parts).ok()
    }
}

/// How a protocol's error responses are read: restJson1 for generated clients, XML for the
/// STS calls of the credential providers.
#[derive(Debug)]
pub(crate) struct ErrorRules {
    /// Code, message and request id of an error response.
    pub(crate) metadata: fn(&HeaderMap, &[u8]) -> ErrorMetadata,
    /// Error codes retried as transient besides the SDKs' common ones.
    pub(crate) transient_codes: &'static [&'static str],
}

pub(crate) static REST_JSON_ERRORS: ErrorRules = ErrorRules {
    metadata: ErrorMetadata::from_response,
    transient_codes: &[],
};

struct Inner {
    config: Config,
    service: &'static ServiceMeta,
    errors: &'static ErrorRules,
    connector: Result<SharedConnector, String>,
    /// Whether `connector` is the default one (reqwest), which declares the length of a body
    /// in memory itself.
    default_connector: bool,
    target: Result<Target, String>,
    user_agent: HeaderValue,
    /// `amz-sdk-request` of the first attempts, made once (later ones are formatted per call).
    attempt_headers: Vec<HeaderValue>,
    /// The client-wide retry quota.
    quota: Mutex<RetryQuota>,
    /// The adaptive mode's rate limiter.
    rate_limiter: Mutex<ClientRateLimiter>,
    /// Milliseconds to add to the local clock to agree with the service's.
    clock_offset_ms: AtomicI64,
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

/// Checks a configured endpoint URL. Errors show it with its user information redacted.
fn check_endpoint_url(url: &str) -> Result<(), String> {
    let shown = redact_url(url);
    let parsed: http::Uri = url
        .parse()
        .map_err(|e| format!("invalid endpoint URL {shown:?}: {e}"))?;
    if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
        return Err(format!(
            "invalid endpoint URL {shown:?}: expected http:// or https:// and a host"
        ));
    }
    if parsed.authority().is_some_and(|a| a.as_str().contains('@')) {
        // Requests are signed; credentials in the URL would only travel in logs and pool keys.
        return Err(format!(
            "invalid endpoint URL {shown:?}: it must not contain user information (user:password@)"
        ));
    }
    if parsed.query().is_some() {
        return Err(format!(
            "invalid endpoint URL {shown:?}: it must not have a query"
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
    // Even with an endpoint URL: requests are signed for the region, and a guessed one only
    // comes back as a signature error from the service.
    if config.region.is_none() {
        return Err(format!(
            "no region is configured for {}: set one with `Config::builder().region(..)`, the \
             AWS_REGION environment variable or `region` in the shared config profile",
            service.sdk_id
        ));
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
            resolve(&params)
                .map_err(|e| format!("cannot resolve the {} endpoint: {e}", service.sdk_id))?
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
        .unwrap_or_default();
    let signing_name = prop("signingName").unwrap_or_else(|| service.signing_name.to_owned());
    let url = endpoint.url().trim_end_matches('/').to_owned();
    Ok(Target {
        origin: Origin::of(&url),
        url,
        headers,
        signing_region,
        signing_name,
    })
}

impl Handle {
    /// A handle for `service` configured by `config`. Never fails: configuration problems are
    /// reported by each call as construction errors, before anything is sent.
    pub fn new(config: Config, service: &'static ServiceMeta) -> Self {
        Self::with_error_rules(config, service, &REST_JSON_ERRORS)
    }

    /// Like [`new`](Self::new), for a service whose error responses follow `errors`.
    pub(crate) fn with_error_rules(
        mut config: Config,
        service: &'static ServiceMeta,
        errors: &'static ErrorRules,
    ) -> Self {
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
        let default_connector = config.connector.is_none();
        let connector = match &config.connector {
            Some(c) => Ok(c.clone()),
            None => ReqwestConnector::new(&connector_settings(&config))
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
        let max = config.retry.max_attempts();
        let attempt_headers = (1..=max.min(MADE_ATTEMPT_HEADERS))
            .filter_map(|attempt| attempt_header(attempt, max).ok())
            .collect();
        let quota = Mutex::new(RetryQuota::new(config.retry.quota_capacity()));
        let rate_limiter = Mutex::new(ClientRateLimiter::new(epoch_secs(config.time_source.now())));
        Self(Arc::new(Inner {
            config,
            service,
            errors,
            connector,
            default_connector,
            target,
            user_agent,
            attempt_headers,
            quota,
            rate_limiter,
            clock_offset_ms: AtomicI64::new(0),
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
        let (response, meta, _) = self
            .send(op, request, false)
            .await
            .map_err(|kind| SdkError::new(op.name, widen(kind)))?;
        self.finish(op, response, meta, de_ok, de_err)
    }

    /// [`invoke`](Self::invoke) for an operation whose output streams the response body:
    /// `de_ok` reads the headers and takes the body as a stream.
    #[cfg(feature = "streaming")]
    pub async fn invoke_streaming<O, E>(
        &self,
        op: &'static OperationMeta,
        request: Result<RequestParts, BuildError>,
        de_ok: fn(&HttpResponse, crate::byte_stream::ByteStream) -> Result<O, DeserializeError>,
        de_err: fn(&ErrorMetadata, &HttpResponse) -> Result<E, DeserializeError>,
    ) -> Result<O, SdkError<E>> {
        let request = request.map_err(|e| SdkError::construction(op.name, e))?;
        let (response, meta, mut stream) = self
            .send(op, request, true)
            .await
            .map_err(|kind| SdkError::new(op.name, widen(kind)))?;
        let de = |r: &HttpResponse| de_ok(r, stream.take().unwrap_or_default());
        self.finish(op, response, meta, de, de_err)
    }

    /// Turns the final response into the output (2xx) or the operation's error.
    fn finish<O, E>(
        &self,
        op: &'static OperationMeta,
        response: HttpResponse,
        meta: Option<ErrorMetadata>,
        de_ok: impl FnOnce(&HttpResponse) -> Result<O, DeserializeError>,
        de_err: fn(&ErrorMetadata, &HttpResponse) -> Result<E, DeserializeError>,
    ) -> Result<O, SdkError<E>> {
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
            let meta = meta
                .unwrap_or_else(|| (self.0.errors.metadata)(response.headers(), response.body()));
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

    /// Sends the request, retrying as configured. Returns the final response and, when it is
    /// an error response, the metadata read from it to classify it.
    ///
    /// The call's machinery is one boxed future built here: an `async fn`'s state machine is
    /// compiled again in every crate that polls it, so without the box each generated crate
    /// (and each program awaiting its operations) would compile the whole attempt loop anew.
    #[inline(never)]
    fn send(
        &self,
        op: &'static OperationMeta,
        parts: RequestParts,
        stream_response: bool,
    ) -> SendFuture<'_> {
        in_box(|| self.send_unboxed(op, parts, stream_response))
    }

    /// What [`send`](Self::send) boxes. The request every attempt starts from is built here,
    /// before the call's future exists: the future keeps that one request, not also the
    /// parts it was built from.
    fn send_unboxed(
        &self,
        op: &'static OperationMeta,
        mut parts: RequestParts,
        stream_response: bool,
    ) -> impl std::future::Future<Output = SendOutcome> + Send + '_ {
        #[cfg(feature = "streaming")]
        let payload = Payload {
            source: parts.stream.take(),
            stream_response,
        };
        #[cfg(not(feature = "streaming"))]
        let payload = {
            let _ = stream_response;
            Payload::default()
        };
        // A request without a body says so, as botocore's do, except GET and HEAD (the HTTP
        // stack leaves the length out of body-less requests of every method).
        if parts.body.is_empty()
            && !payload.is_streaming()
            && parts.method != Method::GET
            && parts.method != Method::HEAD
            && !parts.headers.contains_key(http::header::CONTENT_LENGTH)
        {
            set_header(
                &mut parts.headers,
                http::header::CONTENT_LENGTH,
                HeaderValue::from_static("0"),
            );
        }
        let inner = &*self.0;
        let retry = &inner.config.retry;
        let span = if debug_on() {
            call_span(inner.service.sdk_id, op.name, retry.max_attempts())
        } else {
            tracing::Span::none()
        };
        // Every wait of the call is bounded by this deadline (each with one timer, shared with
        // the attempt's own deadline while a request is in flight).
        let deadline = inner
            .config
            .operation_timeout
            .map(|limit| Deadline::after(limit, "operation"));
        let prepared = span.in_scope(|| {
            let target = inner
                .target
                .as_ref()
                .map_err(|e| SdkErrorKind::Construction(e.clone().into()))?;
            let connector = inner
                .connector
                .as_ref()
                .map_err(|e| SdkErrorKind::Construction(e.clone().into()))?;
            let invocation_id = crate::__private::random_uuid_text();
            // Built once; each attempt copies it (the body is shared, not copied) into a
            // request of its own with its `amz-sdk-request` header and signature.
            let transport_sets_length = inner.default_connector && payload.in_memory();
            let base = self.build(target, parts, &invocation_id, transport_sets_length)?;
            Ok((target, connector, base))
        });
        async move {
            // `base` is borrowed where it is, not moved into a local of its own.
            match prepared {
                Err(kind) => Err(kind),
                Ok((target, connector, ref base)) => {
                    let call = Call {
                        op,
                        target,
                        connector,
                        uri: &base.uri_text,
                        payload: &payload,
                        deadline,
                    };
                    self.attempts(&call, base).await
                }
            }
        }
        .instrument(span)
    }

    /// The attempt loop: send, classify, wait, resend, until success, a failure not worth
    /// retrying, the last attempt, or an empty retry quota.
    async fn attempts(&self, call: &Call<'_>, base: &BaseRequest) -> SendOutcome {
        // What lives across this loop's waits is kept small (the call's future is boxed
        // whole): the attempt's span and outcome are scoped to it, the result is dropped
        // before the backoff, and the deadline is read from `call`.
        let payload = call.payload;
        let inner = &*self.0;
        let retry = &inner.config.retry;
        let max = retry.max_attempts();
        let adaptive = retry.mode() == RetryMode::Adaptive;
        let mut attempt: u32 = 1;
        // Tokens the latest retry took from the quota, given back if the call succeeds.
        let mut held_cost: Option<u32> = None;
        let mut skew_retried = false;
        loop {
            if adaptive {
                let now = epoch_secs(inner.config.time_source.now());
                let delay = lock(&inner.rate_limiter).acquire(now);
                if !delay.is_zero() {
                    tracing::debug!(delay_ms = delay.as_millis() as u64, "rate limited");
                    until(call.deadline, retry.sleep().sleep(delay))
                        .await
                        .map_err(Deadline::error)?;
                }
            }
            let (result, kind) = {
                let span = if debug_on() {
                    attempt_span(attempt)
                } else {
                    tracing::Span::none()
                };
                let outcome = self
                    .attempt(call, base, attempt)
                    .instrument(span.clone())
                    .await;
                if debug_on() {
                    record_attempts(attempt);
                }
                match outcome {
                    Attempt::Fatal(kind) => return Err(kind),
                    Attempt::Failed(kind, retry_kind) => (Err(kind), retry_kind),
                    Attempt::Answered(response, stream) => {
                        let status = response.status().as_u16();
                        // Recorded only for a subscriber that wants the span.
                        if !span.is_disabled() {
                            span.record("status", status);
                            if let Some(id) = crate::http::request_id(response.headers()) {
                                span.record("request_id", id);
                            }
                        }
                        if response.status().is_success() {
                            if adaptive {
                                let now = epoch_secs(inner.config.time_source.now());
                                lock(&inner.rate_limiter).update(false, now);
                            }
                            let mut quota = lock(&inner.quota);
                            quota.release(held_cost.unwrap_or(retry.no_retry_increment()));
                            return Ok((response, None, stream));
                        }
                        let meta = (inner.errors.metadata)(response.headers(), response.body());
                        let raw_now = inner.config.time_source.now();
                        let offset = inner.clock_offset_ms.load(Ordering::Relaxed);
                        let date = response
                            .headers()
                            .get(http::header::DATE)
                            .and_then(|v| v.to_str().ok());
                        let skew =
                            clock_skew(meta.code(), date, raw_now, apply_offset(raw_now, offset));
                        let kind = classify_response(status, meta.code()).or_else(|| {
                            meta.code()
                                .filter(|c| inner.errors.transient_codes.contains(c))
                                .map(|_| RetryKind::Transient)
                        });
                        if let Some(new_offset) = skew {
                            tracing::debug!(offset_ms = new_offset, "correcting clock skew");
                            inner.clock_offset_ms.store(new_offset, Ordering::Relaxed);
                        }
                        let kind = match (kind, skew) {
                            (Some(k), _) => Some(AttemptKind::Retry(k)),
                            (None, Some(_)) => Some(AttemptKind::ClockSkew),
                            (None, None) => None,
                        };
                        (Ok((response, Some(meta), stream)), kind)
                    }
                }
            };
            if adaptive {
                let now = epoch_secs(inner.config.time_source.now());
                let throttled = kind == Some(AttemptKind::Retry(RetryKind::Throttling));
                lock(&inner.rate_limiter).update(throttled, now);
            }
            let Some(kind) = kind else {
                return result;
            };
            if attempt >= max {
                tracing::debug!(attempt, "no attempts left");
                return result;
            }
            if !payload.can_resend() {
                tracing::debug!(attempt, "the streamed body cannot be sent again");
                return result;
            }
            match kind {
                AttemptKind::ClockSkew => {
                    if skew_retried {
                        return result;
                    }
                    // The fix is deterministic: retry at once, without touching the quota.
                    skew_retried = true;
                    tracing::debug!(attempt, "retrying with the corrected clock");
                }
                AttemptKind::Retry(retry_kind) => {
                    let (retry_cost, timeout_cost) = retry.retry_costs();
                    let cost = match retry_kind {
                        RetryKind::Timeout => timeout_cost,
                        _ => retry_cost,
                    };
                    if !lock(&inner.quota).try_acquire(cost) {
                        tracing::debug!(attempt, "retry quota exhausted");
                        return result;
                    }
                    held_cost = Some(cost);
                    let delay = retry.backoff(retry_kind, attempt - 1, retry.jitter().next());
                    tracing::debug!(
                        attempt,
                        reason = ?retry_kind,
                        backoff_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    drop(result);
                    until(call.deadline, retry.sleep().sleep(delay))
                        .await
                        .map_err(Deadline::error)?;
                }
            }
            attempt += 1;
        }
    }

    /// One attempt (the `attempt`th): credentials, signature at the (skew-corrected) current
    /// time, transport.
    async fn attempt(&self, call: &Call<'_>, base: &BaseRequest, attempt: u32) -> Attempt {
        let auth = match until(call.deadline, self.auth(call.op)).await {
            Ok(Ok(auth)) => auth,
            Ok(Err(kind)) => return Attempt::Fatal(kind),
            Err(limit) => return Attempt::Fatal(limit.error()),
        };
        let sending = match self.start(call, base, attempt, auth) {
            Ok(sending) => sending,
            Err(kind) => return Attempt::Fatal(kind),
        };
        let attempt_deadline = self
            .0
            .config
            .attempt_timeout
            .map(|limit| Deadline::after(limit, "attempt"));
        let result = match until(Deadline::earliest(call.deadline, attempt_deadline), sending).await
        {
            Ok(result) => result,
            // The operation's time is up: no retry.
            Err(limit) if Some(limit) == call.deadline => return Attempt::Fatal(limit.error()),
            Err(limit) => Err((limit.error(), Some(AttemptKind::Retry(RetryKind::Timeout)))),
        };
        match result {
            Ok((response, stream)) => {
                if debug_on() {
                    debug_response(response.status().as_u16());
                }
                Attempt::Answered(response, stream)
            }
            Err((kind, retry)) => {
                tracing::debug!(error = %DisplayKind(&kind), "attempt failed");
                Attempt::Failed(kind, retry)
            }
        }
    }

    /// Makes the `attempt`th request from `base`, authenticates it with `auth` and hands it to
    /// the transport. The request lives in this (synchronous) function only: were it made in
    /// [`attempt`](Self::attempt), that future would keep room for it across its waits.
    fn start<'a>(
        &'a self,
        call: &Call<'a>,
        base: &BaseRequest,
        attempt: u32,
        auth: Auth,
    ) -> Result<impl std::future::Future<Output = Sent> + 'a, SdkErrorKind<Infallible>> {
        let inner = &*self.0;
        let header = match inner.attempt_headers.get(attempt as usize - 1) {
            Some(made) => made.clone(),
            None => attempt_header(attempt, inner.config.retry.max_attempts())
                .map_err(|e| SdkErrorKind::Construction(e.into()))?,
        };
        let mut request = base.attempt(header);
        self.authenticate(
            call.target,
            &mut request,
            call.uri,
            call.payload.is_streaming(),
            auth,
        )?;
        let sending = self.dispatch(call.connector, request, call.payload);
        Ok(async move {
            sending.await.map_err(|e| match e.kind() {
                ConnectorErrorKind::Timeout => (
                    SdkErrorKind::Timeout(Box::new(e) as BoxError),
                    Some(AttemptKind::Retry(RetryKind::Timeout)),
                ),
                ConnectorErrorKind::Io => (
                    SdkErrorKind::Dispatch(Box::new(e) as BoxError),
                    Some(AttemptKind::Retry(RetryKind::Transient)),
                ),
                _ => (SdkErrorKind::Dispatch(Box::new(e) as BoxError), None),
            })
        })
    }

    /// The request every attempt of a call starts from: the operation's request at the
    /// client's endpoint, with the endpoint's headers, the user agent and the invocation id.
    fn build(
        &self,
        target: &Target,
        parts: RequestParts,
        invocation_id: &[u8; 36],
        transport_sets_length: bool,
    ) -> Result<BaseRequest, SdkErrorKind<Infallible>> {
        let construction = |e: BoxError| SdkErrorKind::Construction(e);
        let endpoint = target.url.as_str();
        let path = parts.path_and_query.as_str();
        let mut uri = String::with_capacity(
            endpoint.len() + path.len() + parts.host_prefix.as_ref().map_or(0, String::len),
        );
        let prefixed = parts
            .host_prefix
            .as_deref()
            .and_then(|prefix| Some((prefix, endpoint.split_once("://")?)));
        match prefixed {
            Some((prefix, (scheme, rest))) => {
                for piece in [scheme, "://", prefix, rest] {
                    uri.push_str(piece);
                }
            }
            None => uri.push_str(endpoint),
        }
        uri.push_str(path);
        let parsed = match (&parts.host_prefix, &target.origin) {
            (None, Some(origin)) => origin.uri(&uri),
            _ => None,
        };
        let parsed = match parsed {
            Some(parsed) => parsed,
            None => http::Uri::try_from(uri.as_str()).map_err(|e| construction(e.into()))?,
        };
        let mut headers = parts.headers;
        headers.reserve(target.headers.len() + 3);
        // A body in memory has its length declared: by reqwest (the default connector, when
        // the body goes to it whole), else here, as every HTTP/1.1 peer understands.
        let length_by_transport =
            transport_sets_length && declares_length(&headers, parts.body.len());
        if !transport_sets_length
            && !parts.body.is_empty()
            && !headers.contains_key(http::header::CONTENT_LENGTH)
        {
            set_header(
                &mut headers,
                http::header::CONTENT_LENGTH,
                HeaderValue::from(parts.body.len()),
            );
        }
        for (name, value) in &target.headers {
            append_header(&mut headers, name.clone(), value.clone());
        }
        set_header(
            &mut headers,
            http::header::USER_AGENT,
            self.0.user_agent.clone(),
        );
        set_header(
            &mut headers,
            AMZ_SDK_INVOCATION_ID,
            HeaderValue::from_bytes(invocation_id).map_err(|e| construction(e.into()))?,
        );
        Ok(BaseRequest {
            method: parts.method,
            uri: parsed,
            // The text is kept for the signer, which would otherwise format the URI again.
            uri_text: uri,
            headers,
            body: parts.body,
            length_by_transport,
        })
    }

    /// Sends one attempt's request; the body is streamed when the call has a streaming body
    /// or reads the response as a stream.
    #[cfg(not(feature = "streaming"))]
    fn dispatch<'a>(
        &self,
        connector: &'a SharedConnector,
        request: http::Request<Bytes>,
        _payload: &Payload,
    ) -> impl std::future::Future<
        Output = Result<(HttpResponse, BodyStream), crate::http::ConnectorError>,
    > + 'a {
        // The request goes to the connector's (boxed) future now, not into this one's state.
        let sending = connector.call(request);
        async move { sending.await.map(|r| (r, ())) }
    }

    /// Sends one attempt's request; the body is streamed when the call has a streaming body
    /// or reads the response as a stream.
    #[cfg(feature = "streaming")]
    async fn dispatch(
        &self,
        connector: &SharedConnector,
        request: http::Request<Bytes>,
        payload: &Payload,
    ) -> Result<(HttpResponse, BodyStream), crate::http::ConnectorError> {
        use crate::byte_stream::ByteStream;
        use crate::http::ConnectorError;
        if payload.source.is_none() && !payload.stream_response {
            return connector.call(request).await.map(|r| (r, None));
        }
        let (parts, bytes) = request.into_parts();
        let body = match &payload.source {
            Some(source) => source.take_for_request().ok_or_else(|| {
                ConnectorError::new(
                    ConnectorErrorKind::Other,
                    "the streaming body was already sent",
                )
            })?,
            None => ByteStream::from(bytes),
        };
        let response = connector
            .call_streaming(http::Request::from_parts(parts, body))
            .await?;
        let (head, body) = response.into_parts();
        if head.status.is_success() && payload.stream_response {
            return Ok((http::Response::from_parts(head, Bytes::new()), Some(body)));
        }
        let bytes = crate::http::read_limited(body, self.0.config.http.max_response_body).await?;
        Ok((http::Response::from_parts(head, bytes), None))
    }

    /// What authenticates a request of `op`: the first of the operation's auth schemes the
    /// configuration can serve, with its credentials or token. With `anonymous()` configured,
    /// requests go unauthenticated.
    async fn auth(&self, op: &'static OperationMeta) -> Result<Auth, SdkErrorKind<Infallible>> {
        let inner = &*self.0;
        let anonymous = matches!(inner.config.credentials, CredentialsSetting::Anonymous);
        for scheme in op.auth {
            match scheme {
                AuthScheme::SigV4 if !anonymous => {
                    let credentials = match &inner.config.credentials {
                        CredentialsSetting::Anonymous => return Ok(Auth::None),
                        CredentialsSetting::Provider(p) => p.provide_credentials().await,
                        CredentialsSetting::Default => {
                            Err(crate::credentials::CredentialsError::new(
                                crate::credentials::CredentialsErrorKind::NotLoaded,
                                "no credentials provider is configured",
                            ))
                        }
                    };
                    return credentials
                        .map(Auth::SigV4)
                        .map_err(SdkErrorKind::Credentials);
                }
                #[cfg(feature = "bearer")]
                AuthScheme::Bearer => {
                    if let Some(provider) = &inner.config.token_provider {
                        use crate::token::ProvideToken;
                        let token = provider
                            .provide_token()
                            .await
                            .map_err(|e| SdkErrorKind::Construction(Box::new(e)))?;
                        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.token()))
                            .map_err(|_| {
                                SdkErrorKind::Construction(
                                    "the bearer token is not a valid header value".into(),
                                )
                            })?;
                        value.set_sensitive(true);
                        return Ok(Auth::Bearer(value));
                    }
                }
                _ => {}
            }
        }
        if op.auth.is_empty() || anonymous {
            return Ok(Auth::None);
        }
        Err(SdkErrorKind::Construction(
            format!(
                "{} authenticates with {:?}, and none of them is configured (a bearer token needs `token_provider` on the config)",
                op.name, op.auth
            )
            .into(),
        ))
    }

    /// Authenticates `request` with `auth`: signs it at the (skew-corrected) current time, or
    /// sets its bearer token.
    fn authenticate(
        &self,
        target: &Target,
        request: &mut http::Request<Bytes>,
        uri: &str,
        unsigned_payload: bool,
        auth: Auth,
    ) -> Result<(), SdkErrorKind<Infallible>> {
        let inner = &*self.0;
        match auth {
            Auth::None => Ok(()),
            Auth::SigV4(credentials) => {
                let offset = inner.clock_offset_ms.load(Ordering::Relaxed);
                crate::sign::sign_request_payload(
                    request,
                    Some(uri),
                    &credentials,
                    &target.signing_region,
                    &target.signing_name,
                    apply_offset(inner.config.time_source.now(), offset),
                    unsigned_payload,
                )
                .map_err(SdkErrorKind::Construction)
            }
            #[cfg(feature = "bearer")]
            Auth::Bearer(value) => {
                request
                    .headers_mut()
                    .insert(http::header::AUTHORIZATION, value);
                Ok(())
            }
        }
    }
}

/// What authenticates an attempt's request, obtained before the request is made.
enum Auth {
    /// The operation takes no authentication, or the client is anonymous.
    None,
    /// SigV4 with these credentials.
    SigV4(crate::credentials::Credentials),
    /// This `authorization` header (a bearer token).
    #[cfg(feature = "bearer")]
    Bearer(HeaderValue),
}

/// What every attempt of one call shares.
struct Call<'a> {
    op: &'static OperationMeta,
    target: &'a Target,
    connector: &'a SharedConnector,
    /// The request URI as text, for the signer.
    uri: &'a str,
    payload: &'a Payload,
    /// The operation's deadline.
    deadline: Option<Deadline>,
}

/// What every attempt of one call sends alike: the request before its attempt's
/// `amz-sdk-request` header and signature.
struct BaseRequest {
    method: Method,
    uri: http::Uri,
    /// The URI as text, for the signer.
    uri_text: String,
    headers: HeaderMap,
    body: Bytes,
    /// Whether attempts leave `content-length` out for the transport to write: reqwest
    /// writes it for a body in memory anyway, and each header the request carries costs in
    /// every copy reqwest makes of it.
    length_by_transport: bool,
}

/// Whether the length `len` of a body is all `headers` declare as `content-length` (nothing,
/// or `len` once), so that the transport can write it instead, and the body is not empty (the
/// transport leaves the length of an empty body out).
fn declares_length(headers: &HeaderMap, len: usize) -> bool {
    let mut values = headers.get_all(http::header::CONTENT_LENGTH).iter();
    match (values.next(), values.next()) {
        (None, _) => len > 0,
        (Some(value), None) => {
            len > 0
                && std::str::from_utf8(value.as_bytes())
                    .ok()
                    .and_then(|text| text.parse::<usize>().ok())
                    == Some(len)
        }
        _ => false,
    }
}

/// Headers an attempt adds to its base request: `amz-sdk-request`, the signature's three
/// (`x-amz-date`, `x-amz-security-token`, `authorization`) and the transport's `accept`; a
/// `content-length` the transport writes takes the room of the one left out.
const ATTEMPT_HEADERS: usize = 5;

impl BaseRequest {
    /// The request of one attempt, with `amz-sdk-request` set to `attempt_header`: the base's
    /// headers in their order, in a map sized for the ones still to come, so that neither
    /// the signature nor the transport makes it grow. The body bytes are shared.
    fn attempt(&self, attempt_header: HeaderValue) -> http::Request<Bytes> {
        let mut headers = HeaderMap::with_capacity(self.headers.len() + ATTEMPT_HEADERS);
        for (name, value) in &self.headers {
            if self.length_by_transport && name == http::header::CONTENT_LENGTH {
                continue;
            }
            append_header(&mut headers, name.clone(), value.clone());
        }
        set_header(&mut headers, AMZ_SDK_REQUEST, attempt_header);
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = headers;
        request
    }
}

/// `make`'s value, written into its allocation. Made on the stack and then boxed, a future
/// would be copied whole: a call's is about 2.9 KB, most of it room for states still to come.
#[inline(always)]
pub(crate) fn in_box<F>(make: impl FnOnce() -> F) -> std::pin::Pin<Box<F>> {
    let slot = Box::new_uninit();
    Box::into_pin(Box::write(slot, make()))
}

/// When a wait must end: the operation's and the attempt's limits are both deadlines, and a
/// wait bounded by both uses one timer at the earlier (a timer costs only once its wait is
/// pending). What they cover is decided here: the attempt covers sending and the whole
/// response, the operation every attempt (credentials included) and the backoff between them.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Deadline {
    at: tokio::time::Instant,
    limit: Duration,
    what: &'static str,
}

impl Deadline {
    /// `limit` from now.
    fn after(limit: Duration, what: &'static str) -> Self {
        Self {
            at: tokio::time::Instant::now() + limit,
            limit,
            what,
        }
    }

    /// The earlier of two optional deadlines (the first on a tie).
    fn earliest(a: Option<Self>, b: Option<Self>) -> Option<Self> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.at < a.at { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// The timeout error: what exceeded which limit.
    fn error(self) -> SdkErrorKind<Infallible> {
        SdkErrorKind::Timeout(format!("{} exceeded {:?}", self.what, self.limit).into())
    }
}

/// Whether DEBUG spans and events can be recorded at all (one atomic load). A call's spans
/// and its success path's events are made out of line behind it: with no subscriber that
/// wants them, their code stays out of the call's way (and out of the instruction cache).
#[inline(always)]
fn debug_on() -> bool {
    tracing::Level::DEBUG <= tracing::level_filters::STATIC_MAX_LEVEL
        && tracing::Level::DEBUG <= tracing::level_filters::LevelFilter::current()
}

/// The span of one call.
#[cold]
#[inline(never)]
fn call_span(service: &str, operation: &str, max_attempts: u32) -> tracing::Span {
    tracing::debug_span!(
        "call",
        service,
        operation,
        max_attempts,
        attempts = tracing::field::Empty,
    )
}

/// The span of one attempt.
#[cold]
#[inline(never)]
fn attempt_span(attempt: u32) -> tracing::Span {
    tracing::debug_span!(
        "attempt",
        attempt,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
    )
}

/// Records on the call's span (the current one) how many attempts it has made.
#[cold]
#[inline(never)]
fn record_attempts(attempt: u32) {
    tracing::Span::current().record("attempts", attempt);
}

/// The event of an attempt's response.
#[cold]
#[inline(never)]
fn debug_response(status: u16) {
    tracing::debug!(status, "response");
}

/// Runs `fut` until `deadline` (`None`: no limit); past it, the deadline that ran out.
fn until<F: std::future::Future>(deadline: Option<Deadline>, fut: F) -> Until<F> {
    Until {
        fut,
        timer: None,
        deadline,
    }
}

pin_project_lite::pin_project! {
    /// The future of [`until`]. Its timer is made only once `fut` has to wait, so a wait that
    /// ends at its first poll (credentials at hand) costs none. The timer is polled outside
    /// tokio's task budget, so that a future spending the budget cannot keep its deadline
    /// from being seen. (An `async fn` would keep `fut` twice in its state, as its argument
    /// and inside the wait, and every wait of a call is wrapped in one.)
    struct Until<F> {
        #[pin]
        fut: F,
        #[pin]
        timer: Option<tokio::task::Unconstrained<tokio::time::Sleep>>,
        deadline: Option<Deadline>,
    }
}

impl<F: std::future::Future> std::future::Future for Until<F> {
    type Output = Result<F::Output, Deadline>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let mut this = self.project();
        if let std::task::Poll::Ready(out) = this.fut.poll(cx) {
            return std::task::Poll::Ready(Ok(out));
        }
        let Some(deadline) = *this.deadline else {
            return std::task::Poll::Pending;
        };
        if this.timer.is_none() {
            this.timer
                .set(Some(tokio::task::unconstrained(tokio::time::sleep_until(
                    deadline.at,
                ))));
        }
        match this.timer.as_pin_mut() {
            Some(timer) => timer.poll(cx).map(|()| Err(deadline)),
            None => std::task::Poll::Pending,
        }
    }
}

/// What sending one attempt's request gives: the response, or the error with how the attempt
/// may be retried.
type Sent = Result<(HttpResponse, BodyStream), (SdkErrorKind<Infallible>, Option<AttemptKind>)>;

/// How one attempt ended.
enum Attempt {
    /// A response arrived (any status), with its body as a stream when the caller reads it so.
    Answered(HttpResponse, BodyStream),
    /// The transport failed; retryable when the kind is given.
    Failed(SdkErrorKind<Infallible>, Option<AttemptKind>),
    /// Nothing was sent and retrying cannot help (credentials, signing).
    Fatal(SdkErrorKind<Infallible>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AttemptKind {
    Retry(RetryKind),
    ClockSkew,
}

/// Displays an error kind without its response body.
struct DisplayKind<'a>(&'a SdkErrorKind<Infallible>);

impl fmt::Display for DisplayKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SdkErrorKind::Construction(e)
            | SdkErrorKind::Timeout(e)
            | SdkErrorKind::Dispatch(e) => write!(f, "{e}"),
            SdkErrorKind::Credentials(e) => write!(f, "{e}"),
            SdkErrorKind::Response { raw, .. } => write!(f, "HTTP {}", raw.status()),
            SdkErrorKind::Service { error, .. } => match *error {},
        }
    }
}

/// The default connector's settings for `config`. Without streamed responses every response
/// is read whole within its attempt, so an attempt timeout no longer than the read timeout
/// already bounds every read, sooner: reqwest's own read timers (two per request) are then
/// left out, as they could never fire first.
fn connector_settings(config: &Config) -> crate::http::HttpSettings {
    let mut settings = config.http.clone();
    if !cfg!(feature = "streaming")
        && config
            .attempt_timeout
            .zip(settings.read_timeout)
            .is_some_and(|(attempt, read)| attempt <= read)
    {
        settings.read_timeout = None;
    }
    settings
}

/// The SDK's per-call and per-attempt headers (named once, not parsed per request).
const AMZ_SDK_INVOCATION_ID: HeaderName = HeaderName::from_static("amz-sdk-invocation-id");
const AMZ_SDK_REQUEST: HeaderName = HeaderName::from_static("amz-sdk-request");

/// How many `amz-sdk-request` values a client makes up front.
const MADE_ATTEMPT_HEADERS: u32 = 10;

/// The `amz-sdk-request` header of attempt `attempt` out of `max`.
fn attempt_header(attempt: u32, max: u32) -> Result<HeaderValue, http::header::InvalidHeaderValue> {
    HeaderValue::from_str(&format!("attempt={attempt}; max={max}"))
}

/// Locks a mutex whose data stays consistent even if a holder panicked (every critical
/// section is a few arithmetic steps, or a lookup).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Deadline, connector_settings};
    use crate::config::Config;

    #[test]
    fn reqwest_read_timers_are_left_out_only_when_the_attempt_timeout_bounds_reads_first() {
        let read = |config: Config| connector_settings(&config).read_timeout;
        // Defaults: attempts of 30 s, reads of 30 s.
        let default = read(Config::builder().build());
        let shorter_read = read(
            Config::builder()
                .read_timeout(Some(Duration::from_secs(5)))
                .build(),
        );
        let no_attempt_limit = read(Config::builder().set_attempt_timeout(None).build());
        if cfg!(feature = "streaming") {
            // A streamed response body is read after its attempt: every read keeps its limit.
            assert_eq!(default, Some(Duration::from_secs(30)));
        } else {
            assert_eq!(default, None);
        }
        assert_eq!(shorter_read, Some(Duration::from_secs(5)));
        assert_eq!(no_attempt_limit, Some(Duration::from_secs(30)));
    }

    /// One sent request: method, URI, every header in order (name, value), body.
    type Sent = (String, String, Vec<(String, Vec<u8>)>, Vec<u8>);

    /// Answers with `statuses` in turn and records every request as sent.
    #[derive(Debug)]
    struct Recorder {
        statuses: Vec<u16>,
        sent: std::sync::Arc<std::sync::Mutex<Vec<Sent>>>,
    }

    impl crate::http::HttpConnector for Recorder {
        fn call(&self, request: crate::http::HttpRequest) -> crate::http::ConnectorFuture<'_> {
            let mut sent = self.sent.lock().expect("lock");
            sent.push((
                request.method().to_string(),
                request.uri().to_string(),
                request
                    .headers()
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                    .collect(),
                request.body().to_vec(),
            ));
            let status = self.statuses[sent.len() - 1];
            Box::pin(async move {
                Ok(http::Response::builder()
                    .status(status)
                    .body(bytes::Bytes::from_static(b"{}"))
                    .expect("response"))
            })
        }
    }

    static SERVICE: super::ServiceMeta = super::ServiceMeta {
        sdk_id: "test",
        signing_name: "test",
        crate_name: "test-crate",
        crate_version: "1.2.3",
        endpoint_prefix: "test",
        resolve_endpoint: None,
    };
    static OPERATION: super::OperationMeta = super::OperationMeta {
        name: "Put",
        idempotent: true,
        auth: &[super::AuthScheme::SigV4],
    };

    #[tokio::test(start_paused = true)]
    async fn every_attempt_sends_the_base_request_with_only_its_attempt_header_changed() {
        let sent = std::sync::Arc::default();
        let recorder = Recorder {
            statuses: vec![500, 503, 200],
            sent: std::sync::Arc::clone(&sent),
        };
        let config = Config::builder()
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:1/base")
            .credentials_provider(crate::credentials::Credentials::from_keys(
                "AKID",
                "SECRET",
                Some("TOKEN".to_owned()),
            ))
            .time_source(crate::time::StaticTimeSource::new(
                std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            ))
            .http_connector(recorder)
            .build();
        let handle = super::Handle::new(config, &SERVICE);
        let mut headers = http::HeaderMap::new();
        headers.append("x-multi", http::HeaderValue::from_static("one"));
        headers.append("x-multi", http::HeaderValue::from_static("two"));
        headers.insert("content-type", http::HeaderValue::from_static("text/plain"));
        // The update fills `stream`, which only the `streaming` feature has.
        #[allow(clippy::needless_update)]
        let parts = super::RequestParts {
            method: http::Method::PUT,
            path_and_query: "/items/a%20b?x=1".into(),
            headers,
            body: bytes::Bytes::from_static(b"payload"),
            host_prefix: Some("pre.".into()),
            ..super::RequestParts::default()
        };
        let output = handle
            .invoke(
                &OPERATION,
                Ok(parts),
                |r| Ok(r.status().as_u16()),
                |_, _| Ok(()),
            )
            .await
            .expect("the third attempt succeeds");
        assert_eq!(output, 200);
        let sent = sent.lock().expect("lock").clone();
        assert_eq!(sent.len(), 3);
        let (method, uri, headers, body) = &sent[0];
        assert_eq!(method, "PUT");
        assert_eq!(uri, "http://pre.127.0.0.1:1/base/items/a%20b?x=1");
        assert_eq!(body, b"payload");
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "x-multi",
                "x-multi",
                "content-type",
                "content-length",
                "user-agent",
                "amz-sdk-invocation-id",
                "amz-sdk-request",
                "x-amz-date",
                "authorization",
                "x-amz-security-token",
            ]
        );
        let value = |headers: &[(String, Vec<u8>)], i: usize| {
            String::from_utf8(headers[i].1.clone()).expect("text")
        };
        assert_eq!(value(headers, 0), "one");
        assert_eq!(value(headers, 1), "two");
        assert_eq!(value(headers, 3), "7");
        assert_eq!(
            value(headers, 4),
            "test-crate/1.2.3 restjson-runtime/".to_owned()
                + env!("CARGO_PKG_VERSION")
                + " lang/rust"
        );
        assert_eq!(value(headers, 7), "20231114T221320Z");
        assert_eq!(value(headers, 9), "TOKEN");
        assert!(
            value(headers, 8).contains(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-multi,"
            )
        );
        for (attempt, request) in sent.iter().enumerate() {
            let mut expected = sent[0].clone();
            expected.2[6].1 = format!("attempt={}; max=3", attempt + 1).into_bytes();
            assert_eq!(request, &expected, "attempt {}", attempt + 1);
        }
    }

    #[test]
    fn a_uri_made_from_the_endpoint_s_origin_is_the_uri_parsed_whole() {
        for (endpoint, path) in [
            ("http://127.0.0.1:8080", "/GetRoom"),
            (
                "https://ivschat.us-west-2.amazonaws.com",
                "/rooms/a%20b?x=1&y",
            ),
            ("http://localhost:1/base/prefix", "/items/%2F"),
            ("https://[::1]:8443", "/"),
            ("HTTPS://Example.COM", "/p"),
        ] {
            let text = format!("{endpoint}{path}");
            let whole: http::Uri = text.parse().expect("uri");
            match super::Origin::of(endpoint) {
                Some(origin) => {
                    let made = origin.uri(&text).expect("made");
                    assert_eq!(made, whole, "{text}");
                    assert_eq!(made.to_string(), whole.to_string(), "{text}");
                }
                // Only when the endpoint's text is not its parsed origin as is.
                None => assert_eq!(endpoint, "HTTPS://Example.COM"),
            }
        }
        let origin = super::Origin::of("http://127.0.0.1:8080").expect("origin");
        // No path: the whole text is parsed instead.
        assert!(origin.uri("http://127.0.0.1:8080").is_none());
        assert!(super::Origin::of("http://host/path?query").is_none());
        assert!(super::Origin::of("not a url").is_none());
    }

    #[test]
    fn the_length_is_left_to_the_transport_only_when_it_is_the_body_s() {
        let with = |values: &[&'static str]| {
            let mut headers = http::HeaderMap::new();
            for v in values {
                headers.append("content-length", http::HeaderValue::from_static(v));
            }
            headers
        };
        assert!(super::declares_length(&with(&["7"]), 7));
        assert!(!super::declares_length(&with(&["8"]), 7));
        assert!(!super::declares_length(&with(&["7", "7"]), 7));
        assert!(!super::declares_length(&with(&["x"]), 7));
        assert!(super::declares_length(&with(&[]), 7));
        assert!(!super::declares_length(&with(&[]), 0));
        // An empty body's length is declared by the SDK, not the transport.
        assert!(!super::declares_length(&with(&["0"]), 0));

        let mut headers = with(&["7"]);
        headers.insert("content-type", http::HeaderValue::from_static("text/plain"));
        let mut base = super::BaseRequest {
            method: http::Method::POST,
            uri: "http://example.com/".parse().expect("uri"),
            uri_text: "http://example.com/".into(),
            headers,
            body: bytes::Bytes::from_static(b"payload"),
            length_by_transport: false,
        };
        let names = |base: &super::BaseRequest| {
            let request = base.attempt(http::HeaderValue::from_static("attempt=1; max=3"));
            assert_eq!(request.body(), "payload");
            request
                .headers()
                .keys()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&base),
            ["content-length", "content-type", "amz-sdk-request"]
        );
        base.length_by_transport = true;
        assert_eq!(names(&base), ["content-type", "amz-sdk-request"]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_earlier_deadline_bounds_a_wait_and_says_which_ran_out() {
        let operation = Deadline::after(Duration::from_secs(60), "operation");
        let attempt = Deadline::after(Duration::from_secs(30), "attempt");
        assert_eq!(
            Deadline::earliest(Some(operation), Some(attempt)),
            Some(attempt)
        );
        assert_eq!(Deadline::earliest(None, Some(attempt)), Some(attempt));
        assert_eq!(Deadline::earliest(Some(operation), None), Some(operation));
        let waited = super::until(Some(attempt), std::future::pending::<()>()).await;
        assert_eq!(waited, Err(attempt));
        let crate::error::SdkErrorKind::Timeout(error) = attempt.error() else {
            panic!("a timeout error");
        };
        assert_eq!(error.to_string(), "attempt exceeded 30s");
    }

    #[tokio::test]
    async fn a_wait_that_ends_at_its_first_poll_makes_no_timer() {
        use std::future::Future;
        let deadline = Deadline::after(Duration::from_secs(30), "attempt");
        let mut wait = std::pin::pin!(super::until(Some(deadline), std::future::ready(7)));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert_eq!(wait.as_mut().poll(&mut cx), std::task::Poll::Ready(Ok(7)));
        assert!(wait.project().timer.is_none());
    }

    /// A future that spends its task's whole budget at every poll (as a busy transport may)
    /// cannot keep a wait's deadline from being seen.
    #[test]
    fn a_wait_on_a_future_that_spends_the_task_budget_still_ends_at_its_deadline() {
        use std::future::Future;
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("runtime");
            let busy = std::future::poll_fn(|cx| {
                while std::pin::pin!(tokio::task::consume_budget())
                    .poll(cx)
                    .is_ready()
                {}
                cx.waker().wake_by_ref();
                std::task::Poll::<()>::Pending
            });
            let deadline = Deadline::after(Duration::from_millis(50), "attempt");
            let waited = runtime.block_on(super::until(Some(deadline), busy));
            let _ = done.send(waited.map_err(|d| d.what));
        });
        assert_eq!(
            finished.recv_timeout(Duration::from_secs(20)),
            Ok(Err("attempt")),
            "the wait must end at its deadline"
        );
    }
}
