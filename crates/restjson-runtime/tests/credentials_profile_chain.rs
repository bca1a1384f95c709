//! Profile tables for every credential source and precedence rule, including chains mixing
//! `source_profile`, `credential_source`, web identity, IAM Identity Center and
//! `credential_process`, against one fake AWS server on 127.0.0.1 (STS, SSO, container and
//! instance metadata endpoints). Every signed request is verified independently with the
//! secret of the credentials it claims.

mod support;

use std::time::{Duration, UNIX_EPOCH};

use restjson_runtime::Config;
use restjson_runtime::config::ProviderEnv;
use restjson_runtime::credentials::{DefaultChain, ProfileProvider, ProvideCredentials};
use restjson_runtime::time::StaticTimeSource;
use support::{FakeServer, Request, Response, TempDir, sso_credentials, sts_credentials};

/// 2024-01-02T03:04:05Z.
const NOW_SECS: u64 = 1_704_164_645;
const SESSION_CACHE: &str = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or_default()
}

/// Every fake endpoint in one: STS (`POST /`), SSO `GetRoleCredentials`, the container
/// endpoint (`/container`) and instance metadata (`/latest/...`). Assumed roles get the keys
/// `ASIA-<role>` / `secret-<role>`.
fn fake_aws(request: &Request) -> Response {
    let imds_json = r#"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"secret-imds","Token":"token-imds","Expiration":"2030-01-01T00:00:00Z"}"#;
    match (request.method.as_str(), request.path()) {
        ("POST", "/") => {
            let role = request.form("RoleArn").unwrap_or_default();
            let role = role_name(&role);
            match request.form("Action").as_deref() {
                Some("AssumeRole") => sts_credentials(
                    "AssumeRole",
                    &format!("ASIA-{role}"),
                    &format!("secret-{role}"),
                    &format!("token-{role}"),
                ),
                _ => sts_credentials(
                    "AssumeRoleWithWebIdentity",
                    &format!("ASIA-WEB-{role}"),
                    &format!("secret-WEB-{role}"),
                    "token-web",
                ),
            }
        }
        ("GET", "/federation/credentials") => sso_credentials("ASIASSO", "secret-sso", "token-sso"),
        ("GET", "/container") => Response::json(
            200,
            r#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"secret-ecs","Token":"token-ecs","Expiration":"2030-01-01T00:00:00Z"}"#,
        ),
        ("PUT", "/latest/api/token") => Response::new(200, "text/plain", "imds-session"),
        ("GET", "/latest/meta-data/iam/security-credentials/") => {
            Response::new(200, "text/plain", "instance-role")
        }
        ("GET", "/latest/meta-data/iam/security-credentials/instance-role") => {
            Response::json(200, imds_json)
        }
        _ => Response::new(404, "text/plain", "not found"),
    }
}

/// The secret of each access key id the tests hand out.
fn secret_of(access_key_id: &str) -> String {
    match access_key_id {
        "ASIAIMDS" => "secret-imds".to_owned(),
        "ASIAECS" => "secret-ecs".to_owned(),
        "ASIASSO" => "secret-sso".to_owned(),
        id if id.starts_with("ASIA-WEB-") => format!("secret-WEB-{}", &id["ASIA-WEB-".len()..]),
        id if id.starts_with("ASIA-") => format!("secret-{}", &id["ASIA-".len()..]),
        id => format!("{id}-SECRET"),
    }
}

/// What each request was, with every signature checked against the secret it claims.
fn trace(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| match (r.method.as_str(), r.path()) {
            ("POST", "/") => {
                let role = r.form("RoleArn").unwrap_or_default();
                let role = role_name(&role).to_owned();
                match r.form("Action").as_deref() {
                    Some("AssumeRole") => {
                        let by = r.signed_by().expect("AssumeRole is signed");
                        let scope = r
                            .verify_signature(&secret_of(&by))
                            .unwrap_or_else(|e| panic!("{e}"));
                        assert!(scope.ends_with("/eu-west-1/sts/aws4_request"), "{scope}");
                        Some(format!("AssumeRole {role} signed by {by}"))
                    }
                    Some(action) => {
                        assert_eq!(r.header("authorization"), None);
                        let token = r.form("WebIdentityToken").unwrap_or_default();
                        Some(format!("{action} {role} with {token}"))
                    }
                    None => Some("STS without an action".to_owned()),
                }
            }
            ("GET", "/federation/credentials") => Some(format!(
                "GetRoleCredentials {} with {}",
                r.query(),
                r.header("x-amz-sso_bearer_token").unwrap_or_default()
            )),
            ("GET", "/container") => Some("container".to_owned()),
            ("GET", "/latest/meta-data/iam/security-credentials/instance-role") => {
                Some("IMDS credentials".to_owned())
            }
            ("PUT" | "GET", p) if p.starts_with("/latest/") => None,
            (m, p) => Some(format!("unexpected {m} {p}")),
        })
        .collect()
}

/// A home directory with the given files, the fake server as STS, SSO and container endpoint.
struct Setup {
    home: TempDir,
    aws: FakeServer,
}

impl Setup {
    async fn new(config: &str, credentials: &str) -> Self {
        let home = TempDir::new("chain");
        // `{aws}` in a file stands for the fake server's URL.
        let aws = FakeServer::start(fake_aws).await;
        home.write(".aws/config", &config.replace("{aws}", &aws.url()));
        home.write(".aws/credentials", credentials);
        home.write("web-token", "jwt-from-file\n");
        home.write(
            SESSION_CACHE,
            r#"{"accessToken":"sso-access","expiresAt":"2030-01-01T00:00:00Z"}"#,
        );
        Self { home, aws }
    }

    fn env(&self) -> ProviderEnv {
        ProviderEnv::fake()
            .home(self.home.path())
            .with_real_files()
            .var("AWS_REGION", "eu-west-1")
            .var("AWS_ENDPOINT_URL", self.aws.url())
    }

    fn client_config() -> Config {
        Config::builder()
            .time_source(StaticTimeSource::new(
                UNIX_EPOCH + Duration::from_secs(NOW_SECS),
            ))
            .build()
    }
}

struct Case {
    docs: &'static str,
    config: &'static str,
    credentials: &'static str,
    env: &'static [(&'static str, &'static str)],
    trace: &'static [&'static str],
    access_key_id: &'static str,
}

const ROLE_A: &str = "role_arn = arn:aws:iam::123456789012:role/RoleA";

#[tokio::test]
async fn profile_chains_resolve_like_the_aws_sdks() {
    let cases = [
        Case {
            docs: "a role backed by a source profile with static keys",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\naws_access_key_id = AKID_B\naws_secret_access_key = AKID_B-SECRET\n",
            credentials: "",
            env: &[],
            trace: &["AssumeRole RoleA signed by AKID_B"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "the selected profile's own keys are ignored when it names a source profile",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     aws_access_key_id = AKID_A\naws_secret_access_key = AKID_A-SECRET\n",
            credentials: "[B]\naws_access_key_id = AKID_B\naws_secret_access_key = AKID_B-SECRET\n",
            env: &[],
            trace: &["AssumeRole RoleA signed by AKID_B"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "a profile naming itself signs for its role with its own keys",
            config: "",
            credentials: "[A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = A\n\
                          aws_access_key_id = AKID_A\naws_secret_access_key = AKID_A-SECRET\n",
            env: &[],
            trace: &["AssumeRole RoleA signed by AKID_A"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "credential_source = Environment",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\ncredential_source = Environment\n",
            credentials: "",
            env: &[
                ("AWS_ACCESS_KEY_ID", "AKID_ENV"),
                ("AWS_SECRET_ACCESS_KEY", "AKID_ENV-SECRET"),
            ],
            trace: &["AssumeRole RoleA signed by AKID_ENV"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "credential_source = EcsContainer",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\ncredential_source = EcsContainer\n",
            credentials: "",
            env: &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{aws}/container")],
            trace: &["container", "AssumeRole RoleA signed by ASIAECS"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "credential_source = Ec2InstanceMetadata, the endpoint from the profile",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\n\
                     credential_source = Ec2InstanceMetadata\nec2_metadata_service_endpoint = {aws}\n",
            credentials: "",
            env: &[],
            trace: &["IMDS credentials", "AssumeRole RoleA signed by ASIAIMDS"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "three profiles chained",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\nrole_arn = arn:aws:iam::123456789012:role/RoleB\nsource_profile = C\n\
                     [profile C]\naws_access_key_id = AKID_C\naws_secret_access_key = AKID_C-SECRET\n",
            credentials: "",
            env: &[],
            trace: &[
                "AssumeRole RoleB signed by AKID_C",
                "AssumeRole RoleA signed by ASIA-RoleB",
            ],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "a source profile's static keys win over the role it names",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\nrole_arn = arn:aws:iam::123456789012:role/RoleB\nsource_profile = C\n\
                     aws_access_key_id = AKID_B\naws_secret_access_key = AKID_B-SECRET\n\
                     [profile C]\naws_access_key_id = AKID_C\naws_secret_access_key = AKID_C-SECRET\n",
            credentials: "",
            env: &[],
            trace: &["AssumeRole RoleA signed by AKID_B"],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "web identity in the selected profile",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\n\
                     web_identity_token_file = ~/web-token\nrole_session_name = pod\n",
            credentials: "",
            env: &[],
            trace: &["AssumeRoleWithWebIdentity RoleA with jwt-from-file"],
            access_key_id: "ASIA-WEB-RoleA",
        },
        Case {
            docs: "web identity as the source profile",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\nrole_arn = arn:aws:iam::123456789012:role/RoleB\n\
                     web_identity_token_file = ~/web-token\n",
            credentials: "",
            env: &[],
            trace: &[
                "AssumeRoleWithWebIdentity RoleB with jwt-from-file",
                "AssumeRole RoleA signed by ASIA-WEB-RoleB",
            ],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "IAM Identity Center in the selected profile",
            config: "[profile A]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
                     [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n",
            credentials: "",
            env: &[],
            trace: &["GetRoleCredentials role_name=Dev&account_id=111122223333 with sso-access"],
            access_key_id: "ASIASSO",
        },
        Case {
            docs: "IAM Identity Center as the source profile",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
                     [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n",
            credentials: "",
            env: &[],
            trace: &[
                "GetRoleCredentials role_name=Dev&account_id=111122223333 with sso-access",
                "AssumeRole RoleA signed by ASIASSO",
            ],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "source_profile, then credential_source",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\nrole_arn = arn:aws:iam::123456789012:role/RoleB\ncredential_source = Environment\n",
            credentials: "",
            env: &[
                ("AWS_ACCESS_KEY_ID", "AKID_ENV"),
                ("AWS_SECRET_ACCESS_KEY", "AKID_ENV-SECRET"),
            ],
            trace: &[
                "AssumeRole RoleB signed by AKID_ENV",
                "AssumeRole RoleA signed by ASIA-RoleB",
            ],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "source_profile, source_profile, then IAM Identity Center",
            config: "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
                     [profile B]\nrole_arn = arn:aws:iam::123456789012:role/RoleB\nsource_profile = C\n\
                     [profile C]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
                     [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n",
            credentials: "",
            env: &[],
            trace: &[
                "GetRoleCredentials role_name=Dev&account_id=111122223333 with sso-access",
                "AssumeRole RoleB signed by ASIASSO",
                "AssumeRole RoleA signed by ASIA-RoleB",
            ],
            access_key_id: "ASIA-RoleA",
        },
        Case {
            docs: "static keys, the credentials file winning over the config file",
            config: "[profile A]\naws_access_key_id = FROM_CONFIG\naws_secret_access_key = S\n",
            credentials: "[A]\naws_access_key_id = FROM_CREDENTIALS\n",
            env: &[],
            trace: &[],
            access_key_id: "FROM_CREDENTIALS",
        },
    ];
    for case in cases {
        let setup = Setup::new(case.config, case.credentials).await;
        let mut env = setup.env();
        for (name, value) in case.env {
            env = env.var(*name, value.replace("{aws}", &setup.aws.url()));
        }
        let credentials = ProfileProvider::new(env, Some("A"))
            .with_client_config(Setup::client_config())
            .provide_credentials()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.docs));
        assert_eq!(
            credentials.access_key_id(),
            case.access_key_id,
            "{}",
            case.docs
        );
        assert_eq!(trace(&setup.aws.requests()), case.trace, "{}", case.docs);
    }
}

#[tokio::test]
async fn role_settings_reach_sts() {
    let setup = Setup::new(
        "[profile A]\nrole_arn = arn:aws:iam::123456789012:role/RoleA\nsource_profile = B\n\
         role_session_name = my-session\nexternal_id = ext-9\nduration_seconds = 7200\n\
         [profile B]\naws_access_key_id = AKID_B\naws_secret_access_key = AKID_B-SECRET\n\
         aws_session_token = TOKEN_B\n",
        "",
    )
    .await;
    ProfileProvider::new(setup.env(), Some("A"))
        .provide_credentials()
        .await
        .unwrap();
    let request = &setup.aws.requests()[0];
    assert_eq!(
        request.body_text(),
        "Action=AssumeRole&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FRoleA\
         &RoleSessionName=my-session&DurationSeconds=7200&ExternalId=ext-9"
    );
    assert_eq!(request.header("x-amz-security-token"), Some("TOKEN_B"));

    // Without a session name: named after the clock.
    let setup = Setup::new(
        &format!(
            "[profile A]\n{ROLE_A}\nsource_profile = B\n\
             [profile B]\naws_access_key_id = AKID_B\naws_secret_access_key = AKID_B-SECRET\n"
        ),
        "",
    )
    .await;
    ProfileProvider::new(setup.env(), Some("A"))
        .with_client_config(Setup::client_config())
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        setup.aws.requests()[0].form("RoleSessionName").as_deref(),
        Some("restjson-runtime-1704164645000")
    );
}

#[tokio::test]
async fn broken_chains_are_configuration_errors_sent_nowhere() {
    let b_keys = "[profile B]\naws_access_key_id = AKID_B\naws_secret_access_key = S\n";
    let cases: Vec<(String, String)> = vec![
        (
            format!(
                "[profile A]\n{ROLE_A}\nsource_profile = B\n[profile B]\n{ROLE_A}\nsource_profile = A\n"
            ),
            "profiles form a cycle through `source_profile`: A -> B -> A".to_owned(),
        ),
        (
            format!(
                "[profile A]\n{ROLE_A}\nsource_profile = B\naws_access_key_id = X\naws_secret_access_key = Y\n\
                 [profile B]\n{ROLE_A}\nsource_profile = C\n[profile C]\n{ROLE_A}\nsource_profile = B\n"
            ),
            "profiles form a cycle through `source_profile`: A -> B -> C -> B".to_owned(),
        ),
        (
            format!(
                "[profile A]\n{ROLE_A}\nsource_profile = B\ncredential_source = Environment\n{b_keys}"
            ),
            "profile `A` sets both `source_profile` and `credential_source`; set only one"
                .to_owned(),
        ),
        (
            format!("[profile A]\n{ROLE_A}\nsource_profile = B\n"),
            "profile `A` names `source_profile = B`, which is defined in neither the config file \
             {home}/.aws/config nor the credentials file {home}/.aws/credentials"
                .to_owned(),
        ),
        (
            format!("[profile A]\n{ROLE_A}\nsource_profile = B\n[profile B]\nregion = us-east-1\n"),
            "profile `B`, the source profile of `A`, has no credentials".to_owned(),
        ),
        (
            format!(
                "[profile A]\n{ROLE_A}\nsource_profile = B\n[profile B]\naws_access_key_id = AKID_B\n"
            ),
            "profile `B` sets `aws_access_key_id` but not `aws_secret_access_key`".to_owned(),
        ),
        (
            format!("[profile A]\n{ROLE_A}\ncredential_source = Ec2Metadata\n"),
            "profile `A` has `credential_source` = \"Ec2Metadata\"; expected `Environment`, \
             `Ec2InstanceMetadata` or `EcsContainer`"
                .to_owned(),
        ),
        (
            format!(
                "[profile A]\n{ROLE_A}\nsource_profile = B\nmfa_serial = arn:aws:iam::1:mfa/u\n{b_keys}"
            ),
            "profile `A` sets `mfa_serial`: assuming its role needs an MFA code typed by a \
             person, which this SDK does not ask for; use temporary credentials obtained with \
             the code instead (for example in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
             AWS_SESSION_TOKEN)"
                .to_owned(),
        ),
        (
            format!("[profile A]\n{ROLE_A}\nsource_profile = B\nduration_seconds = 1h\n{b_keys}"),
            "profile `A` has `duration_seconds` = \"1h\"; expected a whole number of seconds"
                .to_owned(),
        ),
        (
            format!(
                "[profile A]\n{ROLE_A}\nsource_profile = B\n[profile B]\nweb_identity_token_file = /t\n"
            ),
            "profile `B` sets `web_identity_token_file` but no `role_arn`".to_owned(),
        ),
        (
            format!("[profile A]\n{ROLE_A}\nsource_profile = B\n[profile B]\nlogin_session = x\n"),
            "profile `B` uses `login_session`, which this SDK does not support yet".to_owned(),
        ),
    ];
    for (config, message) in cases {
        let setup = Setup::new(&config, "").await;
        let message = message.replace("{home}", &setup.home.path().display().to_string());
        let error = ProfileProvider::new(setup.env(), Some("A"))
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(
            format!("{:?}", error.kind()),
            "InvalidConfiguration",
            "{config}"
        );
        assert_eq!(error.message(), message);
        assert!(setup.aws.requests().is_empty(), "{config}");
    }
}

#[tokio::test]
async fn the_default_chain_orders_environment_profile_web_identity() {
    let profile_keys = "[default]\naws_access_key_id = AKID_PROFILE\naws_secret_access_key = S\n";
    let web_identity = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "~/web-token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/PodRole"),
    ];
    let env_keys = [
        ("AWS_ACCESS_KEY_ID", "AKID_ENV"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
    ];
    type Vars<'a> = Vec<(&'a str, &'a str)>;
    let cases: [(&str, Vars, &str); 3] = [
        (
            profile_keys,
            [&env_keys[..], &web_identity[..]].concat(),
            "AKID_ENV",
        ),
        (profile_keys, web_identity.to_vec(), "AKID_PROFILE"),
        (
            "[default]\nregion = eu-west-1\n",
            web_identity.to_vec(),
            "ASIA-WEB-PodRole",
        ),
    ];
    for (credentials, vars, expected) in cases {
        let setup = Setup::new("", credentials).await;
        let mut env = setup.env().var("AWS_EC2_METADATA_DISABLED", "true");
        for (name, value) in vars {
            env = env.var(name, value);
        }
        let credentials = DefaultChain::new(&env, None)
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), expected);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_as_a_source_profile() {
    let setup = Setup::new(
        &format!(
            "[profile A]\n{ROLE_A}\nsource_profile = B\n[profile B]\ncredential_process = \
             echo '{{\"Version\":1,\"AccessKeyId\":\"AKID_PROC\",\"SecretAccessKey\":\"AKID_PROC-SECRET\"}}'\n"
        ),
        "",
    )
    .await;
    let credentials = ProfileProvider::new(setup.env(), Some("A"))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "ASIA-RoleA");
    assert_eq!(
        trace(&setup.aws.requests()),
        ["AssumeRole RoleA signed by AKID_PROC"]
    );
}

#[tokio::test]
async fn imds_endpoint_settings_from_profile_and_environment() {
    let aws = FakeServer::start(fake_aws).await;
    let config = |extra: &str| {
        ProviderEnv::fake()
            .home("/h")
            .file("/h/.aws/config", format!("[default]\n{extra}"))
    };
    let imds = |env: ProviderEnv| restjson_runtime::credentials::ImdsProvider::new(env);
    // The profile's endpoint.
    let credentials = imds(config(&format!(
        "ec2_metadata_service_endpoint = {}\n",
        aws.url()
    )))
    .provide_credentials()
    .await
    .unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAIMDS");
    // The variable wins over the profile.
    let env = config("ec2_metadata_service_endpoint = http://127.0.0.1:1\n")
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT", aws.url());
    assert_eq!(
        imds(env)
            .provide_credentials()
            .await
            .unwrap()
            .access_key_id(),
        "ASIAIMDS"
    );

    for (env, message) in [
        (
            config("ec2_metadata_service_endpoint_mode = IPv5\n"),
            "IMDS: `ec2_metadata_service_endpoint_mode` of profile `default` is \"IPv5\"; \
             expected `IPv4` or `IPv6`",
        ),
        (
            config("").var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv7"),
            "IMDS: AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is \"ipv7\"; expected `IPv4` or `IPv6`",
        ),
        (
            config("ec2_metadata_service_endpoint = 169.254.169.254\n"),
            "IMDS: `ec2_metadata_service_endpoint` of profile `default` \"169.254.169.254\" is \
             not an http:// or https:// URL with a host",
        ),
    ] {
        let error = imds(env).provide_credentials().await.unwrap_err();
        assert_eq!(format!("{:?}", error.kind()), "InvalidConfiguration");
        assert_eq!(error.message(), message);
    }
}

#[tokio::test]
async fn imds_ipv6_mode_from_the_profile_picks_the_ipv6_endpoint() {
    // Nothing answers at fd00:ec2::254 here: the error names the endpoint that was tried.
    let env = ProviderEnv::fake().home("/h").file(
        "/h/.aws/config",
        "[profile p]\nec2_metadata_service_endpoint_mode = IPv6\n",
    );
    let error = restjson_runtime::credentials::ImdsProvider::new(env)
        .with_profile("p")
        .with_connect_timeout(Duration::from_millis(100))
        .with_timeout(Duration::from_millis(300))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        error.message().contains("http://[fd00:ec2::254]"),
        "{}",
        error.message()
    );
}
