//! An independent SigV4 verifier: recomputes the signature of a captured request from first
//! principles (sha2 + hmac), without the signer under test.

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Access key id.
    pub access_key_id: String,
    /// `YYYYMMDD/region/service/aws4_request`.
    pub scope: String,
    /// Lowercase signed header names, in order.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Parses an Authorization header.
pub fn parse_authorization(value: &str) -> Result<Authorization, String> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| format!("not a SigV4 Authorization header: {value}"))?;
    let mut cred = None;
    let mut signed = None;
    let mut sig = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            cred = Some(v.to_owned());
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v.split(';').map(str::to_owned).collect());
        } else if let Some(v) = part.strip_prefix("Signature=") {
            sig = Some(v.to_owned());
        }
    }
    let cred = cred.ok_or("no Credential")?;
    let (akid, scope) = cred.split_once('/').ok_or("bad Credential")?;
    Ok(Authorization {
        access_key_id: akid.to_owned(),
        scope: scope.to_owned(),
        signed_headers: signed.ok_or("no SignedHeaders")?,
        signature: sig.ok_or("no Signature")?,
    })
}

/// The canonical request of a request as sent (path double-encoded, as for every service but S3).
pub fn canonical_request(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    signed_headers: &[String],
    body: &[u8],
) -> String {
    let path: String = raw_path
        .split('/')
        .map(|seg| utf8_percent_encode(seg, STRICT).to_string())
        .collect::<Vec<_>>()
        .join("/");
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (
                utf8_percent_encode(&dec(k), STRICT).to_string(),
                utf8_percent_encode(&dec(v), STRICT).to_string(),
            )
        })
        .collect();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canon_headers = String::new();
    for name in signed_headers {
        let values: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        canon_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    format!(
        "{method}\n{path}\n{query}\n{canon_headers}\n{}\n{}",
        signed_headers.join(";"),
        hex(&Sha256::digest(body))
    )
}

/// The signature of `canonical` for `secret`, `amz_date` (`YYYYMMDDTHHMMSSZ`) and `scope`.
pub fn signature(secret: &str, amz_date: &str, scope: &str, canonical: &str) -> String {
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut parts = scope.split('/');
    let date = parts.next().unwrap_or_default();
    let region = parts.next().unwrap_or_default();
    let service = parts.next().unwrap_or_default();
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date);
    let k_region = hmac(&k_date, region);
    let k_service = hmac(&k_region, service);
    let k_signing = hmac(&k_service, "aws4_request");
    hex(&hmac(&k_signing, &string_to_sign))
}

/// Verifies the Authorization header of a captured request; returns the parsed header.
pub fn verify(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    body: &[u8],
    secret: &str,
) -> Result<Authorization, String> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let auth = parse_authorization(get("authorization").ok_or("no Authorization header")?)?;
    let amz_date = get("x-amz-date").ok_or("no x-amz-date header")?;
    let canonical = canonical_request(
        method,
        raw_path,
        raw_query,
        headers,
        &auth.signed_headers,
        body,
    );
    let expected = signature(secret, amz_date, &auth.scope, &canonical);
    if expected == auth.signature {
        Ok(auth)
    } else {
        Err(format!(
            "signature mismatch: header has {}, recomputed {expected}\ncanonical request:\n{canonical}",
            auth.signature
        ))
    }
}
