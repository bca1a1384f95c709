//! The shared AWS config and credentials files, as the AWS SDKs define them.
//!
//! * The config file is `AWS_CONFIG_FILE`, else `~/.aws/config`; its profiles are written
//!   `[profile name]` (and `[default]`), plain `[name]` sections other than `[default]` are
//!   ignored, `[profile default]` wins over `[default]`, and it may hold `[sso-session name]`
//!   and `[services name]` sections.
//! * The credentials file is `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`; its
//!   profiles are written `[name]`.
//! * Lines starting with `#` or `;` are comments; on a property line, a `#` or `;` preceded by
//!   whitespace starts a comment. Indented lines continue the previous property's value; when a
//!   property's own value is empty, its indented lines are `name = value` sub-properties.
//! * Property names are case-insensitive; profile and section names are case-sensitive.
//! * Sections of the same profile merge (later values win), and for the same profile and key
//!   the credentials file wins over the config file.
//! * The selected profile is the one chosen in code, else `AWS_PROFILE`, else `default`.
//!
//! A missing file is not an error (it holds no profiles); an unreadable or malformed one is,
//! and the error names the file and the line.

mod parse;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::provider_env::ProviderEnv;

use parse::FileKind;

/// One property: its value and, when written as `name =` followed by indented
/// `sub = value` lines, its sub-properties.
#[derive(Clone, Default, PartialEq, Eq)]
struct Property {
    value: String,
    sub_properties: Option<BTreeMap<String, String>>,
}

/// The properties of one profile, `sso-session` or `services` section.
///
/// `Debug` lists property names only: values may be secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    properties: HashMap<String, Property>,
}

impl Section {
    /// The value of a property (names are case-insensitive). For a property holding
    /// sub-properties this is their raw text.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.property(key).map(|p| p.value.as_str())
    }

    /// The value of sub-property `sub_key` of property `key` (both case-insensitive).
    pub fn sub_property(&self, key: &str, sub_key: &str) -> Option<&str> {
        self.property(key)?
            .sub_properties
            .as_ref()?
            .get(&sub_key.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Whether the property is set (even to an empty value).
    pub fn contains(&self, key: &str) -> bool {
        self.property(key).is_some()
    }

    /// The property names, lower-cased, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.properties.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    fn property(&self, key: &str) -> Option<&Property> {
        match self.properties.get(key) {
            Some(p) => Some(p),
            None => self.properties.get(&key.to_ascii_lowercase()),
        }
    }

    fn merge_from(&mut self, other: Section) {
        self.properties.extend(other.properties);
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("keys", &self.keys())
            .finish()
    }
}

#[derive(Debug)]
enum ErrorKind {
    Unreadable(io::Error),
    Malformed { line: usize, message: String },
}

/// A shared config or credentials file could not be read or is malformed.
///
/// The message names the file and, for a malformed file, the line; it never repeats the
/// file's contents.
#[derive(Debug)]
pub struct ProfileFileError {
    path: PathBuf,
    kind: ErrorKind,
}

impl ProfileFileError {
    fn unreadable(path: &Path, error: io::Error) -> Self {
        Self {
            path: path.to_path_buf(),
            kind: ErrorKind::Unreadable(error),
        }
    }

    pub(crate) fn malformed(path: &Path, line: usize, message: String) -> Self {
        Self {
            path: path.to_path_buf(),
            kind: ErrorKind::Malformed { line, message },
        }
    }

    /// The file at fault.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line at fault, when the file is malformed.
    pub fn line(&self) -> Option<usize> {
        match &self.kind {
            ErrorKind::Malformed { line, .. } => Some(*line),
            ErrorKind::Unreadable(_) => None,
        }
    }
}

impl fmt::Display for ProfileFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Unreadable(e) => write!(f, "could not read {}: {e}", self.path.display()),
            ErrorKind::Malformed { line, message } => {
                write!(f, "{} line {line}: {message}", self.path.display())
            }
        }
    }
}

impl std::error::Error for ProfileFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Unreadable(e) => Some(e),
            ErrorKind::Malformed { .. } => None,
        }
    }
}

/// How the selected profile was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileSelection {
    /// Chosen in code.
    Explicit,
    /// Chosen by the `AWS_PROFILE` environment variable.
    Environment,
    /// Neither: the profile named `default`.
    Default,
}

/// The merged contents of the shared config and credentials files, and the selected profile.
///
/// `Debug` shows profile and property names, never values.
#[derive(Clone, Debug)]
pub struct ProfileSet {
    selected: String,
    selection: ProfileSelection,
    profiles: HashMap<String, Section>,
    sso_sessions: HashMap<String, Section>,
    services: HashMap<String, Section>,
    config_file: Option<PathBuf>,
    credentials_file: Option<PathBuf>,
}

/// The name of the selected profile: `profile_override`, else `AWS_PROFILE`, else `default`.
pub fn selected_profile_name(
    env: &ProviderEnv,
    profile_override: Option<&str>,
) -> (String, ProfileSelection) {
    if let Some(name) = profile_override.filter(|n| !n.trim().is_empty()) {
        return (name.trim().to_string(), ProfileSelection::Explicit);
    }
    if let Some(name) = env.get_non_empty_var("AWS_PROFILE") {
        return (name.trim().to_string(), ProfileSelection::Environment);
    }
    ("default".to_string(), ProfileSelection::Default)
}

fn file_location(env: &ProviderEnv, variable: &str, default_name: &str) -> Option<PathBuf> {
    match env.get_non_empty_var(variable) {
        Some(path) => Some(env.expand_home(&path)),
        None => env
            .home_dir()
            .map(|home| home.join(".aws").join(default_name)),
    }
}

fn read_optional(env: &ProviderEnv, path: &Path) -> Result<Option<String>, ProfileFileError> {
    match env.read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            tracing::debug!(file = %path.display(), "shared file not found; treating it as empty");
            Ok(None)
        }
        Err(e) => Err(ProfileFileError::unreadable(path, e)),
    }
}

fn merge_into(target: &mut HashMap<String, Section>, sections: Vec<(String, Section)>) {
    for (name, section) in sections {
        target.entry(name).or_default().merge_from(section);
    }
}

impl ProfileSet {
    /// Reads and merges the config and credentials files of `env` and selects a profile.
    ///
    /// Missing files hold no profiles. Whether the selected profile exists is not checked
    /// here; see [`ProfileSet::selected`].
    pub fn load(
        env: &ProviderEnv,
        profile_override: Option<&str>,
    ) -> Result<ProfileSet, ProfileFileError> {
        let (selected, selection) = selected_profile_name(env, profile_override);
        let config_file = file_location(env, "AWS_CONFIG_FILE", "config");
        let credentials_file = file_location(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");

        let mut set = ProfileSet {
            selected,
            selection,
            profiles: HashMap::new(),
            sso_sessions: HashMap::new(),
            services: HashMap::new(),
            config_file: config_file.clone(),
            credentials_file: credentials_file.clone(),
        };
        // Config first, then credentials: for the same profile and key, credentials win.
        for (path, kind) in [
            (config_file, FileKind::Config),
            (credentials_file, FileKind::Credentials),
        ] {
            let Some(path) = path else { continue };
            let Some(text) = read_optional(env, &path)? else {
                continue;
            };
            let parsed = parse::parse_file(&path, &text, kind)?;
            merge_into(&mut set.profiles, parsed.profiles);
            merge_into(&mut set.sso_sessions, parsed.sso_sessions);
            merge_into(&mut set.services, parsed.services);
        }
        Ok(set)
    }

    /// The name of the selected profile.
    pub fn selected_profile(&self) -> &str {
        &self.selected
    }

    /// How the selected profile was chosen.
    pub fn selection(&self) -> ProfileSelection {
        self.selection
    }

    /// The selected profile, if either file defines it.
    pub fn selected(&self) -> Option<&Section> {
        self.profiles.get(&self.selected)
    }

    /// A property of the selected profile.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.selected()?.get(key)
    }

    /// A property of the named profile.
    pub fn get_in(&self, profile: &str, key: &str) -> Option<&str> {
        self.profiles.get(profile)?.get(key)
    }

    /// The named profile.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// The names of all profiles, sorted.
    pub fn profile_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The `[sso-session name]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// The `[services name]` section.
    pub fn services_section(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// Sub-property `key` of property `service_key` (the service's snake_case key, such as
    /// `ivschat`) in section `[services service_section]`.
    pub fn services_value(
        &self,
        service_section: &str,
        service_key: &str,
        key: &str,
    ) -> Option<&str> {
        self.services
            .get(service_section)?
            .sub_property(service_key, key)
    }

    /// Like [`services_value`](Self::services_value), for the `[services ...]` section that the
    /// selected profile names in its `services` property.
    pub fn selected_services_value(&self, service_key: &str, key: &str) -> Option<&str> {
        self.services_value(self.get("services")?, service_key, key)
    }

    /// Where the config file was looked for (`None` without `AWS_CONFIG_FILE` nor a home).
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }

    /// Where the credentials file was looked for.
    pub fn credentials_file(&self) -> Option<&Path> {
        self.credentials_file.as_deref()
    }
}

/// The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `region` of the selected profile.
///
/// The files are only read when neither variable is set.
pub fn default_region(
    env: &ProviderEnv,
    profile: Option<&str>,
) -> Result<Option<String>, ProfileFileError> {
    for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = env.get_non_empty_var(variable) {
            return Ok(Some(region.trim().to_string()));
        }
    }
    let set = ProfileSet::load(env, profile)?;
    Ok(set
        .get("region")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string))
}
