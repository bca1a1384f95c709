//! What a room receives: messages, events, errors, as typed values.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

/// String-to-string attributes of a message, an event or a sender.
///
/// Absent, `null` and empty attributes all read as an empty map.
pub type Attributes = BTreeMap<String, String>;

/// Fields of a frame that this crate does not know, kept as the server sent them.
pub type UnknownFields = serde_json::Map<String, serde_json::Value>;

const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// Shows unknown fields by name only: their values may carry user data.
struct FieldNames<'a>(&'a UnknownFields);

impl fmt::Debug for FieldNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// Shows whether attributes are present, never their contents.
struct RedactedAttributes<'a>(&'a Attributes);

impl fmt::Debug for RedactedAttributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("{}")
        } else {
            f.write_str(REDACTED)
        }
    }
}

/// The fields every message and event has, for `Debug`.
struct Common<'a> {
    id: &'a str,
    request_id: &'a Option<String>,
    attributes: &'a Attributes,
    send_time: &'a SystemTime,
    unknown_fields: &'a UnknownFields,
}

impl Common<'_> {
    /// `name { id, request_id, <own fields>, attributes, send_time, unknown_fields }`, with the
    /// attributes and unknown field values left out.
    fn fmt(
        &self,
        f: &mut fmt::Formatter<'_>,
        name: &str,
        own: &[(&str, &dyn fmt::Debug)],
    ) -> fmt::Result {
        let mut s = f.debug_struct(name);
        s.field("id", &self.id).field("request_id", self.request_id);
        for (field, value) in own {
            s.field(field, value);
        }
        s.field("attributes", &RedactedAttributes(self.attributes))
            .field("send_time", self.send_time)
            .field("unknown_fields", &FieldNames(self.unknown_fields))
            .finish()
    }
}

macro_rules! common {
    ($event:expr) => {
        Common {
            id: &$event.id,
            request_id: &$event.request_id,
            attributes: &$event.attributes,
            send_time: &$event.send_time,
            unknown_fields: &$event.unknown_fields,
        }
    };
}

/// A chat message (`Type: "MESSAGE"`), the room's broadcast of a participant's `SEND_MESSAGE`; the
/// sender receives its own messages too.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatMessage {
    /// The message id (`Id`), which [`Room::delete_message`](crate::Room::delete_message) takes.
    pub id: String,
    /// The sender's `RequestId`, when the frame carries a non-empty one.
    pub request_id: Option<String>,
    /// The text (possibly rewritten by the room's message review handler).
    pub content: String,
    /// The message attributes.
    pub attributes: Attributes,
    /// When the service received the message.
    pub send_time: SystemTime,
    /// Who sent it.
    pub sender: Sender,
    /// Top-level fields this crate does not know.
    pub unknown_fields: UnknownFields,
}

impl fmt::Debug for ChatMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common!(self).fmt(
            f,
            "ChatMessage",
            &[("content", &self.content), ("sender", &self.sender)],
        )
    }
}

/// The sender of a [`ChatMessage`], from its chat token. `Debug` shows neither the user id nor
/// the attributes.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Sender {
    /// The `userId` the sender's token was created with.
    pub user_id: String,
    /// The `attributes` the sender's token was created with.
    pub attributes: Attributes,
    /// Fields of `Sender` this crate does not know.
    pub unknown_fields: UnknownFields,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("user_id", &REDACTED)
            .field("attributes", &RedactedAttributes(&self.attributes))
            .field("unknown_fields", &FieldNames(&self.unknown_fields))
            .finish()
    }
}

/// An event (`Type: "EVENT"`) other than the two system events this crate types: an application
/// event sent with the control plane's `SendEvent`, or a system event (`aws:…`) this crate does
/// not know.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatEvent {
    /// The event id (`Id`).
    pub id: String,
    /// The `RequestId`, when the frame carries a non-empty one.
    pub request_id: Option<String>,
    /// The event name (`EventName`).
    pub event_name: String,
    /// The event attributes.
    pub attributes: Attributes,
    /// When the service sent the event.
    pub send_time: SystemTime,
    /// Top-level fields this crate does not know.
    pub unknown_fields: UnknownFields,
}

impl fmt::Debug for ChatEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common!(self).fmt(f, "ChatEvent", &[("event_name", &self.event_name)])
    }
}

/// A message was deleted (`EventName: "aws:DELETE_MESSAGE"`), by a participant's `DELETE_MESSAGE`
/// or by the control plane's `DeleteMessage`.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct MessageDeleted {
    /// The event id (`Id`).
    pub id: String,
    /// The `RequestId`, when the frame carries a non-empty one.
    pub request_id: Option<String>,
    /// The deleted message's id: `Attributes.MessageId`, or the deprecated `Attributes.MessageID`.
    pub message_id: String,
    /// Why it was deleted (`Attributes.Reason`), when given.
    pub reason: Option<String>,
    /// The event's other attributes (not `MessageId`, `MessageID` or `Reason`).
    pub attributes: Attributes,
    /// When the service sent the event.
    pub send_time: SystemTime,
    /// Top-level fields this crate does not know.
    pub unknown_fields: UnknownFields,
}

impl fmt::Debug for MessageDeleted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common!(self).fmt(
            f,
            "MessageDeleted",
            &[("message_id", &self.message_id), ("reason", &self.reason)],
        )
    }
}

/// A user was disconnected from the room (`EventName: "aws:DISCONNECT_USER"`); every connection of
/// that user is closed. `Debug` does not show the user id.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct UserDisconnected {
    /// The event id (`Id`).
    pub id: String,
    /// The `RequestId`, when the frame carries a non-empty one.
    pub request_id: Option<String>,
    /// The disconnected user (`Attributes.UserId`).
    pub user_id: String,
    /// Why (`Attributes.Reason`), when given.
    pub reason: Option<String>,
    /// The event's other attributes (not `UserId` or `Reason`).
    pub attributes: Attributes,
    /// When the service sent the event.
    pub send_time: SystemTime,
    /// Top-level fields this crate does not know.
    pub unknown_fields: UnknownFields,
}

impl fmt::Debug for UserDisconnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common!(self).fmt(
            f,
            "UserDisconnected",
            &[("user_id", &REDACTED), ("reason", &self.reason)],
        )
    }
}

/// An error code of the messaging protocol (`ErrorCode`), kept whatever its value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(i64);

impl ErrorCode {
    /// 400: malformed or invalid request.
    pub const BAD_REQUEST: Self = Self(400);
    /// 401: the connection expired or has no valid token; the room reconnects with a new token.
    pub const UNAUTHORIZED: Self = Self(401);
    /// 403: the token's capabilities do not allow the action.
    pub const FORBIDDEN: Self = Self(403);
    /// 404: unknown room.
    pub const NOT_FOUND: Self = Self(404);
    /// 406: denied by the room's message review handler.
    pub const NOT_ACCEPTABLE: Self = Self(406);
    /// 413: a field exceeds its size limit.
    pub const PAYLOAD_TOO_LARGE: Self = Self(413);
    /// 429: rate limit exceeded.
    pub const TOO_MANY_REQUESTS: Self = Self(429);
    /// 500: any other failure.
    pub const INTERNAL_SERVER_ERROR: Self = Self(500);

    /// The code as a number.
    pub const fn new(code: i64) -> Self {
        Self(code)
    }

    /// The code as a number.
    pub const fn as_i64(self) -> i64 {
        self.0
    }

    /// The documented name of the code (`Forbidden`, ...), or `None` for a code the protocol does
    /// not document.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            406 => "Not Acceptable",
            413 => "Payload Too Large",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            _ => return None,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorCode({self})")
    }
}

/// An error the server sent (`Type: "ERROR"`).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatError {
    /// The frame id (`Id`).
    pub id: String,
    /// The `RequestId` of the request that failed, when the frame carries a non-empty one.
    pub request_id: Option<String>,
    /// The protocol's error code (`ErrorCode`).
    pub code: ErrorCode,
    /// The server's explanation (`ErrorMessage`).
    pub message: String,
    /// Top-level fields this crate does not know.
    pub unknown_fields: UnknownFields,
}

impl fmt::Debug for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatError")
            .field("id", &self.id)
            .field("request_id", &self.request_id)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("unknown_fields", &FieldNames(&self.unknown_fields))
            .finish()
    }
}

impl fmt::Display for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ERROR {}: {}", self.code, self.message)
    }
}

impl std::error::Error for ChatError {}

/// A well-formed frame whose `Type` this crate does not know, kept whole.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct UnknownFrame {
    /// The frame's `Type`.
    pub frame_type: String,
    /// The frame's `Id`.
    pub id: String,
    /// All the frame's fields, `Type` and `Id` included.
    pub fields: UnknownFields,
}

impl fmt::Debug for UnknownFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownFrame")
            .field("frame_type", &self.frame_type)
            .field("id", &self.id)
            .field("fields", &FieldNames(&self.fields))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_keep_unknown_values() {
        assert_eq!(ErrorCode::new(403), ErrorCode::FORBIDDEN);
        assert_eq!(ErrorCode::FORBIDDEN.to_string(), "403 (Forbidden)");
        assert_eq!(ErrorCode::new(4001).to_string(), "4001");
        assert_eq!(ErrorCode::new(4001).name(), None);
        assert_eq!(
            format!("{:?}", ErrorCode::new(429)),
            "ErrorCode(429 (Too Many Requests))"
        );
    }

    #[test]
    fn debug_redacts_user_data() {
        let mut attributes = Attributes::new();
        attributes.insert("k".into(), "attr-SECRET".into());
        let mut unknown = UnknownFields::new();
        unknown.insert("Extra".into(), "extra-SECRET".into());
        let message = ChatMessage {
            id: "Msg000000001".into(),
            request_id: None,
            content: "hello".into(),
            attributes: attributes.clone(),
            send_time: SystemTime::UNIX_EPOCH,
            sender: Sender {
                user_id: "user-SECRET".into(),
                attributes: attributes.clone(),
                unknown_fields: unknown.clone(),
            },
            unknown_fields: unknown.clone(),
        };
        let disconnected = UserDisconnected {
            id: "Evt000000001".into(),
            request_id: None,
            user_id: "user-SECRET".into(),
            reason: None,
            attributes,
            send_time: SystemTime::UNIX_EPOCH,
            unknown_fields: unknown,
        };
        for shown in [format!("{message:?}"), format!("{disconnected:?}")] {
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(shown.contains("Extra"), "{shown}");
        }
    }
}
