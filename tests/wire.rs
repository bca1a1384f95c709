//! Wire-level tests of the generated IVS Chat client: every operation against a capturing server
//! on 127.0.0.1, asserting method, raw path and query, headers, signature and JSON body sent,
//! and that success and error responses parse into the right typed values.

use std::time::{Duration, UNIX_EPOCH};

use integration_tests::server::{Canned, CaptureServer, CapturedRequest};
use integration_tests::sigv4;
use ivschat::types::{
    ChatTokenCapability, CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FallbackResult, FirehoseDestinationConfiguration, LoggingConfigurationState,
    MessageReviewHandler, ResourceType, S3DestinationConfiguration, ValidationExceptionReason,
};
use ivschat::{Client, Config, Credentials, DateTime};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
/// 2024-01-02T03:04:05Z
const SIGNING_TIME: u64 = 1_704_164_645;
const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234EfGh";
const ROOM_ARN_ENCODED: &str =
    "arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2FAbCd1234EfGh";
const LOG_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/LcId12345678";

fn config(url: &str) -> Config {
    Config::builder()
        .region("us-west-2")
        .endpoint_url(url)
        .credentials_provider(Credentials::from_keys(AKID, SECRET, Some(TOKEN.to_owned())))
        .time_source(ivschat::config::StaticTimeSource::new(
            UNIX_EPOCH + Duration::from_secs(SIGNING_TIME),
        ))
        .build()
}

async fn setup() -> (CaptureServer, Client) {
    let server = CaptureServer::start().await;
    let client = Client::from_conf(config(&server.url()));
    (server, client)
}

/// Like [`setup`], without retries: error parsing tests see each canned error exactly once
/// (retries are tested in faults.rs).
async fn setup_single_attempt() -> (CaptureServer, Client) {
    let server = CaptureServer::start().await;
    let client = Client::from_conf(config(&server.url()).to_builder().max_attempts(1).build());
    (server, client)
}

/// Asserts the headers every signed request carries and verifies its signature independently.
fn assert_signed(req: &CapturedRequest, with_body: bool) {
    let auth = sigv4::verify(
        &req.method,
        req.path(),
        req.query(),
        &req.headers,
        &req.body,
        SECRET,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(auth.access_key_id, AKID);
    assert_eq!(auth.scope, "20240102/us-west-2/ivschat/aws4_request");
    let expected: &[&str] = if with_body {
        &["content-type", "host", "x-amz-date", "x-amz-security-token"]
    } else {
        &["host", "x-amz-date", "x-amz-security-token"]
    };
    assert_eq!(auth.signed_headers, expected);
    assert_eq!(req.header("x-amz-date"), Some("20240102T030405Z"));
    assert_eq!(req.header("x-amz-security-token"), Some(TOKEN));
    assert_eq!(
        req.header("content-type"),
        with_body.then_some("application/json")
    );
    assert_eq!(req.header("amz-sdk-request"), Some("attempt=1; max=3"));
    // Exactly these headers: botocore's set. A body-less request declares its empty body,
    // except GET and HEAD (botocore does the same).
    let content_length = if with_body {
        Some(req.body.len().to_string())
    } else if req.method == "GET" || req.method == "HEAD" {
        None
    } else {
        Some("0".to_owned())
    };
    assert_eq!(
        req.header("content-length").map(str::to_owned),
        content_length
    );
    let mut names: Vec<&str> = req.headers.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    let mut expected = vec![
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "authorization",
        "host",
        "user-agent",
        "x-amz-date",
        "x-amz-security-token",
    ];
    expected.extend(content_length.is_some().then_some("content-length"));
    expected.extend(with_body.then_some("content-type"));
    // reqwest adds `accept: */*` to every request and has no way to leave it out
    // (seanmonstar/reqwest#2279); no AWS SDK sends it, so it is pinned here as the only
    // extra header.
    assert_eq!(req.header("accept"), Some("*/*"));
    expected.push("accept");
    expected.sort_unstable();
    assert_eq!(names, expected, "headers of {} {}", req.method, req.target);
    let ua = req.header("user-agent").expect("user-agent");
    assert!(ua.starts_with("ivschat/0.1.0 restjson-runtime/"), "{ua}");
    let id = req.header("amz-sdk-invocation-id").expect("invocation id");
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.matches('-').count(), 4, "{id}");
    if !with_body {
        assert!(req.body.is_empty());
    }
}

fn ts(text: &str) -> DateTime {
    DateTime::parse(text, restjson_runtime::TimestampFormat::DateTime).expect("valid timestamp")
}

#[tokio::test]
async fn create_chat_token() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        r#"{"token":"secret-chat-token","tokenExpirationTime":"2024-01-02T04:04:05.000Z","sessionExpirationTime":"2024-01-02T03:34:05Z"}"#,
    ));
    let out = client
        .create_chat_token()
        .room_identifier(ROOM_ARN)
        .user_id("user-1")
        .capabilities(ChatTokenCapability::SendMessage)
        .capabilities(ChatTokenCapability::DeleteMessage)
        .session_duration_in_minutes(30)
        .attributes("team", "blue")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/CreateChatToken")
    );
    assert_eq!(
        req.body_text(),
        format!(
            r#"{{"roomIdentifier":"{ROOM_ARN}","userId":"user-1","capabilities":["SEND_MESSAGE","DELETE_MESSAGE"],"sessionDurationInMinutes":30,"attributes":{{"team":"blue"}}}}"#
        )
    );
    assert_signed(&req, true);
    assert_eq!(out.token(), Some("secret-chat-token"));
    assert_eq!(
        out.token_expiration_time(),
        Some(&ts("2024-01-02T04:04:05Z"))
    );
    assert_eq!(
        out.session_expiration_time(),
        Some(&ts("2024-01-02T03:34:05Z"))
    );
    assert_eq!(out.request_id(), Some("req-0001"));
    let debug = format!("{out:?}");
    assert!(!debug.contains("secret-chat-token"), "{debug}");
    assert!(debug.contains("*** Sensitive Data Redacted ***"), "{debug}");
}

#[tokio::test]
async fn create_logging_configuration() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        &format!(
            r#"{{"arn":"{LOG_ARN}","id":"LcId12345678","createTime":"2024-01-02T03:04:05.123Z","updateTime":"2024-01-02T03:04:05.123Z","name":"logs","destinationConfiguration":{{"s3":{{"bucketName":"my-bucket"}}}},"state":"ACTIVE","tags":{{"env":"dev"}}}}"#
        ),
    ));
    let out = client
        .create_logging_configuration()
        .name("logs")
        .destination_configuration(DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("my-bucket")
                .build()
                .unwrap(),
        ))
        .tags("env", "dev")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/CreateLoggingConfiguration")
    );
    assert_eq!(
        req.body_text(),
        r#"{"name":"logs","destinationConfiguration":{"s3":{"bucketName":"my-bucket"}},"tags":{"env":"dev"}}"#
    );
    assert_signed(&req, true);
    assert_eq!(out.arn(), Some(LOG_ARN));
    assert_eq!(out.id(), Some("LcId12345678"));
    assert_eq!(out.create_time(), Some(&ts("2024-01-02T03:04:05.123Z")));
    assert_eq!(
        out.destination_configuration()
            .and_then(|d| d.as_s3())
            .map(|s| s.bucket_name()),
        Some("my-bucket")
    );
    assert_eq!(
        out.state(),
        Some(&ivschat::types::CreateLoggingConfigurationState::Active)
    );
    assert_eq!(
        out.tags().and_then(|t| t.get("env")).map(String::as_str),
        Some("dev")
    );
}

#[tokio::test]
async fn create_room_with_every_member() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        &format!(
            r#"{{"arn":"{ROOM_ARN}","id":"AbCd1234EfGh","name":"lobby","createTime":"2024-01-02T03:04:05Z","updateTime":"2024-01-02T03:04:06Z","maximumMessageRatePerSecond":5,"maximumMessageLength":200,"messageReviewHandler":{{"uri":"arn:aws:lambda:us-west-2:123456789012:function:review","fallbackResult":"DENY"}},"tags":{{"k":"v"}},"loggingConfigurationIdentifiers":["{LOG_ARN}"]}}"#
        ),
    ));
    let out = client
        .create_room()
        .name("lobby")
        .maximum_message_rate_per_second(5)
        .maximum_message_length(200)
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri("arn:aws:lambda:us-west-2:123456789012:function:review")
                .fallback_result(FallbackResult::Deny)
                .build(),
        )
        .tags("k", "v")
        .logging_configuration_identifiers(LOG_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/CreateRoom")
    );
    assert_eq!(
        req.body_text(),
        format!(
            r#"{{"name":"lobby","maximumMessageRatePerSecond":5,"maximumMessageLength":200,"messageReviewHandler":{{"uri":"arn:aws:lambda:us-west-2:123456789012:function:review","fallbackResult":"DENY"}},"tags":{{"k":"v"}},"loggingConfigurationIdentifiers":["{LOG_ARN}"]}}"#
        )
    );
    assert_signed(&req, true);
    assert_eq!(out.arn(), Some(ROOM_ARN));
    assert_eq!(out.maximum_message_rate_per_second(), Some(5));
    assert_eq!(out.maximum_message_length(), Some(200));
    assert_eq!(
        out.message_review_handler()
            .and_then(|h| h.fallback_result()),
        Some(&FallbackResult::Deny)
    );
    assert_eq!(
        out.logging_configuration_identifiers(),
        [LOG_ARN.to_owned()]
    );
    assert_eq!(out.update_time(), Some(&ts("2024-01-02T03:04:06Z")));
}

#[tokio::test]
async fn create_room_with_no_members_sends_an_empty_object() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"id":"AbCd1234EfGh"}"#));
    let out = client.create_room().send().await.expect("success");
    let req = server.single_request();
    assert_eq!(req.body_text(), "{}");
    assert_signed(&req, true);
    assert_eq!(out.id(), Some("AbCd1234EfGh"));
    assert_eq!(out.name(), None);
    assert!(out.logging_configuration_identifiers().is_empty());
}

#[tokio::test]
async fn delete_logging_configuration() {
    let (server, client) = setup().await;
    server.respond(Canned::json(204, ""));
    client
        .delete_logging_configuration()
        .identifier(LOG_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/DeleteLoggingConfiguration")
    );
    assert_eq!(req.body_text(), format!(r#"{{"identifier":"{LOG_ARN}"}}"#));
    assert_signed(&req, true);
}

#[tokio::test]
async fn delete_message() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"id":"MsgEvt123456"}"#));
    let out = client
        .delete_message()
        .room_identifier(ROOM_ARN)
        .id("Msg123456789")
        .reason("spam")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/DeleteMessage")
    );
    assert_eq!(
        req.body_text(),
        format!(r#"{{"roomIdentifier":"{ROOM_ARN}","id":"Msg123456789","reason":"spam"}}"#)
    );
    assert_signed(&req, true);
    assert_eq!(out.id(), Some("MsgEvt123456"));
}

#[tokio::test]
async fn delete_room() {
    let (server, client) = setup().await;
    server.respond(Canned::json(204, ""));
    client
        .delete_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/DeleteRoom")
    );
    assert_eq!(req.body_text(), format!(r#"{{"identifier":"{ROOM_ARN}"}}"#));
    assert_signed(&req, true);
}

#[tokio::test]
async fn disconnect_user() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, "{}"));
    client
        .disconnect_user()
        .room_identifier(ROOM_ARN)
        .user_id("user-1")
        .reason("bye")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/DisconnectUser")
    );
    assert_eq!(
        req.body_text(),
        format!(r#"{{"roomIdentifier":"{ROOM_ARN}","userId":"user-1","reason":"bye"}}"#)
    );
    assert_signed(&req, true);
}

#[tokio::test]
async fn get_logging_configuration() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        &format!(
            r#"{{"arn":"{LOG_ARN}","id":"LcId12345678","destinationConfiguration":{{"firehose":{{"deliveryStreamName":"stream"}}}},"state":"CREATE_FAILED","name":"","unknownField":[1,2]}}"#
        ),
    ));
    let out = client
        .get_logging_configuration()
        .identifier(LOG_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/GetLoggingConfiguration")
    );
    assert_eq!(req.body_text(), format!(r#"{{"identifier":"{LOG_ARN}"}}"#));
    assert_signed(&req, true);
    assert_eq!(
        out.destination_configuration(),
        Some(&DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("stream")
                .build()
                .unwrap()
        ))
    );
    assert_eq!(out.state(), Some(&LoggingConfigurationState::CreateFailed));
    assert_eq!(out.name(), Some(""));
}

#[tokio::test]
async fn get_room() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        &format!(r#"{{"arn":"{ROOM_ARN}","id":"AbCd1234EfGh","maximumMessageLength":500,"createTime":1704164645.5}}"#),
    ));
    let out = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/GetRoom")
    );
    assert_eq!(req.body_text(), format!(r#"{{"identifier":"{ROOM_ARN}"}}"#));
    assert_signed(&req, true);
    assert_eq!(out.maximum_message_length(), Some(500));
    assert_eq!(
        out.create_time(),
        Some(&DateTime::from_secs_and_nanos(1_704_164_645, 500_000_000))
    );
}

#[tokio::test]
async fn list_logging_configurations() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        &format!(
            r#"{{"loggingConfigurations":[{{"arn":"{LOG_ARN}","destinationConfiguration":{{"cloudWatchLogs":{{"logGroupName":"/ivs/chat"}}}},"state":"SOMETHING_NEW"}}],"nextToken":"page2"}}"#
        ),
    ));
    let out = client
        .list_logging_configurations()
        .max_results(50)
        .next_token("page1")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/ListLoggingConfigurations")
    );
    assert_eq!(req.body_text(), r#"{"nextToken":"page1","maxResults":50}"#);
    assert_signed(&req, true);
    assert_eq!(out.next_token(), Some("page2"));
    let summary = &out.logging_configurations()[0];
    assert_eq!(
        summary.destination_configuration(),
        Some(&DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("/ivs/chat")
                .build()
                .unwrap()
        ))
    );
    let state = summary.state().expect("state");
    assert_eq!(state.as_str(), "SOMETHING_NEW");
    assert!(matches!(state, LoggingConfigurationState::Unknown(_)));
}

#[tokio::test]
async fn list_rooms_with_filters() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        &format!(r#"{{"rooms":[{{"arn":"{ROOM_ARN}","name":"lobby","tags":{{}}}}]}}"#),
    ));
    let out = client
        .list_rooms()
        .name("lobby")
        .max_results(1)
        .message_review_handler_uri("arn:aws:lambda:us-west-2:123456789012:function:review")
        .logging_configuration_identifier(LOG_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/ListRooms")
    );
    assert_eq!(
        req.body_text(),
        format!(
            r#"{{"name":"lobby","maxResults":1,"messageReviewHandlerUri":"arn:aws:lambda:us-west-2:123456789012:function:review","loggingConfigurationIdentifier":"{LOG_ARN}"}}"#
        )
    );
    assert_signed(&req, true);
    assert_eq!(out.rooms().len(), 1);
    assert_eq!(out.rooms()[0].name(), Some("lobby"));
    assert_eq!(out.next_token(), None);
}

#[tokio::test]
async fn list_rooms_error_corrects_a_missing_required_member() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, "{}"));
    let out = client.list_rooms().send().await.expect("success");
    assert!(out.rooms().is_empty());
}

#[tokio::test]
async fn list_tags_for_resource_encodes_the_arn_as_one_segment() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"tags":{"a":"1","b":""}}"#));
    let out = client
        .list_tags_for_resource()
        .resource_arn(ROOM_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(req.method, "GET");
    assert_eq!(req.target, format!("/tags/{ROOM_ARN_ENCODED}"));
    assert_signed(&req, false);
    assert_eq!(out.tags().len(), 2);
    assert_eq!(out.tags()["b"], "");
}

#[tokio::test]
async fn send_event() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"id":"EvtId1234567"}"#));
    let out = client
        .send_event()
        .room_identifier(ROOM_ARN)
        .event_name("app:poll")
        .attributes("question", "Tea or coffee? ☕ \"quoted\"\n")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/SendEvent")
    );
    assert_eq!(
        req.body_text(),
        format!(
            r#"{{"roomIdentifier":"{ROOM_ARN}","eventName":"app:poll","attributes":{{"question":"Tea or coffee? ☕ \"quoted\"\n"}}}}"#
        )
    );
    assert_signed(&req, true);
    assert_eq!(out.id(), Some("EvtId1234567"));
}

#[tokio::test]
async fn tag_resource() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, "{}"));
    client
        .tag_resource()
        .resource_arn(ROOM_ARN)
        .tags("env", "prod")
        .tags("owner", "team a/b")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(req.method, "POST");
    assert_eq!(req.target, format!("/tags/{ROOM_ARN_ENCODED}"));
    assert_eq!(
        req.body_text(),
        r#"{"tags":{"env":"prod","owner":"team a/b"}}"#
    );
    assert_signed(&req, true);
}

#[tokio::test]
async fn untag_resource_sends_one_query_pair_per_key() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, "{}"));
    client
        .untag_resource()
        .resource_arn("arn:aws:ivschat:us-west-2:123456789012:room/a b%+=&")
        .tag_keys("env")
        .tag_keys("a b&c=d/e%f+g")
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(req.method, "DELETE");
    assert_eq!(
        req.target,
        "/tags/arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2Fa%20b%25%2B%3D%26?tagKeys=env&tagKeys=a%20b%26c%3Dd%2Fe%25f%2Bg"
    );
    assert_signed(&req, false);
}

#[tokio::test]
async fn update_logging_configuration() {
    let (server, client) = setup().await;
    server.respond(Canned::json(200, r#"{"state":"ACTIVE","name":"renamed"}"#));
    let out = client
        .update_logging_configuration()
        .identifier(LOG_ARN)
        .name("renamed")
        .destination_configuration(DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("group")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/UpdateLoggingConfiguration")
    );
    assert_eq!(
        req.body_text(),
        format!(
            r#"{{"identifier":"{LOG_ARN}","name":"renamed","destinationConfiguration":{{"cloudWatchLogs":{{"logGroupName":"group"}}}}}}"#
        )
    );
    assert_signed(&req, true);
    assert_eq!(out.name(), Some("renamed"));
    assert_eq!(
        out.state(),
        Some(&ivschat::types::UpdateLoggingConfigurationState::Active)
    );
}

#[tokio::test]
async fn update_room() {
    let (server, client) = setup().await;
    server.respond(Canned::json(
        200,
        r#"{"name":"stage","maximumMessageRatePerSecond":100}"#,
    ));
    let out = client
        .update_room()
        .identifier(ROOM_ARN)
        .name("stage")
        .maximum_message_rate_per_second(100)
        .set_logging_configuration_identifiers(Some(vec![]))
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("POST", "/UpdateRoom")
    );
    assert_eq!(
        req.body_text(),
        format!(
            r#"{{"identifier":"{ROOM_ARN}","name":"stage","maximumMessageRatePerSecond":100,"loggingConfigurationIdentifiers":[]}}"#
        )
    );
    assert_signed(&req, true);
    assert_eq!(out.maximum_message_rate_per_second(), Some(100));
}

#[tokio::test]
async fn missing_required_member_fails_before_sending() {
    let (server, client) = setup().await;
    let err = client
        .get_room()
        .send()
        .await
        .expect_err("identifier is required");
    assert!(err.is_construction());
    assert_eq!(
        err.to_string(),
        "GetRoom: request not sent: invalid input (1 problem): `identifier` is required but not set"
    );
    let err = client
        .untag_resource()
        .resource_arn(ROOM_ARN)
        .send()
        .await
        .expect_err("tagKeys is required");
    assert_eq!(
        err.to_string(),
        "UntagResource: request not sent: invalid input (1 problem): `tagKeys` is required but not set"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn modelled_errors_parse_into_typed_values() {
    let (server, client) = setup_single_attempt().await;

    server.respond(Canned::error(
        400,
        "ValidationException",
        r#"{"message":"bad input","reason":"FIELD_VALIDATION_FAILED","fieldList":[{"name":"name","message":"too long"}]}"#,
    ));
    let err = client
        .create_room()
        .name("x")
        .send()
        .await
        .expect_err("validation");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("ValidationException"));
    assert_eq!(err.request_id(), Some("req-0001"));
    assert_eq!(
        err.to_string(),
        "CreateRoom: ValidationException: bad input (HTTP 400, request id req-0001)"
    );
    match err.as_service_error() {
        Some(ivschat::operation::create_room::CreateRoomError::ValidationException(v)) => {
            assert_eq!(v.message, "bad input");
            assert_eq!(v.reason, ValidationExceptionReason::FieldValidationFailed);
            assert_eq!(v.field_list().len(), 1);
            assert_eq!(v.field_list()[0].name(), "name");
            assert_eq!(v.field_list()[0].message(), "too long");
        }
        other => panic!("unexpected {other:?}"),
    }

    server.respond(Canned::error(
        402,
        "ServiceQuotaExceededException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        r#"{"message":"too many","resourceId":"AbCd1234EfGh","resourceType":"ROOM","limit":50}"#,
    ));
    let err = client.create_room().send().await.expect_err("quota");
    match err.as_service_error() {
        Some(ivschat::operation::create_room::CreateRoomError::ServiceQuotaExceededException(
            q,
        )) => {
            assert_eq!(q.limit, 50);
            assert_eq!(q.resource_type, ResourceType::Room);
            assert_eq!(q.resource_id, "AbCd1234EfGh");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.status(), Some(402));

    server.respond(Canned::json(
        404,
        r#"{"__type":"com.amazonaws.ivschat#ResourceNotFoundException","message":"no room","resourceId":"x","resourceType":"ROOM"}"#,
    ));
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("not found");
    assert!(err.is_not_found());
    let e = err.as_service_error().expect("service error");
    assert!(e.is_resource_not_found_exception());
    assert_eq!(e.message(), Some("no room"));

    server.respond(Canned::error(
        429,
        "ThrottlingException",
        r#"{"message":"slow down","resourceId":"r","resourceType":"ROOM"}"#,
    ));
    let err = client
        .send_event()
        .room_identifier(ROOM_ARN)
        .event_name("e")
        .send()
        .await
        .expect_err("throttled");
    assert!(err.is_throttling());
    match err.as_service_error() {
        Some(ivschat::operation::send_event::SendEventError::ThrottlingException(t)) => {
            assert_eq!(t.limit, 0, "missing limit takes its @default");
            assert_eq!(t.message, "slow down");
        }
        other => panic!("unexpected {other:?}"),
    }

    server.respond(Canned::error(
        409,
        "ConflictException",
        r#"{"message":"in use","resourceId":"LcId12345678","resourceType":"ROOM"}"#,
    ));
    let err = client
        .delete_logging_configuration()
        .identifier(LOG_ARN)
        .send()
        .await
        .expect_err("conflict");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_conflict_exception())
    );

    server.respond(Canned::error(
        403,
        "PendingVerification",
        r#"{"message":"verify your account"}"#,
    ));
    let err = client
        .delete_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("pending");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_pending_verification())
    );
    assert!(err.is_access_denied());

    server.respond(Canned::error(
        403,
        "AccessDeniedException",
        r#"{"message":"denied"}"#,
    ));
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("denied");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_access_denied_exception())
    );
    assert_eq!(err.message(), Some("denied"));

    server.respond(Canned::error(
        500,
        "InternalServerException",
        r#"{"message":"oops"}"#,
    ));
    let err = client
        .list_tags_for_resource()
        .resource_arn(ROOM_ARN)
        .send()
        .await
        .expect_err("internal");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_internal_server_exception())
    );
}

#[tokio::test]
async fn every_operation_parses_each_of_its_modelled_errors() {
    let (server, client) = setup_single_attempt().await;
    let body =
        r#"{"message":"m","resourceId":"r","resourceType":"ROOM","reason":"OTHER","limit":3}"#;
    let codes = [
        ("AccessDeniedException", 403),
        ("ConflictException", 409),
        ("InternalServerException", 500),
        ("PendingVerification", 403),
        ("ResourceNotFoundException", 404),
        ("ServiceQuotaExceededException", 402),
        ("ThrottlingException", 429),
        ("ValidationException", 400),
    ];
    for (code, status) in codes {
        macro_rules! check {
            ($call:expr, $modelled:expr) => {{
                server.respond(Canned::error(status, code, body));
                let err = $call.send().await.expect_err("error");
                let e = err.as_service_error().expect("service error");
                assert_eq!(e.code(), Some(code));
                assert_eq!(e.message(), Some("m"));
                assert_eq!(e.is_unhandled(), !$modelled.contains(&code), "{code}");
            }};
        }
        check!(
            client.create_chat_token().room_identifier("r").user_id("u"),
            [
                "AccessDeniedException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client
                .create_logging_configuration()
                .destination_configuration(DestinationConfiguration::S3(
                    S3DestinationConfiguration::builder()
                        .bucket_name("bkt")
                        .build()
                        .unwrap()
                )),
            [
                "AccessDeniedException",
                "ConflictException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ServiceQuotaExceededException",
                "ValidationException"
            ]
        );
        check!(
            client.create_room(),
            [
                "AccessDeniedException",
                "ConflictException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ServiceQuotaExceededException",
                "ValidationException"
            ]
        );
        check!(
            client.delete_logging_configuration().identifier("i"),
            [
                "AccessDeniedException",
                "ConflictException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client
                .delete_message()
                .room_identifier("r")
                .id("MsgId1234567"),
            [
                "AccessDeniedException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ThrottlingException",
                "ValidationException"
            ]
        );
        check!(
            client.delete_room().identifier("i"),
            [
                "AccessDeniedException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.disconnect_user().room_identifier("r").user_id("u"),
            [
                "AccessDeniedException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ThrottlingException",
                "ValidationException"
            ]
        );
        check!(
            client.get_logging_configuration().identifier("i"),
            [
                "AccessDeniedException",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.get_room().identifier("i"),
            [
                "AccessDeniedException",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.list_logging_configurations(),
            ["AccessDeniedException", "ValidationException"]
        );
        check!(
            client.list_rooms(),
            [
                "AccessDeniedException",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.list_tags_for_resource().resource_arn("a"),
            [
                "InternalServerException",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.send_event().room_identifier("r").event_name("e"),
            [
                "AccessDeniedException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ThrottlingException",
                "ValidationException"
            ]
        );
        check!(
            client.tag_resource().resource_arn("a").tags("k", "v"),
            [
                "InternalServerException",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.untag_resource().resource_arn("a").tag_keys("k"),
            [
                "InternalServerException",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.update_logging_configuration().identifier("i"),
            [
                "AccessDeniedException",
                "ConflictException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
        check!(
            client.update_room().identifier("i"),
            [
                "AccessDeniedException",
                "PendingVerification",
                "ResourceNotFoundException",
                "ValidationException"
            ]
        );
    }
    assert_eq!(server.requests().len(), 8 * 17);
}

#[tokio::test]
async fn unmodelled_and_malformed_responses() {
    let (server, client) = setup_single_attempt().await;
    server.respond(
        Canned::error(503, "ServiceUnavailable", "").with_header("x-amzn-requestid", "req-503"),
    );
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("unavailable");
    let e = err.as_service_error().expect("service error");
    assert!(e.is_unhandled());
    assert_eq!(e.code(), Some("ServiceUnavailable"));
    assert_eq!(err.status(), Some(503));

    server.respond(Canned {
        status: 502,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html>Bad Gateway</html>".to_vec(),
    });
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("bad gateway");
    assert_eq!(err.to_string(), "GetRoom: unhandled error (HTTP 502)");

    server.respond(Canned::json(200, r#"{"rooms": "not a list"}"#));
    let err = client.list_rooms().send().await.expect_err("malformed");
    assert!(err.is_response());
    assert_eq!(
        err.to_string(),
        "GetRoom: invalid response (HTTP 200, request id req-0001): expected an array, found a string at `rooms`"
            .replace("GetRoom", "ListRooms")
    );

    server.respond(Canned::json(200, r#"{"arn": 12"#));
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("truncated");
    assert!(err.is_response());
    assert!(err.to_string().contains("invalid JSON body"), "{err}");

    server.respond(Canned::error(
        400,
        "ValidationException",
        r#"{"message": 5}"#,
    ));
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("bad error body");
    assert!(err.is_response(), "{err:?}");
    assert_eq!(err.raw_response().map(|r| r.status()), Some(400));
}

#[tokio::test]
async fn configuration_problems_are_reported_before_sending() {
    let client = Client::from_conf(
        Config::builder()
            .credentials_provider(Credentials::from_keys(AKID, SECRET, None))
            .build(),
    );
    let err = client.list_rooms().send().await.expect_err("no region");
    assert!(err.is_construction());
    assert!(err.to_string().contains("no region is configured"), "{err}");

    let client = Client::from_conf(config("ftp://example.com"));
    let err = client.list_rooms().send().await.expect_err("bad endpoint");
    assert!(
        err.to_string()
            .contains("invalid endpoint URL \"ftp://example.com\""),
        "{err}"
    );

    let client = Client::from_conf(config("http://127.0.0.1:1"));
    let err = client.list_rooms().send().await.expect_err("refused");
    assert!(err.is_dispatch(), "{err:?}");
}

#[tokio::test]
async fn endpoint_path_is_a_prefix_and_anonymous_requests_are_unsigned() {
    let server = CaptureServer::start().await;
    let client = Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(format!("{}/prefix/", server.url()))
            .anonymous()
            .build(),
    );
    server.respond(Canned::json(200, r#"{"tags":{}}"#));
    client
        .list_tags_for_resource()
        .resource_arn(ROOM_ARN)
        .send()
        .await
        .expect("success");
    let req = server.single_request();
    assert_eq!(req.target, format!("/prefix/tags/{ROOM_ARN_ENCODED}"));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.header("x-amz-date"), None);
}

#[test]
fn debug_output_hides_sensitive_members_and_secrets() {
    let input = ivschat::operation::create_chat_token::CreateChatTokenInput::builder()
        .room_identifier(ROOM_ARN)
        .user_id("private-user")
        .attributes("k", "private-attr")
        .build()
        .unwrap();
    let debug = format!("{input:?}");
    assert!(
        !debug.contains("private-user") && !debug.contains("private-attr"),
        "{debug}"
    );
    let creds = Credentials::from_keys(AKID, SECRET, Some(TOKEN.to_owned()));
    let debug = format!("{creds:?}");
    assert!(!debug.contains(SECRET) && !debug.contains(TOKEN), "{debug}");
}

#[tokio::test]
async fn clients_are_send_sync_and_clones_share_one_pool() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let (server, client) = setup().await;
    // Calls can run on other tasks: their futures are Send.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.list_rooms().send().await })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("success");
    }
    for _ in 0..3 {
        client.clone().list_rooms().send().await.expect("success");
    }
    assert_eq!(server.requests().len(), 7);
    assert!(
        server.connections() <= 4,
        "clones reuse pooled connections: {}",
        server.connections()
    );
}
