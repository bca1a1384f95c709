//! What the client's `tracing` output says about connecting, reconnecting and requests, and that
//! it never carries a token, a user id, attributes or message contents.
//!
//! Alone in its test binary: `tracing` caches callsite interest per process.

mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ivschat_messaging::{ChatToken, Endpoint, Room};
use support::{Server, error, next, request_id};

/// Writes every span, recorded value and event, at every level, as text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<String>>);

impl Recorder {
    fn push(&self, kind: &str, name: &str, fields: &dyn Fn(&mut dyn tracing::field::Visit)) {
        let mut text = self.0.lock().unwrap();
        let _ = write!(text, "\n{kind} {name}");
        fields(&mut Fields(&mut text));
    }
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.push("span", span.metadata().name(), &|v| span.record(v));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        self.push("record", "", &|v| values.record(v));
    }
    fn event(&self, event: &tracing::Event<'_>) {
        self.push("event", event.metadata().target(), &|v| event.record(v));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn traces_describe_connections_and_requests_without_secrets() {
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(async {
            let mut server = Server::in_memory();
            let (provider, _) =
                support::provider(|n| Ok(ChatToken::new(format!("chat-token-SECRET-{n}"))));
            let endpoint =
                Endpoint::url("ws://user:password-SECRET@chat.example/ws?key=query-SECRET").unwrap();
            let room = Room::builder(endpoint, provider)
                .connector(server.connector())
                .build();
            let mut events = room.events();
            room.connect().await.unwrap();
            let mut peer = server.accept().await;

            support::exchange_secrets(&room, &mut peer).await;

            let serve = async {
                let id = request_id(&peer.recv_text().await);
                peer.send_text(&error("Err000000001", Some(&id), 403, "no")).await;
            };
            let (kicked, ()) = tokio::join!(room.disconnect_user("victim-SECRET", Some("reason")), serve);
            assert!(kicked.is_err());

            // A frame that cannot be read, with secrets in it.
            peer.send_text(r#"{"Type":"MESSAGE","Id":"M2","Content":"content-SECRET","SendTime":"time-SECRET","Sender":{"UserId":"sender-SECRET"}}"#)
                .await;
            // The session ends: reconnect with a new token.
            peer.send_text(&error("Err000000002", None, 401, "expired")).await;
            let peer = server.accept().await;
            assert_eq!(peer.token, "chat-token-SECRET-2");
            tokio::time::sleep(Duration::from_secs(1)).await;
            let _ = next(&mut events).await;
        })
    });
    let log = recorder.0.lock().unwrap().clone();
    for expected in [
        "span room endpoint=ws://chat.example/ws?…",
        "span connect endpoint=ws://chat.example/ws?… attempt=1",
        "span reconnect endpoint=ws://chat.example/ws?… attempt=2",
        "event ivschat_messaging::driver message=connected",
        "span request action=\"SEND_MESSAGE\" request_id=",
        "span request action=\"DISCONNECT_USER\" request_id=",
        "message=answered",
        "message=rejected error_code=403",
        "message=unreadable frame dropped error=invalid MESSAGE frame: `SendTime` is not an RFC 3339 date-time",
        "message=the server answered 401; reconnecting with a new token",
        "message=reconnecting after a delay error=the server ended the session: ERROR 401 (Unauthorized): expired backoff_ms=",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:{log}");
    }
    assert!(!log.contains("SECRET"), "a secret leaked in:{log}");
}
