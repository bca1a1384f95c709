//! An injectable view of the process environment: environment variables, file reads and the
//! home directory.
//!
//! Every configuration source in this crate reads through a [`ProviderEnv`], so tests can use
//! [`ProviderEnv::fake`] and never touch the real `~/.aws` nor mutate the process environment.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where configuration sources read environment variables, files and the home directory from.
///
/// Cheap to clone. `Debug` prints the names of fake variables and files, never their values.
#[derive(Clone)]
pub struct ProviderEnv {
    /// `None` is the real process environment.
    fake: Option<Arc<Fake>>,
}

#[derive(Clone, Default)]
struct Fake {
    vars: HashMap<String, String>,
    files: HashMap<PathBuf, FakeFile>,
    home: Option<PathBuf>,
    real_files: bool,
}

#[derive(Clone)]
enum FakeFile {
    Contents(Vec<u8>),
    Unreadable,
}

impl ProviderEnv {
    /// The real process environment and file system.
    pub fn real() -> Self {
        Self { fake: None }
    }

    /// An empty fake environment: no variables, no files, no home directory.
    ///
    /// Fill it with [`var`](Self::var), [`file`](Self::file) and [`home`](Self::home).
    pub fn fake() -> Self {
        Self {
            fake: Some(Arc::new(Fake::default())),
        }
    }

    /// Whether this is a fake environment.
    #[cfg(test)]
    pub(crate) fn is_fake(&self) -> bool {
        self.fake.is_some()
    }

    fn fake_mut(&mut self) -> &mut Fake {
        // The builder methods only ever describe a fake; they never write to the process.
        Arc::make_mut(self.fake.get_or_insert_with(Default::default))
    }

    /// Sets a fake environment variable.
    ///
    /// The builder methods always produce a fake environment: called on [`ProviderEnv::real`]
    /// they start from an empty fake, never from (nor into) the process environment.
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fake_mut().vars.insert(name.into(), value.into());
        self
    }

    /// Adds a fake file with these contents.
    pub fn file(mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        self.fake_mut()
            .files
            .insert(path.into(), FakeFile::Contents(contents.into()));
        self
    }

    /// Adds a fake file that exists but cannot be read (permission denied).
    pub fn unreadable_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.fake_mut()
            .files
            .insert(path.into(), FakeFile::Unreadable);
        self
    }

    /// Makes the fake read files it was not given with [`file`](Self::file) from the real file
    /// system (for tests of files that change between reads). Only paths the caller names are
    /// read; pair it with a [`home`](Self::home) that is not the real one.
    pub fn with_real_files(mut self) -> Self {
        self.fake_mut().real_files = true;
        self
    }

    /// Sets the fake home directory.
    pub fn home(mut self, path: impl Into<PathBuf>) -> Self {
        self.fake_mut().home = Some(path.into());
        self
    }

    /// The value of an environment variable, if it is set and valid Unicode.
    pub(crate) fn get_var(&self, name: &str) -> Option<String> {
        match &self.fake {
            None => std::env::var(name).ok(),
            Some(fake) => fake.vars.get(name).cloned(),
        }
    }

    /// The value of an environment variable, treating an empty (or all-blank) value as unset.
    pub(crate) fn get_non_empty_var(&self, name: &str) -> Option<String> {
        self.get_var(name).filter(|v| !v.trim().is_empty())
    }

    /// Reads a whole file as UTF-8. A missing file is an error of kind
    /// [`io::ErrorKind::NotFound`].
    pub(crate) fn read_to_string(&self, path: &Path) -> io::Result<String> {
        let bytes = match &self.fake {
            None => std::fs::read(path)?,
            Some(fake) => match fake.files.get(path) {
                Some(FakeFile::Contents(bytes)) => bytes.clone(),
                Some(FakeFile::Unreadable) => {
                    return Err(io::Error::new(
                        io::ErrorKind::PermissionDenied,
                        "permission denied",
                    ));
                }
                None if fake.real_files => std::fs::read(path)?,
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        "no such file or directory",
                    ));
                }
            },
        };
        String::from_utf8(bytes)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "file is not valid UTF-8"))
    }

    /// Writes a file only its owner may read (secrets such as refreshed tokens), creating its
    /// directory, and replacing any previous file at once (a temporary file is renamed over
    /// it). A fake environment only writes when it reads real files too
    /// ([`with_real_files`](Self::with_real_files)).
    pub(crate) fn write_private_file(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        if let Some(fake) = &self.fake
            && !fake.real_files
        {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this fake environment has no file system to write to",
            ));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(format!(".tmp-{}", std::process::id()));
        let temporary = PathBuf::from(temporary);
        let written = (|| {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&temporary)?;
            file.write_all(contents)?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    /// The user's home directory: `HOME`, else (on Windows) `USERPROFILE` then
    /// `HOMEDRIVE` + `HOMEPATH`, else the platform's notion of home (real environment only).
    pub(crate) fn home_dir(&self) -> Option<PathBuf> {
        if let Some(fake) = &self.fake
            && let Some(home) = &fake.home
        {
            return Some(home.clone());
        }
        if let Some(home) = self.get_non_empty_var("HOME") {
            return Some(PathBuf::from(home));
        }
        if cfg!(windows) {
            if let Some(profile) = self.get_non_empty_var("USERPROFILE") {
                return Some(PathBuf::from(profile));
            }
            if let (Some(drive), Some(path)) = (
                self.get_non_empty_var("HOMEDRIVE"),
                self.get_non_empty_var("HOMEPATH"),
            ) {
                return Some(PathBuf::from(format!("{drive}{path}")));
            }
        }
        match self.fake {
            None => std::env::home_dir(),
            Some(_) => None,
        }
    }

    /// Expands a leading `~` (alone or followed by a path separator) to the home directory.
    pub(crate) fn expand_home(&self, path: &str) -> PathBuf {
        let rest = if path == "~" {
            Some("")
        } else {
            path.strip_prefix("~/")
                .or_else(|| path.strip_prefix("~\\").filter(|_| cfg!(windows)))
        };
        match (rest, self.home_dir()) {
            (Some(""), Some(home)) => home,
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }
}

impl Default for ProviderEnv {
    fn default() -> Self {
        Self::real()
    }
}

impl fmt::Debug for ProviderEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fake {
            None => f.write_str("ProviderEnv::Real"),
            Some(fake) => {
                let mut vars: Vec<&str> = fake.vars.keys().map(String::as_str).collect();
                vars.sort_unstable();
                let mut files: Vec<&Path> = fake.files.keys().map(PathBuf::as_path).collect();
                files.sort_unstable();
                f.debug_struct("ProviderEnv::Fake")
                    .field("vars", &vars)
                    .field("files", &files)
                    .field("home", &fake.home)
                    .field("real_files", &fake.real_files)
                    .finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::ProviderEnv;

    #[test]
    fn provider_env_fake_and_real() {
        let fake = ProviderEnv::fake()
            .var("K", "V")
            .file("/a", "contents")
            .home("/h");
        assert!(fake.is_fake());
        assert_eq!(fake.get_var("K").as_deref(), Some("V"));
        assert_eq!(fake.get_var("PATH"), None);
        assert_eq!(fake.read_to_string(Path::new("/a")).unwrap(), "contents");
        assert_eq!(
            fake.read_to_string(Path::new("/b")).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
        assert_eq!(fake.expand_home("~/x"), Path::new("/h/x"));
        assert_eq!(fake.expand_home("~"), Path::new("/h"));
        assert_eq!(fake.expand_home("/abs/~/x"), Path::new("/abs/~/x"));

        // Clones share nothing mutable: building on a clone leaves the original unchanged.
        let extended = fake.clone().var("K", "W");
        assert_eq!(fake.get_var("K").as_deref(), Some("V"));
        assert_eq!(extended.get_var("K").as_deref(), Some("W"));

        let real = ProviderEnv::real();
        assert!(!real.is_fake());
        assert_eq!(real.get_var("PATH"), std::env::var("PATH").ok());
        // Builder methods on the real environment produce a fake and leave the process alone.
        let from_real = real.var("RESTJSON_RUNTIME_TEST_VAR", "1");
        assert!(from_real.is_fake());
        assert_eq!(from_real.get_var("PATH"), None);
        assert_eq!(std::env::var("RESTJSON_RUNTIME_TEST_VAR").ok(), None);
    }
}
