//! `tests/serde_roundtrip.rs` of a generated crate: every structure (shared types, modeled
//! errors, operation inputs and outputs), union and enum goes through JSON and back unchanged,
//! with every member set; enums with every known value and an unknown one; unions with every
//! variant and `Unknown`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::{Member, NamedKind, Service, StructDef, Ty, TypeDef};
use crate::naming::snake_case;

/// How deep samples of recursive structures go before optional members are left unset and
/// lists and maps are left empty.
const MAX_DEPTH: usize = 4;
/// Past this depth no sample is made: a structure whose required members form a cycle
/// (through unions) has no finite value, and its test is left out.
const GIVE_UP_DEPTH: usize = MAX_DEPTH + 12;

struct Samples<'s> {
    structs: BTreeMap<&'s str, &'s StructDef>,
    unions: BTreeMap<&'s str, Vec<&'s Member>>,
    krate: proc_macro2::Ident,
}

impl Samples<'_> {
    fn named_path(&self, rust: &str) -> TokenStream {
        let k = &self.krate;
        let t = format_ident!("{}", rust);
        quote!(::#k::types::#t)
    }

    /// An expression of the Rust type of `ty` (not boxed), or `None` when no finite sample
    /// exists within [`GIVE_UP_DEPTH`].
    fn value(&self, ty: &Ty, depth: usize) -> Option<TokenStream> {
        if depth > GIVE_UP_DEPTH {
            return None;
        }
        Some(match ty {
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
            // Structures with byte streams are not serializable and get no round trip.
            Ty::ByteStream => return None,
            Ty::Document => quote!(
                ::restjson_runtime::Document::from_json_str(
                    r#"{"a":[1,-2,2.5,null,true,"s"],"b":{}}"#
                )
                .expect("valid document")
            ),
            Ty::List { .. } if depth > MAX_DEPTH => quote!(::std::vec::Vec::new()),
            Ty::Map { .. } if depth > MAX_DEPTH => quote!(::std::collections::BTreeMap::new()),
            Ty::List { elem, sparse } => {
                let e = self.value(elem, depth)?;
                if *sparse {
                    quote!(
                        ::std::vec![::std::option::Option::Some(#e), ::std::option::Option::None]
                    )
                } else {
                    quote!(::std::vec![#e])
                }
            }
            Ty::Map { value, sparse } => {
                let v = self.value(value, depth)?;
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
                    NamedKind::Struct => match self.structs.get(rust.as_str()) {
                        Some(s) => self.struct_value(s, &p, depth + 1)?,
                        None => quote!(#p::builder().build()),
                    },
                    NamedKind::Union => {
                        let variants: &[&Member] = self
                            .unions
                            .get(rust.as_str())
                            .map(Vec::as_slice)
                            .unwrap_or_default();
                        // Deep down, prefer a variant that does not nest further.
                        let nests = |v: &&&Member| {
                            matches!(
                                v.ty,
                                Ty::Named {
                                    kind: NamedKind::Struct | NamedKind::Union,
                                    ..
                                }
                            )
                        };
                        let first = if depth > MAX_DEPTH {
                            variants.iter().find(|v| !nests(v)).or(variants.first())
                        } else {
                            variants.first()
                        };
                        match first {
                            Some(v) => {
                                let n = format_ident!("{}", v.rust_name);
                                let inner = self.member_value(v, depth + 1)?;
                                quote!(#p::#n(#inner))
                            }
                            None => quote!(#p::Unknown),
                        }
                    }
                }
            }
        })
    }

    fn member_value(&self, m: &Member, depth: usize) -> Option<TokenStream> {
        let v = self.value(&m.ty, depth)?;
        Some(if m.boxed {
            quote!(::std::boxed::Box::new(#v))
        } else {
            v
        })
    }

    /// A value of structure `s` (at `path`) built with every member set (only the required
    /// ones past [`MAX_DEPTH`]).
    fn struct_value(&self, s: &StructDef, path: &TokenStream, depth: usize) -> Option<TokenStream> {
        let mut sets = Vec::new();
        for m in &s.members {
            if depth > MAX_DEPTH && !(m.required && m.default.is_none()) {
                continue;
            }
            let set = format_ident!("{}", m.setter);
            let v = self.member_value(m, depth)?;
            // Map setters take a `HashMap`.
            let v = if matches!(m.ty, Ty::Map { .. }) {
                quote!(::std::collections::HashMap::from_iter(#v))
            } else {
                v
            };
            sets.push(quote!(.#set(::std::option::Option::Some(#v))));
        }
        let unwrap = if s.needs_fallible_build() {
            quote!(.expect("every required member is set"))
        } else {
            quote!()
        };
        Some(quote!(#path::builder() #(#sets)* .build() #unwrap))
    }
}

pub fn file(service: &Service, crate_name: &str) -> TokenStream {
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let g = Samples {
        structs: service
            .types
            .iter()
            .filter_map(|t| match t {
                TypeDef::Struct(s) => Some((s.rust_name.as_str(), s)),
                _ => None,
            })
            .collect(),
        unions: service
            .types
            .iter()
            .filter_map(|t| match t {
                TypeDef::Union(u) => Some((
                    u.rust_name.as_str(),
                    u.variants.iter().map(|v| &v.member).collect::<Vec<_>>(),
                )),
                _ => None,
            })
            .collect(),
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
        let Some(full) = g.struct_value(s, path, 0) else {
            continue;
        };
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
                let variants = u.variants.iter().map(|v| &v.member).filter_map(|v| {
                    let n = format_ident!("{}", v.rust_name);
                    let val = g.member_value(v, 1)?;
                    Some(quote!(round_trip(&#p::#n(#val));))
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
