//! The operations: input validation, state changes and output documents.

mod persist;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::error::ServiceError;
use crate::messaging::frames::{self, FrameError};
use crate::messaging::outbox::{CloseCause, Outbox};
use crate::messaging::{IdGen, Live};
use crate::state_file::StateFile;
use crate::time::{format_rfc3339, from_millis, to_millis};
use crate::validate::{self as v, Checker, parse_ivschat_arn, path};
use crate::{ChatTokenInfo, LocalConfig, RecordedAction};

/// Per-resource tag quota.
pub(crate) const MAX_TAGS: usize = 50;
const DEFAULT_PAGE: usize = 50;
const TOKEN_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// Prefix of the chat tokens this service issues; the region follows it.
const TOKEN_PREFIX: &str = "ivschat-local.";

/// The operations of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateChatToken,
    CreateLoggingConfiguration,
    CreateRoom,
    DeleteLoggingConfiguration,
    DeleteMessage,
    DeleteRoom,
    DisconnectUser,
    GetLoggingConfiguration,
    GetRoom,
    ListLoggingConfigurations,
    ListRooms,
    SendEvent,
    UpdateLoggingConfiguration,
    UpdateRoom,
}

/// Operations routed as `POST /<Name>`, by name.
const OPERATIONS: [(&str, Operation); 14] = [
    ("CreateChatToken", Operation::CreateChatToken),
    (
        "CreateLoggingConfiguration",
        Operation::CreateLoggingConfiguration,
    ),
    ("CreateRoom", Operation::CreateRoom),
    (
        "DeleteLoggingConfiguration",
        Operation::DeleteLoggingConfiguration,
    ),
    ("DeleteMessage", Operation::DeleteMessage),
    ("DeleteRoom", Operation::DeleteRoom),
    ("DisconnectUser", Operation::DisconnectUser),
    (
        "GetLoggingConfiguration",
        Operation::GetLoggingConfiguration,
    ),
    ("GetRoom", Operation::GetRoom),
    (
        "ListLoggingConfigurations",
        Operation::ListLoggingConfigurations,
    ),
    ("ListRooms", Operation::ListRooms),
    ("SendEvent", Operation::SendEvent),
    (
        "UpdateLoggingConfiguration",
        Operation::UpdateLoggingConfiguration,
    ),
    ("UpdateRoom", Operation::UpdateRoom),
];

impl Operation {
    /// Operations routed as `POST /<Name>`.
    pub(crate) fn from_path(name: &str) -> Option<Operation> {
        OPERATIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, op)| *op)
    }

    /// The operation's name in the model.
    pub(crate) fn name(self) -> &'static str {
        OPERATIONS
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("", |(n, _)| n)
    }
}

/// Whether an operation can change what the state file keeps (rooms,
/// logging configurations, tags).
pub(crate) fn changes_kept_state(operation: &str) -> bool {
    matches!(
        operation,
        "CreateRoom"
            | "UpdateRoom"
            | "DeleteRoom"
            | "CreateLoggingConfiguration"
            | "UpdateLoggingConfiguration"
            | "DeleteLoggingConfiguration"
            | "TagResource"
            | "UntagResource"
    )
}

/// A successful answer: a JSON document (200) or no content (204).
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    NoContent,
}

#[derive(Debug, Clone)]
struct Handler {
    uri: Option<String>,
    fallback_result: String,
}

#[derive(Debug, Clone)]
struct Room {
    id: String,
    arn: String,
    name: String,
    created: i64,
    updated: i64,
    max_rate: i64,
    max_length: i64,
    handler: Option<Handler>,
    tags: BTreeMap<String, String>,
    logging: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    S3(String),
    CloudWatchLogs(String),
    Firehose(String),
}

#[derive(Debug, Clone)]
struct LoggingConfiguration {
    id: String,
    arn: String,
    name: String,
    created: i64,
    updated: i64,
    destination: Destination,
    tags: BTreeMap<String, String>,
}

#[derive(Clone)]
struct TokenRecord {
    room_id: String,
    user_id: String,
    capabilities: Vec<String>,
    attributes: BTreeMap<String, String>,
    session_duration_in_minutes: u32,
    token_expires: i64,
    session_expires: i64,
    /// Set when a connection opened with the token: tokens are single-use.
    used: bool,
}

/// Everything the service stores. Maps keyed by a creation sequence number
/// give listings a stable order and resumable pagination.
#[derive(Default)]
pub(crate) struct State {
    seq: u64,
    /// Counts the changes to what the state file keeps (rooms, logging
    /// configurations, tags).
    generation: u64,
    rooms: BTreeMap<u64, Room>,
    room_ids: HashMap<String, u64>,
    /// `(updateTime, sequence)` of every room: `ListRooms` walks it backwards
    /// (the service's order, newest update first).
    room_order: BTreeSet<(i64, u64)>,
    configs: BTreeMap<u64, LoggingConfiguration>,
    config_ids: HashMap<String, u64>,
    tokens: HashMap<String, TokenRecord>,
    /// Tokens in creation order (the oldest is dropped first at the cap).
    token_order: VecDeque<String>,
    actions: HashMap<String, VecDeque<RecordedAction>>,
    /// Room id of every recorded action in recording order, across rooms.
    action_order: VecDeque<String>,
    live: Live,
}

impl State {
    /// Stores a token record, dropping expired records and then the oldest
    /// ones beyond `max`.
    fn insert_token(&mut self, token: String, record: TokenRecord, now: i64, max: usize) {
        while let Some(oldest) = self.token_order.front() {
            let expired = self
                .tokens
                .get(oldest)
                .is_none_or(|t| t.token_expires <= now);
            if !expired && self.tokens.len() < max {
                break;
            }
            if let Some(oldest) = self.token_order.pop_front() {
                self.tokens.remove(&oldest);
            }
        }
        self.token_order.push_back(token.clone());
        self.tokens.insert(token, record);
    }

    /// Records an action, dropping the oldest records (of any room) beyond `max`.
    fn push_action(&mut self, room_id: &str, action: RecordedAction, max: usize) {
        self.actions
            .entry(room_id.to_string())
            .or_default()
            .push_back(action);
        self.action_order.push_back(room_id.to_string());
        while self.action_order.len() > max {
            let Some(room) = self.action_order.pop_front() else {
                break;
            };
            if let Some(list) = self.actions.get_mut(&room) {
                list.pop_front();
                if list.is_empty() {
                    self.actions.remove(&room);
                }
            }
        }
    }

    /// Forgets a deleted room's tokens and recorded actions and closes its connections.
    fn forget_room(&mut self, id: &str) {
        self.tokens.retain(|_, t| t.room_id != id);
        let tokens = &self.tokens;
        self.token_order.retain(|t| tokens.contains_key(t));
        self.actions.remove(id);
        self.action_order.retain(|r| r != id);
        self.live.close_room(id, CloseCause::RoomDeleted);
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Marks a change the state file must receive.
    fn changed(&mut self) {
        self.generation += 1;
    }

    fn fresh_id(&self) -> String {
        loop {
            let id: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(12)
                .collect();
            if !self.room_ids.contains_key(&id) && !self.config_ids.contains_key(&id) {
                return id;
            }
        }
    }

    fn room(&self, id: &str) -> Option<&Room> {
        self.room_ids.get(id).and_then(|s| self.rooms.get(s))
    }

    fn room_mut(&mut self, id: &str) -> Option<&mut Room> {
        let seq = *self.room_ids.get(id)?;
        self.rooms.get_mut(&seq)
    }

    fn config(&self, id: &str) -> Option<&LoggingConfiguration> {
        self.config_ids.get(id).and_then(|s| self.configs.get(s))
    }

    fn config_mut(&mut self, id: &str) -> Option<&mut LoggingConfiguration> {
        let seq = *self.config_ids.get(id)?;
        self.configs.get_mut(&seq)
    }
}

/// Shared service state and configuration.
pub(crate) struct Service {
    pub(crate) config: LocalConfig,
    state: Mutex<State>,
    page_key: [u8; 16],
    pub(crate) ids: IdGen,
    persistence: Option<persist::Persistence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Room,
    LoggingConfiguration,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Room => "Room",
            Kind::LoggingConfiguration => "Logging configuration",
        }
    }

    fn arn_type(self) -> &'static str {
        match self {
            Kind::Room => "room",
            Kind::LoggingConfiguration => "logging-configuration",
        }
    }
}

fn time(ms: i64) -> Value {
    Value::String(format_rfc3339(ms))
}

fn tags_json(tags: &BTreeMap<String, String>) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn handler_json(h: &Handler) -> Value {
    let mut obj = Map::new();
    if let Some(uri) = &h.uri {
        obj.insert("uri".into(), json!(uri));
    }
    obj.insert("fallbackResult".into(), json!(h.fallback_result));
    Value::Object(obj)
}

fn room_json(r: &Room, summary: bool) -> Value {
    let mut obj = Map::new();
    obj.insert("arn".into(), json!(r.arn));
    obj.insert("id".into(), json!(r.id));
    obj.insert("name".into(), json!(r.name));
    obj.insert("createTime".into(), time(r.created));
    obj.insert("updateTime".into(), time(r.updated));
    if !summary {
        obj.insert("maximumMessageRatePerSecond".into(), json!(r.max_rate));
        obj.insert("maximumMessageLength".into(), json!(r.max_length));
    }
    if let Some(h) = &r.handler {
        obj.insert("messageReviewHandler".into(), handler_json(h));
    }
    obj.insert("tags".into(), tags_json(&r.tags));
    obj.insert("loggingConfigurationIdentifiers".into(), json!(r.logging));
    Value::Object(obj)
}

fn destination_json(d: &Destination) -> Value {
    match d {
        Destination::S3(b) => json!({"s3": {"bucketName": b}}),
        Destination::CloudWatchLogs(g) => json!({"cloudWatchLogs": {"logGroupName": g}}),
        Destination::Firehose(s) => json!({"firehose": {"deliveryStreamName": s}}),
    }
}

fn config_json(c: &LoggingConfiguration) -> Value {
    json!({
        "arn": c.arn,
        "id": c.id,
        "createTime": time(c.created),
        "updateTime": time(c.updated),
        "name": c.name,
        "destinationConfiguration": destination_json(&c.destination),
        "state": "ACTIVE",
        "tags": tags_json(&c.tags),
    })
}

/// Parses the request body: empty means `{}`.
fn parse_body(body: &[u8]) -> Result<Value, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ServiceError::other(format!("Request body is not valid JSON: {e}")))
}

fn parse_handler(c: &mut Checker, at: &str, value: Option<&Value>) -> Option<Handler> {
    let value = value.filter(|v| !v.is_null())?;
    let obj = c.object(at, value, &["uri", "fallbackResult"])?;
    let uri = c.string(&path(at, "uri"), obj.get("uri"), &v::LAMBDA_ARN);
    let fallback = c.enumeration(
        &path(at, "fallbackResult"),
        obj.get("fallbackResult"),
        &["ALLOW", "DENY"],
    );
    Some(Handler {
        uri,
        fallback_result: fallback.unwrap_or_else(|| "ALLOW".into()),
    })
}

/// A handler without a Lambda ARN (absent or empty `uri`) means "no review".
fn effective_handler(h: Handler) -> Option<Handler> {
    match h.uri.as_deref() {
        None | Some("") => None,
        Some(_) => Some(h),
    }
}

fn parse_destination(c: &mut Checker, at: &str, value: Option<&Value>) -> Option<Destination> {
    let value = value.filter(|v| !v.is_null())?;
    let obj = c.object(at, value, &["s3", "cloudWatchLogs", "firehose"])?;
    let set: Vec<(&String, &Value)> = obj
        .iter()
        .filter(|(k, v)| !v.is_null() && ["s3", "cloudWatchLogs", "firehose"].contains(&k.as_str()))
        .collect();
    let [(member, inner)] = set.as_slice() else {
        c.fail(at, "Union must have exactly one member set");
        return None;
    };
    let member_path = path(at, member);
    let (field, spec) = match member.as_str() {
        "s3" => ("bucketName", &v::BUCKET_NAME),
        "cloudWatchLogs" => ("logGroupName", &v::LOG_GROUP_NAME),
        "firehose" => ("deliveryStreamName", &v::DELIVERY_STREAM_NAME),
        // Unknown members were already reported by `object`.
        _ => return None,
    };
    let inner_obj = c.object(&member_path, inner, &[field])?;
    let field_path = path(&member_path, field);
    let parsed = c.string(&field_path, inner_obj.get(field), spec);
    if inner_obj.get(field).is_none_or(Value::is_null) {
        c.require::<()>(&field_path, None);
    }
    let s = parsed?;
    Some(match member.as_str() {
        "s3" => Destination::S3(s),
        "cloudWatchLogs" => Destination::CloudWatchLogs(s),
        _ => Destination::Firehose(s),
    })
}

/// Checks that the body is an object with only `allowed` members; a body of
/// another JSON type fails at once.
fn top_level<'a>(
    input: &'a Value,
    allowed: &[&str],
) -> Result<(Checker, &'a Map<String, Value>), ServiceError> {
    let mut c = Checker::default();
    match c.object("", input, allowed) {
        Some(obj) => Ok((c, obj)),
        None => Err(c
            .finish()
            .err()
            .unwrap_or_else(|| ServiceError::field("body", "Member must be an object"))),
    }
}

fn required_string(
    c: &mut Checker,
    obj: &Map<String, Value>,
    name: &str,
    spec: &v::StrSpec,
) -> Option<String> {
    let present = obj.get(name).is_some_and(|v| !v.is_null());
    let s = c.string(name, obj.get(name), spec);
    if !present {
        c.require::<()>(name, None);
    }
    s
}

fn tags_input(
    c: &mut Checker,
    name: &str,
    value: Option<&Value>,
) -> Option<BTreeMap<String, String>> {
    c.string_map(
        name,
        value,
        Some(0),
        Some(MAX_TAGS),
        &v::TAG_KEY,
        &v::TAG_VALUE,
    )
}

fn logging_list_input(c: &mut Checker, value: Option<&Value>) -> Option<Vec<String>> {
    c.string_list(
        "loggingConfigurationIdentifiers",
        value,
        Some(0),
        Some(3),
        &v::LOGGING_CONFIGURATION_IDENTIFIER,
        None,
    )
}

fn sha_mac(key: &[u8], data: &[u8]) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(key);
    h.update(data);
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Service {
    /// A service with the state a state file held, if any; the error says
    /// what is wrong with that state.
    pub(crate) fn new(config: LocalConfig, saved: Option<StateFile>) -> Result<Service, String> {
        let mut state = State::default();
        let page_key = match saved {
            Some(file) => persist::restore(&config, file, &mut state)?,
            None => *uuid::Uuid::new_v4().as_bytes(),
        };
        let persistence = config.state_file.clone().map(persist::Persistence::new);
        Ok(Service {
            config,
            state: Mutex::new(state),
            page_key,
            ids: IdGen::new(),
            persistence,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the maps half-updated in a way that
        // matters more than refusing service, so keep going with the data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now(&self) -> i64 {
        to_millis(self.config.clock.now())
    }

    fn arn(&self, kind: Kind, id: &str) -> String {
        format!(
            "arn:aws:ivschat:{}:{}:{}/{id}",
            self.config.region,
            self.config.account_id,
            kind.arn_type()
        )
    }

    /// Identifier (ARN or bare id) to id; a foreign account or region is denied.
    fn identifier_id<'a>(&self, ident: &'a str, kind: Kind) -> Result<&'a str, ServiceError> {
        match parse_ivschat_arn(ident) {
            Some(arn) => {
                if arn.region != self.config.region || arn.account != self.config.account_id {
                    return Err(ServiceError::AccessDenied {
                        message: format!(
                            "User is not authorized to access {} {ident} in this account and region",
                            kind.label().to_lowercase()
                        ),
                    });
                }
                if arn.resource_type != kind.arn_type() {
                    return Err(ServiceError::not_found(kind.label(), arn.id));
                }
                Ok(arn.id)
            }
            None => Ok(ident),
        }
    }

    /// A page token: the operation's kind byte and the listing key of the
    /// last item returned, with a MAC so that only this service's tokens pass.
    fn page_token(&self, kind: u8, key: (i64, u64)) -> String {
        let mut data = vec![kind];
        data.extend_from_slice(&key.0.to_be_bytes());
        data.extend_from_slice(&key.1.to_be_bytes());
        let mac = sha_mac(&self.page_key, &data);
        format!("{}{}", hex(&data), hex(&mac))
    }

    fn parse_page_token(&self, kind: u8, token: &str) -> Result<(i64, u64), ServiceError> {
        const DATA: usize = 17;
        let bad = || {
            ServiceError::field(
                "nextToken",
                "Member must be a token returned by a previous call",
            )
        };
        if token.len() != (DATA + 8) * 2 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let bytes: Vec<u8> = (0..DATA + 8)
            .map(|i| u8::from_str_radix(&token[i * 2..i * 2 + 2], 16))
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let (data, mac) = bytes.split_at(DATA);
        if data[0] != kind || sha_mac(&self.page_key, data) != mac {
            return Err(bad());
        }
        let mut first = [0u8; 8];
        let mut second = [0u8; 8];
        first.copy_from_slice(&data[1..9]);
        second.copy_from_slice(&data[9..]);
        Ok((i64::from_be_bytes(first), u64::from_be_bytes(second)))
    }

    /// Checks that every logging configuration exists; returns their ARNs, deduplicated.
    fn resolve_logging(&self, st: &State, idents: &[String]) -> Result<Vec<String>, ServiceError> {
        let mut out: Vec<String> = Vec::new();
        for ident in idents {
            let id = self.identifier_id(ident, Kind::LoggingConfiguration)?;
            let Some(cfg) = st.config(id) else {
                return Err(ServiceError::not_found("Logging configuration", id));
            };
            if !out.contains(&cfg.arn) {
                out.push(cfg.arn.clone());
            }
        }
        Ok(out)
    }

    /// Runs one operation.
    pub(crate) fn call(&self, op: Operation, body: &[u8]) -> Result<Reply, ServiceError> {
        let input = parse_body(body)?;
        match op {
            Operation::CreateRoom => self.create_room(&input),
            Operation::GetRoom => self.get_room(&input),
            Operation::UpdateRoom => self.update_room(&input),
            Operation::DeleteRoom => self.delete_room(&input),
            Operation::ListRooms => self.list_rooms(&input),
            Operation::CreateLoggingConfiguration => self.create_config(&input),
            Operation::GetLoggingConfiguration => self.get_config(&input),
            Operation::UpdateLoggingConfiguration => self.update_config(&input),
            Operation::DeleteLoggingConfiguration => self.delete_config(&input),
            Operation::ListLoggingConfigurations => self.list_configs(&input),
            Operation::CreateChatToken => self.create_chat_token(&input),
            Operation::SendEvent => self.send_event(&input),
            Operation::DeleteMessage => self.delete_message(&input),
            Operation::DisconnectUser => self.disconnect_user(&input),
        }
    }

    fn create_room(&self, input: &Value) -> Result<Reply, ServiceError> {
        let allowed = [
            "name",
            "maximumMessageRatePerSecond",
            "maximumMessageLength",
            "messageReviewHandler",
            "tags",
            "loggingConfigurationIdentifiers",
        ];
        let (mut c, obj) = top_level(input, &allowed)?;
        let name = c.string("name", obj.get("name"), &v::ROOM_NAME);
        let rate = c.integer(
            "maximumMessageRatePerSecond",
            obj.get("maximumMessageRatePerSecond"),
            1,
            100,
        );
        let length = c.integer(
            "maximumMessageLength",
            obj.get("maximumMessageLength"),
            1,
            500,
        );
        let handler = parse_handler(
            &mut c,
            "messageReviewHandler",
            obj.get("messageReviewHandler"),
        );
        let tags = tags_input(&mut c, "tags", obj.get("tags"));
        let logging = logging_list_input(&mut c, obj.get("loggingConfigurationIdentifiers"));
        c.finish()?;

        let now = self.now();
        let mut st = self.lock();
        let logging = self.resolve_logging(&st, &logging.unwrap_or_default())?;
        let id = st.fresh_id();
        let room = Room {
            arn: self.arn(Kind::Room, &id),
            id: id.clone(),
            name: name.unwrap_or_default(),
            created: now,
            updated: now,
            max_rate: rate.unwrap_or(10),
            max_length: length.unwrap_or(500),
            handler: handler.and_then(effective_handler),
            tags: tags.unwrap_or_default(),
            logging,
        };
        let out = room_json(&room, false);
        let seq = st.next_seq();
        st.room_ids.insert(id, seq);
        st.room_order.insert((room.updated, seq));
        st.rooms.insert(seq, room);
        st.changed();
        Ok(Reply::Json(out))
    }

    fn identifier_input(&self, input: &Value, spec: &v::StrSpec) -> Result<String, ServiceError> {
        let (mut c, obj) = top_level(input, &["identifier"])?;
        let ident = required_string(&mut c, obj, "identifier", spec);
        c.finish()?;
        ident.ok_or_else(|| ServiceError::field("identifier", "Member must not be null"))
    }

    fn get_room(&self, input: &Value) -> Result<Reply, ServiceError> {
        let ident = self.identifier_input(input, &v::ROOM_IDENTIFIER)?;
        let id = self.identifier_id(&ident, Kind::Room)?;
        let st = self.lock();
        let room = st
            .room(id)
            .ok_or_else(|| ServiceError::not_found("Room", id))?;
        Ok(Reply::Json(room_json(room, false)))
    }

    fn update_room(&self, input: &Value) -> Result<Reply, ServiceError> {
        let allowed = [
            "identifier",
            "name",
            "maximumMessageRatePerSecond",
            "maximumMessageLength",
            "messageReviewHandler",
            "loggingConfigurationIdentifiers",
        ];
        let (mut c, obj) = top_level(input, &allowed)?;
        let ident = required_string(&mut c, obj, "identifier", &v::ROOM_IDENTIFIER);
        let name = c.string("name", obj.get("name"), &v::ROOM_NAME);
        let rate = c.integer(
            "maximumMessageRatePerSecond",
            obj.get("maximumMessageRatePerSecond"),
            1,
            100,
        );
        let length = c.integer(
            "maximumMessageLength",
            obj.get("maximumMessageLength"),
            1,
            500,
        );
        let handler = parse_handler(
            &mut c,
            "messageReviewHandler",
            obj.get("messageReviewHandler"),
        );
        let logging = logging_list_input(&mut c, obj.get("loggingConfigurationIdentifiers"));
        c.finish()?;
        let ident = ident.unwrap_or_default();
        let id = self.identifier_id(&ident, Kind::Room)?;

        let now = self.now();
        let mut st = self.lock();
        let Some(&seq) = st.room_ids.get(id) else {
            return Err(ServiceError::not_found("Room", id));
        };
        let logging = match logging {
            Some(list) => Some(self.resolve_logging(&st, &list)?),
            None => None,
        };
        let st = &mut *st;
        let room = st
            .rooms
            .get_mut(&seq)
            .ok_or_else(|| ServiceError::not_found("Room", id))?;
        if let Some(name) = name {
            room.name = name;
        }
        if let Some(rate) = rate {
            room.max_rate = rate;
        }
        if let Some(length) = length {
            room.max_length = length;
        }
        if let Some(h) = handler {
            room.handler = effective_handler(h);
        }
        if let Some(logging) = logging {
            room.logging = logging;
        }
        st.room_order.remove(&(room.updated, seq));
        room.updated = now.max(room.updated + 1);
        st.room_order.insert((room.updated, seq));
        let out = room_json(room, false);
        st.changed();
        Ok(Reply::Json(out))
    }

    fn delete_room(&self, input: &Value) -> Result<Reply, ServiceError> {
        let ident = self.identifier_input(input, &v::ROOM_IDENTIFIER)?;
        let id = self.identifier_id(&ident, Kind::Room)?;
        let mut st = self.lock();
        let seq = st
            .room_ids
            .remove(id)
            .ok_or_else(|| ServiceError::not_found("Room", id))?;
        if let Some(room) = st.rooms.remove(&seq) {
            st.room_order.remove(&(room.updated, seq));
        }
        st.forget_room(id);
        st.changed();
        Ok(Reply::NoContent)
    }

    fn list_rooms(&self, input: &Value) -> Result<Reply, ServiceError> {
        let allowed = [
            "name",
            "nextToken",
            "maxResults",
            "messageReviewHandlerUri",
            "loggingConfigurationIdentifier",
        ];
        let (mut c, obj) = top_level(input, &allowed)?;
        let name = c.string("name", obj.get("name"), &v::ROOM_NAME);
        let token = c.string("nextToken", obj.get("nextToken"), &v::PAGINATION_TOKEN);
        let max = c.integer("maxResults", obj.get("maxResults"), 1, 50);
        let uri = c.string(
            "messageReviewHandlerUri",
            obj.get("messageReviewHandlerUri"),
            &v::LAMBDA_ARN,
        );
        let logging = c.string(
            "loggingConfigurationIdentifier",
            obj.get("loggingConfigurationIdentifier"),
            &v::LOGGING_CONFIGURATION_IDENTIFIER,
        );
        c.finish()?;
        let after = match token.as_deref() {
            None | Some("") => Bound::Unbounded,
            Some(t) => Bound::Excluded(self.parse_page_token(b'r', t)?),
        };
        let max = max.map_or(DEFAULT_PAGE, |m| usize::try_from(m).unwrap_or(DEFAULT_PAGE));

        let st = self.lock();
        let logging_arn = match &logging {
            Some(ident) => {
                let id = self.identifier_id(ident, Kind::LoggingConfiguration)?;
                let cfg = st
                    .config(id)
                    .ok_or_else(|| ServiceError::not_found("Logging configuration", id))?;
                Some(cfg.arn.clone())
            }
            None => None,
        };
        let matches = |r: &Room| {
            name.as_ref().is_none_or(|n| &r.name == n)
                && uri
                    .as_ref()
                    .is_none_or(|u| r.handler.as_ref().and_then(|h| h.uri.as_ref()) == Some(u))
                && logging_arn.as_ref().is_none_or(|a| r.logging.contains(a))
        };
        // Newest update first, as the service documents; a token holds the
        // key of the last room returned, so the walk resumes after it even if
        // that room is updated or deleted meanwhile.
        let mut page: Vec<((i64, u64), &Room)> = st
            .room_order
            .range((Bound::Unbounded, after))
            .rev()
            .filter_map(|key| st.rooms.get(&key.1).map(|r| (*key, r)))
            .filter(|(_, r)| matches(r))
            .take(max + 1)
            .collect();
        let more = page.len() > max;
        page.truncate(max);
        let mut out = Map::new();
        out.insert(
            "rooms".into(),
            Value::Array(page.iter().map(|(_, r)| room_json(r, true)).collect()),
        );
        if more && let Some((last, _)) = page.last() {
            out.insert("nextToken".into(), json!(self.page_token(b'r', *last)));
        }
        Ok(Reply::Json(Value::Object(out)))
    }

    fn create_config(&self, input: &Value) -> Result<Reply, ServiceError> {
        let (mut c, obj) = top_level(input, &["name", "destinationConfiguration", "tags"])?;
        let name = c.string("name", obj.get("name"), &v::LOGGING_CONFIGURATION_NAME);
        let dest_value = obj.get("destinationConfiguration");
        let dest = parse_destination(&mut c, "destinationConfiguration", dest_value);
        if dest_value.is_none_or(Value::is_null) {
            c.require::<()>("destinationConfiguration", None);
        }
        let tags = tags_input(&mut c, "tags", obj.get("tags"));
        c.finish()?;
        let dest = dest.ok_or_else(|| {
            ServiceError::field("destinationConfiguration", "Member must not be null")
        })?;

        let now = self.now();
        let mut st = self.lock();
        let id = st.fresh_id();
        let cfg = LoggingConfiguration {
            arn: self.arn(Kind::LoggingConfiguration, &id),
            id: id.clone(),
            name: name.unwrap_or_default(),
            created: now,
            updated: now,
            destination: dest,
            tags: tags.unwrap_or_default(),
        };
        let out = config_json(&cfg);
        let seq = st.next_seq();
        st.config_ids.insert(id, seq);
        st.configs.insert(seq, cfg);
        st.changed();
        Ok(Reply::Json(out))
    }

    fn get_config(&self, input: &Value) -> Result<Reply, ServiceError> {
        let ident = self.identifier_input(input, &v::LOGGING_CONFIGURATION_IDENTIFIER)?;
        let id = self.identifier_id(&ident, Kind::LoggingConfiguration)?;
        let st = self.lock();
        let cfg = st
            .config(id)
            .ok_or_else(|| ServiceError::not_found("Logging configuration", id))?;
        Ok(Reply::Json(config_json(cfg)))
    }

    fn update_config(&self, input: &Value) -> Result<Reply, ServiceError> {
        let (mut c, obj) = top_level(input, &["identifier", "name", "destinationConfiguration"])?;
        let ident = required_string(
            &mut c,
            obj,
            "identifier",
            &v::LOGGING_CONFIGURATION_IDENTIFIER,
        );
        let name = c.string("name", obj.get("name"), &v::LOGGING_CONFIGURATION_NAME);
        let dest = parse_destination(
            &mut c,
            "destinationConfiguration",
            obj.get("destinationConfiguration"),
        );
        c.finish()?;
        let ident = ident.unwrap_or_default();
        let id = self.identifier_id(&ident, Kind::LoggingConfiguration)?;
        let now = self.now();
        let mut st = self.lock();
        let cfg = st
            .config_mut(id)
            .ok_or_else(|| ServiceError::not_found("Logging configuration", id))?;
        if let Some(name) = name {
            cfg.name = name;
        }
        if let Some(dest) = dest {
            cfg.destination = dest;
        }
        cfg.updated = now.max(cfg.updated + 1);
        let out = config_json(cfg);
        st.changed();
        Ok(Reply::Json(out))
    }

    fn delete_config(&self, input: &Value) -> Result<Reply, ServiceError> {
        let ident = self.identifier_input(input, &v::LOGGING_CONFIGURATION_IDENTIFIER)?;
        let id = self.identifier_id(&ident, Kind::LoggingConfiguration)?;
        let mut st = self.lock();
        let cfg = st
            .config(id)
            .ok_or_else(|| ServiceError::not_found("Logging configuration", id))?;
        let arn = cfg.arn.clone();
        if let Some(room) = st.rooms.values().find(|r| r.logging.contains(&arn)) {
            return Err(ServiceError::Conflict {
                message: format!("Logging configuration {id} is in use by room {}", room.id),
                resource_id: room.id.clone(),
            });
        }
        if let Some(seq) = st.config_ids.remove(id) {
            st.configs.remove(&seq);
        }
        st.changed();
        Ok(Reply::NoContent)
    }

    fn list_configs(&self, input: &Value) -> Result<Reply, ServiceError> {
        let (mut c, obj) = top_level(input, &["nextToken", "maxResults"])?;
        let token = c.string("nextToken", obj.get("nextToken"), &v::PAGINATION_TOKEN);
        let max = c.integer("maxResults", obj.get("maxResults"), 1, 50);
        c.finish()?;
        // The model documents no order for this listing: creation order. The
        // key's first half is unused (always 0).
        let after = match token.as_deref() {
            None | Some("") => 0,
            Some(t) => self.parse_page_token(b'l', t)?.1,
        };
        let max = max.map_or(DEFAULT_PAGE, |m| usize::try_from(m).unwrap_or(DEFAULT_PAGE));
        let st = self.lock();
        let mut page: Vec<(u64, &LoggingConfiguration)> = st
            .configs
            .range(after.saturating_add(1)..)
            .take(max + 1)
            .map(|(s, c)| (*s, c))
            .collect();
        let more = page.len() > max;
        page.truncate(max);
        let mut out = Map::new();
        out.insert(
            "loggingConfigurations".into(),
            Value::Array(page.iter().map(|(_, c)| config_json(c)).collect()),
        );
        if more && let Some((last, _)) = page.last() {
            out.insert("nextToken".into(), json!(self.page_token(b'l', (0, *last))));
        }
        Ok(Reply::Json(Value::Object(out)))
    }

    /// Validates `roomIdentifier` and returns the room id of an existing room.
    fn existing_room_id(&self, st: &State, ident: &str) -> Result<String, ServiceError> {
        let id = self.identifier_id(ident, Kind::Room)?;
        st.room(id)
            .map(|r| r.id.clone())
            .ok_or_else(|| ServiceError::not_found("Room", id))
    }

    fn create_chat_token(&self, input: &Value) -> Result<Reply, ServiceError> {
        let allowed = [
            "roomIdentifier",
            "userId",
            "capabilities",
            "sessionDurationInMinutes",
            "attributes",
        ];
        let (mut c, obj) = top_level(input, &allowed)?;
        let ident = required_string(&mut c, obj, "roomIdentifier", &v::ROOM_IDENTIFIER);
        let user_id = required_string(&mut c, obj, "userId", &v::USER_ID);
        let capabilities = c.string_list(
            "capabilities",
            obj.get("capabilities"),
            None,
            None,
            &v::StrSpec::ANY,
            Some(&["SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"]),
        );
        let duration = c.integer(
            "sessionDurationInMinutes",
            obj.get("sessionDurationInMinutes"),
            1,
            180,
        );
        let attributes = c.string_map(
            "attributes",
            obj.get("attributes"),
            None,
            None,
            &v::StrSpec::ANY,
            &v::StrSpec::ANY,
        );
        c.finish()?;
        let (ident, user_id) = (ident.unwrap_or_default(), user_id.unwrap_or_default());
        let now = self.now();
        let duration = u32::try_from(duration.unwrap_or(60)).unwrap_or(60);
        // Only RFC 7230 tchar characters: the token travels as the WebSocket subprotocol.
        let token = format!(
            "{TOKEN_PREFIX}{}.{}{}",
            self.config.region,
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let record = TokenRecord {
            room_id: String::new(),
            user_id,
            capabilities: capabilities.unwrap_or_default(),
            attributes: attributes.unwrap_or_default(),
            session_duration_in_minutes: duration,
            token_expires: now + TOKEN_LIFETIME_MS,
            session_expires: now + i64::from(duration) * 60_000,
            used: false,
        };
        let mut st = self.lock();
        let room_id = self.existing_room_id(&st, &ident)?;
        let out = json!({
            "token": token,
            "tokenExpirationTime": time(record.token_expires),
            "sessionExpirationTime": time(record.session_expires),
        });
        st.insert_token(
            token,
            TokenRecord { room_id, ..record },
            now,
            self.config.max_chat_tokens,
        );
        Ok(Reply::Json(out))
    }

    /// Records a control-plane messaging call and delivers its frame to the
    /// room's connections; returns the locked state and the new id.
    fn record(
        &self,
        ident: Option<String>,
        make: impl FnOnce(&str, SystemTime, &str) -> (RecordedAction, Utf8Bytes),
    ) -> Result<(MutexGuard<'_, State>, String, String), ServiceError> {
        let ident = ident.unwrap_or_default();
        let now = self.config.clock.now();
        let mut st = self.lock();
        let room_id = self.existing_room_id(&st, &ident)?;
        let id = self.ids.next();
        let (action, frame) = make(&id, now, &format_rfc3339(to_millis(now)));
        st.push_action(&room_id, action, self.config.max_recorded_actions);
        st.live.broadcast(&room_id, &frame);
        Ok((st, room_id, id))
    }

    fn send_event(&self, input: &Value) -> Result<Reply, ServiceError> {
        let (mut c, obj) = top_level(input, &["roomIdentifier", "eventName", "attributes"])?;
        let ident = required_string(&mut c, obj, "roomIdentifier", &v::ROOM_IDENTIFIER);
        let event_name = required_string(&mut c, obj, "eventName", &v::EVENT_NAME);
        let attributes = c.string_map(
            "attributes",
            obj.get("attributes"),
            None,
            None,
            &v::StrSpec::ANY,
            &v::StrSpec::ANY,
        );
        c.finish()?;
        let event_name = event_name.unwrap_or_default();
        let (st, _, id) = self.record(ident, |id, time, send_time| {
            let frame = frames::event(id, None, &event_name, attributes.as_ref(), send_time);
            let action = RecordedAction::Event {
                id: id.to_string(),
                event_name,
                attributes: attributes.unwrap_or_default(),
                time,
            };
            (action, frame)
        })?;
        drop(st);
        Ok(Reply::Json(json!({"id": id})))
    }

    fn delete_message(&self, input: &Value) -> Result<Reply, ServiceError> {
        let (mut c, obj) = top_level(input, &["roomIdentifier", "id", "reason"])?;
        let ident = required_string(&mut c, obj, "roomIdentifier", &v::ROOM_IDENTIFIER);
        let message_id = required_string(&mut c, obj, "id", &v::MESSAGE_ID);
        let reason = c.string("reason", obj.get("reason"), &v::REASON);
        c.finish()?;
        let message_id = message_id.unwrap_or_default();
        let (st, _, id) = self.record(ident, |id, time, send_time| {
            let frame = frames::delete_event(id, None, &message_id, reason.as_deref(), send_time);
            let action = RecordedAction::MessageDeleted {
                id: id.to_string(),
                message_id,
                reason,
                time,
            };
            (action, frame)
        })?;
        drop(st);
        Ok(Reply::Json(json!({"id": id})))
    }

    fn disconnect_user(&self, input: &Value) -> Result<Reply, ServiceError> {
        let (mut c, obj) = top_level(input, &["roomIdentifier", "userId", "reason"])?;
        let ident = required_string(&mut c, obj, "roomIdentifier", &v::ROOM_IDENTIFIER);
        let user_id = required_string(&mut c, obj, "userId", &v::USER_ID);
        let reason = c.string("reason", obj.get("reason"), &v::REASON);
        c.finish()?;
        let user_id = user_id.unwrap_or_default();
        let (st, room_id, _) = self.record(ident, |id, time, send_time| {
            let frame = frames::disconnect_event(id, None, &user_id, reason.as_deref(), send_time);
            let action = RecordedAction::UserDisconnected {
                user_id: user_id.clone(),
                reason,
                time,
            };
            (action, frame)
        })?;
        st.live.close_user(&room_id, &user_id);
        Ok(Reply::Json(json!({})))
    }

    /// Resolves a tag operation's ARN to the resource's tag map; `change`
    /// says whether `f` modifies it.
    ///
    /// The tag operations model neither `AccessDeniedException` nor a quota
    /// error, so an ARN of another account or region is a resource this
    /// endpoint cannot find (`ResourceNotFoundException`), as a regional
    /// service looking the ARN up in the caller's account and region finds
    /// nothing.
    fn with_tags<T>(
        &self,
        arn: &str,
        change: bool,
        f: impl FnOnce(&mut BTreeMap<String, String>, &str) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut c = Checker::default();
        c.string(
            "resourceArn",
            Some(&Value::String(arn.to_string())),
            &v::RESOURCE_ARN,
        );
        c.finish()?;
        let Some(parsed) = parse_ivschat_arn(arn) else {
            return Err(ServiceError::field(
                "resourceArn",
                "Member must be an IVS Chat ARN",
            ));
        };
        let not_found = || ServiceError::ResourceNotFound {
            message: format!("Resource {arn} not found"),
            resource_id: crate::error::resource_id(parsed.id),
        };
        if parsed.region != self.config.region || parsed.account != self.config.account_id {
            return Err(not_found());
        }
        let mut st = self.lock();
        let tags = match parsed.resource_type {
            "room" => st.room_mut(parsed.id).map(|r| &mut r.tags),
            "logging-configuration" => st.config_mut(parsed.id).map(|c| &mut c.tags),
            _ => None,
        };
        let Some(tags) = tags else {
            return Err(not_found());
        };
        let out = f(tags, parsed.id)?;
        if change {
            st.changed();
        }
        Ok(out)
    }

    pub(crate) fn list_tags(&self, arn: &str) -> Result<Reply, ServiceError> {
        self.with_tags(arn, false, |tags, _| {
            Ok(Reply::Json(json!({"tags": tags_json(tags)})))
        })
    }

    pub(crate) fn tag_resource(&self, arn: &str, body: &[u8]) -> Result<Reply, ServiceError> {
        let input = parse_body(body)?;
        let (mut c, obj) = top_level(&input, &["tags"])?;
        let present = obj.get("tags").is_some_and(|t| !t.is_null());
        let new_tags = tags_input(&mut c, "tags", obj.get("tags"));
        if !present {
            c.require::<()>("tags", None);
        }
        c.finish()?;
        let new_tags = new_tags.unwrap_or_default();
        self.with_tags(arn, true, |tags, id| {
            let total = tags.len() + new_tags.keys().filter(|k| !tags.contains_key(*k)).count();
            // TagResource models no quota error: the service's limit of 50
            // tags per resource is a constraint on `tags`, as the model's
            // own limit on the map is.
            if total > MAX_TAGS {
                return Err(ServiceError::field(
                    "tags",
                    format!(
                        "Resource {id} would have {total} tags; a resource has at most {MAX_TAGS}"
                    ),
                ));
            }
            tags.extend(new_tags);
            Ok(Reply::Json(json!({})))
        })
    }

    pub(crate) fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<Reply, ServiceError> {
        let mut c = Checker::default();
        let list = Value::Array(keys.iter().map(|k| Value::String(k.clone())).collect());
        c.string_list(
            "tagKeys",
            Some(&list),
            Some(0),
            Some(MAX_TAGS),
            &v::TAG_KEY,
            None,
        );
        if keys.is_empty() {
            c.require::<()>("tagKeys", None);
        }
        c.finish()?;
        self.with_tags(arn, true, |tags, _| {
            for k in keys {
                tags.remove(k);
            }
            Ok(Reply::Json(json!({})))
        })
    }

    pub(crate) fn verify_chat_token(&self, token: &str) -> Option<ChatTokenInfo> {
        let now = self.now();
        let st = self.lock();
        let t = st.tokens.get(token)?;
        if t.used || t.token_expires <= now {
            return None;
        }
        let room = st.room(&t.room_id)?;
        Some(ChatTokenInfo {
            room_arn: room.arn.clone(),
            room_id: room.id.clone(),
            user_id: t.user_id.clone(),
            capabilities: t.capabilities.clone(),
            attributes: t.attributes.clone(),
            session_duration_in_minutes: t.session_duration_in_minutes,
            token_expiration_time: from_millis(t.token_expires),
            session_expiration_time: from_millis(t.session_expires),
        })
    }

    pub(crate) fn recorded_actions(&self, room: &str) -> Vec<RecordedAction> {
        let id = parse_ivschat_arn(room).map_or(room, |a| a.id);
        self.lock()
            .actions
            .get(id)
            .map(|list| list.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Why a WebSocket handshake is refused: the HTTP status and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) message: String,
}

fn refuse(status: u16, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

/// What a connection knows about its session, from the token that opened it.
pub(crate) struct SessionInfo {
    pub(crate) member: u64,
    pub(crate) room_id: String,
    pub(crate) user_id: String,
    pub(crate) capabilities: Vec<String>,
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) session_expires: SystemTime,
    pub(crate) outbox: Arc<Outbox>,
}

/// `frames::delete_event` and `frames::disconnect_event`: (id, request id,
/// subject, reason, send time) to a frame.
type SystemEvent = fn(&str, Option<&str>, &str, Option<&str>, &str) -> Utf8Bytes;

/// A message that passed the room's length and rate checks.
#[derive(Debug)]
pub(crate) struct Admission {
    pub(crate) id: String,
    pub(crate) send_time: String,
    pub(crate) room_arn: String,
    /// The handler URI and whether its fallback result is ALLOW.
    pub(crate) review: Option<(String, bool)>,
    pub(crate) max_length: usize,
}

/// The Messaging API's view of the state: sessions, admission and delivery.
impl Service {
    /// Consumes a chat token and joins its room.
    pub(crate) fn open_session(&self, token: &str) -> Result<SessionInfo, Refusal> {
        let now = self.now();
        let mut st = self.lock();
        let Some(record) = st.tokens.get_mut(token) else {
            return Err(self.unknown_token(token));
        };
        if record.used {
            return Err(refuse(
                401,
                "The chat token was already used to connect; tokens are single-use",
            ));
        }
        if record.token_expires <= now {
            return Err(refuse(
                401,
                format!(
                    "The chat token expired at {}",
                    format_rfc3339(record.token_expires)
                ),
            ));
        }
        record.used = true;
        let record = record.clone();
        if st.room(&record.room_id).is_none() {
            return Err(refuse(404, "The chat token's room does not exist"));
        }
        let outbox = Arc::new(Outbox::new(self.config.max_outgoing_queue_bytes));
        let member = st
            .live
            .join(&record.room_id, &record.user_id, Arc::clone(&outbox));
        Ok(SessionInfo {
            member,
            room_id: record.room_id,
            user_id: record.user_id,
            capabilities: record.capabilities,
            attributes: record.attributes,
            session_expires: from_millis(record.session_expires),
            outbox,
        })
    }

    fn unknown_token(&self, token: &str) -> Refusal {
        let region = token
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|rest| rest.split_once('.'))
            .map(|(region, _)| region)
            .filter(|r| {
                (1..=32).contains(&r.len())
                    && r.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        match region {
            Some(region) if region != self.config.region => refuse(
                401,
                format!(
                    "The chat token was issued for region {region}; this endpoint serves {}",
                    self.config.region
                ),
            ),
            _ => refuse(
                401,
                "The chat token is not valid: unknown, forged, or its room was deleted",
            ),
        }
    }

    pub(crate) fn leave(&self, room_id: &str, member: u64) {
        self.lock().live.leave(room_id, member);
    }

    /// Checks a message against the room's current settings (so `UpdateRoom`
    /// applies to open connections) and counts it against the rate limit.
    pub(crate) fn admit_message(
        &self,
        room_id: &str,
        content: &str,
    ) -> Result<Admission, FrameError> {
        let now = to_millis(self.config.clock.now());
        let mut st = self.lock();
        let Some(room) = st.room(room_id) else {
            return Err(FrameError::new(404, "Room not found"));
        };
        let max_length = usize::try_from(room.max_length).unwrap_or(usize::MAX);
        let max_rate = usize::try_from(room.max_rate).unwrap_or(usize::MAX);
        let review = room
            .handler
            .as_ref()
            .and_then(|h| h.uri.clone().map(|uri| (uri, h.fallback_result == "ALLOW")));
        let room_arn = room.arn.clone();
        let length = content.chars().count();
        if length > max_length {
            return Err(FrameError::new(
                400,
                format!("Content must be at most {max_length} characters, got {length}"),
            ));
        }
        if !st.live.admit(room_id, now, max_rate) {
            return Err(FrameError::new(
                429,
                format!("Room message rate of {max_rate} per second exceeded"),
            ));
        }
        Ok(Admission {
            id: self.ids.next(),
            send_time: format_rfc3339(now),
            room_arn,
            review,
            max_length,
        })
    }

    /// Sends a frame to every connection of the room.
    pub(crate) fn deliver(&self, room_id: &str, frame: &Utf8Bytes) {
        self.lock().live.broadcast(room_id, frame);
    }

    fn send_time(&self) -> String {
        format_rfc3339(self.now())
    }

    /// Delivers a system event made with a fresh id and the current time;
    /// returns the state, still locked, for what must follow it at once.
    fn announce(
        &self,
        room_id: &str,
        request_id: Option<&str>,
        subject: &str,
        reason: Option<&str>,
        event: SystemEvent,
    ) -> MutexGuard<'_, State> {
        let frame = event(
            &self.ids.next(),
            request_id,
            subject,
            reason,
            &self.send_time(),
        );
        let st = self.lock();
        st.live.broadcast(room_id, &frame);
        st
    }

    /// `DELETE_MESSAGE` from a connection: the `aws:DELETE_MESSAGE` event.
    pub(crate) fn delete_message_live(
        &self,
        room_id: &str,
        request_id: Option<&str>,
        message_id: &str,
        reason: Option<&str>,
    ) {
        let event = frames::delete_event;
        drop(self.announce(room_id, request_id, message_id, reason, event));
    }

    /// `DISCONNECT_USER` from a connection: the `aws:DISCONNECT_USER` event,
    /// then a close of every connection of that user in the room.
    pub(crate) fn disconnect_user_live(
        &self,
        room_id: &str,
        request_id: Option<&str>,
        user_id: &str,
        reason: Option<&str>,
    ) {
        let event = frames::disconnect_event;
        let st = self.announce(room_id, request_id, user_id, reason, event);
        st.live.close_user(room_id, user_id);
    }

    pub(crate) fn close_all_sessions(&self) {
        self.lock().live.close_all(CloseCause::ShuttingDown);
    }

    /// How many rooms and logging configurations the service holds.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let st = self.lock();
        (st.rooms.len(), st.configs.len())
    }

    pub(crate) fn open_connections(&self) -> usize {
        self.lock().live.connections()
    }
}
