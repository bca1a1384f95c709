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
