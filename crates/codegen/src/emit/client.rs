//! The client emitter: one async method on the hand-written `Client` per
//! operation, named after its operationId in snake_case, with rustdoc from
//! the spec. Arguments are the path parameters, the required query and
//! header parameters, the body, then a generated `<Operation>Params` struct
//! (public fields, `Default`) holding the optional parameters. The result
//! follows the success payload: a typed JSON value, nothing, text, a stream
//! of JSON values, a byte stream, container output, or an attached
//! connection. Operations whose answer documents headers return an
//! `<Operation>Reply` with the body and each header.
//!
//! The generated code only builds a `Call` and picks an answer decoder;
//! everything else lives in the hand-written `engine_api_rt::client`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::format::{doc_attrs, print_runs, space_items_and_methods, unparse};
use super::rustdoc::doc_lines;
use super::types::{ident, type_tokens};
use super::{header, EmitError};
use crate::ir::payload::{self, Payload};
use crate::ir::*;

/// Names `Client` has by hand; an operation must not take one.
const RESERVED_METHODS: &[&str] = &[
    "api_version",
    "builder",
    "dial",
    "from_env",
    "from_transport",
    "hijack",
    "send",
    "tcp",
    "timeout",
    "tls",
    "transport",
    "unix",
    "websocket",
    "with_header",
    "with_timeout",
];

/// Stream item types the client decodes although the spec leaves the
/// answer untyped, by operationId: Swagger 2.0 cannot say that a
/// `type: object` answer is a stream of a named definition. Applied only
/// when the spec has the definition. The server keeps untyped values for
/// these (its handlers build them as JSON), so this is the client's alone.
static CLIENT_STREAM_ITEMS: &[(&str, &str)] = &[("ContainerStats", "ContainerStatsResponse")];

/// The success payload as the client decodes it: the spec's, with the item
/// type of [`CLIENT_STREAM_ITEMS`] when it names one.
fn client_success(api: &Api, op: &Operation) -> Payload {
    let success = payload::success(op);
    let item = CLIENT_STREAM_ITEMS
        .iter()
        .find(|(id, _)| *id == op.operation_id)
        .map(|(_, name)| *name)
        .filter(|name| api.type_named(name).is_some());
    match (success, item) {
        (Payload::JsonStream(_), Some(name)) => Payload::JsonStream(TypeRef::Named(name.into())),
        (success, _) => success,
    }
}

/// Local names inside a generated method; arguments must not take one.
const RESERVED_LOCALS: &[&str] = &["body", "call", "negotiated", "params", "resp"];

/// The complete text of the generated client file: header and module.
pub fn client_file(api: &Api, source: &str) -> Result<String, EmitError> {
    Ok(format!("{}{}", header(source), client_module(api)?))
}

/// The method name of an operation (`ContainerList` -> `container_list`).
pub fn method_name(op: &Operation) -> String {
    names::field_name(&op.operation_id)
}

/// How a client method is called: its name and its arguments in order.
/// The emitter writes the method from it and the docs show a call of it,
/// so the two cannot disagree.
#[derive(Clone, Debug, PartialEq)]
pub struct CallOutline<'a> {
    /// The method name ([`method_name`]).
    pub method: String,
    /// The arguments in order: path parameters in the path's order, the
    /// other required parameters in the spec's order, the body, then
    /// [`CallArg::Params`] when the operation has optional parameters.
    pub args: Vec<CallArg<'a>>,
    /// The generated struct of the optional parameters, if any.
    pub params: Option<ParamsStruct<'a>>,
    /// Whether the call goes to the bare path, without the `/v1.xx` prefix
    /// (the ping, which version negotiation itself needs).
    pub unversioned: bool,
}

/// One argument of a client method.
#[derive(Clone, Debug, PartialEq)]
pub enum CallArg<'a> {
    /// A path parameter or a required query, header or cookie parameter,
    /// named after [`Param::name`]; [`Param::wire`] is its name on the wire.
    Param(&'a Param),
    /// The request body (`body`), `Option<..>` when not required.
    Body {
        body: &'a Body,
        kind: BodyKind,
        required: bool,
    },
    /// `&<Operation>Params`, the optional parameters ([`CallOutline::params`]).
    Params,
}

/// How the body argument is typed.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyKind {
    /// A JSON value of this type (`&T`, or `&[T]` for a list).
    Json(TypeRef),
    /// Plain text (`&str`).
    Text,
    /// Raw bytes (`rt::Body`) sent with this content type.
    Raw { content_type: String },
}

/// The generated struct of an operation's optional parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamsStruct<'a> {
    /// `<Operation>Params`.
    pub name: String,
    /// Its fields (all `Option`), in the spec's order.
    pub fields: Vec<&'a Param>,
}

/// The call of `op` through the client: see [`CallOutline`].
pub fn call_outline(op: &Operation) -> CallOutline<'_> {
    let mut path_params: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .collect();
    path_params.sort_by_key(|p| op.path.find(&format!("{{{}}}", p.wire)));
    let mut args: Vec<CallArg> = path_params.into_iter().map(CallArg::Param).collect();
    let mut fields = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
    {
        if p.required {
            args.push(CallArg::Param(p));
        } else {
            fields.push(p);
        }
    }
    if let Some(b) = &op.body {
        let kind = match payload::request(op) {
            Payload::Empty => None,
            Payload::Json(t) => Some(BodyKind::Json(t)),
            Payload::Text => Some(BodyKind::Text),
            _ => Some(BodyKind::Raw {
                content_type: raw_content_type(b),
            }),
        };
        if let Some(kind) = kind {
            args.push(CallArg::Body {
                body: b,
                kind,
                required: b.required,
            });
        }
    }
    let params = (!fields.is_empty()).then(|| ParamsStruct {
        name: format!("{}Params", op.name),
        fields,
    });
    if params.is_some() {
        args.push(CallArg::Params);
    }
    CallOutline {
        method: method_name(op),
        args,
        params,
        unversioned: op.path == "/_ping",
    }
}

/// The Rust source of the client module for `api` (without the header).
///
/// Each operation's items and method are printed on their own (see
/// [`unparse`]; a method inside an `impl Client` of its own, whose lines
/// around it are dropped), on up to two threads, and joined in order: the
/// items, then one `impl Client` with every method.
pub fn client_module(api: &Api) -> Result<String, EmitError> {
    let mut ops = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for op in &api.operations {
        let name = method_name(op);
        if RESERVED_METHODS.contains(&name.as_str()) || !seen.insert(name.clone()) {
            return Err(EmitError::BadName(format!(
                "{name} (the client method of operation {})",
                op.operation_id
            )));
        }
        ops.push((op, name));
    }
    let title = format!(
        " The client of {} (API version {}): one method of [`Client`](engine_api_rt::client::Client)",
        api.title.trim(),
        api.version.trim()
    );
    let wrapper = client_struct(api)?;
    let mut text = unparse(quote! {
        #![doc = #title]
        #![doc = " per operation, named after its operationId, with a `…Params` struct"]
        #![doc = " for the operations that have optional parameters."]
        #![allow(clippy::too_many_arguments)]

        #[allow(unused_imports)]
        use engine_api_rt::client as rt;
        #[allow(unused_imports)]
        use crate::types::*;

        #wrapper
    })?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let print = |(op, name): &(&Operation, String), (items, methods): &mut (String, String)| {
        let emitted = operation(api, op, name)?;
        let (op_items, method) = (emitted.items, emitted.method);
        items.push_str(&unparse(quote! { #(#op_items)* })?);
        let inside = unparse(quote! { impl Client { #method } })?;
        let body = inside
            .strip_prefix("impl Client {\n")
            .and_then(|rest| rest.strip_suffix("}\n"))
            .ok_or_else(|| EmitError::Syntax(format!("unexpected method layout: {inside}")))?;
        methods.push_str(body);
        Ok(())
    };
    let runs: Vec<(String, String)> = print_runs(&ops, threads.clamp(1, 2), |_| 1, print)?;
    let mut methods = String::new();
    for (items, run_methods) in &runs {
        text.push_str(items);
        methods.push_str(run_methods);
    }
    if methods.is_empty() {
        text.push_str("impl Client {}\n");
    } else {
        text.push_str("impl Client {\n");
        text.push_str(&methods);
        text.push_str("}\n");
    }
    Ok(space_items_and_methods(&text))
}

/// The crate's own `Client`: the runtime's connection (`rt::Client`, which
/// a foreign crate cannot add methods to) wrapped so the operations can be
/// its methods; it dereferences to the runtime's for `send`, `hijack` and
/// the rest, and has the same constructors.
fn client_struct(api: &Api) -> Result<TokenStream, EmitError> {
    for name in ["Client", "ClientBuilder"] {
        if api.types.iter().any(|t| t.name == name) {
            return Err(EmitError::NameClash(name.to_string()));
        }
    }
    Ok(quote! {
        /// A client of one daemon: the runtime's connection pool and
        /// negotiated API version ([`rt::Client`], which it dereferences to)
        /// with one method per operation. Cheap to clone; clones share the pool.
        #[derive(Clone, Debug)]
        pub struct Client(rt::Client);

        /// How a [`Client`] is set up: address (or a custom dialer), TLS,
        /// a pinned API version, the per-call timeout, the User-Agent and
        /// default headers.
        pub type ClientBuilder = rt::ClientBuilder<Client>;

        impl From<rt::Client> for Client {
            fn from(inner: rt::Client) -> Client {
                Client(inner)
            }
        }

        impl std::ops::Deref for Client {
            type Target = rt::Client;
            fn deref(&self) -> &rt::Client {
                &self.0
            }
        }

        impl Client {
            /// A client set up from the environment, as the docker CLI is
            /// (`DOCKER_HOST`, `DOCKER_CONTEXT` and the CLI's current
            /// context, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`,
            /// `DOCKER_API_VERSION`, then podman's sockets when no Docker
            /// socket exists).
            pub fn from_env() -> Result<Client, rt::ClientError> {
                ClientBuilder::from_env()?.build()
            }

            /// A client of the daemon listening on the unix socket at `path`.
            pub fn unix(path: impl Into<std::path::PathBuf>) -> Result<Client, rt::ClientError> {
                rt::Client::unix(path).map(Client)
            }

            /// A client of the daemon at `host:port` (or `tcp://host:port`),
            /// in plain text.
            pub fn tcp(addr: &str) -> Result<Client, rt::ClientError> {
                rt::Client::tcp(addr).map(Client)
            }

            /// A client of the daemon at `host:port` over TLS, verifying the
            /// daemon with `files.ca` and presenting `files.cert`.
            pub fn tls(addr: &str, files: rt::TlsFiles) -> Result<Client, rt::ClientError> {
                rt::Client::tls(addr, files).map(Client)
            }

            /// A builder for anything the shortcuts do not cover.
            pub fn builder(host: rt::Host) -> ClientBuilder {
                ClientBuilder::new(host)
            }

            /// A client whose connections `dial` opens: an in-memory server
            /// in tests, a proxy, anything that speaks HTTP/1 like a daemon.
            pub fn dial(dial: impl rt::Dial) -> Result<Client, rt::ClientError> {
                rt::Client::dial(dial).map(Client)
            }

            /// A client over a transport set up by hand.
            pub fn from_transport(transport: rt::Transport) -> Client {
                Client(rt::Client::from_transport(transport))
            }

            /// This client, sharing its pool, with calls waiting at most
            /// `timeout` for their answer's head; drop a call's future to
            /// stop it at any point.
            pub fn with_timeout(&self, timeout: std::time::Duration) -> Client {
                Client(self.0.with_timeout(timeout))
            }

            /// This client, sharing its pool, sending one more header with
            /// every call.
            pub fn with_header(
                &self,
                name: rt::header::HeaderName,
                value: rt::header::HeaderValue,
            ) -> Client {
                Client(self.0.with_header(name, value))
            }
        }
    })
}

struct Emitted {
    items: Vec<TokenStream>,
    method: TokenStream,
}

/// The owned type of a parameter's value (a params field holds `Option`
/// of it).
fn owned(p: &Param) -> Result<TokenStream, EmitError> {
    Ok(match &p.encoding {
        ParamEncoding::QueryFilters => quote! { rt::Filters },
        ParamEncoding::HeaderAuth => quote! { AuthConfig },
        ParamEncoding::QueryJson => type_tokens(&p.ty)?,
        ParamEncoding::QueryRepeated(t) | ParamEncoding::QueryCsv(t) => {
            type_tokens(&TypeRef::List(Box::new(t.type_ref())))?
        }
        e => match e.text() {
            Some(t) => type_tokens(&t.type_ref())?,
            None => type_tokens(&p.ty)?,
        },
    })
}

/// Whether the value is taken by value (and matched by value out of an
/// `Option`).
fn is_copy(p: &Param) -> bool {
    !p.encoding.is_list() && p.encoding.text().is_some_and(Text::is_copy)
}

/// The type of a required argument.
fn argument(p: &Param) -> Result<TokenStream, EmitError> {
    Ok(match &p.encoding {
        e if e.is_list() => {
            let item = e
                .text()
                .map(Text::type_ref)
                .unwrap_or(TypeRef::Scalar(Scalar::String));
            let item = type_tokens(&item)?;
            quote! { &[#item] }
        }
        e if e.text() == Some(&Text::String) => quote! { &str },
        _ if is_copy(p) => owned(p)?,
        _ => {
            let owned = owned(p)?;
            quote! { &#owned }
        }
    })
}

/// The statement that puts `value` on the call.
fn encode(p: &Param, value: &TokenStream) -> TokenStream {
    let wire = &p.wire;
    let as_text = |t: &Text| match t {
        Text::StringEnum(_) => quote! { #value.as_str() },
        _ => quote! { #value },
    };
    match &p.encoding {
        ParamEncoding::Query(t) => match t {
            Text::Bool => quote! { call.query_bool(#wire, #value); },
            Text::Number(_) => quote! { call.query_display(#wire, #value); },
            Text::IntEnum { .. } => quote! { call.query_display(#wire, #value.value()); },
            Text::String | Text::StringEnum(_) => {
                let v = as_text(t);
                quote! { call.query_str(#wire, #v); }
            }
        },
        ParamEncoding::QueryRepeated(t) | ParamEncoding::QueryCsv(t) => {
            let explode = matches!(p.encoding, ParamEncoding::QueryRepeated(_));
            let items = match t {
                Text::StringEnum(_) => quote! { #value.iter().map(|v| v.as_str()) },
                _ => quote! { #value.iter() },
            };
            quote! { call.query_list(#wire, #items, #explode); }
        }
        ParamEncoding::QueryFilters => quote! { call.query_filters(#wire, #value); },
        ParamEncoding::QueryJson => quote! { call.query_json(#wire, #value)?; },
        ParamEncoding::HeaderAuth => quote! { call.header_auth(#wire, #value)?; },
        ParamEncoding::Header(t) => {
            let v = as_text(t);
            quote! { call.header(#wire, #v); }
        }
        ParamEncoding::Cookie(_) => quote! { call.cookie(#wire, &#value.to_string()); },
        // Path parameters are substituted into the path, not encoded here.
        ParamEncoding::Path(_) => quote! {},
    }
}

/// `/containers/{id}/json` as a `format!` of the percent-encoded arguments.
fn path_expr(op: &Operation) -> Result<TokenStream, EmitError> {
    let mut template = String::new();
    let mut args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        template.push_str("{}");
        let wire = &rest[open + 1..close];
        let found = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.wire == wire);
        let Some(p) = found else {
            return Err(EmitError::BadName(format!(
                "{wire} (a path template parameter of {} that is not declared)",
                op.operation_id
            )));
        };
        let name = ident(&p.name)?;
        args.push(match &p.encoding {
            ParamEncoding::Path(Text::String) => quote! { rt::encode(#name) },
            ParamEncoding::Path(Text::StringEnum(_)) => quote! { rt::encode(#name.as_str()) },
            _ => quote! { rt::encode(&#name.to_string()) },
        });
        rest = &rest[close + 1..];
    }
    template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    if args.is_empty() {
        return Ok(quote! { #template.to_string() });
    }
    Ok(quote! { format!(#template, #(#args),*) })
}

/// A list item: the first line after `head`, the rest indented under it.
fn list_item(head: &str, text: Option<&str>) -> Vec<String> {
    let lines = text.map(doc_lines).unwrap_or_default();
    let mut out = Vec::new();
    let mut iter = lines.into_iter();
    match iter.next() {
        Some(first) => out.push(format!("- {head}: {first}")),
        None => out.push(format!("- {head}")),
    }
    for l in iter {
        out.push(if l.is_empty() { l } else { format!("  {l}") });
    }
    out
}

fn param_doc(p: &Param) -> Vec<String> {
    let mut lines = p.doc.as_deref().map(doc_lines).unwrap_or_default();
    if !lines.is_empty() {
        lines.push(String::new());
    }
    let wire = p.wire.replace('`', "'");
    lines.push(format!("Sent as `{wire}` in the {}.", p.location));
    if let Some(d) = &p.default {
        lines.push(format!(
            "When not set, the daemon uses `{}`.",
            d.to_string().replace('`', "'")
        ));
    }
    lines
}

/// The content type of a raw request body.
fn raw_content_type(body: &Body) -> String {
    body.content_types
        .iter()
        .find(|c| !c.starts_with("application/json"))
        .cloned()
        .unwrap_or_else(|| "application/octet-stream".into())
}

fn operation(api: &Api, op: &Operation, name: &str) -> Result<Emitted, EmitError> {
    let method_ident = ident(name)?;
    let op_id = op.operation_id.as_str();
    let http_method = format_ident!("{}", op.method.to_ascii_uppercase());
    let mut items = Vec::new();

    // Arguments in the order `call_outline` decides (the docs show the same).
    let outline = call_outline(op);
    let mut args = Vec::new();
    let mut arg_docs = Vec::new();
    let mut encodes = Vec::new();
    let mut optional_fields = Vec::new();
    let mut optional_encodes = Vec::new();
    let mut arg_names = std::collections::BTreeSet::new();
    let mut body_stmt = quote! {};
    for p in outline.params.iter().flat_map(|s| &s.fields) {
        let pname = ident(&p.name)?;
        let owned = owned(p)?;
        let doc = doc_attrs(&param_doc(p));
        optional_fields.push(quote! { #doc pub #pname: Option<#owned>, });
        let value = quote! { value };
        let put = encode(p, &value);
        optional_encodes.push(if is_copy(p) {
            quote! { if let Some(value) = params.#pname { #put } }
        } else {
            quote! { if let Some(value) = &params.#pname { #put } }
        });
    }
    for arg in &outline.args {
        match arg {
            CallArg::Param(p) => {
                let pname = ident(&p.name)?;
                if RESERVED_LOCALS.contains(&p.name.as_str()) || !arg_names.insert(p.name.clone()) {
                    return Err(EmitError::BadName(format!(
                        "{} (an argument of the client method {name})",
                        p.name
                    )));
                }
                let ty = argument(p)?;
                args.push(quote! { #pname: #ty });
                let wire = p.wire.replace('`', "'");
                arg_docs.extend(list_item(
                    &format!("`{}` ({} `{wire}`)", p.name, p.location),
                    p.doc.as_deref(),
                ));
                if p.location != ParamLocation::Path {
                    encodes.push(encode(p, &quote! { #pname }));
                }
            }
            CallArg::Body {
                body: b,
                kind,
                required,
            } => {
                let (ty, put) = match kind {
                    BodyKind::Json(t) => {
                        let ty = match t {
                            TypeRef::List(item) => {
                                let item = type_tokens(item)?;
                                quote! { &[#item] }
                            }
                            _ => {
                                let t = type_tokens(t)?;
                                quote! { &#t }
                            }
                        };
                        (ty, quote! { call.json(body)?; })
                    }
                    BodyKind::Text => (quote! { &str }, quote! { call.text(body); }),
                    BodyKind::Raw { content_type: ct } => {
                        (quote! { rt::Body }, quote! { call.body(body, #ct); })
                    }
                };
                if *required {
                    args.push(quote! { body: #ty });
                    body_stmt = put;
                } else {
                    args.push(quote! { body: Option<#ty> });
                    body_stmt = quote! { if let Some(body) = body { #put } };
                }
                let what = match kind {
                    BodyKind::Json(_) => "JSON",
                    BodyKind::Text => "text",
                    BodyKind::Raw { .. } => "raw bytes, possibly streamed",
                };
                let head = if *required {
                    format!("`body` ({what})")
                } else {
                    format!("`body` ({what}, optional)")
                };
                arg_docs.extend(list_item(&head, b.doc.as_deref()));
            }
            CallArg::Params => {}
        }
    }

    // Optional parameters.
    if let Some(ParamsStruct {
        name: params_name, ..
    }) = &outline.params
    {
        if api.type_named(params_name).is_some() {
            return Err(EmitError::BadName(format!(
                "{params_name} (the client's optional parameters of {op_id} clash with a type)"
            )));
        }
        let sname = ident(params_name)?;
        let sdoc = format!(" Optional parameters of [`Client::{name}`](Client::{name}); `None` leaves a parameter out.");
        items.push(quote! {
            #[doc = #sdoc]
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct #sname {
                #(#optional_fields)*
            }
        });
        args.push(quote! { params: &#sname });
        arg_docs.push(format!(
            "- `params`: the optional parameters, see [`{params_name}`]."
        ));
    }

    // The answer.
    let success = client_success(api, op);
    let ok = op
        .responses
        .iter()
        .find(|r| r.status.starts_with('2'))
        .or_else(|| op.responses.iter().find(|r| r.status == "101"));
    let other_empty_success = op
        .responses
        .iter()
        .any(|r| r.status.starts_with('2') && r.ty.is_none() && Some(r) != ok);
    let (body_ty, decode, needs_version) = match &success {
        Payload::Empty => (None, quote! { rt::answer::empty(resp).await }, false),
        Payload::Json(t) if other_empty_success => {
            let t = type_tokens(t)?;
            (
                Some(quote! { Option<#t> }),
                quote! { rt::answer::json_or_none(resp, #op_id).await },
                false,
            )
        }
        // Go daemons send `null` for an empty list.
        Payload::Json(t @ TypeRef::List(_)) => {
            let t = type_tokens(t)?;
            (
                Some(t),
                quote! { rt::answer::json_list(resp, #op_id).await },
                false,
            )
        }
        Payload::Json(t) => {
            let t = type_tokens(t)?;
            (
                Some(t),
                quote! { rt::answer::json(resp, #op_id).await },
                false,
            )
        }
        Payload::Text => (
            Some(quote! { String }),
            quote! { rt::answer::text(resp, #op_id).await },
            false,
        ),
        Payload::JsonStream(t) => {
            let t = type_tokens(t)?;
            (
                Some(quote! { rt::JsonStream<#t> }),
                quote! { Ok(rt::answer::json_stream(resp)) },
                false,
            )
        }
        Payload::Bytes => (
            Some(quote! { rt::ByteStream }),
            quote! { Ok(rt::answer::bytes(resp)) },
            false,
        ),
        Payload::Multiplexed => (
            Some(quote! { rt::LogStream }),
            quote! { Ok(rt::answer::output(resp, negotiated)) },
            true,
        ),
        Payload::Hijack | Payload::WebSocket => (Some(quote! { rt::Attached }), quote! {}, false),
    };
    let headers: &[ResponseHeader] = match (&success, ok) {
        (Payload::Empty | Payload::Json(_) | Payload::Text, Some(r)) => &r.headers,
        _ => &[],
    };

    let (ret, tail) = if success == Payload::Hijack {
        (quote! { rt::Attached }, quote! { self.hijack(call).await })
    } else if success == Payload::WebSocket {
        (
            quote! { rt::Attached },
            quote! { self.websocket(call).await },
        )
    } else if headers.is_empty() {
        let version = if needs_version {
            quote! { negotiated }
        } else {
            quote! { _ }
        };
        let ret = body_ty.clone().unwrap_or_else(|| quote! { () });
        // A container's output is read to its end by the caller: on a
        // connection the caller's task drives.
        let send = if success == Payload::Multiplexed {
            quote! { send_streamed }
        } else {
            quote! { send }
        };
        (
            ret,
            quote! {
                let (resp, #version) = self.#send(call).await?;
                #decode
            },
        )
    } else {
        let reply_name = format!("{}Reply", op.name);
        if api.type_named(&reply_name).is_some() {
            return Err(EmitError::BadName(format!(
                "{reply_name} (the client's answer of {op_id} clashes with a type)"
            )));
        }
        let rname = ident(&reply_name)?;
        let mut fields = Vec::new();
        let mut reads = Vec::new();
        let mut inits = Vec::new();
        let mut field_names = std::collections::BTreeSet::new();
        for h in headers {
            let fname = names::field_name(&h.name);
            if fname == "body" || !field_names.insert(fname.clone()) {
                return Err(EmitError::BadName(format!(
                    "{fname} (a header field of {reply_name})"
                )));
            }
            let fident = ident(&fname)?;
            let ty = type_tokens(&h.ty)?;
            let mut doc = h.doc.as_deref().map(doc_lines).unwrap_or_default();
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.push(format!(
                "The `{}` header; `None` when it is missing or does not parse.",
                h.name.replace('`', "'")
            ));
            let doc = doc_attrs(&doc);
            let wire = h.name.to_ascii_lowercase();
            fields.push(quote! { #doc pub #fident: Option<#ty>, });
            reads.push(match text_of(api, &h.ty) {
                Some(Text::Bool | Text::Number(_) | Text::String) => {
                    quote! { let #fident = rt::answer::header(&resp, #wire); }
                }
                Some(Text::StringEnum(_)) => quote! {
                    let #fident = rt::answer::header::<String>(&resp, #wire).map(Into::into);
                },
                _ => quote! { let #fident = rt::answer::header_json(&resp, #wire); },
            });
            inits.push(quote! { #fident, });
        }
        let (body_field, body_read, body_init) = match &body_ty {
            Some(t) => (
                quote! { #[doc = " The body."] pub body: #t, },
                quote! { let body = #decode?; },
                quote! { body, },
            ),
            None => (quote! {}, quote! { #decode?; }, quote! {}),
        };
        let rdoc =
            format!(" The answer of [`Client::{name}`](Client::{name}): its body and headers.");
        items.push(quote! {
            #[doc = #rdoc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #rname {
                #body_field
                #(#fields)*
            }
        });
        (
            quote! { #rname },
            quote! {
                let (resp, _) = self.send(call).await?;
                #(#reads)*
                #body_read
                Ok(#rname { #body_init #(#inits)* })
            },
        )
    };

    // The docs.
    let mut doc = Vec::new();
    if let Some(s) = &op.summary {
        doc.extend(doc_lines(s));
    }
    if let Some(d) = &op.description {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.extend(doc_lines(d));
    }
    if !doc.is_empty() {
        doc.push(String::new());
    }
    doc.push(format!(
        "`{} {}` (operation `{op_id}`).",
        op.method, op.path
    ));
    if op.deprecated {
        doc.push(String::new());
        doc.push("Deprecated by the spec.".into());
    }
    if success == Payload::WebSocket {
        doc.push(String::new());
        doc.push("Needs the crate's feature `websocket` (on by default).".into());
    }
    if !arg_docs.is_empty() {
        doc.push(String::new());
        doc.push("# Parameters".into());
        doc.push(String::new());
        doc.extend(arg_docs);
    }
    let doc = doc_attrs(&doc);

    let path = path_expr(op)?;
    let unversioned = outline.unversioned.then(|| quote! { .unversioned() });
    let mutates = !encodes.is_empty() || !optional_encodes.is_empty() || !body_stmt.is_empty();
    let bind = if mutates {
        quote! { let mut call }
    } else {
        quote! { let call }
    };
    // Attach over WebSocket needs the runtime's `websocket` feature, which
    // the generated crate forwards under the same name.
    let gate = (success == Payload::WebSocket).then(|| quote! { #[cfg(feature = "websocket")] });
    let method = quote! {
        #doc
        #gate
        pub async fn #method_ident(&self, #(#args),*) -> Result<#ret, rt::ClientError> {
            #bind = rt::Call::new(rt::Method::#http_method, #path, #op_id)#unversioned;
            #(#encodes)*
            #body_stmt
            #(#optional_encodes)*
            #tail
        }
    };
    Ok(Emitted { items, method })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn project_api() -> Option<Api> {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
        if !spec.exists() {
            eprintln!("skipped: no swagger.yaml");
            return None;
        }
        Some(super::super::load_api(&spec).expect("the project spec loads"))
    }

    #[test]
    fn every_operation_becomes_one_method() {
        let Some(api) = project_api() else { return };
        let text = client_module(&api).unwrap();
        for op in &api.operations {
            let sig = format!("pub async fn {}(", method_name(op));
            assert_eq!(text.matches(&sig).count(), 1, "{sig}");
        }
        assert_eq!(text.matches("pub async fn ").count(), api.operations.len());
    }

    #[test]
    fn parameters_follow_docker_conventions() {
        let Some(api) = project_api() else { return };
        let text = client_module(&api).unwrap();
        // Optional parameters in a params struct; filters typed.
        assert!(text.contains("pub struct ContainerListParams"), "{text}");
        assert!(text.contains("pub filters: Option<rt::Filters>,"));
        assert!(text.contains("call.query_bool(\"all\", value);"));
        // Path parameters percent-encoded; the ping is unversioned.
        assert!(text.contains("format!(\"/containers/{}/json\", rt::encode(id))"));
        assert!(text.contains("\"SystemPing\")\n            .unversioned()"));
        // Registry credentials typed; required ones are arguments.
        assert!(text.contains("x_registry_auth: &AuthConfig"));
        assert!(text.contains("call.header_auth(\"X-Registry-Auth\", x_registry_auth)?;"));
        // Answers typed by payload.
        assert!(text.contains("-> Result<rt::JsonStream<EventMessage>, rt::ClientError>"));
        assert!(text.contains("-> Result<rt::LogStream, rt::ClientError>"));
        assert!(text.contains("-> Result<rt::Attached, rt::ClientError>"));
        assert!(text.contains("pub struct SystemPingReply"));
    }

    #[test]
    fn stats_are_typed_on_the_client_only() {
        let Some(api) = project_api() else { return };
        let text = client_module(&api).unwrap();
        assert!(text.contains("-> Result<rt::JsonStream<ContainerStatsResponse>, rt::ClientError>"));
    }

    #[test]
    fn output_is_deterministic() {
        let Some(api) = project_api() else { return };
        assert_eq!(client_module(&api).unwrap(), client_module(&api).unwrap());
    }
}
