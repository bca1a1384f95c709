//! `cargo xtask sweep`: generates a client for every model in a directory and compiles them
//! all, to see how the generator fares on models it has never seen.
//!
//! The crates are members of one generated workspace (`target/sweep/`), checked by a single
//! `cargo check --keep-going` with one shared target directory and `-D warnings` (generated
//! code must compile without warnings, as it carries no blanket lint suppression). The report
//! has one line per model (`ok`, `refused: reason`, `compile error: first error`), the skipped
//! operations of each model, and a tally.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{emit, ir, model};

/// How one model fared.
enum Outcome {
    Generated {
        skipped: Vec<ir::Skipped>,
        compile_error: Option<String>,
    },
    Refused(String),
}

pub struct SweepFlags {
    pub models_dir: PathBuf,
    pub check: bool,
    pub only: Option<Vec<String>>,
    pub report: Option<PathBuf>,
}

pub fn run(root: &Path, flags: &SweepFlags) -> Result<(), String> {
    let mut models: Vec<PathBuf> = std::fs::read_dir(&flags.models_dir)
        .map_err(|e| format!("{}: {e}", flags.models_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    models.sort();
    if let Some(only) = &flags.only {
        models.retain(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| only.iter().any(|o| o == s))
        });
    }
    if models.is_empty() {
        return Err(format!("no models in {}", flags.models_dir.display()));
    }
    let out = root.join("target/sweep");
    let runtime = root.join("crates/restjson-runtime");
    let started = Instant::now();
    // Models are generated in parallel, one worker per core.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(String, Result<Vec<ir::Skipped>, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = models.get(i) else { break };
                        let name = path
                            .file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or("model")
                            .to_owned();
                        let crate_name = format!("sweep-{name}");
                        let result =
                            generate(path, &crate_name, &runtime).and_then(|(files, skipped)| {
                                crate::write(&out.join("crates").join(&name), &files)?;
                                Ok(skipped)
                            });
                        done.push((name, result));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        "(a sweep worker)".to_owned(),
                        Err("internal error: the generator panicked".to_owned()),
                    )]
                })
            })
            .collect()
    });
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut members = Vec::new();
    for (name, result) in results {
        let outcome = match result {
            Ok(skipped) => {
                members.push((name.clone(), format!("sweep-{name}")));
                Outcome::Generated {
                    skipped,
                    compile_error: None,
                }
            }
            Err(e) => Outcome::Refused(e),
        };
        outcomes.insert(name, outcome);
    }
    members.sort();
    let generated_in = started.elapsed();
    let mut checked_in = None;
    if flags.check && !members.is_empty() {
        let started = Instant::now();
        let errors = check(root, &out, &members)?;
        for (name, crate_name) in &members {
            if let (Some(Outcome::Generated { compile_error, .. }), Some(e)) =
                (outcomes.get_mut(name), errors.get(crate_name))
            {
                *compile_error = Some(e.clone());
            }
        }
        checked_in = Some(started.elapsed());
    }
    let report = render(&outcomes, flags.check);
    print!("{report}");
    println!(
        "generation took {:.1} s{}",
        generated_in.as_secs_f64(),
        checked_in
            .map(|d| format!(", cargo check {:.1} s", d.as_secs_f64()))
            .unwrap_or_default()
    );
    if let Some(path) = &flags.report {
        std::fs::write(path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let failed = outcomes.values().any(|o| match o {
        Outcome::Refused(_) => true,
        Outcome::Generated { compile_error, .. } => compile_error.is_some(),
    });
    if failed {
        Err("some models were refused or did not compile".into())
    } else {
        Ok(())
    }
}

fn generate(
    path: &Path,
    crate_name: &str,
    runtime: &Path,
) -> Result<(BTreeMap<String, String>, Vec<ir::Skipped>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let model = model::parse(&text)?;
    let service = ir::lower(&model)?;
    let options = emit::Options {
        crate_name: crate_name.to_owned(),
        crate_version: "0.1.0".into(),
        runtime_path: runtime.display().to_string(),
        command: format!("cargo xtask sweep ({})", path.display()),
        cargo: emit::CargoMode::Member,
        // Compiled, never read or checked in: formatting would only cost time.
        format: false,
        partitions: None,
        endpoint_skips: Vec::new(),
        publish: false,
        license: None,
    };
    let files = emit::generate(&service, &options)?;
    Ok((files, service.skipped))
}

/// Checks every generated crate with one `cargo check`; the first error of each crate that
/// failed, by package name.
fn check(
    root: &Path,
    out: &Path,
    members: &[(String, String)],
) -> Result<BTreeMap<String, String>, String> {
    let list: Vec<String> = members
        .iter()
        .map(|(name, _)| format!("    \"crates/{name}\","))
        .collect();
    let manifest = format!(
        "# Generated by `cargo xtask sweep`.\n[workspace]\nresolver = \"3\"\nmembers = [\n{}\n]\n",
        list.join("\n")
    );
    std::fs::write(out.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    // Pin dependency versions to the workspace's, so no resolution happens.
    let lock = out.join("Cargo.lock");
    if !lock.is_file() {
        std::fs::copy(root.join("Cargo.lock"), &lock).map_err(|e| format!("Cargo.lock: {e}"))?;
    }
    let mut child = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format",
            "json",
        ])
        .current_dir(out)
        .env("CARGO_TARGET_DIR", out.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child.stdout.take().ok_or("cargo has no stdout")?;
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if v["reason"] != "compiler-message" || v["message"]["level"] != "error" {
            continue;
        }
        let package = v["target"]["name"].as_str().unwrap_or("").replace('_', "-");
        let message = v["message"]["message"].as_str().unwrap_or("").to_owned();
        let place = v["message"]["spans"]
            .as_array()
            .and_then(|s| s.first())
            .map(|s| {
                format!(
                    " at {}:{}",
                    s["file_name"].as_str().unwrap_or("?"),
                    s["line_start"]
                )
            })
            .unwrap_or_default();
        errors
            .entry(package)
            .or_insert_with(|| format!("{message}{place}"));
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() && errors.is_empty() {
        return Err(format!(
            "cargo check failed ({status}) without a compiler error"
        ));
    }
    Ok(errors)
}

fn render(outcomes: &BTreeMap<String, Outcome>, checked: bool) -> String {
    let mut out = String::new();
    let (mut ok, mut refused, mut broken, mut skipped_ops, mut partial) = (0, 0, 0, 0, 0);
    for (name, o) in outcomes {
        match o {
            Outcome::Refused(e) => {
                refused += 1;
                out.push_str(&format!("{name}: refused: {e}\n"));
            }
            Outcome::Generated {
                skipped,
                compile_error,
            } => {
                match compile_error {
                    Some(e) => {
                        broken += 1;
                        out.push_str(&format!("{name}: compile error: {e}\n"));
                    }
                    None => {
                        ok += 1;
                        let what = if checked { "ok" } else { "generated" };
                        if skipped.is_empty() {
                            out.push_str(&format!("{name}: {what}\n"));
                        } else {
                            out.push_str(&format!(
                                "{name}: {what} ({} operation{} skipped)\n",
                                skipped.len(),
                                if skipped.len() == 1 { "" } else { "s" }
                            ));
                        }
                    }
                }
                if !skipped.is_empty() {
                    partial += 1;
                    skipped_ops += skipped.len();
                }
                for s in skipped {
                    out.push_str(&format!("    skipped {}: {}\n", s.operation, s.reason));
                }
            }
        }
    }
    out.push_str(&format!(
        "{} models: {ok} {}, {refused} refused, {broken} compile errors; {skipped_ops} operations skipped in {partial} models\n",
        outcomes.len(),
        if checked { "ok (generated and compiled)" } else { "generated (not compiled)" },
    ));
    out
}
