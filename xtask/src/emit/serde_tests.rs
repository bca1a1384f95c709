//! `tests/serde_roundtrip.rs` of a generated crate: every structure (shared types, modeled
//! errors, operation inputs and outputs), union and enum goes through JSON and back unchanged,
//! with every member set; enums with every known value and an unknown one; unions with every
//! variant and `Unknown`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::{Member, NamedKind, Service, StructDef, Ty, TypeDef};
use crate::naming::snake_case;

/// How deep samples of recursive structures go before optional members are left unset.
const MAX_DEPTH: usize = 4;

struct Samples<'s> {
    service: &'s Service,
    krate: proc_macro2::Ident,
}

impl Samples<'_> {
    fn named_path(&self, rust: &str) -> TokenStream {
        let k = &self.krate;
        let t = format_ident!("{}", rust);
        quote!(::#k::types::#t)
    }

    /// An expression of the Rust type of `ty` (not boxed).
    fn value(&self, ty: &Ty, depth: usize) -> TokenStream {
        match ty {
            Ty::String => quote!(::std::string::String::from("text \u{e9}\u{1f600}")),
            Ty::Bool => quote!(true),
            Ty::Unit => quote!(()),
            Ty::Byte => quote!(-7i8),
            Ty::Short => quote!(-300i16),
            Ty::Integer => quote!(42i32),
            Ty::Long => quote!(-9_007_199_254_740_993i64),
            Ty::Float => quote!(1.5f32),
            Ty::Double => quote!(-2.25f64),
            Ty::Timestamp(_) => {
                quote!(::restjson_runtime::DateTime::from_secs_and_nanos(
                    1_704_164_645,
                    123_456_789
                ))
            }
            Ty::Blob => quote!(::restjson_runtime::Blob::new(b"\x00bytes\xff".to_vec())),
            Ty::Document => quote!(
                ::restjson_runtime::Document::from_json_str(
                    r#"{"a":[1,-2,2.5,null,true,"s"],"b":{}}"#
                )
                .expect("valid document")
            ),
            Ty::List { elem, sparse } => {
                let e = self.value(elem, depth);
                if *sparse {
                    quote!(
                        ::std::vec![::std::option::Option::Some(#e), ::std::option::Option::None]
                    )
                } else {
                    quote!(::std::vec![#e])
                }
            }
            Ty::Map { value, sparse } => {
                let v = self.value(value, depth);
                let v = if *sparse {
                    quote!(::std::option::Option::Some(#v))
                } else {
                    v
                };
                quote!(::std::collections::BTreeMap::from([(::std::string::String::from("key"), #v)]))
            }
            Ty::Named { kind, rust, .. } => {
                let p = self.named_path(rust);
                match kind {
                    NamedKind::Enum => quote!(#p::from("NOT_A_KNOWN_VALUE")),
                    NamedKind::IntEnum => quote!(#p::from(-12345)),
                    NamedKind::Struct => match self.find_struct(rust) {
                        Some(s) => self.struct_value(s, &p, depth + 1),
                        None => quote!(#p::builder().build()),
                    },
                    NamedKind::Union => match self.find_union_first(rust) {
                        Some(v) => {
                            let n = format_ident!("{}", v.rust_name);
                            let inner = self.member_value(v, depth + 1);
                            quote!(#p::#n(#inner))
                        }
                        None => quote!(#p::Unknown),
                    },
                }
            }
        }
    }

    fn member_value(&self, m: &Member, depth: usize) -> TokenStream {
        let v = self.value(&m.ty, depth);
        if m.boxed {
            quote!(::std::boxed::Box::new(#v))
        } else {
            v
        }
    }

    fn find_struct(&self, rust: &str) -> Option<&StructDef> {
        self.service.types.iter().find_map(|t| match t {
            TypeDef::Struct(s) if s.rust_name == rust => Some(s),
            _ => None,
        })
    }

    fn find_union_first(&self, rust: &str) -> Option<&Member> {
        self.service.types.iter().find_map(|t| match t {
            TypeDef::Union(u) if u.rust_name == rust => u.variants.first(),
            _ => None,
        })
    }

    /// A value of structure `s` (at `path`) built with every member set.
    fn struct_value(&self, s: &StructDef, path: &TokenStream, depth: usize) -> TokenStream {
        let sets = s.members.iter().filter_map(|m| {
            if depth > MAX_DEPTH && !(m.required && m.default.is_none()) {
                return None;
            }
            let set = format_ident!("{}", m.setter);
            let v = self.member_value(m, depth);
            Some(quote!(.#set(::std::option::Option::Some(#v))))
        });
        let unwrap = if s.needs_fallible_build() {
            quote!(.expect("every required member is set"))
        } else {
            quote!()
        };
        quote!(#path::builder() #(#sets)* .build() #unwrap)
    }
}

pub fn file(service: &Service, crate_name: &str) -> TokenStream {
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let g = Samples {
        service,
        krate: krate.clone(),
    };
    let mut tests = Vec::new();
    let mut structs: Vec<(String, TokenStream, &StructDef)> = Vec::new();
    for t in &service.types {
        if let TypeDef::Struct(s) = t {
            structs.push((s.rust_name.clone(), g.named_path(&s.rust_name), s));
        }
    }
    for e in &service.errors {
        let t = format_ident!("{}", e.rust_name);
        structs.push((e.rust_name.clone(), quote!(::#krate::types::error::#t), e));
    }
    for op in &service.operations {
        let m = ident(&op.module);
        for s in [&op.input, &op.output] {
            let t = format_ident!("{}", s.rust_name);
            structs.push((s.rust_name.clone(), quote!(::#krate::operation::#m::#t), s));
        }
    }
    for (name, path, s) in &structs {
        let f = format_ident!("struct_{}", snake_case(name));
        let full = g.struct_value(s, path, 0);
        let minimal = if s.needs_fallible_build() {
            quote!()
        } else {
            quote!(round_trip(&#path::builder().build());)
        };
        tests.push(quote! {
            #[test]
            fn #f() {
                round_trip(&#full);
                #minimal
            }
        });
    }
    for t in &service.types {
        match t {
            TypeDef::Union(u) => {
                let p = g.named_path(&u.rust_name);
                let f = format_ident!("union_{}", snake_case(&u.rust_name));
                let variants = u.variants.iter().map(|v| {
                    let n = format_ident!("{}", v.rust_name);
                    let val = g.member_value(v, 1);
                    quote!(round_trip(&#p::#n(#val));)
                });
                tests.push(quote! {
                    #[test]
                    fn #f() {
                        #(#variants)*
                        let unknown: #p = serde_json::from_str("\"Unknown\"").expect("deserializes");
                        assert!(unknown.is_unknown());
                        assert_eq!(serde_json::to_string(&unknown).expect("serializes"), "\"Unknown\"");
                        round_trip(&unknown);
                    }
                });
            }
            TypeDef::Enum(e) => {
                let p = g.named_path(&e.rust_name);
                let f = format_ident!("enum_{}", snake_case(&e.rust_name));
                tests.push(quote! {
                    #[test]
                    fn #f() {
                        for known in #p::values() {
                            let value = #p::from(*known);
                            assert_eq!(serde_json::to_string(&value).expect("serializes"), format!("{known:?}"));
                            round_trip(&value);
                        }
                        let unknown = #p::from("NOT_A_KNOWN_VALUE");
                        assert_eq!(serde_json::to_string(&unknown).expect("serializes"), "\"NOT_A_KNOWN_VALUE\"");
                        let back: #p = serde_json::from_str("\"NOT_A_KNOWN_VALUE\"").expect("deserializes");
                        assert_eq!(back.as_str(), "NOT_A_KNOWN_VALUE");
                        assert!(!#p::values().contains(&back.as_str()));
                        round_trip(&unknown);
                    }
                });
            }
            TypeDef::IntEnum(e) => {
                let p = g.named_path(&e.rust_name);
                let f = format_ident!("int_enum_{}", snake_case(&e.rust_name));
                tests.push(quote! {
                    #[test]
                    fn #f() {
                        for known in #p::values() {
                            let value = #p::from(*known);
                            assert_eq!(serde_json::to_string(&value).expect("serializes"), known.to_string());
                            round_trip(&value);
                        }
                        round_trip(&#p::from(-12345));
                    }
                });
            }
            TypeDef::Struct(_) => {}
        }
    }
    quote! {
        //! Every generated type survives a trip through JSON (feature `serde`): structures with
        //! every member set, every union variant, every enum value and an unknown one.
        #![cfg(feature = "serde")]
        #![allow(clippy::all)]

        fn round_trip<T>(value: &T)
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            let text = serde_json::to_string(value).expect("serializes");
            let back: T = serde_json::from_str(&text).expect("deserializes");
            assert_eq!(&back, value, "{text}");
            assert_eq!(serde_json::to_string(&back).expect("serializes again"), text);
        }

        #(#tests)*
    }
}
