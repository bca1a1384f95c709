//! Crate-level files: lib.rs, client, config, error, operation index, Cargo.toml.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Options, docs, ident};
use crate::ir::Service;

pub fn files(
    service: &Service,
    options: &Options,
    has_endpoint: bool,
) -> Vec<(String, TokenStream)> {
    vec![
        ("src/lib.rs".into(), lib_rs(service, options, has_endpoint)),
        (
            "src/client.rs".into(),
            client_rs(service, options, has_endpoint),
        ),
        ("src/config.rs".into(), config_rs()),
        ("src/error.rs".into(), error_rs()),
        ("src/operation.rs".into(), operation_rs(service)),
    ]
}

/// Crate documentation common to every generated client.
const GUIDE: &str = "
# Paginated operations

The fluent builder of every paginated operation has `into_paginator()`: a stream of pages
(`futures::Stream`, or call its `next()` method), with `.page_size(n)` and `.items()` (a stream
of the listed items). Nothing is sent until it is polled; it stops after the last page, after a
failed page (yielded as an error), or with a [`PaginationError`](crate::error::PaginationError)
when the service repeats a token.

# Validation

`build()` fails when a required member is missing. Before sending, inputs are also checked
against the model's minimum lengths and minimum values (as validating AWS SDKs do), reporting
every violated member with its path ([`ValidationError`](crate::error::ValidationError), the
source of a construction error). `Config::builder().strict_validation(true)` also checks
maximum lengths, maximum values and patterns; the model's patterns can be narrower than what
the service accepts, so strict mode can refuse requests the service would accept.

# Features

- `serde`: `Serialize` and `Deserialize` on every structure, union and enum (operation inputs,
  outputs and modeled errors included). This form is for your own storage and messaging and is
  independent of the wire protocol: fields use their Rust names; enums are their string (or
  integer) value, unknown values included; unions are externally tagged by variant name, with
  `\"Unknown\"` for variants this client does not know; timestamps are RFC 3339 strings with
  full precision; blobs are base64; an output's request id is kept as `_request_id`. Every value
  round-trips unchanged. Members the model marks sensitive (tokens, user ids) are serialized
  too, since a round trip must keep them: protect serialized data accordingly. Off by default.
- `time`: conversions between [`DateTime`] and `time::OffsetDateTime`
  (`From` one way, `TryFrom` the other). Off by default. `DateTime` always converts to and from
  `std::time::SystemTime`.
- `aws-config`: `Config::from_sdk_config(&sdk_config)` builds a configuration from the
  official AWS SDK's `aws_types::SdkConfig` (region, credentials provider, endpoint URL, retry
  and timeout settings), and `Config::builder().aws_credentials_provider(..)` takes any
  `aws_credential_types` credentials provider. Off by default.
";

fn lib_rs(service: &Service, options: &Options, has_endpoint: bool) -> TokenStream {
    let endpoint_mod = if has_endpoint {
        quote!(
            pub mod endpoint;
        )
    } else {
        quote!()
    };
    let title = format!(
        " {} client, generated from the service's Smithy model ({}).",
        service.title, service.version
    );
    let service_docs: Vec<String> = service.docs.iter().map(|l| format!(" {l}")).collect();
    let krate = options.crate_name.replace('-', "_");
    let example_op = service
        .operations
        .iter()
        .find(|o| !o.input.needs_fallible_build())
        .or(service.operations.first());
    let example = match example_op {
        Some(op) => format!(
            "```no_run\n# async fn example() -> Result<(), Box<dyn std::error::Error>> {{\nlet config = {krate}::Config::builder().region(\"us-west-2\").build();\nlet client = {krate}::Client::from_conf(config);\nlet output = client.{}(){}.send().await?;\n# let _ = output;\n# Ok(())\n# }}\n```",
            op.fn_name.trim_start_matches("r#"),
            if op.input.needs_fallible_build() {
                "/* set the required members */"
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    let example_lines: Vec<String> = example.lines().map(|l| format!(" {l}")).collect();
    let guide_lines: Vec<String> = GUIDE.lines().map(|l| format!(" {l}")).collect();
    quote! {
        #![doc = #title]
        #![doc = ""]
        #( #![doc = #service_docs] )*
        #![doc = ""]
        #![doc = " # Example"]
        #![doc = ""]
        #( #![doc = #example_lines] )*
        #( #![doc = #guide_lines] )*
        #![warn(missing_docs)]
        #![allow(clippy::all)]

        pub mod client;
        pub mod config;
        #endpoint_mod
        pub mod error;
        pub mod operation;
        mod protocol;
        pub mod types;
        mod validate;

        pub use crate::client::Client;
        pub use crate::config::Config;
        pub use ::restjson_runtime::{Credentials, DateTime};
    }
}

fn client_rs(service: &Service, options: &Options, has_endpoint: bool) -> TokenStream {
    let resolve = if has_endpoint {
        quote!(::std::option::Option::Some(crate::endpoint::resolve))
    } else {
        quote!(::std::option::Option::None)
    };
    let methods = service.operations.iter().map(|op| {
        let f = ident(&op.fn_name);
        let m = ident(&op.module);
        let fluent = format_ident!("{}", crate::naming::fluent_builder_name(&op.type_name));
        let d = docs(&op.docs);
        let d = if op.docs.is_empty() {
            docs(&[format!("Calls the `{}` operation.", op.name)])
        } else {
            d
        };
        quote! {
            #d
            pub fn #f(&self) -> crate::operation::#m::builders::#fluent {
                crate::operation::#m::builders::#fluent::new(self.handle.clone())
            }
        }
    });
    let sdk_id = &service.sdk_id;
    let signing = &service.signing_name;
    let krate = &options.crate_name;
    let version = &options.crate_version;
    let prefix = &service.endpoint_prefix;
    let doc = format!(
        " A client for {}. Cheap to clone: clones share configuration and connection pool.",
        service.title
    );
    quote! {
        //! The client.

        pub(crate) static SERVICE: ::restjson_runtime::__private::ServiceMeta = ::restjson_runtime::__private::ServiceMeta {
            sdk_id: #sdk_id,
            signing_name: #signing,
            crate_name: #krate,
            crate_version: #version,
            endpoint_prefix: #prefix,
            resolve_endpoint: #resolve,
        };

        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct Client {
            handle: ::restjson_runtime::Handle,
        }

        impl Client {
            /// A client with `config`. Never fails: configuration problems (no region, an
            /// invalid endpoint URL) are reported by each call, before anything is sent.
            pub fn from_conf(config: crate::Config) -> Self {
                Self { handle: ::restjson_runtime::Handle::new(config, &SERVICE) }
            }

            /// A client with a copy of `config`.
            pub fn new(config: &crate::Config) -> Self {
                Self::from_conf(config.clone())
            }

            /// The client's configuration.
            pub fn config(&self) -> &crate::Config {
                self.handle.config()
            }

            #(#methods)*
        }
    }
}

fn config_rs() -> TokenStream {
    quote! {
        //! Client configuration: region, credentials, endpoint, transport and timeouts.
        pub use ::restjson_runtime::config::{Config, ConfigBuilder as Builder, CredentialsSetting};
        pub use ::restjson_runtime::env_config::ConfigError;
        pub use ::restjson_runtime::provider_env::ProviderEnv;
        pub use ::restjson_runtime::retry::{RetryConfig, RetryMode};
        pub use ::restjson_runtime::sleep::AsyncSleep;
        pub use ::restjson_runtime::credentials::{Credentials, CredentialsError, ProvideCredentials, SharedCredentialsProvider};
        pub use ::restjson_runtime::http::{HttpConnector, HttpSettings, ProxySetting};
        pub use ::restjson_runtime::time::{StaticTimeSource, SystemClock, TimeSource};
    }
}

fn error_rs() -> TokenStream {
    quote! {
        //! Errors of calls: the failure class of a call ([`SdkError`]) wraps each operation's
        //! own error enum (in `operation::<name>`).
        pub use ::restjson_runtime::error::{BuildError, ErrorMetadata, RawResponse, SdkError, SdkErrorKind, Unhandled};
        pub use ::restjson_runtime::paginator::PaginationError;
        pub use ::restjson_runtime::validate::{Constraint, FieldViolation, ValidationError};
    }
}

fn operation_rs(service: &Service) -> TokenStream {
    let mods = service.operations.iter().map(|op| {
        let m = ident(&op.module);
        quote!(pub mod #m;)
    });
    quote! {
        //! The service's operations, one module each.
        #(#mods)*
    }
}

pub fn cargo_toml(options: &Options) -> String {
    let header = format!("# Code generated by `{}`. DO NOT EDIT.\n", options.command);
    if options.in_workspace {
        format!(
            "{header}[package]\nname = \"{name}\"\ndescription = \"Client generated from a Smithy model.\"\nversion.workspace = true\nedition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\npublish.workspace = true\n\n[dependencies]\nrestjson-runtime.workspace = true\nserde = {{ workspace = true, optional = true }}\n\n[features]\n# Serialize/Deserialize on every generated type (see the crate documentation).\nserde = [\"dep:serde\", \"restjson-runtime/serde\"]\n# Conversions between DateTime and time::OffsetDateTime.\ntime = [\"restjson-runtime/time\"]\n# Config from the official SDK's SdkConfig, and its credentials providers.\naws-config = [\"restjson-runtime/aws-config\"]\n\n[dev-dependencies]\nserde_json.workspace = true\n",
            name = options.crate_name
        )
    } else {
        format!(
            "{header}[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nrestjson-runtime = {{ path = \"{runtime}\" }}\nserde = {{ version = \"1\", features = [\"derive\"], optional = true }}\n\n[features]\nserde = [\"dep:serde\", \"restjson-runtime/serde\"]\ntime = [\"restjson-runtime/time\"]\naws-config = [\"restjson-runtime/aws-config\"]\n\n[dev-dependencies]\nserde_json = \"1\"\n\n[workspace]\n",
            name = options.crate_name,
            version = options.crate_version,
            runtime = options.runtime_path
        )
    }
}
