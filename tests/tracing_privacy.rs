//! Tracing output of a call with a retry: what it says, and that it never carries a secret.
//!
//! Alone in its test binary: `tracing` caches per-callsite interest process-wide, so a
//! thread-local subscriber can miss events that other tests' threads hit first.

use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use integration_tests::fault_server::{Fault, FaultServer};
use integration_tests::server::Canned;
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

/// A subscriber that writes every span and event field, at every level, into one string.
#[derive(Debug, Default, Clone)]
struct CaptureAll(Arc<Mutex<String>>);

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
        let mut out = self.0.lock().expect("lock");
        out.push_str(&format!("\nspan {}", span.metadata().name()));
        span.record(&mut Visitor(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.0.lock().expect("lock");
        out.push_str("\nrecord");
        values.record(&mut Visitor(&mut out));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().expect("lock");
        out.push_str(&format!("\nevent {}", event.metadata().target()));
        event.record(&mut Visitor(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn traces_describe_calls_and_attempts_without_secrets() {
    let capture = CaptureAll::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let (server, client) = setup(
                vec![
                    error_with_id(503, "ServiceUnavailable", "req-first"),
                    Fault::Respond(
                        Canned::json(
                            200,
                            r#"{"token":"chat-token-VALUE","tokenExpirationTime":"2024-01-02T04:04:05Z"}"#,
                        )
                        .with_header("x-amzn-requestid", "req-second"),
                    ),
                ],
            )
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
        })
    });
    let log = capture.0.lock().expect("lock").clone();
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
