//! Caching of credentials, refreshed ahead of their expiry.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, CredentialsFuture, ProvideCredentials};

/// Refresh this long before credentials expire unless configured otherwise.
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// The clock a [`CredentialsCache`] reads.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

#[derive(Clone)]
struct Cached {
    credentials: Credentials,
    /// `None`: the credentials never expire and are never refreshed.
    refresh_at: Option<SystemTime>,
}

/// Wraps a provider and hands out its credentials until shortly before they expire.
///
/// * Credentials without expiry are fetched once and kept.
/// * Expiring credentials are refreshed `buffer` before their expiry (5 minutes by default;
///   credentials living less than twice that are refreshed halfway through their life).
/// * Concurrent callers needing a refresh share a single call to the inner provider.
/// * Errors are never cached: the next caller tries again. If a refresh fails while the
///   cached credentials have not yet expired, those are returned instead.
pub struct CredentialsCache<P> {
    provider: P,
    buffer: Duration,
    clock: Clock,
    cached: RwLock<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
}

impl<P: ProvideCredentials> CredentialsCache<P> {
    /// Caches the credentials of `provider`, using the system clock.
    pub fn new(provider: P) -> Self {
        Self {
            provider,
            buffer: DEFAULT_REFRESH_BUFFER,
            clock: Arc::new(SystemTime::now),
            cached: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// How long before expiry credentials are refreshed.
    pub fn with_refresh_buffer(mut self, buffer: Duration) -> Self {
        self.buffer = buffer;
        self
    }

    /// Replaces the system clock (for tests).
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Forgets the cached credentials, so that the next call asks the provider (for example
    /// after the service rejected them).
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The inner provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    fn cached(&self) -> Option<Cached> {
        self.cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        let cached = self.cached()?;
        match cached.refresh_at {
            None => Some(cached.credentials),
            Some(at) if now < at => Some(cached.credentials),
            Some(_) => None,
        }
    }

    fn refresh_at(&self, credentials: &Credentials, now: SystemTime) -> Option<SystemTime> {
        let expiry = credentials.expiry()?;
        let remaining = expiry.duration_since(now).unwrap_or_default();
        Some(if remaining > self.buffer.saturating_mul(2) {
            expiry - self.buffer
        } else {
            // Short-lived credentials: refreshing `buffer` early would mean refreshing on
            // every call.
            now + remaining / 2
        })
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        if let Some(credentials) = self.fresh((self.clock)()) {
            return Ok(credentials);
        }
        let _refreshing = self.refresh.lock().await;
        let now = (self.clock)();
        // Another caller may have refreshed while this one waited.
        if let Some(credentials) = self.fresh(now) {
            return Ok(credentials);
        }
        match self.provider.provide_credentials().await {
            Ok(credentials) => {
                let now = (self.clock)();
                let refresh_at = self.refresh_at(&credentials, now);
                *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
                    credentials: credentials.clone(),
                    refresh_at,
                });
                tracing::debug!(provider = credentials.provider_name(), "loaded credentials");
                Ok(credentials)
            }
            Err(error) => {
                if let Some(cached) = self.cached()
                    && cached
                        .credentials
                        .expiry()
                        .is_some_and(|expiry| now < expiry)
                {
                    tracing::warn!(
                        provider = cached.credentials.provider_name(),
                        "refreshing credentials failed; using the cached ones until they expire: {error}"
                    );
                    return Ok(cached.credentials);
                }
                Err(error)
            }
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CredentialsCache<P> {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

impl<P: fmt::Debug> fmt::Debug for CredentialsCache<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .cached
            .read()
            .map(|c| {
                c.as_ref()
                    .map(|c| (c.credentials.provider_name(), c.refresh_at))
            })
            .unwrap_or(None);
        f.debug_struct("CredentialsCache")
            .field("provider", &self.provider)
            .field("buffer", &self.buffer)
            .field("cached", &cached)
            .finish()
    }
}
