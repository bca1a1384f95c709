//! A connection's outgoing queue, bounded in bytes.
//!
//! Broadcasts push a shared frame into every member's outbox without waiting;
//! the connection's writer drains it. A reader too slow to keep up fills its
//! outbox; the next push past the limit drops what is queued and closes the
//! connection with 1008, so one slow client never grows the server's memory.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Why the service closes a connection; each maps to a close code and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CloseCause {
    SessionExpired,
    UserDisconnected,
    RoomDeleted,
    ShuttingDown,
    SlowReader,
    FrameTooLarge,
    InvalidUtf8,
    ProtocolError,
}

impl CloseCause {
    pub(crate) fn frame(self) -> CloseFrame {
        let (code, reason) = match self {
            CloseCause::SessionExpired => (CloseCode::Normal, "Session expired"),
            CloseCause::UserDisconnected => (CloseCode::Normal, "User disconnected"),
            CloseCause::RoomDeleted => (CloseCode::Away, "Room deleted"),
            CloseCause::ShuttingDown => (CloseCode::Away, "Service shutting down"),
            CloseCause::SlowReader => (
                CloseCode::Policy,
                "Outgoing queue full: the client does not read fast enough",
            ),
            CloseCause::FrameTooLarge => (CloseCode::Size, "Frame too large"),
            CloseCause::InvalidUtf8 => (CloseCode::Invalid, "Text frame is not valid UTF-8"),
            CloseCause::ProtocolError => (CloseCode::Protocol, "WebSocket protocol error"),
        };
        CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        }
    }
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Utf8Bytes>,
    bytes: usize,
    close: Option<CloseCause>,
}

/// What the writer takes in one go: frames to send, then possibly the close.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) frames: Vec<Utf8Bytes>,
    pub(crate) close: Option<CloseCause>,
}

#[derive(Debug)]
pub(crate) struct Outbox {
    queue: Mutex<Queue>,
    limit: usize,
    /// Something was queued or a close was requested.
    ready: Notify,
    /// The queue overflowed: the writer abandons a blocked write.
    overflow: Notify,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("frames", &self.frames.len())
            .field("bytes", &self.bytes)
            .field("close", &self.close)
            .finish()
    }
}

impl Outbox {
    pub(crate) fn new(limit: usize) -> Outbox {
        Outbox {
            queue: Mutex::new(Queue::default()),
            limit,
            ready: Notify::new(),
            overflow: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a frame; ignored once the connection is closing.
    pub(crate) fn push(&self, frame: &Utf8Bytes) {
        let mut q = self.lock();
        if q.close.is_some() {
            return;
        }
        if q.bytes + frame.len() > self.limit {
            q.frames = VecDeque::new();
            q.bytes = 0;
            q.close = Some(CloseCause::SlowReader);
            drop(q);
            self.overflow.notify_one();
            self.ready.notify_one();
            return;
        }
        q.bytes += frame.len();
        q.frames.push_back(frame.clone());
        drop(q);
        self.ready.notify_one();
    }

    /// Asks the writer to close after the frames already queued; the first
    /// cause wins.
    pub(crate) fn close(&self, cause: CloseCause) {
        let mut q = self.lock();
        if q.close.is_none() {
            q.close = Some(cause);
            drop(q);
            self.ready.notify_one();
        }
    }

    pub(crate) fn is_closing(&self) -> bool {
        self.lock().close.is_some()
    }

    /// Waits for frames or a close request and takes them.
    pub(crate) async fn next(&self) -> Batch {
        loop {
            {
                let mut q = self.lock();
                if !q.frames.is_empty() || q.close.is_some() {
                    q.bytes = 0;
                    return Batch {
                        frames: std::mem::take(&mut q.frames).into(),
                        close: q.close,
                    };
                }
            }
            // `notify_one` stores a permit when nobody waits, so a push between
            // the check above and this await is not lost.
            self.ready.notified().await;
        }
    }

    /// Resolves when a push overflowed the queue.
    pub(crate) async fn overflowed(&self) {
        self.overflow.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overflow_drops_the_queue_and_closes() {
        let outbox = Outbox::new(10);
        let frame = Utf8Bytes::from_static("123456");
        outbox.push(&frame);
        let batch = outbox.next().await;
        assert_eq!(batch.frames, std::slice::from_ref(&frame));
        assert_eq!(batch.close, None);
        // Taken frames no longer count against the limit.
        outbox.push(&frame);
        assert!(!outbox.is_closing());
        outbox.push(&frame);
        assert!(outbox.is_closing());
        let batch = outbox.next().await;
        assert!(batch.frames.is_empty());
        assert_eq!(batch.close, Some(CloseCause::SlowReader));
        tokio::time::timeout(std::time::Duration::from_secs(1), outbox.overflowed())
            .await
            .expect("overflow is signalled");
        // Nothing is queued after the close.
        outbox.push(&Utf8Bytes::from_static("x"));
        assert!(outbox.next().await.frames.is_empty());
    }

    #[tokio::test]
    async fn frames_queued_before_a_close_are_kept() {
        let outbox = Outbox::new(100);
        outbox.push(&Utf8Bytes::from_static("a"));
        outbox.close(CloseCause::UserDisconnected);
        outbox.close(CloseCause::RoomDeleted);
        let batch = outbox.next().await;
        assert_eq!(batch.frames, [Utf8Bytes::from_static("a")]);
        assert_eq!(batch.close, Some(CloseCause::UserDisconnected));
    }
}
