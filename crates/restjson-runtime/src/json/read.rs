//! Reading response bodies straight from their bytes.
//!
//! The body is walked once by `serde_json`'s deserializer, without building a
//! [`serde_json::Value`] tree. The deserializer's visitor is type-erased here, once: the
//! generated readers are plain functions taking an [`Input`] (one JSON value), and nested
//! objects and arrays are read through [`ObjectReader`] and [`ArrayReader`] while the
//! deserializer stands on them. So the generic `serde_json` code is compiled once, in this
//! crate, not once per generated type.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::DeserializeError;
use crate::datetime::{DateTime, TimestampFormat};

/// Receives one value; what every reader ends up being called through.
type Sink<'s, 'de> = dyn FnMut(Input<'_, 'de>) -> Result<(), DeserializeError> + 's;

/// One JSON value of a response body, handed to a reader function.
///
/// Objects and arrays are not read yet: they are read through [`object()`] and [`array()`]
/// (or [`Input::into_object`] / [`Input::into_array`]) while this value is alive.
pub struct Input<'a, 'de> {
    kind: Kind<'a, 'de>,
}

enum Kind<'a, 'de> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(&'a str),
    Object(ObjectReader<'a, 'de>),
    Array(ArrayReader<'a, 'de>),
}

impl fmt::Debug for Input<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

impl<'a, 'de> Input<'a, 'de> {
    /// An empty object: what an empty body reads as, and the zero value of a structure.
    pub fn empty_object() -> Self {
        Self {
            kind: Kind::Object(ObjectReader { source: None }),
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::U64(_) | Kind::I64(_) | Kind::F64(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    fn mismatch(&self, expected: &str) -> DeserializeError {
        DeserializeError::new(format!("expected {expected}, found {}", self.type_name()))
    }

    /// The members of an object.
    pub fn into_object(self) -> Result<ObjectReader<'a, 'de>, DeserializeError> {
        match self.kind {
            Kind::Object(o) => Ok(o),
            _ => Err(self.mismatch("an object")),
        }
    }

    /// The elements of an array.
    pub fn into_array(self) -> Result<ArrayReader<'a, 'de>, DeserializeError> {
        match self.kind {
            Kind::Array(a) => Ok(a),
            _ => Err(self.mismatch("an array")),
        }
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

impl fmt::Debug for ObjectReader<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ObjectReader")
    }
}

impl fmt::Debug for ArrayReader<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ArrayReader")
    }
}

/// The members of a JSON object, read in body order.
pub struct ObjectReader<'a, 'de> {
    /// `None` for the empty object.
    source: Option<&'a mut dyn MapSource<'de>>,
}

impl<'de> ObjectReader<'_, 'de> {
    /// The next member's name, or `None` at the end. A member whose value was not read is
    /// skipped.
    pub fn next_key(&mut self) -> Result<Option<Cow<'de, str>>, DeserializeError> {
        match self.source.as_deref_mut() {
            Some(source) => source.key(),
            None => Ok(None),
        }
    }

    /// Reads the current member's value with `f`; `null` reads as `None` without calling `f`.
    pub fn read<T>(
        &mut self,
        f: impl FnOnce(Input<'_, 'de>) -> Result<T, DeserializeError>,
    ) -> Result<Option<T>, DeserializeError> {
        let mut f = Some(f);
        let mut out = None;
        self.read_any(&mut |input| {
            if !input.is_null()
                && let Some(f) = f.take()
            {
                out = Some(f(input)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads the current member as a string; `null` reads as `None`. The leaf readers below
    /// (`read_string` .. `read_blob`) read the value straight from the deserializer, without
    /// the reader-function round trip [`ObjectReader::read`] makes, and fail as the functions
    /// of the same name do.
    pub fn read_string(&mut self) -> Result<Option<String>, DeserializeError> {
        self.leaf(|s| s.string())
    }

    /// Reads the current member as a boolean; `null` reads as `None`.
    pub fn read_boolean(&mut self) -> Result<Option<bool>, DeserializeError> {
        self.leaf(|s| s.boolean())
    }

    /// Reads the current member as an integer that must fit `T`; `null` reads as `None`.
    pub fn read_integer<T: TryFrom<i64>>(&mut self) -> Result<Option<T>, DeserializeError> {
        self.leaf(|s| s.integer())?.map(narrow::<T>).transpose()
    }

    /// Reads the current member as a double; `null` reads as `None`.
    pub fn read_double(&mut self) -> Result<Option<f64>, DeserializeError> {
        self.leaf(|s| s.double())
    }

    /// Reads the current member as a float; `null` reads as `None`.
    pub fn read_float(&mut self) -> Result<Option<f32>, DeserializeError> {
        Ok(self.read_double()?.map(|d| d as f32))
    }

    /// Reads the current member as a timestamp in `format`; `null` reads as `None`.
    pub fn read_timestamp(
        &mut self,
        format: TimestampFormat,
    ) -> Result<Option<DateTime>, DeserializeError> {
        self.leaf(|s| s.timestamp(format))
    }

    /// Reads the current member as a base64-encoded blob; `null` reads as `None`.
    pub fn read_blob(&mut self) -> Result<Option<crate::types::Blob>, DeserializeError> {
        self.leaf(|s| s.blob())
    }

    fn leaf<T>(
        &mut self,
        read: impl FnOnce(&mut dyn MapSource<'de>) -> Result<Option<T>, DeserializeError>,
    ) -> Result<Option<T>, DeserializeError> {
        match self.source.as_deref_mut() {
            Some(source) => read(source),
            None => Ok(None),
        }
    }

    /// Reads the current member's value, `null` included.
    fn read_any(&mut self, sink: &mut Sink<'_, 'de>) -> Result<(), DeserializeError> {
        match self.source.as_deref_mut() {
            Some(source) => source.value(sink),
            None => Ok(()),
        }
    }

    /// Skips the current member's value; returns whether it was something else than `null`.
    pub fn skip(&mut self) -> Result<bool, DeserializeError> {
        match self.source.as_deref_mut() {
            Some(source) => source.skip(),
            None => Ok(false),
        }
    }
}

/// The elements of a JSON array, read in order.
pub struct ArrayReader<'a, 'de> {
    source: &'a mut dyn SeqSource<'de>,
}

impl<'de> ArrayReader<'_, 'de> {
    /// Reads the next element (`null` included) with `f`, or returns `None` at the end.
    pub fn next<T>(
        &mut self,
        f: impl FnOnce(Input<'_, 'de>) -> Result<T, DeserializeError>,
    ) -> Result<Option<T>, DeserializeError> {
        let mut f = Some(f);
        let mut out = None;
        self.source.next(&mut |input| {
            if let Some(f) = f.take() {
                out = Some(f(input)?);
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// An object the deserializer stands on, type-erased.
trait MapSource<'de> {
    fn key(&mut self) -> Result<Option<Cow<'de, str>>, DeserializeError>;
    fn value(&mut self, sink: &mut Sink<'_, 'de>) -> Result<(), DeserializeError>;
    fn skip(&mut self) -> Result<bool, DeserializeError>;
    // The current member's value as a leaf (`None` for `null`), one call each.
    fn string(&mut self) -> Result<Option<String>, DeserializeError>;
    fn boolean(&mut self) -> Result<Option<bool>, DeserializeError>;
    fn integer(&mut self) -> Result<Option<i64>, DeserializeError>;
    fn double(&mut self) -> Result<Option<f64>, DeserializeError>;
    fn timestamp(&mut self, format: TimestampFormat) -> Result<Option<DateTime>, DeserializeError>;
    fn blob(&mut self) -> Result<Option<crate::types::Blob>, DeserializeError>;
}

/// An array the deserializer stands on, type-erased.
trait SeqSource<'de> {
    fn next(&mut self, sink: &mut Sink<'_, 'de>) -> Result<bool, DeserializeError>;
    /// The next element as a string (`Some(None)` for `null`), or `None` at the end.
    fn string(&mut self) -> Result<Option<Option<String>>, DeserializeError>;
}

/// A `serde_json` error met inside a value; the whole body is re-checked when this reaches
/// the top, so the message only matters if that check passes.
pub(super) fn syntax(e: impl fmt::Display) -> DeserializeError {
    DeserializeError::new(format!("invalid JSON body: {e}"))
}

struct Map<A> {
    access: A,
    /// A key was returned whose value was not read yet.
    pending: bool,
}

impl<'de, A: MapAccess<'de>> Map<A> {
    fn skip_pending(&mut self) -> Result<(), A::Error> {
        if std::mem::take(&mut self.pending) {
            self.access.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    /// Reads the pending value with the leaf reader `f`.
    fn leaf<T>(
        &mut self,
        f: impl FnOnce(Input<'_, 'de>) -> Result<T, DeserializeError>,
    ) -> Result<Option<T>, DeserializeError> {
        if !std::mem::take(&mut self.pending) {
            return Ok(None);
        }
        self.access.next_value_seed(LeafSeed(f)).map_err(syntax)?
    }

    /// Skips what the reader left unread, so the deserializer can close the object.
    fn drain(&mut self) -> Result<(), A::Error> {
        self.skip_pending()?;
        while self.access.next_key::<IgnoredAny>()?.is_some() {
            self.access.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

impl<'de, A: MapAccess<'de>> MapSource<'de> for Map<A> {
    fn key(&mut self) -> Result<Option<Cow<'de, str>>, DeserializeError> {
        self.skip_pending().map_err(syntax)?;
        let key = self.access.next_key_seed(KeySeed).map_err(syntax)?;
        self.pending = key.is_some();
        Ok(key)
    }

    fn value(&mut self, sink: &mut Sink<'_, 'de>) -> Result<(), DeserializeError> {
        if !std::mem::take(&mut self.pending) {
            return Ok(());
        }
        let mut failed = None;
        self.access
            .next_value_seed(ValueSeed {
                sink,
                failed: &mut failed,
            })
            .map_err(|e| failed.unwrap_or_else(|| syntax(e)))
    }

    fn skip(&mut self) -> Result<bool, DeserializeError> {
        if !std::mem::take(&mut self.pending) {
            return Ok(false);
        }
        self.access.next_value_seed(SkipSeed).map_err(syntax)
    }

    fn string(&mut self) -> Result<Option<String>, DeserializeError> {
        self.leaf(string)
    }

    fn boolean(&mut self) -> Result<Option<bool>, DeserializeError> {
        self.leaf(boolean)
    }

    fn integer(&mut self) -> Result<Option<i64>, DeserializeError> {
        self.leaf(whole_number)
    }

    fn double(&mut self) -> Result<Option<f64>, DeserializeError> {
        self.leaf(double)
    }

    fn timestamp(&mut self, format: TimestampFormat) -> Result<Option<DateTime>, DeserializeError> {
        self.leaf(|v| timestamp(v, format))
    }

    fn blob(&mut self) -> Result<Option<crate::types::Blob>, DeserializeError> {
        self.leaf(blob)
    }
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

/// The elements of an array a leaf reader was given (it refuses arrays without reading them).
struct NoElements;

impl<'de> SeqSource<'de> for NoElements {
    fn next(&mut self, _: &mut Sink<'_, 'de>) -> Result<bool, DeserializeError> {
        Ok(false)
    }

    fn string(&mut self) -> Result<Option<Option<String>>, DeserializeError> {
        Ok(None)
    }
}

impl<'de, T, F: FnOnce(Input<'_, 'de>) -> Result<T, DeserializeError>> DeserializeSeed<'de>
    for LeafSeed<F>
{
    type Value = Result<Option<T>, DeserializeError>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<F> LeafSeed<F> {
    fn deliver<'de, T>(self, kind: Kind<'_, 'de>) -> Result<Option<T>, DeserializeError>
    where
        F: FnOnce(Input<'_, 'de>) -> Result<T, DeserializeError>,
    {
        (self.0)(Input { kind }).map(Some)
    }
}

impl<'de, T, F: FnOnce(Input<'_, 'de>) -> Result<T, DeserializeError>> Visitor<'de>
    for LeafSeed<F>
{
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
        Ok(self.deliver(Kind::Object(ObjectReader { source: None })))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        while access.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.deliver(Kind::Array(ArrayReader {
            source: &mut NoElements,
        })))
    }
}

struct Seq<A> {
    access: A,
}

impl<'de, A: SeqAccess<'de>> SeqSource<'de> for Seq<A> {
    fn next(&mut self, sink: &mut Sink<'_, 'de>) -> Result<bool, DeserializeError> {
        let mut failed = None;
        match self.access.next_element_seed(ValueSeed {
            sink,
            failed: &mut failed,
        }) {
            Ok(found) => Ok(found.is_some()),
            Err(e) => Err(failed.unwrap_or_else(|| syntax(e))),
        }
    }

    fn string(&mut self) -> Result<Option<Option<String>>, DeserializeError> {
        self.access
            .next_element_seed(LeafSeed(string))
            .map_err(syntax)?
            .transpose()
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

/// Hands one value to a sink; a reader's error is kept in `failed` while a placeholder
/// travels through `serde_json`.
struct ValueSeed<'s, 'k, 'de> {
    sink: &'s mut Sink<'k, 'de>,
    failed: &'s mut Option<DeserializeError>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> ValueSeed<'_, '_, 'de> {
    fn deliver<E: de::Error>(self, kind: Kind<'_, 'de>) -> Result<(), E> {
        (self.sink)(Input { kind }).map_err(|e| {
            *self.failed = Some(e);
            E::custom("")
        })
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.deliver(Kind::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.deliver(Kind::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.deliver(Kind::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.deliver(Kind::F64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.deliver(Kind::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.deliver(Kind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.deliver(Kind::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<(), A::Error> {
        let mut map = Map {
            access,
            pending: false,
        };
        self.deliver::<A::Error>(Kind::Object(ObjectReader {
            source: Some(&mut map),
        }))?;
        map.drain()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, access: A) -> Result<(), A::Error> {
        let mut seq = Seq { access };
        self.deliver::<A::Error>(Kind::Array(ArrayReader { source: &mut seq }))?;
        while seq.access.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Reads a response body with `f`; an empty (or all-whitespace) body is an empty object.
pub fn read_body<T>(
    body: &[u8],
    f: impl FnOnce(Input<'_, '_>) -> Result<T, DeserializeError>,
) -> Result<T, DeserializeError> {
    let mut f = Some(f);
    let mut out = None;
    read_body_with(body, &mut |input| {
        if let Some(f) = f.take() {
            out = Some(f(input)?);
        }
        Ok(())
    })?;
    out.ok_or_else(|| DeserializeError::new("the body was not read"))
}

fn read_body_with<'de>(body: &'de [u8], sink: &mut Sink<'_, 'de>) -> Result<(), DeserializeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return sink(Input::empty_object());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut failed = None;
    let result = ValueSeed {
        sink,
        failed: &mut failed,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            // A body that is not JSON is reported as such, whatever the reader met first.
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(body) {
                return Err(syntax(e));
            }
            Err(failed.unwrap_or_else(|| syntax(e)))
        }
    }
}

/// The members of an object.
pub fn object<'a, 'de>(v: Input<'a, 'de>) -> Result<ObjectReader<'a, 'de>, DeserializeError> {
    v.into_object()
}

/// The elements of an array.
pub fn array<'a, 'de>(v: Input<'a, 'de>) -> Result<ArrayReader<'a, 'de>, DeserializeError> {
    v.into_array()
}

/// A string.
pub fn string(v: Input<'_, '_>) -> Result<String, DeserializeError> {
    match v.kind {
        Kind::Str(s) => Ok(s.to_owned()),
        _ => Err(v.mismatch("a string")),
    }
}

/// A boolean.
pub fn boolean(v: Input<'_, '_>) -> Result<bool, DeserializeError> {
    match v.kind {
        Kind::Bool(b) => Ok(b),
        _ => Err(v.mismatch("a boolean")),
    }
}

/// An integer that must fit `T` (byte, short, integer, long).
pub fn integer<T: TryFrom<i64>>(v: Input<'_, '_>) -> Result<T, DeserializeError> {
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
fn whole_number(v: Input<'_, '_>) -> Result<i64, DeserializeError> {
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
pub fn double(v: Input<'_, '_>) -> Result<f64, DeserializeError> {
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
pub fn float(v: Input<'_, '_>) -> Result<f32, DeserializeError> {
    double(v).map(|d| d as f32)
}

/// A timestamp: a number of epoch seconds, or a string in `format`.
pub fn timestamp(v: Input<'_, '_>, format: TimestampFormat) -> Result<DateTime, DeserializeError> {
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
pub fn blob(v: Input<'_, '_>) -> Result<crate::types::Blob, DeserializeError> {
    match v.kind {
        Kind::Str(s) => crate::types::Blob::from_base64(s).map_err(DeserializeError::new),
        _ => Err(v.mismatch("a base64 string")),
    }
}

/// A document (any JSON value).
pub fn document(v: Input<'_, '_>) -> Result<crate::types::Document, DeserializeError> {
    use crate::types::{Document, Number};
    Ok(match v.kind {
        Kind::Null => Document::Null,
        Kind::Bool(b) => Document::Bool(b),
        Kind::U64(n) => Document::Number(Number::PosInt(n)),
        Kind::I64(n) => Document::Number(match u64::try_from(n) {
            Ok(n) => Number::PosInt(n),
            Err(_) => Number::NegInt(n),
        }),
        Kind::F64(f) => Document::Number(Number::Float(f)),
        Kind::Str(s) => Document::String(s.to_owned()),
        Kind::Array(mut a) => {
            let mut items = Vec::new();
            while let Some(item) = a.next(document)? {
                items.push(item);
            }
            Document::Array(items)
        }
        Kind::Object(mut o) => {
            let mut members = BTreeMap::new();
            while let Some(key) = o.next_key()? {
                let mut value = Document::Null;
                o.read_any(&mut |input| {
                    value = document(input)?;
                    Ok(())
                })?;
                members.insert(key.into_owned(), value);
            }
            Document::Object(members)
        }
    })
}

/// A dense list: `null` elements are skipped.
pub fn list<T>(
    v: Input<'_, '_>,
    mut f: impl FnMut(Input<'_, '_>) -> Result<T, DeserializeError>,
) -> Result<Vec<T>, DeserializeError> {
    let mut items = array(v)?;
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(item) = items
        .next(|item| {
            if item.is_null() {
                Ok(None)
            } else {
                f(item).map(Some)
            }
        })
        .map_err(|e| e.at(format_args!("[{i}]")))?
    {
        out.extend(item);
        i += 1;
    }
    Ok(out)
}

/// A dense list of strings: [`list`] with [`string`], each element read straight from the
/// deserializer.
pub fn string_list(v: Input<'_, '_>) -> Result<Vec<String>, DeserializeError> {
    let items = array(v)?;
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(item) = items
        .source
        .string()
        .map_err(|e| e.at(format_args!("[{i}]")))?
    {
        out.extend(item);
        i += 1;
    }
    Ok(out)
}

/// A dense map of strings: [`map`] with [`string`], each value read straight from the
/// deserializer.
pub fn string_map(v: Input<'_, '_>) -> Result<BTreeMap<String, String>, DeserializeError> {
    let mut entries = object(v)?;
    let mut out = BTreeMap::new();
    while let Some(key) = entries.next_key()? {
        match entries.read_string().map_err(|e| e.at(&key))? {
            Some(value) => {
                out.insert(key.into_owned(), value);
            }
            // A later `null` for the same key wins, as it would in a parsed object.
            None => {
                out.remove(&*key);
            }
        }
    }
    Ok(out)
}

/// A sparse list: `null` elements are kept as `None`.
pub fn sparse_list<T>(
    v: Input<'_, '_>,
    mut f: impl FnMut(Input<'_, '_>) -> Result<T, DeserializeError>,
) -> Result<Vec<Option<T>>, DeserializeError> {
    let mut items = array(v)?;
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(item) = items
        .next(|item| {
            if item.is_null() {
                Ok(None)
            } else {
                f(item).map(Some)
            }
        })
        .map_err(|e| e.at(format_args!("[{i}]")))?
    {
        out.push(item);
        i += 1;
    }
    Ok(out)
}

/// A dense map: entries with `null` values are skipped.
pub fn map<T>(
    v: Input<'_, '_>,
    mut f: impl FnMut(Input<'_, '_>) -> Result<T, DeserializeError>,
) -> Result<BTreeMap<String, T>, DeserializeError> {
    let mut entries = object(v)?;
    let mut out = BTreeMap::new();
    while let Some(key) = entries.next_key()? {
        match entries.read(&mut f).map_err(|e| e.at(&key))? {
            Some(value) => {
                out.insert(key.into_owned(), value);
            }
            // A later `null` for the same key wins, as it would in a parsed object.
            None => {
                out.remove(&*key);
            }
        }
    }
    Ok(out)
}

/// A sparse map: `null` values are kept as `None`.
pub fn sparse_map<T>(
    v: Input<'_, '_>,
    mut f: impl FnMut(Input<'_, '_>) -> Result<T, DeserializeError>,
) -> Result<BTreeMap<String, Option<T>>, DeserializeError> {
    let mut entries = object(v)?;
    let mut out = BTreeMap::new();
    while let Some(key) = entries.next_key()? {
        let value = entries.read(&mut f).map_err(|e| e.at(&key))?;
        out.insert(key.into_owned(), value);
    }
    Ok(out)
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
