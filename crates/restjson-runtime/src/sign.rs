//! SigV4 request signing with the aws-sigv4 crate.

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::{HeaderName, HeaderValue};

use crate::credentials::Credentials;
use crate::error::BoxError;
use crate::http::HttpRequest;

/// Headers left out of the signature: aws-sigv4's defaults (`authorization`, `user-agent`,
/// `x-amzn-trace-id`, `transfer-encoding`: changed by proxies or by signing itself), the
/// per-attempt SDK headers, which change between attempts and are not signed by the other AWS
/// SDKs either, and `content-length`, left out like botocore does, so signatures match its.
/// They are filtered out before the request reaches the signer, which is then told of none
/// (its own list would be an allocation per request and a comparison per header).
static UNSIGNED_HEADERS: [HeaderName; 7] = [
    http::header::AUTHORIZATION,
    http::header::USER_AGENT,
    HeaderName::from_static("x-amzn-trace-id"),
    http::header::TRANSFER_ENCODING,
    HeaderName::from_static("amz-sdk-invocation-id"),
    HeaderName::from_static("amz-sdk-request"),
    http::header::CONTENT_LENGTH,
];

/// The headers the signer adds, named once rather than parsed per request.
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");

/// The signing settings: aws-sigv4's defaults without its list of excluded headers (see
/// [`UNSIGNED_HEADERS`]).
/// Made once: `SigningSettings::default()` allocates that list, a copy without it does not.
fn settings() -> SigningSettings {
    static SETTINGS: std::sync::OnceLock<SigningSettings> = std::sync::OnceLock::new();
    SETTINGS
        .get_or_init(|| {
            let mut settings = SigningSettings::default();
            settings.excluded_headers = None;
            settings
        })
        .clone()
}

/// Signs `request` in place for `service` in `region` at `time`: adds `x-amz-date`,
/// `x-amz-security-token` (when the credentials have a session token) and `authorization`.
///
/// Every header already on the request is signed except `user-agent`, `authorization`,
/// `x-amzn-trace-id` and `transfer-encoding` (which proxies may change), and the SDK's
/// `amz-sdk-invocation-id` and `amz-sdk-request`.
pub fn sign_request(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), BoxError> {
    sign_request_payload(request, None, credentials, region, service, time, false)
}

/// [`sign_request`], with `unsigned_payload` for a body that is streamed rather than in
/// `request` (its hash is then `UNSIGNED-PAYLOAD`, as the AWS SDKs sign streams). `uri` is
/// the request's URI as text when the caller has it (saves formatting it again).
pub(crate) fn sign_request_payload(
    request: &mut HttpRequest,
    uri: Option<&str>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
    unsigned_payload: bool,
) -> Result<(), BoxError> {
    // Set in place: the by-value setters would move the builder once per parameter.
    let mut params = v4::SigningParams::builder();
    params.set_identity(Some(credentials.identity()));
    params.set_region(Some(region));
    params.set_name(Some(service));
    params.set_time(Some(time));
    params.set_settings(Some(settings()));
    let params = params.build()?.into();
    let uri: std::borrow::Cow<'_, str> = match uri {
        Some(text) => text.into(),
        None => request.uri().to_string().into(),
    };
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        if UNSIGNED_HEADERS.contains(name) {
            continue;
        }
        let value = value
            .to_str()
            .map_err(|_| format!("header {name} is not visible ASCII and cannot be signed"))?;
        headers.push((name.as_str(), value));
    }
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri,
        headers.into_iter(),
        if unsigned_payload {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(request.body())
        },
    )?;
    let (instructions, _signature) = sign(signable, &params)?.into_parts();
    let (new_headers, _params) = instructions.into_parts();
    for header in new_headers {
        let mut value = HeaderValue::from_str(header.value())?;
        value.set_sensitive(header.sensitive());
        let name = match header.name() {
            "x-amz-date" => X_AMZ_DATE,
            "x-amz-security-token" => X_AMZ_SECURITY_TOKEN,
            "authorization" => http::header::AUTHORIZATION,
            other => HeaderName::from_static(other),
        };
        crate::http::set_header(request.headers_mut(), name, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use bytes::Bytes;

    use super::*;

    fn signed(extra: &[(&'static str, &'static str)]) -> HttpRequest {
        let mut request = http::Request::post("https://example.com/path?a=1")
            .header("content-type", "application/json")
            .header("x-custom", "kept")
            .body(Bytes::from_static(b"{}"))
            .expect("request");
        for (name, value) in extra {
            request
                .headers_mut()
                .append(*name, HeaderValue::from_static(value));
        }
        let credentials = Credentials::from_keys("AKID", "SECRET", Some("TOKEN".to_owned()));
        let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        sign_request(&mut request, &credentials, "us-east-1", "svc", time).expect("signed");
        request
    }

    #[test]
    fn unsigned_headers_change_nothing_in_the_signature() {
        let plain = signed(&[]);
        let with_unsigned = signed(&[
            ("user-agent", "ua/1"),
            ("x-amzn-trace-id", "Root=1"),
            ("transfer-encoding", "chunked"),
            ("amz-sdk-invocation-id", "id"),
            ("amz-sdk-request", "attempt=1; max=3"),
            ("content-length", "2"),
        ]);
        let authorization = plain.headers()["authorization"].to_str().expect("text");
        assert!(
            authorization.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/svc/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-custom, \
                 Signature="
            ),
            "{authorization}"
        );
        assert_eq!(
            with_unsigned.headers()["authorization"],
            plain.headers()["authorization"]
        );
        for request in [&plain, &with_unsigned] {
            assert_eq!(request.headers()["x-amz-date"], "20231114T221320Z");
            assert_eq!(request.headers()["x-amz-security-token"], "TOKEN");
            assert!(request.headers()["x-amz-security-token"].is_sensitive());
        }
    }

    #[test]
    fn a_header_the_signer_adds_replaces_one_already_there() {
        let request = signed(&[("authorization", "stale"), ("x-amz-date", "stale")]);
        assert_eq!(request.headers().get_all("authorization").iter().count(), 1);
        assert_eq!(request.headers().get_all("x-amz-date").iter().count(), 1);
        assert_ne!(request.headers()["authorization"], "stale");
    }
}
