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

pub use read::{
    Input, LeafSeed, UnionReader, blob, boolean, double, float, integer, string, timestamp,
};
pub use seed::{
    DocumentSeed, ListSeed, MapAccess, MapSeed, MappedSeed, ObjectSeed, Outcome, Read, ReadObject,
    ReadUnit, SparseListSeed, SparseMapSeed, StringSeed, TimestampSeed, build, leaf, mapped,
    members, object_seed, read_body, read_object_body, read_value_body, skip, skip_value,
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

    use serde::de::{self, DeserializeSeed, Visitor};
    use std::borrow::Cow;

    /// Reads `{"v": <json>, "w": 7}`: `v` with `seed`, then `w`, which must read as 7 after
    /// it (so whatever `seed` left of `v` was skipped). The error is the seed's, without a
    /// path segment for `v`.
    fn member<T, S>(json: &str, seed: S) -> Read<T>
    where
        S: for<'de> DeserializeSeed<'de, Value = Read<T>> + Copy,
    {
        struct VThenW<S>(S);
        impl<'de, T, S: DeserializeSeed<'de, Value = Read<T>> + Copy> DeserializeSeed<'de> for VThenW<S> {
            type Value = Read<T>;
            fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Read<T>, D::Error> {
                d.deserialize_map(self)
            }
        }
        impl<'de, T, S: DeserializeSeed<'de, Value = Read<T>> + Copy> Visitor<'de> for VThenW<S> {
            type Value = Read<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Read<T>, A::Error> {
                let (mut v, mut w) = (Ok(None), None);
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match &*key {
                        "v" => v = map.next_value_seed(self.0)?,
                        "w" => w = map.next_value_seed(leaf(integer::<i32>))?.ok().flatten(),
                        _ => unreachable!(),
                    }
                }
                assert_eq!(w, Some(7), "the member after v");
                Ok(v)
            }
        }
        let body = format!(r#"{{"v":{json},"w":7}}"#);
        read_body(body.as_bytes(), VThenW(seed).map_some()).and_then(|v| v.unwrap_or(Ok(None)))
    }

    /// The test reader's value as a seed's: `Some(value)`.
    trait MapSome: Sized {
        fn map_some(self) -> Wrapped<Self> {
            Wrapped(self)
        }
    }
    impl<S> MapSome for S {}
    struct Wrapped<S>(S);
    impl<'de, T, S: DeserializeSeed<'de, Value = Read<T>>> DeserializeSeed<'de> for Wrapped<S> {
        type Value = Read<Read<T>>;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            Ok(Ok(Some(self.0.deserialize(d)?)))
        }
    }

    fn text<T: fmt::Debug>(r: Read<T>) -> String {
        match r {
            Ok(v) => format!("ok {v:?}"),
            Err(e) => format!("error {e}"),
        }
    }

    const VALUES: [&str; 21] = [
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

    #[test]
    fn string_and_timestamp_seeds_read_as_the_reader_functions_do() {
        for json in VALUES {
            assert_eq!(
                text(member(json, StringSeed)),
                text(member(json, leaf(string))),
                "{json}"
            );
            for format in [
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
                TimestampFormat::EpochSeconds,
            ] {
                assert_eq!(
                    text(member(json, timestamp_seed(format))),
                    text(member(json, leaf(move |v: Input<'_>| timestamp(v, format)))),
                    "{json} {format:?}"
                );
            }
        }
        // What the comparison relies on: null is absent, a mismatch is an error.
        assert_eq!(member("null", StringSeed), Ok(None));
        assert_eq!(member(r#""s""#, StringSeed), Ok(Some("s".to_owned())));
        assert_eq!(
            text(member("[1]", StringSeed)),
            "error expected a string, found an array"
        );
        assert_eq!(
            text(member(r#"{"a":1}"#, leaf(integer::<i32>))),
            "error expected an integer, found an object"
        );
        assert_eq!(
            text(member("true", timestamp_seed(TimestampFormat::DateTime))),
            "error expected a timestamp, found a boolean"
        );
    }

    #[test]
    fn every_seed_names_what_it_found() {
        for (json, found) in [
            ("true", "a boolean"),
            ("1", "a number"),
            ("-1", "a number"),
            ("1.5", "a number"),
            (r#""s""#, "a string"),
            ("[1]", "an array"),
            (r#"{"a":[1]}"#, "an object"),
        ] {
            let cases = [
                ("a string", text(member(json, StringSeed))),
                ("a string", text(member(json, leaf(string)))),
                ("an object", text(member(json, object_seed::<ReadUnit>()))),
                ("an array", text(member(json, ListSeed(StringSeed)))),
                ("an array", text(member(json, SparseListSeed(StringSeed)))),
                ("an object", text(member(json, MapSeed(StringSeed)))),
                ("an object", text(member(json, SparseMapSeed(StringSeed)))),
            ];
            for (what, got) in cases {
                if what != found {
                    assert_eq!(
                        got,
                        format!("error expected {what}, found {found}"),
                        "{json} read as {what}"
                    );
                }
            }
        }
        assert_eq!(member("{}", object_seed::<ReadUnit>()), Ok(Some(())));
        assert_eq!(member("null", object_seed::<ReadUnit>()), Ok(None));
        assert_eq!(member("null", DocumentSeed), Ok(None));
    }

    #[test]
    fn string_lists_and_maps_follow_the_element_reader() {
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
                text(member(json, ListSeed(StringSeed))),
                text(member(json, ListSeed(leaf(string)))),
                "{json}"
            );
            assert_eq!(
                text(member(json, MapSeed(StringSeed))),
                text(member(json, MapSeed(leaf(string)))),
                "{json}"
            );
        }
        assert_eq!(
            member(r#"["a",null,"b"]"#, ListSeed(StringSeed)),
            Ok(Some(vec!["a".to_owned(), "b".to_owned()]))
        );
        assert_eq!(
            member(r#"["a",1]"#, ListSeed(StringSeed))
                .unwrap_err()
                .at("ids")
                .to_string(),
            "expected a string, found a number at `ids[1]`"
        );
        assert_eq!(
            member(r#"{"k":"v","bad":2}"#, MapSeed(StringSeed))
                .unwrap_err()
                .to_string(),
            "expected a string, found a number at `bad`"
        );
        assert_eq!(
            member(r#"{"e\u0073c":"v","k":"v","k":null}"#, MapSeed(StringSeed)),
            Ok(Some([("esc".to_owned(), "v".to_owned())].into()))
        );
    }

    #[test]
    fn reading_reports_the_path_of_a_mismatch() {
        let err = member("1.5", leaf(integer::<i32>))
            .unwrap_err()
            .at("n")
            .at("[0]")
            .at("rooms");
        assert_eq!(
            err.to_string(),
            "expected an integer, found 1.5 at `rooms[0].n`"
        );
        assert_eq!(
            member("3000000000", leaf(integer::<i32>))
                .unwrap_err()
                .to_string(),
            "integer 3000000000 is out of range for i32"
        );
        assert_eq!(
            member("18446744073709551615", leaf(integer::<i64>))
                .unwrap_err()
                .to_string(),
            "expected an integer, found 18446744073709551615"
        );
        assert_eq!(member("-7", leaf(integer::<i8>)).unwrap(), Some(-7));
        assert_eq!(
            member("{}", StringSeed).unwrap_err().to_string(),
            "expected a string, found an object"
        );
        assert!(member(r#""NaN""#, leaf(double)).unwrap().unwrap().is_nan());
        assert_eq!(
            member(r#""-Infinity""#, leaf(double)).unwrap(),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(member("3", leaf(float)).unwrap(), Some(3.0));
        assert_eq!(
            member(r#""nan""#, leaf(double)).unwrap_err().to_string(),
            r#"expected a number, found the string "nan""#
        );
        assert_eq!(member("null", StringSeed).unwrap(), None);
        let ts = |json| {
            member(json, timestamp_seed(TimestampFormat::DateTime))
                .unwrap()
                .map(|t| (t.secs(), t.subsec_nanos()))
        };
        assert_eq!(ts("1704164645.123"), Some((1_704_164_645, 123_000_000)));
        assert_eq!(ts("-1.5"), Some((-2, 500_000_000)));
        assert_eq!(ts("1e3"), Some((1000, 0)));
        assert_eq!(ts(r#""2024-01-02T03:04:05Z""#), Some((1_704_164_645, 0)));
        assert_eq!(
            member(r#""aGk=""#, leaf(blob)).unwrap().unwrap().as_ref(),
            b"hi"
        );
        assert!(
            read_body(b"<html>", StringSeed)
                .unwrap_err()
                .to_string()
                .starts_with("invalid JSON body")
        );
        assert_eq!(
            parse_body(b"  ").unwrap(),
            Value::Object(Default::default())
        );
    }

    /// A reader like the generated ones: `{"s": string, "n": integer, "inner": Nested}`.
    #[derive(Debug, PartialEq, Default)]
    struct Nested {
        s: Option<String>,
        n: Option<i32>,
        inner: Option<Box<Nested>>,
    }

    enum ReadNested {}

    impl<'de> ReadObject<'de> for ReadNested {
        type Value = Nested;
        fn read<A: MapAccess<'de>>(mut map: A) -> Result<Read<Nested>, A::Error> {
            let mut out = Nested::default();
            let read = members(&mut map, |key, map| {
                Ok(match &**key {
                    "s" => map.next_value_seed(StringSeed)?.map(|v| out.s = v),
                    "n" => map
                        .next_value_seed(leaf(integer::<i32>))?
                        .map(|v| out.n = v),
                    "inner" => map
                        .next_value_seed(object_seed::<ReadNested>())?
                        .map(|v| out.inner = v.map(Box::new)),
                    _ => skip(map)?,
                })
            })?;
            Ok(read.map(|()| Some(out)))
        }
    }

    #[test]
    fn object_readers_match_names_skip_unknown_members_and_keep_the_last_value() {
        let body = br#"{"s": "a", "x": {"deep": [1, {"y": null}]}, "\u006e": 1, "inner": {"s": "b", "inner": null}, "s": null, "n": 2}"#;
        assert_eq!(
            read_object_body::<ReadNested>(body),
            Ok(Nested {
                s: None,
                n: Some(2),
                inner: Some(Box::new(Nested {
                    s: Some("b".to_owned()),
                    ..Nested::default()
                })),
            })
        );
        let err = read_object_body::<ReadNested>(
            br#"{"inner": {"inner": {"n": "x", "s": "later"}, "s": 1}, "n": 1}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an integer, found a string at `inner.inner.n`"
        );
    }

    #[test]
    fn hostile_nesting_is_an_error_within_serde_json_recursion_limit() {
        // Far deeper than serde_json's limit of 128: an error, not a stack overflow (the
        // test thread's stack is 2 MiB, as a tokio worker's).
        let depth = 100_000;
        let body = format!("{}{}", r#"{"inner":"#.repeat(depth), "}".repeat(depth));
        let err = read_object_body::<ReadNested>(body.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid JSON body: recursion limit exceeded"),
            "{err}"
        );
        // Within the limit, it reads.
        let body = format!("{}{{}}{}", r#"{"inner":"#.repeat(100), "}".repeat(100));
        let mut nested = read_object_body::<ReadNested>(body.as_bytes()).unwrap();
        let mut levels = 0;
        while let Some(inner) = nested.inner.take() {
            nested = *inner;
            levels += 1;
        }
        assert_eq!(levels, 100);
        // An unknown member is skipped by serde_json without recursion, however deep.
        let body = format!(r#"{{"x": {}{}}}"#, "[".repeat(depth), "]".repeat(depth));
        assert_eq!(
            read_object_body::<ReadNested>(body.as_bytes()),
            Ok(Nested::default())
        );
    }

    #[test]
    fn empty_and_blank_bodies_read_as_empty_objects() {
        for body in [&b""[..], b" \r\n\t"] {
            assert_eq!(read_object_body::<ReadNested>(body), Ok(Nested::default()));
        }
        assert_eq!(
            read_object_body::<ReadNested>(b"null")
                .unwrap_err()
                .to_string(),
            "expected an object, found null"
        );
        for (body, found) in [
            (&b" [1, {}]"[..], "an array"),
            (b"\"s\"", "a string"),
            (b"1.5", "a number"),
            (b"true", "a boolean"),
        ] {
            assert_eq!(
                read_object_body::<ReadNested>(body)
                    .unwrap_err()
                    .to_string(),
                format!("expected an object, found {found}")
            );
        }
        assert_eq!(
            read_object_body::<ReadNested>(b"[1] x")
                .unwrap_err()
                .to_string(),
            "invalid JSON body: trailing characters at line 1 column 5"
        );
        assert_eq!(
            read_value_body(b"null", ListSeed(StringSeed))
                .unwrap_err()
                .to_string(),
            "expected a value, found null"
        );
    }

    #[test]
    fn unread_members_and_elements_are_skipped() {
        let body =
            br#"{"skip": {"deep": [1, {"x": "y"}, null]}, "a": [1, 2, 3], "b": "B", "c": 1e400}"#;
        // Skipped values are only scanned: `1e400` in a member nobody reads is not an error.
        assert_eq!(read_object_body::<ReadUnit>(body), Ok(()));
        // Read, it is: out of range for any number.
        assert!(
            member("1e400", leaf(double))
                .unwrap_err()
                .to_string()
                .starts_with("invalid JSON body: number out of range")
        );
    }

    #[test]
    fn lists_and_maps_follow_the_sparse_rules() {
        let int = leaf(integer::<i32>);
        assert_eq!(member("[1, null, 2]", ListSeed(int)), Ok(Some(vec![1, 2])));
        assert_eq!(
            member("[1, null, 2]", SparseListSeed(int)),
            Ok(Some(vec![Some(1), None, Some(2)]))
        );
        let err = member(r#"[1, null, "x"]"#, ListSeed(int)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an integer, found a string at `[2]`"
        );
        let dense = member(r#"{"b": 2, "a": null, "c": 3, "c": null}"#, MapSeed(int));
        assert_eq!(dense, Ok(Some([("b".to_owned(), 2)].into())));
        let sparse = member(r#"{"b": 2, "a": null}"#, SparseMapSeed(int));
        assert_eq!(
            sparse,
            Ok(Some(
                [("a".to_owned(), None), ("b".to_owned(), Some(2))].into()
            ))
        );
        let err = member(r#"{"k\"ey": true}"#, MapSeed(StringSeed)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected a string, found a boolean at `k\"ey`"
        );
        assert_eq!(
            member("[]", MapSeed(StringSeed)).unwrap_err().to_string(),
            "expected an object, found an array"
        );
        // Lists of lists: the inner index comes first in the path.
        let err = member("[[1], [2, true]]", ListSeed(ListSeed(int))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an integer, found a boolean at `[1][1]`"
        );
    }

    #[test]
    fn documents_keep_every_value() {
        use crate::types::{Document, Number};
        let doc = member(
            r#"{"z": [null, -1, 2, 0.5, "s", true], "a": {}, "a": {"k": null}}"#,
            DocumentSeed,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            doc,
            Document::Object(
                [
                    (
                        "a".to_owned(),
                        Document::Object([("k".to_owned(), Document::Null)].into())
                    ),
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
        let top = read_body(b"[1]", DocumentSeed).unwrap();
        assert_eq!(
            top,
            Some(Document::Array(vec![Document::Number(Number::PosInt(1))]))
        );
    }

    /// A union reader as generated: `a` and `b` are strings, other members are unknown.
    enum ReadU {}

    impl<'de> ReadObject<'de> for ReadU {
        type Value = String;
        fn read<A: MapAccess<'de>>(mut map: A) -> Result<Read<String>, A::Error> {
            let mut union = UnionReader::new("U");
            let read = members(&mut map, |key, map| {
                if &**key == "__type" {
                    return skip(map);
                }
                let variant = match &**key {
                    "a" | "b" => map.next_value_seed(StringSeed)?,
                    _ => Ok(skip_value(map)?.then(|| "unknown".to_owned())),
                };
                Ok(variant.map(|v| union.member(key.clone(), v)))
            })?;
            Ok(read.and_then(|()| union.finish().map(Some)))
        }
    }

    #[test]
    fn unions_need_exactly_one_member() {
        let union = |body: &[u8]| read_object_body::<ReadU>(body);
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
        // The mismatch at `s` comes first, but the body is not JSON at all.
        let err = read_object_body::<ReadNested>(br#"{"s": 1, "b": }"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid JSON body: expected value at line 1"),
            "{err}"
        );
        let err = read_object_body::<ReadNested>(br#"{"s": 1} x"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid JSON body: trailing characters at line 1 column 10"
        );
        let err = read_object_body::<ReadUnit>(br#"{} x"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid JSON body: trailing characters at line 1 column 4"
        );
    }
}
