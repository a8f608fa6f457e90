//! The router: the route table (method and path template per operation,
//! with the kind of each one's answer beside it,
//! in the spec's order), `Router<A: Api>` implementing `rt::HttpService`
//! through `rt::handle` (version prefix, matching, errors, headers) with
//! the table indexed once in `rt::Routing`, the
//! dispatch from a route's index to its operation, and per operation the
//! small function that decodes the request, calls the handler and encodes
//! the reply.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::super::types::ident;
use super::super::EmitError;
use super::{request, Plan};
use crate::ir::payload::{self, Payload};

/// The runtime's name (`rt::Answer::X`) for an answer's payload.
fn answer_kind(success: &Payload) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        match success {
            Payload::Empty => "Empty",
            Payload::Json(_) => "Json",
            Payload::JsonStream(_) => "JsonStream",
            Payload::Text => "Text",
            Payload::Bytes => "Bytes",
            Payload::Multiplexed => "Output",
            Payload::Hijack => "Hijack",
            Payload::WebSocket => "WebSocket",
        }
    )
}

pub(super) fn router(plans: &[Plan]) -> Result<TokenStream, EmitError> {
    let mut routes = Vec::new();
    let mut operations = Vec::new();
    let mut answers = Vec::new();
    let mut arms = Vec::new();
    let mut serves = Vec::new();
    for p in plans {
        let (method, path) = (&p.op.method, &p.op.path);
        routes.push(quote! { rt::Route { method: #method, path: #path }, });
        let id = &p.op.operation_id;
        let tag = p.op.tags.first().map_or("Other", String::as_str);
        operations.push(quote! { (#id, #tag), });
        let answer = answer_kind(&payload::success(p.op));
        answers.push(quote! { rt::Answer::#answer, });
        let i = Literal::usize_unsuffixed(p.index);
        let serve = format_ident!("serve_{}", p.method.trim_start_matches("r#"));
        arms.push(quote! { #i => #serve(api, cx).await, });
        serves.push(serve_fn(p, &serve)?);
    }
    Ok(quote! {
        /// Every operation's method and path template, in the spec's order
        /// (a proxy or a middleware matches requests against it with
        /// `engine_api_rt::server::route::RouteTable`).
        pub static ROUTES: &[rt::Route] = &[#(#routes)*];

        /// Every operation's operationId and first tag (`Other` without
        /// one), in the order of [`ROUTES`].
        pub static OPERATIONS: &[(&str, &str)] = &[#(#operations)*];

        /// What each operation's successful answer carries, in the order
        /// of [`ROUTES`] (how a proxy relays it).
        pub static ANSWERS: &[rt::Answer] = &[#(#answers)*];

        /// Serves an [`Api`] implementation: implements
        /// `engine_api_rt::server::HttpService`, so `engine_api_rt::server::serve` runs it
        /// on any listener.
        pub struct Router<A> {
            api: std::sync::Arc<A>,
            routing: rt::Routing,
        }

        impl<A: Api> Router<A> {
            /// `info` fills the headers every answer carries (`Server`, `Ostype`...).
            pub fn new(api: A, info: rt::ServerInfo) -> Self {
                Self::from_arc(std::sync::Arc::new(api), info)
            }

            /// A router over an implementation shared with other code.
            pub fn from_arc(api: std::sync::Arc<A>, info: rt::ServerInfo) -> Self {
                Router { api, routing: rt::Routing::new(ROUTES, &info) }
            }

            /// The implementation this router serves.
            pub fn api(&self) -> &A {
                &self.api
            }
        }

        impl<A: Api> rt::HttpService for Router<A> {
            fn call(
                &self,
                req: rt::HttpRequest,
            ) -> std::pin::Pin<Box<dyn std::future::Future<Output = rt::HttpResponse> + Send + '_>> {
                let api = &*self.api;
                Box::pin(rt::handle(req, &self.routing, move |op, cx| dispatch(api, op, cx)))
            }
        }

        async fn dispatch<A: Api>(
            api: &A,
            op: usize,
            cx: rt::Ctx,
        ) -> Result<rt::HttpResponse, rt::ApiError> {
            match op {
                #(#arms)*
                _ => Err(rt::not_implemented("this route")),
            }
        }

        #(#serves)*
    })
}

fn serve_fn(p: &Plan, serve: &syn::Ident) -> Result<TokenStream, EmitError> {
    let req = ident(&p.request)?;
    let m = ident(&p.method)?;
    let fields = request::decode_fields(p)?;
    Ok(quote! {
        async fn #serve<A: Api>(
            api: &A,
            mut cx: rt::Ctx,
        ) -> Result<rt::HttpResponse, rt::ApiError> {
            let reply = cx.reply();
            let req = #req {
                api_version: cx.version,
                #(#fields)*
            };
            Ok(api.#m(req).await?.encode(reply))
        }
    })
}
