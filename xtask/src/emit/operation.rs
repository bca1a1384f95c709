//! One module per operation: input, output, error, fluent builder, request serializer and
//! response deserializers.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::protocol::{
    DeMode, de_parts, de_seed, header_parse, read_body_stmt, reader, ser_members, ser_value,
};
use super::types::{SetterTarget, StructRole, setters, struct_tokens};
use super::{docs_or, ident, ts_tokens};
use crate::ir::{
    AuthScheme, Binding, Customization, HostSegment, Member, NamedKind, Operation, TsFormat, Ty,
    UriSegment,
};

pub fn file(op: &Operation) -> TokenStream {
    let input = struct_tokens(&op.input, StructRole::Input);
    let output = struct_tokens(&op.output, StructRole::Output);
    let error = error_enum(op);
    let fluent = fluent_builder(op);
    let ser = ser_request(op);
    let de_ok = de_response(op);
    let de_err = de_error(op);
    let spec = super::paginator::spec_static(op);
    let pagination = super::paginator::pagination_static(op);
    let name = &op.name;
    let idempotent = op.idempotent;
    let auth = op.auth.iter().map(|a| match a {
        AuthScheme::SigV4 => quote!(::restjson_runtime::__private::AuthScheme::SigV4),
        AuthScheme::Bearer => quote!(::restjson_runtime::__private::AuthScheme::Bearer),
    });
    let mod_doc = format!(
        " Input, output, errors and fluent builder of the `{}` operation.",
        op.name
    );
    quote! {
        #![doc = #mod_doc]

        #input
        #output
        #error
        #fluent

        static META: ::restjson_runtime::__private::OperationMeta = ::restjson_runtime::__private::OperationMeta {
            name: #name,
            idempotent: #idempotent,
            auth: &[#(#auth),*],
        };
        #spec
        #pagination

        #ser
        #de_ok
        #de_err
    }
}

fn error_enum(op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.error_enum);
    let variants = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let t = format_ident!("{}", e.rust_name);
        let d = format!(" The service returned `{}`.", e.code);
        quote!(#[doc = #d] #v(crate::types::error::#t),)
    });
    let details = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        quote!(Self::#v(e) => e,)
    });
    let predicates = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let f = format_ident!("{}", e.predicate);
        let d = format!(" Whether this is `{}`.", e.code);
        quote!(#[doc = #d] pub fn #f(&self) -> bool { matches!(self, Self::#v(_)) })
    });
    let doc = format!(" The errors of the `{}` operation.", op.name);
    let p = quote!(::restjson_runtime::__private);
    let md = quote!(::restjson_runtime::error::ProvideErrorMetadata);
    quote! {
        #[doc = #doc]
        ///
        /// `SdkError::into_service_error()` gives it whatever failed (failures that are not
        /// service errors are `Unhandled`, their cause as its source).
        #[non_exhaustive]
        #[derive(Debug)]
        pub enum #name {
            #(#variants)*
            /// An error the operation does not model (its code, message and request id are
            /// kept), or a failure that is not a service error (its `source()`).
            Unhandled(::restjson_runtime::Unhandled),
        }
        impl #name {
            fn details(&self) -> &dyn #p::OperationErrorDetails {
                match self { #(#details)* Self::Unhandled(e) => e }
            }
            /// The error code.
            pub fn code(&self) -> ::std::option::Option<&str> {
                #md::code(self.details())
            }
            /// The error message.
            pub fn message(&self) -> ::std::option::Option<&str> {
                #md::message(self.details())
            }
            /// Code, message and request id of the service's error response.
            pub fn meta(&self) -> &::restjson_runtime::error::ErrorMetadata {
                #md::meta(self.details())
            }
            #(#predicates)*
            /// Whether this is an error the operation does not model.
            pub fn is_unhandled(&self) -> bool { matches!(self, Self::Unhandled(_)) }
        }
        impl #md for #name {
            fn meta(&self) -> &::restjson_runtime::error::ErrorMetadata { self.meta() }
            fn code(&self) -> ::std::option::Option<&str> { self.code() }
            fn message(&self) -> ::std::option::Option<&str> { self.message() }
        }
        impl ::std::convert::From<::restjson_runtime::Unhandled> for #name {
            fn from(e: ::restjson_runtime::Unhandled) -> Self { Self::Unhandled(e) }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.details(), f)
            }
        }
        impl ::std::error::Error for #name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                ::std::option::Option::Some(self.details())
            }
        }
    }
}

fn fluent_builder(op: &Operation) -> TokenStream {
    let fluent = format_ident!("{}", op.fluent);
    let input_b = format_ident!("{}", op.input.builder);
    let output = format_ident!("{}", op.output.rust_name);
    let output_b = format_ident!("{}", op.output.builder);
    let error = format_ident!("{}", op.error_enum);
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
                    inner.#f = ::std::option::Option::Some(::restjson_runtime::__private::make_idempotency_token(&self.handle));
                }
            }
        })
        .collect();
    let inner = if tokens.is_empty() {
        quote!(self.inner)
    } else {
        quote!(inner)
    };
    let take_inner = if tokens.is_empty() {
        quote!()
    } else {
        quote!(let mut inner = self.inner; #(#tokens)*)
    };
    let send = super::paginator::send_body(op, &inner);
    let (paginator_alias, into_paginator) = super::paginator::fluent_items(op);
    let doc = docs_or(&op.docs, &format!("The `{}` operation.", op.name));
    let builder_doc = format!(
        " Fluent builder of the `{}` operation: set the input members, then call [`send`](Self::send).",
        op.name
    );
    // A byte stream in the input cannot be cloned.
    let derives = if op.input.is_plain_data() {
        quote!(#[derive(Clone, Debug)])
    } else {
        quote!(#[derive(Debug)])
    };
    quote! {
        /// Builders of this operation's input and output, and its fluent builder.
        pub mod builders {
            pub use super::{#input_b, #output_b};
            #paginator_alias

            #[doc = #builder_doc]
            #[doc = ""]
            #doc
            #derives
            pub struct #fluent {
                handle: ::restjson_runtime::__private::Handle,
                inner: #input_b,
            }

            impl #fluent {
                pub(crate) fn new(handle: ::restjson_runtime::__private::Handle) -> Self {
                    Self { handle, inner: ::std::default::Default::default() }
                }
                /// The input built so far.
                pub fn as_input(&self) -> &#input_b {
                    &self.inner
                }
                /// Sends the request and waits for the response.
                ///
                /// Missing required members and invalid values fail before anything is sent,
                /// all reported at once (`SdkError::as_validation_error()`).
                pub async fn send(self) -> ::std::result::Result<super::#output, ::restjson_runtime::SdkError<super::#error>> {
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
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(#v.to_string()))
        }
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(#v.as_str().to_owned()))
        }
        Ty::Named {
            kind: NamedKind::IntEnum,
            ..
        } => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(#v.as_i32().to_string()))
        }
        Ty::Bool | Ty::Byte | Ty::Short | Ty::Integer | Ty::Long => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(#v.to_string()))
        }
        Ty::Float => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(::restjson_runtime::__private::float_text(::restjson_runtime::__private::f32_to_f64(*#v))))
        }
        Ty::Double => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(::restjson_runtime::__private::float_text(*#v)))
        }
        Ty::Timestamp(f) => {
            let f = ts_tokens(*f, default_ts);
            quote!(#v.format(#f).map_err(|e| ::restjson_runtime::__private::BuildError::invalid_field(#member, e)))
        }
        Ty::Blob => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Ok(#v.to_base64()))
        }
        _ => {
            quote!(::std::result::Result::<::std::string::String, ::restjson_runtime::__private::BuildError>::Err(::restjson_runtime::__private::BuildError::invalid_field(#member, "this type cannot be bound to the HTTP message")))
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
            UriSegment::Label {
                field,
                greedy,
                if_empty,
            } => {
                let Some(m) = op.input.members.iter().find(|m| &m.rust_name == field) else {
                    continue;
                };
                let f = ident(&m.rust_name);
                let wire = &m.wire_name;
                let text = scalar_text(&m.ty, quote!(value), wire, TsFormat::DateTime);
                let enc = if *greedy {
                    quote!(::restjson_runtime::__private::encode_greedy_label)
                } else {
                    quote!(::restjson_runtime::__private::encode_label)
                };
                let account_default = match if_empty {
                    Some(v) => {
                        quote!(let text = if text.is_empty() { #v.to_owned() } else { text };)
                    }
                    None => quote!(),
                };
                path_stmts.push(quote! {{
                    let value = &input.#f;
                    let text = #text?;
                    #account_default
                    if text.is_empty() {
                        return ::std::result::Result::Err(::restjson_runtime::__private::BuildError::invalid_field(#wire, "an HTTP label must not be empty"));
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
    let mut extras = Vec::new();
    let body = if let Some(p) = payload.filter(|p| p.ty == Ty::ByteStream) {
        let f = ident(&p.rust_name);
        let wire = &p.wire_name;
        let ct = p
            .media_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        let requires_length = p.requires_length;
        extras.push(quote!(::restjson_runtime::__private::stream_payload(&mut parts, &input.#f, #ct, #requires_length, #wire)?;));
        quote!(::std::option::Option::None)
    } else if let Some(p) = payload {
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
                    let mut out = ::std::string::String::with_capacity(256);
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
        // Most bodies fit without regrowing (each regrowth is an allocation and a copy).
        quote!({
            let mut out = ::std::string::String::with_capacity(256);
            let mut object = ::restjson_runtime::__private::ObjectWriter::new(&mut out);
            #write
            object.finish();
            ::std::option::Option::Some((out.into_bytes(), "application/json"))
        })
    } else {
        quote!(::std::option::Option::None)
    };
    if !op.host_prefix.is_empty() {
        let mut fmt = String::new();
        let mut args = Vec::new();
        for seg in &op.host_prefix {
            match seg {
                HostSegment::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
                HostSegment::Label {
                    field,
                    wire,
                    non_optional,
                } => {
                    let f = ident(field);
                    fmt.push_str("{}");
                    let access = if *non_optional {
                        quote!(input.#f.as_str())
                    } else {
                        quote!(input.#f.as_deref().unwrap_or(""))
                    };
                    args.push(quote!(::restjson_runtime::__private::host_label(#access, #wire)?));
                }
            }
        }
        extras.push(
            quote!(parts.host_prefix = ::std::option::Option::Some(format!(#fmt, #(#args),*));),
        );
    }
    // Protocol and service customizations applied to the finished request.
    for c in &op.customizations {
        extras.push(match c {
            Customization::ContentMd5 => {
                quote!(::restjson_runtime::__private::add_content_md5(&mut parts);)
            }
            Customization::Gzip => quote!(::restjson_runtime::__private::gzip_body(&mut parts)?;),
            Customization::DefaultHeader { name, value } => {
                quote!(::restjson_runtime::__private::default_header(&mut parts, #name, #value);)
            }
            Customization::GlacierChecksums => {
                quote!(::restjson_runtime::__private::add_glacier_checksums(&mut parts);)
            }
        });
    }
    let request_binding = if bind_stmts.is_empty() {
        quote!(let request)
    } else {
        quote!(let mut request)
    };
    let parts_binding = if extras.is_empty() {
        quote!(let parts)
    } else {
        quote!(let mut parts)
    };
    let input_name = if op.input.members.is_empty() {
        quote!(_input)
    } else {
        quote!(input)
    };
    quote! {
        fn ser_request(#input_name: &#input_ty) -> ::std::result::Result<::restjson_runtime::__private::RequestParts, ::restjson_runtime::__private::BuildError> {
            let mut path = ::std::string::String::new();
            #(#path_stmts)*
            #request_binding = ::restjson_runtime::__private::RequestBuilder::new(::restjson_runtime::__private::Method::#method, path);
            #(#bind_stmts)*
            let body = #body;
            #parts_binding = request.finish(body);
            #(#extras)*
            ::std::result::Result::Ok(parts)
        }
    }
}

fn de_response(op: &Operation) -> TokenStream {
    let out = &op.output;
    let out_ty = format_ident!("{}", out.rust_name);
    let parts = de_parts(&out.members, DeMode::Output);
    let p = quote!(::restjson_runtime::__private);
    // An output without body members reads no body.
    let body = match &out.body_reader {
        Some(r) => read_body_stmt(r, out),
        None => quote!(),
    };
    let (decls, inits) = (&parts.decls, &parts.inits);
    let mut binds = Vec::new();
    for m in &out.members {
        let local = format_ident!("{}", m.local);
        let wire = &m.wire_name;
        let stmt = match &m.binding {
            Binding::Header(name) => {
                let parse = header_parse(m);
                quote! {
                    if let ::std::option::Option::Some(text) = #p::header_joined(response, #name)? {
                        let text = text.as_str();
                        #local = ::std::option::Option::Some(#parse.map_err(|e| e.at(#wire))?);
                    }
                }
            }
            Binding::PrefixHeaders(prefix) => quote! {
                let map = #p::prefix_headers(response, #prefix)?;
                if !map.is_empty() { #local = ::std::option::Option::Some(map); }
            },
            // Declared with its value by `de_parts`.
            Binding::ResponseCode => continue,
            Binding::Payload => match &m.ty {
                Ty::ByteStream => continue,
                // No body means no payload (an empty blob when the member is required).
                Ty::Blob => quote! {
                    if !response.body().is_empty() {
                        #local = ::std::option::Option::Some(::restjson_runtime::Blob::new(response.body().to_vec()));
                    }
                },
                Ty::String => quote! {
                    if !response.body().is_empty() {
                        #local = ::std::option::Option::Some(::std::string::String::from_utf8(response.body().to_vec()).map_err(|_| #p::DeserializeError::new("payload is not valid UTF-8").at(#wire))?);
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
                            let text = ::std::str::from_utf8(response.body()).map_err(|_| #p::DeserializeError::new("payload is not valid UTF-8").at(#wire))?;
                            #local = ::std::option::Option::Some(crate::types::#t::from(text));
                        }
                    }
                }
                t => {
                    let mut expr = match t {
                        Ty::Named {
                            kind: NamedKind::Struct | NamedKind::Union,
                            de_fn,
                            ..
                        } => {
                            let r = reader(de_fn);
                            quote!(#p::json::read_object_body::<#r>(response.body()))
                        }
                        Ty::Document => quote! {
                            #p::json::read_body(response.body(), #p::json::DocumentSeed)
                                .map(|d| d.unwrap_or(::restjson_runtime::Document::Null))
                        },
                        t => {
                            let seed = de_seed(t);
                            quote!(#p::json::read_value_body(response.body(), #seed))
                        }
                    };
                    if m.boxed {
                        expr = quote!(#expr.map(::std::boxed::Box::new));
                    }
                    quote! {
                        if !response.body().iter().all(u8::is_ascii_whitespace) {
                            #local = ::std::option::Option::Some(#expr.map_err(|e| e.at(#wire))?);
                        }
                    }
                }
            },
            _ => continue,
        };
        binds.push(stmt);
    }
    let stream_param = if op.streaming_output().is_some() {
        quote!(, stream_: ::restjson_runtime::ByteStream)
    } else {
        quote!()
    };
    quote! {
        fn de_response(response: &#p::HttpResponse #stream_param) -> ::std::result::Result<#out_ty, #p::DeserializeError> {
            #(#decls)*
            #body
            #(#binds)*
            ::std::result::Result::Ok(#out_ty {
                #(#inits)*
                _request_id: #p::request_id(response),
            })
        }
    }
}

fn de_error(op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.error_enum);
    let p = quote!(::restjson_runtime::__private);
    let arms = op.errors.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let code = &e.code;
        let f = format_ident!("{}", e.response_fn);
        quote! {
            ::std::option::Option::Some(#code) => #name::#v(crate::protocol::#f(meta, response)?),
        }
    });
    let unhandled = quote!(#name::Unhandled(::restjson_runtime::Unhandled::new(response.status().as_u16(), meta.clone())));
    let body = if op.errors.is_empty() {
        unhandled
    } else {
        quote!(match meta.code() {
            #(#arms)*
            _ => #unhandled,
        })
    };
    quote! {
        fn de_error(meta: &#p::ErrorMetadata, response: &#p::HttpResponse) -> ::std::result::Result<#name, #p::DeserializeError> {
            ::std::result::Result::Ok(#body)
        }
    }
}
