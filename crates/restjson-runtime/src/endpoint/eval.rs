//! Evaluation of a parsed rule set against parameter values.

use std::sync::Arc;

use serde_json::Value as Json;

use super::functions;
use super::partition::PartitionTable;
use super::ruleset::{
    Condition, EndpointTemplate, Expr, Func, PathPart, Rule, RuleKind, Template, TemplatePart,
};
use super::sorted_map::SortedMap;
use super::{Endpoint, EndpointError};

/// A run-time value. Objects are shared because partition outputs are handed out on every call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Bool(bool),
    Int(i64),
    Array(Vec<Value>),
    Object(Arc<Object>),
}

/// The fields of an object value.
pub(crate) type Object = SortedMap<Value>;

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    pub(crate) fn to_json(&self) -> Json {
        match self {
            Value::Str(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Array(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(fields) => {
                // Inserted one by one: collecting would compile a sort of the entries, and
                // they are in order already.
                let mut object = serde_json::Map::new();
                for (k, v) in fields.iter() {
                    object.insert(k.clone(), v.to_json());
                }
                Json::Object(object)
            }
        }
    }
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    let mut object = Object::default();
    for (k, v) in fields {
        object.insert(k.to_owned(), v);
    }
    Value::Object(Arc::new(object))
}

/// What a rule produced when its conditions matched.
pub(crate) enum Outcome {
    Endpoint(Endpoint),
    Error(String),
}

pub(crate) struct Evaluator<'a> {
    /// Parameter values, then variables bound by `assign`, in the slot order fixed at parse time.
    slots: Vec<Option<Value>>,
    partitions: &'a PartitionTable,
}

type Res<T> = Result<T, EndpointError>;

fn eval_error(message: String) -> EndpointError {
    EndpointError::evaluation(message)
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(slots: Vec<Option<Value>>, partitions: &'a PartitionTable) -> Self {
        Evaluator { slots, partitions }
    }

    /// Evaluates rules in order; `Ok(None)` when none matched.
    pub(crate) fn rules(&mut self, rules: &[Rule]) -> Res<Option<Outcome>> {
        for rule in rules {
            if let Some(outcome) = self.rule(rule)? {
                return Ok(Some(outcome));
            }
        }
        Ok(None)
    }

    fn rule(&mut self, rule: &Rule) -> Res<Option<Outcome>> {
        let mark = self.slots.len();
        let result = self.rule_in_scope(rule);
        self.slots.truncate(mark);
        result
    }

    fn rule_in_scope(&mut self, rule: &Rule) -> Res<Option<Outcome>> {
        for condition in &rule.conditions {
            if !self.condition(condition)? {
                return Ok(None);
            }
        }
        match &rule.kind {
            RuleKind::Endpoint(e) => Ok(Some(Outcome::Endpoint(self.endpoint(e)?))),
            RuleKind::Error(message) => Ok(Some(Outcome::Error(
                self.string(message, "the error message")?,
            ))),
            RuleKind::Tree(rules, path) => match self.rules(rules)? {
                Some(outcome) => Ok(Some(outcome)),
                None => Err(EndpointError::no_rule_matched(format!(
                    "no endpoint rule matched: every sub-rule of the tree rule at {path} failed its conditions"
                ))),
            },
        }
    }

    /// A condition holds when its value is set and is not `false`; an assigned value is bound.
    fn condition(&mut self, condition: &Condition) -> Res<bool> {
        let value = self.expr(&condition.expr)?;
        let holds = match &value {
            None | Some(Value::Bool(false)) => false,
            Some(_) => true,
        };
        if holds && condition.assigns {
            self.slots.push(value);
        }
        Ok(holds)
    }

    fn endpoint(&mut self, e: &EndpointTemplate) -> Res<Endpoint> {
        let url = self.string(&e.url, "the endpoint url")?;
        let mut headers = std::collections::BTreeMap::new();
        for (name, values) in &e.headers {
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                out.push(self.string(v, "a header value")?);
            }
            headers.insert(name.clone(), out);
        }
        let mut properties = serde_json::Map::new();
        for (name, value) in &e.properties {
            let v = self
                .expr(value)?
                .ok_or_else(|| eval_error(format!("endpoint property \"{name}\" has no value")))?;
            properties.insert(name.clone(), v.to_json());
        }
        Ok(Endpoint {
            url,
            headers,
            properties,
        })
    }

    /// Evaluates an expression that must produce a string.
    fn string(&mut self, expr: &Expr, what: &str) -> Res<String> {
        match self.expr(expr)? {
            Some(Value::Str(s)) => Ok(s),
            Some(other) => Err(eval_error(format!(
                "{what} must be a string but is {}",
                other.type_name()
            ))),
            None => Err(eval_error(format!("{what} has no value"))),
        }
    }

    fn template(&mut self, t: &Template) -> Res<String> {
        if let [TemplatePart::Lit(s)] = t.parts.as_slice() {
            return Ok(s.clone());
        }
        let mut out = String::with_capacity(t.raw.len() + 32);
        for part in &t.parts {
            match part {
                TemplatePart::Lit(s) => out.push_str(s),
                TemplatePart::Expr(e) => match self.expr(e)? {
                    Some(Value::Str(s)) => out.push_str(&s),
                    Some(other) => {
                        return Err(eval_error(format!(
                            "template {:?}: a placeholder evaluated to {}, not a string",
                            t.raw,
                            other.type_name()
                        )));
                    }
                    None => {
                        return Err(eval_error(format!(
                            "template {:?}: a placeholder has no value",
                            t.raw
                        )));
                    }
                },
            }
        }
        Ok(out)
    }

    pub(crate) fn expr(&mut self, expr: &Expr) -> Res<Option<Value>> {
        Ok(match expr {
            Expr::Str(t) => Some(Value::Str(self.template(t)?)),
            Expr::Bool(b) => Some(Value::Bool(*b)),
            Expr::Int(i) => Some(Value::Int(*i)),
            Expr::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(
                        self.expr(item)?.ok_or_else(|| {
                            eval_error("an array element has no value".to_owned())
                        })?,
                    );
                }
                Some(Value::Array(out))
            }
            Expr::Record(fields) => {
                let mut out = Object::default();
                for (k, v) in fields {
                    let v = self
                        .expr(v)?
                        .ok_or_else(|| eval_error(format!("record field \"{k}\" has no value")))?;
                    out.insert(k.clone(), v);
                }
                Some(Value::Object(Arc::new(out)))
            }
            Expr::Ref { slot, name } => match self.slots.get(*slot) {
                Some(v) => v.clone(),
                None => return Err(eval_error(format!("\"{name}\" is not bound"))),
            },
            Expr::GetAttr { target, path } => {
                let Some(value) = self.expr(target)? else {
                    return Err(eval_error(
                        "getAttr was applied to a value that is not set".to_owned(),
                    ));
                };
                get_attr(&value, path)?
            }
            Expr::Call { func, args } => self.call(*func, args)?,
        })
    }

    fn arg(&mut self, func: Func, args: &[Expr], i: usize) -> Res<Value> {
        let expr = args
            .get(i)
            .ok_or_else(|| eval_error(format!("{} is missing argument {}", func.name(), i + 1)))?;
        self.expr(expr)?.ok_or_else(|| {
            eval_error(format!(
                "argument {} of {} has no value",
                i + 1,
                func.name()
            ))
        })
    }

    fn arg_str(&mut self, func: Func, args: &[Expr], i: usize) -> Res<String> {
        match self.arg(func, args, i)? {
            Value::Str(s) => Ok(s),
            other => Err(mismatch(func, i, "a string", &other)),
        }
    }

    fn arg_bool(&mut self, func: Func, args: &[Expr], i: usize) -> Res<bool> {
        match self.arg(func, args, i)? {
            Value::Bool(b) => Ok(b),
            other => Err(mismatch(func, i, "a boolean", &other)),
        }
    }

    fn arg_int(&mut self, func: Func, args: &[Expr], i: usize) -> Res<i64> {
        match self.arg(func, args, i)? {
            Value::Int(n) => Ok(n),
            other => Err(mismatch(func, i, "an integer", &other)),
        }
    }

    fn call(&mut self, func: Func, args: &[Expr]) -> Res<Option<Value>> {
        let v = match func {
            Func::IsSet => {
                let expr = args
                    .first()
                    .ok_or_else(|| eval_error("isSet is missing its argument".to_owned()))?;
                Value::Bool(self.expr(expr)?.is_some())
            }
            Func::Not => Value::Bool(!self.arg_bool(func, args, 0)?),
            Func::BooleanEquals => {
                Value::Bool(self.arg_bool(func, args, 0)? == self.arg_bool(func, args, 1)?)
            }
            Func::StringEquals => {
                Value::Bool(self.arg_str(func, args, 0)? == self.arg_str(func, args, 1)?)
            }
            Func::Substring => {
                let input = self.arg_str(func, args, 0)?;
                let start = self.arg_int(func, args, 1)?;
                let stop = self.arg_int(func, args, 2)?;
                let reverse = self.arg_bool(func, args, 3)?;
                return Ok(functions::substring(&input, start, stop, reverse).map(Value::Str));
            }
            Func::UriEncode => Value::Str(functions::uri_encode(&self.arg_str(func, args, 0)?)),
            Func::ParseUrl => {
                let Some(u) = functions::parse_url(&self.arg_str(func, args, 0)?) else {
                    return Ok(None);
                };
                object(vec![
                    ("scheme", Value::Str(u.scheme)),
                    ("authority", Value::Str(u.authority)),
                    ("path", Value::Str(u.path)),
                    ("normalizedPath", Value::Str(u.normalized_path)),
                    ("isIp", Value::Bool(u.is_ip)),
                ])
            }
            Func::IsValidHostLabel => {
                let value = self.arg_str(func, args, 0)?;
                Value::Bool(functions::is_valid_host_label(
                    &value,
                    self.arg_bool(func, args, 1)?,
                ))
            }
            Func::AwsIsVirtualHostableS3Bucket => {
                let value = self.arg_str(func, args, 0)?;
                Value::Bool(functions::is_virtual_hostable_s3_bucket(
                    &value,
                    self.arg_bool(func, args, 1)?,
                ))
            }
            Func::AwsPartition => {
                return Ok(self.partitions.resolve(&self.arg_str(func, args, 0)?));
            }
            Func::AwsParseArn => {
                let Some(arn) = functions::parse_arn(&self.arg_str(func, args, 0)?) else {
                    return Ok(None);
                };
                object(vec![
                    ("partition", Value::Str(arn.partition)),
                    ("service", Value::Str(arn.service)),
                    ("region", Value::Str(arn.region)),
                    ("accountId", Value::Str(arn.account_id)),
                    (
                        "resourceId",
                        Value::Array(arn.resource_id.into_iter().map(Value::Str).collect()),
                    ),
                ])
            }
            Func::Split => {
                let input = self.arg_str(func, args, 0)?;
                let delimiter = self.arg_str(func, args, 1)?;
                let limit = self.arg_int(func, args, 2)?;
                if delimiter.is_empty() {
                    return Err(eval_error(
                        "split: the delimiter must not be empty".to_owned(),
                    ));
                }
                let limit = usize::try_from(limit).map_err(|_| {
                    eval_error(format!(
                        "split: the limit must not be negative, got {limit}"
                    ))
                })?;
                Value::Array(
                    functions::split(&input, &delimiter, limit)
                        .into_iter()
                        .map(Value::Str)
                        .collect(),
                )
            }
            Func::Coalesce => {
                // The first set argument wins, even `false`; later arguments are not evaluated.
                let (last, rest) = args
                    .split_last()
                    .ok_or_else(|| eval_error("coalesce needs arguments".to_owned()))?;
                for a in rest {
                    if let Some(v) = self.expr(a)? {
                        return Ok(Some(v));
                    }
                }
                return self.expr(last);
            }
            Func::Ite => {
                let branch = if self.arg_bool(func, args, 0)? { 1 } else { 2 };
                let expr = args
                    .get(branch)
                    .ok_or_else(|| eval_error("ite needs three arguments".to_owned()))?;
                return self.expr(expr);
            }
        };
        Ok(Some(v))
    }
}

fn mismatch(func: Func, i: usize, expected: &str, got: &Value) -> EndpointError {
    eval_error(format!(
        "type mismatch: argument {} of {} must be {expected} but is {}",
        i + 1,
        func.name(),
        got.type_name()
    ))
}

/// Follows a `getAttr` path; a missing key or an index past the end gives `None`.
fn get_attr(value: &Value, path: &[PathPart]) -> Res<Option<Value>> {
    let mut current = value;
    for part in path {
        let next = match (part, current) {
            (PathPart::Key(k), Value::Object(map)) => map.get(k),
            (PathPart::Index(i), Value::Array(items)) => items.get(*i),
            (PathPart::Key(k), other) => {
                return Err(eval_error(format!(
                    "getAttr: cannot read \"{k}\" of {}",
                    other.type_name()
                )));
            }
            (PathPart::Index(i), other) => {
                return Err(eval_error(format!(
                    "getAttr: cannot index [{i}] into {}",
                    other.type_name()
                )));
            }
        };
        match next {
            Some(v) => current = v,
            None => return Ok(None),
        }
    }
    Ok(Some(current.clone()))
}
