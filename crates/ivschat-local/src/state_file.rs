//! The opt-in state file ([`crate::LocalConfig::state_file`]): what it keeps,
//! its versioned format, and the atomic write that a crash cannot tear.
//!
//! It keeps rooms, logging configurations, their tags, the creation sequence
//! and the page-token key (so `nextToken`s stay valid across a restart); not
//! chat tokens, recorded actions or connections, which a restart ends anyway.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The value of `format` in every state file.
pub(crate) const FORMAT: &str = "ivschat-local-state";
/// The format version this build writes and reads.
pub(crate) const VERSION: u64 = 1;
/// Larger files are refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 1 << 30;

/// The whole file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StateFile {
    pub(crate) format: String,
    pub(crate) version: u64,
    pub(crate) region: String,
    pub(crate) account_id: String,
    /// The last creation sequence number handed out.
    pub(crate) sequence: u64,
    /// 32 hex digits: the key that authenticates page tokens.
    pub(crate) page_token_key: String,
    pub(crate) rooms: Vec<RoomRecord>,
    pub(crate) logging_configurations: Vec<LoggingConfigurationRecord>,
}

/// A room. Times are milliseconds since the Unix epoch.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoomRecord {
    pub(crate) sequence: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) create_time_ms: i64,
    pub(crate) update_time_ms: i64,
    pub(crate) maximum_message_rate_per_second: i64,
    pub(crate) maximum_message_length: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) message_review_handler: Option<HandlerRecord>,
    pub(crate) tags: BTreeMap<String, String>,
    /// Ids of the room's logging configurations.
    pub(crate) logging_configuration_ids: Vec<String>,
}

/// A room's message review handler.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HandlerRecord {
    pub(crate) uri: String,
    pub(crate) fallback_result: String,
}

/// A logging configuration.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoggingConfigurationRecord {
    pub(crate) sequence: u64,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) create_time_ms: i64,
    pub(crate) update_time_ms: i64,
    pub(crate) destination: DestinationRecord,
    pub(crate) tags: BTreeMap<String, String>,
}

/// Where a logging configuration delivers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(crate) enum DestinationRecord {
    S3 { bucket_name: String },
    CloudWatchLogs { log_group_name: String },
    Firehose { delivery_stream_name: String },
}

/// Reads and parses the file; `Ok(None)` when it does not exist. Errors say
/// what is wrong; the caller names the file.
pub(crate) fn read(path: &Path) -> Result<Option<StateFile>, String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be read: {e}")),
    };
    let len = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "is {len} bytes, more than the {MAX_FILE_BYTES}-byte limit of a state file"
        ));
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    parse(&bytes).map(Some)
}

/// Parses a state file, telling a foreign or newer file from a damaged one.
pub(crate) fn parse(bytes: &[u8]) -> Result<StateFile, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        format!("is not valid JSON ({e}): it is damaged, or not an ivschat-local state file")
    })?;
    let format = value.get("format").and_then(serde_json::Value::as_str);
    if format != Some(FORMAT) {
        return Err(format!(
            "is not an ivschat-local state file: it has no \"format\": \"{FORMAT}\" member"
        ));
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(VERSION) => {}
        Some(v) if v > VERSION => {
            return Err(format!(
                "has format version {v}, written by a newer ivschat-local; this one reads version {VERSION}"
            ));
        }
        _ => {
            return Err(format!(
                "has no supported format version (this ivschat-local reads version {VERSION})"
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| format!("is damaged: {e}"))
}

/// Where the next version of `path` is written before it replaces `path`.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves either
/// the old or the new file whole: write a temporary file beside it, flush it
/// to disk, rename it over the old one, then flush the directory entry.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = temp_path(path);
    let mut file = File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path)?;
    sync_parent(path)
}

#[cfg(unix)]
fn sync_parent(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

// Elsewhere a directory cannot be opened to flush it; the rename is still atomic.
#[cfg(not(unix))]
fn sync_parent(_: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_newer_and_damaged_files_are_told_apart() {
        let err = |bytes: &str| parse(bytes.as_bytes()).expect_err("refused");
        assert_eq!(
            err("{\"rooms\": [], \"version\": 1"),
            "is not valid JSON (EOF while parsing an object at line 1 column 26): it is damaged, or not an ivschat-local state file"
        );
        assert_eq!(
            err("{\"name\": \"my-app\", \"version\": 3}"),
            "is not an ivschat-local state file: it has no \"format\": \"ivschat-local-state\" member"
        );
        assert_eq!(
            err("{\"format\": \"ivschat-local-state\", \"version\": 2}"),
            "has format version 2, written by a newer ivschat-local; this one reads version 1"
        );
        assert_eq!(
            err("{\"format\": \"ivschat-local-state\", \"version\": \"1\"}"),
            "has no supported format version (this ivschat-local reads version 1)"
        );
        assert_eq!(
            err("{\"format\": \"ivschat-local-state\", \"version\": 1, \"region\": \"us-west-2\"}"),
            "is damaged: missing field `account_id`"
        );
    }

    #[test]
    fn the_temporary_file_sits_beside_the_state_file() {
        assert_eq!(
            temp_path(Path::new("/data/state.json")),
            Path::new("/data/state.json.tmp")
        );
        assert_eq!(temp_path(Path::new("s")), Path::new("s.tmp"));
    }
}
