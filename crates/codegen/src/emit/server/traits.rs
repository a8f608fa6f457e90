//! The handler traits: one per tag (an operation goes to its first tag),
//! one method per operation whose default answers 501 naming the
//! operation (a HEAD operation with a GET twin defaults to the twin's
//! handler), `Api`, the umbrella trait every server implements, and
//! `default_handlers!`, which gives a server the 501 defaults of every
//! trait it does not write by hand (so a new tag needs no hand edit).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::super::types::{docs, ident};
use super::super::EmitError;
use super::{route_doc, Plan};

pub(super) fn traits(plans: &[Plan]) -> Result<TokenStream, EmitError> {
    let mut by_trait: BTreeMap<&str, Vec<&Plan>> = BTreeMap::new();
    for p in plans {
        by_trait.entry(p.tag_trait.as_str()).or_default().push(p);
    }
    let mut items = Vec::new();
    let mut names = Vec::new();
    for (name, ops) in &by_trait {
        let tname = ident(name)?;
        let mut methods = Vec::new();
        for p in ops {
            methods.push(method(p, plans)?);
        }
        let tag = name.strip_suffix("Api").unwrap_or(name);
        let doc = format!(
            " Handlers of the `{tag}` operations. Every method has a default that answers 501."
        );
        items.push(quote! {
            #[doc = #doc]
            pub trait #tname: Send + Sync {
                #(#methods)*
            }
        });
        names.push(tname);
    }
    let defaults = default_handlers(&names);
    Ok(quote! {
        #(#items)*

        #defaults

        /// A whole Engine API server: every handler trait. Implement the
        /// traits (their methods default to 501) and serve the type with
        /// [`Router`].
        pub trait Api: #(#names +)* Send + Sync + 'static {}

        impl<T: #(#names +)* Send + Sync + 'static> Api for T {}
    })
}

fn method(p: &Plan, plans: &[Plan]) -> Result<TokenStream, EmitError> {
    let m = ident(&p.method)?;
    let req = ident(&p.request)?;
    let reply = ident(&p.reply)?;
    let mut text = p.op.summary.clone().unwrap_or_default();
    if let Some(d) = &p.op.description {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(d);
    }
    let doc = docs(Some(&text));
    let route = route_doc(p.op);
    let deprecated = p.op.deprecated.then(|| {
        quote! {
            #[doc = ""]
            #[doc = " Deprecated in the spec."]
        }
    });
    let default = match p.twin {
        Some(t) => {
            let twin = ident(&plans[t].method)?;
            quote! { self.#twin(req) }
        }
        None => {
            let op = &p.op.name;
            quote! {
                let _ = req;
                std::future::ready(Err(rt::not_implemented(#op)))
            }
        }
    };
    Ok(quote! {
        #doc
        #[doc = ""]
        #[doc = #route]
        #deprecated
        fn #m(
            &self,
            req: #req,
        ) -> impl std::future::Future<Output = Result<#reply, rt::ApiError>> + Send {
            #default
        }
    })
}

/// `default_handlers!(MyApi: ContainerApi, SystemApi)`: the traits listed
/// are implemented by hand; every other handler trait gets an empty impl
/// (its 501 defaults). The helper macro walks the list per trait, matching
/// the trait's name literally, since `macro_rules` cannot compare idents.
fn default_handlers(names: &[proc_macro2::Ident]) -> TokenStream {
    let per_trait = names.iter().map(|t| {
        quote! {
            (#t, $ty:ty, []) => { impl $crate::server::#t for $ty {} };
            (#t, $ty:ty, [#t $($rest:ident)*]) => {};
        }
    });
    quote! {
        /// Implements, with their 501 defaults, every handler trait that
        /// `$ty` does not implement by hand; the hand-written ones are
        /// listed after a colon:
        /// `default_handlers!(MyApi: ContainerApi, SystemApi);`. A tag
        /// added to the spec then needs no edit where the macro is used.
        #[macro_export]
        macro_rules! default_handlers {
            ($ty:ty $(: $($own:ident),* $(,)?)?) => {
                #($crate::__default_handler!(#names, $ty, [$($($own)*)?]);)*
            };
        }

        /// The step of `default_handlers!` for one trait: an empty impl
        /// unless the list names the trait.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __default_handler {
            #(#per_trait)*
            ($t:ident, $ty:ty, [$other:ident $($rest:ident)*]) => {
                $crate::__default_handler!($t, $ty, [$($rest)*]);
            };
        }
    }
}
