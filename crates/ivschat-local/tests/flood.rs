//! The standalone service under a flood of unauthenticated uploads: its memory
//! (VmRSS, read from /proc) returns to near idle once the flood ends.
//!
//! This runs the `ivschat-local` program rather than an embedded service so
//! that the measured memory is the service's alone.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const UPLOADS: usize = 400;
const UPLOAD_BYTES: usize = 1024 * 1024;
const ROUNDS: usize = 3;
/// The criterion: back within 32 MiB of idle.
const TOLERANCE_KIB: u64 = 32 * 1024;

/// The running program; killed when dropped.
struct Program {
    child: Child,
    port: u16,
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Program {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        // One log line per refused upload is noise here.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starts ivschat-local");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next = || lines.next().expect("a line").expect("utf-8");
    let control = next();
    let messaging = next();
    let port = control
        .strip_prefix("ivschat-local listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line: {control:?}"))
        .parse()
        .expect("port");
    let messaging_port: u16 = messaging
        .strip_prefix("ivschat-local messaging on ws://127.0.0.1:")
        .unwrap_or_else(|| panic!("second line: {messaging:?}"))
        .parse()
        .expect("messaging port");
    assert_ne!(port, messaging_port);
    Program { child, port }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .expect("VmRSS")
}

/// One unauthenticated 1 MiB upload; returns the status line it got, if any.
async fn upload(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let head = format!(
        "POST /CreateRoom HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n\
         content-length: {UPLOAD_BYTES}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    // The service may answer and close before the body is sent: write errors are expected.
    let body = vec![b' '; 64 * 1024];
    for _ in 0..UPLOAD_BYTES / body.len() {
        if stream.write_all(&body).await.is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().map(str::to_string)
}

async fn flood(port: u16) -> Vec<Option<String>> {
    let tasks: Vec<_> = (0..UPLOADS).map(|_| tokio::spawn(upload(port))).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_returns_after_a_flood_of_unauthenticated_uploads() {
    let program = start();
    let pid = program.child.id();
    // Warm up (runtime threads, first connections), then take the idle figure.
    for _ in 0..20 {
        upload(program.port).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = rss_kib(pid);
    for round in 1..=ROUNDS {
        let started = Instant::now();
        let answers = tokio::time::timeout(Duration::from_secs(120), flood(program.port))
            .await
            .expect("the flood ends");
        let refused = answers
            .iter()
            .filter(|a| a.as_deref() == Some("HTTP/1.1 403 Forbidden"))
            .count();
        // Every upload that got an answer was refused unread.
        assert!(
            answers
                .iter()
                .flatten()
                .all(|a| a == "HTTP/1.1 403 Forbidden"),
            "{answers:?}"
        );
        assert!(refused > UPLOADS / 2, "only {refused} answered");
        // Connections close asynchronously: give the service a moment.
        let deadline = Instant::now() + Duration::from_secs(5);
        let after = loop {
            let rss = rss_kib(pid);
            if rss <= idle + TOLERANCE_KIB || Instant::now() > deadline {
                break rss;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        eprintln!(
            "flood round {round}: {refused}/{UPLOADS} refused in {:?}; VmRSS idle {idle} KiB, after {after} KiB",
            started.elapsed()
        );
        assert!(
            after <= idle + TOLERANCE_KIB,
            "round {round}: VmRSS {after} KiB, idle {idle} KiB: more than 32 MiB retained"
        );
    }
}
