//! The Messaging API over raw WebSocket frames: handshake, tokens, actions,
//! capabilities, limits, control-plane delivery and bad input.

use std::collections::HashSet;
use std::time::Duration;

use ivschat_local::{LocalConfig, LocalService};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::client::*;
use crate::ws::*;

const ALL: [&str; 3] = ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"];

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[tokio::test]
async fn handshake_echoes_the_token_on_any_path() {
    let (svc, _clock) = start().await;
    assert_eq!(
        svc.messaging_endpoint(),
        format!("ws://127.0.0.1:{}", svc.messaging_addr().port())
    );
    let (arn, _) = room(&svc, json!({})).await;
    let t = token(&svc, &arn, "alice", &[], json!({})).await;
    assert!(t.starts_with("ivschat-local.us-west-2."), "{t}");
    assert!(
        t.bytes().all(is_tchar),
        "token {t:?} has non-tchar characters"
    );
    // `handshake` asserts the echo.
    let ws = handshake(&svc, "/any/path?room=x", Some(&t))
        .await
        .expect("connects");
    wait_connections(&svc, 1).await;
    ws.close().await;
    wait_connections(&svc, 0).await;
}

#[tokio::test]
async fn handshakes_without_a_valid_token_are_refused() {
    let (svc, clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    refused(
        &svc,
        None,
        401,
        "No chat token: send it as the Sec-WebSocket-Protocol header",
    )
    .await;
    let t = token(&svc, &arn, "alice", &[], json!({})).await;
    refused(
        &svc,
        Some(&format!("{t}, other")),
        400,
        "Sec-WebSocket-Protocol must carry exactly one chat token",
    )
    .await;
    let forged = format!("ivschat-local.us-west-2.{}", "0".repeat(64));
    let not_valid = "The chat token is not valid: unknown, forged, or its room was deleted";
    refused(&svc, Some(&forged), 401, not_valid).await;

    // Single use: the refusals above did not consume it; a connection does.
    let ws = connect(&svc, &t).await;
    refused(
        &svc,
        Some(&t),
        401,
        "The chat token was already used to connect; tokens are single-use",
    )
    .await;
    assert!(svc.verify_chat_token(&t).is_none());
    drop(ws);

    // Expired: refused from tokenExpirationTime (issue time + 60 min) on.
    let late = token(&svc, &arn, "bob", &[], json!({})).await;
    clock.advance(Duration::from_secs(60 * 60));
    refused(
        &svc,
        Some(&late),
        401,
        "The chat token expired at 2024-01-02T04:04:05.123Z",
    )
    .await;

    // A token of a service in another region.
    let other = LocalService::start(LocalConfig::default().with_region("eu-west-1"))
        .await
        .expect("starts");
    let (other_arn, _) = room(&other, json!({})).await;
    let foreign = token(&other, &other_arn, "carol", &[], json!({})).await;
    refused(
        &svc,
        Some(&foreign),
        401,
        "The chat token was issued for region eu-west-1; this endpoint serves us-west-2",
    )
    .await;

    // The room was deleted.
    let (arn2, _) = room(&svc, json!({})).await;
    let orphan = token(&svc, &arn2, "dave", &[], json!({})).await;
    delete_room(&svc, &arn2).await;
    refused(&svc, Some(&orphan), 401, not_valid).await;
}

#[tokio::test]
async fn messages_reach_every_connection_of_the_room_and_only_it() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let (other_arn, _) = room(&svc, json!({})).await;
    let t = token(
        &svc,
        &arn,
        "alice",
        &["SEND_MESSAGE"],
        json!({"attributes": {"color": "blue"}}),
    )
    .await;
    let mut alice = connect(&svc, &t).await;
    let mut bob = member(&svc, &arn, "bob").await;
    let mut carol = member(&svc, &other_arn, "carol").await;

    alice
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "r-1", "Content": "hi", "Attributes": {"k": "v"}}))
        .await;
    let expected = json!({
        "Type": "MESSAGE", "RequestId": "r-1", "Content": "hi", "Attributes": {"k": "v"},
        "SendTime": T0, "Sender": {"UserId": "alice", "Attributes": {"color": "blue"}},
    });
    let id = expect_frame(&mut alice, expected.clone()).await;
    assert_eq!(expect_frame(&mut bob, expected).await, id);

    // No RequestId, no Attributes: neither appears; bob has no token attributes.
    bob.say("yo").await;
    let expected =
        json!({"Type": "MESSAGE", "Content": "yo", "SendTime": T0, "Sender": {"UserId": "bob"}});
    let id2 = expect_frame(&mut bob, expected.clone()).await;
    assert_eq!(expect_frame(&mut alice, expected).await, id2);
    assert_ne!(id, id2);

    // Carol's room saw none of it: her next frame is the event sent to her room.
    call(
        &svc,
        "SendEvent",
        json!({"roomIdentifier": other_arn, "eventName": "ping"}),
    )
    .await
    .expect_ok();
    expect_frame(
        &mut carol,
        json!({"Type": "EVENT", "EventName": "ping", "SendTime": T0}),
    )
    .await;
}

#[tokio::test]
async fn actions_need_their_capability() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let t = token(&svc, &arn, "viewer", &[], json!({})).await;
    let mut viewer = connect(&svc, &t).await;
    let requests = [
        json!({"Action": "SEND_MESSAGE", "RequestId": "a", "Content": "hi"}),
        json!({"Action": "DELETE_MESSAGE", "RequestId": "b", "Id": "AbCdEfGhIjKl"}),
        json!({"Action": "DISCONNECT_USER", "RequestId": "c", "UserId": "x"}),
    ];
    for (req, cap) in requests.iter().zip(ALL) {
        viewer.send(req).await;
        let rid = req["RequestId"].clone();
        expect_frame(
            &mut viewer,
            json!({"Type": "ERROR", "RequestId": rid, "ErrorCode": 403,
                   "ErrorMessage": format!("The chat token does not grant the {cap} capability")}),
        )
        .await;
    }
    // The capability is checked before the fields.
    viewer
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "d"}))
        .await;
    assert_eq!(viewer.recv().await["ErrorCode"], 403);
}

#[tokio::test]
async fn delete_message_sends_both_id_spellings() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut moderator = member(&svc, &arn, "mod").await;
    let mut viewer = member(&svc, &arn, "viewer").await;
    moderator
        .send(&json!({"Action": "DELETE_MESSAGE", "RequestId": "del-1", "Id": "AbCdEfGhIjKl", "Reason": "spam"}))
        .await;
    let expected = json!({
        "Type": "EVENT", "RequestId": "del-1", "EventName": "aws:DELETE_MESSAGE", "SendTime": T0,
        "Attributes": {"MessageId": "AbCdEfGhIjKl", "MessageID": "AbCdEfGhIjKl", "Reason": "spam"},
    });
    let id = expect_frame(&mut moderator, expected.clone()).await;
    assert_eq!(expect_frame(&mut viewer, expected).await, id);
    // Without a reason.
    moderator
        .send(&json!({"Action": "DELETE_MESSAGE", "Id": "AbCdEfGhIjKm"}))
        .await;
    expect_frame(
        &mut viewer,
        json!({"Type": "EVENT", "EventName": "aws:DELETE_MESSAGE", "SendTime": T0,
               "Attributes": {"MessageId": "AbCdEfGhIjKm", "MessageID": "AbCdEfGhIjKm"}}),
    )
    .await;
}

#[tokio::test]
async fn disconnect_user_announces_then_closes_every_connection_of_that_user() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let (other_arn, _) = room(&svc, json!({})).await;
    let mut moderator = member(&svc, &arn, "mod").await;
    let mut bob1 = member(&svc, &arn, "bob").await;
    let mut bob2 = member(&svc, &arn, "bob").await;
    let mut bob_elsewhere = member(&svc, &other_arn, "bob").await;
    wait_connections(&svc, 4).await;
    moderator
        .send(&json!({"Action": "DISCONNECT_USER", "RequestId": "k-1", "UserId": "bob", "Reason": "rude"}))
        .await;
    let expected = json!({
        "Type": "EVENT", "RequestId": "k-1", "EventName": "aws:DISCONNECT_USER", "SendTime": T0,
        "Attributes": {"UserId": "bob", "Reason": "rude"},
    });
    let id = expect_frame(&mut moderator, expected.clone()).await;
    for bob in [&mut bob1, &mut bob2] {
        assert_eq!(expect_frame(bob, expected.clone()).await, id);
        assert_eq!(bob.recv_close().await, (1000, "User disconnected".into()));
        bob.expect_end().await;
    }
    wait_connections(&svc, 2).await;
    // Bob in another room and the moderator stay connected.
    moderator.say("still here").await;
    assert_eq!(moderator.recv().await["Content"], "still here");
    call(
        &svc,
        "SendEvent",
        json!({"roomIdentifier": other_arn, "eventName": "e"}),
    )
    .await
    .expect_ok();
    assert_eq!(bob_elsewhere.recv().await["EventName"], "e");
}

#[tokio::test]
async fn control_plane_calls_reach_connected_clients() {
    let (svc, _clock) = start().await;
    let (arn, id) = room(&svc, json!({})).await;
    let mut alice = member(&svc, &arn, "alice").await;
    let mut bob = member(&svc, &arn, "bob").await;

    let out = call(
        &svc,
        "SendEvent",
        json!({"roomIdentifier": arn, "eventName": "app:poll", "attributes": {"q": "tea?"}}),
    )
    .await
    .expect_ok();
    let expected = json!({"Type": "EVENT", "EventName": "app:poll", "Attributes": {"q": "tea?"}, "SendTime": T0});
    assert_eq!(
        expect_frame(&mut alice, expected.clone()).await,
        s(&out["id"])
    );
    assert_eq!(expect_frame(&mut bob, expected).await, s(&out["id"]));

    // By bare id too.
    let out = call(
        &svc,
        "DeleteMessage",
        json!({"roomIdentifier": id, "id": "AbCdEfGhIjKl", "reason": "off topic"}),
    )
    .await
    .expect_ok();
    let expected = json!({
        "Type": "EVENT", "EventName": "aws:DELETE_MESSAGE", "SendTime": T0,
        "Attributes": {"MessageId": "AbCdEfGhIjKl", "MessageID": "AbCdEfGhIjKl", "Reason": "off topic"},
    });
    assert_eq!(
        expect_frame(&mut alice, expected.clone()).await,
        s(&out["id"])
    );
    assert_eq!(expect_frame(&mut bob, expected).await, s(&out["id"]));

    let out = call(
        &svc,
        "DisconnectUser",
        json!({"roomIdentifier": arn, "userId": "bob"}),
    )
    .await
    .expect_ok();
    assert_eq!(out, json!({}));
    let expected = json!({"Type": "EVENT", "EventName": "aws:DISCONNECT_USER", "SendTime": T0, "Attributes": {"UserId": "bob"}});
    let event_id = expect_frame(&mut alice, expected.clone()).await;
    assert_eq!(expect_frame(&mut bob, expected).await, event_id);
    assert_eq!(bob.recv_close().await, (1000, "User disconnected".into()));
    wait_connections(&svc, 1).await;
    // Still recorded for the control plane's observers.
    assert_eq!(svc.recorded_actions(&arn).len(), 3);
}

#[tokio::test]
async fn content_length_is_counted_in_code_points_and_follows_update_room() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({"maximumMessageLength": 5})).await;
    let mut alice = member(&svc, &arn, "alice").await;
    for ok in ["héllo", "😀😀😀😀😀", ""] {
        alice.say(ok).await;
        assert_eq!(alice.recv().await["Content"], ok);
    }
    alice
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "long", "Content": "😀😀😀😀😀😀"}))
        .await;
    expect_frame(
        &mut alice,
        json!({"Type": "ERROR", "RequestId": "long", "ErrorCode": 400,
               "ErrorMessage": "Content must be at most 5 characters, got 6"}),
    )
    .await;
    // UpdateRoom applies to the open connection.
    update_room(&svc, &arn, json!({"maximumMessageLength": 3})).await;
    alice.say("four").await;
    assert_eq!(
        alice.recv().await["ErrorMessage"],
        "Content must be at most 3 characters, got 4"
    );
}

#[tokio::test]
async fn the_room_rate_is_shared_and_follows_update_room() {
    let (svc, clock) = start().await;
    let (arn, _) = room(&svc, json!({"maximumMessageRatePerSecond": 2})).await;
    let mut alice = member(&svc, &arn, "alice").await;
    let mut bob = member(&svc, &arn, "bob").await;
    alice.say("1").await;
    assert_eq!(alice.recv().await["Content"], "1");
    bob.say("2").await;
    assert_eq!(bob.recv().await["Content"], "1");
    assert_eq!(bob.recv().await["Content"], "2");
    alice
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "r3", "Content": "3"}))
        .await;
    assert_eq!(alice.recv().await["Content"], "2");
    expect_frame(
        &mut alice,
        json!({"Type": "ERROR", "RequestId": "r3", "ErrorCode": 429,
               "ErrorMessage": "Room message rate of 2 per second exceeded"}),
    )
    .await;
    clock.advance(Duration::from_secs(1));
    alice.say("4").await;
    assert_eq!(alice.recv().await["Content"], "4");
    update_room(&svc, &arn, json!({"maximumMessageRatePerSecond": 1})).await;
    alice.say("5").await;
    assert_eq!(
        alice.recv().await["ErrorMessage"],
        "Room message rate of 1 per second exceeded"
    );
}

#[tokio::test]
async fn delete_room_closes_its_connections() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut alice = member(&svc, &arn, "alice").await;
    let mut bob = member(&svc, &arn, "bob").await;
    delete_room(&svc, &arn).await;
    for ws in [&mut alice, &mut bob] {
        assert_eq!(ws.recv_close().await, (1001, "Room deleted".into()));
        ws.expect_end().await;
    }
    wait_connections(&svc, 0).await;
}

#[tokio::test]
async fn sessions_end_cleanly_at_session_expiration_time() {
    let (svc, clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let t = token(
        &svc,
        &arn,
        "alice",
        &ALL,
        json!({"sessionDurationInMinutes": 1}),
    )
    .await;
    let mut alice = connect(&svc, &t).await;
    clock.advance(Duration::from_secs(59));
    alice.say("in time").await;
    assert_eq!(alice.recv().await["Content"], "in time");
    clock.advance(Duration::from_secs(1));
    assert_eq!(alice.recv_close().await, (1000, "Session expired".into()));
    alice.expect_end().await;
    wait_connections(&svc, 0).await;
}

#[tokio::test]
async fn bad_frames_get_errors_and_keep_the_connection() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut ws = member(&svc, &arn, "alice").await;
    let cases: Vec<(String, Value)> = vec![
        ("not json".into(), json!({"ErrorCode": 400, "ErrorMessage": "Frame is not valid JSON"})),
        ("[1,2]".into(), json!({"ErrorCode": 400, "ErrorMessage": "Frame must be a JSON object"})),
        ("{}".into(), json!({"ErrorCode": 400, "ErrorMessage": "Action is required"})),
        (
            r#"{"Action":"SHOUT","RequestId":"u"}"#.into(),
            json!({"RequestId": "u", "ErrorCode": 400,
                   "ErrorMessage": "Unknown Action; expected SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER"}),
        ),
        (
            r#"{"Action":"SEND_MESSAGE","RequestId":7,"Content":"x"}"#.into(),
            json!({"ErrorCode": 400, "ErrorMessage": "RequestId must be a string"}),
        ),
        (
            r#"{"Action":"SEND_MESSAGE","RequestId":"m"}"#.into(),
            json!({"RequestId": "m", "ErrorCode": 400, "ErrorMessage": "Content is required"}),
        ),
        (
            r#"{"Action":"SEND_MESSAGE","RequestId":"t","Content":5}"#.into(),
            json!({"RequestId": "t", "ErrorCode": 400, "ErrorMessage": "Content must be a string"}),
        ),
        (
            r#"{"Action":"SEND_MESSAGE","Content":"x","Attributes":{"n":1}}"#.into(),
            json!({"ErrorCode": 400, "ErrorMessage": "Attributes values must be strings"}),
        ),
        (
            r#"{"Action":"SEND_MESSAGE","Content":"x","Attributes":["a"]}"#.into(),
            json!({"ErrorCode": 400, "ErrorMessage": "Attributes must be an object"}),
        ),
        (
            json!({"Action":"SEND_MESSAGE","RequestId":"big","Content":"x","Attributes":{"k":"v".repeat(1100)}})
                .to_string(),
            json!({"RequestId": "big", "ErrorCode": 413,
                   "ErrorMessage": "Attributes must be at most 1024 bytes in total"}),
        ),
        (
            r#"{"Action":"DELETE_MESSAGE","Id":"abc"}"#.into(),
            json!({"ErrorCode": 400, "ErrorMessage": "Id must be 12 alphanumeric characters"}),
        ),
        (
            json!({"Action":"DELETE_MESSAGE","Id":"AbCdEfGhIjKl","Reason":"r".repeat(257)}).to_string(),
            json!({"ErrorCode": 400, "ErrorMessage": "Reason must be 1 to 256 characters, got 257"}),
        ),
        (
            r#"{"Action":"DISCONNECT_USER","UserId":""}"#.into(),
            json!({"ErrorCode": 400, "ErrorMessage": "UserId must be 1 to 128 characters, got 0"}),
        ),
        (
            r#"{"Action":"DISCONNECT_USER"}"#.into(),
            json!({"ErrorCode": 400, "ErrorMessage": "UserId is required"}),
        ),
        (
            json!({"Action":"SEND_MESSAGE","RequestId":"huge","Content":"x".repeat(17 * 1024)}).to_string(),
            json!({"RequestId": "huge", "ErrorCode": 413,
                   "ErrorMessage": "Frame is larger than the 16384-byte limit"}),
        ),
    ];
    let mut ids = HashSet::new();
    for (frame, expected) in cases {
        ws.send_raw(Message::text(frame.clone())).await;
        let mut got = ws.recv().await;
        assert!(ids.insert(take_id(&mut got)));
        assert_eq!(got["Type"], "ERROR", "{frame}");
        got.as_object_mut().expect("object").remove("Type");
        assert_eq!(got, expected, "{frame}");
    }
    ws.send_raw(Message::binary(b"{\"Action\":\"SEND_MESSAGE\"}".to_vec()))
        .await;
    let mut got = ws.recv().await;
    take_id(&mut got);
    assert_eq!(
        got,
        json!({"Type": "ERROR", "ErrorCode": 400,
               "ErrorMessage": "Binary frames are not supported; send JSON in text frames"})
    );
    // Pings are answered and the connection still works.
    ws.send_raw(Message::Ping(b"p".to_vec().into())).await;
    ws.say("fine").await;
    assert_eq!(ws.recv().await["Content"], "fine");
}

#[tokio::test]
async fn frames_beyond_four_times_the_limit_close_with_1009() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut ws = member(&svc, &arn, "alice").await;
    ws.send_raw(Message::text("x".repeat(64 * 1024 + 1))).await;
    assert_eq!(ws.recv_close().await, (1009, "Frame too large".into()));
    wait_connections(&svc, 0).await;
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut ws = member(&svc, &arn, "alice").await;
    // A text frame whose payload is not UTF-8, sent as a raw frame.
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let frame = Frame::message(vec![0xff, 0xfe], OpCode::Data(Data::Text), true);
    ws.send_raw(Message::Frame(frame)).await;
    assert_eq!(
        ws.recv_close().await,
        (1007, "Text frame is not valid UTF-8".into())
    );
    wait_connections(&svc, 0).await;
}

#[tokio::test]
async fn ids_are_unique_across_messages_events_and_errors() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut ws = member(&svc, &arn, "alice").await;
    let mut ids = HashSet::new();
    for i in 0..30 {
        match i % 3 {
            0 => {
                ws.send(&json!({"Action": "SEND_MESSAGE", "Content": "m"}))
                    .await
            }
            1 => {
                ws.send(&json!({"Action": "DELETE_MESSAGE", "Id": "AbCdEfGhIjKl"}))
                    .await
            }
            _ => ws.send(&json!({"Action": "BOGUS"})).await,
        }
        let mut frame = ws.recv().await;
        assert!(ids.insert(take_id(&mut frame)), "repeated id");
    }
    for _ in 0..10 {
        let out = call(
            &svc,
            "SendEvent",
            json!({"roomIdentifier": arn, "eventName": "e"}),
        )
        .await
        .expect_ok();
        let mut frame = ws.recv().await;
        let id = take_id(&mut frame);
        assert_eq!(id, s(&out["id"]));
        assert!(ids.insert(id), "repeated id");
    }
    assert_eq!(ids.len(), 40);
}

#[tokio::test]
async fn a_client_close_is_answered_and_the_session_released() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut ws = member(&svc, &arn, "alice").await;
    ws.send_raw(Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    })))
    .await;
    assert_eq!(ws.recv_close().await, (1000, "bye".into()));
    wait_connections(&svc, 0).await;
}

#[tokio::test]
async fn shutdown_closes_sessions_with_1001() {
    let (svc, _clock) = start().await;
    let (arn, _) = room(&svc, json!({})).await;
    let mut ws = member(&svc, &arn, "alice").await;
    let reader = tokio::spawn(async move { ws.recv_close().await });
    svc.shutdown().await;
    assert_eq!(
        reader.await.expect("reader"),
        (1001, "Service shutting down".into())
    );
}

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_not_buffered() {
    let svc = start_with(
        LocalConfig::default()
            .with_clock(ManualClock::new(T0_MS).clock())
            .with_max_outgoing_queue_bytes(64 * 1024),
    )
    .await;
    let (arn, _) = room(&svc, json!({})).await;
    let _stalled = member(&svc, &arn, "stalled").await;
    wait_connections(&svc, 1).await;
    // 100 events of 256 KiB: far more than the socket buffers and the queue hold.
    let big = "x".repeat(256 * 1024);
    for _ in 0..100 {
        call(
            &svc,
            "SendEvent",
            json!({"roomIdentifier": arn, "eventName": "big", "attributes": {"k": big}}),
        )
        .await
        .expect_ok();
        if svc.messaging_connections() == 0 {
            break;
        }
    }
    // Closed (after at most the 2 s close grace) though the client never read.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while svc.messaging_connections() != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stalled client is still connected"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn websocket_connections_beyond_the_cap_wait_for_a_free_slot() {
    let svc = start_with(
        LocalConfig::default()
            .with_clock(ManualClock::new(T0_MS).clock())
            .with_max_messaging_connections(1),
    )
    .await;
    let (arn, _) = room(&svc, json!({})).await;
    let first = member(&svc, &arn, "alice").await;
    let t = token(&svc, &arn, "bob", &[], json!({})).await;
    let svc = std::sync::Arc::new(svc);
    let second = tokio::spawn({
        let svc = std::sync::Arc::clone(&svc);
        async move { connect(&svc, &t).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "connected beyond the cap");
    assert_eq!(svc.messaging_connections(), 1);
    first.close().await;
    let _second = second.await.expect("connects once a slot frees");
    wait_connections(&svc, 1).await;
}
