//! An HTTP/1.1 server on 127.0.0.1 that misbehaves on cue: each request it receives is
//! recorded and answered with the next scripted [`Fault`] (a normal response, a connection
//! closed mid-body, a stall, garbage, a reset). When the script is exhausted it answers
//! `200 {}`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::server::{Canned, CapturedRequest, read_request};

/// What to do with one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer normally.
    Respond(Canned),
    /// Send the head of `canned` with its full `content-length`, then only `sent` bytes of its
    /// body, then close the connection.
    CloseMidBody {
        /// The response whose body is cut.
        canned: Canned,
        /// How many body bytes go out before the close.
        sent: usize,
    },
    /// Close the connection without answering.
    Close,
    /// Read the request and never answer (until the client gives up or the server is dropped).
    Stall,
    /// Write these bytes as the "response", then close.
    Garbage(Vec<u8>),
}

impl Fault {
    /// A restJson1 error response: `status`, code in `x-amzn-errortype`, JSON message.
    pub fn error(status: u16, code: &str) -> Self {
        Fault::Respond(Canned::error(
            status,
            code,
            &format!(r#"{{"message":"{code} from the fault server"}}"#),
        ))
    }

    /// `429` with `ThrottlingException`.
    pub fn throttle() -> Self {
        Self::error(429, "ThrottlingException")
    }

    /// A JSON response.
    pub fn json(status: u16, body: &str) -> Self {
        Fault::Respond(Canned::json(status, body))
    }
}

#[derive(Default)]
struct State {
    requests: Vec<CapturedRequest>,
    script: VecDeque<Fault>,
    stalled: usize,
}

/// The server. Dropping it stops accepting connections and ends every connection task.
pub struct FaultServer {
    port: u16,
    state: Arc<Mutex<State>>,
    stalled: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("port", &self.port)
            .finish()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
        for c in self.connections.lock().expect("lock").drain(..) {
            c.abort();
        }
    }
}

impl FaultServer {
    /// Starts on an ephemeral port of 127.0.0.1 with `script`.
    pub async fn start(script: impl IntoIterator<Item = Fault>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(Mutex::new(State {
            script: script.into_iter().collect(),
            ..State::default()
        }));
        let stalled = Arc::new(Notify::new());
        let connections = Arc::new(Mutex::new(Vec::new()));
        let (st, notify, conns) = (state.clone(), stalled.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // Head and body go out in separate writes: without this, delayed ACKs
                // would hold the body back.
                let _ = stream.set_nodelay(true);
                let (st, notify) = (st.clone(), notify.clone());
                let handle = tokio::spawn(async move {
                    let _ = serve(stream, st, notify).await;
                });
                conns.lock().expect("lock").push(handle);
            }
        });
        Self {
            port,
            state,
            stalled,
            task,
            connections,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Appends to the script.
    pub fn push(&self, fault: Fault) {
        self.state.lock().expect("lock").script.push_back(fault);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.state.lock().expect("lock").requests.clone()
    }

    /// Waits until a request has been received and is being stalled.
    pub async fn wait_for_stall(&self) {
        loop {
            let notified = self.stalled.notified();
            if self.state.lock().expect("lock").stalled > 0 {
                return;
            }
            notified.await;
        }
    }
}

async fn serve(
    mut stream: TcpStream,
    state: Arc<Mutex<State>>,
    stalled: Arc<Notify>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf).await? {
        let fault = {
            let mut st = state.lock().expect("lock");
            st.requests.push(request);
            st.script
                .pop_front()
                .unwrap_or_else(|| Fault::json(200, "{}"))
        };
        match fault {
            Fault::Respond(canned) => {
                write_head(&mut stream, &canned).await?;
                stream.write_all(&canned.body).await?;
                stream.flush().await?;
            }
            Fault::CloseMidBody { canned, sent } => {
                write_head(&mut stream, &canned).await?;
                stream
                    .write_all(&canned.body[..sent.min(canned.body.len())])
                    .await?;
                stream.flush().await?;
                return Ok(());
            }
            Fault::Close => return Ok(()),
            Fault::Stall => {
                state.lock().expect("lock").stalled += 1;
                stalled.notify_waiters();
                // Hold the connection open until the client closes it.
                let mut chunk = [0u8; 1024];
                while stream.read(&mut chunk).await? != 0 {}
                return Ok(());
            }
            Fault::Garbage(bytes) => {
                stream.write_all(&bytes).await?;
                stream.flush().await?;
                return Ok(());
            }
        }
    }
    Ok(())
}

async fn write_head(stream: &mut TcpStream, canned: &Canned) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
        canned.status,
        canned.body.len()
    );
    for (n, v) in &canned.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes()).await
}
