//! Every rule that turns a Smithy name into a Rust name lives here, so the generator never
//! invents identifiers ad hoc and every rule has one table test.
//!
//! Case conversion follows the AWS SDKs: names are split into words on separators, on a
//! lower-case letter or digit followed by an upper-case letter, and at the end of an acronym
//! (`HTTPPrefix` is `HTTP` + `Prefix`); a few mixed-case words (`IPv6`, `MiB`) stay whole.
//! Words are then lower-cased (snake case) or capitalised (Pascal case), so acronyms come out as
//! `Arn`/`arn`, like `CreateDbInstance` in the official SDKs.
//!
//! Generated code refers to every type by an absolute path (`::std::string::String`,
//! `crate::types::String`), so shapes named like prelude items (`String`, `Result`, `Option`,
//! `Box`, `Vec`, `Error`, ...) keep their names. What must not happen is two items with one
//! name in one module, or a name that shadows a method the generated code calls; those are
//! resolved here by documented suffixes, or reported as errors.

use std::collections::{BTreeMap, BTreeSet};

/// A Rust identifier together with the name it had in the model (the name on the wire, for
/// members and enum values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The Rust identifier, possibly a raw identifier such as `r#type`.
    pub rust: String,
    /// The name or value as written in the model.
    pub wire: String,
}

/// The Rust names generated for one structure member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberNames {
    /// The member name in the model (also its JSON key unless `jsonName` says otherwise).
    pub wire: String,
    /// Field name, also the name of the struct getter and of the builder/fluent setter taking a
    /// value (may be a raw identifier such as `r#type`).
    pub field: String,
    /// Builder/fluent setter taking an `Option`: `set_<field>`.
    pub setter: String,
    /// Builder/fluent getter: `get_<field>`.
    pub getter: String,
}

/// Words that are written with mixed case but are one word (`IPv6`, not `I` + `Pv6`).
const WHOLE_WORDS: &[&str] = &["ipv4", "ipv6", "sigv4", "kib", "mib", "gib", "tib"];

/// Strict, reserved and edition-2024 keywords: not usable as plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that `r#` cannot escape.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Method names that generated structs, builders and fluent builders define themselves, or
/// that generated code calls through traits (an inherent method would shadow the trait one).
/// A member with one of these names gets the suffix `_value`.
const RESERVED_MEMBER_NAMES: &[&str] = &[
    "as_input",
    "build",
    "builder",
    "clone",
    "config",
    "config_override",
    "customize",
    "default",
    "eq",
    "fmt",
    "from",
    "hash",
    "into",
    "meta",
    "ne",
    "send",
    "to_owned",
    "to_string",
];

/// Methods of the generated `Client` besides the operations.
const RESERVED_CLIENT_METHODS: &[&str] = &["clone", "config", "fmt", "from_conf", "new"];

/// Catch-all variant of generated enums and unions (`Unknown`) and of operation errors
/// (`Unhandled`).
const ENUM_CATCH_ALL: &str = "Unknown";
const ERROR_CATCH_ALL: &str = "Unhandled";

fn is_whole_word_at(chars: &[char], start: usize) -> Option<usize> {
    for word in WHOLE_WORDS {
        let len = word.chars().count();
        if start + len > chars.len() {
            continue;
        }
        let matches = chars[start..start + len]
            .iter()
            .zip(word.chars())
            .all(|(c, w)| c.to_ascii_lowercase() == w);
        // The word must end there: `IPv6Address` yes, `Mibs` no.
        let ends = chars
            .get(start + len)
            .is_none_or(|c| !c.is_ascii_lowercase());
        if matches && ends {
            return Some(len);
        }
    }
    None
}

/// Splits a name into lower-case words. Anything that is not an ASCII letter or digit separates
/// words and is dropped.
pub fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            flush(&mut words, &mut current);
            i += 1;
            continue;
        }
        let prev = current.chars().last();
        let next = chars.get(i + 1).copied();
        let after_next = chars.get(i + 2).copied();
        let boundary = match prev {
            None => true,
            Some(p) => {
                // fooBar, s3Destination, userID
                let lower_then_upper =
                    c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit());
                // HTTPPrefix: the last capital of an acronym starts the next word, except the
                // plural of an acronym (ARNs, ACLs) and a version suffix (DBv2).
                let next_lower = |ch: Option<char>| ch.is_some_and(|n| n.is_ascii_lowercase());
                let acronym_plural = next == Some('s') && !next_lower(after_next);
                let version_suffix =
                    next == Some('v') && after_next.is_some_and(|a| a.is_ascii_digit());
                let acronym_end = c.is_ascii_uppercase()
                    && p.is_ascii_uppercase()
                    && next_lower(next)
                    && !acronym_plural
                    && !version_suffix;
                lower_then_upper || acronym_end
            }
        };
        if boundary {
            flush(&mut words, &mut current);
            if let Some(len) = is_whole_word_at(&chars, i) {
                words.push(
                    chars[i..i + len]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase(),
                );
                i += len;
                continue;
            }
        }
        current.push(c);
        i += 1;
    }
    flush(&mut words, &mut current);
    words
}

fn flush(words: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        words.push(current.to_ascii_lowercase());
        current.clear();
    }
}

/// `ListTagsForResource` → `list_tags_for_resource`, `URLEncoded` → `url_encoded`,
/// `us-east-1` → `us_east_1`. Returns an empty string when the name has no letters or digits.
pub fn snake_case(name: &str) -> String {
    split_words(name).join("_")
}

/// `SEND_MESSAGE` → `SendMessage`, `us-east-1` → `UsEast1`, `ARN` → `Arn`. Returns an empty
/// string when the name has no letters or digits.
pub fn pascal_case(name: &str) -> String {
    split_words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Whether `ident` is a keyword (strict, reserved, or reserved in edition 2024).
pub fn is_keyword(ident: &str) -> bool {
    KEYWORDS.contains(&ident) || ident == "_"
}

/// Makes a snake-case word usable as a field, function or module name: a leading digit gets a
/// `_` prefix, keywords become raw identifiers, and keywords that cannot be raw get `_value`.
fn snake_ident(what: &str, wire: &str) -> Result<String, String> {
    let snake = snake_case(wire);
    if snake.is_empty() {
        return Err(format!(
            "{what} `{wire}` has no ASCII letters or digits to build a Rust name from"
        ));
    }
    Ok(escape_snake(snake))
}

fn escape_snake(snake: String) -> String {
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else if NOT_RAW.contains(&snake.as_str()) {
        format!("{snake}_value")
    } else if is_keyword(&snake) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// Makes a Pascal-case name usable as a type or variant: a leading digit gets `digit_prefix`,
/// and `Self` (the only Pascal-case keyword) becomes `SelfValue`.
fn pascal_ident(what: &str, wire: &str, digit_prefix: &str) -> Result<String, String> {
    let pascal = pascal_case(wire);
    if pascal.is_empty() {
        return Err(format!(
            "{what} `{wire}` has no ASCII letters or digits to build a Rust name from"
        ));
    }
    Ok(if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{digit_prefix}{pascal}")
    } else if pascal == "Self" {
        "SelfValue".to_owned()
    } else {
        pascal
    })
}

/// The identifier without a raw prefix (`r#type` → `type`).
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Field name of one member, before the per-structure clash checks of [`member_names`]:
/// snake case, keyword-safe, and renamed (`_value` suffix) when it would shadow a method
/// that generated structs and builders define or call.
pub fn field_name(member: &str) -> Result<String, String> {
    let ident = snake_ident("member", member)?;
    if RESERVED_MEMBER_NAMES.contains(&ident.as_str()) {
        Ok(format!("{ident}_value"))
    } else {
        Ok(ident)
    }
}

/// `set_<field>` (without a raw prefix or a leading `_`: `r#type` → `set_type`).
pub fn setter_name(field: &str) -> String {
    format!("set_{}", unraw(field).trim_start_matches('_'))
}

/// `get_<field>` (without a raw prefix or a leading `_`: `r#type` → `get_type`).
pub fn getter_name(field: &str) -> String {
    format!("get_{}", unraw(field).trim_start_matches('_'))
}

/// Names for all members of one structure, in order.
///
/// A member whose field name is `set_x` or `get_x` while another member is `x` would make the
/// builder define `set_x` twice; the prefixed member is renamed with the suffix `_value`
/// (`set_x_value`), whatever the member order, so the rule is stable. Two members that
/// still produce one identifier (`fooBar` and `foo_bar`) are an error.
pub fn member_names(members: &[&str]) -> Result<Vec<MemberNames>, String> {
    member_names_reserving(members, &[])
}

/// Methods generated on operation outputs besides the member getters: a member named like one
/// gets the suffix `_value` there (and only there).
pub const OUTPUT_RESERVED: &[&str] = &["request_id"];

/// Methods of an operation's fluent builder besides the member setters (`send`, `as_input`
/// and friends are reserved everywhere).
pub const INPUT_RESERVED: &[&str] = &["into_paginator"];

/// [`member_names`] for a structure on which generated code also defines the methods
/// `reserved`: a member whose field would be one of them gets the suffix `_value`.
pub fn member_names_reserving(
    members: &[&str],
    reserved: &[&str],
) -> Result<Vec<MemberNames>, String> {
    let mut fields = members
        .iter()
        .map(|m| {
            field_name(m).map(|f| {
                if reserved.contains(&f.as_str()) {
                    format!("{f}_value")
                } else {
                    f
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let plain: BTreeSet<String> = fields.iter().map(|f| unraw(f).to_owned()).collect();
    for field in &mut fields {
        let clashes = ["set_", "get_"].iter().any(|prefix| {
            field
                .strip_prefix(prefix)
                .is_some_and(|rest| plain.contains(rest))
        });
        if clashes {
            field.push_str("_value");
        }
    }
    // Every identifier a member contributes to the builder must be unique.
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    let mut out = Vec::with_capacity(members.len());
    for (wire, field) in members.iter().zip(fields) {
        let names = MemberNames {
            wire: (*wire).to_owned(),
            setter: setter_name(&field),
            getter: getter_name(&field),
            field,
        };
        for ident in [unraw(&names.field), &names.setter, &names.getter] {
            if let Some(other) = owners.insert(ident.to_owned(), wire) {
                return Err(format!(
                    "members `{other}` and `{wire}` both need the Rust name `{ident}`"
                ));
            }
        }
        out.push(names);
    }
    Ok(out)
}

/// Type name of a shape (structure, union, enum, error): Pascal case.
///
/// Shapes live in `crate::types` (errors in `crate::types::error`) next to the modules
/// `builders` and `error` only, and generated code names every type by an absolute path, so
/// `String`, `Result`, `Option`, `Box`, `Vec`, `Error`, `Client`, `Config`, `Builder` and
/// `Unknown` are kept as they are. Only `Self` is renamed (`SelfValue`). Clashes between shapes
/// are found by [`shape_type_names`].
pub fn type_name(shape: &str) -> Result<String, String> {
    pascal_ident("shape", shape, "Shape")
}

/// Type names for all shapes that go into one module, given as `(shape id, shape name)`.
/// Two shapes with one Rust name (`fooBar` and `FooBar`, or one name in two namespaces) are an
/// error naming both shape ids.
pub fn shape_type_names(shapes: &[(&str, &str)]) -> Result<Vec<Name>, String> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    let mut out = Vec::with_capacity(shapes.len());
    for (id, name) in shapes {
        let rust = type_name(name).map_err(|e| format!("{id}: {e}"))?;
        if let Some(other) = owners.insert(rust.clone(), id) {
            return Err(format!(
                "shapes `{other}` and `{id}` both need the Rust name `{rust}` in one module"
            ));
        }
        out.push(Name {
            rust,
            wire: (*name).to_owned(),
        });
    }
    Ok(out)
}

/// Variant names for an enum shape, given as `(member name, value)`. The variant comes from the
/// member name (`SEND_MESSAGE` → `SendMessage`), or from the value when the member name is
/// empty (`us-east-1` → `UsEast1`); `wire` is the value. A leading digit gets the prefix
/// `Value` (`1d` → `Value1d`); a variant that would be `Unknown` becomes `UnknownValue` because
/// `Unknown` is the catch-all for values this client does not know; two members that normalise
/// to one variant are an error.
pub fn enum_variant_names(members: &[(&str, &str)]) -> Result<Vec<Name>, String> {
    variant_names(members, ENUM_CATCH_ALL, "enum member")
}

/// Variant names for a union: the member names in Pascal case, with the same `Unknown` and
/// duplicate rules as [`enum_variant_names`]; `wire` is the member name.
pub fn union_variant_names(members: &[&str]) -> Result<Vec<Name>, String> {
    let pairs: Vec<(&str, &str)> = members.iter().map(|m| (*m, *m)).collect();
    variant_names(&pairs, ENUM_CATCH_ALL, "union member")
}

/// Variant names of an operation's error enum, from the error shape names; `Unhandled` is the
/// catch-all, so an error shape called `Unhandled` becomes `UnhandledValue`.
pub fn operation_error_variant_names(errors: &[&str]) -> Result<Vec<Name>, String> {
    let pairs: Vec<(&str, &str)> = errors.iter().map(|m| (*m, *m)).collect();
    variant_names(&pairs, ERROR_CATCH_ALL, "error shape")
}

fn variant_names(
    members: &[(&str, &str)],
    catch_all: &str,
    what: &str,
) -> Result<Vec<Name>, String> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    let mut out = Vec::with_capacity(members.len());
    for (name, value) in members {
        let source = if name.is_empty() { value } else { name };
        let mut rust = pascal_ident(what, source, "Value")?;
        if rust == catch_all {
            rust.push_str("Value");
        }
        if let Some(other) = owners.insert(rust.clone(), source) {
            return Err(format!(
                "{what}s `{other}` and `{source}` both become the variant `{rust}`"
            ));
        }
        out.push(Name {
            rust,
            wire: (*value).to_owned(),
        });
    }
    Ok(out)
}

/// Pascal-case name of an operation (`CreateDBInstance` → `CreateDbInstance`), the stem of its
/// input, output, error and fluent builder names.
pub fn operation_type_name(operation: &str) -> Result<String, String> {
    pascal_ident("operation", operation, "Operation")
}

/// Client method of an operation: snake case and keyword-safe; a name that would shadow a
/// method the `Client` already has (`new`, `config`, `from_conf`, ...) gets `_operation`.
pub fn operation_fn_name(operation: &str) -> Result<String, String> {
    let ident = snake_ident("operation", operation)?;
    if RESERVED_CLIENT_METHODS.contains(&ident.as_str()) {
        Ok(format!("{ident}_operation"))
    } else {
        Ok(ident)
    }
}

/// Module of an operation (`crate::operation::<module>`): snake case, keyword-safe.
pub fn operation_module_name(operation: &str) -> Result<String, String> {
    snake_ident("operation", operation)
}

/// A module name for any other model name: snake case, keyword-safe.
pub fn module_name(name: &str) -> Result<String, String> {
    snake_ident("module", name)
}

/// `<Op>Input`, named after the operation, not after its input shape.
pub fn input_name(operation_type: &str) -> String {
    format!("{operation_type}Input")
}

/// `<Op>Output`, named after the operation, not after its output shape.
pub fn output_name(operation_type: &str) -> String {
    format!("{operation_type}Output")
}

/// `<Op>Error`, the error enum of one operation.
pub fn operation_error_name(operation_type: &str) -> String {
    format!("{operation_type}Error")
}

/// `<Op>FluentBuilder`, returned by the client method.
pub fn fluent_builder_name(operation_type: &str) -> String {
    format!("{operation_type}FluentBuilder")
}

/// `<Type>Builder`.
pub fn builder_name(type_name: &str) -> String {
    format!("{type_name}Builder")
}

/// `<Op>Paginator`, the paginator type alias of a paginated operation.
pub fn paginator_name(operation_type: &str) -> String {
    format!("{operation_type}Paginator")
}

/// Functions of the private `protocol` module for a structure or union type: the JSON
/// serializer `ser_<type>` and deserializer `de_<type>`.
pub fn codec_fn_names(type_name: &str) -> (String, String) {
    let snake = snake_case(type_name);
    (format!("ser_{snake}"), format!("de_{snake}"))
}

/// The deserializer of a modeled error from a whole response (body, headers, message):
/// `de_error_<type>`.
pub fn error_response_fn_name(type_name: &str) -> String {
    format!("de_error_{}", snake_case(type_name))
}

/// The constraint checker of a structure or union in the private `validate` module.
pub fn check_fn_name(type_name: &str) -> String {
    format!("type_{}", snake_case(type_name))
}

/// The constraint checker of an operation's input (`input_<module>`).
pub fn input_check_fn_name(operation_module: &str) -> String {
    format!("input_{}", unraw(operation_module))
}

/// The predicate of an error enum variant or the accessors of a union variant:
/// `is_<variant>` and `as_<variant>`.
pub fn variant_fn_names(variant: &str) -> (String, String) {
    let snake = snake_case(variant);
    (format!("is_{snake}"), format!("as_{snake}"))
}

/// Members whose names end in one of these are expiration timestamps.
const EXPIRY_SUFFIXES: &[&str] = &["ExpirationTime", "ExpiryTime", "ExpiresAt", "Expiration"];

/// The expiry predicate of a timestamp member named like an expiration time
/// (`tokenExpirationTime` → `is_token_expired_at`), if it is one.
pub fn expiry_predicate_name(wire: &str) -> Option<String> {
    let suffix = EXPIRY_SUFFIXES.iter().find(|s| {
        wire.len() >= s.len()
            && wire.is_char_boundary(wire.len() - s.len())
            && wire[wire.len() - s.len()..].eq_ignore_ascii_case(s)
    })?;
    let thing = snake_case(&wire[..wire.len() - suffix.len()]);
    Some(if thing.is_empty() {
        "is_expired_at".to_owned()
    } else {
        format!("is_{thing}_expired_at")
    })
}

/// The local variable holding a member while a structure is deserialized.
pub fn member_local_name(field: &str) -> String {
    format!("m_{}", unraw(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, snake, pascal)
    const CASE_CASES: &[(&str, &str, &str)] = &[
        (
            "ListTagsForResource",
            "list_tags_for_resource",
            "ListTagsForResource",
        ),
        (
            "maximumMessageRatePerSecond",
            "maximum_message_rate_per_second",
            "MaximumMessageRatePerSecond",
        ),
        ("URLEncoded", "url_encoded", "UrlEncoded"),
        (
            "S3DestinationConfiguration",
            "s3_destination_configuration",
            "S3DestinationConfiguration",
        ),
        ("ARN", "arn", "Arn"),
        ("arn", "arn", "Arn"),
        ("ARNs", "arns", "Arns"),
        ("roomArns", "room_arns", "RoomArns"),
        ("ACLsEnabled", "acls_enabled", "AclsEnabled"),
        ("userID", "user_id", "UserId"),
        ("userIDs", "user_ids", "UserIds"),
        (
            "HTTPPrefixHeaders",
            "http_prefix_headers",
            "HttpPrefixHeaders",
        ),
        ("Ec2", "ec2", "Ec2"),
        ("EC2Instance", "ec2_instance", "Ec2Instance"),
        ("IPv6Address", "ipv6_address", "Ipv6Address"),
        ("SourceIPv4", "source_ipv4", "SourceIpv4"),
        ("SigV4Signing", "sigv4_signing", "Sigv4Signing"),
        ("SizeInMiB", "size_in_mib", "SizeInMib"),
        ("DynamoDBv2", "dynamo_dbv2", "DynamoDbv2"),
        ("CreateDBInstance", "create_db_instance", "CreateDbInstance"),
        ("fooBar_baz", "foo_bar_baz", "FooBarBaz"),
        ("us-east-1", "us_east_1", "UsEast1"),
        ("application/json", "application_json", "ApplicationJson"),
        ("a.b c", "a_b_c", "ABC"),
        ("SEND_MESSAGE", "send_message", "SendMessage"),
        ("DISCONNECT_USER", "disconnect_user", "DisconnectUser"),
        ("__leading__", "leading", "Leading"),
        ("X-Amz-Date", "x_amz_date", "XAmzDate"),
        ("x-amzn-ErrorType", "x_amzn_error_type", "XAmznErrorType"),
        ("1day", "1day", "1day"),
        ("v2", "v2", "V2"),
        ("IsMFA", "is_mfa", "IsMfa"),
        ("GetSDKToken", "get_sdk_token", "GetSdkToken"),
        ("café", "caf", "Caf"),
        ("", "", ""),
        ("---", "", ""),
    ];

    #[test]
    fn snake_and_pascal_case() {
        for (input, snake, pascal) in CASE_CASES {
            assert_eq!(snake_case(input), *snake, "snake_case({input:?})");
            assert_eq!(pascal_case(input), *pascal, "pascal_case({input:?})");
        }
    }

    /// (member, field or error)
    const FIELD_CASES: &[(&str, Result<&str, &str>)] = &[
        ("roomIdentifier", Ok("room_identifier")),
        ("type", Ok("r#type")),
        ("Type", Ok("r#type")),
        ("match", Ok("r#match")),
        ("async", Ok("r#async")),
        ("gen", Ok("r#gen")),
        ("try", Ok("r#try")),
        ("dyn", Ok("r#dyn")),
        ("self", Ok("self_value")),
        ("Self", Ok("self_value")),
        ("super", Ok("super_value")),
        ("crate", Ok("crate_value")),
        ("_2fa", Ok("_2fa")),
        ("send", Ok("send_value")),
        ("customize", Ok("customize_value")),
        ("build", Ok("build_value")),
        ("Builder", Ok("builder_value")),
        ("config", Ok("config_value")),
        ("meta", Ok("meta_value")),
        ("asInput", Ok("as_input_value")),
        ("default", Ok("default_value")),
        ("message", Ok("message")),
        (
            "_",
            Err("member `_` has no ASCII letters or digits to build a Rust name from"),
        ),
    ];

    #[test]
    fn field_names() {
        for (member, expected) in FIELD_CASES {
            assert_eq!(
                field_name(member).as_deref(),
                expected.map_err(|e| e.to_owned()).as_deref(),
                "field_name({member:?})"
            );
        }
    }

    /// (members, (field, setter, getter) per member, or the error)
    type MemberCase = (
        &'static [&'static str],
        Result<&'static [(&'static str, &'static str, &'static str)], &'static str>,
    );
    const MEMBER_CASES: &[MemberCase] = &[
        (
            &["name", "type", "self"],
            Ok(&[
                ("name", "set_name", "get_name"),
                ("r#type", "set_type", "get_type"),
                ("self_value", "set_self_value", "get_self_value"),
            ]),
        ),
        (
            &["foo", "setFoo", "get_foo"],
            Ok(&[
                ("foo", "set_foo", "get_foo"),
                ("set_foo_value", "set_set_foo_value", "get_set_foo_value"),
                ("get_foo_value", "set_get_foo_value", "get_get_foo_value"),
            ]),
        ),
        // The rename does not depend on member order.
        (
            &["set_foo", "foo"],
            Ok(&[
                ("set_foo_value", "set_set_foo_value", "get_set_foo_value"),
                ("foo", "set_foo", "get_foo"),
            ]),
        ),
        // `set_bar` without a `bar` member is left alone.
        (
            &["set_bar"],
            Ok(&[("set_bar", "set_set_bar", "get_set_bar")]),
        ),
        (
            &["_2fa", "build"],
            Ok(&[
                ("_2fa", "set_2fa", "get_2fa"),
                ("build_value", "set_build_value", "get_build_value"),
            ]),
        ),
        (
            &["fooBar", "foo_bar"],
            Err("members `fooBar` and `foo_bar` both need the Rust name `foo_bar`"),
        ),
        (
            &["ARN", "arn"],
            Err("members `ARN` and `arn` both need the Rust name `arn`"),
        ),
        (
            &["2fa", "_2fa"],
            Err("members `2fa` and `_2fa` both need the Rust name `_2fa`"),
        ),
        (
            &["ok", "--"],
            Err("member `--` has no ASCII letters or digits to build a Rust name from"),
        ),
    ];

    #[test]
    fn member_name_sets() {
        for (members, expected) in MEMBER_CASES {
            let got = member_names(members);
            match expected {
                Ok(rows) => {
                    let got = got.unwrap_or_else(|e| panic!("{members:?}: {e}"));
                    let got: Vec<(&str, &str, &str)> = got
                        .iter()
                        .map(|m| (m.field.as_str(), m.setter.as_str(), m.getter.as_str()))
                        .collect();
                    assert_eq!(got, rows.to_vec(), "{members:?}");
                    assert!(
                        members
                            .iter()
                            .zip(member_names(members).unwrap_or_default())
                            .all(|(w, m)| m.wire == *w)
                    );
                }
                Err(msg) => assert_eq!(got, Err((*msg).to_owned()), "{members:?}"),
            }
        }
    }

    /// (shape name, type name)
    const TYPE_CASES: &[(&str, Result<&str, &str>)] = &[
        ("CreateRoomRequest", Ok("CreateRoomRequest")),
        ("MessageReviewHandler", Ok("MessageReviewHandler")),
        ("SSESpecification", Ok("SseSpecification")),
        ("String", Ok("String")),
        ("Result", Ok("Result")),
        ("Option", Ok("Option")),
        ("Box", Ok("Box")),
        ("Vec", Ok("Vec")),
        ("Error", Ok("Error")),
        ("Client", Ok("Client")),
        ("Config", Ok("Config")),
        ("Builder", Ok("Builder")),
        ("Unknown", Ok("Unknown")),
        ("Self", Ok("SelfValue")),
        ("self", Ok("SelfValue")),
        ("fooBar", Ok("FooBar")),
        (
            "_",
            Err("shape `_` has no ASCII letters or digits to build a Rust name from"),
        ),
    ];

    #[test]
    fn type_names() {
        for (shape, expected) in TYPE_CASES {
            assert_eq!(
                type_name(shape).as_deref(),
                expected.map_err(|e| e.to_owned()).as_deref(),
                "type_name({shape:?})"
            );
        }
    }

    /// (shapes as (id, name), type names or error)
    type ShapeCase = (
        &'static [(&'static str, &'static str)],
        Result<&'static [&'static str], &'static str>,
    );
    const SHAPE_SET_CASES: &[ShapeCase] = &[
        (
            &[
                ("a#String", "String"),
                ("a#Result", "Result"),
                ("a#Unknown", "Unknown"),
            ],
            Ok(&["String", "Result", "Unknown"]),
        ),
        (
            &[("a#fooBar", "fooBar"), ("a#FooBar", "FooBar")],
            Err("shapes `a#fooBar` and `a#FooBar` both need the Rust name `FooBar` in one module"),
        ),
        (
            &[("a#Room", "Room"), ("b#Room", "Room")],
            Err("shapes `a#Room` and `b#Room` both need the Rust name `Room` in one module"),
        ),
        // Builders live in `types::builders`, so `FooBuilder` there and the shape
        // `FooBuilder` in `types` do not clash.
        (
            &[("a#Foo", "Foo"), ("a#FooBuilder", "FooBuilder")],
            Ok(&["Foo", "FooBuilder"]),
        ),
    ];

    #[test]
    fn shape_type_name_sets() {
        for (shapes, expected) in SHAPE_SET_CASES {
            let got = shape_type_names(shapes)
                .map(|names| names.into_iter().map(|n| n.rust).collect::<Vec<_>>());
            let expected = expected
                .map(|names| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .map_err(|e| e.to_owned());
            assert_eq!(got, expected, "{shapes:?}");
        }
    }

    /// (members as (name, value), (variant, wire) per member, or the error)
    type EnumCase = (
        &'static [(&'static str, &'static str)],
        Result<&'static [(&'static str, &'static str)], &'static str>,
    );
    const ENUM_CASES: &[EnumCase] = &[
        (
            &[
                ("SEND_MESSAGE", "SEND_MESSAGE"),
                ("DISCONNECT_USER", "DISCONNECT_USER"),
            ],
            Ok(&[
                ("SendMessage", "SEND_MESSAGE"),
                ("DisconnectUser", "DISCONNECT_USER"),
            ]),
        ),
        (
            &[("", "us-east-1"), ("", "application/json")],
            Ok(&[
                ("UsEast1", "us-east-1"),
                ("ApplicationJson", "application/json"),
            ]),
        ),
        (
            &[("UNKNOWN", "UNKNOWN"), ("Unknown_Value", "x")],
            Err(
                "enum members `UNKNOWN` and `Unknown_Value` both become the variant `UnknownValue`",
            ),
        ),
        (
            &[("UNKNOWN", "unknown")],
            Ok(&[("UnknownValue", "unknown")]),
        ),
        (
            &[("", "1d"), ("", "7_DAYS")],
            Ok(&[("Value1d", "1d"), ("Value7Days", "7_DAYS")]),
        ),
        (&[("SELF", "self")], Ok(&[("SelfValue", "self")])),
        (
            &[("FOO_BAR", "a"), ("fooBar", "b")],
            Err("enum members `FOO_BAR` and `fooBar` both become the variant `FooBar`"),
        ),
        (
            &[("", "*")],
            Err("enum member `*` has no ASCII letters or digits to build a Rust name from"),
        ),
    ];

    #[test]
    fn enum_variants() {
        for (members, expected) in ENUM_CASES {
            let got = enum_variant_names(members).map(|names| {
                names
                    .into_iter()
                    .map(|n| (n.rust, n.wire))
                    .collect::<Vec<_>>()
            });
            let expected = expected
                .map(|rows| {
                    rows.iter()
                        .map(|(r, w)| ((*r).to_owned(), (*w).to_owned()))
                        .collect::<Vec<_>>()
                })
                .map_err(|e| e.to_owned());
            assert_eq!(got, expected, "{members:?}");
        }
    }

    /// (members, variants or error) for unions and operation errors
    type VariantCase = (
        &'static [&'static str],
        Result<&'static [&'static str], &'static str>,
    );
    const UNION_CASES: &[VariantCase] = &[
        (
            &["stringValue", "unknown"],
            Ok(&["StringValue", "UnknownValue"]),
        ),
        (&["Unhandled"], Ok(&["Unhandled"])),
        (
            &["a_b", "aB"],
            Err("union members `a_b` and `aB` both become the variant `AB`"),
        ),
    ];
    const ERROR_VARIANT_CASES: &[VariantCase] = &[
        (
            &["AccessDeniedException", "Unhandled", "Unknown"],
            Ok(&["AccessDeniedException", "UnhandledValue", "Unknown"]),
        ),
        (
            &["ARNError", "ArnError"],
            Err("error shapes `ARNError` and `ArnError` both become the variant `ArnError`"),
        ),
    ];

    #[test]
    fn union_and_error_variants() {
        for (cases, f) in [
            (
                UNION_CASES,
                union_variant_names as fn(&[&str]) -> Result<Vec<Name>, String>,
            ),
            (ERROR_VARIANT_CASES, operation_error_variant_names),
        ] {
            for (members, expected) in cases {
                let got =
                    f(members).map(|names| names.into_iter().map(|n| n.rust).collect::<Vec<_>>());
                let expected = expected
                    .map(|names| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                    .map_err(|e| e.to_owned());
                assert_eq!(got, expected, "{members:?}");
            }
        }
    }

    /// (operation, type stem, client fn, module, input, output, error, fluent builder)
    type OperationCase = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );
    const OPERATION_CASES: &[OperationCase] = &[
        (
            "CreateChatToken",
            "CreateChatToken",
            "create_chat_token",
            "create_chat_token",
            "CreateChatTokenInput",
            "CreateChatTokenOutput",
            "CreateChatTokenError",
            "CreateChatTokenFluentBuilder",
        ),
        (
            "ListTagsForResource",
            "ListTagsForResource",
            "list_tags_for_resource",
            "list_tags_for_resource",
            "ListTagsForResourceInput",
            "ListTagsForResourceOutput",
            "ListTagsForResourceError",
            "ListTagsForResourceFluentBuilder",
        ),
        (
            "CreateDBInstance",
            "CreateDbInstance",
            "create_db_instance",
            "create_db_instance",
            "CreateDbInstanceInput",
            "CreateDbInstanceOutput",
            "CreateDbInstanceError",
            "CreateDbInstanceFluentBuilder",
        ),
        (
            "Match",
            "Match",
            "r#match",
            "r#match",
            "MatchInput",
            "MatchOutput",
            "MatchError",
            "MatchFluentBuilder",
        ),
        (
            "Config",
            "Config",
            "config_operation",
            "config",
            "ConfigInput",
            "ConfigOutput",
            "ConfigError",
            "ConfigFluentBuilder",
        ),
        (
            "New",
            "New",
            "new_operation",
            "new",
            "NewInput",
            "NewOutput",
            "NewError",
            "NewFluentBuilder",
        ),
        (
            "Super",
            "Super",
            "super_value",
            "super_value",
            "SuperInput",
            "SuperOutput",
            "SuperError",
            "SuperFluentBuilder",
        ),
    ];

    #[test]
    fn operation_names() {
        for (op, stem, f, module, input, output, error, fluent) in OPERATION_CASES {
            let t = operation_type_name(op);
            assert_eq!(t.as_deref(), Ok(*stem), "{op}");
            let t = t.unwrap_or_default();
            assert_eq!(operation_fn_name(op).as_deref(), Ok(*f), "{op}");
            assert_eq!(operation_module_name(op).as_deref(), Ok(*module), "{op}");
            assert_eq!(input_name(&t), *input);
            assert_eq!(output_name(&t), *output);
            assert_eq!(operation_error_name(&t), *error);
            assert_eq!(fluent_builder_name(&t), *fluent);
        }
        assert_eq!(
            operation_fn_name("--"),
            Err(
                "operation `--` has no ASCII letters or digits to build a Rust name from"
                    .to_owned()
            )
        );
    }

    /// (name, module, builder of its Pascal type, setter, getter)
    const MODULE_CASES: &[(&str, &str, &str, &str, &str)] = &[
        ("types", "types", "TypesBuilder", "set_types", "get_types"),
        ("Type", "r#type", "TypeBuilder", "set_type", "get_type"),
        (
            "crate",
            "crate_value",
            "CrateBuilder",
            "set_crate_value",
            "get_crate_value",
        ),
        (
            "9lives",
            "_9lives",
            "Shape9livesBuilder",
            "set_9lives",
            "get_9lives",
        ),
    ];

    #[test]
    fn module_builder_setter_getter_names() {
        for (name, module, builder, setter, getter) in MODULE_CASES {
            let m = module_name(name);
            assert_eq!(m.as_deref(), Ok(*module), "{name}");
            let m = m.unwrap_or_default();
            assert_eq!(builder_name(&type_name(name).unwrap_or_default()), *builder);
            assert_eq!(setter_name(&m), *setter);
            assert_eq!(getter_name(&m), *getter);
        }
    }

    #[test]
    fn expiry_predicates() {
        for (wire, want) in [
            ("tokenExpirationTime", Some("is_token_expired_at")),
            ("sessionExpirationTime", Some("is_session_expired_at")),
            ("ExpiresAt", Some("is_expired_at")),
            ("createTime", None),
        ] {
            assert_eq!(expiry_predicate_name(wire).as_deref(), want, "{wire}");
        }
    }

    #[test]
    fn reserved_names_per_role() {
        let got = member_names_reserving(&["requestId", "name"], OUTPUT_RESERVED)
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.field)
            .collect::<Vec<_>>();
        assert_eq!(got, ["request_id_value", "name"]);
        let plain = member_names(&["requestId"]).unwrap_or_default();
        assert_eq!(plain[0].field, "request_id");
    }

    #[test]
    fn generated_identifiers_parse() {
        // Every produced identifier must be accepted by the Rust parser.
        let mut idents = Vec::new();
        for (member, expected) in FIELD_CASES {
            if expected.is_ok() {
                idents.push(field_name(member).unwrap_or_default());
            }
        }
        for (shape, expected) in TYPE_CASES {
            if expected.is_ok() {
                idents.push(type_name(shape).unwrap_or_default());
            }
        }
        idents.push(module_name("9lives").unwrap_or_default());
        idents.push(
            enum_variant_names(&[("", "1d")]).unwrap_or_default()[0]
                .rust
                .clone(),
        );
        for ident in idents {
            assert!(
                syn::parse_str::<syn::Ident>(&ident).is_ok(),
                "{ident} is not an identifier"
            );
        }
    }

    /// Applies every rule to a Smithy JSON AST named by `NAMING_MODEL_JSON` and requires that
    /// no rule fails: `NAMING_MODEL_JSON=../shared/models/ivschat.json cargo test -p xtask --
    /// --ignored naming_accepts_model`.
    #[test]
    #[ignore = "reads the model named by NAMING_MODEL_JSON"]
    fn naming_accepts_model() {
        let path = std::env::var("NAMING_MODEL_JSON").expect("set NAMING_MODEL_JSON");
        let text = std::fs::read_to_string(&path).expect("read model");
        let model: serde_json::Value = serde_json::from_str(&text).expect("model json");
        let shapes = model["shapes"].as_object().expect("shapes");
        let mut types = Vec::new();
        let mut checked = 0;
        for (id, shape) in shapes {
            let name = id.rsplit('#').next().unwrap_or(id);
            let members: Vec<&str> = shape["members"]
                .as_object()
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            match shape["type"].as_str().unwrap_or("") {
                "structure" => {
                    member_names(&members).unwrap_or_else(|e| panic!("{id}: {e}"));
                    types.push((id.as_str(), name));
                }
                "union" => {
                    union_variant_names(&members).unwrap_or_else(|e| panic!("{id}: {e}"));
                    types.push((id.as_str(), name));
                }
                "enum" | "intEnum" => {
                    let pairs: Vec<(&str, &str)> = members.iter().map(|m| (*m, *m)).collect();
                    enum_variant_names(&pairs).unwrap_or_else(|e| panic!("{id}: {e}"));
                    types.push((id.as_str(), name));
                }
                "operation" => {
                    let t = operation_type_name(name).unwrap_or_else(|e| panic!("{id}: {e}"));
                    operation_fn_name(name).unwrap_or_else(|e| panic!("{id}: {e}"));
                    operation_module_name(name).unwrap_or_else(|e| panic!("{id}: {e}"));
                    assert!(syn::parse_str::<syn::Ident>(&fluent_builder_name(&t)).is_ok());
                }
                _ => continue,
            }
            checked += 1;
        }
        shape_type_names(&types).unwrap_or_else(|e| panic!("{e}"));
        assert!(checked > 0, "no shapes in {path}");
    }
}
