//! IAM Identity Center profiles against fake SSO and SSO OIDC servers on 127.0.0.1: the token
//! cache files `aws sso login` writes, refresh through `CreateToken`, `GetRoleCredentials`,
//! and the errors that tell the user to log in again.

mod support;

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use restjson_runtime::Config;
use restjson_runtime::config::ProviderEnv;
use restjson_runtime::credentials::{CredentialsError, ProfileProvider, ProvideCredentials};
use restjson_runtime::time::StaticTimeSource;
use serde_json::{Value, json};
use support::{EXPIRY_2030_SECS, FakeServer, Response, TempDir, json_error, sso_credentials};

/// The test clock: 2024-01-02T03:04:05Z.
const NOW: u64 = 1_704_164_645;
/// SHA-1 of `corp` and of the start URL, computed with another tool (`hashlib.sha1`).
const SESSION_CACHE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
const LEGACY_CACHE: &str = "2b829a45f04c9828cb45b7d092d8e4aa30818393.json";
const START_URL: &str = "https://d-123.awsapps.com/start";

const SESSION_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
    sso_role_name = ReadOnly\nregion = eu-west-1\n\n[sso-session corp]\n\
    sso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n\
    sso_registration_scopes = sso:account:access\n";

const LEGACY_CONFIG: &str = "[profile dev]\nsso_start_url = https://d-123.awsapps.com/start\n\
    sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n";

fn kind(error: &CredentialsError) -> String {
    format!("{:?}", error.kind())
}

/// A home directory with a config file and a token cache, and the two fake services.
struct Setup {
    home: TempDir,
    portal: FakeServer,
    oidc: FakeServer,
}

impl Setup {
    async fn new(
        config: &str,
        portal: impl Fn(&support::Request) -> Response + Send + Sync + 'static,
        oidc: impl Fn(&support::Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        let home = TempDir::new("sso");
        home.write(".aws/config", config);
        Self {
            home,
            portal: FakeServer::start(portal).await,
            oidc: FakeServer::start(oidc).await,
        }
    }

    fn cache_path(&self, name: &str) -> PathBuf {
        self.home.path().join(".aws/sso/cache").join(name)
    }

    fn write_token(&self, name: &str, token: &Value) {
        self.home
            .write(&format!(".aws/sso/cache/{name}"), &token.to_string());
    }

    fn read_token(&self, name: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.cache_path(name)).unwrap()).unwrap()
    }

    fn provider(&self) -> ProfileProvider {
        let env = ProviderEnv::fake()
            .home(self.home.path())
            .with_real_files()
            .var("AWS_ENDPOINT_URL_SSO", self.portal.url())
            .var("AWS_ENDPOINT_URL_SSO_OIDC", self.oidc.url());
        ProfileProvider::new(env, Some("dev")).with_client_config(
            Config::builder()
                .time_source(StaticTimeSource::new(UNIX_EPOCH + Duration::from_secs(NOW)))
                .build(),
        )
    }
}

/// A cached token expiring `expires_in` seconds after the test clock, with a refresh token and
/// a client registration valid until March.
fn refreshable_token(expires_in: i64) -> Value {
    json!({
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": "cached-access-token",
        "expiresAt": timestamp(expires_in),
        "clientId": "client-id",
        "clientSecret": "client-secret",
        "registrationExpiresAt": "2024-03-01T00:00:00Z",
        "refreshToken": "cached-refresh-token",
    })
}

/// RFC 3339 for the test clock plus `offset` seconds.
fn timestamp(offset: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_secs((NOW as i64 + offset) as u64);
    restjson_runtime::DateTime::from(t)
        .format(restjson_runtime::TimestampFormat::DateTime)
        .unwrap()
}

fn role_credentials(_: &support::Request) -> Response {
    sso_credentials("ASIASSO", "sso-secret", "sso-session-token")
}

fn new_token(_: &support::Request) -> Response {
    Response::json(
        200,
        r#"{"accessToken":"new-access-token","expiresIn":3600,"refreshToken":"new-refresh-token","tokenType":"Bearer"}"#,
    )
}

fn invalid_grant(_: &support::Request) -> Response {
    json_error(
        400,
        "InvalidGrantException",
        r#"{"error":"invalid_grant","error_description":"Refresh token has expired"}"#,
    )
}

fn unreachable(request: &support::Request) -> Response {
    panic!("unexpected request {request:?}")
}

fn assert_role_request(request: &support::Request, token: &str) {
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.target,
        "/federation/credentials?role_name=ReadOnly&account_id=123456789012"
    );
    assert_eq!(request.header("x-amz-sso_bearer_token"), Some(token));
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn a_valid_session_token_is_exchanged_for_role_credentials() {
    let setup = Setup::new(SESSION_CONFIG, role_credentials, unreachable).await;
    setup.write_token(SESSION_CACHE, &refreshable_token(3600));
    let credentials = setup.provider().provide_credentials().await.unwrap();
    assert_eq!(
        (
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token(),
            credentials.provider_name()
        ),
        ("ASIASSO", "sso-secret", Some("sso-session-token"), "Sso")
    );
    assert_eq!(
        credentials.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(EXPIRY_2030_SECS))
    );
    let requests = setup.portal.requests();
    assert_eq!(requests.len(), 1);
    assert_role_request(&requests[0], "cached-access-token");
}

#[tokio::test]
async fn the_legacy_form_reads_the_cache_named_by_the_start_url() {
    let setup = Setup::new(LEGACY_CONFIG, role_credentials, unreachable).await;
    // Older CLI versions wrote `UTC` for `Z`; legacy tokens are never refreshed, even close to
    // their expiry.
    setup.write_token(
        LEGACY_CACHE,
        &json!({
            "startUrl": START_URL,
            "region": "us-east-1",
            "accessToken": "legacy-token",
            "expiresAt": timestamp(60).replace('Z', "UTC"),
        }),
    );
    setup.provider().provide_credentials().await.unwrap();
    assert_role_request(&setup.portal.requests()[0], "legacy-token");
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_and_saved() {
    let setup = Setup::new(SESSION_CONFIG, role_credentials, new_token).await;
    let mut cached = refreshable_token(120);
    cached["someOtherField"] = json!("kept");
    setup.write_token(SESSION_CACHE, &cached);
    setup.provider().provide_credentials().await.unwrap();

    let refresh = &setup.oidc.requests()[0];
    assert_eq!(
        (refresh.method.as_str(), refresh.target.as_str()),
        ("POST", "/token")
    );
    assert_eq!(refresh.header("content-type"), Some("application/json"));
    assert_eq!(refresh.header("authorization"), None);
    assert_eq!(
        serde_json::from_slice::<Value>(&refresh.body).unwrap(),
        json!({
            "clientId": "client-id",
            "clientSecret": "client-secret",
            "grantType": "refresh_token",
            "refreshToken": "cached-refresh-token",
        })
    );
    assert_role_request(&setup.portal.requests()[0], "new-access-token");

    let mut expected = cached.clone();
    expected["accessToken"] = json!("new-access-token");
    expected["expiresAt"] = json!(timestamp(3600));
    expected["refreshToken"] = json!("new-refresh-token");
    assert_eq!(setup.read_token(SESSION_CACHE), expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(setup.cache_path(SESSION_CACHE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn an_expired_token_that_cannot_be_refreshed_asks_for_a_login() {
    let cases = [
        ("no refresh token", {
            let mut t = refreshable_token(-1);
            t.as_object_mut().unwrap().remove("refreshToken");
            t
        }),
        ("registration expired", {
            let mut t = refreshable_token(-1);
            t["registrationExpiresAt"] = json!(timestamp(-10));
            t
        }),
        ("no client secret", {
            let mut t = refreshable_token(-1);
            t.as_object_mut().unwrap().remove("clientSecret");
            t
        }),
    ];
    for (case, token) in cases {
        let setup = Setup::new(SESSION_CONFIG, unreachable, unreachable).await;
        setup.write_token(SESSION_CACHE, &token);
        let error = setup.provider().provide_credentials().await.unwrap_err();
        assert_eq!(kind(&error), "ProviderError", "{case}");
        assert_eq!(
            error.message(),
            "profile `dev` (IAM Identity Center session `corp`): the IAM Identity Center token \
             has expired: run `aws sso login --profile dev`",
            "{case}"
        );
    }

    let setup = Setup::new(LEGACY_CONFIG, unreachable, unreachable).await;
    setup.write_token(
        LEGACY_CACHE,
        &json!({"accessToken": "legacy-token", "expiresAt": timestamp(0)}),
    );
    let error = setup.provider().provide_credentials().await.unwrap_err();
    assert_eq!(
        error.message(),
        "profile `dev` (IAM Identity Center): the IAM Identity Center token has expired: run \
         `aws sso login --profile dev`"
    );
}

#[tokio::test]
async fn a_failed_refresh_of_an_expired_token_asks_for_a_login() {
    let setup = Setup::new(SESSION_CONFIG, unreachable, invalid_grant).await;
    setup.write_token(SESSION_CACHE, &refreshable_token(-30));
    let error = setup.provider().provide_credentials().await.unwrap_err();
    assert_eq!(kind(&error), "ProviderError");
    assert_eq!(
        error.message(),
        "profile `dev` (IAM Identity Center session `corp`): the IAM Identity Center token \
         expired and refreshing it failed: CreateToken: InvalidGrantException: Refresh token \
         has expired (HTTP 400, request id req-InvalidGrantException); run `aws sso login \
         --profile dev`"
    );
    assert_eq!(setup.oidc.requests().len(), 1);
}

#[tokio::test]
async fn a_failed_refresh_of_a_valid_token_keeps_it_and_is_not_retried_at_once() {
    let setup = Setup::new(SESSION_CONFIG, role_credentials, invalid_grant).await;
    setup.write_token(SESSION_CACHE, &refreshable_token(120));
    let provider = setup.provider();
    for _ in 0..2 {
        provider.provide_credentials().await.unwrap();
    }
    let requests = setup.portal.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_role_request(request, "cached-access-token");
    }
    assert_eq!(
        setup.oidc.requests().len(),
        1,
        "one refresh attempt per 30 seconds"
    );
    assert_eq!(
        setup.read_token(SESSION_CACHE),
        refreshable_token(120),
        "the cache file is left alone"
    );
}

#[tokio::test]
async fn token_cache_problems_name_the_file_and_the_fix() {
    let setup = Setup::new(SESSION_CONFIG, unreachable, unreachable).await;
    let path = setup.cache_path(SESSION_CACHE);
    let error = setup.provider().provide_credentials().await.unwrap_err();
    assert_eq!(kind(&error), "ProviderError");
    assert_eq!(
        error.message(),
        format!(
            "profile `dev` (IAM Identity Center session `corp`): the cached token {} does not \
             exist (not logged in?): run `aws sso login --profile dev`",
            path.display()
        )
    );

    for (contents, why) in [
        (
            "{\"accessToken\": \"SECRET-TOKEN\",",
            "is not valid JSON (unexpected end of input at line 1 column 31)",
        ),
        ("[\"SECRET-TOKEN\"]", "is not a JSON object"),
        ("{\"accessToken\": \"SECRET-TOKEN\"}", "has no `expiresAt`"),
        (
            "{\"accessToken\": \"SECRET-TOKEN\", \"expiresAt\": \"later\"}",
            "has an `expiresAt` that is not an RFC 3339 timestamp",
        ),
    ] {
        setup
            .home
            .write(&format!(".aws/sso/cache/{SESSION_CACHE}"), contents);
        let error = setup.provider().provide_credentials().await.unwrap_err();
        assert!(
            error.message().starts_with(&format!(
                "profile `dev` (IAM Identity Center session `corp`): the cached token {} {why}",
                path.display()
            )),
            "{}",
            error.message()
        );
        assert!(!error.message().contains("SECRET"), "{}", error.message());
    }
}

#[tokio::test]
async fn service_errors_of_get_role_credentials() {
    let cases = [
        (
            401,
            "UnauthorizedException",
            "ProviderError",
            ": the access token was refused; run `aws sso login --profile dev`",
        ),
        (404, "ResourceNotFoundException", "InvalidConfiguration", ""),
        (403, "ForbiddenException", "ProviderError", ""),
    ];
    for (status, code, expected_kind, hint) in cases {
        let setup = Setup::new(
            SESSION_CONFIG,
            move |_| json_error(status, code, r#"{"message":"no"}"#),
            unreachable,
        )
        .await;
        setup.write_token(SESSION_CACHE, &refreshable_token(3600));
        let error = setup.provider().provide_credentials().await.unwrap_err();
        assert_eq!(kind(&error), expected_kind, "{code}");
        assert_eq!(
            error.message(),
            format!(
                "profile `dev` (IAM Identity Center session `corp`): getting credentials of \
                 role `ReadOnly` in account 123456789012: GetRoleCredentials: {code}: no (HTTP \
                 {status}, request id req-{code}){hint}"
            )
        );
    }
}

#[tokio::test]
async fn sso_session_settings_are_checked() {
    let cases = [
        (
            "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n\
             sso_start_url = https://other.awsapps.com/start\n\
             [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n",
            "profile `dev` sets `sso_start_url` to another value than its `[sso-session corp]`",
        ),
        (
            "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n\
             [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\n",
            "`[sso-session corp]` (used by profile `dev`) has no `sso_region`",
        ),
        (
            "[profile dev]\nsso_session = corp\nsso_account_id = 1\n\
             [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n",
            "profile `dev` uses IAM Identity Center but has no `sso_role_name` (needed for \
             credentials)",
        ),
    ];
    for (config, message) in cases {
        let setup = Setup::new(config, unreachable, unreachable).await;
        let error = setup.provider().provide_credentials().await.unwrap_err();
        assert_eq!(kind(&error), "InvalidConfiguration");
        assert_eq!(error.message(), message);
    }
}
