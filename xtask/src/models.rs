//! The pinned model inputs listed in `models/manifest.json`: loading the manifest, checking a
//! local copy against its sha256, and downloading the inputs (`cargo xtask fetch-models`).
//!
//! Inputs are never trusted by name alone: a file is used or moved into place only after its
//! sha256 matches the manifest, so a changed upstream file or a truncated download can never
//! reach the generator.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Where `fetch-models` downloads from unless told otherwise.
pub const DEFAULT_BASE_URL: &str = "https://raw.githubusercontent.com";

/// Where `fetch-models` puts the inputs, relative to the repository root (ignored by git).
pub const DEFAULT_MODELS_DIR: &str = "models";

/// Path of the manifest, relative to the repository root.
pub const MANIFEST_PATH: &str = "models/manifest.json";

/// `models/manifest.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Every pinned input.
    pub inputs: Vec<Input>,
}

/// One pinned input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Path of the file inside the models directory (`services/ivs.json`).
    pub file: String,
    /// What the file is used for (documentation for maintainers; not read by the tools).
    #[serde(default)]
    #[allow(dead_code)]
    pub role: String,
    /// GitHub repository it comes from (`owner/name`).
    pub repository: String,
    /// Path inside that repository.
    pub path: String,
    /// Commit it is pinned to (40 hex digits).
    pub commit: String,
    /// Expected sha256 of the file, lower-case hex.
    pub sha256: String,
    /// Built from upstream sources rather than copied, so it cannot be downloaded.
    #[serde(default)]
    pub derived: bool,
}

impl Manifest {
    /// Parses a manifest and checks every entry (see [`Input::validate`]).
    pub fn parse(text: &str, origin: &str) -> Result<Manifest, String> {
        let manifest: Manifest =
            serde_json::from_str(text).map_err(|e| format!("{origin}: invalid manifest: {e}"))?;
        let mut seen = std::collections::BTreeSet::new();
        for input in &manifest.inputs {
            input.validate().map_err(|e| format!("{origin}: {e}"))?;
            if !seen.insert(input.file.as_str()) {
                return Err(format!("{origin}: `{}` is listed twice", input.file));
            }
        }
        Ok(manifest)
    }

    /// The entry for `file`, if listed.
    pub fn input(&self, file: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.file == file)
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A relative path that stays inside the directory it is joined to.
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn is_url_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

impl Input {
    /// Checks that the entry can be used safely: `file` is a relative path inside the models
    /// directory, `repository` and `path` need no URL escaping, `commit` is a full commit id
    /// and `sha256` is 64 lower-case hex digits.
    pub fn validate(&self) -> Result<(), String> {
        let file = &self.file;
        if !is_safe_relative(file) {
            return Err(format!(
                "input `{file}`: `file` must be a relative path without `..`"
            ));
        }
        if !is_hex(&self.sha256, 64) {
            return Err(format!(
                "input `{file}`: sha256 `{}` is not 64 lower-case hex digits",
                self.sha256
            ));
        }
        if !is_hex(&self.commit, 40) {
            return Err(format!(
                "input `{file}`: commit `{}` is not 40 lower-case hex digits",
                self.commit
            ));
        }
        let repo_ok = is_url_safe(&self.repository) && self.repository.split('/').count() == 2;
        if !repo_ok || !is_safe_relative(&self.repository) {
            return Err(format!(
                "input `{file}`: repository `{}` is not `owner/name`",
                self.repository
            ));
        }
        if !is_url_safe(&self.path) || !is_safe_relative(&self.path) {
            return Err(format!(
                "input `{file}`: path `{}` is not a plain relative path",
                self.path
            ));
        }
        Ok(())
    }

    /// `{base_url}/{repository}/{commit}/{path}`.
    pub fn url(&self, base_url: &str) -> String {
        format!(
            "{}/{}/{}/{}",
            base_url.trim_end_matches('/'),
            self.repository,
            self.commit,
            self.path
        )
    }
}

/// Reads `<repo_root>/models/manifest.json`.
pub fn load_manifest(repo_root: &Path) -> Result<Manifest, String> {
    let path = repo_root.join(MANIFEST_PATH);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read the manifest: {e}", path.display()))?;
    Manifest::parse(&text, &path.display().to_string())
}

/// Lower-case hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(sha256_hex(&bytes))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Returns the path of `file` in `models_dir` after checking its sha256 against the manifest.
/// Refuses a file that is not listed, missing, unreadable or different from the pinned one.
pub fn verify_input(manifest: &Manifest, models_dir: &Path, file: &str) -> Result<PathBuf, String> {
    let input = manifest
        .input(file)
        .ok_or_else(|| format!("{file}: not listed in {MANIFEST_PATH}"))?;
    let path = models_dir.join(&input.file);
    if !path.is_file() {
        let how = if input.derived {
            format!(
                "it is derived from {} at {} and cannot be downloaded; pass `--models-dir` with a directory that has it (e.g. `--models-dir ../shared/models`)",
                input.repository, input.path
            )
        } else {
            format!(
                "run `cargo xtask fetch-models` to download it into {DEFAULT_MODELS_DIR}/, or pass `--models-dir ../shared/models`"
            )
        };
        return Err(format!("{}: missing model input; {how}", path.display()));
    }
    let actual = sha256_file(&path)?;
    if actual != input.sha256 {
        return Err(format!(
            "{}: sha256 mismatch: manifest says {}, file has {actual}",
            path.display(),
            input.sha256
        ));
    }
    Ok(path)
}

/// [`verify_input`] for several files; the error lists every file that failed, one per line.
pub fn verify_inputs(
    manifest: &Manifest,
    models_dir: &Path,
    files: &[&str],
) -> Result<Vec<PathBuf>, String> {
    let mut paths = Vec::with_capacity(files.len());
    let mut failures = Vec::new();
    for file in files {
        match verify_input(manifest, models_dir, file) {
            Ok(path) => paths.push(path),
            Err(e) => failures.push(e),
        }
    }
    if failures.is_empty() {
        Ok(paths)
    } else {
        Err(failures.join("\n"))
    }
}

/// What [`fetch_models`] did with each input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FetchSummary {
    /// Downloaded and verified.
    pub downloaded: Vec<String>,
    /// Already present with the right hash; not downloaded again.
    pub present: Vec<String>,
    /// Derived inputs, which cannot be downloaded.
    pub derived: Vec<String>,
}

/// Downloads every non-derived input of the manifest at `repo_root` into `dest_dir` from
/// `{base_url}/{repository}/{commit}/{path}` with `curl`. Files already present with the right
/// hash are kept. A download is written to a temporary file next to its destination and moved
/// into place only when its sha256 matches, so the destination never holds a bad file. All
/// inputs are attempted; the error lists every one that failed.
pub fn fetch_models(
    repo_root: &Path,
    dest_dir: &Path,
    base_url: &str,
) -> Result<FetchSummary, String> {
    let manifest = load_manifest(repo_root)?;
    fetch_inputs(&manifest, dest_dir, base_url)
}

/// [`fetch_models`] for an already loaded manifest.
pub fn fetch_inputs(
    manifest: &Manifest,
    dest_dir: &Path,
    base_url: &str,
) -> Result<FetchSummary, String> {
    let mut summary = FetchSummary::default();
    let mut failures = Vec::new();
    for input in &manifest.inputs {
        if input.derived {
            summary.derived.push(input.file.clone());
            continue;
        }
        let dest = dest_dir.join(&input.file);
        if dest.is_file() && sha256_file(&dest).is_ok_and(|h| h == input.sha256) {
            summary.present.push(input.file.clone());
            continue;
        }
        match fetch_one(input, &dest, base_url) {
            Ok(()) => summary.downloaded.push(input.file.clone()),
            Err(e) => failures.push(e),
        }
    }
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(failures.join("\n"))
    }
}

fn fetch_one(input: &Input, dest: &Path, base_url: &str) -> Result<(), String> {
    let url = input.url(base_url);
    let parent = dest
        .parent()
        .ok_or_else(|| format!("{}: no parent directory", dest.display()))?;
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("{}: cannot create directory: {e}", parent.display()))?;
    let file_name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{file_name}.part-{}", std::process::id()));
    let result = download_verified(input, &url, &tmp, dest);
    if result.is_err() {
        // Best effort: the temporary file may not exist.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn download_verified(input: &Input, url: &str, tmp: &Path, dest: &Path) -> Result<(), String> {
    let output = Command::new("curl")
        .args([
            "-fsSL",
            "--proto",
            "=https,http",
            "--connect-timeout",
            "30",
            "-o",
        ])
        .arg(tmp)
        .arg(url)
        .output()
        .map_err(|e| format!("{}: cannot run curl: {e}", input.file))?;
    if !output.status.success() {
        return Err(format!(
            "{}: download of {url} failed ({}): {}",
            input.file,
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let actual = sha256_file(tmp)?;
    if actual != input.sha256 {
        return Err(format!(
            "{}: sha256 mismatch: manifest says {}, download from {url} has {actual}; not installed",
            input.file, input.sha256
        ));
    }
    std::fs::rename(tmp, dest)
        .map_err(|e| format!("{}: cannot move download into place: {e}", dest.display()))
}

/// `cargo xtask fetch-models [--dest DIR] [--base-url URL]`: downloads the pinned inputs of the
/// repository at `repo_root` (into `models/` by default) and prints what it did.
pub fn fetch_models_command(repo_root: &Path, args: &[String]) -> Result<(), String> {
    let mut dest = repo_root.join(DEFAULT_MODELS_DIR);
    let mut base_url = DEFAULT_BASE_URL.to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dest" => {
                dest = PathBuf::from(args.next().ok_or("--dest needs a directory")?);
            }
            "--base-url" => {
                base_url = args.next().ok_or("--base-url needs a URL")?.clone();
            }
            other => {
                return Err(format!(
                    "fetch-models: unknown argument `{other}` (expected --dest DIR, --base-url URL)"
                ));
            }
        }
    }
    let summary = fetch_models(repo_root, &dest, &base_url)?;
    for file in &summary.downloaded {
        println!("downloaded {file}");
    }
    for file in &summary.present {
        println!("up to date {file}");
    }
    for file in &summary.derived {
        println!("skipped    {file} (derived; cannot be downloaded)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "xtask-models-{tag}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn entry(file: &str, path: &str, content: &[u8], derived: bool) -> serde_json::Value {
        serde_json::json!({
            "file": file,
            "role": "test",
            "repository": "example/models",
            "path": path,
            "commit": COMMIT,
            "sha256": sha256_hex(content),
            "derived": derived,
        })
    }

    /// Writes `models/manifest.json` under `root`.
    fn write_manifest(root: &Path, inputs: Vec<serde_json::Value>) {
        let dir = root.join("models");
        std::fs::create_dir_all(&dir).expect("models dir");
        let text = serde_json::to_string_pretty(&serde_json::json!({ "inputs": inputs }))
            .expect("manifest json");
        std::fs::write(dir.join("manifest.json"), text).expect("write manifest");
    }

    fn write(path: &Path, content: &[u8]) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, content).expect("write");
    }

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn verify_accepts_matching_file() {
        let root = TempDir::new("verify-ok");
        write_manifest(
            &root.0,
            vec![entry("svc/a.json", "a/a.json", b"{\"a\":1}", false)],
        );
        let models = root.0.join("models");
        write(&models.join("svc/a.json"), b"{\"a\":1}");
        let manifest = load_manifest(&root.0).expect("manifest");
        assert_eq!(
            verify_input(&manifest, &models, "svc/a.json"),
            Ok(models.join("svc/a.json"))
        );
    }

    #[test]
    fn verify_reports_mismatch_with_both_hashes() {
        let root = TempDir::new("verify-bad");
        write_manifest(&root.0, vec![entry("x.json", "x.json", b"expected", false)]);
        let models = root.0.join("models");
        write(&models.join("x.json"), b"tampered");
        let manifest = load_manifest(&root.0).expect("manifest");
        assert_eq!(
            verify_input(&manifest, &models, "x.json"),
            Err(format!(
                "{}: sha256 mismatch: manifest says {}, file has {}",
                models.join("x.json").display(),
                sha256_hex(b"expected"),
                sha256_hex(b"tampered")
            ))
        );
    }

    #[test]
    fn verify_reports_missing_and_unlisted_files() {
        let root = TempDir::new("verify-missing");
        write_manifest(
            &root.0,
            vec![
                entry("x.json", "x.json", b"x", false),
                entry("tests/d.json", "tests/d", b"d", true),
            ],
        );
        let models = root.0.join("models");
        let manifest = load_manifest(&root.0).expect("manifest");
        assert_eq!(
            verify_input(&manifest, &models, "x.json"),
            Err(format!(
                "{}: missing model input; run `cargo xtask fetch-models` to download it into models/, or pass `--models-dir ../shared/models`",
                models.join("x.json").display()
            ))
        );
        assert_eq!(
            verify_input(&manifest, &models, "tests/d.json"),
            Err(format!(
                "{}: missing model input; it is derived from example/models at tests/d and cannot be downloaded; pass `--models-dir` with a directory that has it (e.g. `--models-dir ../shared/models`)",
                models.join("tests/d.json").display()
            ))
        );
        assert_eq!(
            verify_input(&manifest, &models, "other.json"),
            Err("other.json: not listed in models/manifest.json".to_owned())
        );
        write(&models.join("x.json"), b"x");
        assert_eq!(
            verify_inputs(&manifest, &models, &["x.json"]),
            Ok(vec![models.join("x.json")])
        );
        assert_eq!(
            verify_inputs(&manifest, &models, &["x.json", "other.json", "nope.json"]),
            Err("other.json: not listed in models/manifest.json\nnope.json: not listed in models/manifest.json".to_owned())
        );
    }

    #[test]
    fn manifest_errors_are_named() {
        let ok = entry("a.json", "a.json", b"a", false);
        let with = |key: &str, value: &str| {
            let mut v = ok.clone();
            v[key] = serde_json::Value::String(value.to_owned());
            serde_json::json!({ "inputs": [v] }).to_string()
        };
        let cases: &[(String, &str)] = &[
            (
                with("file", "../a.json"),
                "m: input `../a.json`: `file` must be a relative path without `..`",
            ),
            (
                with("file", "/etc/a.json"),
                "m: input `/etc/a.json`: `file` must be a relative path without `..`",
            ),
            (
                with("sha256", "ABC"),
                "m: input `a.json`: sha256 `ABC` is not 64 lower-case hex digits",
            ),
            (
                with("commit", "main"),
                "m: input `a.json`: commit `main` is not 40 lower-case hex digits",
            ),
            (
                with("repository", "a/b/c"),
                "m: input `a.json`: repository `a/b/c` is not `owner/name`",
            ),
            (
                with("path", "a b.json"),
                "m: input `a.json`: path `a b.json` is not a plain relative path",
            ),
            (
                serde_json::json!({ "inputs": [ok.clone(), ok.clone()] }).to_string(),
                "m: `a.json` is listed twice",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Manifest::parse(text, "m").map(|_| ()),
                Err((*expected).to_owned())
            );
        }
        let err = Manifest::parse("{\"inputs\": 3}", "m")
            .map(|_| ())
            .unwrap_err();
        assert!(
            err.starts_with("m: invalid manifest: invalid type"),
            "{err}"
        );
        let root = TempDir::new("no-manifest");
        let err = load_manifest(&root.0).map(|_| ()).unwrap_err();
        assert!(
            err.contains("models/manifest.json: cannot read the manifest"),
            "{err}"
        );
    }

    #[test]
    fn committed_manifest_is_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest = load_manifest(&root).expect("committed manifest");
        assert!(manifest.input("ivschat.json").is_some_and(|i| !i.derived));
        assert_eq!(
            manifest.input("ivschat.json").map(|i| i.url(DEFAULT_BASE_URL)),
            Some("https://raw.githubusercontent.com/aws/api-models-aws/56c8953e87aeead95ae5e66a3ca6a355731db6ad/ivschat/service/2020-07-14/ivschat-2020-07-14.json".to_owned())
        );
    }

    /// Serves `files` (URL path → body) over HTTP/1.1 on 127.0.0.1; records requested paths.
    fn serve(files: Vec<(String, Vec<u8>)>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let path = request.split(' ').nth(1).unwrap_or("").to_owned();
                if let Ok(mut log) = log2.lock() {
                    log.push(path.clone());
                }
                let response = match files.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(body);
                        r
                    }
                    None => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&response);
            }
        });
        (format!("http://{addr}"), log)
    }

    fn url_path(path: &str) -> String {
        format!("/example/models/{COMMIT}/{path}")
    }

    fn dir_listing(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(dir).expect("prefix").display().to_string());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn fetch_verifies_downloads_and_refuses_bad_ones() {
        let root = TempDir::new("fetch");
        write_manifest(
            &root.0,
            vec![
                entry("a.json", "dir/a.json", b"{\"a\":1}", false),
                entry("services/b.json", "b.json", b"{\"b\":2}", false),
                entry("bad.json", "bad.json", b"{\"pinned\":true}", false),
                entry("gone.json", "gone.json", b"{}", false),
                entry("tests/derived.json", "tests", b"{}", true),
            ],
        );
        let (base, log) = serve(vec![
            (url_path("dir/a.json"), b"{\"a\":1}".to_vec()),
            (url_path("b.json"), b"{\"b\":2}".to_vec()),
            (url_path("bad.json"), b"{\"pinned\":false}".to_vec()),
        ]);
        let dest = root.0.join("out");
        // A stale copy with the wrong content is replaced, never trusted.
        write(&dest.join("services/b.json"), b"stale");

        let err = fetch_models(&root.0, &dest, &format!("{base}/")).unwrap_err();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert_eq!(
            lines[0],
            format!(
                "bad.json: sha256 mismatch: manifest says {}, download from {base}{} has {}; not installed",
                sha256_hex(b"{\"pinned\":true}"),
                url_path("bad.json"),
                sha256_hex(b"{\"pinned\":false}")
            )
        );
        assert!(
            lines[1].starts_with(&format!(
                "gone.json: download of {base}{} failed",
                url_path("gone.json")
            )),
            "{err}"
        );
        assert!(lines[1].contains("404"), "{err}");
        // Only verified files are at the destination; no temporary files are left behind.
        assert_eq!(dir_listing(&dest), vec!["a.json", "services/b.json"]);
        assert_eq!(std::fs::read(dest.join("a.json")).expect("a"), b"{\"a\":1}");
        assert_eq!(
            std::fs::read(dest.join("services/b.json")).expect("b"),
            b"{\"b\":2}"
        );
        let mut requested = log.lock().expect("log").clone();
        requested.sort();
        let mut expected = vec![
            url_path("bad.json"),
            url_path("b.json"),
            url_path("dir/a.json"),
            url_path("gone.json"),
        ];
        expected.sort();
        assert_eq!(requested, expected, "derived inputs are never requested");

        // Second run: good files are kept without downloading them again.
        log.lock().expect("log").clear();
        let manifest = load_manifest(&root.0).expect("manifest");
        let only_good = Manifest {
            inputs: manifest
                .inputs
                .into_iter()
                .filter(|i| i.file != "bad.json" && i.file != "gone.json")
                .collect(),
        };
        let summary = fetch_inputs(&only_good, &dest, &base).expect("second fetch");
        assert_eq!(
            summary,
            FetchSummary {
                downloaded: vec![],
                present: vec!["a.json".to_owned(), "services/b.json".to_owned()],
                derived: vec!["tests/derived.json".to_owned()],
            }
        );
        assert!(log.lock().expect("log").is_empty());
    }

    #[test]
    fn fetch_command_rejects_unknown_arguments() {
        let root = TempDir::new("cmd");
        assert_eq!(
            fetch_models_command(&root.0, &["--frobnicate".to_owned()]),
            Err("fetch-models: unknown argument `--frobnicate` (expected --dest DIR, --base-url URL)".to_owned())
        );
        assert_eq!(
            fetch_models_command(&root.0, &["--dest".to_owned()]),
            Err("--dest needs a directory".to_owned())
        );
    }
}
