//! SigV4 verification of incoming requests.
//!
//! The canonical request is rebuilt from exactly the headers the client listed
//! in `SignedHeaders`, so requests signed by any conforming signer verify; key
//! derivation and the final HMAC come from `aws-sigv4`.

use std::time::{Duration, SystemTime};

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::error::ServiceError;
use crate::time::{format_amz_date, parse_amz_date};

/// RFC 3986 unreserved characters stay; everything else is encoded.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// As [`STRICT`], keeping `/` for paths.
const PATH: &AsciiSet = &STRICT.remove(b'/');

/// What the verifier needs from the service configuration.
pub(crate) struct Verifier<'a> {
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
    pub(crate) lookup_secret: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub(crate) now: SystemTime,
    pub(crate) max_skew: Duration,
}

struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn incomplete(message: impl Into<String>) -> ServiceError {
    ServiceError::IncompleteSignature {
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::InvalidSignature {
        message: message.into(),
    }
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, ServiceError> {
    let value = value.trim();
    let Some(params) = value.strip_prefix("AWS4-HMAC-SHA256") else {
        let algorithm = value.split_whitespace().next().unwrap_or("");
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Only AWS4-HMAC-SHA256 is supported."
        )));
    };
    if !params.starts_with(' ') {
        return Err(incomplete(
            "Authorization header is missing its parameters.",
        ));
    }
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in params.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            return Err(incomplete(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' \
                 parameters in the form key=value.",
            ));
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed = Some(v.trim()),
            "Signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    if credential.is_none() {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signed.is_none() {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    if signature.is_none() {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(incomplete(missing.join(" ")));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope.as_slice() else {
        return Err(incomplete(
            "Credential should be of the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request.",
        ));
    };
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        terminator,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Removes `.` and `..` segments as RFC 3986 section 5.2.4 describes.
fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// Non-S3 services sign the already-encoded path encoded once more.
fn canonical_uri(path: &str, double_encode: bool) -> String {
    let normalized = normalize_path(path);
    if double_encode {
        utf8_percent_encode(&normalized, PATH).to_string()
    } else {
        let decoded = percent_decode_str(&normalized).decode_utf8_lossy();
        utf8_percent_encode(&decoded, PATH).to_string()
    }
}

fn canonical_query(query: Option<&str>) -> String {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let enc = |s: &str| {
                let raw = percent_decode_str(s).collect::<Vec<u8>>();
                percent_encoding::percent_encode(&raw, STRICT).to_string()
            };
            (enc(k), enc(v))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn canonical_header_value(headers: &HeaderMap, name: &str) -> String {
    headers
        .get_all(name)
        .iter()
        .map(|v| {
            let raw = String::from_utf8_lossy(v.as_bytes());
            raw.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What the headers alone established: a known access key, a well-formed
/// scope for this service and region, and a fresh date.
pub(crate) struct HeaderAuth<'h> {
    auth: Authorization<'h>,
    amz_date: &'h str,
    signed_at: i64,
    secret: String,
}

impl Verifier<'_> {
    /// Checks everything the headers allow before the body is read, so an
    /// unauthenticated client cannot make the service buffer its upload.
    pub(crate) fn authenticate_headers<'h>(
        &self,
        headers: &'h HeaderMap,
    ) -> Result<HeaderAuth<'h>, ServiceError> {
        let Some(auth_value) = headers.get(http::header::AUTHORIZATION) else {
            return Err(ServiceError::MissingAuthenticationToken);
        };
        let Ok(auth_value) = auth_value.to_str() else {
            return Err(incomplete("Authorization header is not valid ASCII."));
        };
        let auth = parse_authorization(auth_value)?;

        let Some(amz_date) = header_str(headers, "x-amz-date") else {
            return Err(incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            ));
        };
        let Some(signed_at) = parse_amz_date(amz_date) else {
            return Err(incomplete(format!(
                "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
            )));
        };
        let Some(secret) = (self.lookup_secret)(auth.access_key_id) else {
            return Err(ServiceError::UnrecognizedClient);
        };
        if auth.terminator != "aws4_request" {
            return Err(invalid(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
                auth.terminator
            )));
        }
        if auth.service != self.service {
            return Err(invalid(format!(
                "Credential should be scoped to correct service: '{}'.",
                self.service
            )));
        }
        if auth.region != self.region {
            return Err(invalid(format!(
                "Credential should be scoped to a valid region, not '{}'.",
                auth.region
            )));
        }
        if amz_date.get(0..8) != Some(auth.date) {
            return Err(invalid(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
                auth.date,
                amz_date.get(0..8).unwrap_or("")
            )));
        }
        let now = crate::time::to_millis(self.now) / 1000;
        let skew = i64::try_from(self.max_skew.as_secs()).unwrap_or(i64::MAX);
        if signed_at < now.saturating_sub(skew) {
            return Err(invalid(format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - {} min.)",
                format_amz_date(now - skew),
                format_amz_date(now),
                skew / 60
            )));
        }
        if signed_at > now.saturating_add(skew) {
            return Err(invalid(format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + {} min.)",
                format_amz_date(now + skew),
                format_amz_date(now),
                skew / 60
            )));
        }
        if !auth.signed_headers.contains(&"host") {
            return Err(invalid(
                "'Host' must be a 'SignedHeader' in the AWS Authorization.",
            ));
        }
        Ok(HeaderAuth {
            auth,
            amz_date,
            signed_at,
            secret,
        })
    }

    /// Verifies the signature over the whole request, body included.
    pub(crate) fn verify_signature(
        &self,
        pre: HeaderAuth<'_>,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), ServiceError> {
        let HeaderAuth {
            auth,
            amz_date,
            signed_at,
            secret,
        } = pre;
        let body_hash = sha256_hex(body);
        let payload_hash = match header_str(headers, "x-amz-content-sha256") {
            Some("UNSIGNED-PAYLOAD") => "UNSIGNED-PAYLOAD".to_string(),
            Some(declared) => {
                if !declared.eq_ignore_ascii_case(&body_hash) {
                    return Err(invalid(
                        "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    ));
                }
                declared.to_string()
            }
            None => body_hash,
        };

        let mut canonical_headers = String::new();
        for name in &auth.signed_headers {
            let lower = name.to_ascii_lowercase();
            canonical_headers.push_str(&lower);
            canonical_headers.push(':');
            canonical_headers.push_str(&canonical_header_value(headers, &lower));
            canonical_headers.push('\n');
        }
        let signed_headers = auth.signed_headers.join(";");
        let scope = format!(
            "{}/{}/{}/aws4_request",
            auth.date, auth.region, auth.service
        );
        let signing_time = crate::time::from_millis(signed_at.saturating_mul(1000));
        let key = generate_signing_key(&secret, signing_time, auth.region, auth.service);

        // Double encoding is what the AWS SDKs use for this service; single
        // encoding is accepted too so hand-rolled signers still work.
        for double_encode in [true, false] {
            let canonical_request = format!(
                "{method}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
                canonical_uri(path, double_encode),
                canonical_query(query),
            );
            let string_to_sign = format!(
                "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
                sha256_hex(canonical_request.as_bytes())
            );
            let expected = calculate_signature(key.as_ref(), string_to_sign.as_bytes());
            if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
                return Ok(());
            }
        }
        Err(invalid(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_double_encodes_paths() {
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("/a/./b/../c"), "/a/c");
        assert_eq!(normalize_path("/a/.."), "/");
        assert_eq!(
            canonical_uri("/tags/arn%3Aaws%3Aivschat", true),
            "/tags/arn%253Aaws%253Aivschat"
        );
        assert_eq!(canonical_uri("/tags/arn%3Aaws", false), "/tags/arn%3Aaws");
    }

    #[test]
    fn canonical_query_sorts_and_reencodes() {
        assert_eq!(canonical_query(None), "");
        assert_eq!(
            canonical_query(Some("tagKeys=b&tagKeys=a%20x&flag")),
            "flag=&tagKeys=a%20x&tagKeys=b"
        );
        assert_eq!(canonical_query(Some("k=a:b")), "k=a%3Ab");
    }

    #[test]
    fn parses_authorization_parameters() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-west-2/ivschat/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .expect("parses");
        assert_eq!(a.access_key_id, "AKID");
        assert_eq!(a.date, "20240102");
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(a.signature, "abc");
        assert!(parse_authorization("Basic xyz").is_err());
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=a/b/c/d/e").is_err());
        assert!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=x")
                .is_err()
        );
    }
}
