//! Micro-benchmarks: where the time of one call goes, without a network.
//!
//! The generated serializers and deserializers are private, so the SDK is measured through its
//! public API with an in-process connector that returns canned responses:
//! - `sdk_call`: the whole call (serialize, pipeline, sign, parse);
//! - `sdk_call_unsigned`: the same with anonymous credentials (no signing);
//! - `sdk_call_minimal_response`: unsigned, with responses reduced to `{}` (plus `nextToken`
//!   for the list walk), so it is serialize + pipeline and `sdk_call_unsigned` minus it is parse;
//! - `sdk_sign`: `restjson_runtime::__private::sign_request` on the request the SDK sends;
//! - `sdk_json_write` / `sdk_json_parse_value`: the runtime JSON writer and the `serde_json::Value`
//!   parse generated deserializers start from.
//!
//! The floor counterparts do the same steps with serde and aws-sigv4 directly.
//!
//! Run: `cargo bench -p ivschat-bench --bench micro`.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use divan::Bencher;
use ivschat_bench::canned::{self, Op};
use ivschat_bench::{floor, sdk};
use restjson_runtime::http::{ConnectorFuture, HttpConnector, HttpRequest};

fn main() {
    divan::main();
}

const OPS: [&str; 3] = ["get-room", "create-chat-token", "list-rooms-5p"];

fn op(name: &str) -> Op {
    Op::parse(name).unwrap_or(Op::GetRoom)
}

/// Answers every request in-process from canned bodies.
#[derive(Debug)]
struct CannedConnector {
    get_room: Bytes,
    create_chat_token: Bytes,
    pages: Vec<Bytes>,
    tokens: Vec<String>,
}

impl CannedConnector {
    fn full() -> Self {
        Self {
            get_room: canned::get_room_body().into(),
            create_chat_token: canned::create_chat_token_body().into(),
            pages: (0..canned::LIST_PAGES)
                .map(|p| canned::list_rooms_body(p).into())
                .collect(),
            tokens: (0..canned::LIST_PAGES).map(canned::page_token).collect(),
        }
    }

    fn minimal() -> Self {
        let pages = (0..canned::LIST_PAGES)
            .map(|p| {
                if p + 1 < canned::LIST_PAGES {
                    format!("{{\"nextToken\":\"{}\"}}", canned::page_token(p + 1)).into()
                } else {
                    Bytes::from_static(b"{}")
                }
            })
            .collect();
        Self {
            get_room: Bytes::from_static(b"{}"),
            create_chat_token: Bytes::from_static(b"{}"),
            pages,
            tokens: (0..canned::LIST_PAGES).map(canned::page_token).collect(),
        }
    }

    fn pick(&self, request: &HttpRequest) -> Bytes {
        match request.uri().path() {
            "/GetRoom" => self.get_room.clone(),
            "/CreateChatToken" => self.create_chat_token.clone(),
            _ => {
                let body = request.body();
                let page = self
                    .tokens
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, t)| body.windows(t.len()).any(|w| w == t.as_bytes()))
                    .map_or(0, |(i, _)| i);
                self.pages[page].clone()
            }
        }
    }
}

impl HttpConnector for CannedConnector {
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
        let body = self.pick(&request);
        Box::pin(async move {
            let mut response = http::Response::new(body);
            let headers = response.headers_mut();
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            headers.insert(
                "x-amzn-requestid",
                http::HeaderValue::from_static(canned::REQUEST_ID),
            );
            Ok(response)
        })
    }
}

const ENDPOINT: &str = "http://127.0.0.1:1";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn sdk_client(connector: CannedConnector, signed: bool) -> ivschat::Client {
    let mut config = sdk::config(ENDPOINT).http_connector(connector);
    if !signed {
        config = config.anonymous();
    }
    ivschat::Client::from_conf(config.build())
}

fn run_sdk(bencher: Bencher, client: ivschat::Client, op: Op) {
    let rt = rt();
    bencher.bench_local(|| {
        rt.block_on(async {
            match op {
                Op::GetRoom => sdk::get_room(&client).await,
                Op::CreateChatToken => sdk::create_chat_token(&client).await,
                Op::ListRooms => sdk::list_rooms_walk(&client).await,
            }
            .expect("canned call")
        })
    });
}

#[divan::bench(args = OPS)]
fn sdk_call(bencher: Bencher, name: &str) {
    run_sdk(bencher, sdk_client(CannedConnector::full(), true), op(name));
}

#[divan::bench(args = OPS)]
fn sdk_call_unsigned(bencher: Bencher, name: &str) {
    run_sdk(
        bencher,
        sdk_client(CannedConnector::full(), false),
        op(name),
    );
}

#[divan::bench(args = OPS)]
fn sdk_call_minimal_response(bencher: Bencher, name: &str) {
    run_sdk(
        bencher,
        sdk_client(CannedConnector::minimal(), false),
        op(name),
    );
}

/// The request (before signing) the SDK sends for `op`'s first call, with its standard headers.
fn sdk_request(op: Op) -> HttpRequest {
    let (path, body) = match op {
        Op::GetRoom => ("/GetRoom", floor::get_room_body(canned::ROOM_ARN)),
        Op::CreateChatToken => (
            "/CreateChatToken",
            floor::create_chat_token_body(
                canned::ROOM_ARN,
                canned::USER_ID,
                canned::SESSION_MINUTES,
            ),
        ),
        Op::ListRooms => ("/ListRooms", floor::list_rooms_body(10, None)),
    };
    http::Request::builder()
        .method(http::Method::POST)
        .uri(format!("{ENDPOINT}{path}"))
        .header("content-type", "application/json")
        .header(
            "user-agent",
            "ivschat/0.1.0 restjson-runtime/0.1.0 lang/rust",
        )
        .header(
            "amz-sdk-invocation-id",
            "0b6a2cdd-7c2e-4b7b-a5a0-3f9b5a8d1e21",
        )
        .header("amz-sdk-request", "attempt=1; max=1")
        .body(Bytes::from(body))
        .expect("request")
}

#[divan::bench(args = OPS)]
fn sdk_sign(bencher: Bencher, name: &str) {
    let creds = restjson_runtime::Credentials::from_keys(
        canned::ACCESS_KEY_ID,
        canned::SECRET_ACCESS_KEY,
        Some(canned::SESSION_TOKEN.to_owned()),
    );
    let request = sdk_request(op(name));
    let time = SystemTime::now();
    bencher
        .with_inputs(|| request.clone())
        .bench_local_refs(|r| {
            restjson_runtime::__private::sign_request(r, &creds, canned::REGION, "ivschat", time)
                .expect("sign")
        });
}

#[divan::bench(args = OPS)]
fn floor_sign(bencher: Bencher, name: &str) {
    let identity = floor::identity();
    let request = sdk_request(op(name));
    let url = request.uri().to_string();
    let body = request.body().to_vec();
    let time = SystemTime::now();
    bencher
        .with_inputs(|| body.clone())
        .bench_local_values(|b| floor::signed_request(&url, b, &identity, time).expect("sign"));
}

/// The body writing the generated serializer of `op` does, with the runtime's JSON writer.
fn write_body(op: Op) -> String {
    use restjson_runtime::__private::ObjectWriter;
    let mut out = String::new();
    let mut o = ObjectWriter::new(&mut out);
    match op {
        Op::GetRoom => o.key("identifier").string(canned::ROOM_ARN),
        Op::CreateChatToken => {
            let mut caps = o.key("capabilities").array();
            caps.value().string("SEND_MESSAGE");
            caps.finish();
            o.key("roomIdentifier").string(canned::ROOM_ARN);
            o.key("sessionDurationInMinutes")
                .integer(i64::from(canned::SESSION_MINUTES));
            o.key("userId").string(canned::USER_ID);
        }
        Op::ListRooms => o
            .key("maxResults")
            .integer(i64::from(canned::LIST_MAX_RESULTS)),
    }
    o.finish();
    out
}

#[divan::bench(args = OPS)]
fn sdk_json_write(bencher: Bencher, name: &str) {
    let op = op(name);
    bencher.bench_local(|| write_body(divan::black_box(op)));
}

#[divan::bench(args = OPS)]
fn floor_json_write(bencher: Bencher, name: &str) {
    let op = op(name);
    bencher.bench_local(|| match divan::black_box(op) {
        Op::GetRoom => floor::get_room_body(canned::ROOM_ARN),
        Op::CreateChatToken => floor::create_chat_token_body(
            canned::ROOM_ARN,
            canned::USER_ID,
            canned::SESSION_MINUTES,
        ),
        Op::ListRooms => floor::list_rooms_body(canned::LIST_MAX_RESULTS, None),
    });
}

fn bodies(op: Op) -> Vec<Bytes> {
    match op {
        Op::GetRoom => vec![canned::get_room_body().into()],
        Op::CreateChatToken => vec![canned::create_chat_token_body().into()],
        Op::ListRooms => (0..canned::LIST_PAGES)
            .map(|p| canned::list_rooms_body(p).into())
            .collect(),
    }
}

#[divan::bench(args = OPS)]
fn sdk_json_parse_value(bencher: Bencher, name: &str) {
    let bodies = bodies(op(name));
    bencher.bench_local(|| {
        for b in &bodies {
            divan::black_box(restjson_runtime::__private::json::parse_body(b).expect("parse"));
        }
    });
}

#[divan::bench(args = OPS)]
fn floor_parse_typed(bencher: Bencher, name: &str) {
    let op = op(name);
    let bodies = bodies(op);
    bencher.bench_local(|| {
        for b in &bodies {
            match op {
                Op::GetRoom => {
                    divan::black_box(serde_json::from_slice::<floor::Room>(b).expect("parse"));
                }
                Op::CreateChatToken => {
                    divan::black_box(serde_json::from_slice::<floor::ChatToken>(b).expect("parse"));
                }
                Op::ListRooms => {
                    divan::black_box(serde_json::from_slice::<floor::RoomPage>(b).expect("parse"));
                }
            }
        }
    });
}

/// The floor's whole in-process call: body, sign, parse (no transport).
#[divan::bench(args = OPS)]
fn floor_inprocess(bencher: Bencher, name: &str) {
    let op = op(name);
    let identity = floor::identity();
    let bodies = bodies(op);
    let url = Arc::new(format!("{ENDPOINT}/X"));
    bencher.bench_local(|| match op {
        Op::GetRoom => {
            let r = floor::signed_request(
                &url,
                floor::get_room_body(canned::ROOM_ARN),
                &identity,
                SystemTime::now(),
            )
            .expect("sign");
            divan::black_box(r);
            divan::black_box(serde_json::from_slice::<floor::Room>(&bodies[0]).expect("parse"));
        }
        Op::CreateChatToken => {
            let r = floor::signed_request(
                &url,
                floor::create_chat_token_body(
                    canned::ROOM_ARN,
                    canned::USER_ID,
                    canned::SESSION_MINUTES,
                ),
                &identity,
                SystemTime::now(),
            )
            .expect("sign");
            divan::black_box(r);
            divan::black_box(
                serde_json::from_slice::<floor::ChatToken>(&bodies[0]).expect("parse"),
            );
        }
        Op::ListRooms => {
            let mut next: Option<String> = None;
            for b in &bodies {
                let r = floor::signed_request(
                    &url,
                    floor::list_rooms_body(canned::LIST_MAX_RESULTS, next.as_deref()),
                    &identity,
                    SystemTime::now(),
                )
                .expect("sign");
                divan::black_box(r);
                let page = serde_json::from_slice::<floor::RoomPage>(b).expect("parse");
                next = page.next_token;
            }
        }
    });
}
