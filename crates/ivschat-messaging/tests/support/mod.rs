//! A scripted WebSocket server on 127.0.0.1 for the client's fault tests: each TCP connection
//! gets the next planned handshake (written here byte by byte, so that a test can answer anything),
//! and each accepted WebSocket (tokio-websockets from then on) goes to the test as a [`Peer`] it
//! drives frame by frame.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use ivschat_messaging::{
    Attributes, ChatMessage, ChatToken, ConnectFuture, Connector, Endpoint, Io, Room, RoomBuilder,
    RoomEvent, TokenProvider,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_websockets::{CloseCode, Limits, Message, ServerBuilder, WebSocketStream};

/// What the server does with the next TCP connection.
#[derive(Clone, Debug)]
pub enum Handshake {
    /// Upgrade, selecting the offered subprotocol (the token), as the service does.
    Accept,
    /// Upgrade without selecting a subprotocol.
    AcceptWithoutProtocol,
    /// Upgrade, selecting this subprotocol instead of the token.
    AcceptWithProtocol(String),
    /// Refuse the upgrade with this HTTP status.
    Reject(u16),
    /// Start a `101` answer with a header line that never ends.
    EndlessHeaders,
    /// Keep the TCP connection open and never answer.
    Hang,
}

/// A recorded upgrade request.
#[derive(Clone, Debug)]
pub struct Upgrade {
    pub path: String,
    pub protocol: Option<String>,
    /// The request's header lines, as sent.
    pub headers: Vec<String>,
}

/// A WebSocket message as the tests write and read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// Code (1005 when the frame had none) and reason.
    Close(u16, String),
}

impl From<Message> for Frame {
    fn from(m: Message) -> Self {
        if let Some(text) = m.as_text() {
            Frame::Text(text.to_owned())
        } else if let Some((code, reason)) = m.as_close() {
            Frame::Close(code.into(), reason.to_owned())
        } else if m.is_ping() {
            Frame::Ping(m.as_payload().to_vec())
        } else if m.is_pong() {
            Frame::Pong(m.as_payload().to_vec())
        } else {
            Frame::Binary(m.as_payload().to_vec())
        }
    }
}

impl From<Frame> for Message {
    fn from(f: Frame) -> Self {
        match f {
            Frame::Text(t) => Message::text(t),
            Frame::Binary(b) => Message::binary(b),
            Frame::Ping(p) => Message::ping(p),
            Frame::Pong(p) => Message::pong(p),
            Frame::Close(code, reason) => {
                Message::close(Some(CloseCode::try_from(code).unwrap()), &reason)
            }
        }
    }
}

pub struct Server {
    pub addr: SocketAddr,
    plans: Arc<Mutex<VecDeque<Handshake>>>,
    upgrades: Arc<Mutex<Vec<Upgrade>>>,
    connections: Arc<AtomicUsize>,
    peers: mpsc::UnboundedReceiver<Peer>,
    memory: Option<MemoryConnector>,
}

/// Connects rooms to an in-memory server: no kernel in between, so Tokio's paused clock only
/// moves when every task waits for a timer, and timing tests are exact.
#[derive(Clone)]
pub struct MemoryConnector(mpsc::UnboundedSender<Box<dyn Io>>);

impl Connector for MemoryConnector {
    fn connect<'a>(&'a self, _: &'a Endpoint) -> ConnectFuture<'a> {
        Box::pin(async move {
            let (client, server) = tokio::io::duplex(64 * 1024);
            self.0
                .send(Box::new(server))
                .map_err(|_| std::io::Error::other("the server stopped"))?;
            Ok(Box::new(client) as Box<dyn Io>)
        })
    }
}

struct Shared {
    plans: Arc<Mutex<VecDeque<Handshake>>>,
    upgrades: Arc<Mutex<Vec<Upgrade>>>,
    connections: Arc<AtomicUsize>,
    peers: mpsc::UnboundedSender<Peer>,
    /// Connections planned to hang, kept open.
    hung: Vec<Box<dyn Io>>,
}

impl Shared {
    fn serve(&mut self, stream: Box<dyn Io>) {
        self.connections.fetch_add(1, Ordering::SeqCst);
        let plan = self
            .plans
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Handshake::Accept);
        if let Handshake::Hang = plan {
            self.hung.push(stream);
            return;
        }
        tokio::spawn(upgrade(
            stream,
            plan,
            self.upgrades.clone(),
            self.peers.clone(),
        ));
    }
}

impl Server {
    /// A server on 127.0.0.1 (TLS when an acceptor is given).
    pub async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (mut server, mut shared) = Self::new(addr);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let stream: Box<dyn Io> = match &tls {
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(s) => Box::new(s),
                        Err(_) => continue,
                    },
                    None => Box::new(tcp),
                };
                shared.serve(stream);
            }
        });
        server.memory = None;
        server
    }

    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A server reached through [`MemoryConnector`] (see [`Server::room`]).
    pub fn in_memory() -> Self {
        let (mut server, mut shared) = Self::new(SocketAddr::from(([127, 0, 0, 1], 9)));
        let (tx, mut streams) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(stream) = streams.recv().await {
                shared.serve(stream);
            }
        });
        server.memory = Some(MemoryConnector(tx));
        server
    }

    fn new(addr: SocketAddr) -> (Self, Shared) {
        let plans = Arc::new(Mutex::new(VecDeque::new()));
        let upgrades = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (tx, peers) = mpsc::unbounded_channel();
        let shared = Shared {
            plans: plans.clone(),
            upgrades: upgrades.clone(),
            connections: connections.clone(),
            peers: tx,
            hung: Vec::new(),
        };
        let server = Self {
            addr,
            plans,
            upgrades,
            connections,
            peers,
            memory: None,
        };
        (server, shared)
    }

    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// The connector of an in-memory server.
    pub fn connector(&self) -> MemoryConnector {
        self.memory.clone().expect("an in-memory server")
    }

    /// A room builder for this server, with `tokens`.
    pub fn room(&self, tokens: impl TokenProvider) -> RoomBuilder {
        let builder = Room::builder(Endpoint::url(&self.url()).unwrap(), tokens);
        match &self.memory {
            Some(connector) => builder.connector(connector.clone()),
            None => builder,
        }
    }

    /// Plans the handshakes of the next connections (then `Accept`).
    pub fn plan(&self, plans: impl IntoIterator<Item = Handshake>) {
        self.plans.lock().unwrap().extend(plans);
    }

    pub fn upgrades(&self) -> Vec<Upgrade> {
        self.upgrades.lock().unwrap().clone()
    }

    /// How many connections (TCP or in memory) the server received.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The next upgraded connection.
    pub async fn accept(&mut self) -> Peer {
        tokio::time::timeout(Duration::from_secs(300), self.peers.recv())
            .await
            .expect("no connection came")
            .expect("server stopped")
    }
}

/// Reads an HTTP request head (at most 64 KiB): the request target and the header lines.
async fn read_request(stream: &mut Box<dyn Io>) -> Option<(String, Vec<String>)> {
    let mut head = Vec::new();
    let mut chunk = [0; 1024];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
    let target = lines.next()?.split(' ').nth(1)?.to_owned();
    Some((target, lines.map(str::to_owned).collect()))
}

fn header<'a>(headers: &'a [String], name: &str) -> Option<&'a str> {
    headers.iter().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// `Sec-WebSocket-Accept` for a key (RFC 6455 section 4.2.2).
fn accept_key(key: &str) -> String {
    let mut sha1 = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    sha1.update(key.as_bytes());
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha1.finish())
}

async fn upgrade(
    mut stream: Box<dyn Io>,
    plan: Handshake,
    upgrades: Arc<Mutex<Vec<Upgrade>>>,
    peers: mpsc::UnboundedSender<Peer>,
) {
    let Some((path, headers)) = read_request(&mut stream).await else {
        return;
    };
    let protocol = header(&headers, "Sec-WebSocket-Protocol").map(str::to_owned);
    let key = header(&headers, "Sec-WebSocket-Key").unwrap_or_default();
    let accept = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
        accept_key(key)
    );
    upgrades.lock().unwrap().push(Upgrade {
        path,
        protocol: protocol.clone(),
        headers: headers.clone(),
    });
    let answer = match &plan {
        Handshake::Accept => match &protocol {
            Some(p) => format!("{accept}Sec-WebSocket-Protocol: {p}\r\n\r\n"),
            None => format!("{accept}\r\n"),
        },
        Handshake::AcceptWithoutProtocol => format!("{accept}\r\n"),
        Handshake::AcceptWithProtocol(p) => format!("{accept}Sec-WebSocket-Protocol: {p}\r\n\r\n"),
        Handshake::Reject(status) => format!(
            "HTTP/1.1 {status} Refused\r\nContent-Type: application/json\r\nContent-Length: 22\r\nConnection: close\r\n\r\n{{\"message\":\"refused\"}}"
        ),
        Handshake::EndlessHeaders => {
            let _ = stream.write_all(accept.as_bytes()).await;
            let _ = stream.write_all(b"X-Padding: ").await;
            // One header line that never ends, until the client gives up (or 64 MiB, to end
            // the test rather than hang it).
            let padding = [b'x'; 1024];
            for _ in 0..64 * 1024 {
                if stream.write_all(&padding).await.is_err() {
                    return;
                }
            }
            return;
        }
        Handshake::Hang => unreachable!("hung connections are kept by the server"),
    };
    if stream.write_all(answer.as_bytes()).await.is_err() || !matches!(plan, Handshake::Accept) {
        // The client fails the others; the stream is held until it closes it.
        let _ = stream.read(&mut [0; 64]).await;
        return;
    }
    let ws = ServerBuilder::new()
        .limits(Limits::unlimited())
        .serve(stream);
    let (commands, rx) = mpsc::unbounded_channel();
    let (tx, received) = mpsc::unbounded_channel();
    tokio::spawn(drive(ws, rx, tx));
    let _ = peers.send(Peer {
        token: protocol.unwrap_or_default(),
        commands,
        received,
    });
}

enum PeerCommand {
    Send(Vec<Frame>, oneshot::Sender<()>),
    Close(u16, String, oneshot::Sender<()>),
    Freeze(bool),
}

/// Owns one server socket: reads all the time (so that the client's pings are answered), like a
/// live server, until told to freeze; dropping the `Peer` drops the TCP connection abruptly.
async fn drive(
    mut ws: WebSocketStream<Box<dyn Io>>,
    mut commands: mpsc::UnboundedReceiver<PeerCommand>,
    received: mpsc::UnboundedSender<Frame>,
) {
    let mut frozen = false;
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(PeerCommand::Send(frames, done)) => {
                    for f in frames {
                        if ws.feed(f.into()).await.is_err() {
                            break;
                        }
                    }
                    let _ = ws.flush().await;
                    let _ = done.send(());
                }
                Some(PeerCommand::Close(code, reason, done)) => {
                    let _ = ws.send(Frame::Close(code, reason).into()).await;
                    // The client's close reply ends the stream; then the TCP connection closes.
                    while let Some(Ok(m)) = ws.next().await {
                        let _ = received.send(m.into());
                    }
                    let _ = done.send(());
                    return;
                }
                Some(PeerCommand::Freeze(on)) => frozen = on,
                None => return,
            },
            message = ws.next(), if !frozen => match message {
                Some(Ok(m)) => {
                    let _ = received.send(m.into());
                }
                _ => {
                    // Keep the commands flowing (sends fail quietly) until the test drops us.
                    frozen = true;
                }
            },
        }
    }
}

/// One accepted WebSocket, driven by the test.
pub struct Peer {
    /// The subprotocol the client offered: its chat token.
    pub token: String,
    commands: mpsc::UnboundedSender<PeerCommand>,
    received: mpsc::UnboundedReceiver<Frame>,
}

impl Peer {
    /// The next frame the client sent, pings and pongs included.
    pub async fn recv_raw(&mut self) -> Option<Frame> {
        tokio::time::timeout(Duration::from_secs(300), self.received.recv())
            .await
            .expect("the client sent nothing")
    }

    /// The next frame the client sent other than pings and pongs.
    pub async fn recv(&mut self) -> Option<Frame> {
        loop {
            match self.recv_raw().await {
                Some(Frame::Ping(_) | Frame::Pong(_)) => continue,
                other => return other,
            }
        }
    }

    pub async fn recv_text(&mut self) -> String {
        match self.recv().await {
            Some(Frame::Text(t)) => t,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    pub async fn send(&mut self, frames: Vec<Frame>) {
        let (done, sent) = oneshot::channel();
        if self.commands.send(PeerCommand::Send(frames, done)).is_ok() {
            let _ = sent.await;
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send(vec![Frame::Text(text.to_owned())]).await;
    }

    /// Sends many frames with one flush.
    pub async fn send_all(&mut self, texts: impl IntoIterator<Item = String>) {
        self.send(texts.into_iter().map(Frame::Text).collect())
            .await;
    }

    /// A close handshake started by the server, then the end of the TCP connection.
    pub async fn close(&mut self, code: u16, reason: &str) {
        let (done, closed) = oneshot::channel();
        if self
            .commands
            .send(PeerCommand::Close(code, reason.to_owned(), done))
            .is_ok()
        {
            let _ = closed.await;
        }
    }

    /// Stops reading: the client's frames and pings go unanswered, and what the server sends
    /// meanwhile is what it sent before seeing them.
    pub fn freeze(&self) {
        let _ = self.commands.send(PeerCommand::Freeze(true));
    }

    /// Reads again.
    pub fn thaw(&self) {
        let _ = self.commands.send(PeerCommand::Freeze(false));
    }
}

/// A `wss://` server with the test certificate authority (`support/tls`).
pub mod tls {
    use std::sync::Arc;

    use ivschat_messaging::Endpoint;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    use super::Server;

    const CA: &[u8] = include_bytes!("tls/ca.pem");
    const LEAF: &[u8] = include_bytes!("tls/leaf.pem");
    const KEY: &[u8] = include_bytes!("tls/leaf-key.pem");

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// A TLS server on 127.0.0.1 with a certificate of the test CA.
    pub async fn tls_server() -> Server {
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(LEAF).unwrap()],
                PrivateKeyDer::from_pem_slice(KEY).unwrap(),
            )
            .unwrap();
        Server::start_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    /// A client configuration trusting the test CA only.
    pub fn trusting_ca() -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(CA).unwrap())
            .unwrap();
        Arc::new(
            rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    pub fn url(server: &Server) -> Endpoint {
        Endpoint::url(&format!("wss://127.0.0.1:{}/", server.addr.port())).unwrap()
    }
}

/// `room` sends a message with a secret content and attribute, and `peer` answers with a MESSAGE
/// full of secrets (content, attributes, sender id and attributes): what the privacy tests feed
/// the client. The delivered message comes back.
pub async fn exchange_secrets(room: &Room, peer: &mut Peer) -> ChatMessage {
    let attributes = Attributes::from([("attr".to_owned(), "attribute-SECRET".to_owned())]);
    let serve = async {
        let id = request_id(&peer.recv_text().await);
        peer.send_text(&format!(
            r#"{{"Type":"MESSAGE","Id":"Msg000000001","RequestId":"{id}","Content":"content-SECRET","Attributes":{{"attr":"attribute-SECRET"}},"SendTime":"2024-01-02T03:04:05Z","Sender":{{"UserId":"sender-SECRET","Attributes":{{"a":"sender-attribute-SECRET"}}}}}}"#
        ))
        .await;
    };
    let (sent, ()) = tokio::join!(
        room.send_message("content-SECRET", Some(&attributes)),
        serve
    );
    sent.expect("the message is answered")
}

/// Reads the `RequestId` of a client frame.
pub fn request_id(frame: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(frame).expect("client frame is JSON");
    value["RequestId"].as_str().expect("RequestId").to_owned()
}

pub fn message(id: &str, request_id: Option<&str>, content: &str) -> String {
    let request_id = request_id
        .map(|r| format!(r#""RequestId":"{r}","#))
        .unwrap_or_default();
    format!(
        r#"{{"Type":"MESSAGE","Id":"{id}",{request_id}"Content":"{content}","SendTime":"2024-01-02T03:04:05.123456789Z","Sender":{{"UserId":"user-1","Attributes":{{"name":"Ann"}}}},"Attributes":null}}"#
    )
}

pub fn error(id: &str, request_id: Option<&str>, code: i64, text: &str) -> String {
    let request_id = request_id
        .map(|r| format!(r#""RequestId":"{r}","#))
        .unwrap_or_default();
    format!(
        r#"{{"Type":"ERROR","Id":"{id}",{request_id}"ErrorCode":{code},"ErrorMessage":"{text}"}}"#
    )
}

/// What [`provider`] returns.
pub type Provider = Box<dyn Fn() -> TokenFuture + Send + Sync>;
type TokenFuture = std::future::Ready<Result<ChatToken, String>>;

/// A provider that answers call `n` (from 1) with `answer(n)`, and counts the calls.
pub fn provider(
    answer: impl Fn(usize) -> Result<ChatToken, String> + Send + Sync + 'static,
) -> (Provider, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let calls = count.clone();
    let provider = move || std::future::ready(answer(calls.fetch_add(1, Ordering::SeqCst) + 1));
    (Box::new(provider), count)
}

/// A provider of `token-1`, `token-2`, ... whose sessions last `session` (if given).
pub fn tokens(session: Option<Duration>) -> (Provider, Arc<AtomicUsize>) {
    provider(move |n| {
        let token = ChatToken::new(format!("token-{n}"));
        Ok(match session {
            Some(session) => token.with_session_expiration_time(SystemTime::now() + session),
            None => token,
        })
    })
}

/// A short description of an event, for exact assertions on what a stream delivered.
pub fn describe(event: &RoomEvent) -> String {
    match event {
        RoomEvent::Message(m) => format!("message {} {}", m.id, m.content),
        RoomEvent::Event(e) => format!("event {} {}", e.id, e.event_name),
        RoomEvent::MessageDeleted(d) => format!("deleted {} by {}", d.message_id, d.id),
        RoomEvent::UserDisconnected(d) => format!("user disconnected by {}", d.id),
        RoomEvent::Error(e) => format!("error {} {}", e.id, e.code.as_i64()),
        RoomEvent::Unknown(u) => format!("unknown {} {}", u.frame_type, u.id),
        RoomEvent::InvalidFrame(e) => format!("invalid: {e}"),
        RoomEvent::Connecting {
            attempt,
            after: None,
        } => format!("connecting {attempt}"),
        RoomEvent::Connecting {
            attempt,
            after: Some(e),
        } => format!("connecting {attempt} after: {e}"),
        RoomEvent::Connected => "connected".to_owned(),
        RoomEvent::Disconnected(reason) => format!("disconnected: {reason}"),
        RoomEvent::ConnectionProblem(e) => format!("problem: {e}"),
        RoomEvent::Lagged { skipped } => format!("lagged {skipped}"),
        other => format!("{other:?}"),
    }
}

/// The next event, described.
pub async fn next(events: &mut ivschat_messaging::Events) -> String {
    let event = tokio::time::timeout(Duration::from_secs(300), events.recv())
        .await
        .expect("no event came")
        .expect("the stream ended");
    describe(&event)
}

/// Every event already buffered, described.
pub fn drain(events: &mut ivschat_messaging::Events) -> Vec<String> {
    std::iter::from_fn(|| events.try_recv())
        .map(|e| describe(&e))
        .collect()
}
