//! JSON writing and reading helpers for generated (de)serializers.
//!
//! Writing goes straight into a `String` (no intermediate tree); reading walks a parsed
//! [`serde_json::Value`] and reports errors with the path of the offending value.

use std::fmt::{self, Write as _};

use serde_json::Value;

use crate::datetime::{DateTime, TimestampFormat};

/// Appends `s` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes a JSON object member by member.
#[derive(Debug)]
pub struct ObjectWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Starts an object (`{`).
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, empty: true }
    }

    /// Starts the member `name`; write its value with the returned writer.
    pub fn key(&mut self, name: &str) -> ValueWriter<'_> {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_string(self.out, name);
        self.out.push(':');
        ValueWriter { out: self.out }
    }

    /// Ends the object (`}`).
    pub fn finish(self) {
        self.out.push('}');
    }
}

/// Writes a JSON array element by element.
#[derive(Debug)]
pub struct ArrayWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> ArrayWriter<'a> {
    /// Starts an array (`[`).
    pub fn new(out: &'a mut String) -> Self {
        out.push('[');
        Self { out, empty: true }
    }

    /// Starts the next element.
    pub fn value(&mut self) -> ValueWriter<'_> {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        ValueWriter { out: self.out }
    }

    /// Ends the array (`]`).
    pub fn finish(self) {
        self.out.push(']');
    }
}

/// Writes one JSON value.
#[derive(Debug)]
pub struct ValueWriter<'a> {
    out: &'a mut String,
}

impl<'a> ValueWriter<'a> {
    /// A writer appending one value to `out`.
    pub fn new(out: &'a mut String) -> Self {
        Self { out }
    }

    /// A document.
    pub fn document(self, d: &crate::types::Document) {
        use crate::types::{Document, Number};
        match d {
            Document::Null => self.null(),
            Document::Bool(b) => self.boolean(*b),
            Document::Number(Number::PosInt(n)) => {
                let _ = write!(self.out, "{n}");
            }
            Document::Number(Number::NegInt(n)) => self.integer(*n),
            Document::Number(Number::Float(f)) => self.float(*f),
            Document::String(s) => self.string(s),
            Document::Array(items) => {
                let mut a = self.array();
                for item in items {
                    a.value().document(item);
                }
                a.finish();
            }
            Document::Object(members) => {
                let mut o = self.object();
                for (k, v) in members {
                    o.key(k).document(v);
                }
                o.finish();
            }
        }
    }

    /// A string.
    pub fn string(self, s: &str) {
        write_string(self.out, s);
    }

    /// A boolean.
    pub fn boolean(self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    /// An integer.
    pub fn integer(self, n: i64) {
        let _ = write!(self.out, "{n}");
    }

    /// A float; NaN and the infinities are written as the strings Smithy specifies.
    pub fn float(self, n: f64) {
        if n.is_nan() {
            self.out.push_str("\"NaN\"");
        } else if n.is_infinite() {
            self.out.push_str(if n > 0.0 {
                "\"Infinity\""
            } else {
                "\"-Infinity\""
            });
        } else if n.fract() == 0.0 && n.abs() < 1e15 {
            let _ = write!(self.out, "{}", n as i64);
        } else {
            let _ = write!(self.out, "{n}");
        }
    }

    /// `null`.
    pub fn null(self) {
        self.out.push_str("null");
    }

    /// A timestamp in `format` (epoch seconds as a number, the others as strings).
    pub fn timestamp(
        self,
        t: &DateTime,
        format: TimestampFormat,
    ) -> Result<(), crate::error::BuildError> {
        let text = t
            .format(format)
            .map_err(|e| crate::error::BuildError::invalid_field("timestamp", e.to_string()))?;
        match format {
            TimestampFormat::EpochSeconds => self.out.push_str(&text),
            _ => write_string(self.out, &text),
        }
        Ok(())
    }

    /// Starts an object.
    pub fn object(self) -> ObjectWriter<'a> {
        ObjectWriter::new(self.out)
    }

    /// Starts an array.
    pub fn array(self) -> ArrayWriter<'a> {
        ArrayWriter::new(self.out)
    }

    /// Raw, already-serialized JSON.
    pub fn raw(self, json: &str) {
        self.out.push_str(json);
    }
}

/// A value in a response body that does not match the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeserializeError {
    path: Vec<String>,
    message: String,
}

impl DeserializeError {
    /// A new error about the value at the current position.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// Adds the member name or index the error happened under (outermost last).
    pub fn at(mut self, segment: impl fmt::Display) -> Self {
        self.path.push(segment.to_string());
        self
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The path of the offending value, like `rooms[0].arn`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.path.iter().rev() {
            if seg.starts_with('[') {
                out.push_str(seg);
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(seg);
            }
        }
        out
    }
}

impl fmt::Display for DeserializeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} at `{}`", self.message, self.path())
        }
    }
}

impl std::error::Error for DeserializeError {}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn mismatch(expected: &str, v: &Value) -> DeserializeError {
    DeserializeError::new(format!("expected {expected}, found {}", type_name(v)))
}

/// Parses a response body into a JSON value; an empty body is an empty object.
pub fn parse_body(body: &[u8]) -> Result<Value, DeserializeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| DeserializeError::new(format!("invalid JSON body: {e}")))
}

/// The members of a JSON object.
pub fn object(v: &Value) -> Result<&serde_json::Map<String, Value>, DeserializeError> {
    v.as_object().ok_or_else(|| mismatch("an object", v))
}

/// The elements of a JSON array.
pub fn array(v: &Value) -> Result<&[Value], DeserializeError> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| mismatch("an array", v))
}

/// A string.
pub fn string(v: &Value) -> Result<String, DeserializeError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| mismatch("a string", v))
}

/// A boolean.
pub fn boolean(v: &Value) -> Result<bool, DeserializeError> {
    v.as_bool().ok_or_else(|| mismatch("a boolean", v))
}

/// An integer that must fit `T` (byte, short, integer, long).
pub fn integer<T: TryFrom<i64>>(v: &Value) -> Result<T, DeserializeError> {
    let n = match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| DeserializeError::new(format!("expected an integer, found {n}")))?,
        _ => return Err(mismatch("an integer", v)),
    };
    T::try_from(n).map_err(|_| {
        DeserializeError::new(format!(
            "integer {n} is out of range for {}",
            std::any::type_name::<T>()
        ))
    })
}

/// A double, also accepting `"NaN"`, `"Infinity"` and `"-Infinity"`.
pub fn double(v: &Value) -> Result<f64, DeserializeError> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| DeserializeError::new(format!("number {n} is not a double"))),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(DeserializeError::new(format!(
                "expected a number, found the string {s:?}"
            ))),
        },
        _ => Err(mismatch("a number", v)),
    }
}

/// A float (f32).
pub fn float(v: &Value) -> Result<f32, DeserializeError> {
    double(v).map(|d| d as f32)
}

/// A timestamp: a number of epoch seconds, or a string in `format`.
pub fn timestamp(v: &Value, format: TimestampFormat) -> Result<DateTime, DeserializeError> {
    match (v, format) {
        // The decimal text keeps the fraction exact (`1704164645.123` is not exact as an f64);
        // exponent forms fall back to the float.
        (Value::Number(n), _) => DateTime::parse(&n.to_string(), TimestampFormat::EpochSeconds)
            .ok()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite())
                    .map(DateTime::from_secs_f64)
            })
            .ok_or_else(|| DeserializeError::new(format!("invalid epoch seconds {n}"))),
        (Value::String(s), _) => {
            DateTime::parse(s, format).map_err(|e| DeserializeError::new(e.to_string()))
        }
        _ => Err(mismatch("a timestamp", v)),
    }
}

/// A base64-encoded blob.
pub fn blob(v: &Value) -> Result<crate::types::Blob, DeserializeError> {
    let text = v.as_str().ok_or_else(|| mismatch("a base64 string", v))?;
    crate::types::Blob::from_base64(text).map_err(DeserializeError::new)
}

/// A document (any JSON value).
pub fn document(v: &Value) -> Result<crate::types::Document, DeserializeError> {
    Ok(crate::types::Document::from_json(v))
}

/// A dense list: `null` elements are skipped.
pub fn list<T>(
    v: &Value,
    f: impl Fn(&Value) -> Result<T, DeserializeError>,
) -> Result<Vec<T>, DeserializeError> {
    let items = array(v)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !item.is_null() {
            out.push(f(item).map_err(|e| e.at(format_args!("[{i}]")))?);
        }
    }
    Ok(out)
}

/// A sparse list: `null` elements are kept as `None`.
pub fn sparse_list<T>(
    v: &Value,
    f: impl Fn(&Value) -> Result<T, DeserializeError>,
) -> Result<Vec<Option<T>>, DeserializeError> {
    let items = array(v)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(if item.is_null() {
            None
        } else {
            Some(f(item).map_err(|e| e.at(format_args!("[{i}]")))?)
        });
    }
    Ok(out)
}

/// A dense map: entries with `null` values are skipped.
pub fn map<T>(
    v: &Value,
    f: impl Fn(&Value) -> Result<T, DeserializeError>,
) -> Result<std::collections::BTreeMap<String, T>, DeserializeError> {
    let mut out = std::collections::BTreeMap::new();
    for (k, item) in object(v)? {
        if !item.is_null() {
            out.insert(k.clone(), f(item).map_err(|e| e.at(k))?);
        }
    }
    Ok(out)
}

/// A sparse map: `null` values are kept as `None`.
pub fn sparse_map<T>(
    v: &Value,
    f: impl Fn(&Value) -> Result<T, DeserializeError>,
) -> Result<std::collections::BTreeMap<String, Option<T>>, DeserializeError> {
    let mut out = std::collections::BTreeMap::new();
    for (k, item) in object(v)? {
        let value = if item.is_null() {
            None
        } else {
            Some(f(item).map_err(|e| e.at(k))?)
        };
        out.insert(k.clone(), value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_escaped_strings_and_nested_values() {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.key("name").string("a\"b\\c\n\u{1}é🎉");
        {
            let mut a = o.key("list").array();
            a.value().integer(-3);
            a.value().float(f64::NAN);
            a.value().float(1.5);
            a.value().float(2.0);
            a.finish();
        }
        o.key("empty").object().finish();
        o.finish();
        assert_eq!(
            out,
            r#"{"name":"a\"b\\c\n\u0001é🎉","list":[-3,"NaN",1.5,2],"empty":{}}"#
        );
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["name"], "a\"b\\c\n\u{1}é🎉");
    }

    #[test]
    fn reading_reports_the_path_of_a_mismatch() {
        let v: Value = serde_json::from_str(r#"{"n": 1.5, "big": 3000000000}"#).unwrap();
        let err = integer::<i32>(&v["n"])
            .unwrap_err()
            .at("n")
            .at("[0]")
            .at("rooms");
        assert_eq!(
            err.to_string(),
            "expected an integer, found 1.5 at `rooms[0].n`"
        );
        let err = integer::<i32>(&v["big"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "integer 3000000000 is out of range for i32"
        );
        assert_eq!(
            string(&v).unwrap_err().to_string(),
            "expected a string, found an object"
        );
        assert!(double(&Value::String("NaN".into())).unwrap().is_nan());
        let t = timestamp(
            &serde_json::json!(1704164645.123),
            TimestampFormat::DateTime,
        )
        .unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (1_704_164_645, 123_000_000));
        let t = timestamp(&serde_json::json!(-1.5), TimestampFormat::DateTime).unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        let t = timestamp(&serde_json::json!(1e3), TimestampFormat::DateTime).unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (1000, 0));
        assert_eq!(
            parse_body(b"  ").unwrap(),
            Value::Object(Default::default())
        );
        assert!(
            parse_body(b"<html>")
                .unwrap_err()
                .to_string()
                .starts_with("invalid JSON body")
        );
    }
}
