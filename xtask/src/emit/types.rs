//! Structures, unions, enums and their builders.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{docs_or, field_ty, ident, member_value_ty, rust_ty, unwrap_default};
use crate::ir::{EnumDef, IntEnumDef, Member, Service, StructDef, Ty, TypeDef, UnionDef};

/// What a structure is used for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StructRole {
    Plain,
    Error,
    Input,
    Output,
}

pub fn files(service: &Service) -> Vec<(String, TokenStream)> {
    let mut out = Vec::new();
    let mut mods = Vec::new();
    let mut uses = Vec::new();
    let mut builder_uses = Vec::new();
    for t in &service.types {
        let module = t.module();
        let m = ident(module);
        let n = format_ident!("{}", t.rust_name());
        mods.push(quote!(mod #m;));
        uses.push(quote!(pub use self::#m::#n;));
        if let TypeDef::Struct(s) = t {
            let b = format_ident!("{}", s.builder);
            builder_uses.push(quote!(pub use super::#m::#b;));
        }
        let tokens = match t {
            TypeDef::Struct(s) => struct_tokens(s, StructRole::Plain),
            TypeDef::Union(u) => union_tokens(u),
            TypeDef::Enum(e) => enum_tokens(e),
            TypeDef::IntEnum(e) => int_enum_tokens(e),
        };
        out.push((
            format!("src/types/{}.rs", crate::naming::unraw(module)),
            tokens,
        ));
    }
    let mut error_items = Vec::new();
    for e in &service.errors {
        error_items.push(struct_tokens(e, StructRole::Error));
    }
    out.push((
        "src/types/error.rs".into(),
        quote! {
            //! The errors the service models, shared by the operations that can return them.
            #(#error_items)*
        },
    ));
    out.push((
        "src/types.rs".into(),
        quote! {
            //! Data types of the service: structures, unions and enums used by operations.
            #(#mods)*
            #(#uses)*
            pub mod error;
            /// Builders of the structures in this module.
            pub mod builders {
                #(#builder_uses)*
            }
        },
    ));
    out
}

fn debug_impl(name: &str, members: &[Member], extra: TokenStream) -> TokenStream {
    let n = format_ident!("{}", name);
    let fields = members.iter().map(|m| {
        let f = ident(&m.rust_name);
        let label = m.rust_name.trim_start_matches("r#");
        if m.sensitive {
            quote!(s.field(#label, &"*** Sensitive Data Redacted ***");)
        } else {
            quote!(s.field(#label, &self.#f);)
        }
    });
    quote! {
        impl ::std::fmt::Debug for #n {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut s = f.debug_struct(#name);
                #(#fields)*
                #extra
                s.finish()
            }
        }
    }
}

/// The getter of member `m`; `message_of_error` when `m` is the message of an error structure,
/// whose getter is an `Option` like every error's `message()` (an empty message reads as
/// `None`).
fn getter(m: &Member, message_of_error: bool) -> TokenStream {
    let f = ident(&m.rust_name);
    let doc = docs_or(&m.docs, &format!("The `{}` member.", m.wire_name));
    let vt = member_value_ty(m);
    let (ret, body) = if message_of_error && m.non_optional() && m.ty == Ty::String {
        (
            quote!(::std::option::Option<&str>),
            quote!(::std::option::Option::Some(self.#f.as_str()).filter(|m| !m.is_empty())),
        )
    } else if m.non_optional() {
        match &m.ty {
            Ty::String => (quote!(&str), quote!(&self.#f)),
            t if t.is_copy() => (vt.clone(), quote!(self.#f)),
            Ty::List { elem, sparse } => {
                let e = rust_ty(elem);
                let e = if *sparse {
                    quote!(::std::option::Option<#e>)
                } else {
                    e
                };
                (quote!(&[#e]), quote!(&self.#f))
            }
            _ => {
                let t = rust_ty(&m.ty);
                (quote!(&#t), quote!(&self.#f))
            }
        }
    } else {
        match &m.ty {
            Ty::String => (
                quote!(::std::option::Option<&str>),
                quote!(self.#f.as_deref()),
            ),
            t if t.is_copy() => (quote!(::std::option::Option<#vt>), quote!(self.#f)),
            Ty::List { elem, sparse } => {
                let e = rust_ty(elem);
                let e = if *sparse {
                    quote!(::std::option::Option<#e>)
                } else {
                    e
                };
                (
                    quote!(&[#e]),
                    quote!(self.#f.as_deref().unwrap_or_default()),
                )
            }
            _ if m.boxed => {
                let t = rust_ty(&m.ty);
                (
                    quote!(::std::option::Option<&#t>),
                    quote!(self.#f.as_deref()),
                )
            }
            _ => {
                let t = rust_ty(&m.ty);
                (quote!(::std::option::Option<&#t>), quote!(self.#f.as_ref()))
            }
        }
    };
    let doc_list = if matches!(m.ty, Ty::List { .. }) && !m.non_optional() {
        quote!(#[doc = ""] #[doc = " An unset list reads as empty."])
    } else {
        quote!()
    };
    quote! {
        #doc
        #doc_list
        pub fn #f(&self) -> #ret { #body }
    }
}

/// Where setter methods live: on a structure's builder (they store the value) or on an
/// operation's fluent builder (they delegate to its input builder).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SetterTarget {
    Builder,
    Fluent,
}

/// The setter, `set_*` and `get_*` methods of member `m` (one signature for both targets).
pub fn setters(m: &Member, target: SetterTarget) -> TokenStream {
    let f = ident(&m.rust_name);
    let bare = m.rust_name.trim_start_matches("r#");
    let set = format_ident!("{}", m.setter);
    let get = format_ident!("{}", m.getter);
    let vt = member_value_ty(m);
    let doc = docs_or(&m.docs, &format!("The `{}` member.", m.wire_name));
    let fluent = target == SetterTarget::Fluent;
    let into = |t: TokenStream, sparse: bool| {
        if sparse {
            (quote!(::std::option::Option<#t>), quote!(input))
        } else {
            (quote!(impl ::std::convert::Into<#t>), quote!(input.into()))
        }
    };
    // (extra doc line, parameters, body of a builder's setter)
    let (extra_doc, params, store) = match &m.ty {
        Ty::List { elem, sparse } => {
            let (arg, item) = into(rust_ty(elem), *sparse);
            (
                Some(format!(" Appends an item to `{bare}`.")),
                quote!(input: #arg),
                quote! {
                    let mut v = self.#f.unwrap_or_default();
                    v.push(#item);
                    self.#f = ::std::option::Option::Some(v);
                },
            )
        }
        Ty::Map { value, sparse } => {
            let (arg, item) = into(rust_ty(value), *sparse);
            (
                Some(format!(" Adds a key-value pair to `{bare}`.")),
                quote!(k: impl ::std::convert::Into<::std::string::String>, input: #arg),
                quote! {
                    let mut map = self.#f.unwrap_or_default();
                    map.insert(k.into(), #item);
                    self.#f = ::std::option::Option::Some(map);
                },
            )
        }
        _ if m.boxed => {
            let t = rust_ty(&m.ty);
            (
                None,
                quote!(input: impl ::std::convert::Into<#t>),
                quote!(self.#f = ::std::option::Option::Some(::std::boxed::Box::new(input.into()));),
            )
        }
        _ => (
            None,
            quote!(input: impl ::std::convert::Into<#vt>),
            quote!(self.#f = ::std::option::Option::Some(input.into());),
        ),
    };
    let extra_doc = extra_doc.map(|d| quote!(#[doc = #d] #[doc = ""]));
    let args = if matches!(m.ty, Ty::Map { .. }) {
        quote!(k, input)
    } else {
        quote!(input)
    };
    // A map is set from a `HashMap`, as the AWS SDK for Rust takes it, and kept in key order so
    // that requests do not depend on the map's iteration order.
    let (set_ty, set_store, set_doc) = match &m.ty {
        Ty::Map { value, sparse } => {
            let v = rust_ty(value);
            let v = if *sparse {
                quote!(::std::option::Option<#v>)
            } else {
                v
            };
            (
                quote!(::std::collections::HashMap<::std::string::String, #v>),
                quote!(self.#f = input.map(::restjson_runtime::__private::key_ordered);),
                quote! {
                    #[doc = ""]
                    #[doc = " Takes any `HashMap` (collect other maps or pairs into one); the entries are kept in key order."]
                },
            )
        }
        _ => (vt.clone(), quote!(self.#f = input;), quote!()),
    };
    let (store, set_body, get_body) = if fluent {
        (
            quote!(self.inner = self.inner.#f(#args);),
            quote!(self.inner = self.inner.#set(input);),
            quote!(self.inner.#get()),
        )
    } else {
        (store, set_store, quote!(&self.#f))
    };
    quote! {
        #extra_doc
        #doc
        pub fn #f(mut self, #params) -> Self {
            #store
            self
        }
        #doc
        #set_doc
        pub fn #set(mut self, input: ::std::option::Option<#set_ty>) -> Self {
            #set_body
            self
        }
        #doc
        pub fn #get(&self) -> &::std::option::Option<#vt> {
            #get_body
        }
    }
}

/// A structure, its getters, its builder and (for errors) its `Display`/`Error` impls.
pub fn struct_tokens(s: &StructDef, role: StructRole) -> TokenStream {
    let name = format_ident!("{}", s.rust_name);
    let builder = format_ident!("{}", s.builder);
    let doc = docs_or(&s.docs, &format!("The `{}` structure.", s.rust_name));
    // A byte stream can be neither cloned, compared nor serialized.
    let plain = s.is_plain_data();
    let (data_derives, serde_derive) = if plain {
        (
            quote!(Clone, PartialEq,),
            quote!(#[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize))]),
        )
    } else {
        (quote!(), quote!())
    };
    let builder_derives = if plain {
        quote!(Clone, Default, PartialEq,)
    } else {
        quote!(Default,)
    };
    let fields = s.members.iter().map(|m| {
        let f = ident(&m.rust_name);
        let t = field_ty(m);
        let d = docs_or(&m.docs, &format!("The `{}` member.", m.wire_name));
        quote!(#d pub #f: #t,)
    });
    let message_field = s
        .error
        .as_ref()
        .and_then(|e| e.message.as_ref())
        .map(|m| m.field.as_str());
    let getters = s
        .members
        .iter()
        .map(|m| getter(m, message_field == Some(m.rust_name.as_str())));
    let expiry = if role == StructRole::Input {
        quote!()
    } else {
        super::expiry::helpers(s)
    };
    let is_output = role == StructRole::Output;
    let is_error = role == StructRole::Error;
    // The metadata of the response an error was read from (`ProvideErrorMetadata::meta`); not
    // serialized, and not part of equality (two errors with the same members are equal).
    let meta_field = if is_error {
        quote!(
            #[cfg_attr(feature = "serde", serde(skip))]
            pub(crate) _meta: ::restjson_runtime::__private::ResponseMetadata,
        )
    } else {
        quote!()
    };
    let rid_field = if is_output && plain {
        quote!(
            #[cfg_attr(feature = "serde", serde(rename = "_request_id", default, skip_serializing_if = "::std::option::Option::is_none"))]
            pub(crate) _request_id: ::std::option::Option<::std::string::String>,
        )
    } else if is_output {
        quote!(pub(crate) _request_id: ::std::option::Option<::std::string::String>,)
    } else {
        quote!()
    };
    let sensitive = s.sensitive();
    let derive_debug = if sensitive { quote!() } else { quote!(Debug,) };
    let struct_debug = if sensitive {
        let extra = if is_output {
            quote!(s.field("_request_id", &self._request_id);)
        } else {
            quote!()
        };
        debug_impl(&s.rust_name, &s.members, extra)
    } else {
        quote!()
    };
    let builder_fields = s.members.iter().map(|m| {
        let f = ident(&m.rust_name);
        let t = member_value_ty(m);
        quote!(pub(crate) #f: ::std::option::Option<#t>,)
    });
    let builder_debug = if sensitive {
        debug_impl(&s.builder, &s.members, quote!())
    } else {
        quote!()
    };
    let setters = s.members.iter().map(|m| setters(m, SetterTarget::Builder));
    let fallible = s.needs_fallible_build();
    let mut inits = Vec::new();
    // Required members without a default: matched together, so that a failed build names
    // every one that is missing.
    let mut required = Vec::new();
    for m in &s.members {
        let f = ident(&m.rust_name);
        let init = if role == StructRole::Input && m.idempotency_token && !m.non_optional() {
            quote!(self.#f.or_else(|| ::std::option::Option::Some(::restjson_runtime::__private::idempotency_token())))
        } else if m.required && m.default.is_none() {
            // Bound by the match in `build()` under the field's own name.
            required.push(m);
            inits.push(quote!(#f,));
            continue;
        } else if m.default.is_some() {
            unwrap_default(m, quote!(self.#f), None)
        } else {
            quote!(self.#f)
        };
        inits.push(quote!(#f: #init,));
    }
    let rid_init = if is_output {
        quote!(_request_id: ::std::option::Option::None,)
    } else if is_error {
        quote!(_meta: ::std::default::Default::default(),)
    } else {
        quote!()
    };
    let build = if fallible {
        let fields: Vec<_> = required.iter().map(|m| ident(&m.rust_name)).collect();
        let wires: Vec<&str> = required.iter().map(|m| m.wire_name.as_str()).collect();
        let body = if let ([f], [wire]) = (fields.as_slice(), wires.as_slice()) {
            quote! {
                match self.#f {
                    ::std::option::Option::Some(#f) => ::std::result::Result::Ok(#name { #(#inits)* #rid_init }),
                    ::std::option::Option::None => ::std::result::Result::Err(::restjson_runtime::error::BuildError::missing_field(#wire)),
                }
            }
        } else {
            quote! {
                match (#(self.#fields),*) {
                    (#(::std::option::Option::Some(#fields)),*) => ::std::result::Result::Ok(#name { #(#inits)* #rid_init }),
                    (#(#fields),*) => ::std::result::Result::Err(::restjson_runtime::error::BuildError::missing_fields(&[#((#fields.is_none(), #wires)),*])),
                }
            }
        };
        quote! {
            /// Builds the structure; fails naming every required member that is not set.
            pub fn build(self) -> ::std::result::Result<#name, ::restjson_runtime::error::BuildError> {
                #body
            }
        }
    } else {
        quote! {
            /// Builds the structure.
            pub fn build(self) -> #name {
                #name { #(#inits)* #rid_init }
            }
        }
    };
    let error_impls = match (&s.error, role) {
        (Some(e), StructRole::Error) => {
            let code = &e.code;
            let (display, message_fn) = match &e.message {
                Some(m) => {
                    let f = ident(&m.field);
                    // Error codes are shape names: no braces to escape.
                    let with_message = format!("{code}: {{}}");
                    let display = if m.non_optional {
                        quote!(if self.#f.is_empty() { f.write_str(#code) } else { write!(f, #with_message, self.#f) })
                    } else {
                        quote!(match &self.#f { ::std::option::Option::Some(m) => write!(f, #with_message, m), ::std::option::Option::None => f.write_str(#code) })
                    };
                    let body = if m.non_optional {
                        quote!(::std::option::Option::Some(self.#f.as_str()).filter(|m| !m.is_empty()))
                    } else {
                        quote!(self.#f.as_deref())
                    };
                    let message_fn = if m.accessor {
                        quote! {
                            /// The error message.
                            pub fn message(&self) -> ::std::option::Option<&str> { #body }
                        }
                    } else {
                        quote!()
                    };
                    (display, message_fn)
                }
                None => (quote!(f.write_str(#code)), quote!()),
            };
            // The message of the error's own member, else of the response.
            let provide_message = if e.message.is_some() {
                quote! {
                    fn message(&self) -> ::std::option::Option<&str> { self.message() }
                }
            } else {
                quote!()
            };
            quote! {
                impl #name {
                    /// The error code the service uses for this error.
                    pub const CODE: &'static str = #code;
                    #message_fn
                }
                impl ::restjson_runtime::error::ProvideErrorMetadata for #name {
                    fn meta(&self) -> &::restjson_runtime::error::ErrorMetadata { &self._meta.0 }
                    fn code(&self) -> ::std::option::Option<&str> { ::std::option::Option::Some(Self::CODE) }
                    #provide_message
                }
                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        #display
                    }
                }
                impl ::std::error::Error for #name {}
            }
        }
        _ => quote!(),
    };
    let rid_impl = if is_output {
        quote! {
            impl #name {
                /// The request id the service assigned to the call that returned this output.
                pub fn request_id(&self) -> ::std::option::Option<&str> { self._request_id.as_deref() }
            }
        }
    } else {
        quote!()
    };
    let builder_doc = format!(" A builder for [`{}`].", s.rust_name);
    quote! {
        #doc
        #[non_exhaustive]
        #[derive(#data_derives #derive_debug)]
        #serde_derive
        pub struct #name {
            #(#fields)*
            #rid_field
            #meta_field
        }
        impl #name {
            #(#getters)*
            #expiry
            /// A builder for this structure.
            pub fn builder() -> #builder {
                ::std::default::Default::default()
            }
        }
        #rid_impl
        #struct_debug
        #error_impls
        #[doc = #builder_doc]
        #[non_exhaustive]
        #[derive(#builder_derives #derive_debug)]
        pub struct #builder {
            #(#builder_fields)*
        }
        #builder_debug
        impl #builder {
            #(#setters)*
            #build
        }
    }
}

fn union_tokens(u: &UnionDef) -> TokenStream {
    let name = format_ident!("{}", u.rust_name);
    let doc = docs_or(&u.docs, &format!("The `{}` union.", u.rust_name));
    let variants = u.variants.iter().map(|v| {
        let v = &v.member;
        let n = format_ident!("{}", v.rust_name);
        let t = member_value_ty(v);
        let d = docs_or(&v.docs, &format!("The `{}` variant.", v.wire_name));
        quote!(#d #n(#t),)
    });
    let methods = u.variants.iter().map(|uv| {
        let v = &uv.member;
        let n = format_ident!("{}", v.rust_name);
        let as_fn = format_ident!("{}", uv.as_fn);
        let is_fn = format_ident!("{}", uv.is_fn);
        let t = member_value_ty(v);
        let d1 = format!(" The `{}` value, if this is that variant.", v.wire_name);
        let d2 = format!(" Whether this is the `{}` variant.", v.wire_name);
        quote! {
            #[doc = #d1]
            pub fn #as_fn(&self) -> ::std::option::Option<&#t> {
                match self { Self::#n(v) => ::std::option::Option::Some(v), _ => ::std::option::Option::None }
            }
            #[doc = #d2]
            pub fn #is_fn(&self) -> bool { matches!(self, Self::#n(_)) }
        }
    });
    let sensitive = u.variants.iter().any(|v| v.member.sensitive);
    let (derive_debug, debug_impl) = if sensitive {
        let label = u.rust_name.clone();
        (
            quote!(),
            quote! {
                impl ::std::fmt::Debug for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "{}(*** Sensitive Data Redacted ***)", #label)
                    }
                }
            },
        )
    } else {
        (quote!(Debug,), quote!())
    };
    quote! {
        #doc
        #[non_exhaustive]
        #[derive(Clone, PartialEq, #derive_debug)]
        #[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize))]
        pub enum #name {
            #(#variants)*
            /// A variant this version of the client does not know (sent by a newer service).
            /// It cannot be sent back.
            #[non_exhaustive]
            Unknown,
        }
        impl #name {
            #(#methods)*
            /// Whether this is a variant this client does not know.
            pub fn is_unknown(&self) -> bool { matches!(self, Self::Unknown) }
        }
        #debug_impl
    }
}

fn enum_tokens(e: &EnumDef) -> TokenStream {
    let name = format_ident!("{}", e.rust_name);
    let doc = docs_or(&e.docs, &format!("The `{}` enum.", e.rust_name));
    let variants = e.variants.iter().map(|v| {
        let n = format_ident!("{}", v.rust_name);
        let d = docs_or(&v.docs, &format!("`{}`", v.value));
        quote!(#d #n,)
    });
    let to_str = e.variants.iter().map(|v| {
        let n = format_ident!("{}", v.rust_name);
        let s = &v.value;
        quote!(Self::#n => #s,)
    });
    let from_str = e.variants.iter().map(|v| {
        let n = format_ident!("{}", v.rust_name);
        let s = &v.value;
        quote!(#s => Self::#n,)
    });
    let values = e.variants.iter().map(|v| &v.value);
    quote! {
        #doc
        ///
        /// Values this client does not know are kept in [`Self::Unknown`] and sent back unchanged.
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know.
            Unknown(::restjson_runtime::UnknownVariantValue),
        }
        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::Unknown(v) => v.as_str(),
                }
            }
            /// Every value this client knows.
            pub const fn values() -> &'static [&'static str] {
                &[#(#values),*]
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(s: &str) -> Self {
                match s {
                    #(#from_str)*
                    other => Self::Unknown(::restjson_runtime::UnknownVariantValue::new(other)),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(s: ::std::string::String) -> Self { Self::from(s.as_str()) }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(s))
            }
        }
        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str { self.as_str() }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        /// Serializes as the value's string, unknown values included.
        #[cfg(feature = "serde")]
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        /// Deserializes from any string; values this client does not know become [`Self::Unknown`].
        #[cfg(feature = "serde")]
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(s.as_str()))
            }
        }
    }
}

fn int_enum_tokens(e: &IntEnumDef) -> TokenStream {
    let name = format_ident!("{}", e.rust_name);
    let doc = docs_or(&e.docs, &format!("The `{}` enum.", e.rust_name));
    let variants = e.variants.iter().map(|v| {
        let n = format_ident!("{}", v.rust_name);
        let d = docs_or(&v.docs, &format!("`{}`", v.value));
        quote!(#d #n,)
    });
    let to_int = e.variants.iter().map(|v| {
        let n = format_ident!("{}", v.rust_name);
        let i = v.value;
        quote!(Self::#n => #i,)
    });
    let from_int = e.variants.iter().map(|v| {
        let n = format_ident!("{}", v.rust_name);
        let i = v.value;
        quote!(#i => Self::#n,)
    });
    let values = e.variants.iter().map(|v| v.value);
    quote! {
        #doc
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know.
            Unknown(i32),
        }
        impl #name {
            /// The value as sent on the wire.
            pub fn as_i32(&self) -> i32 {
                match self { #(#to_int)* Self::Unknown(v) => *v }
            }
            /// Every value this client knows.
            pub const fn values() -> &'static [i32] { &[#(#values),*] }
        }
        impl ::std::convert::From<i32> for #name {
            fn from(v: i32) -> Self {
                match v { #(#from_int)* other => Self::Unknown(other) }
            }
        }
        /// Serializes as the value's integer, unknown values included.
        #[cfg(feature = "serde")]
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.as_i32())
            }
        }
        /// Deserializes from any `i32`; values this client does not know become [`Self::Unknown`].
        #[cfg(feature = "serde")]
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <i32 as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}
