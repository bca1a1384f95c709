//! The Smithy JSON AST, mirrored with serde and nothing else.
//!
//! Member order is significant (it is the order of generated fields and of serialized JSON),
//! so members are kept as an ordered list rather than a map.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A whole model file.
#[derive(Debug, Deserialize)]
pub struct Model {
    /// The IDL version, `"2.0"` or `"1.0"`.
    pub smithy: String,
    /// Shapes by absolute shape id.
    #[serde(default)]
    pub shapes: BTreeMap<String, Shape>,
}

/// A reference to another shape.
#[derive(Debug, Clone, Deserialize)]
pub struct Target {
    /// The absolute shape id.
    pub target: String,
}

/// A member of an aggregate shape.
#[derive(Debug, Clone, Deserialize)]
pub struct MemberDef {
    /// The absolute shape id of the member's type.
    pub target: String,
    /// Traits applied to the member.
    #[serde(default)]
    pub traits: BTreeMap<String, Value>,
}

/// One shape. Fields that do not apply to a shape type stay empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    /// The shape type (`structure`, `string`, `operation`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Members of structures, unions, enums and intEnums, in model order.
    #[serde(default, deserialize_with = "ordered_members")]
    pub members: Vec<(String, MemberDef)>,
    /// The member of a list or set.
    pub member: Option<MemberDef>,
    /// The key of a map.
    pub key: Option<MemberDef>,
    /// The value of a map.
    pub value: Option<MemberDef>,
    /// Operation input.
    pub input: Option<Target>,
    /// Operation output.
    pub output: Option<Target>,
    /// Operation or service errors.
    #[serde(default)]
    pub errors: Vec<Target>,
    /// Service or resource operations.
    #[serde(default)]
    pub operations: Vec<Target>,
    /// Resource collection operations.
    #[serde(default)]
    pub collection_operations: Vec<Target>,
    /// Service or resource child resources.
    #[serde(default)]
    pub resources: Vec<Target>,
    /// Resource lifecycle operations.
    pub create: Option<Target>,
    /// Resource lifecycle operation.
    pub put: Option<Target>,
    /// Resource lifecycle operation.
    pub read: Option<Target>,
    /// Resource lifecycle operation.
    pub update: Option<Target>,
    /// Resource lifecycle operation.
    pub delete: Option<Target>,
    /// Resource lifecycle operation.
    pub list: Option<Target>,
    /// Service version.
    pub version: Option<String>,
    /// Service shape renames.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Mixins (must have been flattened).
    #[serde(default)]
    pub mixins: Vec<Target>,
    /// Traits applied to the shape.
    #[serde(default)]
    pub traits: BTreeMap<String, Value>,
}

fn ordered_members<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, MemberDef)>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<(String, MemberDef)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of members")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<(String, MemberDef)> = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, MemberDef>()? {
                if out.iter().any(|(name, _)| *name == k) {
                    return Err(serde::de::Error::custom(format!("duplicate member `{k}`")));
                }
                out.push((k, v));
            }
            Ok(out)
        }
    }
    d.deserialize_map(V)
}

impl Shape {
    /// Whether the shape has trait `id`.
    pub fn has(&self, id: &str) -> bool {
        self.traits.contains_key(id)
    }
}

impl MemberDef {
    /// Whether the member has trait `id`.
    pub fn has(&self, id: &str) -> bool {
        self.traits.contains_key(id)
    }
}

/// Parses a model from JSON text.
pub fn parse(text: &str) -> Result<Model, String> {
    let model: Model =
        serde_json::from_str(text).map_err(|e| format!("not a Smithy JSON AST model: {e}"))?;
    if !model.smithy.starts_with("2.") && !model.smithy.starts_with("1.") {
        return Err(format!("unsupported Smithy version {:?}", model.smithy));
    }
    Ok(model)
}
