//! A local Amazon IVS Chat control-plane service.
//!
//! [`LocalService`] serves the 17 operations of the IVS Chat API over
//! restJson1 (HTTP/1.1) on `127.0.0.1`, keeps rooms, logging configurations,
//! tags and chat tokens in memory, validates every input against the
//! constraints of the service model and verifies SigV4 signatures. It is
//! meant for offline development and for tests:
//!
//! ```no_run
//! # async fn demo() -> Result<(), ivschat_local::LocalError> {
//! use ivschat_local::{LocalConfig, LocalService};
//!
//! let service = LocalService::start(LocalConfig::default()).await?;
//! println!("endpoint: {}", service.endpoint());
//! service.shutdown().await;
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

mod error;
mod server;
mod service;
mod sigv4;
mod time;
mod validate;

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

/// A source of the current time, replaceable in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(SystemTime::now))
    }

    /// A clock that always answers `t`.
    pub fn fixed(t: SystemTime) -> Clock {
        Clock(Arc::new(move || t))
    }

    /// A clock backed by any function.
    pub fn from_fn(f: impl Fn() -> SystemTime + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    /// The current time according to this clock.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

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
    /// Port to bind; 0 picks a free one (default 0).
    pub port: u16,
    /// Address to bind (default `127.0.0.1`).
    pub bind_address: IpAddr,
    /// Largest accepted request body (default 1 MiB); larger bodies get HTTP 413.
    pub max_body_bytes: usize,
    /// How long reading a request's headers or body may take (default 30 s).
    pub read_timeout: Duration,
    /// Largest accepted difference between `x-amz-date` and the clock (default 5 min).
    pub max_clock_skew: Duration,
    /// Time source for timestamps, token expiry and signature freshness.
    pub clock: Clock,
}

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            region: DEFAULT_REGION.into(),
            account_id: DEFAULT_ACCOUNT_ID.into(),
            credentials: vec![LocalCredentials::default()],
            verify_signatures: true,
            port: 0,
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            read_timeout: Duration::from_secs(30),
            max_clock_skew: Duration::from_secs(5 * 60),
            clock: Clock::system(),
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

    /// Sets the port (0 = ephemeral).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
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
        Ok(())
    }
}

/// Why the service could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum LocalError {
    /// The configuration is unusable; the message names the field.
    InvalidConfig(String),
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
            LocalError::Bind { address, source } => write!(f, "could not bind {address}: {source}"),
        }
    }
}

impl std::error::Error for LocalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LocalError::Bind { source, .. } => Some(source),
            LocalError::InvalidConfig(_) => None,
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

/// A running local IVS Chat service. It stops when dropped or on [`LocalService::shutdown`].
pub struct LocalService {
    inner: Arc<service::Service>,
    address: SocketAddr,
    server: server::ServerHandle,
}

impl fmt::Debug for LocalService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalService")
            .field("address", &self.address)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl LocalService {
    /// Binds the configured address and serves on the current tokio runtime.
    ///
    /// Must be called from within a tokio runtime.
    pub async fn start(config: LocalConfig) -> Result<LocalService, LocalError> {
        config.validate()?;
        let bind = SocketAddr::new(config.bind_address, config.port);
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|source| LocalError::Bind {
                address: bind,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| LocalError::Bind {
            address: bind,
            source,
        })?;
        let inner = Arc::new(service::Service::new(config));
        let server = server::spawn(listener, Arc::clone(&inner));
        Ok(LocalService {
            inner,
            address,
            server,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:4566`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The configuration the service runs with.
    pub fn config(&self) -> &LocalConfig {
        &self.inner.config
    }

    /// Looks up a token returned by `CreateChatToken`. `None` when it is
    /// unknown, expired, or its room was deleted.
    pub fn verify_chat_token(&self, token: &str) -> Option<ChatTokenInfo> {
        self.inner.verify_chat_token(token)
    }

    /// The `SendEvent`, `DeleteMessage` and `DisconnectUser` calls recorded
    /// for a room (by ARN or id), oldest first. Records are kept after the
    /// room is deleted.
    pub fn recorded_actions(&self, room_arn_or_id: &str) -> Vec<RecordedAction> {
        self.inner.recorded_actions(room_arn_or_id)
    }

    /// Stops accepting connections, closes open ones and waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        self.server.shutdown().await;
    }
}
