//! Expiry predicates for structures that carry expiration timestamps (for example a token and
//! the time it expires): `is_<thing>_expired_at(now)` for every timestamp member whose name
//! ends in `ExpirationTime`, `ExpiryTime`, `ExpiresAt` or `Expiration`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::{StructDef, Ty};
use crate::naming::snake_case;

const SUFFIXES: &[&str] = &["ExpirationTime", "ExpiryTime", "ExpiresAt", "Expiration"];

/// The predicate name for a member, if it is an expiration timestamp.
fn predicate_name(wire: &str) -> Option<String> {
    let suffix = SUFFIXES.iter().find(|s| {
        wire.len() >= s.len()
            && wire[wire.len() - s.len()..].eq_ignore_ascii_case(s)
            && wire.is_char_boundary(wire.len() - s.len())
    })?;
    let thing = snake_case(&wire[..wire.len() - suffix.len()]);
    Some(if thing.is_empty() {
        "is_expired_at".to_owned()
    } else {
        format!("is_{thing}_expired_at")
    })
}

/// Methods for the structure's `impl` block (empty when it has no expiration member).
pub fn helpers(s: &StructDef) -> TokenStream {
    let mut out = Vec::new();
    let mut used = Vec::new();
    for m in &s.members {
        if !matches!(m.ty, Ty::Timestamp(_)) {
            continue;
        }
        let Some(name) = predicate_name(&m.wire_name) else {
            continue;
        };
        let clash = s
            .members
            .iter()
            .any(|o| o.rust_name == name || o.getter == name || o.setter == name);
        if clash || used.contains(&name) {
            continue;
        }
        used.push(name.clone());
        let f = format_ident!("{}", name);
        let field = ident(&m.rust_name);
        let doc1 = format!(
            " Whether `{}` is at or before `now`, i.e. whether it has expired at that instant.",
            m.wire_name
        );
        let (body, doc2) = if m.non_optional() {
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
        out.push(quote! {
            #[doc = #doc1]
            #[doc = #doc2]
            #[doc = ""]
            #[doc = " Pass `SystemTime::now()`, or a clock of your own (e.g. with a safety margin added)."]
            pub fn #f(&self, now: ::std::time::SystemTime) -> bool { #body }
        });
    }
    quote!(#(#out)*)
}

#[cfg(test)]
mod tests {
    use super::predicate_name;

    #[test]
    fn names() {
        assert_eq!(
            predicate_name("tokenExpirationTime").as_deref(),
            Some("is_token_expired_at")
        );
        assert_eq!(
            predicate_name("sessionExpirationTime").as_deref(),
            Some("is_session_expired_at")
        );
        assert_eq!(
            predicate_name("ExpiresAt").as_deref(),
            Some("is_expired_at")
        );
        assert_eq!(predicate_name("createTime"), None);
    }
}
