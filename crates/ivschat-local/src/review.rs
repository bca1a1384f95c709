//! Message review handlers: what the service does in place of invoking a
//! room's `messageReviewHandler` Lambda.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};

/// The error type a review handler may fail with.
pub type ReviewError = Box<dyn std::error::Error + Send + Sync>;

/// The future a [`ReviewHandler`] returns.
pub type ReviewFuture = Pin<Box<dyn Future<Output = Result<ReviewResponse, ReviewError>> + Send>>;

/// Largest reply body accepted from an HTTP review endpoint.
const MAX_HTTP_REPLY_BYTES: usize = 64 * 1024;

/// A message to review: what the service sends the room's Lambda.
///
/// `Debug` leaves out the sender's user id, attributes and address.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReviewRequest {
    /// `Content`: the message as the sender wrote it.
    pub content: String,
    /// `MessageId`: the id the message will carry when delivered.
    pub message_id: String,
    /// `RoomArn`: the room the message was sent to.
    pub room_arn: String,
    /// `Attributes`: the message attributes (empty when the sender gave none).
    pub attributes: BTreeMap<String, String>,
    /// `Sender.UserId`: the user id of the sender's chat token.
    pub sender_user_id: String,
    /// `Sender.Attributes`: the attributes of the sender's chat token.
    pub sender_attributes: BTreeMap<String, String>,
    /// `Sender.Ip`: the sender's address.
    pub sender_ip: IpAddr,
}

impl ReviewRequest {
    /// The request as the Lambda receives it:
    /// `{Content, MessageId, RoomArn, Attributes, Sender: {Attributes, UserId, Ip}}`.
    pub fn to_json(&self) -> Value {
        json!({
            "Content": self.content,
            "MessageId": self.message_id,
            "RoomArn": self.room_arn,
            "Attributes": self.attributes,
            "Sender": {
                "Attributes": self.sender_attributes,
                "UserId": self.sender_user_id,
                "Ip": self.sender_ip.to_string(),
            },
        })
    }
}

impl fmt::Debug for ReviewRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReviewRequest")
            .field("content", &self.content)
            .field("message_id", &self.message_id)
            .field("room_arn", &self.room_arn)
            .field("attributes", &self.attributes)
            .field("sender_user_id", &"** redacted **")
            .field("sender_attributes", &"** redacted **")
            .field("sender_ip", &"** redacted **")
            .finish()
    }
}

/// A review handler's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewResponse {
    /// `ReviewResult: ALLOW`: deliver the message, with its content and
    /// attributes replaced by the given ones (`None` keeps the sender's).
    Allow {
        /// Replacement `Content`.
        content: Option<String>,
        /// Replacement `Attributes`.
        attributes: Option<BTreeMap<String, String>>,
    },
    /// `ReviewResult: DENY`: deliver nothing; the sender gets ERROR 406 whose
    /// `ErrorMessage` is `reason` (the reply's `Attributes.Reason`) when given.
    Deny {
        /// Why the message was denied.
        reason: Option<String>,
    },
}

impl ReviewResponse {
    /// Deliver the message unchanged.
    pub fn allow() -> ReviewResponse {
        ReviewResponse::Allow {
            content: None,
            attributes: None,
        }
    }

    /// Deliver the message with new content.
    pub fn rewrite(content: impl Into<String>) -> ReviewResponse {
        ReviewResponse::Allow {
            content: Some(content.into()),
            attributes: None,
        }
    }

    /// Deny the message without a reason.
    pub fn deny() -> ReviewResponse {
        ReviewResponse::Deny { reason: None }
    }

    /// Parses a Lambda reply: `{"ReviewResult": "ALLOW"|"DENY", "Content"?, "Attributes"?}`.
    /// Anything else (unknown result, non-string values) is an error, which
    /// makes the room's `fallbackResult` apply.
    pub fn from_json(reply: &[u8]) -> Result<ReviewResponse, ReviewError> {
        let value: Value =
            serde_json::from_slice(reply).map_err(|e| format!("review reply is not JSON: {e}"))?;
        let Value::Object(obj) = value else {
            return Err("review reply is not a JSON object".into());
        };
        let content = match obj.get("Content") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err("review reply Content is not a string".into()),
        };
        let attributes = match obj.get("Attributes") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(string_map(map)?),
            Some(_) => return Err("review reply Attributes is not an object".into()),
        };
        match obj.get("ReviewResult").and_then(Value::as_str) {
            Some("ALLOW") => Ok(ReviewResponse::Allow {
                content,
                attributes,
            }),
            Some("DENY") => Ok(ReviewResponse::Deny {
                reason: attributes.and_then(|mut a| a.remove("Reason")),
            }),
            _ => Err("review reply ReviewResult must be \"ALLOW\" or \"DENY\"".into()),
        }
    }
}

fn string_map(map: &Map<String, Value>) -> Result<BTreeMap<String, String>, ReviewError> {
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(format!("review reply attribute {k:?} is not a string").into()),
        })
        .collect()
}

/// Reviews messages of the rooms whose `messageReviewHandler.uri` it is
/// registered for (see [`crate::LocalConfig::with_review_handler`]).
///
/// The service waits at most [`crate::LocalConfig::review_timeout`] (200 ms by
/// default) for the verdict; a timeout, an error or an invalid verdict (content
/// longer than the room allows) applies the room's `fallbackResult`.
#[derive(Clone)]
pub struct ReviewHandler(Handler);

#[derive(Clone)]
enum Handler {
    Fn(Arc<dyn Fn(ReviewRequest) -> ReviewFuture + Send + Sync>),
    Http(Arc<HttpTarget>),
}

struct HttpTarget {
    url: String,
    authority: String,
    host: String,
    port: u16,
    path: String,
}

impl ReviewHandler {
    /// A handler that runs an async function in the service's process.
    ///
    /// ```
    /// use ivschat_local::{ReviewHandler, ReviewResponse};
    ///
    /// let handler = ReviewHandler::from_fn(|req| async move {
    ///     if req.content.contains("spoiler") {
    ///         Ok::<_, std::convert::Infallible>(ReviewResponse::deny())
    ///     } else {
    ///         Ok(ReviewResponse::allow())
    ///     }
    /// });
    /// # let _ = handler;
    /// ```
    pub fn from_fn<F, Fut, E>(f: F) -> ReviewHandler
    where
        F: Fn(ReviewRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ReviewResponse, E>> + Send + 'static,
        E: Into<ReviewError>,
    {
        ReviewHandler(Handler::Fn(Arc::new(move |req| {
            let fut = f(req);
            Box::pin(async move { fut.await.map_err(Into::into) })
        })))
    }

    /// A handler that POSTs the review request as JSON to an `http://` URL and
    /// reads the Lambda reply format from a 2xx answer (at most 64 KiB).
    pub fn http(url: &str) -> Result<ReviewHandler, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("review handler URL {url:?} is not a URL: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "review handler URL {url:?} must start with http:// (no TLS)"
            ));
        }
        let Some(authority) = uri.authority() else {
            return Err(format!("review handler URL {url:?} has no host"));
        };
        if authority.as_str().contains('@') {
            return Err(format!(
                "review handler URL {url:?} must not carry user information"
            ));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        Ok(ReviewHandler(Handler::Http(Arc::new(HttpTarget {
            url: url.to_string(),
            authority: authority.to_string(),
            host: host.to_string(),
            port: authority.port_u16().unwrap_or(80),
            path: uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.to_string()),
        }))))
    }

    /// Runs the handler (without a time limit; the service applies one).
    pub fn review(&self, request: ReviewRequest) -> ReviewFuture {
        match &self.0 {
            Handler::Fn(f) => f(request),
            Handler::Http(target) => {
                let target = Arc::clone(target);
                Box::pin(async move { post_review(&target, &request).await })
            }
        }
    }
}

impl fmt::Debug for ReviewHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Handler::Fn(_) => f.write_str("ReviewHandler::from_fn"),
            Handler::Http(t) => write!(f, "ReviewHandler::http({:?})", t.url),
        }
    }
}

/// Aborts a task when its owner ends or is abandoned.
pub(crate) struct AbortOnDrop<T>(pub(crate) tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn post_review(
    target: &HttpTarget,
    request: &ReviewRequest,
) -> Result<ReviewResponse, ReviewError> {
    let stream = tokio::net::TcpStream::connect((target.host.as_str(), target.port)).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let _connection = AbortOnDrop(tokio::spawn(async move {
        let _ = connection.await;
    }));
    let body = Bytes::from(request.to_json().to_string());
    let http_request = Request::post(target.path.as_str())
        .header(HOST, target.authority.as_str())
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))?;
    let response = sender.send_request(http_request).await?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("review endpoint answered HTTP {}", status.as_u16()).into());
    }
    let reply = Limited::new(response.into_body(), MAX_HTTP_REPLY_BYTES)
        .collect()
        .await?
        .to_bytes();
    ReviewResponse::from_json(&reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lambda_replies() {
        assert_eq!(
            ReviewResponse::from_json(br#"{"ReviewResult":"ALLOW"}"#).ok(),
            Some(ReviewResponse::allow())
        );
        assert_eq!(
            ReviewResponse::from_json(
                br#"{"ReviewResult":"ALLOW","Content":"x","Attributes":{"a":"b"}}"#
            )
            .ok(),
            Some(ReviewResponse::Allow {
                content: Some("x".into()),
                attributes: Some(BTreeMap::from([("a".into(), "b".into())])),
            })
        );
        assert_eq!(
            ReviewResponse::from_json(br#"{"ReviewResult":"DENY","Attributes":{"Reason":"r"}}"#)
                .ok(),
            Some(ReviewResponse::Deny {
                reason: Some("r".into())
            })
        );
        for bad in [
            &br#"{"ReviewResult":"allow"}"#[..],
            br#"{"Content":"x"}"#,
            br#"{"ReviewResult":"ALLOW","Content":1}"#,
            br#"{"ReviewResult":"ALLOW","Attributes":{"a":1}}"#,
            br#"["ALLOW"]"#,
            b"ALLOW",
        ] {
            assert!(ReviewResponse::from_json(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn http_urls_are_checked() {
        let h = ReviewHandler::http("http://127.0.0.1:9000/review?x=1").expect("valid");
        let Handler::Http(t) = &h.0 else {
            panic!("http handler")
        };
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 9000, "/review?x=1")
        );
        let h = ReviewHandler::http("http://[::1]/").expect("valid");
        let Handler::Http(t) = &h.0 else {
            panic!("http handler")
        };
        assert_eq!((t.host.as_str(), t.port), ("::1", 80));
        assert!(ReviewHandler::http("https://127.0.0.1/").is_err());
        assert!(ReviewHandler::http("http://u:p@127.0.0.1/").is_err());
        assert!(ReviewHandler::http("not a url").is_err());
    }

    #[test]
    fn debug_hides_the_sender() {
        let req = ReviewRequest {
            content: "hi".into(),
            message_id: "AbCdEfGhIjKl".into(),
            room_arn: "arn:aws:ivschat:us-west-2:123456789012:room/AbCdEfGhIjKl".into(),
            attributes: BTreeMap::new(),
            sender_user_id: "secret-user".into(),
            sender_attributes: BTreeMap::from([("k".into(), "secret-attr".into())]),
            sender_ip: IpAddr::from([127, 0, 0, 1]),
        };
        let printed = format!("{req:?}");
        assert!(!printed.contains("secret"), "{printed}");
        assert_eq!(req.to_json()["Sender"]["UserId"], "secret-user");
        assert_eq!(req.to_json()["Sender"]["Ip"], "127.0.0.1");
    }
}
