//! Input validation against the constraints of the IVS Chat model.
//!
//! Requests are parsed as `serde_json::Value` and checked member by member so
//! that every violation is reported in `fieldList` with the member's path
//! (`messageReviewHandler.uri`, `loggingConfigurationIdentifiers[1]`, ...).
//! Values are never echoed: some members are sensitive.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{FieldError, ServiceError};

/// The `@pattern` traits of the model, implemented without a regex engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// `^[a-zA-Z0-9-_]*$` (RoomName, LoggingConfigurationName)
    Name,
    /// `^[a-zA-Z0-9]+$` (ID, MessageID)
    Alnum,
    /// `^[a-z0-9-.]+$`
    BucketName,
    /// `^[\.\-_/#A-Za-z0-9]+$`
    LogGroupName,
    /// `^[a-zA-Z0-9_.-]+$`
    DeliveryStreamName,
    /// `^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+`
    LambdaArn,
    /// `^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+$`, or a bare room id.
    RoomIdentifier,
    /// `^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+$`, or a bare id.
    LoggingConfigurationIdentifier,
    /// `^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$`
    ResourceArn,
}

fn is_alnum_plus(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_resource_tail(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An IVS Chat ARN split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedArn<'a> {
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) resource_type: &'a str,
    pub(crate) id: &'a str,
}

/// Parses `arn:aws:ivschat:{region}:{account}:{type}/{id}` with the character
/// classes of the model's ARN patterns.
pub(crate) fn parse_ivschat_arn(s: &str) -> Option<ParsedArn<'_>> {
    let rest = s.strip_prefix("arn:aws:ivschat:")?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (resource_type, id) = resource.split_once('/')?;
    if resource_type.is_empty()
        || !resource_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
        || !is_resource_tail(id)
    {
        return None;
    }
    Some(ParsedArn {
        region,
        account,
        resource_type,
        id,
    })
}

impl Pattern {
    pub(crate) fn text(self) -> &'static str {
        match self {
            Pattern::Name => "^[a-zA-Z0-9-_]*$",
            Pattern::Alnum => "^[a-zA-Z0-9]+$",
            Pattern::BucketName => "^[a-z0-9-.]+$",
            Pattern::LogGroupName => "^[\\.\\-_/#A-Za-z0-9]+$",
            Pattern::DeliveryStreamName => "^[a-zA-Z0-9_.-]+$",
            Pattern::LambdaArn => "^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+",
            Pattern::RoomIdentifier => "^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+$",
            Pattern::LoggingConfigurationIdentifier => {
                "^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+$"
            }
            Pattern::ResourceArn => "^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$",
        }
    }

    pub(crate) fn matches(self, s: &str) -> bool {
        match self {
            Pattern::Name => s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            Pattern::Alnum => is_alnum_plus(s),
            Pattern::BucketName => {
                !s.is_empty()
                    && s.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    })
            }
            Pattern::LogGroupName => {
                !s.is_empty()
                    && s.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#')
                    })
            }
            Pattern::DeliveryStreamName => {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            }
            Pattern::LambdaArn => {
                if s.is_empty() {
                    return true;
                }
                // The pattern is not anchored at the end; `.+` needs one
                // character that is not a line terminator right after `function:`.
                let Some(rest) = s.strip_prefix("arn:aws:lambda:") else {
                    return false;
                };
                let mut parts = rest.splitn(3, ':');
                let (Some(region), Some(account), Some(tail)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return false;
                };
                let region_ok = !region.is_empty()
                    && region
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
                let tail_ok = tail
                    .strip_prefix("function:")
                    .and_then(|f| f.chars().next())
                    .is_some_and(|c| !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'));
                region_ok && account_ok && tail_ok
            }
            Pattern::RoomIdentifier => {
                is_alnum_plus(s) || parse_ivschat_arn(s).is_some_and(|a| a.resource_type == "room")
            }
            Pattern::LoggingConfigurationIdentifier => {
                is_alnum_plus(s)
                    || parse_ivschat_arn(s)
                        .is_some_and(|a| a.resource_type == "logging-configuration")
            }
            Pattern::ResourceArn => parse_ivschat_arn(s).is_some(),
        }
    }
}

/// Constraints of a string shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrSpec {
    pub(crate) min: Option<usize>,
    pub(crate) max: Option<usize>,
    pub(crate) pattern: Option<Pattern>,
}

impl StrSpec {
    pub(crate) const ANY: StrSpec = StrSpec {
        min: None,
        max: None,
        pattern: None,
    };

    pub(crate) const fn new(
        min: Option<usize>,
        max: Option<usize>,
        pattern: Option<Pattern>,
    ) -> Self {
        StrSpec { min, max, pattern }
    }
}

pub(crate) const ROOM_NAME: StrSpec = StrSpec::new(None, Some(128), Some(Pattern::Name));
pub(crate) const LOGGING_CONFIGURATION_NAME: StrSpec =
    StrSpec::new(None, Some(128), Some(Pattern::Name));
pub(crate) const ROOM_IDENTIFIER: StrSpec =
    StrSpec::new(Some(1), Some(128), Some(Pattern::RoomIdentifier));
pub(crate) const LOGGING_CONFIGURATION_IDENTIFIER: StrSpec = StrSpec::new(
    Some(1),
    Some(128),
    Some(Pattern::LoggingConfigurationIdentifier),
);
pub(crate) const RESOURCE_ARN: StrSpec =
    StrSpec::new(Some(1), Some(128), Some(Pattern::ResourceArn));
pub(crate) const LAMBDA_ARN: StrSpec = StrSpec::new(Some(0), Some(170), Some(Pattern::LambdaArn));
pub(crate) const USER_ID: StrSpec = StrSpec::new(Some(1), Some(128), None);
pub(crate) const MESSAGE_ID: StrSpec = StrSpec::new(Some(12), Some(12), Some(Pattern::Alnum));
pub(crate) const REASON: StrSpec = StrSpec::new(Some(1), Some(256), None);
pub(crate) const EVENT_NAME: StrSpec = StrSpec::new(Some(1), Some(100), None);
pub(crate) const TAG_KEY: StrSpec = StrSpec::new(Some(1), Some(128), None);
pub(crate) const TAG_VALUE: StrSpec = StrSpec::new(Some(0), Some(256), None);
pub(crate) const PAGINATION_TOKEN: StrSpec = StrSpec::new(Some(0), Some(1024), None);
pub(crate) const BUCKET_NAME: StrSpec = StrSpec::new(Some(3), Some(63), Some(Pattern::BucketName));
pub(crate) const LOG_GROUP_NAME: StrSpec =
    StrSpec::new(Some(1), Some(512), Some(Pattern::LogGroupName));
pub(crate) const DELIVERY_STREAM_NAME: StrSpec =
    StrSpec::new(Some(1), Some(64), Some(Pattern::DeliveryStreamName));

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Collects field errors while reading members out of a JSON document.
#[derive(Debug, Default)]
pub(crate) struct Checker {
    errors: Vec<FieldError>,
}

/// Joins a parent path and a member name.
pub(crate) fn path(parent: &str, member: &str) -> String {
    if parent.is_empty() {
        member.to_string()
    } else {
        format!("{parent}.{member}")
    }
}

impl Checker {
    pub(crate) fn fail(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            name: name.to_string(),
            message: message.into(),
        });
    }

    /// `Ok(())` when nothing failed, else a `ValidationException` listing every failure.
    pub(crate) fn finish(self) -> Result<(), ServiceError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::fields(self.errors))
        }
    }

    /// Checks that `v` is an object with only `allowed` members.
    pub(crate) fn object<'a>(
        &mut self,
        at: &str,
        v: &'a Value,
        allowed: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Value::Object(map) = v else {
            let name = if at.is_empty() { "body" } else { at };
            self.fail(
                name,
                format!("Member must be an object, not {}", type_name(v)),
            );
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.fail(&path(at, key), "Unknown member");
            }
        }
        Some(map)
    }

    /// Marks a missing required member.
    pub(crate) fn require<T>(&mut self, name: &str, v: Option<T>) -> Option<T> {
        if v.is_none() {
            self.fail(name, "Member must not be null");
        }
        v
    }

    fn check_len(
        &mut self,
        name: &str,
        len: usize,
        min: Option<usize>,
        max: Option<usize>,
        what: &str,
    ) -> bool {
        if let Some(min) = min
            && len < min
        {
            self.fail(
                name,
                format!("{what} must have length greater than or equal to {min}"),
            );
            return false;
        }
        if let Some(max) = max
            && len > max
        {
            self.fail(
                name,
                format!("{what} must have length less than or equal to {max}"),
            );
            return false;
        }
        true
    }

    fn check_str(&mut self, name: &str, s: &str, spec: &StrSpec, what: &str) -> bool {
        if !self.check_len(name, s.chars().count(), spec.min, spec.max, what) {
            return false;
        }
        if let Some(p) = spec.pattern
            && !p.matches(s)
        {
            self.fail(
                name,
                format!(
                    "{what} must satisfy regular expression pattern: {}",
                    p.text()
                ),
            );
            return false;
        }
        true
    }

    /// Reads an optional string member; JSON `null` counts as absent.
    pub(crate) fn string(
        &mut self,
        name: &str,
        v: Option<&Value>,
        spec: &StrSpec,
    ) -> Option<String> {
        match v {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => self.check_str(name, s, spec, "Member").then(|| s.clone()),
            Some(other) => {
                self.fail(
                    name,
                    format!("Member must be a string, not {}", type_name(other)),
                );
                None
            }
        }
    }

    /// Reads a string member constrained to `allowed` values.
    pub(crate) fn enumeration(
        &mut self,
        name: &str,
        v: Option<&Value>,
        allowed: &[&str],
    ) -> Option<String> {
        let s = self.string(name, v, &StrSpec::ANY)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            self.fail(
                name,
                format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            );
            None
        }
    }

    /// Reads an optional integer member in `min..=max`.
    pub(crate) fn integer(
        &mut self,
        name: &str,
        v: Option<&Value>,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        match v {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => {
                let Some(i) = n.as_i64() else {
                    self.fail(name, "Member must be an integer");
                    return None;
                };
                if i < min {
                    self.fail(
                        name,
                        format!("Member must have value greater than or equal to {min}"),
                    );
                    None
                } else if i > max {
                    self.fail(
                        name,
                        format!("Member must have value less than or equal to {max}"),
                    );
                    None
                } else {
                    Some(i)
                }
            }
            Some(other) => {
                self.fail(
                    name,
                    format!("Member must be an integer, not {}", type_name(other)),
                );
                None
            }
        }
    }

    /// Reads an optional list of strings with list and member constraints.
    pub(crate) fn string_list(
        &mut self,
        name: &str,
        v: Option<&Value>,
        min: Option<usize>,
        max: Option<usize>,
        member: &StrSpec,
        allowed: Option<&[&str]>,
    ) -> Option<Vec<String>> {
        let items = match v {
            None | Some(Value::Null) => return None,
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.fail(
                    name,
                    format!("Member must be an array, not {}", type_name(other)),
                );
                return None;
            }
        };
        let mut ok = self.check_len(name, items.len(), min, max, "Member");
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{name}[{i}]");
            match item {
                Value::String(s) => {
                    let good = match allowed {
                        Some(allowed) if !allowed.contains(&s.as_str()) => {
                            self.fail(
                                &at,
                                format!(
                                    "Member must satisfy enum value set: [{}]",
                                    allowed.join(", ")
                                ),
                            );
                            false
                        }
                        _ => self.check_str(&at, s, member, "Member"),
                    };
                    ok &= good;
                    out.push(s.clone());
                }
                other => {
                    self.fail(
                        &at,
                        format!("Member must be a string, not {}", type_name(other)),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Reads an optional string-to-string map with size, key and value constraints.
    /// Keys are not echoed in messages because some maps are sensitive.
    pub(crate) fn string_map(
        &mut self,
        name: &str,
        v: Option<&Value>,
        min: Option<usize>,
        max: Option<usize>,
        key: &StrSpec,
        value: &StrSpec,
    ) -> Option<BTreeMap<String, String>> {
        let map = match v {
            None | Some(Value::Null) => return None,
            Some(Value::Object(map)) => map,
            Some(other) => {
                self.fail(
                    name,
                    format!("Member must be an object, not {}", type_name(other)),
                );
                return None;
            }
        };
        let mut ok = self.check_len(name, map.len(), min, max, "Member");
        let mut out = BTreeMap::new();
        for (k, val) in map {
            ok &= self.check_str(name, k, key, "Map keys");
            match val {
                Value::String(s) => {
                    ok &= self.check_str(name, s, value, "Map values");
                    out.insert(k.clone(), s.clone());
                }
                other => {
                    self.fail(
                        name,
                        format!("Map values must be strings, not {}", type_name(other)),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_accept_and_reject() {
        assert!(Pattern::Name.matches(""));
        assert!(Pattern::Name.matches("my-room_1"));
        assert!(!Pattern::Name.matches("my room"));
        assert!(Pattern::BucketName.matches("my.bucket-1"));
        assert!(!Pattern::BucketName.matches("My"));
        assert!(Pattern::LogGroupName.matches("/aws/ivs#x_y.z-1"));
        assert!(!Pattern::LogGroupName.matches("a b"));
        assert!(Pattern::DeliveryStreamName.matches("s_t.r-1"));
        assert!(!Pattern::DeliveryStreamName.matches("s/t"));
        assert!(Pattern::LambdaArn.matches(""));
        assert!(Pattern::LambdaArn.matches("arn:aws:lambda:us-west-2:123456789012:function:f"));
        assert!(!Pattern::LambdaArn.matches("arn:aws:lambda:us-west-2:12345678901:function:f"));
        assert!(!Pattern::LambdaArn.matches("arn:aws:lambda:us-west-2:123456789012:function:"));
        assert!(
            Pattern::RoomIdentifier.matches("arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234")
        );
        assert!(Pattern::RoomIdentifier.matches("AbCd1234efgh"));
        assert!(
            !Pattern::RoomIdentifier
                .matches("arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AbCd1234")
        );
        assert!(!Pattern::RoomIdentifier.matches("arn:aws:ivschat:US:123:room/x"));
        assert!(
            Pattern::LoggingConfigurationIdentifier
                .matches("arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AbCd1234")
        );
        assert!(Pattern::ResourceArn.matches("arn:aws:ivschat:us-west-2:1:room/a-b"));
        assert!(!Pattern::ResourceArn.matches("arn:aws:ivschat:us-west-2:1:room/a/b"));
        assert!(!Pattern::ResourceArn.matches("arn:aws:ivs:us-west-2:1:room/a"));
    }

    #[test]
    fn checker_collects_every_failure_with_paths() {
        let body = json!({"name": "bad name", "max": 0, "list": ["ok", 3], "extra": true});
        let mut c = Checker::default();
        let obj = c
            .object("", &body, &["name", "max", "list"])
            .expect("object");
        assert_eq!(c.string("name", obj.get("name"), &ROOM_NAME), None);
        assert_eq!(c.integer("max", obj.get("max"), 1, 100), None);
        assert_eq!(
            c.string_list("list", obj.get("list"), None, Some(3), &StrSpec::ANY, None),
            None
        );
        let names: Vec<&str> = c.errors.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["extra", "name", "max", "list[1]"]);
        assert!(c.finish().is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut c = Checker::default();
        let v = json!("é".repeat(128));
        assert!(
            c.string("name", Some(&v), &StrSpec::new(None, Some(128), None))
                .is_some()
        );
        assert!(c.finish().is_ok());
    }
}
