//! The per-operation glue to the runtime: the `OperationSpec` every fluent builder sends with,
//! and, for `@paginated` operations, the `PaginationSpec` and `into_paginator()`. The paging
//! logic itself lives in the runtime (`restjson_runtime::paginator`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, rust_ty};
use crate::ir::{Member, Operation, Ty};

fn names(op: &Operation) -> (proc_macro2::Ident, proc_macro2::Ident, proc_macro2::Ident) {
    (
        format_ident!("{}", op.input.rust_name),
        format_ident!("{}", op.output.rust_name),
        format_ident!("{}", crate::naming::operation_error_name(&op.type_name)),
    )
}

/// `static SPEC`, in the operation module.
pub fn spec_static(op: &Operation) -> TokenStream {
    let (input, output, error) = names(op);
    let validate = super::validate::input_fn(op);
    quote! {
        static SPEC: ::restjson_runtime::__private::OperationSpec<#input, #output, #error> =
            ::restjson_runtime::__private::OperationSpec {
                meta: &META,
                validate: crate::validate::#validate,
                ser: ser_request,
                de_ok: de_response,
                de_err: de_error,
            };
    }
}

/// The body of a fluent builder's `send()`; `build` is a `Result<Input, BuildError>`.
pub fn send_body(build: &TokenStream) -> TokenStream {
    quote!(::restjson_runtime::__private::run_operation(self.handle, &super::SPEC, #build).await)
}

/// How a paginated operation's tokens, page size and items are reached.
struct Resolved<'o> {
    input_token: &'o Member,
    output_token: &'o Member,
    page_size: Option<&'o Member>,
    items: Option<&'o Member>,
}

/// Resolves the `@paginated` trait against the input and output. Paths into nested structures
/// and non-string tokens are not supported: such operations get no paginator.
fn resolve(op: &Operation) -> Option<Resolved<'_>> {
    let p = op.paginated.as_ref()?;
    let find = |members: &'_ [Member], name: &str| -> Option<usize> {
        members.iter().position(|m| m.wire_name == name)
    };
    let input_token = &op.input.members[find(&op.input.members, &p.input_token)?];
    let output_token = &op.output.members[find(&op.output.members, &p.output_token)?];
    if input_token.ty != Ty::String || output_token.ty != Ty::String {
        return None;
    }
    let page_size = match &p.page_size {
        None => None,
        Some(name) => {
            let m = &op.input.members[find(&op.input.members, name)?];
            (m.ty == Ty::Integer).then_some(m)
        }
    };
    let items = match &p.items {
        Some(name) => Some(&op.output.members[find(&op.output.members, name)?]),
        None => {
            let lists: Vec<&Member> = op
                .output
                .members
                .iter()
                .filter(|m| matches!(m.ty, Ty::List { .. }))
                .collect();
            match lists.as_slice() {
                [one] => Some(*one),
                _ => None,
            }
        }
    };
    let items = items.filter(|m| matches!(m.ty, Ty::List { .. }));
    Some(Resolved {
        input_token,
        output_token,
        page_size,
        items,
    })
}

fn item_ty(r: &Resolved<'_>) -> TokenStream {
    match r.items.map(|m| &m.ty) {
        Some(Ty::List { elem, sparse }) => {
            let e = rust_ty(elem);
            if *sparse {
                quote!(::std::option::Option<#e>)
            } else {
                e
            }
        }
        _ => quote!(()),
    }
}

/// `static PAGINATION`, in the operation module of a paginated operation.
pub fn pagination_static(op: &Operation) -> TokenStream {
    let Some(r) = resolve(op) else {
        return quote!();
    };
    let (input, output, error) = names(op);
    let item = item_ty(&r);
    let it = ident(&r.input_token.rust_name);
    let ot = ident(&r.output_token.rust_name);
    let (get_in, set_in) = if r.input_token.non_optional() {
        (
            quote!(|i: &#input| ::std::option::Option::Some(i.#it.as_str())),
            quote!(|i: &mut #input, t: ::std::option::Option<::std::string::String>| i.#it = t.unwrap_or_default()),
        )
    } else {
        (
            quote!(|i: &#input| i.#it.as_deref()),
            quote!(|i: &mut #input, t: ::std::option::Option<::std::string::String>| i.#it = t),
        )
    };
    let get_out = if r.output_token.non_optional() {
        quote!(|o: &#output| ::std::option::Option::Some(o.#ot.as_str()))
    } else {
        quote!(|o: &#output| o.#ot.as_deref())
    };
    let page_size = match r.page_size {
        None => quote!(::std::option::Option::None),
        Some(m) => {
            let f = ident(&m.rust_name);
            if m.non_optional() {
                quote!(::std::option::Option::Some(|i: &mut #input, n: i32| i.#f = n))
            } else {
                quote!(::std::option::Option::Some(|i: &mut #input, n: i32| i.#f = ::std::option::Option::Some(n)))
            }
        }
    };
    let (items, item_count) = match r.items {
        None => (
            quote!(|_: #output| ::std::vec::Vec::new()),
            quote!(::std::option::Option::None),
        ),
        Some(m) => {
            let f = ident(&m.rust_name);
            if m.non_optional() {
                (
                    quote!(|o: #output| o.#f),
                    quote!(::std::option::Option::Some(|o: &#output| o.#f.len())),
                )
            } else {
                (
                    quote!(|o: #output| o.#f.unwrap_or_default()),
                    quote!(::std::option::Option::Some(|o: &#output| o.#f.as_ref().map_or(0, ::std::vec::Vec::len))),
                )
            }
        }
    };
    quote! {
        static PAGINATION: ::restjson_runtime::__private::PaginationSpec<#input, #output, #error, #item> =
            ::restjson_runtime::__private::PaginationSpec {
                operation: &SPEC,
                input_token: #get_in,
                set_input_token: #set_in,
                output_token: #get_out,
                set_page_size: #page_size,
                items: #items,
                item_count: #item_count,
            };
    }
}

/// The paginator type alias (in the `builders` module) and `into_paginator()` (in the fluent
/// builder's impl), for a paginated operation; `build` is a `Result<Input, BuildError>`.
pub fn fluent_items(op: &Operation, build: &TokenStream) -> (TokenStream, TokenStream) {
    let Some(r) = resolve(op) else {
        return (quote!(), quote!());
    };
    let (input, output, error) = names(op);
    let base = &op.type_name;
    let alias = format_ident!("{}Paginator", base);
    let item = item_ty(&r);
    let alias_doc = format!(
        " Pages of the `{}` operation; see [`into_paginator`]({}FluentBuilder::into_paginator).",
        op.name, base
    );
    let items_doc = match r.items {
        Some(m) => format!(
            " [`items`](::restjson_runtime::Paginator::items) yields the `{}` of every page.",
            m.wire_name
        ),
        None => " The pages list no items, so `items()` yields nothing.".to_owned(),
    };
    let size_doc = match r.page_size {
        Some(m) => format!(
            " [`page_size`](::restjson_runtime::Paginator::page_size) sets `{}`.",
            m.wire_name
        ),
        None => " The operation has no page size: `page_size` has no effect.".to_owned(),
    };
    let alias_tokens = quote! {
        #[doc = #alias_doc]
        pub type #alias = ::restjson_runtime::Paginator<#input, #output, #error, #item>;
    };
    let method = quote! {
        /// Pages through the results: a stream of pages (`Result` of the output or the error),
        /// each requested with the token of the previous one, ending after a page without a
        /// token. Nothing is sent until the stream is polled. A failed page is the last item;
        /// a walk that makes no progress (a repeated token, too many empty pages in a row) ends
        /// the stream with an error instead of looping.
        #[doc = ""]
        #[doc = #items_doc]
        #[doc = #size_doc]
        pub fn into_paginator(self) -> #alias {
            ::restjson_runtime::Paginator::new(self.handle, &super::PAGINATION, #build)
        }
    };
    (alias_tokens, method)
}
