//! The quickstart example reports failures in words (`Display`), never as a `Debug` dump.
//!
//! `cargo test` builds the package's examples next to its test binaries
//! (`target/<profile>/examples/`), so the test runs the example it was built with.

use std::path::PathBuf;
use std::process::Command;

fn quickstart() -> PathBuf {
    let test_exe = std::env::current_exe().expect("path of the test binary");
    // target/<profile>/deps/<test> -> target/<profile>/examples/quickstart
    let profile_dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary inside target/<profile>/deps");
    let example = profile_dir
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "{} is missing: cargo test builds examples, run this test through cargo",
        example.display()
    );
    // `cargo test --test quickstart_errors` alone does not rebuild examples: refuse a stale one.
    let built = std::fs::metadata(&example)
        .and_then(|m| m.modified())
        .expect("example mtime");
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for source in ["examples/quickstart.rs", "examples/quickstart/realtime.rs"] {
        let changed = std::fs::metadata(manifest_dir.join(source))
            .and_then(|m| m.modified())
            .expect("source mtime");
        assert!(
            changed <= built,
            "{} is older than {source}: run `cargo test -p ivschat-local` (which builds examples)",
            example.display()
        );
    }
    example
}

/// Runs the quickstart with a clean environment (no shared config files) and returns
/// (exit code, stderr).
fn run(args: &[&str]) -> (Option<i32>, String) {
    let home = std::env::temp_dir().join("ivschat-quickstart-errors-home");
    let output = Command::new(quickstart())
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDQUICKSTARTTEST")
        .env("AWS_SECRET_ACCESS_KEY", "quickstart-test-secret")
        .output()
        .expect("run the quickstart example");
    (
        output.status.code(),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

#[test]
fn a_call_failure_is_printed_with_display() {
    // Port 1 on the loopback interface refuses connections: every attempt fails in transit.
    let (code, stderr) = run(&["--endpoint", "http://127.0.0.1:1"]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(
            "error: CreateLoggingConfiguration: request failed in transit: I/O error: "
        ),
        "stderr: {stderr}"
    );
    assert!(
        first.ends_with("Connection refused (os error 111)"),
        "stderr: {stderr}"
    );
    // Nothing of the Debug form (`SdkError { operation: .., kind: Dispatch(..) }`).
    for debug_mark in [
        "SdkError",
        "Dispatch(",
        "ConnectorError",
        "kind:",
        "Error: ",
    ] {
        assert!(
            !stderr.contains(debug_mark),
            "{debug_mark:?} in stderr: {stderr}"
        );
    }
    // The secret key never appears.
    assert!(
        !stderr.contains("quickstart-test-secret"),
        "stderr: {stderr}"
    );
}

#[test]
fn a_usage_error_is_printed_with_display() {
    let (code, stderr) = run(&["--bogus"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr,
        "error: usage: quickstart [--endpoint URL [--messaging-endpoint WS_URL] | --aws]\n"
    );
}
