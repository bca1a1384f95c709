//! A minimal HTTP/1.1 server on 127.0.0.1 that records each request exactly as received (raw
//! request target, headers, body) and answers with canned responses.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as it arrived on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The raw request target: path and query exactly as sent.
    pub target: String,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl CapturedRequest {
    /// The value of header `name` (lowercase), if present once.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The raw path (before `?`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The raw query (after `?`), empty when there is none.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// The body as text.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A response to send.
#[derive(Debug, Clone)]
pub struct Canned {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Canned {
    /// A JSON response with a request id.
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-amzn-requestid".into(), "req-0001".into()),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    /// A restJson1 error response with the code in `x-amzn-errortype`.
    pub fn error(status: u16, code: &str, body: &str) -> Self {
        let mut c = Self::json(status, body);
        c.headers.push(("x-amzn-errortype".into(), code.into()));
        c
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct State {
    requests: Vec<CapturedRequest>,
    responses: VecDeque<Canned>,
    connections: usize,
}

/// The server. Dropping it stops accepting connections.
pub struct CaptureServer {
    port: u16,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for CaptureServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureServer")
            .field("port", &self.port)
            .finish()
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CaptureServer {
    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                st.lock().expect("lock").connections += 1;
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, st).await;
                });
            }
        });
        Self { port, state, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Queues the next response (default: `200 {}`).
    pub fn respond(&self, canned: Canned) {
        self.state.lock().expect("lock").responses.push_back(canned);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.state.lock().expect("lock").requests.clone()
    }

    /// The one request received; fails the test otherwise.
    pub fn single_request(&self) -> CapturedRequest {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:#?}"
        );
        requests.into_iter().next().expect("one request")
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.lock().expect("lock").connections
    }

    /// Forgets recorded requests.
    pub fn clear(&self) {
        self.state.lock().expect("lock").requests.clear();
    }
}

/// Reads the next request of a connection: head up to CRLFCRLF, then `content-length` bytes.
/// `buf` carries bytes already read past the previous request. `None` when the peer closes.
pub async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<CapturedRequest>> {
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + len {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + len].to_vec();
    buf.drain(..body_start + len);
    Ok(Some(CapturedRequest {
        method,
        target,
        headers,
        body,
    }))
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf).await? {
        let canned = {
            let mut st = state.lock().expect("lock");
            st.requests.push(request);
            st.responses
                .pop_front()
                .unwrap_or_else(|| Canned::json(200, "{}"))
        };
        let mut out = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            canned.status,
            canned.body.len()
        );
        for (n, v) in &canned.headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str("\r\n");
        // One write: a head and a body in separate small segments meet delayed ACKs.
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&canned.body);
        stream.write_all(&bytes).await?;
        stream.flush().await?;
    }
    Ok(())
}
