//! SigV4 verification.

use std::time::Duration;

use ivschat_local::{LocalConfig, LocalCredentials};
use serde_json::json;

use crate::client::*;

fn list_rooms() -> Req {
    Req::json("POST", "/ListRooms", &json!({}))
}

async fn send_with(svc: &ivschat_local::LocalService, signer: &Signer, mut req: Req) -> Resp {
    signer.sign(&mut req, &svc.local_addr().to_string());
    send(svc, &req).await
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

#[tokio::test]
async fn missing_authorization() {
    let (svc, _clock) = start().await;
    let resp = send(&svc, &list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "MissingAuthenticationTokenException"),
        json!({"message": "Missing Authentication Token"})
    );
}

#[tokio::test]
async fn unknown_access_key() {
    let (svc, _clock) = start().await;
    let mut signer = Signer::for_service(&svc);
    signer.access_key_id = "AKIDUNKNOWN".into();
    let resp = send_with(&svc, &signer, list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "UnrecognizedClientException"),
        json!({"message": "The security token included in the request is invalid."})
    );
}

#[tokio::test]
async fn wrong_secret_and_tampering() {
    let (svc, _clock) = start().await;
    let mut signer = Signer::for_service(&svc);
    signer.secret = "wrong".into();
    let resp = send_with(&svc, &signer, list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": MISMATCH})
    );

    // Body changed after signing.
    let signer = Signer::for_service(&svc);
    let mut req = Req::json("POST", "/CreateRoom", &json!({"name": "a"}));
    signer.sign(&mut req, &svc.local_addr().to_string());
    req.body = json!({"name": "b"}).to_string().into_bytes();
    let resp = send(&svc, &req).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": MISMATCH})
    );

    // Path changed after signing.
    let mut req = Req::json("POST", "/ListRooms", &json!({}));
    signer.sign(&mut req, &svc.local_addr().to_string());
    req.target = "/ListLoggingConfigurations".into();
    let resp = send(&svc, &req).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": MISMATCH})
    );

    // A signed header changed after signing.
    let mut req = Req::json("POST", "/ListRooms", &json!({}));
    signer.sign(&mut req, &svc.local_addr().to_string());
    for h in &mut req.headers {
        if h.0 == "content-type" {
            h.1 = "text/plain".into();
        }
    }
    let resp = send(&svc, &req).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": MISMATCH})
    );
    assert!(svc.recorded_actions("x").is_empty());
    let listed = call(&svc, "ListRooms", json!({})).await.expect_ok();
    assert_eq!(
        listed,
        json!({"rooms": []}),
        "rejected CreateRoom changed nothing"
    );
}

#[tokio::test]
async fn scope_must_match_region_and_service() {
    let (svc, _clock) = start().await;
    let mut signer = Signer::for_service(&svc);
    signer.region = "eu-west-1".into();
    let resp = send_with(&svc, &signer, list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": "Credential should be scoped to a valid region, not 'eu-west-1'."})
    );
    let mut signer = Signer::for_service(&svc);
    signer.service = "ivs".into();
    let resp = send_with(&svc, &signer, list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": "Credential should be scoped to correct service: 'ivschat'."})
    );
}

#[tokio::test]
async fn clock_skew_limit_is_five_minutes() {
    let (svc, _clock) = start().await;
    let now = svc.config().clock.now();
    let mut signer = Signer::for_service(&svc);

    signer.time = now - Duration::from_secs(4 * 60 + 59);
    send_with(&svc, &signer, list_rooms()).await.expect_ok();
    signer.time = now + Duration::from_secs(4 * 60 + 59);
    send_with(&svc, &signer, list_rooms()).await.expect_ok();

    // The clock is 2024-01-02T03:04:05.123Z.
    signer.time = now - Duration::from_secs(6 * 60);
    let resp = send_with(&svc, &signer, list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": "Signature expired: 20240102T025805Z is now earlier than 20240102T025905Z (20240102T030405Z - 5 min.)"})
    );
    signer.time = now + Duration::from_secs(6 * 60);
    let resp = send_with(&svc, &signer, list_rooms()).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": "Signature not yet current: 20240102T031005Z is still later than 20240102T030905Z (20240102T030405Z + 5 min.)"})
    );
}

#[tokio::test]
async fn session_tokens_are_accepted() {
    let (svc, _clock) = start().await;
    let mut signer = Signer::for_service(&svc);
    signer.session_token = Some("FQoGZXIvYXdzEXAMPLE".into());
    let mut req = list_rooms();
    signer.sign(&mut req, &svc.local_addr().to_string());
    assert!(req.headers.iter().any(|(k, _)| k == "x-amz-security-token"));
    send(&svc, &req).await.expect_ok();
}

#[tokio::test]
async fn malformed_authorization_headers() {
    let (svc, _clock) = start().await;
    let cases = [
        (
            "Basic dXNlcjpwYXNz",
            "Unsupported AWS 'algorithm': 'Basic'. Only AWS4-HMAC-SHA256 is supported.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240102/us-west-2/ivschat/aws4_request",
            "Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240102, SignedHeaders=host, Signature=00",
            "Credential should be of the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request.",
        ),
    ];
    for (auth, message) in cases {
        let req = list_rooms()
            .header("authorization", auth)
            .header("x-amz-date", "20240102T030405Z");
        let resp = send(&svc, &req).await;
        assert_eq!(
            resp.expect_error(403, "IncompleteSignatureException"),
            json!({"message": message}),
            "{auth}"
        );
    }
    // No x-amz-date at all.
    let req = list_rooms().header(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240102/us-west-2/ivschat/aws4_request, SignedHeaders=host, Signature=00",
    );
    let resp = send(&svc, &req).await;
    assert_eq!(
        resp.expect_error(403, "IncompleteSignatureException"),
        json!({"message": "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."})
    );
    // Scope date differs from x-amz-date.
    let req = list_rooms()
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/us-west-2/ivschat/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        )
        .header("x-amz-date", "20240102T030405Z");
    let resp = send(&svc, &req).await;
    assert_eq!(
        resp.expect_error(403, "InvalidSignatureException"),
        json!({"message": "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20240102', from '20240102T030405Z'."})
    );
}

#[tokio::test]
async fn several_credentials_and_verification_switch() {
    let mut config = LocalConfig::default().with_credentials("AKIDONE", "secret-one");
    config
        .credentials
        .push(LocalCredentials::new("AKIDTWO", "secret-two"));
    let svc = start_with(config).await;
    for (akid, secret) in [("AKIDONE", "secret-one"), ("AKIDTWO", "secret-two")] {
        let mut signer = Signer::for_service(&svc);
        signer.access_key_id = akid.into();
        signer.secret = secret.into();
        send_with(&svc, &signer, list_rooms()).await.expect_ok();
    }
    let debug = format!("{:?}", svc.config());
    assert!(
        !debug.contains("secret-one") && !debug.contains("secret-two"),
        "{debug}"
    );

    let open = start_with(LocalConfig::default().with_verify_signatures(false)).await;
    send(&open, &list_rooms()).await.expect_ok();
    let resp = send(&open, &list_rooms().header("authorization", "garbage")).await;
    resp.expect_ok();
}

#[tokio::test]
async fn signed_query_and_encoded_path() {
    let (svc, _clock) = start().await;
    let room = create_room(&svc, json!({"tags": {"a b": "1", "c/d": "2", "e": "3"}})).await;
    let path = tags_path(s(&room["arn"]));
    let resp = send_signed(
        &svc,
        Req::new(
            "DELETE",
            &format!("{path}?tagKeys=e&tagKeys=c%2Fd&tagKeys=a%20b"),
            "",
        ),
    )
    .await;
    resp.expect_ok();
    let listed = send_signed(&svc, Req::new("GET", &path, ""))
        .await
        .expect_ok();
    assert_eq!(listed, json!({"tags": {}}));
}

#[tokio::test]
async fn invalid_configurations_are_refused() {
    let cases = [
        (
            LocalConfig::default().with_region("US West"),
            "invalid ivschat-local configuration: region \"US West\" must match [a-z0-9-]+",
        ),
        (
            LocalConfig::default().with_account_id("123"),
            "invalid ivschat-local configuration: account id \"123\" must be 12 digits",
        ),
        (
            LocalConfig {
                credentials: vec![],
                ..LocalConfig::default()
            },
            "invalid ivschat-local configuration: signature verification is on but no credentials are configured",
        ),
    ];
    for (config, message) in cases {
        let err = ivschat_local::LocalService::start(config)
            .await
            .expect_err("refused");
        assert_eq!(err.to_string(), message);
    }
}
