//! Credentials from the selected profile of the shared config and credentials files, including
//! roles assumed through chains of profiles.

use std::sync::Arc;
use std::time::Duration;

use super::assume_role::AssumeRoleProvider;
use super::container::ContainerProvider;
use super::environment::EnvironmentProvider;
use super::imds::ImdsProvider;
use super::process::{CredentialProcessProvider, DEFAULT_PROCESS_TIMEOUT};
use super::service::ServiceSettings;
use super::sso::{RefreshLog, SsoProvider, SsoSettings};
use super::web_identity::WebIdentityTokenProvider;
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, CredentialsFuture, ProvideCredentials,
    SharedCredentialsProvider,
};
use crate::config::Config;
use crate::profile::{ProfileSelection, ProfileSet, Section};
use crate::provider_env::ProviderEnv;

/// Profile settings naming credential sources this SDK does not implement. A profile using
/// one is an error rather than a silent fall-through to the next provider, which could pick
/// up credentials for a different account or role.
const UNSUPPORTED_KEYS: &[&str] = &["login_session"];

/// Credentials from the selected profile (chosen in code, else `AWS_PROFILE`, else
/// `default`), as the AWS SDKs read it:
///
/// * `role_arn` with `source_profile` or `credential_source`: the role is assumed with STS
///   `AssumeRole`, signed with the credentials of the source profile (which may itself assume
///   a role: chains of any length, a cycle is an error) or of `credential_source`
///   (`Environment`, `Ec2InstanceMetadata` or `EcsContainer`). `role_session_name`,
///   `external_id` and `duration_seconds` are passed on. A source profile with static keys
///   uses them even if it also names a role; a profile naming itself as `source_profile`
///   signs with its own static keys. A profile with `mfa_serial` is refused: this SDK never
///   prompts for an MFA code.
/// * `web_identity_token_file` with `role_arn` (and `role_session_name`): see
///   [`WebIdentityTokenProvider`].
/// * `sso_session` (naming an `[sso-session]` section with `sso_start_url` and
///   `sso_region`) or the legacy `sso_start_url` and `sso_region`, with `sso_account_id` and
///   `sso_role_name`: IAM Identity Center, with the token `aws sso login` cached in
///   `~/.aws/sso/cache/` (refreshed through SSO OIDC for `sso_session` profiles), exchanged
///   with `GetRoleCredentials`.
/// * `credential_process`, else the static keys `aws_access_key_id`, `aws_secret_access_key`
///   and `aws_session_token`.
///
/// Errors:
///
/// * No profile `default` and none selected, or a profile without credentials:
///   [`CredentialsErrorKind::NotLoaded`].
/// * A selected profile that does not exist, a malformed file (named with the line), one key
///   without the other, a missing or looping source profile, contradictory or incomplete
///   settings, or a credential source this SDK does not support:
///   [`CredentialsErrorKind::InvalidConfiguration`] naming the profile and the key.
///
/// The files are read again on every call (the default chain caches the credentials).
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    settings: ServiceSettings,
    process_timeout: Duration,
    refresh_log: Arc<RefreshLog>,
}

/// The named sources of `credential_source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NamedSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

/// Where the credentials of a profile chain come from in the first place.
#[derive(Debug)]
enum Base {
    Static(Credentials),
    Process {
        profile: String,
        command: String,
    },
    WebIdentity {
        profile: String,
        token_file: String,
        role_arn: String,
        session_name: Option<String>,
    },
    Sso(SsoSettings),
    Named(NamedSource),
}

/// A role to assume with the credentials of the step before.
#[derive(Debug)]
struct Role {
    profile: String,
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration: Option<Duration>,
}

fn invalid(message: String) -> CredentialsError {
    CredentialsError::new(CredentialsErrorKind::InvalidConfiguration, message)
}

/// A non-blank property, trimmed.
fn value<'a>(profile: &'a Section, key: &str) -> Option<&'a str> {
    profile.get(key).map(str::trim).filter(|v| !v.is_empty())
}

impl ProfileProvider {
    /// Reads the files of `env` each time credentials are requested; `profile` overrides
    /// `AWS_PROFILE`.
    pub fn new(env: ProviderEnv, profile: Option<&str>) -> Self {
        Self {
            settings: ServiceSettings::new(env, profile),
            process_timeout: DEFAULT_PROCESS_TIMEOUT,
            refresh_log: Arc::default(),
        }
    }

    /// How long a `credential_process` may run.
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    /// Transport, retry and timeout settings of the calls to STS and IAM Identity Center
    /// (by default those of the environment and profile, each call bounded by
    /// [`DEFAULT_CREDENTIALS_CALL_TIMEOUT`](super::DEFAULT_CREDENTIALS_CALL_TIMEOUT)).
    pub fn with_client_config(mut self, config: Config) -> Self {
        self.settings.set_config(config);
        self
    }

    /// The base of the chain and the roles to assume on top of it, innermost first.
    fn resolve(&self) -> Result<(Base, Vec<Role>), CredentialsError> {
        let set = ProfileSet::load(self.settings.env(), self.settings.profile())
            .map_err(|e| invalid(format!("profile: {e}")).with_source(e))?;
        let selected = set.selected_profile();
        if set.selected().is_none() {
            let files = describe_files(&set);
            return Err(match set.selection() {
                ProfileSelection::Default => CredentialsError::new(
                    CredentialsErrorKind::NotLoaded,
                    format!("profile: `default` is defined in {files}"),
                ),
                ProfileSelection::Explicit => invalid(format!(
                    "profile `{selected}` was selected but is defined in {files}"
                )),
                ProfileSelection::Environment => invalid(format!(
                    "profile `{selected}` was selected by AWS_PROFILE but is defined in {files}"
                )),
            });
        }
        // Profiles from the selected one down to the base; roles in the same order.
        let mut visited: Vec<&str> = Vec::new();
        let mut roles = Vec::new();
        let mut name = selected;
        let base = loop {
            let Some(profile) = set.profile(name) else {
                let referrer = visited.last().copied().unwrap_or(selected);
                return Err(invalid(format!(
                    "profile `{referrer}` names `source_profile = {name}`, which is defined in {}",
                    describe_files(&set)
                )));
            };
            if visited.contains(&name) {
                return Err(invalid(format!(
                    "profiles form a cycle through `source_profile`: {} -> {name}",
                    visited.join(" -> ")
                )));
            }
            visited.push(name);
            if let Some(key) = UNSUPPORTED_KEYS.iter().find(|k| profile.contains(k)) {
                return Err(invalid(format!(
                    "profile `{name}` uses `{key}`, which this SDK does not support yet"
                )));
            }
            let is_source = visited.len() > 1;
            // A source profile's static keys win over any role it names.
            if is_source && let Some(credentials) = static_keys(profile, name)? {
                break Base::Static(credentials);
            }
            let assumes_role =
                profile.contains("role_arn") && value(profile, "web_identity_token_file").is_none();
            if !assumes_role {
                break match base(&set, profile, name)? {
                    Some(base) => base,
                    None if is_source => {
                        return Err(invalid(format!(
                            "profile `{name}`, the source profile of `{}`, has no credentials",
                            visited[visited.len() - 2]
                        )));
                    }
                    None => {
                        return Err(CredentialsError::new(
                            CredentialsErrorKind::NotLoaded,
                            format!("profile: profile `{name}` has no credentials"),
                        ));
                    }
                };
            }
            roles.push(role(profile, name)?);
            match (
                value(profile, "source_profile"),
                value(profile, "credential_source"),
            ) {
                (Some(_), Some(_)) => {
                    return Err(invalid(format!(
                        "profile `{name}` sets both `source_profile` and `credential_source`; \
                         set only one"
                    )));
                }
                (None, None) => {
                    return Err(invalid(format!(
                        "profile `{name}` sets `role_arn` but neither `source_profile` nor \
                         `credential_source` to sign the AssumeRole call with"
                    )));
                }
                (None, Some(source)) => break Base::Named(named_source(source, name)?),
                // Naming itself: its own keys (or other credentials) sign for its role.
                (Some(source), None) if source == name => {
                    break base(&set, profile, name)?.ok_or_else(|| {
                        invalid(format!(
                            "profile `{name}` is its own `source_profile` but has no credentials"
                        ))
                    })?;
                }
                (Some(source), None) => name = source,
            }
        };
        roles.reverse();
        Ok((base, roles))
    }

    fn base_provider(&self, base: Base) -> SharedCredentialsProvider {
        let env = self.settings.env().clone();
        match base {
            Base::Static(credentials) => SharedCredentialsProvider::new(credentials),
            Base::Process { profile, command } => SharedCredentialsProvider::new(
                CredentialProcessProvider::new(command)
                    .with_description(format!("credential_process of profile `{profile}`"))
                    .with_timeout(self.process_timeout),
            ),
            Base::WebIdentity {
                profile,
                token_file,
                role_arn,
                session_name,
            } => SharedCredentialsProvider::new(WebIdentityTokenProvider::from_profile(
                self.settings.clone(),
                &profile,
                &token_file,
                &role_arn,
                session_name.as_deref(),
            )),
            Base::Sso(sso) => SharedCredentialsProvider::new(SsoProvider::new(
                self.settings.clone(),
                sso,
                self.refresh_log.clone(),
            )),
            Base::Named(NamedSource::Environment) => {
                SharedCredentialsProvider::new(EnvironmentProvider::new(env))
            }
            Base::Named(NamedSource::EcsContainer) => {
                SharedCredentialsProvider::new(ContainerProvider::new(env))
            }
            Base::Named(NamedSource::Ec2InstanceMetadata) => {
                let imds = ImdsProvider::new(env);
                SharedCredentialsProvider::new(match self.settings.profile() {
                    Some(profile) => imds.with_profile(profile),
                    None => imds,
                })
            }
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let (base, roles) = self.resolve()?;
        if let (Base::Static(credentials), true) = (&base, roles.is_empty()) {
            return Ok(credentials.clone());
        }
        let mut provider = self.base_provider(base);
        for role in roles {
            let mut step = AssumeRoleProvider::with_shared_source(
                role.role_arn,
                provider,
                self.settings.clone(),
            )
            .with_origin(format!("profile `{}`", role.profile));
            if let Some(name) = role.session_name {
                step = step.with_session_name(name);
            }
            if let Some(id) = role.external_id {
                step = step.with_external_id(id);
            }
            if let Some(duration) = role.duration {
                step = step.with_duration(duration);
            }
            provider = SharedCredentialsProvider::new(step);
        }
        provider.provide_credentials().await
    }
}

/// The role a profile with `role_arn` assumes.
fn role(profile: &Section, name: &str) -> Result<Role, CredentialsError> {
    let Some(role_arn) = value(profile, "role_arn") else {
        return Err(invalid(format!("profile `{name}` has an empty `role_arn`")));
    };
    if profile.contains("mfa_serial") {
        return Err(invalid(format!(
            "profile `{name}` sets `mfa_serial`: assuming its role needs an MFA code typed by \
             a person, which this SDK does not ask for; use temporary credentials obtained \
             with the code instead (for example in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY \
             and AWS_SESSION_TOKEN)"
        )));
    }
    let duration = match value(profile, "duration_seconds") {
        None => None,
        Some(text) => Some(Duration::from_secs(text.parse::<u64>().map_err(|_| {
            invalid(format!(
                "profile `{name}` has `duration_seconds` = {text:?}; expected a whole number \
                 of seconds"
            ))
        })?)),
    };
    Ok(Role {
        profile: name.to_owned(),
        role_arn: role_arn.to_owned(),
        session_name: value(profile, "role_session_name").map(str::to_owned),
        external_id: value(profile, "external_id").map(str::to_owned),
        duration,
    })
}

fn named_source(source: &str, profile: &str) -> Result<NamedSource, CredentialsError> {
    match source {
        "Environment" => Ok(NamedSource::Environment),
        "Ec2InstanceMetadata" => Ok(NamedSource::Ec2InstanceMetadata),
        "EcsContainer" => Ok(NamedSource::EcsContainer),
        other => Err(invalid(format!(
            "profile `{profile}` has `credential_source` = {other:?}; expected \
             `Environment`, `Ec2InstanceMetadata` or `EcsContainer`"
        ))),
    }
}

/// The credentials a profile holds itself (everything but a role to assume), if any.
fn base(set: &ProfileSet, profile: &Section, name: &str) -> Result<Option<Base>, CredentialsError> {
    if profile.contains("credential_source") && !profile.contains("role_arn") {
        return Err(invalid(format!(
            "profile `{name}` sets `credential_source` without a `role_arn` to assume with it"
        )));
    }
    if let Some(token_file) = value(profile, "web_identity_token_file") {
        let Some(role_arn) = value(profile, "role_arn") else {
            return Err(invalid(format!(
                "profile `{name}` sets `web_identity_token_file` but no `role_arn`"
            )));
        };
        return Ok(Some(Base::WebIdentity {
            profile: name.to_owned(),
            token_file: token_file.to_owned(),
            role_arn: role_arn.to_owned(),
            session_name: value(profile, "role_session_name").map(str::to_owned),
        }));
    }
    if let Some(sso) = sso(set, profile, name)? {
        return Ok(Some(Base::Sso(sso)));
    }
    if let Some(command) = profile.get("credential_process") {
        if command.trim().is_empty() {
            return Err(invalid(format!(
                "profile `{name}` has an empty `credential_process`"
            )));
        }
        return Ok(Some(Base::Process {
            profile: name.to_owned(),
            command: command.trim().to_owned(),
        }));
    }
    Ok(static_keys(profile, name)?.map(Base::Static))
}

fn static_keys(profile: &Section, name: &str) -> Result<Option<Credentials>, CredentialsError> {
    match (
        value(profile, "aws_access_key_id"),
        value(profile, "aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(Some(Credentials::new(
            id,
            secret,
            value(profile, "aws_session_token").map(str::to_owned),
            None,
            "Profile",
        ))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(invalid(format!(
            "profile `{name}` sets `aws_access_key_id` but not `aws_secret_access_key`"
        ))),
        (None, Some(_)) => Err(invalid(format!(
            "profile `{name}` sets `aws_secret_access_key` but not `aws_access_key_id`"
        ))),
    }
}

/// The IAM Identity Center settings of a profile: `sso_session` naming an `[sso-session]`
/// section, or the legacy `sso_start_url` and `sso_region` in the profile itself.
fn sso(
    set: &ProfileSet,
    profile: &Section,
    name: &str,
) -> Result<Option<SsoSettings>, CredentialsError> {
    let session = value(profile, "sso_session");
    if session.is_none() && value(profile, "sso_start_url").is_none() {
        if let Some(key) = ["sso_account_id", "sso_role_name", "sso_region"]
            .iter()
            .find(|k| profile.contains(k))
        {
            return Err(invalid(format!(
                "profile `{name}` sets `{key}` but neither `sso_session` nor `sso_start_url`"
            )));
        }
        return Ok(None);
    }
    let required = |key: &str| {
        value(profile, key).ok_or_else(|| {
            invalid(format!(
                "profile `{name}` uses IAM Identity Center but has no `{key}` (needed for \
                 credentials)"
            ))
        })
    };
    let (start_url, region) = match session {
        Some(session) => {
            let Some(section) = set.sso_session(session) else {
                return Err(invalid(format!(
                    "profile `{name}` names `sso_session = {session}`, but the config file has \
                     no `[sso-session {session}]` section"
                )));
            };
            let mut resolved = Vec::with_capacity(2);
            for key in ["sso_start_url", "sso_region"] {
                let Some(in_session) = value(section, key) else {
                    return Err(invalid(format!(
                        "`[sso-session {session}]` (used by profile `{name}`) has no `{key}`"
                    )));
                };
                if let Some(in_profile) = value(profile, key)
                    && in_profile != in_session
                {
                    return Err(invalid(format!(
                        "profile `{name}` sets `{key}` to another value than its \
                         `[sso-session {session}]`"
                    )));
                }
                resolved.push(in_session.to_owned());
            }
            let region = resolved.pop().unwrap_or_default();
            let start_url = resolved.pop().unwrap_or_default();
            (start_url, region)
        }
        None => (
            required("sso_start_url")?.to_owned(),
            required("sso_region")?.to_owned(),
        ),
    };
    Ok(Some(SsoSettings {
        profile: name.to_owned(),
        session: session.map(str::to_owned),
        start_url,
        region,
        account_id: required("sso_account_id")?.to_owned(),
        role_name: required("sso_role_name")?.to_owned(),
    }))
}

fn describe_files(set: &ProfileSet) -> String {
    let show = |p: Option<&std::path::Path>| match p {
        Some(p) => p.display().to_string(),
        None => "(no home directory)".to_string(),
    };
    format!(
        "neither the config file {} nor the credentials file {}",
        show(set.config_file()),
        show(set.credentials_file())
    )
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}
