//! Parity of the generated IVS Chat client with botocore (see `parity/README.md`).
//!
//! Every request case of `parity/cases.json` is sent through the generated client with the
//! fixed credentials, region and clock botocore used, over a connector that records the request
//! and answers with a canned response (nothing reaches the network). The recorded request is
//! compared with botocore's (`parity/fixtures/requests.json`). Every response case is fed back
//! through the client and the parsed output or error compared with botocore's parse
//! (`parity/fixtures/responses.json`). Where the two legitimately differ, the difference is
//! listed in [`KNOWN_DIFFERENCES`] with its reason; any other difference fails the test, and so
//! does an entry of that table that no longer occurs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use integration_tests::sigv4;
use ivschat::config::{HttpConnector, StaticTimeSource};
use ivschat::error::{SdkError, SdkErrorKind};
use ivschat::types::error::{
    AccessDeniedException, ConflictException, InternalServerException, PendingVerification,
    ResourceNotFoundException, ServiceQuotaExceededException, ThrottlingException,
    ValidationException,
};
use ivschat::types::{
    ChatTokenCapability, CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FallbackResult, FirehoseDestinationConfiguration, LoggingConfigurationSummary,
    MessageReviewHandler, RoomSummary, S3DestinationConfiguration,
};
use ivschat::{Client, Config, Credentials, DateTime};
use restjson_runtime::http::{ConnectorError, ConnectorFuture, HttpRequest};
use serde_json::{Map, Value, json};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
const REGION: &str = "us-west-2";
/// 2024-01-02T03:04:05Z, botocore's pinned signing time.
const SIGNING_TIME: u64 = 1_704_164_645;
const AMZ_DATE: &str = "20240102T030405Z";
const ENDPOINT: &str = "https://ivschat.us-west-2.amazonaws.com";

/// Every operation of the client (`ivschat::operation::*`), in model order.
const OPERATIONS: &[&str] = &[
    "CreateChatToken",
    "CreateLoggingConfiguration",
    "CreateRoom",
    "DeleteLoggingConfiguration",
    "DeleteMessage",
    "DeleteRoom",
    "DisconnectUser",
    "GetLoggingConfiguration",
    "GetRoom",
    "ListLoggingConfigurations",
    "ListRooms",
    "ListTagsForResource",
    "SendEvent",
    "TagResource",
    "UntagResource",
    "UpdateLoggingConfiguration",
    "UpdateRoom",
];

/// The input members the interpreter below maps onto fluent-builder setters, per operation.
const INPUT_MEMBERS: &[(&str, &[&str])] = &[
    (
        "CreateChatToken",
        &[
            "roomIdentifier",
            "userId",
            "capabilities",
            "sessionDurationInMinutes",
            "attributes",
        ],
    ),
    (
        "CreateLoggingConfiguration",
        &["name", "destinationConfiguration", "tags"],
    ),
    (
        "CreateRoom",
        &[
            "name",
            "maximumMessageRatePerSecond",
            "maximumMessageLength",
            "messageReviewHandler",
            "tags",
            "loggingConfigurationIdentifiers",
        ],
    ),
    ("DeleteLoggingConfiguration", &["identifier"]),
    ("DeleteMessage", &["roomIdentifier", "id", "reason"]),
    ("DeleteRoom", &["identifier"]),
    ("DisconnectUser", &["roomIdentifier", "userId", "reason"]),
    ("GetLoggingConfiguration", &["identifier"]),
    ("GetRoom", &["identifier"]),
    ("ListLoggingConfigurations", &["nextToken", "maxResults"]),
    (
        "ListRooms",
        &[
            "name",
            "nextToken",
            "maxResults",
            "messageReviewHandlerUri",
            "loggingConfigurationIdentifier",
        ],
    ),
    ("ListTagsForResource", &["resourceArn"]),
    ("SendEvent", &["roomIdentifier", "eventName", "attributes"]),
    ("TagResource", &["resourceArn", "tags"]),
    ("UntagResource", &["resourceArn", "tagKeys"]),
    (
        "UpdateLoggingConfiguration",
        &["identifier", "name", "destinationConfiguration"],
    ),
    (
        "UpdateRoom",
        &[
            "identifier",
            "name",
            "maximumMessageRatePerSecond",
            "maximumMessageLength",
            "messageReviewHandler",
            "loggingConfigurationIdentifiers",
        ],
    ),
];

/// A documented difference between this client and botocore on one case: at `path` (a
/// dotted path into the compared values, see [`compare`]) this client has `ours` and botocore
/// has `botocore` (JSON text; `None` when the member is absent).
#[derive(Debug)]
struct Known {
    case: &'static str,
    path: &'static str,
    ours: Option<&'static str>,
    botocore: Option<&'static str>,
    reason: &'static str,
}

/// Every difference the comparison is expected to find. Listed in `parity/README.md` too.
const KNOWN_DIFFERENCES: &[Known] = &[
    // Requests.
    Known {
        case: "list_tags_for_resource_label_dot",
        path: "authorization.same_request",
        ours: Some(
            r#""AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-west-2/ivschat/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=205cd7ee28bd4e4bb2b52844f55de3e13b6b0a84d1b952cbca4a7edf78a287e2""#,
        ),
        botocore: Some(
            r#""AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-west-2/ivschat/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=294ac9637320ad5833f3536de368f7b761886a255744e553f119056d0a18c110""#,
        ),
        reason: "path /tags/. : aws-sigv4 removes dot segments per RFC 3986 and signs /tags/ \
                 (trailing slash kept); botocore uses posixpath.normpath and signs /tags",
    },
    Known {
        case: "list_tags_for_resource_label_dot",
        path: "resign.authorization",
        ours: Some(
            r#""AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-west-2/ivschat/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=205cd7ee28bd4e4bb2b52844f55de3e13b6b0a84d1b952cbca4a7edf78a287e2""#,
        ),
        botocore: Some(
            r#""AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-west-2/ivschat/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=294ac9637320ad5833f3536de368f7b761886a255744e553f119056d0a18c110""#,
        ),
        reason: "same request signed by our signer: canonical URI /tags/ (RFC 3986) vs botocore's /tags",
    },
    // Responses: success.
    Known {
        case: "get_logging_configuration_success_unknown_union_variant",
        path: "output.destinationConfiguration.SDK_UNKNOWN_MEMBER.name",
        ours: None,
        botocore: Some(r#""kinesis""#),
        reason: "the Rust union's Unknown variant does not keep the unknown tag's name",
    },
    Known {
        case: "list_rooms_success_required_member_missing",
        path: "output.rooms",
        ours: Some("[]"),
        botocore: None,
        reason: "Smithy error correction: a missing required list is filled with an empty list \
                 (ListRoomsOutput.rooms is a Vec); botocore does not check required output members",
    },
    // Responses: errors.
    Known {
        case: "get_room_error_message_capitalized",
        path: "error.fields.message",
        ours: Some(r#""Room not found""#),
        botocore: None,
        reason: "the body spells it `Message`: this client fills the modelled `message` member \
                 from the response's message; botocore leaves the member absent (both report the \
                 same text as the error message)",
    },
    Known {
        case: "get_room_error_no_code_404",
        path: "error.code",
        ours: Some(r#""""#),
        botocore: Some(r#""404""#),
        reason: "no code anywhere: botocore falls back to the HTTP status as the code; we report no code",
    },
    Known {
        case: "get_room_error_empty_body_404",
        path: "error.code",
        ours: Some(r#""""#),
        botocore: Some(r#""404""#),
        reason: "no code anywhere: botocore falls back to the HTTP status as the code; we report no code",
    },
    Known {
        case: "get_room_error_empty_body_500",
        path: "error.code",
        ours: Some(r#""""#),
        botocore: Some(r#""500""#),
        reason: "generic 5xx: botocore uses the status as the code; we report no code",
    },
    Known {
        case: "get_room_error_empty_body_500",
        path: "error.message",
        ours: Some(r#""""#),
        botocore: Some(r#""Internal Server Error""#),
        reason: "generic 5xx: botocore uses the HTTP reason phrase as the message; we report none",
    },
    Known {
        case: "get_room_error_empty_body_500",
        path: "error.request_id",
        ours: Some(r#""00000000-0000-4000-8000-000000000180""#),
        botocore: Some("null"),
        reason: "generic 5xx: botocore drops the x-amzn-RequestId header; we keep it",
    },
    Known {
        case: "get_room_error_html_body_502",
        path: "error.code",
        ours: Some(r#""""#),
        botocore: Some(r#""502""#),
        reason: "generic 5xx: botocore uses the status as the code; we report no code",
    },
    Known {
        case: "get_room_error_html_body_502",
        path: "error.message",
        ours: Some(r#""""#),
        botocore: Some(r#""Bad Gateway""#),
        reason: "generic 5xx: botocore uses the HTTP reason phrase as the message; we report none",
    },
    Known {
        case: "get_room_error_html_body_502",
        path: "error.request_id",
        ours: Some(r#""00000000-0000-4000-8000-000000000181""#),
        botocore: Some("null"),
        reason: "generic 5xx: botocore drops the x-amzn-RequestId header; we keep it",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.kind",
        ours: Some(r#""parser""#),
        botocore: Some(r#""service""#),
        reason: "a modelled error code (header) with a body that is not JSON: we report a \
                 response (parse) error with the raw response; botocore makes the text the message",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.code",
        ours: None,
        botocore: Some(r#""ValidationException""#),
        reason: "follows from error.kind: a parse error has no service error fields",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.exception",
        ours: None,
        botocore: Some(r#""ValidationException""#),
        reason: "follows from error.kind",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.fields",
        ours: None,
        botocore: Some(r#"{"message":"not json at all"}"#),
        reason: "follows from error.kind",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.http_status",
        ours: None,
        botocore: Some("400"),
        reason: "follows from error.kind (the raw response keeps the status)",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.message",
        ours: None,
        botocore: Some(r#""not json at all""#),
        reason: "follows from error.kind",
    },
    Known {
        case: "get_room_error_invalid_json_400",
        path: "error.request_id",
        ours: None,
        botocore: Some(r#""00000000-0000-4000-8000-000000000182""#),
        reason: "follows from error.kind (the raw response keeps the header)",
    },
    Known {
        case: "get_room_error_modeled_but_not_listed",
        path: "error.exception",
        ours: Some(r#""Unhandled""#),
        botocore: Some(r#""ConflictException""#),
        reason: "ConflictException is not in GetRoom's error list: the Smithy client reports it \
                 as unhandled (code and message kept); botocore parses any service error shape",
    },
    Known {
        case: "get_room_error_modeled_but_not_listed",
        path: "error.fields.message",
        ours: None,
        botocore: Some(r#""Resource is being modified""#),
        reason: "follows from error.exception: unhandled errors have no modelled fields",
    },
    Known {
        case: "get_room_error_modeled_but_not_listed",
        path: "error.fields.resourceId",
        ours: None,
        botocore: Some(r#""ABcdEF123456""#),
        reason: "follows from error.exception",
    },
    Known {
        case: "get_room_error_modeled_but_not_listed",
        path: "error.fields.resourceType",
        ours: None,
        botocore: Some(r#""ROOM""#),
        reason: "follows from error.exception",
    },
    Known {
        case: "send_event_error_throttling_limit_absent",
        path: "error.fields.limit",
        ours: Some("0"),
        botocore: None,
        reason: "Smithy model: Limit has @default(0); botocore's model has no default",
    },
];

// ---------------------------------------------------------------------------------------------
// Fixtures

fn read_json(relative: &str) -> Value {
    let path = format!("{}/parity/{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    value
        .get(key)
        .unwrap_or_else(|| panic!("fixture entry has no {key:?}: {value}"))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    field(value, key)
        .as_str()
        .unwrap_or_else(|| panic!("fixture member {key:?} is not a string: {value}"))
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    field(value, key)
        .as_array()
        .unwrap_or_else(|| panic!("fixture member {key:?} is not an array"))
}

// ---------------------------------------------------------------------------------------------
// Connector: records requests, answers with a canned response

#[derive(Debug, Clone)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Debug, Clone)]
struct Recorder {
    requests: Arc<Mutex<Vec<HttpRequest>>>,
    response: Canned,
}

impl HttpConnector for Recorder {
    fn call(&self, request: HttpRequest) -> ConnectorFuture<'_> {
        self.requests.lock().expect("recorder lock").push(request);
        let canned = self.response.clone();
        Box::pin(async move {
            let mut builder = http::Response::builder().status(canned.status);
            for (name, value) in &canned.headers {
                builder = builder.header(name, value);
            }
            builder.body(Bytes::from(canned.body)).map_err(|e| {
                ConnectorError::new(restjson_runtime::http::ConnectorErrorKind::Other, e)
            })
        })
    }
}

fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(SIGNING_TIME)
}

/// A client configured as botocore was: same credentials, region and clock, default endpoint
/// and retry settings (requests carry `amz-sdk-request: attempt=1; max=3`).
fn client(recorder: Recorder) -> Client {
    Client::from_conf(
        Config::builder()
            .region(REGION)
            .credentials_provider(Credentials::from_keys(AKID, SECRET, Some(TOKEN.to_owned())))
            .time_source(StaticTimeSource::new(signing_time()))
            .http_connector(recorder)
            .build(),
    )
}

/// [`client`] with one attempt: botocore parses each canned response once, and retrying 5xx
/// answers would replay them.
fn single_attempt_client(recorder: Recorder) -> Client {
    Client::from_conf(
        client(recorder)
            .config()
            .to_builder()
            .max_attempts(1)
            .build(),
    )
}

fn recorder(response: Canned) -> Recorder {
    Recorder {
        requests: Arc::new(Mutex::new(Vec::new())),
        response,
    }
}

// ---------------------------------------------------------------------------------------------
// Output and error conversion to botocore's shape

/// An object of the members that are present.
fn obj<const N: usize>(members: [(&str, Option<Value>); N]) -> Map<String, Value> {
    members
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
}

/// Timestamps are compared as instants: see [`compare`].
fn instant(t: &DateTime) -> Value {
    json!({ "$instant": [t.secs(), t.subsec_nanos()] })
}

fn tags(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

fn strings(list: &[String]) -> Value {
    Value::Array(list.iter().map(|s| Value::from(s.as_str())).collect())
}

fn message_review_handler_json(h: &MessageReviewHandler) -> Value {
    Value::Object(obj([
        ("uri", h.uri.as_deref().map(Value::from)),
        (
            "fallbackResult",
            h.fallback_result.as_ref().map(|f| Value::from(f.as_str())),
        ),
    ]))
}

fn destination_configuration_json(d: &DestinationConfiguration) -> Value {
    match d {
        DestinationConfiguration::S3(c) => json!({ "s3": { "bucketName": c.bucket_name } }),
        DestinationConfiguration::CloudWatchLogs(c) => {
            json!({ "cloudWatchLogs": { "logGroupName": c.log_group_name } })
        }
        DestinationConfiguration::Firehose(c) => {
            json!({ "firehose": { "deliveryStreamName": c.delivery_stream_name } })
        }
        // The Rust union does not keep the unknown tag's name.
        d if d.is_unknown() => json!({ "SDK_UNKNOWN_MEMBER": {} }),
        other => panic!("unexpected DestinationConfiguration variant {other:?}"),
    }
}

fn room_summary(r: &RoomSummary) -> Value {
    Value::Object(obj([
        ("arn", r.arn.as_deref().map(Value::from)),
        ("id", r.id.as_deref().map(Value::from)),
        ("name", r.name.as_deref().map(Value::from)),
        (
            "messageReviewHandler",
            r.message_review_handler
                .as_ref()
                .map(message_review_handler_json),
        ),
        ("createTime", r.create_time.as_ref().map(instant)),
        ("updateTime", r.update_time.as_ref().map(instant)),
        ("tags", r.tags.as_ref().map(tags)),
        (
            "loggingConfigurationIdentifiers",
            r.logging_configuration_identifiers.as_deref().map(strings),
        ),
    ]))
}

fn logging_configuration_summary(c: &LoggingConfigurationSummary) -> Value {
    Value::Object(obj([
        ("arn", c.arn.as_deref().map(Value::from)),
        ("id", c.id.as_deref().map(Value::from)),
        ("createTime", c.create_time.as_ref().map(instant)),
        ("updateTime", c.update_time.as_ref().map(instant)),
        ("name", c.name.as_deref().map(Value::from)),
        (
            "destinationConfiguration",
            c.destination_configuration
                .as_ref()
                .map(destination_configuration_json),
        ),
        ("state", c.state.as_ref().map(|s| Value::from(s.as_str()))),
        ("tags", c.tags.as_ref().map(tags)),
    ]))
}

/// The members of Create/Get/UpdateLoggingConfiguration outputs (same members, different
/// state enums).
macro_rules! logging_configuration {
    ($o:expr) => {{
        let o = &$o;
        obj([
            ("arn", o.arn.as_deref().map(Value::from)),
            ("id", o.id.as_deref().map(Value::from)),
            ("createTime", o.create_time.as_ref().map(instant)),
            ("updateTime", o.update_time.as_ref().map(instant)),
            ("name", o.name.as_deref().map(Value::from)),
            (
                "destinationConfiguration",
                o.destination_configuration
                    .as_ref()
                    .map(destination_configuration_json),
            ),
            ("state", o.state.as_ref().map(|s| Value::from(s.as_str()))),
            ("tags", o.tags.as_ref().map(tags)),
        ])
    }};
}

/// The members of Create/Get/UpdateRoom outputs.
macro_rules! room {
    ($o:expr) => {{
        let o = &$o;
        obj([
            ("arn", o.arn.as_deref().map(Value::from)),
            ("id", o.id.as_deref().map(Value::from)),
            ("name", o.name.as_deref().map(Value::from)),
            ("createTime", o.create_time.as_ref().map(instant)),
            ("updateTime", o.update_time.as_ref().map(instant)),
            (
                "maximumMessageRatePerSecond",
                o.maximum_message_rate_per_second.map(Value::from),
            ),
            (
                "maximumMessageLength",
                o.maximum_message_length.map(Value::from),
            ),
            (
                "messageReviewHandler",
                o.message_review_handler
                    .as_ref()
                    .map(message_review_handler_json),
            ),
            ("tags", o.tags.as_ref().map(tags)),
            (
                "loggingConfigurationIdentifiers",
                o.logging_configuration_identifiers.as_deref().map(strings),
            ),
        ])
    }};
}

fn ok(request_id: Option<&str>, mut members: Map<String, Value>) -> Outcome {
    if let Some(id) = request_id {
        members.insert("ResponseMetadata".into(), json!({ "RequestId": id }));
    }
    json!({ "output": members })
}

/// A modelled error shape: its name and members, as botocore reports them.
trait Modeled {
    fn name(&self) -> &'static str;
    fn fields(&self) -> Value;
}

impl Modeled for AccessDeniedException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({ "message": self.message })
    }
}

impl Modeled for PendingVerification {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({ "message": self.message })
    }
}

impl Modeled for InternalServerException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({ "message": self.message })
    }
}

impl Modeled for ConflictException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({
            "message": self.message,
            "resourceId": self.resource_id,
            "resourceType": self.resource_type.as_str(),
        })
    }
}

impl Modeled for ResourceNotFoundException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({
            "message": self.message,
            "resourceId": self.resource_id,
            "resourceType": self.resource_type.as_str(),
        })
    }
}

impl Modeled for ServiceQuotaExceededException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({
            "message": self.message,
            "resourceId": self.resource_id,
            "resourceType": self.resource_type.as_str(),
            "limit": self.limit,
        })
    }
}

impl Modeled for ThrottlingException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        json!({
            "message": self.message,
            "resourceId": self.resource_id,
            "resourceType": self.resource_type.as_str(),
            "limit": self.limit,
        })
    }
}

impl Modeled for ValidationException {
    fn name(&self) -> &'static str {
        Self::CODE
    }
    fn fields(&self) -> Value {
        let mut fields = obj([
            ("message", Some(Value::from(self.message.as_str()))),
            ("reason", Some(Value::from(self.reason.as_str()))),
            (
                "fieldList",
                self.field_list.as_ref().map(|list| {
                    list.iter()
                        .map(|f| json!({ "name": f.name, "message": f.message }))
                        .collect()
                }),
            ),
        ]);
        fields.retain(|_, v| !v.is_null());
        Value::Object(fields)
    }
}

fn modeled(e: &dyn Modeled) -> (&'static str, Value) {
    (e.name(), e.fields())
}

/// Unmodelled errors are reported under this name (botocore: `ClientError`, `modeled: false`).
const UNHANDLED: &str = "Unhandled";

fn unhandled() -> (&'static str, Value) {
    (UNHANDLED, json!({}))
}

/// The outcome of a failed call: a service error in botocore's terms, or the failure class.
fn failed<E: std::fmt::Debug>(
    err: SdkError<E>,
    classify: impl Fn(&E) -> (&'static str, Value),
) -> Outcome {
    match err.kind() {
        SdkErrorKind::Service { error, meta, raw } => {
            let (exception, fields) = classify(error);
            json!({ "error": {
                "kind": "service",
                // botocore always reports a string; an absent code or message is compared as "".
                "code": meta.code().unwrap_or(""),
                "message": meta.message().unwrap_or(""),
                "exception": exception,
                "fields": fields,
                "request_id": meta.request_id(),
                "http_status": raw.status(),
            }})
        }
        SdkErrorKind::Response { .. } => json!({ "error": { "kind": "parser" } }),
        SdkErrorKind::Construction(e) => {
            json!({ "error": { "kind": "construction", "message": e.to_string() } })
        }
        _ => json!({ "error": { "kind": "other", "message": format!("{err:?}") } }),
    }
}

/// botocore's parse of a response case in the same shape as [`failed`] and [`ok`].
fn botocore_outcome(case: &Value) -> Outcome {
    let error = field(case, "error");
    if error.is_null() {
        return json!({ "output": field(case, "parsed") });
    }
    match text(error, "kind") {
        "service" => {
            let exception = if field(error, "modeled").as_bool() == Some(true) {
                field(error, "exception").clone()
            } else {
                Value::from(UNHANDLED)
            };
            json!({ "error": {
                "kind": "service",
                "code": field(error, "code"),
                "message": field(error, "message"),
                "exception": exception,
                "fields": field(error, "fields"),
                "request_id": field(error, "request_id"),
                "http_status": field(error, "http_status"),
            }})
        }
        // Parser messages are implementation text; only the class is compared.
        "parser" => json!({ "error": { "kind": "parser" } }),
        other => panic!("unknown error kind {other:?} in responses.json"),
    }
}

// ---------------------------------------------------------------------------------------------
// Input interpreter: case JSON -> fluent builder calls

fn unknown(what: &str, key: &str) -> String {
    format!("{what} has no member {key:?} known to the parity interpreter")
}

fn string(key: &str, v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{key}: expected a string, got {v}"))
}

fn int(key: &str, v: &Value) -> Result<i32, String> {
    v.as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| format!("{key}: expected a 32-bit integer, got {v}"))
}

fn object<'a>(key: &str, v: &'a Value) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{key}: expected an object, got {v}"))
}

fn string_list(key: &str, v: &Value) -> Result<Vec<String>, String> {
    v.as_array()
        .ok_or_else(|| format!("{key}: expected a list, got {v}"))?
        .iter()
        .map(|item| string(key, item))
        .collect()
}

fn string_map(key: &str, v: &Value) -> Result<HashMap<String, String>, String> {
    object(key, v)?
        .iter()
        .map(|(k, item)| Ok((k.clone(), string(key, item)?)))
        .collect()
}

fn message_review_handler(v: &Value) -> Result<MessageReviewHandler, String> {
    let mut b = MessageReviewHandler::builder();
    for (k, v) in object("messageReviewHandler", v)? {
        b = match k.as_str() {
            "uri" => b.uri(string(k, v)?),
            "fallbackResult" => b.fallback_result(FallbackResult::from(string(k, v)?)),
            _ => return Err(unknown("MessageReviewHandler", k)),
        };
    }
    Ok(b.build())
}

fn destination_configuration(v: &Value) -> Result<DestinationConfiguration, String> {
    let members = object("destinationConfiguration", v)?;
    if members.len() != 1 {
        return Err(format!(
            "destinationConfiguration: a union needs exactly one member, got {v}"
        ));
    }
    let mut out = None;
    for (k, v) in members {
        let inner = object(k, v)?;
        out = Some(match k.as_str() {
            "s3" => {
                let mut b = S3DestinationConfiguration::builder();
                for (k, v) in inner {
                    b = match k.as_str() {
                        "bucketName" => b.bucket_name(string(k, v)?),
                        _ => return Err(unknown("S3DestinationConfiguration", k)),
                    };
                }
                DestinationConfiguration::S3(b.build().map_err(|e| e.to_string())?)
            }
            "cloudWatchLogs" => {
                let mut b = CloudWatchLogsDestinationConfiguration::builder();
                for (k, v) in inner {
                    b = match k.as_str() {
                        "logGroupName" => b.log_group_name(string(k, v)?),
                        _ => return Err(unknown("CloudWatchLogsDestinationConfiguration", k)),
                    };
                }
                DestinationConfiguration::CloudWatchLogs(b.build().map_err(|e| e.to_string())?)
            }
            "firehose" => {
                let mut b = FirehoseDestinationConfiguration::builder();
                for (k, v) in inner {
                    b = match k.as_str() {
                        "deliveryStreamName" => b.delivery_stream_name(string(k, v)?),
                        _ => return Err(unknown("FirehoseDestinationConfiguration", k)),
                    };
                }
                DestinationConfiguration::Firehose(b.build().map_err(|e| e.to_string())?)
            }
            _ => return Err(unknown("DestinationConfiguration", k)),
        });
    }
    out.ok_or_else(|| "destinationConfiguration: empty union".to_owned())
}

/// What a call produced, in the shape botocore reports it (see [`compare`]).
type Outcome = Value;

/// Sends `operation` with `input` (the case's JSON input) and returns the outcome:
/// `{"output": ...}` on success, `{"error": ...}` otherwise. An input member the interpreter
/// does not know is an `Err`.
async fn call(client: &Client, operation: &str, input: &Value) -> Result<Outcome, String> {
    let input = object("input", input)?;
    macro_rules! apply {
        ($b:ident, $what:literal, { $($name:literal => |$v:ident| $set:expr),* $(,)? }) => {
            for (key, value) in input {
                $b = match key.as_str() {
                    $($name => { let $v = value; $set })*
                    _ => return Err(unknown($what, key)),
                };
            }
        };
    }
    Ok(match operation {
        "CreateChatToken" => {
            let mut b = client.create_chat_token();
            apply!(b, "CreateChatTokenInput", {
                "roomIdentifier" => |v| b.room_identifier(string("roomIdentifier", v)?),
                "userId" => |v| b.user_id(string("userId", v)?),
                "capabilities" => |v| b.set_capabilities(Some(
                    string_list("capabilities", v)?.into_iter().map(ChatTokenCapability::from).collect(),
                )),
                "sessionDurationInMinutes" => |v| b.session_duration_in_minutes(int("sessionDurationInMinutes", v)?),
                "attributes" => |v| b.set_attributes(Some(string_map("attributes", v)?)),
            });
            match b.send().await {
                Ok(o) => ok(
                    o.request_id(),
                    obj([
                        ("token", o.token.as_deref().map(Value::from)),
                        (
                            "tokenExpirationTime",
                            o.token_expiration_time.as_ref().map(instant),
                        ),
                        (
                            "sessionExpirationTime",
                            o.session_expiration_time.as_ref().map(instant),
                        ),
                    ]),
                ),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::create_chat_token::CreateChatTokenError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "CreateLoggingConfiguration" => {
            let mut b = client.create_logging_configuration();
            apply!(b, "CreateLoggingConfigurationInput", {
                "name" => |v| b.name(string("name", v)?),
                "destinationConfiguration" => |v| b.destination_configuration(destination_configuration(v)?),
                "tags" => |v| b.set_tags(Some(string_map("tags", v)?)),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), logging_configuration!(o)),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::create_logging_configuration::CreateLoggingConfigurationError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ConflictException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ServiceQuotaExceededException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "CreateRoom" => {
            let mut b = client.create_room();
            apply!(b, "CreateRoomInput", {
                "name" => |v| b.name(string("name", v)?),
                "maximumMessageRatePerSecond" => |v| b.maximum_message_rate_per_second(int("maximumMessageRatePerSecond", v)?),
                "maximumMessageLength" => |v| b.maximum_message_length(int("maximumMessageLength", v)?),
                "messageReviewHandler" => |v| b.message_review_handler(message_review_handler(v)?),
                "tags" => |v| b.set_tags(Some(string_map("tags", v)?)),
                "loggingConfigurationIdentifiers" => |v| b.set_logging_configuration_identifiers(Some(
                    string_list("loggingConfigurationIdentifiers", v)?,
                )),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), room!(o)),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::create_room::CreateRoomError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ConflictException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ServiceQuotaExceededException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "DeleteLoggingConfiguration" => {
            let mut b = client.delete_logging_configuration();
            apply!(b, "DeleteLoggingConfigurationInput", {
                "identifier" => |v| b.identifier(string("identifier", v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), Map::new()),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::delete_logging_configuration::DeleteLoggingConfigurationError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ConflictException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "DeleteMessage" => {
            let mut b = client.delete_message();
            apply!(b, "DeleteMessageInput", {
                "roomIdentifier" => |v| b.room_identifier(string("roomIdentifier", v)?),
                "id" => |v| b.id(string("id", v)?),
                "reason" => |v| b.reason(string("reason", v)?),
            });
            match b.send().await {
                Ok(o) => ok(
                    o.request_id(),
                    obj([("id", o.id.as_deref().map(Value::from))]),
                ),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::delete_message::DeleteMessageError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ThrottlingException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "DeleteRoom" => {
            let mut b = client.delete_room();
            apply!(b, "DeleteRoomInput", {
                "identifier" => |v| b.identifier(string("identifier", v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), Map::new()),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::delete_room::DeleteRoomError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "DisconnectUser" => {
            let mut b = client.disconnect_user();
            apply!(b, "DisconnectUserInput", {
                "roomIdentifier" => |v| b.room_identifier(string("roomIdentifier", v)?),
                "userId" => |v| b.user_id(string("userId", v)?),
                "reason" => |v| b.reason(string("reason", v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), Map::new()),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::disconnect_user::DisconnectUserError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ThrottlingException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "GetLoggingConfiguration" => {
            let mut b = client.get_logging_configuration();
            apply!(b, "GetLoggingConfigurationInput", {
                "identifier" => |v| b.identifier(string("identifier", v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), logging_configuration!(o)),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::get_logging_configuration::GetLoggingConfigurationError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "GetRoom" => {
            let mut b = client.get_room();
            apply!(b, "GetRoomInput", {
                "identifier" => |v| b.identifier(string("identifier", v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), room!(o)),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::get_room::GetRoomError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "ListLoggingConfigurations" => {
            let mut b = client.list_logging_configurations();
            apply!(b, "ListLoggingConfigurationsInput", {
                "nextToken" => |v| b.next_token(string("nextToken", v)?),
                "maxResults" => |v| b.max_results(int("maxResults", v)?),
            });
            match b.send().await {
                Ok(o) => ok(
                    o.request_id(),
                    obj([
                        (
                            "loggingConfigurations",
                            Some(Value::Array(
                                o.logging_configurations
                                    .iter()
                                    .map(logging_configuration_summary)
                                    .collect(),
                            )),
                        ),
                        ("nextToken", o.next_token.as_deref().map(Value::from)),
                    ]),
                ),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::list_logging_configurations::ListLoggingConfigurationsError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "ListRooms" => {
            let mut b = client.list_rooms();
            apply!(b, "ListRoomsInput", {
                "name" => |v| b.name(string("name", v)?),
                "nextToken" => |v| b.next_token(string("nextToken", v)?),
                "maxResults" => |v| b.max_results(int("maxResults", v)?),
                "messageReviewHandlerUri" => |v| b.message_review_handler_uri(string("messageReviewHandlerUri", v)?),
                "loggingConfigurationIdentifier" => |v| b.logging_configuration_identifier(string("loggingConfigurationIdentifier", v)?),
            });
            match b.send().await {
                Ok(o) => ok(
                    o.request_id(),
                    obj([
                        (
                            "rooms",
                            Some(Value::Array(o.rooms.iter().map(room_summary).collect())),
                        ),
                        ("nextToken", o.next_token.as_deref().map(Value::from)),
                    ]),
                ),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::list_rooms::ListRoomsError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "ListTagsForResource" => {
            let mut b = client.list_tags_for_resource();
            apply!(b, "ListTagsForResourceInput", {
                "resourceArn" => |v| b.resource_arn(string("resourceArn", v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), obj([("tags", Some(tags(&o.tags)))])),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::list_tags_for_resource::ListTagsForResourceError as E;
                    match e {
                        E::InternalServerException(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "SendEvent" => {
            let mut b = client.send_event();
            apply!(b, "SendEventInput", {
                "roomIdentifier" => |v| b.room_identifier(string("roomIdentifier", v)?),
                "eventName" => |v| b.event_name(string("eventName", v)?),
                "attributes" => |v| b.set_attributes(Some(string_map("attributes", v)?)),
            });
            match b.send().await {
                Ok(o) => ok(
                    o.request_id(),
                    obj([("id", o.id.as_deref().map(Value::from))]),
                ),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::send_event::SendEventError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ThrottlingException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "TagResource" => {
            let mut b = client.tag_resource();
            apply!(b, "TagResourceInput", {
                "resourceArn" => |v| b.resource_arn(string("resourceArn", v)?),
                "tags" => |v| b.set_tags(Some(string_map("tags", v)?)),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), Map::new()),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::tag_resource::TagResourceError as E;
                    match e {
                        E::InternalServerException(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "UntagResource" => {
            let mut b = client.untag_resource();
            apply!(b, "UntagResourceInput", {
                "resourceArn" => |v| b.resource_arn(string("resourceArn", v)?),
                "tagKeys" => |v| b.set_tag_keys(Some(string_list("tagKeys", v)?)),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), Map::new()),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::untag_resource::UntagResourceError as E;
                    match e {
                        E::InternalServerException(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "UpdateLoggingConfiguration" => {
            let mut b = client.update_logging_configuration();
            apply!(b, "UpdateLoggingConfigurationInput", {
                "identifier" => |v| b.identifier(string("identifier", v)?),
                "name" => |v| b.name(string("name", v)?),
                "destinationConfiguration" => |v| b.destination_configuration(destination_configuration(v)?),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), logging_configuration!(o)),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::update_logging_configuration::UpdateLoggingConfigurationError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::ConflictException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        "UpdateRoom" => {
            let mut b = client.update_room();
            apply!(b, "UpdateRoomInput", {
                "identifier" => |v| b.identifier(string("identifier", v)?),
                "name" => |v| b.name(string("name", v)?),
                "maximumMessageRatePerSecond" => |v| b.maximum_message_rate_per_second(int("maximumMessageRatePerSecond", v)?),
                "maximumMessageLength" => |v| b.maximum_message_length(int("maximumMessageLength", v)?),
                "messageReviewHandler" => |v| b.message_review_handler(message_review_handler(v)?),
                "loggingConfigurationIdentifiers" => |v| b.set_logging_configuration_identifiers(Some(
                    string_list("loggingConfigurationIdentifiers", v)?,
                )),
            });
            match b.send().await {
                Ok(o) => ok(o.request_id(), room!(o)),
                Err(e) => failed(e, |e| {
                    use ivschat::operation::update_room::UpdateRoomError as E;
                    match e {
                        E::AccessDeniedException(x) => modeled(x),
                        E::PendingVerification(x) => modeled(x),
                        E::ResourceNotFoundException(x) => modeled(x),
                        E::ValidationException(x) => modeled(x),
                        E::Unhandled(_) => unhandled(),
                        other => panic!("unexpected error variant {other:?}"),
                    }
                }),
            }
        }
        other => return Err(format!("operation {other:?} has no parity interpreter")),
    })
}

// ---------------------------------------------------------------------------------------------
// Comparison

/// One difference: the path, this client's value and botocore's (`None` = absent).
#[derive(Debug, Clone, PartialEq)]
struct Difference {
    case: String,
    path: String,
    ours: Option<Value>,
    botocore: Option<Value>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("<absent>".to_owned(), Value::to_string);
        write!(
            f,
            "{} at {:?}: ours {} / botocore {}",
            self.case,
            self.path,
            show(&self.ours),
            show(&self.botocore)
        )
    }
}

fn as_instant(v: &Value) -> Option<(i64, u32)> {
    let pair = v.as_object()?.get("$instant")?.as_array()?;
    Some((
        pair.first()?.as_i64()?,
        u32::try_from(pair.get(1)?.as_u64()?).ok()?,
    ))
}

/// Compares values recursively: objects by key set and members, arrays element-wise, our
/// `{"$instant": [secs, nanos]}` against botocore's RFC 3339 text as instants, the rest by
/// equality.
fn compare(case: &str, path: &str, ours: &Value, botocore: &Value, out: &mut Vec<Difference>) {
    let diff = |out: &mut Vec<Difference>, o: Option<&Value>, b: Option<&Value>| {
        out.push(Difference {
            case: case.to_owned(),
            path: path.to_owned(),
            ours: o.cloned(),
            botocore: b.cloned(),
        })
    };
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    if let Some((secs, nanos)) = as_instant(ours) {
        let same = botocore
            .as_str()
            .and_then(|s| DateTime::parse(s, restjson_runtime::TimestampFormat::DateTime).ok())
            .is_some_and(|b| b.secs() == secs && b.subsec_nanos() == nanos);
        if !same {
            let shown = Value::from(format!("{secs}s + {nanos}ns"));
            diff(out, Some(&shown), Some(botocore));
        }
        return;
    }
    match (ours, botocore) {
        (Value::Object(o), Value::Object(b)) => {
            let keys: BTreeSet<&String> = o.keys().chain(b.keys()).collect();
            for k in keys {
                match (o.get(k), b.get(k)) {
                    (Some(ov), Some(bv)) => compare(case, &join(k), ov, bv, out),
                    (ov, bv) => out.push(Difference {
                        case: case.to_owned(),
                        path: join(k),
                        ours: ov.cloned(),
                        botocore: bv.cloned(),
                    }),
                }
            }
        }
        (Value::Array(o), Value::Array(b)) if o.len() == b.len() => {
            for (i, (ov, bv)) in o.iter().zip(b).enumerate() {
                compare(case, &join(&i.to_string()), ov, bv, out);
            }
        }
        _ if ours == botocore => {}
        _ => diff(out, Some(ours), Some(botocore)),
    }
}

fn known_matches(k: &Known, d: &Difference) -> bool {
    let parse = |s: Option<&str>| {
        s.map(|s| serde_json::from_str::<Value>(s).expect("known difference values are JSON"))
    };
    k.case == d.case
        && k.path == d.path
        && parse(k.ours) == d.ours
        && parse(k.botocore) == d.botocore
}

/// Fails on every difference not in [`KNOWN_DIFFERENCES`] (for the cases in `cases`), and on
/// every known difference of those cases that did not occur.
fn check_differences(what: &str, cases: &BTreeSet<String>, found: &[Difference]) {
    let unexpected: Vec<String> = found
        .iter()
        .filter(|d| !KNOWN_DIFFERENCES.iter().any(|k| known_matches(k, d)))
        .map(ToString::to_string)
        .collect();
    for k in KNOWN_DIFFERENCES.iter().filter(|k| cases.contains(k.case)) {
        println!("known difference {} at {}: {}", k.case, k.path, k.reason);
    }
    let stale: Vec<String> = KNOWN_DIFFERENCES
        .iter()
        .filter(|k| cases.contains(k.case) && !found.iter().any(|d| known_matches(k, d)))
        .map(|k| format!("{k:?}"))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{what}: {} unexpected difference(s):\n{}\n{} known difference(s) that no longer occur:\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Requests

/// The path SigV4 signs for non-S3 services: RFC 3986 `remove_dot_segments` (a final `.` or
/// `..` leaves a trailing slash), as aws-sigv4 does.
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {}
            ".." => {
                kept.pop();
            }
            s => {
                kept.push(s);
                continue;
            }
        }
        if last {
            kept.push("");
        }
    }
    format!("/{}", kept.join("/"))
}

fn header_list(request: &HttpRequest) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or("<not visible ASCII>").to_owned(),
            )
        })
        .collect();
    // The transport adds Host from the URI; the signature covers it.
    if let Some(authority) = request.uri().authority() {
        headers.push(("host".to_owned(), authority.as_str().to_owned()));
    }
    headers
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Signs botocore's exact request (the headers it had when it signed, i.e. those set before
/// `authorization`, minus the two the signer adds) with this runtime's signer.
fn sign_botocore_request(case: &Value) -> Result<HttpRequest, String> {
    let headers = field(case, "headers");
    let mut builder = http::Request::builder()
        .method(text(case, "method"))
        .uri(text(case, "url"));
    for name in array(case, "header_order") {
        let name = name.as_str().expect("header names are strings");
        if name == "authorization" {
            break;
        }
        if name == "x-amz-date" || name == "x-amz-security-token" {
            continue;
        }
        builder = builder.header(name, text(headers, name));
    }
    let mut request = builder
        .body(Bytes::from(text(case, "body").to_owned()))
        .map_err(|e| format!("botocore's request is not a valid http::Request: {e}"))?;
    restjson_runtime::__private::sign_request(
        &mut request,
        &Credentials::from_keys(AKID, SECRET, Some(TOKEN.to_owned())),
        REGION,
        "ivschat",
        signing_time(),
    )
    .map_err(|e| format!("signing botocore's request: {e}"))?;
    Ok(request)
}

/// Compares our request for one case with botocore's; returns the differences.
fn compare_request(case: &Value, ours: &HttpRequest) -> Vec<Difference> {
    let id = text(case, "id");
    let mut out = Vec::new();
    let mut check = |path: &str, o: Option<Value>, b: Option<Value>| {
        if o != b {
            out.push(Difference {
                case: id.to_owned(),
                path: path.to_owned(),
                ours: o,
                botocore: b,
            });
        }
    };
    let s = |v: &str| Some(Value::from(v));
    let uri = ours.uri();
    let endpoint = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or(""),
        uri.authority().map_or("", |a| a.as_str())
    );
    check("endpoint", s(&endpoint), s(ENDPOINT));
    check("method", s(ours.method().as_str()), s(text(case, "method")));
    // Byte-identical raw path and query, in botocore's (insertion) order.
    check("path", s(uri.path()), s(text(case, "path")));
    check(
        "query",
        s(uri.query().unwrap_or("")),
        s(text(case, "query")),
    );
    // Every header, by name: the same value in both, except the few in
    // `HEADERS_COMPARED_APART` (checked below, each in its own way).
    let b_headers = field(case, "headers")
        .as_object()
        .expect("botocore's headers are an object");
    let names: BTreeSet<String> = ours
        .headers()
        .keys()
        .map(|n| n.as_str().to_owned())
        .chain(b_headers.keys().map(|n| n.to_ascii_lowercase()))
        .collect();
    for name in names
        .iter()
        .filter(|n| !HEADERS_COMPARED_APART.iter().any(|(h, _)| h == n))
    {
        check(
            &format!("header.{name}"),
            header(ours, name).map(Value::from),
            b_headers.get(name).cloned(),
        );
    }
    let ua = header(ours, "user-agent").unwrap_or_default();
    check(
        "header.user-agent.prefix",
        Some(Value::Bool(
            ua.starts_with("ivschat/0.1.0 restjson-runtime/"),
        )),
        Some(Value::Bool(true)),
    );
    let invocation = header(ours, "amz-sdk-invocation-id").unwrap_or_default();
    check(
        "header.amz-sdk-invocation-id.shape",
        Some(Value::from(
            invocation.split('-').map(str::len).collect::<Vec<_>>(),
        )),
        Some(json!([8, 4, 4, 4, 12])),
    );
    // A body-less request declares an empty body, except GET and HEAD.
    let o_len = header(ours, "content-length");
    let body_less_get = ours.body().is_empty()
        && (ours.method() == http::Method::GET || ours.method() == http::Method::HEAD);
    check(
        "header.content-length.own_body",
        o_len.map(Value::from),
        (!body_less_get).then(|| Value::from(ours.body().len().to_string())),
    );
    if same_bytes(case, ours) {
        check(
            "header.content-length",
            o_len.map(Value::from),
            b_headers.get("content-length").cloned(),
        );
    }
    check(
        "header.x-amz-date",
        header(ours, "x-amz-date").map(Value::from),
        s(AMZ_DATE),
    );
    check(
        "header.x-amz-security-token",
        header(ours, "x-amz-security-token").map(Value::from),
        s(TOKEN),
    );

    // Body: same JSON value (botocore's bytes use Python's separators and \u escapes).
    let b_body = text(case, "body");
    let o_body = ours.body();
    if b_body.is_empty() || o_body.is_empty() {
        check("body", s(&String::from_utf8_lossy(o_body)), s(b_body));
    } else {
        match (
            serde_json::from_slice::<Value>(o_body),
            serde_json::from_str::<Value>(b_body),
        ) {
            (Ok(o), Ok(b)) => compare(id, "body", &o, &b, &mut out),
            (o, b) => out.push(Difference {
                case: id.to_owned(),
                path: "body".into(),
                ours: Some(o.map_err(|e| e.to_string()).unwrap_or_else(Value::from)),
                botocore: Some(b.map_err(|e| e.to_string()).unwrap_or_else(Value::from)),
            }),
        }
    }

    // Our Authorization is valid for the request as sent (recomputed independently).
    let headers = header_list(ours);
    let signed_path = remove_dot_segments(uri.path());
    let b_auth = text(case, "authorization");
    let b_parsed = sigv4::parse_authorization(b_auth).expect("botocore's Authorization parses");
    match sigv4::verify(
        ours.method().as_str(),
        &signed_path,
        uri.query().unwrap_or(""),
        &headers,
        o_body,
        SECRET,
    ) {
        Ok(auth) => {
            let mut check = |path: &str, o: Value, b: Value| {
                if o != b {
                    out.push(Difference {
                        case: id.to_owned(),
                        path: path.to_owned(),
                        ours: Some(o),
                        botocore: Some(b),
                    });
                }
            };
            check(
                "authorization.credential",
                json!([auth.access_key_id, auth.scope]),
                json!([b_parsed.access_key_id, b_parsed.scope]),
            );
            check(
                "authorization.signed_headers",
                json!(auth.signed_headers),
                field(case, "signed_headers").clone(),
            );
        }
        Err(e) => out.push(Difference {
            case: id.to_owned(),
            path: "authorization.valid".into(),
            ours: Some(Value::from(e)),
            botocore: Some(Value::Bool(true)),
        }),
    }
    // Same bytes on the wire: the same Authorization, byte for byte.
    if same_bytes(case, ours) {
        let o_auth = header(ours, "authorization").map(Value::from);
        if o_auth.as_ref() != Some(&Value::from(b_auth)) {
            out.push(Difference {
                case: id.to_owned(),
                path: "authorization.same_request".into(),
                ours: o_auth,
                botocore: Some(Value::from(b_auth)),
            });
        }
    }

    // botocore's exact request signed by our runtime signer: the same Authorization.
    match sign_botocore_request(case) {
        Ok(signed) => {
            for (name, expected) in [
                ("authorization", b_auth),
                ("x-amz-date", AMZ_DATE),
                ("x-amz-security-token", TOKEN),
            ] {
                let got = header(&signed, name).map(Value::from);
                if got.as_ref() != Some(&Value::from(expected)) {
                    out.push(Difference {
                        case: id.to_owned(),
                        path: format!("resign.{name}"),
                        ours: got,
                        botocore: Some(Value::from(expected)),
                    });
                }
            }
        }
        Err(e) => out.push(Difference {
            case: id.to_owned(),
            path: "resign".into(),
            ours: Some(Value::from(e)),
            botocore: Some(Value::from(b_auth)),
        }),
    }
    out
}

/// Headers that legitimately differ from botocore's, compared apart from the others in
/// [`compare_request`] (listed in `parity/README.md` too).
const HEADERS_COMPARED_APART: &[(&str, &str)] = &[
    (
        "user-agent",
        "each SDK names itself: ours must start with `ivschat/0.1.0 restjson-runtime/`",
    ),
    (
        "amz-sdk-invocation-id",
        "a random UUID per call (botocore's is pinned to zeros by the reference script): ours \
         must be one",
    ),
    (
        "authorization",
        "the signature covers the body bytes, which differ (botocore's JSON has `, ` and `: `): \
         compared as a valid signature with botocore's scope and signed headers, byte for byte \
         when the bytes are the same, and by re-signing botocore's exact request",
    ),
    (
        "content-length",
        "follows the body bytes: ours must be our body's length (`0` for a body-less request \
         other than GET), and botocore's when the bytes are the same",
    ),
    (
        "host",
        "our request carries the host in its URI (the transport writes the header), compared \
         with botocore's endpoint; botocore's recorded headers have none",
    ),
];

fn canned_ok() -> Canned {
    Canned {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: "{}".into(),
    }
}

fn inputs_by_id() -> BTreeMap<String, (String, Value)> {
    let cases = read_json("cases.json");
    array(&cases, "requests")
        .iter()
        .map(|c| {
            (
                text(c, "id").to_owned(),
                (text(c, "operation").to_owned(), field(c, "input").clone()),
            )
        })
        .collect()
}

#[tokio::test]
async fn requests_match_botocore() {
    let fixtures = read_json("fixtures/requests.json");
    assert_eq!(text(&fixtures, "endpoint"), ENDPOINT);
    assert_eq!(text(&fixtures, "region"), REGION);
    assert_eq!(text(&fixtures, "signing_time"), AMZ_DATE);
    let creds = field(&fixtures, "credentials");
    assert_eq!(
        (
            text(creds, "access_key_id"),
            text(creds, "secret_access_key"),
            text(creds, "session_token")
        ),
        (AKID, SECRET, TOKEN)
    );
    let inputs = inputs_by_id();
    let cases = array(&fixtures, "cases");
    assert_eq!(cases.len(), inputs.len(), "one fixture per request case");
    let mut found = Vec::new();
    let mut ids = BTreeSet::new();
    let (mut compared, mut identical) = (0, 0);
    for case in cases {
        let id = text(case, "id");
        ids.insert(id.to_owned());
        let (operation, input) = inputs
            .get(id)
            .unwrap_or_else(|| panic!("fixture {id} is not in cases.json"));
        assert_eq!(operation, text(case, "operation"), "{id}");
        let (outcome, sent) = send(operation, input)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        match sent.as_slice() {
            [request] => {
                if same_bytes(case, request) {
                    identical += 1;
                }
                compared += 1;
                found.extend(compare_request(case, request));
            }
            [] => found.push(Difference {
                case: id.to_owned(),
                path: "sent".into(),
                ours: Some(outcome),
                botocore: Some(Value::from("one request")),
            }),
            more => panic!("{id}: {} requests sent", more.len()),
        }
    }
    println!(
        "{compared} requests compared; {identical} with botocore's exact bytes (Authorization equal)"
    );
    assert_eq!(compared, cases.len());
    check_differences("requests", &ids, &found);
}

/// Sends one case through a fresh client; returns the outcome and the requests sent.
async fn send(operation: &str, input: &Value) -> Result<(Outcome, Vec<HttpRequest>), String> {
    let rec = recorder(canned_ok());
    let c = client(rec.clone());
    let outcome = call(&c, operation, input).await?;
    let sent = std::mem::take(&mut *rec.requests.lock().expect("recorder lock"));
    Ok((outcome, sent))
}

/// Whether our request has botocore's exact path, query and body bytes.
fn same_bytes(case: &Value, ours: &HttpRequest) -> bool {
    ours.body().as_ref() == text(case, "body").as_bytes()
        && ours.uri().path() == text(case, "path")
        && ours.uri().query().unwrap_or("") == text(case, "query")
}

// ---------------------------------------------------------------------------------------------
// Responses

/// Per operation, the input of its first `_minimal` request case (as the reference script
/// calls the operation for response cases).
fn minimal_inputs() -> BTreeMap<String, Value> {
    let table = read_json("cases.json");
    let inputs = inputs_by_id();
    let mut minimal = BTreeMap::new();
    for c in array(&table, "requests") {
        if text(c, "id").contains("_minimal") {
            minimal
                .entry(text(c, "operation").to_owned())
                .or_insert_with(|| inputs[text(c, "id")].1.clone());
        }
    }
    minimal
}

/// Feeds a response case's canned response through the client.
async fn parse_response(case: &Value, minimal: &BTreeMap<String, Value>) -> Outcome {
    let id = text(case, "id");
    let operation = text(case, "operation");
    let response = field(case, "response");
    let headers = field(response, "headers")
        .as_object()
        .expect("response headers are an object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("header value").to_owned()))
        .collect();
    let status = field(response, "status")
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .expect("status");
    let c = single_attempt_client(recorder(Canned {
        status,
        headers,
        body: text(response, "body").to_owned(),
    }));
    let input = minimal
        .get(operation)
        .unwrap_or_else(|| panic!("{id}: no _minimal request case for {operation}"));
    call(&c, operation, input)
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[tokio::test]
async fn responses_match_botocore() {
    let fixtures = read_json("fixtures/responses.json");
    let table = read_json("cases.json");
    let minimal = minimal_inputs();
    let mut found = Vec::new();
    let mut ids = BTreeSet::new();
    let cases = array(&fixtures, "cases");
    assert_eq!(cases.len(), array(&table, "responses").len());
    let mut identical = 0;
    for case in cases {
        let id = text(case, "id");
        ids.insert(id.to_owned());
        let ours = parse_response(case, &minimal).await;
        let before = found.len();
        compare(id, "", &ours, &botocore_outcome(case), &mut found);
        if found.len() == before {
            identical += 1;
        }
    }
    println!(
        "{} responses compared; {identical} parsed identically",
        cases.len()
    );
    check_differences("responses", &ids, &found);
}

/// The comparison itself notices a changed, missing or extra member.
#[tokio::test]
async fn response_comparison_detects_changes() {
    let fixtures = read_json("fixtures/responses.json");
    let minimal = minimal_inputs();
    let case = array(&fixtures, "cases")
        .iter()
        .find(|c| text(c, "id") == "create_room_success")
        .expect("create_room_success")
        .clone();
    let ours = parse_response(&case, &minimal).await;
    let mut boto = botocore_outcome(&case);
    let mut found = Vec::new();
    compare("c", "", &ours, &boto, &mut found);
    assert_eq!(found, Vec::new());
    let output = boto["output"].as_object_mut().expect("output object");
    output.insert("name".into(), json!("other"));
    output.remove("arn");
    output.insert("extra".into(), json!(1));
    output.insert("createTime".into(), json!("2024-01-02T03:04:05.124Z"));
    compare("c", "", &ours, &boto, &mut found);
    let paths: Vec<&str> = found.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "output.arn",
            "output.createTime",
            "output.extra",
            "output.name"
        ]
    );
    assert_eq!(found[2].ours, None);
    assert_eq!(found[0].botocore, None);
}

// ---------------------------------------------------------------------------------------------
// Coverage

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn generated(relative: &str) -> String {
    let path = format!(
        "{}/../crates/ivschat/src/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

#[test]
fn every_operation_has_parity_cases() {
    let expected: BTreeSet<&str> = OPERATIONS.iter().copied().collect();
    // The client's operation modules, as generated.
    let modules: BTreeSet<String> = generated("operation.rs")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect();
    let ours: BTreeSet<String> = OPERATIONS
        .iter()
        .map(|o| snake_case(o)[1..].to_owned())
        .collect();
    assert_eq!(modules, ours, "ivschat::operation modules vs OPERATIONS");

    let table = read_json("cases.json");
    for list in ["requests", "responses"] {
        let ops: BTreeSet<&str> = array(&table, list)
            .iter()
            .map(|c| text(c, "operation"))
            .collect();
        assert_eq!(ops, expected, "operations with {list} cases in cases.json");
    }
    for (file, key) in [
        ("fixtures/requests.json", "cases"),
        ("fixtures/responses.json", "cases"),
    ] {
        let fixtures = read_json(file);
        let ops: BTreeSet<&str> = array(&fixtures, key)
            .iter()
            .map(|c| text(c, "operation"))
            .collect();
        assert_eq!(ops, expected, "operations recorded by botocore in {file}");
    }
    let interpreted: BTreeSet<&str> = INPUT_MEMBERS.iter().map(|(o, _)| *o).collect();
    assert_eq!(interpreted, expected, "operations of INPUT_MEMBERS");
}

#[test]
fn every_input_member_is_interpreted_and_exercised() {
    let table = read_json("cases.json");
    for (operation, members) in INPUT_MEMBERS {
        // The generated input struct's fields.
        let source = generated(&format!("operation/{}.rs", &snake_case(operation)[1..]));
        let start = format!("pub struct {operation}Input {{");
        let body = source
            .split_once(&start)
            .unwrap_or_else(|| panic!("no {operation}Input in generated code"))
            .1;
        let body = &body[..body.find("\n}").expect("end of struct")];
        let fields: BTreeSet<String> = body
            .lines()
            .filter_map(|l| l.strip_prefix("    pub "))
            .filter_map(|l| l.split_once(':'))
            .map(|(name, _)| name.to_owned())
            .collect();
        let known: BTreeSet<String> = members.iter().map(|m| snake_case(m)).collect();
        assert_eq!(
            fields, known,
            "{operation}: model input members vs interpreter"
        );
        // Every member is sent by at least one case.
        let used: BTreeSet<&str> = array(&table, "requests")
            .iter()
            .filter(|c| text(c, "operation") == *operation)
            .flat_map(|c| field(c, "input").as_object().expect("input object").keys())
            .map(String::as_str)
            .collect();
        let members: BTreeSet<&str> = members.iter().copied().collect();
        assert_eq!(
            used, members,
            "{operation}: members exercised by request cases"
        );
    }
}

#[tokio::test]
async fn unknown_input_member_is_an_error() {
    let c = client(recorder(canned_ok()));
    let err = call(
        &c,
        "GetRoom",
        &json!({ "identifier": "r", "colour": "blue" }),
    )
    .await
    .expect_err("unknown member must fail");
    assert_eq!(
        err,
        "GetRoomInput has no member \"colour\" known to the parity interpreter"
    );
    let err = call(
        &c,
        "CreateLoggingConfiguration",
        &json!({ "destinationConfiguration": { "s3": { "bucket": "b" } } }),
    )
    .await
    .expect_err("unknown nested member must fail");
    assert_eq!(
        err,
        "S3DestinationConfiguration has no member \"bucket\" known to the parity interpreter"
    );
    let err = call(&c, "Frobnicate", &json!({}))
        .await
        .expect_err("unknown operation must fail");
    assert_eq!(err, "operation \"Frobnicate\" has no parity interpreter");
}

#[test]
fn timestamps_compare_as_instants() {
    let mut out = Vec::new();
    let t = DateTime::from_secs_and_nanos(SIGNING_TIME as i64, 123_000_000);
    compare(
        "t",
        "x",
        &instant(&t),
        &json!("2024-01-02T05:04:05.123+02:00"),
        &mut out,
    );
    assert_eq!(out, Vec::new());
    compare(
        "t",
        "x",
        &instant(&t),
        &json!("2024-01-02T03:04:05.124Z"),
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].path, "x");
}

#[test]
fn dot_segments_are_removed_like_sigv4() {
    assert_eq!(remove_dot_segments("/tags/.."), "/");
    assert_eq!(remove_dot_segments("/tags/."), "/tags/");
    assert_eq!(remove_dot_segments("/a/./b/../c"), "/a/c");
    assert_eq!(remove_dot_segments("/tags/a%2Fb"), "/tags/a%2Fb");
    assert_eq!(remove_dot_segments("/"), "/");
}

/// How this client treats the inputs botocore's client-side validation refuses
/// (`rejected_requests` of `cases.json`): `interpreter` when the input cannot even be expressed
/// with the Rust types (unknown member, wrong type, union with zero or two members),
/// `construction` when the client refuses it before sending (required members, non-empty
/// labels, and the minimum lengths and values the default validation checks), `sent` when it
/// goes out.
const REJECTED_OUTCOMES: &[(&str, &str)] = &[
    ("reject_list_tags_for_resource_empty_label", "construction"),
    ("reject_create_room_rate_zero", "construction"),
    ("reject_create_room_length_zero", "construction"),
    ("reject_create_chat_token_session_zero", "construction"),
    ("reject_create_chat_token_missing_user_id", "construction"),
    ("reject_create_chat_token_empty_user_id", "construction"),
    ("reject_list_rooms_max_results_zero", "construction"),
    (
        "reject_create_logging_configuration_union_empty",
        "interpreter",
    ),
    (
        "reject_create_logging_configuration_union_two",
        "interpreter",
    ),
    (
        "reject_create_logging_configuration_bucket_short",
        "construction",
    ),
    ("reject_send_event_empty_event_name", "construction"),
    ("reject_delete_message_short_id", "construction"),
    ("reject_disconnect_user_empty_reason", "construction"),
    ("reject_tag_resource_empty_tag_key", "construction"),
    ("reject_untag_resource_empty_tag_key", "construction"),
    ("reject_get_room_unknown_member", "interpreter"),
    ("reject_update_room_wrong_type", "interpreter"),
];

#[tokio::test]
async fn botocore_rejected_inputs() {
    let table = read_json("cases.json");
    let fixtures = read_json("fixtures/requests.json");
    let recorded: BTreeSet<&str> = array(&fixtures, "rejected_cases")
        .iter()
        .map(|c| text(c, "id"))
        .collect();
    let mut outcomes = BTreeMap::new();
    for case in array(&table, "rejected_requests") {
        let id = text(case, "id");
        assert!(recorded.contains(id), "{id} has no botocore record");
        let rec = recorder(canned_ok());
        let c = client(rec.clone());
        let outcome = match call(&c, text(case, "operation"), field(case, "input")).await {
            Err(_) => "interpreter",
            Ok(v) if v.pointer("/error/kind") == Some(&json!("construction")) => "construction",
            Ok(_) => "sent",
        };
        let sent = rec.requests.lock().expect("recorder lock").len();
        assert_eq!(sent, usize::from(outcome == "sent"), "{id}: requests sent");
        outcomes.insert(id.to_owned(), outcome);
    }
    let expected: BTreeMap<String, &str> = REJECTED_OUTCOMES
        .iter()
        .map(|(id, o)| ((*id).to_owned(), *o))
        .collect();
    assert_eq!(outcomes, expected);
}

/// The comparison itself notices a change on every checked aspect.
#[tokio::test]
async fn request_comparison_detects_changes() {
    let fixtures = read_json("fixtures/requests.json");
    let inputs = inputs_by_id();
    let case_of = |id: &str| {
        array(&fixtures, "cases")
            .iter()
            .find(|c| text(c, "id") == id)
            .cloned()
            .unwrap_or_else(|| panic!("no fixture {id}"))
    };
    let paths = |diffs: Vec<Difference>| diffs.into_iter().map(|d| d.path).collect::<Vec<_>>();

    // Bodiless, byte-identical request: Authorization compared as a whole.
    let id = "untag_resource_tag_keys_order_and_duplicates";
    let (op, input) = &inputs[id];
    let (_, sent) = send(op, input).await.expect("interpreted");
    let case = case_of(id);
    assert_eq!(
        paths(compare_request(&case, &sent[0])),
        Vec::<String>::new()
    );
    let mut sorted = case.clone();
    sorted["query"] = json!("tagKeys=Mid&tagKeys=alpha&tagKeys=alpha&tagKeys=zeta");
    assert_eq!(paths(compare_request(&sorted, &sent[0])), ["query"]);
    // Headers: one botocore has and we do not, a different value, a different length.
    let mut accept = case.clone();
    accept["headers"]["accept"] = json!("*/*");
    assert_eq!(paths(compare_request(&accept, &sent[0])), ["header.accept"]);
    let mut retries = case.clone();
    retries["headers"]["amz-sdk-request"] = json!("attempt=1; max=1");
    assert_eq!(
        paths(compare_request(&retries, &sent[0])),
        ["header.amz-sdk-request"]
    );
    let mut length = case.clone();
    length["headers"]["content-length"] = json!("1");
    assert_eq!(
        paths(compare_request(&length, &sent[0])),
        ["header.content-length"]
    );
    let mut other_sig = case.clone();
    let auth = text(&case, "authorization");
    other_sig["authorization"] = json!(format!("{}0", &auth[..auth.len() - 1]));
    assert_eq!(
        paths(compare_request(&other_sig, &sent[0])),
        ["authorization.same_request", "resign.authorization"]
    );

    // Request with a body: JSON compared as values, signed headers compared.
    let id = "create_room_full";
    let (op, input) = &inputs[id];
    let (_, sent) = send(op, input).await.expect("interpreted");
    let case = case_of(id);
    assert_eq!(
        paths(compare_request(&case, &sent[0])),
        Vec::<String>::new()
    );
    let mut body = case.clone();
    body["body"] = json!(text(&case, "body").replace("\"room-1\"", "\"room-2\""));
    assert_eq!(
        paths(compare_request(&body, &sent[0])),
        ["body.name", "resign.authorization"]
    );
    let mut signed = case.clone();
    signed["signed_headers"] = json!(["host", "x-amz-date"]);
    assert_eq!(
        paths(compare_request(&signed, &sent[0])),
        ["authorization.signed_headers"]
    );
    let mut no_type = case.clone();
    no_type["headers"]["content-type"] = json!("application/x-amz-json-1.1");
    assert_eq!(
        paths(compare_request(&no_type, &sent[0])),
        ["header.content-type", "resign.authorization"]
    );
}
