//! Many clients at once: no lost updates, consistent listings.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::client::*;

const TASKS: usize = 64;
/// 500 per task takes ~30 s in a debug build on two shared cores; 100 per
/// task (6,400 requests) keeps the test at about two seconds.
const REQUESTS_PER_TASK: usize = 100;
/// Tasks that each add one tag to the shared room (stays under the 50-tag quota).
const SHARED_TAGGERS: usize = 48;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_load_keeps_state_consistent() {
    let (svc, _clock) = start().await;
    let svc = std::sync::Arc::new(svc);
    let shared = create_room(&svc, json!({"name": "shared"})).await;
    let shared_arn = s(&shared["arn"]).to_string();

    let mut handles = Vec::new();
    for task in 0..TASKS {
        let svc = std::sync::Arc::clone(&svc);
        let shared_arn = shared_arn.clone();
        handles.push(tokio::spawn(async move {
            let mut conn = Conn::open(&svc).await;
            let own = conn
                .signed(&svc, Req::json("POST", "/CreateRoom", &json!({"name": format!("t{task}")})))
                .await
                .expect_ok();
            let own_arn = s(&own["arn"]).to_string();
            let tags_path = tags_path(&own_arn);
            let (mut created, mut events) = (1usize, Vec::new());
            for i in 1..REQUESTS_PER_TASK {
                match i % 5 {
                    0 => {
                        let body = json!({"name": format!("t{task}")});
                        conn.signed(&svc, Req::json("POST", "/CreateRoom", &body)).await.expect_ok();
                        created += 1;
                    }
                    1 => {
                        let body = json!({"roomIdentifier": shared_arn, "eventName": format!("t{task}-{i}")});
                        let out = conn.signed(&svc, Req::json("POST", "/SendEvent", &body)).await.expect_ok();
                        events.push(s(&out["id"]).to_string());
                    }
                    2 => {
                        let body = json!({"tags": {format!("k{}", i % 40): task.to_string()}});
                        conn.signed(&svc, Req::json("POST", &tags_path, &body)).await.expect_ok();
                        if i == 2 && task < SHARED_TAGGERS {
                            // Concurrent read-modify-write of one tag map.
                            let body = json!({"tags": {format!("t{task}"): "x"}});
                            let path = crate::client::tags_path(&shared_arn);
                            conn.signed(&svc, Req::json("POST", &path, &body)).await.expect_ok();
                        }
                    }
                    3 => {
                        let body = json!({"maxResults": 50, "name": format!("t{task}")});
                        let page = conn.signed(&svc, Req::json("POST", "/ListRooms", &body)).await.expect_ok();
                        // Only this task creates rooms with this name: the listing
                        // sees exactly what it created so far, newest first (the
                        // clock stands still, so by creation), its first room last.
                        let rooms = page["rooms"].as_array().expect("rooms");
                        assert_eq!(rooms.len(), created.min(50));
                        assert_eq!(rooms[rooms.len() - 1]["arn"], own["arn"]);
                    }
                    _ => {
                        let body = json!({"identifier": own_arn});
                        conn.signed(&svc, Req::json("POST", "/GetRoom", &body)).await.expect_ok();
                    }
                }
            }
            (task, own_arn, created, events)
        }));
    }
    let mut total_rooms = 1;
    let mut all_events = Vec::new();
    for h in handles {
        let (task, own_arn, created, events) = h.await.expect("task finished");
        total_rooms += created;
        all_events.extend(events);
        let tags = send_signed(&svc, Req::new("GET", &tags_path(&own_arn), ""))
            .await
            .expect_ok();
        let expected: serde_json::Map<String, Value> = (0..40)
            .filter(|k| (1..REQUESTS_PER_TASK).any(|i| i % 5 == 2 && i % 40 == *k))
            .map(|k| (format!("k{k}"), json!(task.to_string())))
            .collect();
        assert_eq!(tags["tags"], Value::Object(expected), "no tag update lost");
    }

    let shared_tags = send_signed(&svc, Req::new("GET", &tags_path(&shared_arn), ""))
        .await
        .expect_ok();
    let expected: serde_json::Map<String, Value> = (0..SHARED_TAGGERS)
        .map(|t| (format!("t{t}"), json!("x")))
        .collect();
    assert_eq!(
        shared_tags["tags"],
        Value::Object(expected),
        "no concurrent tag lost"
    );

    // Every SendEvent was recorded exactly once.
    let recorded = svc.recorded_actions(&shared_arn);
    assert_eq!(recorded.len(), all_events.len());
    let recorded_ids: HashSet<String> = recorded
        .iter()
        .map(|a| match a {
            ivschat_local::RecordedAction::Event { id, .. } => id.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        recorded_ids,
        all_events.iter().cloned().collect::<HashSet<_>>()
    );

    // A paged listing sees every room once.
    let mut seen = HashSet::new();
    let mut token = Value::Null;
    loop {
        let page = call(&svc, "ListRooms", json!({"nextToken": token}))
            .await
            .expect_ok();
        for r in page["rooms"].as_array().expect("rooms") {
            assert!(seen.insert(s(&r["id"]).to_string()), "room listed twice");
        }
        match page.get("nextToken") {
            Some(t) => token = t.clone(),
            None => break,
        }
    }
    assert_eq!(seen.len(), total_rooms);
}
