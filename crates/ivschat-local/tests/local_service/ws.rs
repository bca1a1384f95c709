//! A tungstenite WebSocket client for the Messaging API, and helpers to make
//! rooms and chat tokens over the control plane.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use ivschat_local::LocalService;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::client::{call, create_room, s};

/// `SendTime` of everything sent at the manual clock's start.
pub const T0: &str = "2024-01-02T03:04:05.123Z";
const WAIT: Duration = Duration::from_secs(5);

/// One WebSocket connection to the service.
pub struct Ws {
    inner: WebSocketStream<TcpStream>,
}

/// A refused handshake: HTTP status and JSON body.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: Value,
    pub raw_body: String,
}

/// Opens a connection to `path` with the given `Sec-WebSocket-Protocol`
/// value (or none); on success checks the token was echoed.
pub async fn handshake(
    svc: &LocalService,
    path: &str,
    protocol: Option<&str>,
) -> Result<Ws, Refused> {
    let url = format!("{}{path}", svc.messaging_endpoint());
    let mut request = url.into_client_request().expect("request");
    if let Some(p) = protocol {
        request
            .headers_mut()
            .insert("sec-websocket-protocol", p.parse().expect("header value"));
    }
    let tcp = TcpStream::connect(svc.messaging_addr())
        .await
        .expect("connects");
    let result = tokio::time::timeout(WAIT, tokio_tungstenite::client_async(request, tcp))
        .await
        .expect("handshake ends");
    match result {
        Ok((inner, response)) => {
            let echoed = response
                .headers()
                .get("sec-websocket-protocol")
                .map(|v| v.to_str().expect("ascii").to_string());
            assert_eq!(echoed.as_deref(), protocol, "the token is echoed");
            Ok(Ws { inner })
        }
        Err(WsError::Http(response)) => {
            let raw_body =
                String::from_utf8(response.body().clone().unwrap_or_default()).expect("utf-8 body");
            assert_eq!(
                response.headers().get("content-type").map(|v| v.as_bytes()),
                Some(&b"application/json"[..])
            );
            Err(Refused {
                status: response.status().as_u16(),
                body: serde_json::from_str(&raw_body).expect("JSON body"),
                raw_body,
            })
        }
        Err(e) => panic!("handshake failed: {e}"),
    }
}

pub async fn connect(svc: &LocalService, token: &str) -> Ws {
    match handshake(svc, "/", Some(token)).await {
        Ok(ws) => ws,
        Err(r) => panic!("refused: {r:?}"),
    }
}

/// Expects a refusal with this status and message.
pub async fn refused(svc: &LocalService, protocol: Option<&str>, status: u16, message: &str) {
    let refusal = match handshake(svc, "/", protocol).await {
        Ok(_) => panic!("connected, expected a refusal with {status}"),
        Err(r) => r,
    };
    assert_eq!(refusal.status, status, "{refusal:?}");
    assert_eq!(refusal.body, json!({ "message": message }));
    if let Some(token) = protocol.filter(|p| p.len() > 16) {
        assert!(
            !refusal.raw_body.contains(token),
            "token leaked: {refusal:?}"
        );
    }
}

impl Ws {
    pub async fn send(&mut self, frame: &Value) {
        self.send_raw(Message::text(frame.to_string())).await;
    }

    /// `SEND_MESSAGE` with this content and nothing else.
    pub async fn say(&mut self, content: &str) {
        self.send(&json!({"Action": "SEND_MESSAGE", "Content": content}))
            .await;
    }

    pub async fn send_raw(&mut self, message: Message) {
        tokio::time::timeout(WAIT, self.inner.send(message))
            .await
            .expect("send ends")
            .expect("sent");
    }

    /// The next message other than a pong.
    pub async fn next(&mut self) -> Option<Result<Message, WsError>> {
        loop {
            let next = tokio::time::timeout(WAIT, self.inner.next())
                .await
                .expect("a frame within 5 s");
            if let Some(Ok(Message::Pong(_))) = next {
                continue;
            }
            return next;
        }
    }

    /// The next frame, which must be a JSON text frame.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Some(Ok(Message::Text(text))) => serde_json::from_str(&text).expect("JSON frame"),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    /// The next frame, which must be a close frame: its code and reason.
    pub async fn recv_close(&mut self) -> (u16, String) {
        match self.next().await {
            Some(Ok(Message::Close(Some(frame)))) => {
                (u16::from(frame.code), frame.reason.to_string())
            }
            other => panic!("expected a close frame, got {other:?}"),
        }
    }

    /// After a close frame: the stream ends.
    pub async fn expect_end(&mut self) {
        match self.next().await {
            None | Some(Err(WsError::ConnectionClosed)) => {}
            other => panic!("expected the end of the stream, got {other:?}"),
        }
    }

    pub async fn close(mut self) {
        let _ = self.inner.close(None).await;
        while let Ok(Some(_)) = tokio::time::timeout(WAIT, self.inner.next()).await {}
    }
}

/// Creates a room; returns (ARN, id).
pub async fn room(svc: &LocalService, body: Value) -> (String, String) {
    let room = create_room(svc, body).await;
    (s(&room["arn"]).to_string(), s(&room["id"]).to_string())
}

/// `UpdateRoom` with these members.
pub async fn update_room(svc: &LocalService, arn: &str, members: Value) {
    let mut body = json!({ "identifier": arn });
    if let (Value::Object(b), Value::Object(m)) = (&mut body, members) {
        b.extend(m);
    }
    call(svc, "UpdateRoom", body).await.expect_ok();
}

/// Deletes a room (204).
pub async fn delete_room(svc: &LocalService, arn: &str) {
    let resp = call(svc, "DeleteRoom", json!({ "identifier": arn })).await;
    assert_eq!(resp.status, 204, "{resp:?}");
}

/// A chat token for `user` with `capabilities` plus any other input members.
pub async fn token(
    svc: &LocalService,
    room_arn: &str,
    user: &str,
    capabilities: &[&str],
    extra: Value,
) -> String {
    let mut body =
        json!({"roomIdentifier": room_arn, "userId": user, "capabilities": capabilities});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let out = call(svc, "CreateChatToken", body).await.expect_ok();
    s(&out["token"]).to_string()
}

/// Connects `user` to the room with every capability.
pub async fn member(svc: &LocalService, room_arn: &str, user: &str) -> Ws {
    let all = ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"];
    let t = token(svc, room_arn, user, &all, json!({})).await;
    connect(svc, &t).await
}

/// Takes the server-made `Id` out of a frame after checking its form, so the
/// rest can be compared exactly.
pub fn take_id(frame: &mut Value) -> String {
    let id = frame
        .as_object_mut()
        .and_then(|o| o.remove("Id"))
        .unwrap_or_else(|| panic!("no Id in {frame}"));
    let id = s(&id).to_string();
    assert!(
        id.len() == 12 && id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "Id {id:?}"
    );
    id
}

/// Receives a frame, checks it equals `expected` apart from its `Id`, returns the `Id`.
pub async fn expect_frame(ws: &mut Ws, expected: Value) -> String {
    let mut frame = ws.recv().await;
    let id = take_id(&mut frame);
    assert_eq!(frame, expected);
    id
}

/// Waits (bounded) until the service counts `n` open WebSocket connections.
pub async fn wait_connections(svc: &LocalService, n: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while svc.messaging_connections() != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} connections, expected {n}",
            svc.messaging_connections()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
