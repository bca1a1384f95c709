//! Configuration of the transport and of sources, end to end through the generated client:
//! endpoint URL from the environment, default credential chain, proxies, connection reuse and
//! timeouts.

use std::time::{Duration, UNIX_EPOCH};

use integration_tests::server::{Canned, CaptureServer};
use ivschat::config::{ProviderEnv, ProxySetting, StaticTimeSource};
use ivschat::{Client, Config, Credentials};

fn signing_clock() -> StaticTimeSource {
    StaticTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_704_164_645))
}

#[tokio::test]
async fn endpoint_region_and_credentials_come_from_the_environment() {
    let server = CaptureServer::start().await;
    let env = ProviderEnv::fake()
        .home("/home/u")
        .var("AWS_ENDPOINT_URL_IVSCHAT", server.url())
        .var("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
        .var("AWS_SECRET_ACCESS_KEY", "secret-from-env")
        .file("/home/u/.aws/config", "[default]\nregion = eu-central-1\n");
    let config = Config::from_env_with(&env, None)
        .expect("loads")
        .time_source(signing_clock())
        .build();
    let client = Client::from_conf(config);
    client.list_rooms().send().await.expect("success");
    let req = server.single_request();
    let auth = integration_tests::sigv4::verify(
        &req.method,
        req.path(),
        req.query(),
        &req.headers,
        &req.body,
        "secret-from-env",
    )
    .expect("valid signature");
    assert_eq!(auth.access_key_id, "AKIDFROMENV");
    assert_eq!(auth.scope, "20240102/eu-central-1/ivschat/aws4_request");
    assert_eq!(req.header("x-amz-security-token"), None);
}

#[tokio::test]
async fn explicit_endpoint_wins_over_the_environment() {
    let server = CaptureServer::start().await;
    let env = ProviderEnv::fake()
        .var("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .var("AWS_REGION", "us-west-2");
    let config = Config::from_env_with(&env, None)
        .expect("loads")
        .endpoint_url(server.url())
        .anonymous()
        .build();
    Client::from_conf(config)
        .list_rooms()
        .send()
        .await
        .expect("success");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_credentials_anywhere_is_a_credentials_error() {
    let server = CaptureServer::start().await;
    let env = ProviderEnv::fake()
        .var("AWS_REGION", "us-west-2")
        .var("AWS_EC2_METADATA_DISABLED", "true");
    let config = Config::from_env_with(&env, None)
        .expect("loads")
        .endpoint_url(server.url())
        .build();
    let err = Client::from_conf(config)
        .list_rooms()
        .send()
        .await
        .expect_err("no credentials");
    assert!(err.is_credentials(), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn explicit_proxy_receives_the_request() {
    let proxy = CaptureServer::start().await;
    proxy.respond(Canned::json(200, r#"{"rooms":[]}"#));
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url("http://ivschat.example.test")
        .anonymous()
        .proxy(ProxySetting::Url(proxy.url()))
        .build();
    Client::from_conf(config)
        .list_rooms()
        .send()
        .await
        .expect("success through the proxy");
    let req = proxy.single_request();
    assert_eq!(req.target, "http://ivschat.example.test/ListRooms");
    assert_eq!(req.header("host"), Some("ivschat.example.test"));
}

#[tokio::test]
async fn connections_are_pooled_unless_closing_is_asked_for() {
    for (close, expected) in [(false, 1), (true, 3)] {
        let server = CaptureServer::start().await;
        let config = Config::builder()
            .region("us-west-2")
            .endpoint_url(server.url())
            .anonymous()
            .close_connections(close)
            .build();
        let client = Client::from_conf(config);
        for _ in 0..3 {
            client.list_rooms().send().await.expect("success");
        }
        assert_eq!(server.connections(), expected, "close_connections({close})");
    }
}

/// A server that accepts connections and never answers.
async fn stalling_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    (url, task)
}

#[tokio::test]
async fn a_stalled_response_times_out() {
    let (url, task) = stalling_server().await;
    for config in [
        Config::builder().read_timeout(Some(Duration::from_millis(100))),
        Config::builder()
            .read_timeout(None)
            .attempt_timeout(Duration::from_millis(100)),
        Config::builder()
            .read_timeout(None)
            .operation_timeout(Duration::from_millis(100)),
    ] {
        let config = config
            .region("us-west-2")
            .endpoint_url(&url)
            .anonymous()
            .build();
        let err = Client::from_conf(config)
            .list_rooms()
            .send()
            .await
            .expect_err("times out");
        assert!(err.is_timeout(), "{err:?}");
    }
    task.abort();
}

#[tokio::test]
async fn credentials_are_never_in_debug_output_of_the_config() {
    let config = Config::builder()
        .region("us-west-2")
        .credentials_provider(Credentials::from_keys(
            "AKID",
            "very-secret",
            Some("session-token".into()),
        ))
        .build();
    let debug = format!("{config:?} {:?}", Client::from_conf(config.clone()));
    assert!(
        !debug.contains("very-secret") && !debug.contains("session-token"),
        "{debug}"
    );
}

#[tokio::test]
async fn passwords_in_urls_are_never_in_debug_output_or_errors() {
    // An invalid proxy URL: every call reports it, credentials redacted.
    let config = Config::builder()
        .region("us-west-2")
        .anonymous()
        .proxy(ProxySetting::Url(
            "http://proxy-user:proxy-PASSWORD@[::1:3128".into(),
        ))
        .build();
    let client = Client::from_conf(config.clone());
    let err = client.list_rooms().send().await.expect_err("invalid proxy");
    assert!(err.is_construction(), "{err:?}");
    assert_eq!(
        err.to_string(),
        r#"ListRooms: request not sent: transport error: invalid proxy URL "http://***@[::1:3128": builder error"#
    );
    let proxy_debug = format!(
        "{config:?} {:?} {client:?} {:?} {:?} {err:?}",
        config.to_builder(),
        client.get_room().identifier("room"),
        client.list_rooms().into_paginator(),
    );
    assert!(
        proxy_debug.contains(r#"Url("http://***@[::1:3128")"#),
        "{proxy_debug}"
    );

    // An endpoint URL with credentials from the environment is refused the same way as one
    // set in code.
    let env = ProviderEnv::fake().var("AWS_REGION", "us-west-2").var(
        "AWS_ENDPOINT_URL_IVSCHAT",
        "http://env-user:env-PASSWORD@127.0.0.1:1/prefix",
    );
    let config = Config::from_env_with(&env, None)
        .expect("loads")
        .anonymous()
        .build();
    let client = Client::from_conf(config.clone());
    let err = client.list_rooms().send().await.expect_err("refused");
    assert!(err.is_construction(), "{err:?}");
    assert_eq!(
        err.to_string(),
        r#"ListRooms: request not sent: invalid endpoint URL "http://***@127.0.0.1:1/prefix": it must not contain user information (user:password@)"#
    );
    let endpoint_debug = format!("{config:?} {client:?} {:?} {err:?}", client.list_rooms());

    for secret in ["proxy-user", "proxy-PASSWORD"] {
        assert!(!proxy_debug.contains(secret), "{secret} in {proxy_debug}");
    }
    for secret in ["env-user", "env-PASSWORD"] {
        assert!(
            !endpoint_debug.contains(secret),
            "{secret} in {endpoint_debug}"
        );
    }
}
