//! One module per operation: input, output, error, fluent builder, request serializer and
//! response deserializers.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::protocol::{DeParts, de_parts, de_value, ser_members, ser_value};
use super::types::{StructRole, struct_tokens};
use super::{docs_or, ident, member_value_ty, rust_ty, ts_tokens};
use crate::ir::{
    Binding, Member, NamedKind, Operation, Service, StructDef, TsFormat, Ty, UriSegment,
};
use crate::naming::snake_case;

pub fn file(_service: &Service, op: &Operation) -> TokenStream {
    let input = struct_tokens(&op.input, StructRole::Input);
    let output = struct_tokens(&op.output, StructRole::Output);
    let error = error_enum(_service, op);
    let fluent = fluent_builder(op);
    let ser = ser_request(op);
    let de_ok = de_response(op);
    let de_err = de_error(op);
    let spec = super::paginator::spec_static(op);
    let pagination = super::paginator::pagination_static(op);
    let name = &op.name;
    let idempotent = op.idempotent;
    let doc = docs_or(&op.docs, &format!("The `{}` operation.", op.name));
    let doc_attr = quote!(#doc).to_string();
    let _ = doc_attr;
    let mod_doc = format!(
        " Input, output, errors and fluent builder of the `{}` operation.",
        op.name
    );
    quote! {
        #![doc = #mod_doc]
        #![allow(clippy::all, unused_imports, unused_mut, dead_code)]
        use ::restjson_runtime::__private::{json, BuildError, DeserializeError, ErrorMetadata, HttpResponse, ObjectWriter, RequestBuilder, RequestParts, Value};

        #input
        #output
        #error
        #fluent

        static META: ::restjson_runtime::__private::OperationMeta = ::restjson_runtime::__private::OperationMeta {
            name: #name,
            idempotent: #idempotent,
        };
        #spec
        #pagination

        #ser
        #de_ok
        #de_err
    }
}

fn error_enum(service: &Service, op: &Operation) -> TokenStream {
    let name = format_ident!("{}Error", op.input.rust_name.trim_end_matches("Input"));
    let variants = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = format_ident!("{}", e.rust_name);
        let d = format!(" The service returned `{}`.", e.code);
        quote!(#[doc = #d] #v(crate::types::error::#t),)
    });
    let codes = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let c = &e.code;
        quote!(Self::#v(_) => ::std::option::Option::Some(#c),)
    });
    let messages = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let def = service.errors.iter().find(|d| d.rust_name == e.rust_name);
        let msg = def.and_then(|d| {
            d.members
                .iter()
                .find(|m| m.wire_name.eq_ignore_ascii_case("message") && m.ty == Ty::String)
        });
        match msg {
            Some(m) => {
                let f = ident(&m.rust_name);
                if m.non_optional() {
                    quote!(Self::#v(e) => ::std::option::Option::Some(e.#f.as_str()),)
                } else {
                    quote!(Self::#v(e) => e.#f.as_deref(),)
                }
            }
            None => quote!(Self::#v(_) => ::std::option::Option::None,),
        }
    });
    let displays = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        quote!(Self::#v(e) => ::std::fmt::Display::fmt(e, f),)
    });
    let sources = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        quote!(Self::#v(e) => ::std::option::Option::Some(e),)
    });
    let predicates = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let f = format_ident!("is_{}", snake_case(&e.variant));
        let d = format!(" Whether this is `{}`.", e.code);
        quote!(#[doc = #d] pub fn #f(&self) -> bool { matches!(self, Self::#v(_)) })
    });
    let doc = format!(" The errors of the `{}` operation.", op.name);
    quote! {
        #[doc = #doc]
        #[non_exhaustive]
        #[derive(Debug)]
        pub enum #name {
            #(#variants)*
            /// An error the operation does not model (its code, message and request id are kept).
            Unhandled(::restjson_runtime::Unhandled),
        }
        impl #name {
            /// The error code.
            pub fn code(&self) -> ::std::option::Option<&str> {
                match self { #(#codes)* Self::Unhandled(e) => e.code() }
            }
            /// The error message.
            pub fn message(&self) -> ::std::option::Option<&str> {
                match self { #(#messages)* Self::Unhandled(e) => e.message() }
            }
            #(#predicates)*
            /// Whether this is an error the operation does not model.
            pub fn is_unhandled(&self) -> bool { matches!(self, Self::Unhandled(_)) }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self { #(#displays)* Self::Unhandled(e) => ::std::fmt::Display::fmt(e, f) }
            }
        }
        impl ::std::error::Error for #name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                match self { #(#sources)* Self::Unhandled(e) => ::std::option::Option::Some(e) }
            }
        }
    }
}

fn fluent_setters(m: &Member) -> TokenStream {
    let f = ident(&m.rust_name);
    let bare = m.rust_name.trim_start_matches("r#");
    let set = format_ident!("{}", m.setter);
    let get = format_ident!("{}", m.getter);
    let vt = member_value_ty(m);
    let doc = docs_or(&m.docs, &format!("The `{}` member.", m.wire_name));
    let append_doc = format!(" Appends an item to `{bare}`.");
    let insert_doc = format!(" Adds a key-value pair to `{bare}`.");
    let main = match &m.ty {
        Ty::List { elem, sparse } => {
            let e = rust_ty(elem);
            let arg = if *sparse {
                quote!(::std::option::Option<#e>)
            } else {
                quote!(impl ::std::convert::Into<#e>)
            };
            quote! {
                #[doc = #append_doc]
                #[doc = ""]
                #doc
                pub fn #f(mut self, input: #arg) -> Self { self.inner = self.inner.#f(input); self }
            }
        }
        Ty::Map { value, sparse } => {
            let v = rust_ty(value);
            let arg = if *sparse {
                quote!(::std::option::Option<#v>)
            } else {
                quote!(impl ::std::convert::Into<#v>)
            };
            quote! {
                #[doc = #insert_doc]
                #[doc = ""]
                #doc
                pub fn #f(mut self, k: impl ::std::convert::Into<::std::string::String>, v: #arg) -> Self {
                    self.inner = self.inner.#f(k, v);
                    self
                }
            }
        }
        _ => {
            let t = if m.boxed { rust_ty(&m.ty) } else { vt.clone() };
            quote! {
                #doc
                pub fn #f(mut self, input: impl ::std::convert::Into<#t>) -> Self { self.inner = self.inner.#f(input); self }
            }
        }
    };
    quote! {
        #main
        #doc
        pub fn #set(mut self, input: ::std::option::Option<#vt>) -> Self { self.inner = self.inner.#set(input); self }
        #doc
        pub fn #get(&self) -> &::std::option::Option<#vt> { self.inner.#get() }
    }
}

fn fluent_builder(op: &Operation) -> TokenStream {
    let base = op.input.rust_name.trim_end_matches("Input");
    let fluent = format_ident!("{}FluentBuilder", base);
    let input = format_ident!("{}", op.input.rust_name);
    let input_b = format_ident!("{}Builder", op.input.rust_name);
    let output = format_ident!("{}", op.output.rust_name);
    let output_b = format_ident!("{}Builder", op.output.rust_name);
    let error = format_ident!("{}Error", base);
    let setters = op.input.members.iter().map(fluent_setters);
    let build = if op.input.needs_fallible_build() {
        quote!(self.inner.build())
    } else {
        quote!(::std::result::Result::Ok(self.inner.build()))
    };
    let send = super::paginator::send_body(&build);
    let (paginator_alias, into_paginator) = super::paginator::fluent_items(op, &build);
    let doc = docs_or(&op.docs, &format!("The `{}` operation.", op.name));
    let builder_doc = format!(
        " Fluent builder of the `{}` operation: set the input members, then call [`send`](Self::send).",
        op.name
    );
    quote! {
        /// Builders of this operation's input and output, and its fluent builder.
        pub mod builders {
            pub use super::{#input_b, #output_b};
            use super::{#input, #output, #error};
            #paginator_alias

            #[doc = #builder_doc]
            #[doc = ""]
            #doc
            #[derive(Clone, Debug)]
            pub struct #fluent {
                handle: ::restjson_runtime::Handle,
                inner: #input_b,
            }

            impl #fluent {
                pub(crate) fn new(handle: ::restjson_runtime::Handle) -> Self {
                    Self { handle, inner: ::std::default::Default::default() }
                }
                /// The input built so far.
                pub fn as_input(&self) -> &#input_b {
                    &self.inner
                }
                /// Sends the request and waits for the response.
                ///
                /// A missing required member or an invalid value fails before anything is sent.
                pub async fn send(self) -> ::std::result::Result<#output, ::restjson_runtime::SdkError<#error>> {
                    #send
                }
                #into_paginator
                #(#setters)*
            }
        }
    }
}

/// An expression of type `Result<String, BuildError>` (or `String`) turning a scalar into text
/// for a label, query value or header; `v` is `&T`.
fn scalar_text(ty: &Ty, v: TokenStream, member: &str, default_ts: TsFormat) -> TokenStream {
    match ty {
        Ty::String => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(#v.to_string()))
        }
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(#v.as_str().to_owned()))
        }
        Ty::Named {
            kind: NamedKind::IntEnum,
            ..
        } => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(#v.as_i32().to_string()))
        }
        Ty::Bool | Ty::Byte | Ty::Short | Ty::Integer | Ty::Long => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(#v.to_string()))
        }
        Ty::Float | Ty::Double => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(::restjson_runtime::__private::float_text(f64::from(*#v))))
        }
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, default_ts);
            quote!(#v.format(#f).map_err(|e| BuildError::invalid_field(#member, e)))
        }
        Ty::Blob => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(#v.to_base64()))
        }
        _ => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Err(BuildError::invalid_field(#member, "this type cannot be bound to the HTTP message")))
        }
    }
}

fn ser_request(op: &Operation) -> TokenStream {
    let input_ty = format_ident!("{}", op.input.rust_name);
    let method = format_ident!("{}", op.method);
    let mut path_stmts = Vec::new();
    for seg in &op.path {
        match seg {
            UriSegment::Literal(l) => path_stmts.push(quote!(path.push_str(#l);)),
            UriSegment::Label { member, greedy } => {
                let m = op
                    .input
                    .members
                    .iter()
                    .find(|m| &m.rust_name == member)
                    .expect("label member checked in lowering");
                let f = ident(&m.rust_name);
                let wire = &m.wire_name;
                let text = scalar_text(&m.ty, quote!((&input.#f)), wire, TsFormat::DateTime);
                let enc = if *greedy {
                    quote!(::restjson_runtime::__private::encode_greedy_label)
                } else {
                    quote!(::restjson_runtime::__private::encode_label)
                };
                path_stmts.push(quote! {{
                    let text = #text?;
                    if text.is_empty() {
                        return ::std::result::Result::Err(BuildError::invalid_field(#wire, "an HTTP label must not be empty"));
                    }
                    path.push_str(&#enc(&text));
                }});
            }
        }
    }
    if !op.query_literals.is_empty() {
        let q = op
            .query_literals
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            })
            .collect::<Vec<_>>()
            .join("&");
        let q = format!("?{q}");
        path_stmts.push(quote!(path.push_str(#q);));
    }
    let mut bind_stmts = Vec::new();
    let explicit_query: Vec<&str> = op
        .input
        .members
        .iter()
        .filter_map(|m| match &m.binding {
            Binding::Query(q) => Some(q.as_str()),
            _ => None,
        })
        .chain(op.query_literals.iter().map(|(k, _)| k.as_str()))
        .collect();
    for m in &op.input.members {
        let f = ident(&m.rust_name);
        let wire = &m.wire_name;
        let stmt = match &m.binding {
            Binding::Query(name) => match &m.ty {
                Ty::List { elem, .. } => {
                    let text = scalar_text(elem, quote!(item), wire, TsFormat::DateTime);
                    quote!(for item in value.iter() { request.query(#name, &#text?); })
                }
                t => {
                    let text = scalar_text(t, quote!(value), wire, TsFormat::DateTime);
                    quote!(request.query(#name, &#text?);)
                }
            },
            Binding::QueryParams => {
                let explicit = &explicit_query;
                let push = match &m.ty {
                    Ty::Map { value, .. } => match value.as_ref() {
                        Ty::List { elem, .. } => {
                            let text = scalar_text(elem, quote!(item), wire, TsFormat::DateTime);
                            quote!(for item in item.iter() { request.query(key, &#text?); })
                        }
                        t => {
                            let text = scalar_text(t, quote!(item), wire, TsFormat::DateTime);
                            quote!(request.query(key, &#text?);)
                        }
                    },
                    _ => quote!(),
                };
                quote! {
                    for (key, item) in value.iter() {
                        if [#(#explicit),*].contains(&key.as_str()) { continue; }
                        #push
                    }
                }
            }
            Binding::Header(name) => match &m.ty {
                Ty::List { elem, .. } => {
                    let text = scalar_text(elem, quote!(item), wire, TsFormat::HttpDate);
                    let quote_it = matches!(
                        elem.as_ref(),
                        Ty::String
                            | Ty::Named {
                                kind: NamedKind::Enum,
                                ..
                            }
                    );
                    let item_text = if quote_it {
                        quote!(::restjson_runtime::__private::quote_header_item(&#text?))
                    } else {
                        quote!(#text?)
                    };
                    quote! {
                        let mut parts = ::std::vec::Vec::new();
                        for item in value.iter() { parts.push(#item_text); }
                        if !value.is_empty() { request.header(#name, &parts.join(", "), #wire)?; }
                    }
                }
                t => {
                    let text = scalar_text(t, quote!(value), wire, TsFormat::HttpDate);
                    quote!(request.header(#name, &#text?, #wire)?;)
                }
            },
            Binding::PrefixHeaders(prefix) => quote! {
                for (key, item) in value.iter() {
                    request.dynamic_header(&format!("{}{}", #prefix, key), item, #wire)?;
                }
            },
            _ => continue,
        };
        let s = if m.non_optional() {
            quote!({ let value = &input.#f; #stmt })
        } else {
            quote!(if let ::std::option::Option::Some(value) = &input.#f { #stmt })
        };
        bind_stmts.push(s);
    }
    let body_members: Vec<&Member> = op
        .input
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body)
        .collect();
    let payload = op
        .input
        .members
        .iter()
        .find(|m| m.binding == Binding::Payload);
    let body = if let Some(p) = payload {
        let f = ident(&p.rust_name);
        let wire = &p.wire_name;
        let produce = match &p.ty {
            Ty::Blob => quote!((value.as_ref().to_vec(), "application/octet-stream")),
            Ty::String => quote!((value.clone().into_bytes(), "text/plain")),
            Ty::Named {
                kind: NamedKind::Enum,
                ..
            } => quote!((value.as_str().as_bytes().to_vec(), "text/plain")),
            t => {
                let write = ser_value(t, quote!(value), quote!(writer), wire);
                quote!({
                    let mut out = ::std::string::String::new();
                    { let writer = ::restjson_runtime::__private::ValueWriter::new(&mut out); #write }
                    (out.into_bytes(), "application/json")
                })
            }
        };
        if p.non_optional() {
            quote!({ let value = &input.#f; ::std::option::Option::Some(#produce) })
        } else {
            quote!(match &input.#f { ::std::option::Option::Some(value) => ::std::option::Option::Some(#produce), ::std::option::Option::None => ::std::option::Option::None })
        }
    } else if !body_members.is_empty() {
        let write = ser_members(&body_members);
        quote!({
            let mut out = ::std::string::String::new();
            let mut object = ObjectWriter::new(&mut out);
            #write
            object.finish();
            ::std::option::Option::Some((out.into_bytes(), "application/json"))
        })
    } else {
        quote!(::std::option::Option::None)
    };
    let host_prefix = match &op.host_prefix {
        None => quote!(),
        Some(prefix) => {
            let mut fmt = String::new();
            let mut args = Vec::new();
            let mut rest = prefix.as_str();
            while let Some(start) = rest.find('{') {
                fmt.push_str(&rest[..start]);
                let end = rest[start..]
                    .find('}')
                    .map(|e| start + e)
                    .unwrap_or(rest.len() - 1);
                let label = &rest[start + 1..end];
                if let Some(m) = op.input.members.iter().find(|m| m.wire_name == label) {
                    let f = ident(&m.rust_name);
                    let wire = &m.wire_name;
                    fmt.push_str("{}");
                    let access = if m.non_optional() {
                        quote!(input.#f.as_str())
                    } else {
                        quote!(input.#f.as_deref().unwrap_or(""))
                    };
                    args.push(quote!(::restjson_runtime::__private::host_label(#access, #wire)?));
                }
                rest = &rest[end + 1..];
            }
            fmt.push_str(rest);
            quote!(parts.host_prefix = ::std::option::Option::Some(format!(#fmt, #(#args),*));)
        }
    };
    quote! {
        fn ser_request(input: &#input_ty) -> ::std::result::Result<RequestParts, BuildError> {
            let mut path = ::std::string::String::new();
            #(#path_stmts)*
            let mut request = RequestBuilder::new(::restjson_runtime::__private::Method::#method, path);
            #(#bind_stmts)*
            let body = #body;
            let mut parts = request.finish(body);
            #host_prefix
            ::std::result::Result::Ok(parts)
        }
    }
}

/// An expression of type `Result<T, DeserializeError>` parsing the header text `s`.
fn header_value(ty: &Ty, s: TokenStream) -> TokenStream {
    let p = quote!(::restjson_runtime::__private);
    match ty {
        Ty::String => quote!(::std::result::Result::<_, DeserializeError>::Ok(#s.to_owned())),
        Ty::Named {
            kind: NamedKind::Enum,
            rust,
            ..
        } => {
            let t = format_ident!("{}", rust);
            quote!(::std::result::Result::<_, DeserializeError>::Ok(crate::types::#t::from(#s)))
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
            quote!(::restjson_runtime::Blob::from_base64(#s).map_err(DeserializeError::new))
        }
        _ => quote!(::std::result::Result::<_, DeserializeError>::Err(
            DeserializeError::new("unsupported header type")
        )),
    }
}

fn de_response(op: &Operation) -> TokenStream {
    let out = &op.output;
    let out_ty = format_ident!("{}", out.rust_name);
    let DeParts { decls, arms, inits } = de_parts(&out.members);
    let has_body = out.members.iter().any(|m| m.binding == Binding::Body);
    let body = if has_body {
        quote! {
            let value = ::restjson_runtime::__private::body_json(response)?;
            for (key, value) in json::object(&value)? {
                if value.is_null() { continue; }
                match key.as_str() {
                    #(#arms)*
                    _ => {}
                }
            }
        }
    } else {
        quote!()
    };
    let mut binds = Vec::new();
    for m in &out.members {
        let local = format_ident!("m_{}", m.rust_name.trim_start_matches("r#"));
        let wire = &m.wire_name;
        let stmt = match &m.binding {
            Binding::Header(name) => {
                let parse = match &m.ty {
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
                    t => header_value(t, quote!(text)),
                };
                quote! {
                    if let ::std::option::Option::Some(text) = ::restjson_runtime::__private::header_joined(response, #name)? {
                        let text = text.as_str();
                        #local = ::std::option::Option::Some(#parse.map_err(|e| e.at(#wire))?);
                    }
                }
            }
            Binding::PrefixHeaders(prefix) => quote! {
                let map = ::restjson_runtime::__private::prefix_headers(response, #prefix)?;
                if !map.is_empty() { #local = ::std::option::Option::Some(map); }
            },
            Binding::ResponseCode => quote! {
                #local = ::std::option::Option::Some(i32::from(response.status().as_u16()));
            },
            Binding::Payload => match &m.ty {
                Ty::Blob => {
                    quote!(#local = ::std::option::Option::Some(::restjson_runtime::Blob::new(response.body().to_vec()));)
                }
                Ty::String => quote! {
                    if !response.body().is_empty() {
                        #local = ::std::option::Option::Some(::std::string::String::from_utf8(response.body().to_vec()).map_err(|_| DeserializeError::new("payload is not valid UTF-8").at(#wire))?);
                    }
                },
                Ty::Named {
                    kind: NamedKind::Enum,
                    rust,
                    ..
                } => {
                    let t = format_ident!("{}", rust);
                    quote! {
                        if !response.body().is_empty() {
                            let text = ::std::str::from_utf8(response.body()).map_err(|_| DeserializeError::new("payload is not valid UTF-8").at(#wire))?;
                            #local = ::std::option::Option::Some(crate::types::#t::from(text));
                        }
                    }
                }
                t => {
                    let mut expr = de_value(t, quote!(&value));
                    if m.boxed {
                        expr = quote!(#expr.map(::std::boxed::Box::new));
                    }
                    quote! {
                        if !response.body().iter().all(u8::is_ascii_whitespace) {
                            let value = ::restjson_runtime::__private::body_json(response)?;
                            #local = ::std::option::Option::Some(#expr.map_err(|e| e.at(#wire))?);
                        }
                    }
                }
            },
            _ => continue,
        };
        binds.push(stmt);
    }
    quote! {
        fn de_response(response: &HttpResponse) -> ::std::result::Result<#out_ty, DeserializeError> {
            #(#decls)*
            #body
            #(#binds)*
            ::std::result::Result::Ok(#out_ty {
                #(#inits)*
                _request_id: ::restjson_runtime::__private::request_id(response),
            })
        }
    }
}

fn de_error(op: &Operation) -> TokenStream {
    let name = format_ident!("{}Error", op.input.rust_name.trim_end_matches("Input"));
    let arms = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let code = &e.code;
        let f = format_ident!("de_error_{}", snake_case(&e.rust_name));
        quote! {
            ::std::option::Option::Some(#code) => {
                let value = ::restjson_runtime::__private::body_json(response)?;
                #name::#v(crate::protocol::#f(&value)?)
            }
        }
    });
    quote! {
        fn de_error(meta: &ErrorMetadata, response: &HttpResponse) -> ::std::result::Result<#name, DeserializeError> {
            ::std::result::Result::Ok(match meta.code() {
                #(#arms)*
                _ => #name::Unhandled(::restjson_runtime::Unhandled::new(response.status().as_u16(), meta.clone())),
            })
        }
    }
}

#[allow(dead_code)]
fn unused(_: &StructDef) {}
