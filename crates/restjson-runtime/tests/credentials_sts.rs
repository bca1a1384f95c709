//! Web identity and assume-role providers against a fake STS on 127.0.0.1: exact requests
//! (form bodies, headers, an independently verified SigV4 signature or none), endpoints,
//! retries, timeouts, and every modelled STS error mapped to a credentials error.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, UNIX_EPOCH};

use bytes::Bytes;
use restjson_runtime::Config;
use restjson_runtime::config::ProviderEnv;
use restjson_runtime::credentials::{
    AssumeRoleProvider, Credentials, CredentialsError, EnvironmentProvider, ProvideCredentials,
    WebIdentityTokenProvider,
};
use restjson_runtime::http::{ConnectorFuture, HttpConnector, HttpRequest};
use restjson_runtime::time::StaticTimeSource;
use support::{
    EXPIRY_2030_SECS, FakeServer, NoSleep, Response, TempDir, silent_server, sts_credentials,
    sts_error,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/admin";
const WEB_ROLE: &str = "arn:aws:iam::123456789012:role/pod-role";
const SOURCE_SECRET: &str = "source-secret-key";
const SOURCE_TOKEN: &str = "source-session-token";

fn kind(error: &CredentialsError) -> String {
    format!("{:?}", error.kind())
}

fn source() -> Credentials {
    Credentials::from_keys("AKIDSOURCE", SOURCE_SECRET, Some(SOURCE_TOKEN.to_owned()))
}

fn assumed() -> Response {
    sts_credentials(
        "AssumeRole",
        "ASIAASSUMED",
        "assumed-secret",
        "assumed-token",
    )
}

fn web_assumed() -> Response {
    sts_credentials(
        "AssumeRoleWithWebIdentity",
        "ASIAWEB",
        "web-secret",
        "web-token",
    )
}

fn sts_env(server: &FakeServer) -> ProviderEnv {
    ProviderEnv::fake()
        .home("/h")
        .var("AWS_REGION", "eu-west-1")
        .var("AWS_ENDPOINT_URL_STS", server.url())
}

fn one_attempt() -> Config {
    Config::builder().max_attempts(1).build()
}

fn assert_expiring_2030(credentials: &Credentials) {
    assert_eq!(
        credentials.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(EXPIRY_2030_SECS))
    );
}

// ---------------------------------------------------------------- web identity

#[tokio::test]
async fn web_identity_from_env_posts_an_unsigned_form_and_rereads_the_token_file() {
    let dir = TempDir::new("web-env");
    let token_file = dir.write("token", "token-one\n");
    let sts = FakeServer::start(|_| web_assumed()).await;
    let env = sts_env(&sts)
        .home(dir.path())
        .with_real_files()
        .var("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap())
        .var("AWS_ROLE_ARN", WEB_ROLE)
        .var("AWS_ROLE_SESSION_NAME", "pod-1");
    let provider = WebIdentityTokenProvider::from_env(env);

    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAWEB");
    assert_eq!(credentials.secret_access_key(), "web-secret");
    assert_eq!(credentials.session_token(), Some("web-token"));
    assert_eq!(credentials.provider_name(), "WebIdentityToken");
    assert_expiring_2030(&credentials);

    // The platform rotates the token: the next call reads the file again.
    dir.write("token", "token-two");
    provider.provide_credentials().await.unwrap();

    let requests = sts.requests();
    assert_eq!(requests.len(), 2);
    for (request, token) in requests.iter().zip(["token-one", "token-two"]) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, "/");
        assert_eq!(
            request.body_text(),
            format!(
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15\
                 &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpod-role\
                 &RoleSessionName=pod-1&WebIdentityToken={token}"
            )
        );
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded; charset=utf-8")
        );
        for unsigned in ["authorization", "x-amz-date", "x-amz-security-token"] {
            assert_eq!(request.header(unsigned), None, "{unsigned}");
        }
    }
}

#[tokio::test]
async fn web_identity_names_sessions_by_the_clock_and_takes_settings_in_code() {
    let dir = TempDir::new("web-code");
    let token_file = dir.write("jwt", "eyJ.code.token");
    let sts = FakeServer::start(|_| web_assumed()).await;
    let now = UNIX_EPOCH + Duration::from_millis(1_704_164_645_250);
    let provider = WebIdentityTokenProvider::new(
        sts_env(&sts).home(dir.path()).with_real_files(),
        token_file.to_str().unwrap(),
        WEB_ROLE,
    )
    .with_client_config(
        Config::builder()
            .time_source(StaticTimeSource::new(now))
            .build(),
    );
    provider.provide_credentials().await.unwrap();
    let request = &sts.requests()[0];
    assert_eq!(
        request.form("RoleSessionName").as_deref(),
        Some("restjson-runtime-1704164645250")
    );
    assert_eq!(
        request.form("WebIdentityToken").as_deref(),
        Some("eyJ.code.token")
    );
    assert_eq!(request.form("RoleArn").as_deref(), Some(WEB_ROLE));
}

#[tokio::test]
async fn web_identity_environment_errors() {
    let env = ProviderEnv::fake().home("/h");
    let error = WebIdentityTokenProvider::from_env(env.clone())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "NotLoaded");
    assert_eq!(
        error.message(),
        "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set"
    );

    // A role alone is not a web identity configuration (other tools read AWS_ROLE_ARN).
    let error = WebIdentityTokenProvider::from_env(env.clone().var("AWS_ROLE_ARN", WEB_ROLE))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "NotLoaded");

    let env = env.var("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
    let error = WebIdentityTokenProvider::from_env(env.clone())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
    );

    let env = env.var("AWS_ROLE_ARN", WEB_ROLE);
    let error = WebIdentityTokenProvider::from_env(env.clone())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "ProviderError");
    assert_eq!(
        error.message(),
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): the web identity token file \
         /var/run/token could not be read: no such file or directory"
    );

    let error = WebIdentityTokenProvider::from_env(env.clone().file("/var/run/token", " \n"))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): the web identity token file \
         /var/run/token is empty"
    );

    // The STS call's settings come from the shared files: a malformed one is named with its line.
    let error = WebIdentityTokenProvider::from_env(
        env.clone().file("/var/run/token", "jwt").home("/h").file(
            "/h/.aws/config",
            "[default]\nregion = eu-west-1\nno equals sign\n",
        ),
    )
    .provide_credentials()
    .await
    .unwrap_err();
    assert_eq!(kind(&error), "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): assuming role \
         `arn:aws:iam::123456789012:role/pod-role` with a web identity token: \
         /h/.aws/config line 3: expected a property definition `name = value`, found no `=`"
    );

    let huge = "x".repeat(20_001);
    let error = WebIdentityTokenProvider::from_env(env.file("/var/run/token", huge))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): the web identity token file \
         /var/run/token holds more than 20000 characters"
    );
}

// ---------------------------------------------------------------- assume role

#[tokio::test]
async fn assume_role_signs_with_the_source_credentials() {
    let sts = FakeServer::start(|_| assumed()).await;
    let provider = AssumeRoleProvider::new(ROLE, source())
        .with_session_name("admin-session")
        .with_external_id("ext-123")
        .with_duration(Duration::from_secs(1800))
        .with_env(sts_env(&sts), None);
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(
        (
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token(),
            credentials.provider_name()
        ),
        (
            "ASIAASSUMED",
            "assumed-secret",
            Some("assumed-token"),
            "AssumeRole"
        )
    );
    assert_expiring_2030(&credentials);

    let request = &sts.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/")
    );
    assert_eq!(
        request.body_text(),
        "Action=AssumeRole&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin\
         &RoleSessionName=admin-session&DurationSeconds=1800&ExternalId=ext-123"
    );
    let scope = request.verify_signature(SOURCE_SECRET).unwrap();
    assert!(scope.ends_with("/eu-west-1/sts/aws4_request"), "{scope}");
    assert_eq!(request.signed_by().as_deref(), Some("AKIDSOURCE"));
    assert_eq!(request.header("x-amz-security-token"), Some(SOURCE_TOKEN));
    let auth =
        support::sigv4::parse_authorization(request.header("authorization").unwrap()).unwrap();
    for header in ["content-type", "host", "x-amz-date", "x-amz-security-token"] {
        assert!(
            auth.signed_headers.iter().any(|h| h == header),
            "{header} is signed: {:?}",
            auth.signed_headers
        );
    }
}

#[tokio::test]
async fn assume_role_problems_found_before_sending() {
    let sts = FakeServer::start(|_| assumed()).await;
    let error = AssumeRoleProvider::new(ROLE, source())
        .with_duration(Duration::from_secs(60))
        .with_env(sts_env(&sts), None)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "assuming role `arn:aws:iam::123456789012:role/admin`: the duration of 60 seconds is \
         outside the 900 to 43200 STS accepts"
    );

    // A source without credentials is a configuration error, not "try the next provider".
    let error = AssumeRoleProvider::new(ROLE, EnvironmentProvider::new(ProviderEnv::fake()))
        .with_env(sts_env(&sts), None)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "InvalidConfiguration");
    assert_eq!(
        error.message(),
        "assuming role `arn:aws:iam::123456789012:role/admin`: AssumeRole: could not load \
         credentials: environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
    );
    assert!(sts.requests().is_empty());
}

// ---------------------------------------------------------------- endpoints

/// Records request URIs and answers every request with a successful `AssumeRole`.
#[derive(Clone, Debug, Default)]
struct CaptureUris(Arc<Mutex<Vec<String>>>);

impl HttpConnector for CaptureUris {
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
        self.0.lock().unwrap().push(request.uri().to_string());
        let body = assumed().body;
        Box::pin(async move {
            Ok(http::Response::builder()
                .status(200)
                .body(Bytes::from(body))
                .unwrap())
        })
    }
}

#[tokio::test]
async fn sts_endpoints_follow_region_and_endpoint_settings() {
    let config = "[profile dev]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://services.example:1\n";
    let cases: Vec<(ProviderEnv, Option<&str>, Option<&str>, &str)> = vec![
        (
            ProviderEnv::fake().var("AWS_REGION", "eu-west-1"),
            None,
            None,
            "https://sts.eu-west-1.amazonaws.com/",
        ),
        (
            ProviderEnv::fake(),
            None,
            None,
            "https://sts.us-east-1.amazonaws.com/",
        ),
        (
            ProviderEnv::fake().var("AWS_REGION", "eu-west-1"),
            None,
            Some("cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn/",
        ),
        (
            ProviderEnv::fake()
                .var("AWS_REGION", "us-west-2")
                .var("AWS_USE_FIPS_ENDPOINT", "true"),
            None,
            None,
            "https://sts-fips.us-west-2.amazonaws.com/",
        ),
        (
            ProviderEnv::fake()
                .var("AWS_DEFAULT_REGION", "us-west-2")
                .var("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            None,
            None,
            "https://sts.us-west-2.api.aws/",
        ),
        (
            ProviderEnv::fake()
                .var("AWS_REGION", "us-west-2")
                .var("AWS_ENDPOINT_URL", "http://all.example:1"),
            None,
            None,
            "http://all.example:1/",
        ),
        (
            ProviderEnv::fake()
                .var("AWS_REGION", "us-west-2")
                .var("AWS_ENDPOINT_URL", "http://all.example:1")
                .var("AWS_ENDPOINT_URL_STS", "http://sts.example:1"),
            None,
            None,
            "http://sts.example:1/",
        ),
        (
            ProviderEnv::fake()
                .home("/h")
                .file("/h/.aws/config", config)
                .var("AWS_REGION", "us-west-2"),
            Some("dev"),
            None,
            "http://services.example:1/",
        ),
        (
            ProviderEnv::fake()
                .home("/h")
                .file("/h/.aws/config", config)
                .var("AWS_REGION", "us-west-2")
                .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            Some("dev"),
            None,
            "https://sts.us-west-2.amazonaws.com/",
        ),
        (
            ProviderEnv::fake().var("AWS_REGION", "aws-global"),
            None,
            None,
            "https://sts.amazonaws.com/",
        ),
    ];
    for (env, profile, region, expected) in cases {
        let capture = CaptureUris::default();
        let mut provider = AssumeRoleProvider::new(ROLE, source())
            .with_env(env, profile)
            .with_client_config(Config::builder().http_connector(capture.clone()).build());
        if let Some(region) = region {
            provider = provider.with_region(region);
        }
        provider.provide_credentials().await.unwrap();
        assert_eq!(capture.0.lock().unwrap().as_slice(), [expected]);
    }
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn every_modelled_sts_error_becomes_a_clear_credentials_error() {
    let assume_role = [
        (
            "ExpiredTokenException",
            400,
            "ProviderError",
            "the session token of the source credentials has expired",
        ),
        (
            "MalformedPolicyDocument",
            400,
            "InvalidConfiguration",
            "the session policy is not a valid IAM policy",
        ),
        (
            "PackedPolicyTooLarge",
            400,
            "InvalidConfiguration",
            "the session policies and tags are too large",
        ),
        (
            "RegionDisabledException",
            403,
            "InvalidConfiguration",
            "STS is not activated in this region: activate it in the IAM console or configure \
             another region",
        ),
        (
            "AccessDenied",
            403,
            "ProviderError",
            "the caller may not assume this role: check the role's trust policy and the \
             caller's permissions",
        ),
        (
            "ValidationError",
            400,
            "InvalidConfiguration",
            "check the role ARN, the session name and the duration",
        ),
        (
            "SomethingNew",
            400,
            "ProviderError",
            "STS refused to issue credentials",
        ),
    ];
    for (code, status, expected_kind, hint) in assume_role {
        let sts = FakeServer::start(move |_| {
            sts_error(status, code, "what STS said")
                .with_header("x-amzn-RequestId", &format!("req-{code}"))
        })
        .await;
        let error = AssumeRoleProvider::new(ROLE, source())
            .with_env(sts_env(&sts), None)
            .with_client_config(one_attempt())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(kind(&error), expected_kind, "{code}");
        assert_eq!(
            error.message(),
            format!(
                "assuming role `{ROLE}`: AssumeRole: {code}: what STS said (HTTP {status}, \
                 request id req-{code}): {hint}"
            )
        );
        assert_eq!(sts.requests().len(), 1, "{code} is not retried");
    }

    let web_identity = [
        (
            "ExpiredTokenException",
            "ProviderError",
            "the web identity token has expired; the token file is read again on the next \
             attempt",
        ),
        (
            "IDPCommunicationError",
            "ProviderError",
            "STS could not reach the identity provider that issued the token (retried)",
        ),
        (
            "IDPRejectedClaim",
            "ProviderError",
            "the identity provider rejected the token's claims",
        ),
        (
            "InvalidIdentityToken",
            "ProviderError",
            "the web identity token was refused: check the token file and the role's OIDC \
             provider",
        ),
        (
            "MalformedPolicyDocument",
            "InvalidConfiguration",
            "the session policy is not a valid IAM policy",
        ),
        (
            "PackedPolicyTooLarge",
            "InvalidConfiguration",
            "the session policies and tags are too large",
        ),
        (
            "RegionDisabledException",
            "InvalidConfiguration",
            "STS is not activated in this region: activate it in the IAM console or configure \
             another region",
        ),
    ];
    for (code, expected_kind, hint) in web_identity {
        let sts = FakeServer::start(move |_| {
            sts_error(400, code, "what STS said")
                .with_header("x-amzn-RequestId", &format!("req-{code}"))
        })
        .await;
        let env = sts_env(&sts).file("/t", "jwt");
        let error = WebIdentityTokenProvider::new(env, "/t", WEB_ROLE)
            .with_client_config(one_attempt())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(kind(&error), expected_kind, "{code}");
        assert_eq!(
            error.message(),
            format!(
                "web identity: assuming role `{WEB_ROLE}` with a web identity token: \
                 AssumeRoleWithWebIdentity: {code}: what STS said (HTTP 400, request id \
                 req-{code}): {hint}"
            )
        );
    }
}

#[tokio::test]
async fn transient_sts_errors_are_retried_others_are_not() {
    for (code, status) in [
        ("IDPCommunicationError", 400),
        ("Throttling", 400),
        ("InternalFailure", 500),
    ] {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let sts = FakeServer::start(move |_| {
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                sts_error(status, code, "try again")
            } else {
                web_assumed()
            }
        })
        .await;
        let env = sts_env(&sts).file("/t", "jwt");
        let credentials = WebIdentityTokenProvider::new(env, "/t", WEB_ROLE)
            .with_client_config(
                Config::builder()
                    .max_attempts(3)
                    .sleep_impl(NoSleep)
                    .build(),
            )
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAWEB");
        assert_eq!(sts.requests().len(), 3, "{code}");
    }

    let sts = FakeServer::start(|_| sts_error(400, "InvalidIdentityToken", "no")).await;
    let env = sts_env(&sts).file("/t", "jwt");
    WebIdentityTokenProvider::new(env, "/t", WEB_ROLE)
        .with_client_config(Config::builder().sleep_impl(NoSleep).build())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(sts.requests().len(), 1);
}

#[tokio::test]
async fn malformed_sts_answers_are_provider_errors_without_their_content() {
    let cases = [
        (
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA\
             </AccessKeyId><SecretAccessKey>LEAKED-SECRET</Credentials>",
            "the STS response is not well-formed XML (near byte",
        ),
        (
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId>\
             <SecretAccessKey>LEAKED-SECRET</SecretAccessKey><Expiration>2030-01-01T00:00:00Z\
             </Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
            "the STS response has no `SessionToken` in \
             AssumeRoleResponse/AssumeRoleResult/Credentials",
        ),
        (
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId>\
             <SecretAccessKey>LEAKED-SECRET</SecretAccessKey><SessionToken>T</SessionToken>\
             <Expiration>soon</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
            "`Expiration` of the STS response is not an RFC 3339 timestamp",
        ),
    ];
    for (body, expected) in cases {
        let sts = FakeServer::start(move |_| Response::xml(200, body)).await;
        let error = AssumeRoleProvider::new(ROLE, source())
            .with_env(sts_env(&sts), None)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(kind(&error), "ProviderError");
        assert!(
            error.message().starts_with(&format!(
                "assuming role `{ROLE}`: AssumeRole: invalid response (HTTP 200): {expected}"
            )),
            "{}",
            error.message()
        );
        assert!(!error.message().contains("LEAKED"), "{}", error.message());
    }
}

#[tokio::test]
async fn sts_calls_end_within_their_timeout() {
    let silent = silent_server().await;
    let env = ProviderEnv::fake()
        .var("AWS_REGION", "eu-west-1")
        .var("AWS_ENDPOINT_URL_STS", format!("http://{silent}"));
    let started = Instant::now();
    let error = AssumeRoleProvider::new(ROLE, source())
        .with_env(env, None)
        .with_client_config(
            Config::builder()
                .operation_timeout(Duration::from_millis(300))
                .build(),
        )
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(kind(&error), "ProviderTimedOut");
    assert_eq!(
        error.message(),
        format!("assuming role `{ROLE}`: AssumeRole: timed out: operation exceeded 300ms")
    );
}

/// Without a client configuration, the environment's default operation timeout (60 s) must not
/// reach STS: its calls end within `DEFAULT_CREDENTIALS_CALL_TIMEOUT`.
#[tokio::test(start_paused = true)]
async fn sts_calls_get_the_credentials_call_timeout_by_default() {
    let silent = silent_server().await;
    let env = ProviderEnv::fake()
        .var("AWS_REGION", "eu-west-1")
        .var("AWS_ENDPOINT_URL_STS", format!("http://{silent}"));
    let started = tokio::time::Instant::now();
    let error = AssumeRoleProvider::new(ROLE, source())
        .with_env(env, None)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(kind(&error), "ProviderTimedOut");
    assert_eq!(
        error.message(),
        format!("assuming role `{ROLE}`: AssumeRole: timed out: operation exceeded 10s")
    );
    assert!(
        started.elapsed() <= Duration::from_secs(11),
        "{:?}",
        started.elapsed()
    );
}
