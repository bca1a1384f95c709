//! HTTP/1.1 server glue: accept loops with connection caps, header
//! authentication before the body, body limits, SigV4 check, routing and
//! restJson1 response rendering.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use percent_encoding::percent_decode_str;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::error::ServiceError;
use crate::service::{Operation, Reply, Service};
use crate::sigv4::Verifier;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");
const SIGNING_NAME: &str = "ivschat";

/// Owns the accept loops; stopping them closes every connection.
pub(crate) struct ServerHandle {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl ServerHandle {
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

/// Serves the control plane on `control` and the Messaging API on `messaging`.
pub(crate) fn spawn(
    control: TcpListener,
    messaging: TcpListener,
    service: Arc<Service>,
) -> ServerHandle {
    let (stop, rx) = watch::channel(false);
    let control_task = tokio::spawn(control_plane(control, Arc::clone(&service), rx.clone()));
    let messaging_task = tokio::spawn(crate::messaging::socket::serve(messaging, service, rx));
    ServerHandle {
        stop,
        tasks: vec![control_task, messaging_task],
    }
}

/// Accepts connections until `stop` changes, at most `limit` open at a time
/// (further clients wait in the listen backlog), and runs `serve` on each.
pub(crate) async fn accept_until_stopped<F, Fut>(
    listener: &TcpListener,
    limit: usize,
    mut stop: watch::Receiver<bool>,
    connections: &mut JoinSet<()>,
    serve: F,
) where
    F: Fn(TcpStream, SocketAddr) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limit));
    loop {
        let accept = async {
            let permit = Arc::clone(&permits).acquire_owned().await;
            (permit, listener.accept().await)
        };
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            (permit, accepted) = accept => match (permit, accepted) {
                (Ok(permit), Ok((stream, peer))) => {
                    let _ = stream.set_nodelay(true);
                    let connection = serve(stream, peer);
                    connections.spawn(async move {
                        connection.await;
                        drop(permit);
                    });
                }
                // The semaphore is never closed.
                (Err(_), _) => break,
                // Out of file descriptors or similar: back off instead of spinning.
                (Ok(_), Err(_)) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

async fn control_plane(listener: TcpListener, service: Arc<Service>, stop: watch::Receiver<bool>) {
    // Dropping the set at the end aborts every open connection.
    let mut connections = JoinSet::new();
    let limit = service.config.max_connections;
    let body_budget = Arc::new(Semaphore::new(budget_units(
        service.config.max_in_flight_body_bytes,
    )));
    accept_until_stopped(&listener, limit, stop, &mut connections, |stream, _| {
        serve_connection(stream, Arc::clone(&service), Arc::clone(&body_budget))
    })
    .await;
}

/// The in-flight body budget counts KiB so a permit count fits in a `u32`.
fn budget_units(bytes: usize) -> usize {
    bytes.div_ceil(1024).min(Semaphore::MAX_PERMITS)
}

async fn serve_connection(stream: TcpStream, service: Arc<Service>, budget: Arc<Semaphore>) {
    let timeout = service.config.read_timeout;
    let handler = service_fn(move |req| {
        let service = Arc::clone(&service);
        let budget = Arc::clone(&budget);
        async move { Ok::<_, Infallible>(handle(&service, &budget, req).await) }
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

async fn handle(
    service: &Service,
    budget: &Semaphore,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().clone();
    let operation = operation_name(&method, req.uri().path());
    let result = process(service, budget, req, operation).await;
    let (response, error_code) = match result {
        Ok(Reply::Json(value)) => (
            respond(StatusCode::OK, Some(&value), &request_id, None, None),
            None,
        ),
        Ok(Reply::NoContent) => (
            respond(StatusCode::NO_CONTENT, None, &request_id, None, None),
            None,
        ),
        Err(err) => {
            // Every operation answers only the errors its model lists.
            debug_assert!(
                err.is_front_end()
                    || operation.is_some_and(|op| crate::modelled::is_modelled(op, err.code())),
                "{operation:?} answered {}, which its model does not list",
                err.code()
            );
            let status =
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let response = respond(
                status,
                Some(&err.body()),
                &request_id,
                Some(err.code()),
                err.allow(),
            );
            (response, Some(err.code()))
        }
    };
    // What a request did, never what it carried: no body, query, header,
    // ARN or identity.
    tracing::info!(
        target: "ivschat_local::request",
        method = %method,
        operation = %operation.unwrap_or("-"),
        status = response.status().as_u16(),
        error = %error_code.unwrap_or("-"),
        latency = %format_args!("{:.2}ms", started.elapsed().as_secs_f64() * 1000.0),
        request_id = %request_id,
    );
    response
}

/// The operation a request addresses, from its method and path alone.
fn operation_name(method: &Method, path: &str) -> Option<&'static str> {
    if path.strip_prefix("/tags/").is_some_and(|l| !l.is_empty()) {
        return match *method {
            Method::GET => Some("ListTagsForResource"),
            Method::POST => Some("TagResource"),
            Method::DELETE => Some("UntagResource"),
            _ => None,
        };
    }
    match path.strip_prefix('/').and_then(Operation::from_path) {
        Some(op) if *method == Method::POST => Some(op.name()),
        _ => None,
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

/// Reads the body within the in-flight budget: a request waits for budget
/// (counted from its `content-length`, or the body limit when unknown) and
/// the wait counts against `read_timeout`.
async fn read_body(
    service: &Service,
    budget: &Semaphore,
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
    if declared == Some(0) {
        return Ok(Bytes::new());
    }
    let reserve = declared.map_or(limit, |len| usize::try_from(len).unwrap_or(limit));
    let units = u32::try_from(budget_units(reserve)).unwrap_or(u32::MAX);
    let read = async {
        // The semaphore is never closed.
        let _permit = budget.acquire_many(units).await.ok();
        Limited::new(body, limit).collect().await
    };
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

async fn process(
    service: &Service,
    budget: &Semaphore,
    req: Request<Incoming>,
    operation: Option<&str>,
) -> Result<Reply, ServiceError> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let query = parts.uri.query();
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
    let authenticated = if service.config.verify_signatures {
        Some(verifier.authenticate_headers(&parts.headers)?)
    } else {
        None
    };
    let body = read_body(service, budget, &parts.headers, body).await?;
    if let Some(pre) = authenticated {
        verifier.verify_signature(
            pre,
            parts.method.as_str(),
            path,
            query,
            &parts.headers,
            &body,
        )?;
    }
    let reply = route(service, &parts.method, path, query, &body)?;
    // A change reaches the state file (when there is one) before the answer.
    if operation.is_some_and(crate::service::changes_kept_state) {
        service.persist().await;
    }
    Ok(reply)
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
