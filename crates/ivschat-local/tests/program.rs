//! The `ivschat-local` program: what it prints, `--bind`, its logs (and what
//! they never hold), and `--state` across restarts and crashes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::{SinkExt, StreamExt};
use ivschat::{Client, Config, Credentials};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[allow(dead_code)]
#[path = "local_service/client.rs"]
mod client;

use client::{Conn, Resp, Signer, botocore_request, tags_path};

/// The running program; killed (SIGKILL, no clean shutdown) when dropped.
struct Program {
    child: Child,
    banner: String,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Program {
    /// Starts the program and reads its banner; fails with its stderr when it exits instead.
    fn start(args: &[&str], rust_log: Option<&str>) -> Program {
        Program::try_start(args, rust_log)
            .unwrap_or_else(|e| panic!("the program did not start: {e}"))
    }

    fn try_start(args: &[&str], rust_log: Option<&str>) -> Result<Program, String> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ivschat-local"));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("RUST_LOG");
        if let Some(filter) = rust_log {
            command.env("RUST_LOG", filter);
        }
        let mut child = command.spawn().expect("starts ivschat-local");
        // Drain stderr all along: a full pipe would stall the program's logging.
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut banner = String::new();
        loop {
            match lines.next() {
                Some(Ok(line)) => {
                    let last = line.ends_with("Ctrl-C stops the service.");
                    banner.push_str(&line);
                    banner.push('\n');
                    if last {
                        break;
                    }
                }
                _ => {
                    let status = child.wait().expect("exits");
                    std::thread::sleep(Duration::from_millis(100));
                    let err = stderr.lock().expect("lock").clone();
                    return Err(format!("{status}: {err}"));
                }
            }
        }
        Ok(Program {
            child,
            banner,
            stderr,
        })
    }

    /// The value after `prefix` on the banner line that starts with it.
    fn banner_value(&self, prefix: &str) -> String {
        self.banner
            .lines()
            .find_map(|l| l.trim_start().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in the banner:\n{}", self.banner))
            .trim()
            .to_string()
    }

    fn endpoint(&self) -> String {
        self.banner_value("export AWS_ENDPOINT_URL_IVSCHAT=")
    }

    fn messaging(&self) -> String {
        self.banner_value("ivschat-local messaging on ")
    }

    fn client(&self) -> Client {
        Client::from_conf(
            Config::builder()
                .region(self.banner_value("export AWS_REGION="))
                .endpoint_url(self.endpoint())
                .credentials_provider(Credentials::from_keys(
                    self.banner_value("export AWS_ACCESS_KEY_ID="),
                    ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                    None,
                ))
                .max_attempts(1)
                .build(),
        )
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Waits until the logs hold `needle` (they are written as requests end).
    fn wait_for_log(&self, needle: &str) -> String {
        for _ in 0..200 {
            let logs = self.stderr();
            if logs.contains(needle) {
                return logs;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no {needle:?} in the logs:\n{}", self.stderr());
    }
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port")
}

/// A botocore-shaped request signed with `secret` to the program's endpoint.
async fn botocore(
    program: &Program,
    secret: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (Resp, String) {
    let endpoint = program.endpoint();
    let host = endpoint.strip_prefix("http://").expect("http").to_string();
    let signer = Signer {
        access_key_id: program.banner_value("export AWS_ACCESS_KEY_ID="),
        secret: secret.into(),
        session_token: None,
        region: program.banner_value("export AWS_REGION="),
        service: "ivschat".into(),
        time: SystemTime::now(),
    };
    let bytes = botocore_request(&signer, &host, method, path, body);
    let text = String::from_utf8_lossy(&bytes).to_string();
    let signature = text
        .split("Signature=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("signed")
        .to_string();
    let stream = TcpStream::connect(&host).await.expect("connects");
    let mut conn = Conn::from_stream(stream, &host);
    conn.write_raw(&bytes).await;
    (conn.read_response().await.expect("an answer"), signature)
}

#[tokio::test]
async fn prints_where_it_listens_and_how_to_reach_it() {
    let program = Program::start(&["--port", "0", "--messaging-port", "0"], Some("off"));
    let lines: Vec<&str> = program.banner.lines().collect();
    let port = port_of(lines[0]);
    let ws_port = port_of(lines[1]);
    let expected = format!(
        "\
ivschat-local listening on http://127.0.0.1:{port}
ivschat-local messaging on ws://127.0.0.1:{ws_port}

  region:            us-west-2
  account id:        123456789012
  access key id:     AKIDLOCAL
  secret access key: ivschat-local-secret-access-key
  signatures:        verified (sign with the credentials above)
  state file:        none (state lives in memory until the program ends; see --state)

Try it with the AWS CLI:

  AWS_ENDPOINT_URL_IVSCHAT=http://127.0.0.1:{port} AWS_ACCESS_KEY_ID=AKIDLOCAL AWS_SECRET_ACCESS_KEY=ivschat-local-secret-access-key AWS_REGION=us-west-2 aws ivschat list-rooms

or set these for any AWS SDK (and ivschat::Config::from_env):

  export AWS_ENDPOINT_URL_IVSCHAT=http://127.0.0.1:{port}
  export AWS_ACCESS_KEY_ID=AKIDLOCAL
  export AWS_SECRET_ACCESS_KEY=ivschat-local-secret-access-key
  export AWS_REGION=us-west-2

Chat clients connect to ws://127.0.0.1:{ws_port}. Ctrl-C stops the service.
"
    );
    assert_eq!(program.banner, expected);

    // What it prints works: the AWS CLI's request (botocore) with the printed
    // settings, and this SDK configured from them.
    let (resp, _) = botocore(
        &program,
        &program.banner_value("export AWS_SECRET_ACCESS_KEY="),
        "POST",
        "/ListRooms",
        Some(&json!({})),
    )
    .await;
    assert_eq!(resp.json(), json!({"rooms": []}), "{resp:?}");
    let room = program
        .client()
        .create_room()
        .name("r")
        .send()
        .await
        .expect("creates");
    assert_eq!(room.name(), Some("r"));
}

#[tokio::test]
async fn a_secret_given_on_the_command_line_is_not_printed() {
    let program = Program::start(
        &[
            "--secret-access-key",
            "my-own-local-secret",
            "--no-verify",
            "--region",
            "eu-west-1",
        ],
        Some("off"),
    );
    assert!(
        !program.banner.contains("my-own-local-secret"),
        "{}",
        program.banner
    );
    assert!(
        program
            .banner
            .contains("  secret access key: <the --secret-access-key value>\n")
    );
    assert!(
        program
            .banner
            .contains("  signatures:        not verified (--no-verify: any credentials work)\n")
    );
    assert!(program.banner.contains("  export AWS_REGION=eu-west-1\n"));
}

#[tokio::test]
async fn binds_the_address_given() {
    // Another loopback address: reachable here only, as every test server.
    let program = Program::start(&["--bind", "127.0.0.2"], Some("off"));
    let listening = program.banner_value("ivschat-local listening on ");
    assert!(listening.starts_with("http://127.0.0.2:"), "{listening}");
    assert_eq!(program.endpoint(), listening);
    assert!(program.messaging().starts_with("ws://127.0.0.2:"));
    program
        .client()
        .list_rooms()
        .send()
        .await
        .expect("answers on 127.0.0.2");
    // Not on 127.0.0.1.
    let port = port_of(&listening);
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());

    let refused = Program::try_start(&["--bind", "localhost"], None)
        .err()
        .expect("refused");
    assert!(
        refused.contains("--bind: \"localhost\" is not an IP address"),
        "{refused}"
    );
}

#[tokio::test]
async fn logs_each_request_by_default_and_follows_rust_log() {
    let program = Program::start(&[], None);
    let client = program.client();
    client.list_rooms().send().await.expect("lists");
    client
        .get_room()
        .identifier("NoSuchRoom12")
        .send()
        .await
        .expect_err("missing");
    let logs = program.wait_for_log("operation=GetRoom");
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("ivschat_local::request"))
        .collect();
    assert_eq!(lines.len(), 2, "{logs}");
    assert!(
        lines[0].contains(" INFO ivschat_local::request: method=POST operation=ListRooms status=200 error=- latency="),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(
            " INFO ivschat_local::request: method=POST operation=GetRoom status=404 error=ResourceNotFoundException latency="
        ),
        "{}",
        lines[1]
    );

    let quiet = Program::start(&[], Some("warn"));
    quiet.client().list_rooms().send().await.expect("lists");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(quiet.stderr(), "");

    let refused = Program::try_start(&[], Some("ivschat_local=loud"))
        .err()
        .expect("refused");
    assert!(
        refused.contains("RUST_LOG \"ivschat_local=loud\" is not a filter"),
        "{refused}"
    );
}

#[tokio::test]
async fn no_secret_reaches_the_logs_even_at_trace() {
    const SECRET: &str = "secret-key-0f9e8d7c6b5a";
    const USER: &str = "user-id-secret-5150";
    const TOKEN_ATTRIBUTE: &str = "token-attribute-secret-7331";
    const CONTENT: &str = "message-content-secret-4242";
    const MESSAGE_ATTRIBUTE: &str = "message-attribute-secret-1234";
    const EVENT_ATTRIBUTE: &str = "event-attribute-secret-8888";
    let program = Program::start(&["--secret-access-key", SECRET], Some("trace"));

    let (created, signature) = botocore(
        &program,
        SECRET,
        "POST",
        "/CreateRoom",
        Some(&json!({"name": "lobby"})),
    )
    .await;
    let room = created.json()["arn"].as_str().expect("arn").to_string();
    let (token, token_signature) = botocore(
        &program,
        SECRET,
        "POST",
        "/CreateChatToken",
        Some(&json!({"roomIdentifier": room, "userId": USER,
            "capabilities": ["SEND_MESSAGE"], "attributes": {"a": TOKEN_ATTRIBUTE}})),
    )
    .await;
    let token = token.json()["token"].as_str().expect("token").to_string();

    // A chat session: tungstenite logs the handshake and every frame at TRACE through `log`.
    let mut request = program.messaging().into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        token.parse().expect("header value"),
    );
    let tcp = TcpStream::connect(program.messaging().trim_start_matches("ws://"))
        .await
        .expect("connects");
    let (mut ws, _) = tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("handshake");
    let frame = json!({"Action": "SEND_MESSAGE", "RequestId": "r1", "Content": CONTENT,
        "Attributes": {"m": MESSAGE_ATTRIBUTE}});
    ws.send(Message::text(frame.to_string()))
        .await
        .expect("sends");
    let echoed = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("in time")
        .expect("a frame")
        .expect("a message");
    assert!(echoed.to_text().expect("text").contains(CONTENT));

    let (event, _) = botocore(
        &program,
        SECRET,
        "POST",
        "/SendEvent",
        Some(&json!({"roomIdentifier": room, "eventName": "e", "attributes": {"k": EVENT_ATTRIBUTE}})),
    )
    .await;
    assert_eq!(event.status, 200);
    let (tagged, _) = botocore(
        &program,
        SECRET,
        "POST",
        &tags_path(&room),
        Some(&json!({"tags": {"t": "v"}})),
    )
    .await;
    assert_eq!(tagged.status, 200);
    let (gone, _) = botocore(
        &program,
        SECRET,
        "POST",
        "/DisconnectUser",
        Some(&json!({"roomIdentifier": room, "userId": USER})),
    )
    .await;
    assert_eq!(gone.status, 200);

    let logs = program.wait_for_log("operation=DisconnectUser");
    let logs = {
        drop(ws);
        program.wait_for_log("session ended");
        logs + &program.stderr()
    };
    // The logs say what happened...
    for expected in [
        "operation=CreateRoom status=200",
        "operation=CreateChatToken status=200",
        "operation=SendEvent status=200",
        "operation=TagResource status=200",
        "session opened",
    ] {
        assert!(logs.contains(expected), "no {expected:?} in:\n{logs}");
    }
    // ...never what it carried, and nothing from tungstenite's `log` records.
    for secret in [
        SECRET,
        USER,
        TOKEN_ATTRIBUTE,
        CONTENT,
        MESSAGE_ATTRIBUTE,
        EVENT_ATTRIBUTE,
        &token,
        &signature,
        &token_signature,
        "tungstenite",
    ] {
        assert!(!logs.contains(secret), "{secret:?} in the logs:\n{logs}");
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ivschat-local-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[tokio::test]
async fn the_state_file_survives_a_restart() {
    let dir = temp_dir("restart");
    let state = dir.join("state.json");
    let program = Program::start(&["--state", arg(&state)], Some("off"));
    assert_eq!(program.banner_value("state file:"), arg(&state));
    let client = program.client();
    let config = client
        .create_logging_configuration()
        .name("logs")
        .destination_configuration(ivschat::types::DestinationConfiguration::CloudWatchLogs(
            ivschat::types::CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("group")
                .build()
                .expect("destination"),
        ))
        .tags("team", "video")
        .send()
        .await
        .expect("configuration");
    let mut rooms = Vec::new();
    for name in ["a", "b", "c"] {
        let room = client
            .create_room()
            .name(name)
            .maximum_message_length(42)
            .logging_configuration_identifiers(config.arn().expect("arn"))
            .tags("name", name)
            .send()
            .await
            .expect("room");
        rooms.push(room.id().expect("id").to_string());
    }
    client
        .update_room()
        .identifier(&rooms[0])
        .name("a2")
        .send()
        .await
        .expect("update");
    client
        .delete_room()
        .identifier(&rooms[1])
        .send()
        .await
        .expect("delete");
    let page = client
        .list_rooms()
        .max_results(1)
        .send()
        .await
        .expect("page");
    let token = page.next_token().expect("a token").to_string();
    let before = client.list_rooms().send().await.expect("list");
    let config_before = client
        .get_logging_configuration()
        .identifier(config.id().expect("id"))
        .send()
        .await
        .expect("get");
    drop(program); // SIGKILL: no shutdown step writes anything.

    let program = Program::start(&["--state", arg(&state)], Some("info"));
    let logs = program.wait_for_log("state restored");
    assert!(
        logs.contains(&format!(
            "INFO ivschat_local::state: state restored path={} rooms=2 logging_configurations=1",
            state.display()
        )),
        "{logs}"
    );
    let client = program.client();
    let after = client.list_rooms().send().await.expect("list");
    assert_eq!(
        format!("{:?}", after.rooms()),
        format!("{:?}", before.rooms())
    );
    let config_after = client
        .get_logging_configuration()
        .identifier(config.id().expect("id"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        (
            config_after.create_time(),
            config_after.update_time(),
            config_after.name(),
            config_after.destination_configuration(),
            config_after.tags(),
        ),
        (
            config_before.create_time(),
            config_before.update_time(),
            config_before.name(),
            config_before.destination_configuration(),
            config_before.tags(),
        )
    );
    let room = client
        .get_room()
        .identifier(&rooms[2])
        .send()
        .await
        .expect("room");
    assert_eq!(room.maximum_message_length(), Some(42));
    // A page token of the earlier run still resumes the walk.
    let rest = client
        .list_rooms()
        .next_token(&token)
        .send()
        .await
        .expect("resumes");
    assert_eq!(rest.rooms().len(), 1);
    // New resources continue the sequence.
    let new = client.create_room().name("d").send().await.expect("room");
    let listed = client.list_rooms().send().await.expect("list");
    assert_eq!(listed.rooms()[0].id(), new.id());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_state_files_are_named_and_refused() {
    let dir = temp_dir("bad");
    let state = dir.join("state.json");
    let program = Program::start(&["--state", arg(&state)], Some("off"));
    program.client().create_room().send().await.expect("room");
    drop(program);
    let good = std::fs::read_to_string(&state).expect("written");

    let refused = |args: &[&str]| {
        let err = Program::try_start(args, Some("off"))
            .err()
            .expect("refused");
        assert!(
            err.contains(&format!("ivschat-local: state file {}: ", state.display())),
            "{err}"
        );
        err
    };
    let other_region = refused(&["--state", arg(&state), "--region", "eu-west-1"]);
    assert!(other_region.contains(
        "holds the resources of region us-west-2 and account 123456789012, but this service runs region eu-west-1 and account 123456789012"
    ), "{other_region}");

    // Torn (what a writer without the temporary file and rename could leave).
    std::fs::write(&state, &good[..good.len() / 2]).expect("write");
    assert!(refused(&["--state", arg(&state)]).contains("is not valid JSON"));
    std::fs::write(&state, "{\"dependencies\": {}}").expect("write");
    assert!(refused(&["--state", arg(&state)]).contains(
        "is not an ivschat-local state file: it has no \"format\": \"ivschat-local-state\" member"
    ));
    let newer = good.replace("\"version\": 1", "\"version\": 9");
    std::fs::write(&state, newer).expect("write");
    assert!(
        refused(&["--state", arg(&state)])
            .contains("has format version 9, written by a newer ivschat-local")
    );

    let missing_dir = dir.join("no-such-dir").join("state.json");
    let err = Program::try_start(&["--state", arg(&missing_dir)], Some("off"))
        .err()
        .expect("refused");
    assert!(err.contains("cannot be written"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Kills the program at random moments while calls change a large state,
/// each time restarting it on the same file: the file always loads, and it
/// holds every change that was acknowledged before the kill.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_file_survives_crashes_mid_write() {
    const ROUNDS: usize = 8;
    let dir = temp_dir("crash");
    let state = dir.join("state.json");
    let temp = dir.join("state.json.tmp");
    let value = "v".repeat(256);
    let mut acknowledged_rooms: Vec<String> = Vec::new();
    // Per tag key, the last value a TagResource call was acknowledged with.
    let mut acknowledged_tags: BTreeMap<String, u64> = BTreeMap::new();
    let mut kills_mid_write = 0;
    let mut big_room = String::new();
    // The last round only checks what the last kill left.
    for round in 0..=ROUNDS as u64 {
        let program = Program::start(&["--state", arg(&state)], Some("off"));
        let client = program.client();
        if round == 0 {
            // About 1 MB of state, so that each write takes a while.
            for i in 0..40 {
                let mut create = client.create_room().name(format!("big{i}"));
                for t in 0..49 {
                    create = create.tags(format!("{t:0>100}"), value.clone());
                }
                let room = create.send().await.expect("room");
                acknowledged_rooms.push(room.id().expect("id").to_string());
            }
            big_room = acknowledged_rooms[0].clone();
        }
        // Everything acknowledged before the kill is there.
        for id in &acknowledged_rooms {
            client
                .get_room()
                .identifier(id)
                .send()
                .await
                .unwrap_or_else(|e| panic!("round {round}: room {id} lost: {e}"));
        }
        let arn = format!("arn:aws:ivschat:us-west-2:123456789012:room/{big_room}");
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .expect("tags");
        for (key, acked) in &acknowledged_tags {
            let stored: u64 = tags
                .tags()
                .get(key)
                .expect("the tag")
                .parse()
                .expect("a number");
            assert!(
                stored >= *acked,
                "round {round}: {key} is {stored}, {acked} was acknowledged"
            );
        }
        if round == ROUNDS as u64 {
            break;
        }

        // Two writers create rooms, one tags, until the kill.
        let created = Arc::new(Mutex::new(Vec::new()));
        let tagged = Arc::new(Mutex::new(None));
        let mut writers = Vec::new();
        for w in 0..3u64 {
            let client = client.clone();
            let arn = arn.clone();
            let created = Arc::clone(&created);
            let tagged = Arc::clone(&tagged);
            writers.push(tokio::spawn(async move {
                for i in 0u64.. {
                    if w < 2 {
                        let call = client
                            .create_room()
                            .name(format!("r{round}-{w}-{i}"))
                            .send();
                        let Ok(room) = call.await else { return };
                        created
                            .lock()
                            .expect("lock")
                            .push(room.id().expect("id").to_string());
                    } else {
                        let value = round * 1_000_000 + i;
                        let call = client
                            .tag_resource()
                            .resource_arn(&arn)
                            .tags("counter", value.to_string())
                            .send();
                        if call.await.is_err() {
                            return;
                        }
                        *tagged.lock().expect("lock") = Some(value);
                    }
                }
            }));
        }
        // Every other round kills as soon as a write has begun (the temporary
        // file appears), the others at a random moment.
        let watch_writes = round % 2 == 0;
        let watched = temp.clone();
        let mid_write = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let moment = Duration::from_millis(fastrand::u64(50..300));
            while started.elapsed() < Duration::from_secs(5) {
                let now = if watch_writes {
                    watched.exists()
                } else {
                    started.elapsed() >= moment
                };
                if now {
                    break;
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            drop(program); // SIGKILL
            watched.exists()
        })
        .await
        .expect("the killer");
        kills_mid_write += usize::from(mid_write);
        for w in writers {
            w.await.expect("writer");
        }
        acknowledged_rooms.extend(created.lock().expect("lock").drain(..));
        if let Some(value) = *tagged.lock().expect("lock") {
            acknowledged_tags.insert("counter".into(), value);
        }
    }
    eprintln!(
        "{ROUNDS} kills, {kills_mid_write} with a write in progress; {} acknowledged rooms all restored",
        acknowledged_rooms.len()
    );
    assert!(
        kills_mid_write > 0,
        "no kill landed during a write: the test proved nothing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
