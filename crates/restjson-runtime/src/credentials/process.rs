//! Credentials printed by an external command (`credential_process`).

use std::fmt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use super::ProvideCredentials;
use super::util::{Fields, credentials_from_json, describe_duration, parse_json};
use super::{Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture};

/// The longest a credential process may run unless configured otherwise.
pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// The most standard output read from a credential process.
const MAX_STDOUT: usize = 64 * 1024;
/// The most standard error kept for an error message.
const MAX_STDERR_IN_MESSAGE: usize = 1024;

/// Runs a command through the shell (`sh -c`, or `cmd.exe /C` on Windows), as the AWS SDKs do
/// for the `credential_process` setting, and reads the JSON document it prints:
/// `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ...,
/// "Expiration": ...}`.
///
/// Failures (non-zero exit, bad JSON, wrong `Version`) are
/// [`CredentialsErrorKind::ProviderError`]s carrying at most the first kilobyte of the
/// process's standard error, never its standard output. `Debug` does not show the command.
#[derive(Clone)]
pub struct CredentialProcessProvider {
    command: String,
    description: String,
    timeout: Duration,
}

impl CredentialProcessProvider {
    /// A provider running `command` with the [`DEFAULT_PROCESS_TIMEOUT`].
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            description: "credential_process".to_string(),
            timeout: DEFAULT_PROCESS_TIMEOUT,
        }
    }

    /// How long the process may run before it is killed.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How the process is named in error messages (by default `credential_process`).
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    async fn run(&self) -> Result<Credentials, CredentialsError> {
        let what = &self.description;
        let mut command = if cfg!(windows) {
            let mut c = Command::new("cmd.exe");
            c.arg("/C").arg(&self.command);
            c
        } else {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&self.command);
            c
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = RunningChild::new(command.spawn().map_err(|e| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: could not start the command: {e}"),
            )
            .with_source(e)
        })?);
        let stdout = child.0.as_mut().and_then(|c| c.stdout.take());
        let stderr = child.0.as_mut().and_then(|c| c.stderr.take());
        let finished = tokio::time::timeout(self.timeout, async {
            let (stdout, stderr) = tokio::join!(
                read_capped(stdout, MAX_STDOUT),
                read_capped(stderr, MAX_STDERR_IN_MESSAGE),
            );
            (stdout, stderr, child.wait().await)
        })
        .await;
        let Ok((stdout, stderr, status)) = finished else {
            // Dropping `child` kills the process.
            return Err(CredentialsError::new(
                CredentialsErrorKind::ProviderTimedOut,
                format!(
                    "{what}: the command did not finish within {}",
                    describe_duration(self.timeout)
                ),
            ));
        };
        let io_error = |stream: &str, e: std::io::Error| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: could not read the command's {stream}: {e}"),
            )
            .with_source(e)
        };
        let status = status.map_err(|e| io_error("exit status", e))?;
        let (stdout, stdout_truncated) = stdout.map_err(|e| io_error("standard output", e))?;
        let (stderr, stderr_truncated) = stderr.map_err(|e| io_error("standard error", e))?;

        if !status.success() {
            let mut stderr = String::from_utf8_lossy(&stderr).trim().to_string();
            if stderr_truncated {
                stderr.push_str(" [...]");
            }
            let detail = if stderr.is_empty() {
                String::new()
            } else {
                format!("; standard error: {stderr}")
            };
            return Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: the command failed ({status}){detail}"),
            ));
        }
        if stdout_truncated {
            return Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: the command printed more than {MAX_STDOUT} bytes"),
            ));
        }
        let json = parse_json(&stdout).map_err(|e| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: the command's output is {e}"),
            )
        })?;
        match json.get("Version") {
            Some(v) if v.as_u64() == Some(1) => {}
            Some(serde_json::Value::Number(n)) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::ProviderError,
                    format!(
                        "{what}: unsupported `Version` {n} in the command's output (expected 1)"
                    ),
                ));
            }
            Some(_) => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::ProviderError,
                    format!("{what}: `Version` in the command's output is not the number 1"),
                ));
            }
            None => {
                return Err(CredentialsError::new(
                    CredentialsErrorKind::ProviderError,
                    format!("{what}: the command's output has no `Version` (expected 1)"),
                ));
            }
        }
        credentials_from_json(
            &json,
            Fields {
                token: "SessionToken",
            },
            "CredentialProcess",
            what,
        )
    }
}

/// A started process, killed when dropped before it has exited (on a timeout, or when the
/// caller gives up on the future) and then reaped on a thread, so that no zombie stays
/// behind.
struct RunningChild(Option<Child>);

impl RunningChild {
    fn new(child: Child) -> Self {
        Self(Some(child))
    }

    /// Waits for the process to exit. Called once its output streams have closed, which in the
    /// usual case means it is exiting already; the exit status is polled (1 ms, doubling up
    /// to 50 ms) because a blocking `wait` could not be interrupted to kill it.
    async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let mut pause = Duration::from_millis(1);
        loop {
            let Some(child) = self.0.as_mut() else {
                return Err(std::io::Error::other("the process was already waited for"));
            };
            if let Some(status) = child.try_wait()? {
                self.0 = None;
                return Ok(status);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

impl Drop for RunningChild {
    fn drop(&mut self) {
        let Some(mut child) = self.0.take() else {
            return;
        };
        // SIGKILL (TerminateProcess on Windows) cannot be ignored, so the wait ends soon.
        let _ = child.kill();
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        // A thread of its own rather than tokio's blocking pool: a runtime shutting down drops
        // blocking tasks that have not started, which would leave a zombie (as would a failure
        // to start the thread, until this process exits).
        let _ = std::thread::Builder::new()
            .name("credential_process reaper".into())
            .spawn(move || child.wait());
    }
}

/// Reads a child's output stream to its end, keeping at most `cap` bytes; says whether it
/// had more. Reading on past the cap keeps the process from blocking on a full pipe.
#[cfg(unix)]
async fn read_capped(
    stream: Option<impl Into<std::os::fd::OwnedFd>>,
    cap: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    use tokio::io::AsyncReadExt;

    let mut kept = Capped::new(cap);
    let Some(stream) = stream else {
        return Ok(kept.finish());
    };
    // Read without a thread: when the call times out, dropping the reader closes the pipe
    // even if a process the command started in the background still holds it open.
    let mut stream = tokio::net::unix::pipe::Receiver::from_owned_fd(stream.into())?;
    let mut buffer = [0u8; 8192];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(kept.finish());
        }
        kept.push(&buffer[..n]);
    }
}

/// [`read_capped`] where tokio cannot watch an anonymous pipe: on a blocking thread. A read
/// that a background process keeps open outlives a timeout here (the call still ends).
#[cfg(not(unix))]
async fn read_capped(
    stream: Option<impl std::io::Read + Send + 'static>,
    cap: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let Some(mut stream) = stream else {
        return Ok(Capped::new(cap).finish());
    };
    let read = tokio::task::spawn_blocking(move || {
        let mut kept = Capped::new(cap);
        let mut buffer = [0u8; 8192];
        loop {
            let n = stream.read(&mut buffer)?;
            if n == 0 {
                return Ok(kept.finish());
            }
            kept.push(&buffer[..n]);
        }
    });
    read.await.map_err(std::io::Error::other)?
}

/// The first `cap` bytes of a stream, and whether there were more.
struct Capped {
    kept: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl Capped {
    fn new(cap: usize) -> Self {
        Self {
            kept: Vec::new(),
            cap,
            truncated: false,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.kept.len());
        if bytes.len() > room {
            self.truncated = true;
        }
        self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn finish(self) -> (Vec<u8>, bool) {
        (self.kept, self.truncated)
    }
}

impl fmt::Debug for CredentialProcessProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialProcessProvider")
            .field("description", &self.description)
            .field("command", &"** hidden **")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ProvideCredentials for CredentialProcessProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.run())
    }
}
