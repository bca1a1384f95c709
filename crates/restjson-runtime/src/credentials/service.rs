//! Calls to the services behind some credential providers: STS, IAM Identity Center (SSO) and
//! its OIDC service. They go through the same pipeline as every client of this runtime
//! (retries, timeouts, endpoint settings), with endpoints and error rules of their own.

use std::time::{Duration, SystemTime};

use super::{CredentialsError, CredentialsErrorKind};
use crate::client::{ErrorRules, Handle, ResolveEndpointFn, ServiceMeta};
use crate::config::{Config, CredentialsSetting};
use crate::endpoint::{Endpoint, EndpointError, EndpointParams, ParamValue};
use crate::env_config::{ConfigError, EnvSources};
use crate::error::{SdkError, SdkErrorKind};
use crate::profile::default_region;
use crate::provider_env::ProviderEnv;
use crate::time::TimeSource;

/// The longest one call to STS, IAM Identity Center or its OIDC service may take, retries
/// included, unless the client configuration given to the provider sets an operation timeout.
pub const DEFAULT_CREDENTIALS_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how a provider calls STS and IAM Identity Center: the environment and profile its
/// settings come from (region, endpoint URLs, retries, FIPS, dual-stack), or a configuration
/// given in code for the transport, retries and timeouts.
#[derive(Clone, Debug)]
pub(crate) struct ServiceSettings {
    env: ProviderEnv,
    profile: Option<String>,
    config: Option<Config>,
}

/// A client configuration for one provider's calls, and the region it has.
pub(crate) struct ServiceConfig {
    config: Config,
}

impl ServiceSettings {
    pub(crate) fn new(env: ProviderEnv, profile: Option<&str>) -> Self {
        Self {
            env,
            profile: profile.map(str::to_owned),
            config: None,
        }
    }

    pub(crate) fn set_config(&mut self, config: Config) {
        self.config = Some(config);
    }

    pub(crate) fn set_profile(&mut self, profile: Option<&str>) {
        self.profile = profile.map(str::to_owned);
    }

    pub(crate) fn env(&self) -> &ProviderEnv {
        &self.env
    }

    pub(crate) fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    pub(crate) fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// The configuration the calls start from: the one given in code (its endpoint URL is
    /// dropped: it names the caller's service, not STS; the environment supplies the region
    /// when it has none, and can turn FIPS and dual-stack on), else the one the environment
    /// and profile describe.
    pub(crate) fn load(&self, what: &str) -> Result<ServiceConfig, CredentialsError> {
        let invalid = |e: ConfigError| {
            CredentialsError::new(
                CredentialsErrorKind::InvalidConfiguration,
                format!("{what}: {e}"),
            )
            .with_source(e)
        };
        let config = match &self.config {
            Some(config) => {
                let mut builder = config.to_builder().set_endpoint_url(None);
                if config.region().is_none() {
                    let region = default_region(&self.env, self.profile.as_deref())
                        .map_err(|e| invalid(e.into()))?;
                    builder = builder.set_region(region);
                }
                let sources = match config.env_sources() {
                    Some(sources) => sources.clone(),
                    None => {
                        EnvSources::load(&self.env, self.profile.as_deref()).map_err(invalid)?
                    }
                };
                builder
                    .use_fips(config.use_fips() || sources.use_fips().map_err(invalid)?)
                    .use_dual_stack(
                        config.use_dual_stack() || sources.use_dual_stack().map_err(invalid)?,
                    )
                    .set_env_sources(Some(sources))
                    .build()
            }
            None => Config::from_env_with(&self.env, self.profile.as_deref())
                .map_err(invalid)?
                .build(),
        };
        let config = match config.operation_timeout() {
            Some(_) => config,
            None => config
                .to_builder()
                .operation_timeout(DEFAULT_CREDENTIALS_CALL_TIMEOUT)
                .build(),
        };
        Ok(ServiceConfig { config })
    }
}

impl ServiceConfig {
    /// The region of the configuration (environment, profile, or the configuration given).
    pub(crate) fn region(&self) -> Option<&str> {
        self.config.region()
    }

    /// The time by the configuration's clock.
    pub(crate) fn now(&self) -> SystemTime {
        self.config.time_source().now()
    }

    /// A handle calling `service` in `region` with `credentials`.
    pub(crate) fn handle(
        &self,
        service: &'static ServiceMeta,
        errors: &'static ErrorRules,
        region: &str,
        credentials: CredentialsSetting,
    ) -> Handle {
        let config = self
            .config
            .to_builder()
            .region(region)
            .set_credentials(credentials)
            .build();
        Handle::with_error_rules(config, service, errors)
    }
}

/// Facts about a service the credential providers call.
pub(crate) const fn service_meta(
    sdk_id: &'static str,
    signing_name: &'static str,
    endpoint_prefix: &'static str,
    resolve_endpoint: ResolveEndpointFn,
) -> ServiceMeta {
    ServiceMeta {
        sdk_id,
        signing_name,
        crate_name: "restjson-runtime",
        crate_version: env!("CARGO_PKG_VERSION"),
        endpoint_prefix,
        resolve_endpoint: Some(resolve_endpoint),
    }
}

/// The DNS suffixes (plain, dual-stack) of the partition a region belongs to. The runtime has
/// no partition table of its own (generated clients embed theirs), so the few non-`aws`
/// partitions are recognised by their region prefixes.
fn dns_suffixes(region: &str) -> (&'static str, &'static str) {
    const PARTITIONS: &[(&str, &str, &str)] = &[
        ("cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"),
        ("us-isob-", "sc2s.sgov.gov", "api.aws.scloud"),
        ("us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
        ("us-iso-", "c2s.ic.gov", "api.aws.ic.gov"),
        ("eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
        ("eusc-", "amazonaws.eu", "api.amazonwebservices.eu"),
    ];
    PARTITIONS
        .iter()
        .find(|(prefix, _, _)| region.starts_with(prefix))
        .map_or(("amazonaws.com", "api.aws"), |(_, dns, dual)| (dns, dual))
}

fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `https://{host}.{region}.{suffix}` (with `-fips` and the dual-stack suffix when asked), or
/// the configured endpoint URL.
pub(crate) fn regional_endpoint(
    params: &EndpointParams,
    host: &str,
) -> Result<Endpoint, EndpointError> {
    if let Some(ParamValue::String(url)) = params.get("Endpoint") {
        return Ok(Endpoint::new(url.clone()));
    }
    let Some(ParamValue::String(region)) = params.get("Region") else {
        return Err(EndpointError::evaluation(
            "no region is configured".to_owned(),
        ));
    };
    if !is_valid_region(region) {
        return Err(EndpointError::evaluation(format!(
            "region {region:?} is not a valid region name"
        )));
    }
    let flag = |name: &str| matches!(params.get(name), Some(ParamValue::Bool(true)));
    let (dns, dual_stack_dns) = dns_suffixes(region);
    let suffix = if flag("UseDualStack") {
        dual_stack_dns
    } else {
        dns
    };
    let fips = if flag("UseFIPS") { "-fips" } else { "" };
    Ok(Endpoint::new(format!(
        "https://{host}{fips}.{region}.{suffix}"
    )))
}

/// The kind a provider reports when a call failed, except for service errors, which each
/// provider classifies itself.
pub(crate) fn failure_kind<E>(error: &SdkError<E>) -> CredentialsErrorKind {
    match error.kind() {
        SdkErrorKind::Construction(_) => CredentialsErrorKind::InvalidConfiguration,
        SdkErrorKind::Credentials(source) => match source.kind() {
            // The source was named explicitly: having no credentials is a configuration error.
            CredentialsErrorKind::NotLoaded | CredentialsErrorKind::InvalidConfiguration => {
                CredentialsErrorKind::InvalidConfiguration
            }
            CredentialsErrorKind::ProviderTimedOut => CredentialsErrorKind::ProviderTimedOut,
            _ => CredentialsErrorKind::ProviderError,
        },
        SdkErrorKind::Timeout(_) => CredentialsErrorKind::ProviderTimedOut,
        _ => CredentialsErrorKind::ProviderError,
    }
}

/// A credentials error for a failed call: `context`, then what the call says (operation, code,
/// message, status, request id), then `hint` when there is one.
pub(crate) fn call_error<E>(
    context: &str,
    kind: CredentialsErrorKind,
    error: SdkError<E>,
    hint: Option<&str>,
) -> CredentialsError
where
    E: std::error::Error + Send + Sync + 'static,
{
    let message = match hint {
        Some(hint) => format!("{context}: {error}: {hint}"),
        None => format!("{context}: {error}"),
    };
    CredentialsError::new(kind, message).with_source(error)
}

/// A session name for STS: `restjson-runtime-` and the time in milliseconds, as the AWS SDKs
/// name sessions when none is configured.
pub(crate) fn default_session_name(now: SystemTime) -> String {
    let millis = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    format!("restjson-runtime-{millis}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(host: &str, params: EndpointParams) -> String {
        match regional_endpoint(&params, host) {
            Ok(e) => e.url().to_owned(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn regional_endpoints_per_partition_and_variant() {
        let p = |r: &str| EndpointParams::new().with_region(r);
        assert_eq!(
            url("sts", p("eu-west-1")),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            url("sts", p("cn-north-1")),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            url("oidc", p("us-iso-east-1")),
            "https://oidc.us-iso-east-1.c2s.ic.gov"
        );
        assert_eq!(
            url("portal.sso", p("us-isob-east-1")),
            "https://portal.sso.us-isob-east-1.sc2s.sgov.gov"
        );
        assert_eq!(
            url("sts", p("us-west-2").with_use_fips(true)),
            "https://sts-fips.us-west-2.amazonaws.com"
        );
        assert_eq!(
            url("sts", p("us-west-2").with_use_dual_stack(true)),
            "https://sts.us-west-2.api.aws"
        );
        assert_eq!(
            url(
                "sts",
                p("us-west-2")
                    .with_use_dual_stack(true)
                    .with_endpoint("http://127.0.0.1:9")
            ),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            url("sts", p("evil.com/x")),
            "error: region \"evil.com/x\" is not a valid region name"
        );
        assert_eq!(
            url("sts", EndpointParams::new()),
            "error: no region is configured"
        );
    }

    #[test]
    fn default_session_names_carry_the_time() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_164_645_123);
        assert_eq!(default_session_name(t), "restjson-runtime-1704164645123");
    }
}
