//! Fault tolerance of the generated IVS Chat client against a misbehaving server on 127.0.0.1:
//! which failures are retried and how often, backoff and retry quota (with injected jitter and
//! a recording sleep, so nothing really waits), per-attempt headers and signatures, clock-skew
//! correction, cancellation, and typed errors for malformed responses.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use integration_tests::fault_server::{Fault, FaultServer};
use integration_tests::server::{Canned, CapturedRequest};
use integration_tests::sigv4;
use ivschat::operation::get_room::GetRoomError;
use ivschat::{Client, Config, Credentials};
use restjson_runtime::SdkErrorKind;
use restjson_runtime::config::ConfigBuilder;
use restjson_runtime::retry::{RetryConfig, RetryMode};
use restjson_runtime::sleep::{AsyncSleep, Sleep};
use restjson_runtime::time::{StaticTimeSource, TimeSource};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
/// 2024-01-02T03:04:05Z
const SIGNING_TIME: u64 = 1_704_164_645;
const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234EfGh";
const ROOM_BODY: &str = r#"{"arn":"arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234EfGh","id":"AbCd1234EfGh","name":"lobby"}"#;

/// Records every requested delay and returns at once.
#[derive(Debug, Clone, Default)]
struct RecordingSleep(Arc<Mutex<Vec<Duration>>>);

impl RecordingSleep {
    fn slept(&self) -> Vec<Duration> {
        self.0.lock().expect("lock").clone()
    }
}

impl AsyncSleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        self.0.lock().expect("lock").push(duration);
        Box::pin(async {})
    }
}

/// A clock that moves one second forward each time it is read.
#[derive(Debug, Default)]
struct TickingClock(AtomicU64);

impl TimeSource for TickingClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(SIGNING_TIME + self.0.fetch_add(1, Ordering::Relaxed))
    }
}

fn builder(server: &FaultServer, sleep: &RecordingSleep, jitter: f64) -> ConfigBuilder {
    Config::builder()
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials_provider(Credentials::from_keys(AKID, SECRET, Some(TOKEN.to_owned())))
        .time_source(StaticTimeSource::new(
            UNIX_EPOCH + Duration::from_secs(SIGNING_TIME),
        ))
        .sleep_impl(sleep.clone())
        .jitter(move || jitter)
}

async fn setup(script: Vec<Fault>, jitter: f64) -> (FaultServer, Client, RecordingSleep) {
    setup_with(script, jitter, |b| b).await
}

async fn setup_with(
    script: Vec<Fault>,
    jitter: f64,
    configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> (FaultServer, Client, RecordingSleep) {
    let server = FaultServer::start(script).await;
    let sleep = RecordingSleep::default();
    // `retry_config` replaces every retry setting: inject sleep and jitter after it.
    let configured = configure(builder(&server, &sleep, jitter))
        .sleep_impl(sleep.clone())
        .jitter(move || jitter);
    let client = Client::from_conf(configured.build());
    (server, client, sleep)
}

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|m| Duration::from_millis(*m)).collect()
}

fn header<'a>(req: &'a CapturedRequest, name: &str) -> &'a str {
    req.header(name)
        .unwrap_or_else(|| panic!("no {name} header in {req:#?}"))
}

fn error_with_id(status: u16, code: &str, id: &str) -> Fault {
    let mut canned = Canned::error(status, code, r#"{"message":"m"}"#);
    canned.headers.retain(|(n, _)| n != "x-amzn-requestid");
    Fault::Respond(canned.with_header("x-amzn-requestid", id))
}

#[tokio::test]
async fn transient_failures_are_retried_with_exponential_jittered_backoff() {
    let (server, client, sleep) = setup(
        vec![
            Fault::error(500, "InternalServerException"),
            Fault::error(503, "ServiceUnavailable"),
            Fault::json(200, ROOM_BODY),
        ],
        0.5,
    )
    .await;
    let out = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("third attempt succeeds");
    assert_eq!(out.name(), Some("lobby"));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let attempts: Vec<&str> = requests
        .iter()
        .map(|r| header(r, "amz-sdk-request"))
        .collect();
    assert_eq!(
        attempts,
        ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]
    );
    let id = header(&requests[0], "amz-sdk-invocation-id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert!(
        requests
            .iter()
            .all(|r| header(r, "amz-sdk-invocation-id") == id)
    );
    // 0.5 * 2^n * 50 ms.
    assert_eq!(sleep.slept(), ms(&[25, 50]));
    // Identical request bytes apart from the per-attempt header.
    assert_eq!(requests[0].target, requests[2].target);
    assert_eq!(requests[0].body, requests[2].body);
}

#[tokio::test]
async fn throttling_is_retried_with_the_longer_base_and_a_new_invocation_per_call() {
    let (server, client, sleep) = setup(
        vec![
            Fault::throttle(),
            Fault::error(400, "ThrottlingException"),
            Fault::json(200, ROOM_BODY),
        ],
        1.0,
    )
    .await;
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("succeeds");
    // 1.0 * 2^n * 1 s.
    assert_eq!(sleep.slept(), ms(&[1000, 2000]));
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("succeeds");
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(header(&requests[3], "amz-sdk-request"), "attempt=1; max=3");
    assert_ne!(
        header(&requests[0], "amz-sdk-invocation-id"),
        header(&requests[3], "amz-sdk-invocation-id")
    );
}

#[tokio::test]
async fn the_final_error_carries_the_last_response() {
    let (server, client, sleep) = setup(
        vec![
            error_with_id(500, "InternalServerException", "req-1"),
            error_with_id(503, "ServiceUnavailable", "req-2"),
            error_with_id(429, "ThrottlingException", "req-3"),
        ],
        0.0,
    )
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("every attempt fails");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(sleep.slept(), ms(&[0, 0]));
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.request_id(), Some("req-3"));
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert!(err.is_throttling());
    match err.into_service_error() {
        GetRoomError::Unhandled(u) => {
            assert_eq!(
                (u.status(), u.code()),
                (Some(429), Some("ThrottlingException"))
            );
            assert!(std::error::Error::source(&u).is_none(), "a service error");
        }
        other => panic!("expected an unhandled service error, got {other:?}"),
    }
}

#[tokio::test]
async fn client_errors_are_tried_once() {
    for (status, code) in [
        (400, "ValidationException"),
        (403, "AccessDeniedException"),
        (404, "ResourceNotFoundException"),
        (409, "ConflictException"),
        (402, "ServiceQuotaExceededException"),
        (501, "NotImplemented"),
    ] {
        let (server, client, sleep) = setup(vec![Fault::error(status, code)], 0.5).await;
        let err = client
            .get_room()
            .identifier(ROOM_ARN)
            .send()
            .await
            .expect_err("fails");
        assert_eq!(server.requests().len(), 1, "{code}");
        assert!(sleep.slept().is_empty(), "{code}");
        assert_eq!((err.status(), err.code()), (Some(status), Some(code)));
    }
}

#[tokio::test]
async fn construction_and_credential_errors_send_nothing() {
    let (server, client, sleep) = setup(vec![], 0.5).await;
    let err = client.get_room().send().await.expect_err("no identifier");
    assert!(err.is_construction(), "{err:?}");
    let no_credentials = Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(server.url())
            .sleep_impl(sleep.clone())
            .build(),
    );
    let err = no_credentials
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("no credentials");
    assert!(err.is_credentials(), "{err:?}");
    assert!(server.requests().is_empty());
    assert!(sleep.slept().is_empty());
}

#[tokio::test]
async fn io_failures_are_retried() {
    let truncated = Fault::CloseMidBody {
        canned: Canned::json(200, ROOM_BODY),
        sent: 10,
    };
    let (server, client, sleep) = setup_with(
        vec![
            truncated,
            Fault::Close,
            Fault::Garbage(b"this is not HTTP\r\n\r\n".to_vec()),
            Fault::json(200, ROOM_BODY),
        ],
        1.0,
        |b| b.max_attempts(4),
    )
    .await;
    let out = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("fourth attempt succeeds");
    assert_eq!(out.id(), Some("AbCd1234EfGh"));
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(header(&requests[3], "amz-sdk-request"), "attempt=4; max=4");
    assert_eq!(sleep.slept(), ms(&[50, 100, 200]));
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let sleep = RecordingSleep::default();
    let client = Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .credentials_provider(Credentials::from_keys(AKID, SECRET, None))
            .sleep_impl(sleep.clone())
            .jitter(|| 1.0)
            .build(),
    );
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("refused");
    assert!(err.is_dispatch(), "{err:?}");
    assert_eq!(err.status(), None);
    assert_eq!(sleep.slept(), ms(&[50, 100]), "three attempts");
}

#[tokio::test]
async fn attempt_timeouts_are_retried() {
    let (server, client, sleep) =
        setup_with(vec![Fault::Stall, Fault::json(200, ROOM_BODY)], 1.0, |b| {
            b.attempt_timeout(Duration::from_millis(150))
        })
        .await;
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("second attempt succeeds");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(sleep.slept(), ms(&[50]));
}

#[tokio::test]
async fn an_attempt_timeout_on_the_last_attempt_is_a_timeout_error() {
    let (server, client, _sleep) = setup_with(vec![Fault::Stall], 1.0, |b| {
        b.attempt_timeout(Duration::from_millis(100))
            .max_attempts(1)
    })
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let (server, client, sleep) =
        setup_with(vec![Fault::Stall, Fault::Stall, Fault::Stall], 0.0, |b| {
            // Attempts start at about 0, 50 and 100 ms; the third would time out at 150 ms.
            b.attempt_timeout(Duration::from_millis(50))
                .operation_timeout(Duration::from_millis(120))
        })
        .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("operation exceeded"), "{err}");
    let attempts = server.requests().len();
    assert!((2..=3).contains(&attempts), "{attempts} attempts");
    assert!(!sleep.slept().is_empty());
}

#[tokio::test]
async fn the_retry_quota_is_spent_and_refunded() {
    // 10 tokens, 5 per retry: two retries' worth.
    let (server, client, sleep) = setup_with(
        vec![
            // Call 1: one retry, then success: the 5 tokens come back.
            Fault::error(500, "InternalServerException"),
            Fault::json(200, ROOM_BODY),
            // Call 2: two retries (10 tokens), all attempts fail.
            Fault::error(500, "InternalServerException"),
            Fault::error(500, "InternalServerException"),
            Fault::error(500, "InternalServerException"),
            // Call 3: no tokens left: tried once.
            Fault::error(500, "InternalServerException"),
            // Call 4: success on the first attempt adds 1 token (not enough for a retry).
            Fault::json(200, ROOM_BODY),
            // Call 5: still tried once.
            Fault::error(503, "ServiceUnavailable"),
        ],
        0.0,
        |b| b.retry_config(RetryConfig::standard().with_quota_capacity(10)),
    )
    .await;
    let get = || client.get_room().identifier(ROOM_ARN).send();
    get().await.expect("call 1");
    assert_eq!(server.requests().len(), 2);
    get().await.expect_err("call 2");
    assert_eq!(server.requests().len(), 5);
    get().await.expect_err("call 3");
    assert_eq!(server.requests().len(), 6);
    get().await.expect("call 4");
    assert_eq!(server.requests().len(), 7);
    let err = get().await.expect_err("call 5");
    assert_eq!(server.requests().len(), 8);
    assert_eq!(err.status(), Some(503));
    assert_eq!(sleep.slept().len(), 3);
}

#[tokio::test]
async fn timeout_retries_cost_more() {
    // 10 tokens: a timeout retry takes all of them, so the next failure is not retried.
    let (server, client, sleep) = setup_with(
        vec![
            Fault::Stall,
            Fault::error(500, "InternalServerException"),
            Fault::error(500, "InternalServerException"),
        ],
        0.0,
        |b| {
            b.attempt_timeout(Duration::from_millis(100))
                .retry_config(RetryConfig::standard().with_quota_capacity(10))
        },
    )
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(sleep.slept().len(), 1);
}

#[tokio::test]
async fn each_attempt_is_signed_anew() {
    let server = FaultServer::start(vec![
        Fault::error(500, "InternalServerException"),
        Fault::json(200, ROOM_BODY),
    ])
    .await;
    let sleep = RecordingSleep::default();
    let client = Client::from_conf(
        builder(&server, &sleep, 0.0)
            .time_source(TickingClock::default())
            .build(),
    );
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("succeeds");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        let auth = sigv4::verify(&r.method, r.path(), r.query(), &r.headers, &r.body, SECRET)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(auth.access_key_id, AKID);
        assert_eq!(header(r, "x-amz-security-token"), TOKEN);
    }
    assert_ne!(
        header(&requests[0], "x-amz-date"),
        header(&requests[1], "x-amz-date")
    );
    assert_ne!(
        header(&requests[0], "authorization"),
        header(&requests[1], "authorization")
    );
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_and_the_call_retried_once() {
    // The service is one hour ahead of the local (static) clock.
    let skewed = |code: &str| {
        Fault::Respond(
            Canned::error(403, code, r#"{"message":"Signature expired"}"#)
                .with_header("date", "Tue, 02 Jan 2024 04:04:05 GMT"),
        )
    };
    let (server, client, sleep) = setup(
        vec![
            skewed("InvalidSignatureException"),
            Fault::json(200, ROOM_BODY),
            Fault::json(200, ROOM_BODY),
        ],
        1.0,
    )
    .await;
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("the corrected attempt succeeds");
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("later calls use the correction");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let dates: Vec<&str> = requests.iter().map(|r| header(r, "x-amz-date")).collect();
    assert_eq!(
        dates,
        ["20240102T030405Z", "20240102T040405Z", "20240102T040405Z"]
    );
    assert_eq!(header(&requests[1], "amz-sdk-request"), "attempt=2; max=3");
    assert!(sleep.slept().is_empty(), "no backoff for a clock fix");
    for r in &requests {
        sigv4::verify(&r.method, r.path(), r.query(), &r.headers, &r.body, SECRET)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    // The same error once the clocks agree is the service's verdict: not retried.
    server.push(skewed("SignatureDoesNotMatch"));
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_skew_error_without_a_distant_date_is_not_retried() {
    let (server, client, _sleep) = setup(
        vec![Fault::Respond(
            Canned::error(403, "InvalidSignatureException", "{}")
                .with_header("date", "Tue, 02 Jan 2024 03:05:05 GMT"),
        )],
        1.0,
    )
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(err.status(), Some(403));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn dropping_a_call_cancels_it_and_the_client_stays_usable() {
    let (server, client, _sleep) =
        setup(vec![Fault::Stall, Fault::json(200, ROOM_BODY)], 0.0).await;
    let call = client.get_room().identifier(ROOM_ARN).send();
    tokio::select! {
        r = call => panic!("the stalled call returned: {r:?}"),
        () = server.wait_for_stall() => {}
    }
    // The call's future is dropped here, mid-flight.
    let out = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("a new call succeeds");
    assert_eq!(out.name(), Some("lobby"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(header(&requests[1], "amz-sdk-request"), "attempt=1; max=3");
}

#[tokio::test]
async fn adaptive_mode_slows_down_after_throttling() {
    let script = || vec![Fault::throttle(), Fault::json(200, ROOM_BODY)];
    let (_server, client, sleep) = setup(script(), 0.0).await;
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("succeeds");
    assert_eq!(sleep.slept(), ms(&[0]), "standard: backoff only");

    let (_server, client, sleep) =
        setup_with(script(), 0.0, |b| b.retry_mode(RetryMode::Adaptive)).await;
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("succeeds");
    // Backoff (0 with this jitter), then the rate limiter: with the clock standing still the
    // measured rate is 0, so the fill rate drops to its 0.5/s floor and the next attempt waits
    // for one token.
    assert_eq!(sleep.slept(), ms(&[0, 2000]));
}

#[tokio::test]
async fn max_attempts_shows_in_the_header() {
    let (server, client, _sleep) = setup_with(vec![], 0.0, |b| b.max_attempts(5)).await;
    client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect("succeeds");
    assert_eq!(
        header(&server.requests()[0], "amz-sdk-request"),
        "attempt=1; max=5"
    );
    let (server, client, _sleep) = setup_with(
        vec![Fault::error(500, "InternalServerException")],
        0.0,
        |b| b.max_attempts(1),
    )
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("one attempt");
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        header(&server.requests()[0], "amz-sdk-request"),
        "attempt=1; max=1"
    );
}

/// Asserts a malformed-response error with its status and request id.
fn assert_malformed<E: std::fmt::Debug>(
    err: &restjson_runtime::SdkError<E>,
    status: u16,
    what: &str,
) {
    assert!(
        matches!(err.kind(), SdkErrorKind::Response { .. }),
        "{what}: {err:?}"
    );
    assert_eq!(err.status(), Some(status), "{what}");
    assert_eq!(err.request_id(), Some("req-0001"), "{what}");
    let raw = err.raw_response().expect("raw response");
    assert!(raw.headers().contains_key("content-type"), "{what}");
}

#[tokio::test]
async fn malformed_success_responses_are_typed_errors() {
    let cases: Vec<(&str, Canned)> = vec![
        ("truncated JSON", Canned::json(200, r#"{"arn":"arn:aws"#)),
        (
            "not JSON",
            Canned::json(200, "<html><body>Bad gateway</body></html>"),
        ),
        ("wrong type", Canned::json(200, r#"{"arn":5}"#)),
        ("array", Canned::json(200, "[1,2]")),
        (
            "wrong nested type",
            Canned::json(200, r#"{"tags":{"k":1}}"#),
        ),
        (
            "invalid UTF-8",
            Canned {
                status: 200,
                headers: Canned::json(200, "").headers,
                body: b"{\"name\":\"\xff\xfe\"}".to_vec(),
            },
        ),
        (
            "HTML content type",
            Canned::json(200, "<html></html>").with_header("content-type", "text/html"),
        ),
    ];
    for (what, canned) in cases {
        let (server, client, sleep) = setup(vec![Fault::Respond(canned)], 0.0).await;
        let err = client
            .get_room()
            .identifier(ROOM_ARN)
            .send()
            .await
            .expect_err(what);
        assert_malformed(&err, 200, what);
        assert_eq!(server.requests().len(), 1, "{what}: not retried");
        assert!(sleep.slept().is_empty());
    }
}

#[tokio::test]
async fn malformed_error_responses_are_typed_errors() {
    // A modelled error whose body does not match its shape.
    let (server, client, _sleep) = setup(
        vec![Fault::Respond(Canned::error(
            400,
            "ValidationException",
            r#"{"message":5,"reason":[]}"#,
        ))],
        0.0,
    )
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("fails");
    assert_malformed(&err, 400, "ValidationException with a bad body");
    assert_eq!(server.requests().len(), 1);

    // An empty body on 500 (retried, then reported as the service's unmodelled error).
    let empty500 = || Fault::Respond(Canned::json(500, ""));
    let (server, client, _sleep) = setup(vec![empty500(), empty500(), empty500()], 0.0).await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.request_id(), Some("req-0001"));
    assert!(err.is_service() || err.is_response(), "{err:?}");

    // A proxy's HTML error page.
    let html = Canned {
        status: 502,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html><h1>502 Bad Gateway</h1></html>".to_vec(),
    };
    let (server, client, _sleep) =
        setup_with(vec![Fault::Respond(html)], 0.0, |b| b.max_attempts(1)).await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.code(), None);
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_not_retried() {
    let big = "x".repeat(4096);
    let (server, client, sleep) = setup_with(
        vec![Fault::json(200, &format!(r#"{{"name":"{big}"}}"#))],
        0.0,
        |b| b.max_response_body(1024),
    )
    .await;
    let err = client
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("too large");
    assert!(err.is_dispatch(), "{err:?}");
    assert!(err.to_string().contains("exceeds 1024 bytes"), "{err}");
    assert_eq!(server.requests().len(), 1);
    assert!(sleep.slept().is_empty());
}
