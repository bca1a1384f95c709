//! JSON (de)serializers of structures and unions (the private `protocol` module).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, ts_tokens, unwrap_default, zero_value};
use crate::ir::{
    Binding, BodyReader, ErrorInfo, Member, NamedKind, Service, StructDef, TsFormat, Ty, TypeDef,
    UnionDef, response_body_members,
};

pub fn file(service: &Service) -> TokenStream {
    let mut items = Vec::new();
    for t in &service.types {
        match t {
            TypeDef::Struct(s) => {
                let path = type_path(&s.rust_name, false);
                if let Some(f) = &s.ser_fn {
                    items.push(ser_struct_fn(f, s, &path));
                }
                if let Some(f) = &s.de_fn {
                    items.push(de_struct_fn(f, s, &path));
                }
            }
            TypeDef::Union(u) => {
                if let Some(f) = &u.ser_fn {
                    items.push(ser_union_fn(f, u));
                }
                if let Some(f) = &u.de_fn {
                    items.push(de_union_fn(f, u));
                }
            }
            _ => {}
        }
    }
    for e in &service.errors {
        let path = type_path(&e.rust_name, true);
        if let (Some(reader), Some(info)) = (&e.body_reader, &e.error) {
            items.push(de_error_response_fn(info, reader, e, &path));
        }
    }
    let body_readers = service.body_readers.iter().map(body_reader);
    quote! {
        //! JSON serializers and deserializers of the service's structures and unions, and the
        //! readers of its modeled errors (one per error shape, shared by every operation).
        #(#items)*

        /// Readers of JSON objects into tuples of their members, one per distinct layout, shared
        /// by every operation output, error and structure that reads alike (compiled once).
        pub(crate) mod body {
            #(#body_readers)*
        }
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

/// Reads a modeled error from a whole response: the body (with the shared reader named
/// `body_reader`), members bound to headers, and the message when the body spells it
/// differently or the response carries it in a header.
fn de_error_response_fn(
    info: &ErrorInfo,
    body_reader: &str,
    s: &StructDef,
    path: &TokenStream,
) -> TokenStream {
    let f = format_ident!("{}", info.response_fn);
    let p = quote!(::restjson_runtime::__private);
    let DeParts { decls, inits, .. } = de_parts(&s.members, DeMode::Tuple);
    let read = read_body_stmt(body_reader, s);
    let mut fixes: Vec<TokenStream> = s
        .members
        .iter()
        .filter_map(|m| {
            let Binding::Header(h) = &m.binding else {
                return None;
            };
            let field = ident(&m.rust_name);
            let wire = &m.wire_name;
            let parse = header_parse(m);
            let value = if m.non_optional() {
                quote!(#parse.map_err(|e| e.at(#wire))?)
            } else {
                quote!(::std::option::Option::Some(#parse.map_err(|e| e.at(#wire))?))
            };
            Some(quote! {
                if let ::std::option::Option::Some(text) = #p::header_joined(response, #h)? {
                    let text = text.as_str();
                    error.#field = #value;
                }
            })
        })
        .collect();
    if let Some(m) = info.message.as_ref().filter(|m| m.fill_from_response) {
        let field = ident(&m.field);
        fixes.push(if m.non_optional {
            quote! {
                if let (true, ::std::option::Option::Some(m)) = (error.#field.is_empty(), meta.message()) {
                    error.#field = m.to_owned();
                }
            }
        } else {
            quote! {
                if error.#field.is_none() {
                    error.#field = meta.message().map(::std::borrow::ToOwned::to_owned);
                }
            }
        });
    }
    let value = quote!(#path { #(#inits)* _meta: #p::ResponseMetadata(meta.clone()), });
    let value = if fixes.is_empty() {
        value
    } else {
        quote! {{
            let mut error = #value;
            #(#fixes)*
            error
        }}
    };
    quote! {
        pub(crate) fn #f(meta: &#p::ErrorMetadata, response: &#p::HttpResponse) -> ::std::result::Result<#path, #p::DeserializeError> {
            #read
            #(#decls)*
            ::std::result::Result::Ok(#value)
        }
    }
}

/// Statements reading the response body of `s` with the shared reader `name` into the locals
/// of its body members.
pub fn read_body_stmt(name: &str, s: &StructDef) -> TokenStream {
    let n = format_ident!("{}", name);
    let read = quote!(::restjson_runtime::__private::json::read_object_body::<crate::protocol::body::#n>(response.body())?);
    if response_body_members(s).next().is_none() {
        return quote!(#read;);
    }
    let (pattern, conversions) = tuple_locals(s);
    quote! {
        let #pattern = #read;
        #conversions
    }
}

/// The pattern binding a shared reader's tuple to the locals of the body members of `s`, and
/// statements converting its enums from the wire values the reader reads them as.
fn tuple_locals(s: &StructDef) -> (TokenStream, TokenStream) {
    let members: Vec<&Member> = response_body_members(s).collect();
    let locals = members.iter().map(|m| format_ident!("{}", m.local));
    let conversions = members.iter().filter_map(|m| {
        let from = enum_from(&m.ty)?;
        let local = format_ident!("{}", m.local);
        Some(quote!(let #local = #local.map(#from);))
    });
    (quote!((#(#locals,)*)), quote!(#(#conversions)*))
}

/// The conversion of an enum of type `ty` from its wire value (`None` for other types).
fn enum_from(ty: &Ty) -> Option<TokenStream> {
    let Ty::Named { kind, rust, .. } = ty else {
        return None;
    };
    let t = format_ident!("{}", rust);
    match kind {
        NamedKind::Enum => {
            Some(quote!(<crate::types::#t as ::std::convert::From<::std::string::String>>::from))
        }
        NamedKind::IntEnum => Some(quote!(<crate::types::#t as ::std::convert::From<i32>>::from)),
        _ => None,
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
            quote!(#w.timestamp(#v, #f).map_err(|e| ::restjson_runtime::__private::BuildError::invalid_field(#member, e))?;)
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
            ser_fn,
            ..
        } => {
            let f = format_ident!("{}", ser_fn);
            quote! {{
                let mut object = #w.object();
                crate::protocol::#f(#v, &mut object)?;
                object.finish();
            }}
        }
        Ty::Named {
            kind: NamedKind::Union,
            ser_fn,
            ..
        } => {
            let f = format_ident!("{}", ser_fn);
            quote!(crate::protocol::#f(#v, #w)?;)
        }
        // Streaming payloads are never part of a JSON document (lowering refuses them there).
        Ty::ByteStream => quote!(),
    }
}

/// The path of the reader type (`crate::protocol::Read...`, see [`reader_name`]).
pub fn reader(de_fn: &str) -> TokenStream {
    let name = reader_name(de_fn);
    quote!(crate::protocol::#name)
}

/// The reader type of the structure or union whose reader name is `de_fn`
/// (`de_room_summary` is read by `ReadRoomSummary`).
fn reader_name(de_fn: &str) -> proc_macro2::Ident {
    let mut name = String::from("Read");
    for word in de_fn.trim_start_matches("de_").split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    format_ident!("{}", name)
}

/// A seed reading one JSON value of the type as a `json::Read<T>` (`None` for `null`).
pub fn de_seed(ty: &Ty) -> TokenStream {
    let j = quote!(::restjson_runtime::__private::json);
    let leaf = |f: TokenStream| quote!(#j::leaf(#j::#f));
    match ty {
        Ty::String => quote!(#j::StringSeed),
        Ty::Bool => leaf(quote!(boolean)),
        Ty::Byte => leaf(quote!(integer::<i8>)),
        Ty::Short => leaf(quote!(integer::<i16>)),
        Ty::Integer => leaf(quote!(integer::<i32>)),
        Ty::Long => leaf(quote!(integer::<i64>)),
        Ty::Float => leaf(quote!(float)),
        Ty::Double => leaf(quote!(double)),
        Ty::Blob => leaf(quote!(blob)),
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, TsFormat::EpochSeconds);
            quote!(#j::timestamp_seed(#f))
        }
        Ty::Document => quote!(#j::DocumentSeed),
        Ty::Unit => quote!(#j::object_seed::<#j::ReadUnit>()),
        Ty::Named {
            kind: NamedKind::Enum | NamedKind::IntEnum,
            ..
        } => {
            let from = enum_from(ty);
            let wire = de_seed(&crate::ir::wire_ty(ty));
            quote!(#j::mapped(#wire, #from))
        }
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            de_fn,
            ..
        } => {
            let r = reader(de_fn);
            quote!(#j::object_seed::<#r>())
        }
        Ty::List { elem, sparse } => {
            let inner = de_seed(elem);
            if *sparse {
                quote!(#j::SparseListSeed(#inner))
            } else {
                quote!(#j::ListSeed(#inner))
            }
        }
        Ty::Map { value, sparse } => {
            let inner = de_seed(value);
            if *sparse {
                quote!(#j::SparseMapSeed(#inner))
            } else {
                quote!(#j::MapSeed(#inner))
            }
        }
        // Streaming payloads are never part of a JSON document (lowering refuses them there).
        Ty::ByteStream => quote!(::std::compile_error!(
            "a streaming blob inside a JSON document"
        )),
    }
}

/// The match arm reading member `m` of an object into its local (inside [`members_call`]).
fn de_arm(m: &Member, local: &proc_macro2::Ident) -> TokenStream {
    let key = &m.json_name;
    let seed = de_seed(&m.ty);
    let value = if m.boxed {
        quote!(v.map(::std::boxed::Box::new))
    } else {
        quote!(v)
    };
    quote!(#key => map.next_value_seed(#seed)?.map(|v| #local = #value),)
}

/// A call of `json::members` on `map` dispatching each member name to `arms` (unknown
/// members are skipped); its value is a `json::Outcome<(), _>`.
fn members_call(arms: &[TokenStream]) -> TokenStream {
    let j = quote!(::restjson_runtime::__private::json);
    if arms.is_empty() {
        return quote!(#j::members(&mut map, |_, map| #j::skip(map)));
    }
    quote! {
        #j::members(&mut map, |key, map| ::std::result::Result::Ok(match &**key {
            #(#arms)*
            _ => #j::skip(map)?,
        }))
    }
}

/// The reader of an object (`enum #name {}` implementing `json::ReadObject` for `value_ty`):
/// `body` declares locals and computes `read` (a `Result<(), DeserializeError>`), `value`
/// is the value made from the locals (it may use `?` on a `DeserializeError`).
fn object_reader(
    name: &TokenStream,
    value_ty: &TokenStream,
    body: TokenStream,
    value: TokenStream,
) -> TokenStream {
    let j = quote!(::restjson_runtime::__private::json);
    let finish = if value.to_string().contains('?') {
        quote!(read.and_then(|()| #j::build(|| ::std::result::Result::Ok(::std::option::Option::Some(#value)))))
    } else {
        quote!(read.map(|()| ::std::option::Option::Some(#value)))
    };
    quote! {
        pub(crate) enum #name {}
        impl<'de> #j::ReadObject<'de> for #name {
            type Value = #value_ty;
            fn read<A: #j::MapAccess<'de>>(mut map: A) -> ::std::result::Result<#j::Read<Self::Value>, A::Error> {
                #body
                ::std::result::Result::Ok(#finish)
            }
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

fn ser_struct_fn(name: &str, s: &StructDef, path: &TokenStream) -> TokenStream {
    let f = format_ident!("{}", name);
    let members: Vec<&Member> = s.members.iter().collect();
    let body = ser_members(&members);
    let (input, object) = if members.is_empty() {
        (quote!(_input), quote!(_object))
    } else {
        (quote!(input), quote!(object))
    };
    quote! {
        pub(crate) fn #f(#input: &#path, #object: &mut ::restjson_runtime::__private::ObjectWriter<'_>) -> ::std::result::Result<(), ::restjson_runtime::__private::BuildError> {
            #body
            ::std::result::Result::Ok(())
        }
    }
}

/// Pieces of a structure deserializer: local declarations (of the body members too for
/// [`DeMode::Nested`]), the body members' locals and value types, the match arms reading them,
/// and the field initializers.
pub struct DeParts {
    pub decls: Vec<TokenStream>,
    pub body_locals: Vec<proc_macro2::Ident>,
    pub body_tys: Vec<TokenStream>,
    pub arms: Vec<TokenStream>,
    pub inits: Vec<TokenStream>,
}

/// How a structure is read, which decides the locals [`de_parts`] declares.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DeMode {
    /// A structure inside a document with a reader of its own: it reads every member.
    Nested,
    /// An operation output: body members come from a shared reader's tuple, the others from
    /// the response (headers, status code, payload).
    Output,
    /// An error or a structure inside a document: body members come from a shared reader's
    /// tuple, the others are `None` (an error's headers are filled afterwards, on the value).
    Tuple,
}

pub fn de_parts(members: &[Member], mode: DeMode) -> DeParts {
    let mut parts = DeParts {
        decls: vec![],
        body_locals: vec![],
        body_tys: vec![],
        arms: vec![],
        inits: vec![],
    };
    for m in members {
        let f = ident(&m.rust_name);
        let local = format_ident!("{}", m.local);
        if m.ty == Ty::ByteStream {
            // The response body itself, handed to the deserializer as `stream_`.
            // Field names never end in `_`, so `stream_` cannot collide with one.
            parts.inits.push(quote!(#f: stream_,));
            continue;
        }
        if m.binding.is_body_in_response() {
            parts.arms.push(de_arm(m, &local));
            parts.body_tys.push(super::member_value_ty(m));
            parts.body_locals.push(local.clone());
            if mode == DeMode::Nested {
                parts
                    .decls
                    .push(quote!(let mut #local = ::std::option::Option::None;));
            }
        } else if mode == DeMode::Output && m.binding == Binding::ResponseCode {
            parts.decls.push(quote!(let #local = ::std::option::Option::Some(i32::from(response.status().as_u16()));));
        } else if mode == DeMode::Output {
            parts
                .decls
                .push(quote!(let mut #local = ::std::option::Option::None;));
        } else {
            parts
                .decls
                .push(quote!(let #local = ::std::option::Option::None;));
        }
        let init = if m.non_optional() {
            let value = unwrap_default(m, quote!(#local), Some(zero_value(m)));
            quote!(#f: #value,)
        } else {
            quote!(#f: #local,)
        };
        parts.inits.push(init);
    }
    parts
}

/// A shared reader of response bodies, reading the body members into a tuple.
fn body_reader(r: &BodyReader) -> TokenStream {
    let parts = de_parts(&r.members, DeMode::Output);
    let name = format_ident!("{}", r.name);
    let locals = &parts.body_locals;
    let tys = &parts.body_tys;
    let read = members_call(&parts.arms);
    let body = quote! {
        #(let mut #locals = ::std::option::Option::None;)*
        let read = #read?;
    };
    object_reader(
        &quote!(#name),
        &quote!((#(::std::option::Option<#tys>,)*)),
        body,
        quote!((#(#locals,)*)),
    )
}

/// The reader of structure `s` inside a document: its own, or its shared body reader whose
/// tuple makes the value.
fn de_struct_fn(name: &str, s: &StructDef, path: &TokenStream) -> TokenStream {
    let reader = reader_name(name);
    let Some(shared) = &s.body_reader else {
        let DeParts {
            decls, arms, inits, ..
        } = de_parts(&s.members, DeMode::Nested);
        let read = members_call(&arms);
        let body = quote! {
            #(#decls)*
            let read = #read?;
        };
        return object_reader(&quote!(#reader), path, body, quote!(#path { #(#inits)* }));
    };
    let j = quote!(::restjson_runtime::__private::json);
    let DeParts { decls, inits, .. } = de_parts(&s.members, DeMode::Tuple);
    let shared = format_ident!("{}", shared);
    let (pattern, conversions) = tuple_locals(s);
    let value = quote!(#path { #(#inits)* });
    let make = if value.to_string().contains('?') {
        quote!(read.and_then(|v| v.map(|#pattern| #j::build(|| {
            #conversions
            #(#decls)*
            ::std::result::Result::Ok(#value)
        })).transpose()))
    } else {
        quote!(read.map(|v| v.map(|#pattern| {
            #conversions
            #(#decls)*
            #value
        })))
    };
    quote! {
        pub(crate) enum #reader {}
        impl<'de> #j::ReadObject<'de> for #reader {
            type Value = #path;
            fn read<A: #j::MapAccess<'de>>(map: A) -> ::std::result::Result<#j::Read<Self::Value>, A::Error> {
                let read = <crate::protocol::body::#shared as #j::ReadObject<'de>>::read(map)?;
                ::std::result::Result::Ok(#make)
            }
        }
    }
}

fn ser_union_fn(fn_name: &str, u: &UnionDef) -> TokenStream {
    let f = format_ident!("{}", fn_name);
    let n = format_ident!("{}", u.rust_name);
    let name = &u.rust_name;
    let arms = u.variants.iter().map(|v| {
        let v = &v.member;
        let var = format_ident!("{}", v.rust_name);
        let key = &v.json_name;
        let write = ser_value(&v.ty, quote!(value), quote!(object.key(#key)), &v.wire_name);
        quote!(crate::types::#n::#var(value) => { #write })
    });
    quote! {
        pub(crate) fn #f(input: &crate::types::#n, writer: ::restjson_runtime::__private::ValueWriter<'_>) -> ::std::result::Result<(), ::restjson_runtime::__private::BuildError> {
            let mut object = writer.object();
            match input {
                #(#arms)*
                crate::types::#n::Unknown => {
                    return ::std::result::Result::Err(::restjson_runtime::__private::BuildError::invalid_field(#name, "an unknown union variant cannot be sent"));
                }
            }
            object.finish();
            ::std::result::Result::Ok(())
        }
    }
}

fn de_union_fn(fn_name: &str, u: &UnionDef) -> TokenStream {
    let j = quote!(::restjson_runtime::__private::json);
    let n = format_ident!("{}", u.rust_name);
    let name = &u.rust_name;
    let arms = u.variants.iter().map(|v| {
        let v = &v.member;
        let var = format_ident!("{}", v.rust_name);
        let key = &v.json_name;
        let seed = de_seed(&v.ty);
        let variant = if v.boxed {
            quote!(|v| crate::types::#n::#var(::std::boxed::Box::new(v)))
        } else {
            quote!(crate::types::#n::#var)
        };
        quote!(#key => map.next_value_seed(#seed)?.map(|v| v.map(#variant)),)
    });
    let body = quote! {
        let mut union = #j::UnionReader::new(#name);
        let read = #j::members(&mut map, |key, map| {
            if &**key == "__type" {
                return #j::skip(map);
            }
            let variant = match &**key {
                #(#arms)*
                _ => ::std::result::Result::Ok(#j::skip_value(map)?.then_some(crate::types::#n::Unknown)),
            };
            ::std::result::Result::Ok(variant.map(|v| union.member(key.clone(), v)))
        })?;
    };
    let name = reader_name(fn_name);
    union_reader(&quote!(#name), &quote!(crate::types::#n), body)
}

/// [`object_reader`] for a union: the value is `union.finish()`.
fn union_reader(name: &TokenStream, value_ty: &TokenStream, body: TokenStream) -> TokenStream {
    let j = quote!(::restjson_runtime::__private::json);
    quote! {
        pub(crate) enum #name {}
        impl<'de> #j::ReadObject<'de> for #name {
            type Value = #value_ty;
            fn read<A: #j::MapAccess<'de>>(mut map: A) -> ::std::result::Result<#j::Read<Self::Value>, A::Error> {
                #body
                ::std::result::Result::Ok(read.and_then(|()| union.finish().map(::std::option::Option::Some)))
            }
        }
    }
}

/// An expression of type `Result<T, DeserializeError>` parsing the header text `s`.
pub fn header_value(ty: &Ty, s: TokenStream) -> TokenStream {
    let p = quote!(::restjson_runtime::__private);
    match ty {
        Ty::String => {
            quote!(::std::result::Result::<_, ::restjson_runtime::__private::DeserializeError>::Ok(#s.to_owned()))
        }
        Ty::Named {
            kind: NamedKind::Enum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(::std::result::Result::<_, ::restjson_runtime::__private::DeserializeError>::Ok(crate::types::#t::from(#s)))
        }
        Ty::Named {
            kind: NamedKind::IntEnum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(#p::parse_number::<i32>(#s).map(crate::types::#t::from))
        }
        Ty::Bool => quote!(#p::parse_bool(#s)),
        Ty::Byte => quote!(#p::parse_number::<i8>(#s)),
        Ty::Short => quote!(#p::parse_number::<i16>(#s)),
        Ty::Integer => quote!(#p::parse_number::<i32>(#s)),
        Ty::Long => quote!(#p::parse_number::<i64>(#s)),
        Ty::Float => quote!(#p::parse_float(#s).map(|v| v as f32)),
        Ty::Double => quote!(#p::parse_float(#s)),
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, TsFormat::HttpDate);
            quote!(#p::parse_timestamp(#s, #f))
        }
        Ty::Blob => {
            quote!(::restjson_runtime::Blob::from_base64(#s).map_err(::restjson_runtime::__private::DeserializeError::new))
        }
        _ => quote!(::std::result::Result::<
            _,
            ::restjson_runtime::__private::DeserializeError,
        >::Err(
            ::restjson_runtime::__private::DeserializeError::new("unsupported header type")
        )),
    }
}

/// An expression of type `Result<T, DeserializeError>` parsing the header text `text` (a
/// `&str`) into the member's type.
pub fn header_parse(m: &Member) -> TokenStream {
    match &m.ty {
        Ty::List { elem, .. } => {
            let item = header_value(elem, quote!(item.as_str()));
            let split = if matches!(
                elem.as_ref(),
                Ty::Timestamp(None | Some(TsFormat::HttpDate))
            ) {
                quote!(::restjson_runtime::__private::split_http_date_list(text))
            } else {
                quote!(::restjson_runtime::__private::split_header_list(text))
            };
            quote!(#split.iter().map(|item| #item).collect::<::std::result::Result<::std::vec::Vec<_>, _>>())
        }
        Ty::String if m.media_type.is_some() => quote! {
            ::restjson_runtime::Blob::from_base64(text)
                .map_err(::restjson_runtime::__private::DeserializeError::new)
                .and_then(|b| ::std::string::String::from_utf8(b.into_inner()).map_err(|_| ::restjson_runtime::__private::DeserializeError::new("base64 header is not UTF-8 text")))
        },
        t => header_value(t, quote!(text)),
    }
}
