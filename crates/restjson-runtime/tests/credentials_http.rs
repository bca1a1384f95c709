//! Container and instance metadata credentials against fake servers on 127.0.0.1, and the
//! default chain.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use restjson_runtime::config::ProviderEnv;
use restjson_runtime::credentials::{
    ContainerProvider, Credentials, CredentialsError, CredentialsErrorKind, DefaultChain,
    ImdsProvider, ProvideCredentials, default_provider,
};
use support::{Request, silent_server};
use tokio::net::TcpListener;

// ---------------------------------------------------------------- fake servers

/// The shared fake server, answering JSON from a `(status, body)` handler.
struct FakeServer(support::FakeServer);

impl FakeServer {
    async fn start(handler: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> Self {
        Self(
            support::FakeServer::start(move |request| {
                let (status, body) = handler(request);
                support::Response::json(status, body)
            })
            .await,
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0.url())
    }

    fn requests(&self) -> Vec<Request> {
        self.0.requests()
    }
}

/// An address on which nothing listens.
async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

fn y2030() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_893_456_000)
}

const CREDS_JSON: &str = r#"{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAFAKE","SecretAccessKey":"FAKESECRET","Token":"FAKETOKEN","Expiration":"2030-01-01T00:00:00Z"}"#;

fn assert_fake_creds(creds: &Credentials, provider_name: &str) {
    assert_eq!(creds.access_key_id(), "ASIAFAKE");
    assert_eq!(creds.secret_access_key(), "FAKESECRET");
    assert_eq!(creds.session_token(), Some("FAKETOKEN"));
    assert_eq!(creds.expiry(), Some(y2030()));
    assert_eq!(creds.provider_name(), provider_name);
}

fn kind_is(error: &CredentialsError, expected: &str) {
    assert_eq!(
        format!("{:?}", error.kind()),
        expected,
        "{}",
        error.message()
    );
}

fn fast_container(env: ProviderEnv) -> ContainerProvider {
    ContainerProvider::new(env)
        .with_connect_timeout(Duration::from_millis(200))
        .with_timeout(Duration::from_millis(300))
}

fn fast_imds(env: ProviderEnv) -> ImdsProvider {
    ImdsProvider::new(env)
        .with_connect_timeout(Duration::from_millis(100))
        .with_timeout(Duration::from_millis(200))
}

// ---------------------------------------------------------------- container

#[tokio::test]
async fn container_full_uri_with_token() {
    let server = FakeServer::start(|_| (200, CREDS_JSON.to_string())).await;
    let env = ProviderEnv::fake()
        .var(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            server.url("/creds?x=1"),
        )
        .var("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer AUTHTOKEN");
    let provider = fast_container(env);
    let creds = provider.provide_credentials().await.unwrap();
    assert_fake_creds(&creds, "Container");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].target, "/creds?x=1");
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer AUTHTOKEN")
    );
    assert_eq!(requests[0].header("accept"), Some("application/json"));
    assert!(!format!("{provider:?}").contains("AUTHTOKEN"));
}

#[tokio::test]
async fn container_relative_uri_wins_over_full_uri() {
    let server = FakeServer::start(|_| (200, CREDS_JSON.to_string())).await;
    let env = ProviderEnv::fake()
        .var(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/abc",
        )
        .var(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/ignored",
        );
    let provider = fast_container(env).with_relative_uri_base(server.url("/"));
    assert_fake_creds(&provider.provide_credentials().await.unwrap(), "Container");
    let requests = server.requests();
    assert_eq!(requests[0].target, "/v2/credentials/abc");
    assert_eq!(requests[0].header("authorization"), None);
}

#[tokio::test]
async fn container_token_file_wins_and_is_read_on_every_request() {
    let server = FakeServer::start(|_| (200, CREDS_JSON.to_string())).await;
    let path = std::env::temp_dir().join(format!(
        "restjson-runtime-token-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, "first-token\n").unwrap();
    let env = ProviderEnv::fake()
        .with_real_files()
        .home("/nonexistent-home")
        .var("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds"))
        .var(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            path.display().to_string(),
        )
        .var("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored");
    let provider = fast_container(env);
    provider.provide_credentials().await.unwrap();
    std::fs::write(&path, "second-token").unwrap();
    provider.provide_credentials().await.unwrap();
    let _ = std::fs::remove_file(&path);
    let tokens: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(tokens, vec!["first-token", "second-token"]);
}

#[tokio::test]
async fn container_token_problems_are_invalid_configuration() {
    let env = ProviderEnv::fake()
        .var(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        )
        .var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/missing/token");
    let error = fast_container(env).provide_credentials().await.unwrap_err();
    kind_is(&error, "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "container: could not read the authorization token file /missing/token named by \
         AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: no such file or directory"
    );

    let env = ProviderEnv::fake()
        .var(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        )
        .var("AWS_CONTAINER_AUTHORIZATION_TOKEN", "abc\r\nInjected: yes");
    let error = fast_container(env).provide_credentials().await.unwrap_err();
    kind_is(&error, "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "container: the authorization token contains a line break"
    );
}

#[tokio::test]
async fn container_full_uri_host_restrictions() {
    for (uri, message) in [
        (
            "http://example.com/creds",
            "container: AWS_CONTAINER_CREDENTIALS_FULL_URI uses plain http with host \
             `example.com`; plain http is only allowed to a loopback address, 169.254.170.2, \
             169.254.170.23 or fd00:ec2::23",
        ),
        (
            "http://10.0.0.1/creds",
            "container: AWS_CONTAINER_CREDENTIALS_FULL_URI uses plain http with host \
             `10.0.0.1`; plain http is only allowed to a loopback address, 169.254.170.2, \
             169.254.170.23 or fd00:ec2::23",
        ),
        (
            "ftp://127.0.0.1/creds",
            "container: AWS_CONTAINER_CREDENTIALS_FULL_URI has unsupported scheme `ftp` \
             (expected http or https)",
        ),
        (
            "not a url",
            "container: AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL (relative URL \
             without a base)",
        ),
    ] {
        let env = ProviderEnv::fake().var("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
        let error = fast_container(env).provide_credentials().await.unwrap_err();
        kind_is(&error, "InvalidConfiguration");
        assert_eq!(error.message(), message);
    }
}

#[tokio::test]
async fn container_allowed_hosts_are_contacted() {
    // Allowed hosts pass validation and fail only on connecting (nothing listens there in
    // tests); the error is a request failure, not a configuration error.
    let port = closed_port().await.port();
    for uri in [
        format!("http://127.0.0.1:{port}/c"),
        format!("http://127.1.2.3:{port}/c"),
        format!("http://localhost:{port}/c"),
    ] {
        let env = ProviderEnv::fake().var("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.clone());
        let error = fast_container(env).provide_credentials().await.unwrap_err();
        assert!(
            !matches!(error.kind(), CredentialsErrorKind::InvalidConfiguration),
            "{uri}: {}",
            error.message()
        );
    }
}

#[tokio::test]
async fn container_not_configured_is_not_loaded() {
    let error = fast_container(ProviderEnv::fake())
        .provide_credentials()
        .await
        .unwrap_err();
    kind_is(&error, "NotLoaded");
    assert_eq!(
        error.message(),
        "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and \
         AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"
    );
}

#[tokio::test]
async fn container_bad_answers() {
    let cases: [(u16, &str, &str, &str); 3] = [
        (
            500,
            "{}",
            "ProviderError",
            "answered HTTP 500 Internal Server Error",
        ),
        (
            200,
            "FAKESECRET garbage",
            "ProviderError",
            "is not valid JSON (syntax error at line 1 column 1)",
        ),
        (
            200,
            r#"{"AccessKeyId":"A","Token":"T"}"#,
            "ProviderError",
            "returned invalid credentials: `SecretAccessKey` is missing",
        ),
    ];
    for (status, body, kind, tail) in cases {
        let body = body.to_string();
        let server = FakeServer::start(move |_| (status, body.clone())).await;
        let env = ProviderEnv::fake().var("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/c"));
        let error = fast_container(env).provide_credentials().await.unwrap_err();
        kind_is(&error, kind);
        assert!(error.message().ends_with(tail), "{}", error.message());
        assert!(!error.message().contains("FAKESECRET"));
    }
}

#[tokio::test]
async fn container_silent_endpoint_times_out() {
    let addr = silent_server().await;
    let env = ProviderEnv::fake().var(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("http://{addr}/c"),
    );
    let started = Instant::now();
    let error = fast_container(env).provide_credentials().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    kind_is(&error, "ProviderTimedOut");
    assert_eq!(
        error.message(),
        format!("container: the endpoint http://{addr}/c did not answer within 300ms")
    );
}

// ---------------------------------------------------------------- IMDS

fn imds_handler(request: &Request) -> (u16, String) {
    match (request.method.as_str(), request.target.as_str()) {
        ("PUT", "/latest/api/token") => (200, "IMDSTOKEN".to_string()),
        ("GET", path) if request.header("x-aws-ec2-metadata-token") != Some("IMDSTOKEN") => {
            (401, format!("missing token for {path}"))
        }
        ("GET", "/latest/meta-data/iam/security-credentials/") => (200, "my-role\n".to_string()),
        ("GET", "/latest/meta-data/iam/security-credentials/my-role") => {
            (200, CREDS_JSON.to_string())
        }
        _ => (404, String::new()),
    }
}

#[tokio::test]
async fn imds_v2_flow() {
    let server = FakeServer::start(imds_handler).await;
    let provider = fast_imds(ProviderEnv::fake()).with_endpoint(server.url(""));
    let creds = provider.provide_credentials().await.unwrap();
    assert_fake_creds(&creds, "IMDS");
    let requests = server.requests();
    let summary: Vec<_> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert_eq!(
        summary,
        vec![
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/my-role",
        ]
    );
    assert_eq!(
        requests[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(requests[0].header("x-aws-ec2-metadata-token"), None);
    assert!(!format!("{provider:?}").contains("IMDSTOKEN"));
}

#[tokio::test]
async fn imds_endpoint_from_environment() {
    let server = FakeServer::start(imds_handler).await;
    let env = ProviderEnv::fake().var("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url("/"));
    assert_fake_creds(&fast_imds(env).provide_credentials().await.unwrap(), "IMDS");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn imds_disabled() {
    let server = FakeServer::start(imds_handler).await;
    for value in ["true", "TRUE"] {
        let env = ProviderEnv::fake()
            .var("AWS_EC2_METADATA_DISABLED", value)
            .var("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url(""));
        let error = fast_imds(env).provide_credentials().await.unwrap_err();
        kind_is(&error, "NotLoaded");
        assert_eq!(
            error.message(),
            "IMDS: disabled by AWS_EC2_METADATA_DISABLED"
        );
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn imds_without_role_or_with_token_refused_is_not_loaded() {
    let server = FakeServer::start(|r| match r.method.as_str() {
        "PUT" => (200, "T".to_string()),
        _ => (404, String::new()),
    })
    .await;
    let error = fast_imds(ProviderEnv::fake())
        .with_endpoint(server.url(""))
        .provide_credentials()
        .await
        .unwrap_err();
    kind_is(&error, "NotLoaded");
    assert_eq!(
        error.message(),
        format!(
            "IMDS: no instance profile (IAM role) is attached to this instance ({})",
            server.url("")
        )
    );

    let server = FakeServer::start(|_| (403, String::new())).await;
    let error = fast_imds(ProviderEnv::fake())
        .with_endpoint(server.url(""))
        .provide_credentials()
        .await
        .unwrap_err();
    kind_is(&error, "NotLoaded");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn imds_failure_code_is_an_error() {
    let server = FakeServer::start(|r| match r.target.as_str() {
        "/latest/api/token" => (200, "T".to_string()),
        "/latest/meta-data/iam/security-credentials/" => (200, "role".to_string()),
        _ => (
            200,
            r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"}"#.to_string(),
        ),
    })
    .await;
    let error = fast_imds(ProviderEnv::fake())
        .with_endpoint(server.url(""))
        .provide_credentials()
        .await
        .unwrap_err();
    kind_is(&error, "ProviderError");
    assert_eq!(
        error.message(),
        format!(
            "IMDS: {} answered with Code `AssumeRoleUnauthorizedAccess` instead of `Success`",
            server.url("")
        )
    );
}

#[tokio::test]
async fn imds_silent_or_absent_gives_up_fast() {
    let silent = silent_server().await;
    let closed = closed_port().await;
    for addr in [silent, closed] {
        let started = Instant::now();
        let error = fast_imds(ProviderEnv::fake())
            .with_endpoint(format!("http://{addr}"))
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "{addr}");
        kind_is(&error, "NotLoaded");
        assert!(
            error.message().starts_with(&format!(
                "IMDS: no instance metadata service answered at http://{addr} within"
            )),
            "{}",
            error.message()
        );
    }
}

// ---------------------------------------------------------------- default chain

fn imds_off(env: ProviderEnv) -> ProviderEnv {
    env.var("AWS_EC2_METADATA_DISABLED", "true")
}

fn chain(env: &ProviderEnv) -> DefaultChain {
    DefaultChain::new(env, None)
        .with_container_provider(fast_container(env.clone()))
        .with_imds_provider(fast_imds(env.clone()))
}

#[tokio::test]
async fn chain_prefers_environment_then_profile() {
    let files = ProviderEnv::fake().home("/h").file(
        "/h/.aws/credentials",
        "[default]\naws_access_key_id = PROFILE\naws_secret_access_key = S",
    );
    let with_env = files
        .clone()
        .var("AWS_ACCESS_KEY_ID", "ENV")
        .var("AWS_SECRET_ACCESS_KEY", "S");
    let creds = chain(&imds_off(with_env))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.access_key_id(), "ENV");
    let creds = chain(&imds_off(files)).provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "PROFILE");
}

#[tokio::test]
async fn chain_stops_at_errors_other_than_not_loaded() {
    let server = FakeServer::start(|_| (200, CREDS_JSON.to_string())).await;
    let env = ProviderEnv::fake()
        .home("/h")
        .file(
            "/h/.aws/config",
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r",
        )
        .var("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/c"));
    let error = chain(&env).provide_credentials().await.unwrap_err();
    kind_is(&error, "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "profile `default` sets `role_arn` but neither `source_profile` nor \
         `credential_source` to sign the AssumeRole call with"
    );
    assert!(server.requests().is_empty(), "the container was not asked");

    let env = env.var("AWS_ACCESS_KEY_ID", "only-the-id");
    let error = chain(&env).provide_credentials().await.unwrap_err();
    kind_is(&error, "InvalidConfiguration");
}

#[tokio::test]
async fn chain_falls_through_to_container_and_imds() {
    let container = FakeServer::start(|_| (200, CREDS_JSON.to_string())).await;
    let env = ProviderEnv::fake()
        .home("/h")
        .file("/h/.aws/config", "[default]\nregion = us-east-1")
        .var("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url("/c"));
    let creds = chain(&imds_off(env)).provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "Container");

    let imds = FakeServer::start(imds_handler).await;
    let env = ProviderEnv::fake().var("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url(""));
    let creds = chain(&env).provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "IMDS");
}

#[tokio::test]
async fn chain_gives_up_fast_when_nothing_answers() {
    let silent = silent_server().await;
    let env = ProviderEnv::fake().home("/h").var(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://{silent}"),
    );
    let started = Instant::now();
    let error = chain(&env).provide_credentials().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    kind_is(&error, "NotLoaded");
    assert_eq!(
        error.message(),
        format!(
            "no credentials found; tried environment: AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY are not set; profile: `default` is defined in neither the \
             config file /h/.aws/config nor the credentials file /h/.aws/credentials; \
             web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and \
             AWS_CONTAINER_CREDENTIALS_FULL_URI are not set; IMDS: no instance metadata \
             service answered at http://{silent} within 200ms (not running on EC2?)"
        )
    );
}

#[tokio::test]
async fn default_provider_caches_the_chain() {
    let server = FakeServer::start(|_| (200, CREDS_JSON.to_string())).await;
    let env = ProviderEnv::fake().var("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/c"));
    let provider = default_provider(&env, None);
    for _ in 0..3 {
        assert_fake_creds(&provider.provide_credentials().await.unwrap(), "Container");
    }
    assert_eq!(server.requests().len(), 1);
    let debug = format!("{provider:?}");
    assert!(
        !debug.contains("FAKESECRET") && !debug.contains("FAKETOKEN"),
        "{debug}"
    );
}
