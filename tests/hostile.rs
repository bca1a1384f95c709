//! The generated client against hostile servers (`support/hostile_server.rs`): a trickled body
//! or head, a flood of `100 Continue`, `102 Processing` every few seconds, silence, and endless
//! empty pages with ever-new tokens. Each must end with a typed error within the documented
//! bound and in bounded memory.
//!
//! Every scenario is checked twice:
//! - under the **default configuration**, in tokio's paused time with the server in the same
//!   runtime, so the documented 60 s bound is checked without waiting a minute;
//! - in a **child process** (this test binary again, running [`child`]) against the server in
//!   this process, in real time with bounds scaled down to a second, so that the child's peak
//!   resident memory (`VmHWM`) and CPU time measure the client alone. The figures are printed
//!   (`cargo test --test hostile -- --nocapture`).

use std::process::Command;
use std::time::{Duration, Instant};

use integration_tests::hostile_server::{Hostile, HostileServer};
use ivschat::error::PaginationError;
use ivschat::{Client, Config, Credentials};
use restjson_runtime::config::{DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_OPERATION_TIMEOUT};
use restjson_runtime::paginator::DEFAULT_MAX_EMPTY_PAGES;
use serde_json::{Value, json};

const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234EfGh";
const MIB: u64 = 1024 * 1024;
/// The memory the client may use in any scenario, all of the child process included.
const MEMORY_BOUND: u64 = 64 * MIB;
/// Where the child gives up on a scenario that is using memory without bound.
const MEMORY_ABORT: u64 = 256 * MIB;
/// The scaled-down limits of the child runs.
const SCALED_ATTEMPT: Duration = Duration::from_millis(400);
const SCALED_OPERATION: Duration = Duration::from_secs(1);
/// Scheduling slack on a busy machine, on top of the bound.
const SLACK: Duration = Duration::from_secs(2);
const SCENARIO_VAR: &str = "HOSTILE_SCENARIO";
const URL_VAR: &str = "HOSTILE_URL";

fn client(
    url: &str,
    configure: impl FnOnce(ivschat::config::Builder) -> ivschat::config::Builder,
) -> Client {
    let builder = Config::builder()
        .region("us-west-2")
        .endpoint_url(url)
        .credentials_provider(Credentials::from_keys("AKIDEXAMPLE", "SECRET", None));
    Client::from_conf(configure(builder).build())
}

/// Runs `behaviour` against a client with the default configuration in paused time, and
/// returns the error the call ended with and the (virtual) time it took.
fn under_defaults(
    behaviour: Hostile,
) -> (
    ivschat::error::SdkError<ivschat::operation::get_room::GetRoomError>,
    Duration,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = HostileServer::start(behaviour).await;
        let client = client(&server.url(), |b| b);
        let start = tokio::time::Instant::now();
        let call = client.get_room().identifier(ROOM_ARN).send();
        let result = tokio::time::timeout(Duration::from_secs(600), call).await;
        let elapsed = start.elapsed();
        let Ok(result) = result else {
            panic!("{behaviour:?}: the call had not ended after 10 minutes");
        };
        (
            result.expect_err("a hostile server cannot succeed"),
            elapsed,
        )
    })
}

fn assert_default_bound(behaviour: Hostile) {
    let (err, elapsed) = under_defaults(behaviour);
    println!("{behaviour:?} under the defaults: {elapsed:?} (virtual): {err}");
    assert!(err.is_timeout(), "{behaviour:?}: {err:?}");
    assert!(
        elapsed <= DEFAULT_OPERATION_TIMEOUT + Duration::from_millis(100),
        "{behaviour:?} took {elapsed:?}, over the documented {DEFAULT_OPERATION_TIMEOUT:?}"
    );
}

/// What a child run reported, and what the server saw.
#[derive(Debug)]
struct Run {
    report: Value,
    server_requests: u64,
    server_bytes: u64,
}

impl Run {
    fn outcome(&self) -> &str {
        self.report["outcome"].as_str().unwrap_or_default()
    }

    fn elapsed(&self) -> Duration {
        Duration::from_millis(self.report["elapsed_ms"].as_u64().unwrap_or(u64::MAX))
    }

    /// Asserts the memory bound, when it could be measured, and prints the figures.
    fn check_memory(&self, name: &str) {
        println!(
            "{name}: {} after {:?}, client peak RSS {} KiB, client CPU {} ms during the call and {} ms in the {} ms after it, server saw {} requests and wrote {} bytes: {}",
            self.outcome(),
            self.elapsed(),
            self.report["peak_rss_kib"],
            self.report["cpu_ms"],
            self.report["cpu_after_ms"],
            AFTER.as_millis(),
            self.server_requests,
            self.server_bytes,
            self.report["error"],
        );
        match self.report["peak_rss_kib"].as_u64() {
            Some(kib) => assert!(
                kib * 1024 < MEMORY_BOUND,
                "{name}: peak RSS {kib} KiB is over {} MiB",
                MEMORY_BOUND / MIB
            ),
            None => eprintln!("{name}: NOTE: peak RSS not measured (no /proc/self/status here)"),
        }
    }
}

/// Starts `behaviour` in this process and runs the client side of `scenario` in a child.
fn in_child(scenario: &str, behaviour: Hostile) -> Run {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(HostileServer::start(behaviour));
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SCENARIO_VAR, scenario)
        .env(URL_VAR, server.url())
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = stdout
        .lines()
        .find_map(|l| l.split_once("HOSTILE_REPORT ").map(|(_, r)| r))
        .unwrap_or_else(|| {
            panic!(
                "{scenario}: no report from the child ({}):\n{stdout}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let run = Run {
        report: serde_json::from_str(report).expect("report is JSON"),
        server_requests: server.requests(),
        server_bytes: server.bytes_written(),
    };
    drop(server);
    run
}

/// A scaled-down timeout scenario in a child: a typed timeout within the scaled bound (plus
/// `slack`) and memory under the bound.
fn assert_scaled_timeout(scenario: &str, behaviour: Hostile, slack: Duration) -> Run {
    let run = in_child(scenario, behaviour);
    run.check_memory(scenario);
    assert_eq!(run.outcome(), "timeout", "{scenario}: {:?}", run.report);
    assert!(
        run.elapsed() <= SCALED_OPERATION + slack,
        "{scenario}: {:?} is over the configured {SCALED_OPERATION:?}",
        run.elapsed()
    );
    run
}

/// A scenario in which the client only waits: hardly any CPU, during the call or after it.
fn assert_idle_scaled_timeout(scenario: &str, behaviour: Hostile) {
    let run = assert_scaled_timeout(scenario, behaviour, SLACK);
    for figure in ["cpu_ms", "cpu_after_ms"] {
        if let Some(ms) = run.report[figure].as_u64() {
            assert!(ms <= 200, "{scenario}: {figure} = {ms} ms");
        }
    }
}

#[test]
fn the_default_bounds_are_the_documented_ones() {
    let config = Config::default();
    assert_eq!(config.operation_timeout(), Some(Duration::from_secs(60)));
    assert_eq!(config.attempt_timeout(), Some(Duration::from_secs(30)));
    assert_eq!(DEFAULT_OPERATION_TIMEOUT, Duration::from_secs(60));
    assert_eq!(DEFAULT_ATTEMPT_TIMEOUT, Duration::from_secs(30));
    assert_eq!(
        config.http_settings().connect_timeout,
        Duration::from_secs(3)
    );
    assert_eq!(
        config.http_settings().read_timeout,
        Some(Duration::from_secs(30))
    );
    assert_eq!(config.retry_config().max_attempts(), 3);
    assert_eq!(DEFAULT_MAX_EMPTY_PAGES, 1000);
    // "No limit" is there for whoever asks for it.
    let unlimited = Config::builder()
        .set_operation_timeout(None)
        .set_attempt_timeout(None)
        .build();
    assert_eq!(unlimited.operation_timeout(), None);
    assert_eq!(unlimited.attempt_timeout(), None);
}

#[test]
fn a_trickled_body_ends_in_a_timeout() {
    // A byte every 2 s: the 30 s read timeout never fires.
    assert_default_bound(Hostile::TrickleBody {
        interval: Duration::from_secs(2),
    });
    assert_idle_scaled_timeout(
        "trickle_body",
        Hostile::TrickleBody {
            interval: Duration::from_millis(100),
        },
    );
}

#[test]
fn a_trickled_head_ends_in_a_timeout() {
    assert_default_bound(Hostile::TrickleHead {
        interval: Duration::from_secs(1),
    });
    assert_idle_scaled_timeout(
        "trickle_head",
        Hostile::TrickleHead {
            interval: Duration::from_millis(50),
        },
    );
}

/// hyper skips `1xx` responses one after the other without a limit, and reqwest offers no hook
/// to count them, so a flood costs CPU for as long as the attempt lasts, and the attempt ends
/// only at its timeout. Worse, one poll of the flooded connection task reads up to 128 times
/// (tokio's cooperative budget) into a buffer of up to 400 KiB: about 2 million `1xx` heads,
/// which takes seconds in a debug build. Tokio fires timers between task polls, so the timeout
/// can be noticed up to one such poll late, and the connection keeps reading until the end of
/// the poll in which the call gave up. Hence one attempt, and a slack of a few debug polls.
#[test]
fn a_flood_of_100_continue_ends_in_a_timeout() {
    // In paused time the flood comes in bursts, one a (virtual) second: a server that never
    // pauses would leave the runtime no idle moment to advance the clock.
    assert_default_bound(Hostile::ContinueFlood {
        pause: Some(Duration::from_secs(1)),
    });
    assert_scaled_timeout(
        "continue_flood",
        Hostile::ContinueFlood { pause: None },
        Duration::from_secs(30),
    );
}

#[test]
fn processing_every_2_seconds_ends_in_a_timeout() {
    assert_default_bound(Hostile::Processing {
        interval: Duration::from_secs(2),
    });
    assert_idle_scaled_timeout(
        "processing",
        Hostile::Processing {
            interval: Duration::from_millis(100),
        },
    );
}

#[test]
fn a_server_that_never_answers_ends_in_a_timeout() {
    assert_default_bound(Hostile::Silent);
    assert_idle_scaled_timeout("silent", Hostile::Silent);
}

/// Endless empty pages with new tokens of `token_len` bytes, in a child: the walk ends with
/// [`PaginationError::TooManyEmptyPages`] after `limit` pages, in bounded memory.
fn assert_endless_pages_end(scenario: &str, token_len: usize, limit: usize) {
    let run = in_child(scenario, Hostile::EndlessPages { token_len });
    run.check_memory(scenario);
    assert_eq!(run.outcome(), "pagination", "{:?}", run.report);
    let expected = PaginationError::TooManyEmptyPages { page: limit, limit };
    assert_eq!(run.report["pagination"], format!("{expected:?}"));
    assert_eq!(run.server_requests, limit as u64);
}

#[test]
fn endless_empty_pages_with_small_tokens_end_in_a_pagination_error() {
    // The default configuration, in real time: 1000 small pages go quickly.
    assert_endless_pages_end("pages_small", 16, DEFAULT_MAX_EMPTY_PAGES);
}

#[test]
fn endless_empty_pages_with_1_mib_tokens_end_in_bounded_memory() {
    assert_endless_pages_end("pages_1mib", 1 << 20, LARGE_PAGES);
}

/// Empty pages of 1 MiB tokens a child follows: enough to hold 64 MiB if tokens were kept.
const LARGE_PAGES: usize = 64;
/// How long the child keeps measuring CPU after the call.
const AFTER: Duration = Duration::from_millis(500);

// ---- The child side ----

/// `VmHWM` (peak resident set) of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    proc_status_kib("VmHWM:")
}

fn rss_kib() -> Option<u64> {
    proc_status_kib("VmRSS:")
}

fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// User and system CPU time of this process, every thread included, in ms (`/proc/self/stat`
/// counts in ticks of 10 ms: USER_HZ is 100 on Linux).
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10)
}

fn report(value: Value) {
    println!("HOSTILE_REPORT {value}");
}

/// Ends the child with a report if its memory grows past [`MEMORY_ABORT`].
fn watch_memory(started: Instant) {
    std::thread::spawn(move || {
        loop {
            if rss_kib().is_some_and(|kib| kib * 1024 > MEMORY_ABORT) {
                report(json!({
                    "outcome": "memory_exceeded",
                    "elapsed_ms": started.elapsed().as_millis() as u64,
                    "peak_rss_kib": peak_rss_kib(),
                    "error": format!("resident memory passed {} MiB", MEMORY_ABORT / MIB),
                }));
                std::process::exit(0);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
}

fn describe<E: std::error::Error>(result: Result<(), ivschat::error::SdkError<E>>) -> Value {
    match result {
        Ok(()) => json!({"outcome": "ok"}),
        Err(e) => {
            let outcome = if e.is_timeout() {
                "timeout"
            } else if PaginationError::from_sdk_error(&e).is_some() {
                "pagination"
            } else {
                "other"
            };
            json!({
                "outcome": outcome,
                "error": e.to_string(),
                "pagination": PaginationError::from_sdk_error(&e).map(|p| format!("{p:?}")),
            })
        }
    }
}

#[test]
#[ignore = "the client side of a hostile scenario, run in a child process by the tests above"]
fn child() {
    let Ok(scenario) = std::env::var(SCENARIO_VAR) else {
        eprintln!("{SCENARIO_VAR} is not set: nothing to run");
        return;
    };
    let url = std::env::var(URL_VAR).expect("server URL");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let scaled = |b: ivschat::config::Builder| {
        b.attempt_timeout(SCALED_ATTEMPT)
            .operation_timeout(SCALED_OPERATION)
    };
    let cpu_before = cpu_ms();
    let started = Instant::now();
    watch_memory(started);
    let result = runtime.block_on(async {
        let work = async {
            match scenario.as_str() {
                "pages_small" => describe(
                    client(&url, |b| b)
                        .list_rooms()
                        .into_paginator()
                        .items()
                        .try_collect()
                        .await
                        .map(drop),
                ),
                "pages_1mib" => describe(
                    client(&url, |b| b)
                        .list_rooms()
                        .into_paginator()
                        .max_empty_pages(Some(LARGE_PAGES))
                        .items()
                        .try_collect()
                        .await
                        .map(drop),
                ),
                // One attempt: see `a_flood_of_100_continue_ends_in_a_timeout`.
                "continue_flood" => describe(
                    client(&url, |b| scaled(b).max_attempts(1))
                        .get_room()
                        .identifier(ROOM_ARN)
                        .send()
                        .await
                        .map(drop),
                ),
                _ => describe(
                    client(&url, scaled)
                        .get_room()
                        .identifier(ROOM_ARN)
                        .send()
                        .await
                        .map(drop),
                ),
            }
        };
        tokio::time::timeout(Duration::from_secs(120), work).await
    });
    let elapsed = started.elapsed();
    let cpu_end = cpu_ms();
    std::thread::sleep(AFTER);
    let cpu_after = cpu_ms();
    let mut value = match result {
        Ok(value) => value,
        Err(_) => json!({"outcome": "did_not_end", "error": "still running after 120 s"}),
    };
    value["elapsed_ms"] = json!(elapsed.as_millis() as u64);
    value["peak_rss_kib"] = json!(peak_rss_kib());
    value["cpu_ms"] = json!(cpu_before.zip(cpu_end).map(|(a, b)| b - a));
    value["cpu_after_ms"] = json!(cpu_end.zip(cpu_after).map(|(a, b)| b - a));
    report(value);
}
