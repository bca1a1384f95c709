//! Credentials printed by an external command (`credential_process`).

use std::fmt;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

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
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| {
            CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                format!("{what}: could not start the command: {e}"),
            )
            .with_source(e)
        })?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let finished = tokio::time::timeout(self.timeout, async {
            tokio::join!(
                read_capped(stdout, MAX_STDOUT),
                read_capped(stderr, MAX_STDERR_IN_MESSAGE),
                child.wait()
            )
        })
        .await;
        let Ok((stdout, stderr, status)) = finished else {
            // Dropping the child kills it (`kill_on_drop`).
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

/// Reads a stream to its end, keeping at most `cap` bytes; says whether it had more.
/// Reading on past the cap keeps the process from blocking on a full pipe.
async fn read_capped(
    stream: Option<impl AsyncRead + Unpin>,
    cap: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut kept = Vec::new();
    let mut truncated = false;
    let Some(mut stream) = stream else {
        return Ok((kept, truncated));
    };
    let mut buffer = [0u8; 8192];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok((kept, truncated));
        }
        let room = cap.saturating_sub(kept.len());
        if n > room {
            truncated = true;
        }
        kept.extend_from_slice(&buffer[..n.min(room)]);
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
