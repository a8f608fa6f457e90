//! Per operation, the typed reply enum: one variant per documented status
//! (named after the status: `Ok`, `Created`, `NoContent`, `NotFound`...),
//! carrying its body by payload (a JSON value, a stream of JSON messages, a
//! byte stream, logs, text, a hijack handler for a plain or WebSocket
//! upgrade, or nothing) and, when the
//! spec documents response headers, a headers struct; and the `encode`
//! method that writes a variant through `rt::Reply`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::super::types::derived_docs::describe;
use super::super::types::{docs, ident, type_tokens};
use super::super::EmitError;
use super::{route_doc, Plan};
use crate::ir::names::field_name;
use crate::ir::payload::{self, Payload};
use crate::ir::{Api, Response, Scalar, TypeRef};

/// The variant name of a status code.
pub(super) fn variant_name(code: u16) -> String {
    match code {
        100 => "Continue",
        101 => "SwitchingProtocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        206 => "PartialContent",
        301 => "MovedPermanently",
        302 => "Found",
        304 => "NotModified",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Gone",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{code}"),
    }
    .to_string()
}

/// The documented responses with a numeric status, with their codes.
pub(super) fn responses<'a>(p: &'a Plan<'a>) -> impl Iterator<Item = (u16, &'a Response)> + 'a {
    p.op.responses
        .iter()
        .filter_map(|r| r.status.parse::<u16>().ok().map(|c| (c, r)))
}

/// `SystemPingOkHeaders`.
pub(super) fn headers_name(p: &Plan, r: &Response) -> String {
    let code = r.status.parse::<u16>().unwrap_or(0);
    format!("{}{}Headers", p.op.name, variant_name(code))
}

/// What one response carries. The operation's success answer uses the
/// IR's classification (with its override table); for a hijacking or
/// WebSocket operation every 1xx/2xx answer hands over the connection;
/// errors carry their JSON body.
fn response_payload(p: &Plan, code: u16, r: &Response) -> Payload {
    let success = payload::success(p.op);
    if matches!(success, Payload::Hijack | Payload::WebSocket) && code < 300 {
        return success;
    }
    if code >= 400 {
        return r.ty.clone().map_or(Payload::Empty, Payload::Json);
    }
    let first_success =
        p.op.responses
            .iter()
            .find(|x| x.status.starts_with('2'))
            .or_else(|| p.op.responses.iter().find(|x| x.status == "101"));
    if first_success.is_some_and(|x| std::ptr::eq(x, r)) {
        return success;
    }
    payload::from_content(&r.content_types, r.ty.as_ref())
}

/// Whether this answer is the success answer of an operation that sends
/// its headers first ([`payload::headers_first`]): its JSON body is then a
/// future (`rt::Deferred`).
fn deferred(p: &Plan, code: u16, payload: &Payload) -> bool {
    (200..300).contains(&code)
        && matches!(payload, Payload::Json(_))
        && payload::headers_first(&p.op.name)
}

/// The Rust type a payload's body has in a variant (`None`: no body).
fn body_type(payload: &Payload, deferred: bool) -> Result<Option<TokenStream>, EmitError> {
    Ok(Some(match payload {
        Payload::Empty => return Ok(None),
        Payload::Json(ty) if deferred => {
            let ty = type_tokens(ty)?;
            quote! { rt::Deferred<#ty> }
        }
        Payload::Json(ty) => type_tokens(ty)?,
        Payload::JsonStream(ty) => {
            let ty = type_tokens(ty)?;
            quote! { rt::JsonStream<#ty> }
        }
        Payload::Text => quote! { String },
        Payload::Bytes => quote! { rt::ByteStream },
        Payload::Multiplexed => quote! { rt::LogStream },
        Payload::Hijack | Payload::WebSocket => quote! { rt::Hijack },
    }))
}

/// The `rt::Reply` call that writes a body of `payload` with `code`.
fn encode_call(payload: &Payload, code: u16, r: &Response, deferred: bool) -> TokenStream {
    // HTTP gives 204 and 304 no body (hyper drops it): a documented 204
    // that carries one (the progress of plugin pull and upgrade) is sent
    // as 200, which is what dockerd does.
    let code = if matches!(code, 204 | 304) && *payload != Payload::Empty {
        200
    } else {
        code
    };
    let code = Literal::u16_unsuffixed(code);
    match payload {
        Payload::Empty => quote! { reply.empty(#code) },
        Payload::Json(_) if deferred => quote! { reply.deferred_json(#code, body) },
        Payload::Json(_) => quote! { reply.json(#code, &body) },
        Payload::JsonStream(_) => quote! { reply.json_stream(#code, body) },
        Payload::Text => quote! { reply.text(#code, body) },
        Payload::Bytes => {
            let ct = r
                .content_types
                .iter()
                .find(|c| !c.contains("json"))
                .map_or("application/octet-stream", String::as_str);
            quote! { reply.bytes(#code, #ct, body) }
        }
        Payload::Multiplexed => quote! { reply.logs(#code, body) },
        Payload::Hijack => quote! { reply.hijack(#code, body) },
        Payload::WebSocket => quote! { reply.websocket(#code, body) },
    }
}

/// A header's field type: text for anything that is not a plain scalar.
fn header_type(ty: &TypeRef) -> Result<TokenStream, EmitError> {
    match ty {
        TypeRef::Scalar(Scalar::Any | Scalar::Bytes) | TypeRef::List(_) | TypeRef::Map(_) => {
            Ok(quote! { String })
        }
        TypeRef::Scalar(_) => type_tokens(ty),
        _ => Ok(quote! { String }),
    }
}

/// The doc of a variant's `body` field: what is sent (the variant's own
/// doc says what the answer means).
fn body_doc(payload: &Payload) -> String {
    match payload {
        Payload::Json(ty) => format!(" The JSON body of this answer, {}.", describe(ty)),
        Payload::JsonStream(ty) => format!(
            " The body of this answer: a stream of JSON messages, each {}.",
            describe(ty)
        ),
        Payload::Text => " The body of this answer, as text.".to_string(),
        Payload::Multiplexed => " The body of this answer: a container's output.".to_string(),
        Payload::Hijack | Payload::WebSocket => {
            " What takes over the connection after this answer.".to_string()
        }
        Payload::Bytes | Payload::Empty => " The body of this answer, as bytes.".to_string(),
    }
}

/// The reply enum, its headers structs, and its `encode`.
pub(super) fn reply_enum(_api: &Api, p: &Plan) -> Result<TokenStream, EmitError> {
    let name = ident(&p.reply)?;
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut extra = Vec::new();
    // Whether every answer is complete at once (JSON, text or nothing), so
    // that a reply can be encoded ahead of time (`prepare`).
    let mut preparable = true;
    for (code, r) in responses(p) {
        let vname = ident(&variant_name(code))?;
        let payload = response_payload(p, code, r);
        let deferred = deferred(p, code, &payload);
        preparable &=
            !deferred && matches!(payload, Payload::Empty | Payload::Json(_) | Payload::Text);
        let body = body_type(&payload, deferred)?;
        let call = encode_call(&payload, code, r, deferred);
        let mut text = format!("{code}");
        if !r.doc.trim().is_empty() {
            text.push_str(": ");
            text.push_str(r.doc.trim());
        }
        let vdoc = docs(Some(&text));
        if r.headers.is_empty() {
            match body {
                Some(ty) => {
                    variants.push(quote! { #vdoc #vname(#ty), });
                    arms.push(quote! { Self::#vname(body) => #call, });
                }
                None => {
                    variants.push(quote! { #vdoc #vname, });
                    arms.push(quote! { Self::#vname => #call, });
                }
            }
            continue;
        }
        let hname = ident(&headers_name(p, r))?;
        let mut hfields = Vec::new();
        let mut sets = Vec::new();
        for h in &r.headers {
            let f = ident(&field_name(&h.name))?;
            let ty = header_type(&h.ty)?;
            let wire = &h.name;
            let mut htext = h.doc.clone().unwrap_or_default();
            if !htext.is_empty() {
                htext.push_str("\n\n");
            }
            htext.push_str(&format!("The `{wire}` header (sent when set)."));
            let hdoc = docs(Some(&htext));
            hfields.push(quote! { #hdoc pub #f: Option<#ty>, });
            sets.push(quote! { rt::header(&mut resp, #wire, headers.#f); });
        }
        let hdoc = format!(" The documented headers of {}'s {code} answer.", p.op.name);
        extra.push(quote! {
            #[doc = #hdoc]
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct #hname { #(#hfields)* }
        });
        let headers_doc = " The headers sent with this answer.";
        let body_doc = body_doc(&payload);
        let (variant, pattern) = match body {
            Some(ty) => (
                quote! {
                    #vdoc
                    #vname {
                        #[doc = #body_doc]
                        body: #ty,
                        #[doc = #headers_doc]
                        headers: #hname,
                    },
                },
                quote! { Self::#vname { body, headers } },
            ),
            None => (
                quote! { #vdoc #vname { #[doc = #headers_doc] headers: #hname }, },
                quote! { Self::#vname { headers } },
            ),
        };
        variants.push(variant);
        arms.push(quote! {
            #pattern => {
                let mut resp = #call;
                #(#sets)*
                resp
            }
        });
    }
    let doc = format!(
        " The answers of `{}`:{}; an error can also be returned as `Err(ApiError)`.",
        p.op.name,
        route_doc(p.op)
    );
    let mut prepare = quote! {};
    if preparable {
        variants.push(quote! {
            /// An answer encoded ahead of time by [`Self::prepare`], sent as it is.
            Prepared(rt::Prepared<Self>),
        });
        arms.push(quote! { Self::Prepared(prepared) => prepared.response(), });
        prepare = quote! {
            /// Encodes this answer once, for a handler that gives the same
            /// answer to many requests: return clones of the result as
            /// `Self::Prepared` and the router skips encoding.
            pub fn prepare(self) -> rt::Prepared<Self> {
                rt::Prepared::from_response(self.encode(rt::Reply::plain(rt::ApiVersion::CURRENT)))
            }
        };
    }
    Ok(quote! {
        #(#extra)*
        #[doc = #doc]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            #prepare

            /// Writes the answer the router sends.
            fn encode(self, reply: rt::Reply) -> rt::HttpResponse {
                match self {
                    #(#arms)*
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::server_module;

    #[test]
    fn attach_over_websocket_hands_over_the_connection() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
        let api = crate::emit::load_api(&spec).expect("the project's spec loads");
        let text = server_module(&api).expect("the server module emits");
        let reply = text
            .split("pub enum ContainerAttachWebsocketReply {")
            .nth(1)
            .and_then(|rest| rest.split("\n}\n").nth(1))
            .unwrap_or_default();
        assert!(reply.contains("Self::SwitchingProtocols(body) => reply.websocket(101, body),"));
        assert!(reply.contains("Self::Ok(body) => reply.websocket(200, body),"));
        // Not encodable ahead of time.
        assert!(!reply.contains("fn prepare("));
        // Plain attach keeps the raw hijack.
        assert!(text.contains("Self::SwitchingProtocols(body) => reply.hijack(101, body),"));
    }
}
