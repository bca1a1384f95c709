//! Credentials from the environment, the shared files and `credential_process`.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use restjson_runtime::config::ProviderEnv;
use restjson_runtime::credentials::{
    CredentialProcessProvider, Credentials, CredentialsCache, CredentialsError,
    CredentialsErrorKind, EnvironmentProvider, ProfileProvider, ProvideCredentials,
};

const CONFIG: &str = "/home/u/.aws/config";
const CREDENTIALS: &str = "/home/u/.aws/credentials";

/// 2030-01-01T00:00:00Z.
fn y2030() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_893_456_000)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

fn provide(provider: &impl ProvideCredentials) -> Result<Credentials, CredentialsError> {
    block_on(provider.provide_credentials())
}

fn assert_error(
    result: Result<Credentials, CredentialsError>,
    kind: fn(&CredentialsErrorKind) -> bool,
    message: &str,
) {
    let error = result.expect_err("an error");
    assert!(kind(error.kind()), "unexpected kind {:?}", error.kind());
    assert_eq!(error.message(), message);
}

fn not_loaded(k: &CredentialsErrorKind) -> bool {
    matches!(k, CredentialsErrorKind::NotLoaded)
}
fn invalid(k: &CredentialsErrorKind) -> bool {
    matches!(k, CredentialsErrorKind::InvalidConfiguration)
}
fn provider_error(k: &CredentialsErrorKind) -> bool {
    matches!(k, CredentialsErrorKind::ProviderError)
}

// ---------------------------------------------------------------- environment

#[test]
fn environment_keys_token_and_expiration() {
    let env = ProviderEnv::fake()
        .var("AWS_ACCESS_KEY_ID", "AKID")
        .var("AWS_SECRET_ACCESS_KEY", "SECRET")
        .var("AWS_SESSION_TOKEN", "TOKEN")
        .var("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z");
    let creds = provide(&EnvironmentProvider::new(env)).unwrap();
    assert_eq!(creds.access_key_id(), "AKID");
    assert_eq!(creds.secret_access_key(), "SECRET");
    assert_eq!(creds.session_token(), Some("TOKEN"));
    assert_eq!(creds.expiry(), Some(y2030()));
    assert_eq!(creds.provider_name(), "Environment");
}

#[test]
fn environment_without_token_or_expiration() {
    let env = ProviderEnv::fake()
        .var("AWS_ACCESS_KEY_ID", "AKID")
        .var("AWS_SECRET_ACCESS_KEY", "SECRET")
        .var("AWS_SESSION_TOKEN", "");
    let creds = provide(&EnvironmentProvider::new(env)).unwrap();
    assert_eq!(creds.session_token(), None);
    assert_eq!(creds.expiry(), None);
}

#[test]
fn environment_unset_or_blank_is_not_loaded() {
    for env in [
        ProviderEnv::fake(),
        ProviderEnv::fake()
            .var("AWS_ACCESS_KEY_ID", "")
            .var("AWS_SECRET_ACCESS_KEY", "  "),
    ] {
        assert_error(
            provide(&EnvironmentProvider::new(env)),
            not_loaded,
            "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
        );
    }
}

#[test]
fn environment_with_one_key_is_invalid() {
    assert_error(
        provide(&EnvironmentProvider::new(
            ProviderEnv::fake().var("AWS_ACCESS_KEY_ID", "AKID"),
        )),
        invalid,
        "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
    );
    assert_error(
        provide(&EnvironmentProvider::new(
            ProviderEnv::fake().var("AWS_SECRET_ACCESS_KEY", "SECRET"),
        )),
        invalid,
        "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
    );
}

#[test]
fn environment_with_bad_expiration_is_invalid() {
    let env = ProviderEnv::fake()
        .var("AWS_ACCESS_KEY_ID", "AKID")
        .var("AWS_SECRET_ACCESS_KEY", "SECRET")
        .var("AWS_CREDENTIAL_EXPIRATION", "tomorrow");
    let error = provide(&EnvironmentProvider::new(env)).unwrap_err();
    assert!(invalid(error.kind()));
    assert!(
        error
            .message()
            .starts_with("environment: AWS_CREDENTIAL_EXPIRATION is not an RFC 3339 timestamp"),
        "{}",
        error.message()
    );
}

// ---------------------------------------------------------------- profile, static keys

fn files(config: &str, credentials: &str) -> ProviderEnv {
    ProviderEnv::fake()
        .home("/home/u")
        .file(CONFIG, config)
        .file(CREDENTIALS, credentials)
}

#[test]
fn profile_static_keys_from_either_file() {
    let env = files(
        "[profile cfg]\naws_access_key_id = CFGID\naws_secret_access_key = CFGSECRET",
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\naws_session_token = TOKEN",
    );
    let creds = provide(&ProfileProvider::new(env.clone(), None)).unwrap();
    assert_eq!(
        (
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token()
        ),
        ("AKID", "SECRET", Some("TOKEN"))
    );
    assert_eq!(creds.provider_name(), "Profile");
    assert_eq!(creds.expiry(), None);

    let creds = provide(&ProfileProvider::new(env, Some("cfg"))).unwrap();
    assert_eq!(
        (
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token()
        ),
        ("CFGID", "CFGSECRET", None)
    );
}

#[test]
fn profile_keys_in_credentials_file_win() {
    let env = files(
        "[profile p]\naws_access_key_id = OLD\naws_secret_access_key = OLDSECRET\nregion = r",
        "[p]\naws_access_key_id = NEW\naws_secret_access_key = NEWSECRET",
    );
    let creds = provide(&ProfileProvider::new(env, Some("p"))).unwrap();
    assert_eq!(
        (creds.access_key_id(), creds.secret_access_key()),
        ("NEW", "NEWSECRET")
    );
}

#[test]
fn profile_selected_by_aws_profile() {
    let env = files(
        "",
        "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n[other]\naws_access_key_id = O\naws_secret_access_key = OS",
    )
    .var("AWS_PROFILE", "other");
    assert_eq!(
        provide(&ProfileProvider::new(env.clone(), None))
            .unwrap()
            .access_key_id(),
        "O"
    );
    assert_eq!(
        provide(&ProfileProvider::new(env, Some("default")))
            .unwrap()
            .access_key_id(),
        "D"
    );
}

#[test]
fn profile_with_one_key_is_invalid() {
    let env = files("", "[default]\naws_access_key_id = AKID");
    assert_error(
        provide(&ProfileProvider::new(env, None)),
        invalid,
        "profile `default` sets `aws_access_key_id` but not `aws_secret_access_key`",
    );
    let env = files(
        "",
        "[default]\naws_secret_access_key = S\naws_access_key_id =",
    );
    assert_error(
        provide(&ProfileProvider::new(env, None)),
        invalid,
        "profile `default` sets `aws_secret_access_key` but not `aws_access_key_id`",
    );
}

#[test]
fn profile_missing_default_or_credentials_is_not_loaded() {
    assert_error(
        provide(&ProfileProvider::new(
            ProviderEnv::fake().home("/home/u"),
            None,
        )),
        not_loaded,
        &format!(
            "profile: `default` is defined in neither the config file {CONFIG} nor the \
             credentials file {CREDENTIALS}"
        ),
    );
    assert_error(
        provide(&ProfileProvider::new(
            files("[default]\nregion = us-east-1", ""),
            None,
        )),
        not_loaded,
        "profile: profile `default` has no credentials",
    );
}

#[test]
fn explicitly_selected_missing_profile_is_an_error() {
    let env = files("[default]\nregion = x", "");
    assert_error(
        provide(&ProfileProvider::new(env.clone(), Some("typo"))),
        invalid,
        &format!(
            "profile `typo` was selected but is defined in neither the config file {CONFIG} nor \
             the credentials file {CREDENTIALS}"
        ),
    );
    assert_error(
        provide(&ProfileProvider::new(env.var("AWS_PROFILE", "typo"), None)),
        invalid,
        &format!(
            "profile `typo` was selected by AWS_PROFILE but is defined in neither the config \
             file {CONFIG} nor the credentials file {CREDENTIALS}"
        ),
    );
}

#[test]
fn incomplete_or_unsupported_sources_are_errors_naming_profile_and_key() {
    for (setting, message) in [
        (
            "role_arn = arn:aws:iam::123456789012:role/r",
            "profile `dev` sets `role_arn` but neither `source_profile` nor \
             `credential_source` to sign the AssumeRole call with",
        ),
        (
            "credential_source = Environment",
            "profile `dev` sets `credential_source` without a `role_arn` to assume with it",
        ),
        (
            "web_identity_token_file = /t",
            "profile `dev` sets `web_identity_token_file` but no `role_arn`",
        ),
        (
            "sso_session = corp",
            "profile `dev` names `sso_session = corp`, but the config file has no \
             `[sso-session corp]` section",
        ),
        (
            "sso_start_url = https://d-1.awsapps.com/start",
            "profile `dev` uses IAM Identity Center but has no `sso_region` (needed for \
             credentials)",
        ),
        (
            "sso_account_id = 123456789012",
            "profile `dev` sets `sso_account_id` but neither `sso_session` nor `sso_start_url`",
        ),
        (
            "sso_role_name = ReadOnly",
            "profile `dev` sets `sso_role_name` but neither `sso_session` nor `sso_start_url`",
        ),
        (
            "sso_region = us-east-1",
            "profile `dev` sets `sso_region` but neither `sso_session` nor `sso_start_url`",
        ),
        (
            "login_session = x",
            "profile `dev` uses `login_session`, which this SDK does not support yet",
        ),
    ] {
        // Static keys alongside do not hide the incomplete setting.
        let env = files(
            &format!("[profile dev]\n{setting}\n"),
            "[dev]\naws_access_key_id = AKID\naws_secret_access_key = SECRET",
        );
        assert_error(
            provide(&ProfileProvider::new(env, Some("dev"))),
            invalid,
            message,
        );
    }
}

#[test]
fn malformed_file_is_invalid_configuration_naming_file_and_line() {
    let env = files("[default]\nregion = x\nnot a property", "");
    assert_error(
        provide(&ProfileProvider::new(env, None)),
        invalid,
        &format!(
            "profile: {CONFIG} line 3: expected a property definition `name = value`, found no `=`"
        ),
    );
}

// ---------------------------------------------------------------- credential_process

/// A directory for the scripts of one test, removed at the end.
#[cfg(unix)]
struct ScriptDir(PathBuf);

#[cfg(unix)]
impl ScriptDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "restjson-runtime-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// Writes a shell script and returns the `credential_process` command running it.
    fn script(&self, name: &str, body: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, body).unwrap();
        format!("sh '{}'", path.display())
    }
}

#[cfg(unix)]
impl Drop for ScriptDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn process_profile(command: &str) -> ProviderEnv {
    files(
        &format!("[profile proc]\ncredential_process = {command}\n"),
        "",
    )
}

#[cfg(unix)]
fn run_process_profile(command: &str) -> Result<Credentials, CredentialsError> {
    provide(&ProfileProvider::new(
        process_profile(command),
        Some("proc"),
    ))
}

#[cfg(unix)]
#[test]
fn credential_process_success() {
    let dir = ScriptDir::new("process-ok");
    let command = dir.script(
        "ok.sh",
        r#"printf '%s' '{"Version": 1, "AccessKeyId": "PAKID", "SecretAccessKey": "PSECRET", "SessionToken": "PTOKEN", "Expiration": "2030-01-01T00:00:00Z"}'"#,
    );
    let creds = run_process_profile(&command).unwrap();
    assert_eq!(creds.access_key_id(), "PAKID");
    assert_eq!(creds.secret_access_key(), "PSECRET");
    assert_eq!(creds.session_token(), Some("PTOKEN"));
    assert_eq!(creds.expiry(), Some(y2030()));
    assert_eq!(creds.provider_name(), "CredentialProcess");
}

#[cfg(unix)]
#[test]
fn credential_process_without_token_or_expiry_and_with_arguments() {
    // The command goes through the shell: arguments and quoting work as typed.
    let creds = run_process_profile(
        r#"printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}' "A B" S"#,
    )
    .unwrap();
    assert_eq!(creds.access_key_id(), "A B");
    assert_eq!(creds.secret_access_key(), "S");
    assert_eq!(creds.session_token(), None);
    assert_eq!(creds.expiry(), None);
}

#[cfg(unix)]
#[test]
fn credential_process_wins_over_static_keys() {
    let env = files(
        "[default]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"FROMPROC\",\"SecretAccessKey\":\"S\"}'\n",
        "[default]\naws_access_key_id = STATIC\naws_secret_access_key = S",
    );
    assert_eq!(
        provide(&ProfileProvider::new(env, None))
            .unwrap()
            .access_key_id(),
        "FROMPROC"
    );
}

#[cfg(unix)]
#[test]
fn credential_process_non_zero_exit_reports_stderr_not_stdout() {
    let dir = ScriptDir::new("process-fail");
    let command = dir.script(
        "fail.sh",
        "echo '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"LEAKEDSECRET\"}'\n\
         echo 'token expired, run login' >&2\nexit 3\n",
    );
    let error = run_process_profile(&command).unwrap_err();
    assert!(provider_error(error.kind()));
    assert_eq!(
        error.message(),
        "credential_process of profile `proc`: the command failed (exit status: 3); \
         standard error: token expired, run login"
    );
    assert!(!format!("{error:?}").contains("LEAKEDSECRET"));
}

#[cfg(unix)]
#[test]
fn credential_process_stderr_is_bounded() {
    let error = run_process_profile(
        "i=0; while [ $i -lt 300 ]; do printf 'xxxxxxxxxxxxxxxxxxxx' >&2; i=$((i+1)); done; exit 1",
    )
    .unwrap_err();
    let prefix = "credential_process of profile `proc`: the command failed (exit status: 1); \
                  standard error: ";
    assert_eq!(
        error.message(),
        format!("{prefix}{} [...]", "x".repeat(1024))
    );
}

#[cfg(unix)]
#[test]
fn credential_process_bad_json() {
    assert_error(
        run_process_profile("echo 'AKIDSECRET is not json'"),
        provider_error,
        "credential_process of profile `proc`: the command's output is not valid JSON \
         (syntax error at line 1 column 1)",
    );
    assert_error(
        run_process_profile("printf '{\"Version\": 1, \"AccessKeyId\": \"SECRETPART'"),
        provider_error,
        "credential_process of profile `proc`: the command's output is not valid JSON \
         (unexpected end of input at line 1 column 41)",
    );
}

#[cfg(unix)]
#[test]
fn credential_process_wrong_or_missing_version() {
    assert_error(
        run_process_profile(
            "printf '{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}'",
        ),
        provider_error,
        "credential_process of profile `proc`: unsupported `Version` 2 in the command's output \
         (expected 1)",
    );
    assert_error(
        run_process_profile(
            "printf '{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}'",
        ),
        provider_error,
        "credential_process of profile `proc`: `Version` in the command's output is not the \
         number 1",
    );
    assert_error(
        run_process_profile("printf '{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}'"),
        provider_error,
        "credential_process of profile `proc`: the command's output has no `Version` (expected 1)",
    );
}

#[cfg(unix)]
#[test]
fn credential_process_missing_fields_and_bad_expiration() {
    assert_error(
        run_process_profile("printf '{\"Version\":1,\"AccessKeyId\":\"A\"}'"),
        provider_error,
        "credential_process of profile `proc` returned invalid credentials: `SecretAccessKey` \
         is missing",
    );
    let error = run_process_profile(
        "printf '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":\"soon\"}'",
    )
    .unwrap_err();
    assert!(
        error.message().starts_with(
            "credential_process of profile `proc` returned invalid credentials: `Expiration` is \
             not an RFC 3339 timestamp"
        ),
        "{}",
        error.message()
    );
}

#[cfg(unix)]
#[test]
fn credential_process_expiry_drives_the_cache() {
    let dir = ScriptDir::new("process-expiry");
    let counter = dir.0.join("runs");
    let command = dir.script(
        "expiring.sh",
        &format!(
            "echo run >> '{}'\nprintf '%s' '{{\"Version\":1,\"AccessKeyId\":\"A\",\
             \"SecretAccessKey\":\"S\",\"Expiration\":\"2030-01-01T00:00:00Z\"}}'\n",
            counter.display()
        ),
    );
    let runs = || {
        std::fs::read_to_string(&counter)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    let now = std::sync::Arc::new(std::sync::Mutex::new(y2030() - Duration::from_secs(3600)));
    let clock = now.clone();
    let cache = CredentialsCache::new(ProfileProvider::new(
        process_profile(&command),
        Some("proc"),
    ))
    .with_clock(move || *clock.lock().unwrap());
    assert_eq!(provide(&cache).unwrap().expiry(), Some(y2030()));
    assert_eq!(provide(&cache).unwrap().access_key_id(), "A");
    assert_eq!(runs(), 1);
    // Within five minutes of the expiry the process runs again.
    *now.lock().unwrap() = y2030() - Duration::from_secs(4 * 60);
    provide(&cache).unwrap();
    assert_eq!(runs(), 2);
}

#[cfg(unix)]
#[test]
fn credential_process_times_out() {
    let provider = ProfileProvider::new(process_profile("exec sleep 5"), Some("proc"))
        .with_process_timeout(Duration::from_millis(150));
    let started = Instant::now();
    let error = provide(&provider).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(
        error.kind(),
        CredentialsErrorKind::ProviderTimedOut
    ));
    assert_eq!(
        error.message(),
        "credential_process of profile `proc`: the command did not finish within 150ms"
    );
}

/// Whether process `pid` still exists, running or as a zombie nobody has reaped.
#[cfg(target_os = "linux")]
fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Runs `command` (which writes a process id into `{pid}`) with a 200 ms timeout, checks the
/// call ends with the timeout error within the bound, and returns the process id.
#[cfg(target_os = "linux")]
fn time_out(dir: &ScriptDir, command: &str) -> u32 {
    let pid_file = dir.0.join("pid");
    let command = command.replace("{pid}", &pid_file.display().to_string());
    let provider = CredentialProcessProvider::new(command).with_timeout(Duration::from_millis(200));
    let started = Instant::now();
    let error = provide(&provider).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(
        error.kind(),
        CredentialsErrorKind::ProviderTimedOut
    ));
    assert_eq!(
        error.message(),
        "credential_process: the command did not finish within 200ms"
    );
    std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn credential_process_is_killed_and_reaped_on_timeout() {
    let dir = ScriptDir::new("process-kill");
    // `$$` is the shell the provider started; `exec` keeps that process. The second command
    // closes its output first, so only the exit status can tell it is still running.
    for command in [
        "echo $$ > '{pid}'; exec sleep 30",
        "echo $$ > '{pid}'; exec >&- 2>&-; exec sleep 30",
    ] {
        let pid = time_out(&dir, command);
        let deadline = Instant::now() + Duration::from_secs(2);
        while process_exists(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            !process_exists(pid),
            "{command}: process {pid} is still there"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn credential_process_whose_background_child_holds_its_output_times_out() {
    let dir = ScriptDir::new("process-background");
    // The shell exits at once; the background sleep keeps standard output open.
    let pid = time_out(&dir, "sleep 30 & echo $! > '{pid}'; exit 0");
    assert!(process_exists(pid));
    let _ = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status();
}

#[cfg(unix)]
#[test]
fn credential_process_provider_alone_and_its_debug() {
    let provider = CredentialProcessProvider::new(
        "printf '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}' # --secret HIDDEN",
    )
    .with_timeout(Duration::from_secs(5));
    assert_eq!(provide(&provider).unwrap().access_key_id(), "A");
    let debug = format!("{provider:?}");
    assert!(!debug.contains("HIDDEN"), "{debug}");
    assert_eq!(
        debug,
        "CredentialProcessProvider { description: \"credential_process\", command: \"** hidden **\", timeout: 5s }"
    );
}

#[cfg(unix)]
#[test]
fn credential_process_empty_command_is_invalid() {
    let env = files("[default]\ncredential_process =\n", "");
    assert_error(
        provide(&ProfileProvider::new(env, None)),
        invalid,
        "profile `default` has an empty `credential_process`",
    );
}

#[cfg(unix)]
#[test]
fn credential_process_that_cannot_start() {
    // `sh` itself starts; the missing program makes it exit 127 with a message on stderr.
    let error = run_process_profile("/nonexistent/restjson-helper").unwrap_err();
    assert!(provider_error(error.kind()));
    assert!(
        error.message().starts_with(
            "credential_process of profile `proc`: the command failed (exit status: 127); \
             standard error: "
        ),
        "{}",
        error.message()
    );
}

// ---------------------------------------------------------------- debug output

#[test]
fn provider_debug_output_has_no_secrets() {
    let env = ProviderEnv::fake()
        .var("AWS_ACCESS_KEY_ID", "AKID")
        .var("AWS_SECRET_ACCESS_KEY", "SUPERSECRET")
        .var("AWS_SESSION_TOKEN", "SESSIONTOKEN");
    let provider = EnvironmentProvider::new(env.clone());
    let creds = provide(&provider).unwrap();
    for debug in [
        format!("{provider:?}"),
        format!("{creds:?}"),
        format!("{:?}", ProfileProvider::new(env, None)),
    ] {
        assert!(!debug.contains("SUPERSECRET"), "{debug}");
        assert!(!debug.contains("SESSIONTOKEN"), "{debug}");
    }
    assert!(format!("{creds:?}").contains("AKID"));
}
