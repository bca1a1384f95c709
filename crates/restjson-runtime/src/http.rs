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

/// Sends HTTP requests.
pub trait HttpConnector: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole response.
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_>;
}

/// A shared connector.
#[derive(Clone, Debug)]
pub struct SharedConnector(Arc<dyn HttpConnector>);

impl SharedConnector {
    /// Wraps a connector.
    pub fn new(connector: impl HttpConnector + 'static) -> Self {
        Self(Arc::new(connector))
    }
}

impl HttpConnector for SharedConnector {
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
        self.0.call(request)
    }
}

/// Proxy choice of the default connector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
            .redirect(reqwest::redirect::Policy::none());
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
                        format!("invalid proxy URL {url:?}: {e}"),
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
        let mut builder = http::Response::builder().status(response.status());
        if let Some(headers) = builder.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(ConnectorError::new(
                    ConnectorErrorKind::BodyTooLarge,
                    format!("response body exceeds {} bytes", self.max_body),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        builder
            .body(body.freeze())
            .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))
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
        Box::pin(self.send(request))
    }
}
