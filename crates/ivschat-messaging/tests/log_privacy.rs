//! Nothing the client does reaches the `log` crate with a secret in it: a program whose logger
//! records every crate at TRACE (as `tracing-subscriber` does when it bridges `log`, its default)
//! sees no token, user id, attribute, content or reason, over TCP and over TLS, through a
//! request of each kind, server events, pings, an `ERROR 401` reconnect and a clean close.
//!
//! Alone in its test binary: the logger is process-wide.

mod support;

use std::sync::Mutex;

use ivschat_messaging::{ChatToken, Room, RoomBuilder};
use support::{Frame, Server, error, next, request_id};

/// Every record, at every level, as `LEVEL target module: message`.
struct Records(Mutex<Vec<String>>);

impl log::Log for Records {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "{} {} {}: {}",
            record.level(),
            record.target(),
            record.module_path().unwrap_or_default(),
            record.args()
        );
        self.0.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

static RECORDS: Records = Records(Mutex::new(Vec::new()));

/// The client side of a session full of secrets, against `server`.
async fn chat(mut server: Server, room: impl FnOnce(&Server, support::Provider) -> RoomBuilder) {
    let (provider, _) = support::provider(|n| Ok(ChatToken::new(format!("chat-token-SECRET-{n}"))));
    let room = room(&server, provider).build();
    let mut events = room.events();
    room.connect().await.unwrap();
    let mut peer = server.accept().await;
    assert_eq!(peer.token, "chat-token-SECRET-1");

    let sent = support::exchange_secrets(&room, &mut peer).await;
    assert_eq!(sent.sender.user_id, "sender-SECRET");

    let serve = async {
        let id = request_id(&peer.recv_text().await);
        peer.send_text(&format!(
            r#"{{"Type":"EVENT","Id":"Evt000000001","RequestId":"{id}","EventName":"aws:DELETE_MESSAGE","Attributes":{{"MessageId":"Msg000000001","Reason":"reason-SECRET"}},"SendTime":"2024-01-02T03:04:05Z"}}"#
        ))
        .await;
    };
    let (deleted, ()) = tokio::join!(
        room.delete_message("Msg000000001", Some("reason-SECRET")),
        serve
    );
    assert_eq!(deleted.unwrap().reason.as_deref(), Some("reason-SECRET"));

    let serve = async {
        let id = request_id(&peer.recv_text().await);
        peer.send_text(&error("Err000000001", Some(&id), 403, "no"))
            .await;
    };
    let (kicked, ()) = tokio::join!(
        room.disconnect_user("victim-SECRET", Some("reason-SECRET")),
        serve
    );
    assert!(kicked.is_err());

    peer.send_text(r#"{"Type":"EVENT","Id":"Evt000000002","EventName":"app:secret","Attributes":{"k":"event-attribute-SECRET"},"SendTime":"2024-01-02T03:04:05Z"}"#)
        .await;
    // An unreadable frame with secrets in it.
    peer.send_text(r#"{"Type":"MESSAGE","Id":"M2","Content":"content-SECRET","SendTime":"time-SECRET","Sender":{"UserId":"sender-SECRET"}}"#)
        .await;
    peer.send(vec![Frame::Ping(b"ping-SECRET".to_vec())]).await;
    loop {
        match peer.recv_raw().await {
            Some(Frame::Pong(payload)) => break assert_eq!(payload, b"ping-SECRET"),
            Some(Frame::Ping(_)) => continue,
            other => panic!("expected a pong, got {other:?}"),
        }
    }
    // The session ends: a second handshake, with a new token.
    peer.send_text(&error("Err000000002", None, 401, "expired"))
        .await;
    let mut peer = server.accept().await;
    assert_eq!(peer.token, "chat-token-SECRET-2");
    peer.close(1000, "").await;
    loop {
        if next(&mut events).await.starts_with("disconnected") {
            break;
        }
    }
}

#[tokio::test]
async fn no_secret_reaches_log_records() {
    log::set_logger(&RECORDS).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);
    log::trace!("the logger records TRACE");

    chat(Server::start().await, |server, tokens| server.room(tokens)).await;
    let tls = support::tls::tls_server().await;
    chat(tls, |server, tokens| {
        Room::builder(support::tls::url(server), tokens).tls_config(support::tls::trusting_ca())
    })
    .await;

    let records = RECORDS.0.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|r| r.ends_with(": the logger records TRACE")),
        "{records:#?}"
    );
    let leaked: Vec<&String> = records.iter().filter(|r| r.contains("SECRET")).collect();
    assert!(leaked.is_empty(), "secrets in log records: {leaked:#?}");
}
