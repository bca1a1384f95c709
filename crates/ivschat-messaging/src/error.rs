//! Why a request, a connection attempt or a frame failed.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::token::TokenError;
use crate::types::{ChatError, ErrorCode};

/// The cause behind a connection failure, shared because events are cloned to every subscriber.
pub type Cause = Arc<dyn StdError + Send + Sync>;

/// Why a connection attempt failed or why an open connection ended.
///
/// Every kind but [`InvalidToken`](Self::InvalidToken) is retried (with a new token) within the
/// room's attempt budget.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The token provider failed.
    Token(TokenError),
    /// The token cannot be sent as a WebSocket subprotocol (it is empty or has characters other
    /// than those of an RFC 7230 token). Not retried: the provider is broken.
    InvalidToken,
    /// The server refused the WebSocket upgrade with this HTTP status (for example 401 or 403 for
    /// an invalid, expired or reused token).
    HandshakeRejected {
        /// The HTTP status of the refusal.
        status: u16,
    },
    /// The server accepted the upgrade but did not select the token as the subprotocol, which
    /// the WebSocket standard requires a client to treat as a failure.
    SubprotocolNotEchoed,
    /// Getting a token and opening the connection took longer than the connect timeout.
    ConnectTimeout(Duration),
    /// DNS or TCP failed.
    Io(Cause),
    /// TLS failed (for example an untrusted certificate).
    Tls(Cause),
    /// The peer broke the WebSocket protocol (for example a frame over the size limit).
    Protocol(Cause),
    /// An open connection ended without a close handshake.
    Broken(Option<Cause>),
    /// Nothing arrived within the pong timeout after a ping: the connection is dead.
    PingTimeout(Duration),
    /// Writing to the connection stalled for longer than the pong timeout.
    WriteTimeout(Duration),
    /// The server sent `ERROR 401` on an open connection (the token or session expired).
    Unauthorized(ChatError),
}

impl ConnectionError {
    /// Whether another attempt with a new token may succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::InvalidToken)
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(e) => write!(f, "{e}"),
            Self::InvalidToken => f.write_str(
                "the chat token is not usable as a WebSocket subprotocol (empty, or characters outside an RFC 7230 token)",
            ),
            Self::HandshakeRejected { status } => {
                write!(f, "the server refused the WebSocket upgrade with HTTP {status}")
            }
            Self::SubprotocolNotEchoed => f.write_str(
                "the server accepted the WebSocket upgrade without echoing the token as the subprotocol",
            ),
            Self::ConnectTimeout(d) => write!(f, "no connection within {d:?}"),
            Self::Io(e) => write!(f, "network error: {e}"),
            Self::Tls(e) => write!(f, "TLS error: {e}"),
            Self::Protocol(e) => write!(f, "WebSocket protocol error: {e}"),
            Self::Broken(Some(e)) => write!(f, "the connection broke without a close handshake: {e}"),
            Self::Broken(None) => f.write_str("the connection broke without a close handshake"),
            Self::PingTimeout(d) => write!(f, "no answer to a ping within {d:?}"),
            Self::WriteTimeout(d) => write!(f, "writing to the connection stalled for {d:?}"),
            Self::Unauthorized(e) => write!(f, "the server ended the session: {e}"),
        }
    }
}

impl StdError for ConnectionError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Token(e) => Some(e),
            Self::Io(e) | Self::Tls(e) | Self::Protocol(e) | Self::Broken(Some(e)) => Some(&**e),
            Self::Unauthorized(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a request (`send_message`, `delete_message`, `disconnect_user`) failed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum RequestError {
    /// The server answered with an `ERROR` frame carrying the request's `RequestId`.
    Rejected(ChatError),
    /// No answer within the request timeout.
    Timeout(Duration),
    /// The room was not connected when the request was made.
    NotConnected,
    /// The connection the request was sent on ended before an answer came.
    ConnectionClosed,
    /// The answer arrived but could not be parsed.
    InvalidReply(FrameError),
}

impl RequestError {
    /// The protocol error code, for [`Rejected`](Self::Rejected).
    pub fn code(&self) -> Option<ErrorCode> {
        self.chat_error().map(|e| e.code)
    }

    /// The server's error, for [`Rejected`](Self::Rejected).
    pub fn chat_error(&self) -> Option<&ChatError> {
        match self {
            Self::Rejected(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(e) => write!(f, "the server rejected the request: {e}"),
            Self::Timeout(d) => write!(f, "no answer within {d:?}"),
            Self::NotConnected => f.write_str("the room is not connected"),
            Self::ConnectionClosed => f.write_str("the connection ended before an answer came"),
            Self::InvalidReply(e) => write!(f, "the answer could not be read: {e}"),
        }
    }
}

impl StdError for RequestError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Rejected(e) => Some(e),
            Self::InvalidReply(e) => Some(e),
            _ => None,
        }
    }
}

/// A frame from the server that could not be read; it was dropped and reported.
///
/// The description names the problem and the field, never the field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    description: String,
    id: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl FrameError {
    pub(crate) fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            id: None,
            request_id: None,
        }
    }

    pub(crate) fn with_ids(mut self, id: Option<&str>, request_id: Option<&str>) -> Self {
        self.id = id.map(str::to_owned);
        self.request_id = request_id.map(str::to_owned);
        self
    }

    /// The frame's `Id`, when it had a readable one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl StdError for FrameError {}
