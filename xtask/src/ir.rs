//! The intermediate representation: the model resolved into a complete plan of the generated
//! crate. Lowering decides everything (every Rust identifier, HTTP bindings, typed defaults,
//! resolved pagination, the message member of each error, host-prefix segments, auth schemes,
//! service customizations, which operations are generated and which are skipped); emitters only
//! print what it decided.
//!
//! Lowering tells two kinds of problems apart:
//! - a malformed model (a dangling reference, an `@httpLabel` missing from the URI, two members
//!   with one Rust name, a list that contains itself) is an error naming the shape and the
//!   problem, and nothing is generated;
//! - a valid model using something this generator does not implement (an event stream, an
//!   unknown trait, an auth scheme it cannot sign with) skips only the operations that touch it:
//!   they are listed in [`Service::skipped`], printed as warnings and named in the crate docs.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

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
    /// A `@streaming` blob payload: streamed, never buffered whole.
    ByteStream,
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
        /// The type name in `crate::types`.
        rust: String,
        shape_id: String,
        /// `crate::protocol` serializer and deserializer (structures and unions).
        ser_fn: String,
        de_fn: String,
        /// `crate::validate` checker (structures and unions with constraints).
        check_fn: String,
    },
}

impl Ty {
    pub fn is_copy(&self) -> bool {
        matches!(
            self,
            Ty::Bool | Ty::Byte | Ty::Short | Ty::Integer | Ty::Long | Ty::Float | Ty::Double
        )
    }

    /// Whether values can be cloned, compared and serialized (everything but byte streams).
    pub fn is_plain_data(&self) -> bool {
        !matches!(self, Ty::ByteStream)
    }
}

/// Where a member travels in the HTTP message.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    Body,
    Label,
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
            Binding::Body | Binding::Label | Binding::Query(_) | Binding::QueryParams
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

/// A `@range` check, typed like the member: integer members are compared as integers (a
/// fractional bound is rounded towards the allowed values, which admits the same integers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeCheck {
    Int(Option<i64>, Option<i64>),
    Float(Option<f64>, Option<f64>),
}

impl Constraints {
    /// The `@range` check of a value of type `ty`, if it has one.
    pub fn range_check(&self, ty: &Ty) -> Option<RangeCheck> {
        let (min, max) = self.range?;
        // Bounds beyond i64 admit every value of the member's type.
        let int = |v: f64| (v.abs() < 9.0e18).then_some(v as i64);
        match ty {
            Ty::Byte | Ty::Short | Ty::Integer | Ty::Long => Some(RangeCheck::Int(
                min.and_then(|m| int(m.ceil())),
                max.and_then(|m| int(m.floor())),
            )),
            Ty::Float | Ty::Double => Some(RangeCheck::Float(min, max)),
            _ => None,
        }
    }

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

/// A `@default` value, typed by the member's type. Values the generator cannot write are
/// refused during lowering.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    String(String),
    Bool(bool),
    /// Any integer type; the value fits the member's type.
    Int(i64),
    Float(f64),
    /// Seconds since the epoch.
    Timestamp(f64),
    Blob(Vec<u8>),
    /// A document, as JSON text.
    Document(String),
    EmptyList,
    EmptyMap,
    Enum(String),
    IntEnum(i32),
    /// A streaming payload the caller did not set: an empty body.
    EmptyStream,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub wire_name: String,
    pub rust_name: String,
    /// Builder setter taking an `Option` (`set_<field>`).
    pub setter: String,
    /// Builder getter (`get_<field>`).
    pub getter: String,
    /// The local variable holding the member while its structure is deserialized.
    pub local: String,
    pub json_name: String,
    pub ty: Ty,
    pub required: bool,
    pub default: Option<DefaultValue>,
    pub sensitive: bool,
    pub docs: Vec<String>,
    pub binding: Binding,
    pub idempotency_token: bool,
    pub boxed: bool,
    pub constraints: Constraints,
    /// The target's `@mediaType` (string headers carrying it are base64; payloads send it as
    /// their content type).
    pub media_type: Option<String>,
    /// `@requiresLength` on a streaming payload: its length must be known before sending.
    pub requires_length: bool,
}

impl Member {
    /// Whether the Rust field is `T` rather than `Option<T>`.
    pub fn non_optional(&self) -> bool {
        self.required || self.default.is_some()
    }
}

/// The member an error's message is read from and displayed with, chosen once for every use:
/// the first string member named `message` in any case.
#[derive(Debug, Clone)]
pub struct MessageMember {
    pub field: String,
    pub non_optional: bool,
    /// Whether the member travels in the body, so that a message the response carries elsewhere
    /// (`Message`, `errorMessage`, `x-amzn-errormessage`) fills it when the body has none.
    pub fill_from_response: bool,
    /// Whether the structure needs a `message()` accessor (its field is not called `message`).
    pub accessor: bool,
}

#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: String,
    pub message: Option<MessageMember>,
    /// `crate::protocol` function reading this error from a whole response.
    pub response_fn: String,
}

/// An `is_<thing>_expired_at(now)` predicate on a structure with an expiration timestamp.
#[derive(Debug, Clone)]
pub struct ExpiryHelper {
    pub predicate: String,
    pub field: String,
    pub wire: String,
    pub non_optional: bool,
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub shape_id: String,
    pub rust_name: String,
    pub builder: String,
    pub module: String,
    pub docs: Vec<String>,
    pub members: Vec<Member>,
    pub error: Option<ErrorInfo>,
    pub expiry: Vec<ExpiryHelper>,
    /// JSON serializer, when an operation input reaches this type.
    pub ser_fn: Option<String>,
    /// JSON deserializer, when an output or error reaches this type.
    pub de_fn: Option<String>,
    /// Constraint checker, when an input reaches this type and something in it is constrained.
    pub check_fn: Option<String>,
    /// The shared reader of the members read from the body (a name in
    /// `Service::body_readers`): an error's, an output's with such members, and a structure's
    /// read inside documents unless its layout is its own.
    pub body_reader: Option<String>,
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
    /// Whether the structure can derive `Clone`, `PartialEq` and serde (no byte stream in it).
    pub fn is_plain_data(&self) -> bool {
        self.members.iter().all(|m| m.ty.is_plain_data())
    }
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub member: Member,
    /// `is_<variant>` and `as_<variant>`.
    pub is_fn: String,
    pub as_fn: String,
}

#[derive(Debug, Clone)]
pub struct UnionDef {
    pub shape_id: String,
    pub rust_name: String,
    pub module: String,
    pub docs: Vec<String>,
    pub variants: Vec<UnionVariant>,
    pub ser_fn: Option<String>,
    pub de_fn: Option<String>,
    pub check_fn: Option<String>,
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
    pub fn module(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.module,
            TypeDef::Union(u) => &u.module,
            TypeDef::Enum(e) => &e.module,
            TypeDef::IntEnum(e) => &e.module,
        }
    }
    fn shape_id(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.shape_id,
            TypeDef::Union(u) => &u.shape_id,
            TypeDef::Enum(e) => &e.shape_id,
            TypeDef::IntEnum(e) => &e.shape_id,
        }
    }
}

#[derive(Debug, Clone)]
pub enum UriSegment {
    Literal(String),
    Label {
        /// The input field.
        field: String,
        greedy: bool,
        /// Sent instead of an empty value (a service customization, e.g. Glacier's `-` for
        /// "the account of the credentials").
        if_empty: Option<String>,
    },
}

/// A piece of an `@endpoint` host prefix.
#[derive(Debug, Clone, PartialEq)]
pub enum HostSegment {
    Literal(String),
    /// An input member marked `@hostLabel`.
    Label {
        field: String,
        wire: String,
        non_optional: bool,
    },
}

/// A member a paginator reads or writes.
#[derive(Debug, Clone)]
pub struct PageField {
    pub field: String,
    pub wire: String,
    pub non_optional: bool,
}

/// The listed items of a paginated operation's output: a list's items, or a map's entries as
/// `(key, value)` pairs.
#[derive(Debug, Clone)]
pub struct PageItems {
    pub field: PageField,
    pub elem: Ty,
    pub sparse: bool,
    pub map: bool,
}

/// `@paginated`, resolved against the operation's input and output.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The paginator type alias (`<Op>Paginator`).
    pub alias: String,
    pub input_token: PageField,
    pub output_token: PageField,
    /// The page size member, and whether it is a `long` (otherwise an `integer`).
    pub page_size: Option<(PageField, bool)>,
    pub items: Option<PageItems>,
}

#[derive(Debug, Clone)]
pub struct ErrorRef {
    pub variant: String,
    pub rust_name: String,
    pub code: String,
    /// `is_<variant>` on the operation's error enum.
    pub predicate: String,
    /// `crate::protocol` function reading the error from a response.
    pub response_fn: String,
}

/// How a request is authenticated, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    SigV4,
    Bearer,
}

/// A change to an operation's finished request, decided from protocol traits and known
/// service customizations.
#[derive(Debug, Clone, PartialEq)]
pub enum Customization {
    /// `@httpChecksumRequired`: a `Content-MD5` header.
    ContentMd5,
    /// `@requestCompression` with gzip.
    Gzip,
    /// A header set unless the input already set it.
    DefaultHeader { name: String, value: String },
    /// Glacier's linear and tree SHA-256 checksums of the body.
    GlacierChecksums,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub shape_id: String,
    pub name: String,
    pub fn_name: String,
    pub module: String,
    pub error_enum: String,
    pub fluent: String,
    /// `crate::validate` checker of the input.
    pub check_fn: String,
    pub docs: Vec<String>,
    pub method: String,
    pub path: Vec<UriSegment>,
    pub query_literals: Vec<(String, Option<String>)>,
    pub input: StructDef,
    pub output: StructDef,
    pub errors: Vec<ErrorRef>,
    pub pagination: Option<Pagination>,
    pub idempotent: bool,
    /// Auth schemes in order of preference; empty means unauthenticated.
    pub auth: Vec<AuthScheme>,
    pub host_prefix: Vec<HostSegment>,
    pub customizations: Vec<Customization>,
}

impl Operation {
    /// The streaming payload of the input, if any.
    pub fn streaming_input(&self) -> Option<&Member> {
        self.input.members.iter().find(|m| m.ty == Ty::ByteStream)
    }
    /// The streaming payload of the output, if any.
    pub fn streaming_output(&self) -> Option<&Member> {
        self.output.members.iter().find(|m| m.ty == Ty::ByteStream)
    }
}

/// An operation the generator leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub operation: String,
    pub reason: String,
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
    /// Readers of JSON objects, one per distinct layout of body members, shared by every
    /// output, error and structure that reads alike (each reader is compiled once).
    pub body_readers: Vec<BodyReader>,
    pub endpoint_rules: Option<Value>,
    pub endpoint_tests: Option<Value>,
    pub skipped: Vec<Skipped>,
    /// Features of the runtime crate the generated crate needs (`streaming`, `bearer`,
    /// `compression`, `checksums`); none of them is compiled for a model that does not use it.
    pub runtime_features: Vec<&'static str>,
}

/// Traits lowering reads: they shape the generated code.
const IMPLEMENTED_TRAITS: &[&str] = &[
    "smithy.api#documentation",
    "smithy.api#required",
    "smithy.api#default",
    "smithy.api#length",
    "smithy.api#pattern",
    "smithy.api#range",
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
    "smithy.api#title",
    "smithy.api#sparse",
    "smithy.api#mediaType",
    "smithy.api#streaming",
    "smithy.api#requiresLength",
    "smithy.api#clientOptional",
    "smithy.api#auth",
    "smithy.api#optionalAuth",
    "smithy.api#httpBearerAuth",
    "smithy.api#endpoint",
    "smithy.api#hostLabel",
    "smithy.api#httpChecksumRequired",
    "smithy.api#requestCompression",
    "aws.api#service",
    "aws.auth#sigv4",
    "aws.protocols#restJson1",
    "smithy.rules#endpointRuleSet",
    "smithy.rules#endpointTests",
];

/// Traits that do not change what a client sends or how it reads responses, so generation
/// ignores them: documentation and examples, IAM and CloudFormation metadata, resource
/// properties, smoke tests and protocol tests, waiters, server-side and other protocols'
/// traits, and endpoint metadata that the endpoint rule set already decides. A trait that is
/// in neither this list nor [`IMPLEMENTED_TRAITS`] is treated as changing behaviour: the
/// operations that touch it are skipped (or the whole service, when it is on the service).
pub const IGNORED_TRAITS: &[&str] = &[
    // Documentation, examples and lifecycle notes.
    "smithy.api#examples",
    "smithy.api#externalDocumentation",
    "smithy.api#deprecated",
    "smithy.api#since",
    "smithy.api#tags",
    "smithy.api#unstable",
    "smithy.api#recommended",
    "smithy.api#suppress",
    "smithy.api#internal",
    "smithy.api#private",
    // Model structure and validation metadata.
    "smithy.api#input",
    "smithy.api#output",
    "smithy.api#uniqueItems",
    "smithy.api#addedDefault",
    "smithy.api#references",
    "smithy.api#resourceIdentifier",
    "smithy.api#nestedProperties",
    "smithy.api#notProperty",
    "smithy.api#property",
    "smithy.api#idRef",
    "smithy.api#noReplace",
    "smithy.api#trait",
    "smithy.api#mixin",
    "smithy.api#protocolDefinition",
    "smithy.api#authDefinition",
    // Retries are decided from status codes and error codes at run time.
    "smithy.api#retryable",
    // Server and browser concerns.
    "smithy.api#cors",
    // Other protocols.
    "smithy.api#xmlNamespace",
    "smithy.api#xmlName",
    "smithy.api#xmlAttribute",
    "smithy.api#xmlFlattened",
    "aws.protocols#awsQueryError",
    "smithy.protocols#rpcv2Cbor",
    // ARN, IAM, tagging and CloudFormation metadata.
    "aws.api#arn",
    "aws.api#arnReference",
    "aws.api#dataPlane",
    "aws.api#controlPlane",
    "aws.api#data",
    "aws.api#tagEnabled",
    "aws.api#taggable",
    "aws.iam#actionPermissionDescription",
    "aws.iam#requiredActions",
    "aws.iam#conditionKeys",
    "aws.iam#defineConditionKeys",
    "aws.iam#disableConditionKeyInference",
    "aws.iam#supportedPrincipalTypes",
    "aws.iam#iamResource",
    "aws.iam#iamAction",
    "aws.cloudformation#cfnResource",
    "aws.cloudformation#cfnExcludeProperty",
    "aws.cloudformation#cfnMutability",
    "aws.cloudformation#cfnName",
    "aws.cloudformation#cfnAdditionalIdentifier",
    // Endpoint metadata: the endpoint rule set compiled into the client decides endpoints.
    "aws.endpoints#dualStackOnlyEndpoints",
    "aws.endpoints#standardRegionalEndpoints",
    "aws.endpoints#standardPartitionalEndpoints",
    "aws.endpoints#rulesBasedEndpoints",
    "smithy.rules#contextParam",
    "smithy.rules#staticContextParams",
    "smithy.rules#clientContextParams",
    "smithy.rules#operationContextParams",
    // Endpoint discovery is optional for clients; the configured endpoint is used.
    "aws.api#clientEndpointDiscovery",
    "aws.api#clientDiscoveredEndpoint",
    // Tests and waiters.
    "smithy.test#httpRequestTests",
    "smithy.test#httpResponseTests",
    "smithy.test#httpMalformedRequestTests",
    "smithy.test#smokeTests",
    "smithy.waiters#waitable",
    // Payload signing: streaming payloads are always sent unsigned, in-memory ones signed.
    "aws.auth#unsignedPayload",
    // Optional flexible checksums (request checksums the service does not require, response
    // validation); `@httpChecksumRequired` is implemented.
    "aws.protocols#httpChecksum",
    // Event stream members (only reachable from event-stream operations, which are skipped).
    "smithy.api#eventHeader",
    "smithy.api#eventPayload",
];

/// Auth schemes of the model that this generator cannot sign with: an operation whose only
/// schemes are these is skipped.
const UNSUPPORTED_AUTH: &[&str] = &[
    "aws.auth#sigv4a",
    "smithy.api#httpBasicAuth",
    "smithy.api#httpDigestAuth",
    "smithy.api#httpApiKeyAuth",
];

/// How deeply lists and maps may nest inside each other (a list that contains itself without
/// a structure or union in between is invalid, and would otherwise never end).
const MAX_NESTING: usize = 64;

fn err(shape: &str, msg: impl std::fmt::Display) -> String {
    format!("shape `{shape}`: {msg}")
}

/// A problem found while lowering.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// The model is invalid: nothing is generated.
    Malformed(String),
    /// The model uses something this generator does not implement: the operations touching it
    /// are skipped.
    Unsupported(String),
}

impl Problem {
    fn malformed(shape: &str, msg: impl std::fmt::Display) -> Self {
        Problem::Malformed(err(shape, msg))
    }
    fn unsupported(shape: &str, msg: impl std::fmt::Display) -> Self {
        Problem::Unsupported(err(shape, msg))
    }
}

impl From<String> for Problem {
    fn from(s: String) -> Self {
        Problem::Malformed(s)
    }
}

type Lowered<T> = Result<T, Problem>;

/// Turns a problem found where nothing can be skipped into the model's error.
fn fatal(p: Problem) -> String {
    match p {
        Problem::Malformed(m) => m,
        Problem::Unsupported(m) => m,
    }
}

fn short_name(id: &str) -> &str {
    let no_member = id.split('$').next().unwrap_or(id);
    no_member.rsplit('#').next().unwrap_or(no_member)
}

fn check_traits(id: &str, traits: &BTreeMap<String, Value>) -> Lowered<()> {
    for t in traits.keys() {
        let t = t.as_str();
        if !IMPLEMENTED_TRAITS.contains(&t)
            && !IGNORED_TRAITS.contains(&t)
            && !UNSUPPORTED_AUTH.contains(&t)
        {
            return Err(Problem::unsupported(
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

fn ts_format(traits: &BTreeMap<String, Value>, id: &str) -> Lowered<Option<TsFormat>> {
    match traits.get("smithy.api#timestampFormat") {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some("date-time") => Ok(Some(TsFormat::DateTime)),
            Some("http-date") => Ok(Some(TsFormat::HttpDate)),
            Some("epoch-seconds") => Ok(Some(TsFormat::EpochSeconds)),
            _ => Err(Problem::malformed(
                id,
                format!("invalid @timestampFormat {v}"),
            )),
        },
    }
}

fn prelude(id: &str) -> Option<Ty> {
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

/// Which role a structure plays, for the names generated code reserves on it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    Input,
    Output,
    Error,
}

struct Lowerer<'m> {
    model: &'m Model,
    renames: BTreeMap<String, String>,
    /// Rust type names of named shapes and errors, by shape id.
    type_names: BTreeMap<String, String>,
    /// Problems of single shapes (their own traits, kind and members), by shape id.
    local_problems: BTreeMap<String, Option<Problem>>,
}

impl<'m> Lowerer<'m> {
    fn shape(&self, id: &str, from: &str) -> Lowered<&'m Shape> {
        self.model.shapes.get(id).ok_or_else(|| {
            Problem::malformed(
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

    /// The shapes a member of `shape` (by id) points to, with the member's id.
    fn member_targets(id: &str, shape: &'m Shape) -> Vec<(String, &'m MemberDef)> {
        let mut out: Vec<(String, &MemberDef)> = shape
            .members
            .iter()
            .map(|(n, m)| (format!("{id}${n}"), m))
            .collect();
        for (n, m) in [
            ("member", &shape.member),
            ("key", &shape.key),
            ("value", &shape.value),
        ] {
            if let Some(m) = m {
                out.push((format!("{id}${n}"), m));
            }
        }
        out
    }

    /// What is wrong with one shape on its own (not looking at the shapes it refers to).
    fn local_problem(&mut self, id: &str) -> Option<Problem> {
        if let Some(p) = self.local_problems.get(id) {
            return p.clone();
        }
        let p = self.find_local_problem(id).err();
        self.local_problems.insert(id.to_owned(), p.clone());
        p
    }

    fn find_local_problem(&self, id: &str) -> Lowered<()> {
        if prelude(id).is_some() {
            return Ok(());
        }
        let shape = self.shape(id, id)?;
        if !shape.mixins.is_empty() {
            return Err(Problem::malformed(
                id,
                "mixins must be flattened before generation",
            ));
        }
        check_traits(id, &shape.traits)?;
        match shape.kind.as_str() {
            "structure" | "union" | "enum" | "intEnum" | "string" | "blob" | "boolean" | "byte"
            | "short" | "integer" | "long" | "float" | "double" | "timestamp" | "document" => {}
            "list" | "set" => {
                if shape.member.is_none() {
                    return Err(Problem::malformed(id, "list without `member`"));
                }
            }
            "map" => {
                if shape.key.is_none() || shape.value.is_none() {
                    return Err(Problem::malformed(id, "map without `key` or `value`"));
                }
            }
            "bigInteger" | "bigDecimal" => {
                return Err(Problem::unsupported(
                    id,
                    format!(
                        "shape type `{}` is not supported by this generator",
                        shape.kind
                    ),
                ));
            }
            other => {
                return Err(Problem::malformed(
                    id,
                    format!("unexpected shape type `{other}` as a member target"),
                ));
            }
        }
        let is_union = shape.kind == "union";
        for (mid, m) in Self::member_targets(id, shape) {
            check_traits(&mid, &m.traits)?;
            let target = self.shape_or_prelude(&m.target, &mid)?;
            if target.is_some_and(|t| t.has("smithy.api#streaming") && t.kind == "union") {
                return Err(Problem::unsupported(
                    &mid,
                    "event streams are not supported by this generator",
                ));
            }
            if matches!(shape.kind.as_str(), "structure" | "union") {
                let ty = self.ty(&m.target, &m.traits, &mid, 0)?;
                if !is_union {
                    self.default_of(&mid, m, &ty)?;
                }
            }
        }
        Ok(())
    }

    fn shape_or_prelude(&self, id: &str, from: &str) -> Lowered<Option<&'m Shape>> {
        if prelude(id).is_some() {
            return Ok(self.model.shapes.get(id));
        }
        self.shape(id, from).map(Some)
    }

    /// Every shape reachable from `roots` through members, breadth first (cycles are visited
    /// once), with the first problem found on the way.
    fn closure(&mut self, roots: &[String]) -> (BTreeSet<String>, Option<Problem>) {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<String> = roots.iter().cloned().collect();
        while let Some(id) = queue.pop_front() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(p) = self.local_problem(&id) {
                return (seen, Some(p));
            }
            if let Some(shape) = self.model.shapes.get(&id) {
                for (_, m) in Self::member_targets(&id, shape) {
                    if !seen.contains(&m.target) {
                        queue.push_back(m.target.clone());
                    }
                }
            }
        }
        (seen, None)
    }

    fn ty(
        &self,
        target: &str,
        member_traits: &BTreeMap<String, Value>,
        from: &str,
        depth: usize,
    ) -> Lowered<Ty> {
        if depth > MAX_NESTING {
            return Err(Problem::malformed(
                from,
                format!(
                    "lists and maps nest more than {MAX_NESTING} deep (a collection that contains itself needs a structure or union in between)"
                ),
            ));
        }
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
            "blob" if shape.has("smithy.api#streaming") => Ty::ByteStream,
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
                    .ok_or_else(|| Problem::malformed(target, "list without `member`"))?;
                let elem = self.ty(&m.target, &m.traits, &format!("{target}$member"), depth + 1)?;
                if elem == Ty::ByteStream {
                    return Err(Problem::malformed(target, "a list of streaming blobs"));
                }
                Ty::List {
                    elem: Box::new(elem),
                    sparse: shape.has("smithy.api#sparse"),
                }
            }
            "map" => {
                let k = shape
                    .key
                    .as_ref()
                    .ok_or_else(|| Problem::malformed(target, "map without `key`"))?;
                let key_ty = self.ty(&k.target, &k.traits, &format!("{target}$key"), depth + 1)?;
                if !matches!(
                    key_ty,
                    Ty::String
                        | Ty::Named {
                            kind: NamedKind::Enum,
                            ..
                        }
                ) {
                    return Err(Problem::malformed(target, "map keys must be strings"));
                }
                let v = shape
                    .value
                    .as_ref()
                    .ok_or_else(|| Problem::malformed(target, "map without `value`"))?;
                let value = self.ty(&v.target, &v.traits, &format!("{target}$value"), depth + 1)?;
                if value == Ty::ByteStream {
                    return Err(Problem::malformed(target, "a map of streaming blobs"));
                }
                Ty::Map {
                    value: Box::new(value),
                    sparse: shape.has("smithy.api#sparse"),
                }
            }
            other => {
                return Err(Problem::malformed(
                    from,
                    format!("cannot use a `{other}` shape as a member"),
                ));
            }
        })
    }

    fn named_ty(&self, id: &str, kind: NamedKind) -> Ty {
        let rust = self.type_name(id);
        let (ser_fn, de_fn) = naming::codec_fn_names(&rust);
        Ty::Named {
            kind,
            check_fn: naming::check_fn_name(&rust),
            rust,
            shape_id: id.to_owned(),
            ser_fn,
            de_fn,
        }
    }

    fn sensitive(&self, target: &str, depth: usize) -> bool {
        if depth > MAX_NESTING {
            return false;
        }
        match self.model.shapes.get(target) {
            None => false,
            Some(s) => {
                s.has("smithy.api#sensitive")
                    || s.member
                        .as_ref()
                        .is_some_and(|m| self.sensitive(&m.target, depth + 1))
                    || s.value
                        .as_ref()
                        .is_some_and(|m| self.sensitive(&m.target, depth + 1))
            }
        }
    }

    fn constraints(&self, m: &MemberDef, depth: usize) -> Constraints {
        let target = self.model.shapes.get(&m.target);
        let get = |key: &str| {
            m.traits
                .get(key)
                .or_else(|| target.and_then(|t| t.traits.get(key)))
        };
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
        let nested = |m: Option<&MemberDef>| {
            m.filter(|_| depth < MAX_NESTING)
                .map(|m| Box::new(self.constraints(m, depth + 1)))
        };
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
            elem: nested(target.and_then(|t| t.member.as_ref())),
            key: nested(target.and_then(|t| t.key.as_ref())),
            value: nested(target.and_then(|t| t.value.as_ref())),
        }
    }

    /// The member's `@default` (from the member or its target), typed; `None` when absent,
    /// `null`, or switched off by `@clientOptional`.
    fn default_of(&self, mid: &str, m: &MemberDef, ty: &Ty) -> Lowered<Option<DefaultValue>> {
        if *ty == Ty::ByteStream {
            return Ok(Some(DefaultValue::EmptyStream));
        }
        if m.has("smithy.api#clientOptional") {
            return Ok(None);
        }
        let value = m.traits.get("smithy.api#default").or_else(|| {
            self.model
                .shapes
                .get(&m.target)
                .and_then(|s| s.traits.get("smithy.api#default"))
        });
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        typed_default(ty, value)
            .map(Some)
            .ok_or_else(|| Problem::unsupported(mid, format!("unsupported @default value {value}")))
    }

    fn member(
        &self,
        owner: &str,
        wire: &str,
        names: naming::MemberNames,
        m: &MemberDef,
        is_union: bool,
    ) -> Lowered<Member> {
        let mid = format!("{owner}${wire}");
        let ty = self.ty(&m.target, &m.traits, &mid, 0)?;
        let t = |k: &str| m.traits.get(k);
        let binding = if t("smithy.api#httpLabel").is_some() {
            Binding::Label
        } else if let Some(q) = t("smithy.api#httpQuery") {
            Binding::Query(
                q.as_str()
                    .ok_or_else(|| Problem::malformed(&mid, "@httpQuery must be a string"))?
                    .to_owned(),
            )
        } else if t("smithy.api#httpQueryParams").is_some() {
            Binding::QueryParams
        } else if let Some(h) = t("smithy.api#httpHeader") {
            Binding::Header(
                h.as_str()
                    .ok_or_else(|| Problem::malformed(&mid, "@httpHeader must be a string"))?
                    .to_ascii_lowercase(),
            )
        } else if let Some(h) = t("smithy.api#httpPrefixHeaders") {
            Binding::PrefixHeaders(
                h.as_str()
                    .ok_or_else(|| Problem::malformed(&mid, "@httpPrefixHeaders must be a string"))?
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
        if ty == Ty::ByteStream && binding != Binding::Payload {
            return Err(Problem::malformed(
                &mid,
                "a @streaming blob must be an operation's @httpPayload",
            ));
        }
        let default = if is_union {
            None
        } else {
            self.default_of(&mid, m, &ty)?
        };
        Ok(Member {
            wire_name: wire.to_owned(),
            local: naming::member_local_name(&names.field),
            rust_name: names.field,
            setter: names.setter,
            getter: names.getter,
            json_name: t("smithy.api#jsonName")
                .and_then(Value::as_str)
                .unwrap_or(wire)
                .to_owned(),
            required: !is_union
                && m.has("smithy.api#required")
                && !m.has("smithy.api#clientOptional"),
            default,
            sensitive: m.has("smithy.api#sensitive") || self.sensitive(&m.target, 0),
            docs: doc_of(&m.traits),
            binding,
            idempotency_token: m.has("smithy.api#idempotencyToken"),
            boxed: false,
            constraints: self.constraints(m, 0),
            media_type: target_shape
                .and_then(|s| s.traits.get("smithy.api#mediaType"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            requires_length: target_shape.is_some_and(|s| s.has("smithy.api#requiresLength")),
            ty,
        })
    }

    fn struct_def(&self, id: &str, rust_name: String, role: Role) -> Lowered<StructDef> {
        let shape = self.shape(id, id)?;
        let mut members = Vec::new();
        let wires: Vec<&str> = shape.members.iter().map(|(w, _)| w.as_str()).collect();
        let reserved = match role {
            Role::Output => naming::OUTPUT_RESERVED,
            Role::Input => naming::INPUT_RESERVED,
            Role::Plain | Role::Error => &[],
        };
        let names = naming::member_names_reserving(&wires, reserved)
            .map_err(|e| Problem::malformed(id, e))?;
        for ((wire, m), names) in shape.members.iter().zip(names) {
            members.push(self.member(id, wire, names, m, false)?);
        }
        if role != Role::Input
            && role != Role::Output
            && members.iter().any(|m| m.ty == Ty::ByteStream)
        {
            return Err(Problem::malformed(
                id,
                "only operation inputs and outputs can have @streaming members",
            ));
        }
        let error = match (role, shape.traits.get("smithy.api#error")) {
            (Role::Error, Some(v)) => {
                let fault = v
                    .as_str()
                    .ok_or_else(|| Problem::malformed(id, "@error must be a string"))?;
                if !matches!(fault, "client" | "server") {
                    return Err(Problem::malformed(
                        id,
                        "@error must be `client` or `server`",
                    ));
                }
                // The status is not needed: responses are matched to errors by their code.
                if let Some(s) = shape.traits.get("smithy.api#httpError")
                    && !s.as_u64().is_some_and(|s| (100..600).contains(&s))
                {
                    return Err(Problem::malformed(id, "@httpError must be a status code"));
                }
                Some(ErrorInfo {
                    code: short_name(id).to_owned(),
                    message: message_member(&members),
                    response_fn: naming::error_response_fn_name(&rust_name),
                })
            }
            (Role::Error, None) => {
                return Err(Problem::malformed(
                    id,
                    "listed as an error but has no @error trait",
                ));
            }
            _ => None,
        };
        let expiry = if role == Role::Input {
            Vec::new()
        } else {
            expiry_helpers(&members)
        };
        Ok(StructDef {
            shape_id: id.to_owned(),
            module: naming::module_name(&rust_name).map_err(|e| Problem::malformed(id, e))?,
            builder: naming::builder_name(&rust_name),
            rust_name,
            docs: doc_of(&shape.traits),
            members,
            error,
            expiry,
            ser_fn: None,
            de_fn: None,
            check_fn: None,
            body_reader: None,
        })
    }

    fn type_def(&self, id: &str, kind: NamedKind) -> Lowered<TypeDef> {
        let shape = self.shape(id, id)?;
        let rust_name = self.type_name(id);
        let module = naming::module_name(&rust_name).map_err(|e| Problem::malformed(id, e))?;
        let docs = doc_of(&shape.traits);
        Ok(match kind {
            NamedKind::Struct => TypeDef::Struct(self.struct_def(id, rust_name, Role::Plain)?),
            NamedKind::Union => {
                let mut variants = Vec::new();
                let wires: Vec<&str> = shape.members.iter().map(|(w, _)| w.as_str()).collect();
                let variant_names =
                    naming::union_variant_names(&wires).map_err(|e| Problem::malformed(id, e))?;
                let member_names =
                    naming::member_names(&wires).map_err(|e| Problem::malformed(id, e))?;
                for (((wire, m), vn), mn) in
                    shape.members.iter().zip(variant_names).zip(member_names)
                {
                    let mut member = self.member(id, wire, mn, m, true)?;
                    if member.ty == Ty::ByteStream {
                        return Err(Problem::malformed(id, "a union of streaming blobs"));
                    }
                    let (is_fn, as_fn) = naming::variant_fn_names(&vn.rust);
                    member.rust_name = vn.rust;
                    variants.push(UnionVariant {
                        member,
                        is_fn,
                        as_fn,
                    });
                }
                if variants.is_empty() {
                    return Err(Problem::malformed(id, "a union needs at least one member"));
                }
                TypeDef::Union(UnionDef {
                    shape_id: id.to_owned(),
                    rust_name,
                    module,
                    docs,
                    variants,
                    ser_fn: None,
                    de_fn: None,
                    check_fn: None,
                })
            }
            NamedKind::Enum => {
                let mut variants = Vec::new();
                if let Some(values) = shape.traits.get("smithy.api#enum") {
                    let values = values
                        .as_array()
                        .ok_or_else(|| Problem::malformed(id, "@enum must be a list"))?;
                    for v in values {
                        let value = v.get("value").and_then(Value::as_str).ok_or_else(|| {
                            Problem::malformed(id, "@enum entry without a string `value`")
                        })?;
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
                                    Problem::malformed(
                                        &format!("{id}${name}"),
                                        "@enumValue must be a string",
                                    )
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
                let rust =
                    naming::enum_variant_names(&pairs).map_err(|e| Problem::malformed(id, e))?;
                for (v, n) in variants.iter_mut().zip(rust) {
                    v.rust_name = n.rust;
                }
                TypeDef::Enum(EnumDef {
                    shape_id: id.to_owned(),
                    rust_name,
                    module,
                    docs,
                    variants,
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
                            Problem::malformed(
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
                let rust =
                    naming::enum_variant_names(&pairs).map_err(|e| Problem::malformed(id, e))?;
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

/// The typed form of a `@default` value, or `None` when the generator cannot write it.
fn typed_default(ty: &Ty, value: &Value) -> Option<DefaultValue> {
    Some(match (ty, value) {
        (Ty::String, Value::String(s)) => DefaultValue::String(s.clone()),
        (Ty::Bool, Value::Bool(b)) => DefaultValue::Bool(*b),
        (Ty::Byte | Ty::Short | Ty::Integer | Ty::Long, Value::Number(n)) => {
            let n = n.as_i64()?;
            let fits = match ty {
                Ty::Byte => i8::try_from(n).is_ok(),
                Ty::Short => i16::try_from(n).is_ok(),
                Ty::Integer => i32::try_from(n).is_ok(),
                _ => true,
            };
            if !fits {
                return None;
            }
            DefaultValue::Int(n)
        }
        (Ty::Float | Ty::Double, Value::Number(n)) => DefaultValue::Float(n.as_f64()?),
        (Ty::Timestamp(_), Value::Number(n)) => DefaultValue::Timestamp(n.as_f64()?),
        (Ty::Blob, Value::String(s)) => DefaultValue::Blob(decode_base64(s)?),
        (Ty::Document, v) => DefaultValue::Document(v.to_string()),
        (Ty::List { .. }, Value::Array(a)) if a.is_empty() => DefaultValue::EmptyList,
        (Ty::Map { .. }, Value::Object(o)) if o.is_empty() => DefaultValue::EmptyMap,
        (
            Ty::Named {
                kind: NamedKind::Enum,
                ..
            },
            Value::String(s),
        ) => DefaultValue::Enum(s.clone()),
        (
            Ty::Named {
                kind: NamedKind::IntEnum,
                ..
            },
            Value::Number(n),
        ) => DefaultValue::IntEnum(n.as_i64().and_then(|n| i32::try_from(n).ok())?),
        _ => return None,
    })
}

/// Standard base64 (with or without padding), or `None` when `text` is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

/// The member an error's message lives in: the first string member named `message` in any
/// case (one rule for the message accessor, `Display` and filling it from the response).
fn message_member(members: &[Member]) -> Option<MessageMember> {
    members
        .iter()
        .find(|m| m.wire_name.eq_ignore_ascii_case("message") && m.ty == Ty::String)
        .map(|m| MessageMember {
            field: m.rust_name.clone(),
            non_optional: m.non_optional(),
            fill_from_response: m.binding == Binding::Body,
            accessor: m.rust_name != "message",
        })
}

/// Expiry predicates of a structure, without clashing with its members' methods.
fn expiry_helpers(members: &[Member]) -> Vec<ExpiryHelper> {
    let mut out: Vec<ExpiryHelper> = Vec::new();
    for m in members {
        if !matches!(m.ty, Ty::Timestamp(_)) {
            continue;
        }
        let Some(predicate) = naming::expiry_predicate_name(&m.wire_name) else {
            continue;
        };
        let clash = members
            .iter()
            .any(|o| o.rust_name == predicate || o.getter == predicate || o.setter == predicate);
        if clash || out.iter().any(|h| h.predicate == predicate) {
            continue;
        }
        out.push(ExpiryHelper {
            predicate,
            field: m.rust_name.clone(),
            wire: m.wire_name.clone(),
            non_optional: m.non_optional(),
        });
    }
    out
}

fn collect_operations(model: &Model, root: &str) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([root.to_owned()]);
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let shape = model
            .shapes
            .get(&id)
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
            queue.push_back(r.target.clone());
        }
    }
    Ok(out)
}

/// Query pairs written in an `@http` uri (`?key=value&flag`).
type QueryLiterals = Vec<(String, Option<String>)>;

fn parse_uri(
    op: &str,
    uri: &str,
    input: &StructDef,
    label_defaults: &[(&str, &str)],
) -> Lowered<(Vec<UriSegment>, QueryLiterals)> {
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    if !path.starts_with('/') {
        return Err(Problem::malformed(
            op,
            format!("@http uri {uri:?} must start with `/`"),
        ));
    }
    let mut segments = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map(|e| start + e).ok_or_else(|| {
            Problem::malformed(op, format!("unclosed label in @http uri {uri:?}"))
        })?;
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
            .find(|m| m.wire_name == name && m.binding == Binding::Label)
            .ok_or_else(|| {
                Problem::malformed(
                    op,
                    format!("label `{{{label}}}` has no @httpLabel input member"),
                )
            })?;
        segments.push(UriSegment::Label {
            field: member.rust_name.clone(),
            greedy,
            if_empty: label_defaults
                .iter()
                .find(|(wire, _)| *wire == name)
                .map(|(_, v)| (*v).to_owned()),
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

fn parse_host_prefix(op: &str, prefix: &str, input: &StructDef) -> Lowered<Vec<HostSegment>> {
    let mut out = Vec::new();
    let mut rest = prefix;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map(|e| start + e).ok_or_else(|| {
            Problem::malformed(op, format!("unclosed label in host prefix {prefix:?}"))
        })?;
        if start > 0 {
            out.push(HostSegment::Literal(rest[..start].to_owned()));
        }
        let label = &rest[start + 1..end];
        let m = input
            .members
            .iter()
            .find(|m| m.wire_name == label)
            .ok_or_else(|| {
                Problem::malformed(
                    op,
                    format!("host prefix label `{{{label}}}` has no input member"),
                )
            })?;
        if m.ty != Ty::String {
            return Err(Problem::malformed(
                op,
                format!("host prefix label `{{{label}}}` must be a string member"),
            ));
        }
        out.push(HostSegment::Label {
            field: m.rust_name.clone(),
            wire: m.wire_name.clone(),
            non_optional: m.non_optional(),
        });
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        out.push(HostSegment::Literal(rest.to_owned()));
    }
    Ok(out)
}

/// Service customizations the other AWS SDKs apply, as data: (sdk id, operation or `*`,
/// customization). Label defaults are `(sdk id, label, value)`.
fn service_customizations(sdk_id: &str, op: &str, version: &str) -> Vec<Customization> {
    let mut out = Vec::new();
    if sdk_id == "Glacier" {
        out.push(Customization::DefaultHeader {
            name: "x-amz-glacier-version".into(),
            value: version.to_owned(),
        });
        if matches!(op, "UploadArchive" | "UploadMultipartPart") {
            out.push(Customization::GlacierChecksums);
        }
    }
    if sdk_id == "API Gateway" {
        out.push(Customization::DefaultHeader {
            name: "accept".into(),
            value: "application/json".into(),
        });
    }
    out
}

/// Labels that get a value when empty: Glacier takes `-` for "the account of the credentials".
fn label_defaults(sdk_id: &str) -> &'static [(&'static str, &'static str)] {
    if sdk_id == "Glacier" {
        &[("accountId", "-")]
    } else {
        &[]
    }
}

/// The auth schemes of an operation, in order: its `@auth`, else the service's `@auth`, else
/// every auth trait of the service (sorted by shape id, as Smithy orders them).
fn operation_auth(op_id: &str, op: &Shape, service: &Shape) -> Lowered<Vec<AuthScheme>> {
    let listed = op
        .traits
        .get("smithy.api#auth")
        .or_else(|| service.traits.get("smithy.api#auth"));
    let ids: Vec<String> = match listed {
        Some(v) => v
            .as_array()
            .ok_or_else(|| Problem::malformed(op_id, "@auth must be a list"))?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Problem::malformed(op_id, "@auth must list shape ids"))
            })
            .collect::<Lowered<_>>()?,
        None => service
            .traits
            .keys()
            .filter(|t| {
                matches!(t.as_str(), "aws.auth#sigv4" | "smithy.api#httpBearerAuth")
                    || UNSUPPORTED_AUTH.contains(&t.as_str())
            })
            .cloned()
            .collect(),
    };
    let schemes: Vec<AuthScheme> = ids
        .iter()
        .filter_map(|id| match id.as_str() {
            "aws.auth#sigv4" => Some(AuthScheme::SigV4),
            "smithy.api#httpBearerAuth" => Some(AuthScheme::Bearer),
            _ => None,
        })
        .collect();
    if schemes.is_empty() && !ids.is_empty() {
        return Err(Problem::unsupported(
            op_id,
            format!(
                "auth scheme(s) {} are not supported by this generator",
                ids.join(", ")
            ),
        ));
    }
    Ok(schemes)
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

/// The operation's name in the client (after the service's renames).
fn operation_name(renames: &BTreeMap<String, String>, op_id: &str) -> String {
    renames
        .get(op_id)
        .cloned()
        .unwrap_or_else(|| short_name(op_id).to_owned())
}

/// Lowers one service of `model`.
pub fn lower_service(model: &Model, service_id: &str, service: &Shape) -> Result<Service, String> {
    if !service.has("aws.protocols#restJson1") {
        return Err(err(
            service_id,
            "the service does not use the aws.protocols#restJson1 protocol",
        ));
    }
    // A trait on the service concerns every operation: none could be generated correctly.
    check_traits(service_id, &service.traits).map_err(|p| {
        format!(
            "{}; it is on the service, so no operation could be generated correctly",
            fatal(p)
        )
    })?;
    let mut lw = Lowerer {
        model,
        renames: service.rename.clone(),
        type_names: BTreeMap::new(),
        local_problems: BTreeMap::new(),
    };
    let aws = service.traits.get("aws.api#service");
    let sdk_id = aws
        .and_then(|v| v.get("sdkId"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| short_name(service_id).to_owned());
    let version = service.version.clone().unwrap_or_default();

    // Pass 1: which operations can be generated.
    let op_ids = collect_operations(model, service_id)?;
    let mut kept: Vec<&str> = Vec::new();
    let mut skipped = Vec::new();
    for op_id in &op_ids {
        match check_operation(&mut lw, op_id, service) {
            Ok(()) => kept.push(op_id),
            Err(Problem::Unsupported(reason)) => skipped.push(Skipped {
                operation: operation_name(&lw.renames, op_id),
                reason,
            }),
            Err(Problem::Malformed(m)) => return Err(m),
        }
    }

    // Pass 2: the shapes the kept operations reach through members, and their names.
    let mut member_roots = Vec::new();
    let mut error_ids = BTreeSet::new();
    for op_id in &kept {
        let op = lw.shape(op_id, service_id).map_err(fatal)?;
        for io in [&op.input, &op.output].into_iter().flatten() {
            if let Some(s) = model.shapes.get(&io.target) {
                member_roots.extend(s.members.iter().map(|(_, m)| m.target.clone()));
            }
        }
        for e in op.errors.iter().chain(&service.errors) {
            error_ids.insert(e.target.clone());
            if let Some(s) = model.shapes.get(&e.target) {
                member_roots.extend(s.members.iter().map(|(_, m)| m.target.clone()));
            }
        }
    }
    let (reached, problem) = lw.closure(&member_roots);
    if let Some(p) = problem {
        return Err(format!(
            "internal error: checked shapes failed: {}",
            fatal(p)
        ));
    }
    let mut named: BTreeMap<String, NamedKind> = BTreeMap::new();
    for id in &reached {
        let Some(shape) = model.shapes.get(id) else {
            continue;
        };
        let kind = match shape.kind.as_str() {
            "structure" => NamedKind::Struct,
            "union" => NamedKind::Union,
            "enum" => NamedKind::Enum,
            "intEnum" => NamedKind::IntEnum,
            "string" if shape.has("smithy.api#enum") => NamedKind::Enum,
            _ => continue,
        };
        named.insert(id.clone(), kind);
    }
    let all_ids: BTreeSet<&String> = named.keys().chain(error_ids.iter()).collect();
    let pairs: Vec<(&str, String)> = all_ids
        .iter()
        .map(|id| {
            (
                id.as_str(),
                lw.renames
                    .get(*id)
                    .cloned()
                    .unwrap_or_else(|| short_name(id).to_owned()),
            )
        })
        .collect();
    let pair_refs: Vec<(&str, &str)> = pairs.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let rust = naming::shape_type_names(&pair_refs).map_err(|e| err(service_id, e))?;
    for ((id, _), n) in pairs.iter().zip(rust) {
        lw.type_names.insert((*id).to_owned(), n.rust);
    }

    let mut types = Vec::new();
    for (id, kind) in &named {
        types.push(lw.type_def(id, *kind).map_err(fatal)?);
    }
    let mut errors = Vec::new();
    for id in &error_ids {
        let shape = lw.shape(id, service_id).map_err(fatal)?;
        if shape.kind != "structure" {
            return Err(err(id, "an error must be a structure"));
        }
        errors.push(
            lw.struct_def(id, lw.type_name(id), Role::Error)
                .map_err(fatal)?,
        );
    }
    mark_boxed(&mut types);
    types.sort_by(|a, b| a.rust_name().cmp(b.rust_name()));
    errors.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));

    let mut operations = Vec::new();
    for op_id in &kept {
        operations
            .push(lower_operation(&lw, op_id, service, &sdk_id, &version, &errors).map_err(fatal)?);
    }
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    skipped.sort_by(|a, b| a.operation.cmp(&b.operation));
    plan_codecs(&mut types, &errors, &operations);
    let body_readers = plan_body_readers(&mut operations, &mut errors, &mut types);

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
    let mut runtime_features = Vec::new();
    if operations
        .iter()
        .any(|o| o.streaming_input().is_some() || o.streaming_output().is_some())
    {
        runtime_features.push("streaming");
    }
    if operations
        .iter()
        .any(|o| o.auth.contains(&AuthScheme::Bearer))
    {
        runtime_features.push("bearer");
    }
    let customized = |c: &Customization| operations.iter().any(|o| o.customizations.contains(c));
    if customized(&Customization::Gzip) {
        runtime_features.push("compression");
    }
    if customized(&Customization::ContentMd5) {
        runtime_features.push("checksums");
    }
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
        version,
        docs: doc_of(&service.traits),
        operations,
        types,
        errors,
        body_readers,
        endpoint_rules: service.traits.get("smithy.rules#endpointRuleSet").cloned(),
        endpoint_tests: service.traits.get("smithy.rules#endpointTests").cloned(),
        skipped,
        runtime_features,
    })
}

/// Finds whatever would keep an operation from being generated: its own traits, an
/// unsupported shape or trait anywhere it reaches, an auth scheme it cannot use, pagination it
/// cannot resolve.
fn check_operation(lw: &mut Lowerer, op_id: &str, service: &Shape) -> Lowered<()> {
    let op = lw.shape(op_id, op_id)?;
    if op.kind != "operation" {
        return Err(Problem::malformed(
            op_id,
            "bound as an operation but is not one",
        ));
    }
    check_traits(op_id, &op.traits)?;
    let mut roots = Vec::new();
    for io in [&op.input, &op.output].into_iter().flatten() {
        if io.target != "smithy.api#Unit" {
            let s = lw.shape(&io.target, op_id)?;
            if s.kind != "structure" {
                return Err(Problem::malformed(
                    op_id,
                    "input and output must be structures",
                ));
            }
            roots.push(io.target.clone());
        }
    }
    roots.extend(
        op.errors
            .iter()
            .chain(&service.errors)
            .map(|e| e.target.clone()),
    );
    let (_, problem) = lw.closure(&roots);
    if let Some(p) = problem {
        return Err(p);
    }
    operation_auth(op_id, op, service)?;
    if let Some(p) = op.traits.get("smithy.api#paginated") {
        check_pagination(lw, op_id, op, p, service)?;
    }
    Ok(())
}

/// The `@paginated` values of an operation, completed by the service's.
fn paginated_value(p: &Value, service: &Shape, key: &str) -> Option<String> {
    p.get(key)
        .and_then(Value::as_str)
        .or_else(|| {
            service
                .traits
                .get("smithy.api#paginated")
                .and_then(|sp| sp.get(key))
                .and_then(Value::as_str)
        })
        .map(str::to_owned)
}

fn check_pagination(
    lw: &Lowerer,
    op_id: &str,
    op: &Shape,
    p: &Value,
    service: &Shape,
) -> Lowered<()> {
    let member_ty = |io: &Option<crate::model::Target>, name: &str| -> Lowered<Ty> {
        if name.contains('.') {
            return Err(Problem::unsupported(
                op_id,
                format!("@paginated path `{name}` into a nested structure is not supported"),
            ));
        }
        let shape = io
            .as_ref()
            .and_then(|t| lw.model.shapes.get(&t.target))
            .ok_or_else(|| {
                Problem::malformed(op_id, "@paginated operation without input or output")
            })?;
        let (_, m) = shape
            .members
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| {
                Problem::malformed(
                    op_id,
                    format!("@paginated names `{name}`, which is not a member"),
                )
            })?;
        lw.ty(&m.target, &m.traits, op_id, 0)
    };
    let (Some(input_token), Some(output_token)) = (
        paginated_value(p, service, "inputToken"),
        paginated_value(p, service, "outputToken"),
    ) else {
        return Err(Problem::malformed(
            op_id,
            "@paginated without inputToken and outputToken",
        ));
    };
    for (io, name) in [(&op.input, &input_token), (&op.output, &output_token)] {
        if member_ty(io, name)? != Ty::String {
            return Err(Problem::unsupported(
                op_id,
                format!("pagination token `{name}` is not a string"),
            ));
        }
    }
    if let Some(size) = paginated_value(p, service, "pageSize")
        && !matches!(member_ty(&op.input, &size)?, Ty::Integer | Ty::Long)
    {
        return Err(Problem::unsupported(
            op_id,
            format!("page size `{size}` is neither an integer nor a long"),
        ));
    }
    let streams = op
        .output
        .as_ref()
        .and_then(|t| lw.model.shapes.get(&t.target))
        .is_some_and(|s| {
            s.members.iter().any(|(_, m)| {
                lw.model
                    .shapes
                    .get(&m.target)
                    .is_some_and(|t| t.has("smithy.api#streaming"))
            })
        });
    if streams {
        return Err(Problem::unsupported(
            op_id,
            "pagination of an operation with a streaming output is not supported",
        ));
    }
    if let Some(items) = paginated_value(p, service, "items")
        && !matches!(
            member_ty(&op.output, &items)?,
            Ty::List { .. } | Ty::Map { .. }
        )
    {
        return Err(Problem::unsupported(
            op_id,
            format!("paginated items `{items}` are neither a list nor a map"),
        ));
    }
    Ok(())
}

fn page_field(members: &[Member], wire: &str) -> Option<PageField> {
    members
        .iter()
        .find(|m| m.wire_name == wire)
        .map(|m| PageField {
            field: m.rust_name.clone(),
            wire: m.wire_name.clone(),
            non_optional: m.non_optional(),
        })
}

fn resolve_pagination(
    op_id: &str,
    p: &Value,
    service: &Shape,
    type_name: &str,
    input: &StructDef,
    output: &StructDef,
) -> Lowered<Pagination> {
    let missing =
        |name: &str| Problem::malformed(op_id, format!("@paginated member `{name}` not found"));
    let value = |k: &str| paginated_value(p, service, k);
    let it = value("inputToken").unwrap_or_default();
    let ot = value("outputToken").unwrap_or_default();
    let input_token = page_field(&input.members, &it).ok_or_else(|| missing(&it))?;
    let output_token = page_field(&output.members, &ot).ok_or_else(|| missing(&ot))?;
    let page_size = match value("pageSize") {
        None => None,
        Some(name) => {
            let f = page_field(&input.members, &name).ok_or_else(|| missing(&name))?;
            let long = input
                .members
                .iter()
                .any(|m| m.wire_name == name && m.ty == Ty::Long);
            Some((f, long))
        }
    };
    // Without `items`, the output's only list is what the pages list.
    let items_member = match value("items") {
        Some(name) => Some(
            output
                .members
                .iter()
                .find(|m| m.wire_name == name)
                .ok_or_else(|| missing(&name))?,
        ),
        None => {
            let lists: Vec<&Member> = output
                .members
                .iter()
                .filter(|m| matches!(m.ty, Ty::List { .. }))
                .collect();
            match lists.as_slice() {
                [one] => Some(*one),
                _ => None,
            }
        }
    };
    let field = |m: &Member| PageField {
        field: m.rust_name.clone(),
        wire: m.wire_name.clone(),
        non_optional: m.non_optional(),
    };
    let items = items_member.and_then(|m| match &m.ty {
        Ty::List { elem, sparse } => Some(PageItems {
            field: field(m),
            elem: (**elem).clone(),
            sparse: *sparse,
            map: false,
        }),
        Ty::Map { value, sparse } => Some(PageItems {
            field: field(m),
            elem: (**value).clone(),
            sparse: *sparse,
            map: true,
        }),
        _ => None,
    });
    Ok(Pagination {
        alias: naming::paginator_name(type_name),
        input_token,
        output_token,
        page_size,
        items,
    })
}

fn lower_operation(
    lw: &Lowerer,
    op_id: &str,
    service: &Shape,
    sdk_id: &str,
    version: &str,
    error_defs: &[StructDef],
) -> Lowered<Operation> {
    let op = lw.shape(op_id, op_id)?;
    let name = operation_name(&lw.renames, op_id);
    let rust_base = naming::operation_type_name(&name).map_err(|e| Problem::malformed(op_id, e))?;
    let io = |t: &Option<crate::model::Target>, role: Role| -> Lowered<StructDef> {
        let rust_name = if role == Role::Input {
            naming::input_name(&rust_base)
        } else {
            naming::output_name(&rust_base)
        };
        match t {
            Some(t) if t.target != "smithy.api#Unit" => lw.struct_def(&t.target, rust_name, role),
            _ => Ok(StructDef {
                shape_id: "smithy.api#Unit".into(),
                module: naming::module_name(&rust_name)
                    .map_err(|e| Problem::malformed(op_id, e))?,
                builder: naming::builder_name(&rust_name),
                rust_name,
                docs: vec![],
                members: vec![],
                error: None,
                expiry: vec![],
                ser_fn: None,
                de_fn: None,
                check_fn: None,
                body_reader: None,
            }),
        }
    };
    let mut input = io(&op.input, Role::Input)?;
    // Clients send a top-level input member only when the caller sets it, so its @default stays
    // with the service: the field is optional (streaming payloads stay an empty body).
    for m in &mut input.members {
        if !m.required && m.ty != Ty::ByteStream {
            m.default = None;
        }
    }
    let output = io(&op.output, Role::Output)?;
    for (s, what) in [(&input, "input"), (&output, "output")] {
        let payloads = s
            .members
            .iter()
            .filter(|m| m.binding == Binding::Payload)
            .count();
        if payloads > 1 {
            return Err(Problem::malformed(
                &s.shape_id,
                format!("an operation {what} can have only one @httpPayload member"),
            ));
        }
    }
    let http = op
        .traits
        .get("smithy.api#http")
        .ok_or_else(|| Problem::malformed(op_id, "restJson1 operations need the @http trait"))?;
    let method = http
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::malformed(op_id, "@http without `method`"))?
        .to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Problem::malformed(
            op_id,
            format!("@http method {method:?} is not an HTTP method"),
        ));
    }
    let uri = http
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::malformed(op_id, "@http without `uri`"))?;
    let (path, query_literals) = parse_uri(op_id, uri, &input, label_defaults(sdk_id))?;
    for m in &input.members {
        if m.binding != Binding::Label {
            continue;
        }
        let mid = format!("{}${}", input.shape_id, m.wire_name);
        if !path
            .iter()
            .any(|s| matches!(s, UriSegment::Label { field, .. } if *field == m.rust_name))
        {
            return Err(Problem::malformed(
                &mid,
                "@httpLabel member not used in the @http uri",
            ));
        }
        if !m.required {
            return Err(Problem::malformed(
                &mid,
                "@httpLabel members must be @required",
            ));
        }
    }
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
    .map_err(|e| Problem::malformed(op_id, e))?;
    let mut errors = Vec::new();
    for ((e, rust_name), variant) in error_ids.iter().zip(rust_names).zip(variants) {
        let info = error_defs
            .iter()
            .find(|d| d.shape_id == *e)
            .and_then(|d| d.error.as_ref())
            .ok_or_else(|| Problem::malformed(e, "listed as an error but not lowered"))?;
        let (predicate, _) = naming::variant_fn_names(&variant.rust);
        errors.push(ErrorRef {
            variant: variant.rust,
            rust_name,
            code: info.code.clone(),
            predicate,
            response_fn: info.response_fn.clone(),
        });
    }
    let pagination = match op.traits.get("smithy.api#paginated") {
        None => None,
        Some(p) => Some(resolve_pagination(
            op_id, p, service, &rust_base, &input, &output,
        )?),
    };
    let host_prefix = match op
        .traits
        .get("smithy.api#endpoint")
        .and_then(|e| e.get("hostPrefix"))
        .and_then(Value::as_str)
    {
        Some(prefix) => parse_host_prefix(op_id, prefix, &input)?,
        None => Vec::new(),
    };
    let mut customizations = Vec::new();
    if op.has("smithy.api#httpChecksumRequired") {
        customizations.push(Customization::ContentMd5);
    }
    let gzip = op
        .traits
        .get("smithy.api#requestCompression")
        .and_then(|v| v.get("encodings"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|e| e.as_str() == Some("gzip")));
    if gzip {
        customizations.push(Customization::Gzip);
    }
    customizations.extend(service_customizations(sdk_id, &name, version));
    let streaming_input = input.members.iter().any(|m| m.ty == Ty::ByteStream);
    if streaming_input {
        // A stream cannot be compressed before sending; checksums are computed when the
        // streamed body is in memory (see the runtime's helpers).
        customizations.retain(|c| *c != Customization::Gzip);
    }
    let module = naming::operation_module_name(&name).map_err(|e| Problem::malformed(op_id, e))?;
    Ok(Operation {
        shape_id: op_id.to_owned(),
        fn_name: naming::operation_fn_name(&name).map_err(|e| Problem::malformed(op_id, e))?,
        error_enum: naming::operation_error_name(&rust_base),
        fluent: naming::fluent_builder_name(&rust_base),
        check_fn: naming::input_check_fn_name(&module),
        module,
        docs: doc_of(&op.traits),
        method,
        path,
        query_literals,
        input,
        output,
        errors,
        pagination,
        idempotent: op.has("smithy.api#idempotent") || op.has("smithy.api#readonly"),
        auth: operation_auth(op_id, op, service)?,
        host_prefix,
        customizations,
        name,
    })
}

fn members_of(t: &TypeDef) -> Vec<&Member> {
    match t {
        TypeDef::Struct(s) => s.members.iter().collect(),
        TypeDef::Union(u) => u.variants.iter().map(|v| &v.member).collect(),
        _ => Vec::new(),
    }
}

/// The structures and unions a type refers to directly or through lists and maps.
fn named_in<'t>(ty: &'t Ty, out: &mut Vec<&'t str>) {
    match ty {
        Ty::List { elem, .. } => named_in(elem, out),
        Ty::Map { value, .. } => named_in(value, out),
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            shape_id,
            ..
        } => out.push(shape_id),
        _ => {}
    }
}

/// The shape ids of structures and unions reachable from `members`.
fn reach<'t>(
    roots: impl IntoIterator<Item = &'t Member>,
    by_id: &BTreeMap<&str, &'t TypeDef>,
) -> BTreeSet<&'t str> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<&str> = Vec::new();
    for m in roots {
        named_in(&m.ty, &mut queue);
    }
    while let Some(id) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(t) = by_id.get(id) {
            for m in members_of(t) {
                named_in(&m.ty, &mut queue);
            }
        }
    }
    seen
}

/// Whether a value of `ty` constrained by `c` has anything to check, given the named types
/// known to need checks.
pub fn ty_needs_check(ty: &Ty, c: &Constraints, checked: &BTreeSet<String>) -> bool {
    // Only the constraints that apply to the type are checked (an enum's length is not).
    let own = match ty {
        Ty::String => c.length.is_some() || c.pattern.is_some(),
        Ty::Blob | Ty::List { .. } | Ty::Map { .. } => c.length.is_some(),
        Ty::Byte | Ty::Short | Ty::Integer | Ty::Long | Ty::Float | Ty::Double => c.range.is_some(),
        _ => false,
    };
    if own {
        return true;
    }
    let empty = Constraints::default();
    match ty {
        Ty::List { elem, .. } => ty_needs_check(elem, c.elem.as_deref().unwrap_or(&empty), checked),
        Ty::Map { value, .. } => {
            c.key.as_deref().is_some_and(Constraints::any)
                || ty_needs_check(value, c.value.as_deref().unwrap_or(&empty), checked)
        }
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            shape_id,
            ..
        } => checked.contains(shape_id),
        _ => false,
    }
}

/// Decides which types get JSON serializers (reached from inputs), deserializers (reached from
/// outputs and errors) and constraint checkers (reached from inputs, with constraints), so
/// that no generated function goes unused.
fn plan_codecs(types: &mut [TypeDef], errors: &[StructDef], operations: &[Operation]) {
    let (ser, de, checked) = {
        let by_id: BTreeMap<&str, &TypeDef> = types.iter().map(|t| (t.shape_id(), t)).collect();
        let ser = reach(operations.iter().flat_map(|o| &o.input.members), &by_id);
        let de = reach(
            operations
                .iter()
                .flat_map(|o| &o.output.members)
                .chain(errors.iter().flat_map(|e| &e.members)),
            &by_id,
        );
        // Fixpoint: a type needs a checker if any member does.
        let mut checked: BTreeSet<String> = BTreeSet::new();
        loop {
            let mut changed = false;
            for id in &ser {
                if checked.contains(*id) {
                    continue;
                }
                let Some(t) = by_id.get(id) else { continue };
                if members_of(t)
                    .iter()
                    .any(|m| ty_needs_check(&m.ty, &m.constraints, &checked))
                {
                    checked.insert((*id).to_owned());
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let ser: BTreeSet<String> = ser.into_iter().map(str::to_owned).collect();
        let de: BTreeSet<String> = de.into_iter().map(str::to_owned).collect();
        (ser, de, checked)
    };
    for t in types.iter_mut() {
        let (id, rust, ser_fn, de_fn, check_fn) = match t {
            TypeDef::Struct(s) => (
                s.shape_id.clone(),
                s.rust_name.clone(),
                &mut s.ser_fn,
                &mut s.de_fn,
                &mut s.check_fn,
            ),
            TypeDef::Union(u) => (
                u.shape_id.clone(),
                u.rust_name.clone(),
                &mut u.ser_fn,
                &mut u.de_fn,
                &mut u.check_fn,
            ),
            _ => continue,
        };
        let (s, d) = naming::codec_fn_names(&rust);
        *ser_fn = ser.contains(&id).then_some(s);
        *de_fn = de.contains(&id).then_some(d);
        *check_fn = checked.contains(&id).then(|| naming::check_fn_name(&rust));
    }
}

/// A reader of the members a response carries in its body, as a tuple of `Option`s in member
/// order; `members` are the body members of the first output or error read with it, with
/// enums read as their wire value (see [`wire_ty`]).
#[derive(Debug, Clone)]
pub struct BodyReader {
    pub name: String,
    pub members: Vec<Member>,
}

/// The members of `s` read from the response body, in order (a streaming payload is the body
/// itself, not read).
pub fn response_body_members(s: &StructDef) -> impl Iterator<Item = &Member> {
    s.members
        .iter()
        .filter(|m| m.binding.is_body_in_response() && m.ty != Ty::ByteStream)
}

/// The type a body reader reads member type `ty` as: an enum as its wire value (a string or an
/// integer, which the caller converts), so that responses differing only in which enum a
/// member has share a reader; anything else as itself.
pub fn wire_ty(ty: &Ty) -> Ty {
    match ty {
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => Ty::String,
        Ty::Named {
            kind: NamedKind::IntEnum,
            ..
        } => Ty::Integer,
        t => t.clone(),
    }
}

/// Whether two lists of body members are read by the same code: same JSON names in the same
/// order, same types as read (timestamp formats, sparseness and targets included) and boxing.
/// Rust names do not matter: the reader yields a tuple and the caller names its fields.
fn same_body_layout(a: &[Member], b: &[&Member]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.json_name == b.json_name && a.ty == wire_ty(&b.ty) && a.boxed == b.boxed
        })
}

/// Gives every error, every output with body members and every structure read inside documents
/// a body reader: one per distinct layout, named after its first user (outputs of operations
/// by name, then errors, then structures, by name), so that whatever reads alike shares one
/// compiled reader. A structure whose layout is its own keeps a reader of its own
/// (`body_reader` stays `None`): a shared one would only add a call.
fn plan_body_readers(
    operations: &mut [Operation],
    errors: &mut [StructDef],
    types: &mut [TypeDef],
) -> Vec<BodyReader> {
    let mut readers: Vec<BodyReader> = Vec::new();
    // Per reader: how many use it, and whether the first is a structure inside documents.
    let mut uses: Vec<(usize, bool)> = Vec::new();
    let users = operations
        .iter_mut()
        .map(|o| (&mut o.output, false))
        .filter(|(s, _)| response_body_members(s).next().is_some())
        .chain(errors.iter_mut().map(|e| (e, false)))
        .chain(types.iter_mut().filter_map(|t| match t {
            TypeDef::Struct(s) if s.de_fn.is_some() => Some((s, true)),
            _ => None,
        }));
    for (s, nested) in users {
        let members: Vec<&Member> = response_body_members(s).collect();
        let found = readers
            .iter()
            .position(|r| same_body_layout(&r.members, &members));
        let i = found.unwrap_or_else(|| {
            let base = format!("Read{}", s.rust_name);
            let mut name = base.clone();
            let mut n = 1;
            while readers.iter().any(|r| r.name == name) {
                n += 1;
                name = format!("{base}{n}");
            }
            let members = members
                .into_iter()
                .map(|m| Member {
                    ty: wire_ty(&m.ty),
                    ..m.clone()
                })
                .collect();
            readers.push(BodyReader { name, members });
            uses.push((0, nested));
            readers.len() - 1
        });
        uses[i].0 += 1;
        s.body_reader = Some(readers[i].name.clone());
    }
    let alone: BTreeSet<String> = readers
        .iter()
        .zip(&uses)
        .filter(|(_, use_)| **use_ == (1, true))
        .map(|(r, _)| r.name.clone())
        .collect();
    for t in types.iter_mut() {
        if let TypeDef::Struct(s) = t
            && s.body_reader.as_ref().is_some_and(|r| alone.contains(r))
        {
            s.body_reader = None;
        }
    }
    readers.retain(|r| !alone.contains(&r.name));
    readers
}

/// The shape ids of structures and unions whose values have constraints to check.
pub fn checked_types(service: &Service) -> BTreeSet<String> {
    service
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Struct(s) if s.check_fn.is_some() => Some(s.shape_id.clone()),
            TypeDef::Union(u) if u.check_fn.is_some() => Some(u.shape_id.clone()),
            _ => None,
        })
        .collect()
}

/// Boxes struct/union members that would otherwise make a type infinitely sized.
fn mark_boxed(types: &mut [TypeDef]) {
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in types.iter() {
        let direct = members_of(t)
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
        edges.insert(t.shape_id().to_owned(), direct);
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
        let id = t.shape_id().to_owned();
        let members: Vec<&mut Member> = match t {
            TypeDef::Struct(s) => s.members.iter_mut().collect(),
            TypeDef::Union(u) => u.variants.iter_mut().map(|v| &mut v.member).collect(),
            _ => continue,
        };
        for m in members {
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
