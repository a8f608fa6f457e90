//! The server emitter: from the IR's operations, one module with a typed
//! request struct (`request`) and a typed reply enum (`reply`) per
//! operation, a handler trait per tag plus the `Api` umbrella trait
//! (`traits`), and the `Router` that decodes, dispatches and encodes
//! (`router`). The generated code leans on the hand-written
//! `engine_api_rt::server::rt` helpers, so each operation costs a
//! few lines rather than a repeated block.

mod reply;
mod request;
mod router;
mod traits;

use std::collections::BTreeSet;

use quote::quote;

use super::format::{print_runs, space_items, unparse};
use super::types::ident;
use super::EmitError;
use crate::ir::names::{field_name, type_name};
use crate::ir::{Api, Operation};

/// The complete text of the generated server file: header and module.
pub fn server_file(api: &Api, source: &str) -> Result<String, EmitError> {
    Ok(format!("{}{}", super::header(source), server_module(api)?))
}

/// One operation with the names the emitters give it.
pub(crate) struct Plan<'a> {
    pub op: &'a Operation,
    /// Index in the route table.
    pub index: usize,
    /// snake_case method name (`container_list`).
    pub method: String,
    /// `ContainerListRequest`.
    pub request: String,
    /// `ContainerListReply`.
    pub reply: String,
    /// The trait the handler belongs to (`ContainerApi`).
    pub tag_trait: String,
    /// For a HEAD operation with a GET twin (same path, parameters and
    /// trait, no bodies; `/_ping`): the twin, whose request and reply types
    /// and handler it reuses (a HEAD answer carries no body anyway).
    pub twin: Option<usize>,
}

/// The Rust source of the server module for `api` (without the header).
///
/// Each operation's items, the traits and the router are printed on their
/// own (see [`unparse`]), in up to four runs on threads of their own, and
/// joined in order.
pub fn server_module(api: &Api) -> Result<String, EmitError> {
    let plans = plan(api)?;
    check_names(api, &plans)?;
    let title = format!(
        " The server of {} (API version {}): a typed request and reply per",
        api.title.trim(),
        api.version.trim()
    );
    let mut text = unparse(quote! {
        #![doc = #title]
        #![doc = " operation, a handler trait per tag with a 501 default for every"]
        // Full paths: rustdoc resolved the bare `[`Router`]` of these inner
        // docs from the crate root (where `pub mod server` has outer docs)
        // and warned; a full path resolves from anywhere.
        #![doc = " operation, and the [`Router`](crate::server::Router) that serves an"]
        #![doc = " [`Api`](crate::server::Api) implementation."]
        #![allow(clippy::large_enum_variant)]
        use engine_api_rt::server::rt;
        #[allow(unused_imports)]
        use crate::types::*;
    })?;
    let mut parts: Vec<Part> = plans.iter().map(Part::Operation).collect();
    parts.extend([Part::Traits, Part::Router]);
    // About the lines each part prints: an operation's request and reply
    // weigh about three of its handler or its route.
    let weight = |part: &Part| match part {
        Part::Operation(p) if p.twin.is_some() => 1,
        Part::Operation(_) => 3,
        Part::Traits | Part::Router => plans.len(),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let print = |part: &Part, out: &mut String| {
        let tokens = match part {
            Part::Operation(p) => match p.twin {
                Some(t) => twin_aliases(p, &plans[t])?,
                None => {
                    let mut tokens = request::request_struct(p)?;
                    tokens.extend(reply::reply_enum(api, p)?);
                    tokens
                }
            },
            Part::Traits => traits::traits(&plans)?,
            Part::Router => router::router(&plans)?,
        };
        out.push_str(&unparse(tokens)?);
        Ok(())
    };
    // Twice as many runs as cores, up to four: the server is the longest
    // of the three emitters sharing the cores, and with the traits and the
    // router, its heaviest parts, in one of two runs, that run went on
    // alone at the end while the other core idled.
    let runs = (2 * threads).clamp(1, 4);
    for piece in print_runs(&parts, runs, weight, print)? {
        text.push_str(&piece);
    }
    Ok(space_items(&text))
}

/// A piece of the server module printed on its own.
enum Part<'p, 'a> {
    /// An operation's request and reply (or a HEAD twin's aliases).
    Operation(&'p Plan<'a>),
    /// The handler traits and `Api`.
    Traits,
    /// The route table, `Router` and the per-operation serve functions.
    Router,
}

fn plan(api: &Api) -> Result<Vec<Plan<'_>>, EmitError> {
    let mut plans: Vec<Plan> = api
        .operations
        .iter()
        .enumerate()
        .map(|(index, op)| Plan {
            op,
            index,
            method: field_name(&op.name),
            request: format!("{}Request", op.name),
            reply: format!("{}Reply", op.name),
            tag_trait: tag_trait(op),
            twin: None,
        })
        .collect();
    for i in 0..plans.len() {
        if plans[i].op.method != "HEAD" {
            continue;
        }
        let twin = plans.iter().position(|g| {
            g.op.method == "GET"
                && g.op.path == plans[i].op.path
                && g.tag_trait == plans[i].tag_trait
                && g.op.params == plans[i].op.params
                && g.op.body.is_none()
                && plans[i].op.body.is_none()
        });
        plans[i].twin = twin;
    }
    for p in &plans {
        ident(&p.method)?;
    }
    Ok(plans)
}

/// `ContainerApi` for an operation tagged `Container` (its first tag);
/// `OtherApi` without tags.
fn tag_trait(op: &Operation) -> String {
    let tag = op.tags.first().map_or("Other", String::as_str);
    format!("{}Api", type_name(tag))
}

/// Generated names must not shadow the spec's types (they share a module
/// through the glob import).
fn check_names(api: &Api, plans: &[Plan]) -> Result<(), EmitError> {
    let mut ours: BTreeSet<String> = ["Api", "Router"].iter().map(|s| s.to_string()).collect();
    for p in plans {
        ours.insert(p.request.clone());
        ours.insert(p.reply.clone());
        ours.insert(p.tag_trait.clone());
        for r in &p.op.responses {
            if !r.headers.is_empty() {
                ours.insert(reply::headers_name(p, r));
            }
        }
    }
    match ours.iter().find(|n| api.type_named(n).is_some()) {
        Some(n) => Err(EmitError::NameClash(n.clone())),
        None => Ok(()),
    }
}

fn twin_aliases(p: &Plan, twin: &Plan) -> Result<proc_macro2::TokenStream, EmitError> {
    let (req, reply) = (ident(&p.request)?, ident(&p.reply)?);
    let (treq, treply) = (ident(&twin.request)?, ident(&twin.reply)?);
    let doc = format!(
        " `{} {}` takes the same request as `{} {}`.",
        p.op.method, p.op.path, twin.op.method, twin.op.path
    );
    let rdoc = format!(
        " `{} {}` answers as `{} {}` does, without a body.",
        p.op.method, p.op.path, twin.op.method, twin.op.path
    );
    Ok(quote! {
        #[doc = #doc]
        pub type #req = #treq;
        #[doc = #rdoc]
        pub type #reply = #treply;
    })
}

/// The `" `GET /path`"` doc line of an operation.
pub(crate) fn route_doc(op: &Operation) -> String {
    format!(" `{} {}`", op.method, op.path)
}

#[cfg(test)]
mod tests;
