//! The AWS partition table (`partitions.json`) behind `aws.partition`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::EndpointError;
use super::eval::{Object, Value};
use super::regex::Regex;

/// Output fields that a partition (and a region override) may carry, with their types.
const STRING_OUTPUTS: [&str; 4] = [
    "name",
    "dnsSuffix",
    "dualStackDnsSuffix",
    "implicitGlobalRegion",
];
const BOOL_OUTPUTS: [&str; 2] = ["supportsFIPS", "supportsDualStack"];
const REQUIRED_OUTPUTS: [&str; 5] = [
    "name",
    "dnsSuffix",
    "dualStackDnsSuffix",
    "supportsFIPS",
    "supportsDualStack",
];

struct Partition {
    id: String,
    regex: Regex,
    outputs: Value,
}

/// A parsed partition table, mapping region names to partition metadata.
///
/// Resolution follows the rules-engine AWS extension: an explicitly listed region wins (with its
/// overrides merged into the partition outputs), then the first partition whose `regionRegex`
/// matches, then the `aws` partition as a fallback.
pub struct PartitionTable {
    partitions: Vec<Partition>,
    regions: HashMap<String, Value>,
    aws: Option<usize>,
}

impl fmt::Debug for PartitionTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartitionTable")
            .field(
                "partitions",
                &self
                    .partitions
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("regions", &self.regions.len())
            .finish()
    }
}

fn invalid(what: impl fmt::Display) -> EndpointError {
    EndpointError::invalid_partitions(format!("invalid partition table: {what}"))
}

/// Reads output fields from `o` into `into`, checking types; `unknown` fields are ignored.
fn read_outputs(o: &Map<String, Json>, into: &mut Object, at: &str) -> Result<(), EndpointError> {
    for key in STRING_OUTPUTS {
        match o.get(key) {
            None | Some(Json::Null) => {}
            Some(Json::String(s)) => {
                into.insert(key.to_owned(), Value::Str(s.clone()));
            }
            Some(_) => return Err(invalid(format_args!("{at}.{key} must be a string"))),
        }
    }
    for key in BOOL_OUTPUTS {
        match o.get(key) {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) => {
                into.insert(key.to_owned(), Value::Bool(*b));
            }
            Some(_) => return Err(invalid(format_args!("{at}.{key} must be a boolean"))),
        }
    }
    Ok(())
}

impl PartitionTable {
    /// Parses the JSON text of a `partitions.json` document.
    pub fn from_json(json: &str) -> Result<PartitionTable, EndpointError> {
        // From bytes, as response bodies are: one copy of serde_json's parser is compiled.
        let doc: Json = serde_json::from_slice(json.as_bytes())
            .map_err(|e| invalid(format_args!("not valid JSON: {e}")))?;
        Self::from_value(&doc)
    }

    /// Builds the table from an already parsed `partitions.json` document.
    pub fn from_value(doc: &Json) -> Result<PartitionTable, EndpointError> {
        let list = doc
            .get("partitions")
            .and_then(Json::as_array)
            .ok_or_else(|| invalid("$.partitions must be an array"))?;
        let mut partitions = Vec::with_capacity(list.len());
        let mut regions = HashMap::new();
        for (i, p) in list.iter().enumerate() {
            let at = format!("$.partitions[{i}]");
            let p = p
                .as_object()
                .ok_or_else(|| invalid(format_args!("{at} must be an object")))?;
            let id = p
                .get("id")
                .and_then(Json::as_str)
                .ok_or_else(|| invalid(format_args!("{at}.id must be a string")))?;
            let pattern = p
                .get("regionRegex")
                .and_then(Json::as_str)
                .ok_or_else(|| invalid(format_args!("{at}.regionRegex must be a string")))?;
            let regex = Regex::new(pattern).map_err(|e| {
                invalid(format_args!(
                    "{at}.regionRegex {pattern:?} is not supported: {e}"
                ))
            })?;
            let outputs = p
                .get("outputs")
                .and_then(Json::as_object)
                .ok_or_else(|| invalid(format_args!("{at}.outputs must be an object")))?;
            let mut base = Object::default();
            read_outputs(outputs, &mut base, &format!("{at}.outputs"))?;
            if base.get("name").is_none() {
                base.insert("name".to_owned(), Value::Str(id.to_owned()));
            }
            if let Some(missing) = REQUIRED_OUTPUTS.iter().find(|k| base.get(k).is_none()) {
                return Err(invalid(format_args!(
                    "{at}.outputs is missing \"{missing}\""
                )));
            }
            if let Some(listed) = p.get("regions").filter(|r| !r.is_null()) {
                let listed = listed
                    .as_object()
                    .ok_or_else(|| invalid(format_args!("{at}.regions must be an object")))?;
                for (region, overrides) in listed {
                    let overrides = overrides.as_object().ok_or_else(|| {
                        invalid(format_args!("{at}.regions[{region:?}] must be an object"))
                    })?;
                    let mut merged = base.clone();
                    read_outputs(overrides, &mut merged, &format!("{at}.regions[{region:?}]"))?;
                    // The first partition listing a region owns it.
                    regions
                        .entry(region.clone())
                        .or_insert_with(|| Value::Object(Arc::new(merged)));
                }
            }
            partitions.push(Partition {
                id: id.to_owned(),
                regex,
                outputs: Value::Object(Arc::new(base)),
            });
        }
        let aws = partitions.iter().position(|p| p.id == "aws");
        Ok(PartitionTable {
            partitions,
            regions,
            aws,
        })
    }

    /// The partition outputs for `region`, or `None` when nothing matches and there is no `aws` partition.
    pub(crate) fn resolve(&self, region: &str) -> Option<Value> {
        if let Some(v) = self.regions.get(region) {
            return Some(v.clone());
        }
        if let Some(p) = self.partitions.iter().find(|p| p.regex.is_match(region)) {
            return Some(p.outputs.clone());
        }
        self.aws
            .and_then(|i| self.partitions.get(i))
            .map(|p| p.outputs.clone())
    }

    /// The partition outputs chosen for `region` (`name`, `dnsSuffix`, ...), as JSON.
    pub fn partition_for(&self, region: &str) -> Option<Json> {
        self.resolve(region).map(|v| v.to_json())
    }
}
