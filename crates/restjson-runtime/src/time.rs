//! Clocks, injectable so tests control signing time.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// A source of the current time.
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant, for tests.
#[derive(Debug, Clone, Copy)]
pub struct StaticTimeSource(SystemTime);

impl StaticTimeSource {
    /// A clock that always says `time`.
    pub fn new(time: SystemTime) -> Self {
        Self(time)
    }
}

impl TimeSource for StaticTimeSource {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// A shared, cheaply clonable time source.
#[derive(Clone, Debug)]
pub struct SharedTimeSource(Arc<dyn TimeSource>);

impl SharedTimeSource {
    /// Wraps a time source.
    pub fn new(source: impl TimeSource + 'static) -> Self {
        Self(Arc::new(source))
    }
}

impl Default for SharedTimeSource {
    fn default() -> Self {
        Self::new(SystemClock)
    }
}

impl TimeSource for SharedTimeSource {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}
