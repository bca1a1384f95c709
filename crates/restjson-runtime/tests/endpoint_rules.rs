//! Endpoint rule-set interpreter tests on small hand-written rule sets and partition tables.

use restjson_runtime::__private::endpoint::{
    Endpoint, EndpointErrorKind, EndpointParams, ParamType, ParamValue, PartitionTable, RuleSet,
};
use serde_json::{Value, json};

fn partitions() -> PartitionTable {
    PartitionTable::from_json(
        &json!({
            "version": "1.1",
            "partitions": [
                {
                    "id": "aws",
                    "regionRegex": "^(us|eu|ap)\\-\\w+\\-\\d+$",
                    "regions": {
                        "us-east-1": {"description": "first"},
                        "aws-global": {},
                        "us-slow-1": {"supportsDualStack": false, "dnsSuffix": "slow.example"}
                    },
                    "outputs": {
                        "name": "aws",
                        "dnsSuffix": "amazonaws.com",
                        "dualStackDnsSuffix": "api.aws",
                        "supportsFIPS": true,
                        "supportsDualStack": true,
                        "implicitGlobalRegion": "us-east-1"
                    }
                },
                {
                    "id": "aws-cn",
                    "regionRegex": "^cn\\-\\w+\\-\\d+$",
                    "regions": {"cn-north-1": {}},
                    "outputs": {
                        "name": "aws-cn",
                        "dnsSuffix": "amazonaws.com.cn",
                        "dualStackDnsSuffix": "api.amazonwebservices.com.cn",
                        "supportsFIPS": false,
                        "supportsDualStack": true
                    }
                },
                {
                    "id": "aws-iso",
                    "regionRegex": "^us\\-iso\\-\\w+\\-\\d+$",
                    "outputs": {
                        "name": "aws-iso",
                        "dnsSuffix": "c2s.ic.gov",
                        "dualStackDnsSuffix": "api.aws.ic.gov",
                        "supportsFIPS": true,
                        "supportsDualStack": false
                    }
                }
            ]
        })
        .to_string(),
    )
    .expect("valid partition table")
}

fn rule_set(doc: Value) -> RuleSet {
    RuleSet::from_json(&doc.to_string()).expect("valid rule set")
}

fn parse_error(doc: Value) -> String {
    let err = RuleSet::from_json(&doc.to_string()).expect_err("rule set must be rejected");
    assert_eq!(err.kind(), EndpointErrorKind::InvalidRuleSet);
    err.to_string()
}

fn isset(name: &str) -> Value {
    json!({"fn": "isSet", "argv": [{"ref": name}]})
}

fn is_true(name: &str) -> Value {
    json!({"fn": "booleanEquals", "argv": [{"ref": name}, true]})
}

fn attr(name: &str, path: &str) -> Value {
    json!({"fn": "getAttr", "argv": [{"ref": name}, path]})
}

/// A regional service rule set in the usual AWS shape.
fn regional() -> RuleSet {
    rule_set(regional_doc())
}

fn regional_doc() -> Value {
    json!({
        "version": "1.0",
        "parameters": {
            "Region": {"type": "String", "builtIn": "AWS::Region", "required": false, "documentation": "region"},
            "UseDualStack": {"type": "Boolean", "builtIn": "AWS::UseDualStack", "required": true, "default": false},
            "UseFIPS": {"type": "Boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false},
            "Endpoint": {"type": "String", "builtIn": "SDK::Endpoint", "required": false}
        },
        "rules": [
            {
                "type": "tree",
                "conditions": [isset("Endpoint")],
                "rules": [
                    {"type": "error", "conditions": [is_true("UseFIPS")],
                     "error": "Invalid Configuration: FIPS and custom endpoint are not supported"},
                    {"type": "endpoint", "conditions": [], "endpoint": {"url": {"ref": "Endpoint"}, "properties": {}, "headers": {}}}
                ]
            },
            {
                "type": "tree",
                "conditions": [isset("Region")],
                "rules": [{
                    "type": "tree",
                    "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "PartitionResult"}],
                    "rules": [
                        {
                            "type": "tree",
                            "conditions": [is_true("UseFIPS"), is_true("UseDualStack")],
                            "rules": [
                                {
                                    "type": "endpoint",
                                    "conditions": [
                                        {"fn": "booleanEquals", "argv": [true, attr("PartitionResult", "supportsFIPS")]},
                                        {"fn": "booleanEquals", "argv": [true, attr("PartitionResult", "supportsDualStack")]}
                                    ],
                                    "endpoint": {"url": "https://svc-fips.{Region}.{PartitionResult#dualStackDnsSuffix}"}
                                },
                                {"type": "error", "conditions": [],
                                 "error": "FIPS and DualStack are enabled, but this partition does not support one or both"}
                            ]
                        },
                        {
                            "type": "tree",
                            "conditions": [is_true("UseFIPS")],
                            "rules": [
                                {
                                    "type": "endpoint",
                                    "conditions": [{"fn": "booleanEquals", "argv": [attr("PartitionResult", "supportsFIPS"), true]}],
                                    "endpoint": {"url": "https://svc-fips.{Region}.{PartitionResult#dnsSuffix}"}
                                },
                                {"type": "error", "conditions": [], "error": "FIPS is enabled but {PartitionResult#name} does not support FIPS"}
                            ]
                        },
                        {
                            "type": "tree",
                            "conditions": [is_true("UseDualStack")],
                            "rules": [
                                {
                                    "type": "endpoint",
                                    "conditions": [{"fn": "booleanEquals", "argv": [true, attr("PartitionResult", "supportsDualStack")]}],
                                    "endpoint": {"url": "https://svc.{Region}.{PartitionResult#dualStackDnsSuffix}"}
                                },
                                {"type": "error", "conditions": [], "error": "DualStack is enabled but this partition does not support DualStack"}
                            ]
                        },
                        {
                            "type": "endpoint",
                            "conditions": [],
                            "endpoint": {
                                "url": "https://svc.{Region}.{PartitionResult#dnsSuffix}",
                                "properties": {
                                    "authSchemes": [{"name": "sigv4", "signingName": "svc", "signingRegion": "{Region}", "disableDoubleEncoding": true}]
                                },
                                "headers": {"x-partition": ["{PartitionResult#name}", "static"]}
                            }
                        }
                    ]
                }]
            },
            {"type": "error", "conditions": [], "error": "Invalid Configuration: Missing Region"}
        ]
    })
}

fn url(rules: &RuleSet, params: EndpointParams) -> String {
    match rules.resolve(&params, &partitions()) {
        Ok(e) => e.url().to_owned(),
        Err(e) => panic!("expected an endpoint, got error: {e}"),
    }
}

fn error(rules: &RuleSet, params: EndpointParams) -> (EndpointErrorKind, String) {
    let e = rules
        .resolve(&params, &partitions())
        .expect_err("expected an error");
    (e.kind(), e.to_string())
}

#[test]
fn parameters_are_reported_with_their_declarations() {
    let rules = regional();
    assert_eq!(rules.version(), "1.0");
    let names: Vec<&str> = rules.parameters().iter().map(|p| p.name()).collect();
    assert_eq!(names, ["Endpoint", "Region", "UseDualStack", "UseFIPS"]);
    let fips = &rules.parameters()[3];
    assert_eq!(fips.param_type(), ParamType::Boolean);
    assert!(fips.is_required());
    assert_eq!(fips.default(), Some(&ParamValue::Bool(false)));
    assert_eq!(fips.built_in(), Some("AWS::UseFIPS"));
    assert_eq!(rules.parameters()[1].documentation(), Some("region"));
    assert_eq!(rules.parameters()[1].default(), None);
}

#[test]
fn regional_endpoints_with_defaults_and_partition_outputs() {
    let rules = regional();
    let e = rules
        .resolve(
            &EndpointParams::new().with_region("us-west-2"),
            &partitions(),
        )
        .expect("endpoint");
    assert_eq!(e.url(), "https://svc.us-west-2.amazonaws.com");
    assert_eq!(
        Value::Object(e.properties().clone()),
        json!({"authSchemes": [{"name": "sigv4", "signingName": "svc", "signingRegion": "us-west-2", "disableDoubleEncoding": true}]})
    );
    assert_eq!(
        e.headers().get("x-partition"),
        Some(&vec!["aws".to_owned(), "static".to_owned()])
    );
    assert_eq!(e.headers().len(), 1);
    assert_eq!(e.auth_schemes().len(), 1);
    assert_eq!(e.auth_schemes()[0]["signingRegion"], "us-west-2");

    let p = EndpointParams::new().with_region("cn-north-1");
    assert_eq!(url(&rules, p), "https://svc.cn-north-1.amazonaws.com.cn");
    // Matched by pattern only.
    let p = EndpointParams::new().with_region("cn-west-9");
    assert_eq!(url(&rules, p), "https://svc.cn-west-9.amazonaws.com.cn");
    // Unknown regions fall back to the aws partition.
    let p = EndpointParams::new().with_region("mars-north-1");
    assert_eq!(url(&rules, p), "https://svc.mars-north-1.amazonaws.com");
    // A region override replaces the partition's outputs.
    let p = EndpointParams::new().with_region("us-slow-1");
    assert_eq!(url(&rules, p), "https://svc.us-slow-1.slow.example");
}

#[test]
fn fips_and_dual_stack_variants() {
    let rules = regional();
    let base = || EndpointParams::new().with_region("us-east-1");
    assert_eq!(
        url(&rules, base().with_use_fips(true)),
        "https://svc-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(
        url(&rules, base().with_use_dual_stack(true)),
        "https://svc.us-east-1.api.aws"
    );
    assert_eq!(
        url(&rules, base().with_use_fips(true).with_use_dual_stack(true)),
        "https://svc-fips.us-east-1.api.aws"
    );
    let iso = || EndpointParams::new().with_region("us-iso-east-1");
    assert_eq!(
        error(&rules, iso().with_use_dual_stack(true)),
        (
            EndpointErrorKind::ErrorRule,
            "DualStack is enabled but this partition does not support DualStack".to_owned()
        )
    );
    assert_eq!(
        error(&rules, iso().with_use_fips(true).with_use_dual_stack(true)).1,
        "FIPS and DualStack are enabled, but this partition does not support one or both"
    );
    // Error messages are templates.
    assert_eq!(
        error(
            &rules,
            EndpointParams::new()
                .with_region("cn-north-1")
                .with_use_fips(true)
        ),
        (
            EndpointErrorKind::ErrorRule,
            "FIPS is enabled but aws-cn does not support FIPS".to_owned()
        )
    );
}

#[test]
fn custom_endpoint_and_error_rules() {
    let rules = regional();
    let e = rules
        .resolve(
            &EndpointParams::new().with_endpoint("https://example.com/base"),
            &partitions(),
        )
        .expect("endpoint");
    assert_eq!(e.url(), "https://example.com/base");
    assert!(e.properties().is_empty());
    assert!(e.headers().is_empty());
    assert_eq!(
        error(
            &rules,
            EndpointParams::new()
                .with_endpoint("https://example.com")
                .with_use_fips(true)
        ),
        (
            EndpointErrorKind::ErrorRule,
            "Invalid Configuration: FIPS and custom endpoint are not supported".to_owned()
        )
    );
    assert_eq!(
        error(&rules, EndpointParams::new()),
        (
            EndpointErrorKind::ErrorRule,
            "Invalid Configuration: Missing Region".to_owned()
        )
    );
}

#[test]
fn parameter_type_mismatch_and_undeclared_parameters() {
    let rules = regional();
    let (kind, message) = error(
        &rules,
        EndpointParams::new()
            .with_region("us-east-1")
            .set("UseFIPS", "yes"),
    );
    assert_eq!(kind, EndpointErrorKind::InvalidParameter);
    assert_eq!(
        message,
        "endpoint parameter \"UseFIPS\" must be a Boolean but a String was given"
    );
    // Names the rule set does not declare are ignored.
    let p = EndpointParams::new()
        .with_region("eu-west-1")
        .set("Accelerate", true);
    assert_eq!(url(&rules, p), "https://svc.eu-west-1.amazonaws.com");
}

#[test]
fn required_parameter_without_default_is_reported() {
    let rules = rule_set(json!({
        "version": "1.0",
        "parameters": {
            "Region": {"type": "string", "required": true},
            "Names": {"type": "stringArray", "required": true, "default": ["a", "b"]}
        },
        "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Region}.example.com"}}]
    }));
    let (kind, message) = error(&rules, EndpointParams::new());
    assert_eq!(kind, EndpointErrorKind::MissingParameter);
    assert_eq!(message, "missing required endpoint parameter \"Region\"");
    let mut params = EndpointParams::new().with_region("r1");
    assert_eq!(url(&rules, params.clone()), "https://r1.example.com");
    assert_eq!(params.remove("Region"), Some(ParamValue::from("r1")));
    assert_eq!(params.get("Region"), None);
}

#[test]
fn exhausted_rules_are_errors() {
    let rules = rule_set(json!({
        "version": "1.1",
        "parameters": {
            "A": {"type": "boolean", "required": true, "default": false},
            "B": {"type": "boolean", "required": true, "default": false}
        },
        "rules": [
            {"type": "tree", "conditions": [is_true("A")], "rules": [
                {"type": "endpoint", "conditions": [is_true("B")], "endpoint": {"url": "https://b.example.com"}}
            ]}
        ]
    }));
    assert_eq!(
        error(&rules, EndpointParams::new().set("A", true)),
        (
            EndpointErrorKind::NoRuleMatched,
            "no endpoint rule matched: every sub-rule of the tree rule at $.rules[0] failed its conditions"
                .to_owned()
        )
    );
    assert_eq!(
        error(&rules, EndpointParams::new()),
        (
            EndpointErrorKind::NoRuleMatched,
            "no endpoint rule matched the parameters (the rule set was exhausted)".to_owned()
        )
    );
    assert_eq!(
        url(&rules, EndpointParams::new().set("A", true).set("B", true)),
        "https://b.example.com"
    );
}

/// A rule set that dispatches on `Case` and reports function results through error messages,
/// which makes each result visible as an exact string.
fn lab(cases: Vec<(&str, Vec<Value>, &str)>) -> RuleSet {
    let mut rules: Vec<Value> = cases
        .into_iter()
        .map(|(case, mut conditions, message)| {
            conditions.insert(
                0,
                json!({"fn": "stringEquals", "argv": [{"ref": "Case"}, case]}),
            );
            json!({"type": "error", "conditions": conditions, "error": message})
        })
        .collect();
    rules.push(json!({"type": "error", "conditions": [], "error": "no match"}));
    rule_set(json!({
        "version": "1.1",
        "parameters": {
            "Case": {"type": "String", "required": true},
            "Input": {"type": "String"},
            "Flag": {"type": "Boolean"},
            "List": {"type": "StringArray"}
        },
        "rules": rules
    }))
}

fn run(rules: &RuleSet, case: &str, input: Option<&str>) -> String {
    let mut p = EndpointParams::new().set("Case", case);
    if let Some(i) = input {
        p.insert("Input", i);
    }
    let e = rules
        .resolve(&p, &partitions())
        .expect_err("lab rules end in error rules");
    e.to_string()
}

#[test]
fn string_functions() {
    let input = json!({"ref": "Input"});
    let rules = lab(vec![
        (
            "sub",
            vec![json!({"fn": "substring", "argv": [input, 0, 4, false], "assign": "s"})],
            "[{s}]",
        ),
        (
            "rsub",
            vec![json!({"fn": "substring", "argv": [input, 1, 3, true], "assign": "s"})],
            "[{s}]",
        ),
        (
            "enc",
            vec![json!({"fn": "uriEncode", "argv": [input], "assign": "s"})],
            "{s}",
        ),
        (
            "label",
            vec![json!({"fn": "isValidHostLabel", "argv": [input, false]})],
            "label",
        ),
        (
            "labels",
            vec![json!({"fn": "isValidHostLabel", "argv": [input, true]})],
            "labels",
        ),
        (
            "eq",
            vec![json!({"fn": "stringEquals", "argv": ["x-{Input}", "x-abc"]})],
            "equal",
        ),
        (
            "not",
            vec![json!({"fn": "not", "argv": [{"fn": "isSet", "argv": [input]}]})],
            "unset",
        ),
        (
            "split",
            vec![
                json!({"fn": "split", "argv": [input, "--", 0], "assign": "parts"}),
                json!({"fn": "getAttr", "argv": [{"ref": "parts"}, "[1]"], "assign": "second"}),
            ],
            "second={second}",
        ),
        (
            "split2",
            vec![
                json!({"fn": "split", "argv": [input, "--", 2], "assign": "parts"}),
                json!({"fn": "getAttr", "argv": [{"ref": "parts"}, "[1]"], "assign": "rest"}),
            ],
            "rest={rest}",
        ),
        ("braces", vec![], "{{literal}} {Case}}"),
    ]);
    assert_eq!(run(&rules, "sub", Some("abcdefg")), "[abcd]");
    assert_eq!(run(&rules, "sub", Some("abc")), "no match");
    assert_eq!(run(&rules, "sub", Some("abcdé")), "no match");
    assert_eq!(run(&rules, "rsub", Some("abcdefg")), "[ef]");
    assert_eq!(
        run(&rules, "enc", Some("a b/c?d=é~")),
        "a%20b%2Fc%3Fd%3D%C3%A9~"
    );
    assert_eq!(run(&rules, "label", Some("us-east-1")), "label");
    assert_eq!(run(&rules, "label", Some("a.b")), "no match");
    assert_eq!(run(&rules, "labels", Some("a.b")), "labels");
    assert_eq!(run(&rules, "labels", Some("a..b")), "no match");
    assert_eq!(run(&rules, "labels", Some("-a.b")), "no match");
    assert_eq!(run(&rules, "eq", Some("abc")), "equal");
    assert_eq!(run(&rules, "eq", Some("abd")), "no match");
    assert_eq!(run(&rules, "not", None), "unset");
    assert_eq!(run(&rules, "not", Some("x")), "no match");
    assert_eq!(run(&rules, "split", Some("a--b--c")), "second=b");
    assert_eq!(run(&rules, "split", Some("abc")), "no match");
    assert_eq!(run(&rules, "split2", Some("a--b--c")), "rest=b--c");
    assert_eq!(run(&rules, "braces", None), "{literal} braces}");
}

#[test]
fn parse_url_fields_and_rejections() {
    let rules = lab(vec![
        (
            "url",
            vec![
                json!({"fn": "parseURL", "argv": ["{Input}"], "assign": "u"}),
                json!({"fn": "booleanEquals", "argv": [attr("u", "isIp"), false]}),
            ],
            "{u#scheme}|{u#authority}|{u#path}|{u#normalizedPath}",
        ),
        (
            "url",
            vec![
                json!({"fn": "parseURL", "argv": ["{Input}"], "assign": "u"}),
                json!({"fn": "booleanEquals", "argv": [attr("u", "isIp"), true]}),
            ],
            "ip {u#authority}",
        ),
    ]);
    assert_eq!(
        run(&rules, "url", Some("https://example.com")),
        "https|example.com||/"
    );
    assert_eq!(
        run(&rules, "url", Some("http://example.com:8080/a/b")),
        "http|example.com:8080|/a/b|/a/b/"
    );
    assert_eq!(
        run(&rules, "url", Some("https://127.0.0.1:9000/")),
        "ip 127.0.0.1:9000"
    );
    assert_eq!(run(&rules, "url", Some("https://[::1]")), "ip [::1]");
    // parseURL returning no value makes the condition false.
    assert_eq!(
        run(&rules, "url", Some("https://example.com?x=1")),
        "no match"
    );
    assert_eq!(run(&rules, "url", Some("ftp://example.com")), "no match");
    assert_eq!(run(&rules, "url", Some("not a url")), "no match");
}

#[test]
fn aws_functions() {
    let input = json!({"ref": "Input"});
    let rules = lab(vec![
        (
            "arn",
            vec![
                json!({"fn": "aws.parseArn", "argv": [input], "assign": "arn"}),
                json!({"fn": "getAttr", "argv": [{"ref": "arn"}, "resourceId[1]"], "assign": "name"}),
            ],
            "{arn#partition}/{arn#service}/{arn#region}/{arn#accountId}/{arn#resourceId[0]}/{name}",
        ),
        (
            "arn",
            vec![json!({"fn": "aws.parseArn", "argv": [input], "assign": "arn"})],
            "short {arn#resourceId[0]}",
        ),
        (
            "bucket",
            vec![json!({"fn": "aws.isVirtualHostableS3Bucket", "argv": [input, false]})],
            "virtual",
        ),
        (
            "bucket.dots",
            vec![json!({"fn": "aws.isVirtualHostableS3Bucket", "argv": [input, true]})],
            "virtual with dots",
        ),
        (
            "partition",
            vec![
                json!({"fn": "aws.partition", "argv": [input], "assign": "p"}),
                json!({"fn": "getAttr", "argv": [{"ref": "p"}, "implicitGlobalRegion"], "assign": "global"}),
                json!({"fn": "booleanEquals", "argv": [attr("p", "supportsFIPS"), true]}),
            ],
            "{p#name} {p#dnsSuffix} {p#dualStackDnsSuffix} {global}",
        ),
        (
            "partition",
            vec![json!({"fn": "aws.partition", "argv": [input], "assign": "p"})],
            "{p#name} without global region or FIPS",
        ),
    ]);
    assert_eq!(
        run(
            &rules,
            "arn",
            Some("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap")
        ),
        "aws/s3/us-west-2/123456789012/accesspoint/my-ap"
    );
    assert_eq!(
        run(&rules, "arn", Some("arn:aws:s3:::bucket")),
        "short bucket"
    );
    assert_eq!(run(&rules, "arn", Some("arn:aws:s3:::")), "no match");
    assert_eq!(run(&rules, "arn", Some("not:an:arn:a:b:c")), "no match");
    assert_eq!(run(&rules, "bucket", Some("my-bucket")), "virtual");
    assert_eq!(run(&rules, "bucket", Some("my.bucket")), "no match");
    assert_eq!(run(&rules, "bucket", Some("My-Bucket")), "no match");
    assert_eq!(
        run(&rules, "bucket.dots", Some("my.bucket")),
        "virtual with dots"
    );
    assert_eq!(run(&rules, "bucket.dots", Some("10.0.0.1")), "no match");
    assert_eq!(
        run(&rules, "partition", Some("eu-central-1")),
        "aws amazonaws.com api.aws us-east-1"
    );
    assert_eq!(
        run(&rules, "partition", Some("cn-north-1")),
        "aws-cn without global region or FIPS"
    );
}

#[test]
fn coalesce_ite_getattr_and_string_arrays() {
    let rules = lab(vec![
        (
            "coalesce",
            vec![json!({"fn": "coalesce", "argv": [{"ref": "Input"}, "fallback"], "assign": "v"})],
            "{v}",
        ),
        (
            "coalesce-false",
            vec![json!({"fn": "coalesce", "argv": [{"ref": "Flag"}, true], "assign": "v"})],
            "flag defaulted to true",
        ),
        (
            "ite",
            vec![
                json!({"fn": "ite", "argv": [{"fn": "isSet", "argv": [{"ref": "Input"}]}, "set", "unset"], "assign": "v"}),
            ],
            "{v}",
        ),
        (
            "list",
            vec![json!({"fn": "getAttr", "argv": [{"ref": "List"}, "[1]"], "assign": "second"})],
            "second={second}",
        ),
    ]);
    assert_eq!(run(&rules, "coalesce", Some("given")), "given");
    assert_eq!(run(&rules, "coalesce", None), "fallback");
    assert_eq!(
        run(&rules, "coalesce-false", None),
        "flag defaulted to true"
    );
    assert_eq!(run(&rules, "ite", Some("x")), "set");
    assert_eq!(run(&rules, "ite", None), "unset");
    let p = |items: &[&str]| {
        EndpointParams::new().set("Case", "list").set(
            "List",
            items.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    };
    let resolve = |params: EndpointParams| {
        rules
            .resolve(&params, &partitions())
            .expect_err("lab")
            .to_string()
    };
    assert_eq!(resolve(p(&["a", "b"])), "second=b");
    // An index past the end gives no value, so the condition fails.
    assert_eq!(resolve(p(&["a"])), "no match");
    // A set `false` wins over later coalesce arguments.
    let flagged = EndpointParams::new()
        .set("Case", "coalesce-false")
        .set("Flag", false);
    assert_eq!(resolve(flagged), "no match");
}

#[test]
fn properties_headers_and_nested_values() {
    let rules = rule_set(json!({
        "version": "1.0",
        "parameters": {"Region": {"type": "String", "required": true, "default": "us-east-1"}},
        "rules": [{
            "type": "endpoint",
            "conditions": [],
            "endpoint": {
                "url": "https://{Region}.example.com",
                "headers": {"x-a": ["{Region}"], "x-b": ["1", "2"]},
                "properties": {
                    "authSchemes": [
                        {"name": "sigv4a", "signingRegionSet": ["*"], "signingName": "svc"},
                        {"name": "sigv4", "signingRegion": "{Region}"}
                    ],
                    "nested": {"n": 3, "b": false, "s": "{Region}-x"}
                }
            }
        }]
    }));
    let e = rules
        .resolve(&EndpointParams::new(), &partitions())
        .expect("endpoint");
    assert_eq!(e.url(), "https://us-east-1.example.com");
    assert_eq!(e.headers().get("x-a"), Some(&vec!["us-east-1".to_owned()]));
    assert_eq!(
        e.headers().get("x-b"),
        Some(&vec!["1".to_owned(), "2".to_owned()])
    );
    assert_eq!(
        Value::Object(e.properties().clone()),
        json!({
            "authSchemes": [
                {"name": "sigv4a", "signingRegionSet": ["*"], "signingName": "svc"},
                {"name": "sigv4", "signingRegion": "us-east-1"}
            ],
            "nested": {"n": 3, "b": false, "s": "us-east-1-x"}
        })
    );
}

#[test]
fn evaluation_errors_are_reported_not_panics() {
    let rules = rule_set(json!({
        "version": "1.0",
        "parameters": {"Region": {"type": "String"}, "Flag": {"type": "Boolean", "required": true, "default": true}},
        "rules": [
            {"type": "endpoint", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "Region"}, true]}],
             "endpoint": {"url": "https://a.example.com"}},
            {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Flag}.example.com"}}
        ]
    }));
    assert_eq!(
        error(&rules, EndpointParams::new().with_region("r")),
        (
            EndpointErrorKind::Evaluation,
            "type mismatch: argument 1 of booleanEquals must be a boolean but is a string"
                .to_owned()
        )
    );
    assert_eq!(
        error(&rules, EndpointParams::new()).1,
        "argument 1 of booleanEquals has no value"
    );
    let rules = rule_set(json!({
        "version": "1.0",
        "parameters": {"Flag": {"type": "Boolean", "required": true, "default": true}},
        "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Flag}.example.com"}}]
    }));
    assert_eq!(
        error(&rules, EndpointParams::new()).1,
        "template \"https://{Flag}.example.com\": a placeholder evaluated to a boolean, not a string"
    );
}

#[test]
fn malformed_rule_sets_name_the_problem_and_its_path() {
    let ok_rule = json!({"type": "error", "conditions": [], "error": "x"});
    let doc = |rules: Value| json!({"version": "1.0", "parameters": {"Region": {"type": "String"}}, "rules": rules});
    assert!(
        RuleSet::from_json("{")
            .expect_err("bad json")
            .to_string()
            .starts_with("invalid endpoint rule set: not valid JSON: ")
    );
    assert_eq!(
        parse_error(json!([])),
        "invalid endpoint rule set at $: the rule set must be an object"
    );
    assert_eq!(
        parse_error(json!({"version": "2.0", "parameters": {}, "rules": [ok_rule]})),
        "invalid endpoint rule set at $.version: unsupported rules engine version \"2.0\" (expected 1.x)"
    );
    assert_eq!(
        parse_error(json!({"version": "1.0", "rules": [ok_rule]})),
        "invalid endpoint rule set at $: missing required property \"parameters\""
    );
    assert_eq!(
        parse_error(
            json!({"version": "1.0", "parameters": {"R": {"type": "Integer"}}, "rules": [ok_rule]})
        ),
        "invalid endpoint rule set at $.parameters.R.type: unknown parameter type \"Integer\" (expected string, boolean or stringArray)"
    );
    assert_eq!(
        parse_error(
            json!({"version": "1.0", "parameters": {"R": {"type": "Boolean", "default": "no"}}, "rules": [ok_rule]})
        ),
        "invalid endpoint rule set at $.parameters.R.default: default does not match the parameter type Boolean"
    );
    assert_eq!(
        parse_error(doc(json!([]))),
        "invalid endpoint rule set at $.rules: rules must contain at least one rule"
    );
    assert_eq!(
        parse_error(doc(json!([{"type": "maybe", "conditions": []}]))),
        "invalid endpoint rule set at $.rules[0].type: unknown rule type \"maybe\" (expected endpoint, error or tree)"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "error", "conditions": [{"fn": "frobnicate", "argv": []}], "error": "x"}])
        )),
        "invalid endpoint rule set at $.rules[0].conditions[0].fn: unknown function \"frobnicate\""
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "error", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}, true]}], "error": "x"}])
        )),
        "invalid endpoint rule set at $.rules[0].conditions[0].argv: isSet takes 1 arguments, got 2"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "error", "conditions": [isset("Nope")], "error": "x"}])
        )),
        "invalid endpoint rule set at $.rules[0].conditions[0].argv[0]: reference to \"Nope\", which is not a parameter or a variable in scope"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Region.example.com"}}])
        )),
        "invalid endpoint rule set at $.rules[0].endpoint.url: bad template \"https://{Region.example.com\": unclosed `{`"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "error", "conditions": [], "error": "{PartitionResult#name}"}])
        )),
        "invalid endpoint rule set at $.rules[0].error: reference to \"PartitionResult\", which is not a parameter or a variable in scope"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "error", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}], "assign": "Region"}], "error": "x"}])
        )),
        "invalid endpoint rule set at $.rules[0].conditions[0].assign: variable \"Region\" shadows a parameter or variable already in scope"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "error", "conditions": [{"fn": "getAttr", "argv": [{"ref": "Region"}, "a["]}], "error": "x"}])
        )),
        "invalid endpoint rule set at $.rules[0].conditions[0].argv[1]: unclosed `[` in getAttr path \"a[\""
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "tree", "conditions": [], "rules": "nope"}])
        )),
        "invalid endpoint rule set at $.rules[0].rules: rules must be an array"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "headers": {"h": "v"}}}])
        )),
        "invalid endpoint rule set at $.rules[0].endpoint.headers.h: a header's values must be an array"
    );
    assert_eq!(
        parse_error(doc(
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "properties": {"n": 1.5}}}])
        )),
        "invalid endpoint rule set at $.rules[0].endpoint.properties.n: numbers must be integers"
    );
}

#[test]
fn variables_are_scoped_to_their_rule() {
    // `P` is bound in the first rule only; the second rule cannot see it.
    let message = parse_error(json!({
        "version": "1.0",
        "parameters": {"Region": {"type": "String", "required": true}},
        "rules": [
            {"type": "endpoint", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
             "endpoint": {"url": "https://{P#dnsSuffix}"}},
            {"type": "error", "conditions": [], "error": "{P#name}"}
        ]
    }));
    assert_eq!(
        message,
        "invalid endpoint rule set at $.rules[1].error: reference to \"P\", which is not a parameter or a variable in scope"
    );
    // The same name may be bound again in a sibling rule.
    let rules = rule_set(json!({
        "version": "1.0",
        "parameters": {"Region": {"type": "String", "required": true}},
        "rules": [
            {"type": "endpoint",
             "conditions": [
                {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"},
                {"fn": "stringEquals", "argv": [attr("P", "name"), "aws-cn"]}
             ],
             "endpoint": {"url": "https://cn.{P#dnsSuffix}"}},
            {"type": "endpoint", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
             "endpoint": {"url": "https://{P#name}.{P#dnsSuffix}"}}
        ]
    }));
    assert_eq!(
        url(&rules, EndpointParams::new().with_region("cn-north-1")),
        "https://cn.amazonaws.com.cn"
    );
    assert_eq!(
        url(&rules, EndpointParams::new().with_region("us-east-1")),
        "https://aws.amazonaws.com"
    );
}

#[test]
fn deep_nesting_is_rejected_without_overflow() {
    let mut rule = json!({"type": "error", "conditions": [], "error": "deep"});
    for _ in 0..100 {
        rule = json!({"type": "tree", "conditions": [], "rules": [rule]});
    }
    let doc = json!({"version": "1.0", "parameters": {}, "rules": [rule]});
    let message = RuleSet::from_value(&doc).expect_err("too deep").to_string();
    assert!(
        message.ends_with("rules are nested more than 64 levels deep"),
        "{message}"
    );

    let mut expr = json!(true);
    for _ in 0..100 {
        expr = json!({"fn": "not", "argv": [expr]});
    }
    let doc = json!({"version": "1.0", "parameters": {}, "rules": [
        {"type": "error", "conditions": [expr], "error": "x"}
    ]});
    let message = RuleSet::from_value(&doc).expect_err("too deep").to_string();
    assert!(
        message.ends_with("expressions are nested more than 64 levels deep"),
        "{message}"
    );
}

#[test]
fn malformed_partition_tables_are_rejected() {
    let table = |p: Value| {
        PartitionTable::from_json(&json!({"partitions": [p]}).to_string())
            .expect_err("invalid")
            .to_string()
    };
    let outputs = json!({"name": "aws", "dnsSuffix": "a", "dualStackDnsSuffix": "b", "supportsFIPS": true, "supportsDualStack": true});
    assert_eq!(
        table(json!({"id": "aws", "regionRegex": "^(?=us)", "outputs": outputs})),
        "invalid partition table: $.partitions[0].regionRegex \"^(?=us)\" is not supported: unsupported group syntax at character 2"
    );
    assert_eq!(
        table(json!({"id": "aws", "regionRegex": "^us$", "outputs": {"name": "aws"}})),
        "invalid partition table: $.partitions[0].outputs is missing \"dnsSuffix\""
    );
    assert_eq!(
        table(
            json!({"id": "aws", "regionRegex": "^us$", "outputs": outputs, "regions": {"us": {"supportsFIPS": "yes"}}})
        ),
        "invalid partition table: $.partitions[0].regions[\"us\"].supportsFIPS must be a boolean"
    );
    assert_eq!(
        PartitionTable::from_json("{}")
            .expect_err("invalid")
            .to_string(),
        "invalid partition table: $.partitions must be an array"
    );
    let err = PartitionTable::from_json("[").expect_err("invalid");
    assert_eq!(err.kind(), EndpointErrorKind::InvalidPartitions);
}

#[test]
fn partition_lookup_order() {
    let p = partitions();
    let name = |region: &str| {
        p.partition_for(region)
            .and_then(|v| v["name"].as_str().map(str::to_owned))
    };
    assert_eq!(name("us-east-1").as_deref(), Some("aws"));
    assert_eq!(name("us-iso-east-1").as_deref(), Some("aws-iso"));
    assert_eq!(name("cn-northwest-1").as_deref(), Some("aws-cn"));
    assert_eq!(name("anything").as_deref(), Some("aws"));
    assert_eq!(
        p.partition_for("us-slow-1"),
        Some(json!({
            "name": "aws", "dnsSuffix": "slow.example", "dualStackDnsSuffix": "api.aws",
            "supportsFIPS": true, "supportsDualStack": false, "implicitGlobalRegion": "us-east-1"
        }))
    );
    // Without an aws partition, an unmatched region has no partition.
    let no_aws = PartitionTable::from_json(
        &json!({"partitions": [{"id": "x", "regionRegex": "^x$", "outputs": {
            "name": "x", "dnsSuffix": "a", "dualStackDnsSuffix": "b", "supportsFIPS": true, "supportsDualStack": true}}]})
        .to_string(),
    )
    .expect("valid");
    assert_eq!(no_aws.partition_for("y"), None);
    assert!(no_aws.partition_for("x").is_some());
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Replaces (or removes) every node of a realistic rule set in turn with ill-typed or malformed
/// values: parsing must either reject the document with a located message or accept it, and an
/// accepted document must resolve without panicking.
#[test]
fn mutated_rule_sets_never_panic() {
    let doc = regional_doc();
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    let junk = [
        json!(null),
        json!(false),
        json!(-1),
        json!("{"),
        json!("}{Region#a[9]}"),
        json!([]),
        json!({}),
        json!({"ref": "Region"}),
        json!({"fn": "getAttr", "argv": [{"ref": "Region"}, "x[0]"]}),
    ];
    let partitions = partitions();
    let params = [
        EndpointParams::new(),
        EndpointParams::new()
            .with_region("us-east-1")
            .with_use_fips(true),
        EndpointParams::new()
            .with_region("cn-north-1")
            .with_use_dual_stack(true),
        EndpointParams::new().with_endpoint("https://example.com"),
    ];
    let (mut accepted, mut rejected) = (0, 0);
    let mut check = |candidate: &Value| match RuleSet::from_value(candidate) {
        Ok(rules) => {
            accepted += 1;
            for p in &params {
                let _ = rules.resolve(p, &partitions);
            }
        }
        Err(e) => {
            rejected += 1;
            assert!(
                e.to_string().starts_with("invalid endpoint rule set at $"),
                "{e}"
            );
        }
    };
    for pointer in &all {
        for j in &junk {
            let mut candidate = doc.clone();
            match candidate.pointer_mut(pointer) {
                Some(slot) => *slot = j.clone(),
                None => panic!("pointer {pointer} not found"),
            }
            check(&candidate);
        }
        // Remove the member or element entirely.
        if let Some((parent, last)) = pointer.rsplit_once('/') {
            let mut candidate = doc.clone();
            match candidate.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&last.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = last.parse::<usize>() {
                        items.remove(i);
                    }
                }
                _ => {}
            }
            check(&candidate);
        }
    }
    assert!(accepted > 100, "accepted {accepted}");
    assert!(rejected > 500, "rejected {rejected}");
}

#[test]
fn rule_sets_and_partitions_are_shareable_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<RuleSet>();
    shareable::<PartitionTable>();
    shareable::<EndpointParams>();
    shareable::<restjson_runtime::__private::endpoint::EndpointError>();
}

#[test]
fn endpoints_can_be_built_directly() {
    let e = Endpoint::new("https://local.test:8443")
        .with_header("x-a", "1")
        .with_header("x-a", "2")
        .with_property(
            "authSchemes",
            json!([{"name": "sigv4", "signingName": "svc"}]),
        );
    assert_eq!(e.url(), "https://local.test:8443");
    assert_eq!(
        e.headers().get("x-a"),
        Some(&vec!["1".to_owned(), "2".to_owned()])
    );
    assert_eq!(
        e.auth_schemes(),
        [json!({"name": "sigv4", "signingName": "svc"})]
    );
    assert!(Endpoint::new("https://x").auth_schemes().is_empty());
    let odd = Endpoint::new("https://x").with_property("authSchemes", json!("sigv4"));
    assert!(odd.auth_schemes().is_empty());
}
