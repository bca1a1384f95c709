//! Routing, limits and malformed HTTP.

use std::time::Duration;

use ivschat_local::LocalConfig;
use serde_json::json;

use crate::client::*;

#[tokio::test]
async fn unknown_routes_and_methods() {
    let (svc, _clock) = start().await;
    let resp = send_signed(&svc, Req::json("POST", "/CreateBanana", &json!({}))).await;
    assert_eq!(
        resp.expect_error(404, "UnknownOperationException"),
        json!({"message": "No operation matches POST /CreateBanana"})
    );
    let resp = send_signed(&svc, Req::new("GET", "/", "")).await;
    resp.expect_error(404, "UnknownOperationException");
    let resp = send_signed(&svc, Req::new("GET", "/tags/", "")).await;
    resp.expect_error(404, "UnknownOperationException");

    let resp = send_signed(&svc, Req::new("GET", "/CreateRoom", "")).await;
    assert_eq!(
        resp.expect_error(405, "UnknownOperationException"),
        json!({"message": "GET is not supported on /CreateRoom; use POST"})
    );
    assert_eq!(resp.header("allow"), Some("POST"));
    let arn = "arn:aws:ivschat:us-west-2:123456789012:room/ABCDEFGHIJKL";
    let resp = send_signed(&svc, Req::new("PUT", &tags_path(arn), "")).await;
    assert_eq!(
        resp.expect_error(405, "UnknownOperationException"),
        json!({"message": "PUT is not supported on /tags/{resourceArn}"})
    );
    assert_eq!(resp.header("allow"), Some("GET, POST, DELETE"));
}

#[tokio::test]
async fn request_ids_are_fresh_uuids() {
    let (svc, _clock) = start().await;
    let a = call(&svc, "ListRooms", json!({})).await;
    let b = call(&svc, "ListRooms", json!({})).await;
    assert_request_id(&a);
    assert_request_id(&b);
    assert_ne!(a.header("x-amzn-requestid"), b.header("x-amzn-requestid"));
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let svc = start_with(LocalConfig::default().with_max_body_bytes(1024)).await;
    let big = json!({"name": "a".repeat(2000)});
    // Declared too large: refused before the body is read.
    let resp = send_signed(&svc, Req::json("POST", "/CreateRoom", &big)).await;
    assert_eq!(
        resp.expect_error(413, "RequestEntityTooLargeException"),
        json!({"message": "Request body is larger than the 1024-byte limit"})
    );
    // Chunked, no length: refused once the limit is crossed. (Unsigned, so on
    // a service that does not check signatures: it would refuse it first.)
    let svc = start_with(
        LocalConfig::default()
            .with_max_body_bytes(1024)
            .with_verify_signatures(false),
    )
    .await;
    let mut conn = Conn::open(&svc).await;
    let chunk = "x".repeat(600);
    let raw = format!(
        "POST /CreateRoom HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len(),
        chunk.len()
    );
    conn.write_raw(raw.as_bytes()).await;
    let resp = conn.read_response().await.expect("response");
    resp.expect_error(413, "RequestEntityTooLargeException");
}

#[tokio::test]
async fn default_limit_is_one_mebibyte() {
    let svc = start_with(LocalConfig::default().with_verify_signatures(false)).await;
    assert_eq!(svc.config().max_body_bytes, 1024 * 1024);
    let req = Req::new("POST", "/CreateRoom", "").header("content-length", "1048577");
    let resp = send(&svc, &req).await;
    resp.expect_error(413, "RequestEntityTooLargeException");
}

#[tokio::test]
async fn slow_bodies_time_out() {
    let svc = start_with(
        LocalConfig::default()
            .with_verify_signatures(false)
            .with_read_timeout(Duration::from_millis(100)),
    )
    .await;
    let mut conn = Conn::open(&svc).await;
    conn.write_raw(b"POST /ListRooms HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n{}")
        .await;
    let resp = tokio::time::timeout(Duration::from_secs(2), conn.read_response())
        .await
        .expect("answered within the timeout")
        .expect("response");
    assert_eq!(
        resp.expect_error(408, "RequestTimeoutException"),
        json!({"message": "Timed out while reading the request body"})
    );
}

#[tokio::test]
async fn slow_headers_close_the_connection() {
    let svc = start_with(
        LocalConfig::default()
            .with_verify_signatures(false)
            .with_read_timeout(Duration::from_millis(100)),
    )
    .await;
    let mut conn = Conn::open(&svc).await;
    conn.write_raw(b"POST /ListRooms HTTP/1.1\r\nhost: x\r\n")
        .await;
    let resp = tokio::time::timeout(Duration::from_secs(2), conn.read_response())
        .await
        .expect("closed within the timeout");
    assert!(
        resp.is_none(),
        "a connection whose headers time out is closed"
    );
    send(&svc, &Req::new("POST", "/ListRooms", ""))
        .await
        .expect_ok();
}

#[tokio::test]
async fn garbage_does_not_hurt_the_service() {
    let (svc, _clock) = start().await;
    let mut conn = Conn::open(&svc).await;
    conn.write_raw(b"\x00\x01 NOT HTTP AT ALL\r\n\r\n").await;
    let resp = conn.read_response().await.expect("hyper answers");
    assert_eq!(resp.status, 400);
    let mut conn = Conn::open(&svc).await;
    conn.write_raw(b"POST /ListRooms HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n")
        .await;
    let resp = conn.read_response().await.expect("hyper answers");
    assert_eq!(resp.status, 400);
    call(&svc, "ListRooms", json!({})).await.expect_ok();
}

#[tokio::test]
async fn keep_alive_serves_many_requests_and_shutdown_stops() {
    let (svc, _clock) = start().await;
    let mut conn = Conn::open(&svc).await;
    for i in 0..5 {
        let resp = conn
            .signed(
                &svc,
                Req::json("POST", "/CreateRoom", &json!({"name": format!("r{i}")})),
            )
            .await;
        resp.expect_ok();
    }
    let listed = conn
        .signed(&svc, Req::json("POST", "/ListRooms", &json!({})))
        .await
        .expect_ok();
    assert_eq!(listed["rooms"].as_array().map(Vec::len), Some(5));
    let addr = svc.local_addr();
    svc.shutdown().await;
    // The listener is gone and open connections are closed.
    assert!(conn.read_response().await.is_none());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
