//! A client for the Amazon IVS Chat Messaging API: the WebSocket protocol chat participants,
//! moderators and bots use to send and receive messages in a room.
//!
//! - [`Room`]: connect with a chat token from a [`TokenProvider`] (an async closure, or
//!   `ControlPlaneTokens` with the `control-plane` feature), then
//!   [`send_message`](Room::send_message), [`delete_message`](Room::delete_message) and
//!   [`disconnect_user`](Room::disconnect_user), each resolving to the room's answer or a typed
//!   [`RequestError`] (with the protocol's [`ErrorCode`]) within a request timeout.
//! - [`Events`]: a [`Stream`](futures_core::Stream) of [`RoomEvent`]s (messages, events,
//!   deletions, disconnections, errors, connection state), bounded for slow consumers.
//! - The room stays connected: it reconnects with a new token after a broken connection or an
//!   `ERROR 401` (exponential backoff with jitter, an attempt budget), replaces its connection
//!   before the session expires (or before the token expires, as the official JavaScript client
//!   does: [`RoomBuilder::refresh_deadline`]) without gaps, duplicates or reordering, and detects
//!   dead connections with WebSocket pings.
//!
//! TLS is rustls with the `ring` provider and the `webpki-roots` certificates: the same stack the
//! control-plane client (`ivschat`) uses, so a program using both builds one TLS stack.
//!
//! Tokens, user ids, attributes and message contents never appear in `tracing` output, and tokens,
//! user ids and attributes never in `Debug` output. Spans describe what the client does: `room`
//! (the connection task), `connect`, `reconnect` and `refresh` (one attempt each: token, TCP, TLS,
//! upgrade), and `request` (with `action` and `request_id`). The WebSocket library underneath
//! (tokio-websockets) writes no logs, so a program that records every crate's `log` output at
//! TRACE (as `tracing-subscriber` does by default) sees no token or payload either.
//!
//! ```no_run
//! use ivschat_messaging::{ChatToken, Endpoint, Room, RoomEvent};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let room = Room::new(Endpoint::region("us-west-2")?, || async {
//!     // Ask your backend, which calls CreateChatToken, for a new token.
//!     Ok::<_, String>(ChatToken::new("AQICAHg-token-from-your-backend"))
//! });
//! let mut events = room.events();
//! room.connect().await?;
//! room.send_message("hello", None).await?;
//! while let Some(event) = events.recv().await {
//!     match event {
//!         RoomEvent::Message(m) => println!("{}", m.content),
//!         RoomEvent::Disconnected(reason) => {
//!             println!("{reason}");
//!             break;
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod commands;
#[cfg(feature = "control-plane")]
mod control_plane;
mod driver;
mod endpoint;
mod error;
mod event;
mod frame;
mod queue;
mod room;
mod token;
mod transport;
mod types;

#[cfg(feature = "control-plane")]
pub use control_plane::ControlPlaneTokens;
pub use endpoint::{Endpoint, EndpointError};
pub use error::{Cause, ConnectionError, FrameError, RequestError};
pub use event::{ConnectionState, DisconnectReason, RoomEvent};
pub use queue::Events;
pub use room::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_EVENT_BUFFER, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
    DEFAULT_MAX_CONNECT_ATTEMPTS, DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT, Room, RoomBuilder,
};
/// The rustls version [`RoomBuilder::tls_config`] takes.
pub use rustls;
pub use token::{ChatToken, RefreshDeadline, TokenError, TokenFuture, TokenProvider};
pub use transport::{ConnectFuture, Connector, Io};
pub use types::{
    Attributes, ChatError, ChatEvent, ChatMessage, ErrorCode, MessageDeleted, Sender,
    UnknownFields, UnknownFrame, UserDisconnected,
};
