//! The WebSocket listener: the handshake (the chat token is the single
//! `Sec-WebSocket-Protocol` value and is echoed back), then per connection a
//! reader that handles requests and a writer that drains the outbox.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use http::HeaderValue;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, SEC_WEBSOCKET_PROTOCOL};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};

use super::frames::{self, Action, Envelope, FrameError, MAX_ATTRIBUTES_BYTES, MessageOut};
use super::outbox::{Batch, CloseCause};
use crate::review::{AbortOnDrop, ReviewRequest, ReviewResponse};
use crate::service::{Admission, Refusal, Service, SessionInfo};

/// How long the service waits for the peer's half of a close handshake, and
/// for a close frame to reach a peer that does not read.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// How long `shutdown` lets connections close cleanly before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Frames larger than `max_frame_bytes` get ERROR 413; frames larger than
/// this many times `max_frame_bytes` close the connection with 1009.
const HARD_FRAME_FACTOR: usize = 4;

type Sink = SplitSink<WebSocketStream<TcpStream>, Message>;
type Source = SplitStream<WebSocketStream<TcpStream>>;

/// Accepts WebSocket connections until `stop`, then closes the open ones
/// (1001) and waits briefly for them to finish.
pub(crate) async fn serve(
    listener: TcpListener,
    service: Arc<Service>,
    stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    let limit = service.config.max_messaging_connections;
    crate::server::accept_until_stopped(
        &listener,
        limit,
        stop,
        &mut connections,
        |stream, peer| connection(stream, peer, Arc::clone(&service)),
    )
    .await;
    service.close_all_sessions();
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
}

fn websocket_config(max_frame_bytes: usize) -> WebSocketConfig {
    let hard_limit = max_frame_bytes.saturating_mul(HARD_FRAME_FACTOR);
    // Small buffers: an idle connection should cost little memory.
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(16 * 1024)
        .max_message_size(Some(hard_limit))
        .max_frame_size(Some(hard_limit))
}

fn refusal_response(refusal: &Refusal) -> ErrorResponse {
    let body = serde_json::json!({ "message": refusal.message }).to_string();
    let mut response = ErrorResponse::new(None);
    *response.status_mut() =
        http::StatusCode::from_u16(refusal.status).unwrap_or(http::StatusCode::UNAUTHORIZED);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    *response.body_mut() = Some(body);
    response
}

/// Takes the token from `Sec-WebSocket-Protocol` and opens its session; the
/// token never appears in a refusal.
fn open(service: &Service, request: &Request) -> Result<(SessionInfo, HeaderValue), Refusal> {
    let refuse = |status, message: &str| Refusal {
        status,
        message: message.to_string(),
    };
    let mut values = request.headers().get_all(SEC_WEBSOCKET_PROTOCOL).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(if request.headers().contains_key(SEC_WEBSOCKET_PROTOCOL) {
            refuse(
                400,
                "Sec-WebSocket-Protocol must carry exactly one chat token",
            )
        } else {
            refuse(
                401,
                "No chat token: send it as the Sec-WebSocket-Protocol header",
            )
        });
    };
    let Ok(token) = value.to_str() else {
        return Err(refuse(400, "The chat token must be visible ASCII"));
    };
    let token = token.trim();
    if token.contains(',') {
        return Err(refuse(
            400,
            "Sec-WebSocket-Protocol must carry exactly one chat token",
        ));
    }
    if token.is_empty() {
        return Err(refuse(
            401,
            "No chat token: send it as the Sec-WebSocket-Protocol header",
        ));
    }
    let echo = HeaderValue::from_str(token)
        .map_err(|_| refuse(400, "The chat token must be visible ASCII"))?;
    Ok((service.open_session(token)?, echo))
}

async fn connection(stream: TcpStream, peer: SocketAddr, service: Arc<Service>) {
    let mut opened = None;
    // The signature is tungstenite's: its error response is a whole `http::Response`.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, mut response: Response| match open(&service, request) {
        Ok((info, protocol)) => {
            response
                .headers_mut()
                .insert(SEC_WEBSOCKET_PROTOCOL, protocol);
            opened = Some(info);
            Ok(response)
        }
        Err(refusal) => {
            // The refusal's message never holds the token.
            tracing::info!(
                target: "ivschat_local::messaging",
                status = refusal.status,
                "handshake refused: {}",
                refusal.message
            );
            Err(refusal_response(&refusal))
        }
    };
    let config = websocket_config(service.config.max_frame_bytes);
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config));
    let accepted = tokio::time::timeout(service.config.read_timeout, handshake).await;
    // From here the session leaves its room however the connection ends.
    let Some(info) = opened else {
        return;
    };
    let session = Session {
        info,
        service,
        peer: peer.ip(),
    };
    if let Ok(Ok(ws)) = accepted {
        let room = session.info.room_id.clone();
        tracing::info!(target: "ivschat_local::messaging", %room, "session opened");
        session.run(ws).await;
        tracing::info!(target: "ivschat_local::messaging", %room, "session ended");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReaderEnd {
    /// The peer closed or the connection failed.
    PeerGone,
    /// A bad frame: the writer is to close the connection.
    Closing,
}

/// What the review of a message decided.
enum Verdict {
    Deliver(String, Option<BTreeMap<String, String>>),
    Deny(Option<String>),
}

/// One open connection: its session and the service.
struct Session {
    info: SessionInfo,
    service: Arc<Service>,
    peer: IpAddr,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.service.leave(&self.info.room_id, self.info.member);
    }
}

impl Session {
    async fn run(&self, ws: WebSocketStream<TcpStream>) {
        let (mut sink, mut source) = ws.split();
        let reader = self.read_loop(&mut source);
        let writer = self.write_loop(&mut sink);
        tokio::pin!(reader, writer);
        tokio::select! {
            end = &mut reader => if end == ReaderEnd::Closing {
                let _ = tokio::time::timeout(CLOSE_GRACE, &mut writer).await;
            },
            () = &mut writer => {
                // Let the reader see the peer's close (and flush tungstenite's
                // reply to a close the peer started).
                let _ = tokio::time::timeout(CLOSE_GRACE, &mut reader).await;
            }
        }
    }

    async fn read_loop(&self, source: &mut Source) -> ReaderEnd {
        while let Some(next) = source.next().await {
            match next {
                Ok(Message::Text(text)) => {
                    if !self.info.outbox.is_closing() {
                        self.handle_text(&text).await;
                    }
                }
                Ok(Message::Binary(_)) => self.error(
                    None,
                    &FrameError::new(
                        400,
                        "Binary frames are not supported; send JSON in text frames",
                    ),
                ),
                // Pings are answered by tungstenite; a close is replied to on the next read.
                Ok(_) => {}
                Err(WsError::Capacity(_)) => return self.close(CloseCause::FrameTooLarge),
                Err(WsError::Utf8(_)) => return self.close(CloseCause::InvalidUtf8),
                Err(WsError::Protocol(_)) => return self.close(CloseCause::ProtocolError),
                Err(_) => return ReaderEnd::PeerGone,
            }
        }
        ReaderEnd::PeerGone
    }

    fn close(&self, cause: CloseCause) -> ReaderEnd {
        self.info.outbox.close(cause);
        ReaderEnd::Closing
    }

    async fn write_loop(&self, sink: &mut Sink) {
        let outbox = &self.info.outbox;
        let expiry = self
            .service
            .config
            .clock
            .sleep_until(self.info.session_expires);
        tokio::pin!(expiry);
        let mut expired = false;
        loop {
            let Batch { frames, close } = tokio::select! {
                batch = outbox.next() => batch,
                () = &mut expiry, if !expired => {
                    expired = true;
                    outbox.close(CloseCause::SessionExpired);
                    continue;
                }
            };
            let written = tokio::select! {
                result = send_all(sink, frames) => Some(result.is_ok()),
                () = outbox.overflowed() => None,
            };
            let close = match (written, close) {
                (Some(false), _) => return,
                (None, _) => CloseCause::SlowReader,
                (Some(true), Some(cause)) => cause,
                (Some(true), None) => continue,
            };
            let frame = Message::Close(Some(close.frame()));
            let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(frame)).await;
            return;
        }
    }

    /// Sends an ERROR frame (with a fresh id) to this connection only.
    fn error(&self, request_id: Option<&str>, e: &FrameError) {
        let frame = frames::error(&self.service.ids.next(), request_id, e);
        self.info.outbox.push(&frame);
    }

    fn allows(&self, action: Action) -> bool {
        self.info.capabilities.iter().any(|c| c == action.name())
    }

    async fn handle_text(&self, text: &str) {
        let max = self.service.config.max_frame_bytes;
        if text.len() > max {
            let request_id = frames::loose_request_id(text);
            let e = FrameError::new(413, format!("Frame is larger than the {max}-byte limit"));
            return self.error(request_id.as_deref(), &e);
        }
        let envelope = match frames::envelope(text) {
            Ok(e) => e,
            Err((request_id, e)) => return self.error(request_id.as_deref(), &e),
        };
        let request_id = envelope.request_id.as_deref();
        if !self.allows(envelope.action) {
            let e = FrameError::new(
                403,
                format!(
                    "The chat token does not grant the {} capability",
                    envelope.action.name()
                ),
            );
            return self.error(request_id, &e);
        }
        let room = &self.info.room_id;
        let result = match envelope.action {
            Action::SendMessage => self.send_message(&envelope).await,
            Action::DeleteMessage => envelope.delete_message().map(|d| {
                self.service.delete_message_live(
                    room,
                    request_id,
                    &d.message_id,
                    d.reason.as_deref(),
                )
            }),
            Action::DisconnectUser => envelope.disconnect_user().map(|d| {
                self.service
                    .disconnect_user_live(room, request_id, &d.user_id, d.reason.as_deref())
            }),
        };
        if let Err(e) = result {
            self.error(request_id, &e);
        }
    }

    async fn send_message(&self, envelope: &Envelope) -> Result<(), FrameError> {
        let message = envelope.send_message()?;
        let admission = self
            .service
            .admit_message(&self.info.room_id, &message.content)?;
        let verdict = match &admission.review {
            None => Verdict::Deliver(message.content, message.attributes),
            Some((uri, fallback_allows)) => {
                self.review(
                    uri,
                    *fallback_allows,
                    &admission,
                    message.content,
                    message.attributes,
                )
                .await
            }
        };
        let (content, attributes) = match verdict {
            Verdict::Deliver(content, attributes) => (content, attributes),
            Verdict::Deny(reason) => {
                let message =
                    reason.unwrap_or_else(|| "Message denied by the message review handler".into());
                return Err(FrameError::new(406, message));
            }
        };
        let frame = frames::message(&MessageOut {
            id: &admission.id,
            request_id: envelope.request_id.as_deref(),
            content: &content,
            attributes: attributes.as_ref(),
            send_time: &admission.send_time,
            sender_user_id: &self.info.user_id,
            sender_attributes: &self.info.attributes,
        });
        self.service.deliver(&self.info.room_id, &frame);
        Ok(())
    }

    /// Runs the room's review handler within `review_timeout`; a timeout, an
    /// error, a panic, a missing handler or an invalid verdict applies the
    /// room's fallback result.
    async fn review(
        &self,
        uri: &str,
        fallback_allows: bool,
        admission: &Admission,
        content: String,
        attributes: Option<BTreeMap<String, String>>,
    ) -> Verdict {
        let Some(handler) = self.service.config.review_handlers.get(uri) else {
            return fallback(fallback_allows, content, attributes);
        };
        let request = ReviewRequest {
            content: content.clone(),
            message_id: admission.id.clone(),
            room_arn: admission.room_arn.clone(),
            attributes: attributes.clone().unwrap_or_default(),
            sender_user_id: self.info.user_id.clone(),
            sender_attributes: self.info.attributes.clone(),
            sender_ip: self.peer,
        };
        // Its own task, so a panicking handler costs only its verdict.
        let mut task = AbortOnDrop(tokio::spawn(handler.review(request)));
        let outcome = tokio::time::timeout(self.service.config.review_timeout, &mut task.0).await;
        match outcome {
            Ok(Ok(Ok(ReviewResponse::Allow {
                content: new_content,
                attributes: new_attributes,
            }))) => {
                let content_ok = new_content
                    .as_ref()
                    .is_none_or(|c| c.chars().count() <= admission.max_length);
                let attributes_ok = new_attributes
                    .as_ref()
                    .is_none_or(|a| frames::attributes_size(a) <= MAX_ATTRIBUTES_BYTES);
                if content_ok && attributes_ok {
                    Verdict::Deliver(
                        new_content.unwrap_or(content),
                        new_attributes.or(attributes),
                    )
                } else {
                    fallback(fallback_allows, content, attributes)
                }
            }
            // The reason becomes an ERROR message: keep it as short as the model's `Reason`.
            Ok(Ok(Ok(ReviewResponse::Deny { reason }))) => {
                Verdict::Deny(reason.map(|r| r.chars().take(256).collect()))
            }
            _ => fallback(fallback_allows, content, attributes),
        }
    }
}

fn fallback(
    allows: bool,
    content: String,
    attributes: Option<BTreeMap<String, String>>,
) -> Verdict {
    if allows {
        Verdict::Deliver(content, attributes)
    } else {
        Verdict::Deny(None)
    }
}

async fn send_all(sink: &mut Sink, frames: Vec<Utf8Bytes>) -> Result<(), WsError> {
    for frame in frames {
        sink.feed(Message::Text(frame)).await?;
    }
    sink.flush().await
}
