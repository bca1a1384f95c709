//! Opening one WebSocket connection: DNS and TCP (tokio), TLS (rustls with ring and the
//! webpki roots: the control-plane client's stack), the upgrade (tokio-websockets) with the token
//! as the subprotocol.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};

use http::HeaderValue;
use http::header::SEC_WEBSOCKET_PROTOCOL;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_websockets::upgrade::Error as UpgradeError;
use tokio_websockets::{ClientBuilder, Error as WsError, Limits, WebSocketStream};

use crate::endpoint::Endpoint;
use crate::error::ConnectionError;

/// The largest frame or message accepted from the server. Protocol frames are a few kilobytes
/// (content of at most 500 code points, attributes of about 1 KB); anything near this limit is a
/// broken or hostile peer, and the connection is dropped rather than the memory spent.
pub(crate) const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The most bytes read before the upgrade response is complete: a real one is a few hundred
/// bytes, and a server that streams headers without end must not fill the memory.
const MAX_HANDSHAKE_BYTES: usize = 16 * 1024;

/// The most bytes one read takes during the upgrade.
const HANDSHAKE_READ: usize = 1024;

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
enum Inner {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Custom(Box<dyn Io>),
}

/// The byte stream under a WebSocket, which limits what the upgrade may read.
pub(crate) struct Stream {
    inner: Inner,
    /// Bytes the upgrade may still read; `None` once the WebSocket is open.
    handshake_budget: Option<usize>,
}

impl Stream {
    fn new(inner: Inner) -> Self {
        Self {
            inner,
            handshake_budget: Some(MAX_HANDSHAKE_BYTES),
        }
    }
}

/// Calls an `AsyncRead`/`AsyncWrite` method on whichever stream is inside.
macro_rules! on_inner {
    ($inner:expr, $method:ident($($arg:expr),*)) => {
        match $inner {
            Inner::Plain(s) => Pin::new(s).$method($($arg),*),
            Inner::Tls(s) => Pin::new(&mut **s).$method($($arg),*),
            Inner::Custom(s) => Pin::new(&mut **s).$method($($arg),*),
        }
    };
}

/// What ends a handshake whose response does not end.
#[derive(Debug)]
struct HandshakeTooLarge;

impl std::fmt::Display for HandshakeTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the upgrade response is not complete after {MAX_HANDSHAKE_BYTES} bytes"
        )
    }
}

impl std::error::Error for HandshakeTooLarge {}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let Some(budget) = this.handshake_budget else {
            return on_inner!(&mut this.inner, poll_read(cx, buf));
        };
        if budget == 0 {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                HandshakeTooLarge,
            )));
        }
        // Read into a window of at most `budget` bytes, zeroed first (no unsafe code here). The
        // window is small: zeroing all of the read buffer would make every page of it resident,
        // for every connection, while an upgrade response is a few hundred bytes.
        let window = buf.initialize_unfilled_to(budget.min(buf.remaining()).min(HANDSHAKE_READ));
        let mut limited = ReadBuf::new(window);
        ready!(on_inner!(&mut this.inner, poll_read(cx, &mut limited)))?;
        let read = limited.filled().len();
        buf.advance(read);
        this.handshake_budget = Some(budget - read);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        on_inner!(&mut self.get_mut().inner, poll_write(cx, buf))
    }

    // A frame goes out as its header and its payload: one system call for both on TCP.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        on_inner!(&mut self.get_mut().inner, poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match &self.inner {
            Inner::Plain(s) => s.is_write_vectored(),
            Inner::Tls(s) => s.is_write_vectored(),
            Inner::Custom(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_inner!(&mut self.get_mut().inner, poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_inner!(&mut self.get_mut().inner, poll_shutdown(cx))
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
        Some(connector) => Inner::Custom(connector.connect(endpoint).await.map_err(io_error)?),
        None => connect(endpoint, tls).await?,
    };
    handshake(endpoint, token, Stream::new(stream)).await
}

async fn connect(
    endpoint: &Endpoint,
    tls: Option<&Arc<ClientConfig>>,
) -> Result<Inner, ConnectionError> {
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
        Inner::Tls(Box::new(tls))
    } else {
        Inner::Plain(tcp)
    })
}

async fn handshake(
    endpoint: &Endpoint,
    token: &str,
    stream: Stream,
) -> Result<Socket, ConnectionError> {
    let mut protocol = HeaderValue::from_str(token).map_err(|_| ConnectionError::InvalidToken)?;
    protocol.set_sensitive(true);
    let builder = ClientBuilder::from_uri(endpoint.uri().clone())
        .limits(Limits::default().max_payload_len(Some(MAX_MESSAGE_BYTES)))
        .add_header(SEC_WEBSOCKET_PROTOCOL, protocol.clone())
        .map_err(|e| ConnectionError::Protocol(Arc::new(e)))?;
    match builder.connect_on(stream).await {
        Ok((mut socket, response)) => {
            // RFC 6455 4.1: a client fails the connection unless the server selected one of the
            // subprotocols it offered; the token is the only one.
            if response.headers().get(SEC_WEBSOCKET_PROTOCOL) != Some(&protocol) {
                return Err(ConnectionError::SubprotocolNotEchoed);
            }
            socket.get_mut().handshake_budget = None;
            Ok(socket)
        }
        Err(WsError::Upgrade(UpgradeError::DidNotSwitchProtocols(status))) => {
            Err(ConnectionError::HandshakeRejected { status })
        }
        Err(WsError::Io(e)) if e.get_ref().is_some_and(|e| e.is::<HandshakeTooLarge>()) => {
            Err(ConnectionError::Protocol(Arc::new(e)))
        }
        Err(WsError::Io(e)) => Err(io_error(e)),
        Err(e) => Err(ConnectionError::Protocol(Arc::new(e))),
    }
}
