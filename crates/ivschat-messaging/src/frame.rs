//! The wire format: client frames written, server frames read (MESSAGING.md sections 3 and 4).

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::FrameError;
use crate::event::RoomEvent;
use crate::types::{
    Attributes, ChatError, ChatEvent, ChatMessage, ErrorCode, MessageDeleted, Sender, UnknownFrame,
    UserDisconnected,
};

/// The three publish actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    SendMessage,
    DeleteMessage,
    DisconnectUser,
}

impl Action {
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            Self::SendMessage => "SEND_MESSAGE",
            Self::DeleteMessage => "DELETE_MESSAGE",
            Self::DisconnectUser => "DISCONNECT_USER",
        }
    }
}

/// Appends `value` as a JSON string.
fn push_str(out: &mut Vec<u8>, value: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn push_field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(b',');
    push_str(out, name);
    out.push(b':');
    push_str(out, value);
}

/// `{"Action":…,"RequestId":…` then the action's fields, in the official client's order.
fn frame(action: Action, request_id: &str, fields: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"{\"Action\":");
    push_str(&mut out, action.wire_name());
    push_field(&mut out, "RequestId", request_id);
    fields(&mut out);
    out.push(b'}');
    // Only JSON text written from str values went in.
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn send_message(
    request_id: &str,
    content: &str,
    attributes: Option<&Attributes>,
) -> String {
    frame(Action::SendMessage, request_id, |out| {
        push_field(out, "Content", content);
        if let Some(attributes) = attributes {
            out.extend_from_slice(b",\"Attributes\":{");
            for (i, (k, v)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_str(out, k);
                out.push(b':');
                push_str(out, v);
            }
            out.push(b'}');
        }
    })
}

pub(crate) fn delete_message(request_id: &str, message_id: &str, reason: Option<&str>) -> String {
    frame(Action::DeleteMessage, request_id, |out| {
        push_field(out, "Id", message_id);
        if let Some(reason) = reason {
            push_field(out, "Reason", reason);
        }
    })
}

pub(crate) fn disconnect_user(request_id: &str, user_id: &str, reason: Option<&str>) -> String {
    frame(Action::DisconnectUser, request_id, |out| {
        push_field(out, "UserId", user_id);
        if let Some(reason) = reason {
            push_field(out, "Reason", reason);
        }
    })
}

/// The `RequestId` of a frame read by [`parse`].
pub(crate) fn request_id(event: &RoomEvent) -> Option<&str> {
    match event {
        RoomEvent::Message(m) => m.request_id.as_deref(),
        RoomEvent::Event(e) => e.request_id.as_deref(),
        RoomEvent::MessageDeleted(e) => e.request_id.as_deref(),
        RoomEvent::UserDisconnected(e) => e.request_id.as_deref(),
        RoomEvent::Error(e) => e.request_id.as_deref(),
        _ => None,
    }
}

/// `Type` and `Id` of a frame read by [`parse`]: what de-duplication compares.
pub(crate) fn key(event: &RoomEvent) -> Option<(u8, &str)> {
    Some(match event {
        RoomEvent::Message(m) => (b'M', &m.id),
        RoomEvent::Event(e) => (b'E', &e.id),
        RoomEvent::MessageDeleted(e) => (b'E', &e.id),
        RoomEvent::UserDisconnected(e) => (b'E', &e.id),
        RoomEvent::Error(e) => (b'R', &e.id),
        RoomEvent::Unknown(u) => (b'U', &u.id),
        _ => return None,
    })
}

/// Whether `event` is the success answer to a request of `action`.
pub(crate) fn answers(event: &RoomEvent, action: Action) -> bool {
    matches!(
        (event, action),
        (RoomEvent::Message(_), Action::SendMessage)
            | (RoomEvent::MessageDeleted(_), Action::DeleteMessage)
            | (RoomEvent::UserDisconnected(_), Action::DisconnectUser)
    )
}

/// A JSON value as the frame reader needs it: strings and objects read straight into owned text
/// (object keys borrowed from the frame when they have no escapes), anything else kept as a
/// `Value`, for the unknown fields and the complaints. Frames are read without building a
/// `Value` tree first: that was most of the cost of receiving a message.
enum Raw<'a> {
    Null,
    /// Borrowed from the frame when it has no escapes.
    Str(Cow<'a, str>),
    Obj(Vec<(Cow<'a, str>, Raw<'a>)>),
    Other(Value),
}

impl From<Raw<'_>> for Value {
    fn from(raw: Raw<'_>) -> Self {
        match raw {
            Raw::Null => Value::Null,
            Raw::Str(s) => Value::String(s.into_owned()),
            Raw::Obj(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into()))
                    .collect(),
            ),
            Raw::Other(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Other(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Other(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::Other(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::Other(Value::from(v)))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw<'de>, D::Error> {
        Raw::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Raw::Other(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        // Frames have up to eight fields; growing from four would copy them twice. Empty
        // objects (most attributes) allocate nothing.
        let Some(Key(first)) = map.next_key()? else {
            return Ok(Raw::Obj(Vec::new()));
        };
        let mut entries = Vec::with_capacity(8);
        entries.push((first, map.next_value()?));
        while let Some(Key(key)) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Raw::Obj(entries))
    }
}

/// An object key, borrowed from the frame when it can be.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads fields out of a frame's object, naming the field in every complaint. What is left
/// afterwards are the unknown fields.
struct Fields<'a> {
    entries: Vec<(Cow<'a, str>, Raw<'a>)>,
    /// `MESSAGE`, `EVENT` ...: the prefix of every complaint.
    what: &'static str,
    /// Where the object sits in the frame (`Sender.` for the sender object).
    path: &'static str,
}

impl<'a> Fields<'a> {
    fn new(entries: Vec<(Cow<'a, str>, Raw<'a>)>, what: &'static str, path: &'static str) -> Self {
        Self {
            entries,
            what,
            path,
        }
    }

    /// The value of `name` (the last one, if the key is repeated, as in a JSON object read into
    /// a map), taken out with any earlier values.
    fn take(&mut self, name: &'static str) -> Option<Raw<'a>> {
        let i = self.entries.iter().rposition(|(k, _)| k == name)?;
        let value = self.entries.remove(i).1;
        if self.entries[..i].iter().any(|(k, _)| k == name) {
            self.entries.retain(|(k, _)| k != name);
        }
        Some(value)
    }

    /// The fields nobody took.
    fn unknown(self) -> Map<String, Value> {
        self.entries
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into()))
            .collect()
    }

    fn error(&self, problem: String) -> FrameError {
        FrameError::new(format!("invalid {} frame: {problem}", self.what))
    }

    fn mistyped(&self, name: &str, value: &Raw<'_>, expected: &str) -> FrameError {
        let path = self.path;
        self.error(format!("`{path}{name}` is {}, not {expected}", kind(value)))
    }

    /// A field that must be there; `extract` gives the value back if its type is wrong.
    fn required<T>(
        &mut self,
        name: &'static str,
        expected: &str,
        extract: impl FnOnce(Raw<'a>) -> Result<T, Raw<'a>>,
    ) -> Result<T, FrameError> {
        match self.take(name) {
            None | Some(Raw::Null) => Err(self.error(format!("`{}{name}` is missing", self.path))),
            Some(value) => extract(value).map_err(|other| self.mistyped(name, &other, expected)),
        }
    }

    /// A field that may be absent; `null` and `""` mean absent too.
    fn optional(&mut self, name: &'static str) -> Option<Raw<'a>> {
        match self.take(name)? {
            Raw::Null => None,
            Raw::Str(s) if s.is_empty() => None,
            value => Some(value),
        }
    }

    fn required_string(&mut self, name: &'static str) -> Result<String, FrameError> {
        self.required(name, "a string", |v| match v {
            Raw::Str(s) => Ok(s.into_owned()),
            other => Err(other),
        })
    }

    fn optional_string(&mut self, name: &'static str) -> Result<Option<String>, FrameError> {
        match self.optional(name) {
            None => Ok(None),
            Some(Raw::Str(s)) => Ok(Some(s.into_owned())),
            Some(other) => Err(self.mistyped(name, &other, "a string")),
        }
    }

    fn object(&mut self, name: &'static str) -> Result<Vec<(Cow<'a, str>, Raw<'a>)>, FrameError> {
        self.required(name, "an object", |v| match v {
            Raw::Obj(entries) => Ok(entries),
            other => Err(other),
        })
    }

    fn time(&mut self, name: &'static str) -> Result<SystemTime, FrameError> {
        let text = self.required(name, "a string", |v| match v {
            Raw::Str(s) => Ok(s),
            other => Err(other),
        })?;
        OffsetDateTime::parse(&text, &Rfc3339)
            .map(SystemTime::from)
            .map_err(|e| {
                let path = self.path;
                self.error(format!("`{path}{name}` is not an RFC 3339 date-time: {e}"))
            })
    }

    fn attributes(&mut self, name: &'static str) -> Result<Attributes, FrameError> {
        let entries = match self.optional(name) {
            None => return Ok(Attributes::new()),
            Some(Raw::Obj(entries)) => entries,
            Some(other) => return Err(self.mistyped(name, &other, "an object")),
        };
        entries
            .into_iter()
            .map(|(k, v)| match v {
                Raw::Str(v) => Ok((k.into_owned(), v.into_owned())),
                other => Err(self.mistyped(&format!("{name}.{k}"), &other, "a string")),
            })
            .collect()
    }

    fn error_code(&mut self, name: &'static str) -> Result<ErrorCode, FrameError> {
        let number = self.required(name, "a number", |v| match v {
            Raw::Other(Value::Number(n)) => Ok(n),
            other => Err(other),
        })?;
        match number.as_i64() {
            Some(code) => Ok(ErrorCode::new(code)),
            None => Err(self.error(format!("`{}{name}` is not an integer", self.path))),
        }
    }
}

fn kind(value: &Raw<'_>) -> &'static str {
    match value {
        Raw::Null => "null",
        Raw::Str(_) => "a string",
        Raw::Obj(_) => "an object",
        Raw::Other(Value::Bool(_)) => "a boolean",
        Raw::Other(Value::Number(_)) => "a number",
        Raw::Other(Value::Array(_)) => "an array",
        // Strings, objects and null are read as such above.
        Raw::Other(_) => "a value",
    }
}

/// Reads one text frame.
pub(crate) fn parse(text: &str) -> Result<RoomEvent, FrameError> {
    let entries = match serde_json::from_str::<Raw<'_>>(text) {
        Ok(Raw::Obj(entries)) => entries,
        Ok(other) => {
            return Err(FrameError::new(format!(
                "frame is {}, not a JSON object",
                kind(&other)
            )));
        }
        Err(e) => return Err(FrameError::new(format!("frame is not JSON: {e}"))),
    };
    let mut fields = Fields::new(entries, "server", "");
    // Borrowed: only an unknown type keeps it.
    let frame_type = fields.required("Type", "a string", |v| match v {
        Raw::Str(s) => Ok(s),
        other => Err(other),
    })?;
    let what = match frame_type.as_ref() {
        "MESSAGE" => "MESSAGE",
        "EVENT" => "EVENT",
        "ERROR" => "ERROR",
        _ => "unknown-type",
    };
    fields.what = what;
    let id = fields.required_string("Id")?;
    // The request id is read before anything can fail, so that a broken answer still settles the
    // request it answers.
    let request_id = match fields.optional_string("RequestId") {
        Ok(r) => r,
        Err(e) => return Err(e.with_ids(Some(&id), None)),
    };
    let with_ids = |e: FrameError| e.with_ids(Some(&id), request_id.as_deref());
    match what {
        "MESSAGE" => {
            let (content, attributes, send_time, sender) =
                read_message(&mut fields).map_err(with_ids)?;
            Ok(RoomEvent::Message(ChatMessage {
                id,
                request_id,
                content,
                attributes,
                send_time,
                sender,
                unknown_fields: fields.unknown(),
            }))
        }
        "EVENT" => {
            let ids = (Some(id.clone()), request_id.clone());
            read_event(fields, id, request_id)
                .map_err(|e| e.with_ids(ids.0.as_deref(), ids.1.as_deref()))
        }
        "ERROR" => {
            let code = fields.error_code("ErrorCode").map_err(with_ids)?;
            let message = fields.required_string("ErrorMessage").map_err(with_ids)?;
            Ok(RoomEvent::Error(ChatError {
                id,
                request_id,
                code,
                message,
                unknown_fields: fields.unknown(),
            }))
        }
        _ => {
            let mut all = fields.unknown();
            if let Some(r) = request_id {
                all.insert("RequestId".into(), Value::String(r));
            }
            all.insert("Id".into(), Value::String(id.clone()));
            let frame_type = frame_type.into_owned();
            all.insert("Type".into(), Value::String(frame_type.clone()));
            Ok(RoomEvent::Unknown(UnknownFrame {
                frame_type,
                id,
                fields: all,
            }))
        }
    }
}

fn read_message(
    fields: &mut Fields<'_>,
) -> Result<(String, Attributes, SystemTime, Sender), FrameError> {
    let content = fields.required_string("Content")?;
    let attributes = fields.attributes("Attributes")?;
    let send_time = fields.time("SendTime")?;
    let sender = fields.object("Sender")?;
    let mut sender = Fields::new(sender, "MESSAGE", "Sender.");
    let user_id = sender.required_string("UserId")?;
    let sender_attributes = sender.attributes("Attributes")?;
    Ok((
        content,
        attributes,
        send_time,
        Sender {
            user_id,
            attributes: sender_attributes,
            unknown_fields: sender.unknown(),
        },
    ))
}

fn read_event(
    mut fields: Fields<'_>,
    id: String,
    request_id: Option<String>,
) -> Result<RoomEvent, FrameError> {
    let event_name = fields.required_string("EventName")?;
    let mut attributes = fields.attributes("Attributes")?;
    let send_time = fields.time("SendTime")?;
    match event_name.as_str() {
        "aws:DELETE_MESSAGE" => {
            // Both spellings are documented; the official client reads only the old one.
            let new = attributes.remove("MessageId");
            let old = attributes.remove("MessageID");
            let message_id = new.or(old).filter(|m| !m.is_empty()).ok_or_else(|| {
                fields.error(
                    "`aws:DELETE_MESSAGE` has neither `Attributes.MessageId` nor `Attributes.MessageID`"
                        .into(),
                )
            })?;
            let reason = attributes.remove("Reason").filter(|r| !r.is_empty());
            Ok(RoomEvent::MessageDeleted(MessageDeleted {
                id,
                request_id,
                message_id,
                reason,
                attributes,
                send_time,
                unknown_fields: fields.unknown(),
            }))
        }
        "aws:DISCONNECT_USER" => {
            let user_id = attributes
                .remove("UserId")
                .filter(|u| !u.is_empty())
                .ok_or_else(|| {
                    fields.error("`aws:DISCONNECT_USER` has no `Attributes.UserId`".into())
                })?;
            let reason = attributes.remove("Reason").filter(|r| !r.is_empty());
            Ok(RoomEvent::UserDisconnected(UserDisconnected {
                id,
                request_id,
                user_id,
                reason,
                attributes,
                send_time,
                unknown_fields: fields.unknown(),
            }))
        }
        _ => Ok(RoomEvent::Event(ChatEvent {
            id,
            request_id,
            event_name,
            attributes,
            send_time,
            unknown_fields: fields.unknown(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn client_frames_as_the_official_client_writes_them() {
        let mut attributes = Attributes::new();
        attributes.insert("color".into(), "blue".into());
        attributes.insert("n".into(), "1".into());
        assert_eq!(
            send_message("c0ff6ee8", "hello from probe", Some(&attributes)),
            r#"{"Action":"SEND_MESSAGE","RequestId":"c0ff6ee8","Content":"hello from probe","Attributes":{"color":"blue","n":"1"}}"#
        );
        assert_eq!(
            send_message("r", "a \"quoted\"\nline \u{1F600}", None),
            r#"{"Action":"SEND_MESSAGE","RequestId":"r","Content":"a \"quoted\"\nline 😀"}"#
        );
        assert_eq!(
            send_message("r", "x", Some(&Attributes::new())),
            r#"{"Action":"SEND_MESSAGE","RequestId":"r","Content":"x","Attributes":{}}"#
        );
        assert_eq!(
            delete_message("86089324", "Probe0000000", Some("spam")),
            r#"{"Action":"DELETE_MESSAGE","RequestId":"86089324","Id":"Probe0000000","Reason":"spam"}"#
        );
        assert_eq!(
            delete_message("r", "Probe0000000", None),
            r#"{"Action":"DELETE_MESSAGE","RequestId":"r","Id":"Probe0000000"}"#
        );
        assert_eq!(
            disconnect_user("7fff6aa4", "user-2", Some("kicked by probe")),
            r#"{"Action":"DISCONNECT_USER","RequestId":"7fff6aa4","UserId":"user-2","Reason":"kicked by probe"}"#
        );
    }

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn a_captured_message() {
        let text = r#"{"Type":"MESSAGE","Id":"5GI0S6pNr2b2","RequestId":"e1b5b0de-ffe6-4b4a-8c0c-6b7c5a5f1a11","Attributes":{"k":"v"},"Content":"hi","SendTime":"2022-12-02T08:21:20.754555595Z","Sender":{"UserId":"user-1","Attributes":{"username":"x"}}}"#;
        let RoomEvent::Message(m) = parse(text).unwrap() else {
            panic!("not a message")
        };
        assert_eq!(m.id, "5GI0S6pNr2b2");
        assert_eq!(
            m.request_id.as_deref(),
            Some("e1b5b0de-ffe6-4b4a-8c0c-6b7c5a5f1a11")
        );
        assert_eq!(m.content, "hi");
        assert_eq!(m.attributes.get("k").map(String::as_str), Some("v"));
        assert_eq!(m.send_time, at(1_669_969_280, 754_555_595));
        assert_eq!(m.sender.user_id, "user-1");
        assert_eq!(
            m.sender.attributes.get("username").map(String::as_str),
            Some("x")
        );
        assert!(m.unknown_fields.is_empty());
    }

    #[test]
    fn absent_null_and_empty_request_ids_and_attributes() {
        for (request_id, attributes) in [
            ("", ""),
            (r#","RequestId":null"#, r#","Attributes":null"#),
            (r#","RequestId":"""#, r#","Attributes":"""#),
            (r#","RequestId":"""#, r#","Attributes":{}"#),
        ] {
            let text = format!(
                r#"{{"Type":"EVENT","Id":"Evt000000001"{request_id}{attributes},"EventName":"app:ping","SendTime":"2024-01-02T03:04:05Z"}}"#
            );
            let RoomEvent::Event(e) = parse(&text).unwrap() else {
                panic!("not an event: {text}")
            };
            assert_eq!(e.request_id, None, "{text}");
            assert!(e.attributes.is_empty(), "{text}");
            assert_eq!(e.send_time, at(1_704_164_645, 0));
        }
        let text = r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"2024-01-02T03:04:05.1+01:00","Sender":{"UserId":"u","Attributes":null}}"#;
        let RoomEvent::Message(m) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!(m.send_time, at(1_704_164_645 - 3600, 100_000_000));
        assert!(m.sender.attributes.is_empty());
    }

    #[test]
    fn both_spellings_of_the_deleted_message_id() {
        for attrs in [
            r#"{"MessageId":"Msg000000001","Reason":"spam"}"#,
            r#"{"MessageID":"Msg000000001","Reason":"spam"}"#,
            r#"{"MessageId":"Msg000000001","MessageID":"Msg000000001","Reason":"spam","Extra":"e"}"#,
        ] {
            let text = format!(
                r#"{{"Type":"EVENT","Id":"Evt000000001","RequestId":"r","EventName":"aws:DELETE_MESSAGE","Attributes":{attrs},"SendTime":"2024-01-02T03:04:05.123456789Z"}}"#
            );
            let RoomEvent::MessageDeleted(d) = parse(&text).unwrap() else {
                panic!("{text}")
            };
            assert_eq!(d.message_id, "Msg000000001");
            assert_eq!(d.reason.as_deref(), Some("spam"));
            assert_eq!(d.request_id.as_deref(), Some("r"));
            assert_eq!(d.send_time, at(1_704_164_645, 123_456_789));
            assert!(
                !d.attributes.contains_key("MessageId") && !d.attributes.contains_key("MessageID")
            );
        }
        let text = r#"{"Type":"EVENT","Id":"E","EventName":"aws:DELETE_MESSAGE","Attributes":{"Reason":"x"},"SendTime":"2024-01-02T03:04:05Z"}"#;
        assert_eq!(
            parse(text).unwrap_err().to_string(),
            "invalid EVENT frame: `aws:DELETE_MESSAGE` has neither `Attributes.MessageId` nor `Attributes.MessageID`"
        );
    }

    #[test]
    fn disconnect_events_errors_and_unknowns() {
        let text = r#"{"Type":"EVENT","Id":"E2","RequestId":"","EventName":"aws:DISCONNECT_USER","Attributes":{"UserId":"user-2","Reason":"kicked"},"SendTime":"2024-01-02T03:04:05Z","Future":[1,2]}"#;
        let RoomEvent::UserDisconnected(d) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!(
            (d.user_id.as_str(), d.reason.as_deref()),
            ("user-2", Some("kicked"))
        );
        assert_eq!(
            d.unknown_fields.get("Future"),
            Some(&serde_json::json!([1, 2]))
        );

        let text = r#"{"Type":"ERROR","Id":"IG5mcmlvdGlv","RequestId":"497f6eca","ErrorCode":403,"ErrorMessage":"not allowed"}"#;
        let RoomEvent::Error(e) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::FORBIDDEN);
        assert_eq!(e.to_string(), "ERROR 403 (Forbidden): not allowed");

        let text = r#"{"Type":"ERROR","Id":"I","ErrorCode":4001,"ErrorMessage":"m"}"#;
        let RoomEvent::Error(e) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!((e.code.as_i64(), e.request_id), (4001, None));

        let text = r#"{"Type":"PRESENCE","Id":"P1","RequestId":"r","Who":["a"]}"#;
        let RoomEvent::Unknown(u) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!((u.frame_type.as_str(), u.id.as_str()), ("PRESENCE", "P1"));
        assert_eq!(
            serde_json::Value::Object(u.fields),
            serde_json::json!({"Type": "PRESENCE", "Id": "P1", "RequestId": "r", "Who": ["a"]})
        );
    }

    #[test]
    fn malformed_frames_are_typed_problems_that_name_the_field() {
        let cases = [
            (
                "",
                "frame is not JSON: EOF while parsing a value at line 1 column 0",
            ),
            ("[1]", "frame is an array, not a JSON object"),
            ("\"MESSAGE\"", "frame is a string, not a JSON object"),
            ("{}", "invalid server frame: `Type` is missing"),
            (
                r#"{"Type":7,"Id":"x"}"#,
                "invalid server frame: `Type` is a number, not a string",
            ),
            (
                r#"{"Type":"MESSAGE"}"#,
                "invalid MESSAGE frame: `Id` is missing",
            ),
            (
                r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"2024-01-02T03:04:05Z","Sender":{"UserId":"u"},"Attributes":{"n":1}}"#,
                "invalid MESSAGE frame: `Attributes.n` is a number, not a string",
            ),
            (
                r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"2024-01-02T03:04:05Z","Sender":{"UserId":5}}"#,
                "invalid MESSAGE frame: `Sender.UserId` is a number, not a string",
            ),
            (
                r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"2024-01-02T03:04:05Z","Sender":{"UserId":"u","Attributes":{"a":true}}}"#,
                "invalid MESSAGE frame: `Sender.Attributes.a` is a boolean, not a string",
            ),
            (
                r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"2024-01-02T03:04:05Z"}"#,
                "invalid MESSAGE frame: `Sender` is missing",
            ),
            (
                r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"yesterday","Sender":{"UserId":"u"}}"#,
                "invalid MESSAGE frame: `SendTime` is not an RFC 3339 date-time",
            ),
            (
                r#"{"Type":"ERROR","Id":"e","RequestId":"r","ErrorCode":"400","ErrorMessage":"m"}"#,
                "invalid ERROR frame: `ErrorCode` is a string, not a number",
            ),
            (
                r#"{"Type":"ERROR","Id":"e","ErrorCode":400.5,"ErrorMessage":"m"}"#,
                "invalid ERROR frame: `ErrorCode` is not an integer",
            ),
            (
                r#"{"Type":"EVENT","Id":"e","RequestId":5,"EventName":"x","SendTime":"2024-01-02T03:04:05Z"}"#,
                "invalid EVENT frame: `RequestId` is a number, not a string",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(
                error.starts_with(expected),
                "{text}\n  got: {error}\n want: {expected}"
            );
        }
        // A broken answer keeps its request id, so the request it answers can fail at once.
        let error =
            parse(r#"{"Type":"ERROR","Id":"e","RequestId":"r-1","ErrorCode":"400"}"#).unwrap_err();
        assert_eq!(
            (error.id(), error.request_id.as_deref()),
            (Some("e"), Some("r-1"))
        );
    }

    #[test]
    fn a_repeated_key_counts_once_with_its_last_value() {
        let text = r#"{"Type":"EVENT","Id":"first","X":1,"EventName":"app:a","Id":"E1","X":2,"SendTime":"2024-01-02T03:04:05Z","Content":"c","EventName":"app:b"}"#;
        let RoomEvent::Event(e) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!((e.id.as_str(), e.event_name.as_str()), ("E1", "app:b"));
        // Unknown keys too: the last value; and `Content` is no field of an EVENT.
        assert_eq!(
            Value::Object(e.unknown_fields),
            serde_json::json!({"X": 2, "Content": "c"})
        );
    }

    #[test]
    fn complaints_never_repeat_values() {
        let text = r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"2024-01-02T03:04:05Z","Sender":{"UserId":"u"},"Attributes":{"SECRET-KEY":["SECRET-VALUE"]}}"#;
        let error = parse(text).unwrap_err().to_string();
        assert!(!error.contains("SECRET-VALUE"), "{error}");
        let error = parse(r#"{"Type":"MESSAGE","Id":"m","Content":"c","SendTime":"SECRET-TIME","Sender":{"UserId":"u"}}"#)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("SECRET"), "{error}");
    }

    #[test]
    fn mutated_frames_never_panic_and_always_explain() {
        let valid = [
            r#"{"Type":"MESSAGE","Id":"m","RequestId":"r","Content":"c","Attributes":{"a":"b"},"SendTime":"2024-01-02T03:04:05.123456789Z","Sender":{"UserId":"u","Attributes":null}}"#,
            r#"{"Type":"EVENT","Id":"e","EventName":"aws:DELETE_MESSAGE","Attributes":{"MessageId":"m","Reason":"r"},"SendTime":"2024-01-02T03:04:05Z"}"#,
            r#"{"Type":"EVENT","Id":"e","EventName":"aws:DISCONNECT_USER","Attributes":{"UserId":"u"},"SendTime":"2024-01-02T03:04:05Z"}"#,
            r#"{"Type":"ERROR","Id":"x","RequestId":"r","ErrorCode":403,"ErrorMessage":"no"}"#,
        ];
        let mut rng = fastrand::Rng::with_seed(42);
        let (mut ok, mut rejected) = (0, 0);
        for _ in 0..4000 {
            let mut bytes = valid[rng.usize(..valid.len())].as_bytes().to_vec();
            for _ in 0..rng.usize(1..4) {
                let at = rng.usize(..bytes.len());
                match rng.u8(..3) {
                    0 => bytes[at] = rng.u8(..),
                    1 => bytes.truncate(at),
                    _ => {
                        let noise = br#"{}[]\",:0u"#;
                        bytes.insert(at, noise[rng.usize(..noise.len())]);
                    }
                }
                if bytes.is_empty() {
                    bytes.push(b'{');
                }
            }
            // Text frames are UTF-8; the WebSocket layer rejects the rest before parsing.
            let text = String::from_utf8_lossy(&bytes);
            match parse(&text) {
                Ok(_) => ok += 1,
                Err(e) => {
                    let e = e.to_string();
                    assert!(
                        e.starts_with("frame is ") || e.starts_with("invalid "),
                        "{e}"
                    );
                    rejected += 1;
                }
            }
        }
        assert!(
            ok > 100 && rejected > 2000,
            "{ok} read, {rejected} rejected"
        );
    }
}
