//! Message review handlers: in-process functions and HTTP endpoints, verdicts,
//! rewrites, and the room's fallback result.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ivschat_local::{LocalConfig, ReviewHandler, ReviewRequest, ReviewResponse};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::client::*;
use crate::ws::*;

const LAMBDA: &str = "arn:aws:lambda:us-west-2:123456789012:function:review";
const UNREGISTERED: &str = "arn:aws:lambda:us-west-2:123456789012:function:missing";
const DENIED: &str = "Message denied by the message review handler";

fn config() -> LocalConfig {
    LocalConfig::default().with_clock(ManualClock::new(T0_MS).clock())
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn review_room(svc: &ivschat_local::LocalService, uri: &str, fallback: &str) -> String {
    room(
        svc,
        json!({"messageReviewHandler": {"uri": uri, "fallbackResult": fallback}}),
    )
    .await
    .0
}

#[tokio::test]
async fn deny_reaches_only_the_sender_and_allow_may_rewrite() {
    let seen: Arc<Mutex<Vec<ReviewRequest>>> = Arc::default();
    let log = Arc::clone(&seen);
    let handler = ReviewHandler::from_fn(move |req: ReviewRequest| {
        log.lock().expect("lock").push(req.clone());
        async move {
            Ok::<_, std::convert::Infallible>(match req.content.as_str() {
                "deny me" => ReviewResponse::Deny {
                    reason: Some("no shouting".into()),
                },
                "deny quietly" => ReviewResponse::deny(),
                "rewrite" => ReviewResponse::Allow {
                    content: Some("REWRITTEN".into()),
                    attributes: Some(map(&[("checked", "yes")])),
                },
                _ => ReviewResponse::allow(),
            })
        }
    });
    let svc = start_with(config().with_review_handler(LAMBDA, handler)).await;
    let arn = review_room(&svc, LAMBDA, "ALLOW").await;
    let t = token(
        &svc,
        &arn,
        "alice",
        &["SEND_MESSAGE"],
        json!({"attributes": {"team": "red"}}),
    )
    .await;
    let mut alice = connect(&svc, &t).await;
    let mut bob = member(&svc, &arn, "bob").await;

    alice
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "d1", "Content": "deny me"}))
        .await;
    let error_id = expect_frame(
        &mut alice,
        json!({"Type": "ERROR", "RequestId": "d1", "ErrorCode": 406, "ErrorMessage": "no shouting"}),
    )
    .await;
    alice
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "d2", "Content": "deny quietly"}))
        .await;
    expect_frame(
        &mut alice,
        json!({"Type": "ERROR", "RequestId": "d2", "ErrorCode": 406, "ErrorMessage": DENIED}),
    )
    .await;
    alice
        .send(&json!({"Action": "SEND_MESSAGE", "RequestId": "w", "Content": "rewrite", "Attributes": {"x": "y"}}))
        .await;
    let rewritten = json!({
        "Type": "MESSAGE", "RequestId": "w", "Content": "REWRITTEN", "Attributes": {"checked": "yes"},
        "SendTime": T0, "Sender": {"UserId": "alice", "Attributes": {"team": "red"}},
    });
    let id = expect_frame(&mut alice, rewritten.clone()).await;
    // Bob's first frame is the rewritten message: the denials went to Alice only.
    assert_eq!(expect_frame(&mut bob, rewritten).await, id);
    alice
        .send(&json!({"Action": "SEND_MESSAGE", "Content": "plain", "Attributes": {"x": "y"}}))
        .await;
    let plain = json!({
        "Type": "MESSAGE", "Content": "plain", "Attributes": {"x": "y"},
        "SendTime": T0, "Sender": {"UserId": "alice", "Attributes": {"team": "red"}},
    });
    expect_frame(&mut bob, plain).await;

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 4);
    let r = &seen[2];
    assert_eq!(
        r.to_json(),
        json!({
            "Content": "rewrite", "MessageId": id, "RoomArn": arn, "Attributes": {"x": "y"},
            "Sender": {"Attributes": {"team": "red"}, "UserId": "alice", "Ip": "127.0.0.1"},
        })
    );
    assert_eq!(seen[0].attributes, BTreeMap::new());
    // The ERROR has its own id, not the reviewed message's.
    assert_ne!(seen[0].message_id, error_id);
}

#[tokio::test]
async fn the_fallback_applies_on_timeout_error_panic_invalid_verdict_or_no_handler() {
    let handler = ReviewHandler::from_fn(|req: ReviewRequest| async move {
        match req.content.as_str() {
            "slow" => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(ReviewResponse::deny())
            }
            "fail" => Err("the handler failed"),
            "panic" => panic!("the handler panicked (expected by this test)"),
            "too long" => Ok(ReviewResponse::rewrite("x".repeat(501))),
            _ => Ok(ReviewResponse::allow()),
        }
    });
    let svc = start_with(config().with_review_handler(LAMBDA, handler)).await;
    assert_eq!(svc.config().review_timeout, Duration::from_millis(200));
    for (uri, fallback) in [
        (LAMBDA, "ALLOW"),
        (LAMBDA, "DENY"),
        (UNREGISTERED, "ALLOW"),
        (UNREGISTERED, "DENY"),
    ] {
        let arn = review_room(&svc, uri, fallback).await;
        let mut ws = member(&svc, &arn, "alice").await;
        for content in ["slow", "fail", "panic", "too long"] {
            ws.send(&json!({"Action": "SEND_MESSAGE", "RequestId": "r", "Content": content}))
                .await;
            let mut frame = ws.recv().await;
            take_id(&mut frame);
            let expected = if fallback == "ALLOW" {
                json!({"Type": "MESSAGE", "RequestId": "r", "Content": content, "SendTime": T0,
                       "Sender": {"UserId": "alice"}})
            } else {
                json!({"Type": "ERROR", "RequestId": "r", "ErrorCode": 406, "ErrorMessage": DENIED})
            };
            assert_eq!(frame, expected, "{uri} {fallback} {content}");
        }
    }
}

/// An HTTP endpoint that answers each POST with the next canned reply and
/// keeps the requests it got.
async fn review_endpoint(replies: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!(
        "http://{}/review?stage=test",
        listener.local_addr().expect("addr")
    );
    let requests: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&requests);
    tokio::spawn(async move {
        for (status, body) in replies {
            let (mut stream, _) = listener.accept().await.expect("accepts");
            let mut raw = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = stream.read(&mut chunk).await.expect("reads");
                raw.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().expect("length"))
                        })
                        .unwrap_or(0);
                    if rest.len() >= len || n == 0 {
                        break;
                    }
                }
            }
            log.lock()
                .expect("lock")
                .push(String::from_utf8(raw).expect("utf-8"));
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).await.expect("writes");
        }
    });
    (url, requests)
}

#[tokio::test]
async fn http_review_endpoints_get_the_lambda_request_as_a_post() {
    let (url, requests) = review_endpoint(vec![
        (
            200,
            r#"{"ReviewResult":"ALLOW","Content":"from http","Attributes":{"via":"http"}}"#,
        ),
        (
            200,
            r#"{"ReviewResult":"DENY","Attributes":{"Reason":"http says no"}}"#,
        ),
        (500, r#"{"ReviewResult":"ALLOW","Content":"ignored"}"#),
        (200, r#"{"ReviewResult":"MAYBE"}"#),
    ])
    .await;
    let handler = ReviewHandler::http(&url).expect("valid URL");
    let svc = start_with(config().with_review_handler(LAMBDA, handler)).await;
    let arn = review_room(&svc, LAMBDA, "DENY").await;
    let mut ws = member(&svc, &arn, "alice").await;

    ws.say("hello").await;
    let id = expect_frame(
        &mut ws,
        json!({"Type": "MESSAGE", "Content": "from http", "Attributes": {"via": "http"},
               "SendTime": T0, "Sender": {"UserId": "alice"}}),
    )
    .await;
    let raw = requests.lock().expect("lock")[0].clone();
    let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
    assert!(
        head.starts_with("POST /review?stage=test HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\ncontent-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(
        body,
        json!({"Content": "hello", "MessageId": id, "RoomArn": arn, "Attributes": {},
               "Sender": {"Attributes": {}, "UserId": "alice", "Ip": "127.0.0.1"}})
    );

    let denials = [
        "http says no",
        // HTTP 500 and an unknown ReviewResult: the room's fallback (DENY).
        DENIED,
        DENIED,
    ];
    for message in denials {
        ws.send(&json!({"Action": "SEND_MESSAGE", "RequestId": "q", "Content": "hello"}))
            .await;
        expect_frame(
            &mut ws,
            json!({"Type": "ERROR", "RequestId": "q", "ErrorCode": 406, "ErrorMessage": message}),
        )
        .await;
    }
    assert_eq!(requests.lock().expect("lock").len(), 4);
}
