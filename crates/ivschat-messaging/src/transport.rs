//! Opening one WebSocket connection: DNS and TCP (tokio), TLS (rustls with ring and the
//! webpki roots: the control-plane client's stack), the upgrade (tungstenite) with the token as
//! the subprotocol.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::endpoint::Endpoint;
use crate::error::ConnectionError;

/// The largest frame or message accepted from the server. Protocol frames are a few kilobytes
/// (content of at most 500 code points, attributes of about 1 KB); anything near this limit is a
/// broken or hostile peer, and the connection is dropped rather than the memory spent.
pub(crate) const MAX_MESSAGE_BYTES: usize = 1 << 20;

pub(crate) type Socket = WebSocketStream<Stream>;

/// The default TLS configuration, shared by every room of the process: the webpki roots, ring.
fn default_tls() -> Result<Arc<ClientConfig>, ConnectionError> {
    static DEFAULT: OnceLock<Result<Arc<ClientConfig>, rustls::Error>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
        })
        .clone()
        .map_err(|e| ConnectionError::Tls(Arc::new(e)))
}

/// A byte stream a WebSocket can run over (what a [`Connector`] returns).
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// The future a [`Connector`] returns.
pub type ConnectFuture<'a> = Pin<Box<dyn Future<Output = io::Result<Box<dyn Io>>> + Send + 'a>>;

/// Opens the byte streams a room's connections run over, in place of the built-in DNS, TCP and
/// TLS: to go through a proxy or a tunnel, or to run a test against an in-memory server.
///
/// The WebSocket upgrade, with the token as the subprotocol, still happens over the returned
/// stream; for a `wss://` endpoint the connector must do the TLS itself. The connect timeout
/// applies.
pub trait Connector: Send + Sync + 'static {
    /// A new stream to the endpoint's host.
    fn connect<'a>(&'a self, endpoint: &'a Endpoint) -> ConnectFuture<'a>;
}

/// Plain TCP, TLS over TCP, or a connector's stream.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Custom(Box<dyn Io>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_read(cx, buf),
            Self::Custom(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_write(cx, buf),
            Self::Custom(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s).poll_flush(cx),
            Self::Custom(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s).poll_shutdown(cx),
            Self::Custom(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

fn io_error(e: io::Error) -> ConnectionError {
    let is_tls = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
    if is_tls {
        ConnectionError::Tls(Arc::new(e))
    } else {
        ConnectionError::Io(Arc::new(e))
    }
}

/// Opens a connection authenticated by `token` (already checked to be a valid subprotocol).
/// No timeout here: the caller bounds the whole attempt.
pub(crate) async fn open(
    endpoint: &Endpoint,
    token: &str,
    tls: Option<&Arc<ClientConfig>>,
    connector: Option<&dyn Connector>,
) -> Result<Socket, ConnectionError> {
    let stream = match connector {
        Some(connector) => Stream::Custom(connector.connect(endpoint).await.map_err(io_error)?),
        None => connect(endpoint, tls).await?,
    };
    handshake(endpoint, token, stream).await
}

async fn connect(
    endpoint: &Endpoint,
    tls: Option<&Arc<ClientConfig>>,
) -> Result<Stream, ConnectionError> {
    let (host, port) = endpoint.host_and_port();
    let tcp = TcpStream::connect((host, port)).await.map_err(io_error)?;
    // Frames are small and latency matters more than packet count.
    tcp.set_nodelay(true).map_err(io_error)?;
    Ok(if endpoint.is_secure() {
        let name =
            ServerName::try_from(host.to_owned()).map_err(|e| ConnectionError::Tls(Arc::new(e)))?;
        let config = match tls {
            Some(config) => config.clone(),
            None => default_tls()?,
        };
        let tls = TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(io_error)?;
        Stream::Tls(Box::new(tls))
    } else {
        Stream::Plain(tcp)
    })
}

async fn handshake(
    endpoint: &Endpoint,
    token: &str,
    stream: Stream,
) -> Result<Socket, ConnectionError> {
    let mut request = endpoint
        .uri()
        .into_client_request()
        .map_err(|e| ConnectionError::Protocol(Arc::new(e)))?;
    let protocol = HeaderValue::from_str(token).map_err(|_| ConnectionError::InvalidToken)?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol);

    let config = WebSocketConfig::default()
        // Small buffers keep idle connections cheap; they grow for larger frames.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(16 * 1024)
        .max_write_buffer_size(MAX_MESSAGE_BYTES)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    match tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await {
        Ok((socket, _response)) => Ok(socket),
        Err(WsError::Http(response)) => Err(ConnectionError::HandshakeRejected {
            status: response.status().as_u16(),
        }),
        Err(WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(_))) => {
            Err(ConnectionError::SubprotocolNotEchoed)
        }
        Err(WsError::Io(e)) => Err(io_error(e)),
        Err(e) => Err(ConnectionError::Protocol(Arc::new(e))),
    }
}
