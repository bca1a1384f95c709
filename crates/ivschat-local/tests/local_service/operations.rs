//! Success paths of every operation.

use std::time::Duration;

use serde_json::{Value, json};

use crate::client::*;

const ACCOUNT: &str = "123456789012";

fn assert_id(id: &str) {
    assert_eq!(id.len(), 12, "id {id}");
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "id {id}");
}

#[tokio::test]
async fn room_lifecycle() {
    let (svc, clock) = start().await;
    let created = create_room(&svc, json!({})).await;
    let id = s(&created["id"]).to_string();
    assert_id(&id);
    let arn = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:room/{id}");
    assert_eq!(
        created,
        json!({
            "arn": arn,
            "id": id,
            "name": "",
            "createTime": "2024-01-02T03:04:05.123Z",
            "updateTime": "2024-01-02T03:04:05.123Z",
            "maximumMessageRatePerSecond": 10,
            "maximumMessageLength": 500,
            "tags": {},
            "loggingConfigurationIdentifiers": [],
        })
    );

    let by_arn = call(&svc, "GetRoom", json!({"identifier": arn}))
        .await
        .expect_ok();
    let by_id = call(&svc, "GetRoom", json!({"identifier": id}))
        .await
        .expect_ok();
    assert_eq!(by_arn, created);
    assert_eq!(by_id, created);

    clock.advance(Duration::from_secs(90));
    let updated = call(
        &svc,
        "UpdateRoom",
        json!({
            "identifier": arn,
            "name": "lobby",
            "maximumMessageRatePerSecond": 100,
            "maximumMessageLength": 1,
            "messageReviewHandler": {"uri": "arn:aws:lambda:us-west-2:123456789012:function:review", "fallbackResult": "DENY"},
        }),
    )
    .await
    .expect_ok();
    assert_eq!(
        updated,
        json!({
            "arn": arn,
            "id": id,
            "name": "lobby",
            "createTime": "2024-01-02T03:04:05.123Z",
            "updateTime": "2024-01-02T03:05:35.123Z",
            "maximumMessageRatePerSecond": 100,
            "maximumMessageLength": 1,
            "messageReviewHandler": {"uri": "arn:aws:lambda:us-west-2:123456789012:function:review", "fallbackResult": "DENY"},
            "tags": {},
            "loggingConfigurationIdentifiers": [],
        })
    );
    // Same instant: updateTime still moves forward.
    let again = call(
        &svc,
        "UpdateRoom",
        json!({"identifier": id, "messageReviewHandler": {"uri": ""}}),
    )
    .await
    .expect_ok();
    assert_eq!(again["updateTime"], "2024-01-02T03:05:35.124Z");
    assert_eq!(again.get("messageReviewHandler"), None);
    assert_eq!(again["name"], "lobby");

    let deleted = call(&svc, "DeleteRoom", json!({"identifier": arn})).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_eq!(deleted.header("content-type"), None);
    assert_request_id(&deleted);

    let gone = call(&svc, "GetRoom", json!({"identifier": arn})).await;
    assert_eq!(
        gone.expect_error(404, "ResourceNotFoundException"),
        json!({"message": format!("Room {id} not found"), "resourceId": id, "resourceType": "ROOM"})
    );
    let gone = call(&svc, "DeleteRoom", json!({"identifier": id})).await;
    gone.expect_error(404, "ResourceNotFoundException");
}

#[tokio::test]
async fn create_room_with_every_member() {
    let (svc, _clock) = start().await;
    let cfg = create_config(&svc, "logs").await;
    let cfg_id = s(&cfg["id"]).to_string();
    let cfg_arn = s(&cfg["arn"]).to_string();
    let room = create_room(
        &svc,
        json!({
            "name": "my-room_1",
            "maximumMessageRatePerSecond": 1,
            "maximumMessageLength": 500,
            "messageReviewHandler": {"uri": "arn:aws:lambda:us-west-2:123456789012:function:f"},
            "tags": {"team": "chat", "empty": ""},
            // A bare id is accepted and stored as the ARN; duplicates collapse.
            "loggingConfigurationIdentifiers": [cfg_id, cfg_arn],
        }),
    )
    .await;
    assert_eq!(room["name"], "my-room_1");
    assert_eq!(room["maximumMessageRatePerSecond"], 1);
    assert_eq!(
        room["messageReviewHandler"],
        json!({"uri": "arn:aws:lambda:us-west-2:123456789012:function:f", "fallbackResult": "ALLOW"})
    );
    assert_eq!(room["tags"], json!({"team": "chat", "empty": ""}));
    assert_eq!(room["loggingConfigurationIdentifiers"], json!([cfg_arn]));

    // A handler without a Lambda ARN means no review.
    let plain = create_room(
        &svc,
        json!({"messageReviewHandler": {"uri": "", "fallbackResult": "DENY"}}),
    )
    .await;
    assert_eq!(plain.get("messageReviewHandler"), None);
}

#[tokio::test]
async fn unknown_logging_configuration_is_not_found() {
    let (svc, _clock) = start().await;
    let arn = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:logging-configuration/ABCDEFGHIJKL");
    let resp = call(
        &svc,
        "CreateRoom",
        json!({"loggingConfigurationIdentifiers": [arn]}),
    )
    .await;
    assert_eq!(
        resp.expect_error(404, "ResourceNotFoundException"),
        json!({"message": "Logging configuration ABCDEFGHIJKL not found", "resourceId": "ABCDEFGHIJKL", "resourceType": "ROOM"})
    );
    let room = create_room(&svc, json!({})).await;
    let resp = call(
        &svc,
        "UpdateRoom",
        json!({"identifier": room["arn"], "loggingConfigurationIdentifiers": [arn]}),
    )
    .await;
    resp.expect_error(404, "ResourceNotFoundException");
}

#[tokio::test]
async fn logging_configuration_lifecycle() {
    let (svc, clock) = start().await;
    let created = create_config(&svc, "logs").await;
    let id = s(&created["id"]).to_string();
    assert_id(&id);
    let arn = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:logging-configuration/{id}");
    assert_eq!(
        created,
        json!({
            "arn": arn,
            "id": id,
            "createTime": "2024-01-02T03:04:05.123Z",
            "updateTime": "2024-01-02T03:04:05.123Z",
            "name": "logs",
            "destinationConfiguration": {"s3": {"bucketName": "chat-logs"}},
            "state": "ACTIVE",
            "tags": {},
        })
    );
    let unnamed = call(
        &svc,
        "CreateLoggingConfiguration",
        json!({"destinationConfiguration": {"cloudWatchLogs": {"logGroupName": "/aws/ivschat"}}, "tags": {"a": "b"}}),
    )
    .await
    .expect_ok();
    assert_eq!(unnamed["name"], "");
    assert_eq!(unnamed["tags"], json!({"a": "b"}));
    assert_eq!(
        unnamed["destinationConfiguration"],
        json!({"cloudWatchLogs": {"logGroupName": "/aws/ivschat"}})
    );

    let got = call(&svc, "GetLoggingConfiguration", json!({"identifier": arn}))
        .await
        .expect_ok();
    assert_eq!(got, created);

    clock.advance(Duration::from_millis(1000));
    let updated = call(
        &svc,
        "UpdateLoggingConfiguration",
        json!({"identifier": id, "name": "renamed", "destinationConfiguration": {"firehose": {"deliveryStreamName": "stream_1"}}}),
    )
    .await
    .expect_ok();
    assert_eq!(updated["name"], "renamed");
    assert_eq!(updated["state"], "ACTIVE");
    assert_eq!(updated["createTime"], "2024-01-02T03:04:05.123Z");
    assert_eq!(updated["updateTime"], "2024-01-02T03:04:06.123Z");
    assert_eq!(
        updated["destinationConfiguration"],
        json!({"firehose": {"deliveryStreamName": "stream_1"}})
    );

    let deleted = call(
        &svc,
        "DeleteLoggingConfiguration",
        json!({"identifier": arn}),
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    let again = call(
        &svc,
        "DeleteLoggingConfiguration",
        json!({"identifier": arn}),
    )
    .await;
    assert_eq!(
        again.expect_error(404, "ResourceNotFoundException"),
        json!({"message": format!("Logging configuration {id} not found"), "resourceId": id, "resourceType": "ROOM"})
    );
}

#[tokio::test]
async fn deleting_a_logging_configuration_in_use_conflicts() {
    let (svc, _clock) = start().await;
    let cfg = create_config(&svc, "logs").await;
    let room = create_room(
        &svc,
        json!({"loggingConfigurationIdentifiers": [cfg["arn"]]}),
    )
    .await;
    let resp = call(
        &svc,
        "DeleteLoggingConfiguration",
        json!({"identifier": cfg["arn"]}),
    )
    .await;
    assert_eq!(
        resp.expect_error(409, "ConflictException"),
        json!({
            "message": format!("Logging configuration {} is in use by room {}", s(&cfg["id"]), s(&room["id"])),
            "resourceId": room["id"],
            "resourceType": "ROOM",
        })
    );
    call(
        &svc,
        "UpdateRoom",
        json!({"identifier": room["id"], "loggingConfigurationIdentifiers": []}),
    )
    .await
    .expect_ok();
    let resp = call(
        &svc,
        "DeleteLoggingConfiguration",
        json!({"identifier": cfg["id"]}),
    )
    .await;
    assert_eq!(resp.status, 204);
}

async fn list_all_rooms(
    svc: &ivschat_local::LocalService,
    filter: Value,
    page: i64,
) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut body = filter.clone();
        body["maxResults"] = json!(page);
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let resp = call(svc, "ListRooms", body).await.expect_ok();
        pages += 1;
        out.extend(resp["rooms"].as_array().expect("rooms").iter().cloned());
        match resp.get("nextToken") {
            Some(t) => token = Some(s(t).to_string()),
            None => break,
        }
        assert!(pages < 100, "pagination does not end");
    }
    (out, pages)
}

#[tokio::test]
async fn list_rooms_pages_newest_update_first_with_summaries() {
    let (svc, clock) = start().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        clock.advance(Duration::from_millis(1));
        let r = create_room(
            &svc,
            json!({"name": format!("room{i}"), "tags": {"i": i.to_string()}}),
        )
        .await;
        ids.push(s(&r["id"]).to_string());
    }
    // Updating room 2 moves it to the front; tagging is no update.
    clock.advance(Duration::from_millis(1));
    call(
        &svc,
        "UpdateRoom",
        json!({"identifier": ids[2], "name": "room2b"}),
    )
    .await
    .expect_ok();
    let arn3 = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:room/{}", ids[3]);
    send_signed(
        &svc,
        Req::json("POST", &tags_path(&arn3), &json!({"tags": {"t": "x"}})),
    )
    .await
    .expect_ok();
    let expected: Vec<&str> = [2, 6, 5, 4, 3, 1, 0]
        .iter()
        .map(|&i| ids[i].as_str())
        .collect();

    let (rooms, pages) = list_all_rooms(&svc, json!({}), 3).await;
    assert_eq!(pages, 3);
    let listed: Vec<&str> = rooms.iter().map(|r| s(&r["id"])).collect();
    assert_eq!(listed, expected);
    let last = &rooms[6];
    assert_eq!(
        last,
        &json!({
            "arn": format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:room/{}", ids[0]),
            "id": ids[0],
            "name": "room0",
            "createTime": "2024-01-02T03:04:05.124Z",
            "updateTime": "2024-01-02T03:04:05.124Z",
            "tags": {"i": "0"},
            "loggingConfigurationIdentifiers": [],
        })
    );
    assert_eq!(rooms[0]["updateTime"], "2024-01-02T03:04:05.131Z");

    // Default page size is 50: one page, no token.
    let all = call(&svc, "ListRooms", json!({})).await.expect_ok();
    assert_eq!(all["rooms"].as_array().map(Vec::len), Some(7));
    assert_eq!(all.get("nextToken"), None);
    // An empty body is an empty input.
    let empty = send_signed(&svc, Req::new("POST", "/ListRooms", ""))
        .await
        .expect_ok();
    assert_eq!(empty, all);

    // A token resumes after the room it points after, even when that room is
    // deleted or updated meanwhile; a room updated during the walk moves to
    // the front, where the walk no longer looks.
    let page_ids = |page: &Value| -> Vec<String> {
        page["rooms"]
            .as_array()
            .expect("rooms")
            .iter()
            .map(|r| s(&r["id"]).to_string())
            .collect()
    };
    let p1 = call(&svc, "ListRooms", json!({"maxResults": 2}))
        .await
        .expect_ok();
    assert_eq!(page_ids(&p1), [expected[0], expected[1]]);
    call(&svc, "DeleteRoom", json!({"identifier": expected[1]})).await;
    clock.advance(Duration::from_millis(1));
    call(
        &svc,
        "UpdateRoom",
        json!({"identifier": expected[3], "name": "moved"}),
    )
    .await
    .expect_ok();
    let p2 = call(
        &svc,
        "ListRooms",
        json!({"maxResults": 2, "nextToken": p1["nextToken"]}),
    )
    .await
    .expect_ok();
    assert_eq!(page_ids(&p2), [expected[2], expected[4]]);
    let p3 = call(
        &svc,
        "ListRooms",
        json!({"maxResults": 2, "nextToken": p2["nextToken"]}),
    )
    .await
    .expect_ok();
    assert_eq!(page_ids(&p3), [expected[5], expected[6]]);
    assert_eq!(p3.get("nextToken"), None);
}

#[tokio::test]
async fn rooms_updated_in_the_same_millisecond_list_newest_created_first() {
    // The clock stands still: equal update times, so creation decides.
    let (svc, _clock) = start().await;
    let a = create_room(&svc, json!({"name": "a"})).await;
    let b = create_room(&svc, json!({"name": "b"})).await;
    let c = create_room(&svc, json!({"name": "c"})).await;
    // An update in the same millisecond still moves a room forward by 1 ms.
    call(&svc, "UpdateRoom", json!({"identifier": a["id"]}))
        .await
        .expect_ok();
    let (rooms, pages) = list_all_rooms(&svc, json!({}), 1).await;
    assert_eq!(pages, 3);
    let listed: Vec<&str> = rooms.iter().map(|r| s(&r["id"])).collect();
    assert_eq!(listed, [s(&a["id"]), s(&c["id"]), s(&b["id"])]);
}

#[tokio::test]
async fn invalid_next_tokens_are_rejected() {
    let (svc, _clock) = start().await;
    for _ in 0..3 {
        create_room(&svc, json!({})).await;
        create_config(&svc, "c").await;
    }
    let rooms = call(&svc, "ListRooms", json!({"maxResults": 1}))
        .await
        .expect_ok();
    let configs = call(&svc, "ListLoggingConfigurations", json!({"maxResults": 1}))
        .await
        .expect_ok();
    let expected = json!({
        "message": "1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Member must be a token returned by a previous call",
        "reason": "FIELD_VALIDATION_FAILED",
        "fieldList": [{"name": "nextToken", "message": "Member must be a token returned by a previous call"}],
    });
    for (op, token) in [
        ("ListRooms", json!("garbage")),
        ("ListRooms", configs["nextToken"].clone()),
        ("ListLoggingConfigurations", rooms["nextToken"].clone()),
    ] {
        let resp = call(&svc, op, json!({"nextToken": token})).await;
        assert_eq!(
            resp.expect_error(400, "ValidationException"),
            expected,
            "{op}"
        );
    }
    // A tampered token (last hex digit changed) fails its check.
    let mut t = s(&rooms["nextToken"]).to_string();
    let last = t.pop().expect("non-empty");
    t.push(if last == '0' { '1' } else { '0' });
    let resp = call(&svc, "ListRooms", json!({"nextToken": t})).await;
    assert_eq!(resp.expect_error(400, "ValidationException"), expected);
}

#[tokio::test]
async fn list_rooms_filters() {
    let (svc, _clock) = start().await;
    let cfg = create_config(&svc, "logs").await;
    let other_cfg = create_config(&svc, "other").await;
    let lambda = "arn:aws:lambda:us-west-2:123456789012:function:review";
    let a = create_room(
        &svc,
        json!({"name": "alpha", "loggingConfigurationIdentifiers": [cfg["arn"]]}),
    )
    .await;
    let b = create_room(
        &svc,
        json!({"name": "beta", "messageReviewHandler": {"uri": lambda}}),
    )
    .await;
    let c = create_room(&svc, json!({"name": "alpha", "messageReviewHandler": {"uri": lambda}, "loggingConfigurationIdentifiers": [cfg["id"]]})).await;

    let ids = |v: Vec<Value>| {
        v.iter()
            .map(|r| s(&r["id"]).to_string())
            .collect::<Vec<_>>()
    };
    // Newest first: the clock stands still, so the last created comes first.
    let (by_name, _) = list_all_rooms(&svc, json!({"name": "alpha"}), 1).await;
    assert_eq!(ids(by_name), [s(&c["id"]), s(&a["id"])]);
    let (by_uri, _) = list_all_rooms(&svc, json!({"messageReviewHandlerUri": lambda}), 50).await;
    assert_eq!(ids(by_uri), [s(&c["id"]), s(&b["id"])]);
    let (by_cfg, _) = list_all_rooms(
        &svc,
        json!({"loggingConfigurationIdentifier": cfg["arn"]}),
        50,
    )
    .await;
    assert_eq!(ids(by_cfg), [s(&c["id"]), s(&a["id"])]);
    let (combined, _) = list_all_rooms(
        &svc,
        json!({"name": "alpha", "messageReviewHandlerUri": lambda, "loggingConfigurationIdentifier": cfg["id"]}),
        50,
    )
    .await;
    assert_eq!(ids(combined), [s(&c["id"])]);
    let (none, _) = list_all_rooms(
        &svc,
        json!({"loggingConfigurationIdentifier": other_cfg["arn"]}),
        50,
    )
    .await;
    assert!(none.is_empty());

    let missing = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:logging-configuration/ZZZZZZZZZZZZ");
    let resp = call(
        &svc,
        "ListRooms",
        json!({"loggingConfigurationIdentifier": missing}),
    )
    .await;
    resp.expect_error(404, "ResourceNotFoundException");
}

#[tokio::test]
async fn list_logging_configurations_paginates() {
    let (svc, _clock) = start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(s(&create_config(&svc, &format!("c{i}")).await["id"]).to_string());
    }
    let mut seen = Vec::new();
    let mut token = Value::Null;
    let mut pages = 0;
    loop {
        let resp = call(
            &svc,
            "ListLoggingConfigurations",
            json!({"maxResults": 2, "nextToken": token}),
        )
        .await
        .expect_ok();
        pages += 1;
        for c in resp["loggingConfigurations"].as_array().expect("list") {
            assert_eq!(c["state"], "ACTIVE");
            assert_eq!(
                c["destinationConfiguration"],
                json!({"s3": {"bucketName": "chat-logs"}})
            );
            seen.push(s(&c["id"]).to_string());
        }
        match resp.get("nextToken") {
            Some(t) => token = t.clone(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn tags_on_rooms_and_logging_configurations() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({"tags": {"a": "1"}})).await;
    let cfg = create_config(&svc, "logs").await;
    for arn in [s(&room["arn"]), s(&cfg["arn"])] {
        let path = tags_path(arn);
        assert!(path.contains("%3A") && path.contains("%2F"), "{path}");
        let tagged = send_signed(
            &svc,
            Req::json(
                "POST",
                &path,
                &json!({"tags": {"b": "2", "c": "3", "d d": "4"}}),
            ),
        )
        .await
        .expect_ok();
        assert_eq!(tagged, json!({}));
        let listed = send_signed(&svc, Req::new("GET", &path, ""))
            .await
            .expect_ok();
        let mut expected = json!({"b": "2", "c": "3", "d d": "4"});
        if arn == s(&room["arn"]) {
            expected["a"] = json!("1");
        }
        assert_eq!(listed, json!({"tags": expected}));

        let untag = format!("{path}?tagKeys=b&tagKeys=d%20d&tagKeys=missing");
        let resp = send_signed(&svc, Req::new("DELETE", &untag, ""))
            .await
            .expect_ok();
        assert_eq!(resp, json!({}));
        let listed = send_signed(&svc, Req::new("GET", &path, ""))
            .await
            .expect_ok();
        expected.as_object_mut().expect("map").remove("b");
        expected.as_object_mut().expect("map").remove("d d");
        assert_eq!(listed, json!({"tags": expected}));
    }
    // Tags show up in Get.
    let got = call(&svc, "GetRoom", json!({"identifier": room["id"]}))
        .await
        .expect_ok();
    assert_eq!(got["tags"], json!({"a": "1", "c": "3"}));

    let unknown = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:room/NOPENOPENOPE");
    let resp = send_signed(&svc, Req::new("GET", &tags_path(&unknown), "")).await;
    assert_eq!(
        resp.expect_error(404, "ResourceNotFoundException"),
        json!({"message": format!("Resource {unknown} not found"), "resourceId": "NOPENOPENOPE", "resourceType": "ROOM"})
    );
}

#[tokio::test]
async fn tag_quota_is_fifty_per_resource() {
    let (svc, _clock) = start().await;
    let tags: serde_json::Map<String, Value> =
        (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
    let room = create_room(&svc, json!({"tags": tags})).await;
    let path = tags_path(s(&room["arn"]));
    // Overwriting existing keys stays within the quota.
    send_signed(
        &svc,
        Req::json("POST", &path, &json!({"tags": {"k0": "new"}})),
    )
    .await
    .expect_ok();
    // TagResource models no quota error: a 51st tag breaks the constraint on
    // `tags`, a ValidationException as for 51 tags in one request.
    let resp = send_signed(
        &svc,
        Req::json("POST", &path, &json!({"tags": {"k50": "v"}})),
    )
    .await;
    let id = s(&room["id"]);
    let rule = format!("Resource {id} would have 51 tags; a resource has at most 50");
    assert_eq!(
        resp.expect_error(400, "ValidationException"),
        json!({
            "message": format!("1 validation error detected: Value at 'tags' failed to satisfy constraint: {rule}"),
            "reason": "FIELD_VALIDATION_FAILED",
            "fieldList": [{"name": "tags", "message": rule}],
        })
    );
    let listed = send_signed(&svc, Req::new("GET", &path, ""))
        .await
        .expect_ok();
    assert_eq!(listed["tags"].as_object().map(|m| m.len()), Some(50));
    assert_eq!(listed["tags"]["k0"], "new");
}

#[tokio::test]
async fn chat_tokens_are_issued_and_verifiable() {
    let (svc, clock) = start().await;
    let room = create_room(&svc, json!({})).await;
    let resp = call(
        &svc,
        "CreateChatToken",
        json!({
            "roomIdentifier": room["arn"],
            "userId": "user-1",
            "capabilities": ["SEND_MESSAGE", "DELETE_MESSAGE"],
            "sessionDurationInMinutes": 30,
            "attributes": {"displayName": "Ann"},
        }),
    )
    .await
    .expect_ok();
    assert_eq!(resp["tokenExpirationTime"], "2024-01-02T04:04:05.123Z");
    assert_eq!(resp["sessionExpirationTime"], "2024-01-02T03:34:05.123Z");
    let token = s(&resp["token"]).to_string();
    assert!(token.len() >= 32);
    let keys: Vec<&String> = resp.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["sessionExpirationTime", "token", "tokenExpirationTime"]
    );

    let info = svc.verify_chat_token(&token).expect("token verifies");
    assert_eq!(info.room_arn, s(&room["arn"]));
    assert_eq!(info.room_id, s(&room["id"]));
    assert_eq!(info.user_id, "user-1");
    assert_eq!(info.capabilities, ["SEND_MESSAGE", "DELETE_MESSAGE"]);
    assert_eq!(
        info.attributes.get("displayName").map(String::as_str),
        Some("Ann")
    );
    assert_eq!(info.session_duration_in_minutes, 30);
    let debug = format!("{info:?}");
    assert!(
        !debug.contains("user-1") && !debug.contains("Ann"),
        "{debug}"
    );

    // Defaults: 60-minute session, no capabilities; the bare id works.
    let resp = call(
        &svc,
        "CreateChatToken",
        json!({"roomIdentifier": room["id"], "userId": "u2"}),
    )
    .await
    .expect_ok();
    assert_eq!(resp["sessionExpirationTime"], "2024-01-02T04:04:05.123Z");
    let second = s(&resp["token"]).to_string();
    assert_ne!(second, token);
    let info = svc.verify_chat_token(&second).expect("verifies");
    assert!(info.capabilities.is_empty());
    assert_eq!(info.session_duration_in_minutes, 60);

    assert_eq!(svc.verify_chat_token("not-a-token"), None);
    clock.advance(Duration::from_secs(60 * 60));
    assert_eq!(
        svc.verify_chat_token(&token),
        None,
        "expired after 60 minutes"
    );

    let resp = call(
        &svc,
        "CreateChatToken",
        json!({"roomIdentifier": room["id"], "userId": "u3"}),
    )
    .await
    .expect_ok();
    let third = s(&resp["token"]).to_string();
    call(&svc, "DeleteRoom", json!({"identifier": room["id"]})).await;
    assert_eq!(svc.verify_chat_token(&third), None, "room deleted");

    let resp = call(
        &svc,
        "CreateChatToken",
        json!({"roomIdentifier": room["id"], "userId": "u"}),
    )
    .await;
    resp.expect_error(404, "ResourceNotFoundException");
}

#[tokio::test]
async fn messaging_actions_are_recorded() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({})).await;
    let arn = s(&room["arn"]).to_string();
    let event = call(
        &svc,
        "SendEvent",
        json!({"roomIdentifier": arn, "eventName": "app:poll", "attributes": {"q": "1"}}),
    )
    .await
    .expect_ok();
    let event_id = s(&event["id"]).to_string();
    assert_id(&event_id);
    assert_eq!(event.as_object().map(|o| o.len()), Some(1));
    let deleted = call(
        &svc,
        "DeleteMessage",
        json!({"roomIdentifier": room["id"], "id": "ABCDEFGHIJKL", "reason": "spam"}),
    )
    .await
    .expect_ok();
    let delete_id = s(&deleted["id"]).to_string();
    assert_id(&delete_id);
    let disconnected = call(
        &svc,
        "DisconnectUser",
        json!({"roomIdentifier": arn, "userId": "bob"}),
    )
    .await
    .expect_ok();
    assert_eq!(disconnected, json!({}));

    let t0 =
        ivschat_local::Clock::fixed(std::time::UNIX_EPOCH + Duration::from_millis(T0_MS as u64))
            .now();
    let actions = svc.recorded_actions(&arn);
    assert_eq!(actions, svc.recorded_actions(s(&room["id"])));
    assert_eq!(actions.len(), 3);
    use ivschat_local::RecordedAction;
    match &actions[0] {
        RecordedAction::Event {
            id,
            event_name,
            attributes,
            time,
        } => {
            assert_eq!(id, &event_id);
            assert_eq!(event_name, "app:poll");
            assert_eq!(attributes.get("q").map(String::as_str), Some("1"));
            assert_eq!(*time, t0);
        }
        other => panic!("unexpected {other:?}"),
    }
    match &actions[1] {
        RecordedAction::MessageDeleted {
            id,
            message_id,
            reason,
            ..
        } => {
            assert_eq!(id, &delete_id);
            assert_eq!(message_id, "ABCDEFGHIJKL");
            assert_eq!(reason.as_deref(), Some("spam"));
        }
        other => panic!("unexpected {other:?}"),
    }
    match &actions[2] {
        RecordedAction::UserDisconnected {
            user_id, reason, ..
        } => {
            assert_eq!(user_id, "bob");
            assert_eq!(reason, &None);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!format!("{:?}", actions[2]).contains("bob"));
    assert!(svc.recorded_actions("ZZZZZZZZZZZZ").is_empty());

    let missing = format!("arn:aws:ivschat:us-west-2:{ACCOUNT}:room/ZZZZZZZZZZZZ");
    for (op, body) in [
        (
            "SendEvent",
            json!({"roomIdentifier": missing, "eventName": "e"}),
        ),
        (
            "DeleteMessage",
            json!({"roomIdentifier": missing, "id": "ABCDEFGHIJKL"}),
        ),
        (
            "DisconnectUser",
            json!({"roomIdentifier": missing, "userId": "u"}),
        ),
    ] {
        let resp = call(&svc, op, body).await;
        assert_eq!(
            resp.expect_error(404, "ResourceNotFoundException"),
            json!({"message": "Room ZZZZZZZZZZZZ not found", "resourceId": "ZZZZZZZZZZZZ", "resourceType": "ROOM"}),
            "{op}"
        );
    }
}

#[tokio::test]
async fn foreign_account_or_region_is_denied_or_not_found() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({})).await;
    let id = s(&room["id"]);
    let other_account = format!("arn:aws:ivschat:us-west-2:999999999999:room/{id}");
    let other_region = format!("arn:aws:ivschat:eu-west-1:{ACCOUNT}:room/{id}");
    for arn in [&other_account, &other_region] {
        let resp = call(&svc, "GetRoom", json!({"identifier": arn})).await;
        assert_eq!(
            resp.expect_error(403, "AccessDeniedException"),
            json!({"message": format!("User is not authorized to access room {arn} in this account and region")})
        );
        // The tag operations model no AccessDeniedException: from this
        // account and region, such a resource does not exist.
        let not_found = json!({"message": format!("Resource {arn} not found"), "resourceId": id, "resourceType": "ROOM"});
        let path = tags_path(arn);
        let list = send_signed(&svc, Req::new("GET", &path, "")).await;
        assert_eq!(
            list.expect_error(404, "ResourceNotFoundException"),
            not_found
        );
        let tag = send_signed(&svc, Req::json("POST", &path, &json!({"tags": {"a": "b"}}))).await;
        assert_eq!(
            tag.expect_error(404, "ResourceNotFoundException"),
            not_found
        );
        let untag = send_signed(&svc, Req::new("DELETE", &format!("{path}?tagKeys=a"), "")).await;
        assert_eq!(
            untag.expect_error(404, "ResourceNotFoundException"),
            not_found
        );
    }
}
