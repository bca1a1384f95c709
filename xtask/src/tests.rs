//! Generator tests: snapshots of small fixture models (whose goldens are workspace members, so
//! they must also compile), determinism, and clear errors for models the generator refuses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{emit, ir, model};

fn root() -> PathBuf {
    crate::workspace_root()
}

fn generate(model_path: &Path, crate_name: &str) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(model_path).map_err(|e| e.to_string())?;
    let model = model::parse(&text)?;
    let service = ir::lower(&model)?;
    let options = emit::Options {
        crate_name: crate_name.to_owned(),
        crate_version: "0.1.0".into(),
        runtime_path: "../../../../crates/restjson-runtime".into(),
        command: "UPDATE_SNAPSHOTS=1 cargo test -p xtask".into(),
        cargo: emit::CargoMode::Workspace,
        format: true,
        partitions: None,
        endpoint_skips: Vec::new(),
        publish: false,
        license: None,
    };
    emit::generate(&service, &options)
}

fn lower_str(json: &str) -> Result<ir::Service, String> {
    ir::lower(&model::parse(json)?)
}

/// Each fixture in `xtask/tests/fixtures` generates exactly its golden crate in
/// `xtask/tests/snapshots/<name>`. `UPDATE_SNAPSHOTS=1` rewrites the goldens.
#[test]
fn fixture_models_match_their_snapshots() {
    let fixtures = root().join("xtask/tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .expect("fixtures directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixture models found");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for name in names {
        let crate_name = format!("snapshot-{name}");
        let files = generate(&fixtures.join(format!("{name}.json")), &crate_name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let dir = root().join("xtask/tests/snapshots").join(&name);
        for (rel, text) in &files {
            let path = dir.join(rel);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                if update {
                    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&path, text).expect("write snapshot");
                } else {
                    stale.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots differ (run `UPDATE_SNAPSHOTS=1 cargo test -p xtask` and review the diff):\n{}",
        stale.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let path = root().join("xtask/tests/fixtures/cursed.json");
    let first = generate(&path, "snapshot-cursed").expect("generates");
    let second = generate(&path, "snapshot-cursed").expect("generates");
    assert_eq!(first, second);
}

#[test]
fn cursed_names_are_escaped() {
    let service = lower_str(
        &std::fs::read_to_string(root().join("xtask/tests/fixtures/cursed.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<(&str, &str)> = service
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o.fn_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("GetNode", "get_node"),
            ("Match", "r#match"),
            ("Self", "self_value")
        ]
    );
    let input = &service.operations[1].input;
    let fields: Vec<&str> = input.members.iter().map(|m| m.rust_name.as_str()).collect();
    assert_eq!(
        fields,
        [
            "r#type",
            "self_value",
            "build_value",
            "send_value",
            "set_value_value",
            "value",
            "option",
            "r#async",
            "r#gen",
            "_2fa"
        ]
    );
    let node = service.types.iter().find_map(|t| match t {
        ir::TypeDef::Struct(s) if s.rust_name == "Node" => Some(s),
        _ => None,
    });
    let boxed: Vec<(&str, bool)> = node
        .expect("Node")
        .members
        .iter()
        .map(|m| (m.wire_name.as_str(), m.boxed))
        .collect();
    assert_eq!(
        boxed,
        [
            ("name", false),
            ("next", true),
            ("children", false),
            ("choice", true),
            ("secret", false)
        ]
    );
}

const SERVICE_HEAD: &str = r#""example#S": {"type": "service", "operations": [{"target": "example#Op"}], "traits": {"aws.protocols#restJson1": {}}}"#;

fn model_with(shapes: &str) -> String {
    format!(r#"{{"smithy": "2.0", "shapes": {{ {SERVICE_HEAD}, {shapes} }}}}"#)
}

#[test]
fn refused_models_get_clear_errors() {
    let op = r#""example#Op": {"type": "operation", "input": {"target": "example#In"}, "traits": {"smithy.api#http": {"method": "POST", "uri": "/op"}}}"#;
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "not a Smithy JSON AST model: expected ident at line 1 column 2"),
        (r#"{"smithy": "3.0", "shapes": {}}"#.into(), "unsupported Smithy version \"3.0\""),
        (r#"{"smithy": "2.0", "shapes": {}}"#.into(), "the model defines no service shape"),
        (
            r#"{"smithy": "2.0", "shapes": {"example#S": {"type": "service", "traits": {"aws.protocols#awsJson1_0": {}}}}}"#.into(),
            "shape `example#S`: the service does not use the aws.protocols#restJson1 protocol",
        ),
        (
            model_with(&format!(r#"{op}, "example#In": {{"type": "structure", "members": {{"a": {{"target": "example#Missing"}}}}}}"#)),
            "shape `example#In$a`: refers to `example#Missing`, which the model does not define",
        ),
        (
            r#"{"smithy": "2.0", "shapes": {"example#S": {"type": "service", "traits": {"aws.protocols#restJson1": {}, "example#custom": {}}}}}"#.into(),
            "shape `example#S`: trait `example#custom` is not supported by this generator; it is on the service, so no operation could be generated correctly",
        ),
        (
            model_with(&format!(r#"{op}, "example#In": {{"type": "structure", "members": {{"a": {{"target": "example#L"}}}}}}, "example#L": {{"type": "list", "member": {{"target": "example#L"}}}}"#)),
            "shape `example#L$member`: lists and maps nest more than 64 deep (a collection that contains itself needs a structure or union in between)",
        ),
        (
            model_with(r#""example#Op": {"type": "operation", "traits": {}}"#),
            "shape `example#Op`: restJson1 operations need the @http trait",
        ),
        (
            model_with(&format!(r#"{op}, "example#In": {{"type": "structure", "members": {{"a": {{"target": "smithy.api#String", "traits": {{"smithy.api#httpLabel": {{}}, "smithy.api#required": {{}}}}}}}}}}"#)),
            "shape `example#In$a`: @httpLabel member not used in the @http uri",
        ),
        (
            model_with(&format!(r#"{op}, "example#In": {{"type": "structure", "members": {{"fooBar": {{"target": "smithy.api#String"}}, "foo_bar": {{"target": "smithy.api#String"}}}}}}"#)),
            "shape `example#In`: members `fooBar` and `foo_bar` both need the Rust name `foo_bar`",
        ),
    ];
    for (json, expected) in cases {
        let err = lower_str(&json).expect_err(expected);
        assert_eq!(err, expected, "model: {json}");
    }
}

/// A service with one operation `Op` (input `In`, output `Out`) plus `shapes`.
fn one_op(op_traits: &str, shapes: &str) -> String {
    format!(
        r#"{{"smithy": "2.0", "shapes": {{
            "example#S": {{"type": "service", "operations": [{{"target": "example#Op"}}, {{"target": "example#Other"}}], "traits": {{"aws.protocols#restJson1": {{}}, "aws.auth#sigv4": {{"name": "s"}}}}}},
            "example#Op": {{"type": "operation", "input": {{"target": "example#In"}}, "output": {{"target": "example#Out"}}, "traits": {{"smithy.api#http": {{"method": "POST", "uri": "/op"}} {op_traits}}}}},
            "example#Other": {{"type": "operation", "traits": {{"smithy.api#http": {{"method": "GET", "uri": "/other"}}}}}},
            {shapes}
        }}}}"#
    )
}

fn skipped(service: &ir::Service) -> Vec<(&str, &str)> {
    service
        .skipped
        .iter()
        .map(|s| (s.operation.as_str(), s.reason.as_str()))
        .collect()
}

fn op_names(service: &ir::Service) -> Vec<&str> {
    service.operations.iter().map(|o| o.name.as_str()).collect()
}

const PLAIN_IO: &str = r#""example#In": {"type": "structure", "members": {}}, "example#Out": {"type": "structure", "members": {}}"#;

#[test]
fn traits_without_client_effect_are_ignored() {
    let json = one_op(
        r#", "smithy.test#smokeTests": [], "aws.iam#conditionKeys": []"#,
        &format!(
            r#"{PLAIN_IO}, "example#Extra": {{"type": "structure", "members": {{}}, "traits": {{"smithy.api#nestedProperties": {{}}, "aws.endpoints#dualStackOnlyEndpoints": {{}}}}}}"#
        ),
    );
    let service = lower_str(&json).expect("lowers");
    assert_eq!(op_names(&service), ["Op", "Other"]);
    assert!(service.skipped.is_empty());
}

#[test]
fn an_unknown_trait_skips_only_the_operations_that_reach_it() {
    let json = one_op(
        "",
        r#""example#In": {"type": "structure", "members": {"a": {"target": "example#Odd"}}}, "example#Out": {"type": "structure", "members": {}}, "example#Odd": {"type": "string", "traits": {"example#future": {}}}"#,
    );
    let service = lower_str(&json).expect("lowers");
    assert_eq!(op_names(&service), ["Other"]);
    assert_eq!(
        skipped(&service),
        [(
            "Op",
            "shape `example#Odd`: trait `example#future` is not supported by this generator"
        )]
    );
    // The crate documents what it left out.
    let files = emit::generate(&service, &fast_options()).expect("generates");
    assert!(files["src/lib.rs"].contains(
        "- `Op`: shape `example#Odd`: trait `example#future` is not supported by this generator"
    ));
}

#[test]
fn event_streams_and_unsupported_defaults_skip_their_operation() {
    let json = one_op(
        "",
        r#""example#In": {"type": "structure", "members": {}}, "example#Out": {"type": "structure", "members": {"events": {"target": "example#Events", "traits": {"smithy.api#httpPayload": {}}}}}, "example#Events": {"type": "union", "members": {"a": {"target": "smithy.api#String"}}, "traits": {"smithy.api#streaming": {}}}"#,
    );
    let service = lower_str(&json).expect("lowers");
    assert_eq!(
        skipped(&service),
        [(
            "Op",
            "shape `example#Out$events`: event streams are not supported by this generator"
        )]
    );
    let json = one_op(
        "",
        r#""example#In": {"type": "structure", "members": {}}, "example#Out": {"type": "structure", "members": {"n": {"target": "smithy.api#Integer", "traits": {"smithy.api#default": 3000000000}}}}"#,
    );
    let service = lower_str(&json).expect("lowers");
    assert_eq!(
        skipped(&service),
        [(
            "Op",
            "shape `example#Out$n`: unsupported @default value 3000000000"
        )]
    );
}

#[test]
fn an_output_structure_also_used_as_a_member_is_emitted_as_a_type() {
    // `Out` is the output of `Op` and, through a list, a member of `In`.
    let json = one_op(
        "",
        r#""example#In": {"type": "structure", "members": {"outs": {"target": "example#Outs"}}}, "example#Outs": {"type": "list", "member": {"target": "example#Out"}}, "example#Out": {"type": "structure", "members": {"x": {"target": "smithy.api#String"}}}"#,
    );
    let service = lower_str(&json).expect("lowers");
    let types: Vec<&str> = service.types.iter().map(|t| t.rust_name()).collect();
    assert_eq!(types, ["Out"]);
    assert_eq!(service.operations[0].output.rust_name, "OpOutput");
}

#[test]
fn members_named_like_generated_accessors_are_renamed_where_they_would_clash() {
    let json = one_op(
        "",
        r#""example#In": {"type": "structure", "members": {"requestId": {"target": "smithy.api#String"}, "item": {"target": "example#Item"}}}, "example#Out": {"type": "structure", "members": {"requestId": {"target": "smithy.api#String"}}}, "example#Item": {"type": "structure", "members": {"requestId": {"target": "smithy.api#String"}}}"#,
    );
    let service = lower_str(&json).expect("lowers");
    let op = &service.operations[0];
    // Outputs have a `request_id()` accessor of their own.
    assert_eq!(op.output.members[0].rust_name, "request_id_value");
    assert_eq!(op.input.members[0].rust_name, "request_id");
    let ir::TypeDef::Struct(item) = &service.types[0] else {
        panic!("Item is a structure");
    };
    assert_eq!(item.members[0].rust_name, "request_id");
}

/// Options that skip rustfmt (the tests only read the generated text).
fn fast_options() -> emit::Options {
    emit::Options {
        crate_name: "deep".into(),
        crate_version: "0.1.0".into(),
        runtime_path: "../runtime".into(),
        command: "test".into(),
        cargo: emit::CargoMode::Standalone,
        format: false,
        partitions: None,
        endpoint_skips: Vec::new(),
        publish: false,
        license: None,
    }
}

#[test]
fn deep_and_cyclic_shape_graphs_generate_without_unbounded_recursion() {
    // A chain of 3000 structures, each requiring the next; the last requires the first.
    let n = 3000;
    let mut shapes = Vec::new();
    for i in 0..n {
        let next = (i + 1) % n;
        shapes.push(format!(
            r#""example#S{i}": {{"type": "structure", "members": {{"next": {{"target": "example#S{next}", "traits": {{"smithy.api#required": {{}}}}}}}}}}"#
        ));
    }
    let json = one_op(
        "",
        &format!(
            r#""example#In": {{"type": "structure", "members": {{"s": {{"target": "example#S0"}}}}}}, "example#Out": {{"type": "structure", "members": {{}}}}, {}"#,
            shapes.join(", ")
        ),
    );
    // Run on a small stack: recursion over the chain would overflow it.
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let service = lower_str(&json)?;
            emit::generate(&service, &fast_options()).map(|f| (service.types.len(), f.len()))
        })
        .expect("spawns")
        .join()
        .expect("does not panic");
    let (types, _files) = result.expect("generates");
    assert_eq!(types, n);
}

/// A one-operation restJson1 service whose operation has `op_traits` and whose input member
/// `s` has `member_traits`.
fn one_op_service(op_traits: &str, member_traits: &str) -> String {
    format!(
        r#"{{"smithy": "2.0", "shapes": {{
        "example#S": {{"type": "service", "operations": [{{"target": "example#Put"}}], "traits": {{"aws.protocols#restJson1": {{}}}}}},
        "example#Put": {{"type": "operation", "input": {{"target": "example#In"}}, "traits": {{"smithy.api#http": {{"method": "PUT", "uri": "/p"}}{op_traits}}}}},
        "example#In": {{"type": "structure", "members": {{"s": {{"target": "smithy.api#String", "traits": {{{member_traits}}}}}}}}}
    }}}}"#
    )
}

#[test]
fn compression_checksums_and_patterns_are_compiled_only_for_models_that_use_them() {
    let plain = lower_str(&one_op_service("", "")).expect("lowers");
    assert!(plain.runtime_features.is_empty());
    let toml = emit::crate_files::cargo_toml(&plain, &fast_options());
    assert!(
        toml.contains("\nrestjson-runtime = { path = \"../runtime\" }\n"),
        "{toml}"
    );
    assert!(!toml.contains("patterns"), "{toml}");

    let both = lower_str(&one_op_service(
        r#", "smithy.api#httpChecksumRequired": {}, "smithy.api#requestCompression": {"encodings": ["gzip"]}"#,
        "",
    ))
    .expect("lowers");
    assert_eq!(both.runtime_features, ["compression", "checksums"]);
    let toml = emit::crate_files::cargo_toml(&both, &fast_options());
    assert!(
        toml.contains(
            r#"restjson-runtime = { path = "../runtime", features = ["compression", "checksums"] }"#
        ),
        "{toml}"
    );

    // Patterns are the user's choice (strict mode only): a feature of the generated crate.
    let patterned =
        lower_str(&one_op_service("", r#""smithy.api#pattern": "^[a-z]+$""#)).expect("lowers");
    assert!(patterned.runtime_features.is_empty());
    let toml = emit::crate_files::cargo_toml(&patterned, &fast_options());
    assert!(
        toml.contains("\npatterns = [\"restjson-runtime/patterns\"]\n"),
        "{toml}"
    );
}

#[test]
fn bearer_auth_and_streaming_turn_on_runtime_features() {
    let json = r#"{"smithy": "2.0", "shapes": {
        "example#S": {"type": "service", "operations": [{"target": "example#Put"}], "traits": {"aws.protocols#restJson1": {}, "smithy.api#httpBearerAuth": {}}},
        "example#Put": {"type": "operation", "input": {"target": "example#In"}, "traits": {"smithy.api#http": {"method": "PUT", "uri": "/p"}, "smithy.api#endpoint": {"hostPrefix": "{zone}.data."}}},
        "example#In": {"type": "structure", "members": {
            "zone": {"target": "smithy.api#String", "traits": {"smithy.api#hostLabel": {}, "smithy.api#required": {}, "smithy.api#httpHeader": "x-zone"}},
            "body": {"target": "example#Data", "traits": {"smithy.api#httpPayload": {}}}}},
        "example#Data": {"type": "blob", "traits": {"smithy.api#streaming": {}, "smithy.api#requiresLength": {}}}
    }}"#;
    let service = lower_str(json).expect("lowers");
    assert_eq!(service.runtime_features, ["streaming", "bearer"]);
    let op = &service.operations[0];
    assert_eq!(op.auth, [ir::AuthScheme::Bearer]);
    assert_eq!(
        op.host_prefix,
        [
            ir::HostSegment::Label {
                field: "zone".into(),
                wire: "zone".into(),
                non_optional: true
            },
            ir::HostSegment::Literal(".data.".into())
        ]
    );
    let body = op.streaming_input().expect("streaming payload");
    assert!(body.requires_length);
    assert_eq!(body.default, Some(ir::DefaultValue::EmptyStream));
}

#[test]
fn an_error_message_member_is_chosen_once_for_the_structure() {
    let json = one_op(
        "",
        r#""example#In": {"type": "structure", "members": {}}, "example#Out": {"type": "structure", "members": {}}, "example#Oops": {"type": "structure", "members": {"Message": {"target": "smithy.api#String"}}, "traits": {"smithy.api#error": "client"}}"#,
    )
    .replace(
        r#""output": {"target": "example#Out"}"#,
        r#""output": {"target": "example#Out"}, "errors": [{"target": "example#Oops"}]"#,
    );
    let service = lower_str(&json).expect("lowers");
    let msg = service.errors[0]
        .error
        .as_ref()
        .and_then(|e| e.message.as_ref())
        .expect("a message member");
    assert_eq!(
        (msg.field.as_str(), msg.accessor, msg.fill_from_response),
        ("message", false, true)
    );
}

/// Outputs, errors and structures inside documents whose body members read alike share one
/// reader (an enum reads as its wire value); a different timestamp format or JSON name is a
/// different reader, and a structure alone in its layout keeps a reader of its own.
#[test]
fn responses_with_the_same_body_layout_share_one_reader() {
    let ops = ["A", "B", "C", "D", "E", "F"];
    let op_list: Vec<String> = ops
        .iter()
        .map(|o| format!(r#"{{"target": "example#{o}"}}"#))
        .collect();
    let mut shapes = vec![format!(
        r#""example#S": {{"type": "service", "operations": [{}], "traits": {{"aws.protocols#restJson1": {{}}}}}}"#,
        op_list.join(", ")
    )];
    for (i, o) in ops.iter().enumerate() {
        let errors = if i == 0 {
            r#", "errors": [{"target": "example#Oops"}, {"target": "example#Ouch"}]"#
        } else {
            ""
        };
        shapes.push(format!(
            r#""example#{o}": {{"type": "operation", "output": {{"target": "example#{o}Out"}}{errors}, "traits": {{"smithy.api#http": {{"method": "GET", "uri": "/{o}"}}}}}}"#
        ));
    }
    let member = |name: &str, target: &str, traits: &str| {
        format!(r#""{name}": {{"target": "{target}", "traits": {{{traits}}}}}"#)
    };
    let string = "smithy.api#String";
    let time = "smithy.api#Timestamp";
    let outputs = [
        // A and B read alike; E too (its header member is not read from the body).
        ("A", vec![member("at", time, ""), member("id", string, "")]),
        ("B", vec![member("at", time, ""), member("id", string, "")]),
        (
            "C",
            vec![
                member("at", time, r#""smithy.api#timestampFormat": "date-time""#),
                member("id", string, ""),
                member("item", "example#Item", ""),
                member("alone", "example#Alone", ""),
            ],
        ),
        (
            "D",
            vec![
                member("at", time, ""),
                member("id", string, r#""smithy.api#jsonName": "ID""#),
            ],
        ),
        (
            "E",
            vec![
                member("at", time, ""),
                member("etag", string, r#""smithy.api#httpHeader": "ETag""#),
                member("id", string, ""),
            ],
        ),
        // An enum reads as a string, converted by F's own code.
        (
            "F",
            vec![member("at", time, ""), member("id", "example#Kind", "")],
        ),
    ];
    for (o, members) in &outputs {
        shapes.push(format!(
            r#""example#{o}Out": {{"type": "structure", "members": {{{}}}}}"#,
            members.join(", ")
        ));
    }
    shapes.push(format!(
        r#""example#Item": {{"type": "structure", "members": {{{}, {}}}}}"#,
        member("at", time, ""),
        member("id", string, "")
    ));
    shapes.push(format!(
        r#""example#Alone": {{"type": "structure", "members": {{{}}}}}"#,
        member("other", string, "")
    ));
    shapes.push(
        r#""example#Kind": {"type": "enum", "members": {"X": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "x"}}}}"#.to_owned(),
    );
    for e in ["Oops", "Ouch"] {
        shapes.push(format!(
            r#""example#{e}": {{"type": "structure", "members": {{"message": {{"target": "smithy.api#String"}}}}, "traits": {{"smithy.api#error": "client"}}}}"#
        ));
    }
    let json = format!(
        r#"{{"smithy": "2.0", "shapes": {{ {} }}}}"#,
        shapes.join(", ")
    );
    let service = lower_str(&json).expect("lowers");
    let readers: Vec<(&str, Vec<&str>)> = service
        .body_readers
        .iter()
        .map(|r| {
            let names = r.members.iter().map(|m| m.json_name.as_str()).collect();
            (r.name.as_str(), names)
        })
        .collect();
    assert_eq!(
        readers,
        [
            ("ReadAOutput", vec!["at", "id"]),
            ("ReadCOutput", vec!["at", "id", "item", "alone"]),
            ("ReadDOutput", vec!["at", "ID"]),
            ("ReadOops", vec!["message"]),
        ]
    );
    let used: Vec<(&str, Option<&str>)> = service
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o.output.body_reader.as_deref()))
        .chain(
            service
                .errors
                .iter()
                .map(|e| (e.rust_name.as_str(), e.body_reader.as_deref())),
        )
        .collect();
    assert_eq!(
        used,
        [
            ("A", Some("ReadAOutput")),
            ("B", Some("ReadAOutput")),
            ("C", Some("ReadCOutput")),
            ("D", Some("ReadDOutput")),
            ("E", Some("ReadAOutput")),
            ("F", Some("ReadAOutput")),
            ("Oops", Some("ReadOops")),
            ("Ouch", Some("ReadOops")),
        ]
    );
    let nested: Vec<(&str, Option<&str>)> = service
        .types
        .iter()
        .filter_map(|t| match t {
            ir::TypeDef::Struct(s) => Some((s.rust_name.as_str(), s.body_reader.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(nested, [("Alone", None), ("Item", Some("ReadAOutput"))]);
    // Each shared reader is emitted once, and B reads its body with A's.
    let options = emit::Options {
        format: true,
        ..fast_options()
    };
    let files = emit::generate(&service, &options).expect("generates");
    let protocol = &files["src/protocol.rs"];
    for r in ["ReadAOutput", "ReadCOutput", "ReadDOutput", "ReadOops"] {
        let declared = format!("enum {r} {{}}");
        assert_eq!(protocol.matches(&declared).count(), 1, "{r}");
    }
    // The four shared readers, Item's (which calls A's) and Alone's own.
    assert_eq!(protocol.matches("ReadObject<'de> for").count(), 6);
    let flat: String = protocol.split_whitespace().collect();
    // Item's reader is the only call of A's there (B and E read their bodies with it elsewhere).
    let call =
        "<crate::protocol::body::ReadAOutputas::restjson_runtime::__private::json::ReadObject<";
    assert_eq!(flat.matches(call).count(), 1);
    let b: String = files["src/operation/b.rs"].split_whitespace().collect();
    assert!(b.contains("read_object_body::<crate::protocol::body::ReadAOutput"));
    assert!(!b.contains("ReadObject"));
    let f: String = files["src/operation/f.rs"].split_whitespace().collect();
    assert!(f.contains("read_object_body::<crate::protocol::body::ReadAOutput"));
    assert!(f.contains(
        "letm_id=m_id.map(<crate::types::Kindas::std::convert::From<::std::string::String>>::from);"
    ));
}

/// The runtime's public API is exactly the committed list: a change of it shows in review.
#[test]
fn the_runtime_public_api_is_the_committed_list() {
    let listed =
        crate::public_api::list(&root().join("crates/restjson-runtime"), "restjson_runtime")
            .expect("the runtime's source parses");
    let path = crate::public_api::committed_list(&root());
    let committed = std::fs::read_to_string(&path).expect("the committed list");
    assert!(
        listed == committed,
        "the public API differs from {} (- committed, + now):\n{}\nrun `cargo xtask public-api > crates/restjson-runtime/public-api.txt`",
        path.display(),
        crate::public_api::diff(&committed, &listed)
    );
}

/// The lister follows `pub mod`, re-exports out of private modules and impls wherever they are
/// written, carries `cfg`s, and leaves out private, `pub(crate)`, hidden and test-only items.
#[test]
fn the_public_api_lister_sees_what_users_can_name() {
    let dir = std::env::temp_dir().join(format!("xtask-public-api-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("outer")).expect("mkdir");
    std::fs::write(
        src.join("lib.rs"),
        "pub mod outer;\nmod inner;\n#[doc(hidden)]\npub mod __private { pub fn helper() {} }\npub use crate::inner::Reexported;\n#[cfg(test)]\nmod tests { pub fn t() {} }\n",
    )
    .expect("write");
    std::fs::write(
        src.join("outer.rs"),
        "mod child;\npub use child::Child;\npub struct Visible { pub a: u32, b: u32 }\nimpl Visible { pub fn get(&self) -> u32 { self.b } pub(crate) fn hidden(&self) {} #[doc(hidden)] pub fn also_hidden() {} }\n#[cfg(feature = \"x\")]\npub enum Gated { One, Two(String) }\npub(crate) struct CrateOnly;\n#[doc(hidden)]\npub struct DocHidden;\npub trait Tr { fn m(&self); }\nimpl Tr for Visible { fn m(&self) {} }\n",
    )
    .expect("write");
    std::fs::write(src.join("outer/child.rs"), "pub struct Child;\n").expect("write");
    std::fs::write(
        src.join("inner.rs"),
        "pub struct Reexported;\nimpl Reexported { pub fn new() -> Self { Reexported } }\npub struct Unreachable;\n",
    )
    .expect("write");
    let listed = crate::public_api::list(&dir, "demo").expect("lists");
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "#[cfg(feature = \"x\")] demo::outer::Gated::One",
            "#[cfg(feature = \"x\")] demo::outer::Gated::Two(String)",
            "#[cfg(feature = \"x\")] pub enum demo::outer::Gated",
            "#[doc(hidden)] pub mod demo::__private (not listed)",
            "fn demo::outer::Tr::m(&self)",
            "impl Tr for demo::outer::Visible",
            "pub demo::outer::Visible::a: u32",
            "pub fn demo::Reexported::new() -> Self",
            "pub fn demo::outer::Visible::get(&self) -> u32",
            "pub mod demo::outer",
            "pub struct demo::Reexported",
            "pub struct demo::outer::Child",
            "pub struct demo::outer::Visible",
            "pub trait demo::outer::Tr",
            "pub use demo::Reexported = demo::inner::Reexported",
            "pub use demo::outer::Child = demo::outer::child::Child",
        ]
    );
}
