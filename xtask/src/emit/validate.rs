//! `src/validate.rs` of a generated crate: constraint checks of every operation input, walking
//! nested structures, unions, lists and maps. The runtime's `Validator` decides which checks
//! apply in the configured mode; this file only lists what the model constrains.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, rust_ty};
use crate::ir::{self, Constraints, Member, NamedKind, RangeCheck, Service, Ty, TypeDef};

struct Gen {
    /// Shape ids of structures and unions whose values have something to check.
    checked: BTreeSet<String>,
    patterns: BTreeMap<String, usize>,
}

fn ty_needs(ty: &Ty, c: &Constraints, checked: &BTreeSet<String>) -> bool {
    ir::ty_needs_check(ty, c, checked)
}

static EMPTY: Constraints = Constraints {
    length: None,
    range: None,
    pattern: None,
    elem: None,
    key: None,
    value: None,
};

impl Gen {
    fn pattern(&mut self, p: &str) -> proc_macro2::Ident {
        let n = self.patterns.len();
        let i = *self.patterns.entry(p.to_owned()).or_insert(n);
        format_ident!("PATTERN_{}", i)
    }

    /// Statements checking the value `x` (an expression of type `&T`) at the validator's path.
    fn check(&mut self, ty: &Ty, c: &Constraints, x: TokenStream, sensitive: bool) -> TokenStream {
        let opt_u = |v: Option<u64>| match v {
            Some(v) => quote!(::std::option::Option::Some(#v)),
            None => quote!(::std::option::Option::None),
        };
        let opt_f = |v: Option<f64>| match v {
            Some(v) => quote!(::std::option::Option::Some(#v)),
            None => quote!(::std::option::Option::None),
        };
        let opt_i = |v: Option<i64>| match v {
            Some(v) => quote!(::std::option::Option::Some(#v)),
            None => quote!(::std::option::Option::None),
        };
        let mut out = Vec::new();
        let (lmin, lmax) = c.length.unwrap_or((None, None));
        match ty {
            Ty::String => {
                if c.length.is_some() {
                    let (a, b) = (opt_u(lmin), opt_u(lmax));
                    out.push(quote!(v.str_length(#x, #a, #b);));
                }
                if let Some(p) = &c.pattern {
                    let id = self.pattern(p);
                    out.push(quote!(v.pattern(#x, &#id);));
                }
            }
            Ty::Blob if c.length.is_some() => {
                let (a, b) = (opt_u(lmin), opt_u(lmax));
                out.push(quote!(v.length(#x.as_ref().len(), #a, #b);));
            }
            Ty::Byte | Ty::Short | Ty::Integer | Ty::Long | Ty::Float | Ty::Double => {
                match c.range_check(ty) {
                    Some(RangeCheck::Int(min, max)) => {
                        let (a, b) = (opt_i(min), opt_i(max));
                        out.push(quote!(v.int_range(i64::from(*#x), #a, #b);));
                    }
                    Some(RangeCheck::Float(min, max)) => {
                        let (a, b) = (opt_f(min), opt_f(max));
                        out.push(quote!(v.float_range(f64::from(*#x), #a, #b);));
                    }
                    None => {}
                }
            }
            Ty::List { elem, sparse } => {
                if c.length.is_some() {
                    let (a, b) = (opt_u(lmin), opt_u(lmax));
                    out.push(quote!(v.length(#x.len(), #a, #b);));
                }
                let ec = c.elem.as_deref().unwrap_or(&EMPTY);
                if ty_needs(elem, ec, &self.checked) {
                    let inner = self.check(elem, ec, quote!(item), sensitive);
                    let body = if *sparse {
                        quote!(if let ::std::option::Option::Some(item) = item { #inner })
                    } else {
                        inner
                    };
                    out.push(quote! {
                        for (i, item) in #x.iter().enumerate() { v.index(i, |v| { #body }); }
                    });
                }
            }
            Ty::Map { value, sparse } => {
                if c.length.is_some() {
                    let (a, b) = (opt_u(lmin), opt_u(lmax));
                    out.push(quote!(v.length(#x.len(), #a, #b);));
                }
                let kc = c.key.as_deref().unwrap_or(&EMPTY);
                let vc = c.value.as_deref().unwrap_or(&EMPTY);
                let key_check = if kc.any() {
                    self.check(&Ty::String, kc, quote!(key.as_str()), sensitive)
                } else {
                    quote!()
                };
                let value_check = if ty_needs(value, vc, &self.checked) {
                    let inner = self.check(value, vc, quote!(item), sensitive);
                    if *sparse {
                        quote!(if let ::std::option::Option::Some(item) = item { #inner })
                    } else {
                        inner
                    }
                } else {
                    quote!()
                };
                if !key_check.is_empty() || !value_check.is_empty() {
                    let enter = if sensitive {
                        quote!(v.hidden_key(|v| { #key_check #value_check });)
                    } else {
                        quote!(v.key(key, |v| { #key_check #value_check });)
                    };
                    // A sensitive map's keys are not named in reports: only key checks use them.
                    let key = if sensitive && key_check.is_empty() {
                        quote!(_key)
                    } else {
                        quote!(key)
                    };
                    let item = if value_check.is_empty() {
                        quote!(_item)
                    } else {
                        quote!(item)
                    };
                    out.push(quote! {
                        for (#key, #item) in #x.iter() { #enter }
                    });
                }
            }
            Ty::Named {
                kind: NamedKind::Struct | NamedKind::Union,
                shape_id,
                check_fn,
                ..
            } if self.checked.contains(shape_id) => {
                let f = format_ident!("{}", check_fn);
                out.push(quote!(#f(#x, v);));
            }
            _ => {}
        }
        quote!(#(#out)*)
    }

    /// Checks of the members of a structure (`Members::Built`), of an operation's input builder
    /// (`Members::Builder`: every member optional, the required ones reported when missing) or
    /// of a union's variants.
    fn member_checks(&mut self, members: &[&Member], of: Members<'_>) -> Vec<TokenStream> {
        let mut out = Vec::new();
        for m in members {
            let wire = &m.wire_name;
            let missing = matches!(of, Members::Builder) && m.required && m.default.is_none();
            if !ty_needs(&m.ty, &m.constraints, &self.checked) {
                if missing {
                    let f = ident(&m.rust_name);
                    out.push(quote!(if value.#f.is_none() { v.missing(#wire); }));
                }
                continue;
            }
            let check = self.check(&m.ty, &m.constraints, quote!(x), m.sensitive);
            let f = ident(&m.rust_name);
            let stmt = match of {
                Members::Union(u) => {
                    let t = format_ident!("{}", u);
                    let var = format_ident!("{}", m.rust_name);
                    quote!(if let crate::types::#t::#var(x) = value { v.field(#wire, |v| { #check }); })
                }
                Members::Built if m.non_optional() => {
                    quote!({ let x = &value.#f; v.field(#wire, |v| { #check }); })
                }
                _ if missing => quote! {
                    match &value.#f {
                        ::std::option::Option::Some(x) => v.field(#wire, |v| { #check }),
                        ::std::option::Option::None => v.missing(#wire),
                    }
                },
                _ => {
                    quote!(if let ::std::option::Option::Some(x) = &value.#f { v.field(#wire, |v| { #check }); })
                }
            };
            out.push(stmt);
        }
        out
    }
}

/// Whose members [`Gen::member_checks`] checks.
#[derive(Clone, Copy)]
enum Members<'a> {
    /// A built structure.
    Built,
    /// An operation's input builder.
    Builder,
    /// The variants of the union of this name.
    Union(&'a str),
}

/// Whether the generated checks use any `@pattern` (the crate then offers a `patterns` feature).
pub fn has_patterns(service: &Service) -> bool {
    !checks(service).1.is_empty()
}

pub fn file(service: &Service) -> TokenStream {
    let (fns, patterns) = checks(service);
    let mut patterns: Vec<(&String, &usize)> = patterns.iter().collect();
    patterns.sort_by_key(|(_, i)| **i);
    let statics = patterns.iter().map(|(p, i)| {
        let id = format_ident!("PATTERN_{}", i);
        let p = p.as_str();
        quote!(static #id: ::restjson_runtime::__private::Pattern = ::restjson_runtime::__private::Pattern::new(#p);)
    });
    quote! {
        //! Checks of operation inputs, run before each request is sent: required members, and
        //! the model's constraints (which apply depends on the client's validation mode, see
        //! `restjson_runtime::validate`).
        #(#statics)*
        #(#fns)*
    }
}

/// The checker functions, and the patterns they use (numbered in order of first use).
fn checks(service: &Service) -> (Vec<TokenStream>, BTreeMap<String, usize>) {
    let mut g = Gen {
        checked: ir::checked_types(service),
        patterns: BTreeMap::new(),
    };
    let mut fns = Vec::new();
    for t in &service.types {
        let (name, members, of, check_fn) = match t {
            TypeDef::Struct(s) => (
                &s.rust_name,
                s.members.iter().collect::<Vec<_>>(),
                Members::Built,
                &s.check_fn,
            ),
            TypeDef::Union(u) => (
                &u.rust_name,
                u.variants.iter().map(|v| &v.member).collect(),
                Members::Union(u.rust_name.as_str()),
                &u.check_fn,
            ),
            _ => continue,
        };
        let Some(check_fn) = check_fn else { continue };
        let checks = g.member_checks(&members, of);
        let f = format_ident!("{}", check_fn);
        let ty = rust_ty(&Ty::Named {
            kind: NamedKind::Struct,
            rust: name.to_owned(),
            shape_id: String::new(),
            ser_fn: String::new(),
            de_fn: String::new(),
            check_fn: String::new(),
        });
        fns.push(quote! {
            fn #f(value: &#ty, v: &mut ::restjson_runtime::__private::Validator) { #(#checks)* }
        });
    }
    for op in &service.operations {
        let members: Vec<&Member> = op.input.members.iter().collect();
        let checks = g.member_checks(&members, Members::Builder);
        let f = format_ident!("{}", op.check_fn);
        let m = ident(&op.module);
        let t = format_ident!("{}", op.input.builder);
        let doc = format!(
            " Checks a `{}` input before it is built: required members and constraints.",
            op.name
        );
        let (value, vname) = if checks.is_empty() {
            (quote!(_value), quote!(_v))
        } else {
            (quote!(value), quote!(v))
        };
        fns.push(quote! {
            #[doc = #doc]
            pub(crate) fn #f(#value: &crate::operation::#m::#t, #vname: &mut ::restjson_runtime::__private::Validator) { #(#checks)* }
        });
    }
    (fns, g.patterns)
}
