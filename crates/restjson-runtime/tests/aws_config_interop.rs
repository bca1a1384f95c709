//! The `aws-config` feature: a client configured from the official SDK's `SdkConfig`, and any
//! `aws_credential_types` credentials provider.

#![cfg(feature = "aws-config")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError as AwsCredentialsError;
use aws_credential_types::provider::{
    ProvideCredentials as AwsProvideCredentials, SharedCredentialsProvider,
    future::ProvideCredentials as AwsFuture,
};
use restjson_runtime::Config;
use restjson_runtime::credentials::{AwsSdkCredentialsProvider, ProvideCredentials};
use restjson_runtime::retry::RetryMode;
use support::{FakeServer, Response, demo_client, ping};

/// An official-SDK provider counting its calls.
#[derive(Debug, Clone)]
struct Counting(Arc<AtomicUsize>);

impl AwsProvideCredentials for Counting {
    fn provide_credentials<'a>(&'a self) -> AwsFuture<'a>
    where
        Self: 'a,
    {
        self.0.fetch_add(1, Ordering::SeqCst);
        AwsFuture::ready(Ok(aws_credential_types::Credentials::new(
            "AKIDSDK",
            "SDK-SECRET",
            Some("SDK-TOKEN".to_owned()),
            None,
            "counting",
        )))
    }
}

#[tokio::test]
async fn a_client_built_from_an_sdk_config_signs_with_its_credentials() {
    let server = FakeServer::start(|_| Response::json(200, "{}")).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let sdk = aws_types::SdkConfig::builder()
        .region(aws_types::region::Region::new("eu-north-1"))
        .endpoint_url(server.url())
        .credentials_provider(SharedCredentialsProvider::new(Counting(calls.clone())))
        .retry_config(
            aws_smithy_types::retry::RetryConfig::adaptive()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(20))
                .with_max_backoff(Duration::from_secs(2)),
        )
        .timeout_config(
            aws_smithy_types::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(700))
                .read_timeout(Duration::from_secs(4))
                .operation_timeout(Duration::from_secs(9))
                .operation_attempt_timeout(Duration::from_secs(3))
                .build(),
        )
        .use_dual_stack(false)
        .build();
    let config = Config::from_sdk_config(&sdk).build();
    assert_eq!(config.region(), Some("eu-north-1"));
    assert_eq!(config.endpoint_url(), Some(server.url().as_str()));
    let retry = config.retry_config();
    assert_eq!(
        (
            retry.mode(),
            retry.max_attempts(),
            retry.transient_backoff(),
            retry.throttling_backoff(),
            retry.max_backoff()
        ),
        (
            RetryMode::Adaptive,
            5,
            Duration::from_millis(20),
            Duration::from_millis(20),
            Duration::from_secs(2)
        )
    );
    assert_eq!(
        config.http_settings().connect_timeout,
        Duration::from_millis(700)
    );
    assert_eq!(
        config.http_settings().read_timeout,
        Some(Duration::from_secs(4))
    );
    assert_eq!(config.operation_timeout(), Some(Duration::from_secs(9)));
    assert_eq!(config.attempt_timeout(), Some(Duration::from_secs(3)));

    let client = demo_client(config);
    for _ in 0..2 {
        ping(&client).await.unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let scope = request.verify_signature("SDK-SECRET").unwrap();
        assert!(scope.ends_with("/eu-north-1/demo/aws4_request"), "{scope}");
        assert_eq!(request.signed_by().as_deref(), Some("AKIDSDK"));
        assert_eq!(request.header("x-amz-security-token"), Some("SDK-TOKEN"));
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the credentials are cached"
    );
}

#[derive(Debug)]
struct Failing;

impl AwsProvideCredentials for Failing {
    fn provide_credentials<'a>(&'a self) -> AwsFuture<'a>
    where
        Self: 'a,
    {
        AwsFuture::ready(Err(AwsCredentialsError::invalid_configuration(
            "profile `x` is broken",
        )))
    }
}

#[tokio::test]
async fn official_sdk_provider_errors_keep_their_kind_and_cause() {
    let error = AwsSdkCredentialsProvider::new(Failing)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(format!("{:?}", error.kind()), "InvalidConfiguration");
    assert!(
        error
            .message()
            .starts_with("AWS SDK credentials provider: ")
            && error.message().ends_with(": profile `x` is broken"),
        "{}",
        error.message()
    );

    let credentials = AwsSdkCredentialsProvider::new(Counting(Arc::default()))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (credentials.access_key_id(), credentials.session_token()),
        ("AKIDSDK", Some("SDK-TOKEN"))
    );
    assert!(!format!("{credentials:?}").contains("SDK-SECRET"));
}

#[test]
fn an_sdk_config_without_settings_leaves_the_defaults() {
    let config = Config::from_sdk_config(&aws_types::SdkConfig::builder().build()).build();
    let default = Config::builder().build();
    assert_eq!(config.region(), None);
    assert_eq!(config.endpoint_url(), None);
    assert_eq!(
        config.retry_config().max_attempts(),
        default.retry_config().max_attempts()
    );
    assert_eq!(config.http_settings(), default.http_settings());
    assert!(matches!(
        config.credentials(),
        restjson_runtime::CredentialsSetting::Default
    ));
}
