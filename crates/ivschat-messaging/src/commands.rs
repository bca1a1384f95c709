//! The queue from a room's handles to its connection task.
//!
//! A queue that costs nothing while it is empty: Tokio's channels allocate a block of slots and
//! cache-padded state for every room up front, about 1 KB per idle connection.

use std::collections::VecDeque;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::driver::Command;

/// How many commands may wait; senders wait beyond.
const CAPACITY: usize = 256;

#[derive(Default)]
pub(crate) struct Commands {
    queue: Mutex<VecDeque<Command>>,
    /// Something was queued, or the handles are gone.
    ready: Notify,
    /// A slot was freed, or the task is gone.
    space: Notify,
    handles_gone: AtomicBool,
    task_gone: AtomicBool,
}

impl Commands {
    fn lock(&self) -> MutexGuard<'_, VecDeque<Command>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `command`, waiting while the queue is full; gives it back if the connection task
    /// is gone.
    pub(crate) async fn send(&self, command: Command) -> Result<(), Command> {
        loop {
            // Registered before looking, so that a slot freed in between is not missed.
            let mut space = pin!(self.space.notified());
            space.as_mut().enable();
            {
                let mut queue = self.lock();
                if self.task_gone.load(Ordering::Acquire) {
                    return Err(command);
                }
                if queue.len() < CAPACITY {
                    queue.push_back(command);
                    drop(queue);
                    self.ready.notify_one();
                    return Ok(());
                }
            }
            space.await;
        }
    }

    /// The next command, if one is queued.
    pub(crate) fn try_recv(&self) -> Option<Command> {
        let command = self.lock().pop_front();
        if command.is_some() {
            self.space.notify_one();
        }
        command
    }

    /// The next command; `None` once every handle is gone and the queue is empty.
    pub(crate) async fn recv(&self) -> Option<Command> {
        loop {
            let mut ready = pin!(self.ready.notified());
            ready.as_mut().enable();
            if let Some(command) = self.try_recv() {
                return Some(command);
            }
            if self.handles_gone.load(Ordering::Acquire) {
                return None;
            }
            ready.await;
        }
    }

    /// Every handle of the room is gone.
    pub(crate) fn close_handles(&self) {
        self.handles_gone.store(true, Ordering::Release);
        self.ready.notify_one();
    }

    /// The connection task is gone (ended, or dropped with its runtime): what is queued is
    /// dropped, so its callers see the connection closed, and sends fail from now on.
    pub(crate) fn close_task(&self) {
        self.task_gone.store(true, Ordering::Release);
        let dropped: Vec<Command> = self.lock().drain(..).collect();
        drop(dropped);
        self.space.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::sync::oneshot;

    use super::*;

    fn command() -> Command {
        Command::Disconnect(oneshot::channel().0)
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_makes_senders_wait_until_a_slot_frees() {
        let commands = Arc::new(Commands::default());
        for _ in 0..CAPACITY {
            assert!(commands.send(command()).await.is_ok());
        }
        let waiting = tokio::spawn({
            let commands = commands.clone();
            async move { commands.send(command()).await.is_ok() }
        });
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!waiting.is_finished());
        assert!(commands.try_recv().is_some());
        assert!(waiting.await.unwrap());
        assert_eq!(commands.lock().len(), CAPACITY);
    }

    #[tokio::test(start_paused = true)]
    async fn once_the_task_is_gone_queued_commands_are_dropped_and_senders_fail() {
        let commands = Arc::new(Commands::default());
        let (reply, answer) = oneshot::channel();
        assert!(commands.send(Command::Disconnect(reply)).await.is_ok());
        for _ in 1..CAPACITY {
            assert!(commands.send(command()).await.is_ok());
        }
        let waiting = tokio::spawn({
            let commands = commands.clone();
            async move { commands.send(command()).await.is_err() }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        commands.close_task();
        assert!(waiting.await.unwrap(), "the waiting sender fails");
        assert!(
            answer.await.is_err(),
            "the queued command's caller sees it dropped"
        );
        assert!(commands.try_recv().is_none());
        assert!(commands.send(command()).await.is_err());
    }

    #[tokio::test]
    async fn the_task_gets_what_was_queued_then_the_end() {
        let commands = Arc::new(Commands::default());
        let receiver = tokio::spawn({
            let commands = commands.clone();
            async move {
                let mut received = 0;
                while commands.recv().await.is_some() {
                    received += 1;
                }
                received
            }
        });
        for _ in 0..3 {
            assert!(commands.send(command()).await.is_ok());
        }
        commands.close_handles();
        assert_eq!(receiver.await.unwrap(), 3);
    }
}
