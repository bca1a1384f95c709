//! Percentiles and medians.

/// The `q`-quantile (0..=1) of `sorted` by the nearest-rank method; 0 when empty.
pub fn quantile<T: Copy + Default>(sorted: &[T], q: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = (q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of `values` (mean of the middle two for an even count); 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A distribution-free confidence interval of at least 95 % for the median of the population
/// `sorted` (ascending) was drawn from: the `k`-th smallest and `k`-th largest values, with `k`
/// the largest rank for which fewer than `k` of `n` draws fall below the median with probability
/// at most 2.5 % (binomial, p = 1/2). Its width shows how well `n` rounds pin the median down on
/// a noisy machine. `None` for fewer than 6 values, too few for 95 %.
pub fn median_interval<T: Copy>(sorted: &[T]) -> Option<(T, T)> {
    let k = median_interval_rank(sorted.len())?;
    Some((sorted[k - 1], sorted[sorted.len() - k]))
}

/// The rank `k` of [`median_interval`] for `n` values.
fn median_interval_rank(n: usize) -> Option<usize> {
    // P(X <= i) for X ~ Binomial(n, 1/2), summed term by term; each term C(n, i) / 2^n is
    // carried as its logarithm, so that no count of rounds underflows it. The sum passes 2.5 %
    // before i reaches n / 2 (P(X <= n / 2) >= 1/2), so k stays in the lower half.
    let mut ln_term = -(n as f64) * std::f64::consts::LN_2;
    let mut below = 0.0;
    let mut k = None;
    for i in 0..n {
        below += ln_term.exp();
        if below > 0.025 {
            break;
        }
        // At most i of n below the median (fewer than k = i + 1) has probability <= 2.5 %.
        k = Some(i + 1);
        ln_term += ((n - i) as f64 / (i + 1) as f64).ln();
    }
    k
}

/// The quantiles the client processes report for plotting: 1% steps, plus 99.5 and 99.9.
pub fn plot_quantiles() -> Vec<f64> {
    let mut q: Vec<f64> = (0..=100).map(|i| f64::from(i) / 100.0).collect();
    q.insert(100, 0.995);
    q.insert(101, 0.999);
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_medians() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), 50);
        assert_eq!(quantile(&v, 0.99), 99);
        assert_eq!(quantile(&v, 0.0), 1);
        assert_eq!(quantile(&v, 1.0), 100);
        assert_eq!(quantile::<u64>(&[], 0.5), 0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
        let q = plot_quantiles();
        assert_eq!(q.len(), 103);
        assert!(q.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn median_intervals_cover_at_least_95_percent() {
        // For 21 values: P(X <= 5) = 1.3 % and P(X <= 6) = 3.9 % (X ~ Binomial(21, 1/2)).
        assert_eq!(median_interval_rank(5), None);
        assert_eq!(median_interval_rank(6), Some(1));
        assert_eq!(median_interval_rank(21), Some(6));
        assert_eq!(median_interval_rank(41), Some(14));
        assert_eq!(median_interval_rank(61), Some(23));
        // Many rounds: near the normal approximation n/2 - 1.96 sqrt(n)/2 (2430.7 for 5,000).
        let k = median_interval_rank(5000).expect("enough values");
        assert!((2429..=2432).contains(&k), "{k}");
        let v: Vec<u32> = (1..=21).collect();
        assert_eq!(median_interval(&v), Some((6, 16)));
        assert_eq!(median_interval(&v[..5]), None);
        // The coverage 1 - 2 P(X < k) is at least 95 % and one rank further would not be.
        for n in 6..200usize {
            let k = median_interval_rank(n).expect("n >= 6");
            let below = |k: usize| -> f64 {
                (0..k)
                    .map(|i| (0..i).fold(1.0, |c, j| c * (n - j) as f64 / (j + 1) as f64))
                    .sum::<f64>()
                    * 0.5f64.powi(n as i32)
            };
            assert!(below(k) <= 0.025, "n {n} k {k}");
            assert!(below(k + 1) > 0.025, "n {n} k {k}");
        }
    }
}
