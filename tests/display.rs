//! What errors of the generated IVS Chat client print: every `Display` names the operation, the
//! error code and the message; `source()` chains down to the modeled error; the request id is
//! reachable from errors and from successful outputs.

use std::error::Error as _;
use std::time::{Duration, UNIX_EPOCH};

use integration_tests::server::{Canned, CaptureServer};
use ivschat::{Client, Config, Credentials};

async fn setup() -> (CaptureServer, Client) {
    let server = CaptureServer::start().await;
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials_provider(Credentials::from_keys("AKID", "SECRET", None))
        .time_source(ivschat::config::StaticTimeSource::new(
            UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        ))
        // Each canned error is answered once; a retried 5xx would meet the default 200.
        .max_attempts(1)
        .build();
    (server, Client::from_conf(config))
}

#[tokio::test]
async fn modeled_service_errors() {
    let (server, client) = setup().await;
    server.respond(Canned::error(
        404,
        "ResourceNotFoundException",
        r#"{"message":"Room not found","resourceId":"AbCd1234","resourceType":"ROOM"}"#,
    ));
    let err = client
        .get_room()
        .identifier("AbCd1234")
        .send()
        .await
        .expect_err("not found");
    assert_eq!(
        err.to_string(),
        "GetRoom: ResourceNotFoundException: Room not found (HTTP 404, request id req-0001)"
    );
    assert_eq!(err.request_id(), Some("req-0001"));
    assert_eq!(err.meta().request_id(), Some("req-0001"));
    assert!(err.is_not_found());
    let op_error = err.source().expect("the operation's error");
    assert_eq!(
        op_error.to_string(),
        "ResourceNotFoundException: Room not found"
    );
    let modeled = op_error.source().expect("the modeled error");
    assert!(
        modeled
            .downcast_ref::<ivschat::types::error::ResourceNotFoundException>()
            .is_some()
    );
    let service = err.as_service_error().expect("service error");
    assert!(service.is_resource_not_found_exception());
    assert_eq!(service.code(), Some("ResourceNotFoundException"));
    assert_eq!(service.message(), Some("Room not found"));
}

#[tokio::test]
async fn validation_exceptions_and_errors_without_a_message() {
    let (server, client) = setup().await;
    server.respond(Canned::error(
        400,
        "ValidationException",
        r#"{"message":"bad input","reason":"FIELD_VALIDATION_FAILED","fieldList":[{"name":"name","message":"too long"}]}"#,
    ));
    let err = client.create_room().send().await.expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "CreateRoom: ValidationException: bad input (HTTP 400, request id req-0001)"
    );
    server.respond(Canned::error(403, "AccessDeniedException", "{}"));
    let err = client.list_rooms().send().await.expect_err("denied");
    assert_eq!(
        err.to_string(),
        "ListRooms: AccessDeniedException (HTTP 403, request id req-0001)"
    );
    assert!(err.is_access_denied());
}

#[tokio::test]
async fn unmodeled_and_malformed_responses() {
    let (server, client) = setup().await;
    server.respond(Canned::error(
        503,
        "SlowDownException",
        r#"{"message":"later"}"#,
    ));
    let err = client.list_rooms().send().await.expect_err("unmodeled");
    assert_eq!(
        err.to_string(),
        "ListRooms: SlowDownException: later (HTTP 503, request id req-0001)"
    );
    assert!(err.as_service_error().is_some_and(|e| e.is_unhandled()));
    assert_eq!(err.code(), Some("SlowDownException"));

    server.respond(Canned::json(200, "{not json"));
    let err = client.list_rooms().send().await.expect_err("malformed");
    assert!(err.is_response());
    let text = err.to_string();
    assert!(
        text.starts_with("ListRooms: invalid response (HTTP 200, request id req-0001): "),
        "{text}"
    );
    assert!(err.source().is_some());
}

#[tokio::test]
async fn outputs_carry_the_request_id() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"rooms":[]}"#));
    let out = client.list_rooms().send().await.expect("ok");
    assert_eq!(out.request_id(), Some("req-0001"));
}

#[test]
fn chat_token_expiry_helpers() {
    use ivschat::operation::create_chat_token::CreateChatTokenOutput;
    let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
    let out = CreateChatTokenOutput::builder()
        .token("secret-token")
        .token_expiration_time(ivschat::DateTime::from_secs(1_000))
        .build();
    assert!(!out.is_token_expired_at(at(999)));
    assert!(out.is_token_expired_at(at(1_000)));
    assert!(out.is_token_expired_at(at(1_001)));
    // Unknown expiry is not reported as expired.
    assert!(!out.is_session_expired_at(at(u32::MAX as u64)));
    let debug = format!("{out:?}");
    assert!(!debug.contains("secret-token"), "{debug}");
}

#[tokio::test]
async fn enums_keep_values_this_client_does_not_know() {
    use ivschat::types::ChatTokenCapability;
    assert_eq!(
        ChatTokenCapability::values(),
        ["SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"]
    );
    let unknown: ChatTokenCapability = "PIN_MESSAGE".parse().expect("infallible");
    assert_eq!(unknown.as_str(), "PIN_MESSAGE");
    assert_eq!(unknown.to_string(), "PIN_MESSAGE");
    assert!(matches!(unknown, ChatTokenCapability::Unknown(_)));
    assert_eq!(
        ChatTokenCapability::from("SEND_MESSAGE"),
        ChatTokenCapability::SendMessage
    );
    // An unknown value goes back to the service unchanged.
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"token":"t"}"#));
    client
        .create_chat_token()
        .room_identifier("AbCd1234")
        .user_id("u")
        .capabilities(unknown)
        .send()
        .await
        .expect("sent");
    let body = server.requests()[0].body_text();
    assert!(body.contains(r#""capabilities":["PIN_MESSAGE"]"#), "{body}");
}
