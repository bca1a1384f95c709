//! Value types of generated clients: blobs, documents and unknown enum values.

use std::collections::BTreeMap;
use std::fmt;

/// Binary data (Smithy `blob`), sent as base64 in JSON.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// Decodes base64 text.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        aws_smithy_types::base64::decode(text)
            .map(Self)
            .map_err(|e| format!("invalid base64: {e}"))
    }

    /// The bytes as base64 text.
    pub fn to_base64(&self) -> String {
        aws_smithy_types::base64::encode(&self.0)
    }

    /// The bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl From<&[u8]> for Blob {
    fn from(v: &[u8]) -> Self {
        Self(v.to_vec())
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

/// An untyped JSON-like value (Smithy `document`).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Document {
    /// `null`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Document>),
    /// An object.
    Object(BTreeMap<String, Document>),
}

/// A document number, keeping integers exact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer.
    NegInt(i64),
    /// A float.
    Float(f64),
}

impl Document {
    /// Parses JSON text into a document.
    pub fn from_json_str(text: &str) -> Result<Self, String> {
        // From bytes, as response bodies are: one copy of serde_json's parser is compiled.
        serde_json::from_slice::<serde_json::Value>(text.as_bytes())
            .map(|v| Self::from_json(&v))
            .map_err(|e| format!("invalid JSON document: {e}"))
    }

    /// Converts a JSON value.
    pub fn from_json(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => Self::Number(if let Some(u) = n.as_u64() {
                Number::PosInt(u)
            } else if let Some(i) = n.as_i64() {
                Number::NegInt(i)
            } else {
                Number::Float(n.as_f64().unwrap_or(f64::NAN))
            }),
            serde_json::Value::String(s) => Self::String(s.clone()),
            serde_json::Value::Array(a) => Self::Array(a.iter().map(Self::from_json).collect()),
            serde_json::Value::Object(o) => {
                // Inserted one by one: collecting would compile a sort of the entries, and
                // they are in order already.
                let mut members = BTreeMap::new();
                for (k, v) in o {
                    members.insert(k.clone(), Self::from_json(v));
                }
                Self::Object(members)
            }
        }
    }
}

/// An enum value this version of a client does not know, kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownVariantValue(String);

impl UnknownVariantValue {
    #[doc(hidden)]
    pub fn new(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The value as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
