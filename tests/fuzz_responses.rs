//! Bounded, deterministic fuzzing of response handling: every operation of the IVS Chat
//! client, through the whole pipeline (retry classification, clock-skew check, error
//! dispatcher, output and error parsers), against mutated statuses, headers and bodies served
//! by an in-memory connector. No input may panic; every failure must be a typed error that
//! carries the response's status and request id.
//!
//! The number of inputs defaults to 200 000 in release builds and 8 000 in debug builds;
//! `FUZZ_ITERATIONS` overrides it and `FUZZ_SEED` changes the seed.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use ivschat::types::{DestinationConfiguration, S3DestinationConfiguration};
use ivschat::{Client, Config};
use restjson_runtime::http::{ConnectorFuture, HttpConnector, HttpRequest};
use restjson_runtime::retry::RetryMode;
use restjson_runtime::sleep::{AsyncSleep, Sleep};
use restjson_runtime::time::StaticTimeSource;
use restjson_runtime::{SdkError, SdkErrorKind};

/// 2024-01-02T03:04:05Z
const NOW: u64 = 1_704_164_645;

/// The response every call currently receives (retries receive it again).
#[derive(Clone, Debug, Default)]
struct FuzzConnector(Arc<Mutex<Option<(u16, HeaderMap, Bytes)>>>);

impl HttpConnector for FuzzConnector {
    fn call(&self, _request: HttpRequest) -> ConnectorFuture<'_> {
        let (status, headers, body) = self
            .0
            .lock()
            .expect("lock")
            .clone()
            .expect("a response is set");
        Box::pin(async move {
            let mut response = http::Response::new(body);
            *response.status_mut() = http::StatusCode::from_u16(status).expect("valid status");
            *response.headers_mut() = headers;
            Ok(response)
        })
    }
}

#[derive(Debug)]
struct NoSleep;

impl AsyncSleep for NoSleep {
    fn sleep(&self, _duration: Duration) -> Sleep {
        Box::pin(async {})
    }
}

const ROOM: &str = r#"{"arn":"arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234EfGh","id":"AbCd1234EfGh","name":"lobby","createTime":"2024-01-02T03:04:05Z","updateTime":1704164645.5,"maximumMessageRatePerSecond":5,"maximumMessageLength":200,"messageReviewHandler":{"uri":"arn:aws:lambda:us-west-2:123456789012:function:review","fallbackResult":"DENY"},"tags":{"k":"v"},"loggingConfigurationIdentifiers":["lc"]}"#;
const LOGGING: &str = r#"{"arn":"arn:aws:ivschat:us-west-2:123456789012:logging-configuration/LcId12345678","id":"LcId12345678","createTime":"2024-01-02T03:04:05.123Z","updateTime":"2024-01-02T03:04:05.123Z","name":"logs","destinationConfiguration":{"s3":{"bucketName":"my-bucket"}},"state":"ACTIVE","tags":{"env":"dev"}}"#;
const LISTS: &str = r#"{"rooms":[{"arn":"a","name":"lobby","tags":{},"messageReviewHandler":{"uri":"u"}}],"loggingConfigurations":[{"arn":"a","destinationConfiguration":{"cloudWatchLogs":{"logGroupName":"/ivs/chat"}},"state":"SOMETHING_NEW"},{"destinationConfiguration":{"firehose":{"deliveryStreamName":"s"}}}],"nextToken":"page2","tags":{"a":"b"}}"#;
const TOKEN: &str = r#"{"token":"t","tokenExpirationTime":"2024-01-02T04:04:05.000Z","sessionExpirationTime":"2024-01-02T03:34:05Z","id":"m"}"#;
const ERROR: &str = r#"{"message":"m","resourceId":"r","resourceType":"ROOM","reason":"OTHER","limit":3,"fieldList":[{"name":"n","message":"m"}],"__type":"com.amazonaws.ivschat#ValidationException","code":"ConflictException"}"#;
const SEEDS: &[&str] = &[ROOM, LOGGING, LISTS, TOKEN, ERROR, "{}", ""];

const CODES: &[&str] = &[
    "AccessDeniedException",
    "ConflictException",
    "InternalServerException",
    "PendingVerification",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ThrottlingException",
    "ValidationException",
    "com.amazonaws.ivschat#ValidationException:http://internal.amazon.com/",
    "InvalidSignatureException",
    "RequestTimeout",
    "SlowDown",
    "",
    ":",
    "#",
    "a#b#c:d:e",
];

const STATUSES: &[u16] = &[
    200, 201, 202, 204, 206, 299, 300, 301, 304, 400, 401, 402, 403, 404, 408, 409, 413, 429, 499,
    500, 501, 502, 503, 504, 599,
];

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"-1e-999",
    b"18446744073709551616",
    b"2147483648",
    b"-2147483649",
    b"1.5",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"\xff",
    b"\xc3",
    b"\"2024-13-45T99:99:99Z\"",
    b"\"x\"",
    b"{}",
    b"[]",
    b"NaN",
    b"\"arn\"",
    b"\"tags\"",
    b"\"rooms\"",
    b"\"state\"",
    b"\"s3\"",
    b"\"firehose\"",
    b"\"cloudWatchLogs\"",
    b"\"unknown\"",
    b"<html>",
    b"\x00",
];

fn mutate(rng: &mut fastrand::Rng, body: &mut Vec<u8>) {
    for _ in 0..rng.usize(1..=4) {
        match rng.u8(0..8) {
            0 if !body.is_empty() => {
                let i = rng.usize(..body.len());
                body[i] ^= 1 << rng.u8(0..8);
            }
            1 if !body.is_empty() => {
                body.truncate(rng.usize(..body.len()));
            }
            2 if !body.is_empty() => {
                let start = rng.usize(..body.len());
                let end = (start + rng.usize(1..16)).min(body.len());
                body.drain(start..end);
            }
            3 | 4 => {
                let at = rng.usize(..=body.len());
                let token = TOKENS[rng.usize(..TOKENS.len())];
                body.splice(at..at, token.iter().copied());
            }
            5 => {
                // Replace a JSON value after some `:` with another token.
                let colons: Vec<usize> = body
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b':')
                    .map(|(i, _)| i + 1)
                    .collect();
                if let Some(&at) = colons.get(rng.usize(..colons.len().max(1))) {
                    let end = body[at..]
                        .iter()
                        .position(|b| matches!(b, b',' | b'}' | b']'))
                        .map_or(body.len(), |p| at + p);
                    let token = TOKENS[rng.usize(..TOKENS.len())];
                    body.splice(at..end, token.iter().copied());
                }
            }
            6 => {
                let depth = rng.usize(1..300);
                let open = if rng.bool() { b'[' } else { b'{' };
                let at = rng.usize(..=body.len());
                body.splice(at..at, std::iter::repeat_n(open, depth));
            }
            _ => {
                let at = rng.usize(..=body.len());
                let n = rng.usize(1..8);
                body.splice(at..at, (0..n).map(|_| rng.u8(..)));
            }
        }
    }
}

fn header_value(rng: &mut fastrand::Rng, text: &str) -> HeaderValue {
    if rng.u8(0..10) == 0 {
        // Bytes that are not visible ASCII (allowed on the wire, not valid UTF-8).
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0xff);
        HeaderValue::from_bytes(&bytes).expect("obs-text is allowed")
    } else {
        HeaderValue::from_str(text).expect("visible ASCII")
    }
}

fn response(rng: &mut fastrand::Rng) -> (u16, HeaderMap, Bytes) {
    let status = if rng.u8(0..8) == 0 {
        rng.u16(100..1000)
    } else {
        STATUSES[rng.usize(..STATUSES.len())]
    };
    let mut headers = HeaderMap::new();
    if rng.bool() {
        let ct = [
            "application/json",
            "text/html",
            "application/x-amz-json-1.1",
            "",
        ][rng.usize(..4)];
        headers.insert("content-type", header_value(rng, ct));
    }
    if rng.bool() {
        let code = CODES[rng.usize(..CODES.len())];
        headers.insert("x-amzn-errortype", header_value(rng, code));
    }
    if rng.u8(0..4) != 0 {
        headers.insert("x-amzn-requestid", header_value(rng, "req-fuzz"));
    }
    if rng.u8(0..4) == 0 {
        headers.insert("x-amzn-errormessage", header_value(rng, "header message"));
    }
    if rng.u8(0..4) == 0 {
        let date = [
            "Tue, 02 Jan 2024 04:04:05 GMT",
            "Tue, 02 Jan 2024 03:04:05 GMT",
            "Mon, 01 Jan 1900 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "not a date",
        ][rng.usize(..5)];
        headers.insert(http::header::DATE, header_value(rng, date));
    }
    if rng.u8(0..8) == 0 {
        let name = HeaderName::from_static("x-amzn-fuzz");
        headers.append(name, header_value(rng, "v"));
    }
    let mut body = SEEDS[rng.usize(..SEEDS.len())].as_bytes().to_vec();
    if rng.u8(0..8) != 0 {
        mutate(rng, &mut body);
    }
    (status, headers, Bytes::from(body))
}

/// Checks what a call returned for a response with `status` and `headers`.
fn check<O, E: std::fmt::Debug + std::fmt::Display>(
    op: &str,
    result: Result<O, SdkError<E>>,
    status: u16,
    headers: &HeaderMap,
) -> Outcome {
    let err = match result {
        Ok(_) => {
            assert!(
                (200..300).contains(&status),
                "{op}: success from HTTP {status}"
            );
            return Outcome::Ok;
        }
        Err(err) => err,
    };
    let kind = match err.kind() {
        SdkErrorKind::Service { .. } => {
            assert!(
                !(200..300).contains(&status),
                "{op}: service error from HTTP {status}"
            );
            Outcome::Service
        }
        SdkErrorKind::Response { .. } => Outcome::Response,
        other => panic!("{op}: untyped failure for HTTP {status}: {other:?}"),
    };
    assert_eq!(err.status(), Some(status), "{op}");
    let expected_id = headers
        .get("x-amzn-requestid")
        .and_then(|v| v.to_str().ok());
    assert_eq!(err.request_id(), expected_id, "{op}");
    // Rendering never panics.
    let _ = (err.to_string(), format!("{err:?}"));
    kind
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Service,
    Response,
}

async fn call_operation(
    client: &Client,
    index: usize,
    status: u16,
    headers: &HeaderMap,
) -> Outcome {
    match index % 17 {
        0 => check(
            "CreateChatToken",
            client
                .create_chat_token()
                .room_identifier("r")
                .user_id("u")
                .send()
                .await,
            status,
            headers,
        ),
        1 => check(
            "CreateLoggingConfiguration",
            client
                .create_logging_configuration()
                .destination_configuration(DestinationConfiguration::S3(
                    S3DestinationConfiguration::builder()
                        .bucket_name("bkt")
                        .build()
                        .expect("valid"),
                ))
                .send()
                .await,
            status,
            headers,
        ),
        2 => check(
            "CreateRoom",
            client.create_room().send().await,
            status,
            headers,
        ),
        3 => check(
            "DeleteLoggingConfiguration",
            client
                .delete_logging_configuration()
                .identifier("i")
                .send()
                .await,
            status,
            headers,
        ),
        4 => check(
            "DeleteMessage",
            client
                .delete_message()
                .room_identifier("r")
                .id("AbCdEfGh1234")
                .send()
                .await,
            status,
            headers,
        ),
        5 => check(
            "DeleteRoom",
            client.delete_room().identifier("i").send().await,
            status,
            headers,
        ),
        6 => check(
            "DisconnectUser",
            client
                .disconnect_user()
                .room_identifier("r")
                .user_id("u")
                .send()
                .await,
            status,
            headers,
        ),
        7 => check(
            "GetLoggingConfiguration",
            client
                .get_logging_configuration()
                .identifier("i")
                .send()
                .await,
            status,
            headers,
        ),
        8 => check(
            "GetRoom",
            client.get_room().identifier("i").send().await,
            status,
            headers,
        ),
        9 => check(
            "ListLoggingConfigurations",
            client.list_logging_configurations().send().await,
            status,
            headers,
        ),
        10 => check(
            "ListRooms",
            client.list_rooms().send().await,
            status,
            headers,
        ),
        11 => check(
            "ListTagsForResource",
            client
                .list_tags_for_resource()
                .resource_arn("a")
                .send()
                .await,
            status,
            headers,
        ),
        12 => check(
            "SendEvent",
            client
                .send_event()
                .room_identifier("r")
                .event_name("e")
                .send()
                .await,
            status,
            headers,
        ),
        13 => check(
            "TagResource",
            client
                .tag_resource()
                .resource_arn("a")
                .tags("k", "v")
                .send()
                .await,
            status,
            headers,
        ),
        14 => check(
            "UntagResource",
            client
                .untag_resource()
                .resource_arn("a")
                .tag_keys("k")
                .send()
                .await,
            status,
            headers,
        ),
        15 => check(
            "UpdateLoggingConfiguration",
            client
                .update_logging_configuration()
                .identifier("i")
                .send()
                .await,
            status,
            headers,
        ),
        _ => check(
            "UpdateRoom",
            client.update_room().identifier("i").send().await,
            status,
            headers,
        ),
    }
}

fn client(connector: &FuzzConnector, mode: RetryMode) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url("http://127.0.0.1:9")
            .anonymous()
            .http_connector(connector.clone())
            .time_source(StaticTimeSource::new(UNIX_EPOCH + Duration::from_secs(NOW)))
            .retry_mode(mode)
            .sleep_impl(NoSleep)
            .jitter(|| 0.5)
            .build(),
    )
}

#[test]
fn every_operation_survives_mutated_responses() {
    let iterations: usize = std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) {
            20_000
        } else {
            200_000
        });
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1e55_c4a7);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let connector = FuzzConnector::default();
    let clients = [
        client(&connector, RetryMode::Standard),
        client(&connector, RetryMode::Adaptive),
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut counts = [0usize; 3];
    let started = std::time::Instant::now();
    for i in 0..iterations {
        let (status, headers, body) = response(&mut rng);
        *connector.0.lock().expect("lock") = Some((status, headers.clone(), body.clone()));
        let client = &clients[i % 2];
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(call_operation(client, i / 2, status, &headers))
        }));
        match outcome {
            Ok(o) => counts[o as usize] += 1,
            Err(_) => panic!(
                "input {i} (seed {seed}) failed: HTTP {status}, headers {headers:?}, body {:?}",
                String::from_utf8_lossy(&body)
            ),
        }
    }
    eprintln!(
        "fuzzed {iterations} responses in {:?}: {} parsed, {} service errors, {} malformed",
        started.elapsed(),
        counts[0],
        counts[1],
        counts[2]
    );
    // The corpus reaches every outcome.
    assert!(counts.iter().all(|c| *c > 0), "{counts:?}");
}
