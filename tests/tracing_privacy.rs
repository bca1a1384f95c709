//! Tracing output of a call with a retry: what it says, and that it never carries a secret:
//! neither the runtime's own events nor those of its dependencies (the signer, the connection
//! pool, reqwest's `log` records), at any level, for credentials, chat tokens, user data and
//! passwords in proxy and endpoint URLs.
//!
//! Alone in its test binary, with one process-wide subscriber and logger installed before any
//! event: `tracing` caches per-callsite interest process-wide, so a thread-local subscriber can
//! miss events that other tests' threads hit first. The tests take turns (`serial`).

use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use integration_tests::fault_server::{Fault, FaultServer};
use integration_tests::server::{Canned, CaptureServer};
use ivschat::config::ProxySetting;
use ivschat::{Client, Config, Credentials};
use restjson_runtime::sleep::{AsyncSleep, Sleep};
use restjson_runtime::time::StaticTimeSource;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234EfGh";

/// Returns at once (the backoff still shows in the trace).
#[derive(Debug, Clone, Default)]
struct NoSleep;

impl AsyncSleep for NoSleep {
    fn sleep(&self, _: Duration) -> Sleep {
        Box::pin(async {})
    }
}

async fn setup(script: Vec<Fault>) -> (FaultServer, Client) {
    let server = FaultServer::start(script).await;
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials_provider(Credentials::from_keys(
            "AKIDEXAMPLE",
            SECRET,
            Some(TOKEN.to_owned()),
        ))
        .time_source(StaticTimeSource::new(
            UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        ))
        .sleep_impl(NoSleep)
        .jitter(|| 1.0)
        .build();
    (server, Client::from_conf(config))
}

fn error_with_id(status: u16, code: &str, id: &str) -> Fault {
    let mut canned = Canned::error(status, code, r#"{"message":"m"}"#);
    canned.headers.retain(|(n, _)| n != "x-amzn-requestid");
    Fault::Respond(canned.with_header("x-amzn-requestid", id))
}

/// Everything traced or logged since the current test began.
static LOG: Mutex<String> = Mutex::new(String::new());

fn append(text: &str) {
    LOG.lock().unwrap_or_else(|e| e.into_inner()).push_str(text);
}

/// Installs the capture (once), waits for the other tests to finish, and empties the log.
fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing::subscriber::set_global_default(CaptureAll).expect("first subscriber");
        log::set_logger(&CaptureAll).expect("first logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
    let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    LOG.lock().unwrap_or_else(|e| e.into_inner()).clear();
    turn
}

fn captured() -> String {
    LOG.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A subscriber that writes every span and event field, at every level, into [`LOG`]; and a
/// `log` logger that writes every record there too.
#[derive(Debug, Default, Clone, Copy)]
struct CaptureAll;

impl log::Log for CaptureAll {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        append(&format!("\nlog {} {}", record.target(), record.args()));
    }
    fn flush(&self) {}
}

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl tracing::Subscriber for CaptureAll {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = format!("\nspan {}", span.metadata().name());
        span.record(&mut Visitor(&mut out));
        append(&out);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = "\nrecord".to_owned();
        values.record(&mut Visitor(&mut out));
        append(&out);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = format!("\nevent {}", event.metadata().target());
        event.record(&mut Visitor(&mut out));
        append(&out);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn traces_describe_calls_and_attempts_without_secrets() {
    let _turn = serial();
    runtime().block_on(async {
        let (server, client) = setup(vec![
            error_with_id(503, "ServiceUnavailable", "req-first"),
            Fault::Respond(
                Canned::json(
                    200,
                    r#"{"token":"chat-token-VALUE","tokenExpirationTime":"2024-01-02T04:04:05Z"}"#,
                )
                .with_header("x-amzn-requestid", "req-second"),
            ),
        ])
        .await;
        let out = client
            .create_chat_token()
            .room_identifier(ROOM_ARN)
            .user_id("user-ID-VALUE")
            .attributes("attr", "attribute-VALUE")
            .send()
            .await
            .expect("succeeds");
        assert_eq!(out.token(), Some("chat-token-VALUE"));
        assert_eq!(server.requests().len(), 2);
    });
    let log = captured();
    for expected in [
        "span call",
        "operation=\"CreateChatToken\"",
        "span attempt",
        "attempt=1",
        "attempt=2",
        "status=503",
        "status=200",
        "request_id=\"req-first\"",
        "backoff_ms=50",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:{log}");
    }
    for secret in [
        SECRET,
        TOKEN,
        "user-ID-VALUE",
        "chat-token-VALUE",
        "attribute-VALUE",
        "Signature=",
    ] {
        assert!(!log.contains(secret), "{secret:?} leaked in:{log}");
    }
}

/// `user:password` as a `Basic` credential, the way it travels to a proxy.
fn basic(user: &str, password: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn proxy_credentials_reach_the_proxy_and_no_log_line() {
    let _turn = serial();
    let (proxy, debug) = runtime().block_on(async {
        let proxy = CaptureServer::start().await;
        proxy.respond(Canned::json(200, r#"{"rooms":[]}"#));
        let proxy_url = proxy.url().replace("://", "://proxy-user:proxy-PASSWORD@");
        let config = Config::builder()
            .region("us-west-2")
            .endpoint_url("http://ivschat.example.test")
            .credentials_provider(Credentials::from_keys("AKIDEXAMPLE", SECRET, None))
            .proxy(ProxySetting::Url(proxy_url))
            .build();
        let client = Client::from_conf(config.clone());
        let debug = format!(
            "{config:?} {:?} {client:?} {:?}",
            config.to_builder(),
            client.list_rooms()
        );
        client.list_rooms().send().await.expect("through the proxy");
        (proxy, debug)
    });
    let request = proxy.single_request();
    assert_eq!(request.target, "http://ivschat.example.test/ListRooms");
    let credential = basic("proxy-user", "proxy-PASSWORD");
    assert_eq!(
        request.header("proxy-authorization"),
        Some(format!("Basic {credential}").as_str())
    );
    let log = captured();
    assert!(
        log.contains("log reqwest::connect"),
        "reqwest's log records are captured:{log}"
    );
    assert!(
        log.contains("event hyper_util"),
        "hyper-util's events are captured:{log}"
    );
    assert!(
        log.contains("signing request"),
        "the signer's events are captured:{log}"
    );
    assert!(debug.contains("***@127.0.0.1"), "{debug}");
    for secret in ["proxy-PASSWORD", "proxy-user", credential.as_str(), SECRET] {
        assert!(!log.contains(secret), "{secret:?} leaked in:{log}");
        assert!(!debug.contains(secret), "{secret:?} leaked in:{debug}");
    }
}

#[test]
fn an_endpoint_url_with_credentials_is_refused_without_showing_them() {
    let _turn = serial();
    let (server, debug) = runtime().block_on(async {
        let server = CaptureServer::start().await;
        let url = server.url().replace("://", "://endpoint-user:endpoint-PASSWORD@");
        let config = Config::builder()
            .region("us-west-2")
            .endpoint_url(&url)
            .credentials_provider(Credentials::from_keys("AKIDEXAMPLE", SECRET, None))
            .build();
        let client = Client::from_conf(config.clone());
        let err = client.list_rooms().send().await.expect_err("refused");
        assert!(err.is_construction(), "{err:?}");
        let shown = url.replace("endpoint-user:endpoint-PASSWORD", "***");
        assert_eq!(
            err.to_string(),
            format!(
                "ListRooms: request not sent: invalid endpoint URL {shown:?}: it must not contain user information (user:password@)"
            )
        );
        let debug = format!(
            "{config:?} {:?} {client:?} {:?} {err:?}",
            config.to_builder(),
            client.get_room()
        );
        assert!(debug.contains(&shown), "{debug}");
        (server, debug)
    });
    assert!(server.requests().is_empty(), "nothing is sent");
    let log = captured();
    for secret in ["endpoint-PASSWORD", "endpoint-user"] {
        assert!(!log.contains(secret), "{secret:?} leaked in:{log}");
        assert!(!debug.contains(secret), "{secret:?} leaked in:{debug}");
    }
}
