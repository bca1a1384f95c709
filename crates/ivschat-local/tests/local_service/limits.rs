//! The service under abuse: authentication before the body, connection and
//! in-flight body caps, and bounded records.

use std::time::Duration;

use ivschat_local::LocalConfig;
use serde_json::json;

use crate::client::*;
use crate::ws::delete_room;

const MIB: usize = 1024 * 1024;
/// Long enough for a response that is coming; the service's read timeout is 30 s.
const ANSWER: Duration = Duration::from_secs(5);
/// How long a test waits to see that no answer comes while a limit holds.
const HELD: Duration = Duration::from_millis(300);

/// The head of a 1 MiB upload, without its body.
fn upload_head(extra: &[(&str, &str)]) -> Req {
    let mut req = Req::new("POST", "/CreateRoom", Vec::new())
        .header("content-type", "application/json")
        .header("content-length", &MIB.to_string());
    for (k, v) in extra {
        req = req.header(k, v);
    }
    req
}

/// Sends `ListRooms {}` on a new connection without waiting for the answer.
async fn list_rooms_sent(svc: &ivschat_local::LocalService) -> Conn {
    let mut conn = Conn::open(svc).await;
    let req = Req::json("POST", "/ListRooms", &json!({}));
    conn.write_raw(&req.to_bytes(&svc.local_addr().to_string(), false))
        .await;
    conn
}

/// Checks that no answer comes while a limit holds.
async fn assert_held(conn: &mut Conn, limit: &str) {
    let early = tokio::time::timeout(HELD, conn.read_response()).await;
    assert!(early.is_err(), "served beyond the {limit}: {early:?}");
}

/// The answer, which must come soon.
async fn answer(conn: &mut Conn) -> Resp {
    tokio::time::timeout(ANSWER, conn.read_response())
        .await
        .expect("answered within 5 s")
        .expect("a response")
}

async fn answer_without_body(svc: &ivschat_local::LocalService, req: Req) -> Resp {
    let mut conn = Conn::open(svc).await;
    conn.write_raw(&req.to_bytes(&svc.local_addr().to_string(), false))
        .await;
    answer(&mut conn).await
}

#[tokio::test]
async fn uploads_are_authenticated_from_their_headers_before_the_body() {
    let (svc, _clock) = start().await;
    let resp = answer_without_body(&svc, upload_head(&[])).await;
    resp.expect_error(403, "MissingAuthenticationTokenException");

    // Signed headers with what the headers alone show to be wrong.
    let now = "20240102T030405Z";
    let auth = |akid: &str, date: &str, region: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential={akid}/{date}/{region}/ivschat/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature={}",
            "0".repeat(64)
        )
    };
    let cases = [
        (
            auth("AKIDUNKNOWN", "20240102", "us-west-2"),
            now,
            "UnrecognizedClientException",
        ),
        (
            auth(AKID, "20240102", "eu-west-1"),
            now,
            "InvalidSignatureException",
        ),
        (
            auth(AKID, "20230102", "us-west-2"),
            "20230102T030405Z",
            "InvalidSignatureException",
        ),
        (
            "Basic dXNlcjpwYXNz".to_string(),
            now,
            "IncompleteSignatureException",
        ),
    ];
    for (authorization, date, code) in cases {
        let req = upload_head(&[("authorization", &authorization), ("x-amz-date", date)]);
        answer_without_body(&svc, req).await.expect_error(403, code);
    }
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let svc = start_with(
        LocalConfig::default()
            .with_verify_signatures(false)
            .with_max_connections(2),
    )
    .await;
    let idle1 = Conn::open(&svc).await;
    let mut idle2 = Conn::open(&svc).await;
    let ok = idle2
        .send(&Req::json("POST", "/ListRooms", &json!({})))
        .await;
    assert_eq!(ok.status, 200);

    let mut third = list_rooms_sent(&svc).await;
    assert_held(&mut third, "connection cap").await;
    drop(idle1);
    assert_eq!(answer(&mut third).await.status, 200);
}

#[tokio::test]
async fn bodies_beyond_the_in_flight_budget_wait() {
    let svc = start_with(
        LocalConfig::default()
            .with_verify_signatures(false)
            .with_max_in_flight_body_bytes(MIB),
    )
    .await;
    let host = svc.local_addr().to_string();
    // A 1 MiB upload that stalls half way holds the whole budget.
    let mut big = Conn::open(&svc).await;
    big.write_raw(&upload_head(&[]).to_bytes(&host, false))
        .await;
    big.write_raw(&vec![b' '; MIB / 2]).await;

    let mut small = list_rooms_sent(&svc).await;
    assert_held(&mut small, "in-flight body budget").await;

    big.write_raw(&vec![b' '; MIB / 2]).await;
    // All spaces: an empty document, so the room is created.
    assert_eq!(answer(&mut big).await.status, 200);
    assert_eq!(answer(&mut small).await.status, 200);
}

#[tokio::test]
async fn a_deleted_rooms_records_are_dropped() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({})).await;
    let arn = s(&room["arn"]).to_string();
    call(
        &svc,
        "SendEvent",
        json!({"roomIdentifier": arn, "eventName": "e"}),
    )
    .await
    .expect_ok();
    assert_eq!(svc.recorded_actions(&arn).len(), 1);
    delete_room(&svc, &arn).await;
    assert!(svc.recorded_actions(&arn).is_empty());
}

#[tokio::test]
async fn chat_token_records_are_bounded_oldest_first() {
    let svc = start_with(
        LocalConfig::default()
            .with_clock(ManualClock::new(T0_MS).clock())
            .with_max_chat_tokens(3),
    )
    .await;
    let room = create_room(&svc, json!({})).await;
    let mut tokens = Vec::new();
    for i in 0..4 {
        let out = call(
            &svc,
            "CreateChatToken",
            json!({"roomIdentifier": room["arn"], "userId": format!("u{i}")}),
        )
        .await
        .expect_ok();
        tokens.push(s(&out["token"]).to_string());
    }
    assert!(
        svc.verify_chat_token(&tokens[0]).is_none(),
        "oldest dropped"
    );
    for t in &tokens[1..] {
        assert!(svc.verify_chat_token(t).is_some());
    }
}

#[tokio::test]
async fn recorded_actions_are_bounded_oldest_first_across_rooms() {
    let svc = start_with(
        LocalConfig::default()
            .with_clock(ManualClock::new(T0_MS).clock())
            .with_max_recorded_actions(3),
    )
    .await;
    let a = s(&create_room(&svc, json!({})).await["arn"]).to_string();
    let b = s(&create_room(&svc, json!({})).await["arn"]).to_string();
    for (room, name) in [(&a, "a1"), (&a, "a2"), (&b, "b1"), (&b, "b2")] {
        call(
            &svc,
            "SendEvent",
            json!({"roomIdentifier": room, "eventName": name}),
        )
        .await
        .expect_ok();
    }
    let names = |arn: &str| -> Vec<String> {
        svc.recorded_actions(arn)
            .into_iter()
            .map(|a| match a {
                ivschat_local::RecordedAction::Event { event_name, .. } => event_name,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    };
    assert_eq!(names(&a), ["a2"]);
    assert_eq!(names(&b), ["b1", "b2"]);
}

#[tokio::test]
async fn limits_are_validated() {
    for (config, message) in [
        (
            LocalConfig::default().with_max_connections(0),
            "max_connections must be between 1 and 1073741824, got 0",
        ),
        (
            LocalConfig::default().with_max_in_flight_body_bytes(10),
            "max_in_flight_body_bytes (10) must be at least max_body_bytes (1048576) and at most 1073741824",
        ),
    ] {
        let err = ivschat_local::LocalService::start(config)
            .await
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            format!("invalid ivschat-local configuration: {message}")
        );
    }
}
