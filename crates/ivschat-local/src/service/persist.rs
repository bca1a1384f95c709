//! The state file's contents: the state to records and back, and the writes
//! that keep the file in step with the state.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use super::{
    Destination, Handler, Kind, LoggingConfiguration, MAX_TAGS, Room, Service, State, hex,
};
use crate::LocalConfig;
use crate::state_file::{
    self, DestinationRecord, FORMAT, HandlerRecord, LoggingConfigurationRecord, RoomRecord,
    StateFile, VERSION,
};

/// The state file of a service, and which change it holds.
#[derive(Debug)]
pub(crate) struct Persistence {
    path: PathBuf,
    /// The generation of the state last written. Held while writing, so
    /// writes happen one at a time, each of a state at least as new as the
    /// one before.
    written: tokio::sync::Mutex<u64>,
}

impl Persistence {
    pub(crate) fn new(path: PathBuf) -> Persistence {
        Persistence {
            path,
            written: tokio::sync::Mutex::new(0),
        }
    }
}

impl Service {
    /// Writes the state file if the state changed since it was last written.
    /// Returns once the file holds every change made before the call, so an
    /// acknowledged call survives a crash. Changes made while another call
    /// writes are written once for all the waiting calls. A failed write is
    /// logged and retried by the next call; the file then still holds the
    /// previous state, whole.
    pub(crate) async fn persist(&self) {
        let Some(persistence) = &self.persistence else {
            return;
        };
        let wanted = self.lock().generation;
        let mut written = persistence.written.lock().await;
        if *written >= wanted {
            return;
        }
        let (generation, bytes) = self.encode_state();
        let path = persistence.path.clone();
        let write = tokio::task::spawn_blocking(move || state_file::write_atomic(&path, &bytes));
        match write.await {
            Ok(Ok(())) => *written = generation,
            Ok(Err(e)) => tracing::error!(
                target: "ivschat_local::state",
                path = %persistence.path.display(),
                "could not write the state file (it keeps the previous state): {e}"
            ),
            Err(e) => tracing::error!(
                target: "ivschat_local::state",
                path = %persistence.path.display(),
                "the state file writer failed: {e}"
            ),
        }
    }

    /// Writes the state file at once, from a synchronous context (start-up).
    pub(crate) fn persist_now(&self) -> std::io::Result<()> {
        let Some(persistence) = &self.persistence else {
            return Ok(());
        };
        let (generation, bytes) = self.encode_state();
        state_file::write_atomic(&persistence.path, &bytes)?;
        if let Ok(mut written) = persistence.written.try_lock() {
            *written = generation;
        }
        Ok(())
    }

    /// The state's generation and the file's bytes, taken under one lock.
    fn encode_state(&self) -> (u64, Vec<u8>) {
        let st = self.lock();
        let file = snapshot(&self.config, &st, &self.page_key);
        let generation = st.generation;
        drop(st);
        // Records of strings, numbers and maps: serializing cannot fail.
        let bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        (generation, bytes)
    }
}

fn snapshot(config: &LocalConfig, st: &State, page_key: &[u8; 16]) -> StateFile {
    let config_id = |arn: &String| arn.rsplit('/').next().unwrap_or(arn).to_string();
    StateFile {
        format: FORMAT.into(),
        version: VERSION,
        region: config.region.clone(),
        account_id: config.account_id.clone(),
        sequence: st.seq,
        page_token_key: hex(page_key),
        rooms: st
            .rooms
            .iter()
            .map(|(&sequence, r)| RoomRecord {
                sequence,
                id: r.id.clone(),
                name: r.name.clone(),
                create_time_ms: r.created,
                update_time_ms: r.updated,
                maximum_message_rate_per_second: r.max_rate,
                maximum_message_length: r.max_length,
                message_review_handler: r.handler.as_ref().map(|h| HandlerRecord {
                    uri: h.uri.clone().unwrap_or_default(),
                    fallback_result: h.fallback_result.clone(),
                }),
                tags: r.tags.clone(),
                logging_configuration_ids: r.logging.iter().map(config_id).collect(),
            })
            .collect(),
        logging_configurations: st
            .configs
            .iter()
            .map(|(&sequence, c)| LoggingConfigurationRecord {
                sequence,
                id: c.id.clone(),
                name: c.name.clone(),
                create_time_ms: c.created,
                update_time_ms: c.updated,
                destination: match &c.destination {
                    Destination::S3(b) => DestinationRecord::S3 {
                        bucket_name: b.clone(),
                    },
                    Destination::CloudWatchLogs(g) => DestinationRecord::CloudWatchLogs {
                        log_group_name: g.clone(),
                    },
                    Destination::Firehose(s) => DestinationRecord::Firehose {
                        delivery_stream_name: s.clone(),
                    },
                },
                tags: c.tags.clone(),
            })
            .collect(),
    }
}

/// Rebuilds the state a file holds, checking that it is consistent (ids,
/// sequence numbers, references, ranges) and that it belongs to this
/// service's region and account. Returns the page-token key.
pub(crate) fn restore(
    config: &LocalConfig,
    file: StateFile,
    st: &mut State,
) -> Result<[u8; 16], String> {
    if file.region != config.region || file.account_id != config.account_id {
        return Err(format!(
            "holds the resources of region {} and account {}, but this service runs region {} and account {} (set the same region and account, or use another state file)",
            file.region, file.account_id, config.region, config.account_id
        ));
    }
    let page_key = parse_key(&file.page_token_key)
        .ok_or("is damaged: page_token_key must be 32 hex digits")?;
    let mut ids = HashSet::new();
    let mut sequences = HashSet::new();
    let mut check = |what: &str, sequence: u64, id: &str| -> Result<(), String> {
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "is damaged: {what} id {id:?} is not 1 to 64 letters and digits"
            ));
        }
        if !ids.insert(id.to_string()) {
            return Err(format!("is damaged: id {id} is used twice"));
        }
        if sequence == 0 || sequence > file.sequence || !sequences.insert(sequence) {
            return Err(format!(
                "is damaged: {what} {id} has sequence {sequence}, which is 0, above `sequence` ({}) or used twice",
                file.sequence
            ));
        }
        Ok(())
    };
    let arn = |kind: Kind, id: &str| {
        format!(
            "arn:aws:ivschat:{}:{}:{}/{id}",
            config.region,
            config.account_id,
            kind.arn_type()
        )
    };
    for c in file.logging_configurations {
        check("logging configuration", c.sequence, &c.id)?;
        check_tags(&c.tags, &c.id)?;
        let destination = match c.destination {
            DestinationRecord::S3 { bucket_name } => Destination::S3(bucket_name),
            DestinationRecord::CloudWatchLogs { log_group_name } => {
                Destination::CloudWatchLogs(log_group_name)
            }
            DestinationRecord::Firehose {
                delivery_stream_name,
            } => Destination::Firehose(delivery_stream_name),
        };
        st.config_ids.insert(c.id.clone(), c.sequence);
        st.configs.insert(
            c.sequence,
            LoggingConfiguration {
                arn: arn(Kind::LoggingConfiguration, &c.id),
                id: c.id,
                name: c.name,
                created: c.create_time_ms,
                updated: c.update_time_ms,
                destination,
                tags: c.tags,
            },
        );
    }
    for r in file.rooms {
        check("room", r.sequence, &r.id)?;
        check_tags(&r.tags, &r.id)?;
        let in_range = |v: i64, max: i64| (1..=max).contains(&v);
        if !in_range(r.maximum_message_rate_per_second, 100)
            || !in_range(r.maximum_message_length, 500)
        {
            return Err(format!(
                "is damaged: room {} has a message rate or length out of range",
                r.id
            ));
        }
        let handler = match r.message_review_handler {
            None => None,
            Some(h)
                if !h.uri.is_empty() && ["ALLOW", "DENY"].contains(&h.fallback_result.as_str()) =>
            {
                Some(Handler {
                    uri: Some(h.uri),
                    fallback_result: h.fallback_result,
                })
            }
            Some(_) => {
                return Err(format!(
                    "is damaged: room {} has a review handler without a uri or with a fallback_result other than ALLOW or DENY",
                    r.id
                ));
            }
        };
        let mut logging = Vec::new();
        for id in &r.logging_configuration_ids {
            if !st.config_ids.contains_key(id) {
                return Err(format!(
                    "is damaged: room {} uses logging configuration {id}, which the file does not hold",
                    r.id
                ));
            }
            logging.push(arn(Kind::LoggingConfiguration, id));
        }
        st.room_ids.insert(r.id.clone(), r.sequence);
        st.room_order.insert((r.update_time_ms, r.sequence));
        st.rooms.insert(
            r.sequence,
            Room {
                arn: arn(Kind::Room, &r.id),
                id: r.id,
                name: r.name,
                created: r.create_time_ms,
                updated: r.update_time_ms,
                max_rate: r.maximum_message_rate_per_second,
                max_length: r.maximum_message_length,
                handler,
                tags: r.tags,
                logging,
            },
        );
    }
    st.seq = file.sequence;
    Ok(page_key)
}

fn check_tags(tags: &BTreeMap<String, String>, id: &str) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!(
            "is damaged: resource {id} has {} tags, more than {MAX_TAGS}",
            tags.len()
        ));
    }
    Ok(())
}

fn parse_key(text: &str) -> Option<[u8; 16]> {
    if text.len() != 32 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 16];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(key)
}
