//! ValidationException bodies: reasons, field paths and messages.

use serde_json::{Value, json};

use crate::client::*;

fn fields(body: &Value) -> Vec<(String, String)> {
    body["fieldList"]
        .as_array()
        .expect("fieldList")
        .iter()
        .map(|f| (s(&f["name"]).to_string(), s(&f["message"]).to_string()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn missing_required_member() {
    let (svc, _clock) = start().await;
    let resp = call(&svc, "GetRoom", json!({})).await;
    assert_eq!(
        resp.expect_error(400, "ValidationException"),
        json!({
            "message": "1 validation error detected: Value at 'identifier' failed to satisfy constraint: Member must not be null",
            "reason": "FIELD_VALIDATION_FAILED",
            "fieldList": [{"name": "identifier", "message": "Member must not be null"}],
        })
    );
}

#[tokio::test]
async fn create_room_reports_every_violation() {
    let (svc, _clock) = start().await;
    let tags: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let arn = "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/ABCDEFGHIJKL";
    let resp = call(
        &svc,
        "CreateRoom",
        json!({
            "name": "has space",
            "maximumMessageRatePerSecond": 0,
            "maximumMessageLength": 501,
            "messageReviewHandler": {"uri": "arn:aws:lambda:us-west-2:1:function:f", "fallbackResult": "MAYBE"},
            "tags": tags,
            "loggingConfigurationIdentifiers": [arn, arn, arn, "not an arn"],
            "colour": "blue",
        }),
    )
    .await;
    let body = resp.expect_error(400, "ValidationException");
    assert_eq!(body["reason"], "FIELD_VALIDATION_FAILED");
    assert_eq!(
        fields(&body),
        pairs(&[
            ("colour", "Unknown member"),
            (
                "name",
                "Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]*$"
            ),
            (
                "maximumMessageRatePerSecond",
                "Member must have value greater than or equal to 1"
            ),
            (
                "maximumMessageLength",
                "Member must have value less than or equal to 500"
            ),
            (
                "messageReviewHandler.uri",
                "Member must satisfy regular expression pattern: ^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+"
            ),
            (
                "messageReviewHandler.fallbackResult",
                "Member must satisfy enum value set: [ALLOW, DENY]"
            ),
            ("tags", "Member must have length less than or equal to 50"),
            (
                "loggingConfigurationIdentifiers",
                "Member must have length less than or equal to 3"
            ),
            (
                "loggingConfigurationIdentifiers[3]",
                "Member must satisfy regular expression pattern: ^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+$"
            ),
        ])
    );
    assert!(
        s(&body["message"]).starts_with("9 validation errors detected: Value at 'colour' failed")
    );
}

#[tokio::test]
async fn wrong_json_types_name_the_member() {
    let (svc, _clock) = start().await;
    let resp = call(
        &svc,
        "CreateRoom",
        json!({"name": 5, "maximumMessageLength": "10", "maximumMessageRatePerSecond": 1.5, "tags": ["a"], "messageReviewHandler": "x"}),
    )
    .await;
    let body = resp.expect_error(400, "ValidationException");
    assert_eq!(
        fields(&body),
        pairs(&[
            ("name", "Member must be a string, not number"),
            ("maximumMessageRatePerSecond", "Member must be an integer"),
            (
                "maximumMessageLength",
                "Member must be an integer, not string"
            ),
            (
                "messageReviewHandler",
                "Member must be an object, not string"
            ),
            ("tags", "Member must be an object, not array"),
        ])
    );
    let resp = call(
        &svc,
        "CreateRoom",
        json!({"tags": {"a": 1, "": "x", "b": "v".repeat(257)}}),
    )
    .await;
    let body = resp.expect_error(400, "ValidationException");
    assert_eq!(
        fields(&body),
        pairs(&[
            (
                "tags",
                "Map keys must have length greater than or equal to 1"
            ),
            ("tags", "Map values must be strings, not number"),
            (
                "tags",
                "Map values must have length less than or equal to 256"
            ),
        ])
    );
}

#[tokio::test]
async fn body_must_be_a_json_object() {
    let (svc, _clock) = start().await;
    let resp = send_signed(&svc, Req::new("POST", "/CreateRoom", "{\"name\": ")).await;
    let body = resp.expect_error(400, "ValidationException");
    assert_eq!(body["reason"], "OTHER");
    assert_eq!(body.get("fieldList"), None);
    assert_eq!(
        body["message"],
        "Request body is not valid JSON: EOF while parsing a value at line 1 column 9"
    );
    let resp = send_signed(&svc, Req::new("POST", "/CreateRoom", "[1]")).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("body", "Member must be an object, not array")])
    );
    // A non-object body is reported alone, not with every required member.
    let resp = send_signed(&svc, Req::new("POST", "/SendEvent", "\"text\"")).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("body", "Member must be an object, not string")])
    );
    let resp = send_signed(&svc, Req::new("POST", "/CreateRoom", vec![0xff, 0xfe])).await;
    assert_eq!(
        resp.expect_error(400, "ValidationException")["reason"],
        "OTHER"
    );
}

#[tokio::test]
async fn nulls_count_as_absent() {
    let (svc, _clock) = start().await;
    let room = create_room(
        &svc,
        json!({"name": null, "tags": null, "messageReviewHandler": null}),
    )
    .await;
    assert_eq!(room["name"], "");
    assert_eq!(room["tags"], json!({}));
    let resp = call(&svc, "GetRoom", json!({"identifier": null})).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("identifier", "Member must not be null")])
    );
}

#[tokio::test]
async fn destination_union_needs_exactly_one_member() {
    let (svc, _clock) = start().await;
    let cases = [
        (
            json!({}),
            vec![("destinationConfiguration", "Member must not be null")],
        ),
        (
            json!({"destinationConfiguration": {}}),
            vec![(
                "destinationConfiguration",
                "Union must have exactly one member set",
            )],
        ),
        (
            json!({"destinationConfiguration": {"s3": {"bucketName": "abc"}, "firehose": {"deliveryStreamName": "x"}}}),
            vec![(
                "destinationConfiguration",
                "Union must have exactly one member set",
            )],
        ),
        (
            json!({"destinationConfiguration": {"kinesis": {}}}),
            vec![
                ("destinationConfiguration.kinesis", "Unknown member"),
                (
                    "destinationConfiguration",
                    "Union must have exactly one member set",
                ),
            ],
        ),
        (
            json!({"destinationConfiguration": {"s3": {}}}),
            vec![(
                "destinationConfiguration.s3.bucketName",
                "Member must not be null",
            )],
        ),
        (
            json!({"destinationConfiguration": {"s3": {"bucketName": "ab"}}}),
            vec![(
                "destinationConfiguration.s3.bucketName",
                "Member must have length greater than or equal to 3",
            )],
        ),
        (
            json!({"destinationConfiguration": {"cloudWatchLogs": {"logGroupName": "a b"}}}),
            vec![(
                "destinationConfiguration.cloudWatchLogs.logGroupName",
                "Member must satisfy regular expression pattern: ^[\\.\\-_/#A-Za-z0-9]+$",
            )],
        ),
        (
            json!({"destinationConfiguration": {"firehose": {"deliveryStreamName": "x".repeat(65), "extra": 1}}}),
            vec![
                ("destinationConfiguration.firehose.extra", "Unknown member"),
                (
                    "destinationConfiguration.firehose.deliveryStreamName",
                    "Member must have length less than or equal to 64",
                ),
            ],
        ),
    ];
    for (input, expected) in cases {
        let resp = call(&svc, "CreateLoggingConfiguration", input.clone()).await;
        assert_eq!(
            fields(&resp.expect_error(400, "ValidationException")),
            pairs(&expected),
            "{input}"
        );
    }
}

#[tokio::test]
async fn chat_token_and_messaging_constraints() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({})).await;
    let resp = call(
        &svc,
        "CreateChatToken",
        json!({
            "roomIdentifier": room["arn"],
            "userId": "",
            "capabilities": ["SEND_MESSAGE", "FLY"],
            "sessionDurationInMinutes": 181,
            "attributes": {"a": true},
        }),
    )
    .await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[
            (
                "userId",
                "Member must have length greater than or equal to 1"
            ),
            (
                "capabilities[1]",
                "Member must satisfy enum value set: [SEND_MESSAGE, DISCONNECT_USER, DELETE_MESSAGE]"
            ),
            (
                "sessionDurationInMinutes",
                "Member must have value less than or equal to 180"
            ),
            ("attributes", "Map values must be strings, not boolean"),
        ])
    );
    let resp = call(&svc, "CreateChatToken", json!({})).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[
            ("roomIdentifier", "Member must not be null"),
            ("userId", "Member must not be null")
        ])
    );
    let resp = call(
        &svc,
        "DeleteMessage",
        json!({"roomIdentifier": "arn:aws:ivschat:us-west-2:123456789012:room/a b", "id": "short", "reason": ""}),
    )
    .await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[
            (
                "roomIdentifier",
                "Member must satisfy regular expression pattern: ^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+$"
            ),
            ("id", "Member must have length greater than or equal to 12"),
            (
                "reason",
                "Member must have length greater than or equal to 1"
            ),
        ])
    );
    let resp = call(
        &svc,
        "SendEvent",
        json!({"roomIdentifier": room["id"], "eventName": "e".repeat(101)}),
    )
    .await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[(
            "eventName",
            "Member must have length less than or equal to 100"
        )])
    );
    let resp = call(
        &svc,
        "DisconnectUser",
        json!({"roomIdentifier": room["id"], "userId": "u".repeat(129)}),
    )
    .await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[(
            "userId",
            "Member must have length less than or equal to 128"
        )])
    );
    let resp = call(&svc, "ListRooms", json!({"maxResults": 51})).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[(
            "maxResults",
            "Member must have value less than or equal to 50"
        )])
    );
    let resp = call(
        &svc,
        "ListLoggingConfigurations",
        json!({"maxResults": 0, "nextToken": "x".repeat(1025)}),
    )
    .await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[
            (
                "nextToken",
                "Member must have length less than or equal to 1024"
            ),
            (
                "maxResults",
                "Member must have value greater than or equal to 1"
            ),
        ])
    );
    // No recorded side effects from rejected calls.
    assert!(svc.recorded_actions(s(&room["id"])).is_empty());
}

#[tokio::test]
async fn tag_operation_constraints() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({})).await;
    let path = tags_path(s(&room["arn"]));
    let resp = send_signed(&svc, Req::new("DELETE", &path, "")).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("tagKeys", "Member must not be null")])
    );
    let resp = send_signed(&svc, Req::new("DELETE", &format!("{path}?tagKeys="), "")).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[(
            "tagKeys[0]",
            "Member must have length greater than or equal to 1"
        )])
    );
    let resp = send_signed(&svc, Req::json("POST", &path, &json!({}))).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("tags", "Member must not be null")])
    );
    let resp = send_signed(
        &svc,
        Req::json("POST", &path, &json!({"tags": {"k": "v"}, "x": 1})),
    )
    .await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("x", "Unknown member")])
    );
    let resp = send_signed(&svc, Req::new("GET", "/tags/not-an-arn", "")).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[(
            "resourceArn",
            "Member must satisfy regular expression pattern: ^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$"
        )])
    );
    let resp = send_signed(&svc, Req::new("GET", "/tags/%FF%FE", "")).await;
    assert_eq!(
        fields(&resp.expect_error(400, "ValidationException")),
        pairs(&[("resourceArn", "Member must be percent-encoded UTF-8")])
    );
}
