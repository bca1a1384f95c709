//! The JSON frames of the Messaging API: client requests in, MESSAGE / EVENT /
//! ERROR out.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// Largest total size (keys plus values, in bytes) of a message's attributes,
/// the limit the model sets on token and event attributes.
pub(crate) const MAX_ATTRIBUTES_BYTES: usize = 1024;

/// An ERROR frame's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrameError {
    pub(crate) code: u16,
    pub(crate) message: String,
}

impl FrameError {
    pub(crate) fn new(code: u16, message: impl Into<String>) -> FrameError {
        FrameError {
            code,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> FrameError {
        FrameError::new(400, message)
    }
}

/// The three client actions and the capability each needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    SendMessage,
    DeleteMessage,
    DisconnectUser,
}

impl Action {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::SendMessage => "SEND_MESSAGE",
            Action::DeleteMessage => "DELETE_MESSAGE",
            Action::DisconnectUser => "DISCONNECT_USER",
        }
    }

    fn parse(name: &str) -> Option<Action> {
        [
            Action::SendMessage,
            Action::DeleteMessage,
            Action::DisconnectUser,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }
}

/// A request frame whose envelope (`Action`, `RequestId`) is valid. (No
/// `Debug`: the body may hold a user id.)
pub(crate) struct Envelope {
    pub(crate) action: Action,
    pub(crate) request_id: Option<String>,
    body: Map<String, Value>,
}

/// Reads `RequestId` if it is a string, for echoing into an ERROR even when
/// the rest of the frame is wrong.
fn request_id_of(body: &Map<String, Value>) -> Result<Option<String>, FrameError> {
    match body.get("RequestId") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(FrameError::bad("RequestId must be a string")),
    }
}

/// The `RequestId` of an unparsed frame when it is a JSON object with a string `RequestId`.
pub(crate) fn loose_request_id(text: &str) -> Option<String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(body)) => request_id_of(&body).ok().flatten(),
        _ => None,
    }
}

/// Parses a text frame's envelope. On error, also returns the `RequestId` to echo.
pub(crate) fn envelope(text: &str) -> Result<Envelope, (Option<String>, FrameError)> {
    let body = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err((None, FrameError::bad("Frame must be a JSON object"))),
        Err(_) => return Err((None, FrameError::bad("Frame is not valid JSON"))),
    };
    let request_id = request_id_of(&body).map_err(|e| (None, e))?;
    let action = match body.get("Action") {
        None | Some(Value::Null) => Err(FrameError::bad("Action is required")),
        Some(Value::String(name)) => Action::parse(name).ok_or_else(|| {
            FrameError::bad(
                "Unknown Action; expected SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER",
            )
        }),
        Some(_) => Err(FrameError::bad("Action must be a string")),
    };
    match action {
        Ok(action) => Ok(Envelope {
            action,
            request_id,
            body,
        }),
        Err(e) => Err((request_id, e)),
    }
}

fn required_string<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, FrameError> {
    match body.get(name) {
        None | Some(Value::Null) => Err(FrameError::bad(format!("{name} is required"))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(FrameError::bad(format!("{name} must be a string"))),
    }
}

/// A string of `min..=max` characters (code points), as the model counts.
fn sized<'a>(s: &'a str, name: &str, min: usize, max: usize) -> Result<&'a str, FrameError> {
    let n = s.chars().count();
    if n < min || n > max {
        return Err(FrameError::bad(format!(
            "{name} must be {min} to {max} characters, got {n}"
        )));
    }
    Ok(s)
}

/// `Reason`: optional, 1 to 256 characters (the control plane's constraint).
fn reason(body: &Map<String, Value>) -> Result<Option<String>, FrameError> {
    match body.get("Reason") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => sized(s, "Reason", 1, 256).map(|s| Some(s.to_string())),
        Some(_) => Err(FrameError::bad("Reason must be a string")),
    }
}

/// Total size of an attribute map as the model's 1 KB limit counts it.
pub(crate) fn attributes_size(attributes: &BTreeMap<String, String>) -> usize {
    attributes.iter().map(|(k, v)| k.len() + v.len()).sum()
}

fn attributes(body: &Map<String, Value>) -> Result<Option<BTreeMap<String, String>>, FrameError> {
    let map = match body.get("Attributes") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(FrameError::bad("Attributes must be an object")),
    };
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let Value::String(v) = v else {
            return Err(FrameError::bad("Attributes values must be strings"));
        };
        out.insert(k.clone(), v.clone());
    }
    if attributes_size(&out) > MAX_ATTRIBUTES_BYTES {
        return Err(FrameError::new(
            413,
            format!("Attributes must be at most {MAX_ATTRIBUTES_BYTES} bytes in total"),
        ));
    }
    Ok(Some(out))
}

/// `SEND_MESSAGE` fields. The room's length limit is checked by the caller.
#[derive(Debug)]
pub(crate) struct SendMessage {
    pub(crate) content: String,
    pub(crate) attributes: Option<BTreeMap<String, String>>,
}

/// `DELETE_MESSAGE` fields.
#[derive(Debug)]
pub(crate) struct DeleteMessage {
    pub(crate) message_id: String,
    pub(crate) reason: Option<String>,
}

/// `DISCONNECT_USER` fields.
pub(crate) struct DisconnectUser {
    pub(crate) user_id: String,
    pub(crate) reason: Option<String>,
}

impl Envelope {
    pub(crate) fn send_message(&self) -> Result<SendMessage, FrameError> {
        let content = required_string(&self.body, "Content")?.to_string();
        let attributes = attributes(&self.body)?;
        Ok(SendMessage {
            content,
            attributes,
        })
    }

    pub(crate) fn delete_message(&self) -> Result<DeleteMessage, FrameError> {
        let id = required_string(&self.body, "Id")?;
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(FrameError::bad("Id must be 12 alphanumeric characters"));
        }
        Ok(DeleteMessage {
            message_id: id.to_string(),
            reason: reason(&self.body)?,
        })
    }

    pub(crate) fn disconnect_user(&self) -> Result<DisconnectUser, FrameError> {
        let user_id = sized(required_string(&self.body, "UserId")?, "UserId", 1, 128)?;
        Ok(DisconnectUser {
            user_id: user_id.to_string(),
            reason: reason(&self.body)?,
        })
    }
}

fn text(value: Map<String, Value>) -> Utf8Bytes {
    Utf8Bytes::from(Value::Object(value).to_string())
}

fn attributes_value(attributes: &BTreeMap<String, String>) -> Value {
    Value::Object(
        attributes
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// The members every server frame starts with.
fn envelope_out(kind: &str, id: &str, request_id: Option<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("Type".into(), Value::from(kind));
    out.insert("Id".into(), Value::from(id));
    if let Some(rid) = request_id {
        out.insert("RequestId".into(), Value::from(rid));
    }
    out
}

/// A delivered message. (No `Debug`: it holds the sender's user id.)
pub(crate) struct MessageOut<'a> {
    pub(crate) id: &'a str,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) content: &'a str,
    pub(crate) attributes: Option<&'a BTreeMap<String, String>>,
    pub(crate) send_time: &'a str,
    pub(crate) sender_user_id: &'a str,
    pub(crate) sender_attributes: &'a BTreeMap<String, String>,
}

/// `{"Type":"MESSAGE","Id","RequestId"?,"Content","Attributes"?,"SendTime","Sender":{"UserId","Attributes"?}}`
pub(crate) fn message(m: &MessageOut<'_>) -> Utf8Bytes {
    let mut out = envelope_out("MESSAGE", m.id, m.request_id);
    out.insert("Content".into(), Value::from(m.content));
    if let Some(attrs) = m.attributes {
        out.insert("Attributes".into(), attributes_value(attrs));
    }
    out.insert("SendTime".into(), Value::from(m.send_time));
    let mut sender = Map::new();
    sender.insert("UserId".into(), Value::from(m.sender_user_id));
    if !m.sender_attributes.is_empty() {
        sender.insert("Attributes".into(), attributes_value(m.sender_attributes));
    }
    out.insert("Sender".into(), Value::Object(sender));
    text(out)
}

/// `{"Type":"EVENT","Id","RequestId"?,"EventName","Attributes"?,"SendTime"}`
pub(crate) fn event(
    id: &str,
    request_id: Option<&str>,
    name: &str,
    attributes: Option<&BTreeMap<String, String>>,
    send_time: &str,
) -> Utf8Bytes {
    let mut out = envelope_out("EVENT", id, request_id);
    out.insert("EventName".into(), Value::from(name));
    if let Some(attrs) = attributes {
        out.insert("Attributes".into(), attributes_value(attrs));
    }
    out.insert("SendTime".into(), Value::from(send_time));
    text(out)
}

/// A system event: its attributes, then `Reason` when given.
fn system_event(
    id: &str,
    request_id: Option<&str>,
    name: &str,
    attributes: &[(&str, &str)],
    reason: Option<&str>,
    send_time: &str,
) -> Utf8Bytes {
    let mut attrs: BTreeMap<String, String> = attributes
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Some(r) = reason {
        attrs.insert("Reason".to_string(), r.to_string());
    }
    event(id, request_id, name, Some(&attrs), send_time)
}

/// `aws:DELETE_MESSAGE` with the id under both spellings: the JS client 1.1.1
/// reads only `MessageID`, the documentation names `MessageId`.
pub(crate) fn delete_event(
    id: &str,
    request_id: Option<&str>,
    message_id: &str,
    reason: Option<&str>,
    send_time: &str,
) -> Utf8Bytes {
    let attrs = [("MessageId", message_id), ("MessageID", message_id)];
    system_event(
        id,
        request_id,
        "aws:DELETE_MESSAGE",
        &attrs,
        reason,
        send_time,
    )
}

/// `aws:DISCONNECT_USER` with `UserId` and the optional `Reason`.
pub(crate) fn disconnect_event(
    id: &str,
    request_id: Option<&str>,
    user_id: &str,
    reason: Option<&str>,
    send_time: &str,
) -> Utf8Bytes {
    let attrs = [("UserId", user_id)];
    system_event(
        id,
        request_id,
        "aws:DISCONNECT_USER",
        &attrs,
        reason,
        send_time,
    )
}

/// `{"Type":"ERROR","Id","RequestId"?,"ErrorCode":<number>,"ErrorMessage"}`
pub(crate) fn error(id: &str, request_id: Option<&str>, e: &FrameError) -> Utf8Bytes {
    let mut out = envelope_out("ERROR", id, request_id);
    out.insert("ErrorCode".into(), Value::from(e.code));
    out.insert("ErrorMessage".into(), Value::from(e.message.as_str()));
    text(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(text: &str) -> (Option<String>, FrameError) {
        match envelope(text) {
            Ok(_) => panic!("accepted {text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn envelopes() {
        let e =
            envelope(r#"{"Action":"SEND_MESSAGE","RequestId":"r1","Content":"x"}"#).expect("valid");
        assert_eq!(e.action, Action::SendMessage);
        assert_eq!(e.request_id.as_deref(), Some("r1"));
        assert_eq!(
            err("[]"),
            (None, FrameError::bad("Frame must be a JSON object"))
        );
        assert_eq!(err("{"), (None, FrameError::bad("Frame is not valid JSON")));
        assert_eq!(
            err(r#"{"Action":"X","RequestId":"r"}"#),
            (
                Some("r".into()),
                FrameError::bad(
                    "Unknown Action; expected SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER"
                )
            )
        );
        assert_eq!(
            err(r#"{"Action":"SEND_MESSAGE","RequestId":5}"#),
            (None, FrameError::bad("RequestId must be a string"))
        );
        assert_eq!(
            err(r#"{"Action":7}"#),
            (None, FrameError::bad("Action must be a string"))
        );
        assert_eq!(err(r#"{}"#), (None, FrameError::bad("Action is required")));
    }

    #[test]
    fn fields() {
        let e = envelope(r#"{"Action":"SEND_MESSAGE","Attributes":{"a":"b"},"Content":"hi"}"#)
            .expect("valid");
        let m = e.send_message().expect("valid");
        assert_eq!(m.content, "hi");
        assert_eq!(
            m.attributes,
            Some(BTreeMap::from([("a".into(), "b".into())]))
        );
        let bad = |t: &str| {
            envelope(t)
                .expect("envelope")
                .send_message()
                .expect_err("invalid")
        };
        assert_eq!(
            bad(r#"{"Action":"SEND_MESSAGE"}"#),
            FrameError::bad("Content is required")
        );
        assert_eq!(
            bad(r#"{"Action":"SEND_MESSAGE","Content":1}"#),
            FrameError::bad("Content must be a string")
        );
        assert_eq!(
            bad(r#"{"Action":"SEND_MESSAGE","Content":"x","Attributes":{"n":1}}"#),
            FrameError::bad("Attributes values must be strings")
        );
        let big =
            json!({"Action":"SEND_MESSAGE","Content":"x","Attributes":{"k":"v".repeat(1024)}});
        assert_eq!(bad(&big.to_string()).code, 413);
        let d = envelope(r#"{"Action":"DELETE_MESSAGE","Id":"short"}"#).expect("envelope");
        assert_eq!(
            d.delete_message().expect_err("invalid"),
            FrameError::bad("Id must be 12 alphanumeric characters")
        );
        let d =
            envelope(r#"{"Action":"DISCONNECT_USER","UserId":"u","Reason":""}"#).expect("envelope");
        assert_eq!(
            d.disconnect_user().err(),
            Some(FrameError::bad("Reason must be 1 to 256 characters, got 0"))
        );
    }

    #[test]
    fn server_frames() {
        let frame = error("AbCdEfGhIjKl", Some("r"), &FrameError::new(403, "no"));
        let v: Value = serde_json::from_str(&frame).expect("json");
        assert_eq!(
            v,
            json!({"Type":"ERROR","Id":"AbCdEfGhIjKl","RequestId":"r","ErrorCode":403,"ErrorMessage":"no"})
        );
        let frame = delete_event("AbCdEfGhIjKl", None, "MsgMsgMsgMsg", None, "t");
        let v: Value = serde_json::from_str(&frame).expect("json");
        assert_eq!(
            v,
            json!({"Type":"EVENT","Id":"AbCdEfGhIjKl","EventName":"aws:DELETE_MESSAGE",
                   "Attributes":{"MessageId":"MsgMsgMsgMsg","MessageID":"MsgMsgMsgMsg"},"SendTime":"t"})
        );
    }
}
