//! Parsing a `smithy.rules#endpointRuleSet` document into a checked tree.
//!
//! Parsing resolves every reference to a slot number (parameters first, then variables bound by
//! `assign` in scope order), checks function names and argument counts, parses templates and
//! `getAttr` paths, and bounds nesting depth, so evaluation never has to re-inspect JSON.

use std::fmt;

use serde_json::{Map, Value as Json};

use super::{EndpointError, ParamType, ParamValue, Parameter};

/// Deepest nesting of rules and expressions accepted; real rule sets stay far below it.
const MAX_DEPTH: usize = 64;

/// A JSON path used to name the location of a problem, built only when an error is reported.
#[derive(Clone, Copy)]
pub(crate) enum JsonPath<'a> {
    Root,
    Key(&'a JsonPath<'a>, &'a str),
    Index(&'a JsonPath<'a>, usize),
}

impl<'a> JsonPath<'a> {
    fn key(&'a self, key: &'a str) -> JsonPath<'a> {
        JsonPath::Key(self, key)
    }
    fn index(&'a self, index: usize) -> JsonPath<'a> {
        JsonPath::Index(self, index)
    }
}

impl fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonPath::Root => f.write_str("$"),
            JsonPath::Key(parent, key) => {
                if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !key.is_empty() {
                    write!(f, "{parent}.{key}")
                } else {
                    write!(f, "{parent}[{key:?}]")
                }
            }
            JsonPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn invalid(path: &JsonPath<'_>, what: impl fmt::Display) -> EndpointError {
    EndpointError::invalid_rule_set(format!("invalid endpoint rule set at {path}: {what}"))
}

/// A built-in function of the rules engine (getAttr is represented separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    BooleanEquals,
    StringEquals,
    IsSet,
    Not,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Coalesce,
    Ite,
    Split,
    AwsPartition,
    AwsParseArn,
    AwsIsVirtualHostableS3Bucket,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "booleanEquals" => Func::BooleanEquals,
            "stringEquals" => Func::StringEquals,
            "isSet" => Func::IsSet,
            "not" => Func::Not,
            "substring" => Func::Substring,
            "uriEncode" => Func::UriEncode,
            "parseURL" => Func::ParseUrl,
            "isValidHostLabel" => Func::IsValidHostLabel,
            "coalesce" => Func::Coalesce,
            "ite" => Func::Ite,
            "split" => Func::Split,
            "aws.partition" => Func::AwsPartition,
            "aws.parseArn" => Func::AwsParseArn,
            "aws.isVirtualHostableS3Bucket" => Func::AwsIsVirtualHostableS3Bucket,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::BooleanEquals => "booleanEquals",
            Func::StringEquals => "stringEquals",
            Func::IsSet => "isSet",
            Func::Not => "not",
            Func::Substring => "substring",
            Func::UriEncode => "uriEncode",
            Func::ParseUrl => "parseURL",
            Func::IsValidHostLabel => "isValidHostLabel",
            Func::Coalesce => "coalesce",
            Func::Ite => "ite",
            Func::Split => "split",
            Func::AwsPartition => "aws.partition",
            Func::AwsParseArn => "aws.parseArn",
            Func::AwsIsVirtualHostableS3Bucket => "aws.isVirtualHostableS3Bucket",
        }
    }

    /// Accepted argument counts (min, max).
    fn arity(self) -> (usize, usize) {
        match self {
            Func::IsSet
            | Func::Not
            | Func::UriEncode
            | Func::ParseUrl
            | Func::AwsPartition
            | Func::AwsParseArn => (1, 1),
            Func::BooleanEquals
            | Func::StringEquals
            | Func::IsValidHostLabel
            | Func::AwsIsVirtualHostableS3Bucket => (2, 2),
            Func::Ite | Func::Split => (3, 3),
            Func::Substring => (4, 4),
            Func::Coalesce => (2, usize::MAX),
        }
    }
}

/// One step of a `getAttr` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathPart {
    Key(String),
    Index(usize),
}

/// An expression; string literals are always templates.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Str(Template),
    Bool(bool),
    Int(i64),
    Array(Vec<Expr>),
    /// A literal map (only inside endpoint `properties`).
    Record(Vec<(String, Expr)>),
    Ref {
        slot: usize,
        name: String,
    },
    GetAttr {
        target: Box<Expr>,
        path: Vec<PathPart>,
    },
    Call {
        func: Func,
        args: Vec<Expr>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum TemplatePart {
    Lit(String),
    Expr(Expr),
}

/// A string with `{Name}` / `{Name#path}` holes; `{{` and `}}` stand for literal braces.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) raw: String,
    pub(crate) parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) expr: Expr,
    /// Whether the result is bound to the next slot.
    pub(crate) assigns: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct EndpointTemplate {
    pub(crate) url: Expr,
    pub(crate) headers: Vec<(String, Vec<Expr>)>,
    pub(crate) properties: Vec<(String, Expr)>,
}

#[derive(Debug, Clone)]
pub(crate) enum RuleKind {
    Endpoint(EndpointTemplate),
    Error(Expr),
    /// Sub-rules, and the JSON path of the tree rule for the "no sub-rule matched" error.
    Tree(Vec<Rule>, String),
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) kind: RuleKind,
}

/// The parsed content of a rule set.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub(crate) version: String,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) rules: Vec<Rule>,
}

fn obj<'v>(
    v: &'v Json,
    path: &JsonPath<'_>,
    what: &str,
) -> Result<&'v Map<String, Json>, EndpointError> {
    v.as_object()
        .ok_or_else(|| invalid(path, format_args!("{what} must be an object")))
}

fn arr<'v>(v: &'v Json, path: &JsonPath<'_>, what: &str) -> Result<&'v Vec<Json>, EndpointError> {
    v.as_array()
        .ok_or_else(|| invalid(path, format_args!("{what} must be an array")))
}

fn string<'v>(v: &'v Json, path: &JsonPath<'_>, what: &str) -> Result<&'v str, EndpointError> {
    v.as_str()
        .ok_or_else(|| invalid(path, format_args!("{what} must be a string")))
}

fn field<'v>(
    o: &'v Map<String, Json>,
    key: &str,
    path: &JsonPath<'_>,
) -> Result<&'v Json, EndpointError> {
    o.get(key)
        .ok_or_else(|| invalid(path, format_args!("missing required property \"{key}\"")))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a whole rule set document.
pub(crate) fn parse(doc: &Json) -> Result<Parsed, EndpointError> {
    let root = JsonPath::Root;
    let top = obj(doc, &root, "the rule set")?;

    let vpath = root.key("version");
    let version = string(field(top, "version", &root)?, &vpath, "version")?;
    let major_ok = version
        .strip_prefix("1.")
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()));
    if version != "1" && !major_ok {
        return Err(invalid(
            &vpath,
            format_args!("unsupported rules engine version \"{version}\" (expected 1.x)"),
        ));
    }

    let ppath = root.key("parameters");
    let params = obj(field(top, "parameters", &root)?, &ppath, "parameters")?;
    let mut parameters = Vec::with_capacity(params.len());
    for (name, p) in params {
        let path = ppath.key(name);
        parameters.push(parse_parameter(name, p, &path)?);
    }

    let mut scope: Vec<String> = parameters.iter().map(|p| p.name.clone()).collect();
    let rpath = root.key("rules");
    let rules = parse_rules(field(top, "rules", &root)?, &rpath, &mut scope, 0)?;
    Ok(Parsed {
        version: version.to_owned(),
        parameters,
        rules,
    })
}

fn parse_parameter(name: &str, p: &Json, path: &JsonPath<'_>) -> Result<Parameter, EndpointError> {
    if !is_identifier(name) {
        return Err(invalid(
            path,
            format_args!("parameter name \"{name}\" is not a valid identifier"),
        ));
    }
    let p = obj(p, path, "a parameter")?;
    let tpath = path.key("type");
    let ty = string(field(p, "type", path)?, &tpath, "type")?;
    let param_type = match ty.to_ascii_lowercase().as_str() {
        "string" => ParamType::String,
        "boolean" => ParamType::Boolean,
        "stringarray" => ParamType::StringArray,
        _ => {
            return Err(invalid(
                &tpath,
                format_args!(
                    "unknown parameter type \"{ty}\" (expected string, boolean or stringArray)"
                ),
            ));
        }
    };
    let required = match p.get("required") {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err(invalid(&path.key("required"), "required must be a boolean")),
    };
    let dpath = path.key("default");
    let default = match p.get("default") {
        None | Some(Json::Null) => None,
        Some(d) => Some(match (param_type, d) {
            (ParamType::String, Json::String(s)) => ParamValue::String(s.clone()),
            (ParamType::Boolean, Json::Bool(b)) => ParamValue::Bool(*b),
            (ParamType::StringArray, Json::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(
                        string(item, &dpath.index(i), "a stringArray default element")?.to_owned(),
                    );
                }
                ParamValue::StringArray(out)
            }
            _ => {
                return Err(invalid(
                    &dpath,
                    format_args!("default does not match the parameter type {param_type}"),
                ));
            }
        }),
    };
    let opt_string = |key: &str| -> Result<Option<String>, EndpointError> {
        match p.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(
                &path.key(key),
                format_args!("{key} must be a string"),
            )),
        }
    };
    Ok(Parameter {
        name: name.to_owned(),
        param_type,
        required,
        default,
        built_in: opt_string("builtIn")?,
        documentation: opt_string("documentation")?,
        deprecated: p.get("deprecated").is_some_and(|d| !d.is_null()),
    })
}

fn parse_rules(
    v: &Json,
    path: &JsonPath<'_>,
    scope: &mut Vec<String>,
    depth: usize,
) -> Result<Vec<Rule>, EndpointError> {
    let items = arr(v, path, "rules")?;
    if items.is_empty() {
        return Err(invalid(path, "rules must contain at least one rule"));
    }
    let mut rules = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        rules.push(parse_rule(item, &path.index(i), scope, depth + 1)?);
    }
    Ok(rules)
}

fn parse_rule(
    v: &Json,
    path: &JsonPath<'_>,
    scope: &mut Vec<String>,
    depth: usize,
) -> Result<Rule, EndpointError> {
    if depth > MAX_DEPTH {
        return Err(invalid(
            path,
            format_args!("rules are nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let o = obj(v, path, "a rule")?;
    let tpath = path.key("type");
    let ty = string(field(o, "type", path)?, &tpath, "type")?;
    let mark = scope.len();
    let result = parse_rule_body(o, ty, path, scope, depth);
    scope.truncate(mark);
    result
}

fn parse_rule_body(
    o: &Map<String, Json>,
    ty: &str,
    path: &JsonPath<'_>,
    scope: &mut Vec<String>,
    depth: usize,
) -> Result<Rule, EndpointError> {
    let mut conditions = Vec::new();
    let cpath = path.key("conditions");
    match o.get("conditions") {
        None | Some(Json::Null) => {}
        Some(c) => {
            for (i, cond) in arr(c, &cpath, "conditions")?.iter().enumerate() {
                conditions.push(parse_condition(cond, &cpath.index(i), scope, depth)?);
            }
        }
    }
    let kind = match ty {
        "endpoint" => {
            let epath = path.key("endpoint");
            let e = obj(field(o, "endpoint", path)?, &epath, "endpoint")?;
            RuleKind::Endpoint(parse_endpoint(e, &epath, scope, depth)?)
        }
        "error" => RuleKind::Error(parse_expr(
            field(o, "error", path)?,
            &path.key("error"),
            scope,
            depth + 1,
        )?),
        "tree" => {
            let rules = parse_rules(field(o, "rules", path)?, &path.key("rules"), scope, depth)?;
            RuleKind::Tree(rules, path.to_string())
        }
        other => {
            return Err(invalid(
                &path.key("type"),
                format_args!("unknown rule type \"{other}\" (expected endpoint, error or tree)"),
            ));
        }
    };
    Ok(Rule { conditions, kind })
}

fn parse_condition(
    v: &Json,
    path: &JsonPath<'_>,
    scope: &mut Vec<String>,
    depth: usize,
) -> Result<Condition, EndpointError> {
    let o = obj(v, path, "a condition")?;
    if !o.contains_key("fn") {
        return Err(invalid(
            path,
            "a condition must be a function object with \"fn\" and \"argv\"",
        ));
    }
    let expr = parse_fn(o, path, scope, depth + 1)?;
    let assigns = match o.get("assign") {
        None | Some(Json::Null) => false,
        Some(a) => {
            let apath = path.key("assign");
            let name = string(a, &apath, "assign")?;
            if !is_identifier(name) {
                return Err(invalid(
                    &apath,
                    format_args!("\"{name}\" is not a valid variable name"),
                ));
            }
            if scope.iter().any(|s| s == name) {
                return Err(invalid(
                    &apath,
                    format_args!(
                        "variable \"{name}\" shadows a parameter or variable already in scope"
                    ),
                ));
            }
            scope.push(name.to_owned());
            true
        }
    };
    Ok(Condition { expr, assigns })
}

fn parse_endpoint(
    e: &Map<String, Json>,
    path: &JsonPath<'_>,
    scope: &[String],
    depth: usize,
) -> Result<EndpointTemplate, EndpointError> {
    let url = parse_expr(field(e, "url", path)?, &path.key("url"), scope, depth + 1)?;
    let mut headers = Vec::new();
    let hpath = path.key("headers");
    if let Some(h) = e.get("headers").filter(|h| !h.is_null()) {
        for (name, values) in obj(h, &hpath, "headers")? {
            let npath = hpath.key(name);
            let list = arr(values, &npath, "a header's values")?;
            let mut exprs = Vec::with_capacity(list.len());
            for (i, value) in list.iter().enumerate() {
                exprs.push(parse_expr(value, &npath.index(i), scope, depth + 2)?);
            }
            headers.push((name.clone(), exprs));
        }
    }
    let mut properties = Vec::new();
    let ppath = path.key("properties");
    if let Some(p) = e.get("properties").filter(|p| !p.is_null()) {
        for (name, value) in obj(p, &ppath, "properties")? {
            properties.push((
                name.clone(),
                parse_literal(value, &ppath.key(name), scope, depth + 2)?,
            ));
        }
    }
    Ok(EndpointTemplate {
        url,
        headers,
        properties,
    })
}

/// A value inside endpoint `properties`: maps are literal records, strings are templates.
fn parse_literal(
    v: &Json,
    path: &JsonPath<'_>,
    scope: &[String],
    depth: usize,
) -> Result<Expr, EndpointError> {
    if depth > MAX_DEPTH {
        return Err(invalid(
            path,
            format_args!("values are nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    Ok(match v {
        Json::String(s) => Expr::Str(parse_template(s, path, scope)?),
        Json::Bool(b) => Expr::Bool(*b),
        Json::Number(n) => Expr::Int(
            n.as_i64()
                .ok_or_else(|| invalid(path, "numbers must be integers"))?,
        ),
        Json::Array(items) => Expr::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_literal(item, &path.index(i), scope, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => Expr::Record(
            map.iter()
                .map(|(k, item)| {
                    Ok((
                        k.clone(),
                        parse_literal(item, &path.key(k), scope, depth + 1)?,
                    ))
                })
                .collect::<Result<_, EndpointError>>()?,
        ),
        Json::Null => return Err(invalid(path, "null is not a valid value")),
    })
}

/// An argument, URL, error message or header value.
fn parse_expr(
    v: &Json,
    path: &JsonPath<'_>,
    scope: &[String],
    depth: usize,
) -> Result<Expr, EndpointError> {
    if depth > MAX_DEPTH {
        return Err(invalid(
            path,
            format_args!("expressions are nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    Ok(match v {
        Json::String(s) => Expr::Str(parse_template(s, path, scope)?),
        Json::Bool(b) => Expr::Bool(*b),
        Json::Number(n) => Expr::Int(
            n.as_i64()
                .ok_or_else(|| invalid(path, "numbers must be integers"))?,
        ),
        Json::Array(items) => Expr::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_expr(item, &path.index(i), scope, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(o) => {
            if let Some(r) = o.get("ref") {
                let name = string(r, &path.key("ref"), "ref")?;
                reference(name, path, scope)?
            } else if o.contains_key("fn") {
                parse_fn(o, path, scope, depth)?
            } else {
                return Err(invalid(
                    path,
                    "an object here must be a reference ({\"ref\": ...}) or a function ({\"fn\": ...})",
                ));
            }
        }
        Json::Null => return Err(invalid(path, "null is not a valid value")),
    })
}

fn reference(name: &str, path: &JsonPath<'_>, scope: &[String]) -> Result<Expr, EndpointError> {
    match scope.iter().rposition(|s| s == name) {
        Some(slot) => Ok(Expr::Ref {
            slot,
            name: name.to_owned(),
        }),
        None => Err(invalid(
            path,
            format_args!(
                "reference to \"{name}\", which is not a parameter or a variable in scope"
            ),
        )),
    }
}

fn parse_fn(
    o: &Map<String, Json>,
    path: &JsonPath<'_>,
    scope: &[String],
    depth: usize,
) -> Result<Expr, EndpointError> {
    if depth > MAX_DEPTH {
        return Err(invalid(
            path,
            format_args!("expressions are nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let fpath = path.key("fn");
    let name = string(field(o, "fn", path)?, &fpath, "fn")?;
    let apath = path.key("argv");
    let argv = arr(field(o, "argv", path)?, &apath, "argv")?;
    if name == "getAttr" {
        if argv.len() != 2 {
            return Err(invalid(
                &apath,
                format_args!("getAttr takes 2 arguments, got {}", argv.len()),
            ));
        }
        let target = parse_expr(&argv[0], &apath.index(0), scope, depth + 1)?;
        let ppath = apath.index(1);
        let raw = string(&argv[1], &ppath, "the getAttr path")?;
        let path = parse_attr_path(raw).map_err(|e| invalid(&ppath, e))?;
        return Ok(Expr::GetAttr {
            target: Box::new(target),
            path,
        });
    }
    let func = Func::from_name(name)
        .ok_or_else(|| invalid(&fpath, format_args!("unknown function \"{name}\"")))?;
    let (min, max) = func.arity();
    if argv.len() < min || argv.len() > max {
        let expected = if min == max {
            min.to_string()
        } else {
            format!("at least {min}")
        };
        return Err(invalid(
            &apath,
            format_args!("{name} takes {expected} arguments, got {}", argv.len()),
        ));
    }
    let args = argv
        .iter()
        .enumerate()
        .map(|(i, a)| parse_expr(a, &apath.index(i), scope, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Expr::Call { func, args })
}

/// Parses `a.b[0]` into keys and indexes.
pub(crate) fn parse_attr_path(raw: &str) -> Result<Vec<PathPart>, String> {
    let mut parts = Vec::new();
    if raw.is_empty() {
        return Err("empty getAttr path".to_owned());
    }
    for segment in raw.split('.') {
        let (key, mut rest) = match segment.find('[') {
            Some(i) => segment.split_at(i),
            None => (segment, ""),
        };
        if !key.is_empty() {
            parts.push(PathPart::Key(key.to_owned()));
        } else if rest.is_empty() {
            return Err(format!("empty segment in getAttr path \"{raw}\""));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("unclosed `[` in getAttr path \"{raw}\""))?;
            let index = rest[1..close]
                .parse::<usize>()
                .map_err(|_| format!("invalid index in getAttr path \"{raw}\""))?;
            parts.push(PathPart::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!(
                    "unexpected text after `]` in getAttr path \"{raw}\""
                ));
            }
        }
    }
    Ok(parts)
}

/// Parses a template string, resolving each `{...}` against the scope.
fn parse_template(
    s: &str,
    path: &JsonPath<'_>,
    scope: &[String],
) -> Result<Template, EndpointError> {
    let mut parts = Vec::new();
    if !s.contains(['{', '}']) {
        parts.push(TemplatePart::Lit(s.to_owned()));
        return Ok(Template {
            raw: s.to_owned(),
            parts,
        });
    }
    let mut lit = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['{', '}']) {
        lit.push_str(&rest[..i]);
        let brace = &rest[i..];
        if let Some(after) = brace.strip_prefix("{{") {
            lit.push('{');
            rest = after;
        } else if let Some(after) = brace.strip_prefix("}}") {
            lit.push('}');
            rest = after;
        } else if let Some(after) = brace.strip_prefix('}') {
            // A lone `}` has no special meaning.
            lit.push('}');
            rest = after;
        } else {
            let close = brace
                .find('}')
                .ok_or_else(|| invalid(path, format_args!("bad template {s:?}: unclosed `{{`")))?;
            let inner = &brace[1..close];
            let (name, attr) = match inner.split_once('#') {
                Some((n, a)) => (n, Some(a)),
                None => (inner, None),
            };
            if !is_identifier(name) {
                return Err(invalid(
                    path,
                    format_args!(
                        "bad template {s:?}: `{{{inner}}}` does not name a parameter or variable"
                    ),
                ));
            }
            let target = reference(name, path, scope)?;
            let expr = match attr {
                None => target,
                Some(a) => Expr::GetAttr {
                    target: Box::new(target),
                    path: parse_attr_path(a)
                        .map_err(|e| invalid(path, format_args!("bad template {s:?}: {e}")))?,
                },
            };
            if !lit.is_empty() {
                parts.push(TemplatePart::Lit(std::mem::take(&mut lit)));
            }
            parts.push(TemplatePart::Expr(expr));
            rest = &brace[close + 1..];
        }
    }
    lit.push_str(rest);
    if !lit.is_empty() || parts.is_empty() {
        parts.push(TemplatePart::Lit(lit));
    }
    Ok(Template {
        raw: s.to_owned(),
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_paths() {
        assert_eq!(parse_attr_path("a"), Ok(vec![PathPart::Key("a".into())]));
        assert_eq!(
            parse_attr_path("a.b[0]"),
            Ok(vec![
                PathPart::Key("a".into()),
                PathPart::Key("b".into()),
                PathPart::Index(0)
            ])
        );
        assert_eq!(parse_attr_path("[2]"), Ok(vec![PathPart::Index(2)]));
        assert_eq!(
            parse_attr_path("a[1][2]"),
            Ok(vec![
                PathPart::Key("a".into()),
                PathPart::Index(1),
                PathPart::Index(2)
            ])
        );
        for bad in ["", "a..b", "a[", "a[x]", "a[1]b", "a[-1]"] {
            assert!(parse_attr_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_paths_render() {
        let root = JsonPath::Root;
        let a = root.key("rules");
        let b = a.index(3);
        let c = b.key("a b");
        assert_eq!(c.to_string(), "$.rules[3][\"a b\"]");
    }

    #[test]
    fn templates() {
        let scope = vec!["Region".to_owned(), "P".to_owned()];
        let t = parse_template(
            "https://{{x}}.{Region}.{P#dnsSuffix}}",
            &JsonPath::Root,
            &scope,
        )
        .expect("valid");
        assert_eq!(t.parts.len(), 5);
        assert!(matches!(&t.parts[0], TemplatePart::Lit(l) if l == "https://{x}."));
        assert!(matches!(
            &t.parts[1],
            TemplatePart::Expr(Expr::Ref { slot: 0, .. })
        ));
        assert!(matches!(&t.parts[4], TemplatePart::Lit(l) if l == "}"));
        assert!(parse_template("{Region", &JsonPath::Root, &scope).is_err());
        assert!(parse_template("{Nope}", &JsonPath::Root, &scope).is_err());
        assert!(parse_template("{}", &JsonPath::Root, &scope).is_err());
    }
}
