//! An HTTP/1.1 server on 127.0.0.1 that answers every request in one hostile way: a body or a
//! head trickled a byte at a time, an endless flood of `100 Continue`, `102 Processing` at
//! intervals, silence, or endless empty pages with ever-new tokens. It counts requests and the
//! bytes it wrote, so tests can tell how far a client let it go.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::server::read_request;

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// A `200` head announcing a 1 MiB body, then one body byte every `interval`.
    TrickleBody {
        /// Time between two body bytes.
        interval: Duration,
    },
    /// One byte of a response head that never ends, every `interval`.
    TrickleHead {
        /// Time between two head bytes.
        interval: Duration,
    },
    /// `100 Continue` heads, as fast as the connection takes them, forever; with a `pause`, in
    /// bursts of 2048 heads (52 KiB) separated by it.
    ContinueFlood {
        /// Time between two bursts; `None`: no pause.
        pause: Option<Duration>,
    },
    /// A `102 Processing` head every `interval`, and never a final response.
    Processing {
        /// Time between two `102` heads.
        interval: Duration,
    },
    /// Reads the request and never answers.
    Silent,
    /// A `200` page listing no rooms with a new `nextToken` of `token_len` bytes, for every
    /// request.
    EndlessPages {
        /// The length of each token.
        token_len: usize,
    },
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    bytes_written: AtomicU64,
}

/// The server. Dropping it stops accepting connections and ends every connection task.
#[derive(Debug)]
pub struct HostileServer {
    port: u16,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start(behaviour: Hostile) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let c = c.clone();
                connections.spawn(async move {
                    let _ = serve(stream, behaviour, &c).await;
                });
            }
        });
        Self {
            port,
            counters,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::Relaxed)
    }

    /// Bytes written to clients so far.
    pub fn bytes_written(&self) -> u64 {
        self.counters.bytes_written.load(Ordering::Relaxed)
    }
}

async fn write(stream: &mut TcpStream, bytes: &[u8], counters: &Counters) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    counters
        .bytes_written
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    Ok(())
}

/// Writes `head` once, then `unit` every `interval` until the client goes away.
async fn drip(
    stream: &mut TcpStream,
    head: &[u8],
    unit: &[u8],
    interval: Duration,
    counters: &Counters,
) -> std::io::Result<()> {
    write(stream, head, counters).await?;
    loop {
        tokio::time::sleep(interval).await;
        write(stream, unit, counters).await?;
    }
}

async fn serve(
    mut stream: TcpStream,
    behaviour: Hostile,
    counters: &Counters,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while read_request(&mut stream, &mut buf).await?.is_some() {
        counters.requests.fetch_add(1, Ordering::Relaxed);
        match behaviour {
            Hostile::TrickleBody { interval } => {
                let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1048576\r\n\r\n";
                return drip(&mut stream, head, b" ", interval, counters).await;
            }
            Hostile::TrickleHead { interval } => {
                return drip(&mut stream, b"", b"H", interval, counters).await;
            }
            Hostile::ContinueFlood { pause } => {
                let flood = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(2048);
                loop {
                    write(&mut stream, &flood, counters).await?;
                    if let Some(pause) = pause {
                        tokio::time::sleep(pause).await;
                    }
                }
            }
            Hostile::Processing { interval } => {
                let processing = b"HTTP/1.1 102 Processing\r\n\r\n";
                return drip(&mut stream, processing, processing, interval, counters).await;
            }
            Hostile::Silent => {
                let mut chunk = [0u8; 1024];
                while stream.read(&mut chunk).await? != 0 {}
                return Ok(());
            }
            Hostile::EndlessPages { token_len } => {
                // A different token every page: the request number, padded to the length.
                let page = counters.requests.load(Ordering::Relaxed).to_string();
                let token = "0".repeat(token_len.saturating_sub(page.len())) + &page;
                let body = format!(r#"{{"rooms":[],"nextToken":"{token}"}}"#);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                write(&mut stream, head.as_bytes(), counters).await?;
                write(&mut stream, body.as_bytes(), counters).await?;
            }
        }
    }
    Ok(())
}
