//! JSON (de)serializers of structures and unions (the private `protocol` module).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{default_value, ident, ts_tokens, zero_value};
use crate::ir::{Member, NamedKind, Service, StructDef, TsFormat, Ty, TypeDef, UnionDef};
use crate::naming::snake_case;

pub fn file(service: &Service) -> TokenStream {
    let mut items = Vec::new();
    for t in &service.types {
        match t {
            TypeDef::Struct(s) => {
                let path = type_path(&s.rust_name, false);
                items.push(ser_struct_fn(s, &path));
                items.push(de_struct_fn(
                    &format!("de_{}", snake_case(&s.rust_name)),
                    s,
                    &path,
                ));
            }
            TypeDef::Union(u) => {
                items.push(ser_union_fn(u));
                items.push(de_union_fn(u));
            }
            _ => {}
        }
    }
    for e in &service.errors {
        let path = type_path(&e.rust_name, true);
        items.push(de_struct_fn(
            &format!("de_error_{}", snake_case(&e.rust_name)),
            e,
            &path,
        ));
    }
    quote! {
        //! JSON serializers and deserializers of the service's structures and unions.
        #![allow(clippy::all, unused_imports, unused_mut, dead_code)]
        use ::restjson_runtime::__private::{json, BuildError, DeserializeError, ObjectWriter, ValueWriter};
        #(#items)*
    }
}

fn type_path(rust: &str, error: bool) -> TokenStream {
    let n = format_ident!("{}", rust);
    if error {
        quote!(crate::types::error::#n)
    } else {
        quote!(crate::types::#n)
    }
}

/// Statements writing the value `v` (an expression of type `&T`) with the value writer `w`.
pub fn ser_value(ty: &Ty, v: TokenStream, w: TokenStream, member: &str) -> TokenStream {
    match ty {
        Ty::String => quote!(#w.string(#v);),
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => quote!(#w.string(#v.as_str());),
        Ty::Named {
            kind: NamedKind::IntEnum,
            ..
        } => quote!(#w.integer(i64::from(#v.as_i32()));),
        Ty::Bool => quote!(#w.boolean(*#v);),
        Ty::Byte | Ty::Short | Ty::Integer | Ty::Long => quote!(#w.integer(i64::from(*#v));),
        Ty::Float => quote!(#w.float(::restjson_runtime::__private::f32_to_f64(*#v));),
        Ty::Double => quote!(#w.float(*#v);),
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, TsFormat::EpochSeconds);
            quote!(#w.timestamp(#v, #f).map_err(|e| BuildError::invalid_field(#member, e))?;)
        }
        Ty::Blob => quote!(#w.string(&#v.to_base64());),
        Ty::Document => quote!(#w.document(#v);),
        Ty::Unit => quote!({ let _ = #v; #w.object().finish(); }),
        Ty::List { elem, sparse } => {
            let inner = ser_value(elem, quote!(item), quote!(array.value()), member);
            let body = if *sparse {
                quote!(match item { ::std::option::Option::Some(item) => { #inner } ::std::option::Option::None => array.value().null(), })
            } else {
                inner
            };
            quote! {{
                let mut array = #w.array();
                for item in #v.iter() { #body }
                array.finish();
            }}
        }
        Ty::Map { value, sparse } => {
            let inner = ser_value(value, quote!(item), quote!(object.key(key)), member);
            let body = if *sparse {
                quote!(match item { ::std::option::Option::Some(item) => { #inner } ::std::option::Option::None => object.key(key).null(), })
            } else {
                inner
            };
            quote! {{
                let mut object = #w.object();
                for (key, item) in #v.iter() { #body }
                object.finish();
            }}
        }
        Ty::Named {
            kind: NamedKind::Struct,
            rust,
            ..
        } => {
            let f = format_ident!("ser_{}", snake_case(rust));
            quote! {{
                let mut object = #w.object();
                crate::protocol::#f(#v, &mut object)?;
                object.finish();
            }}
        }
        Ty::Named {
            kind: NamedKind::Union,
            rust,
            ..
        } => {
            let f = format_ident!("ser_{}", snake_case(rust));
            quote!(crate::protocol::#f(#v, #w)?;)
        }
    }
}

/// A path of a function reading a `json::Input` into the type, when there is one without
/// conversion. Passing it (rather than a closure) lets every use of a type share one
/// instance of the generic readers.
pub fn de_fn(ty: &Ty) -> Option<TokenStream> {
    Some(match ty {
        Ty::String => quote!(json::string),
        Ty::Bool => quote!(json::boolean),
        Ty::Byte => quote!(json::integer::<i8>),
        Ty::Short => quote!(json::integer::<i16>),
        Ty::Integer => quote!(json::integer::<i32>),
        Ty::Long => quote!(json::integer::<i64>),
        Ty::Float => quote!(json::float),
        Ty::Double => quote!(json::double),
        Ty::Blob => quote!(json::blob),
        Ty::Document => quote!(json::document),
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            rust,
            ..
        } => {
            let f = format_ident!("de_{}", snake_case(rust));
            quote!(crate::protocol::#f)
        }
        _ => return None,
    })
}

/// A reader function of the type: [`de_fn`], or a closure around [`de_value`].
fn de_reader(ty: &Ty, boxed: bool) -> TokenStream {
    match de_fn(ty) {
        Some(f) if !boxed => f,
        _ => {
            let mut expr = de_value(ty, quote!(value));
            if boxed {
                expr = quote!(#expr.map(::std::boxed::Box::new));
            }
            quote!(|value| #expr)
        }
    }
}

/// An expression of type `Result<T, DeserializeError>` reading `v` (a `json::Input`).
pub fn de_value(ty: &Ty, v: TokenStream) -> TokenStream {
    match ty {
        Ty::String => quote!(json::string(#v)),
        Ty::Named {
            kind: NamedKind::Enum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(json::string(#v).map(crate::types::#t::from))
        }
        Ty::Named {
            kind: NamedKind::IntEnum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(json::integer::<i32>(#v).map(crate::types::#t::from))
        }
        Ty::Bool => quote!(json::boolean(#v)),
        Ty::Byte => quote!(json::integer::<i8>(#v)),
        Ty::Short => quote!(json::integer::<i16>(#v)),
        Ty::Integer => quote!(json::integer::<i32>(#v)),
        Ty::Long => quote!(json::integer::<i64>(#v)),
        Ty::Float => quote!(json::float(#v)),
        Ty::Double => quote!(json::double(#v)),
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, TsFormat::EpochSeconds);
            quote!(json::timestamp(#v, #f))
        }
        Ty::Blob => quote!(json::blob(#v)),
        Ty::Document => quote!(json::document(#v)),
        Ty::Unit => quote!(json::object(#v).map(|_| ())),
        Ty::List { elem, sparse } => {
            let inner = de_reader(elem, false);
            if *sparse {
                quote!(json::sparse_list(#v, #inner))
            } else {
                quote!(json::list(#v, #inner))
            }
        }
        Ty::Map { value, sparse } => {
            let inner = de_reader(value, false);
            if *sparse {
                quote!(json::sparse_map(#v, #inner))
            } else {
                quote!(json::map(#v, #inner))
            }
        }
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            rust,
            ..
        } => {
            let f = format_ident!("de_{}", snake_case(rust));
            quote!(crate::protocol::#f(#v))
        }
    }
}

/// Statements serializing the body members of `s` (a `&T` named `input`) into `object`.
pub fn ser_members(members: &[&Member]) -> TokenStream {
    let stmts = members.iter().map(|m| {
        let f = ident(&m.rust_name);
        let key = &m.json_name;
        let write = ser_value(&m.ty, quote!(value), quote!(object.key(#key)), &m.wire_name);
        if m.non_optional() {
            quote! {{ let value = &input.#f; #write }}
        } else {
            quote! { if let ::std::option::Option::Some(value) = &input.#f { #write } }
        }
    });
    quote!(#(#stmts)*)
}

fn ser_struct_fn(s: &StructDef, path: &TokenStream) -> TokenStream {
    let f = format_ident!("ser_{}", snake_case(&s.rust_name));
    let members: Vec<&Member> = s.members.iter().collect();
    let body = ser_members(&members);
    quote! {
        pub(crate) fn #f(input: &#path, object: &mut ObjectWriter<'_>) -> ::std::result::Result<(), BuildError> {
            #body
            ::std::result::Result::Ok(())
        }
    }
}

/// Pieces of a structure deserializer for the body members: local declarations, match arms
/// and field initializers.
pub struct DeParts {
    pub decls: Vec<TokenStream>,
    pub arms: Vec<TokenStream>,
    pub inits: Vec<TokenStream>,
}

pub fn de_parts(members: &[Member]) -> DeParts {
    let mut parts = DeParts {
        decls: vec![],
        arms: vec![],
        inits: vec![],
    };
    for m in members {
        let f = ident(&m.rust_name);
        let local = format_ident!("m_{}", m.rust_name.trim_start_matches("r#"));
        parts
            .decls
            .push(quote!(let mut #local = ::std::option::Option::None;));
        if m.binding.is_body_in_response() {
            let key = &m.json_name;
            let reader = de_reader(&m.ty, m.boxed);
            parts.arms.push(quote! {
                #key => { #local = object.read(#reader).map_err(|e| e.at(#key))?; }
            });
        }
        let init = if m.non_optional() {
            let fallback = match default_value(m) {
                Ok(Some(d)) if m.default.is_some() => {
                    if m.boxed {
                        quote!(::std::boxed::Box::new(#d))
                    } else {
                        d
                    }
                }
                _ => zero_value(m),
            };
            quote!(#f: match #local { ::std::option::Option::Some(v) => v, ::std::option::Option::None => #fallback },)
        } else {
            quote!(#f: #local,)
        };
        parts.inits.push(init);
    }
    parts
}

fn de_struct_fn(name: &str, s: &StructDef, path: &TokenStream) -> TokenStream {
    let f = format_ident!("{}", name);
    let DeParts { decls, arms, inits } = de_parts(&s.members);
    quote! {
        pub(crate) fn #f(value: json::Input<'_, '_>) -> ::std::result::Result<#path, DeserializeError> {
            let mut object = json::object(value)?;
            #(#decls)*
            while let ::std::option::Option::Some(key) = object.next_key()? {
                match &*key {
                    #(#arms)*
                    _ => {}
                }
            }
            ::std::result::Result::Ok(#path { #(#inits)* })
        }
    }
}

fn ser_union_fn(u: &UnionDef) -> TokenStream {
    let f = format_ident!("ser_{}", snake_case(&u.rust_name));
    let n = format_ident!("{}", u.rust_name);
    let name = &u.rust_name;
    let arms = u.variants.iter().map(|v| {
        let var = format_ident!("{}", v.rust_name);
        let key = &v.json_name;
        let write = ser_value(&v.ty, quote!(value), quote!(object.key(#key)), &v.wire_name);
        quote!(crate::types::#n::#var(value) => { #write })
    });
    quote! {
        pub(crate) fn #f(input: &crate::types::#n, writer: ValueWriter<'_>) -> ::std::result::Result<(), BuildError> {
            let mut object = writer.object();
            match input {
                #(#arms)*
                crate::types::#n::Unknown => {
                    return ::std::result::Result::Err(BuildError::invalid_field(#name, "an unknown union variant cannot be sent"));
                }
            }
            object.finish();
            ::std::result::Result::Ok(())
        }
    }
}

fn de_union_fn(u: &UnionDef) -> TokenStream {
    let f = format_ident!("de_{}", snake_case(&u.rust_name));
    let n = format_ident!("{}", u.rust_name);
    let name = &u.rust_name;
    let arms = u.variants.iter().map(|v| {
        let var = format_ident!("{}", v.rust_name);
        let key = &v.json_name;
        let mut expr = de_value(&v.ty, quote!(value));
        if v.boxed {
            expr = quote!(#expr.map(::std::boxed::Box::new));
        }
        quote!(#key => object.read(|value| #expr.map(crate::types::#n::#var)).map_err(|e| e.at(#key))?,)
    });
    quote! {
        pub(crate) fn #f(value: json::Input<'_, '_>) -> ::std::result::Result<crate::types::#n, DeserializeError> {
            let mut object = json::object(value)?;
            let mut union = json::UnionReader::new(#name);
            while let ::std::option::Option::Some(key) = object.next_key()? {
                if key == "__type" { continue; }
                let variant = match &*key {
                    #(#arms)*
                    _ => object.skip()?.then_some(crate::types::#n::Unknown),
                };
                union.member(key, variant);
            }
            union.finish()
        }
    }
}
