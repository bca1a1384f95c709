//! `ivschat-bench pool`: the paired CPU ratios of several runs (`run --json` files), each run's
//! median beside the median of all their rounds together.
//!
//! One run's median moves with the state of the host by more than its own interval says; the
//! rounds of several runs, pooled, pin the ratio down better, and the spread of the runs'
//! medians shows how far the host moved it.

use serde_json::Value;

use crate::stats;

/// The pairs of variants compared, when a file has both: `(numerator, denominator)`.
const PAIRS: [(&str, &str); 3] = [("sdk", "floor"), ("baseline", "floor"), ("sdk", "baseline")];

/// The report for `files` (name, contents of a `run --json` file), as a Markdown table.
pub fn markdown(files: &[(String, Value)]) -> Result<String, String> {
    let mut runs_of = Vec::with_capacity(files.len());
    for (name, doc) in files {
        let runs = doc
            .get("runs")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{name} has no `runs` list: not written by `run --json`"))?;
        runs_of.push(runs.as_slice());
    }
    // The cases in their order of first appearance.
    let mut cases: Vec<(&str, u64)> = Vec::new();
    for run in runs_of.iter().flat_map(|runs| runs.iter()) {
        if let (Some(op), Some(c)) = (run["op"].as_str(), run["concurrency"].as_u64())
            && !cases.contains(&(op, c))
        {
            cases.push((op, c));
        }
    }
    let mut out = String::from(
        "| operation | conc. | CPU/op of | each run's median | pooled median | its middle half of rounds | 95 % CI of the pooled median | rounds |\n\
         |---|---:|---|---|---:|---:|---:|---:|\n",
    );
    for (op, c) in cases {
        for (num, den) in PAIRS {
            let per_file: Vec<Vec<f64>> = runs_of
                .iter()
                .map(|runs| round_ratios(runs, op, c, num, den))
                .collect();
            let mut pooled: Vec<f64> = per_file.iter().flatten().copied().collect();
            if pooled.is_empty() {
                continue;
            }
            pooled.sort_by(f64::total_cmp);
            let medians: Vec<String> = per_file
                .iter()
                .map(|r| {
                    if r.is_empty() {
                        "–".to_owned()
                    } else {
                        format!("{:.3}", stats::median(r))
                    }
                })
                .collect();
            let interval = match stats::median_interval(&pooled) {
                Some((low, high)) => format!("{low:.3}–{high:.3}x"),
                None => "–".to_owned(),
            };
            out.push_str(&format!(
                "| {op} | {c} | {num} / {den} | {} | {:.3}x | {:.3}–{:.3}x | {interval} | {} |\n",
                medians.join(", "),
                stats::median(&pooled),
                stats::quantile(&pooled, 0.25),
                stats::quantile(&pooled, 0.75),
                pooled.len()
            ));
        }
    }
    Ok(out)
}

/// `num / den` CPU per call in each round of `runs` that ran both, for one case.
fn round_ratios(runs: &[Value], op: &str, c: u64, num: &str, den: &str) -> Vec<f64> {
    let is = |r: &Value, variant: &str| {
        r["op"] == op && r["concurrency"] == c && r["variant"] == variant
    };
    runs.iter()
        .filter(|r| is(r, num))
        .filter_map(|r| {
            let other = runs
                .iter()
                .find(|o| is(o, den) && o["round"] == r["round"])?;
            let ratio = cpu(r)? / cpu(other)?;
            ratio.is_finite().then_some(ratio)
        })
        .collect()
}

fn cpu(run: &Value) -> Option<f64> {
    run.get("cpu_us_per_op").and_then(Value::as_f64)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::markdown;

    fn file(sdk: &[f64], floor: &[f64]) -> Value {
        let mut runs = Vec::new();
        for (round, (s, f)) in sdk.iter().zip(floor).enumerate() {
            for (variant, cpu) in [("sdk", s), ("floor", f)] {
                runs.push(json!({
                    "op": "get-room", "concurrency": 1, "variant": variant,
                    "round": round + 1, "cpu_us_per_op": cpu,
                }));
            }
        }
        json!({ "runs": runs })
    }

    #[test]
    fn rounds_are_paired_within_a_run_and_pooled_across_runs() {
        // Run a: ratios 1.0, 1.1, 1.2; run b: 1.3, 1.4, 1.5, 1.6 (the floor's CPU differs per
        // round, so a pairing across rounds or runs would give other ratios).
        let a = file(&[10.0, 22.0, 36.0], &[10.0, 20.0, 30.0]);
        let b = file(&[13.0, 28.0, 45.0, 64.0], &[10.0, 20.0, 30.0, 40.0]);
        let report = markdown(&[("a".into(), a), ("b".into(), b)]).expect("report");
        let row = report.lines().nth(2).expect("one row");
        assert_eq!(
            row,
            "| get-room | 1 | sdk / floor | 1.100, 1.450 | 1.300x | 1.100–1.500x | 1.000–1.600x | 7 |"
        );
        assert_eq!(
            report.lines().count(),
            3,
            "no baseline in these runs: {report}"
        );
    }

    #[test]
    fn a_file_of_another_kind_is_named() {
        let err = markdown(&[("x.json".into(), json!({ "rounds": 5 }))]).unwrap_err();
        assert_eq!(
            err,
            "x.json has no `runs` list: not written by `run --json`"
        );
    }
}
