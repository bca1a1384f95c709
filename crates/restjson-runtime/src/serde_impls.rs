//! `serde` support for the runtime's value types (feature `serde`).
//!
//! This form is for users' own storage and messaging; it is independent of the wire protocol:
//! - [`DateTime`]: an RFC 3339 string with up to nanosecond precision
//!   (`"2024-01-02T03:04:05.123456789Z"`); instants outside years 0001-9999 become a number of
//!   epoch seconds. Deserializes from either form.
//! - [`Blob`]: a base64 string.
//! - [`Document`]: the JSON value it holds.
//! - [`UnknownVariantValue`]: the string as received.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::datetime::{DateTime, TimestampFormat};
use crate::types::{Blob, Document, Number, UnknownVariantValue};

/// RFC 3339 with every significant fractional digit (the wire formatter stops at milliseconds
/// for some values; serde forms must round-trip exactly).
fn rfc3339(value: &DateTime) -> Option<String> {
    let whole = DateTime::from_secs(value.secs())
        .format(TimestampFormat::DateTime)
        .ok()?;
    let base = whole.strip_suffix('Z')?;
    let year: i64 = base.get(..4)?.parse().ok()?;
    if base.len() != 19 || !(1..=9999).contains(&year) {
        return None;
    }
    let nanos = value.subsec_nanos();
    if nanos == 0 {
        return Some(format!("{base}Z"));
    }
    let fraction = format!("{nanos:09}");
    Some(format!("{base}.{}Z", fraction.trim_end_matches('0')))
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match rfc3339(self) {
            Some(text) => serializer.serialize_str(&text),
            None if self.subsec_nanos() == 0 => serializer.serialize_i64(self.secs()),
            None => serializer.serialize_f64(self.as_secs_f64()),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string or a number of epoch seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse(v, TimestampFormat::DateTime).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateTime, E> {
                Ok(DateTime::from_secs(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateTime, E> {
                i64::try_from(v)
                    .map(DateTime::from_secs)
                    .map_err(|_| E::custom("epoch seconds out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DateTime, E> {
                if v.is_finite() {
                    Ok(DateTime::from_secs_f64(v))
                } else {
                    Err(E::custom("epoch seconds must be finite"))
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Blob::from_base64(&text).map_err(de::Error::custom)
    }
}

impl Serialize for UnknownVariantValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UnknownVariantValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| UnknownVariantValue::new(&s))
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Document::Null => serializer.serialize_unit(),
            Document::Bool(b) => serializer.serialize_bool(*b),
            Document::Number(Number::PosInt(n)) => serializer.serialize_u64(*n),
            Document::Number(Number::NegInt(n)) => serializer.serialize_i64(*n),
            Document::Number(Number::Float(n)) => serializer.serialize_f64(*n),
            Document::String(s) => serializer.serialize_str(s),
            Document::Array(items) => serializer.collect_seq(items),
            Document::Object(map) => serializer.collect_map(map),
        }
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
                Ok(Document::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Document, E> {
                Ok(Document::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Document, D2::Error> {
                Document::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Document, E> {
                Ok(Document::Bool(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Document, E> {
                Ok(Document::Number(Number::PosInt(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Document, E> {
                Ok(Document::Number(if v < 0 {
                    Number::NegInt(v)
                } else {
                    Number::PosInt(v as u64)
                }))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Document, E> {
                Ok(Document::Number(Number::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Document, E> {
                Ok(Document::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Document, E> {
                Ok(Document::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Document::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, Document>()? {
                    out.insert(k, v);
                }
                Ok(Document::Object(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + fmt::Debug>(
        value: T,
        json: &str,
    ) {
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(text, json);
        assert_eq!(serde_json::from_str::<T>(&text).unwrap(), value);
    }

    #[test]
    fn value_types_round_trip() {
        round_trip(
            DateTime::from_secs_and_nanos(1_704_164_645, 123_456_789),
            "\"2024-01-02T03:04:05.123456789Z\"",
        );
        round_trip(
            DateTime::from_secs_and_nanos(1_704_164_645, 120_000_000),
            "\"2024-01-02T03:04:05.12Z\"",
        );
        round_trip(DateTime::from_secs(0), "\"1970-01-01T00:00:00Z\"");
        round_trip(DateTime::from_secs(-62_135_596_801), "-62135596801");
        round_trip(Blob::new(b"hi\0".to_vec()), "\"aGkA\"");
        round_trip(UnknownVariantValue::new("NEW"), "\"NEW\"");
        round_trip(
            Document::from_json_str(r#"{"a":[1,-2,2.5,null,true,"s"],"b":{}}"#).unwrap(),
            r#"{"a":[1,-2,2.5,null,true,"s"],"b":{}}"#,
        );
    }

    #[test]
    fn timestamps_also_read_epoch_seconds() {
        assert_eq!(
            serde_json::from_str::<DateTime>("1.5").unwrap(),
            DateTime::from_millis(1500)
        );
        let err = serde_json::from_str::<DateTime>("\"soon\"").unwrap_err();
        assert!(err.to_string().contains("\"soon\""), "{err}");
    }
}
