//! The room handle: configuration, connecting, requests, events.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tracing::Instrument;

use crate::commands::Commands;
use crate::driver::{Command, Driver, Request};
use crate::endpoint::Endpoint;
use crate::error::{ConnectionError, FrameError, RequestError};
use crate::event::{ConnectionState, DisconnectReason, RoomEvent};
use crate::frame::{self, Action};
use crate::queue::{Events, Subscribers};
use crate::token::{RefreshDeadline, TokenProvider};
use crate::transport::Connector;
use crate::types::{Attributes, ChatMessage, MessageDeleted, UserDisconnected};

/// Default [`RoomBuilder::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`RoomBuilder::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default [`RoomBuilder::ping_interval`].
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(15);
/// Default [`RoomBuilder::pong_timeout`].
pub const DEFAULT_PONG_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`RoomBuilder::max_connect_attempts`].
pub const DEFAULT_MAX_CONNECT_ATTEMPTS: u32 = 5;
/// Default initial delay of [`RoomBuilder::backoff`].
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default maximum delay of [`RoomBuilder::backoff`].
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Default [`RoomBuilder::event_buffer`].
pub const DEFAULT_EVENT_BUFFER: usize = 1024;

pub(crate) struct Config {
    pub(crate) endpoint: Endpoint,
    pub(crate) request_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) event_buffer: usize,
    pub(crate) proactive_refresh: bool,
    pub(crate) refresh_deadline: RefreshDeadline,
    pub(crate) jitter_seed: Option<u64>,
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) connector: Option<Arc<dyn Connector>>,
}

/// State shared by the handles and the connection task.
pub(crate) struct Shared {
    pub(crate) subscribers: Subscribers,
    pub(crate) commands: Commands,
    state: AtomicU8,
}

impl Shared {
    pub(crate) fn state(&self) -> ConnectionState {
        match self.state.load(Ordering::Acquire) {
            1 => ConnectionState::Connecting,
            2 => ConnectionState::Connected,
            _ => ConnectionState::Disconnected,
        }
    }

    pub(crate) fn set_state(&self, state: ConnectionState) {
        let n = match state {
            ConnectionState::Disconnected => 0,
            ConnectionState::Connecting => 1,
            ConnectionState::Connected => 2,
        };
        self.state.store(n, Ordering::Release);
    }
}

/// Options of a [`Room`], from [`Room::builder`]. Every option has a documented default.
pub struct RoomBuilder {
    config: Config,
    tokens: Arc<dyn TokenProvider>,
}

impl RoomBuilder {
    /// How long a request (`send_message`, `delete_message`, `disconnect_user`) waits for its
    /// answer before failing with [`RequestError::Timeout`]. Default
    /// [`DEFAULT_REQUEST_TIMEOUT`] (10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// The bound on one connection attempt: getting a token, DNS, TCP, TLS and the WebSocket
    /// upgrade together. Default [`DEFAULT_CONNECT_TIMEOUT`] (15 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How long a connection may stay silent before the room sends a WebSocket ping. Default
    /// [`DEFAULT_PING_INTERVAL`] (15 s).
    ///
    /// A dead connection is detected within `ping_interval + pong_timeout` of the last frame
    /// received (25 s by default) and replaced.
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.config.ping_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How long to wait for any frame after a ping before the connection counts as dead; also the
    /// bound on a write to the connection, and on the close handshake of a replaced connection.
    /// Default [`DEFAULT_PONG_TIMEOUT`] (10 s).
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.config.pong_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How many connection attempts in a row may fail before the room gives up and reports
    /// [`DisconnectReason::Failed`] (at least 1). Default [`DEFAULT_MAX_CONNECT_ATTEMPTS`] (5).
    ///
    /// A connection that breaks less than 10 seconds after it opened counts as a failed attempt,
    /// so a server that accepts and drops connections cannot keep the room reconnecting forever.
    pub fn max_connect_attempts(mut self, attempts: u32) -> Self {
        self.config.max_attempts = attempts.max(1);
        self
    }

    /// The delay before retry `n` (after `n` failed attempts) is drawn between half and all of
    /// `min(max, initial × 2^(n-1))`. The first attempt after a connection breaks is made at once.
    /// Defaults [`DEFAULT_INITIAL_BACKOFF`] (0.5 s) and [`DEFAULT_MAX_BACKOFF`] (8 s).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.config.initial_backoff = initial;
        self.config.max_backoff = max.max(initial);
        self
    }

    /// How many events each [`Events`] stream buffers for a slow consumer before dropping the
    /// oldest (and reporting [`RoomEvent::Lagged`](crate::RoomEvent::Lagged)). Default
    /// [`DEFAULT_EVENT_BUFFER`] (1024).
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.config.event_buffer = events.max(1);
        self
    }

    /// Whether to replace each connection before it expires (default `true`).
    ///
    /// The room opens a second connection with a new token 60 s before the
    /// [`refresh_deadline`](Self::refresh_deadline) (half-way through the last minute when less
    /// than a minute is left, at least 1 s after opening), moves to it as soon as it is open, and
    /// closes the old one after its last answers. Frames that arrive on both are delivered once
    /// (de-duplicated by `Type` and `Id`), and events keep the room's order: those of the new
    /// connection wait until the old one has closed (at most [`pong_timeout`](Self::pong_timeout),
    /// 256 events or 256 KiB), while the requests they answer are answered at once.
    pub fn proactive_refresh(mut self, enabled: bool) -> Self {
        self.config.proactive_refresh = enabled;
        self
    }

    /// Which expiry time of the token that opened a connection times its refresh. Default
    /// [`RefreshDeadline::SessionExpiration`]: the session expiry (the token expiry when the
    /// provider gives no session expiry). [`RefreshDeadline::TokenExpiration`] follows the
    /// official JavaScript client, which times it from the token expiry alone.
    pub fn refresh_deadline(mut self, rule: RefreshDeadline) -> Self {
        self.config.refresh_deadline = rule;
        self
    }

    /// A fixed seed for the backoff jitter, to make a test's retry timing reproducible.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.config.jitter_seed = Some(seed);
        self
    }

    /// The TLS configuration for `wss://` endpoints, for example to trust a private certificate
    /// authority. Default: the Mozilla roots of `webpki-roots` with the `ring` provider.
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.config.tls = Some(config);
        self
    }

    /// Opens connections with `connector` instead of DNS, TCP and TLS (see [`Connector`]).
    pub fn connector(mut self, connector: impl Connector) -> Self {
        self.config.connector = Some(Arc::new(connector));
        self
    }

    /// The room. Nothing connects until [`Room::connect`].
    pub fn build(self) -> Room {
        let shared = Arc::new(Shared {
            subscribers: Subscribers::default(),
            commands: Commands::default(),
            state: AtomicU8::new(0),
        });
        let config = Arc::new(self.config);
        let driver = Driver::new(config.clone(), self.tokens, shared.clone());
        Room {
            inner: Arc::new(Inner {
                config,
                shared,
                driver: Mutex::new(Some(Box::new(driver))),
            }),
        }
    }
}

impl fmt::Debug for RoomBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoomBuilder")
            .field("endpoint", &self.config.endpoint)
            .finish_non_exhaustive()
    }
}

/// A chat room connection: connect, send and moderate, receive [`Events`].
///
/// A `Room` is a cheap handle: clones share one connection. The connection runs in a Tokio task
/// started by the first [`connect`](Self::connect) and stopped when the last handle is dropped.
///
/// ```no_run
/// use ivschat_messaging::{ChatToken, Endpoint, Room, RoomEvent};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let room = Room::new(Endpoint::region("us-west-2")?, || async {
///     Ok::<_, String>(ChatToken::new("token from your backend"))
/// });
/// let mut events = room.events();
/// room.connect().await?;
/// let sent = room.send_message("hello", None).await?;
/// println!("sent {}", sent.id);
/// while let Some(event) = events.recv().await {
///     if let RoomEvent::Message(message) = event {
///         println!("{}", message.content);
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Room {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<Config>,
    shared: Arc<Shared>,
    /// The connection task, until the first `connect` starts it.
    driver: Mutex<Option<Box<Driver>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // A started driver closes the streams itself when it sees the last handle go.
        let never_started = self.driver.get_mut().map(|d| d.is_some()).unwrap_or(false);
        if never_started {
            self.shared.subscribers.close();
        }
        self.shared.commands.close_handles();
    }
}

impl Room {
    /// Options for a room at `endpoint` that gets its tokens from `tokens`.
    pub fn builder(endpoint: Endpoint, tokens: impl TokenProvider) -> RoomBuilder {
        RoomBuilder {
            config: Config {
                endpoint,
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                ping_interval: DEFAULT_PING_INTERVAL,
                pong_timeout: DEFAULT_PONG_TIMEOUT,
                max_attempts: DEFAULT_MAX_CONNECT_ATTEMPTS,
                initial_backoff: DEFAULT_INITIAL_BACKOFF,
                max_backoff: DEFAULT_MAX_BACKOFF,
                event_buffer: DEFAULT_EVENT_BUFFER,
                proactive_refresh: true,
                refresh_deadline: RefreshDeadline::default(),
                jitter_seed: None,
                tls: None,
                connector: None,
            },
            tokens: Arc::new(tokens),
        }
    }

    /// A room with the default options.
    pub fn new(endpoint: Endpoint, tokens: impl TokenProvider) -> Self {
        Self::builder(endpoint, tokens).build()
    }

    /// A new stream of this room's events, from now on. Subscribe before
    /// [`connect`](Self::connect) to see the first connection's events.
    pub fn events(&self) -> Events {
        self.inner
            .shared
            .subscribers
            .subscribe(self.inner.config.event_buffer)
    }

    /// The connection state now.
    pub fn state(&self) -> ConnectionState {
        self.inner.shared.state()
    }

    /// Connects (with a token from the provider), retrying failed attempts with backoff, and
    /// returns once connected; returns at once if already connected.
    ///
    /// Ends within `max_connect_attempts × connect_timeout` plus the backoff delays (about 83 s
    /// with the defaults). Afterwards the room reconnects by itself when the connection breaks or
    /// the server answers `ERROR 401`, but not after the server closes it cleanly; call `connect`
    /// again then. Must be called within a Tokio runtime.
    pub async fn connect(&self) -> Result<(), DisconnectReason> {
        let driver = self
            .inner
            .driver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(driver) = driver {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                // Put it back: a later call from within a runtime can still start it.
                *self.inner.driver.lock().unwrap_or_else(|e| e.into_inner()) = Some(driver);
                return Err(DisconnectReason::Failed {
                    attempts: 0,
                    error: ConnectionError::Io(Arc::new(std::io::Error::other(
                        "Room::connect must be called within a Tokio runtime",
                    ))),
                });
            };
            let span = tracing::info_span!("room", endpoint = %self.inner.config.endpoint);
            runtime.spawn(driver.run().instrument(span));
        }
        let (done, result) = oneshot::channel();
        if self
            .inner
            .shared
            .commands
            .send(Command::Connect(done))
            .await
            .is_err()
        {
            return Err(DisconnectReason::Requested);
        }
        result.await.unwrap_or(Err(DisconnectReason::Requested))
    }

    /// Closes the connection (close code 1000), fails pending requests with
    /// [`RequestError::ConnectionClosed`] and stops reconnecting, until the next
    /// [`connect`](Self::connect).
    pub async fn disconnect(&self) {
        let started = self
            .inner
            .driver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none();
        if !started {
            return;
        }
        let (done, finished) = oneshot::channel();
        if self
            .inner
            .shared
            .commands
            .send(Command::Disconnect(done))
            .await
            .is_ok()
        {
            let _ = finished.await;
        }
    }

    /// Sends a chat message (`SEND_MESSAGE`) and returns it as the room delivered it (matched by
    /// `RequestId`), with its id, send time and sender. Needs the `SEND_MESSAGE` capability.
    pub async fn send_message(
        &self,
        content: &str,
        attributes: Option<&Attributes>,
    ) -> Result<ChatMessage, RequestError> {
        let request_id = new_request_id();
        let frame = frame::send_message(&request_id, content, attributes);
        match self.request(Action::SendMessage, request_id, frame).await? {
            RoomEvent::Message(message) => Ok(message),
            _ => Err(unexpected()),
        }
    }

    /// Deletes a message by its id (`DELETE_MESSAGE`) for every participant and returns the
    /// room's deletion event. Needs the `DELETE_MESSAGE` capability.
    pub async fn delete_message(
        &self,
        message_id: &str,
        reason: Option<&str>,
    ) -> Result<MessageDeleted, RequestError> {
        let request_id = new_request_id();
        let frame = frame::delete_message(&request_id, message_id, reason);
        match self
            .request(Action::DeleteMessage, request_id, frame)
            .await?
        {
            RoomEvent::MessageDeleted(event) => Ok(event),
            _ => Err(unexpected()),
        }
    }

    /// Disconnects every connection of a user from the room (`DISCONNECT_USER`) and returns the
    /// room's event. Needs the `DISCONNECT_USER` capability.
    pub async fn disconnect_user(
        &self,
        user_id: &str,
        reason: Option<&str>,
    ) -> Result<UserDisconnected, RequestError> {
        let request_id = new_request_id();
        let frame = frame::disconnect_user(&request_id, user_id, reason);
        match self
            .request(Action::DisconnectUser, request_id, frame)
            .await?
        {
            RoomEvent::UserDisconnected(event) => Ok(event),
            _ => Err(unexpected()),
        }
    }

    /// Sends `frame` and waits for the event that answers it (or the error).
    async fn request(
        &self,
        action: Action,
        request_id: String,
        frame: String,
    ) -> Result<RoomEvent, RequestError> {
        let span = tracing::debug_span!(
            "request",
            action = action.wire_name(),
            request_id = %request_id,
        );
        async move {
            if self.state() != ConnectionState::Connected {
                tracing::debug!("not connected");
                return Err(RequestError::NotConnected);
            }
            let timeout = self.inner.config.request_timeout;
            let (reply, answer) = oneshot::channel();
            let request = Request {
                request_id,
                action,
                frame,
                reply,
            };
            let exchange = async {
                self.inner
                    .shared
                    .commands
                    .send(Command::Request(Box::new(request)))
                    .await
                    .map_err(|_| RequestError::ConnectionClosed)?;
                answer.await.map_err(|_| RequestError::ConnectionClosed)?
            };
            let result = tokio::time::timeout(timeout, exchange)
                .await
                .unwrap_or(Err(RequestError::Timeout(timeout)));
            match &result {
                Ok(_) => tracing::debug!("answered"),
                Err(RequestError::Rejected(e)) => {
                    tracing::debug!(error_code = e.code.as_i64(), "rejected")
                }
                Err(e) => tracing::debug!(error = %e, "failed"),
            }
            result
        }
        .instrument(span)
        .await
    }
}

fn new_request_id() -> String {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
        .into_uuid()
        .to_string()
}

/// The connection task matches answers by action, so this means a bug, reported not panicked.
fn unexpected() -> RequestError {
    RequestError::InvalidReply(FrameError::new("the answer does not match the request"))
}

impl fmt::Debug for Room {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Room")
            .field("endpoint", &self.inner.config.endpoint)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;

    use super::*;
    use crate::token::ChatToken;

    #[test]
    fn a_room_is_built_outside_a_runtime_and_refuses_to_connect_there() {
        let room = Room::new(Endpoint::url("ws://127.0.0.1:9/").unwrap(), || async {
            Ok::<_, String>(ChatToken::new("t"))
        });
        assert_eq!(room.state(), ConnectionState::Disconnected);
        // Outside a runtime `connect` answers at once, on its first poll.
        let mut connecting = std::pin::pin!(room.connect());
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready(Err(err)) = connecting.as_mut().poll(&mut cx) else {
            panic!("connect outside a runtime must fail at once");
        };
        assert_eq!(
            err.to_string(),
            "connecting failed after 0 attempt(s): network error: Room::connect must be called within a Tokio runtime"
        );
    }
}
