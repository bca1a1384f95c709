//! HTTP/1.1 server glue: accept loop, body limits, SigV4 check, routing and
//! restJson1 response rendering.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use percent_encoding::percent_decode_str;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::error::ServiceError;
use crate::service::{Operation, Reply, Service};
use crate::sigv4::Verifier;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");
const SIGNING_NAME: &str = "ivschat";

/// Owns the accept loop; stopping it closes every connection.
pub(crate) struct ServerHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

pub(crate) fn spawn(listener: TcpListener, service: Arc<Service>) -> ServerHandle {
    let (stop, rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, service, rx));
    ServerHandle {
        stop,
        task: Some(task),
    }
}

async fn accept_loop(
    listener: TcpListener,
    service: Arc<Service>,
    mut stop: watch::Receiver<bool>,
) {
    // Dropping the set at the end aborts every open connection.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let service = Arc::clone(&service);
                    connections.spawn(serve_connection(stream, service));
                }
                // Out of file descriptors or similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, service: Arc<Service>) {
    let timeout = service.config.read_timeout;
    let handler = service_fn(move |req| {
        let service = Arc::clone(&service);
        async move { Ok::<_, Infallible>(handle(&service, req).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeout);
    // Connection errors (client went away, malformed HTTP) end only this connection.
    let _ = builder
        .serve_connection(TokioIo::new(stream), handler)
        .await;
}

async fn handle(service: &Service, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let request_id = uuid::Uuid::new_v4().to_string();
    match process(service, req).await {
        Ok(Reply::Json(value)) => respond(StatusCode::OK, Some(&value), &request_id, None, None),
        Ok(Reply::NoContent) => respond(StatusCode::NO_CONTENT, None, &request_id, None, None),
        Err(err) => {
            let status =
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            respond(
                status,
                Some(&err.body()),
                &request_id,
                Some(err.code()),
                err.allow(),
            )
        }
    }
}

fn respond(
    status: StatusCode,
    body: Option<&serde_json::Value>,
    request_id: &str,
    error_type: Option<&str>,
    allow: Option<&str>,
) -> Response<Full<Bytes>> {
    let bytes = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    let mut resp = Response::new(Full::new(bytes));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, v);
    }
    if body.is_some() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Some(code) = error_type.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(ERROR_TYPE, code);
    }
    if let Some(allow) = allow.and_then(|a| HeaderValue::from_str(a).ok()) {
        headers.insert(http::header::ALLOW, allow);
    }
    resp
}

async fn read_body(
    service: &Service,
    headers: &http::HeaderMap,
    body: Incoming,
) -> Result<Bytes, ServiceError> {
    let limit = service.config.max_body_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ServiceError::PayloadTooLarge { limit });
    }
    let read = Limited::new(body, limit).collect();
    match tokio::time::timeout(service.config.read_timeout, read).await {
        Err(_) => Err(ServiceError::RequestTimeout),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ServiceError::PayloadTooLarge { limit })
        }
        Ok(Err(e)) => Err(ServiceError::other(format!(
            "Could not read the request body: {e}"
        ))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

async fn process(service: &Service, req: Request<Incoming>) -> Result<Reply, ServiceError> {
    let (parts, body) = req.into_parts();
    let body = read_body(service, &parts.headers, body).await?;
    let path = parts.uri.path();
    let query = parts.uri.query();
    if service.config.verify_signatures {
        let lookup = |akid: &str| {
            service
                .config
                .credentials
                .iter()
                .find(|c| c.access_key_id == akid)
                .map(|c| c.secret_access_key.clone())
        };
        let verifier = Verifier {
            region: &service.config.region,
            service: SIGNING_NAME,
            lookup_secret: &lookup,
            now: service.config.clock.now(),
            max_skew: service.config.max_clock_skew,
        };
        verifier.verify(parts.method.as_str(), path, query, &parts.headers, &body)?;
    }
    route(service, &parts.method, path, query, &body)
}

fn decode(raw: &str, what: &str) -> Result<String, ServiceError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ServiceError::field(what, "Member must be percent-encoded UTF-8"))
}

fn route(
    service: &Service,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<Reply, ServiceError> {
    if let Some(label) = path.strip_prefix("/tags/").filter(|l| !l.is_empty()) {
        // The label is one percent-encoded segment; an unencoded ARN with a
        // literal '/' is accepted as well.
        let arn = decode(label, "resourceArn")?;
        return match *method {
            Method::GET => service.list_tags(&arn),
            Method::POST => service.tag_resource(&arn, body),
            Method::DELETE => {
                let mut keys = Vec::new();
                for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    if decode(k, "tagKeys")? == "tagKeys" {
                        keys.push(decode(v, "tagKeys")?);
                    }
                }
                service.untag_resource(&arn, &keys)
            }
            _ => Err(ServiceError::MethodNotAllowed {
                message: format!("{method} is not supported on /tags/{{resourceArn}}"),
                allow: "GET, POST, DELETE",
            }),
        };
    }
    let op = path.strip_prefix('/').and_then(Operation::from_path);
    match op {
        Some(op) if *method == Method::POST => service.call(op, body),
        Some(_) => Err(ServiceError::MethodNotAllowed {
            message: format!("{method} is not supported on {path}; use POST"),
            allow: "POST",
        }),
        None => Err(ServiceError::UnknownOperation {
            message: format!("No operation matches {method} {path}"),
        }),
    }
}
