//! The HTTP transport seam: a connector sends one request and returns the whole response.
//!
//! The default connector uses reqwest (rustls); tests and embedders can plug in their own.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::error::BoxError;

/// A request ready to send: absolute URI, headers (signed) and body.
pub type HttpRequest = http::Request<Bytes>;
/// A response with its whole body read.
pub type HttpResponse = http::Response<Bytes>;

/// The request id a response carries: `x-amzn-requestid`, else `x-amz-request-id`, as text.
/// (The names are made once: looked up by `&str`, each would be parsed on every call.)
pub(crate) fn request_id(headers: &http::HeaderMap) -> Option<&str> {
    static NAMES: [http::HeaderName; 2] = [
        http::HeaderName::from_static("x-amzn-requestid"),
        http::HeaderName::from_static("x-amz-request-id"),
    ];
    NAMES
        .iter()
        .find_map(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
}

/// What went wrong in the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectorErrorKind {
    /// Connecting, writing or reading failed (refused, reset, broken pipe, body cut short).
    Io,
    /// A transport-level timeout expired (connect or read).
    Timeout,
    /// The response was larger than allowed.
    BodyTooLarge,
    /// Anything else (invalid request, TLS configuration).
    Other,
}

/// A transport failure.
#[derive(Debug)]
pub struct ConnectorError {
    kind: ConnectorErrorKind,
    source: BoxError,
}

impl ConnectorError {
    /// A failure of `kind` caused by `source`.
    pub fn new(kind: ConnectorErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            source: source.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ConnectorErrorKind {
        self.kind
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ConnectorErrorKind::Io => "I/O error",
            ConnectorErrorKind::Timeout => "transport timeout",
            ConnectorErrorKind::BodyTooLarge => "response too large",
            ConnectorErrorKind::Other => "transport error",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl std::error::Error for ConnectorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

/// The future a connector returns.
pub type ConnectorFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, ConnectorError>> + Send + 'a>>;

/// A request whose body is streamed (feature `streaming`).
#[cfg(feature = "streaming")]
pub type StreamingRequest = http::Request<crate::byte_stream::ByteStream>;
/// A response whose body is read as it arrives (feature `streaming`).
#[cfg(feature = "streaming")]
pub type StreamingResponse = http::Response<crate::byte_stream::ByteStream>;
/// The future [`HttpConnector::call_streaming`] returns.
#[cfg(feature = "streaming")]
pub type StreamingFuture<'a> =
    Pin<Box<dyn Future<Output = Result<StreamingResponse, ConnectorError>> + Send + 'a>>;

/// Sends HTTP requests.
pub trait HttpConnector: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole response.
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_>;

    /// Sends a request with a streamed body and returns the response as soon as its headers
    /// arrive, its body still to be read (operations with streaming payloads). The default
    /// reads the request body into memory and calls [`call`](Self::call); the default
    /// connector streams both ways.
    #[cfg(feature = "streaming")]
    fn call_streaming(&self, request: StreamingRequest) -> StreamingFuture<'_> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(|e| ConnectorError::new(ConnectorErrorKind::Io, e))?;
            let response = self.call(http::Request::from_parts(parts, bytes)).await?;
            let (parts, body) = response.into_parts();
            Ok(http::Response::from_parts(
                parts,
                crate::byte_stream::ByteStream::from(body),
            ))
        })
    }
}

/// Reads a streamed body into memory, refusing one larger than `max` bytes.
#[cfg(feature = "streaming")]
pub(crate) async fn read_limited(
    mut body: crate::byte_stream::ByteStream,
    max: usize,
) -> Result<Bytes, ConnectorError> {
    let mut out = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ConnectorError::new(ConnectorErrorKind::Io, e))?;
        if out.len() + chunk.len() > max {
            return Err(ConnectorError::new(
                ConnectorErrorKind::BodyTooLarge,
                format!("response body exceeds {max} bytes"),
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// A shared connector.
#[derive(Clone, Debug)]
pub(crate) struct SharedConnector(Arc<dyn HttpConnector>);

impl SharedConnector {
    /// Wraps a connector.
    pub(crate) fn new(connector: impl HttpConnector + 'static) -> Self {
        Self(Arc::new(connector))
    }
}

impl HttpConnector for SharedConnector {
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
        self.0.call(request)
    }

    #[cfg(feature = "streaming")]
    fn call_streaming(&self, request: StreamingRequest) -> StreamingFuture<'_> {
        self.0.call_streaming(request)
    }
}

/// Proxy choice of the default connector.
///
/// A proxy URL may carry credentials (`http://user:password@proxy:3128`); `Debug` shows them as
/// `***`, and so does every error and log line of this crate.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxySetting {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (and lowercase forms) from the environment.
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    Disabled,
    /// All requests through this proxy URL.
    Url(String),
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnvironment => f.write_str("FromEnvironment"),
            Self::Disabled => f.write_str("Disabled"),
            Self::Url(url) => f.debug_tuple("Url").field(&redact_url(url)).finish(),
        }
    }
}

/// `url` with its user information (`user:password@`), if any, replaced by `***`. Works on
/// strings that do not parse as URLs too, so that error messages about them never show a
/// password: everything between the scheme and the last `@` goes, since a password typed
/// without percent-encoding can hold `/`, `?` or `#`.
pub(crate) fn redact_url(url: &str) -> std::borrow::Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]).into(),
        None => url.into(),
    }
}

/// Settings of the default (reqwest) connector.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpSettings {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed between two reads of the response.
    pub read_timeout: Option<Duration>,
    /// Close connections after each request instead of keeping them in the pool.
    pub close_connections: bool,
    /// Proxy choice.
    pub proxy: ProxySetting,
    /// Largest response body accepted, in bytes.
    pub max_response_body: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            read_timeout: Some(Duration::from_secs(30)),
            close_connections: false,
            proxy: ProxySetting::default(),
            max_response_body: 16 * 1024 * 1024,
        }
    }
}

/// The default connector, on reqwest with rustls.
#[derive(Clone, Debug)]
pub struct ReqwestConnector {
    client: reqwest::Client,
    max_body: usize,
}

impl ReqwestConnector {
    /// A connector with `settings`.
    pub fn new(settings: &HttpSettings) -> Result<Self, ConnectorError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            // The SDK retries; reqwest's own policy only ever retries HTTP/2 refusals, which
            // this HTTP/1.1 client cannot receive, yet it copies every request's method, URI
            // and headers in case it might. With no retries allowed it copies nothing.
            .retry(reqwest::retry::never().max_retries_per_request(0));
        if let Some(t) = settings.read_timeout {
            builder = builder.read_timeout(t);
        }
        if settings.close_connections {
            builder = builder.pool_max_idle_per_host(0);
        }
        match &settings.proxy {
            ProxySetting::FromEnvironment => {}
            ProxySetting::Disabled => builder = builder.no_proxy(),
            ProxySetting::Url(url) => {
                let proxy = reqwest::Proxy::all(url.as_str()).map_err(|e| {
                    ConnectorError::new(
                        ConnectorErrorKind::Other,
                        format!(
                            "invalid proxy URL {:?}: {}",
                            redact_url(url),
                            e.without_url()
                        ),
                    )
                })?;
                builder = builder.proxy(proxy);
            }
        }
        let client = builder
            .build()
            .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))?;
        Ok(Self {
            client,
            max_body: settings.max_response_body,
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, ConnectorError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))?;
        let mut response = self.client.execute(request).await.map_err(classify)?;
        // Status and headers are moved over as they are (no builder to check them again).
        let head = |body: Bytes, response: &mut reqwest::Response| {
            let mut out = http::Response::new(body);
            *out.status_mut() = response.status();
            *out.headers_mut() = std::mem::take(response.headers_mut());
            out
        };
        let too_large = || {
            ConnectorError::new(
                ConnectorErrorKind::BodyTooLarge,
                format!("response body exceeds {} bytes", self.max_body),
            )
        };
        // With a known length the body is taken as received, without copying it into a new
        // buffer (a body of one chunk is handed over as is).
        if let Some(len) = response.content_length() {
            if usize::try_from(len).map_or(true, |len| len > self.max_body) {
                return Err(too_large());
            }
            let mut out = head(Bytes::new(), &mut response);
            let body = response.bytes().await.map_err(classify)?;
            if body.len() > self.max_body {
                return Err(too_large());
            }
            *out.body_mut() = body;
            return Ok(out);
        }
        let mut out = head(Bytes::new(), &mut response);
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        *out.body_mut() = body.freeze();
        Ok(out)
    }
}

fn classify(e: reqwest::Error) -> ConnectorError {
    let kind = if e.is_timeout() {
        ConnectorErrorKind::Timeout
    } else if e.is_connect() || e.is_request() || e.is_body() || e.is_decode() {
        ConnectorErrorKind::Io
    } else {
        ConnectorErrorKind::Other
    };
    ConnectorError::new(kind, e)
}

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
        crate::client::in_box(|| self.send(request))
    }

    #[cfg(feature = "streaming")]
    fn call_streaming(&self, request: StreamingRequest) -> StreamingFuture<'_> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let request = http::Request::from_parts(parts, reqwest::Body::from(body));
            let request = reqwest::Request::try_from(request)
                .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))?;
            let mut response = self.client.execute(request).await.map_err(classify)?;
            let len = response.content_length();
            let mut builder = http::Response::builder().status(response.status());
            if let Some(headers) = builder.headers_mut() {
                *headers = std::mem::take(response.headers_mut());
            }
            // The body is read by the caller as it arrives; the client's read timeout bounds
            // each read.
            let body = crate::byte_stream::ByteStream::from_response_body(response.into(), len);
            builder
                .body(body)
                .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Answers one request on 127.0.0.1 with `response` (raw HTTP/1.1 bytes).
    async fn serve_once(response: &'static [u8]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.unwrap();
                if n == 0 {
                    return;
                }
                request.extend_from_slice(&buf[..n]);
            }
            socket.write_all(response).await.unwrap();
            socket.shutdown().await.ok();
        });
        format!("http://{addr}/")
    }

    async fn fetch(response: &'static [u8], max: usize) -> Result<Bytes, ConnectorError> {
        let url = serve_once(response).await;
        let settings = HttpSettings {
            proxy: ProxySetting::Disabled,
            max_response_body: max,
            ..HttpSettings::default()
        };
        let connector = ReqwestConnector::new(&settings).unwrap();
        let request = http::Request::get(url).body(Bytes::new()).unwrap();
        connector.send(request).await.map(|r| r.into_body())
    }

    const SIZED: &[u8] =
        b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"a\":\"xyz\"}";
    const CHUNKED: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n5\r\n{\"a\":\r\n6\r\n\"xyz\"}\r\n0\r\n\r\n";

    #[test]
    fn user_information_in_urls_is_redacted() {
        for (url, shown) in [
            ("http://user:pw@proxy:3128", "http://***@proxy:3128"),
            ("https://user@host/path", "https://***@host/path"),
            ("user:p@ss:word@proxy", "***@proxy"),
            ("http://us er:p w@bad url", "http://***@bad url"),
            ("http://user:pa/s?s#w@host/", "http://***@host/"),
            // An `@` further on hides more than the user information, never less.
            ("http://host:80/a@b", "http://***@b"),
            ("http://host:80/path", "http://host:80/path"),
            ("not a url", "not a url"),
            ("", ""),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn proxy_credentials_never_show() {
        let setting = ProxySetting::Url("http://proxyuser:s3cr3t@127.0.0.1:3128".into());
        assert_eq!(
            format!("{setting:?}"),
            r#"Url("http://***@127.0.0.1:3128")"#
        );
        let settings = HttpSettings {
            proxy: ProxySetting::Url("http://proxyuser:s3cr3t@[::1:3128".into()),
            ..HttpSettings::default()
        };
        assert!(!format!("{settings:?}").contains("s3cr3t"));
        let err = ReqwestConnector::new(&settings).expect_err("invalid");
        assert_eq!(
            err.to_string(),
            r#"transport error: invalid proxy URL "http://***@[::1:3128": builder error"#
        );
    }

    #[tokio::test]
    async fn bodies_of_known_and_unknown_length_are_read_within_the_limit() {
        assert_eq!(fetch(SIZED, 11).await.unwrap(), &b"{\"a\":\"xyz\"}"[..]);
        assert_eq!(fetch(CHUNKED, 11).await.unwrap(), &b"{\"a\":\"xyz\"}"[..]);
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_whatever_their_framing() {
        for response in [SIZED, CHUNKED] {
            let err = fetch(response, 10).await.unwrap_err();
            assert_eq!(err.kind(), ConnectorErrorKind::BodyTooLarge);
            assert_eq!(
                err.to_string(),
                "response too large: response body exceeds 10 bytes"
            );
        }
    }
}
