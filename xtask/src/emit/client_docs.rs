//! The documentation of each client method: the model's description, then what goes in (the
//! fluent builder's setters), what comes out (the output's fields), the errors, and a short
//! `no_run` example that `cargo test --doc` compiles.

use crate::ir::{NamedKind, Operation, Service, Ty, TypeDef};

/// How deep the example builds nested required structures before leaving a member out.
const MAX_EXAMPLE_DEPTH: usize = 4;

/// The doc lines of the client method of `op` (without the leading space of each line).
pub fn method_docs(service: &Service, op: &Operation, krate: &str) -> Vec<String> {
    let module = &op.module;
    let mut lines = if op.docs.is_empty() {
        vec![format!("Calls the `{}` operation.", op.name)]
    } else {
        op.docs.clone()
    };
    let fluent = format!("crate::operation::{module}::builders::{}", op.fluent);
    lines.push(String::new());
    lines.push(format!(
        "- Input: set with the fluent builder {}, then `send()`{}:",
        link(&op.fluent, &fluent),
        if op.pagination.is_some() {
            " (or `into_paginator()` for every page)"
        } else {
            ""
        }
    ));
    if op.input.members.is_empty() {
        lines.push("  - no members".into());
    }
    for m in &op.input.members {
        let name = crate::naming::unraw(&m.rust_name);
        let setter = match &m.ty {
            Ty::List { elem, .. } => format!("{name}({})` (appends)", into(elem)),
            Ty::Map { value, .. } => format!("{name}(impl Into<String>, {})` (adds)", into(value)),
            t => format!("{name}({})`", into(t)),
        };
        let required = if m.required && m.default.is_none() {
            " **required**"
        } else {
            ""
        };
        lines.push(format!(
            "  - `{setter} / `{}(Option<{}>)`{required}{}",
            m.setter,
            set_ty(&m.ty),
            summary(&m.docs)
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ));
    }
    let output = format!("crate::operation::{module}::{}", op.output.rust_name);
    lines.push(format!(
        "- Output: {}{}",
        link(&op.output.rust_name, &output),
        if op.output.members.is_empty() {
            ", no fields (only `request_id()`)"
        } else {
            ", with"
        }
    ));
    for m in &op.output.members {
        lines.push(format!(
            "  - `{}()`{}",
            crate::naming::unraw(&m.rust_name),
            summary(&m.docs)
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ));
    }
    let error = format!("crate::operation::{module}::{}", op.error_enum);
    let modelled: Vec<String> = op
        .errors
        .iter()
        .map(|e| link(&e.code, &format!("crate::types::error::{}", e.rust_name)))
        .collect();
    lines.push(format!(
        "- Errors: [`SdkError`](crate::error::SdkError)`<`{}`>`: {}{}",
        link(&op.error_enum, &error),
        if modelled.is_empty() {
            String::new()
        } else {
            format!("{}, ", modelled.join(", "))
        },
        "or `Unhandled`"
    ));
    lines.push(String::new());
    lines.push("# Example".into());
    lines.push(String::new());
    lines.extend(example(service, op, krate));
    lines
}

/// An intra-doc link to `path` shown as `text`; plain code where the path has a raw identifier,
/// which intra-doc links cannot name.
fn link(text: &str, path: &str) -> String {
    if path.contains("r#") {
        format!("`{text}`")
    } else {
        format!("[`{text}`]({path})")
    }
}

/// The `no_run` example: the call with every required member set to a placeholder.
fn example(service: &Service, op: &Operation, krate: &str) -> Vec<String> {
    let krate = krate.replace('-', "_");
    let mut out = vec![
        "```no_run".to_owned(),
        format!(
            "# async fn example(client: &{krate}::Client) -> Result<(), Box<dyn std::error::Error>> {{"
        ),
    ];
    let mut call = vec![format!("client\n    .{}()", op.fn_name)];
    for m in op
        .input
        .members
        .iter()
        .filter(|m| m.required && m.default.is_none())
    {
        let call_args = match &m.ty {
            Ty::List { elem, sparse } => value(service, elem, &m.wire_name, &krate, 0)
                .map(|v| if *sparse { format!("Some({v})") } else { v }),
            Ty::Map { value: v, sparse } => value(service, v, &m.wire_name, &krate, 0).map(|v| {
                let v = if *sparse { format!("Some({v})") } else { v };
                format!("\"key\", {v}")
            }),
            t => value(service, t, &m.wire_name, &krate, 0),
        };
        if let Some(args) = call_args {
            call.push(format!("    .{}({args})", m.rust_name));
        }
    }
    if op.pagination.is_some() {
        out.push(format!("let mut pages = {}", call.join("\n")));
        out.push("    .into_paginator()".into());
        out.push("    .send();".into());
        out.push("while let Some(page) = pages.next().await {".into());
        out.push("    println!(\"{:?}\", page?);".into());
        out.push("}".into());
    } else {
        out.push(format!("let output = {}", call.join("\n")));
        out.push("    .send()".into());
        out.push("    .await?;".into());
        out.push("println!(\"{output:?}\");".into());
    }
    out.push("# Ok(())".into());
    out.push("# }".into());
    out.push("```".into());
    out.into_iter()
        .flat_map(|l| l.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// A placeholder value of type `ty` (what its setter takes), as code; `None` when it cannot be
/// built within [`MAX_EXAMPLE_DEPTH`].
fn value(service: &Service, ty: &Ty, wire: &str, krate: &str, depth: usize) -> Option<String> {
    Some(match ty {
        Ty::String => format!("{:?}", format!("example-{}", kebab(wire))),
        Ty::Bool => "true".into(),
        Ty::Byte | Ty::Short | Ty::Integer | Ty::Long => "1".into(),
        Ty::Float | Ty::Double => "1.0".into(),
        Ty::Timestamp(_) => format!("{krate}::primitives::DateTime::from_secs(1_700_000_000)"),
        Ty::Blob => format!("{krate}::primitives::Blob::new(b\"example\".to_vec())"),
        Ty::ByteStream => format!("{krate}::primitives::ByteStream::from_static(b\"example\")"),
        Ty::Document => format!("{krate}::primitives::Document::Null"),
        Ty::Unit => "()".into(),
        Ty::List { elem, sparse } => {
            let v = value(service, elem, wire, krate, depth + 1)?;
            if *sparse {
                format!("vec![Some({v})]")
            } else {
                format!("vec![{v}]")
            }
        }
        Ty::Map { value: v, sparse } => {
            let v = value(service, v, wire, krate, depth + 1)?;
            let v = if *sparse { format!("Some({v})") } else { v };
            format!("[(\"key\".to_owned(), {v})].into_iter().collect()")
        }
        Ty::Named { kind, rust, .. } => {
            let def = service.types.iter().find(|t| t.rust_name() == rust)?;
            let path = format!("{krate}::types::{rust}");
            match (kind, def) {
                (NamedKind::Enum, TypeDef::Enum(e)) => match e.variants.first() {
                    Some(v) => format!("{path}::{}", v.rust_name),
                    None => format!("{path}::from(\"example\")"),
                },
                (NamedKind::IntEnum, TypeDef::IntEnum(e)) => {
                    format!(
                        "{path}::from({})",
                        e.variants.first().map_or(0, |v| v.value)
                    )
                }
                (NamedKind::Union, TypeDef::Union(u)) => {
                    if depth >= MAX_EXAMPLE_DEPTH {
                        return None;
                    }
                    let v = u.variants.first()?;
                    let inner =
                        value(service, &v.member.ty, &v.member.wire_name, krate, depth + 1)?;
                    let inner = if v.member.boxed {
                        format!("Box::new({inner})")
                    } else {
                        inner
                    };
                    format!("{path}::{}({inner})", v.member.rust_name)
                }
                (NamedKind::Struct, TypeDef::Struct(s)) => {
                    if depth >= MAX_EXAMPLE_DEPTH {
                        return None;
                    }
                    let mut text = format!("{path}::builder()");
                    for m in s
                        .members
                        .iter()
                        .filter(|m| m.required && m.default.is_none())
                    {
                        let name = &m.rust_name;
                        let args = match &m.ty {
                            Ty::List { elem, sparse } => {
                                let v = value(service, elem, &m.wire_name, krate, depth + 1)?;
                                if *sparse { format!("Some({v})") } else { v }
                            }
                            Ty::Map { value: v, sparse } => {
                                let v = value(service, v, &m.wire_name, krate, depth + 1)?;
                                let v = if *sparse { format!("Some({v})") } else { v };
                                format!("\"key\", {v}")
                            }
                            t => value(service, t, &m.wire_name, krate, depth + 1)?,
                        };
                        text.push_str(&format!(".{name}({args})"));
                    }
                    text.push_str(".build()");
                    if s.needs_fallible_build() {
                        text.push('?');
                    }
                    text
                }
                _ => return None,
            }
        }
    })
}

fn kebab(wire: &str) -> String {
    crate::naming::snake_case(wire).replace('_', "-")
}

/// The type a setter takes, as a reader would write it.
fn into(ty: &Ty) -> String {
    match ty {
        Ty::String => "impl Into<String>".into(),
        Ty::Named { rust, .. } => format!("impl Into<{rust}>"),
        t => type_text(t),
    }
}

/// The type of a `set_*` method's `Option`.
fn set_ty(ty: &Ty) -> String {
    match ty {
        Ty::Map { value, sparse } => {
            let v = type_text(value);
            if *sparse {
                format!("HashMap<String, Option<{v}>>")
            } else {
                format!("HashMap<String, {v}>")
            }
        }
        t => type_text(t),
    }
}

fn type_text(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Bool => "bool".into(),
        Ty::Byte => "i8".into(),
        Ty::Short => "i16".into(),
        Ty::Integer => "i32".into(),
        Ty::Long => "i64".into(),
        Ty::Float => "f32".into(),
        Ty::Double => "f64".into(),
        Ty::Timestamp(_) => "DateTime".into(),
        Ty::Blob => "Blob".into(),
        Ty::ByteStream => "ByteStream".into(),
        Ty::Document => "Document".into(),
        Ty::Unit => "()".into(),
        Ty::List { elem, sparse } => {
            let e = type_text(elem);
            if *sparse {
                format!("Vec<Option<{e}>>")
            } else {
                format!("Vec<{e}>")
            }
        }
        Ty::Map { value, sparse } => {
            let v = type_text(value);
            if *sparse {
                format!("BTreeMap<String, Option<{v}>>")
            } else {
                format!("BTreeMap<String, {v}>")
            }
        }
        Ty::Named { rust, .. } => rust.clone(),
    }
}

/// The first paragraph of a member's docs on one line, when it is short; else its first
/// sentence, cut only outside links and code spans.
fn summary(docs: &[String]) -> Option<String> {
    let paragraph: Vec<&str> = docs
        .iter()
        .map(|l| l.trim())
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= 200 {
        return Some(text);
    }
    let mut depth = 0i32;
    let mut in_code = false;
    let bytes: Vec<char> = text.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        match c {
            '`' => in_code = !in_code,
            '[' | '(' if !in_code => depth += 1,
            ']' | ')' if !in_code => depth -= 1,
            '.' if !in_code && depth == 0 && bytes.get(i + 1) == Some(&' ') => {
                return Some(bytes[..=i].iter().collect());
            }
            _ => {}
        }
    }
    Some(text)
}
