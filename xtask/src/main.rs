//! Maintainer tasks for the workspace: `cargo xtask <command>`.

mod docs;
mod emit;
mod ir;
mod model;
mod models;
mod naming;
mod protocol_tests;
mod public_api;
mod sweep;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen [--check] [--models-dir DIR]
      Regenerate crates/ivschat from DIR/ivschat.json (default DIR: models/). With --check,
      change nothing and fail if the checked-in crate differs from what would be generated.
  codegen --model PATH --out DIR [--crate-name NAME] [--partitions FILE] [--check]
      Generate a standalone client crate for any restJson1 model. The partition table for
      endpoint rules defaults to partitions.json beside the model or one directory up.
  protocol-tests [--models-dir DIR]
      Generate clients from DIR/protocol-tests/aws-restjson1.json (default DIR: ../shared/models)
      into target/protocol-tests/, run Smithy's restJson1 client compliance cases against them
      and print `N passed, M failed, K skipped`; fails when any case fails.
  sweep [--models-dir DIR] [--no-check] [--only NAME,NAME] [--report FILE]
      Generate a client for every model in DIR (default ../shared/models/restjson1) into
      target/sweep/ and `cargo check` them all (one workspace, one target dir, -D warnings),
      printing one line per model (ok, refused: reason, compile error: first error), the
      operations skipped in each, and a tally; --no-check only generates. Fails when any model
      is refused or does not compile.
  public-api [--check] [--crate-dir DIR --crate-name NAME]
      Print the public API of crates/restjson-runtime (one item per line, read with syn); with
      --check, fail if it differs from crates/restjson-runtime/public-api.txt. --crate-dir lists
      another library crate instead (named NAME in the list).
  fetch-models [--dest DIR] [--base-url URL]
      Download the pinned model inputs listed in models/manifest.json (needs network access
      and curl), verifying each sha256 before it is put in place.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

struct Flags {
    check: bool,
    no_check: bool,
    only: Option<Vec<String>>,
    report: Option<PathBuf>,
    models_dir: Option<PathBuf>,
    model: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: Option<String>,
    partitions: Option<PathBuf>,
    crate_dir: Option<PathBuf>,
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags {
        check: false,
        no_check: false,
        only: None,
        report: None,
        models_dir: None,
        model: None,
        out: None,
        crate_name: None,
        partitions: None,
        crate_dir: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match a.as_str() {
            "--check" => flags.check = true,
            "--no-check" => flags.no_check = true,
            "--only" => flags.only = Some(value("--only")?.split(',').map(str::to_owned).collect()),
            "--report" => flags.report = Some(PathBuf::from(value("--report")?)),
            "--models-dir" => flags.models_dir = Some(PathBuf::from(value("--models-dir")?)),
            "--model" => flags.model = Some(PathBuf::from(value("--model")?)),
            "--out" => flags.out = Some(PathBuf::from(value("--out")?)),
            "--crate-name" => flags.crate_name = Some(value("--crate-name")?),
            "--partitions" => flags.partitions = Some(PathBuf::from(value("--partitions")?)),
            "--crate-dir" => flags.crate_dir = Some(PathBuf::from(value("--crate-dir")?)),
            other => return Err(format!("unknown option `{other}`\n\n{USAGE}")),
        }
    }
    Ok(flags)
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let flags = parse_flags(&args[1..])?;
            codegen(&flags)
        }
        Some("protocol-tests") => {
            let flags = parse_flags(&args[1..])?;
            protocol_tests::run(&workspace_root(), flags.models_dir)
        }
        Some("sweep") => {
            let flags = parse_flags(&args[1..])?;
            let root = workspace_root();
            sweep::run(
                &root,
                &sweep::SweepFlags {
                    models_dir: flags
                        .models_dir
                        .unwrap_or_else(|| root.join("../shared/models/restjson1")),
                    check: !flags.no_check,
                    only: flags.only,
                    report: flags.report,
                },
            )
        }
        Some("public-api") => {
            let flags = parse_flags(&args[1..])?;
            match (flags.crate_dir, flags.crate_name) {
                (Some(dir), Some(name)) => {
                    print!("{}", public_api::list(&dir, &name)?);
                    Ok(())
                }
                (None, None) => public_api::run(&workspace_root(), flags.check),
                _ => Err(format!(
                    "--crate-dir and --crate-name go together\n\n{USAGE}"
                )),
            }
        }
        Some("fetch-models") => models::fetch_models_command(&workspace_root(), &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

/// Reads `files` from `models_dir`, refusing any whose sha256 differs from the manifest's
/// (every failure is reported).
fn read_pinned(models_dir: &Path, files: &[&str]) -> Result<Vec<String>, String> {
    let manifest = models::load_manifest(&workspace_root())?;
    models::verify_inputs(&manifest, models_dir, files)?
        .iter()
        .map(|path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

fn codegen(flags: &Flags) -> Result<(), String> {
    let root = workspace_root();
    let (model_text, model_label, out_dir, options) = match (&flags.model, &flags.out) {
        (Some(model), Some(out)) => {
            let text = std::fs::read_to_string(model)
                .map_err(|e| format!("{}: cannot read: {e}", model.display()))?;
            let stem = model
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("client")
                .to_owned();
            let crate_name = flags.crate_name.clone().unwrap_or(stem);
            let out_abs = if out.is_absolute() {
                out.clone()
            } else {
                std::env::current_dir()
                    .map_err(|e| e.to_string())?
                    .join(out)
            };
            let runtime = root.join("crates/restjson-runtime");
            // The partition table: given, or beside the model, or one directory up.
            let partitions_path = flags.partitions.clone().or_else(|| {
                let dir = model.parent()?;
                [
                    dir.join("partitions.json"),
                    dir.parent()?.join("partitions.json"),
                ]
                .into_iter()
                .find(|p| p.is_file())
            });
            let partitions = match &partitions_path {
                Some(p) => {
                    Some(std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?)
                }
                None => None,
            };
            let options = emit::Options {
                crate_name: crate_name.clone(),
                crate_version: "0.1.0".into(),
                runtime_path: runtime.display().to_string(),
                command: format!(
                    "cargo xtask codegen --model {} --out {} --crate-name {crate_name}",
                    model.display(),
                    out.display()
                ),
                cargo: emit::CargoMode::Standalone,
                format: true,
                partitions,
                endpoint_skips: Vec::new(),
                publish: false,
                license: None,
            };
            (text, model.display().to_string(), out_abs, options)
        }
        (None, None) => {
            let models_dir = flags
                .models_dir
                .clone()
                .unwrap_or_else(|| root.join("models"));
            let mut inputs =
                read_pinned(&models_dir, &["ivschat.json", "partitions.json"])?.into_iter();
            let (Some(text), Some(partitions)) = (inputs.next(), inputs.next()) else {
                return Err("internal error: inputs missing after verification".into());
            };
            let options = emit::Options {
                crate_name: "ivschat".into(),
                crate_version: "0.1.0".into(),
                runtime_path: "../restjson-runtime".into(),
                command: "cargo xtask codegen".into(),
                cargo: emit::CargoMode::Workspace,
                format: true,
                partitions: Some(partitions),
                endpoint_skips: endpoint_skips(&root)?,
                publish: true,
                // The crate ships the repository's license (a copy: packages hold no links).
                license: Some(std::fs::read_to_string(root.join("LICENSE")).map_err(|e| {
                    format!(
                        "{}: {e} (the generated crate ships a copy of it)",
                        root.join("LICENSE").display()
                    )
                })?),
            };
            (
                text,
                models_dir.join("ivschat.json").display().to_string(),
                root.join("crates/ivschat"),
                options,
            )
        }
        _ => return Err(format!("--model and --out go together\n\n{USAGE}")),
    };
    let model = model::parse(&model_text).map_err(|e| format!("{model_label}: {e}"))?;
    let service = ir::lower(&model).map_err(|e| format!("{model_label}: {e}"))?;
    for s in &service.skipped {
        eprintln!(
            "warning: {model_label}: operation `{}` skipped: {}",
            s.operation, s.reason
        );
    }
    let files = emit::generate(&service, &options)?;
    if flags.check {
        check(&out_dir, &files, &options.command)
    } else {
        write(&out_dir, &files)?;
        println!("generated {} files into {}", files.len(), out_dir.display());
        Ok(())
    }
}

/// The endpoint test cases that the pinned partition table contradicts, with the reason.
fn endpoint_skips(root: &Path) -> Result<Vec<(String, String)>, String> {
    let path = root.join("models/endpoint-test-skips.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    v["skips"]
        .as_array()
        .ok_or_else(|| format!("{}: expected a `skips` list", path.display()))?
        .iter()
        .map(
            |s| match (s["documentation"].as_str(), s["reason"].as_str()) {
                (Some(d), Some(r)) => Ok((d.to_owned(), r.to_owned())),
                _ => Err(format!(
                    "{}: each skip needs `documentation` and `reason`",
                    path.display()
                )),
            },
        )
        .collect()
}

/// Files under `dir/src` and `dir/tests` that generation owns (every `.rs` file there).
fn existing_generated(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let (true, Ok(rel)) = (
                p.extension().is_some_and(|x| x == "rs"),
                p.strip_prefix(base),
            ) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &dir.join("src"), &mut out);
    walk(dir, &dir.join("tests"), &mut out);
    out.sort();
    out
}

fn write(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    for stale in existing_generated(dir) {
        if !files.contains_key(&stale) {
            std::fs::remove_file(dir.join(&stale)).map_err(|e| format!("{stale}: {e}"))?;
        }
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn check(dir: &Path, files: &BTreeMap<String, String>, command: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    for (rel, text) in files {
        match std::fs::read_to_string(dir.join(rel)) {
            Ok(existing) if existing == *text => {}
            Ok(_) => problems.push(format!("stale: {}", dir.join(rel).display())),
            Err(_) => problems.push(format!("missing: {}", dir.join(rel).display())),
        }
    }
    for extra in existing_generated(dir) {
        if !files.contains_key(&extra) {
            problems.push(format!(
                "not generated (remove it): {}",
                dir.join(extra).display()
            ));
        }
    }
    if problems.is_empty() {
        println!("{} is up to date ({} files)", dir.display(), files.len());
        Ok(())
    } else {
        Err(format!(
            "generated code is out of date:\n  {}\nrun `{command}` (with the same --models-dir) to regenerate",
            problems.join("\n  ")
        ))
    }
}
