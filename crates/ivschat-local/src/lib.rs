//! A local Amazon IVS Chat service: the control plane and the Messaging API.
//!
//! [`LocalService`] serves the 17 operations of the IVS Chat API over
//! restJson1 (HTTP/1.1) on `127.0.0.1`, keeps rooms, logging configurations,
//! tags and chat tokens in memory (rooms, configurations and tags also in a
//! file if you ask, [`LocalConfig::state_file`]), validates every input
//! against the constraints of the service model, answers each operation only
//! with the errors its model lists, and verifies SigV4 signatures. It logs
//! each request through `tracing` (never what requests carry). On a second
//! port it serves the Messaging API, the WebSocket protocol chat clients use
//! (the official JavaScript client connects to [`LocalService::messaging_endpoint`]
//! unchanged), with message review handlers ([`ReviewHandler`]). It is meant
//! for offline development and for tests:
//!
//! ```no_run
//! # async fn demo() -> Result<(), ivschat_local::LocalError> {
//! use ivschat_local::{LocalConfig, LocalService};
//!
//! let service = LocalService::start(LocalConfig::default()).await?;
//! println!("control plane: {}", service.endpoint()); // http://127.0.0.1:PORT
//! println!("chat: {}", service.messaging_endpoint()); // ws://127.0.0.1:PORT2
//! service.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Every limit that keeps its memory bounded is a [`LocalConfig`] field; the
//! crate README describes the protocol choices and what happens at each limit.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

mod clock;
mod error;
mod messaging;
mod modelled;
mod review;
mod server;
mod service;
mod sigv4;
mod state_file;
mod time;
mod validate;

pub use clock::{Clock, ManualClock};
pub use review::{ReviewError, ReviewFuture, ReviewHandler, ReviewRequest, ReviewResponse};

/// Access key id of the default local credentials.
pub const DEFAULT_ACCESS_KEY_ID: &str = "AKIDLOCAL";
/// Secret access key of the default local credentials. It is public on
/// purpose: the service only listens on the loopback interface.
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "ivschat-local-secret-access-key";
/// Default region.
pub const DEFAULT_REGION: &str = "us-west-2";
/// Default account id.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";
/// Default request body limit: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// One access key the service accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct LocalCredentials {
    /// The access key id (`AKID...`).
    pub access_key_id: String,
    /// The secret access key; never printed by `Debug`.
    pub secret_access_key: String,
}

impl LocalCredentials {
    /// Credentials from an access key id and a secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        LocalCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        }
    }
}

impl Default for LocalCredentials {
    fn default() -> Self {
        LocalCredentials::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY)
    }
}

impl fmt::Debug for LocalCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .finish()
    }
}

/// Configuration of a [`LocalService`].
///
/// The limits keep the service's memory bounded whatever its clients do; see
/// the crate README for what happens at each limit.
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Region in ARNs and the SigV4 scope (default `us-west-2`).
    pub region: String,
    /// Account id in ARNs (default `123456789012`).
    pub account_id: String,
    /// Accepted access keys (default one: [`DEFAULT_ACCESS_KEY_ID`] / [`DEFAULT_SECRET_ACCESS_KEY`]).
    pub credentials: Vec<LocalCredentials>,
    /// Verify SigV4 signatures (default `true`).
    pub verify_signatures: bool,
    /// Control-plane port to bind; 0 picks a free one (default 0).
    pub port: u16,
    /// Messaging (WebSocket) port to bind; 0 picks a free one (default 0).
    pub messaging_port: u16,
    /// Address to bind (default `127.0.0.1`).
    pub bind_address: IpAddr,
    /// Largest accepted request body (default 1 MiB); larger bodies get HTTP 413.
    pub max_body_bytes: usize,
    /// How long reading a request's headers or body, or a WebSocket
    /// handshake, may take (default 30 s).
    pub read_timeout: Duration,
    /// Largest accepted difference between `x-amz-date` and the clock (default 5 min).
    pub max_clock_skew: Duration,
    /// Time source for timestamps, token expiry, session ends, rate limits and
    /// signature freshness.
    pub clock: Clock,
    /// Most control-plane connections open at once (default 512); further
    /// clients wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// Most request-body bytes being received at once, across connections
    /// (default 16 MiB); further bodies wait (within `read_timeout`).
    pub max_in_flight_body_bytes: usize,
    /// Most chat-token records kept (default 10,000); the oldest is dropped first.
    pub max_chat_tokens: usize,
    /// Most recorded actions kept across rooms (default 10,000); the oldest is dropped first.
    pub max_recorded_actions: usize,
    /// Most WebSocket connections open at once (default 10,000); further
    /// clients wait in the listen backlog.
    pub max_messaging_connections: usize,
    /// Largest WebSocket frame handled (default 16 KiB): a larger one gets
    /// ERROR 413, one over four times this closes the connection with 1009.
    pub max_frame_bytes: usize,
    /// Most bytes queued for one WebSocket connection (default 256 KiB): a
    /// client that reads slower than its room talks is closed with 1008.
    pub max_outgoing_queue_bytes: usize,
    /// How long a message review handler may take (default 200 ms, as the
    /// service's Lambda limit); after it the room's `fallbackResult` applies.
    pub review_timeout: Duration,
    /// Message review handlers by the `messageReviewHandler.uri` they serve.
    pub review_handlers: BTreeMap<String, ReviewHandler>,
    /// A file that keeps rooms, logging configurations and their tags across
    /// restarts (default none: state lives as long as the service). Read at
    /// start when it exists, then rewritten after every call that changes
    /// them, before the call is answered; each write replaces the file
    /// atomically, so a crash leaves the previous or the new state, whole.
    /// Chat tokens, recorded actions and connections are not kept. One
    /// service at a time per file.
    pub state_file: Option<PathBuf>,
}

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            region: DEFAULT_REGION.into(),
            account_id: DEFAULT_ACCOUNT_ID.into(),
            credentials: vec![LocalCredentials::default()],
            verify_signatures: true,
            port: 0,
            messaging_port: 0,
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            read_timeout: Duration::from_secs(30),
            max_clock_skew: Duration::from_secs(5 * 60),
            clock: Clock::system(),
            max_connections: 512,
            max_in_flight_body_bytes: 16 * 1024 * 1024,
            max_chat_tokens: 10_000,
            max_recorded_actions: 10_000,
            max_messaging_connections: 10_000,
            max_frame_bytes: 16 * 1024,
            max_outgoing_queue_bytes: 256 * 1024,
            review_timeout: Duration::from_millis(200),
            review_handlers: BTreeMap::new(),
            state_file: None,
        }
    }
}

impl LocalConfig {
    /// Sets the region.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sets the account id.
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = account_id.into();
        self
    }

    /// Replaces the accepted credentials with a single access key.
    pub fn with_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.credentials = vec![LocalCredentials::new(access_key_id, secret)];
        self
    }

    /// Turns SigV4 verification on or off.
    pub fn with_verify_signatures(mut self, verify: bool) -> Self {
        self.verify_signatures = verify;
        self
    }

    /// Sets the control-plane port (0 = ephemeral).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the messaging (WebSocket) port (0 = ephemeral).
    pub fn with_messaging_port(mut self, port: u16) -> Self {
        self.messaging_port = port;
        self
    }

    /// Sets the most control-plane connections open at once.
    pub fn with_max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit;
        self
    }

    /// Sets the most request-body bytes received at once.
    pub fn with_max_in_flight_body_bytes(mut self, limit: usize) -> Self {
        self.max_in_flight_body_bytes = limit;
        self
    }

    /// Sets the most chat-token records kept.
    pub fn with_max_chat_tokens(mut self, limit: usize) -> Self {
        self.max_chat_tokens = limit;
        self
    }

    /// Sets the most recorded actions kept.
    pub fn with_max_recorded_actions(mut self, limit: usize) -> Self {
        self.max_recorded_actions = limit;
        self
    }

    /// Sets the most WebSocket connections open at once.
    pub fn with_max_messaging_connections(mut self, limit: usize) -> Self {
        self.max_messaging_connections = limit;
        self
    }

    /// Sets the largest WebSocket frame handled.
    pub fn with_max_frame_bytes(mut self, limit: usize) -> Self {
        self.max_frame_bytes = limit;
        self
    }

    /// Sets the most bytes queued for one WebSocket connection.
    pub fn with_max_outgoing_queue_bytes(mut self, limit: usize) -> Self {
        self.max_outgoing_queue_bytes = limit;
        self
    }

    /// Sets how long a message review handler may take.
    pub fn with_review_timeout(mut self, timeout: Duration) -> Self {
        self.review_timeout = timeout;
        self
    }

    /// Reviews the messages of rooms whose `messageReviewHandler.uri` is `uri`
    /// with `handler` (replacing an earlier handler for the same URI). Rooms
    /// whose URI has no handler get their `fallbackResult`, as when a Lambda
    /// cannot be invoked.
    pub fn with_review_handler(mut self, uri: impl Into<String>, handler: ReviewHandler) -> Self {
        self.review_handlers.insert(uri.into(), handler);
        self
    }

    /// Keeps the state in `path` across restarts (see [`LocalConfig::state_file`]).
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Sets the address to bind both ports on.
    pub fn with_bind_address(mut self, address: IpAddr) -> Self {
        self.bind_address = address;
        self
    }

    /// Sets the request body limit.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Sets the header/body read timeout.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets the time source.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn validate(&self) -> Result<(), LocalError> {
        let bad = |m: String| Err(LocalError::InvalidConfig(m));
        if self.region.is_empty()
            || !self
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad(format!("region {:?} must match [a-z0-9-]+", self.region));
        }
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!(
                "account id {:?} must be 12 digits",
                self.account_id
            ));
        }
        if self.verify_signatures && self.credentials.is_empty() {
            return bad("signature verification is on but no credentials are configured".into());
        }
        if self
            .credentials
            .iter()
            .any(|c| c.access_key_id.is_empty() || c.secret_access_key.is_empty())
        {
            return bad("credentials need a non-empty access key id and secret".into());
        }
        if self.read_timeout.is_zero() {
            return bad("read timeout must be greater than zero".into());
        }
        // Semaphore permits are capped; far beyond any sensible limit anyway.
        const MAX_LIMIT: usize = 1 << 30;
        for (name, value) in [
            ("max_connections", self.max_connections),
            ("max_messaging_connections", self.max_messaging_connections),
            ("max_chat_tokens", self.max_chat_tokens),
            ("max_recorded_actions", self.max_recorded_actions),
            ("max_frame_bytes", self.max_frame_bytes),
            ("max_outgoing_queue_bytes", self.max_outgoing_queue_bytes),
        ] {
            if !(1..=MAX_LIMIT).contains(&value) {
                return bad(format!(
                    "{name} must be between 1 and {MAX_LIMIT}, got {value}"
                ));
            }
        }
        if self.max_in_flight_body_bytes < self.max_body_bytes
            || self.max_in_flight_body_bytes > MAX_LIMIT
        {
            return bad(format!(
                "max_in_flight_body_bytes ({}) must be at least max_body_bytes ({}) and at most {MAX_LIMIT}",
                self.max_in_flight_body_bytes, self.max_body_bytes
            ));
        }
        if self.review_timeout.is_zero() {
            return bad("review timeout must be greater than zero".into());
        }
        Ok(())
    }
}

/// Why the service could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum LocalError {
    /// The configuration is unusable; the message names the field.
    InvalidConfig(String),
    /// The state file cannot be read or written, belongs to another
    /// program, region or account, or is damaged; the message says which.
    StateFile {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Binding the listening socket failed.
    Bind {
        /// The address that could not be bound.
        address: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalError::InvalidConfig(m) => write!(f, "invalid ivschat-local configuration: {m}"),
            LocalError::StateFile { path, message } => {
                write!(f, "state file {}: {message}", path.display())
            }
            LocalError::Bind { address, source } => write!(f, "could not bind {address}: {source}"),
        }
    }
}

impl std::error::Error for LocalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LocalError::Bind { source, .. } => Some(source),
            LocalError::InvalidConfig(_) | LocalError::StateFile { .. } => None,
        }
    }
}

/// What the service stored for a chat token.
#[derive(Clone, PartialEq, Eq)]
pub struct ChatTokenInfo {
    /// ARN of the room the token is for.
    pub room_arn: String,
    /// Id of the room the token is for.
    pub room_id: String,
    /// The user id (sensitive; not printed by `Debug`).
    pub user_id: String,
    /// Granted capabilities (`SEND_MESSAGE`, `DISCONNECT_USER`, `DELETE_MESSAGE`).
    pub capabilities: Vec<String>,
    /// Token attributes (sensitive; not printed by `Debug`).
    pub attributes: BTreeMap<String, String>,
    /// Session duration requested (default 60).
    pub session_duration_in_minutes: u32,
    /// When the token stops being usable to connect.
    pub token_expiration_time: SystemTime,
    /// When a session started with the token ends.
    pub session_expiration_time: SystemTime,
}

impl fmt::Debug for ChatTokenInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatTokenInfo")
            .field("room_arn", &self.room_arn)
            .field("room_id", &self.room_id)
            .field("user_id", &"** redacted **")
            .field("capabilities", &self.capabilities)
            .field("attributes", &"** redacted **")
            .field(
                "session_duration_in_minutes",
                &self.session_duration_in_minutes,
            )
            .field("token_expiration_time", &self.token_expiration_time)
            .field("session_expiration_time", &self.session_expiration_time)
            .finish()
    }
}

/// A messaging action the service recorded for a room.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordedAction {
    /// `SendEvent`.
    Event {
        /// The id returned to the caller.
        id: String,
        /// `eventName`.
        event_name: String,
        /// `attributes`.
        attributes: BTreeMap<String, String>,
        /// When it was recorded.
        time: SystemTime,
    },
    /// `DeleteMessage`.
    MessageDeleted {
        /// The id returned to the caller.
        id: String,
        /// The id of the deleted message.
        message_id: String,
        /// `reason`, if given.
        reason: Option<String>,
        /// When it was recorded.
        time: SystemTime,
    },
    /// `DisconnectUser`.
    UserDisconnected {
        /// The disconnected user (sensitive; not printed by `Debug`).
        user_id: String,
        /// `reason`, if given.
        reason: Option<String>,
        /// When it was recorded.
        time: SystemTime,
    },
}

impl fmt::Debug for RecordedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordedAction::Event {
                id,
                event_name,
                attributes,
                time,
            } => f
                .debug_struct("Event")
                .field("id", id)
                .field("event_name", event_name)
                .field("attributes", attributes)
                .field("time", time)
                .finish(),
            RecordedAction::MessageDeleted {
                id,
                message_id,
                reason,
                time,
            } => f
                .debug_struct("MessageDeleted")
                .field("id", id)
                .field("message_id", message_id)
                .field("reason", reason)
                .field("time", time)
                .finish(),
            RecordedAction::UserDisconnected { reason, time, .. } => f
                .debug_struct("UserDisconnected")
                .field("user_id", &"** redacted **")
                .field("reason", reason)
                .field("time", time)
                .finish(),
        }
    }
}

/// A running local IVS Chat service: the control plane and the Messaging API.
/// It stops when dropped or on [`LocalService::shutdown`].
pub struct LocalService {
    inner: Arc<service::Service>,
    address: SocketAddr,
    messaging_address: SocketAddr,
    server: server::ServerHandle,
}

impl fmt::Debug for LocalService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalService")
            .field("address", &self.address)
            .field("messaging_address", &self.messaging_address)
            .field("config", &self.inner.config)
            .finish()
    }
}

async fn bind(
    address: IpAddr,
    port: u16,
) -> Result<(tokio::net::TcpListener, SocketAddr), LocalError> {
    let bind = SocketAddr::new(address, port);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| LocalError::Bind {
            address: bind,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| LocalError::Bind {
        address: bind,
        source,
    })?;
    Ok((listener, local))
}

/// The service with the state its state file holds, which is then written
/// back at once so that an unwritable path fails here, not at the first call.
fn restore(config: LocalConfig) -> Result<service::Service, LocalError> {
    let Some(path) = config.state_file.clone() else {
        return service::Service::new(config, None).map_err(LocalError::InvalidConfig);
    };
    let fail = |message: String| LocalError::StateFile {
        path: path.clone(),
        message,
    };
    let saved = state_file::read(&path).map_err(fail)?;
    let restored = saved.is_some();
    let service = service::Service::new(config, saved).map_err(fail)?;
    service
        .persist_now()
        .map_err(|e| fail(format!("cannot be written: {e}")))?;
    if restored {
        let (rooms, configurations) = service.counts();
        tracing::info!(
            target: "ivschat_local::state",
            path = %path.display(),
            rooms,
            logging_configurations = configurations,
            "state restored"
        );
    }
    Ok(service)
}

impl LocalService {
    /// Binds the control-plane and messaging addresses and serves on the
    /// current tokio runtime.
    ///
    /// Must be called from within a tokio runtime.
    pub async fn start(config: LocalConfig) -> Result<LocalService, LocalError> {
        config.validate()?;
        let inner = Arc::new(restore(config)?);
        let config = &inner.config;
        let (control, address) = bind(config.bind_address, config.port).await?;
        let (messaging, messaging_address) =
            bind(config.bind_address, config.messaging_port).await?;
        let server = server::spawn(control, messaging, Arc::clone(&inner));
        Ok(LocalService {
            inner,
            address,
            messaging_address,
            server,
        })
    }

    /// The control-plane base URL, e.g. `http://127.0.0.1:4566`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The Messaging API URL, e.g. `ws://127.0.0.1:4567`: connect with a chat
    /// token from `CreateChatToken` as the WebSocket subprotocol.
    pub fn messaging_endpoint(&self) -> String {
        format!("ws://{}", self.messaging_address)
    }

    /// The bound control-plane socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The bound messaging socket address.
    pub fn messaging_addr(&self) -> SocketAddr {
        self.messaging_address
    }

    /// The configuration the service runs with.
    pub fn config(&self) -> &LocalConfig {
        &self.inner.config
    }

    /// Looks up a token returned by `CreateChatToken`. `None` when it is
    /// unknown, expired, already used to connect, dropped (see
    /// [`LocalConfig::max_chat_tokens`]) or its room was deleted.
    pub fn verify_chat_token(&self, token: &str) -> Option<ChatTokenInfo> {
        self.inner.verify_chat_token(token)
    }

    /// The `SendEvent`, `DeleteMessage` and `DisconnectUser` calls recorded
    /// for a room (by ARN or id), oldest first. At most
    /// [`LocalConfig::max_recorded_actions`] are kept across rooms (the oldest
    /// go first), and a room's records are dropped when the room is deleted.
    pub fn recorded_actions(&self, room_arn_or_id: &str) -> Vec<RecordedAction> {
        self.inner.recorded_actions(room_arn_or_id)
    }

    /// The number of open WebSocket connections (sessions) across rooms.
    pub fn messaging_connections(&self) -> usize {
        self.inner.open_connections()
    }

    /// Stops accepting connections, closes the WebSocket sessions (1001,
    /// waiting up to 2 s for clean closes), closes the other connections and
    /// waits for the accept loops to end.
    pub async fn shutdown(mut self) {
        self.server.shutdown().await;
    }
}
