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
use crate::ir::{Param, ParamEncoding, ParamLocation, Text, TypeRef};

/// The struct and nothing else: decoding lives in `decode_fields`.
pub(super) fn request_struct(p: &Plan) -> Result<TokenStream, EmitError> {
    let name = ident(&p.request)?;
    let mut fields = Vec::new();
    for param in &p.op.params {
        let Some(field) = field(param)? else {
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
pub(super) fn decode_fields(p: &Plan) -> Result<Vec<TokenStream>, EmitError> {
    let mut out = Vec::new();
    let mut path_index = 0usize;
    for param in &p.op.params {
        let Some(field) = field(param)? else {
            continue;
        };
        let fname = ident(&param.name)?;
        let expr = match param.location {
            ParamLocation::Path => {
                let i = Literal::usize_unsuffixed(path_index);
                path_index += 1;
                path_value(param, quote! { cx.path(#i) })?
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

/// The Rust type of a value of text form `t`.
fn text_type(t: &Text) -> Result<TokenStream, EmitError> {
    type_tokens(&t.type_ref())
}

fn field(param: &Param) -> Result<Option<Field>, EmitError> {
    let wire = param.wire.as_str();
    let what = format!("{} `{}`", where_(param).to_lowercase(), wire);
    let (ty, expr) = match &param.encoding {
        ParamEncoding::Cookie(_) => return Ok(None),
        // Decoded in `decode_fields` (the index is positional).
        ParamEncoding::Path(t) => {
            return Ok(Some(Field {
                ty: text_type(t)?,
                expr: quote! {},
            }))
        }
        ParamEncoding::HeaderAuth => (
            quote! { AuthConfig },
            quote! { cx.registry_auth::<AuthConfig>(#wire)? },
        ),
        ParamEncoding::Header(t @ Text::StringEnum(_)) => {
            let t = text_type(t)?;
            (t.clone(), quote! { cx.header(#wire)?.map(#t::from) })
        }
        ParamEncoding::Header(_) => (quote! { String }, quote! { cx.header(#wire)? }),
        ParamEncoding::QueryRepeated(t) | ParamEncoding::QueryCsv(t) => {
            return Ok(Some(list_field(param, t)?));
        }
        ParamEncoding::QueryJson if matches!(param.ty, TypeRef::List(_)) => {
            // A list without a text form: JSON text; absent means empty.
            let t = type_tokens(&param.ty)?;
            return Ok(Some(Field {
                ty: t.clone(),
                expr: quote! { cx.json_query::<#t>(#wire)?.unwrap_or_default() },
            }));
        }
        ParamEncoding::QueryJson => {
            let t = type_tokens(&param.ty)?;
            (t.clone(), quote! { cx.json_query::<#t>(#wire)? })
        }
        ParamEncoding::QueryFilters => (quote! { rt::Filters }, quote! { cx.filters(#wire)? }),
        ParamEncoding::Query(text) => {
            let t = text_type(text)?;
            match text {
                Text::Bool => (t, quote! { cx.bool(#wire)? }),
                Text::Number(_) => (t.clone(), quote! { cx.number::<#t>(#wire)? }),
                Text::String => (t, quote! { cx.string(#wire) }),
                Text::StringEnum(_) => (t.clone(), quote! { cx.string(#wire).map(#t::from) }),
                Text::IntEnum { repr, .. } => {
                    let r = type_tokens(&TypeRef::Scalar(*repr))?;
                    (t.clone(), quote! { cx.number::<#r>(#wire)?.map(#t::from) })
                }
            }
        }
    };
    if param.required {
        return Ok(Some(Field {
            ty,
            expr: quote! { rt::required(#expr, #what)? },
        }));
    }
    if let Some(unwrap) = default_value(param)? {
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

/// Lists of strings or string enums: repeated keys (`names=a&names=b`),
/// as the docker CLI sends them, or one comma-joined key; absent means
/// empty.
fn list_field(param: &Param, item: &Text) -> Result<Field, EmitError> {
    let wire = param.wire.as_str();
    let raw = match param.encoding {
        ParamEncoding::QueryCsv(_) => quote! {
            cx.strings(#wire)
                .iter()
                .flat_map(|v| v.split(','))
                .filter(|v| !v.is_empty())
                .map(String::from)
        },
        _ => quote! { cx.strings(#wire).into_iter() },
    };
    let t = text_type(item)?;
    Ok(match item {
        Text::StringEnum(_) => Field {
            ty: quote! { Vec<#t> },
            expr: quote! { #raw.map(#t::from).collect() },
        },
        _ => Field {
            ty: quote! { Vec<#t> },
            expr: match param.encoding {
                ParamEncoding::QueryCsv(_) => quote! { #raw.collect() },
                _ => quote! { cx.strings(#wire) },
            },
        },
    })
}

/// A path segment (`raw`) as the field's value.
fn path_value(param: &Param, raw: TokenStream) -> Result<TokenStream, EmitError> {
    let wire = &param.wire;
    let ParamEncoding::Path(text) = &param.encoding else {
        return Ok(raw);
    };
    let t = text_type(text)?;
    Ok(match text {
        Text::String => raw,
        Text::StringEnum(_) => quote! { #t::from(#raw) },
        Text::Bool | Text::Number(_) => quote! { rt::parse_path::<#t>(#raw, #wire)? },
        Text::IntEnum { repr, .. } => {
            let r = type_tokens(&TypeRef::Scalar(*repr))?;
            quote! { #t::from(rt::parse_path::<#r>(#raw, #wire)?) }
        }
    })
}

/// The `unwrap_or...` call that applies a parameter's documented default,
/// when its type has a literal form.
fn default_value(param: &Param) -> Result<Option<TokenStream>, EmitError> {
    let Some(value) = &param.default else {
        return Ok(None);
    };
    let text = match &param.encoding {
        ParamEncoding::Query(t) | ParamEncoding::Header(t) => t,
        _ => return Ok(None),
    };
    let number = |n: &serde_json::Number| -> Result<TokenStream, EmitError> {
        n.to_string()
            .parse()
            .map_err(|_| EmitError::Syntax(format!("default `{n}`")))
    };
    let is_zero = |n: &serde_json::Number| n.as_f64() == Some(0.0);
    let t = text_type(text)?;
    Ok(match (text, value) {
        (Text::Bool, serde_json::Value::Bool(false)) => Some(quote! { unwrap_or_default() }),
        (Text::Bool, serde_json::Value::Bool(true)) => Some(quote! { unwrap_or(true) }),
        (Text::Number(_), serde_json::Value::Number(n)) if is_zero(n) => {
            Some(quote! { unwrap_or_default() })
        }
        (Text::Number(_), serde_json::Value::Number(n)) => {
            let lit = number(n)?;
            Some(quote! { unwrap_or(#lit) })
        }
        (Text::String, serde_json::Value::String(s)) if s.is_empty() => {
            Some(quote! { unwrap_or_default() })
        }
        (Text::String, serde_json::Value::String(s)) => {
            Some(quote! { unwrap_or_else(|| String::from(#s)) })
        }
        (Text::StringEnum(_), serde_json::Value::String(s)) => {
            Some(quote! { unwrap_or_else(|| #t::from(#s)) })
        }
        (Text::IntEnum { .. }, serde_json::Value::Number(n)) => {
            let lit = number(n)?;
            Some(quote! { unwrap_or(#t::from(#lit)) })
        }
        _ => None,
    })
}
