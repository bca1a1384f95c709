//! The items of a room's event stream and its connection states.

use std::fmt;

use crate::error::{ConnectionError, FrameError};
use crate::types::{
    ChatError, ChatEvent, ChatMessage, MessageDeleted, UnknownFrame, UserDisconnected,
};

/// One item of a room's [`Events`](crate::Events) stream.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum RoomEvent {
    /// A chat message (the room's own messages included).
    Message(ChatMessage),
    /// An application event, or a system event this crate does not type.
    Event(ChatEvent),
    /// A message was deleted.
    MessageDeleted(MessageDeleted),
    /// A user was disconnected from the room.
    UserDisconnected(UserDisconnected),
    /// An `ERROR` frame that answers no pending request (no `RequestId`, an unknown one, or one
    /// whose request already timed out).
    Error(ChatError),
    /// A frame of a `Type` this crate does not know.
    Unknown(UnknownFrame),
    /// A frame that could not be read (not JSON, not an object, a binary frame, a missing or
    /// mistyped field); it was dropped.
    InvalidFrame(FrameError),
    /// The room is opening a connection.
    Connecting {
        /// The attempt number since the room was last connected (1 for the first).
        attempt: u32,
        /// What ended the previous connection or failed the previous attempt; `None` on the
        /// first attempt of [`Room::connect`](crate::Room::connect).
        after: Option<ConnectionError>,
    },
    /// The room is connected: requests can be sent.
    Connected,
    /// The room is disconnected and will not reconnect by itself.
    Disconnected(DisconnectReason),
    /// A problem that did not disconnect the room: a proactive token refresh failed (the current
    /// connection is kept and the refresh retried), or a replaced connection ended badly.
    ConnectionProblem(ConnectionError),
    /// The consumer fell behind: this many of the oldest events were dropped to keep the buffer
    /// bounded.
    Lagged {
        /// How many events were dropped.
        skipped: u64,
    },
}

/// Why a room is disconnected.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// [`Room::disconnect`](crate::Room::disconnect) was called (or every `Room` handle was
    /// dropped).
    Requested,
    /// The server closed the connection with a close handshake (for example after a
    /// `DisconnectUser` or at the end of the session). Not followed by a reconnect, as in the
    /// official client.
    ServerClosed {
        /// The close code (1005 when the close frame carried none).
        code: u16,
        /// The close reason (may be empty).
        reason: String,
    },
    /// Connecting failed and the attempt budget is spent, or the failure cannot be retried.
    Failed {
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's failure.
        error: ConnectionError,
    },
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Requested => f.write_str("disconnected on request"),
            Self::ServerClosed { code, reason } if reason.is_empty() => {
                write!(f, "the server closed the connection (code {code})")
            }
            Self::ServerClosed { code, reason } => {
                write!(
                    f,
                    "the server closed the connection (code {code}: {reason})"
                )
            }
            Self::Failed { attempts, error } => {
                write!(f, "connecting failed after {attempts} attempt(s): {error}")
            }
        }
    }
}

/// A room's connection state, as [`Room::state`](crate::Room::state) reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Not connected and not trying to.
    Disconnected,
    /// Opening a connection (first connect or reconnect).
    Connecting,
    /// Connected.
    Connected,
}

impl std::error::Error for DisconnectReason {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Failed { error, .. } => Some(error),
            _ => None,
        }
    }
}
