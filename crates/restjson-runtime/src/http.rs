//! The HTTP transport seam: a connector sends one request and returns the whole response.
//!
//! The default connector uses reqwest (rustls); tests and embedders can plug in their own.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::client::lock;
use crate::error::BoxError;

/// A request ready to send: absolute URI, headers (signed) and body.
pub type HttpRequest = http::Request<Bytes>;
/// A response with its whole body read.
pub type HttpResponse = http::Response<Bytes>;

/// Sets the header `name` to `value`, replacing any value it had.
///
/// The headers every call writes (the request builder's, the client's and the signer's) go
/// through this function or [`append_header`]: `HeaderMap`'s insertion is generic and
/// inlined, so each module calling it directly compiles a copy of its own, and a call would
/// run (and fetch into the instruction cache) several copies of the same code.
#[inline(never)]
pub(crate) fn set_header(
    headers: &mut http::HeaderMap,
    name: http::HeaderName,
    value: http::HeaderValue,
) {
    headers.insert(name, value);
}

/// Adds `value` to the values of the header `name` (see [`set_header`]).
#[inline(never)]
pub(crate) fn append_header(
    headers: &mut http::HeaderMap,
    name: http::HeaderName,
    value: http::HeaderValue,
) {
    headers.append(name, value);
}

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
    origins: Arc<Origins>,
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
            origins: Arc::default(),
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, ConnectorError> {
        let request = self.origins.request(request)?;
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
        // A length over the limit is refused before anything is read.
        let expected = match response.content_length() {
            Some(len) => match usize::try_from(len) {
                Ok(len) if len <= self.max_body => len,
                _ => return Err(too_large()),
            },
            None => 0,
        };
        let mut out = head(Bytes::new(), &mut response);
        // The body chunk by chunk (reqwest's `bytes()` would compile its collecting buffers
        // into this crate): a body of one chunk is handed over as received, without a copy;
        // more chunks are joined into one buffer.
        let mut first = Bytes::new();
        let mut joined: Option<BytesMut> = None;
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let held = joined.as_ref().map_or(first.len(), BytesMut::len);
            if held + chunk.len() > self.max_body {
                return Err(too_large());
            }
            match &mut joined {
                Some(buf) => buf.extend_from_slice(&chunk),
                None if first.is_empty() => first = chunk,
                None => {
                    let mut buf = BytesMut::with_capacity(expected.max(held + chunk.len()));
                    buf.extend_from_slice(&first);
                    buf.extend_from_slice(&chunk);
                    joined = Some(buf);
                }
            }
        }
        *out.body_mut() = joined.map_or(first, BytesMut::freeze);
        Ok(out)
    }
}

/// The parsed origins (scheme and authority) of the latest requests, so that a request's URL
/// is its origin's with the path and query set, and its host is not parsed again.
/// (reqwest's conversion from an `http::Request` formats the URI and parses it whole, the host
/// through IDNA mapping: this saves about 6.7 k instructions per request.)
#[derive(Default)]
struct Origins(std::sync::Mutex<Vec<Origin>>);

/// Not the origins themselves: their authorities may hold user information.
impl fmt::Debug for Origins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Origins")
            .field("kept", &lock(&self.0).len())
            .finish()
    }
}

struct Origin {
    scheme: String,
    authority: String,
    /// The URL of the origin's latest request: the next one with the same path and query is
    /// a copy of it (a client calls the same few operations, most at fixed paths).
    url: reqwest::Url,
}

impl Origin {
    fn is(&self, scheme: &str, authority: &str) -> bool {
        self.scheme == scheme && self.authority == authority
    }
}

impl Origins {
    /// How many origins are kept (a client has one, or a few with host prefixes).
    const KEPT: usize = 4;

    /// `request` for reqwest.
    fn request(&self, request: HttpRequest) -> Result<reqwest::Request, ConnectorError> {
        let invalid = |e: BoxError| ConnectorError::new(ConnectorErrorKind::Other, e);
        let (parts, body) = request.into_parts();
        if !parts.extensions.is_empty() {
            // Only reqwest's own conversion carries extensions over.
            return reqwest::Request::try_from(http::Request::from_parts(parts, body))
                .map_err(|e| invalid(e.into()));
        }
        let url = self.url(&parts.uri).map_err(invalid)?;
        let mut out = reqwest::Request::new(parts.method, url);
        *out.headers_mut() = parts.headers;
        *out.version_mut() = parts.version;
        *out.body_mut() = Some(body.into());
        Ok(out)
    }

    /// The URL of `uri`, the same as `reqwest::Url::parse` makes of it.
    fn url(&self, uri: &http::Uri) -> Result<reqwest::Url, BoxError> {
        let origin = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme @ ("https" | "http")), Some(authority)) => {
                Some((scheme, authority.as_str()))
            }
            _ => None,
        };
        let Some((scheme, authority)) = origin else {
            return Ok(reqwest::Url::parse(&uri.to_string())?);
        };
        if let Some(origin) = lock(&self.0).iter_mut().find(|o| o.is(scheme, authority)) {
            // Setting the path and query the URL already has would change nothing (a URL's
            // path and query parse to themselves), so a repeated request's URL is copied.
            let url = &mut origin.url;
            if url.path() != uri.path() || url.query() != uri.query() {
                url.set_path(uri.path());
                url.set_query(uri.query());
            }
            return Ok(url.clone());
        }
        let url = reqwest::Url::parse(&uri.to_string())?;
        let mut origins = lock(&self.0);
        if origins.iter().any(|o| o.is(scheme, authority)) {
            // Another request of the same origin got here first.
            return Ok(url);
        }
        if origins.len() >= Self::KEPT {
            origins.remove(0);
        }
        origins.push(Origin {
            scheme: scheme.to_owned(),
            authority: authority.to_owned(),
            url: url.clone(),
        });
        Ok(url)
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

    /// Answers one request on 127.0.0.1 with a response (raw HTTP/1.1 bytes) written in
    /// `pieces`, a little apart (so that the client reads them one by one).
    async fn serve_once(pieces: &'static [&'static [u8]]) -> String {
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
            for piece in pieces {
                socket.write_all(piece).await.unwrap();
                socket.flush().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            socket.shutdown().await.ok();
        });
        format!("http://{addr}/")
    }

    async fn fetch(pieces: &'static [&'static [u8]], max: usize) -> Result<Bytes, ConnectorError> {
        let url = serve_once(pieces).await;
        let settings = HttpSettings {
            proxy: ProxySetting::Disabled,
            max_response_body: max,
            ..HttpSettings::default()
        };
        let connector = ReqwestConnector::new(&settings).unwrap();
        let request = http::Request::get(url).body(Bytes::new()).unwrap();
        connector.send(request).await.map(|r| r.into_body())
    }

    const SIZED: &[&[u8]] =
        &[b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"a\":\"xyz\"}"];
    const CHUNKED: &[&[u8]] = &[b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n5\r\n{\"a\":\r\n6\r\n\"xyz\"}\r\n0\r\n\r\n"];

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
    async fn bodies_arriving_in_pieces_are_joined_in_order() {
        // The head with the body's first bytes, then the rest in two more writes.
        const SIZED_PIECES: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"a\"",
            b":\"x",
            b"yz\"}",
        ];
        const CHUNKED_PIECES: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n4\r\n{\"a\"\r\n",
            b"3\r\n:\"x\r\n",
            b"4\r\nyz\"}\r\n0\r\n\r\n",
        ];
        for pieces in [SIZED_PIECES, CHUNKED_PIECES] {
            let body = fetch(pieces, 11).await.unwrap();
            assert_eq!(body, &b"{\"a\":\"xyz\"}"[..]);
            let err = fetch(pieces, 10).await.unwrap_err();
            assert_eq!(err.kind(), ConnectorErrorKind::BodyTooLarge);
        }
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

    /// A URL made from a known origin is the one reqwest parses from the whole URI: for hosts
    /// (names, upper case, IPv4, IPv6, ports, user info), paths (dot segments, escapes, every
    /// character a URI allows) and queries, seeded random and written out.
    #[test]
    fn urls_made_from_known_origins_are_the_ones_parsed_whole() {
        let hosts = [
            "example.com",
            "EXAMPLE.Com",
            "ivschat.us-east-1.amazonaws.com",
            "xn--nxasmq6b.com",
            "127.0.0.1",
            "[::1]",
            "[2001:DB8::1]",
            "localhost",
            "user:secret@example.com",
        ];
        let ports = ["", ":443", ":80", ":8443", ":0"];
        let pieces = [
            "a", "Z", "0", "-", ".", "_", "~", "%20", "%2F", "%2e", "%25", "%", "!", "$", "&", "'",
            "(", ")", "*", "+", ",", ";", "=", ":", "@", "/", "//", "..", "./", "/../", "%7B",
            "\\", "{", "}", "|", "^", "`", "\"", "<", ">",
        ];
        let mut rng = fastrand::Rng::with_seed(17);
        let text = |rng: &mut fastrand::Rng, max: usize| -> String {
            (0..rng.usize(0..=max))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect()
        };
        let mut cases = vec![
            "https://example.com".to_owned(),
            "https://example.com/".to_owned(),
            "https://example.com/a/../b/./c?".to_owned(),
            "http://example.com:80/rooms/%2e%2e/x?b=2&a=1".to_owned(),
            "https://ivschat.us-east-1.amazonaws.com/ListRooms?maxResults=5".to_owned(),
        ];
        for _ in 0..4000 {
            let query = match rng.u8(..3) {
                0 => String::new(),
                1 => "?".to_owned(),
                _ => format!("?{}", text(&mut rng, 6)),
            };
            cases.push(format!(
                "{}://{}{}/{}{}",
                ["https", "http"][rng.usize(..2)],
                hosts[rng.usize(..hosts.len())],
                ports[rng.usize(..ports.len())],
                text(&mut rng, 8),
                query
            ));
        }
        let origins = Origins::default();
        let mut compared = 0;
        for case in &cases {
            let Ok(uri) = http::Uri::try_from(case.as_str()) else {
                continue;
            };
            let whole = reqwest::Url::parse(&uri.to_string());
            // Each URI twice (made from its origin, then copied), then the URI of the URL
            // made (its path and query as set, which may be copied too).
            let canonical = whole
                .as_ref()
                .ok()
                .and_then(|url| http::Uri::try_from(url.as_str()).ok());
            for uri in [&uri, &uri].into_iter().chain(&canonical) {
                let whole = reqwest::Url::parse(&uri.to_string());
                match (origins.url(uri), &whole) {
                    (Ok(made), Ok(whole)) => {
                        assert_eq!(made.as_str(), whole.as_str(), "{case}");
                        assert_eq!(&made, whole, "{case}");
                        compared += 1;
                    }
                    (Err(_), Err(_)) => {}
                    (made, whole) => panic!("{case}: made {made:?}, parsed whole {whole:?}"),
                }
            }
        }
        // Every origin was met again after its first request.
        assert!(compared > 6000, "only {compared} URIs compared");
        assert_eq!(lock(&origins.0).len(), Origins::KEPT);
        // The origins' user information never shows.
        assert_eq!(format!("{origins:?}"), "Origins { kept: 4 }");
    }

    #[test]
    fn a_request_for_reqwest_keeps_everything_but_its_uri_text() {
        let origins = Origins::default();
        for _ in 0..2 {
            let request = http::Request::builder()
                .method("POST")
                .uri("https://example.com/GetRoom?x=1")
                .version(http::Version::HTTP_11)
                .header("content-type", "application/json")
                .header("x-amz-date", "20240102T030405Z")
                .body(Bytes::from_static(b"{}"))
                .unwrap();
            let out = origins.request(request).unwrap();
            assert_eq!(out.method(), http::Method::POST);
            assert_eq!(out.url().as_str(), "https://example.com/GetRoom?x=1");
            assert_eq!(out.version(), http::Version::HTTP_11);
            let names: Vec<_> = out.headers().keys().map(|n| n.as_str()).collect();
            assert_eq!(names, ["content-type", "x-amz-date"]);
            let body = out.body().and_then(reqwest::Body::as_bytes);
            assert_eq!(body, Some(&b"{}"[..]));
        }
    }
}
