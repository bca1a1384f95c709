//! Errors of generated clients: the failure class of a call ([`SdkError`]), the metadata of
//! service errors ([`ErrorMetadata`], [`ProvideErrorMetadata`]) and the errors of building
//! values ([`BuildError`]).
//!
//! Each operation has its own error enum (`operation::<name>::<Name>Error` in a generated
//! crate): one variant per error the model lists, plus `Unhandled` ([`Unhandled`]) for
//! anything else. [`SdkError::into_service_error`] gives that enum whatever happened, as the
//! AWS SDKs do (failures that are not service errors become its `Unhandled` variant, with the
//! original error as their source); [`SdkError::as_service_error`] and
//! [`SdkError::try_into_service_error`] give it only for service errors.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use http::HeaderMap;

use crate::credentials::CredentialsError;
use crate::validate::ValidationError;

/// A boxed error, the `source` of most failures.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// An HTTP response kept with an error so callers can inspect it.
///
/// `Debug` shows the status, headers and body length, never the body (it may hold secrets).
#[derive(Clone)]
pub struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl RawResponse {
    /// Wraps a response's parts.
    pub fn new(status: u16, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The request id the service assigned (`x-amzn-requestid`, else `x-amz-request-id`).
    pub fn request_id(&self) -> Option<&str> {
        crate::http::request_id(&self.headers)
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Code, message and request id of a service error response, extracted with the restJson1 rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

/// The metadata of errors that have none (failures before or without a service response).
static NO_METADATA: ErrorMetadata = ErrorMetadata {
    code: None,
    message: None,
    request_id: None,
};

/// Strips the `namespace#` prefix and the `:suffix` of a restJson1 error code.
pub(crate) fn sanitize_error_code(raw: &str) -> &str {
    let no_suffix = raw.split(':').next().unwrap_or(raw);
    let bare = no_suffix.rsplit('#').next().unwrap_or(no_suffix);
    bare.trim()
}

impl ErrorMetadata {
    /// Metadata from its parts.
    pub fn new(code: Option<String>, message: Option<String>, request_id: Option<String>) -> Self {
        Self {
            code,
            message,
            request_id,
        }
    }

    /// Reads the error code (`X-Amzn-Errortype` header, else `code`, else `__type` in the
    /// body), the message (`message`/`Message`/`errorMessage` in the body) and the request id
    /// of an error response. A body that is not a JSON object only loses its code and message.
    pub(crate) fn from_response(headers: &HeaderMap, body: &[u8]) -> Self {
        let parsed: Option<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(body).ok();
        let body_str = |key: &str| {
            parsed
                .as_ref()
                .and_then(|m| m.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let header_code = headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let code = header_code
            .or_else(|| body_str("code"))
            .or_else(|| body_str("__type"))
            .map(|c| sanitize_error_code(&c).to_owned())
            .filter(|c| !c.is_empty());
        let message = body_str("message")
            .or_else(|| body_str("Message"))
            .or_else(|| body_str("errorMessage"))
            .or_else(|| {
                headers
                    .get("x-amzn-errormessage")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            });
        let request_id = crate::http::request_id(headers).map(str::to_owned);
        Self {
            code,
            message,
            request_id,
        }
    }

    /// The error code, e.g. `ResourceNotFoundException`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The error message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// The code, message and metadata of an error, under the names the AWS SDKs use.
///
/// Implemented by [`SdkError`], by every operation's error enum and by every modelled error,
/// so `err.code()`, `err.message()` and `err.meta()` work on each. A generated crate
/// re-exports it as `error::ProvideErrorMetadata`.
pub trait ProvideErrorMetadata {
    /// Code, message and request id of the service's error response (all `None` when the
    /// error did not come from one).
    fn meta(&self) -> &ErrorMetadata;

    /// The error code, e.g. `ResourceNotFoundException`.
    fn code(&self) -> Option<&str> {
        self.meta().code()
    }

    /// The error message.
    fn message(&self) -> Option<&str> {
        self.meta().message()
    }
}

/// An error the operation does not model: a service error response with another code, or,
/// from [`SdkError::into_service_error`], a failure that is not a service error at all (then
/// its [`source`](StdError::source) is that failure).
#[derive(Debug)]
pub struct Unhandled {
    status: Option<u16>,
    meta: ErrorMetadata,
    source: Option<BoxError>,
}

impl Unhandled {
    /// An error response with `status` and `meta` that the operation does not model.
    pub fn new(status: u16, meta: ErrorMetadata) -> Self {
        Self {
            status: Some(status),
            meta,
            source: None,
        }
    }

    /// The HTTP status code of the error response (`None` when there was no response).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The error code, if the response had one.
    pub fn code(&self) -> Option<&str> {
        self.meta.code()
    }

    /// The error message, if the response had one.
    pub fn message(&self) -> Option<&str> {
        self.meta.message()
    }

    /// The request id.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// Code, message and request id.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl ProvideErrorMetadata for Unhandled {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code(), self.message(), &self.source) {
            (Some(c), Some(m), _) => write!(f, "{c}: {m}"),
            (Some(c), None, _) => write!(f, "{c}"),
            (None, _, Some(source)) => write!(f, "{source}"),
            (None, Some(m), None) => write!(f, "unhandled error: {m}"),
            (None, None, None) => f.write_str("unhandled error"),
        }
    }
}

impl StdError for Unhandled {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// A value that cannot be built or sent: required members are missing (every one is named),
/// or a value cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    fields: Vec<String>,
    message: String,
}

impl BuildError {
    /// The required member `field` was not set.
    pub fn missing_field(field: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("required member `{field}` is not set");
        Self {
            fields: vec![field],
            message,
        }
    }

    /// The required members of `members` whose flag is `true` are not set (built only on
    /// failure, so that a builder names every missing member at once).
    pub fn missing_fields(members: &[(bool, &str)]) -> Self {
        let fields: Vec<String> = members
            .iter()
            .filter(|(missing, _)| *missing)
            .map(|(_, name)| (*name).to_owned())
            .collect();
        let message = match fields.as_slice() {
            [one] => format!("required member `{one}` is not set"),
            many => format!("required members `{}` are not set", many.join("`, `")),
        };
        Self { fields, message }
    }

    /// The member `field` has a value that cannot be sent.
    pub fn invalid_field(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        let field = field.into();
        let message = format!("member `{field}` is invalid: {problem}");
        Self {
            fields: vec![field],
            message,
        }
    }

    /// The (first) member this error is about.
    pub fn field(&self) -> &str {
        self.fields.first().map_or("", String::as_str)
    }

    /// Every member this error is about, in member order.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for BuildError {}

/// The failure class of a call, with its details.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkErrorKind<E> {
    /// The request could not be built (invalid input or configuration); nothing was sent.
    Construction(BoxError),
    /// Credentials could not be loaded; nothing was sent.
    Credentials(CredentialsError),
    /// The call or an attempt took longer than its timeout.
    Timeout(BoxError),
    /// The request could not be sent or its response not received (connection refused,
    /// reset, DNS failure, body cut short).
    Dispatch(BoxError),
    /// A response arrived but is not what the protocol or model says (invalid JSON, wrong
    /// types, unexpected content).
    Response {
        /// The response as received.
        raw: RawResponse,
        /// What is wrong with it.
        source: BoxError,
    },
    /// The service answered with an error.
    Service {
        /// The operation's typed error.
        error: E,
        /// Code, message and request id.
        meta: ErrorMetadata,
        /// The response as received.
        raw: RawResponse,
    },
}

/// The error of a call made with a generated client.
///
/// `Display` names the operation and what happened (for service errors: code and message).
#[derive(Debug)]
pub struct SdkError<E> {
    operation: &'static str,
    kind: SdkErrorKind<E>,
}

/// Error codes the AWS SDKs treat as throttling.
pub(crate) const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

impl<E> SdkError<E> {
    /// An error of `kind` in `operation`.
    pub fn new(operation: &'static str, kind: SdkErrorKind<E>) -> Self {
        Self { operation, kind }
    }

    /// A construction failure (nothing was sent).
    pub(crate) fn construction(operation: &'static str, source: impl Into<BoxError>) -> Self {
        Self::new(operation, SdkErrorKind::Construction(source.into()))
    }

    /// The operation that failed, e.g. `GetRoom`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The failure class and its details.
    pub fn kind(&self) -> &SdkErrorKind<E> {
        &self.kind
    }

    /// Consumes the error, returning its class and details.
    pub fn into_kind(self) -> SdkErrorKind<E> {
        self.kind
    }

    /// The operation's typed error, when the service answered with one.
    pub fn as_service_error(&self) -> Option<&E> {
        match &self.kind {
            SdkErrorKind::Service { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The operation's error, whatever happened, as the AWS SDKs give it: the service's
    /// error, or for any other failure (nothing sent, timeout, transport, unreadable response)
    /// the enum's `Unhandled` variant, whose [`source`](StdError::source) is that failure and
    /// whose `Display` describes it. To tell the two apart, match on `Unhandled` or use
    /// [`try_into_service_error`](Self::try_into_service_error).
    pub fn into_service_error(self) -> E
    where
        E: From<Unhandled>,
    {
        match self.try_into_service_error() {
            Ok(error) => error,
            Err(other) => E::from(other.into_unhandled()),
        }
    }

    /// The operation's error when the service answered with one, or the whole error back.
    pub fn try_into_service_error(self) -> Result<E, Self> {
        match self.kind {
            SdkErrorKind::Service { error, .. } => Ok(error),
            kind => Err(Self {
                operation: self.operation,
                kind,
            }),
        }
    }

    /// A failure that is not a service error, as an [`Unhandled`] whose source it is.
    fn into_unhandled(self) -> Unhandled {
        let status = self.status();
        let kind = match self.kind {
            SdkErrorKind::Construction(e) => SdkErrorKind::Construction(e),
            SdkErrorKind::Credentials(e) => SdkErrorKind::Credentials(e),
            SdkErrorKind::Timeout(e) => SdkErrorKind::Timeout(e),
            SdkErrorKind::Dispatch(e) => SdkErrorKind::Dispatch(e),
            SdkErrorKind::Response { raw, source } => SdkErrorKind::Response { raw, source },
            SdkErrorKind::Service { meta, raw, .. } => {
                return Unhandled::new(raw.status(), meta);
            }
        };
        let failure: SdkError<Infallible> = SdkError {
            operation: self.operation,
            kind,
        };
        Unhandled {
            status,
            meta: ErrorMetadata::default(),
            source: Some(Box::new(failure)),
        }
    }

    /// The client-side validation error, when the input was refused before sending: every
    /// missing required member and every violated constraint.
    pub fn as_validation_error(&self) -> Option<&ValidationError> {
        match &self.kind {
            SdkErrorKind::Construction(source) => source.downcast_ref::<ValidationError>(),
            _ => None,
        }
    }

    /// The response, when one was received.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match &self.kind {
            SdkErrorKind::Response { raw, .. } | SdkErrorKind::Service { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// The service error's code, message and request id (all `None` when the failure is not
    /// a service error).
    pub fn meta(&self) -> &ErrorMetadata {
        match &self.kind {
            SdkErrorKind::Service { meta, .. } => meta,
            _ => &NO_METADATA,
        }
    }

    /// The service error code, e.g. `ResourceNotFoundException`.
    pub fn code(&self) -> Option<&str> {
        self.meta().code()
    }

    /// The service error message.
    pub fn message(&self) -> Option<&str> {
        self.meta().message()
    }

    /// The request id of the response, when one was received.
    pub fn request_id(&self) -> Option<&str> {
        self.raw_response().and_then(RawResponse::request_id)
    }

    /// The HTTP status of the response, when one was received.
    pub fn status(&self) -> Option<u16> {
        self.raw_response().map(RawResponse::status)
    }

    /// Whether the request could not be built (nothing was sent).
    pub fn is_construction(&self) -> bool {
        matches!(self.kind, SdkErrorKind::Construction(_))
    }

    /// Whether credentials could not be loaded.
    pub fn is_credentials(&self) -> bool {
        matches!(self.kind, SdkErrorKind::Credentials(_))
    }

    /// Whether the call or an attempt timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, SdkErrorKind::Timeout(_))
    }

    /// Whether the request could not be sent or the response not received.
    pub fn is_dispatch(&self) -> bool {
        matches!(self.kind, SdkErrorKind::Dispatch(_))
    }

    /// Whether the response could not be understood.
    pub fn is_response(&self) -> bool {
        matches!(self.kind, SdkErrorKind::Response { .. })
    }

    /// Whether the service answered with an error.
    pub fn is_service(&self) -> bool {
        matches!(self.kind, SdkErrorKind::Service { .. })
    }

    /// Whether the service throttled the call (HTTP 429 or a throttling error code).
    pub fn is_throttling(&self) -> bool {
        self.status() == Some(429) && self.is_service()
            || self.code().is_some_and(|c| THROTTLING_CODES.contains(&c))
    }

    /// Whether the service said the resource does not exist (HTTP 404 or a not-found code).
    pub fn is_not_found(&self) -> bool {
        self.is_service()
            && (self.status() == Some(404)
                || self
                    .code()
                    .is_some_and(|c| c == "ResourceNotFoundException" || c == "NotFoundException"))
    }

    /// Whether the service refused the call for lack of permission (HTTP 403).
    pub fn is_access_denied(&self) -> bool {
        self.is_service() && self.status() == Some(403)
    }
}

impl<E> ProvideErrorMetadata for SdkError<E> {
    fn meta(&self) -> &ErrorMetadata {
        SdkError::meta(self)
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the service error's own text depends on `E`: the rest is written by one
        // function, not compiled again for every operation's error type.
        let shown = match &self.kind {
            SdkErrorKind::Construction(e) => Shown::Plain("request not sent", e),
            SdkErrorKind::Credentials(e) => Shown::Plain("could not load credentials", e),
            SdkErrorKind::Timeout(e) => Shown::Plain("timed out", e),
            SdkErrorKind::Dispatch(e) => Shown::Dispatch(e.as_ref()),
            SdkErrorKind::Response { raw, source } => Shown::Response(raw, source),
            SdkErrorKind::Service { error, raw, .. } => Shown::Service(error, raw),
        };
        shown.write(self.operation, f)
    }
}

/// What [`SdkError`]'s `Display` writes, with the error type erased.
enum Shown<'a> {
    Plain(&'static str, &'a dyn fmt::Display),
    Dispatch(&'a (dyn StdError + 'static)),
    Response(&'a RawResponse, &'a dyn fmt::Display),
    Service(&'a dyn fmt::Display, &'a RawResponse),
}

impl Shown<'_> {
    fn write(self, op: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = match self {
            Shown::Plain(what, e) => return write!(f, "{op}: {what}: {e}"),
            Shown::Dispatch(e) => {
                write!(f, "{op}: request failed in transit: {e}")?;
                let mut source = e.source();
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                return Ok(());
            }
            Shown::Response(raw, _) => {
                write!(f, "{op}: invalid response (HTTP {}", raw.status())?;
                raw
            }
            Shown::Service(error, raw) => {
                write!(f, "{op}: {error} (HTTP {}", raw.status())?;
                raw
            }
        };
        if let Some(id) = raw.request_id() {
            write!(f, ", request id {id}")?;
        }
        match self {
            Shown::Response(_, source) => write!(f, "): {source}"),
            _ => f.write_str(")"),
        }
    }
}

impl<E: StdError + 'static> StdError for SdkError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            SdkErrorKind::Construction(e)
            | SdkErrorKind::Timeout(e)
            | SdkErrorKind::Dispatch(e) => Some(e.as_ref()),
            SdkErrorKind::Credentials(e) => Some(e),
            SdkErrorKind::Response { source, .. } => Some(source.as_ref()),
            SdkErrorKind::Service { error, .. } => Some(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_rules() {
        for (raw, code) in [
            ("FooError", "FooError"),
            (
                "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                "FooError",
            ),
            ("aws.protocoltests.restjson#FooError", "FooError"),
            (
                "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                "FooError",
            ),
        ] {
            assert_eq!(sanitize_error_code(raw), code, "{raw}");
        }
    }

    #[test]
    fn metadata_prefers_the_header_then_code_then_type() {
        let mut headers = HeaderMap::new();
        let body = br#"{"code":"FromCode","__type":"ns#FromType","message":"m"}"#;
        assert_eq!(
            ErrorMetadata::from_response(&headers, body).code(),
            Some("FromCode")
        );
        let body2 = br#"{"__type":"ns#FromType","Message":"M"}"#;
        let meta = ErrorMetadata::from_response(&headers, body2);
        assert_eq!((meta.code(), meta.message()), (Some("FromType"), Some("M")));
        headers.insert("x-amzn-errortype", "FromHeader:http://x".parse().unwrap());
        headers.insert("x-amzn-requestid", "rid".parse().unwrap());
        let meta = ErrorMetadata::from_response(&headers, b"<html>not json</html>");
        assert_eq!(
            (meta.code(), meta.message(), meta.request_id()),
            (Some("FromHeader"), None, Some("rid"))
        );
    }
}
