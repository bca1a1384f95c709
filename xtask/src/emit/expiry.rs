//! Expiry predicates for structures that carry expiration timestamps (for example a token and
//! the time it expires): `is_<thing>_expired_at(now)`, as lowering planned them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::StructDef;

/// Methods for the structure's `impl` block (empty when it has no expiration member).
pub fn helpers(s: &StructDef) -> TokenStream {
    let out = s.expiry.iter().map(|h| {
        let f = format_ident!("{}", h.predicate);
        let field = ident(&h.field);
        let doc1 = format!(
            " Whether `{}` is at or before `now`, i.e. whether it has expired at that instant.",
            h.wire
        );
        let (body, doc2) = if h.non_optional {
            (
                quote!(::restjson_runtime::DateTime::from(now) >= self.#field),
                "",
            )
        } else {
            (
                quote!(self.#field.is_some_and(|at| ::restjson_runtime::DateTime::from(now) >= at)),
                " `false` when the expiration time is not set.",
            )
        };
        quote! {
            #[doc = #doc1]
            #[doc = #doc2]
            #[doc = ""]
            #[doc = " Pass `SystemTime::now()`, or a clock of your own (e.g. with a safety margin added)."]
            pub fn #f(&self, now: ::std::time::SystemTime) -> bool { #body }
        }
    });
    quote!(#(#out)*)
}
