//! Per-subscriber bounded event queues: the connection never waits for a slow consumer; the
//! consumer learns how many events it missed.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use crate::event::RoomEvent;

struct Queue {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    events: VecDeque<RoomEvent>,
    skipped: u64,
    closed: bool,
    waker: Option<Waker>,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` half-updated in a way that matters.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, event: RoomEvent) {
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        if inner.events.len() >= self.capacity {
            inner.events.pop_front();
            inner.skipped += 1;
        }
        inner.events.push_back(event);
        if let Some(waker) = inner.waker.take() {
            waker.wake();
        }
    }

    fn close(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        if let Some(waker) = inner.waker.take() {
            waker.wake();
        }
    }
}

/// The subscribers of one room.
#[derive(Default)]
pub(crate) struct Subscribers {
    queues: Mutex<Vec<Arc<Queue>>>,
}

impl Subscribers {
    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Queue>>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn subscribe(&self, capacity: usize) -> Events {
        let queue = Arc::new(Queue {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        });
        self.lock().push(queue.clone());
        Events { queue }
    }

    /// Delivers `event` to every live subscriber (dropping those whose `Events` is gone).
    /// Whether no stream is open (those dropped are forgotten here).
    pub(crate) fn is_empty(&self) -> bool {
        let mut queues = self.lock();
        queues.retain(|q| Arc::strong_count(q) > 1);
        queues.is_empty()
    }

    pub(crate) fn publish(&self, event: RoomEvent) {
        let mut queues = self.lock();
        queues.retain(|q| Arc::strong_count(q) > 1);
        if let Some((last, rest)) = queues.split_last() {
            for q in rest {
                q.push(event.clone());
            }
            last.push(event);
        }
    }

    /// Ends every subscriber's stream once its buffered events are read.
    pub(crate) fn close(&self) {
        for q in self.lock().drain(..) {
            q.close();
        }
    }
}

/// A room's events, as a [`Stream`] of [`RoomEvent`]s (see [`Room::events`](crate::Room::events)).
///
/// Each `Events` has its own buffer, bounded by the room's
/// [`event_buffer`](crate::RoomBuilder::event_buffer): when it is full the oldest event is dropped
/// and the stream yields [`RoomEvent::Lagged`] with the number dropped before the events that
/// remain. The stream ends when every [`Room`](crate::Room) handle has been dropped and the buffer
/// is read.
pub struct Events {
    queue: Arc<Queue>,
}

impl Events {
    /// The next event; `None` once the stream has ended. The same as `StreamExt::next`.
    pub async fn recv(&mut self) -> Option<RoomEvent> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next event if one is buffered, without waiting.
    pub fn try_recv(&mut self) -> Option<RoomEvent> {
        take(&mut self.queue.lock())
    }
}

fn take(inner: &mut Inner) -> Option<RoomEvent> {
    if inner.skipped > 0 {
        let skipped = std::mem::take(&mut inner.skipped);
        return Some(RoomEvent::Lagged { skipped });
    }
    let event = inner.events.pop_front();
    // Give back the memory of a burst once it has been read.
    if inner.events.is_empty() && inner.events.capacity() > 64 {
        inner.events = VecDeque::new();
    }
    event
}

impl Stream for Events {
    type Item = RoomEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<RoomEvent>> {
        let mut inner = self.queue.lock();
        if let Some(event) = take(&mut inner) {
            return Poll::Ready(Some(event));
        }
        if inner.closed {
            return Poll::Ready(None);
        }
        inner.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.queue.lock();
        f.debug_struct("Events")
            .field("buffered", &inner.events.len())
            .field("capacity", &self.queue.capacity)
            .field("skipped", &inner.skipped)
            .field("closed", &inner.closed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lagged(event: Option<RoomEvent>) -> Option<u64> {
        match event {
            Some(RoomEvent::Lagged { skipped }) => Some(skipped),
            _ => None,
        }
    }

    fn attempt(event: Option<RoomEvent>) -> Option<u32> {
        match event {
            Some(RoomEvent::Connecting { attempt, .. }) => Some(attempt),
            _ => None,
        }
    }

    fn connecting(attempt: u32) -> RoomEvent {
        RoomEvent::Connecting {
            attempt,
            after: None,
        }
    }

    #[test]
    fn a_slow_consumer_loses_the_oldest_events_and_is_told_how_many() {
        let subscribers = Subscribers::default();
        let mut events = subscribers.subscribe(3);
        for n in 1..=10 {
            subscribers.publish(connecting(n));
        }
        assert_eq!(lagged(events.try_recv()), Some(7));
        assert_eq!(attempt(events.try_recv()), Some(8));
        assert_eq!(attempt(events.try_recv()), Some(9));
        assert_eq!(attempt(events.try_recv()), Some(10));
        assert!(events.try_recv().is_none());
        subscribers.publish(connecting(11));
        assert_eq!(attempt(events.try_recv()), Some(11));
    }

    #[test]
    fn every_subscriber_gets_every_event_and_dropped_ones_are_forgotten() {
        let subscribers = Subscribers::default();
        let mut a = subscribers.subscribe(8);
        let b = subscribers.subscribe(8);
        subscribers.publish(connecting(1));
        drop(b);
        subscribers.publish(connecting(2));
        assert_eq!(subscribers.lock().len(), 1);
        assert_eq!(attempt(a.try_recv()), Some(1));
        assert_eq!(attempt(a.try_recv()), Some(2));
    }

    #[tokio::test]
    async fn the_stream_ends_after_close_once_drained() {
        let subscribers = Subscribers::default();
        let mut events = subscribers.subscribe(8);
        subscribers.publish(RoomEvent::Connected);
        subscribers.close();
        assert!(matches!(events.recv().await, Some(RoomEvent::Connected)));
        assert!(events.recv().await.is_none());
    }
}
