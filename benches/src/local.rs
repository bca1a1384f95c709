//! The local IVS Chat service in a child process, for the Messaging API benchmarks: its memory
//! and CPU time are then its own, apart from the clients measured.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use ivschat::types::ChatTokenCapability;
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService};

use crate::proc;

/// Runs the service with `config` on a multi-threaded runtime (as the `ivschat-local` program
/// does), prints `CONTROL_PLANE_URL MESSAGING_URL` on one line, and serves until killed.
pub fn serve(config: LocalConfig) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async {
        let svc = LocalService::start(config)
            .await
            .map_err(|e| e.to_string())?;
        println!("{} {}", svc.endpoint(), svc.messaging_endpoint());
        // Until the parent kills it.
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// The service's process, started as this executable with `args` (which must call [`serve`]);
/// killed when dropped.
#[derive(Debug)]
pub struct Service {
    child: Child,
    /// The control-plane URL.
    pub endpoint: String,
    /// The Messaging API URL.
    pub messaging: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Service {
    pub fn start(args: &[&str]) -> Result<Service, String> {
        let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
        let mut child = Command::new(exe)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the service: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("service output: {e}"))?;
        let mut parts = line.split_whitespace();
        let (Some(endpoint), Some(messaging)) = (parts.next(), parts.next()) else {
            return Err(format!("unexpected service output {line:?}"));
        };
        Ok(Service {
            endpoint: endpoint.to_string(),
            messaging: messaging.to_string(),
            child,
        })
    }

    /// A control-plane client of the service, with its default credentials.
    pub fn client(&self) -> Client {
        Client::from_conf(
            Config::builder()
                .region(ivschat_local::DEFAULT_REGION)
                .endpoint_url(self.endpoint.clone())
                .credentials_provider(Credentials::from_keys(
                    ivschat_local::DEFAULT_ACCESS_KEY_ID,
                    ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                    None,
                ))
                .build(),
        )
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub fn rss_kib(&self) -> Result<u64, String> {
        proc::status_kib(&self.pid(), "VmRSS:")
    }

    pub fn cpu(&self) -> Result<Duration, String> {
        proc::cpu_time(&self.pid())
    }
}

/// A program's exit: success, or its error on stderr after its name.
pub fn exit_code(program: &str, result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{program}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// A new room that takes the highest message rate the model allows (100 per second); its ARN.
pub async fn busy_room(client: &Client, name: &str) -> Result<String, String> {
    let room = client
        .create_room()
        .name(name)
        .maximum_message_rate_per_second(100)
        .send()
        .await
        .map_err(|e| format!("CreateRoom: {e}"))?;
    Ok(room.arn().ok_or("no room ARN")?.to_string())
}

/// `count` chat tokens for the users `user-0`, `user-1`... (50 requests at a time); the first
/// `senders` may send messages.
pub async fn chat_tokens(
    client: &Client,
    room: &str,
    count: usize,
    senders: usize,
) -> Result<Vec<String>, String> {
    let mut tokens = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(50) {
        let calls = chunk.iter().map(|i| {
            let mut req = client
                .create_chat_token()
                .room_identifier(room)
                .user_id(format!("user-{i}"));
            if *i < senders {
                req = req.capabilities(ChatTokenCapability::SendMessage);
            }
            req.send()
        });
        for out in futures_util::future::join_all(calls).await {
            let out = out.map_err(|e| format!("CreateChatToken: {e}"))?;
            tokens.push(out.token().ok_or("no token")?.to_string());
        }
    }
    Ok(tokens)
}
