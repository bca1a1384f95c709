//! One module per operation: input, output, error, fluent builder, request serializer and
//! response deserializers.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::protocol::{DeParts, de_parts, de_value, ser_members, ser_value};
use super::types::{SetterTarget, StructRole, setters, struct_tokens};
use super::{docs_or, ident, ts_tokens};
use crate::ir::{
    Binding, Member, NamedKind, Operation, Service, StructDef, TsFormat, Ty, UriSegment,
};
use crate::naming::{self, snake_case};

pub fn file(_service: &Service, op: &Operation) -> TokenStream {
    let input = struct_tokens(&op.input, StructRole::Input);
    let output = struct_tokens(&op.output, StructRole::Output);
    let error = error_enum(_service, op);
    let fluent = fluent_builder(op);
    let ser = ser_request(_service, op);
    let de_ok = de_response(op);
    let de_err = de_error(_service, op);
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
        #![allow(clippy::all, unused_imports, unused_mut, unused_variables, unused_assignments, dead_code)]
        use ::restjson_runtime::__private::{json, BuildError, DeserializeError, ErrorMetadata, HttpResponse, ObjectWriter, RequestBuilder, RequestParts};

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
    let name = format_ident!("{}", naming::operation_error_name(&op.type_name));
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

fn fluent_builder(op: &Operation) -> TokenStream {
    let fluent = format_ident!("{}", naming::fluent_builder_name(&op.type_name));
    let input = format_ident!("{}", op.input.rust_name);
    let input_b = format_ident!("{}", naming::builder_name(&op.input.rust_name));
    let output = format_ident!("{}", op.output.rust_name);
    let output_b = format_ident!("{}", naming::builder_name(&op.output.rust_name));
    let error = format_ident!("{}", naming::operation_error_name(&op.type_name));
    let setters = op
        .input
        .members
        .iter()
        .map(|m| setters(m, SetterTarget::Fluent));
    // Unset idempotency tokens come from the client's configured provider.
    let tokens: Vec<TokenStream> = op
        .input
        .members
        .iter()
        .filter(|m| m.idempotency_token && !m.non_optional() && m.ty == Ty::String)
        .map(|m| {
            let f = ident(&m.rust_name);
            quote! {
                if inner.#f.is_none() {
                    inner.#f = ::std::option::Option::Some(self.handle.config().make_idempotency_token());
                }
            }
        })
        .collect();
    let inner = if tokens.is_empty() {
        quote!(self.inner)
    } else {
        quote!(inner)
    };
    let build = if op.input.needs_fallible_build() {
        quote!(#inner.build())
    } else {
        quote!(::std::result::Result::Ok(#inner.build()))
    };
    let take_inner = if tokens.is_empty() {
        quote!()
    } else {
        quote!(let mut inner = self.inner; #(#tokens)*)
    };
    let send = super::paginator::send_body(&build);
    // Pages reuse one input; an idempotency token, if any, is filled per page by the caller.
    let plain_build = if op.input.needs_fallible_build() {
        quote!(self.inner.build())
    } else {
        quote!(::std::result::Result::Ok(self.inner.build()))
    };
    let (paginator_alias, into_paginator) = super::paginator::fluent_items(op, &plain_build);
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
                    #take_inner
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
        Ty::Float => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(::restjson_runtime::__private::float_text(::restjson_runtime::__private::f32_to_f64(*#v))))
        }
        Ty::Double => {
            quote!(::std::result::Result::<::std::string::String, BuildError>::Ok(::restjson_runtime::__private::float_text(*#v)))
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

fn ser_request(service: &Service, op: &Operation) -> TokenStream {
    let glacier = service.sdk_id == "Glacier";
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
                // Glacier takes `-` for "the account of the credentials".
                let account_default = if glacier && wire == "accountId" {
                    quote!(let text = if text.is_empty() { "-".to_owned() } else { text };)
                } else {
                    quote!()
                };
                path_stmts.push(quote! {{
                    let text = #text?;
                    #account_default
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
                        request.header(#name, &parts.join(", "), #wire)?;
                    }
                }
                Ty::String if m.media_type.is_some() => {
                    // A string with a media type travels base64-encoded in a header.
                    quote!(request.header(#name, &::restjson_runtime::Blob::new(value.as_bytes().to_vec()).to_base64(), #wire)?;)
                }
                t => {
                    let text = scalar_text(t, quote!(value), wire, TsFormat::HttpDate);
                    quote!(request.header(#name, &#text?, #wire)?;)
                }
            },
            Binding::PrefixHeaders(prefix) => {
                let explicit: Vec<&str> = op
                    .input
                    .members
                    .iter()
                    .filter_map(|m| match &m.binding {
                        Binding::Header(h) => Some(h.as_str()),
                        _ => None,
                    })
                    .collect();
                quote! {
                    for (key, item) in value.iter() {
                        let name = format!("{}{}", #prefix, key).to_ascii_lowercase();
                        // A member bound to the same header by name takes precedence.
                        if [#(#explicit),*].contains(&name.as_str()) { continue; }
                        request.dynamic_header(&name, item, #wire)?;
                    }
                }
            }
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
        let media = p.media_type.as_deref();
        let produce = match &p.ty {
            Ty::Blob => {
                let ct = media.unwrap_or("application/octet-stream");
                quote!((value.as_ref().to_vec(), #ct))
            }
            Ty::String => {
                let ct = media.unwrap_or("text/plain");
                quote!((value.clone().into_bytes(), #ct))
            }
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
        // An unset structure payload is still sent as an empty JSON object.
        let unset = if matches!(
            p.ty,
            Ty::Named {
                kind: NamedKind::Struct,
                ..
            }
        ) {
            quote!(::std::option::Option::Some((
                b"{}".to_vec(),
                "application/json"
            )))
        } else {
            quote!(::std::option::Option::None)
        };
        if p.non_optional() {
            quote!({ let value = &input.#f; ::std::option::Option::Some(#produce) })
        } else {
            quote!(match &input.#f { ::std::option::Option::Some(value) => ::std::option::Option::Some(#produce), ::std::option::Option::None => #unset })
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
    // Protocol and service customizations applied to the finished request.
    let mut extras = Vec::new();
    if op.checksum_required {
        extras.push(quote!(::restjson_runtime::__private::add_content_md5(&mut parts);));
    }
    if !op.compression.is_empty() {
        extras.push(quote!(::restjson_runtime::__private::gzip_body(&mut parts)?;));
    }
    if glacier {
        let version = &service.version;
        extras.push(quote!(::restjson_runtime::__private::default_header(&mut parts, "x-amz-glacier-version", #version);));
        if matches!(op.name.as_str(), "UploadArchive" | "UploadMultipartPart") {
            extras.push(quote!(::restjson_runtime::__private::add_glacier_checksums(&mut parts);));
        }
    }
    if service.sdk_id == "API Gateway" {
        extras.push(
            quote!(::restjson_runtime::__private::default_header(&mut parts, "accept", "application/json");),
        );
    }
    quote! {
        fn ser_request(input: &#input_ty) -> ::std::result::Result<RequestParts, BuildError> {
            let mut path = ::std::string::String::new();
            #(#path_stmts)*
            let mut request = RequestBuilder::new(::restjson_runtime::__private::Method::#method, path);
            #(#bind_stmts)*
            let body = #body;
            let mut parts = request.finish(body);
            #host_prefix
            #(#extras)*
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

/// An expression of type `Result<T, DeserializeError>` parsing the header text `text` (a
/// `&str`) into the member's type.
fn header_parse(m: &Member) -> TokenStream {
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
                .map_err(DeserializeError::new)
                .and_then(|b| ::std::string::String::from_utf8(b.into_inner()).map_err(|_| DeserializeError::new("base64 header is not UTF-8 text")))
        },
        t => header_value(t, quote!(text)),
    }
}

fn de_response(op: &Operation) -> TokenStream {
    let out = &op.output;
    let out_ty = format_ident!("{}", out.rust_name);
    let DeParts { decls, arms, inits } = de_parts(&out.members);
    let has_body = out.members.iter().any(|m| m.binding.is_body_in_response());
    let body = if has_body {
        quote! {
            json::read_body(response.body(), |value| {
                let mut object = json::object(value)?;
                while let ::std::option::Option::Some(key) = object.next_key()? {
                    match &*key {
                        #(#arms)*
                        _ => {}
                    }
                }
                ::std::result::Result::Ok(())
            })?;
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
                let parse = header_parse(m);
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
                Ty::Blob if !m.non_optional() => quote! {
                    // No body means no payload.
                    if !response.body().is_empty() {
                        #local = ::std::option::Option::Some(::restjson_runtime::Blob::new(response.body().to_vec()));
                    }
                },
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
                    let mut expr = de_value(t, quote!(value));
                    if m.boxed {
                        expr = quote!(#expr.map(::std::boxed::Box::new));
                    }
                    quote! {
                        if !response.body().iter().all(u8::is_ascii_whitespace) {
                            #local = ::std::option::Option::Some(json::read_body(response.body(), |value| #expr.map_err(|e| e.at(#wire)))?);
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

fn de_error(service: &Service, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", naming::operation_error_name(&op.type_name));
    let arms = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let code = &e.code;
        let f = format_ident!("de_error_{}", snake_case(&e.rust_name));
        let members = service
            .errors
            .iter()
            .find(|d| d.rust_name == e.rust_name)
            .map(|d| d.members.as_slice())
            .unwrap_or_default();
        // The message member, when the body spells it differently (`Message`, `errorMessage`)
        // or sends it in `x-amzn-errormessage`, takes the message found in the response.
        let message_fill = members
            .iter()
            .find(|m| m.wire_name.eq_ignore_ascii_case("message") && m.ty == Ty::String && m.binding == Binding::Body)
            .map(|m| {
                let field = ident(&m.rust_name);
                if m.non_optional() {
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
                }
            });
        // Members of the error bound to headers.
        let mut headers = members
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
                    if let ::std::option::Option::Some(text) = ::restjson_runtime::__private::header_joined(response, #h)? {
                        let text = text.as_str();
                        error.#field = #value;
                    }
                })
            })
            .collect::<Vec<_>>();
        headers.extend(message_fill);
        if headers.is_empty() {
            return quote! {
                ::std::option::Option::Some(#code) => {
                    #name::#v(json::read_body(response.body(), crate::protocol::#f)?)
                }
            };
        }
        quote! {
            ::std::option::Option::Some(#code) => {
                let mut error = json::read_body(response.body(), crate::protocol::#f)?;
                #(#headers)*
                #name::#v(error)
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
