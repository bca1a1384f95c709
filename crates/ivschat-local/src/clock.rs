//! The service's time source: the system clock, a fixed or computed time, or a
//! manual clock that tests move by hand and that wakes the service's timers.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

/// A source of the current time, replaceable in tests.
///
/// Timers of the service (the end of a WebSocket session) follow the clock:
/// with [`Clock::system`] they fire in real time, with a [`ManualClock`] they
/// fire when the test moves the clock past them.
#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    System,
    Fn(Arc<dyn Fn() -> SystemTime + Send + Sync>),
    Manual(ManualClock),
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// A clock that always answers `t`. Timers never fire on it.
    pub fn fixed(t: SystemTime) -> Clock {
        Clock::from_fn(move || t)
    }

    /// A clock backed by any function. Timers re-read it after waiting the
    /// remaining real time, so a function that runs slower than real time
    /// makes them fire late, never early.
    pub fn from_fn(f: impl Fn() -> SystemTime + Send + Sync + 'static) -> Clock {
        Clock(Source::Fn(Arc::new(f)))
    }

    /// The current time according to this clock.
    pub fn now(&self) -> SystemTime {
        match &self.0 {
            Source::System => SystemTime::now(),
            Source::Fn(f) => f(),
            Source::Manual(m) => m.now(),
        }
    }

    /// Waits until the clock reads `deadline` or later.
    pub(crate) async fn sleep_until(&self, deadline: SystemTime) {
        loop {
            // Subscribe before reading the time so that a move in between is not missed.
            let changed = match &self.0 {
                Source::Manual(m) => Some(m.inner.changed.subscribe()),
                _ => None,
            };
            let Ok(remaining) = deadline.duration_since(self.now()) else {
                return;
            };
            if remaining.is_zero() {
                return;
            }
            match changed {
                Some(mut rx) => {
                    // The sender lives as long as the clock, which `self` holds.
                    if rx.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                None => tokio::time::sleep(remaining).await,
            }
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock::system"),
            Source::Fn(_) => f.write_str("Clock::from_fn"),
            Source::Manual(m) => write!(f, "Clock::manual({:?})", m.now()),
        }
    }
}

impl From<ManualClock> for Clock {
    fn from(m: ManualClock) -> Clock {
        Clock(Source::Manual(m))
    }
}

/// A clock that only moves when told to, for tests. Clones share the time.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ivschat_local::{LocalConfig, ManualClock};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let config = LocalConfig::default().with_clock(clock.clock());
/// clock.advance(Duration::from_secs(60)); // sessions that ended by now are closed
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct ManualClock {
    inner: Arc<ManualInner>,
}

struct ManualInner {
    now: Mutex<SystemTime>,
    changed: watch::Sender<()>,
}

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: SystemTime) -> ManualClock {
        ManualClock {
            inner: Arc::new(ManualInner {
                now: Mutex::new(start),
                changed: watch::Sender::new(()),
            }),
        }
    }

    /// The [`Clock`] to give the service.
    pub fn clock(&self) -> Clock {
        Clock::from(self.clone())
    }

    /// The time the clock reads.
    pub fn now(&self) -> SystemTime {
        *self.inner.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward and wakes the timers that are now due.
    pub fn advance(&self, by: Duration) {
        let mut now = self.inner.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
        drop(now);
        self.inner.changed.send_replace(());
    }

    /// Sets the clock (forwards or backwards) and wakes the timers that are now due.
    pub fn set(&self, t: SystemTime) {
        *self.inner.now.lock().unwrap_or_else(|e| e.into_inner()) = t;
        self.inner.changed.send_replace(());
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ManualClock").field(&self.now()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[tokio::test]
    async fn manual_timers_fire_when_the_clock_passes_them() {
        let manual = ManualClock::new(UNIX_EPOCH + Duration::from_secs(100));
        let clock = manual.clock();
        let deadline = UNIX_EPOCH + Duration::from_secs(160);
        let waiter = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(deadline).await }
        });
        tokio::task::yield_now().await;
        manual.advance(Duration::from_secs(30));
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "fired 30 s early");
        manual.advance(Duration::from_secs(30));
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("fires once the clock reaches the deadline")
            .expect("task ends");
        // A deadline in the past returns at once.
        clock.sleep_until(UNIX_EPOCH).await;
    }
}
