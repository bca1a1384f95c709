//! The new credential sources never put a secret in `Debug` output, error messages or logs:
//! web identity tokens, source and assumed keys, session tokens, IAM Identity Center access and
//! refresh tokens, client secrets, external ids.
//!
//! One test alone in its binary: `tracing` caches per-callsite interest process-wide, so a
//! thread-local subscriber can miss events that other tests' threads hit first.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use restjson_runtime::Config;
use restjson_runtime::config::ProviderEnv;
use restjson_runtime::credentials::{
    AssumeRoleProvider, Credentials, DefaultChain, ProfileProvider, ProvideCredentials,
    WebIdentityTokenProvider,
};
use support::{FakeServer, NoSleep, Request, Response, TempDir, json_error, sts_error};

const SECRETS: &[&str] = &[
    "jwt-SECRET-web",
    "SOURCE-SECRET-key",
    "SOURCE-SECRET-token",
    "ASSUMED-SECRET-key",
    "ASSUMED-SECRET-token",
    "SSO-SECRET-access",
    "SSO-SECRET-refresh",
    "SSO-SECRET-client",
    "SSO-SECRET-role-key",
    "EXTERNAL-SECRET-id",
];

/// Writes every span and event field, at every level, into one string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.0.lock().unwrap();
        out.push_str(&format!("\nspan {}", span.metadata().name()));
        span.record(&mut Fields(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().unwrap();
        out.push_str(&format!("\n{} event", event.metadata().level()));
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn sts_and_sso(calls: &AtomicUsize, request: &Request) -> Response {
    match request.path() {
        "/token" => json_error(
            400,
            "InvalidGrantException",
            r#"{"error":"invalid_grant","error_description":"expired"}"#,
        ),
        "/federation/credentials" => {
            support::sso_credentials("ASIASSO", "SSO-SECRET-role-key", "ASSUMED-SECRET-token")
        }
        // STS: the first call throttled (retried), then a success, then errors.
        _ => match calls.fetch_add(1, Ordering::SeqCst) {
            0 => sts_error(400, "Throttling", "slow down"),
            1 | 2 => support::sts_credentials(
                "AssumeRole",
                "ASIAASSUMED",
                "ASSUMED-SECRET-key",
                "ASSUMED-SECRET-token",
            ),
            _ => sts_error(403, "AccessDenied", "not allowed"),
        },
    }
}

#[test]
fn secrets_stay_out_of_debug_errors_and_logs() {
    let capture = Capture::default();
    let mut seen = Vec::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let calls = Arc::new(AtomicUsize::new(0));
            let counter = calls.clone();
            let aws = FakeServer::start(move |r| sts_and_sso(&counter, r)).await;
            let home = TempDir::new("privacy");
            home.write("token", "jwt-SECRET-web");
            home.write(
                ".aws/config",
                "[profile chain]\nrole_arn = arn:aws:iam::123456789012:role/R\n\
                 source_profile = sso\nexternal_id = EXTERNAL-SECRET-id\n\
                 [profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n\
                 [sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\n\
                 sso_region = us-east-1\n",
            );
            // Expiring in a minute, refreshable: the refresh fails and is logged.
            home.write(
                ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
                &serde_json::json!({
                    "accessToken": "SSO-SECRET-access",
                    "expiresAt": restjson_runtime::DateTime::from(
                        std::time::SystemTime::now() + std::time::Duration::from_secs(60)
                    )
                    .format(restjson_runtime::TimestampFormat::DateTime)
                    .unwrap(),
                    "refreshToken": "SSO-SECRET-refresh",
                    "clientId": "client",
                    "clientSecret": "SSO-SECRET-client",
                    "registrationExpiresAt": "2099-01-01T00:00:00Z",
                })
                .to_string(),
            );
            let env = ProviderEnv::fake()
                .home(home.path())
                .with_real_files()
                .var("AWS_REGION", "eu-west-1")
                .var("AWS_ENDPOINT_URL", aws.url())
                .var("AWS_WEB_IDENTITY_TOKEN_FILE", "~/token")
                .var("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/W");
            let retries = Config::builder().sleep_impl(NoSleep).build();

            let profile = ProfileProvider::new(env.clone(), Some("chain"))
                .with_client_config(retries.clone());
            let assumed = profile.provide_credentials().await.unwrap();
            seen.push(format!("{assumed:?} {profile:?}"));

            let source = Credentials::from_keys(
                "AKIDSOURCE",
                "SOURCE-SECRET-key",
                Some("SOURCE-SECRET-token".to_owned()),
            );
            let role = AssumeRoleProvider::new("arn:aws:iam::123456789012:role/R", source)
                .with_external_id("EXTERNAL-SECRET-id")
                .with_env(env.clone(), None)
                .with_client_config(retries.clone());
            seen.push(format!("{role:?}"));
            seen.push(format!("{:?}", role.provide_credentials().await.unwrap()));
            let error = role.provide_credentials().await.unwrap_err();
            seen.push(format!("{error:?} {error}"));

            let web = WebIdentityTokenProvider::from_env(env.clone()).with_client_config(retries);
            seen.push(format!("{web:?}"));
            let error = web.provide_credentials().await.unwrap_err();
            seen.push(format!("{error:?} {error}"));

            let chain = DefaultChain::new(&env, Some("chain"));
            seen.push(format!("{chain:?}"));
            let config = Config::builder()
                .credentials_provider(restjson_runtime::credentials::CredentialsCache::new(chain))
                .build();
            seen.push(format!("{config:?}"));
            assert!(calls.load(Ordering::SeqCst) >= 4);
        })
    });
    let logs = capture.0.lock().unwrap().clone();
    // The capture saw the calls, their retry and the failed refresh.
    for expected in [
        "operation=\"AssumeRole\"",
        "retrying",
        "refreshing the IAM Identity Center token failed",
    ] {
        assert!(logs.contains(expected), "{expected} missing from\n{logs}");
    }
    for secret in SECRETS {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
        for text in &seen {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
