//! The client against a scripted WebSocket server: exact frames, answers, errors, and every way a
//! connection can go wrong. Timing tests run on Tokio's paused clock (the server in the same
//! runtime), so they take no real time and their durations are exact.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use ivschat_messaging::{
    Attributes, ChatToken, ConnectionError, ConnectionState, DisconnectReason, Endpoint, ErrorCode,
    Events, RefreshDeadline, RequestError, Room, RoomBuilder,
};
use support::{Frame, Handshake, Server, drain, error, message, next, request_id, tokens};
use tokio::time::Instant;

fn builder(server: &Server) -> (RoomBuilder, Arc<std::sync::atomic::AtomicUsize>) {
    let (provider, count) = tokens(None);
    (server.room(provider).jitter_seed(7), count)
}

/// A room connected to `server` with `options`, its events (the opening ones checked and
/// read), and the server's side of the connection.
async fn joined(
    mut server: Server,
    options: impl FnOnce(RoomBuilder) -> RoomBuilder,
) -> (Server, Room, Events, support::Peer) {
    let room = options(builder(&server).0).build();
    let events = connected(&room).await;
    let peer = server.accept().await;
    (server, room, events, peer)
}

/// Connects and checks the opening events.
async fn connected(room: &Room) -> Events {
    let mut events = room.events();
    room.connect().await.expect("connects");
    assert_eq!(drain(&mut events), ["connecting 1", "connected"]);
    events
}

/// Connects `room` and returns the events of the way there and the server's side.
async fn connect_logged(room: &Room, server: &mut Server) -> (Vec<String>, support::Peer) {
    let mut events = room.events();
    room.connect().await.expect("connects");
    let peer = server.accept().await;
    (drain(&mut events), peer)
}

/// The next event, which must start with `prefix`.
async fn next_starting(events: &mut Events, prefix: &str) {
    let event = next(events).await;
    assert!(
        event.starts_with(prefix),
        "{event:?} does not start with {prefix:?}"
    );
}

/// The next events must be a `Connecting` starting with `prefix`, then `Connected`.
async fn reconnected(events: &mut Events, prefix: &str) {
    next_starting(events, prefix).await;
    assert_eq!(next(events).await, "connected");
}

/// The next frame the client sent must be a close with code 1000 and no reason.
async fn expect_normal_close(peer: &mut support::Peer) {
    match peer.recv().await {
        Some(Frame::Close(code, reason)) => {
            assert_eq!(code, 1000);
            assert_eq!(reason, "");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn requests_send_exact_frames_and_resolve_to_their_answers() {
    let mut server = Server::start().await;
    let (provider, _) = tokens(None);
    let endpoint = Endpoint::url(&format!("{}chat/room?x=1", server.url())).unwrap();
    let room = Room::new(endpoint, provider);
    let mut events = connected(&room).await;
    let mut peer = server.accept().await;
    assert_eq!(peer.token, "token-1");
    let upgrades = server.upgrades();
    assert_eq!(upgrades.len(), 1);
    assert_eq!(upgrades[0].path, "/chat/room?x=1");
    assert_eq!(upgrades[0].protocol.as_deref(), Some("token-1"));
    // Exactly the headers RFC 6455 needs, and the token as the only subprotocol: no extension
    // (the service's frames are small), no Origin (as the official client on Node).
    let names: Vec<String> = upgrades[0]
        .headers
        .iter()
        .map(|h| h.split_once(':').unwrap().0.to_ascii_lowercase())
        .collect();
    assert_eq!(
        names,
        [
            "host",
            "upgrade",
            "connection",
            "sec-websocket-key",
            "sec-websocket-version",
            "sec-websocket-protocol"
        ]
    );
    assert!(
        upgrades[0]
            .headers
            .contains(&format!("Host: {}", server.addr)),
        "{:?}",
        upgrades[0].headers
    );
    assert!(
        upgrades[0]
            .headers
            .contains(&"sec-websocket-protocol: token-1".to_owned())
    );

    let attributes = Attributes::from([
        ("color".to_owned(), "blue".to_owned()),
        ("n".to_owned(), "1".to_owned()),
    ]);
    let serve = async {
        let frame = peer.recv_text().await;
        let id = request_id(&frame);
        assert_eq!(
            frame,
            format!(
                r#"{{"Action":"SEND_MESSAGE","RequestId":"{id}","Content":"hello \"you\"","Attributes":{{"color":"blue","n":"1"}}}}"#
            )
        );
        peer.send_text(&message("Msg000000001", Some(&id), "hello"))
            .await;
        id
    };
    let (sent, id) = tokio::join!(room.send_message("hello \"you\"", Some(&attributes)), serve);
    let sent = sent.unwrap();
    // A random UUID v4, as the official client sends.
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert_eq!(sent.id, "Msg000000001");
    assert_eq!(sent.request_id.as_deref(), Some(id.as_str()));
    assert_eq!(sent.sender.user_id, "user-1");

    let serve = async {
        let frame = peer.recv_text().await;
        let id = request_id(&frame);
        assert_eq!(
            frame,
            format!(
                r#"{{"Action":"DELETE_MESSAGE","RequestId":"{id}","Id":"Msg000000001","Reason":"spam"}}"#
            )
        );
        // Only the new spelling, which the official client cannot read.
        peer.send_text(&format!(
            r#"{{"Type":"EVENT","Id":"Evt000000001","RequestId":"{id}","EventName":"aws:DELETE_MESSAGE","Attributes":{{"MessageId":"Msg000000001","Reason":"spam"}},"SendTime":"2024-01-02T03:04:05Z"}}"#
        ))
        .await;
    };
    let (deleted, ()) = tokio::join!(room.delete_message("Msg000000001", Some("spam")), serve);
    let deleted = deleted.unwrap();
    assert_eq!(deleted.message_id, "Msg000000001");
    assert_eq!(deleted.reason.as_deref(), Some("spam"));

    let serve = async {
        let frame = peer.recv_text().await;
        let id = request_id(&frame);
        assert_eq!(
            frame,
            format!(r#"{{"Action":"DISCONNECT_USER","RequestId":"{id}","UserId":"user-2"}}"#)
        );
        peer.send_text(&format!(
            r#"{{"Type":"EVENT","Id":"Evt000000002","RequestId":"{id}","EventName":"aws:DISCONNECT_USER","Attributes":{{"UserId":"user-2"}},"SendTime":"2024-01-02T03:04:05Z"}}"#
        ))
        .await;
    };
    let (kicked, ()) = tokio::join!(room.disconnect_user("user-2", None), serve);
    let kicked = kicked.unwrap();
    assert_eq!((kicked.user_id.as_str(), kicked.reason), ("user-2", None));

    assert_eq!(
        drain(&mut events),
        [
            "message Msg000000001 hello",
            "deleted Msg000000001 by Evt000000001",
            "user disconnected by Evt000000002",
        ]
    );
}

#[tokio::test]
async fn error_frames_fail_their_request_with_the_code_and_others_become_events() {
    let (_server, room, mut events, mut peer) = joined(Server::start().await, |b| b).await;
    for code in [400, 403, 404, 406, 413, 429, 500, 4001] {
        let serve = async {
            let id = request_id(&peer.recv_text().await);
            peer.send_text(&error(&format!("Err{code}"), Some(&id), code, "no"))
                .await;
        };
        let (result, ()) = tokio::join!(room.send_message("x", None), serve);
        let err = result.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::new(code)), "{err}");
        let chat = err.chat_error().unwrap();
        assert_eq!(
            (chat.id.as_str(), chat.message.as_str()),
            (format!("Err{code}").as_str(), "no")
        );
    }
    let err = {
        let serve = async {
            let id = request_id(&peer.recv_text().await);
            peer.send_text(&error("Err1", Some(&id), 403, "Not allowed"))
                .await;
        };
        tokio::join!(room.delete_message("Msg000000001", None), serve)
            .0
            .unwrap_err()
    };
    assert_eq!(
        err.to_string(),
        "the server rejected the request: ERROR 403 (Forbidden): Not allowed"
    );
    // Errors that answer nothing: no request id, or one nobody waits for.
    peer.send_text(&error("Err2", None, 500, "boom")).await;
    peer.send_text(&error("Err3", Some("someone-else"), 429, "slow down"))
        .await;
    assert_eq!(next(&mut events).await, "error Err2 500");
    assert_eq!(next(&mut events).await, "error Err3 429");
    assert!(drain(&mut events).is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_request_times_out_and_its_late_answer_is_still_delivered() {
    let (_server, room, mut events, mut peer) = joined(Server::in_memory(), |b| {
        b.request_timeout(Duration::from_secs(2))
    })
    .await;
    let started = Instant::now();
    let (result, frame) = tokio::join!(room.send_message("x", None), peer.recv_text());
    assert!(matches!(result, Err(RequestError::Timeout(d)) if d == Duration::from_secs(2)));
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(result.unwrap_err().to_string(), "no answer within 2s");
    peer.send_text(&message("Msg000000009", Some(&request_id(&frame)), "late"))
        .await;
    assert_eq!(next(&mut events).await, "message Msg000000009 late");
}

#[tokio::test]
async fn requests_fail_at_once_when_not_connected() {
    let server = Server::start().await;
    let room = builder(&server).0.build();
    assert_eq!(room.state(), ConnectionState::Disconnected);
    let err = room.send_message("x", None).await.unwrap_err();
    assert!(matches!(err, RequestError::NotConnected), "{err}");
    assert_eq!(server.connections(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_abrupt_drop_fails_pending_requests_and_reconnects_with_a_new_token() {
    let mut server = Server::in_memory();
    let (builder, count) = builder(&server);
    let room = builder.build();
    let mut events = connected(&room).await;
    let mut peer = server.accept().await;
    // Old enough to count as stable: the reconnect is immediate.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let serve = async {
        peer.recv_text().await;
        drop(peer);
    };
    let (result, ()) = tokio::join!(room.send_message("x", None), serve);
    assert!(
        matches!(result, Err(RequestError::ConnectionClosed)),
        "{result:?}"
    );
    let dropped_at = Instant::now();
    let peer = server.accept().await;
    assert_eq!(
        dropped_at.elapsed(),
        Duration::ZERO,
        "first reconnect is immediate"
    );
    assert_eq!(peer.token, "token-2");
    reconnected(
        &mut events,
        "connecting 1 after: the connection broke without a close handshake",
    )
    .await;
    assert_eq!(room.state(), ConnectionState::Connected);

    // A second break, right away: this connection was short-lived, so the retry backs off.
    drop(peer);
    let dropped_at = Instant::now();
    let peer = server.accept().await;
    let waited = dropped_at.elapsed();
    assert!(
        (Duration::from_millis(250)..=Duration::from_millis(500)).contains(&waited),
        "{waited:?}"
    );
    assert_eq!(peer.token, "token-3");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
    reconnected(&mut events, "connecting 2 after: the connection broke").await;
}

#[tokio::test(start_paused = true)]
async fn a_server_that_keeps_dropping_new_connections_exhausts_the_budget() {
    let mut server = Server::in_memory();
    let room = builder(&server).0.max_connect_attempts(3).build();
    let mut events = connected(&room).await;
    for _ in 0..3 {
        drop(server.accept().await);
    }
    let mut seen = Vec::new();
    loop {
        let event = next(&mut events).await;
        let done = event.starts_with("disconnected");
        seen.push(event);
        if done {
            break;
        }
    }
    assert_eq!(seen.len(), 5, "{seen:#?}");
    assert!(
        seen[0].starts_with("connecting 2 after: the connection broke"),
        "{seen:#?}"
    );
    assert_eq!(seen[1], "connected");
    assert!(
        seen[2].starts_with("connecting 3 after: the connection broke"),
        "{seen:#?}"
    );
    assert_eq!(seen[3], "connected");
    assert!(
        seen[4].starts_with(
            "disconnected: connecting failed after 3 attempt(s): the connection broke"
        ),
        "{seen:#?}"
    );
    assert_eq!(room.state(), ConnectionState::Disconnected);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(server.connections(), 3);
}

#[tokio::test(start_paused = true)]
async fn refused_handshakes_are_retried_with_backoff_until_the_budget_is_spent() {
    let server = Server::in_memory();
    server.plan([
        Handshake::Reject(401),
        Handshake::Reject(403),
        Handshake::Reject(401),
        Handshake::Reject(403),
        Handshake::Reject(401),
    ]);
    let asked_at = Arc::new(Mutex::new(Vec::new()));
    let times = asked_at.clone();
    let (provider, _) = support::provider(move |n| {
        times.lock().unwrap().push(Instant::now());
        Ok(ChatToken::new(format!("token-{n}")))
    });
    let room = server.room(provider).jitter_seed(1).build();
    let mut events = room.events();
    let err = room.connect().await.unwrap_err();
    assert!(
        matches!(
            &err,
            DisconnectReason::Failed {
                attempts: 5,
                error: ConnectionError::HandshakeRejected { status: 401 }
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "connecting failed after 5 attempt(s): the server refused the WebSocket upgrade with HTTP 401"
    );
    let protocols: Vec<_> = server
        .upgrades()
        .into_iter()
        .map(|u| u.protocol.unwrap())
        .collect();
    assert_eq!(
        protocols,
        ["token-1", "token-2", "token-3", "token-4", "token-5"]
    );
    // Backoff: between half and all of 0.5 s, 1 s, 2 s, 4 s.
    let asked_at = asked_at.lock().unwrap().clone();
    for (n, pair) in asked_at.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        let base = Duration::from_millis(500) * (1 << n);
        assert!(
            gap >= base / 2 && gap <= base,
            "retry {}: {gap:?} for base {base:?}",
            n + 1
        );
    }
    let seen = drain(&mut events);
    assert_eq!(seen.len(), 6, "{seen:#?}");
    assert_eq!(seen[0], "connecting 1");
    assert_eq!(
        seen[2],
        "connecting 3 after: the server refused the WebSocket upgrade with HTTP 403"
    );
    assert!(seen[5].starts_with("disconnected: connecting failed after 5"));
}

#[tokio::test(start_paused = true)]
async fn handshake_problems_are_reported_then_retried() {
    let mut server = Server::in_memory();
    server.plan([
        Handshake::AcceptWithoutProtocol,
        Handshake::AcceptWithProtocol("token-2-but-another".into()),
        Handshake::Hang,
        Handshake::Reject(500),
        Handshake::EndlessHeaders,
    ]);
    let room = builder(&server)
        .0
        .connect_timeout(Duration::from_secs(3))
        .max_connect_attempts(6)
        .build();
    let (seen, peer) = connect_logged(&room, &mut server).await;
    assert_eq!(peer.token, "token-6");
    assert_eq!(
        seen,
        [
            "connecting 1",
            "connecting 2 after: the server accepted the WebSocket upgrade without echoing the token as the subprotocol",
            "connecting 3 after: the server accepted the WebSocket upgrade without echoing the token as the subprotocol",
            "connecting 4 after: no connection within 3s",
            "connecting 5 after: the server refused the WebSocket upgrade with HTTP 500",
            "connecting 6 after: WebSocket protocol error: the upgrade response is not complete after 16384 bytes",
            "connected",
        ]
    );
}

#[tokio::test]
async fn a_token_that_cannot_be_a_subprotocol_is_not_retried_and_never_sent() {
    let server = Server::start().await;
    let room = Room::new(Endpoint::url(&server.url()).unwrap(), || async {
        Ok::<_, String>(ChatToken::new("has space"))
    });
    let err = room.connect().await.unwrap_err();
    assert!(
        matches!(
            err,
            DisconnectReason::Failed {
                attempts: 1,
                error: ConnectionError::InvalidToken
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failing_token_provider_is_retried() {
    let mut server = Server::in_memory();
    let (provider, _) = support::provider(|n| match n {
        1 => Err("backend unavailable".to_owned()),
        _ => Ok(ChatToken::new("token-ok")),
    });
    let room = server.room(provider).build();
    let (seen, peer) = connect_logged(&room, &mut server).await;
    assert_eq!(peer.token, "token-ok");
    assert_eq!(
        seen,
        [
            "connecting 1",
            "connecting 2 after: the token provider failed: backend unavailable",
            "connected"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_clean_server_close_ends_the_room_with_its_code_and_reason() {
    for (code, reason, shown) in [
        (1000, "", "the server closed the connection (code 1000)"),
        (
            1008,
            "policy",
            "the server closed the connection (code 1008: policy)",
        ),
        (
            4001,
            "kicked by a moderator",
            "the server closed the connection (code 4001: kicked by a moderator)",
        ),
    ] {
        let (mut server, room, mut events, mut peer) = joined(Server::in_memory(), |b| b).await;
        let serve = async {
            peer.recv_text().await;
            peer.close(code, reason).await;
        };
        let (result, ()) = tokio::join!(room.send_message("x", None), serve);
        assert!(
            matches!(result, Err(RequestError::ConnectionClosed)),
            "{result:?}"
        );
        assert_eq!(next(&mut events).await, format!("disconnected: {shown}"));
        assert_eq!(room.state(), ConnectionState::Disconnected);
        // No reconnect, however long we wait.
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(server.connections(), 1);
        assert!(drain(&mut events).is_empty());
        // Until asked.
        room.connect().await.unwrap();
        assert_eq!(server.accept().await.token, "token-2");
    }
}

#[tokio::test(start_paused = true)]
async fn error_401_fails_its_request_closes_the_socket_and_reconnects_with_a_new_token() {
    let (mut server, room, mut events, mut peer) = joined(Server::in_memory(), |b| b).await;
    tokio::time::sleep(Duration::from_secs(11)).await;
    let serve = async {
        let id = request_id(&peer.recv_text().await);
        peer.send_text(&error("Err401", Some(&id), 401, "expired"))
            .await;
    };
    let (result, ()) = tokio::join!(room.send_message("x", None), serve);
    assert_eq!(result.unwrap_err().code(), Some(ErrorCode::UNAUTHORIZED));
    expect_normal_close(&mut peer).await;
    let mut peer = server.accept().await;
    assert_eq!(peer.token, "token-2");
    assert_eq!(
        next(&mut events).await,
        "connecting 1 after: the server ended the session: ERROR 401 (Unauthorized): expired"
    );
    assert_eq!(next(&mut events).await, "connected");
    // A 401 that answers nothing does the same.
    tokio::time::sleep(Duration::from_secs(11)).await;
    peer.send_text(&error("Err402", None, 401, "session over"))
        .await;
    expect_normal_close(&mut peer).await;
    assert_eq!(server.accept().await.token, "token-3");
    assert_eq!(
        next(&mut events).await,
        "connecting 1 after: the server ended the session: ERROR 401 (Unauthorized): session over"
    );
}

#[tokio::test]
async fn malformed_duplicate_and_unknown_frames() {
    let (_server, room, mut events, mut peer) = joined(Server::start().await, |b| b).await;
    peer.send_text("not json").await;
    peer.send_text("[1,2]").await;
    peer.send(vec![Frame::Binary(vec![1, 2, 3])]).await;
    peer.send_text(&message("Msg000000001", None, "one")).await;
    peer.send_text(&message("Msg000000001", None, "one again"))
        .await;
    peer.send_text(r#"{"Type":"ERROR","Id":"Err1","ErrorCode":"400","ErrorMessage":"m"}"#)
        .await;
    // An error may reuse the id of a message: it is not a duplicate.
    peer.send_text(&error("Msg000000001", None, 500, "about that message"))
        .await;
    peer.send_text(r#"{"Type":"EVENT","Id":"Evt1","EventName":"app:poll","Attributes":{"q":"?"},"SendTime":"2024-01-02T03:04:05Z","New":1}"#)
        .await;
    peer.send_text(r#"{"Type":"PRESENCE","Id":"P1","Count":3}"#)
        .await;
    peer.send_text(&message("Msg000000002", None, "two")).await;
    let mut seen = Vec::new();
    while seen.len() < 9 {
        seen.push(next(&mut events).await);
    }
    assert_eq!(
        seen,
        [
            "invalid: frame is not JSON: expected ident at line 1 column 2",
            "invalid: frame is an array, not a JSON object",
            "invalid: binary frame of 3 bytes; the protocol uses text frames only",
            "message Msg000000001 one",
            "invalid: invalid ERROR frame: `ErrorCode` is a string, not a number",
            "error Msg000000001 500",
            "event Evt1 app:poll",
            "unknown PRESENCE P1",
            "message Msg000000002 two",
        ]
    );

    // A broken answer fails its request at once.
    let serve = async {
        let id = request_id(&peer.recv_text().await);
        peer.send_text(&format!(
            r#"{{"Type":"MESSAGE","Id":"Msg000000003","RequestId":"{id}","Content":7}}"#
        ))
        .await;
    };
    let (result, ()) = tokio::join!(room.send_message("x", None), serve);
    assert_eq!(
        result.unwrap_err().to_string(),
        "the answer could not be read: invalid MESSAGE frame: `Content` is a number, not a string"
    );
    assert_eq!(
        next(&mut events).await,
        "invalid: invalid MESSAGE frame: `Content` is a number, not a string"
    );
    assert_eq!(room.state(), ConnectionState::Connected);
}

#[tokio::test(start_paused = true)]
async fn a_silent_server_is_detected_by_ping_within_the_bound() {
    let (mut server, _room, mut events, mut peer) = joined(Server::in_memory(), |b| b).await;
    peer.send_text(&message("Msg000000001", None, "last words"))
        .await;
    assert_eq!(next(&mut events).await, "message Msg000000001 last words");
    let last_frame = Instant::now();
    // The server neither reads nor answers from now on.
    peer.freeze();
    let connecting = next(&mut events).await;
    let detected = last_frame.elapsed();
    assert_eq!(
        connecting,
        "connecting 1 after: no answer to a ping within 10s"
    );
    // Silent for 15 s, ping, 10 s without an answer: the documented bound.
    assert_eq!(detected, Duration::from_secs(25));
    assert_eq!(server.accept().await.token, "token-2");
    assert_eq!(next(&mut events).await, "connected");
    drop(peer);
}

#[tokio::test(start_paused = true)]
async fn a_quiet_but_healthy_connection_is_kept_alive_with_pings() {
    let (server, _room, mut events, mut peer) = joined(Server::in_memory(), |b| b).await;
    let started = Instant::now();
    let mut pings = Vec::new();
    while pings.len() < 7 {
        match peer.recv_raw().await {
            Some(Frame::Ping(payload)) => {
                assert_eq!(payload, b"ivschat");
                pings.push(started.elapsed().as_secs());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // A ping after each 15 s of silence; the pong resets the clock.
    assert_eq!(pings, [15, 30, 45, 60, 75, 90, 105]);
    assert!(drain(&mut events).is_empty());
    assert_eq!(server.connections(), 1);
    // And the server's pings are answered.
    peer.send(vec![Frame::Ping(b"probe-ping".to_vec())]).await;
    loop {
        match peer.recv_raw().await {
            Some(Frame::Pong(payload)) => {
                assert_eq!(payload, b"probe-ping");
                break;
            }
            Some(Frame::Ping(_)) => continue,
            other => panic!("expected a pong, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_flood_keeps_memory_bounded_and_reports_what_was_skipped() {
    let mut server = Server::start().await;
    let room = builder(&server).0.event_buffer(100).build();
    let mut events = room.events();
    room.connect().await.unwrap();
    let mut peer = server.accept().await;
    peer.send_all((0..5000).map(|n| message(&format!("Flood{n:07}"), None, "spam")))
        .await;
    // The answer comes after the flood on the same connection: when the request resolves, the
    // whole flood has been read. Nothing was consumed meanwhile.
    let serve = async {
        let id = request_id(&peer.recv_text().await);
        peer.send_text(&message("Answer000001", Some(&id), "mine"))
            .await;
    };
    let (result, ()) = tokio::join!(room.send_message("x", None), serve);
    assert_eq!(result.unwrap().id, "Answer000001");
    assert_eq!(
        format!("{events:?}"),
        "Events { buffered: 100, capacity: 100, skipped: 4903, closed: false }"
    );
    // 2 state events + 5000 + 1 messages, the newest 100 kept.
    let seen = drain(&mut events);
    assert_eq!(seen.len(), 101);
    assert_eq!(seen[0], "lagged 4903");
    assert_eq!(seen[1], "message Flood0004901 spam");
    assert_eq!(seen[99], "message Flood0004999 spam");
    assert_eq!(seen[100], "message Answer000001 mine");
}

#[tokio::test(start_paused = true)]
async fn an_oversized_frame_drops_the_connection_not_the_memory() {
    let (mut server, _room, mut events, mut peer) = joined(Server::in_memory(), |b| b).await;
    let huge = "x".repeat(2 << 20);
    peer.send(vec![Frame::Text(huge)]).await;
    next_starting(
        &mut events,
        "connecting 2 after: WebSocket protocol error: payload length of 2097152 exceeds the limit of 1048576",
    )
    .await;
    assert_eq!(server.accept().await.token, "token-2");
}

#[tokio::test(start_paused = true)]
async fn token_refresh_overlaps_connections_without_duplicates_or_gaps() {
    let mut server = Server::in_memory();
    let (provider, count) = tokens(Some(Duration::from_secs(90)));
    let room = server
        .room(provider)
        .ping_interval(Duration::from_secs(3600))
        .build();
    let mut events = connected(&room).await;
    let mut old = server.accept().await;
    assert_eq!(old.token, "token-1");
    let started = Instant::now();
    old.send_text(&message("Msg000000001", None, "before"))
        .await;
    assert_eq!(next(&mut events).await, "message Msg000000001 before");
    // The old connection's server will not see the client's close before it sent what follows.
    old.freeze();

    // 90 s of session: the next connection opens 60 s before its end.
    let mut new = server.accept().await;
    assert_eq!(new.token, "token-2");
    let waited = started.elapsed();
    assert!(
        (Duration::from_secs(29)..=Duration::from_secs(30)).contains(&waited),
        "{waited:?}"
    );
    // The room moved to the new connection and is closing the old one. What the new one delivers
    // waits until the old one is done: all of the old one's frames first (the room sent them
    // before it closed), then what the new one adds, each frame once: the room's order.
    new.send_text(&message("Msg000000002", None, "both")).await;
    new.send_text(&message("Msg000000004", None, "after")).await;
    old.send_text(&message("Msg000000002", None, "both")).await;
    old.send_text(&message("Msg000000003", None, "only on the old one"))
        .await;
    assert_eq!(next(&mut events).await, "message Msg000000002 both");
    assert_eq!(
        next(&mut events).await,
        "message Msg000000003 only on the old one"
    );
    assert!(drain(&mut events).is_empty());
    old.thaw();
    expect_normal_close(&mut old).await;
    old.close(1000, "").await;
    assert_eq!(next(&mut events).await, "message Msg000000004 after");

    // Requests now go out on the new connection.
    let serve = async {
        let id = request_id(&new.recv_text().await);
        new.send_text(&message("Msg000000005", Some(&id), "sent"))
            .await;
    };
    let (result, ()) = tokio::join!(room.send_message("sent", None), serve);
    assert_eq!(result.unwrap().id, "Msg000000005");
    assert_eq!(next(&mut events).await, "message Msg000000005 sent");
    // No state events during the swap.
    assert!(drain(&mut events).is_empty());
    assert_eq!(room.state(), ConnectionState::Connected);
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);

    // And again for the next session.
    let newer = server.accept().await;
    assert_eq!(newer.token, "token-3");
}

/// How long after connecting a room with `rule` (`None`: the default) opens its second
/// connection, for tokens whose session and token expire `session` and `token` seconds after
/// they are issued (`None`: not given).
async fn refresh_after(
    rule: Option<RefreshDeadline>,
    session: Option<u64>,
    token: Option<u64>,
) -> Option<Duration> {
    let mut server = Server::in_memory();
    let (provider, _) = support::provider(move |n| {
        let now = SystemTime::now();
        let mut t = ChatToken::new(format!("token-{n}"));
        if let Some(s) = session {
            t = t.with_session_expiration_time(now + Duration::from_secs(s));
        }
        if let Some(s) = token {
            t = t.with_token_expiration_time(now + Duration::from_secs(s));
        }
        Ok(t)
    });
    let mut builder = server
        .room(provider)
        .ping_interval(Duration::from_secs(3600));
    if let Some(rule) = rule {
        builder = builder.refresh_deadline(rule);
    }
    let room = builder.build();
    room.connect().await.unwrap();
    let _first = server.accept().await;
    let started = Instant::now();
    let next = tokio::time::timeout(Duration::from_secs(290), server.accept()).await;
    next.ok().map(|second| {
        assert_eq!(second.token, "token-2");
        started.elapsed()
    })
}

#[tokio::test(start_paused = true)]
async fn the_refresh_is_timed_from_the_session_by_default_or_from_the_token_like_the_js_client() {
    use RefreshDeadline::{SessionExpiration, TokenExpiration};
    let (default, session_rule, token_rule) =
        (None, Some(SessionExpiration), Some(TokenExpiration));
    // (rule, session, token expiry in seconds) -> refresh after about (seconds)
    let cases = [
        (default, Some(90), Some(300), Some(30)),
        (default, Some(300), Some(90), Some(240)),
        (session_rule, Some(90), Some(300), Some(30)),
        (token_rule, Some(90), Some(300), Some(240)),
        (session_rule, Some(300), Some(90), Some(240)),
        (token_rule, Some(300), Some(90), Some(30)),
        // Without a session expiry the default falls back on the token's.
        (session_rule, None, Some(90), Some(30)),
        // The JS rule needs a token expiry.
        (token_rule, Some(90), None, None),
        (session_rule, None, None, None),
        // Less than a minute left: what remains beyond 30 s, at least 1 s.
        (session_rule, Some(50), None, Some(20)),
        (token_rule, None, Some(20), Some(1)),
    ];
    for (rule, session, token, expected) in cases {
        let waited = refresh_after(rule, session, token).await;
        // The provider read the system clock a moment before the room did: up to 1 s less.
        let about = waited.map(|w| (w + Duration::from_millis(999)).as_secs());
        assert_eq!(
            about, expected,
            "{rule:?} session {session:?} token {token:?}"
        );
    }
}

/// A room whose first connection is replaced a second after it opened (later ones last an
/// hour), and that first connection's server side.
async fn refreshed_after_a_second() -> (Server, Room, Events, support::Peer) {
    let server = Server::in_memory();
    let (provider, _) = support::provider(|n| {
        let session = if n == 1 { 61 } else { 3600 };
        Ok(ChatToken::new(format!("token-{n}"))
            .with_session_expiration_time(SystemTime::now() + Duration::from_secs(session)))
    });
    let room = server
        .room(provider)
        .ping_interval(Duration::from_secs(3600))
        .build();
    let events = connected(&room).await;
    let mut server = server;
    let old = server.accept().await;
    (server, room, events, old)
}

#[tokio::test(start_paused = true)]
async fn a_replaced_connection_holds_the_new_one_back_a_bounded_time() {
    let (mut server, room, mut events, old) = refreshed_after_a_second().await;
    // It never answers the client's close.
    old.freeze();
    let mut new = server.accept().await;
    let swapped = Instant::now();
    // A request goes out on the new connection: it is answered at once, but its event waits
    // until the old connection is given up, after the pong timeout.
    let serve = async {
        let id = request_id(&new.recv_text().await);
        new.send_text(&message("Msg000000001", Some(&id), "mine"))
            .await;
    };
    let (sent, ()) = tokio::join!(room.send_message("mine", None), serve);
    assert_eq!(sent.unwrap().id, "Msg000000001");
    assert_eq!(swapped.elapsed(), Duration::ZERO);
    assert_eq!(next(&mut events).await, "message Msg000000001 mine");
    assert_eq!(
        swapped.elapsed(),
        Duration::from_secs(10),
        "the pong timeout"
    );
    // Then nothing is held back any more.
    new.send_text(&message("Msg000000002", None, "next")).await;
    assert_eq!(next(&mut events).await, "message Msg000000002 next");
    assert_eq!(swapped.elapsed(), Duration::from_secs(10));

    // At most 256 frames are held back: beyond, everything comes at once.
    let (mut server, _room, mut events, old) = refreshed_after_a_second().await;
    old.freeze();
    let mut new = server.accept().await;
    let swapped = Instant::now();
    new.send_all((0..257).map(|n| message(&format!("Msg{n:09}"), None, "x")))
        .await;
    let mut all = Vec::new();
    while all.len() < 257 {
        all.push(next(&mut events).await);
    }
    assert_eq!(all[0], "message Msg000000000 x");
    assert_eq!(all[256], "message Msg000000256 x");
    assert_eq!(swapped.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_working_connection() {
    let mut server = Server::in_memory();
    let (provider, calls) = support::provider(|n| match n {
        1 => Ok(ChatToken::new("token-1")
            .with_session_expiration_time(std::time::SystemTime::now() + Duration::from_secs(90))),
        _ => Err("backend down".to_owned()),
    });
    let room = server.room(provider).max_connect_attempts(2).build();
    let mut events = connected(&room).await;
    let mut peer = server.accept().await;
    assert_eq!(
        next(&mut events).await,
        "problem: the token provider failed: backend down"
    );
    assert_eq!(
        next(&mut events).await,
        "problem: the token provider failed: backend down"
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(room.state(), ConnectionState::Connected);
    peer.send_text(&message("Msg000000001", None, "still here"))
        .await;
    assert_eq!(next(&mut events).await, "message Msg000000001 still here");
}

#[tokio::test]
async fn disconnect_closes_with_1000_and_fails_pending_requests() {
    let (_server, room, mut events, mut peer) = joined(Server::start().await, |b| b).await;
    let pending = tokio::spawn({
        let room = room.clone();
        async move { room.send_message("x", None).await }
    });
    peer.recv_text().await;
    room.disconnect().await;
    assert!(matches!(
        pending.await.unwrap(),
        Err(RequestError::ConnectionClosed)
    ));
    expect_normal_close(&mut peer).await;
    assert_eq!(
        next(&mut events).await,
        "disconnected: disconnected on request"
    );
    assert_eq!(room.state(), ConnectionState::Disconnected);
    assert!(matches!(
        room.send_message("x", None).await,
        Err(RequestError::NotConnected)
    ));
}

#[tokio::test]
async fn dropping_the_room_closes_the_connection_and_ends_the_stream() {
    let (_server, room, mut events, mut peer) = joined(Server::start().await, |b| b).await;
    drop(room);
    expect_normal_close(&mut peer).await;
    assert_eq!(
        next(&mut events).await,
        "disconnected: disconnected on request"
    );
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn connect_is_idempotent_and_shared_by_clones() {
    let mut server = Server::start().await;
    let room = builder(&server).0.build();
    let other = room.clone();
    let (a, b) = tokio::join!(room.connect(), other.connect());
    a.unwrap();
    b.unwrap();
    room.connect().await.unwrap();
    server.accept().await;
    assert_eq!(server.connections(), 1);
    assert_eq!(other.state(), ConnectionState::Connected);
    let shown = format!("{room:?}");
    assert!(
        shown.starts_with("Room { endpoint: Endpoint(ws://127.0.0.1:"),
        "{shown}"
    );
}

mod tls {
    use super::*;
    use support::tls::{tls_server, trusting_ca, url};

    #[tokio::test]
    async fn wss_with_a_trusted_certificate() {
        let mut server = tls_server().await;
        let room = Room::builder(url(&server), tokens(None).0)
            .tls_config(trusting_ca())
            .build();
        room.connect().await.unwrap();
        let mut peer = server.accept().await;
        assert_eq!(peer.token, "token-1");
        let serve = async {
            let id = request_id(&peer.recv_text().await);
            peer.send_text(&message("Msg000000001", Some(&id), "over tls"))
                .await;
        };
        let (result, ()) = tokio::join!(room.send_message("over tls", None), serve);
        assert_eq!(result.unwrap().content, "over tls");
    }

    #[tokio::test]
    async fn wss_with_an_untrusted_certificate_fails_with_a_tls_error() {
        let server = tls_server().await;
        let room = Room::builder(url(&server), tokens(None).0)
            .max_connect_attempts(1)
            .build();
        let err = room.connect().await.unwrap_err();
        let DisconnectReason::Failed {
            attempts: 1,
            error: error @ ConnectionError::Tls(_),
        } = &err
        else {
            panic!("{err:?}")
        };
        assert!(
            error
                .to_string()
                .starts_with("TLS error: invalid peer certificate"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn over_tcp_an_abrupt_drop_reconnects_and_a_clean_close_ends_the_room() {
    let mut server = Server::start().await;
    let room = builder(&server).0.build();
    let mut events = connected(&room).await;
    drop(server.accept().await);
    let mut peer = server.accept().await;
    assert_eq!(peer.token, "token-2");
    reconnected(
        &mut events,
        "connecting 2 after: the connection broke without a close handshake",
    )
    .await;
    peer.close(4001, "bye").await;
    assert_eq!(
        next(&mut events).await,
        "disconnected: the server closed the connection (code 4001: bye)"
    );
    assert_eq!(server.connections(), 2);
}
