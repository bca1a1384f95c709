//! Endpoint resolution: an interpreter for Smithy endpoint rule sets (`smithy.rules#endpointRuleSet`,
//! rules engine 1.x) with the AWS extension functions.
//!
//! A generated client embeds its service's rule set and the AWS partition table as JSON text,
//! parses both once ([`RuleSet::from_json`], [`PartitionTable::from_json`]), and calls
//! [`RuleSet::resolve`] with the caller's [`EndpointParams`] for each request. Built-in parameters
//! (`AWS::Region`, `AWS::UseFIPS`, `SDK::Endpoint`, ...) are ordinary parameters here: the client
//! sets them by parameter name.
//!
//! Parsing checks the whole document up front: function names and argument counts, templates,
//! `getAttr` paths, and that every reference names a parameter or a variable bound earlier in an
//! enclosing rule. Errors name the JSON path of the problem (`$.rules[0].conditions[1].fn`).
//!
//! Evaluation follows the rules-engine specification:
//!
//! - parameters without a value take their `default`; a `required` parameter with neither is an
//!   error, as is a value of the wrong type; values for undeclared names are ignored;
//! - a condition holds when its function returns a value other than `false`; a function that
//!   returns no value (for example `parseURL` of an invalid URL, or `getAttr` past the end of a
//!   list) makes the condition fail, and `assign` binds the value for the rest of the rule;
//! - an `error` rule ends resolution with its templated message; a `tree` rule whose sub-rules
//!   all fail is an error, as is exhausting the top-level rules;
//! - functions other than `isSet`, `coalesce` and `ite` require set arguments of the declared
//!   type: rule sets guard optional values with `isSet`, so an unset or ill-typed argument is
//!   reported as an evaluation error rather than guessed at.
//!
//! Supported functions: `booleanEquals`, `stringEquals`, `isSet`, `not`, `getAttr`, `substring`,
//! `uriEncode`, `parseURL`, `isValidHostLabel`, `coalesce`, `ite`, `split`, `aws.partition`,
//! `aws.parseArn` and `aws.isVirtualHostableS3Bucket`.
//!
//! ```
//! use restjson_runtime::__private::endpoint::{EndpointParams, PartitionTable, RuleSet};
//!
//! let rules = RuleSet::from_json(r#"{
//!     "version": "1.0",
//!     "parameters": {"Region": {"type": "String", "required": true}},
//!     "rules": [{
//!         "type": "endpoint",
//!         "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
//!         "endpoint": {"url": "https://svc.{Region}.{P#dnsSuffix}"}
//!     }]
//! }"#).unwrap();
//! let partitions = PartitionTable::from_json(r#"{"partitions": [{
//!     "id": "aws", "regionRegex": "^us\\-\\w+\\-\\d+$", "regions": {},
//!     "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com", "dualStackDnsSuffix": "api.aws",
//!                 "supportsFIPS": true, "supportsDualStack": true}
//! }]}"#).unwrap();
//! let endpoint = rules
//!     .resolve(&EndpointParams::new().with_region("us-west-2"), &partitions)
//!     .unwrap();
//! assert_eq!(endpoint.url(), "https://svc.us-west-2.amazonaws.com");
//! ```

mod eval;
mod functions;
mod partition;
mod regex;
mod ruleset;
mod sorted_map;

use std::collections::BTreeMap;
use std::fmt;

pub use partition::PartitionTable;

use eval::{Evaluator, Outcome, Value};

/// The declared type of a rule-set parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A string.
    String,
    /// A boolean.
    Boolean,
    /// A list of strings.
    StringArray,
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamType::String => "String",
            ParamType::Boolean => "Boolean",
            ParamType::StringArray => "StringArray",
        })
    }
}

/// A parameter value supplied by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A string value.
    String(String),
    /// A boolean value.
    Bool(bool),
    /// A list of strings.
    StringArray(Vec<String>),
}

impl ParamValue {
    /// The type this value has.
    pub fn param_type(&self) -> ParamType {
        match self {
            ParamValue::String(_) => ParamType::String,
            ParamValue::Bool(_) => ParamType::Boolean,
            ParamValue::StringArray(_) => ParamType::StringArray,
        }
    }

    fn to_value(&self) -> Value {
        match self {
            ParamValue::String(s) => Value::Str(s.clone()),
            ParamValue::Bool(b) => Value::Bool(*b),
            ParamValue::StringArray(items) => {
                Value::Array(items.iter().cloned().map(Value::Str).collect())
            }
        }
    }
}

impl From<&str> for ParamValue {
    fn from(s: &str) -> Self {
        ParamValue::String(s.to_owned())
    }
}

impl From<String> for ParamValue {
    fn from(s: String) -> Self {
        ParamValue::String(s)
    }
}

impl From<bool> for ParamValue {
    fn from(b: bool) -> Self {
        ParamValue::Bool(b)
    }
}

impl From<Vec<String>> for ParamValue {
    fn from(items: Vec<String>) -> Self {
        ParamValue::StringArray(items)
    }
}

/// A parameter declared by a rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    name: String,
    param_type: ParamType,
    required: bool,
    default: Option<ParamValue>,
    built_in: Option<String>,
    documentation: Option<String>,
    deprecated: bool,
}

impl Parameter {
    /// The parameter name, as used in [`EndpointParams::set`].
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The declared type.
    pub fn param_type(&self) -> ParamType {
        self.param_type
    }
    /// Whether resolution fails when the parameter has neither a value nor a default.
    pub fn is_required(&self) -> bool {
        self.required
    }
    /// The value used when the client sets none.
    pub fn default(&self) -> Option<&ParamValue> {
        self.default.as_ref()
    }
    /// The built-in this parameter is bound to, such as `AWS::Region`.
    pub fn built_in(&self) -> Option<&str> {
        self.built_in.as_deref()
    }
    /// The parameter's documentation.
    pub fn documentation(&self) -> Option<&str> {
        self.documentation.as_deref()
    }
    /// Whether the parameter is marked deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.deprecated
    }
}

/// Parameter values for one resolution, by parameter name.
///
/// Values for names the rule set does not declare are ignored, so a client may set the same
/// built-ins for every service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointParams {
    values: sorted_map::SortedMap<ParamValue>,
}

impl EndpointParams {
    /// No values set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing any previous value.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value` in place.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<ParamValue>) {
        self.values.insert(name.into(), value.into());
    }

    /// Removes the value of `name`, so its default (if any) applies.
    pub fn remove(&mut self, name: &str) -> Option<ParamValue> {
        self.values.remove(name)
    }

    /// The value set for `name`.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// Sets `Region` (the `AWS::Region` built-in).
    pub fn with_region(self, region: impl Into<String>) -> Self {
        self.set("Region", ParamValue::String(region.into()))
    }

    /// Sets `UseFIPS` (the `AWS::UseFIPS` built-in).
    pub fn with_use_fips(self, use_fips: bool) -> Self {
        self.set("UseFIPS", use_fips)
    }

    /// Sets `UseDualStack` (the `AWS::UseDualStack` built-in).
    pub fn with_use_dual_stack(self, use_dual_stack: bool) -> Self {
        self.set("UseDualStack", use_dual_stack)
    }

    /// Sets `Endpoint` (the `SDK::Endpoint` built-in, a custom endpoint URL).
    pub fn with_endpoint(self, endpoint: impl Into<String>) -> Self {
        self.set("Endpoint", ParamValue::String(endpoint.into()))
    }
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    url: String,
    headers: BTreeMap<String, Vec<String>>,
    properties: serde_json::Map<String, serde_json::Value>,
}

impl Endpoint {
    /// An endpoint with only a URL, for callers that bypass rule evaluation.
    pub fn new(url: impl Into<String>) -> Self {
        Endpoint {
            url: url.into(),
            headers: BTreeMap::new(),
            properties: serde_json::Map::new(),
        }
    }

    /// Adds a header value (headers may repeat).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .entry(name.into())
            .or_default()
            .push(value.into());
        self
    }

    /// Sets a property, replacing any previous value.
    pub fn with_property(mut self, name: impl Into<String>, value: serde_json::Value) -> Self {
        self.properties.insert(name.into(), value);
        self
    }

    /// The `authSchemes` property: signing configurations in priority order (each an object with
    /// at least `name`, such as `{"name": "sigv4", "signingName": "...", "signingRegion": "..."}`).
    /// Empty when the endpoint has none.
    pub fn auth_schemes(&self) -> &[serde_json::Value] {
        match self.properties.get("authSchemes") {
            Some(serde_json::Value::Array(items)) => items,
            _ => &[],
        }
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// Headers the endpoint requires on every request.
    pub fn headers(&self) -> &BTreeMap<String, Vec<String>> {
        &self.headers
    }
    /// Endpoint properties, such as `authSchemes` (signing name and region overrides).
    pub fn properties(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.properties
    }
}

/// What kind of failure an [`EndpointError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointErrorKind {
    /// The rule set document is malformed or uses something unsupported.
    InvalidRuleSet,
    /// The partition table is malformed.
    InvalidPartitions,
    /// A required parameter has neither a value nor a default.
    MissingParameter,
    /// A parameter value has the wrong type.
    InvalidParameter,
    /// An `error` rule matched; the message is the rule's.
    ErrorRule,
    /// No rule matched (the rule set or a tree rule was exhausted).
    NoRuleMatched,
    /// Evaluation failed (type mismatch, unset value, bad template value).
    Evaluation,
}

/// Why a rule set could not be parsed or an endpoint could not be resolved.
///
/// For an `error` rule the message (and `Display`) is exactly the rule's templated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    kind: EndpointErrorKind,
    message: String,
}

impl EndpointError {
    fn new(kind: EndpointErrorKind, message: String) -> Self {
        EndpointError { kind, message }
    }
    pub(crate) fn invalid_rule_set(message: String) -> Self {
        Self::new(EndpointErrorKind::InvalidRuleSet, message)
    }
    pub(crate) fn invalid_partitions(message: String) -> Self {
        Self::new(EndpointErrorKind::InvalidPartitions, message)
    }
    pub(crate) fn evaluation(message: String) -> Self {
        Self::new(EndpointErrorKind::Evaluation, message)
    }
    pub(crate) fn no_rule_matched(message: String) -> Self {
        Self::new(EndpointErrorKind::NoRuleMatched, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> EndpointErrorKind {
        self.kind
    }

    /// The message, identical to the `Display` output.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EndpointError {}

/// A parsed endpoint rule set, ready to resolve endpoints.
#[derive(Debug, Clone)]
pub struct RuleSet {
    parsed: ruleset::Parsed,
}

impl RuleSet {
    /// Parses the JSON text of an `endpointRuleSet` trait value. Errors name the JSON path of the problem.
    pub fn from_json(json: &str) -> Result<RuleSet, EndpointError> {
        // From bytes, as response bodies are: one copy of serde_json's parser is compiled.
        let doc: serde_json::Value = serde_json::from_slice(json.as_bytes()).map_err(|e| {
            EndpointError::invalid_rule_set(format!(
                "invalid endpoint rule set: not valid JSON: {e}"
            ))
        })?;
        Self::from_value(&doc)
    }

    /// Parses an already decoded `endpointRuleSet` trait value.
    pub fn from_value(doc: &serde_json::Value) -> Result<RuleSet, EndpointError> {
        Ok(RuleSet {
            parsed: ruleset::parse(doc)?,
        })
    }

    /// The rules engine version the rule set declares (for example `1.0`).
    pub fn version(&self) -> &str {
        &self.parsed.version
    }

    /// The declared parameters, in document order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parsed.parameters
    }

    /// Resolves the endpoint for `params`.
    ///
    /// Defaults fill unset parameters; a required parameter without a value, a value of the
    /// wrong type, a matching `error` rule, or exhausted rules give an [`EndpointError`].
    pub fn resolve(
        &self,
        params: &EndpointParams,
        partitions: &PartitionTable,
    ) -> Result<Endpoint, EndpointError> {
        let mut slots = Vec::with_capacity(self.parsed.parameters.len() + 8);
        for p in &self.parsed.parameters {
            let value = match params.get(&p.name) {
                Some(v) if v.param_type() != p.param_type => {
                    return Err(EndpointError::new(
                        EndpointErrorKind::InvalidParameter,
                        format!(
                            "endpoint parameter \"{}\" must be a {} but a {} was given",
                            p.name,
                            p.param_type,
                            v.param_type()
                        ),
                    ));
                }
                Some(v) => Some(v.to_value()),
                None => p.default.as_ref().map(ParamValue::to_value),
            };
            if value.is_none() && p.required {
                return Err(EndpointError::new(
                    EndpointErrorKind::MissingParameter,
                    format!("missing required endpoint parameter \"{}\"", p.name),
                ));
            }
            slots.push(value);
        }
        match Evaluator::new(slots, partitions).rules(&self.parsed.rules)? {
            Some(Outcome::Endpoint(e)) => Ok(e),
            Some(Outcome::Error(message)) => {
                Err(EndpointError::new(EndpointErrorKind::ErrorRule, message))
            }
            None => Err(EndpointError::no_rule_matched(
                "no endpoint rule matched the parameters (the rule set was exhausted)".to_owned(),
            )),
        }
    }
}
