//! Helpers shared by the credential providers: timestamps, JSON credential documents and
//! bounded HTTP reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use super::{Credentials, CredentialsError, CredentialsErrorKind};

/// Everything but the unreserved characters of RFC 3986 is percent-encoded.
pub(crate) const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Parses an RFC 3339 timestamp such as `2026-01-02T03:04:05Z`.
pub(crate) fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    let parsed = DateTime::from_str(text.trim(), Format::DateTime)
        .map_err(|e| format!("not an RFC 3339 timestamp ({e})"))?;
    SystemTime::try_from(parsed).map_err(|e| format!("timestamp out of range ({e})"))
}

/// Parses JSON without ever echoing the input in the error: it may hold secrets.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "unexpected end of input",
        };
        format!(
            "not valid JSON ({what} at line {} column {})",
            e.line(),
            e.column()
        )
    })
}

/// The names of the fields holding each part of a credentials JSON document.
pub(crate) struct Fields {
    pub(crate) token: &'static str,
}

/// Reads `AccessKeyId`, `SecretAccessKey`, the session token and `Expiration` from a JSON
/// object. `source` names where the document came from, for error messages.
pub(crate) fn credentials_from_json(
    json: &Value,
    fields: Fields,
    provider_name: &'static str,
    source: &str,
) -> Result<Credentials, CredentialsError> {
    let invalid = |what: String| {
        CredentialsError::new(
            CredentialsErrorKind::ProviderError,
            format!("{source} returned invalid credentials: {what}"),
        )
    };
    let Some(object) = json.as_object() else {
        return Err(invalid("expected a JSON object".to_string()));
    };
    let required = |name: &str| -> Result<String, CredentialsError> {
        match object.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(invalid(format!("`{name}` is empty"))),
            Some(_) => Err(invalid(format!("`{name}` is not a string"))),
            None => Err(invalid(format!("`{name}` is missing"))),
        }
    };
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = required("SecretAccessKey")?;
    let session_token = match object.get(fields.token) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid(format!("`{}` is not a string", fields.token))),
    };
    let expiry = match object.get("Expiration") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(parse_rfc3339(s).map_err(|e| invalid(format!("`Expiration` is {e}")))?)
        }
        Some(_) => return Err(invalid("`Expiration` is not a string".to_string())),
    };
    Ok(Credentials::new(
        access_key_id,
        secret_access_key,
        session_token,
        expiry,
        provider_name,
    ))
}

/// The largest response body read from a credentials endpoint.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// How fetching from a credentials endpoint failed: the request (kept whole, so that a
/// connection failure or timeout can be told apart), or reading the answer.
pub(crate) enum FetchError {
    Send(reqwest::Error),
    Read(String),
}

/// The future of [`fetch`].
pub(crate) type Fetch<'a> = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<(reqwest::StatusCode, Vec<u8>), FetchError>>
            + Send
            + 'a,
    >,
>;

/// Sends `request` and reads its whole answer (see [`read_body`]); `answered` is set once the
/// answer's head has arrived. One boxed future for every request of the endpoint providers:
/// their own futures hold a pointer to it, rather than reqwest's request and body futures each
/// compiled into them.
pub(crate) fn fetch(request: reqwest::RequestBuilder, answered: Option<&AtomicBool>) -> Fetch<'_> {
    Box::pin(async move {
        let response = request.send().await.map_err(FetchError::Send)?;
        if let Some(answered) = answered {
            answered.store(true, Ordering::Relaxed);
        }
        let status = response.status();
        let body = read_body(response).await.map_err(FetchError::Read)?;
        Ok((status, body))
    })
}

/// Reads a response body, refusing more than [`MAX_BODY`] bytes.
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("error reading the response: {e}"))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(format!("response is larger than {MAX_BODY} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An HTTP client for link-local credential endpoints: short timeouts, no proxy, no redirects.
pub(crate) fn http_client(
    connect_timeout: Duration,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("could not build an HTTP client: {e}"))
}

/// Formats a duration for messages: `250ms`, `2s`.
pub(crate) fn describe_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
