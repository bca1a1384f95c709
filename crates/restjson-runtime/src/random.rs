//! Random numbers for backoff jitter, invocation ids and idempotency tokens, from the standard
//! library alone: they need to be unpredictable enough not to collide, never secret.
//!
//! Each thread draws a random starting point once (from a [`RandomState`], which the operating
//! system's random source keys) and then walks the SplitMix64 sequence from it: a fixed step
//! and a bijective mix of 64 well-mixed bits per call, a few instructions without a system call
//! or a keyed hash. A thread repeats no value before 2^64 draws, and two threads' sequences
//! only meet if their random starting points fall within the draws made of each other.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};

thread_local! {
    static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(0x5eed_u64));
}

/// The SplitMix64 step (Steele, Lea and Flood, 2014): the golden-ratio increment.
const STEP: u64 = 0x9e37_79b9_7f4a_7c15;

/// 64 random bits.
pub(crate) fn u64() -> u64 {
    STATE.with(|state| {
        let s = state.get().wrapping_add(STEP);
        state.set(s);
        mix(s)
    })
}

/// SplitMix64's finalizer: a bijection of `u64` whose output bits each depend on every input bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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
    fn the_mix_is_splitmix64() {
        // The first outputs of SplitMix64 seeded with 0, from its reference implementation.
        assert_eq!(mix(STEP), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix(STEP.wrapping_mul(2)), 0x6e78_9e6a_a1b9_65f4);
    }

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
