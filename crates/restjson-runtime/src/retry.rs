//! Retries in the "standard" and "adaptive" modes of the AWS SDKs.
//!
//! * Which failures are retried: throttling (HTTP 429 and the throttling error codes),
//!   transient failures (HTTP 500, 502, 503, 504 and the transient error codes), I/O failures
//!   of the transport and timeouts. Everything else, in particular other 4xx answers and
//!   errors raised before anything is sent, is tried once.
//! * How long to wait: `min(r * 2^n * base, max_backoff)` before retry `n + 1` (`n` counting
//!   from 0), `r` uniform in `[0, 1]` ("full jitter"). Throttling uses a longer base than other
//!   failures (defaults: 1 s and 50 ms); `max_backoff` is 20 s.
//! * The retry quota, shared by every call of a client: a bucket of 500 tokens. A retry takes
//!   5 tokens (10 after a timeout); no tokens, no retry. A call that succeeds on its first
//!   attempt adds 1 token; one that succeeds after retries gives back what its last retry took.
//! * Adaptive mode adds a client-side rate limiter that reacts to throttling responses (a
//!   token bucket whose fill rate follows a CUBIC curve) and may delay any attempt,
//!   the first included.
//! * A clock-skew error (`RequestTimeTooSkewed`, `RequestExpired`, `RequestInTheFuture`,
//!   `InvalidSignatureException`, `SignatureDoesNotMatch` or `AuthFailure`, with a `Date`
//!   header more than 4 minutes from the local clock) makes the client sign with the service's
//!   time from then on, and is retried once, at once and without quota cost.
//!
//! The error-type-specific backoff bases follow the current SDK reference guide; the quota
//! numbers are those of the standard mode's long-standing specification. Every number can be
//! changed on [`RetryConfig`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::profile::ProfileSet;
use crate::provider_env::ProviderEnv;
use crate::sleep::{AsyncSleep, SharedAsyncSleep};

/// How failed requests are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RetryMode {
    /// The standard rules of the AWS SDKs: backoff with jitter and a retry quota.
    #[default]
    Standard,
    /// Standard plus client-side rate limiting driven by throttling responses.
    Adaptive,
}

impl RetryMode {
    /// Parses `standard` or `adaptive` (any case, surrounding blanks ignored). `legacy`, which
    /// other SDKs accept for their own historical behaviour, means `standard` here.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Ok(Self::Standard),
            "adaptive" => Ok(Self::Adaptive),
            _ => Err(format!(
                "invalid retry mode {value:?}: expected `standard` or `adaptive`"
            )),
        }
    }
}

impl fmt::Display for RetryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Standard => "standard",
            Self::Adaptive => "adaptive",
        })
    }
}

/// A source of uniformly distributed numbers in `[0, 1]` for backoff jitter.
#[derive(Clone)]
pub struct Jitter(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Jitter {
    /// Jitter from `source`. Values outside `[0, 1]` are clamped; NaN counts as 0.
    pub fn new(source: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(source))
    }

    /// The next number, in `[0, 1]`.
    pub fn next(&self) -> f64 {
        let r = (self.0)();
        if r.is_nan() { 0.0 } else { r.clamp(0.0, 1.0) }
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Self::new(crate::random::f64)
    }
}

impl fmt::Debug for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Jitter")
    }
}

/// Retry settings of a client. Cheap to clone.
///
/// ```
/// use std::time::Duration;
/// use restjson_runtime::retry::{RetryConfig, RetryMode};
///
/// let retry = RetryConfig::standard()
///     .with_max_attempts(5)
///     .with_mode(RetryMode::Adaptive)
///     .with_max_backoff(Duration::from_secs(5));
/// assert_eq!(retry.max_attempts(), 5);
/// ```
#[derive(Clone, Debug)]
pub struct RetryConfig {
    mode: RetryMode,
    max_attempts: u32,
    transient_backoff: Duration,
    throttling_backoff: Duration,
    max_backoff: Duration,
    quota_capacity: u32,
    retry_cost: u32,
    timeout_retry_cost: u32,
    no_retry_increment: u32,
    sleep: SharedAsyncSleep,
    jitter: Jitter,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self::standard()
    }
}

/// Default number of attempts (first attempt included).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default base delay after a failure that is not throttling.
pub const DEFAULT_TRANSIENT_BACKOFF: Duration = Duration::from_millis(50);
/// Default base delay after throttling.
pub const DEFAULT_THROTTLING_BACKOFF: Duration = Duration::from_secs(1);
/// Default longest delay between two attempts.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(20);
/// Default size of the retry quota.
pub const DEFAULT_QUOTA_CAPACITY: u32 = 500;
/// Default tokens a retry takes from the quota.
pub const DEFAULT_RETRY_COST: u32 = 5;
/// Default tokens a retry after a timeout takes from the quota.
pub const DEFAULT_TIMEOUT_RETRY_COST: u32 = 10;
/// Default tokens a call that succeeds on its first attempt adds to the quota.
pub const DEFAULT_NO_RETRY_INCREMENT: u32 = 1;

impl RetryConfig {
    /// Standard mode, 3 attempts, default backoff and quota.
    pub fn standard() -> Self {
        Self {
            mode: RetryMode::Standard,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            transient_backoff: DEFAULT_TRANSIENT_BACKOFF,
            throttling_backoff: DEFAULT_THROTTLING_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            quota_capacity: DEFAULT_QUOTA_CAPACITY,
            retry_cost: DEFAULT_RETRY_COST,
            timeout_retry_cost: DEFAULT_TIMEOUT_RETRY_COST,
            no_retry_increment: DEFAULT_NO_RETRY_INCREMENT,
            sleep: SharedAsyncSleep::default(),
            jitter: Jitter::default(),
        }
    }

    /// Adaptive mode, otherwise like [`standard`](Self::standard).
    pub fn adaptive() -> Self {
        Self::standard().with_mode(RetryMode::Adaptive)
    }

    /// One attempt per call: nothing is retried.
    pub fn disabled() -> Self {
        Self::standard().with_max_attempts(1)
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the number of attempts per call, the first included (0 counts as 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets the base delay after failures other than throttling.
    pub fn with_transient_backoff(mut self, base: Duration) -> Self {
        self.transient_backoff = base;
        self
    }

    /// Sets the base delay after throttling.
    pub fn with_throttling_backoff(mut self, base: Duration) -> Self {
        self.throttling_backoff = base;
        self
    }

    /// Sets the longest delay between two attempts.
    pub fn with_max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// Sets the size of the retry quota (tokens; the bucket starts full).
    pub fn with_quota_capacity(mut self, tokens: u32) -> Self {
        self.quota_capacity = tokens;
        self
    }

    /// Sets what a retry takes from the quota, after a timeout and after other failures.
    pub fn with_retry_costs(mut self, retry_cost: u32, timeout_retry_cost: u32) -> Self {
        self.retry_cost = retry_cost;
        self.timeout_retry_cost = timeout_retry_cost;
        self
    }

    /// Sets how the client waits between attempts (default: the tokio timer).
    pub fn with_sleep(mut self, sleep: impl AsyncSleep + 'static) -> Self {
        self.sleep = SharedAsyncSleep::new(sleep);
        self
    }

    /// Sets the source of backoff jitter (default: a uniform pseudo-random number).
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The mode.
    pub fn mode(&self) -> RetryMode {
        self.mode
    }

    /// The number of attempts per call, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The base delay after failures other than throttling.
    pub fn transient_backoff(&self) -> Duration {
        self.transient_backoff
    }

    /// The base delay after throttling.
    pub fn throttling_backoff(&self) -> Duration {
        self.throttling_backoff
    }

    /// The longest delay between two attempts.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The size of the retry quota.
    pub fn quota_capacity(&self) -> u32 {
        self.quota_capacity
    }

    /// What a retry takes from the quota: `(after other failures, after a timeout)`.
    pub fn retry_costs(&self) -> (u32, u32) {
        (self.retry_cost, self.timeout_retry_cost)
    }

    /// What a call that succeeds on its first attempt adds to the quota.
    pub fn no_retry_increment(&self) -> u32 {
        self.no_retry_increment
    }

    /// How the client waits.
    pub fn sleep(&self) -> &SharedAsyncSleep {
        &self.sleep
    }

    /// The source of jitter.
    pub fn jitter(&self) -> &Jitter {
        &self.jitter
    }

    /// The delay before retry number `retry + 1` (`retry` counts from 0) after a failure of
    /// `kind`, with jitter `r` in `[0, 1]`: `min(r * 2^retry * base, max_backoff)`.
    pub(crate) fn backoff(&self, kind: RetryKind, retry: u32, r: f64) -> Duration {
        let base = match kind {
            RetryKind::Throttling => self.throttling_backoff,
            RetryKind::Transient | RetryKind::Timeout => self.transient_backoff,
        };
        let r = if r.is_nan() { 0.0 } else { r.clamp(0.0, 1.0) };
        let factor = 2f64.powi(retry.min(62) as i32);
        let secs = r * factor * base.as_secs_f64();
        let max = self.max_backoff.as_secs_f64();
        if secs.is_finite() && secs < max {
            Duration::from_secs_f64(secs)
        } else {
            self.max_backoff
        }
    }

    /// Reads `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE`, else `max_attempts` and `retry_mode` of
    /// the shared config profile (`profile`, else `AWS_PROFILE`, else `default`). Settings
    /// found nowhere keep their defaults. The files are read only when a variable is unset.
    ///
    /// Fails, naming the source, on a value that is not a positive integer or a known mode,
    /// and when a shared file exists but cannot be read or parsed.
    pub fn from_env(env: &ProviderEnv, profile: Option<&str>) -> Result<RetryConfig, String> {
        let mut config = RetryConfig::standard();
        let env_attempts = env.get_non_empty_var("AWS_MAX_ATTEMPTS");
        let env_mode = env.get_non_empty_var("AWS_RETRY_MODE");
        let profiles = if env_attempts.is_none() || env_mode.is_none() {
            Some(ProfileSet::load(env, profile).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let from_profile = |key: &str| {
            profiles.as_ref().and_then(|p| {
                p.get(key)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (v.to_owned(), p.selected_profile().to_owned()))
            })
        };
        let attempts = match env_attempts {
            Some(v) => Some((v, "AWS_MAX_ATTEMPTS".to_owned())),
            None => from_profile("max_attempts")
                .map(|(v, p)| (v, format!("max_attempts of profile `{p}`"))),
        };
        if let Some((value, source)) = attempts {
            let n = value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    format!("invalid {source} {value:?}: expected an integer greater than 0")
                })?;
            config = config.with_max_attempts(n);
        }
        let mode = match env_mode {
            Some(v) => Some((v, "AWS_RETRY_MODE".to_owned())),
            None => {
                from_profile("retry_mode").map(|(v, p)| (v, format!("retry_mode of profile `{p}`")))
            }
        };
        if let Some((value, source)) = mode {
            let mode = RetryMode::parse(&value).map_err(|e| format!("{source}: {e}"))?;
            config = config.with_mode(mode);
        }
        Ok(config)
    }
}

/// Why an attempt is worth retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum RetryKind {
    /// The service throttled the request.
    Throttling,
    /// A transient failure: a 5xx answer, a transient error code, an I/O error.
    Transient,
    /// The attempt or the transport timed out.
    Timeout,
}

/// Error codes the SDKs retry as transient, whatever the status.
pub(crate) const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalError",
];

/// Statuses the SDKs retry as transient.
pub(crate) const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Error codes saying the client clock is off.
pub(crate) const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// How far the service's clock (`Date` header) may be from ours before a clock-skew error is
/// attributed to our clock.
pub(crate) const CLOCK_SKEW_THRESHOLD: Duration = Duration::from_secs(4 * 60);

/// Classifies an error response by status and error code; `None` means not retryable.
pub(crate) fn classify_response(status: u16, code: Option<&str>) -> Option<RetryKind> {
    if status == 429 || code.is_some_and(|c| crate::error::THROTTLING_CODES.contains(&c)) {
        Some(RetryKind::Throttling)
    } else if TRANSIENT_STATUSES.contains(&status)
        || code.is_some_and(|c| TRANSIENT_CODES.contains(&c))
    {
        Some(RetryKind::Transient)
    } else {
        None
    }
}

/// Signed milliseconds between two instants: `a - b`.
pub(crate) fn signed_millis(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis())
            .map(|m| -m)
            .unwrap_or(i64::MIN),
    }
}

/// `time` moved by `offset_ms` milliseconds (saturating at the epoch and far future).
pub(crate) fn apply_offset(time: SystemTime, offset_ms: i64) -> SystemTime {
    let delta = Duration::from_millis(offset_ms.unsigned_abs());
    if offset_ms >= 0 {
        time.checked_add(delta).unwrap_or(time)
    } else {
        time.checked_sub(delta)
            .filter(|t| *t >= UNIX_EPOCH)
            .unwrap_or(UNIX_EPOCH)
    }
}

/// When an error response blames the client clock (a clock-skew code, and a `Date` header more
/// than [`CLOCK_SKEW_THRESHOLD`] from `corrected_now`), the offset in milliseconds to add to
/// `raw_now` to agree with the service.
pub(crate) fn clock_skew(
    code: Option<&str>,
    date_header: Option<&str>,
    raw_now: SystemTime,
    corrected_now: SystemTime,
) -> Option<i64> {
    if !code.is_some_and(|c| CLOCK_SKEW_CODES.contains(&c)) {
        return None;
    }
    let server = crate::datetime::DateTime::parse(
        date_header?.trim(),
        crate::datetime::TimestampFormat::HttpDate,
    )
    .ok()?;
    let server = server.as_secs_f64();
    if !server.is_finite() || server < 0.0 {
        return None;
    }
    let server = UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(server).ok()?)?;
    let diff = signed_millis(server, corrected_now);
    if diff.unsigned_abs() <= CLOCK_SKEW_THRESHOLD.as_millis() as u64 {
        return None;
    }
    Some(signed_millis(server, raw_now))
}

/// The retry quota: a bucket of tokens shared by all calls of a client.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    available: u32,
    capacity: u32,
}

impl RetryQuota {
    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            available: capacity,
            capacity,
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub(crate) fn try_acquire(&mut self, cost: u32) -> bool {
        if self.available >= cost {
            self.available -= cost;
            true
        } else {
            false
        }
    }

    /// Gives back `amount` tokens, never beyond the capacity.
    pub(crate) fn release(&mut self, amount: u32) {
        self.available = self.available.saturating_add(amount).min(self.capacity);
    }

    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        self.available
    }
}

// Constants of the SDKs' adaptive rate limiter.
const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;
const SMOOTH: f64 = 0.8;
const BETA: f64 = 0.7;
const SCALE_CONSTANT: f64 = 0.4;

/// The client-side rate limiter of adaptive mode: a token bucket (one token per attempt)
/// whose fill rate drops multiplicatively on throttling and grows back along a cubic curve.
/// It stays disabled, letting everything through, until the first throttling response.
#[derive(Debug)]
pub(crate) struct ClientRateLimiter {
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_timestamp: Option<f64>,
    enabled: bool,
    measured_tx_rate: f64,
    last_tx_rate_bucket: f64,
    request_count: u64,
    last_max_rate: f64,
    last_throttle_time: f64,
    time_window: f64,
}

impl ClientRateLimiter {
    pub(crate) fn new(now: f64) -> Self {
        Self {
            fill_rate: 0.0,
            max_capacity: 0.0,
            current_capacity: 0.0,
            last_timestamp: None,
            enabled: false,
            measured_tx_rate: 0.0,
            last_tx_rate_bucket: (now * 2.0).floor() / 2.0,
            request_count: 0,
            last_max_rate: 0.0,
            last_throttle_time: now,
            time_window: 0.0,
        }
    }

    /// Takes a token for an attempt at `now` (seconds); returns how long to wait first.
    pub(crate) fn acquire(&mut self, now: f64) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        self.refill(now);
        let mut delay = 0.0;
        if self.current_capacity < 1.0 {
            delay = (1.0 - self.current_capacity) / self.fill_rate;
        }
        self.current_capacity -= 1.0;
        if delay.is_finite() && delay > 0.0 {
            Duration::try_from_secs_f64(delay).unwrap_or(Duration::MAX)
        } else {
            Duration::ZERO
        }
    }

    /// Feeds the outcome of an attempt answered at `now`.
    pub(crate) fn update(&mut self, throttled: bool, now: f64) {
        self.update_measured_rate(now);
        let calculated = if throttled {
            let rate_to_use = if self.enabled {
                self.measured_tx_rate.min(self.fill_rate)
            } else {
                self.measured_tx_rate
            };
            self.last_max_rate = rate_to_use;
            self.calculate_time_window();
            self.last_throttle_time = now;
            self.enabled = true;
            rate_to_use * BETA
        } else {
            self.calculate_time_window();
            SCALE_CONSTANT * (now - self.last_throttle_time - self.time_window).powi(3)
                + self.last_max_rate
        };
        let new_rate = calculated.min(2.0 * self.measured_tx_rate);
        self.update_fill_rate(new_rate, now);
    }

    fn calculate_time_window(&mut self) {
        self.time_window = ((self.last_max_rate * (1.0 - BETA)) / SCALE_CONSTANT).cbrt();
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_timestamp {
            let fill = (now - last).max(0.0) * self.fill_rate;
            self.current_capacity = (self.current_capacity + fill).min(self.max_capacity);
        }
        self.last_timestamp = Some(now);
    }

    fn update_fill_rate(&mut self, new_rate: f64, now: f64) {
        self.refill(now);
        let new_rate = if new_rate.is_finite() { new_rate } else { 0.0 };
        self.fill_rate = new_rate.max(MIN_FILL_RATE);
        self.max_capacity = new_rate.max(MIN_CAPACITY);
        self.current_capacity = self.current_capacity.min(self.max_capacity);
    }

    fn update_measured_rate(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.request_count += 1;
        if bucket > self.last_tx_rate_bucket {
            let rate = self.request_count as f64 / (bucket - self.last_tx_rate_bucket);
            self.measured_tx_rate = rate * SMOOTH + self.measured_tx_rate * (1.0 - SMOOTH);
            self.request_count = 0;
            self.last_tx_rate_bucket = bucket;
        }
    }

    #[cfg(test)]
    fn fill_rate(&self) -> f64 {
        self.fill_rate
    }
}

/// Seconds since the epoch, for the rate limiter.
pub(crate) fn epoch_secs(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_exponential_and_capped() {
        let c = RetryConfig::standard();
        let ms = |d: Duration| d.as_millis();
        assert_eq!(ms(c.backoff(RetryKind::Transient, 0, 1.0)), 50);
        assert_eq!(ms(c.backoff(RetryKind::Transient, 1, 1.0)), 100);
        assert_eq!(ms(c.backoff(RetryKind::Timeout, 2, 0.5)), 100);
        assert_eq!(ms(c.backoff(RetryKind::Transient, 3, 0.0)), 0);
        assert_eq!(ms(c.backoff(RetryKind::Throttling, 0, 0.25)), 250);
        assert_eq!(ms(c.backoff(RetryKind::Throttling, 3, 1.0)), 8000);
        assert_eq!(
            c.backoff(RetryKind::Throttling, 5, 1.0),
            Duration::from_secs(20)
        );
        assert_eq!(
            c.backoff(RetryKind::Transient, 40, 1.0),
            Duration::from_secs(20)
        );
        assert_eq!(
            c.backoff(RetryKind::Transient, u32::MAX, 1.0),
            Duration::from_secs(20)
        );
        // Out-of-range jitter is clamped, NaN is 0.
        assert_eq!(ms(c.backoff(RetryKind::Transient, 0, 7.0)), 50);
        assert_eq!(ms(c.backoff(RetryKind::Transient, 0, -1.0)), 0);
        assert_eq!(ms(c.backoff(RetryKind::Transient, 0, f64::NAN)), 0);
        let short = c.with_max_backoff(Duration::from_millis(70));
        assert_eq!(ms(short.backoff(RetryKind::Transient, 1, 1.0)), 70);
    }

    #[test]
    fn default_jitter_varies_and_its_backoff_stays_in_range() {
        let c = RetryConfig::standard();
        let jitter = c.jitter();
        let (a, b) = (jitter.next(), jitter.next());
        assert_ne!(a, b);
        let mut below_half = 0;
        for _ in 0..1000 {
            let r = jitter.next();
            assert!((0.0..=1.0).contains(&r), "{r}");
            below_half += u32::from(r < 0.5);
            let delay = c.backoff(RetryKind::Transient, 2, r);
            assert!(delay <= Duration::from_millis(200), "{delay:?}");
        }
        // Full jitter: about half the draws in each half of the range (the bound is more than
        // six standard deviations wide).
        assert!((400..=600).contains(&below_half), "{below_half}");
    }

    #[test]
    fn quota_takes_and_gives_back_within_capacity() {
        let mut q = RetryQuota::new(DEFAULT_QUOTA_CAPACITY);
        assert!(q.try_acquire(DEFAULT_TIMEOUT_RETRY_COST));
        assert_eq!(q.available(), 490);
        q.release(DEFAULT_TIMEOUT_RETRY_COST);
        assert_eq!(q.available(), 500);
        q.release(DEFAULT_NO_RETRY_INCREMENT);
        assert_eq!(q.available(), 500, "never above capacity");
        let mut taken = 0;
        while q.try_acquire(DEFAULT_RETRY_COST) {
            taken += 1;
        }
        assert_eq!((taken, q.available()), (100, 0));
        q.release(1);
        assert!(!q.try_acquire(DEFAULT_RETRY_COST));
        assert_eq!(q.available(), 1, "a refused acquire takes nothing");
        let mut q = RetryQuota::new(12);
        assert!(q.try_acquire(10));
        assert!(!q.try_acquire(5));
        assert_eq!(q.available(), 2);
    }

    #[test]
    fn classification_by_status_and_code() {
        assert_eq!(classify_response(429, None), Some(RetryKind::Throttling));
        assert_eq!(
            classify_response(400, Some("ThrottlingException")),
            Some(RetryKind::Throttling)
        );
        assert_eq!(
            classify_response(503, Some("SlowDown")),
            Some(RetryKind::Throttling)
        );
        for status in [500, 502, 503, 504] {
            assert_eq!(classify_response(status, None), Some(RetryKind::Transient));
        }
        assert_eq!(
            classify_response(400, Some("RequestTimeout")),
            Some(RetryKind::Transient)
        );
        assert_eq!(
            classify_response(408, Some("RequestTimeoutException")),
            Some(RetryKind::Transient)
        );
        for (status, code) in [
            (400, "ValidationException"),
            (403, "AccessDeniedException"),
            (404, "ResourceNotFoundException"),
            (409, "ConflictException"),
            (402, "ServiceQuotaExceededException"),
            (501, "NotImplemented"),
        ] {
            assert_eq!(classify_response(status, Some(code)), None, "{code}");
        }
        assert_eq!(classify_response(400, None), None);
    }

    #[test]
    fn clock_skew_needs_a_skew_code_and_a_distant_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_704_164_645); // 2024-01-02T03:04:05Z
        let hour_later = Some("Tue, 02 Jan 2024 04:04:05 GMT");
        assert_eq!(
            clock_skew(Some("InvalidSignatureException"), hour_later, now, now),
            Some(3_600_000)
        );
        assert_eq!(
            clock_skew(
                Some("RequestTimeTooSkewed"),
                Some("Tue, 02 Jan 2024 02:04:05 GMT"),
                now,
                now
            ),
            Some(-3_600_000)
        );
        // Within the threshold: the clock is not to blame.
        assert_eq!(
            clock_skew(
                Some("SignatureDoesNotMatch"),
                Some("Tue, 02 Jan 2024 03:07:05 GMT"),
                now,
                now
            ),
            None
        );
        assert_eq!(
            clock_skew(Some("AccessDeniedException"), hour_later, now, now),
            None
        );
        assert_eq!(clock_skew(Some("AuthFailure"), None, now, now), None);
        assert_eq!(
            clock_skew(Some("AuthFailure"), Some("yesterday"), now, now),
            None
        );
        // Already corrected: no new skew.
        let corrected = apply_offset(now, 3_600_000);
        assert_eq!(
            clock_skew(Some("AuthFailure"), hour_later, now, corrected),
            None
        );
        assert_eq!(apply_offset(now, -1000), now - Duration::from_secs(1));
        assert_eq!(apply_offset(UNIX_EPOCH, i64::MIN), UNIX_EPOCH);
    }

    #[test]
    fn rate_limiter_lets_everything_through_until_throttled() {
        let mut rl = ClientRateLimiter::new(1000.0);
        for i in 0..20 {
            let now = 1000.0 + f64::from(i) * 0.1;
            assert_eq!(rl.acquire(now), Duration::ZERO);
            rl.update(false, now);
        }
        assert!(!rl.enabled);
        rl.update(true, 1002.0);
        assert!(rl.enabled);
        // The new rate is 70 % of the measured rate, at least the minimum fill rate.
        let rate = rl.fill_rate();
        assert!(
            (MIN_FILL_RATE..=rl.measured_tx_rate).contains(&rate),
            "{rate}"
        );
        // Once the bucket is empty, back-to-back attempts are delayed by 1/fill_rate more
        // each.
        rl.acquire(1002.0);
        let d1 = rl.acquire(1002.0);
        let d2 = rl.acquire(1002.0);
        assert!(d2 > d1, "{d1:?} then {d2:?}");
        let step = (d2 - d1).as_secs_f64();
        assert!((step - 1.0 / rate).abs() < 1e-6, "{step} vs {}", 1.0 / rate);
    }

    #[test]
    fn rate_limiter_recovers_along_the_cubic_after_throttling() {
        let mut rl = ClientRateLimiter::new(0.0);
        // 10 requests per second for 5 seconds.
        let mut t = 0.0;
        while t < 5.0 {
            rl.update(false, t);
            t += 0.1;
        }
        rl.update(true, 5.0);
        let after_throttle = rl.fill_rate();
        let mut later = after_throttle;
        let mut t = 5.0;
        while t < 15.0 {
            t += 0.1;
            rl.update(false, t);
            later = rl.fill_rate();
        }
        assert!(later > after_throttle, "{after_throttle} -> {later}");
        // Never above twice the measured rate.
        assert!(later <= 2.0 * rl.measured_tx_rate + 1e-9);
    }

    #[test]
    fn modes_parse() {
        assert_eq!(RetryMode::parse(" Adaptive "), Ok(RetryMode::Adaptive));
        assert_eq!(RetryMode::parse("STANDARD"), Ok(RetryMode::Standard));
        assert_eq!(RetryMode::parse("legacy"), Ok(RetryMode::Standard));
        assert!(RetryMode::parse("fast").unwrap_err().contains("\"fast\""));
    }

    #[test]
    fn from_env_prefers_variables_then_profile() {
        let config_file = "[default]\nmax_attempts = 7\nretry_mode = adaptive\n\
                           [profile other]\nmax_attempts = 2\n";
        let env = ProviderEnv::fake()
            .home("/home/u")
            .file("/home/u/.aws/config", config_file);
        let c = RetryConfig::from_env(&env, None).unwrap();
        assert_eq!((c.max_attempts(), c.mode()), (7, RetryMode::Adaptive));
        let c = RetryConfig::from_env(&env, Some("other")).unwrap();
        assert_eq!((c.max_attempts(), c.mode()), (2, RetryMode::Standard));
        let env2 = env.clone().var("AWS_MAX_ATTEMPTS", "4");
        let c = RetryConfig::from_env(&env2, None).unwrap();
        assert_eq!((c.max_attempts(), c.mode()), (4, RetryMode::Adaptive));
        let env3 = env2.var("AWS_RETRY_MODE", "standard");
        let c = RetryConfig::from_env(&env3, None).unwrap();
        assert_eq!((c.max_attempts(), c.mode()), (4, RetryMode::Standard));
        let c = RetryConfig::from_env(&ProviderEnv::fake(), None).unwrap();
        assert_eq!((c.max_attempts(), c.mode()), (3, RetryMode::Standard));
    }

    #[test]
    fn from_env_rejects_bad_values_naming_the_source() {
        let e = RetryConfig::from_env(&ProviderEnv::fake().var("AWS_MAX_ATTEMPTS", "0"), None)
            .unwrap_err();
        assert_eq!(
            e,
            "invalid AWS_MAX_ATTEMPTS \"0\": expected an integer greater than 0"
        );
        let e = RetryConfig::from_env(&ProviderEnv::fake().var("AWS_RETRY_MODE", "turbo"), None)
            .unwrap_err();
        assert_eq!(
            e,
            "AWS_RETRY_MODE: invalid retry mode \"turbo\": expected `standard` or `adaptive`"
        );
        let env = ProviderEnv::fake()
            .home("/h")
            .file("/h/.aws/config", "[default]\nmax_attempts = many\n");
        let e = RetryConfig::from_env(&env, None).unwrap_err();
        assert_eq!(
            e,
            "invalid max_attempts of profile `default` \"many\": expected an integer greater than 0"
        );
        let env = ProviderEnv::fake()
            .home("/h")
            .unreadable_file("/h/.aws/config");
        assert!(RetryConfig::from_env(&env, None).is_err());
    }

    #[test]
    fn zero_attempts_mean_one() {
        assert_eq!(
            RetryConfig::standard().with_max_attempts(0).max_attempts(),
            1
        );
        assert_eq!(RetryConfig::disabled().max_attempts(), 1);
    }
}
