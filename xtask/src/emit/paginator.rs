//! The per-operation glue to the runtime: the `OperationSpec` every fluent builder sends with,
//! and, for `@paginated` operations, the `PaginationSpec` and `into_paginator()`. The paging
//! logic itself lives in the runtime (`restjson_runtime::paginator`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, rust_ty};
use crate::ir::{Operation, PageItems};

fn names(
    op: &Operation,
) -> (
    proc_macro2::Ident,
    proc_macro2::Ident,
    proc_macro2::Ident,
    proc_macro2::Ident,
) {
    (
        format_ident!("{}", op.input.builder),
        format_ident!("{}", op.input.rust_name),
        format_ident!("{}", op.output.rust_name),
        format_ident!("{}", op.error_enum),
    )
}

/// `static SPEC`, in the operation module.
pub fn spec_static(op: &Operation) -> TokenStream {
    let (builder, input, output, error) = names(op);
    let validate = format_ident!("{}", op.check_fn);
    let build = if op.input.needs_fallible_build() {
        quote!(#builder::build)
    } else {
        quote!(|b: #builder| ::std::result::Result::Ok(b.build()))
    };
    // Operations with a streaming output get the response body as a stream.
    let spec = if op.streaming_output().is_some() {
        quote!(StreamingOperationSpec)
    } else {
        quote!(OperationSpec)
    };
    quote! {
        static SPEC: ::restjson_runtime::__private::#spec<#builder, #input, #output, #error> =
            ::restjson_runtime::__private::#spec {
                meta: &META,
                validate: crate::validate::#validate,
                build: #build,
                ser: ser_request,
                de_ok: de_response,
                de_err: de_error,
            };
    }
}

/// The body of a fluent builder's `send()`; `input` is the input builder.
pub fn send_body(op: &Operation, input: &TokenStream) -> TokenStream {
    if op.streaming_output().is_some() {
        quote!(::restjson_runtime::__private::run_streaming_operation(self.handle, &super::SPEC, #input).await)
    } else {
        quote!(::restjson_runtime::__private::run_operation(self.handle, &super::SPEC, #input).await)
    }
}

fn item_ty(items: Option<&PageItems>) -> TokenStream {
    match items {
        Some(i) => {
            let e = rust_ty(&i.elem);
            let e = if i.sparse {
                quote!(::std::option::Option<#e>)
            } else {
                e
            };
            if i.map {
                quote!((::std::string::String, #e))
            } else {
                e
            }
        }
        None => quote!(()),
    }
}

/// `static PAGINATION`, in the operation module of a paginated operation.
pub fn pagination_static(op: &Operation) -> TokenStream {
    let Some(p) = &op.pagination else {
        return quote!();
    };
    let (builder, input, output, error) = names(op);
    let item = item_ty(p.items.as_ref());
    let it = ident(&p.input_token.field);
    let ot = ident(&p.output_token.field);
    // Pages are built from the input builder, whose members are all optional.
    let (get_in, set_in) = (
        quote!(|b: &#builder| b.#it.as_deref()),
        quote!(|b: &mut #builder, t: ::std::option::Option<::std::string::String>| b.#it = t),
    );
    let get_out = if p.output_token.non_optional {
        quote!(|o: &#output| ::std::option::Option::Some(o.#ot.as_str()))
    } else {
        quote!(|o: &#output| o.#ot.as_deref())
    };
    let page_size = match &p.page_size {
        None => quote!(::std::option::Option::None),
        Some((m, long)) => {
            let f = ident(&m.field);
            let n = if *long {
                quote!(i64::from(n))
            } else {
                quote!(n)
            };
            quote!(::std::option::Option::Some(|b: &mut #builder, n: i32| b.#f = ::std::option::Option::Some(#n)))
        }
    };
    let (items, item_count) = match &p.items {
        None => (
            quote!(|_: #output| ::std::vec::Vec::new()),
            quote!(::std::option::Option::None),
        ),
        Some(i) => {
            let f = ident(&i.field.field);
            let (take, count) = if i.field.non_optional {
                (quote!(o.#f), quote!(o.#f.len()))
            } else {
                (
                    quote!(o.#f.unwrap_or_default()),
                    quote!(o.#f.as_ref().map_or(0, |items| items.len())),
                )
            };
            let items = if i.map {
                quote!(|o: #output| #take.into_iter().collect())
            } else {
                quote!(|o: #output| #take)
            };
            (
                items,
                quote!(::std::option::Option::Some(|o: &#output| #count)),
            )
        }
    };
    quote! {
        static PAGINATION: ::restjson_runtime::__private::PaginationSpec<#builder, #input, #output, #error, #item> =
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
/// builder's impl), for a paginated operation.
pub fn fluent_items(op: &Operation) -> (TokenStream, TokenStream) {
    let Some(p) = &op.pagination else {
        return (quote!(), quote!());
    };
    let (builder, _, output, error) = names(op);
    let alias = format_ident!("{}", p.alias);
    let item = item_ty(p.items.as_ref());
    let alias_doc = format!(
        " Pages of the `{}` operation; see [`into_paginator`]({}::into_paginator).",
        op.name, op.fluent
    );
    let items_doc = match &p.items {
        Some(i) => format!(
            " [`items`](::restjson_runtime::Paginator::items) yields the `{}` of every page.",
            i.field.wire
        ),
        None => " The pages list no items, so `items()` yields nothing.".to_owned(),
    };
    let size_doc = match &p.page_size {
        Some((m, _)) => format!(
            " [`page_size`](::restjson_runtime::Paginator::page_size) sets `{}`.",
            m.wire
        ),
        None => " The operation has no page size: `page_size` has no effect.".to_owned(),
    };
    let alias_tokens = quote! {
        #[doc = #alias_doc]
        pub type #alias = ::restjson_runtime::Paginator<super::#builder, super::#output, super::#error, #item>;
    };
    let method = quote! {
        /// Pages through the results: a stream of pages (`Result` of the output or the error),
        /// each requested with the token of the previous one, ending after a page without a
        /// token. Nothing is sent until the stream is polled (`next().await`, `send()` as with
        /// the AWS SDK for Rust, or any `futures::Stream` combinator). A failed page is the
        /// last item; a walk that makes no progress (a repeated token, too many empty pages in
        /// a row) ends the stream with an error instead of looping.
        #[doc = ""]
        #[doc = #items_doc]
        #[doc = #size_doc]
        pub fn into_paginator(self) -> #alias {
            ::restjson_runtime::__private::paginator(self.handle, &super::PAGINATION, self.inner)
        }
    };
    (alias_tokens, method)
}
