//! The intermediate representation: the model resolved into what the emitters need, with final
//! Rust names, HTTP bindings, constraints, docs and errors. Lowering validates the model and
//! refuses what the generator does not support, naming the shape id and the trait.
//!
//! The IR keeps every fact of the model an emitter may need (shape ids, error statuses,
//! constraints, pagination), including some no emitter reads yet.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::docs;
use crate::model::{MemberDef, Model, Shape};
use crate::naming;

/// A timestamp wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsFormat {
    DateTime,
    HttpDate,
    EpochSeconds,
}

/// What generated code calls a named shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Struct,
    Union,
    Enum,
    IntEnum,
}

/// The Rust type of a member.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Bool,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    /// With the format from the member or target, if any.
    Timestamp(Option<TsFormat>),
    Blob,
    Document,
    /// `smithy.api#Unit` (a union variant without a value).
    Unit,
    List {
        elem: Box<Ty>,
        sparse: bool,
    },
    Map {
        value: Box<Ty>,
        sparse: bool,
    },
    Named {
        kind: NamedKind,
        rust: String,
        shape_id: String,
    },
}

impl Ty {
    pub fn is_copy(&self) -> bool {
        matches!(
            self,
            Ty::Bool | Ty::Byte | Ty::Short | Ty::Integer | Ty::Long | Ty::Float | Ty::Double
        )
    }
}

/// Where a member travels in the HTTP message.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    Body,
    Label { greedy: bool },
    Query(String),
    QueryParams,
    Header(String),
    PrefixHeaders(String),
    Payload,
    ResponseCode,
}

impl Binding {
    /// Whether a member with this binding is read from a response body: request-only bindings
    /// (labels, query) mean nothing in responses, so such members travel in the body there.
    pub fn is_body_in_response(&self) -> bool {
        matches!(
            self,
            Binding::Body | Binding::Label { .. } | Binding::Query(_) | Binding::QueryParams
        )
    }
}

/// Constraint traits kept for validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub length: Option<(Option<u64>, Option<u64>)>,
    pub range: Option<(Option<f64>, Option<f64>)>,
    pub pattern: Option<String>,
    /// Constraints of a list's items, a map's keys and a map's values.
    pub elem: Option<Box<Constraints>>,
    pub key: Option<Box<Constraints>>,
    pub value: Option<Box<Constraints>>,
}

impl Constraints {
    /// Whether anything is constrained, here or in items, keys and values.
    pub fn any(&self) -> bool {
        self.length.is_some()
            || self.range.is_some()
            || self.pattern.is_some()
            || [&self.elem, &self.key, &self.value]
                .into_iter()
                .any(|c| c.as_ref().is_some_and(|c| c.any()))
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub wire_name: String,
    pub rust_name: String,
    /// Builder setter taking an `Option` (`set_<field>`).
    pub setter: String,
    /// Builder getter (`get_<field>`).
    pub getter: String,
    pub json_name: String,
    pub ty: Ty,
    pub required: bool,
    pub default: Option<Value>,
    pub sensitive: bool,
    pub docs: Vec<String>,
    pub binding: Binding,
    pub idempotency_token: bool,
    pub boxed: bool,
    pub constraints: Constraints,
    pub streaming: bool,
    /// The target's `@mediaType` (string headers carrying it are base64; payloads send it as
    /// their content type).
    pub media_type: Option<String>,
}

impl Member {
    /// Whether the Rust field is `T` rather than `Option<T>`.
    pub fn non_optional(&self) -> bool {
        self.required || self.default.as_ref().is_some_and(|d| !d.is_null())
    }
}

#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: String,
    pub status: u16,
    pub server_fault: bool,
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub shape_id: String,
    pub rust_name: String,
    pub module: String,
    pub docs: Vec<String>,
    pub members: Vec<Member>,
    pub error: Option<ErrorInfo>,
}

impl StructDef {
    pub fn sensitive(&self) -> bool {
        self.members.iter().any(|m| m.sensitive)
    }
    pub fn needs_fallible_build(&self) -> bool {
        self.members
            .iter()
            .any(|m| m.required && m.default.is_none())
    }
}

#[derive(Debug, Clone)]
pub struct UnionDef {
    pub shape_id: String,
    pub rust_name: String,
    pub module: String,
    pub docs: Vec<String>,
    pub variants: Vec<Member>,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust_name: String,
    pub value: String,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub shape_id: String,
    pub rust_name: String,
    pub module: String,
    pub docs: Vec<String>,
    pub variants: Vec<EnumVariant>,
    pub sensitive: bool,
}

#[derive(Debug, Clone)]
pub struct IntEnumVariant {
    pub rust_name: String,
    pub value: i32,
    pub docs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct IntEnumDef {
    pub shape_id: String,
    pub rust_name: String,
    pub module: String,
    pub docs: Vec<String>,
    pub variants: Vec<IntEnumVariant>,
}

#[derive(Debug, Clone)]
pub enum TypeDef {
    Struct(StructDef),
    Union(UnionDef),
    Enum(EnumDef),
    IntEnum(IntEnumDef),
}

impl TypeDef {
    pub fn rust_name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.rust_name,
            TypeDef::Union(u) => &u.rust_name,
            TypeDef::Enum(e) => &e.rust_name,
            TypeDef::IntEnum(e) => &e.rust_name,
        }
    }
}

#[derive(Debug, Clone)]
pub enum UriSegment {
    Literal(String),
    Label { member: String, greedy: bool },
}

#[derive(Debug, Clone)]
pub struct Paginated {
    pub input_token: String,
    pub output_token: String,
    pub page_size: Option<String>,
    pub items: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ErrorRef {
    pub variant: String,
    pub rust_name: String,
    pub code: String,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub shape_id: String,
    pub name: String,
    /// The Rust base name of the operation's types (`<type_name>Input`, `...Error`, ...).
    pub type_name: String,
    pub fn_name: String,
    pub module: String,
    pub docs: Vec<String>,
    pub method: String,
    pub path: Vec<UriSegment>,
    pub query_literals: Vec<(String, Option<String>)>,
    pub code: u16,
    pub input: StructDef,
    pub output: StructDef,
    pub errors: Vec<ErrorRef>,
    pub paginated: Option<Paginated>,
    pub idempotent: bool,
    pub signed: bool,
    pub host_prefix: Option<String>,
    /// `@httpChecksumRequired`: requests carry `Content-MD5`.
    pub checksum_required: bool,
    /// `@requestCompression` encodings the client supports (only `gzip`).
    pub compression: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub shape_id: String,
    pub sdk_id: String,
    pub signing_name: String,
    pub endpoint_prefix: String,
    pub title: String,
    pub version: String,
    pub docs: Vec<String>,
    pub operations: Vec<Operation>,
    pub types: Vec<TypeDef>,
    pub errors: Vec<StructDef>,
    pub endpoint_rules: Option<Value>,
    pub endpoint_tests: Option<Value>,
}

/// Traits that change nothing in generated code (documentation, validation metadata,
/// features of other protocols or of servers) or that lowering reads explicitly.
const KNOWN_TRAITS: &[&str] = &[
    "smithy.api#documentation",
    "smithy.api#required",
    "smithy.api#default",
    "smithy.api#length",
    "smithy.api#pattern",
    "smithy.api#range",
    "smithy.api#uniqueItems",
    "smithy.api#sensitive",
    "smithy.api#enum",
    "smithy.api#enumValue",
    "smithy.api#error",
    "smithy.api#httpError",
    "smithy.api#http",
    "smithy.api#httpLabel",
    "smithy.api#httpQuery",
    "smithy.api#httpQueryParams",
    "smithy.api#httpHeader",
    "smithy.api#httpPrefixHeaders",
    "smithy.api#httpPayload",
    "smithy.api#httpResponseCode",
    "smithy.api#jsonName",
    "smithy.api#timestampFormat",
    "smithy.api#idempotencyToken",
    "smithy.api#idempotent",
    "smithy.api#readonly",
    "smithy.api#paginated",
    "smithy.api#input",
    "smithy.api#output",
    "smithy.api#title",
    "smithy.api#cors",
    "smithy.api#deprecated",
    "smithy.api#externalDocumentation",
    "smithy.api#examples",
    "smithy.api#tags",
    "smithy.api#since",
    "smithy.api#suppress",
    "smithy.api#unstable",
    "smithy.api#internal",
    "smithy.api#private",
    "smithy.api#references",
    "smithy.api#resourceIdentifier",
    "smithy.api#recommended",
    "smithy.api#retryable",
    "smithy.api#sparse",
    "smithy.api#mediaType",
    "smithy.api#streaming",
    "smithy.api#requiresLength",
    "smithy.api#xmlNamespace",
    "smithy.api#xmlName",
    "smithy.api#xmlAttribute",
    "smithy.api#xmlFlattened",
    "smithy.api#addedDefault",
    "smithy.api#clientOptional",
    "smithy.api#auth",
    "smithy.api#optionalAuth",
    "smithy.api#endpoint",
    "smithy.api#hostLabel",
    "smithy.api#noReplace",
    "smithy.api#httpChecksumRequired",
    "smithy.api#requestCompression",
    "smithy.api#protocolDefinition",
    "smithy.api#trait",
    "smithy.api#mixin",
    "aws.api#service",
    "aws.api#arn",
    "aws.api#arnReference",
    "aws.api#dataPlane",
    "aws.api#controlPlane",
    "aws.api#data",
    "aws.api#clientEndpointDiscovery",
    "aws.api#clientDiscoveredEndpoint",
    "aws.auth#sigv4",
    "aws.auth#unsignedPayload",
    "aws.iam#actionPermissionDescription",
    "aws.iam#requiredActions",
    "aws.iam#conditionKeys",
    "aws.iam#iamResource",
    "aws.iam#iamAction",
    "aws.protocols#restJson1",
    "aws.protocols#awsQueryError",
    "aws.protocols#httpChecksum",
    "aws.cloudformation#cfnResource",
    "aws.cloudformation#cfnExcludeProperty",
    "aws.cloudformation#cfnMutability",
    "aws.cloudformation#cfnName",
    "smithy.rules#endpointRuleSet",
    "smithy.rules#endpointTests",
    "smithy.rules#contextParam",
    "smithy.rules#staticContextParams",
    "smithy.rules#clientContextParams",
    "smithy.rules#operationContextParams",
    "smithy.test#httpRequestTests",
    "smithy.test#httpResponseTests",
    "smithy.test#httpMalformedRequestTests",
    "smithy.waiters#waitable",
    "smithy.protocols#rpcv2Cbor",
];

fn err(shape: &str, msg: impl std::fmt::Display) -> String {
    format!("shape `{shape}`: {msg}")
}

fn short_name(id: &str) -> &str {
    let no_member = id.split('$').next().unwrap_or(id);
    no_member.rsplit('#').next().unwrap_or(no_member)
}

fn check_traits(id: &str, traits: &BTreeMap<String, Value>) -> Result<(), String> {
    for t in traits.keys() {
        if !KNOWN_TRAITS.contains(&t.as_str()) {
            return Err(err(
                id,
                format!("trait `{t}` is not supported by this generator"),
            ));
        }
    }
    Ok(())
}

fn doc_of(traits: &BTreeMap<String, Value>) -> Vec<String> {
    traits
        .get("smithy.api#documentation")
        .and_then(Value::as_str)
        .map(docs::doc_lines)
        .unwrap_or_default()
}

fn ts_format(traits: &BTreeMap<String, Value>, id: &str) -> Result<Option<TsFormat>, String> {
    match traits.get("smithy.api#timestampFormat") {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some("date-time") => Ok(Some(TsFormat::DateTime)),
            Some("http-date") => Ok(Some(TsFormat::HttpDate)),
            Some("epoch-seconds") => Ok(Some(TsFormat::EpochSeconds)),
            _ => Err(err(id, format!("invalid @timestampFormat {v}"))),
        },
    }
}

struct Lowerer<'m> {
    model: &'m Model,
    renames: BTreeMap<String, String>,
    /// Named shapes reachable from operations, by shape id.
    named: BTreeMap<String, NamedKind>,
    /// Structures used as operation input/output only (emitted in operation modules).
    io_shapes: BTreeSet<String>,
    /// Rust type names of named shapes and errors, by shape id.
    type_names: BTreeMap<String, String>,
    /// Structures referenced as members anywhere.
    member_refs: BTreeSet<String>,
    errors: BTreeSet<String>,
}

const PRELUDE: &[(&str, Ty)] = &[];

fn prelude(id: &str) -> Option<Ty> {
    let _ = PRELUDE;
    Some(match id {
        "smithy.api#String" => Ty::String,
        "smithy.api#Blob" => Ty::Blob,
        "smithy.api#Boolean" | "smithy.api#PrimitiveBoolean" => Ty::Bool,
        "smithy.api#Byte" | "smithy.api#PrimitiveByte" => Ty::Byte,
        "smithy.api#Short" | "smithy.api#PrimitiveShort" => Ty::Short,
        "smithy.api#Integer" | "smithy.api#PrimitiveInteger" => Ty::Integer,
        "smithy.api#Long" | "smithy.api#PrimitiveLong" => Ty::Long,
        "smithy.api#Float" | "smithy.api#PrimitiveFloat" => Ty::Float,
        "smithy.api#Double" | "smithy.api#PrimitiveDouble" => Ty::Double,
        "smithy.api#Timestamp" => Ty::Timestamp(None),
        "smithy.api#Document" => Ty::Document,
        "smithy.api#Unit" => Ty::Unit,
        _ => return None,
    })
}

impl<'m> Lowerer<'m> {
    fn shape(&self, id: &str, from: &str) -> Result<&'m Shape, String> {
        self.model.shapes.get(id).ok_or_else(|| {
            err(
                from,
                format!("refers to `{id}`, which the model does not define"),
            )
        })
    }

    fn type_name(&self, id: &str) -> String {
        self.type_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| short_name(id).to_owned())
    }

    /// Names every named shape and error of the closure at once, so collisions are reported.
    fn assign_type_names(&mut self) -> Result<(), String> {
        let ids: Vec<String> = self
            .named
            .keys()
            .chain(self.errors.iter())
            .cloned()
            .collect();
        let names: Vec<String> = ids
            .iter()
            .map(|id| {
                self.renames
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| short_name(id).to_owned())
            })
            .collect();
        let pairs: Vec<(&str, &str)> = ids
            .iter()
            .map(String::as_str)
            .zip(names.iter().map(String::as_str))
            .collect();
        let rust = naming::shape_type_names(&pairs)?;
        for (id, n) in ids.iter().zip(rust) {
            self.type_names.insert(id.clone(), n.rust);
        }
        Ok(())
    }

    /// Visits everything reachable from `id`, recording named shapes.
    fn visit(&mut self, id: &str, from: &str, seen: &mut BTreeSet<String>) -> Result<(), String> {
        if prelude(id).is_some() || !seen.insert(id.to_owned()) {
            return Ok(());
        }
        let shape = self.shape(id, from)?;
        if !shape.mixins.is_empty() {
            return Err(err(id, "mixins must be flattened before generation"));
        }
        check_traits(id, &shape.traits)?;
        let kind = match shape.kind.as_str() {
            "structure" => Some(NamedKind::Struct),
            "union" => Some(NamedKind::Union),
            "enum" => Some(NamedKind::Enum),
            "intEnum" => Some(NamedKind::IntEnum),
            "string" if shape.has("smithy.api#enum") => Some(NamedKind::Enum),
            "string" | "blob" | "boolean" | "byte" | "short" | "integer" | "long" | "float"
            | "double" | "timestamp" | "document" | "list" | "set" | "map" => None,
            "bigInteger" | "bigDecimal" => {
                return Err(err(
                    id,
                    format!(
                        "shape type `{}` is not supported by this generator",
                        shape.kind
                    ),
                ));
            }
            other => {
                return Err(err(
                    id,
                    format!("unexpected shape type `{other}` as a member target"),
                ));
            }
        };
        if let Some(k) = kind {
            self.named.insert(id.to_owned(), k);
        }
        let members: Vec<(String, MemberDef)> = match shape.kind.as_str() {
            "structure" | "union" => shape.members.clone(),
            "list" | "set" => vec![(
                "member".into(),
                shape
                    .member
                    .clone()
                    .ok_or_else(|| err(id, "list without `member`"))?,
            )],
            "map" => {
                let key = shape
                    .key
                    .clone()
                    .ok_or_else(|| err(id, "map without `key`"))?;
                let value = shape
                    .value
                    .clone()
                    .ok_or_else(|| err(id, "map without `value`"))?;
                vec![("key".into(), key), ("value".into(), value)]
            }
            _ => vec![],
        };
        for (name, m) in &members {
            let mid = format!("{id}${name}");
            check_traits(&mid, &m.traits)?;
            if matches!(shape.kind.as_str(), "structure" | "union") {
                let t = self.shape(&m.target, &mid).ok();
                if t.is_some_and(|t| t.kind == "structure" || t.kind == "union") {
                    self.member_refs.insert(m.target.clone());
                }
            }
            self.visit(&m.target, &mid, seen)?;
        }
        Ok(())
    }

    fn ty(
        &self,
        target: &str,
        member_traits: &BTreeMap<String, Value>,
        from: &str,
    ) -> Result<Ty, String> {
        if let Some(t) = prelude(target) {
            return Ok(match t {
                Ty::Timestamp(_) => Ty::Timestamp(ts_format(member_traits, from)?),
                t => t,
            });
        }
        let shape = self.shape(target, from)?;
        Ok(match shape.kind.as_str() {
            "string" if shape.has("smithy.api#enum") => self.named_ty(target, NamedKind::Enum),
            "string" => Ty::String,
            "enum" => self.named_ty(target, NamedKind::Enum),
            "intEnum" => self.named_ty(target, NamedKind::IntEnum),
            "structure" => self.named_ty(target, NamedKind::Struct),
            "union" => self.named_ty(target, NamedKind::Union),
            "blob" => Ty::Blob,
            "boolean" => Ty::Bool,
            "byte" => Ty::Byte,
            "short" => Ty::Short,
            "integer" => Ty::Integer,
            "long" => Ty::Long,
            "float" => Ty::Float,
            "double" => Ty::Double,
            "document" => Ty::Document,
            "timestamp" => Ty::Timestamp(match ts_format(member_traits, from)? {
                Some(f) => Some(f),
                None => ts_format(&shape.traits, target)?,
            }),
            "list" | "set" => {
                let m = shape
                    .member
                    .as_ref()
                    .ok_or_else(|| err(target, "list without `member`"))?;
                Ty::List {
                    elem: Box::new(self.ty(&m.target, &m.traits, &format!("{target}$member"))?),
                    sparse: shape.has("smithy.api#sparse"),
                }
            }
            "map" => {
                let k = shape
                    .key
                    .as_ref()
                    .ok_or_else(|| err(target, "map without `key`"))?;
                let key_ty = self.ty(&k.target, &k.traits, &format!("{target}$key"))?;
                if !matches!(
                    key_ty,
                    Ty::String
                        | Ty::Named {
                            kind: NamedKind::Enum,
                            ..
                        }
                ) {
                    return Err(err(target, "map keys must be strings"));
                }
                let v = shape
                    .value
                    .as_ref()
                    .ok_or_else(|| err(target, "map without `value`"))?;
                Ty::Map {
                    value: Box::new(self.ty(&v.target, &v.traits, &format!("{target}$value"))?),
                    sparse: shape.has("smithy.api#sparse"),
                }
            }
            other => {
                return Err(err(
                    from,
                    format!("cannot use a `{other}` shape as a member"),
                ));
            }
        })
    }

    fn named_ty(&self, id: &str, kind: NamedKind) -> Ty {
        Ty::Named {
            kind,
            rust: self.type_name(id),
            shape_id: id.to_owned(),
        }
    }

    fn sensitive(&self, target: &str) -> bool {
        match self.model.shapes.get(target) {
            None => false,
            Some(s) => {
                s.has("smithy.api#sensitive")
                    || s.member.as_ref().is_some_and(|m| self.sensitive(&m.target))
                    || s.value.as_ref().is_some_and(|m| self.sensitive(&m.target))
            }
        }
    }

    fn constraints(&self, m: &MemberDef) -> Constraints {
        let target = self.model.shapes.get(&m.target);
        let get = |key: &str| {
            m.traits
                .get(key)
                .or_else(|| target.and_then(|t| t.traits.get(key)))
        };
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
        Constraints {
            length: get("smithy.api#length").map(|v| {
                (
                    v.get("min").and_then(Value::as_u64),
                    v.get("max").and_then(Value::as_u64),
                )
            }),
            range: get("smithy.api#range").map(|v| (num(v, "min"), num(v, "max"))),
            pattern: get("smithy.api#pattern")
                .and_then(Value::as_str)
                .map(str::to_owned),
            elem: target
                .and_then(|t| t.member.as_ref())
                .map(|m| Box::new(self.constraints(m))),
            key: target
                .and_then(|t| t.key.as_ref())
                .map(|m| Box::new(self.constraints(m))),
            value: target
                .and_then(|t| t.value.as_ref())
                .map(|m| Box::new(self.constraints(m))),
        }
    }

    fn member(
        &self,
        owner: &str,
        wire: &str,
        names: naming::MemberNames,
        m: &MemberDef,
        is_union: bool,
    ) -> Result<Member, String> {
        let mid = format!("{owner}${wire}");
        let ty = self.ty(&m.target, &m.traits, &mid)?;
        let t = |k: &str| m.traits.get(k);
        let binding = if t("smithy.api#httpLabel").is_some() {
            Binding::Label { greedy: false }
        } else if let Some(q) = t("smithy.api#httpQuery") {
            Binding::Query(
                q.as_str()
                    .ok_or_else(|| err(&mid, "@httpQuery must be a string"))?
                    .to_owned(),
            )
        } else if t("smithy.api#httpQueryParams").is_some() {
            Binding::QueryParams
        } else if let Some(h) = t("smithy.api#httpHeader") {
            Binding::Header(
                h.as_str()
                    .ok_or_else(|| err(&mid, "@httpHeader must be a string"))?
                    .to_ascii_lowercase(),
            )
        } else if let Some(h) = t("smithy.api#httpPrefixHeaders") {
            Binding::PrefixHeaders(
                h.as_str()
                    .ok_or_else(|| err(&mid, "@httpPrefixHeaders must be a string"))?
                    .to_ascii_lowercase(),
            )
        } else if t("smithy.api#httpPayload").is_some() {
            Binding::Payload
        } else if t("smithy.api#httpResponseCode").is_some() {
            Binding::ResponseCode
        } else {
            Binding::Body
        };
        let target_shape = self.model.shapes.get(&m.target);
        let streaming = target_shape.is_some_and(|s| s.has("smithy.api#streaming"));
        if streaming && target_shape.is_some_and(|s| s.kind == "union") {
            return Err(err(
                &mid,
                "event streams (@streaming unions) are not supported by this generator",
            ));
        }
        let default = t("smithy.api#default")
            .cloned()
            .or_else(|| target_shape.and_then(|s| s.traits.get("smithy.api#default").cloned()));
        let default = if is_union || m.has("smithy.api#clientOptional") {
            None
        } else {
            default
        };
        Ok(Member {
            wire_name: wire.to_owned(),
            rust_name: names.field,
            setter: names.setter,
            getter: names.getter,
            json_name: t("smithy.api#jsonName")
                .and_then(Value::as_str)
                .unwrap_or(wire)
                .to_owned(),
            ty,
            required: !is_union
                && m.has("smithy.api#required")
                && !m.has("smithy.api#clientOptional"),
            default: default.filter(|d| !d.is_null()),
            sensitive: m.has("smithy.api#sensitive") || self.sensitive(&m.target),
            docs: doc_of(&m.traits),
            binding,
            idempotency_token: m.has("smithy.api#idempotencyToken"),
            boxed: false,
            constraints: self.constraints(m),
            streaming,
            media_type: target_shape
                .and_then(|s| s.traits.get("smithy.api#mediaType"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    fn struct_def(&self, id: &str, rust_name: String) -> Result<StructDef, String> {
        let shape = self.shape(id, id)?;
        let mut members = Vec::new();
        let wires: Vec<&str> = shape.members.iter().map(|(w, _)| w.as_str()).collect();
        let names = naming::member_names(&wires).map_err(|e| err(id, e))?;
        for ((wire, m), names) in shape.members.iter().zip(names) {
            members.push(self.member(id, wire, names, m, false)?);
        }
        let error = match shape.traits.get("smithy.api#error") {
            None => None,
            Some(v) => {
                let fault = v
                    .as_str()
                    .ok_or_else(|| err(id, "@error must be a string"))?;
                let default_status = if fault == "server" { 500 } else { 400 };
                let status = match shape.traits.get("smithy.api#httpError") {
                    Some(s) => s
                        .as_u64()
                        .filter(|s| (100..600).contains(s))
                        .ok_or_else(|| err(id, "@httpError must be a status code"))?
                        as u16,
                    None => default_status,
                };
                Some(ErrorInfo {
                    code: short_name(id).to_owned(),
                    status,
                    server_fault: fault == "server",
                })
            }
        };
        Ok(StructDef {
            shape_id: id.to_owned(),
            module: naming::module_name(&rust_name).map_err(|e| err(id, e))?,
            rust_name,
            docs: doc_of(&shape.traits),
            members,
            error,
        })
    }

    fn type_def(&self, id: &str, kind: NamedKind) -> Result<TypeDef, String> {
        let shape = self.shape(id, id)?;
        let rust_name = self.type_name(id);
        let module = naming::module_name(&rust_name).map_err(|e| err(id, e))?;
        let docs = doc_of(&shape.traits);
        Ok(match kind {
            NamedKind::Struct => TypeDef::Struct(self.struct_def(id, rust_name)?),
            NamedKind::Union => {
                let mut variants = Vec::new();
                let wires: Vec<&str> = shape.members.iter().map(|(w, _)| w.as_str()).collect();
                let variant_names = naming::union_variant_names(&wires).map_err(|e| err(id, e))?;
                let member_names = naming::member_names(&wires).map_err(|e| err(id, e))?;
                for (((wire, m), vn), mn) in
                    shape.members.iter().zip(variant_names).zip(member_names)
                {
                    let mut v = self.member(id, wire, mn, m, true)?;
                    v.rust_name = vn.rust;
                    variants.push(v);
                }
                if variants.is_empty() {
                    return Err(err(id, "a union needs at least one member"));
                }
                TypeDef::Union(UnionDef {
                    shape_id: id.to_owned(),
                    rust_name,
                    module,
                    docs,
                    variants,
                })
            }
            NamedKind::Enum => {
                let mut variants = Vec::new();
                if let Some(values) = shape.traits.get("smithy.api#enum") {
                    let values = values
                        .as_array()
                        .ok_or_else(|| err(id, "@enum must be a list"))?;
                    for v in values {
                        let value = v
                            .get("value")
                            .and_then(Value::as_str)
                            .ok_or_else(|| err(id, "@enum entry without a string `value`"))?;
                        let name = v.get("name").and_then(Value::as_str).unwrap_or(value);
                        variants.push(EnumVariant {
                            rust_name: name.to_owned(),
                            value: value.to_owned(),
                            docs: v
                                .get("documentation")
                                .and_then(Value::as_str)
                                .map(docs::doc_lines)
                                .unwrap_or_default(),
                        });
                    }
                } else {
                    for (name, m) in &shape.members {
                        let value = match m.traits.get("smithy.api#enumValue") {
                            Some(v) => v
                                .as_str()
                                .ok_or_else(|| {
                                    err(&format!("{id}${name}"), "@enumValue must be a string")
                                })?
                                .to_owned(),
                            None => name.clone(),
                        };
                        variants.push(EnumVariant {
                            rust_name: name.clone(),
                            value,
                            docs: doc_of(&m.traits),
                        });
                    }
                }
                let pairs: Vec<(&str, &str)> = variants
                    .iter()
                    .map(|v| (v.rust_name.as_str(), v.value.as_str()))
                    .collect();
                let rust = naming::enum_variant_names(&pairs).map_err(|e| err(id, e))?;
                for (v, n) in variants.iter_mut().zip(rust) {
                    v.rust_name = n.rust;
                }
                TypeDef::Enum(EnumDef {
                    shape_id: id.to_owned(),
                    rust_name,
                    module,
                    docs,
                    variants,
                    sensitive: shape.has("smithy.api#sensitive"),
                })
            }
            NamedKind::IntEnum => {
                let mut variants = Vec::new();
                for (name, m) in &shape.members {
                    let value = m
                        .traits
                        .get("smithy.api#enumValue")
                        .and_then(Value::as_i64)
                        .and_then(|v| i32::try_from(v).ok())
                        .ok_or_else(|| {
                            err(
                                &format!("{id}${name}"),
                                "intEnum member needs an integer @enumValue",
                            )
                        })?;
                    variants.push(IntEnumVariant {
                        rust_name: name.clone(),
                        value,
                        docs: doc_of(&m.traits),
                    });
                }
                let pairs: Vec<(&str, &str)> = variants
                    .iter()
                    .map(|v| (v.rust_name.as_str(), v.rust_name.as_str()))
                    .collect();
                let rust = naming::enum_variant_names(&pairs).map_err(|e| err(id, e))?;
                for (v, n) in variants.iter_mut().zip(rust) {
                    v.rust_name = n.rust;
                }
                TypeDef::IntEnum(IntEnumDef {
                    shape_id: id.to_owned(),
                    rust_name,
                    module,
                    docs,
                    variants,
                })
            }
        })
    }
}

fn collect_operations(
    model: &Model,
    id: &str,
    out: &mut BTreeSet<String>,
    depth: usize,
) -> Result<(), String> {
    if depth > 32 {
        return Err(err(id, "resources nest too deeply"));
    }
    let shape = model
        .shapes
        .get(id)
        .ok_or_else(|| format!("the model does not define `{id}`"))?;
    let direct = shape
        .operations
        .iter()
        .chain(&shape.collection_operations)
        .chain(
            [
                &shape.create,
                &shape.put,
                &shape.read,
                &shape.update,
                &shape.delete,
                &shape.list,
            ]
            .into_iter()
            .flatten(),
        );
    for t in direct {
        out.insert(t.target.clone());
    }
    for r in &shape.resources {
        collect_operations(model, &r.target, out, depth + 1)?;
    }
    Ok(())
}

/// Query pairs written in an `@http` uri (`?key=value&flag`).
type QueryLiterals = Vec<(String, Option<String>)>;

fn parse_uri(
    op: &str,
    uri: &str,
    input: &StructDef,
) -> Result<(Vec<UriSegment>, QueryLiterals), String> {
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    if !path.starts_with('/') {
        return Err(err(op, format!("@http uri {uri:?} must start with `/`")));
    }
    let mut segments = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .ok_or_else(|| err(op, format!("unclosed label in @http uri {uri:?}")))?;
        if start > 0 {
            segments.push(UriSegment::Literal(rest[..start].to_owned()));
        }
        let label = &rest[start + 1..end];
        let (name, greedy) = match label.strip_suffix('+') {
            Some(n) => (n, true),
            None => (label, false),
        };
        let member = input
            .members
            .iter()
            .find(|m| m.wire_name == name && matches!(m.binding, Binding::Label { .. }))
            .ok_or_else(|| {
                err(
                    op,
                    format!("label `{{{label}}}` has no @httpLabel input member"),
                )
            })?;
        segments.push(UriSegment::Label {
            member: member.rust_name.clone(),
            greedy,
        });
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        segments.push(UriSegment::Literal(rest.to_owned()));
    }
    let literals = query
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                    None => (p.to_owned(), None),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((segments, literals))
}

/// Lowers `model` into the IR of its one restJson1 service.
pub fn lower(model: &Model) -> Result<Service, String> {
    let services: Vec<(&String, &Shape)> = model
        .shapes
        .iter()
        .filter(|(_, s)| s.kind == "service")
        .collect();
    let (service_id, service) = match services.as_slice() {
        [one] => *one,
        [] => return Err("the model defines no service shape".into()),
        many => {
            // Pick the one restJson1 service if there is exactly one.
            let rj: Vec<_> = many
                .iter()
                .filter(|(_, s)| s.has("aws.protocols#restJson1"))
                .collect();
            match rj.as_slice() {
                [one] => **one,
                _ => {
                    return Err(format!(
                        "the model defines {} services; generate one model per service",
                        many.len()
                    ));
                }
            }
        }
    };
    lower_service(model, service_id, service)
}

/// Lowers one service of `model`.
pub fn lower_service(model: &Model, service_id: &str, service: &Shape) -> Result<Service, String> {
    if !service.has("aws.protocols#restJson1") {
        return Err(err(
            service_id,
            "the service does not use the aws.protocols#restJson1 protocol",
        ));
    }
    check_traits(service_id, &service.traits)?;
    let mut lw = Lowerer {
        model,
        renames: service.rename.clone(),
        named: BTreeMap::new(),
        io_shapes: BTreeSet::new(),
        type_names: BTreeMap::new(),
        member_refs: BTreeSet::new(),
        errors: BTreeSet::new(),
    };
    let mut op_ids = BTreeSet::new();
    collect_operations(model, service_id, &mut op_ids, 0)?;
    let mut seen = BTreeSet::new();
    for op_id in &op_ids {
        let op = lw.shape(op_id, service_id)?;
        if op.kind != "operation" {
            return Err(err(op_id, "bound as an operation but is not one"));
        }
        check_traits(op_id, &op.traits)?;
        for io in [&op.input, &op.output].into_iter().flatten() {
            if io.target != "smithy.api#Unit" {
                let s = lw.shape(&io.target, op_id)?;
                if s.kind != "structure" {
                    return Err(err(op_id, "input and output must be structures"));
                }
                lw.io_shapes.insert(io.target.clone());
                check_traits(&io.target, &s.traits)?;
                for (name, m) in &s.members {
                    let mid = format!("{}${name}", io.target);
                    check_traits(&mid, &m.traits)?;
                    let t = lw.shape(&m.target, &mid).ok();
                    if t.is_some_and(|t| t.kind == "structure" || t.kind == "union") {
                        lw.member_refs.insert(m.target.clone());
                    }
                    lw.visit(&m.target, &mid, &mut seen)?;
                }
            }
        }
        for e in op.errors.iter().chain(&service.errors) {
            lw.errors.insert(e.target.clone());
            lw.visit(&e.target, op_id, &mut seen)?;
        }
    }
    // Error structures live in `types::error`, not in `types`.
    for e in &lw.errors {
        lw.named.remove(e);
    }
    lw.assign_type_names().map_err(|e| err(service_id, e))?;

    let mut types = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (id, kind) in lw.named.clone() {
        if lw.io_shapes.contains(&id) && !lw.member_refs.contains(&id) {
            continue;
        }
        let def = lw.type_def(&id, kind)?;
        if let Some(other) = names.insert(def.rust_name().to_owned(), id.clone()) {
            return Err(err(
                &id,
                format!(
                    "its Rust name `{}` collides with `{other}`",
                    def.rust_name()
                ),
            ));
        }
        types.push(def);
    }
    let mut errors = Vec::new();
    for id in &lw.errors {
        let def = lw.struct_def(id, lw.type_name(id))?;
        if def.error.is_none() {
            return Err(err(id, "listed as an error but has no @error trait"));
        }
        errors.push(def);
    }
    mark_boxed(&mut types);
    types.sort_by(|a, b| a.rust_name().cmp(b.rust_name()));
    errors.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));

    let mut operations = Vec::new();
    for op_id in &op_ids {
        operations.push(lower_operation(&lw, op_id, service)?);
    }
    operations.sort_by(|a, b| a.name.cmp(&b.name));

    let aws = service.traits.get("aws.api#service");
    let sdk_id = aws
        .and_then(|v| v.get("sdkId"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| short_name(service_id).to_owned());
    let signing_name = service
        .traits
        .get("aws.auth#sigv4")
        .and_then(|v| v.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| naming::snake_case(&sdk_id).replace('_', ""));
    let endpoint_prefix = aws
        .and_then(|v| v.get("endpointPrefix"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| signing_name.clone());
    Ok(Service {
        shape_id: service_id.to_owned(),
        sdk_id,
        signing_name,
        endpoint_prefix,
        title: service
            .traits
            .get("smithy.api#title")
            .and_then(Value::as_str)
            .unwrap_or(short_name(service_id))
            .to_owned(),
        version: service.version.clone().unwrap_or_default(),
        docs: doc_of(&service.traits),
        operations,
        types,
        errors,
        endpoint_rules: service.traits.get("smithy.rules#endpointRuleSet").cloned(),
        endpoint_tests: service.traits.get("smithy.rules#endpointTests").cloned(),
    })
}

fn lower_operation(lw: &Lowerer, op_id: &str, service: &Shape) -> Result<Operation, String> {
    let op = lw.shape(op_id, op_id)?;
    let name = lw
        .renames
        .get(op_id)
        .cloned()
        .unwrap_or_else(|| short_name(op_id).to_owned());
    let rust_base = naming::operation_type_name(&name).map_err(|e| err(op_id, e))?;
    let io = |t: &Option<crate::model::Target>, suffix: &str| -> Result<StructDef, String> {
        let rust_name = if suffix == "Input" {
            naming::input_name(&rust_base)
        } else {
            naming::output_name(&rust_base)
        };
        match t {
            Some(t) if t.target != "smithy.api#Unit" => lw.struct_def(&t.target, rust_name),
            _ => Ok(StructDef {
                shape_id: "smithy.api#Unit".into(),
                module: naming::module_name(&rust_name).map_err(|e| err(op_id, e))?,
                rust_name,
                docs: vec![],
                members: vec![],
                error: None,
            }),
        }
    };
    let mut input = io(&op.input, "Input")?;
    // Clients send a top-level input member only when the caller sets it, so its @default stays
    // with the service: the field is optional.
    for m in &mut input.members {
        if !m.required {
            m.default = None;
        }
    }
    let output = io(&op.output, "Output")?;
    let http = op
        .traits
        .get("smithy.api#http")
        .ok_or_else(|| err(op_id, "restJson1 operations need the @http trait"))?;
    let method = http
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| err(op_id, "@http without `method`"))?
        .to_ascii_uppercase();
    let uri = http
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| err(op_id, "@http without `uri`"))?;
    let code = http.get("code").and_then(Value::as_u64).unwrap_or(200) as u16;
    let (path, query_literals) = parse_uri(op_id, uri, &input)?;
    for m in &input.members {
        if matches!(m.binding, Binding::Label { .. })
            && !path
                .iter()
                .any(|s| matches!(s, UriSegment::Label { member, .. } if *member == m.rust_name))
        {
            return Err(err(
                &format!("{}${}", input.shape_id, m.wire_name),
                "@httpLabel member not used in the @http uri",
            ));
        }
        if matches!(m.binding, Binding::Label { .. }) && !m.required {
            return Err(err(
                &format!("{}${}", input.shape_id, m.wire_name),
                "@httpLabel members must be @required",
            ));
        }
    }
    let path = path
        .into_iter()
        .map(|s| match s {
            UriSegment::Label { member, .. } => {
                let greedy = uri.contains(&format!(
                    "{{{}+}}",
                    input
                        .members
                        .iter()
                        .find(|m| m.rust_name == member)
                        .map(|m| m.wire_name.as_str())
                        .unwrap_or("")
                ));
                UriSegment::Label { member, greedy }
            }
            lit => lit,
        })
        .collect();
    let mut errors = Vec::new();
    let mut error_ids: Vec<&str> = op
        .errors
        .iter()
        .chain(&service.errors)
        .map(|e| e.target.as_str())
        .collect();
    error_ids.sort();
    error_ids.dedup();
    let rust_names: Vec<String> = error_ids.iter().map(|e| lw.type_name(e)).collect();
    let variants = naming::operation_error_variant_names(
        &rust_names.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .map_err(|e| err(op_id, e))?;
    for ((e, rust_name), variant) in error_ids.iter().zip(rust_names).zip(variants) {
        errors.push(ErrorRef {
            variant: variant.rust,
            rust_name,
            code: short_name(e).to_owned(),
        });
    }
    let paginated = match op.traits.get("smithy.api#paginated") {
        None => None,
        Some(p) => {
            let s = |k: &str| {
                p.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        service
                            .traits
                            .get("smithy.api#paginated")
                            .and_then(|sp| sp.get(k))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
            };
            match (s("inputToken"), s("outputToken")) {
                (Some(input_token), Some(output_token)) => Some(Paginated {
                    input_token,
                    output_token,
                    page_size: s("pageSize"),
                    items: s("items"),
                }),
                _ => None,
            }
        }
    };
    let signed = match op.traits.get("smithy.api#auth") {
        Some(Value::Array(a)) => !a.is_empty(),
        _ => !op.has("smithy.api#optionalAuth"),
    };
    let host_prefix = op
        .traits
        .get("smithy.api#endpoint")
        .and_then(|e| e.get("hostPrefix"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Operation {
        shape_id: op_id.to_owned(),
        fn_name: naming::operation_fn_name(&name).map_err(|e| err(op_id, e))?,
        type_name: rust_base.clone(),
        module: naming::operation_module_name(&name).map_err(|e| err(op_id, e))?,
        name,
        docs: doc_of(&op.traits),
        method,
        path,
        query_literals,
        code,
        input,
        output,
        errors,
        paginated,
        idempotent: op.has("smithy.api#idempotent") || op.has("smithy.api#readonly"),
        signed,
        host_prefix,
        checksum_required: op.has("smithy.api#httpChecksumRequired"),
        compression: op
            .traits
            .get("smithy.api#requestCompression")
            .and_then(|v| v.get("encodings"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|e| *e == "gzip")
            .map(str::to_owned)
            .collect(),
    })
}

/// Boxes struct/union members that would otherwise make a type infinitely sized.
fn mark_boxed(types: &mut [TypeDef]) {
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in types.iter() {
        let (id, members) = match t {
            TypeDef::Struct(s) => (&s.shape_id, &s.members),
            TypeDef::Union(u) => (&u.shape_id, &u.variants),
            _ => continue,
        };
        let direct = members
            .iter()
            .filter_map(|m| match &m.ty {
                Ty::Named {
                    kind: NamedKind::Struct | NamedKind::Union,
                    shape_id,
                    ..
                } => Some(shape_id.clone()),
                _ => None,
            })
            .collect();
        edges.insert(id.clone(), direct);
    }
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if let (true, Some(next)) = (seen.insert(n.clone()), edges.get(&n)) {
                stack.extend(next.iter().cloned());
            }
        }
        false
    };
    for t in types.iter_mut() {
        let (id, members) = match t {
            TypeDef::Struct(s) => (s.shape_id.clone(), &mut s.members),
            TypeDef::Union(u) => (u.shape_id.clone(), &mut u.variants),
            _ => continue,
        };
        for m in members.iter_mut() {
            if let Ty::Named {
                kind: NamedKind::Struct | NamedKind::Union,
                shape_id,
                ..
            } = &m.ty
            {
                m.boxed = reaches(shape_id, &id);
            }
        }
    }
}
