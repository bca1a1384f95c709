//! Fake AWS endpoints on 127.0.0.1 for the credential provider tests: a server recording every
//! request (body included) and answering with a handler, canned STS, SSO and OIDC answers, and
//! the independent SigV4 verifier of the workspace tests.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use percent_encoding::percent_decode_str;
use restjson_runtime::__private::DeserializeError;
use restjson_runtime::__private::{AuthScheme, Handle, OperationMeta, RequestParts, ServiceMeta};
use restjson_runtime::error::ErrorMetadata;
use restjson_runtime::http::HttpResponse;
use restjson_runtime::sleep::{AsyncSleep, Sleep};
use restjson_runtime::{Config, SdkError, Unhandled};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[path = "../../../../tests/support/sigv4.rs"]
pub mod sigv4;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    pub fn query(&self) -> &str {
        self.target
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A parameter of a form body, decoded.
    pub fn form(&self, name: &str) -> Option<String> {
        let body = self.body_text();
        body.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| percent_decode_str(v).decode_utf8_lossy().into_owned())
        })
    }

    /// The access key id of the SigV4 signature, if signed.
    pub fn signed_by(&self) -> Option<String> {
        let auth = sigv4::parse_authorization(self.header("authorization")?).ok()?;
        Some(auth.access_key_id)
    }

    /// Verifies the signature against `secret`; returns the credential scope.
    pub fn verify_signature(&self, secret: &str) -> Result<String, String> {
        sigv4::verify(
            &self.method,
            self.path(),
            self.query(),
            &self.headers,
            &self.body,
            secret,
        )
        .map(|auth| auth.scope)
    }
}

/// What the fake server answers.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    pub fn xml(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, "text/xml", body)
    }

    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, "application/json", body)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 answering each request with a handler, closing every
/// connection after its answer.
pub struct FakeServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeServer {
    pub async fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = answer(stream, handler, recorded).await;
                });
            }
        });
        Self { addr, requests }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

async fn answer(
    mut stream: TcpStream,
    handler: Arc<Handler>,
    recorded: Arc<Mutex<Vec<Request>>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let request = Request {
        method,
        target,
        headers,
        body,
    };
    recorded.lock().unwrap().push(request.clone());
    let response = handler(&request);
    let mut out = format!("HTTP/1.1 {} Status\r\n", response.status);
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        response.body.len(),
        response.body
    ));
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}

/// A listener that accepts connections and never answers.
pub async fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    addr
}

/// 2030-01-01T00:00:00Z, the expiry of the canned credentials.
pub const EXPIRY_2030: &str = "2030-01-01T00:00:00Z";
pub const EXPIRY_2030_SECS: u64 = 1_893_456_000;

/// The answer of `AssumeRole` or `AssumeRoleWithWebIdentity` (`action`) with the given keys.
pub fn sts_credentials(action: &str, id: &str, secret: &str, token: &str) -> Response {
    Response::xml(
        200,
        format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  \
             <{action}Result>\n    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>\
             <AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>\n    <Credentials>\n      \
             <AccessKeyId>{id}</AccessKeyId>\n      <SecretAccessKey>{secret}</SecretAccessKey>\n      \
             <SessionToken>{token}</SessionToken>\n      <Expiration>{EXPIRY_2030}</Expiration>\n    \
             </Credentials>\n  </{action}Result>\n  <ResponseMetadata><RequestId>req-ok</RequestId>\
             </ResponseMetadata>\n</{action}Response>\n"
        ),
    )
}

/// An STS error answer.
pub fn sts_error(status: u16, code: &str, message: &str) -> Response {
    Response::xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    \
             <Type>Sender</Type>\n    <Code>{code}</Code>\n    <Message>{message}</Message>\n  \
             </Error>\n  <RequestId>req-{code}</RequestId>\n</ErrorResponse>\n"
        ),
    )
}

/// The `GetRoleCredentials` answer with the given keys.
pub fn sso_credentials(id: &str, secret: &str, token: &str) -> Response {
    Response::json(
        200,
        format!(
            r#"{{"roleCredentials":{{"accessKeyId":"{id}","secretAccessKey":"{secret}","sessionToken":"{token}","expiration":{}}}}}"#,
            EXPIRY_2030_SECS * 1000
        ),
    )
}

/// A restJson1 error answer (code in `x-amzn-errortype`).
pub fn json_error(status: u16, code: &str, body: &str) -> Response {
    Response::json(status, body)
        .with_header("x-amzn-errortype", code)
        .with_header("x-amzn-requestid", &format!("req-{code}"))
}

/// A directory removed at the end of the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "restjson-creds-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Returns at once: retries in tests never wait.
#[derive(Debug, Clone, Default)]
pub struct NoSleep;

impl AsyncSleep for NoSleep {
    fn sleep(&self, _: Duration) -> Sleep {
        Box::pin(async {})
    }
}

/// A service without endpoint rules, for calls through the runtime's pipeline.
pub static DEMO: ServiceMeta = ServiceMeta {
    sdk_id: "demo",
    signing_name: "demo",
    crate_name: "demo",
    crate_version: "0.0.0",
    endpoint_prefix: "demo",
    resolve_endpoint: None,
};

static PING: OperationMeta = OperationMeta {
    name: "Ping",
    idempotent: true,
    auth: &[AuthScheme::SigV4],
};

fn no_output(_: &HttpResponse) -> Result<(), DeserializeError> {
    Ok(())
}

fn unhandled(meta: &ErrorMetadata, response: &HttpResponse) -> Result<Unhandled, DeserializeError> {
    Ok(Unhandled::new(response.status().as_u16(), meta.clone()))
}

/// `GET /ping` of [`DEMO`] through `handle`.
pub async fn ping(handle: &Handle) -> Result<(), SdkError<Unhandled>> {
    let request = RequestParts {
        method: http::Method::GET,
        path_and_query: "/ping".to_owned(),
        headers: http::HeaderMap::new(),
        ..RequestParts::default()
    };
    handle
        .invoke(&PING, Ok(request), no_output, unhandled)
        .await
}

/// A handle of [`DEMO`] configured by `config`.
pub fn demo_client(config: Config) -> Handle {
    Handle::new(config, &DEMO)
}
