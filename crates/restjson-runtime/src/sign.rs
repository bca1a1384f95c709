//! SigV4 request signing with the aws-sigv4 crate.

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::{HeaderName, HeaderValue};

use crate::credentials::Credentials;
use crate::error::BoxError;
use crate::http::HttpRequest;

/// Headers left out of the signature: the per-attempt SDK headers change between attempts
/// and are not signed by the other AWS SDKs either; `content-length` is left out like botocore
/// does, so signatures match its.
const UNSIGNED_HEADERS: &[&str] = &["amz-sdk-invocation-id", "amz-sdk-request", "content-length"];

/// The signing settings, built once: the unsigned headers are also filtered out before the
/// request reaches the signer, so it has less to look at.
fn settings() -> SigningSettings {
    static SETTINGS: std::sync::OnceLock<SigningSettings> = std::sync::OnceLock::new();
    SETTINGS
        .get_or_init(|| {
            let mut settings = SigningSettings::default();
            let excluded = settings.excluded_headers.get_or_insert_with(Vec::new);
            excluded.extend(
                UNSIGNED_HEADERS
                    .iter()
                    .map(|h| std::borrow::Cow::Borrowed(*h)),
            );
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
    let params = v4::SigningParams::builder()
        .identity(credentials.identity())
        .region(region)
        .name(service)
        .time(time)
        .settings(settings())
        .build()?
        .into();
    let uri: std::borrow::Cow<'_, str> = match uri {
        Some(text) => text.into(),
        None => request.uri().to_string().into(),
    };
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        if UNSIGNED_HEADERS.contains(&name.as_str()) || name == http::header::USER_AGENT {
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
        request
            .headers_mut()
            .insert(HeaderName::from_static(header.name()), value);
    }
    Ok(())
}
