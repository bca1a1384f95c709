//! Endpoint resolution of a generated crate: the model's rule set and the partition table
//! compiled in, and the model's endpoint test cases as tests.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::ir::Service;
use crate::naming::snake_case;

/// `src/endpoint.rs`, or `None` when the model has no rule set or no partition table is known.
pub fn file(service: &Service, partitions: Option<&str>) -> Result<Option<TokenStream>, String> {
    let (Some(rules), Some(partitions)) = (&service.endpoint_rules, partitions) else {
        return Ok(None);
    };
    let rules = serde_json::to_string(rules).map_err(|e| e.to_string())?;
    let partitions: Value =
        serde_json::from_str(partitions).map_err(|e| format!("partitions.json: {e}"))?;
    let partitions = serde_json::to_string(&partitions).map_err(|e| e.to_string())?;
    Ok(Some(quote! {
        //! Endpoint resolution with the service's endpoint rule set and the AWS partition table,
        //! both compiled in. Not part of the API (clients resolve endpoints themselves; the
        //! endpoint tests call it).
        pub use ::restjson_runtime::__private::endpoint::{Endpoint, EndpointError, EndpointParams};
        use ::restjson_runtime::__private::endpoint::{PartitionTable, RuleSet};

        const RULES: &str = #rules;
        const PARTITIONS: &str = #partitions;

        /// Resolves the endpoint for `params` (`Region`, `UseFIPS`, `UseDualStack`, `Endpoint`)
        /// with the service's rules, as every call of a client does once.
        pub fn resolve(params: &EndpointParams) -> ::std::result::Result<Endpoint, EndpointError> {
            static PARSED: ::std::sync::OnceLock<::std::result::Result<(RuleSet, PartitionTable), EndpointError>> =
                ::std::sync::OnceLock::new();
            let parsed = PARSED.get_or_init(|| {
                ::std::result::Result::Ok((RuleSet::from_json(RULES)?, PartitionTable::from_json(PARTITIONS)?))
            });
            match parsed {
                ::std::result::Result::Ok((rules, partitions)) => rules.resolve(params, partitions),
                ::std::result::Result::Err(e) => ::std::result::Result::Err(e.clone()),
            }
        }
    }))
}

/// `tests/endpoint_tests.rs`: one test per `smithy.rules#endpointTests` case.
pub fn tests(
    service: &Service,
    crate_name: &str,
    skips: &[(String, String)],
) -> Result<Option<TokenStream>, String> {
    let Some(tests) = &service.endpoint_tests else {
        return Ok(None);
    };
    let cases = tests
        .get("testCases")
        .and_then(Value::as_array)
        .ok_or("endpointTests without testCases")?;
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let mut out = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let doc = case
            .get("documentation")
            .and_then(Value::as_str)
            .unwrap_or("");
        let name = format_ident!(
            "case_{:02}_{}",
            i,
            snake_case(doc).chars().take(80).collect::<String>()
        );
        let mut sets = Vec::new();
        if let Some(params) = case.get("params").and_then(Value::as_object) {
            for (k, v) in params {
                let set = match v {
                    Value::Bool(b) => quote!(.set(#k, #b)),
                    Value::String(s) => quote!(.set(#k, #s)),
                    Value::Array(a) => {
                        let items: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                        quote!(.set(#k, ::std::vec![#(#items.to_owned()),*]))
                    }
                    other => {
                        return Err(format!(
                            "endpoint test {i}: unsupported parameter value {other}"
                        ));
                    }
                };
                sets.push(set);
            }
        }
        let expect = case
            .get("expect")
            .ok_or_else(|| format!("endpoint test {i} without expect"))?;
        let check = if let Some(err) = expect.get("error").and_then(Value::as_str) {
            quote! {
                let err = result.expect_err("the rules must fail");
                assert_eq!(err.message(), #err);
            }
        } else if let Some(ep) = expect.get("endpoint") {
            let url = ep
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("endpoint test {i} without url"))?;
            let mut checks = vec![quote!(assert_eq!(endpoint.url(), #url);)];
            if let Some(headers) = ep.get("headers").and_then(Value::as_object) {
                for (k, v) in headers {
                    let values: Vec<&str> = v
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    checks.push(quote!(assert_eq!(endpoint.headers().get(#k).cloned().unwrap_or_default(), ::std::vec![#(#values.to_owned()),*]);));
                }
            }
            if let Some(props) = ep.get("properties") {
                let json = props.to_string();
                checks.push(quote! {
                    let expected: ::serde_json::Value = ::serde_json::from_str(#json).unwrap();
                    assert_eq!(::serde_json::Value::Object(endpoint.properties().clone()), expected);
                });
            }
            quote! {
                let endpoint = result.expect("the rules must resolve");
                #(#checks)*
            }
        } else {
            return Err(format!(
                "endpoint test {i}: expect has neither error nor endpoint"
            ));
        };
        let ignore = match skips.iter().find(|(d, _)| d == doc) {
            Some((_, reason)) => quote!(#[ignore = #reason]),
            None => quote!(),
        };
        let doc_attr = format!(" {doc}");
        out.push(quote! {
            #[doc = #doc_attr]
            #[test]
            #ignore
            fn #name() {
                let params = #krate::endpoint::EndpointParams::new() #(#sets)*;
                let result = #krate::endpoint::resolve(&params);
                #check
            }
        });
    }
    Ok(Some(quote! {
        //! The endpoint test cases of the service model (`smithy.rules#endpointTests`).
        #(#out)*
    }))
}
