//! What only generated code (and this crate's own tests and benchmarks) uses: operation
//! plumbing, request building, the JSON reader and writer, signing, endpoint rules. Not a
//! stable API: it changes without notice.

use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub use crate::client::{
    AuthScheme, Handle, OperationMeta, RequestParts, ResolveEndpointFn, ServiceMeta,
};
pub use crate::error::{BuildError, ErrorMetadata, Unhandled};
pub use crate::http::HttpResponse;
pub use crate::json::{ArrayWriter, DeserializeError, ObjectWriter, ValueWriter};
pub use crate::operation::{OperationSpec, PaginationSpec, paginator, run_operation};
#[cfg(feature = "streaming")]
pub use crate::operation::{StreamingOperationSpec, run_streaming_operation};
pub use crate::sign::sign_request;
pub use crate::validate::checks::{Pattern, Validator};
pub use http::Method;
pub use serde_json::{Map, Value};

/// The metadata of the response a modelled error was read from, kept in the error for
/// `ProvideErrorMetadata::meta`. Any two are equal, so that errors compare by their members.
#[derive(Clone, Debug, Default)]
pub struct ResponseMetadata(pub ErrorMetadata);

impl PartialEq for ResponseMetadata {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Lets an operation's error enum reach any of its errors' code, message, metadata, `Display`
/// and `source` through one match.
pub trait OperationErrorDetails:
    crate::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static
{
}

impl<T> OperationErrorDetails for T where
    T: crate::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static
{
}

/// The JSON reader and writer of request and response bodies.
pub mod json {
    pub use crate::json::*;
}

/// Endpoint rule sets, partitions and resolution.
pub mod endpoint {
    pub use crate::endpoint::*;
}

/// Shared config and credentials files.
pub mod profile {
    pub use crate::profile::*;
}

/// The endpoint URL the environment and shared config files configure for the service
/// `sdk_id`, as a client of `config` would use it (`None` without environment sources).
pub fn endpoint_url_from_env(
    config: &crate::config::Config,
    sdk_id: &str,
) -> Option<Result<Option<String>, crate::config::ConfigError>> {
    config.env_sources().map(|s| s.endpoint_url(sdk_id))
}

/// A fresh idempotency token from the client's configured provider.
pub fn make_idempotency_token(handle: &Handle) -> String {
    handle.config().make_idempotency_token()
}

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const GREEDY: &AsciiSet = &UNRESERVED.remove(b'/');

/// Percent-encodes a label value as one path segment (`/` and `:` included).
pub fn encode_label(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Percent-encodes a greedy label value, keeping `/` between segments.
pub fn encode_greedy_label(value: &str) -> String {
    utf8_percent_encode(value, GREEDY).to_string()
}

/// Percent-encodes a query key or value.
pub fn encode_query(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Builds an operation's request from its bindings.
#[derive(Debug)]
pub struct RequestBuilder {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
}

impl RequestBuilder {
    /// A request with `method` and an already-encoded `path` (query literals included).
    pub fn new(method: Method, path: String) -> Self {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (path, String::new()),
        };
        Self {
            method,
            path,
            query,
            // Allocated by the first header: most requests bind two or three (the body's type
            // and length), and each attempt's request gets a map of its own, sized for all.
            headers: HeaderMap::new(),
        }
    }

    /// Appends the query pair `key=value` (both encoded here).
    pub fn query(&mut self, key: &str, value: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.push_str(&encode_query(key));
        self.query.push('=');
        self.query.push_str(&encode_query(value));
    }

    /// Sets the header `name` (lowercase) to `value`; `member` names the input member for errors.
    pub fn header(
        &mut self,
        name: &'static str,
        value: &str,
        member: &str,
    ) -> Result<(), BuildError> {
        let value = HeaderValue::from_str(value)
            .map_err(|_| BuildError::invalid_field(member, "not a valid HTTP header value"))?;
        crate::http::append_header(&mut self.headers, HeaderName::from_static(name), value);
        Ok(())
    }

    /// Sets a header whose name comes from the input (prefix headers).
    pub fn dynamic_header(
        &mut self,
        name: &str,
        value: &str,
        member: &str,
    ) -> Result<(), BuildError> {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            BuildError::invalid_field(member, format!("{name:?} is not a valid HTTP header name"))
        })?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| BuildError::invalid_field(member, "not a valid HTTP header value"))?;
        crate::http::append_header(&mut self.headers, name, value);
        Ok(())
    }

    /// Finishes the request with `body` (and its content type, when there is one).
    pub fn finish(mut self, body: Option<(Vec<u8>, &'static str)>) -> RequestParts {
        let body = match body {
            Some((text, content_type)) => {
                if !self.headers.contains_key(http::header::CONTENT_TYPE) {
                    crate::http::set_header(
                        &mut self.headers,
                        http::header::CONTENT_TYPE,
                        HeaderValue::from_static(content_type),
                    );
                }
                // The length is declared when the request is sent (by the client for connectors
                // other than reqwest, which writes it itself); one bound from the input gives
                // way to the body's.
                if self.headers.contains_key(http::header::CONTENT_LENGTH) {
                    crate::http::set_header(
                        &mut self.headers,
                        http::header::CONTENT_LENGTH,
                        HeaderValue::from(text.len()),
                    );
                }
                bytes::Bytes::from(text)
            }
            None => bytes::Bytes::new(),
        };
        let path_and_query = if self.query.is_empty() {
            self.path
        } else {
            format!("{}?{}", self.path, self.query)
        };
        RequestParts {
            method: self.method,
            path_and_query,
            headers: self.headers,
            body,
            host_prefix: None,
            #[cfg(feature = "streaming")]
            stream: None,
        }
    }
}

/// Makes `body` (a streaming payload of the input) the request's body: its content type
/// unless the input set one, and its length when known. `requires_length` (`@requiresLength`)
/// refuses a body of unknown length.
#[cfg(feature = "streaming")]
pub fn stream_payload(
    parts: &mut RequestParts,
    body: &crate::byte_stream::ByteStream,
    content_type: &'static str,
    requires_length: bool,
    member: &str,
) -> Result<(), BuildError> {
    let stream = body.take_for_request().ok_or_else(|| {
        BuildError::invalid_field(member, "this stream was already sent; make a new one")
    })?;
    if !parts.headers.contains_key(http::header::CONTENT_TYPE) {
        parts.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type),
        );
    }
    match stream.known_length() {
        Some(n) => {
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
        }
        None if requires_length => {
            return Err(BuildError::invalid_field(
                member,
                "the operation needs the body's length: use `ByteStream::with_length`",
            ));
        }
        None => {}
    }
    parts.stream = Some(stream);
    Ok(())
}

/// A fresh idempotency token (a random UUID).
pub fn idempotency_token() -> String {
    random_uuid()
}

/// A `float` widened to `f64` through its shortest decimal form, so that `1.1f32` is written
/// as `1.1` rather than `1.100000023841858`.
pub fn f32_to_f64(v: f32) -> f64 {
    if v.is_finite() {
        v.to_string().parse().unwrap_or(f64::from(v))
    } else {
        f64::from(v)
    }
}

/// A float as text for a header, query value or label (`NaN`, `Infinity`, `-Infinity`).
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        v.to_string()
    }
}

/// Quotes one item of a header list when it contains a comma or a double quote.
pub fn quote_header_item(item: &str) -> String {
    if item.contains(',') || item.contains('"') {
        format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        item.to_owned()
    }
}

/// Splits a header list on commas, honouring double-quoted items.
pub fn split_header_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars();
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            ',' if !quoted => {
                out.push(if was_quoted {
                    current.clone()
                } else {
                    current.trim().to_owned()
                });
                current.clear();
                was_quoted = false;
            }
            c => {
                // Whitespace outside quotes is insignificant before an item and after a
                // quoted one.
                let skip = !quoted && c.is_whitespace() && (was_quoted || current.is_empty());
                if !skip {
                    current.push(c);
                }
            }
        }
    }
    out.push(if was_quoted {
        current
    } else {
        current.trim().to_owned()
    });
    out
}

/// The map a setter keeps (in key order) from the `HashMap` it takes. Inserted one by one:
/// collecting would compile a sort of the entries for each value type.
pub fn key_ordered<V>(
    map: std::collections::HashMap<String, V>,
) -> std::collections::BTreeMap<String, V> {
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in map {
        out.insert(k, v);
    }
    out
}

/// Splits a list of HTTP dates, which contain commas themselves (`Tue, 02 Jan 2024 ...`).
pub fn split_http_date_list(text: &str) -> Vec<String> {
    let parts: Vec<&str> = text.split(',').collect();
    parts
        .chunks(2)
        .map(|c| c.iter().map(|p| p.trim()).collect::<Vec<_>>().join(", "))
        .collect()
}

/// All values of header `name`, joined with `, ` (None when absent).
pub fn header_joined(
    response: &HttpResponse,
    name: &str,
) -> Result<Option<String>, DeserializeError> {
    let mut values = response.headers().get_all(name).iter().peekable();
    if values.peek().is_none() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for v in values {
        out.push(
            v.to_str()
                .map_err(|_| DeserializeError::new(format!("header {name} is not valid text")))?,
        );
    }
    Ok(Some(out.join(", ")))
}

/// Headers starting with `prefix` (lowercase), keyed by the rest of their name.
pub fn prefix_headers(
    response: &HttpResponse,
    prefix: &str,
) -> Result<std::collections::BTreeMap<String, String>, DeserializeError> {
    let mut out = std::collections::BTreeMap::new();
    for name in response.headers().keys() {
        if let (Some(rest), Some(v)) = (
            name.as_str().strip_prefix(prefix),
            header_joined(response, name.as_str())?,
        ) {
            out.insert(rest.to_owned(), v);
        }
    }
    Ok(out)
}

/// A number from header text.
pub fn parse_number<T: std::str::FromStr>(text: &str) -> Result<T, DeserializeError> {
    text.trim().parse().map_err(|_| {
        DeserializeError::new(format!(
            "{text:?} is not a valid {}",
            std::any::type_name::<T>()
        ))
    })
}

/// A float from header text (`NaN`, `Infinity`, `-Infinity` allowed).
pub fn parse_float(text: &str) -> Result<f64, DeserializeError> {
    match text.trim() {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        t => parse_number(t),
    }
}

/// A boolean from header text.
pub fn parse_bool(text: &str) -> Result<bool, DeserializeError> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        t => Err(DeserializeError::new(format!("{t:?} is not a boolean"))),
    }
}

/// A timestamp from header text.
pub fn parse_timestamp(
    text: &str,
    format: crate::datetime::TimestampFormat,
) -> Result<crate::datetime::DateTime, DeserializeError> {
    crate::datetime::DateTime::parse(text.trim(), format)
        .map_err(|e| DeserializeError::new(e.to_string()))
}

/// Checks a value substituted into an endpoint host prefix.
pub fn host_label<'a>(value: &'a str, member: &str) -> Result<&'a str, BuildError> {
    let valid = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !value.starts_with('-');
    if valid {
        Ok(value)
    } else {
        Err(BuildError::invalid_field(
            member,
            format!("{value:?} is not a valid host label"),
        ))
    }
}

/// A header value as a string.
pub fn header_str<'a>(
    response: &'a HttpResponse,
    name: &str,
) -> Result<Option<&'a str>, DeserializeError> {
    match response.headers().get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| DeserializeError::new(format!("header {name} is not valid text"))),
    }
}

/// The request id of a response.
pub fn request_id(response: &HttpResponse) -> Option<String> {
    crate::http::request_id(response.headers()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_encode_reserved_characters() {
        assert_eq!(
            encode_label("arn:aws:ivschat:us-west-2:123456789012:room/AbCd"),
            "arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2FAbCd"
        );
        assert_eq!(encode_label("a b%+=&é~"), "a%20b%25%2B%3D%26%C3%A9~");
        assert_eq!(encode_greedy_label("a/b c"), "a/b%20c");
    }

    #[test]
    fn builds_query_headers_and_body() {
        let mut b = RequestBuilder::new(Method::DELETE, "/tags/x?literal=1".into());
        b.query("tagKeys", "a&b");
        b.query("tagKeys", "c d");
        b.header("x-custom", "v", "custom").unwrap();
        let err = b.header("x-bad", "line\nbreak", "bad").unwrap_err();
        assert_eq!(
            err.to_string(),
            "member `bad` is invalid: not a valid HTTP header value"
        );
        let mut bound = RequestBuilder::new(Method::PUT, "/x".into());
        bound.header("content-length", "99", "size").unwrap();
        let parts = bound.finish(Some((b"{}".to_vec(), "application/json")));
        assert_eq!(parts.headers["content-length"], "2");
        let parts =
            RequestBuilder::new(Method::PUT, "/x".into()).finish(Some((b"{}".to_vec(), "a/b")));
        // Declared when the request is sent, by the client or the transport.
        assert!(!parts.headers.contains_key("content-length"));
        let parts = b.finish(Some((b"{}".to_vec(), "application/json")));
        assert_eq!(
            parts.path_and_query,
            "/tags/x?literal=1&tagKeys=a%26b&tagKeys=c%20d"
        );
        assert_eq!(parts.headers["content-type"], "application/json");
        assert_eq!(&parts.body[..], b"{}");
    }
}

/// Requests this small or smaller are not compressed (Smithy's default
/// `minCompressionSizeBytes`).
#[cfg(feature = "compression")]
pub const MIN_COMPRESSION_SIZE: usize = 10_240;

/// The request body when it is in memory: its bytes, or a streamed body built from bytes.
/// `None` for a body streamed from a file or a stream of chunks.
fn body_in_memory(parts: &RequestParts) -> Option<bytes::Bytes> {
    #[cfg(feature = "streaming")]
    if let Some(stream) = &parts.stream {
        return stream.in_memory();
    }
    Some(parts.body.clone())
}

/// Adds `Content-MD5` (base64 of the body's MD5) for operations with `@httpChecksumRequired`
/// (not for a body streamed from a file or a stream of chunks, which is not in memory).
#[cfg(feature = "checksums")]
pub fn add_content_md5(parts: &mut RequestParts) {
    use md5::Digest;
    let Some(body) = body_in_memory(parts) else {
        return;
    };
    let digest = md5::Md5::digest(&body);
    let text = aws_smithy_types::base64::encode(digest.as_slice());
    if let Ok(value) = HeaderValue::from_str(&text) {
        parts.headers.insert("content-md5", value);
    }
}

/// Compresses the body with gzip for operations with `@requestCompression` when it is larger
/// than [`MIN_COMPRESSION_SIZE`], appending `gzip` to any `Content-Encoding` already set.
#[cfg(feature = "compression")]
pub fn gzip_body(parts: &mut RequestParts) -> Result<(), BuildError> {
    use std::io::Write;
    if parts.body.len() < MIN_COMPRESSION_SIZE {
        return Ok(());
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&parts.body)
        .map_err(|e| BuildError::invalid_field("body", format!("gzip failed: {e}")))?;
    let compressed = encoder
        .finish()
        .map_err(|e| BuildError::invalid_field("body", format!("gzip failed: {e}")))?;
    let mut encodings: Vec<String> = parts
        .headers
        .get_all(http::header::CONTENT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    encodings.push("gzip".into());
    let value = HeaderValue::from_str(&encodings.join(", "))
        .map_err(|_| BuildError::invalid_field("Content-Encoding", "not a valid header value"))?;
    parts.headers.insert(http::header::CONTENT_ENCODING, value);
    parts.headers.insert(
        http::header::CONTENT_LENGTH,
        HeaderValue::from(compressed.len()),
    );
    parts.body = bytes::Bytes::from(compressed);
    Ok(())
}

/// Sets a header unless the request already has it.
pub fn default_header(parts: &mut RequestParts, name: &'static str, value: &'static str) {
    if !parts.headers.contains_key(name) {
        parts.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

/// Glacier's payload checksums: `x-amz-content-sha256` (SHA-256 of the body) and
/// `x-amz-sha256-tree-hash` (the SHA-256 tree hash over 1 MiB chunks), unless already set
/// (for a body in memory; the caller sets them for a body streamed from elsewhere).
pub fn add_glacier_checksums(parts: &mut RequestParts) {
    use sha2::{Digest, Sha256};
    let Some(body) = body_in_memory(parts) else {
        return;
    };
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    if !parts.headers.contains_key("x-amz-content-sha256") {
        let linear = hex(Sha256::digest(&body).as_slice());
        if let Ok(v) = HeaderValue::from_str(&linear) {
            parts.headers.insert("x-amz-content-sha256", v);
        }
    }
    if !parts.headers.contains_key("x-amz-sha256-tree-hash") {
        const MIB: usize = 1024 * 1024;
        let mut level: Vec<[u8; 32]> = if body.is_empty() {
            vec![Sha256::digest(b"").into()]
        } else {
            body.chunks(MIB).map(|c| Sha256::digest(c).into()).collect()
        };
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| match pair {
                    [a, b] => {
                        let mut h = Sha256::new();
                        h.update(a);
                        h.update(b);
                        h.finalize().into()
                    }
                    odd => odd.first().copied().unwrap_or_default(),
                })
                .collect();
        }
        if let Ok(v) = HeaderValue::from_str(&hex(&level[0])) {
            parts.headers.insert("x-amz-sha256-tree-hash", v);
        }
    }
}

#[cfg(test)]
mod request_extras_tests {
    use super::*;

    fn parts(body: &[u8]) -> RequestParts {
        RequestBuilder::new(Method::POST, "/".into()).finish(Some((body.to_vec(), "text/plain")))
    }

    #[cfg(feature = "checksums")]
    #[test]
    fn content_md5_is_base64_of_the_md5() {
        let mut p = parts(br#"{"foo":"base64 encoded md5 checksum"}"#);
        add_content_md5(&mut p);
        assert_eq!(p.headers["content-md5"], "iB0/3YSo7maijL0IGOgA9g==");
    }

    #[cfg(feature = "compression")]
    #[test]
    fn small_bodies_stay_uncompressed_and_large_ones_are_gzipped() {
        let mut small = parts(b"hello");
        gzip_body(&mut small).unwrap();
        assert!(small.headers.get("content-encoding").is_none());
        assert_eq!(&small.body[..], b"hello");

        let data = vec![b'a'; MIN_COMPRESSION_SIZE + 1];
        let mut large = parts(&data);
        large
            .headers
            .insert("content-encoding", HeaderValue::from_static("custom"));
        gzip_body(&mut large).unwrap();
        assert_eq!(large.headers["content-encoding"], "custom, gzip");
        assert_eq!(
            large.headers["content-length"],
            large.body.len().to_string().as_str()
        );
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&large.body[..]), &mut out)
            .unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn glacier_checksums_of_a_small_body() {
        let mut p = parts(b"hello world");
        add_glacier_checksums(&mut p);
        let h = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
        assert_eq!(p.headers["x-amz-content-sha256"], h);
        assert_eq!(p.headers["x-amz-sha256-tree-hash"], h);
    }

    #[test]
    fn glacier_tree_hash_combines_mebibyte_chunks() {
        use sha2::{Digest, Sha256};
        let body = vec![7u8; 1024 * 1024 + 10];
        let a = Sha256::digest(&body[..1024 * 1024]);
        let b = Sha256::digest(&body[1024 * 1024..]);
        let mut h = Sha256::new();
        h.update(a);
        h.update(b);
        let want: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let mut p = parts(&body);
        add_glacier_checksums(&mut p);
        assert_eq!(p.headers["x-amz-sha256-tree-hash"], want.as_str());
    }
}

/// A random (version 4) UUID from the runtime's fast generator: invocation ids and
/// idempotency tokens need uniqueness, not secrecy, and this avoids a system call per call.
pub fn random_uuid() -> String {
    let text = random_uuid_text();
    // Hexadecimal digits and dashes only.
    String::from_utf8_lossy(&text).into_owned()
}

/// [`random_uuid`] as its 36 ASCII bytes (lowercase, hyphenated), without allocating.
pub(crate) fn random_uuid_text() -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    /// Where each byte's two digits go: the hyphens stay at 8, 13, 18 and 23.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut bytes = crate::random::u128().to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 9562 variant
    let mut text = [b'-'; 36];
    for (byte, at) in bytes.into_iter().zip(AT) {
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0x0f)];
    }
    text
}

#[cfg(test)]
mod uuid_tests {
    use super::*;

    #[test]
    fn random_uuids_are_version_4_in_the_canonical_form() {
        let a = random_uuid();
        assert_eq!(a.len(), 36);
        for (i, c) in a.char_indices() {
            match i {
                8 | 13 | 18 | 23 => assert_eq!(c, '-', "{a}"),
                14 => assert_eq!(c, '4', "{a}"),
                19 => assert!(matches!(c, '8' | '9' | 'a' | 'b'), "{a}"),
                _ => assert!(c.is_ascii_hexdigit() && !c.is_ascii_uppercase(), "{a}"),
            }
        }
        assert_ne!(a, random_uuid());
    }
}
