//! Per operation, the typed request struct (the negotiated API version,
//! one field per path, query and header parameter, and the body) and the
//! expressions that decode each field from the router's `rt::Ctx`.
//!
//! Docker's conventions decide the shapes: booleans and numbers are parsed
//! with a 400 naming the parameter; `filters` becomes `rt::Filters`; list
//! parameters are repeated keys; `X-Registry-Auth` is decoded into the
//! spec's `AuthConfig`; a parameter with a documented default is a plain
//! value with the default applied, any other optional one an `Option`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::super::types::derived_docs::describe;
use super::super::types::{docs, ident, type_tokens};
use super::super::EmitError;
use super::{route_doc, Plan};
use crate::ir::payload::{self, Payload};
use crate::ir::{Api, Param, ParamLocation, Scalar, TypeKind, TypeRef};

/// The struct and nothing else: decoding lives in `decode_fields`.
pub(super) fn request_struct(api: &Api, p: &Plan) -> Result<TokenStream, EmitError> {
    let name = ident(&p.request)?;
    let mut fields = Vec::new();
    for param in &p.op.params {
        let Some(field) = field(api, param)? else {
            continue;
        };
        let fname = ident(&param.name)?;
        let ty = field.ty;
        let mut text = param.doc.as_deref().unwrap_or("").trim_end().to_string();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!("{} `{}`", where_(param), param.wire));
        if let Some(d) = &param.default {
            text.push_str(&format!(", default `{d}`"));
        }
        text.push('.');
        let doc = docs(Some(&text));
        fields.push(quote! { #doc pub #fname: #ty, });
    }
    if let Some((ty, _)) = body(p)? {
        let fname = ident(body_field(p))?;
        let doc = docs(Some(&body_doc(p)));
        fields.push(quote! { #doc pub #fname: #ty, });
    }
    let doc = format!(" The request of `{}`:{}.", p.op.name, route_doc(p.op));
    Ok(quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub struct #name {
            /// The API version the client asked for (its `/v1.NN` path prefix).
            pub api_version: rt::ApiVersion,
            #(#fields)*
        }
    })
}

/// The field initialisers that build the request from `cx`, in order:
/// path, query and header parameters first, then the body.
pub(super) fn decode_fields(api: &Api, p: &Plan) -> Result<Vec<TokenStream>, EmitError> {
    let mut out = Vec::new();
    let mut path_index = 0usize;
    for param in &p.op.params {
        let Some(field) = field(api, param)? else {
            continue;
        };
        let fname = ident(&param.name)?;
        let expr = match param.location {
            ParamLocation::Path => {
                let i = Literal::usize_unsuffixed(path_index);
                path_index += 1;
                path_value(api, param, quote! { cx.path(#i) })?
            }
            _ => field.expr,
        };
        out.push(quote! { #fname: #expr, });
    }
    if let Some((_, expr)) = body(p)? {
        let fname = ident(body_field(p))?;
        out.push(quote! { #fname: #expr, });
    }
    Ok(out)
}

fn where_(param: &Param) -> &'static str {
    match param.location {
        ParamLocation::Path => "Path parameter",
        ParamLocation::Query => "Query parameter",
        ParamLocation::Header => "Header",
        ParamLocation::Cookie => "Cookie",
    }
}

/// The body field's doc: the spec's description, then what the body is.
fn body_doc(p: &Plan) -> String {
    let described = p.op.body.as_ref().and_then(|b| b.doc.as_deref());
    let mut text = described.unwrap_or("").trim_end().to_string();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    let required = p.op.body.as_ref().is_some_and(|b| b.required);
    text.push_str(&match payload::request(p.op) {
        Payload::Json(ty) => {
            let what = describe(&ty);
            if required {
                format!("The JSON request body, {what}.")
            } else {
                format!("The JSON request body, {what}; `None` when the client sent none.")
            }
        }
        Payload::Text => "The request body as text.".to_string(),
        _ => "The request body, streamed as it arrives.".to_string(),
    });
    text
}

/// `body`, unless a parameter already has that name.
fn body_field(p: &Plan) -> &'static str {
    if p.op.params.iter().any(|x| x.name == "body") {
        "request_body"
    } else {
        "body"
    }
}

/// The body field's type and decoding expression.
fn body(p: &Plan) -> Result<Option<(TokenStream, TokenStream)>, EmitError> {
    let required = p.op.body.as_ref().is_some_and(|b| b.required);
    Ok(match payload::request(p.op) {
        Payload::Json(ty) => {
            let ty = type_tokens(&ty)?;
            Some(if required {
                (
                    ty,
                    quote! { rt::required(cx.json().await?, "JSON request body")? },
                )
            } else {
                (quote! { Option<#ty> }, quote! { cx.json().await? })
            })
        }
        Payload::Text => Some((quote! { String }, quote! { cx.text().await? })),
        Payload::Bytes | Payload::Multiplexed | Payload::JsonStream(_) => {
            Some((quote! { rt::BodyStream }, quote! { cx.body_stream() }))
        }
        Payload::Empty | Payload::Hijack | Payload::WebSocket => None,
    })
}

/// A field's type and decoding expression.
struct Field {
    ty: TokenStream,
    expr: TokenStream,
}

/// What a value of one scalar-ish type decodes with.
enum Kind {
    Bool,
    Number(TokenStream),
    Text,
    StringEnum(TokenStream),
    IntEnum(TokenStream, TokenStream),
    Json(TokenStream),
}

fn kind(api: &Api, ty: &TypeRef) -> Result<Kind, EmitError> {
    Ok(match ty {
        TypeRef::Scalar(Scalar::Bool) => Kind::Bool,
        TypeRef::Scalar(Scalar::String) => Kind::Text,
        TypeRef::Scalar(s @ (Scalar::Any | Scalar::Bytes)) => {
            Kind::Json(type_tokens(&TypeRef::Scalar(*s))?)
        }
        TypeRef::Scalar(_) => Kind::Number(type_tokens(ty)?),
        TypeRef::Named(n) => match api.type_named(n).map(|d| &d.kind) {
            Some(TypeKind::StringEnum(_)) => Kind::StringEnum(type_tokens(ty)?),
            Some(TypeKind::IntEnum(e)) => {
                Kind::IntEnum(type_tokens(ty)?, type_tokens(&TypeRef::Scalar(e.repr))?)
            }
            Some(TypeKind::Alias(inner)) if !matches!(inner, TypeRef::Named(_)) => {
                kind(api, inner)?
            }
            _ => Kind::Json(type_tokens(ty)?),
        },
        _ => Kind::Json(type_tokens(ty)?),
    })
}

fn is_registry_auth(api: &Api, param: &Param) -> bool {
    param.location == ParamLocation::Header
        && param.wire.eq_ignore_ascii_case("X-Registry-Auth")
        && api.type_named("AuthConfig").is_some()
}

fn field(api: &Api, param: &Param) -> Result<Option<Field>, EmitError> {
    let wire = param.wire.as_str();
    let what = format!("{} `{}`", where_(param).to_lowercase(), wire);
    let (ty, expr) = match param.location {
        ParamLocation::Cookie => return Ok(None),
        // Decoded in `decode_fields` (the index is positional).
        ParamLocation::Path => (path_type(api, param)?, quote! {}),
        ParamLocation::Header if is_registry_auth(api, param) => (
            quote! { AuthConfig },
            quote! { cx.registry_auth::<AuthConfig>(#wire)? },
        ),
        ParamLocation::Header => match kind(api, &param.ty)? {
            Kind::StringEnum(t) => (t.clone(), quote! { cx.header(#wire)?.map(#t::from) }),
            _ => (quote! { String }, quote! { cx.header(#wire)? }),
        },
        ParamLocation::Query => {
            if let TypeRef::List(item) = &param.ty {
                return Ok(Some(list_field(api, item, wire)?));
            }
            if wire == "filters" && param.ty == TypeRef::Scalar(Scalar::String) {
                (quote! { rt::Filters }, quote! { cx.filters(#wire)? })
            } else {
                match kind(api, &param.ty)? {
                    Kind::Bool => (quote! { bool }, quote! { cx.bool(#wire)? }),
                    Kind::Number(t) => (t.clone(), quote! { cx.number::<#t>(#wire)? }),
                    Kind::Text => (quote! { String }, quote! { cx.string(#wire) }),
                    Kind::StringEnum(t) => (t.clone(), quote! { cx.string(#wire).map(#t::from) }),
                    Kind::IntEnum(t, r) => {
                        (t.clone(), quote! { cx.number::<#r>(#wire)?.map(#t::from) })
                    }
                    Kind::Json(t) => (t.clone(), quote! { cx.json_query::<#t>(#wire)? }),
                }
            }
        }
    };
    if param.location == ParamLocation::Path {
        return Ok(Some(Field { ty, expr }));
    }
    if param.required {
        return Ok(Some(Field {
            ty,
            expr: quote! { rt::required(#expr, #what)? },
        }));
    }
    if let Some(unwrap) = default_value(api, param)? {
        return Ok(Some(Field {
            ty,
            expr: quote! { #expr.#unwrap },
        }));
    }
    Ok(Some(Field {
        ty: quote! { Option<#ty> },
        expr,
    }))
}

/// Lists are repeated keys (`names=a&names=b`), as the docker CLI sends
/// them; absent means empty.
fn list_field(api: &Api, item: &TypeRef, wire: &str) -> Result<Field, EmitError> {
    Ok(match kind(api, item)? {
        Kind::Text => Field {
            ty: quote! { Vec<String> },
            expr: quote! { cx.strings(#wire) },
        },
        Kind::StringEnum(t) => Field {
            ty: quote! { Vec<#t> },
            expr: quote! { cx.strings(#wire).into_iter().map(#t::from).collect() },
        },
        _ => {
            let t = type_tokens(item)?;
            Field {
                ty: quote! { Vec<#t> },
                expr: quote! { cx.json_query::<Vec<#t>>(#wire)?.unwrap_or_default() },
            }
        }
    })
}

fn path_type(api: &Api, param: &Param) -> Result<TokenStream, EmitError> {
    Ok(match kind(api, &param.ty)? {
        Kind::Text => quote! { String },
        Kind::StringEnum(t) | Kind::Number(t) => t,
        _ => quote! { String },
    })
}

fn path_value(api: &Api, param: &Param, raw: TokenStream) -> Result<TokenStream, EmitError> {
    let wire = &param.wire;
    Ok(match kind(api, &param.ty)? {
        Kind::StringEnum(t) => quote! { #t::from(#raw) },
        Kind::Number(t) => quote! { rt::parse_path::<#t>(#raw, #wire)? },
        _ => raw,
    })
}

/// The `unwrap_or...` call that applies a parameter's documented default,
/// when its type has a literal form.
fn default_value(api: &Api, param: &Param) -> Result<Option<TokenStream>, EmitError> {
    let Some(value) = &param.default else {
        return Ok(None);
    };
    if param.location == ParamLocation::Query
        && param.wire == "filters"
        && param.ty == TypeRef::Scalar(Scalar::String)
    {
        return Ok(None);
    }
    if is_registry_auth(api, param) {
        return Ok(None);
    }
    let kind = match param.location {
        ParamLocation::Header => match kind(api, &param.ty)? {
            k @ Kind::StringEnum(_) => k,
            _ => Kind::Text,
        },
        _ => kind(api, &param.ty)?,
    };
    let number = |n: &serde_json::Number| -> Result<TokenStream, EmitError> {
        n.to_string()
            .parse()
            .map_err(|_| EmitError::Syntax(format!("default `{n}`")))
    };
    let is_zero = |n: &serde_json::Number| n.as_f64() == Some(0.0);
    Ok(match (kind, value) {
        (Kind::Bool, serde_json::Value::Bool(false)) => Some(quote! { unwrap_or_default() }),
        (Kind::Bool, serde_json::Value::Bool(true)) => Some(quote! { unwrap_or(true) }),
        (Kind::Number(_), serde_json::Value::Number(n)) if is_zero(n) => {
            Some(quote! { unwrap_or_default() })
        }
        (Kind::Number(_), serde_json::Value::Number(n)) => {
            let lit = number(n)?;
            Some(quote! { unwrap_or(#lit) })
        }
        (Kind::Text, serde_json::Value::String(s)) if s.is_empty() => {
            Some(quote! { unwrap_or_default() })
        }
        (Kind::Text, serde_json::Value::String(s)) => {
            Some(quote! { unwrap_or_else(|| String::from(#s)) })
        }
        (Kind::StringEnum(t), serde_json::Value::String(s)) => {
            Some(quote! { unwrap_or_else(|| #t::from(#s)) })
        }
        (Kind::IntEnum(t, _), serde_json::Value::Number(n)) => {
            let lit = number(n)?;
            Some(quote! { unwrap_or(#t::from(#lit)) })
        }
        _ => None,
    })
}
