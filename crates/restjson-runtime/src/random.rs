//! Random numbers for backoff jitter, invocation ids and idempotency tokens, from the standard
//! library alone: they need to be unpredictable enough not to collide, never secret.
//!
//! Each thread keeps a [`RandomState`] (SipHash keyed from the operating system's random source,
//! once per thread) and a counter; a number is the keyed hash of the next counter value, so
//! every call gives 64 well-mixed bits without a system call, and threads never share a sequence.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};

thread_local! {
    static SOURCE: (RandomState, Cell<u64>) = (RandomState::new(), Cell::new(0));
}

/// 64 random bits.
pub(crate) fn u64() -> u64 {
    SOURCE.with(|(keys, counter)| {
        let n = counter.get();
        counter.set(n.wrapping_add(1));
        keys.hash_one(n)
    })
}

/// 128 random bits.
pub(crate) fn u128() -> u128 {
    (u128::from(u64()) << 64) | u128::from(u64())
}

/// A number uniformly distributed in `[0, 1)`, on the 2^-53 grid (every `f64` step there).
pub(crate) fn f64() -> f64 {
    (u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_values_differ() {
        let (a, b) = (u64(), u64());
        assert_ne!(a, b);
        let (a, b) = (u128(), u128());
        assert_ne!(a, b);
        assert_ne!(f64(), f64());
    }

    #[test]
    fn threads_draw_different_sequences() {
        let here: Vec<u64> = (0..4).map(|_| u64()).collect();
        let there = std::thread::spawn(|| (0..4).map(|_| u64()).collect::<Vec<u64>>())
            .join()
            .unwrap();
        assert!(
            here.iter().all(|v| !there.contains(v)),
            "{here:?} {there:?}"
        );
    }

    #[test]
    fn floats_are_in_the_unit_interval_and_spread_over_it() {
        // 10 000 draws in 10 bins: each bin expects 1000; a uniform source stays within
        // +-200 (more than 6 standard deviations) with overwhelming probability.
        let mut bins = [0u32; 10];
        for _ in 0..10_000 {
            let r = f64();
            assert!((0.0..1.0).contains(&r), "{r}");
            bins[(r * 10.0) as usize] += 1;
        }
        assert!(bins.iter().all(|&n| (800..=1200).contains(&n)), "{bins:?}");
    }

    #[test]
    fn every_bit_varies() {
        let (mut ones, mut zeros) = (0u64, 0u64);
        for _ in 0..256 {
            let v = u64();
            ones |= v;
            zeros |= !v;
        }
        assert_eq!((ones, zeros), (u64::MAX, u64::MAX));
    }
}
