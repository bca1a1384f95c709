//! JSON (de)serializers of structures and unions (the private `protocol` module).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, ts_tokens, unwrap_default, zero_value};
use crate::ir::{
    Binding, ErrorInfo, Member, NamedKind, Service, StructDef, TsFormat, Ty, TypeDef, UnionDef,
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
                    items.push(de_struct_fn(f, s, &path, false));
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
        if let (Some(de), Some(info)) = (&e.de_fn, &e.error) {
            items.push(de_struct_fn(de, e, &path, true));
            items.push(de_error_response_fn(info, de, e, &path));
        }
    }
    quote! {
        //! JSON serializers and deserializers of the service's structures and unions, and the
        //! readers of its modeled errors (one per error shape, shared by every operation).
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

/// Reads a modeled error from a whole response: the body, members bound to headers, and the
/// message when the body spells it differently or the response carries it in a header.
fn de_error_response_fn(
    info: &ErrorInfo,
    body_fn: &str,
    s: &StructDef,
    path: &TokenStream,
) -> TokenStream {
    let f = format_ident!("{}", info.response_fn);
    let body_fn = format_ident!("{}", body_fn);
    let p = quote!(::restjson_runtime::__private);
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
    quote! {
        pub(crate) fn #f(meta: &#p::ErrorMetadata, response: &#p::HttpResponse) -> ::std::result::Result<#path, #p::DeserializeError> {
            let mut error = #p::json::read_body(response.body(), #body_fn)?;
            #(#fixes)*
            error._meta = #p::ResponseMetadata(meta.clone());
            ::std::result::Result::Ok(error)
        }
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

/// A path of a function reading a `json::Input` into the type, when there is one without
/// conversion. Passing it (rather than a closure) lets every use of a type share one
/// instance of the generic readers.
pub fn de_fn(ty: &Ty) -> Option<TokenStream> {
    Some(match ty {
        Ty::String => quote!(::restjson_runtime::__private::json::string),
        Ty::Bool => quote!(::restjson_runtime::__private::json::boolean),
        Ty::Byte => quote!(::restjson_runtime::__private::json::integer::<i8>),
        Ty::Short => quote!(::restjson_runtime::__private::json::integer::<i16>),
        Ty::Integer => quote!(::restjson_runtime::__private::json::integer::<i32>),
        Ty::Long => quote!(::restjson_runtime::__private::json::integer::<i64>),
        Ty::Float => quote!(::restjson_runtime::__private::json::float),
        Ty::Double => quote!(::restjson_runtime::__private::json::double),
        Ty::Blob => quote!(::restjson_runtime::__private::json::blob),
        Ty::Document => quote!(::restjson_runtime::__private::json::document),
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            de_fn,
            ..
        } => {
            let f = format_ident!("{}", de_fn);
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

/// An expression of type `Result<Option<T>, DeserializeError>` reading the current member of
/// `object` (a `json::ObjectReader`): leaves through the reader's own methods (no reader
/// function between the deserializer and the value), the rest through [`de_reader`].
fn de_member(ty: &Ty, boxed: bool) -> TokenStream {
    let leaf = match ty {
        _ if boxed => None,
        Ty::String => Some(quote!(read_string())),
        Ty::Bool => Some(quote!(read_boolean())),
        Ty::Byte => Some(quote!(read_integer::<i8>())),
        Ty::Short => Some(quote!(read_integer::<i16>())),
        Ty::Integer => Some(quote!(read_integer::<i32>())),
        Ty::Long => Some(quote!(read_integer::<i64>())),
        Ty::Float => Some(quote!(read_float())),
        Ty::Double => Some(quote!(read_double())),
        Ty::Blob => Some(quote!(read_blob())),
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, TsFormat::EpochSeconds);
            Some(quote!(read_timestamp(#f)))
        }
        Ty::Named {
            kind: NamedKind::Enum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            return quote!(object.read_string().map(|v| v.map(crate::types::#t::from)));
        }
        Ty::Named {
            kind: NamedKind::IntEnum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            return quote!(object.read_integer::<i32>().map(|v| v.map(crate::types::#t::from)));
        }
        _ => None,
    };
    match leaf {
        Some(call) => quote!(object.#call),
        None => {
            let reader = de_reader(ty, boxed);
            quote!(object.read(#reader))
        }
    }
}

/// An expression of type `Result<T, DeserializeError>` reading `v` (a `json::Input`).
pub fn de_value(ty: &Ty, v: TokenStream) -> TokenStream {
    match ty {
        Ty::String => quote!(::restjson_runtime::__private::json::string(#v)),
        Ty::Named {
            kind: NamedKind::Enum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(::restjson_runtime::__private::json::string(#v).map(crate::types::#t::from))
        }
        Ty::Named {
            kind: NamedKind::IntEnum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(::restjson_runtime::__private::json::integer::<i32>(#v).map(crate::types::#t::from))
        }
        Ty::Bool => quote!(::restjson_runtime::__private::json::boolean(#v)),
        Ty::Byte => quote!(::restjson_runtime::__private::json::integer::<i8>(#v)),
        Ty::Short => quote!(::restjson_runtime::__private::json::integer::<i16>(#v)),
        Ty::Integer => quote!(::restjson_runtime::__private::json::integer::<i32>(#v)),
        Ty::Long => quote!(::restjson_runtime::__private::json::integer::<i64>(#v)),
        Ty::Float => quote!(::restjson_runtime::__private::json::float(#v)),
        Ty::Double => quote!(::restjson_runtime::__private::json::double(#v)),
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, TsFormat::EpochSeconds);
            quote!(::restjson_runtime::__private::json::timestamp(#v, #f))
        }
        Ty::Blob => quote!(::restjson_runtime::__private::json::blob(#v)),
        Ty::Document => quote!(::restjson_runtime::__private::json::document(#v)),
        Ty::Unit => quote!(::restjson_runtime::__private::json::object(#v).map(|_| ())),
        Ty::List {
            elem,
            sparse: false,
        } if **elem == Ty::String => quote!(::restjson_runtime::__private::json::string_list(#v)),
        Ty::Map {
            value,
            sparse: false,
        } if **value == Ty::String => quote!(::restjson_runtime::__private::json::string_map(#v)),
        Ty::List { elem, sparse } => {
            let inner = de_reader(elem, false);
            if *sparse {
                quote!(::restjson_runtime::__private::json::sparse_list(#v, #inner))
            } else {
                quote!(::restjson_runtime::__private::json::list(#v, #inner))
            }
        }
        Ty::Map { value, sparse } => {
            let inner = de_reader(value, false);
            if *sparse {
                quote!(::restjson_runtime::__private::json::sparse_map(#v, #inner))
            } else {
                quote!(::restjson_runtime::__private::json::map(#v, #inner))
            }
        }
        Ty::Named {
            kind: NamedKind::Struct | NamedKind::Union,
            de_fn,
            ..
        } => {
            let f = format_ident!("{}", de_fn);
            quote!(crate::protocol::#f(#v))
        }
        Ty::ByteStream => quote!(::std::result::Result::<
            ::restjson_runtime::ByteStream,
            ::restjson_runtime::__private::DeserializeError,
        >::Ok(::restjson_runtime::ByteStream::default())),
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

/// Pieces of a structure deserializer for the body members: local declarations, match arms
/// and field initializers.
pub struct DeParts {
    pub decls: Vec<TokenStream>,
    pub arms: Vec<TokenStream>,
    pub inits: Vec<TokenStream>,
}

/// `headers_read` says whether the caller also reads members bound outside the body (an
/// operation output does; a structure inside a document has no such members to fill).
pub fn de_parts(members: &[Member], headers_read: bool) -> DeParts {
    let mut parts = DeParts {
        decls: vec![],
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
        let assigned = m.binding.is_body_in_response() || headers_read;
        parts.decls.push(if headers_read && m.binding == Binding::ResponseCode {
            quote!(let #local = ::std::option::Option::Some(i32::from(response.status().as_u16()));)
        } else if assigned {
            quote!(let mut #local = ::std::option::Option::None;)
        } else {
            quote!(let #local = ::std::option::Option::None;)
        });
        if m.binding.is_body_in_response() {
            let key = &m.json_name;
            let read = de_member(&m.ty, m.boxed);
            parts.arms.push(quote! {
                #key => { #local = #read.map_err(|e| e.at(#key))?; }
            });
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

/// The deserializer of structure `s`; an `error` structure also gets (empty) response metadata.
fn de_struct_fn(name: &str, s: &StructDef, path: &TokenStream, error: bool) -> TokenStream {
    let f = format_ident!("{}", name);
    let DeParts {
        decls,
        arms,
        mut inits,
    } = de_parts(&s.members, false);
    if error {
        inits.push(quote!(_meta: ::std::default::Default::default(),));
    }
    quote! {
        pub(crate) fn #f(value: ::restjson_runtime::__private::json::Input<'_, '_>) -> ::std::result::Result<#path, ::restjson_runtime::__private::DeserializeError> {
            let mut object = ::restjson_runtime::__private::json::object(value)?;
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
    let f = format_ident!("{}", fn_name);
    let n = format_ident!("{}", u.rust_name);
    let name = &u.rust_name;
    let arms = u.variants.iter().map(|v| {
        let v = &v.member;
        let var = format_ident!("{}", v.rust_name);
        let key = &v.json_name;
        let read = de_member(&v.ty, v.boxed);
        quote!(#key => #read.map(|v| v.map(crate::types::#n::#var)).map_err(|e| e.at(#key))?,)
    });
    quote! {
        pub(crate) fn #f(value: ::restjson_runtime::__private::json::Input<'_, '_>) -> ::std::result::Result<crate::types::#n, ::restjson_runtime::__private::DeserializeError> {
            let mut object = ::restjson_runtime::__private::json::object(value)?;
            let mut union = ::restjson_runtime::__private::json::UnionReader::new(#name);
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
