//! The official IVS Chat Messaging JavaScript client (`amazon-ivs-chat-messaging@1.1.1` with
//! `ws@8.23.0`, pinned by `tests/js/package-lock.json`) against the local service, with chat
//! tokens from the generated Rust control-plane client.
//!
//! `tests/js/messaging.mjs` runs the JS clients and reports everything they see as JSON lines;
//! this test drives it step by step and checks every line.
//!
//! Needs Node and `tests/js/node_modules` (`npm ci --prefix tests/js`; this test runs it when
//! npm is there). Without them the test fails when `CI=true` and is skipped, loudly, otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use ivschat::types::ChatTokenCapability;
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService, ReviewHandler, ReviewRequest, ReviewResponse};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const LAMBDA: &str = "arn:aws:lambda:us-west-2:123456789012:function:review";
const STEP: Duration = Duration::from_secs(15);

fn succeeds(program: &str, args: &[&str], dir: &Path) -> Result<(), String> {
    match std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
    {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`{program} {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("`{program}` could not run: {e}")),
    }
}

fn installed_version(js: &Path, package: &str) -> Option<String> {
    let manifest = js.join("node_modules").join(package).join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value["version"].as_str().map(str::to_string)
}

/// The `tests/js` folder with its pinned packages installed, or why it cannot be had.
fn prepare() -> Result<PathBuf, String> {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    succeeds("node", &["--version"], &js).map_err(|e| format!("Node is needed: {e}"))?;
    let pinned = installed_version(&js, "amazon-ivs-chat-messaging").as_deref() == Some("1.1.1")
        && installed_version(&js, "ws").as_deref() == Some("8.23.0");
    if !pinned {
        succeeds("npm", &["ci", "--no-audit", "--no-fund"], &js)
            .map_err(|e| format!("tests/js/node_modules is missing and npm ci failed: {e}"))?;
    }
    Ok(js)
}

/// The Node process and everything it reported so far.
struct Js {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// Values bound by `$name:kind` placeholders.
    bound: BTreeMap<String, Value>,
}

impl Js {
    async fn start(js: &Path, endpoint: &str) -> Js {
        let mut child = Command::new("node")
            .arg("messaging.mjs")
            .arg(endpoint)
            .current_dir(js)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let stdin = child.stdin.take().expect("stdin");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut js = Js {
            child,
            stdin,
            lines,
            bound: BTreeMap::new(),
        };
        js.expect(vec![json!({"event": "ready"})]).await;
        js
    }

    async fn send(&mut self, command: Value) {
        let line = format!("{command}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("writes to node");
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(STEP, self.lines.next_line())
            .await
            .expect("the JS client reports within 15 s")
            .expect("reads from node")
            .expect("node is still running");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Reads exactly as many observations as expected and matches them:
    /// each client's observations in the given order, clients interleaved freely.
    async fn expect(&mut self, expected: Vec<Value>) -> Vec<Value> {
        let mut remaining = expected.clone();
        let mut got = Vec::new();
        while !remaining.is_empty() {
            let actual = self.next().await;
            let client = actual.get("client").cloned();
            let Some(pos) = remaining
                .iter()
                .position(|e| e.get("client").cloned() == client)
            else {
                panic!("unexpected observation {actual}\nexpected: {remaining:#?}");
            };
            let mut bound = self.bound.clone();
            if !matches(&remaining[pos], &actual, &mut bound) {
                panic!(
                    "observation {actual}\ndoes not match {}\nbound: {:?}",
                    remaining[pos], self.bound
                );
            }
            self.bound = bound;
            remaining.remove(pos);
            got.push(actual);
        }
        got
    }

    fn bound(&self, name: &str) -> String {
        self.bound[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} is not a string"))
            .to_string()
    }
}

/// Structural equality where an expected string `$name:kind` matches a value of that kind
/// (`id`: 12 alphanumerics, `uuid`, `time`: an ISO 8601 UTC time with milliseconds) and binds it:
/// the same name must then always match the same value.
fn matches(expected: &Value, actual: &Value, bound: &mut BTreeMap<String, Value>) -> bool {
    match (expected, actual) {
        (Value::String(e), a) if e.starts_with('$') => {
            let (name, kind) = e.split_once(':').unwrap_or((e, ""));
            if let Some(v) = bound.get(name) {
                return v == a;
            }
            let Value::String(s) = a else { return false };
            let ok = match kind {
                "id" => s.len() == 12 && s.bytes().all(|b| b.is_ascii_alphanumeric()),
                "uuid" => s.len() == 36 && s.bytes().filter(|&b| b == b'-').count() == 4,
                "time" => s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T',
                _ => false,
            };
            if ok {
                bound.insert(name.to_string(), a.clone());
            }
            ok
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, ev)| a.get(k).is_some_and(|av| matches(ev, av, bound)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(ev, av)| matches(ev, av, bound))
        }
        (e, a) => e == a,
    }
}

fn ms(t: Option<&ivschat::DateTime>) -> i64 {
    (t.expect("time").as_secs_f64() * 1000.0) as i64
}

async fn token(
    client: &Client,
    room: &str,
    user: &str,
    capabilities: &[ChatTokenCapability],
) -> Value {
    let mut req = client
        .create_chat_token()
        .room_identifier(room)
        .user_id(user)
        .attributes("displayName", user.to_uppercase());
    for c in capabilities {
        req = req.capabilities(c.clone());
    }
    let out = req.send().await.expect("CreateChatToken");
    json!({
        "token": out.token().expect("token"),
        "tokenExpirationTime": ms(out.token_expiration_time()),
        "sessionExpirationTime": ms(out.session_expiration_time()),
    })
}

fn review_handler() -> ReviewHandler {
    ReviewHandler::from_fn(|req: ReviewRequest| async move {
        let verdict = if req.content.starts_with("deny") {
            ReviewResponse::Deny {
                reason: Some("denied by the test's handler".into()),
            }
        } else if req.content.starts_with("rewrite") {
            ReviewResponse::Allow {
                content: Some(format!("rewritten: {}", req.content)),
                attributes: Some(BTreeMap::from([("reviewed".into(), "yes".into())])),
            }
        } else {
            ReviewResponse::allow()
        };
        Ok::<_, std::convert::Infallible>(verdict)
    })
}

fn message(id: &str, req: &str, content: &str, attributes: Value, user: &str, time: &str) -> Value {
    json!({"id": id, "requestId": req, "content": content, "attributes": attributes,
           "sendTime": time, "sender": {"userId": user, "attributes": {"displayName": user.to_uppercase()}}})
}

/// What a client sees when the service refuses its request: the SDK logs the ERROR frame as
/// it arrived, then rejects the request's promise with it.
fn refusal(client: &str, tag: &str, id: &str, request: &str, code: u16, text: &str) -> Vec<Value> {
    let (id, request) = (format!("{id}:id"), format!("{request}:uuid"));
    vec![
        json!({"client": client, "log": "error", "args": [format!("Room {client} received error"), {
            "Type": "ERROR", "Id": id, "RequestId": request, "ErrorCode": code, "ErrorMessage": text}]}),
        json!({"client": client, "tag": tag, "result": "error", "error": {
            "id": id, "requestId": request, "errorCode": code, "errorMessage": text}}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_js_client_chats_through_the_local_service() {
    let js_dir = match prepare() {
        Ok(dir) => dir,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("the JS client test cannot run in CI: {why}")
        }
        Err(why) => {
            // Straight to the stderr handle: the test harness captures `eprintln!`.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: messaging_js: the official JS client test did not run ({why}) ***\n"
            );
            return;
        }
    };
    let local =
        LocalService::start(LocalConfig::default().with_review_handler(LAMBDA, review_handler()))
            .await
            .expect("local service starts");
    let client = Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(local.endpoint())
            .credentials_provider(Credentials::from_keys(
                ivschat_local::DEFAULT_ACCESS_KEY_ID,
                ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                None,
            ))
            .build(),
    );
    let room = client
        .create_room()
        .name("main")
        .maximum_message_length(20)
        .send()
        .await
        .expect("CreateRoom");
    let room = room.arn().expect("arn").to_string();
    let reviewed = client
        .create_room()
        .name("reviewed")
        .message_review_handler(
            ivschat::types::MessageReviewHandler::builder()
                .uri(LAMBDA)
                .fallback_result(ivschat::types::FallbackResult::Deny)
                .build(),
        )
        .send()
        .await
        .expect("CreateRoom");
    let reviewed = reviewed.arn().expect("arn").to_string();

    use ChatTokenCapability::{DeleteMessage, DisconnectUser, SendMessage};
    let alice_token = token(
        &client,
        &room,
        "alice",
        &[SendMessage, DeleteMessage, DisconnectUser],
    )
    .await;
    let mut js = Js::start(&js_dir, &local.messaging_endpoint()).await;
    for (name, t) in [
        ("alice", alice_token.clone()),
        ("bob", token(&client, &room, "bob", &[SendMessage]).await),
        (
            "carol",
            token(&client, &room, "carol", &[SendMessage]).await,
        ),
        (
            "dave",
            token(&client, &reviewed, "dave", &[SendMessage]).await,
        ),
    ] {
        js.send(
            json!({"cmd": "connect", "client": name, "tokens": [t], "maxReconnectAttempts": 3}),
        )
        .await;
        js.expect(vec![
            json!({"client": name, "event": "connecting"}),
            json!({"client": name, "event": "tokenRequested"}),
            json!({"client": name, "event": "connect"}),
        ])
        .await;
    }
    assert_eq!(local.messaging_connections(), 4);

    // Send and receive: every connection of the room, the sender's included.
    js.send(json!({"cmd": "send", "client": "alice", "tag": "s1", "content": "hello", "attributes": {"k": "v"}}))
        .await;
    let hello = message(
        "$m1:id",
        "$r1:uuid",
        "hello",
        json!({"k": "v"}),
        "alice",
        "$t1:time",
    );
    js.expect(vec![
        json!({"client": "alice", "event": "message", "data": hello}),
        json!({"client": "alice", "tag": "s1", "result": "ok", "data": hello}),
        json!({"client": "bob", "event": "message", "data": hello}),
        json!({"client": "carol", "event": "message", "data": hello}),
    ])
    .await;

    // Delete a message.
    let m1 = js.bound("$m1");
    js.send(json!({"cmd": "delete", "client": "alice", "tag": "d1", "id": m1, "reason": "spam"}))
        .await;
    let deleted = json!({"id": "$e1:id", "requestId": "$r2:uuid", "messageId": m1, "reason": "spam", "sendTime": "$t2:time"});
    js.expect(vec![
        json!({"client": "alice", "event": "messageDelete", "data": deleted}),
        json!({"client": "alice", "tag": "d1", "result": "ok", "data": deleted}),
        json!({"client": "bob", "event": "messageDelete", "data": deleted}),
        json!({"client": "carol", "event": "messageDelete", "data": deleted}),
    ])
    .await;

    // A capability refused, and an over-long message refused (the room allows 20 characters).
    js.send(json!({"cmd": "delete", "client": "bob", "tag": "d2", "id": m1}))
        .await;
    js.expect(refusal(
        "bob",
        "d2",
        "$x1",
        "$r3",
        403,
        "The chat token does not grant the DELETE_MESSAGE capability",
    ))
    .await;
    js.send(json!({"cmd": "send", "client": "bob", "tag": "s2", "content": "x".repeat(21)}))
        .await;
    js.expect(refusal(
        "bob",
        "s2",
        "$x2",
        "$r4",
        400,
        "Content must be at most 20 characters, got 21",
    ))
    .await;

    // Control-plane SendEvent, DeleteMessage and DisconnectUser reach the JS clients.
    let sent = client
        .send_event()
        .room_identifier(&room)
        .event_name("app:poll")
        .attributes("question", "tea?")
        .send()
        .await
        .expect("SendEvent");
    let event = json!({"id": sent.id().expect("id"), "requestId": null, "eventName": "app:poll",
                       "attributes": {"question": "tea?"}, "sendTime": "$t3:time"});
    js.expect(
        ["alice", "bob", "carol"]
            .map(|c| json!({"client": c, "event": "event", "data": event}))
            .to_vec(),
    )
    .await;
    let deleted = client
        .delete_message()
        .room_identifier(&room)
        .id(&m1)
        .reason("cleanup")
        .send()
        .await
        .expect("DeleteMessage");
    let deletion = json!({"id": deleted.id().expect("id"), "requestId": null, "messageId": m1,
                          "reason": "cleanup", "sendTime": "$t4:time"});
    js.expect(
        ["alice", "bob", "carol"]
            .map(|c| json!({"client": c, "event": "messageDelete", "data": deletion}))
            .to_vec(),
    )
    .await;

    // Disconnect a user from the JS client: the event, then a clean close for that user.
    js.send(json!({"cmd": "disconnectUser", "client": "alice", "tag": "k1", "userId": "carol", "reason": "bye"}))
        .await;
    let kicked = json!({"id": "$e2:id", "requestId": "$r5:uuid", "userId": "carol", "reason": "bye", "sendTime": "$t5:time"});
    js.expect(vec![
        json!({"client": "alice", "event": "userDisconnect", "data": kicked}),
        json!({"client": "alice", "tag": "k1", "result": "ok", "data": kicked}),
        json!({"client": "bob", "event": "userDisconnect", "data": kicked}),
        json!({"client": "carol", "event": "userDisconnect", "data": kicked}),
        json!({"client": "carol", "event": "disconnect", "reason": "serverDisconnect"}),
    ])
    .await;
    // And from the control plane.
    client
        .disconnect_user()
        .room_identifier(&room)
        .user_id("bob")
        .reason("closing time")
        .send()
        .await
        .expect("DisconnectUser");
    let kicked = json!({"id": "$e3:id", "requestId": null, "userId": "bob", "reason": "closing time", "sendTime": "$t6:time"});
    js.expect(vec![
        json!({"client": "alice", "event": "userDisconnect", "data": kicked}),
        json!({"client": "bob", "event": "userDisconnect", "data": kicked}),
        json!({"client": "bob", "event": "disconnect", "reason": "serverDisconnect"}),
    ])
    .await;

    // The review handler: a denial reaches only the sender; an allowed message may be rewritten.
    js.send(json!({"cmd": "send", "client": "dave", "tag": "v1", "content": "deny this"}))
        .await;
    js.expect(refusal(
        "dave",
        "v1",
        "$x3",
        "$r6",
        406,
        "denied by the test's handler",
    ))
    .await;
    js.send(json!({"cmd": "send", "client": "dave", "tag": "v2", "content": "rewrite this", "attributes": {"a": "b"}}))
        .await;
    let rewritten = message(
        "$m2:id",
        "$r7:uuid",
        "rewritten: rewrite this",
        json!({"reviewed": "yes"}),
        "dave",
        "$t7:time",
    );
    js.expect(vec![
        json!({"client": "dave", "event": "message", "data": rewritten}),
        json!({"client": "dave", "tag": "v2", "result": "ok", "data": rewritten}),
    ])
    .await;

    // A reused token: the handshake is refused (HTTP 401) and the SDK gives up.
    js.send(json!({"cmd": "connect", "client": "erin", "tokens": [alice_token], "maxReconnectAttempts": 0}))
        .await;
    js.expect(vec![
        json!({"client": "erin", "event": "connecting"}),
        json!({"client": "erin", "event": "tokenRequested"}),
        json!({"client": "erin", "log": "error", "args": ["Room erin connection did receive WebSocket \"error\" event", "Unexpected server response: 401"]}),
        json!({"client": "erin", "event": "disconnect", "reason": "socketError"}),
    ])
    .await;

    // Every id the JS clients saw was distinct.
    let ids: Vec<String> = ["$m1", "$e1", "$x1", "$x2", "$e2", "$e3", "$x3", "$m2"]
        .map(|n| js.bound(n))
        .to_vec();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");

    assert_eq!(local.messaging_connections(), 2);
    js.send(json!({"cmd": "quit"})).await;
    js.expect(vec![
        json!({"client": "alice", "event": "disconnect", "reason": "clientDisconnect"}),
        json!({"client": "dave", "event": "disconnect", "reason": "clientDisconnect"}),
        json!({"event": "bye"}),
    ])
    .await;
    let status = tokio::time::timeout(STEP, js.child.wait())
        .await
        .expect("node exits")
        .expect("exit status");
    assert!(status.success(), "{status}");
    assert_eq!(
        tokio::time::timeout(STEP, js.lines.next_line())
            .await
            .expect("stdout ends")
            .expect("reads"),
        None,
        "nothing after bye"
    );
    let deadline = tokio::time::Instant::now() + STEP;
    while local.messaging_connections() != 0 {
        assert!(tokio::time::Instant::now() < deadline, "sessions left open");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
