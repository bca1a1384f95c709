//! Reading response bodies with a reader per shape.
//!
//! Generated code implements [`ReadObject`] once per structure and union: a loop over the
//! object's members ([`members`]) matching each name, borrowed from the body, and reading the
//! value with a seed of its type ([`leaf`], [`ListSeed`], [`ObjectSeed`], ...). Everything is
//! monomorphic over the `serde_json` deserializer [`read_body`] runs, so each reader is one
//! function with its member loop, name match and leaf seeds inlined, as serde's derive has it.
//!
//! Every seed reads one value as a [`Read<T>`]: `Ok(None)` for `null`, `Err` for a value of
//! the wrong kind. That error travels as a *value* through `serde_json` (the rest of the
//! enclosing objects and arrays is skipped on the way out), so `serde_json`'s own errors are
//! only syntax errors, and the path of the offending value is added level by level. The depth
//! of what is read is bounded by `serde_json`'s recursion limit (128 nested arrays and
//! objects); skipped values are scanned by `serde_json` without recursion.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

pub use serde::de::MapAccess;
use serde::de::{self, DeserializeSeed, IgnoredAny, SeqAccess, Visitor};

use super::DeserializeError;
use super::read::{Input, KeySeed, LeafSeed, SkipSeed, syntax};
use crate::datetime::{DateTime, TimestampFormat};
use crate::types::{Document, Number};

/// One value as a seed reads it: `Ok(None)` for `null`, `Err` for a value of the wrong kind.
pub type Read<T> = Result<Option<T>, DeserializeError>;

/// What reading an object's members makes: `serde_json`'s error outside, the reader's inside.
pub type Outcome<T, E> = Result<Result<T, DeserializeError>, E>;

/// The reader of one structure or union: its members, one by one, from `map`.
pub trait ReadObject<'de> {
    /// What is read.
    type Value;

    /// Reads every member of the object `map` stands on (see [`members`]); the value is
    /// always `Some` (the seeds' type, so that it is returned without a copy).
    fn read<A: MapAccess<'de>>(map: A) -> Result<Read<Self::Value>, A::Error>;
}

/// Calls `member` with each member name of `map`; `member` must read (or [`skip`]) the value.
/// A reader's error gets the member's name in its path, and the rest of the object is skipped.
pub fn members<'de, A: MapAccess<'de>, F>(map: &mut A, mut member: F) -> Outcome<(), A::Error>
where
    F: FnMut(&Cow<'de, str>, &mut A) -> Outcome<(), A::Error>,
{
    while let Some(key) = map.next_key_seed(KeySeed)? {
        if let Err(e) = member(&key, map)? {
            return member_failed(map, e, &key);
        }
    }
    Ok(Ok(()))
}

/// The end of [`members`] after a reader's error: one function per map type, not per reader.
#[cold]
#[inline(never)]
fn member_failed<'de, A: MapAccess<'de>>(
    map: &mut A,
    e: DeserializeError,
    key: &str,
) -> Outcome<(), A::Error> {
    drain_map(map)?;
    Ok(Err(e.at(key)))
}

/// Skips the value of the current member (an unknown one).
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Outcome<(), A::Error> {
    map.next_value::<IgnoredAny>()?;
    Ok(Ok(()))
}

/// Skips the value of the current member; tells whether it was something else than `null`.
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<bool, A::Error> {
    map.next_value_seed(SkipSeed)
}

/// Runs `f`: lets a reader build its value with `?` on [`DeserializeError`]s.
pub fn build<T>(f: impl FnOnce() -> Result<T, DeserializeError>) -> Result<T, DeserializeError> {
    f()
}

fn drain_map<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_key::<IgnoredAny>()?.is_some() {
        map.next_value::<IgnoredAny>()?;
    }
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(seq: &mut A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn mismatch(expected: &str, found: &str) -> DeserializeError {
    DeserializeError::new(format!("expected {expected}, found {found}"))
}

/// Answers every kind of value but `null`, objects and arrays with "expected `$expected`,
/// found ...", as a reader's error (`but_strings`: strings are the reader's own).
macro_rules! refuse_scalars {
    ($expected:expr) => {
        refuse_scalars!($expected, but_strings);

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Err(mismatch($expected, "a string")))
        }
    };
    ($expected:expr, but_strings) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Err(mismatch($expected, "a boolean")))
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Err(mismatch($expected, "a number")))
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Err(mismatch($expected, "a number")))
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Err(mismatch($expected, "a number")))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Ok(None))
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Ok(None))
        }
    };
}

/// Reads a leaf with a reader function (`string`, `integer::<i32>`, ...).
pub fn leaf<F>(f: F) -> LeafSeed<F> {
    LeafSeed(f)
}

/// Reads a string: [`leaf`] of `string`, without the reader-function round trip (strings are
/// most of what responses carry).
#[derive(Clone, Copy, Debug)]
pub struct StringSeed;

impl<'de> DeserializeSeed<'de> for StringSeed {
    type Value = Read<String>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StringSeed {
    type Value = Read<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Ok(Some(v.to_owned())))
    }

    refuse_scalars!("a string", but_strings);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(&mut seq)?;
        Ok(Err(mismatch("a string", "an array")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        drain_map(&mut map)?;
        Ok(Err(mismatch("a string", "an object")))
    }
}

/// Reads a timestamp in `format` (or epoch seconds as a number).
pub fn timestamp_seed(format: TimestampFormat) -> TimestampSeed {
    TimestampSeed(format)
}

/// See [`timestamp_seed`]: [`leaf`] of `timestamp`, with strings parsed straight away.
#[derive(Clone, Copy, Debug)]
pub struct TimestampSeed(TimestampFormat);

impl TimestampSeed {
    fn leaf(self) -> LeafSeed<impl Fn(Input<'_>) -> Result<DateTime, DeserializeError>> {
        let format = self.0;
        LeafSeed(move |v: Input<'_>| super::read::timestamp(v, format))
    }
}

impl<'de> DeserializeSeed<'de> for TimestampSeed {
    type Value = Read<DateTime>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TimestampSeed {
    type Value = Read<DateTime>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(DateTime::parse(v, self.0)
            .map(Some)
            .map_err(|e| DeserializeError::new(e.to_string())))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.leaf().visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.leaf().visit_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.leaf().visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.leaf().visit_f64(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.leaf().visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.leaf().visit_map(map)
    }
}

/// Reads with `seed` and converts what it read with `f` (an enum from its string).
pub fn mapped<S, F>(seed: S, f: F) -> MappedSeed<S, F> {
    MappedSeed(seed, f)
}

/// See [`mapped`].
#[derive(Clone, Copy, Debug)]
pub struct MappedSeed<S, F>(S, F);

impl<'de, T, U, S, F> DeserializeSeed<'de> for MappedSeed<S, F>
where
    S: DeserializeSeed<'de, Value = Read<T>>,
    F: FnOnce(T) -> U,
{
    type Value = Read<U>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let f = self.1;
        Ok(self.0.deserialize(d)?.map(|v| v.map(f)))
    }
}

/// Reads an object with the reader `R`.
pub fn object_seed<R>() -> ObjectSeed<R> {
    ObjectSeed(PhantomData)
}

/// See [`object_seed`].
pub struct ObjectSeed<R>(PhantomData<fn() -> R>);

impl<R> Clone for ObjectSeed<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for ObjectSeed<R> {}

impl<R> fmt::Debug for ObjectSeed<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ObjectSeed")
    }
}

impl<'de, R: ReadObject<'de>> DeserializeSeed<'de> for ObjectSeed<R> {
    type Value = Read<R::Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: ReadObject<'de>> Visitor<'de> for ObjectSeed<R> {
    type Value = Read<R::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    refuse_scalars!("an object");

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(&mut seq)?;
        Ok(Err(mismatch("an object", "an array")))
    }

    // Each reader stays one function, called wherever its shape appears, rather than being
    // inlined into every reader containing it: the compile time stays near linear in the
    // model's size.
    #[inline(never)]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        R::read(map)
    }
}

/// The reader of a unit (an object whose members are all skipped).
#[derive(Debug)]
pub enum ReadUnit {}

impl<'de> ReadObject<'de> for ReadUnit {
    type Value = ();

    fn read<A: MapAccess<'de>>(mut map: A) -> Result<Read<()>, A::Error> {
        drain_map(&mut map)?;
        Ok(Ok(Some(())))
    }
}

/// A dense list: `null` elements are skipped.
#[derive(Clone, Copy, Debug)]
pub struct ListSeed<S>(pub S);

/// A sparse list: `null` elements are kept as `None`.
#[derive(Clone, Copy, Debug)]
pub struct SparseListSeed<S>(pub S);

/// A dense map: entries with `null` values are skipped (a later `null` removes the key).
#[derive(Clone, Copy, Debug)]
pub struct MapSeed<S>(pub S);

/// A sparse map: `null` values are kept as `None`.
#[derive(Clone, Copy, Debug)]
pub struct SparseMapSeed<S>(pub S);

/// The collection seeds: `$seed<S>` reads `$value` from an array (`visit_seq`) or an object
/// (`visit_map`), with `$body` given the element seed and the access.
macro_rules! collection_seed {
    ($seed:ident, $value:ty, $expected:literal, $visit:ident, $access:ident,
     |$s:ident, $a:ident| $body:expr) => {
        impl<'de, T, S> DeserializeSeed<'de> for $seed<S>
        where
            S: DeserializeSeed<'de, Value = Read<T>> + Copy,
        {
            type Value = Read<$value>;

            fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }

        impl<'de, T, S> Visitor<'de> for $seed<S>
        where
            S: DeserializeSeed<'de, Value = Read<T>> + Copy,
        {
            type Value = Read<$value>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($expected)
            }

            refuse_scalars!($expected);

            collection_seed!(@other $visit);

            fn $visit<A: $access<'de>>(self, $a: A) -> Result<Self::Value, A::Error> {
                let $s = self.0;
                $body
            }
        }
    };
    (@other visit_seq) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            drain_map(&mut map)?;
            Ok(Err(mismatch("an array", "an object")))
        }
    };
    (@other visit_map) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(&mut seq)?;
            Ok(Err(mismatch("an object", "an array")))
        }
    };
}

collection_seed!(
    ListSeed,
    Vec<T>,
    "an array",
    visit_seq,
    SeqAccess,
    |seed, seq| read_seq(seed, seq, |out: &mut Vec<T>, item| out.extend(item))
);

collection_seed!(
    SparseListSeed,
    Vec<Option<T>>,
    "an array",
    visit_seq,
    SeqAccess,
    |seed, seq| read_seq(seed, seq, Vec::push)
);

collection_seed!(
    MapSeed,
    BTreeMap<String, T>,
    "an object",
    visit_map,
    MapAccess,
    |seed, map| read_map(seed, map, |out: &mut BTreeMap<String, T>, key: Cow<'de, str>, v| {
        match v {
            Some(v) => {
                out.insert(key.into_owned(), v);
            }
            None => {
                out.remove(&*key);
            }
        }
    })
);

collection_seed!(
    SparseMapSeed,
    BTreeMap<String, Option<T>>,
    "an object",
    visit_map,
    MapAccess,
    |seed, map| read_map(seed, map, |out: &mut BTreeMap<String, Option<T>>, key: Cow<'de, str>, v| {
        out.insert(key.into_owned(), v);
    })
);

/// Reads every element of `seq` with `seed`, handing each (`None` for `null`) to `add`; an
/// element's error gets its index in the path.
fn read_seq<'de, T, C: Default, S, A>(
    seed: S,
    mut seq: A,
    mut add: impl FnMut(&mut C, Option<T>),
) -> Result<Read<C>, A::Error>
where
    S: DeserializeSeed<'de, Value = Read<T>> + Copy,
    A: SeqAccess<'de>,
{
    let mut out = C::default();
    let mut i = 0usize;
    while let Some(item) = seq.next_element_seed(seed)? {
        match item {
            Ok(item) => add(&mut out, item),
            Err(e) => {
                drain_seq(&mut seq)?;
                return Ok(Err(e.at(format_args!("[{i}]"))));
            }
        }
        i += 1;
    }
    Ok(Ok(Some(out)))
}

/// Reads every entry of `map` with `seed`, handing each (`None` for `null`) to `add`; a
/// value's error gets its key in the path.
fn read_map<'de, T, C: Default, S, A>(
    seed: S,
    mut map: A,
    mut add: impl FnMut(&mut C, Cow<'de, str>, Option<T>),
) -> Result<Read<C>, A::Error>
where
    S: DeserializeSeed<'de, Value = Read<T>> + Copy,
    A: MapAccess<'de>,
{
    let mut out = C::default();
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match map.next_value_seed(seed)? {
            Ok(value) => add(&mut out, key, value),
            Err(e) => {
                drain_map(&mut map)?;
                return Ok(Err(e.at(&*key)));
            }
        }
    }
    Ok(Ok(Some(out)))
}

/// Reads a document (any JSON value); `null` reads as `None` here, as `Document::Null`
/// inside a document.
#[derive(Clone, Copy, Debug)]
pub struct DocumentSeed;

impl<'de> DeserializeSeed<'de> for DocumentSeed {
    type Value = Read<Document>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(Ok(match d.deserialize_any(DocumentVisitor)? {
            Document::Null => None,
            doc => Some(doc),
        }))
    }
}

struct DocumentVisitor;

impl<'de> DeserializeSeed<'de> for DocumentVisitor {
    type Value = Document;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Document, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Document, E> {
        Ok(Document::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Document, E> {
        Ok(Document::Number(match u64::try_from(v) {
            Ok(n) => Number::PosInt(n),
            Err(_) => Number::NegInt(v),
        }))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Document, E> {
        Ok(Document::Number(Number::PosInt(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Document, E> {
        Ok(Document::Number(Number::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Document, E> {
        Ok(Document::String(v.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(DocumentVisitor)? {
            items.push(item);
        }
        Ok(Document::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut members = BTreeMap::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(DocumentVisitor)?;
            members.insert(key.into_owned(), value);
        }
        Ok(Document::Object(members))
    }
}

/// Reads a response body with `seed`; an empty (or all-whitespace) body is an empty object.
/// A body that is not JSON is reported as such, whatever the reader met first.
pub fn read_body<'de, T, S>(body: &'de [u8], seed: S) -> Result<Option<T>, DeserializeError>
where
    S: DeserializeSeed<'de, Value = Read<T>>,
{
    let body = body_or_empty_object(body);
    let mut de = serde_json::Deserializer::from_slice(body);
    match seed
        .deserialize(&mut de)
        .and_then(|read| de.end().map(|()| read))
    {
        Ok(read) => read,
        Err(e) => Err(not_read(body, e)),
    }
}

fn body_or_empty_object(body: &[u8]) -> &[u8] {
    if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    }
}

/// The error of a body `serde_json` could not read: its syntax error if it is not JSON at all,
/// whatever the reader met first (shared by every reader, out of their way).
#[cold]
#[inline(never)]
fn not_read(body: &[u8], e: serde_json::Error) -> DeserializeError {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => syntax(e),
        Ok(_) => syntax(e),
    }
}

/// Reads a response body that must be an object with the reader `R` (`null` is refused).
pub fn read_object_body<'de, R: ReadObject<'de>>(
    body: &'de [u8],
) -> Result<R::Value, DeserializeError> {
    let mut value = None;
    read_object_with(body, &mut |de| {
        de::Deserializer::deserialize_map(de, object_seed::<R>())
            .map(|read| read.map(|v| value = v))
    })?;
    value.ok_or_else(|| mismatch("an object", "null"))
}

/// What [`read_object_body`] does around the reader, compiled once rather than per reader.
fn read_object_with<'de>(
    body: &'de [u8],
    read: &mut dyn FnMut(&mut BodyDeserializer<'de>) -> Outcome<(), serde_json::Error>,
) -> Result<(), DeserializeError> {
    let body = body_or_empty_object(body);
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let mut de = serde_json::Deserializer::from_slice(body);
        match read(&mut de).and_then(|read| de.end().map(|()| read)) {
            Ok(read) => read,
            Err(e) => Err(not_read(body, e)),
        }
    } else {
        // Not an object: what any object reader says of it (`null` leaves the value unset).
        not_an_object(body).map(|_| ())
    }
}

/// The deserializer of a response body.
type BodyDeserializer<'de> = serde_json::Deserializer<serde_json::de::SliceRead<'de>>;

/// The error (or `None` for `null`) of reading `body`, which is not an object, as one.
#[cold]
#[inline(never)]
fn not_an_object(body: &[u8]) -> Read<()> {
    read_body(body, object_seed::<ReadUnit>()).map(|_| None)
}

/// Reads a response body that must not be `null` with `seed`.
pub fn read_value_body<'de, T, S>(body: &'de [u8], seed: S) -> Result<T, DeserializeError>
where
    S: DeserializeSeed<'de, Value = Read<T>>,
{
    read_body(body, seed)?.ok_or_else(|| mismatch("a value", "null"))
}
