//! Configuration from a fake environment and fake shared files: every source and precedence
//! rule of region, endpoint URL, FIPS and dual-stack.

use restjson_runtime::Config;
use restjson_runtime::config::ProviderEnv;

fn env() -> ProviderEnv {
    ProviderEnv::fake().home("/home/u")
}

fn endpoint(env: &ProviderEnv, profile: Option<&str>) -> Option<String> {
    let config = Config::from_env_with(env, profile)
        .expect("config loads")
        .build();
    restjson_runtime::__private::endpoint_url_from_env(&config, "ivschat")
        .expect("sources kept")
        .expect("valid")
}

#[test]
fn region_precedence() {
    let files = env().file(
        "/home/u/.aws/config",
        "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n",
    );
    let region = |e: &ProviderEnv, p: Option<&str>| {
        Config::from_env_with(e, p)
            .unwrap()
            .build()
            .region()
            .map(str::to_owned)
    };
    assert_eq!(region(&files, None).as_deref(), Some("eu-west-1"));
    assert_eq!(region(&files, Some("dev")).as_deref(), Some("ap-south-1"));
    assert_eq!(
        region(&files.clone().var("AWS_PROFILE", "dev"), None).as_deref(),
        Some("ap-south-1")
    );
    let with_default = files.clone().var("AWS_DEFAULT_REGION", "us-east-2");
    assert_eq!(region(&with_default, None).as_deref(), Some("us-east-2"));
    let with_both = with_default.var("AWS_REGION", "us-west-2");
    assert_eq!(region(&with_both, None).as_deref(), Some("us-west-2"));
    assert_eq!(region(&env(), None), None);
    // Explicit settings on the builder win.
    let explicit = Config::from_env_with(&with_both, None)
        .unwrap()
        .region("ca-central-1")
        .build();
    assert_eq!(explicit.region(), Some("ca-central-1"));
}

#[test]
fn endpoint_url_precedence() {
    let config = "[default]\nendpoint_url = http://profile-global\nservices = local\n[services local]\nivschat =\n  endpoint_url = http://profile-service\n";
    let base = env().file("/home/u/.aws/config", config);
    assert_eq!(
        endpoint(&base, None).as_deref(),
        Some("http://profile-service")
    );
    let no_services = env().file(
        "/home/u/.aws/config",
        "[default]\nendpoint_url = http://profile-global\n",
    );
    assert_eq!(
        endpoint(&no_services, None).as_deref(),
        Some("http://profile-global")
    );
    let global = base.clone().var("AWS_ENDPOINT_URL", "http://env-global");
    assert_eq!(
        endpoint(&global, None).as_deref(),
        Some("http://env-global")
    );
    let service = global
        .clone()
        .var("AWS_ENDPOINT_URL_IVSCHAT", "http://env-service");
    assert_eq!(
        endpoint(&service, None).as_deref(),
        Some("http://env-service")
    );
    let ignored = service
        .clone()
        .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assert_eq!(endpoint(&ignored, None), None);
    let ignored_by_profile = env().file(
        "/home/u/.aws/config",
        "[default]\nendpoint_url = http://x\nignore_configured_endpoint_urls = true\n",
    );
    assert_eq!(endpoint(&ignored_by_profile, None), None);
    assert_eq!(endpoint(&env(), None), None);
}

#[test]
fn fips_and_dual_stack_from_env_and_profile() {
    let files = env().file(
        "/home/u/.aws/config",
        "[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n",
    );
    let c = Config::from_env_with(&files, None).unwrap().build();
    assert!(c.use_fips() && c.use_dual_stack());
    let c = Config::from_env_with(&files.clone().var("AWS_USE_FIPS_ENDPOINT", "false"), None)
        .unwrap()
        .build();
    assert!(!c.use_fips() && c.use_dual_stack());
    let err =
        Config::from_env_with(&env().var("AWS_USE_DUALSTACK_ENDPOINT", "yes"), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "AWS_USE_DUALSTACK_ENDPOINT must be `true` or `false`, not \"yes\""
    );
    let err = Config::from_env_with(
        &env().file("/home/u/.aws/config", "[default]\nuse_fips_endpoint = 1\n"),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`use_fips_endpoint` of profile `default` must be `true` or `false`, not \"1\""
    );
}

#[test]
fn malformed_config_file_names_file_and_line() {
    let bad = env().file(
        "/home/u/.aws/config",
        "[default]\nregion = us-west-2\nnot a property line\n",
    );
    let err = Config::from_env_with(&bad, None).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("/home/u/.aws/config") && text.contains("line 3"),
        "{text}"
    );
}

#[test]
fn retry_settings_from_env_and_profile() {
    use restjson_runtime::retry::RetryMode;
    let files = env().file(
        "/home/u/.aws/config",
        "[default]\nmax_attempts = 5\nretry_mode = adaptive\n",
    );
    let c = Config::from_env_with(&files, None).unwrap().build();
    assert_eq!(
        (c.retry_config().max_attempts(), c.retry_config().mode()),
        (5, RetryMode::Adaptive)
    );
    let c = Config::from_env_with(
        &files
            .clone()
            .var("AWS_MAX_ATTEMPTS", "2")
            .var("AWS_RETRY_MODE", "standard"),
        None,
    )
    .unwrap()
    .build();
    assert_eq!(
        (c.retry_config().max_attempts(), c.retry_config().mode()),
        (2, RetryMode::Standard)
    );
    let c = Config::from_env_with(&env(), None).unwrap().build();
    assert_eq!(
        (c.retry_config().max_attempts(), c.retry_config().mode()),
        (3, RetryMode::Standard)
    );
    let err = Config::from_env_with(&env().var("AWS_MAX_ATTEMPTS", "many"), None).unwrap_err();
    assert!(err.to_string().contains("AWS_MAX_ATTEMPTS"), "{err}");
}
