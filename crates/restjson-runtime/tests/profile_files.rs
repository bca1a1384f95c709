//! The shared config and credentials files: parsing, merging, selection and region.

use std::path::Path;

use restjson_runtime::__private::profile::{ProfileSelection, ProfileSet, default_region};
use restjson_runtime::config::ProviderEnv;

const CONFIG: &str = "/home/u/.aws/config";
const CREDENTIALS: &str = "/home/u/.aws/credentials";

fn env(config: Option<&str>, credentials: Option<&str>) -> ProviderEnv {
    let mut env = ProviderEnv::fake().home("/home/u");
    if let Some(text) = config {
        env = env.file(CONFIG, text);
    }
    if let Some(text) = credentials {
        env = env.file(CREDENTIALS, text);
    }
    env
}

fn load(config: Option<&str>, credentials: Option<&str>) -> ProfileSet {
    ProfileSet::load(&env(config, credentials), None).expect("files parse")
}

fn config(text: &str) -> ProfileSet {
    load(Some(text), None)
}

fn config_error(text: &str) -> (usize, String) {
    let error = ProfileSet::load(&env(Some(text), None), None).expect_err("file is malformed");
    assert_eq!(error.path(), Path::new(CONFIG));
    (error.line().expect("a line number"), error.to_string())
}

#[test]
fn missing_files_hold_no_profiles() {
    let set = load(None, None);
    assert!(set.profile_names().is_empty());
    assert_eq!(set.selected_profile(), "default");
    assert_eq!(set.selection(), ProfileSelection::Default);
    assert!(set.selected().is_none());
    assert_eq!(set.get("region"), None);
    assert_eq!(set.config_file(), Some(Path::new(CONFIG)));
    assert_eq!(set.credentials_file(), Some(Path::new(CREDENTIALS)));
}

#[test]
fn no_home_and_no_variables_means_no_files() {
    let set = ProfileSet::load(&ProviderEnv::fake(), None).unwrap();
    assert_eq!(set.config_file(), None);
    assert_eq!(set.credentials_file(), None);
    assert!(set.profile_names().is_empty());
}

#[test]
fn empty_profile_and_properties() {
    let set = config("[profile foo]\n[profile bar]\nname = value\nname2 = value2");
    assert_eq!(set.profile_names(), vec!["bar", "foo"]);
    assert!(set.profile("foo").unwrap().keys().is_empty());
    assert_eq!(set.get_in("bar", "name"), Some("value"));
    assert_eq!(set.get_in("bar", "name2"), Some("value2"));
    assert_eq!(set.get_in("bar", "missing"), None);
    assert_eq!(set.get_in("missing", "name"), None);
}

#[test]
fn profile_names_are_trimmed_and_tabs_separate_the_prefix() {
    let set =
        config("[profile \tfoo \t]\na = 1\n[profile\tbar]\nb = 2\n[   profile baz    ]\nc = 3");
    assert_eq!(set.get_in("foo", "a"), Some("1"));
    assert_eq!(set.get_in("bar", "b"), Some("2"));
    assert_eq!(set.get_in("baz", "c"), Some("3"));
}

#[test]
fn values_keep_equals_signs_unicode_and_are_trimmed() {
    let set = config(
        "[profile foo]\nname = val=ue\nsmile = \u{1F602}\nspaced \t=  \tvalue \t\nempty =\r\ncrlf = yes\r\n",
    );
    assert_eq!(set.get_in("foo", "name"), Some("val=ue"));
    assert_eq!(set.get_in("foo", "smile"), Some("\u{1F602}"));
    assert_eq!(set.get_in("foo", "spaced"), Some("value"));
    assert_eq!(set.get_in("foo", "empty"), Some(""));
    assert_eq!(set.get_in("foo", "crlf"), Some("yes"));
}

#[test]
fn comments() {
    let set = config(
        "# Comment\n; Comment\n[profile foo] # Comment\nname = value # Comment with # sign\n\
         semi = value ; Comment with ; sign\nempty = value ;\n\
         adjacent = value; Adjacent semicolons\nadjacent2 = value# Adjacent pound signs\n\
         [profile bar]; Adjacent\n[profile baz]# Adjacent\n",
    );
    assert_eq!(set.get_in("foo", "name"), Some("value"));
    assert_eq!(set.get_in("foo", "semi"), Some("value"));
    assert_eq!(set.get_in("foo", "empty"), Some("value"));
    assert_eq!(
        set.get_in("foo", "adjacent"),
        Some("value; Adjacent semicolons")
    );
    assert_eq!(
        set.get_in("foo", "adjacent2"),
        Some("value# Adjacent pound signs")
    );
    assert_eq!(set.profile_names(), vec!["bar", "baz", "foo"]);
}

#[test]
fn blank_lines_are_ignored() {
    let set = config("\t \n[profile foo]\n\t\n \nname = value\n\t \n[profile bar]\n \t");
    assert_eq!(set.get_in("foo", "name"), Some("value"));
    assert!(set.profile("bar").is_some());
}

#[test]
fn continuation_lines_extend_values_and_keep_comments() {
    let set = config(
        "[profile foo]\nname = value\n -continued\n \t -and-continued \t \n\
         other = value\n -continued # Comment\n -more ; Comment",
    );
    assert_eq!(
        set.get_in("foo", "name"),
        Some("value\n-continued\n-and-continued")
    );
    assert_eq!(
        set.get_in("foo", "other"),
        Some("value\n-continued # Comment\n-more ; Comment")
    );
}

#[test]
fn sub_properties() {
    let set = config(
        "[profile foo]\ns3 =\n name = value\n\t \n Name2 = value2\n empty =\n in valid = ignored\n\
         after = plain",
    );
    let foo = set.profile("foo").unwrap();
    assert_eq!(foo.sub_property("s3", "name"), Some("value"));
    assert_eq!(foo.sub_property("s3", "name2"), Some("value2"));
    assert_eq!(foo.sub_property("S3", "NAME2"), Some("value2"));
    assert_eq!(foo.sub_property("s3", "empty"), Some(""));
    assert_eq!(foo.sub_property("s3", "in valid"), None);
    assert_eq!(foo.sub_property("after", "x"), None);
    assert_eq!(foo.get("after"), Some("plain"));
}

#[test]
fn continuations_and_sub_properties_in_sequence() {
    let set = config(
        "[default]\nname = value1\n value2 = 12 \n value3\nname2 = value2\nname3 =\n name3_0 = 1",
    );
    assert_eq!(set.get("name"), Some("value1\nvalue2 = 12\nvalue3"));
    // Continuations of a non-empty value are text, not sub-properties.
    assert_eq!(set.selected().unwrap().sub_property("name", "value2"), None);
    assert_eq!(set.get("name2"), Some("value2"));
    assert_eq!(
        set.selected().unwrap().sub_property("name3", "name3_0"),
        Some("1")
    );
}

#[test]
fn malformed_lines_name_the_file_and_line() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "name = value",
            1,
            "expected a section header such as `[default]` before any property",
        ),
        ("[profile foo", 1, "section header must end with `]`"),
        (
            "# c\n\n[profile foo]\n= value",
            4,
            "property definition has an empty name",
        ),
        (
            "[profile foo]\nkey : value",
            2,
            "expected a property definition `name = value`, found no `=`",
        ),
        (
            " -continued",
            1,
            "expected a section header such as `[default]` before any property",
        ),
        (
            "[profile foo]\n -continued",
            2,
            "indented line continues no property (only property values can continue on \
             indented lines)",
        ),
        (
            "[profile foo]\nname = value\n[profile foo]\n -continued",
            4,
            "indented line continues no property (only property values can continue on \
             indented lines)",
        ),
        (
            "[profile foo]\ns3 =\n invalid",
            3,
            "expected a sub-property definition `name = value`, found no `=`",
        ),
        (
            "[profile foo]\ns3 =\n = value",
            3,
            "sub-property definition has an empty name",
        ),
    ];
    for (text, line, message) in cases {
        let (got_line, display) = config_error(text);
        assert_eq!(got_line, *line, "{text:?}");
        assert_eq!(
            display,
            format!("{CONFIG} line {line}: {message}"),
            "{text:?}"
        );
    }
}

#[test]
fn errors_never_repeat_the_line() {
    let (_, display) = config_error("[profile foo]\naws_secret_access_key : SECRETVALUE");
    assert!(!display.contains("SECRETVALUE"), "{display}");
}

#[test]
fn malformed_credentials_file_is_named() {
    let error = ProfileSet::load(
        &env(
            Some("[default]\nregion = x"),
            Some("[default]\n\nkey value"),
        ),
        None,
    )
    .unwrap_err();
    assert_eq!(error.path(), Path::new(CREDENTIALS));
    assert_eq!(error.line(), Some(3));
    assert_eq!(
        error.to_string(),
        format!(
            "{CREDENTIALS} line 3: expected a property definition `name = value`, found no `=`"
        )
    );
}

#[test]
fn unreadable_files_are_errors_naming_the_file() {
    let env = ProviderEnv::fake().home("/home/u").unreadable_file(CONFIG);
    let error = ProfileSet::load(&env, None).unwrap_err();
    assert_eq!(error.path(), Path::new(CONFIG));
    assert_eq!(error.line(), None);
    assert_eq!(
        error.to_string(),
        format!("could not read {CONFIG}: permission denied")
    );

    let env = ProviderEnv::fake()
        .home("/home/u")
        .file(CREDENTIALS, vec![b'[', 0xff, b']']);
    let error = ProfileSet::load(&env, None).unwrap_err();
    assert_eq!(error.path(), Path::new(CREDENTIALS));
    assert_eq!(
        error.to_string(),
        format!("could not read {CREDENTIALS}: file is not valid UTF-8")
    );
}

#[test]
fn duplicate_profiles_merge_and_the_last_value_wins() {
    let set = config(
        "[profile foo]\nname = value\nname = value2\nkeep = 1\n[profile foo]\nname3 = 3\nkeep = 2",
    );
    assert_eq!(set.get_in("foo", "name"), Some("value2"));
    assert_eq!(set.get_in("foo", "keep"), Some("2"));
    assert_eq!(set.get_in("foo", "name3"), Some("3"));
}

#[test]
fn prefixed_default_wins_over_plain_default_in_config() {
    for text in [
        "[profile default]\nname = value\n[default]\nname2 = value2",
        "[default]\nname2 = value2\n[profile default]\nname = value",
    ] {
        let set = config(text);
        assert_eq!(set.get("name"), Some("value"), "{text:?}");
        assert_eq!(set.get("name2"), None, "{text:?}");
    }
    let set = load(
        Some(
            "[profile default]\nname = value\n[default]\nname2 = value2\n[profile default]\nname3 = value3",
        ),
        Some("[default]\nsecret=foo"),
    );
    assert_eq!(
        set.selected().unwrap().keys(),
        vec!["name", "name3", "secret"]
    );
    // Alone, `[default]` is the default profile.
    assert_eq!(config("[default]\nregion = r").get("region"), Some("r"));
}

#[test]
fn invalid_names_are_ignored() {
    let set = load(
        Some(
            "[profile foo]\nname = value\nin valid = x\n continued = y\n[profile in valid]\nx = 1\n\
             [profile bar]\nname = value2\n[profile ABCxyz019-_/.%@:+]\nABCxyz019-_ = v",
        ),
        Some("[in valid 2]\nname2 = value2"),
    );
    assert_eq!(set.profile_names(), vec!["ABCxyz019-_/.%@:+", "bar", "foo"]);
    assert_eq!(set.profile("foo").unwrap().keys(), vec!["name"]);
    assert_eq!(set.get_in("bar", "name"), Some("value2"));
    assert_eq!(set.get_in("ABCxyz019-_/.%@:+", "abcxyz019-_"), Some("v"));
}

#[test]
fn property_names_are_case_insensitive_profile_names_are_not() {
    let set = config("[profile Dev]\nAWS_Access_Key_ID = AKID\n");
    assert_eq!(set.get_in("Dev", "aws_access_key_id"), Some("AKID"));
    assert_eq!(set.get_in("Dev", "AWS_ACCESS_KEY_ID"), Some("AKID"));
    assert_eq!(set.get_in("dev", "aws_access_key_id"), None);
}

#[test]
fn section_kinds_per_file() {
    let set = load(
        Some(
            "[foo]\nname = ignored\n[profilefoo]\nname = ignored\n[profile bar]\n[foobar custom]\napple =\n\tbanana = cherry",
        ),
        Some(
            "[profile creds]\nname = ignored\n[   baz    ]\nname = value\n[sso-session s]\nname = ignored",
        ),
    );
    assert_eq!(set.profile_names(), vec!["bar", "baz"]);
    assert_eq!(set.get_in("baz", "name"), Some("value"));
    assert!(set.sso_session("s").is_none());
}

#[test]
fn credentials_file_wins_over_config_file() {
    let set = load(
        Some("[profile foo]\nname = value\nregion = us-east-1\n[default]\nregion = eu-west-1"),
        Some("[foo]\nname = value2\nextra = 1\n[default]\naws_access_key_id = AKID"),
    );
    assert_eq!(set.get_in("foo", "name"), Some("value2"));
    assert_eq!(set.get_in("foo", "region"), Some("us-east-1"));
    assert_eq!(set.get_in("foo", "extra"), Some("1"));
    assert_eq!(set.get("region"), Some("eu-west-1"));
    assert_eq!(set.get("aws_access_key_id"), Some("AKID"));
}

#[test]
fn sso_sessions_have_their_own_namespace() {
    let set = config(
        "[sso-session foo]\nname = value1\n[profile foo]\nname2 = value2\n[   sso-session bar    ]\n\
         name = b\n[sso-session]\nname = ignored\n[default]\nname = d\n[sso-session default]\nname = s",
    );
    assert_eq!(set.sso_session("foo").unwrap().get("name"), Some("value1"));
    assert_eq!(set.sso_session("bar").unwrap().get("name"), Some("b"));
    assert_eq!(set.get_in("foo", "name2"), Some("value2"));
    assert_eq!(set.get_in("foo", "name"), None);
    assert_eq!(set.get("name"), Some("d"));
    assert_eq!(set.sso_session("default").unwrap().get("name"), Some("s"));
}

#[test]
fn services_sections() {
    let set = config(
        "[default]\nservices = my-services\n[profile other]\nservices = theirs\n\
         [services my-services]\nivschat =\n  endpoint_url = http://localhost:4566\n\
         s3 =\n\tendpoint_url = https://s3-endpoint-override.aws\n\
         [services theirs]\nivschat =\n  Endpoint_URL = https://other.example",
    );
    assert_eq!(
        set.services_value("my-services", "ivschat", "endpoint_url"),
        Some("http://localhost:4566")
    );
    assert_eq!(
        set.services_value("my-services", "s3", "endpoint_url"),
        Some("https://s3-endpoint-override.aws")
    );
    assert_eq!(
        set.services_value("theirs", "ivschat", "endpoint_url"),
        Some("https://other.example")
    );
    assert_eq!(
        set.services_value("missing", "ivschat", "endpoint_url"),
        None
    );
    assert_eq!(
        set.services_value("my-services", "sqs", "endpoint_url"),
        None
    );
    assert_eq!(
        set.selected_services_value("ivschat", "endpoint_url"),
        Some("http://localhost:4566")
    );
    let other = ProfileSet::load(
        &env(
            Some("[profile other]\nservices = theirs\n[services theirs]\nivschat =\n  endpoint_url = https://other.example"),
            None,
        ),
        Some("other"),
    )
    .unwrap();
    assert_eq!(
        other.selected_services_value("ivschat", "endpoint_url"),
        Some("https://other.example")
    );
    assert_eq!(
        config("[default]\nregion = r").selected_services_value("ivschat", "endpoint_url"),
        None
    );
}

#[test]
fn profile_selection_order() {
    let files = Some("[default]\nregion = d\n[profile a]\nregion = a\n[profile b]\nregion = b");
    let plain = env(files, None);
    let with_var = plain.clone().var("AWS_PROFILE", "a");

    let set = ProfileSet::load(&plain, None).unwrap();
    assert_eq!(
        (set.selected_profile(), set.get("region")),
        ("default", Some("d"))
    );

    let set = ProfileSet::load(&with_var, None).unwrap();
    assert_eq!(set.selection(), ProfileSelection::Environment);
    assert_eq!(
        (set.selected_profile(), set.get("region")),
        ("a", Some("a"))
    );

    let set = ProfileSet::load(&with_var, Some("b")).unwrap();
    assert_eq!(set.selection(), ProfileSelection::Explicit);
    assert_eq!(
        (set.selected_profile(), set.get("region")),
        ("b", Some("b"))
    );

    let set = ProfileSet::load(&plain.clone().var("AWS_PROFILE", ""), None).unwrap();
    assert_eq!(set.selected_profile(), "default");

    let set = ProfileSet::load(&plain, Some("nope")).unwrap();
    assert_eq!(set.selected_profile(), "nope");
    assert!(set.selected().is_none());
}

#[test]
fn file_locations_come_from_variables_with_home_expansion() {
    let env = ProviderEnv::fake()
        .home("/home/u")
        .var("AWS_CONFIG_FILE", "~/custom/config")
        .var("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds")
        .file("/home/u/custom/config", "[default]\nregion = from-custom")
        .file("/etc/aws/creds", "[default]\naws_access_key_id = AKID")
        .file(CONFIG, "[default]\nregion = from-default-location");
    let set = ProfileSet::load(&env, None).unwrap();
    assert_eq!(set.config_file(), Some(Path::new("/home/u/custom/config")));
    assert_eq!(set.credentials_file(), Some(Path::new("/etc/aws/creds")));
    assert_eq!(set.get("region"), Some("from-custom"));
    assert_eq!(set.get("aws_access_key_id"), Some("AKID"));
}

#[test]
fn home_comes_from_the_home_variable_without_an_explicit_home() {
    let env = ProviderEnv::fake()
        .var("HOME", "/users/v")
        .file("/users/v/.aws/config", "[default]\nregion = r");
    assert_eq!(
        ProfileSet::load(&env, None).unwrap().get("region"),
        Some("r")
    );
}

#[test]
fn region_precedence() {
    let files = Some(
        "[default]\nregion = from-profile\n[profile p]\nregion = from-p\n[profile none]\nx = 1",
    );
    let base = env(files, None);
    assert_eq!(
        default_region(&base, None).unwrap().as_deref(),
        Some("from-profile")
    );
    assert_eq!(
        default_region(&base, Some("p")).unwrap().as_deref(),
        Some("from-p")
    );
    assert_eq!(
        default_region(&base.clone().var("AWS_PROFILE", "p"), None)
            .unwrap()
            .as_deref(),
        Some("from-p")
    );
    assert_eq!(default_region(&base, Some("none")).unwrap(), None);
    let with_default = base.clone().var("AWS_DEFAULT_REGION", "default-var");
    assert_eq!(
        default_region(&with_default, None).unwrap().as_deref(),
        Some("default-var")
    );
    let with_both = with_default.var("AWS_REGION", "region-var");
    assert_eq!(
        default_region(&with_both, Some("p")).unwrap().as_deref(),
        Some("region-var")
    );
    assert_eq!(default_region(&ProviderEnv::fake(), None).unwrap(), None);
}

#[test]
fn region_reports_malformed_config_but_not_when_a_variable_is_set() {
    let broken = env(Some("[default\nregion = x"), None);
    let error = default_region(&broken, None).unwrap_err();
    assert_eq!(error.line(), Some(1));
    assert_eq!(
        default_region(&broken.var("AWS_REGION", "us-west-2"), None)
            .unwrap()
            .as_deref(),
        Some("us-west-2")
    );
}

#[test]
fn debug_output_never_shows_values() {
    let set = load(
        Some("[default]\nregion = us-east-1"),
        Some("[default]\naws_secret_access_key = SUPERSECRET\naws_session_token = TOKENVALUE"),
    );
    let debug = format!("{set:?}");
    assert!(debug.contains("aws_secret_access_key"), "{debug}");
    assert!(!debug.contains("SUPERSECRET"), "{debug}");
    assert!(!debug.contains("TOKENVALUE"), "{debug}");

    let env = ProviderEnv::fake()
        .var("AWS_SECRET_ACCESS_KEY", "SUPERSECRET")
        .file("/f", "TOKENVALUE");
    let debug = format!("{env:?}");
    assert!(debug.contains("AWS_SECRET_ACCESS_KEY"), "{debug}");
    assert!(!debug.contains("SUPERSECRET"), "{debug}");
    assert!(!debug.contains("TOKENVALUE"), "{debug}");
}
