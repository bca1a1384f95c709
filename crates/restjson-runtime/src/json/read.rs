//! The leaf readers of response bodies: one JSON value handed to a reader function as an
//! [`Input`] (see `seed.rs` for the readers of objects, arrays and whole bodies).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::DeserializeError;
use crate::datetime::{DateTime, TimestampFormat};

/// One JSON value of a response body, handed to a leaf reader function (objects and arrays
/// are skipped before: a leaf reader only names them in its error).
pub struct Input<'a> {
    kind: Kind<'a>,
}

enum Kind<'a> {
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(&'a str),
    Object,
    Array,
}

impl fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

impl Input<'_> {
    fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Bool(_) => "a boolean",
            Kind::U64(_) | Kind::I64(_) | Kind::F64(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }

    fn mismatch(&self, expected: &str) -> DeserializeError {
        DeserializeError::new(format!("expected {expected}, found {}", self.type_name()))
    }

    /// The number as `serde_json` prints it (the text an epoch timestamp is read from).
    fn number_text(&self) -> Option<String> {
        match self.kind {
            Kind::U64(n) => Some(n.to_string()),
            Kind::I64(n) => Some(n.to_string()),
            Kind::F64(f) => Some(
                serde_json::Number::from_f64(f).map_or_else(|| f.to_string(), |n| n.to_string()),
            ),
            _ => None,
        }
    }
}

/// A `serde_json` error met inside a value; the whole body is re-checked when this reaches
/// the top, so the message only matters if that check passes.
pub(super) fn syntax(e: impl fmt::Display) -> DeserializeError {
    DeserializeError::new(format!("invalid JSON body: {e}"))
}

/// Reads one leaf value with a reader function, straight from the deserializer: `null` is
/// `None`; an object or array is skipped and handed to the function (which refuses it).
#[derive(Clone, Copy)]
pub struct LeafSeed<F>(pub(super) F);

impl<F> fmt::Debug for LeafSeed<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LeafSeed")
    }
}

impl<'de, T, F: FnOnce(Input<'_>) -> Result<T, DeserializeError>> DeserializeSeed<'de>
    for LeafSeed<F>
{
    type Value = Result<Option<T>, DeserializeError>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<F> LeafSeed<F> {
    fn deliver<T>(self, kind: Kind<'_>) -> Result<Option<T>, DeserializeError>
    where
        F: FnOnce(Input<'_>) -> Result<T, DeserializeError>,
    {
        (self.0)(Input { kind }).map(Some)
    }
}

impl<'de, T, F: FnOnce(Input<'_>) -> Result<T, DeserializeError>> Visitor<'de> for LeafSeed<F> {
    type Value = Result<Option<T>, DeserializeError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.deliver(Kind::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.deliver(Kind::I64(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.deliver(Kind::U64(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.deliver(Kind::F64(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.deliver(Kind::Str(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        while access.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(self.deliver(Kind::Object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        while access.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.deliver(Kind::Array))
    }
}

/// A member name, borrowed from the body unless it had escapes.
pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Skips a value, telling whether it was something else than `null`.
pub(super) struct SkipSeed;

impl<'de> DeserializeSeed<'de> for SkipSeed {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for SkipSeed {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        <IgnoredAny as de::Deserialize>::deserialize(d)?;
        Ok(true)
    }
}

/// A string.
pub fn string(v: Input<'_>) -> Result<String, DeserializeError> {
    match v.kind {
        Kind::Str(s) => Ok(s.to_owned()),
        _ => Err(v.mismatch("a string")),
    }
}

/// A boolean.
pub fn boolean(v: Input<'_>) -> Result<bool, DeserializeError> {
    match v.kind {
        Kind::Bool(b) => Ok(b),
        _ => Err(v.mismatch("a boolean")),
    }
}

/// An integer that must fit `T` (byte, short, integer, long).
pub fn integer<T: TryFrom<i64>>(v: Input<'_>) -> Result<T, DeserializeError> {
    narrow(whole_number(v)?)
}

/// `n` as `T`, or the error naming the range it is out of.
fn narrow<T: TryFrom<i64>>(n: i64) -> Result<T, DeserializeError> {
    T::try_from(n).map_err(|_| {
        DeserializeError::new(format!(
            "integer {n} is out of range for {}",
            std::any::type_name::<T>()
        ))
    })
}

/// A JSON integer that fits an `i64`.
fn whole_number(v: Input<'_>) -> Result<i64, DeserializeError> {
    Ok(match v.kind {
        Kind::I64(n) => n,
        Kind::U64(n) => i64::try_from(n)
            .map_err(|_| DeserializeError::new(format!("expected an integer, found {n}")))?,
        Kind::F64(_) => {
            return Err(DeserializeError::new(format!(
                "expected an integer, found {}",
                v.number_text().unwrap_or_default()
            )));
        }
        _ => return Err(v.mismatch("an integer")),
    })
}

/// A double, also accepting `"NaN"`, `"Infinity"` and `"-Infinity"`.
pub fn double(v: Input<'_>) -> Result<f64, DeserializeError> {
    match v.kind {
        Kind::U64(n) => Ok(n as f64),
        Kind::I64(n) => Ok(n as f64),
        Kind::F64(f) => Ok(f),
        Kind::Str(s) => match s {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(DeserializeError::new(format!(
                "expected a number, found the string {s:?}"
            ))),
        },
        _ => Err(v.mismatch("a number")),
    }
}

/// A float (f32).
pub fn float(v: Input<'_>) -> Result<f32, DeserializeError> {
    double(v).map(|d| d as f32)
}

/// A timestamp: a number of epoch seconds, or a string in `format`.
pub fn timestamp(v: Input<'_>, format: TimestampFormat) -> Result<DateTime, DeserializeError> {
    if let Some(text) = v.number_text() {
        // The decimal text keeps the fraction exact (`1704164645.123` is not exact as an
        // f64); exponent forms fall back to the float.
        let as_f64 = match v.kind {
            Kind::U64(n) => n as f64,
            Kind::I64(n) => n as f64,
            Kind::F64(f) => f,
            _ => f64::NAN,
        };
        return DateTime::parse(&text, TimestampFormat::EpochSeconds)
            .ok()
            .or_else(|| as_f64.is_finite().then(|| DateTime::from_secs_f64(as_f64)))
            .ok_or_else(|| DeserializeError::new(format!("invalid epoch seconds {text}")));
    }
    match v.kind {
        Kind::Str(s) => {
            DateTime::parse(s, format).map_err(|e| DeserializeError::new(e.to_string()))
        }
        _ => Err(v.mismatch("a timestamp")),
    }
}

/// A base64-encoded blob.
pub fn blob(v: Input<'_>) -> Result<crate::types::Blob, DeserializeError> {
    match v.kind {
        Kind::Str(s) => crate::types::Blob::from_base64(s).map_err(DeserializeError::new),
        _ => Err(v.mismatch("a base64 string")),
    }
}

/// Collects the members of a union as they are read: exactly one must be set.
#[derive(Debug)]
pub struct UnionReader<'de, T> {
    name: &'static str,
    set: Vec<(Cow<'de, str>, T)>,
}

impl<'de, T> UnionReader<'de, T> {
    /// A reader of the union `name` (used in error messages).
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            set: Vec::new(),
        }
    }

    /// Records member `key`: `None` for `null`. A repeated key replaces the earlier value.
    pub fn member(&mut self, key: Cow<'de, str>, value: Option<T>) {
        self.set.retain(|(k, _)| *k != key);
        if let Some(value) = value {
            self.set.push((key, value));
        }
    }

    /// The one member set.
    pub fn finish(mut self) -> Result<T, DeserializeError> {
        match (self.set.pop(), self.set.is_empty()) {
            (Some((_, value)), true) => Ok(value),
            (Some(_), false) => Err(DeserializeError::new(format!(
                "more than one member of union {} is set",
                self.name
            ))),
            (None, _) => Err(DeserializeError::new(format!(
                "no member of union {} is set",
                self.name
            ))),
        }
    }
}
