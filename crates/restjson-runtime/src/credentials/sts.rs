//! The two STS operations the credential providers call, `AssumeRole` and
//! `AssumeRoleWithWebIdentity`, in STS's awsQuery protocol: a form-encoded `POST /` answered in
//! XML.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};

use super::service::{ServiceConfig, call_error, failure_kind, regional_endpoint, service_meta};
use super::util::{UNRESERVED, parse_rfc3339};
use super::xml::{Reader, Token};
use super::{Credentials, CredentialsError, CredentialsErrorKind};
use crate::client::{AuthScheme, ErrorRules, Handle, OperationMeta, RequestParts, ServiceMeta};
use crate::config::CredentialsSetting;
use crate::endpoint::{Endpoint, EndpointError, EndpointParams, ParamValue};
use crate::error::{ErrorMetadata, SdkError, SdkErrorKind, Unhandled};
use crate::http::HttpResponse;
use crate::json::DeserializeError;

const API_VERSION: &str = "2011-06-15";

/// The region STS is called in when none is configured: that of its historical global
/// endpoint, as the AWS SDKs do.
const FALLBACK_REGION: &str = "us-east-1";

static STS: ServiceMeta = service_meta("STS", "sts", "sts", resolve_endpoint);

/// Error responses are XML; `IDPCommunicationError` (the identity provider did not answer STS)
/// is worth retrying, as the AWS SDKs do.
static STS_ERRORS: ErrorRules = ErrorRules {
    metadata: error_metadata,
    transient_codes: &["IDPCommunicationError"],
};

static ASSUME_ROLE: OperationMeta = OperationMeta {
    name: "AssumeRole",
    idempotent: false,
    auth: &[AuthScheme::SigV4],
};

static ASSUME_ROLE_WITH_WEB_IDENTITY: OperationMeta = OperationMeta {
    name: "AssumeRoleWithWebIdentity",
    idempotent: false,
    // The web identity token is the proof of identity: the call is not signed.
    auth: &[],
};

/// A handle on STS in `region`, else the configured region, else us-east-1.
pub(crate) fn client(
    config: &ServiceConfig,
    region: Option<&str>,
    credentials: CredentialsSetting,
) -> Handle {
    let region = region.or(config.region()).unwrap_or(FALLBACK_REGION);
    config.handle(&STS, &STS_ERRORS, region, credentials)
}

/// Regional endpoints; `aws-global` is the historical global endpoint, signed for us-east-1.
fn resolve_endpoint(params: &EndpointParams) -> Result<Endpoint, EndpointError> {
    match params.get("Region") {
        Some(ParamValue::String(region))
            if region == "aws-global" && params.get("Endpoint").is_none() =>
        {
            Ok(Endpoint::new("https://sts.amazonaws.com").with_property(
                "authSchemes",
                serde_json::json!([
                    {"name": "sigv4", "signingName": "sts", "signingRegion": "us-east-1"}
                ]),
            ))
        }
        _ => regional_endpoint(params, "sts"),
    }
}

/// How a provider reports an STS error: its kind, and a hint at the usual cause.
fn classify(error: &Unhandled, web_identity: bool) -> (CredentialsErrorKind, &'static str) {
    use CredentialsErrorKind::{InvalidConfiguration, ProviderError};
    match error.code().unwrap_or_default() {
        "ExpiredTokenException" if web_identity => (
            ProviderError,
            "the web identity token has expired; the token file is read again on the next attempt",
        ),
        "ExpiredTokenException" => (
            ProviderError,
            "the session token of the source credentials has expired",
        ),
        "AccessDenied" => (
            ProviderError,
            "the caller may not assume this role: check the role's trust policy and the caller's permissions",
        ),
        "RegionDisabledException" => (
            InvalidConfiguration,
            "STS is not activated in this region: activate it in the IAM console or configure another region",
        ),
        "IDPCommunicationError" => (
            ProviderError,
            "STS could not reach the identity provider that issued the token (retried)",
        ),
        "IDPRejectedClaim" => (
            ProviderError,
            "the identity provider rejected the token's claims",
        ),
        "InvalidIdentityToken" => (
            ProviderError,
            "the web identity token was refused: check the token file and the role's OIDC provider",
        ),
        "MalformedPolicyDocument" => (
            InvalidConfiguration,
            "the session policy is not a valid IAM policy",
        ),
        "PackedPolicyTooLarge" => (
            InvalidConfiguration,
            "the session policies and tags are too large",
        ),
        "ValidationError" | "InvalidParameterValue" | "InvalidParameterCombination" => (
            InvalidConfiguration,
            "check the role ARN, the session name and the duration",
        ),
        _ => (ProviderError, "STS refused to issue credentials"),
    }
}

/// The credentials error for a failed STS call; `what` says what was being done.
pub(crate) fn failed(
    what: &str,
    error: SdkError<Unhandled>,
    web_identity: bool,
) -> CredentialsError {
    let (kind, hint) = match error.kind() {
        SdkErrorKind::Service { error, .. } => {
            let (kind, hint) = classify(error, web_identity);
            (kind, Some(hint))
        }
        _ => (failure_kind(&error), None),
    };
    call_error(what, kind, error, hint)
}

/// The parameters of `AssumeRole`.
pub(crate) struct AssumeRole<'a> {
    pub(crate) role_arn: &'a str,
    pub(crate) session_name: &'a str,
    pub(crate) external_id: Option<&'a str>,
    pub(crate) duration: Option<Duration>,
}

/// Calls `AssumeRole` (the handle signs with the source credentials).
pub(crate) async fn assume_role(
    handle: &Handle,
    input: &AssumeRole<'_>,
) -> Result<Credentials, SdkError<Unhandled>> {
    let duration = input.duration.map(|d| d.as_secs().to_string());
    let body = form(
        ASSUME_ROLE.name,
        &[
            ("RoleArn", Some(input.role_arn)),
            ("RoleSessionName", Some(input.session_name)),
            ("DurationSeconds", duration.as_deref()),
            ("ExternalId", input.external_id),
        ],
    );
    handle
        .invoke(
            &ASSUME_ROLE,
            Ok(request(body)),
            parse_assume_role,
            sts_error,
        )
        .await
}

/// Calls `AssumeRoleWithWebIdentity` (unsigned: the token is the proof of identity).
pub(crate) async fn assume_role_with_web_identity(
    handle: &Handle,
    role_arn: &str,
    session_name: &str,
    token: &str,
) -> Result<Credentials, SdkError<Unhandled>> {
    let body = form(
        ASSUME_ROLE_WITH_WEB_IDENTITY.name,
        &[
            ("RoleArn", Some(role_arn)),
            ("RoleSessionName", Some(session_name)),
            ("WebIdentityToken", Some(token)),
        ],
    );
    handle
        .invoke(
            &ASSUME_ROLE_WITH_WEB_IDENTITY,
            Ok(request(body)),
            parse_assume_role_with_web_identity,
            sts_error,
        )
        .await
}

/// The form body of an awsQuery request: action, version, then the parameters that are set,
/// percent-encoded as RFC 3986 unreserved characters.
fn form(action: &str, params: &[(&str, Option<&str>)]) -> Bytes {
    let mut body = format!("Action={action}&Version={API_VERSION}");
    for (name, value) in params {
        if let Some(value) = value {
            body.push('&');
            body.push_str(name);
            body.push('=');
            body.extend(percent_encoding::utf8_percent_encode(value, UNRESERVED));
        }
    }
    Bytes::from(body)
}

fn request(body: Bytes) -> RequestParts {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
    );
    RequestParts {
        method: Method::POST,
        path_and_query: "/".to_owned(),
        headers,
        body,
        ..RequestParts::default()
    }
}

fn sts_error(meta: &ErrorMetadata, response: &HttpResponse) -> Result<Unhandled, DeserializeError> {
    Ok(Unhandled::new(response.status().as_u16(), meta.clone()))
}

fn parse_assume_role(response: &HttpResponse) -> Result<Credentials, DeserializeError> {
    parse_credentials(response.body(), "AssumeRole", "AssumeRole")
}

fn parse_assume_role_with_web_identity(
    response: &HttpResponse,
) -> Result<Credentials, DeserializeError> {
    parse_credentials(
        response.body(),
        "AssumeRoleWithWebIdentity",
        "WebIdentityToken",
    )
}

/// The `Credentials` element of `<{action}Response><{action}Result>`.
fn parse_credentials(
    body: &[u8],
    action: &str,
    provider_name: &'static str,
) -> Result<Credentials, DeserializeError> {
    let response = format!("{action}Response");
    let result = format!("{action}Result");
    let path = |leaf: &'static str| [response.as_str(), result.as_str(), "Credentials", leaf];
    let [id, secret, token, expiration] = xml_texts(
        body,
        [
            &path("AccessKeyId"),
            &path("SecretAccessKey"),
            &path("SessionToken"),
            &path("Expiration"),
        ],
    )
    .map_err(|e| DeserializeError::new(format!("the STS response is {e}")))?;
    let required = |value: Option<String>, name: &str| {
        value.filter(|v| !v.is_empty()).ok_or_else(|| {
            DeserializeError::new(format!(
                "the STS response has no `{name}` in {response}/{result}/Credentials"
            ))
        })
    };
    let id = required(id, "AccessKeyId")?;
    let secret = required(secret, "SecretAccessKey")?;
    let token = required(token, "SessionToken")?;
    let expiration = required(expiration, "Expiration")?;
    let expiry = parse_rfc3339(&expiration)
        .map_err(|e| DeserializeError::new(format!("`Expiration` of the STS response is {e}")))?;
    Ok(Credentials::new(
        id,
        secret,
        Some(token),
        Some(expiry),
        provider_name,
    ))
}

/// Code, message and request id of an STS error:
/// `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`, the request
/// id also from the `x-amzn-requestid` header. A body that is not such a document only loses
/// its code and message.
fn error_metadata(headers: &HeaderMap, body: &[u8]) -> ErrorMetadata {
    let found = xml_texts(
        body,
        [
            &["ErrorResponse", "Error", "Code"],
            &["ErrorResponse", "Error", "Message"],
            &["ErrorResponse", "RequestId"],
        ],
    );
    let [code, message, request_id] = found.unwrap_or_default();
    let header_id = headers
        .get("x-amzn-requestid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ErrorMetadata::new(
        code.filter(|c| !c.is_empty()),
        message,
        header_id.or(request_id),
    )
}

/// Deeper documents are refused: STS answers nest four levels.
const MAX_XML_DEPTH: usize = 32;

/// The text of the first element at each of `paths` (element local names from the root;
/// namespace prefixes are ignored), trimmed. Errors never quote the document: it may hold
/// secrets.
fn xml_texts<const N: usize>(
    body: &[u8],
    paths: [&[&str]; N],
) -> Result<[Option<String>; N], String> {
    let text = std::str::from_utf8(body)
        .map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))?;
    let mut reader = Reader::new(text, MAX_XML_DEPTH);
    let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
    // The path being read, when the current element is one of `paths` seen for the first time.
    let mut current: Option<usize> = None;
    while let Some(token) = reader.next_token()? {
        match token {
            Token::Start { empty } => {
                let local = reader.open().iter().map(|name| local_name(name));
                current = paths
                    .iter()
                    .position(|p| p.iter().copied().eq(local.clone()))
                    .filter(|i| found[*i].is_none());
                if let Some(i) = current {
                    found[i] = Some(String::new());
                }
                if empty {
                    current = None;
                }
            }
            Token::End => current = None,
            Token::Text(t) => {
                if let Some(value) = current.and_then(|i| found[i].as_mut()) {
                    value.push_str(&t);
                }
            }
        }
    }
    for value in found.iter_mut().flatten() {
        let trimmed = value.trim();
        if trimmed.len() != value.len() {
            *value = trimmed.to_owned();
        }
    }
    Ok(found)
}

/// `name` without its namespace prefix.
fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_encode_unreserved_characters_only_and_skip_unset_parameters() {
        let body = form(
            "AssumeRole",
            &[
                ("RoleArn", Some("arn:aws:iam::123456789012:role/a b+c")),
                ("DurationSeconds", None),
                ("RoleSessionName", Some("s-1_2.3~é")),
            ],
        );
        assert_eq!(
            body,
            "Action=AssumeRole&Version=2011-06-15\
             &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa%20b%2Bc\
             &RoleSessionName=s-1_2.3~%C3%A9"
        );
    }

    #[test]
    fn xml_texts_follow_paths_entities_and_namespaces() {
        let doc = br#"<?xml version="1.0"?>
            <r:Root xmlns:r="urn:x"><A>first &amp; &#x41;<![CDATA[<c>]]></A><A>second</A>
            <B><C> spaced </C><D/></B></r:Root>"#;
        let [a, c, d, missing] = xml_texts(
            doc,
            [
                &["Root", "A"],
                &["Root", "B", "C"],
                &["Root", "B", "D"],
                &["Root", "Z"],
            ],
        )
        .unwrap();
        assert_eq!(a.as_deref(), Some("first & A<c>"));
        assert_eq!(c.as_deref(), Some("spaced"));
        assert_eq!(d.as_deref(), Some(""));
        assert_eq!(missing, None);
    }

    #[test]
    fn bad_xml_is_described_without_its_content() {
        let cases: [(&[u8], &str); 5] = [
            (b"<a><b>SECRET</a>", "not well-formed XML (near byte"),
            (b"<a>SECRET", "truncated XML"),
            (b"<a>&secret;</a>", "undefined entity"),
            (b"\xff<a/>", "not UTF-8 (at byte 0)"),
            (&[b'<', b'a', b'>'].repeat(40), "nested deeper than 32"),
        ];
        for (doc, expected) in cases {
            let error = xml_texts(doc, [&["a"]]).unwrap_err();
            assert!(error.contains(expected), "{error}");
            assert!(
                !error.contains("SECRET") && !error.contains("secret"),
                "{error}"
            );
        }
    }

    /// 2030-01-01T00:00:00Z, the expiry of the answers below.
    const Y2030: Duration = Duration::from_secs(1_893_456_000);

    #[test]
    fn parses_an_assume_role_answer_in_full() {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\r\n\
  <AssumeRoleResult>\r\n\
    <SourceIdentity>dev-42</SourceIdentity>\r\n\
    <AssumedRoleUser>\r\n\
      <Arn>arn:aws:sts::123456789012:assumed-role/reader/session-1</Arn>\r\n\
      <AssumedRoleId>AROAEXAMPLEID:session-1</AssumedRoleId>\r\n\
    </AssumedRoleUser>\r\n\
    <Credentials>\r\n\
      <AccessKeyId>ASIAEXAMPLEKEY</AccessKeyId>\r\n\
      <SecretAccessKey>secret/with+base64=</SecretAccessKey>\r\n\
      <SessionToken>IQoJb3JpZ2luX2Vj&#43;token/part==</SessionToken>\r\n\
      <Expiration>2030-01-01T00:00:00Z</Expiration>\r\n\
    </Credentials>\r\n\
    <PackedPolicySize>6</PackedPolicySize>\r\n\
  </AssumeRoleResult>\r\n\
  <ResponseMetadata>\r\n\
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\r\n\
  </ResponseMetadata>\r\n\
</AssumeRoleResponse>\r\n";
        let creds = parse_credentials(body, "AssumeRole", "AssumeRole").unwrap();
        assert_eq!(creds.access_key_id(), "ASIAEXAMPLEKEY");
        assert_eq!(creds.secret_access_key(), "secret/with+base64=");
        assert_eq!(creds.session_token(), Some("IQoJb3JpZ2luX2Vj+token/part=="));
        assert_eq!(creds.expiry(), Some(std::time::UNIX_EPOCH + Y2030));
        assert_eq!(creds.provider_name(), "AssumeRole");
    }

    #[test]
    fn parses_an_assume_role_with_web_identity_answer_in_full() {
        let body = br#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/web/app-session</Arn>
      <AssumedRoleId>AROAWEBEXAMPLE:app-session</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>web-token</SessionToken>
      <SecretAccessKey>web-secret</SecretAccessKey>
      <Expiration>2030-01-01T00:00:00.000Z</Expiration>
      <AccessKeyId>ASIAWEBKEY</AccessKeyId>
    </Credentials>
    <SourceIdentity/>
    <Provider>https://oidc.example.com/id/ABC</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>rid-web</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#;
        let creds =
            parse_credentials(body, "AssumeRoleWithWebIdentity", "WebIdentityToken").unwrap();
        assert_eq!(
            (
                creds.access_key_id(),
                creds.secret_access_key(),
                creds.session_token()
            ),
            ("ASIAWEBKEY", "web-secret", Some("web-token"))
        );
        assert_eq!(creds.expiry(), Some(std::time::UNIX_EPOCH + Y2030));
        // The other action's answer has none of the expected paths.
        let error = parse_credentials(body, "AssumeRole", "AssumeRole").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the STS response has no `AccessKeyId` in \
             AssumeRoleResponse/AssumeRoleResult/Credentials"
        );
    }

    #[test]
    fn a_malformed_credentials_answer_is_an_error_without_its_secrets() {
        let truncated = b"<AssumeRoleResponse><AssumeRoleResult><Credentials>\
            <AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>SECRET";
        let error = parse_credentials(truncated, "AssumeRole", "AssumeRole").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("the STS response is truncated XML"), "{text}");
        assert!(!text.contains("SECRET") && !text.contains("ASIA"), "{text}");
    }

    #[test]
    fn error_metadata_reads_the_error_document() {
        let body = br#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error>
          <RequestId>rid-body</RequestId></ErrorResponse>"#;
        let meta = error_metadata(&HeaderMap::new(), body);
        assert_eq!(
            (meta.code(), meta.message(), meta.request_id()),
            (Some("AccessDenied"), Some("not allowed"), Some("rid-body"))
        );
        let mut headers = HeaderMap::new();
        headers.insert("x-amzn-requestid", HeaderValue::from_static("rid-header"));
        let meta = error_metadata(&headers, b"<html>oops");
        assert_eq!(
            (meta.code(), meta.message(), meta.request_id()),
            (None, None, Some("rid-header"))
        );
    }
}
