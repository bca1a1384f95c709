//! A scripted WebSocket server on 127.0.0.1 for the client's fault tests: each TCP connection
//! gets the next planned handshake, and each accepted WebSocket goes to the test as a [`Peer`] it
//! drives frame by frame.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::{SinkExt, StreamExt};
use ivschat_messaging::{
    ChatToken, ConnectFuture, Connector, Endpoint, Io, Room, RoomBuilder, RoomEvent, TokenProvider,
};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// What the server does with the next TCP connection.
#[derive(Clone, Debug)]
pub enum Handshake {
    /// Upgrade, selecting the offered subprotocol (the token), as the service does.
    Accept,
    /// Upgrade without selecting a subprotocol.
    AcceptWithoutProtocol,
    /// Refuse the upgrade with this HTTP status.
    Reject(u16),
    /// Keep the TCP connection open and never answer.
    Hang,
}

/// A recorded upgrade request.
#[derive(Clone, Debug)]
pub struct Upgrade {
    pub path: String,
    pub protocol: Option<String>,
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

// The handshake callback's error type is tungstenite's.
#[allow(clippy::result_large_err)]
async fn upgrade(
    stream: Box<dyn Io>,
    plan: Handshake,
    upgrades: Arc<Mutex<Vec<Upgrade>>>,
    peers: mpsc::UnboundedSender<Peer>,
) {
    let mut token = None;
    let callback = |request: &Request, mut response: Response| {
        let protocol = request
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        upgrades.lock().unwrap().push(Upgrade {
            path: request
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            protocol: protocol.clone(),
        });
        token = protocol.clone();
        match plan {
            Handshake::Reject(status) => {
                let mut refusal = ErrorResponse::new(Some("refused".to_owned()));
                *refusal.status_mut() = StatusCode::from_u16(status).unwrap();
                Err(refusal)
            }
            Handshake::AcceptWithoutProtocol => Ok(response),
            _ => {
                if let Some(p) = protocol {
                    response
                        .headers_mut()
                        .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(&p).unwrap());
                }
                Ok(response)
            }
        }
    };
    let accepted = matches!(plan, Handshake::Accept);
    if let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await
        && accepted
    {
        let (commands, rx) = mpsc::unbounded_channel();
        let (tx, received) = mpsc::unbounded_channel();
        tokio::spawn(drive(ws, rx, tx));
        let _ = peers.send(Peer {
            token: token.unwrap_or_default(),
            commands,
            received,
        });
    }
}

enum PeerCommand {
    Send(Vec<Message>, oneshot::Sender<()>),
    Close(u16, String, oneshot::Sender<()>),
    Freeze(bool),
}

/// Owns one server socket: reads all the time (so tungstenite answers the client's pings), like a
/// live server, until told to freeze; dropping the `Peer` drops the TCP connection abruptly.
async fn drive(
    mut ws: WebSocketStream<Box<dyn Io>>,
    mut commands: mpsc::UnboundedReceiver<PeerCommand>,
    received: mpsc::UnboundedSender<Message>,
) {
    let mut frozen = false;
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(PeerCommand::Send(messages, done)) => {
                    for m in messages {
                        if ws.feed(m).await.is_err() {
                            break;
                        }
                    }
                    let _ = ws.flush().await;
                    let _ = done.send(());
                }
                Some(PeerCommand::Close(code, reason, done)) => {
                    let frame = CloseFrame { code: code.into(), reason: reason.into() };
                    let _ = ws.close(Some(frame)).await;
                    // The client's close reply ends the stream; then the TCP connection closes.
                    while let Some(Ok(m)) = ws.next().await {
                        let _ = received.send(m);
                    }
                    let _ = done.send(());
                    return;
                }
                Some(PeerCommand::Freeze(on)) => frozen = on,
                None => return,
            },
            message = ws.next(), if !frozen => match message {
                Some(Ok(m)) => {
                    let _ = received.send(m);
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
    received: mpsc::UnboundedReceiver<Message>,
}

impl Peer {
    /// The next frame the client sent, pings and pongs included.
    pub async fn recv_raw(&mut self) -> Option<Message> {
        tokio::time::timeout(Duration::from_secs(300), self.received.recv())
            .await
            .expect("the client sent nothing")
    }

    /// The next frame the client sent other than pings and pongs.
    pub async fn recv(&mut self) -> Option<Message> {
        loop {
            match self.recv_raw().await {
                Some(Message::Ping(_) | Message::Pong(_)) => continue,
                other => return other,
            }
        }
    }

    pub async fn recv_text(&mut self) -> String {
        match self.recv().await {
            Some(Message::Text(t)) => t.as_str().to_owned(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    pub async fn send(&mut self, messages: Vec<Message>) {
        let (done, sent) = oneshot::channel();
        if self
            .commands
            .send(PeerCommand::Send(messages, done))
            .is_ok()
        {
            let _ = sent.await;
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send(vec![Message::Text(text.into())]).await;
    }

    /// Sends many frames with one flush.
    pub async fn send_all(&mut self, texts: impl IntoIterator<Item = String>) {
        self.send(texts.into_iter().map(|t| Message::Text(t.into())).collect())
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

/// A provider that answers call `n` (from 1) with `answer(n)`, and counts the calls.
pub fn provider(
    answer: impl Fn(usize) -> Result<ChatToken, String> + Send + Sync + 'static,
) -> (impl TokenProvider, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let calls = count.clone();
    let provider = move || {
        let answer = answer(calls.fetch_add(1, Ordering::SeqCst) + 1);
        async move { answer }
    };
    (provider, count)
}

/// A provider of `token-1`, `token-2`, ... whose sessions last `session` (if given).
pub fn tokens(session: Option<Duration>) -> (impl TokenProvider, Arc<AtomicUsize>) {
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
