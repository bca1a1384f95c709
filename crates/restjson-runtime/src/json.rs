//! JSON writing and reading helpers for generated (de)serializers.
//!
//! Writing goes straight into a `String`; reading goes straight from the body's bytes
//! (see [`read_body`]). Neither builds an intermediate tree. Reading errors carry the path
//! of the offending value.

use std::fmt::{self, Write as _};

use serde_json::Value;

use crate::datetime::{DateTime, TimestampFormat};

mod read;
mod seed;

pub use read::LeafSeed;
pub use read::{
    ArrayReader, Input, ObjectReader, UnionReader, array, blob, boolean, document, double, float,
    integer, list, map, object, read_body, sparse_list, sparse_map, string, string_list,
    string_map, timestamp,
};
pub use seed::{
    DocumentSeed, ListSeed, MapAccess, MapSeed, MappedSeed, ObjectSeed, Outcome, Read, ReadObject,
    ReadUnit, SparseListSeed, SparseMapSeed, StringSeed, build, leaf, mapped, members, object_seed,
    read_body as read_body_with, read_object_body, read_value_body, skip, skip_value,
    timestamp_seed,
};

/// Appends `s` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Most strings need no escape: find the first byte that may, eight bytes at a time.
    let mut plain = plain_prefix(s.as_bytes());
    while !s.is_char_boundary(plain) {
        plain -= 1;
    }
    out.push_str(&s[..plain]);
    let mut start = plain;
    for (i, b) in s.bytes().enumerate().skip(plain) {
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

/// The length of the longest prefix of whole eight-byte words of `b` holding no `"`, no `\\`
/// and no control character (a byte below 0x20): bytes the writer copies as they are.
fn plain_prefix(b: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether a byte of `w` is zero (exact, with the high bits of `w` masked out by `!w`).
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let mut done = 0;
    for chunk in b.chunks_exact(8) {
        let w = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        if control
            | zero_byte(w ^ (ONES * u64::from(b'"')))
            | zero_byte(w ^ (ONES * u64::from(b'\\')))
            != 0
        {
            break;
        }
        done += 8;
    }
    done
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
// Boxed: readers return `Result<_, DeserializeError>` at every level of a body, and a
// pointer-sized error keeps those results in registers.
#[derive(Clone, PartialEq, Eq)]
pub struct DeserializeError(Box<ErrorDetail>);

#[derive(Clone, PartialEq, Eq)]
struct ErrorDetail {
    path: Vec<String>,
    message: String,
}

impl fmt::Debug for DeserializeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeserializeError")
            .field("path", &self.0.path)
            .field("message", &self.0.message)
            .finish()
    }
}

impl DeserializeError {
    /// A new error about the value at the current position.
    pub fn new(message: impl Into<String>) -> Self {
        Self(Box::new(ErrorDetail {
            path: Vec::new(),
            message: message.into(),
        }))
    }

    /// Adds the member name or index the error happened under (outermost last).
    pub fn at(mut self, segment: impl fmt::Display) -> Self {
        self.0.path.push(segment.to_string());
        self
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The path of the offending value, like `rooms[0].arn`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.0.path.iter().rev() {
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
        if self.0.path.is_empty() {
            f.write_str(&self.0.message)
        } else {
            write!(f, "{} at `{}`", self.0.message, self.path())
        }
    }
}

impl std::error::Error for DeserializeError {}

/// Parses a response body into a JSON value; an empty body is an empty object.
pub fn parse_body(body: &[u8]) -> Result<Value, DeserializeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| DeserializeError::new(format!("invalid JSON body: {e}")))
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
    fn escapes_at_every_position_of_the_word_scan() {
        for c in [
            '"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '~', '\u{7f}', 'é', '🎉',
        ] {
            for at in 0..20 {
                let text = format!("{}{c}{}", "a".repeat(at), "b".repeat(at % 7 + 3));
                let mut out = String::new();
                write_string(&mut out, &text);
                let back: String = serde_json::from_str(&out).unwrap();
                assert_eq!(back, text, "{out}");
                assert!(!out.bytes().any(|b| b < 0x20), "{out:?}");
                let quoted = out.matches('"').count() - out.matches("\\\"").count();
                assert_eq!(quoted, 2, "{out}");
            }
        }
    }

    /// Reads `{"v": <value>}` with `f`.
    fn member<T>(
        json: &str,
        f: impl FnOnce(Input<'_, '_>) -> Result<T, DeserializeError>,
    ) -> Result<Option<T>, DeserializeError> {
        read_body(format!(r#"{{"v":{json}}}"#).as_bytes(), |v| {
            let mut o = object(v)?;
            let mut out = None;
            while let Some(key) = o.next_key()? {
                if key == "v" {
                    out = o.read(f)?;
                    break;
                }
            }
            Ok(out)
        })
    }

    /// Reads `{"v": <value>, "w": 7}` with the leaf reader `f` for `v`, and `w` after it.
    fn leaf_member<T>(
        json: &str,
        f: impl FnOnce(&mut ObjectReader<'_, '_>) -> Result<Option<T>, DeserializeError>,
    ) -> Result<Option<T>, DeserializeError> {
        read_body(format!(r#"{{"v":{json},"w":7}}"#).as_bytes(), |v| {
            let mut o = object(v)?;
            let (mut out, mut w) = (None, None);
            let mut f = Some(f);
            while let Some(key) = o.next_key()? {
                match &*key {
                    "v" => out = f.take().map_or(Ok(None), |f| f(&mut o))?,
                    "w" => w = o.read_integer::<i32>()?,
                    _ => {}
                }
            }
            assert_eq!(w, Some(7), "the member after {json}");
            Ok(out)
        })
    }

    #[test]
    fn leaf_readers_read_as_the_reader_functions_do() {
        let values = [
            "null",
            "true",
            "0",
            "-3",
            "300",
            "9223372036854775808",
            "1.5",
            "1e3",
            "1704164645.123",
            r#""text""#,
            r#""NaN""#,
            r#""-Infinity""#,
            r#""2024-01-02T03:04:05.5Z""#,
            r#""Tue, 02 Jan 2024 03:04:05 GMT""#,
            r#""aGVsbG8=""#,
            r#""not base64!""#,
            r#""esc\"aped\n""#,
            "{}",
            r#"{"a":[1,{"b":null}]}"#,
            "[]",
            r#"[1,[2],{"c":"d"}]"#,
        ];
        let text = |r: Result<Option<String>, DeserializeError>| match r {
            Ok(v) => format!("ok {v:?}"),
            Err(e) => format!("error {e}"),
        };
        fn show<T: fmt::Debug>(
            r: Result<Option<T>, DeserializeError>,
        ) -> Result<Option<String>, DeserializeError> {
            r.map(|v| v.map(|v| format!("{v:?}")))
        }
        for json in values {
            let pairs = [
                (
                    show(leaf_member(json, |o| o.read_string())),
                    show(member(json, string)),
                ),
                (
                    show(leaf_member(json, |o| o.read_boolean())),
                    show(member(json, boolean)),
                ),
                (
                    show(leaf_member(json, |o| o.read_integer::<i8>())),
                    show(member(json, integer::<i8>)),
                ),
                (
                    show(leaf_member(json, |o| o.read_integer::<i64>())),
                    show(member(json, integer::<i64>)),
                ),
                (
                    show(leaf_member(json, |o| o.read_double())),
                    show(member(json, double)),
                ),
                (
                    show(leaf_member(json, |o| o.read_float())),
                    show(member(json, float)),
                ),
                (
                    show(leaf_member(json, |o| o.read_blob())),
                    show(member(json, blob)),
                ),
            ];
            for (leaf, function) in pairs {
                assert_eq!(text(leaf), text(function), "{json}");
            }
            for format in [
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
                TimestampFormat::EpochSeconds,
            ] {
                assert_eq!(
                    text(show(leaf_member(json, |o| o.read_timestamp(format)))),
                    text(show(member(json, |v| timestamp(v, format)))),
                    "{json} {format:?}"
                );
            }
        }
        // What the comparison relies on: null is absent, a mismatch is an error.
        assert_eq!(leaf_member("null", |o| o.read_string()), Ok(None));
        assert_eq!(
            leaf_member("[1]", |o| o.read_string())
                .unwrap_err()
                .to_string(),
            "expected a string, found an array"
        );
        assert_eq!(
            leaf_member(r#"{"a":1}"#, |o| o.read_integer::<i32>())
                .unwrap_err()
                .to_string(),
            "expected an integer, found an object"
        );
    }

    #[test]
    fn string_lists_and_maps_read_as_list_and_map_of_strings_do() {
        let text = |r: Result<Option<String>, DeserializeError>| match r {
            Ok(v) => format!("ok {v:?}"),
            Err(e) => format!("error {e}"),
        };
        for json in [
            "null",
            "[]",
            r#"["a",null,"b\u0021"]"#,
            r#"["a",1]"#,
            r#"["a",["b"],"c"]"#,
            r#"[{"x":"y"}]"#,
            "{}",
            r#"{"k":"v","n":null,"k2":"w"}"#,
            r#"{"k":"v","k":null}"#,
            r#"{"k":null,"k":"v"}"#,
            r#"{"e\u0073c":"v"}"#,
            r#"{"k":"v","bad":2}"#,
            r#"{"k":{"deep":[1]}}"#,
            r#""text""#,
            "7",
        ] {
            assert_eq!(
                text(member(json, string_list).map(|v| v.map(|v| format!("{v:?}")))),
                text(member(json, |v| list(v, string)).map(|v| v.map(|v| format!("{v:?}")))),
                "{json}"
            );
            assert_eq!(
                text(member(json, string_map).map(|v| v.map(|v| format!("{v:?}")))),
                text(member(json, |v| map(v, string)).map(|v| v.map(|v| format!("{v:?}")))),
                "{json}"
            );
        }
        assert_eq!(
            member(r#"["a",null,"b"]"#, string_list),
            Ok(Some(vec!["a".to_owned(), "b".to_owned()]))
        );
        assert_eq!(
            member(r#"["a",1]"#, string_list)
                .unwrap_err()
                .at("ids")
                .to_string(),
            "expected a string, found a number at `ids[1]`"
        );
        assert_eq!(
            member(r#"{"k":"v","bad":2}"#, string_map)
                .unwrap_err()
                .to_string(),
            "expected a string, found a number at `bad`"
        );
    }

    #[test]
    fn reading_reports_the_path_of_a_mismatch() {
        let err = member("1.5", integer::<i32>)
            .unwrap_err()
            .at("n")
            .at("[0]")
            .at("rooms");
        assert_eq!(
            err.to_string(),
            "expected an integer, found 1.5 at `rooms[0].n`"
        );
        assert_eq!(
            member("3000000000", integer::<i32>)
                .unwrap_err()
                .to_string(),
            "integer 3000000000 is out of range for i32"
        );
        assert_eq!(
            member("18446744073709551615", integer::<i64>)
                .unwrap_err()
                .to_string(),
            "expected an integer, found 18446744073709551615"
        );
        assert_eq!(member("-7", integer::<i8>).unwrap(), Some(-7));
        assert_eq!(
            member("{}", string).unwrap_err().to_string(),
            "expected a string, found an object"
        );
        assert!(member(r#""NaN""#, double).unwrap().unwrap().is_nan());
        assert_eq!(
            member(r#""-Infinity""#, double).unwrap(),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(member("3", float).unwrap(), Some(3.0));
        assert_eq!(
            member(r#""nan""#, double).unwrap_err().to_string(),
            r#"expected a number, found the string "nan""#
        );
        assert_eq!(member("null", string).unwrap(), None);
        let ts = |json| {
            member(json, |v| timestamp(v, TimestampFormat::DateTime))
                .unwrap()
                .map(|t| (t.secs(), t.subsec_nanos()))
        };
        assert_eq!(ts("1704164645.123"), Some((1_704_164_645, 123_000_000)));
        assert_eq!(ts("-1.5"), Some((-2, 500_000_000)));
        assert_eq!(ts("1e3"), Some((1000, 0)));
        assert_eq!(ts(r#""2024-01-02T03:04:05Z""#), Some((1_704_164_645, 0)));
        assert_eq!(
            member("true", |v| timestamp(v, TimestampFormat::DateTime))
                .unwrap_err()
                .to_string(),
            "expected a timestamp, found a boolean"
        );
        assert_eq!(member(r#""aGk=""#, blob).unwrap().unwrap().as_ref(), b"hi");
        assert!(
            read_body(b"<html>", string)
                .unwrap_err()
                .to_string()
                .starts_with("invalid JSON body")
        );
        assert_eq!(
            parse_body(b"  ").unwrap(),
            Value::Object(Default::default())
        );
    }

    #[test]
    fn empty_and_blank_bodies_read_as_empty_objects() {
        for body in [&b""[..], b" \r\n\t"] {
            let keys = read_body(body, |v| {
                let mut o = object(v)?;
                let mut n = 0;
                while o.next_key()?.is_some() {
                    n += 1;
                }
                Ok(n)
            });
            assert_eq!(keys, Ok(0));
        }
        assert_eq!(
            read_body(b"null", |v| object(v).map(|_| ()))
                .unwrap_err()
                .to_string(),
            "expected an object, found null"
        );
    }

    #[test]
    fn unread_members_and_elements_are_skipped() {
        let body =
            br#"{"skip": {"deep": [1, {"x": "y"}, null]}, "a": [1, 2, 3], "b": "B", "c": 1e400}"#;
        // Skipped values are only scanned: `1e400` in a member nobody reads is not an error.
        assert_eq!(read_body(body, |v| object(v).map(|_| ())), Ok(()));
        // Read, it is: out of range for any number.
        assert!(
            member("1e400", double)
                .unwrap_err()
                .to_string()
                .starts_with("invalid JSON body: number out of range")
        );
        let body = br#"{"skip": {"deep": [1, {"x": "y"}, null]}, "a": [1, 2, 3], "b": "B\u00e9"}"#;
        let got = read_body(body, |v| {
            let mut o = object(v)?;
            let (mut first, mut b) = (None, None);
            while let Some(key) = o.next_key()? {
                match &*key {
                    // Only the first element is read; the rest is skipped.
                    "a" => first = o.read(|v| array(v)?.next(integer::<i32>))?.flatten(),
                    "b" => b = o.read(string)?,
                    _ => {}
                }
            }
            Ok((first, b))
        });
        assert_eq!(got, Ok((Some(1), Some("Bé".to_owned()))));
    }

    #[test]
    fn lists_and_maps_follow_the_sparse_rules() {
        let dense = member(r#"[1, null, 2]"#, |v| list(v, integer::<i32>));
        assert_eq!(dense, Ok(Some(vec![1, 2])));
        let sparse = member(r#"[1, null, 2]"#, |v| sparse_list(v, integer::<i32>));
        assert_eq!(sparse, Ok(Some(vec![Some(1), None, Some(2)])));
        let err = member(r#"[1, null, "x"]"#, |v| list(v, integer::<i32>)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an integer, found a string at `[2]`"
        );
        let dense = member(r#"{"b": 2, "a": null, "c": 3, "c": null}"#, |v| {
            map(v, integer::<i32>)
        });
        assert_eq!(dense, Ok(Some([("b".to_owned(), 2)].into())));
        let sparse = member(r#"{"b": 2, "a": null}"#, |v| sparse_map(v, integer::<i32>));
        assert_eq!(
            sparse,
            Ok(Some(
                [("a".to_owned(), None), ("b".to_owned(), Some(2))].into()
            ))
        );
        let err = member(r#"{"k\"ey": true}"#, |v| map(v, string)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected a string, found a boolean at `k\"ey`"
        );
        assert_eq!(
            member("[]", |v| map(v, string)).unwrap_err().to_string(),
            "expected an object, found an array"
        );
    }

    #[test]
    fn documents_keep_every_value() {
        use crate::types::{Document, Number};
        let doc = member(r#"{"z": [null, -1, 2, 0.5, "s", true], "a": {}}"#, document)
            .unwrap()
            .unwrap();
        assert_eq!(
            doc,
            Document::Object(
                [
                    ("a".to_owned(), Document::Object(Default::default())),
                    (
                        "z".to_owned(),
                        Document::Array(vec![
                            Document::Null,
                            Document::Number(Number::NegInt(-1)),
                            Document::Number(Number::PosInt(2)),
                            Document::Number(Number::Float(0.5)),
                            Document::String("s".to_owned()),
                            Document::Bool(true),
                        ])
                    ),
                ]
                .into()
            )
        );
        let top = read_body(b"[1]", document).unwrap();
        assert_eq!(
            top,
            Document::Array(vec![Document::Number(Number::PosInt(1))])
        );
    }

    #[test]
    fn unions_need_exactly_one_member() {
        fn union(body: &[u8]) -> Result<String, DeserializeError> {
            read_body(body, |v| {
                let mut o = object(v)?;
                let mut u = UnionReader::new("U");
                while let Some(key) = o.next_key()? {
                    if key == "__type" {
                        continue;
                    }
                    let value = match &*key {
                        "a" | "b" => o.read(string).map_err(|e| e.at(&key))?,
                        _ => o.skip()?.then(|| "unknown".to_owned()),
                    };
                    u.member(key, value);
                }
                u.finish()
            })
        }
        assert_eq!(
            union(br#"{"a": "x", "b": null, "__type": "T"}"#),
            Ok("x".into())
        );
        assert_eq!(union(br#"{"a": "x", "a": "y"}"#), Ok("y".into()));
        assert_eq!(union(br#"{"zz": {"n": 1}}"#), Ok("unknown".into()));
        assert_eq!(
            union(br#"{"a": "x", "b": "y"}"#).unwrap_err().to_string(),
            "more than one member of union U is set"
        );
        assert_eq!(
            union(br#"{"a": null, "zz": null}"#)
                .unwrap_err()
                .to_string(),
            "no member of union U is set"
        );
        assert_eq!(
            union(br#"{"a": "x", "a": null}"#).unwrap_err().to_string(),
            "no member of union U is set"
        );
        assert_eq!(
            union(br#"{"b": 1}"#).unwrap_err().to_string(),
            "expected a string, found a number at `b`"
        );
    }

    #[test]
    fn syntax_errors_win_over_type_errors() {
        // The mismatch at `a` comes first, but the body is not JSON at all.
        let err = read_body(br#"{"a": 1, "b": }"#, |v| {
            let mut o = object(v)?;
            while o.next_key()?.is_some() {
                o.read(string)?;
            }
            Ok(())
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid JSON body: expected value at line 1")
        );
        let err = read_body(br#"{} x"#, |v| object(v).map(|_| ())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid JSON body: trailing characters at line 1 column 4"
        );
    }
}
