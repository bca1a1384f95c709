//! The Messaging API: who is connected to which room, message ids, and the
//! frames the control plane and the connections deliver.

pub(crate) mod frames;
pub(crate) mod outbox;
pub(crate) mod socket;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_tungstenite::tungstenite::Utf8Bytes;

use self::outbox::{CloseCause, Outbox};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// 62^12: the number of 12-character alphanumeric ids.
const ID_SPACE: u128 = 3_226_266_762_397_899_821_056;

/// Server ids for MESSAGE, EVENT and ERROR frames (and the ids `SendEvent` and
/// `DeleteMessage` return): 12 alphanumeric characters, never repeated by one
/// service. The n-th id is `n * step + offset` modulo 62^12 with a random
/// offset and a random step coprime to 62^12, a bijection, so ids look random
/// and are unique without remembering them.
#[derive(Debug)]
pub(crate) struct IdGen {
    next: AtomicU64,
    step: u128,
    offset: u128,
}

impl IdGen {
    pub(crate) fn new() -> IdGen {
        // Below 2^56 so `n * step` (n < 2^64) fits in a u128; odd and not a
        // multiple of 31 so it is coprime to 62^12 = 2^12 * 31^12.
        let step = loop {
            let s = u128::from(fastrand::u64((1 << 55)..(1 << 56)) | 1);
            if s % 31 != 0 {
                break s;
            }
        };
        let offset =
            (u128::from(fastrand::u64(..)) << 64 | u128::from(fastrand::u64(..))) % ID_SPACE;
        IdGen {
            next: AtomicU64::new(0),
            step,
            offset,
        }
    }

    pub(crate) fn next(&self) -> String {
        let n = u128::from(self.next.fetch_add(1, Ordering::Relaxed));
        let mut v = (n * self.step + self.offset) % ID_SPACE;
        let mut out = [0u8; 12];
        // Least significant digit first (a digit reversal, still a bijection):
        // consecutive ids then differ in their first characters.
        for slot in out.iter_mut() {
            *slot = ALPHABET[(v % 62) as usize];
            v /= 62;
        }
        out.iter().map(|&b| char::from(b)).collect()
    }
}

/// One open connection as the room sees it. (No `Debug`: it holds a user id.)
struct Member {
    user_id: String,
    outbox: Arc<Outbox>,
}

#[derive(Default)]
struct LiveRoom {
    members: HashMap<u64, Member>,
    /// Times (ms) of the messages admitted in the last second, oldest first.
    recent: VecDeque<i64>,
}

/// The open connections of every room. Lives inside the service state, under
/// the same lock as the rooms, so a connection never joins a deleted room.
#[derive(Default)]
pub(crate) struct Live {
    rooms: HashMap<String, LiveRoom>,
    next_member: u64,
}

impl Live {
    pub(crate) fn join(&mut self, room_id: &str, user_id: &str, outbox: Arc<Outbox>) -> u64 {
        self.next_member += 1;
        let id = self.next_member;
        self.rooms
            .entry(room_id.to_string())
            .or_default()
            .members
            .insert(
                id,
                Member {
                    user_id: user_id.to_string(),
                    outbox,
                },
            );
        id
    }

    pub(crate) fn leave(&mut self, room_id: &str, member: u64) {
        if let Some(room) = self.rooms.get_mut(room_id) {
            room.members.remove(&member);
            if room.members.is_empty() {
                self.rooms.remove(room_id);
            }
        }
    }

    /// Sends a frame to every connection of the room.
    pub(crate) fn broadcast(&self, room_id: &str, frame: &Utf8Bytes) {
        if let Some(room) = self.rooms.get(room_id) {
            for m in room.members.values() {
                m.outbox.push(frame);
            }
        }
    }

    /// Closes every connection of `user_id` in the room (after what is queued).
    pub(crate) fn close_user(&self, room_id: &str, user_id: &str) {
        if let Some(room) = self.rooms.get(room_id) {
            for m in room.members.values().filter(|m| m.user_id == user_id) {
                m.outbox.close(CloseCause::UserDisconnected);
            }
        }
    }

    /// Closes every connection of the room and forgets the room.
    pub(crate) fn close_room(&mut self, room_id: &str, cause: CloseCause) {
        if let Some(room) = self.rooms.remove(room_id) {
            for m in room.members.values() {
                m.outbox.close(cause);
            }
        }
    }

    pub(crate) fn close_all(&mut self, cause: CloseCause) {
        for (_, room) in self.rooms.drain() {
            for m in room.members.values() {
                m.outbox.close(cause);
            }
        }
    }

    /// Counts a message against the room's rate limit: at most `per_second`
    /// messages in any window of one second. `false` when over the limit.
    pub(crate) fn admit(&mut self, room_id: &str, now_ms: i64, per_second: usize) -> bool {
        let Some(room) = self.rooms.get_mut(room_id) else {
            return false;
        };
        while room.recent.front().is_some_and(|&t| t <= now_ms - 1000) {
            room.recent.pop_front();
        }
        if room.recent.len() >= per_second {
            return false;
        }
        room.recent.push_back(now_ms);
        true
    }

    /// Open connections in all rooms.
    pub(crate) fn connections(&self) -> usize {
        self.rooms.values().map(|r| r.members.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_alphanumeric_and_unique() {
        let ids = IdGen::new();
        let mut seen = HashSet::new();
        for _ in 0..100_000 {
            let id = ids.next();
            assert_eq!(id.len(), 12);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn rate_window_is_one_second() {
        let mut live = Live::default();
        let member = live.join("room", "u", Arc::new(Outbox::new(1024)));
        assert!(live.admit("room", 1_000, 2));
        assert!(live.admit("room", 1_500, 2));
        assert!(!live.admit("room", 1_999, 2));
        assert!(live.admit("room", 2_000, 2));
        assert!(!live.admit("room", 2_400, 2));
        assert!(!live.admit("other", 2_400, 2));
        live.leave("room", member);
        assert_eq!(live.connections(), 0);
        assert!(live.rooms.is_empty());
    }
}
