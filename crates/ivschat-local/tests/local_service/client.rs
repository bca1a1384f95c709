//! A raw HTTP/1.1 client and SigV4 signer for exercising the service
//! independently of any generated client.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use ivschat_local::{Clock, LocalConfig, LocalService};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const AKID: &str = ivschat_local::DEFAULT_ACCESS_KEY_ID;
pub const SECRET: &str = ivschat_local::DEFAULT_SECRET_ACCESS_KEY;
/// 2024-01-02T03:04:05.123Z
pub const T0_MS: i64 = 1_704_164_645_123;

/// A clock the test moves by hand (moving it wakes the service's timers).
#[derive(Clone)]
pub struct ManualClock(ivschat_local::ManualClock);

impl ManualClock {
    pub fn new(ms: i64) -> ManualClock {
        let start = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).expect("after 1970"));
        ManualClock(ivschat_local::ManualClock::new(start))
    }
    pub fn advance(&self, d: Duration) {
        self.0.advance(d);
    }
    pub fn clock(&self) -> Clock {
        self.0.clock()
    }
}

/// A service on a manual clock at [`T0_MS`], signatures verified.
pub async fn start() -> (LocalService, ManualClock) {
    let clock = ManualClock::new(T0_MS);
    let svc = LocalService::start(LocalConfig::default().with_clock(clock.clock()))
        .await
        .expect("service starts");
    (svc, clock)
}

pub async fn start_with(config: LocalConfig) -> LocalService {
    LocalService::start(config).await.expect("service starts")
}

#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &str, target: &str, body: impl Into<Vec<u8>>) -> Req {
        Req {
            method: method.into(),
            target: target.into(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn json(method: &str, target: &str, body: &Value) -> Req {
        let mut r = Req::new(method, target, body.to_string());
        r.headers
            .push(("content-type".into(), "application/json".into()));
        r
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn host(&self, svc: &LocalService) -> String {
        svc.local_addr().to_string()
    }

    /// Raw bytes on the wire (adds `host` and `content-length` if missing).
    pub fn to_bytes(&self, host: &str, close: bool) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        if !self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("host"))
        {
            out.push_str(&format!("host: {host}\r\n"));
        }
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if !self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        {
            out.push_str(&format!("content-length: {}\r\n", self.body.len()));
        }
        if close {
            out.push_str("connection: close\r\n");
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Signs like the AWS SDKs do for this service (double-encoded path, headers).
#[derive(Debug, Clone)]
pub struct Signer {
    pub access_key_id: String,
    pub secret: String,
    pub session_token: Option<String>,
    pub region: String,
    pub service: String,
    pub time: SystemTime,
}

impl Signer {
    pub fn for_service(svc: &LocalService) -> Signer {
        Signer {
            access_key_id: AKID.into(),
            secret: SECRET.into(),
            session_token: None,
            region: svc.config().region.clone(),
            service: "ivschat".into(),
            time: svc.config().clock.now(),
        }
    }

    pub fn sign(&self, req: &mut Req, host: &str) {
        if !req.headers.iter().any(|(k, _)| k == "host") {
            req.headers.insert(0, ("host".into(), host.into()));
        }
        let identity = Credentials::new(
            &self.access_key_id,
            &self.secret,
            self.session_token.clone(),
            None,
            "test",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(self.time)
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let url = format!("http://{host}{}", req.target);
        let signable = SignableRequest::new(
            &req.method,
            &url,
            req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(&req.body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
        for (name, value) in instructions.headers() {
            req.headers.push((name.to_string(), value.to_string()));
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts a restJson1 error: status, `x-amzn-ErrorType`, JSON content type,
    /// request id, and returns the body.
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("x-amzn-errortype"), Some(code));
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_request_id(self);
        self.json()
    }

    pub fn expect_ok(&self) -> Value {
        assert_eq!(
            self.status,
            200,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(self.header("x-amzn-errortype"), None);
        assert_request_id(self);
        self.json()
    }
}

pub fn assert_request_id(resp: &Resp) {
    let id = resp
        .header("x-amzn-requestid")
        .expect("x-amzn-RequestId header");
    let bytes = id.as_bytes();
    assert_eq!(bytes.len(), 36, "request id {id}");
    for (i, b) in bytes.iter().enumerate() {
        if [8, 13, 18, 23].contains(&i) {
            assert_eq!(*b, b'-', "request id {id}");
        } else {
            assert!(b.is_ascii_hexdigit(), "request id {id}");
        }
    }
}

/// A keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    host: String,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Conn {
    pub async fn open(svc: &LocalService) -> Conn {
        let stream = TcpStream::connect(svc.local_addr())
            .await
            .expect("connects");
        stream.set_nodelay(true).expect("nodelay");
        Conn::from_stream(stream, &svc.local_addr().to_string())
    }

    /// A connection already open to `host`.
    pub fn from_stream(stream: TcpStream, host: &str) -> Conn {
        Conn {
            stream,
            buf: Vec::new(),
            host: host.to_string(),
        }
    }

    pub async fn write_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("writes");
    }

    pub async fn send(&mut self, req: &Req) -> Resp {
        let bytes = req.to_bytes(&self.host, false);
        self.write_raw(&bytes).await;
        self.read_response().await.expect("a response")
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        match self.stream.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// Reads one response; `None` if the server closed the connection first.
    pub async fn read_response(&mut self) -> Option<Resp> {
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            if !self.fill().await {
                return None;
            }
        };
        let head = String::from_utf8(self.buf[..head_end].to_vec()).expect("ascii head");
        self.buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("status line");
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let len = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map(|(_, v)| v.parse::<usize>().expect("content-length"));
        let body = match len {
            Some(n) => {
                while self.buf.len() < n {
                    assert!(self.fill().await, "connection closed mid-body");
                }
                self.buf.drain(..n).collect()
            }
            None if status == 204 || status == 304 => Vec::new(),
            None => {
                while self.fill().await {}
                std::mem::take(&mut self.buf)
            }
        };
        Some(Resp {
            status,
            headers,
            body,
        })
    }

    /// Signs with the service's credentials and clock, then sends.
    pub async fn signed(&mut self, svc: &LocalService, mut req: Req) -> Resp {
        Signer::for_service(svc).sign(&mut req, &self.host.clone());
        self.send(&req).await
    }
}

/// Sends one request on a fresh connection, unsigned.
pub async fn send(svc: &LocalService, req: &Req) -> Resp {
    let mut c = Conn::open(svc).await;
    c.send(req).await
}

/// Signs and sends one request on a fresh connection.
pub async fn send_signed(svc: &LocalService, mut req: Req) -> Resp {
    let host = req.host(svc);
    Signer::for_service(svc).sign(&mut req, &host);
    send(svc, &req).await
}

/// `POST /<op>` with a JSON body, signed.
pub async fn call(svc: &LocalService, op: &str, body: Value) -> Resp {
    send_signed(svc, Req::json("POST", &format!("/{op}"), &body)).await
}

/// `/tags/{arn}` with the ARN percent-encoded as one segment.
pub fn tags_path(arn: &str) -> String {
    let mut out = String::from("/tags/");
    for b in arn.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Creates a room and returns its output document.
pub async fn create_room(svc: &LocalService, body: Value) -> Value {
    call(svc, "CreateRoom", body).await.expect_ok()
}

pub async fn create_config(svc: &LocalService, name: &str) -> Value {
    call(
        svc,
        "CreateLoggingConfiguration",
        serde_json::json!({"name": name, "destinationConfiguration": {"s3": {"bucketName": "chat-logs"}}}),
    )
    .await
    .expect_ok()
}

pub fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

/// botocore's User-Agent (the version of the parity fixtures, `tests/parity`).
pub const BOTOCORE_USER_AGENT: &str = "Botocore/1.44.8 ua/2.1 os/linux#0 md/arch#x86_64 \
     lang/python#3.0.0 md/pyimpl#CPython m/Z,e,E,b cfg/retry-mode#standard";

/// JSON as Python's `json.dumps` writes it (what botocore sends): `", "` and
/// `": "` separators, non-ASCII escaped.
pub fn python_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        python_json(&Value::String(k.clone())),
                        python_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(python_json).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(s) => {
            let quoted = serde_json::to_string(s).expect("a string serializes");
            let mut out = String::new();
            for c in quoted.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
            out
        }
        other => other.to_string(),
    }
}

/// The bytes of a request as botocore (the engine of the AWS CLI) sends it:
/// its headers in its order and spelling, only `content-type`, `host` and
/// `x-amz-date` signed, `Content-Length: 0` on a body-less DELETE, none on a
/// GET, and `json.dumps` bodies (see `tests/parity/fixtures/requests.json`).
pub fn botocore_request(
    signer: &Signer,
    host: &str,
    method: &str,
    path_and_query: &str,
    body: Option<&Value>,
) -> Vec<u8> {
    let body = body.map(python_json).unwrap_or_default();
    let mut signed = Req::new(method, path_and_query, body.clone());
    if method == "POST" {
        signed
            .headers
            .push(("content-type".into(), "application/json".into()));
    }
    signer.sign(&mut signed, host);
    let header = |name: &str| {
        signed
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut head = format!("{method} {path_and_query} HTTP/1.1\r\nHost: {host}\r\n");
    if method == "POST" {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("User-Agent: {BOTOCORE_USER_AGENT}\r\n"));
    head.push_str(&format!(
        "X-Amz-Date: {}\r\n",
        header("x-amz-date").expect("date")
    ));
    head.push_str(&format!(
        "Authorization: {}\r\n",
        header("authorization").expect("signed")
    ));
    head.push_str("amz-sdk-invocation-id: 00000000-0000-4000-8000-000000000000\r\n");
    head.push_str("amz-sdk-request: attempt=1; max=3\r\n");
    if method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}
