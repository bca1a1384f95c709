//! The credentials cache: expiry, refresh ahead of time, single-flight refresh, errors.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use restjson_runtime::credentials::{
    Credentials, CredentialsCache, CredentialsError, CredentialsErrorKind, CredentialsFuture,
    ProvideCredentials,
};
use tokio::sync::Semaphore;

/// A settable clock.
#[derive(Clone)]
struct FakeClock(Arc<Mutex<SystemTime>>);

impl FakeClock {
    fn new() -> Self {
        Self(Arc::new(Mutex::new(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )))
    }
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
    fn as_fn(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let clock = self.clone();
        move || clock.now()
    }
}

type Respond = dyn Fn(usize) -> Result<Credentials, CredentialsError> + Send + Sync;

/// A provider answering call `n` (from 1) with `respond(n)`, optionally waiting for a permit.
struct Counting {
    calls: AtomicUsize,
    respond: Box<Respond>,
    gate: Option<Arc<Semaphore>>,
}

impl Counting {
    fn new(
        respond: impl Fn(usize) -> Result<Credentials, CredentialsError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            calls: AtomicUsize::new(0),
            respond: Box::new(respond),
            gate: None,
        }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counting")
            .field("calls", &self.calls())
            .finish()
    }
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(gate) = &self.gate {
                gate.acquire().await.expect("gate open").forget();
            }
            (self.respond)(n)
        })
    }
}

fn creds(n: usize, expiry: Option<SystemTime>) -> Credentials {
    Credentials::new(
        format!("AKID{n}"),
        format!("SECRET{n}"),
        Some(format!("TOKEN{n}")),
        expiry,
        "Test",
    )
}

/// Credentials that live for `ttl` from the clock's time at the call.
fn expiring(
    clock: &FakeClock,
    ttl: Duration,
) -> impl Fn(usize) -> Result<Credentials, CredentialsError> + Send + Sync + 'static {
    let clock = clock.clone();
    move |n| Ok(creds(n, Some(clock.now() + ttl)))
}

async fn key(cache: &impl ProvideCredentials) -> String {
    cache
        .provide_credentials()
        .await
        .map(|c| c.access_key_id().to_string())
        .unwrap_or_else(|e| format!("error: {e}"))
}

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn credentials_without_expiry_are_never_refreshed() {
    let clock = FakeClock::new();
    let cache =
        CredentialsCache::new(Counting::new(|n| Ok(creds(n, None)))).with_clock(clock.as_fn());
    for _ in 0..5 {
        assert_eq!(key(&cache).await, "AKID1");
        clock.advance(Duration::from_secs(365 * 24 * 3600));
    }
    assert_eq!(cache.provider().calls(), 1);
}

#[tokio::test]
async fn refreshes_five_minutes_before_expiry_by_default() {
    let clock = FakeClock::new();
    let cache = CredentialsCache::new(Counting::new(expiring(&clock, 60 * MINUTE)))
        .with_clock(clock.as_fn());
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(54 * MINUTE);
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(MINUTE - Duration::from_secs(1));
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(Duration::from_secs(1));
    assert_eq!(key(&cache).await, "AKID2");
    assert_eq!(cache.provider().calls(), 2);
    // The new credentials count from the refresh.
    clock.advance(54 * MINUTE);
    assert_eq!(key(&cache).await, "AKID2");
    assert_eq!(cache.provider().calls(), 2);
}

#[tokio::test]
async fn refresh_buffer_is_configurable() {
    let clock = FakeClock::new();
    let cache = CredentialsCache::new(Counting::new(expiring(&clock, 60 * MINUTE)))
        .with_clock(clock.as_fn())
        .with_refresh_buffer(10 * MINUTE);
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(50 * MINUTE - Duration::from_secs(1));
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(Duration::from_secs(1));
    assert_eq!(key(&cache).await, "AKID2");
}

#[tokio::test]
async fn short_lived_credentials_refresh_halfway() {
    let clock = FakeClock::new();
    let cache = CredentialsCache::new(Counting::new(expiring(&clock, 4 * MINUTE)))
        .with_clock(clock.as_fn());
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(2 * MINUTE - Duration::from_secs(1));
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(Duration::from_secs(1));
    assert_eq!(key(&cache).await, "AKID2");
}

#[tokio::test]
async fn errors_are_not_cached() {
    let cache = CredentialsCache::new(Counting::new(|n| {
        if n == 1 {
            Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                "first call fails",
            ))
        } else {
            Ok(creds(n, None))
        }
    }));
    assert_eq!(key(&cache).await, "error: first call fails");
    assert_eq!(key(&cache).await, "AKID2");
    assert_eq!(key(&cache).await, "AKID2");
    assert_eq!(cache.provider().calls(), 2);
}

#[tokio::test]
async fn failed_refresh_keeps_unexpired_credentials_until_expiry() {
    let clock = FakeClock::new();
    let start = clock.now();
    let cache = CredentialsCache::new(Counting::new(move |n| {
        if n == 1 {
            Ok(creds(1, Some(start + 60 * MINUTE)))
        } else {
            Err(CredentialsError::new(
                CredentialsErrorKind::ProviderError,
                "refresh failed",
            ))
        }
    }))
    .with_clock(clock.as_fn());
    assert_eq!(key(&cache).await, "AKID1");
    clock.advance(58 * MINUTE);
    assert_eq!(key(&cache).await, "AKID1");
    assert_eq!(cache.provider().calls(), 2);
    clock.advance(2 * MINUTE);
    assert_eq!(key(&cache).await, "error: refresh failed");
    assert_eq!(cache.provider().calls(), 3);
}

#[tokio::test]
async fn expired_credentials_from_the_provider_are_refetched_each_time() {
    let clock = FakeClock::new();
    let past = clock.now() - MINUTE;
    let cache = CredentialsCache::new(Counting::new(move |n| Ok(creds(n, Some(past)))))
        .with_clock(clock.as_fn());
    assert_eq!(key(&cache).await, "AKID1");
    assert_eq!(key(&cache).await, "AKID2");
}

#[tokio::test]
async fn invalidate_forces_a_refetch() {
    let cache = CredentialsCache::new(Counting::new(|n| Ok(creds(n, None))));
    assert_eq!(key(&cache).await, "AKID1");
    cache.invalidate();
    assert_eq!(key(&cache).await, "AKID2");
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let gate = Arc::new(Semaphore::new(0));
    let mut provider = Counting::new(|n| Ok(creds(n, None)));
    provider.gate = Some(gate.clone());
    let cache = Arc::new(CredentialsCache::new(provider));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { key(cache.as_ref()).await })
        })
        .collect();
    // On this single-threaded runtime each task runs until it waits: the first inside the
    // provider, the nine others on the refresh.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(cache.provider().calls(), 1);
    gate.add_permits(1);
    for task in tasks {
        assert_eq!(task.await.unwrap(), "AKID1");
    }
    assert_eq!(cache.provider().calls(), 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh_on_many_threads() {
    let clock = FakeClock::new();
    let cache = Arc::new(
        CredentialsCache::new(Counting::new(expiring(&clock, 60 * MINUTE)))
            .with_clock(clock.as_fn()),
    );
    assert_eq!(key(cache.as_ref()).await, "AKID1");
    clock.advance(56 * MINUTE);
    let runtime_tasks: Vec<_> = (0..8)
        .map(|_| {
            let cache = cache.clone();
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap()
                    .block_on(async move { key(cache.as_ref()).await })
            })
        })
        .collect();
    for task in runtime_tasks {
        assert_eq!(task.join().unwrap(), "AKID2");
    }
    assert_eq!(cache.provider().calls(), 2);
}

#[tokio::test]
async fn debug_output_has_no_secrets() {
    let cache = CredentialsCache::new(Counting::new(|n| Ok(creds(n, None))));
    assert_eq!(key(&cache).await, "AKID1");
    let debug = format!("{cache:?}");
    assert!(debug.contains("Test"), "{debug}");
    assert!(
        !debug.contains("SECRET1") && !debug.contains("TOKEN1"),
        "{debug}"
    );
}
