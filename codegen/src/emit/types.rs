//! The types emitter: one Rust module with a struct, enum or alias per
//! named type of the IR, built with `quote` and printed with `prettyplease`.
//!
//! What the serde attributes promise: a field the spec does not require is
//! an `Option` that is skipped when `None`, so what we send is what Docker
//! sends and accepts; a required field that may be null (or an array or map,
//! which Go sends as `null` when empty) is an `Option` that is always sent.
//! Enums keep values the spec does not list in their `Other` variant.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rustdoc::doc_lines;
use super::EmitError;
use crate::ir::*;

/// The Rust source of the types module for `api` (without the header).
pub fn types_module(api: &Api) -> Result<String, EmitError> {
    let mut items = Vec::new();
    for def in &api.types {
        items.push(type_def(def)?);
    }
    let title = format!(
        " Types of {} (API version {}): one per definition and per inline",
        api.title.trim(),
        api.version.trim()
    );
    let tokens = quote! {
        #![doc = #title]
        #![doc = " object or enum schema of the spec."]
        #(#items)*
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| EmitError::Syntax(e.to_string()))?;
    Ok(space_items(&prettyplease::unparse(&file)))
}

/// A blank line after the module docs and between top-level items, which
/// prettyplease prints back to back.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.peek() else { break };
        let ends_item = line == "}" || (!line.starts_with([' ', '/', '#']) && line.ends_with(';'));
        let ends_docs = line.starts_with("//!") && !next.starts_with("//!");
        if (ends_item || ends_docs) && !next.is_empty() {
            out.push('\n');
        }
    }
    out
}

/// An identifier from an IR name (`r#type` for raw identifiers); an error,
/// not a panic, when the IR holds something that is not one.
pub(crate) fn ident(name: &str) -> Result<syn::Ident, EmitError> {
    syn::parse_str::<syn::Ident>(name).map_err(|_| EmitError::BadName(name.to_string()))
}

pub(crate) fn docs(text: Option<&str>) -> TokenStream {
    let lines = text.map(doc_lines).unwrap_or_default();
    let lines = lines.iter().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #(#[doc = #lines])* }
}

/// The Rust type of a type expression.
pub(crate) fn type_tokens(ty: &TypeRef) -> Result<TokenStream, EmitError> {
    Ok(match ty {
        TypeRef::Scalar(s) => scalar_tokens(*s),
        TypeRef::Named(n) => {
            let n = ident(n)?;
            quote! { #n }
        }
        TypeRef::List(item) => {
            let item = type_tokens(item)?;
            quote! { Vec<#item> }
        }
        TypeRef::Map(value) => {
            let value = type_tokens(value)?;
            quote! { std::collections::BTreeMap<String, #value> }
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner)?;
            quote! { Option<#inner> }
        }
    })
}

fn scalar_tokens(s: Scalar) -> TokenStream {
    match s {
        Scalar::Bool => quote! { bool },
        Scalar::I8 => quote! { i8 },
        Scalar::I16 => quote! { i16 },
        Scalar::I32 => quote! { i32 },
        Scalar::I64 => quote! { i64 },
        Scalar::U8 => quote! { u8 },
        Scalar::U16 => quote! { u16 },
        Scalar::U32 => quote! { u32 },
        Scalar::U64 => quote! { u64 },
        Scalar::F32 => quote! { f32 },
        Scalar::F64 => quote! { f64 },
        Scalar::String => quote! { String },
        Scalar::Bytes => quote! { Vec<u8> },
        Scalar::Any => quote! { serde_json::Value },
    }
}

fn type_def(def: &TypeDef) -> Result<TokenStream, EmitError> {
    let doc = docs(def.doc.as_deref());
    let name = ident(&def.name)?;
    match &def.kind {
        TypeKind::Struct(s) => strukt(def, s, doc),
        TypeKind::StringEnum(e) => string_enum(def, e, doc),
        TypeKind::IntEnum(e) => int_enum(def, e, doc),
        TypeKind::Alias(t) => {
            let t = type_tokens(t)?;
            Ok(quote! { #doc pub type #name = #t; })
        }
    }
}

fn strukt(def: &TypeDef, s: &Struct, doc: TokenStream) -> Result<TokenStream, EmitError> {
    let name = ident(&def.name)?;
    let default = def.default.then(|| quote! { Default, });
    let mut fields = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.name)?;
        let mut ty = type_tokens(&f.ty)?;
        if f.boxed {
            ty = quote! { Box<#ty> };
        }
        let fdoc = docs(f.doc.as_deref());
        let mut serde = Vec::new();
        if f.name.strip_prefix("r#").unwrap_or(&f.name) != f.wire {
            let wire = &f.wire;
            serde.push(quote! { rename = #wire });
        }
        match f.presence {
            Presence::Required => {}
            Presence::RequiredNullable => {
                ty = quote! { Option<#ty> };
                serde.push(quote! { default });
            }
            Presence::Optional => {
                ty = quote! { Option<#ty> };
                serde.push(quote! { default, skip_serializing_if = "Option::is_none" });
            }
        }
        let attr = (!serde.is_empty()).then(|| quote! { #[serde(#(#serde),*)] });
        fields.push(quote! { #fdoc #attr pub #fname: #ty, });
    }
    if let Some(extra) = &s.extra {
        let fname = ident(&extra.name)?;
        let value = type_tokens(&extra.value)?;
        fields.push(quote! {
            #[doc = " Keys beyond the declared properties."]
            #[serde(flatten)]
            pub #fname: std::collections::BTreeMap<String, #value>,
        });
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
        }
    })
}

const FALLBACK_DOC: &str =
    " A value the spec does not list (a newer daemon may send one), kept as it was sent.";

fn string_enum(def: &TypeDef, e: &StringEnum, doc: TokenStream) -> Result<TokenStream, EmitError> {
    let name = ident(&def.name)?;
    let fallback = ident(&e.fallback)?;
    let default = e.default.is_some().then(|| quote! { Default, });
    let mut variants = Vec::new();
    let mut as_str = Vec::new();
    let mut from = Vec::new();
    for (i, v) in e.variants.iter().enumerate() {
        let vname = ident(&v.name)?;
        let value = &v.value;
        let vdoc = if value.is_empty() {
            " The empty string.".to_string()
        } else {
            format!(" `{}`", value.replace('`', "'"))
        };
        let mark = (e.default == Some(i)).then(|| quote! { #[default] });
        variants.push(quote! { #[doc = #vdoc] #mark #vname, });
        as_str.push(quote! { Self::#vname => #value, });
        from.push(quote! { #value => Self::#vname, });
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, #default)]
        pub enum #name {
            #(#variants)*
            #[doc = #FALLBACK_DOC]
            #fallback(String),
        }

        impl #name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::#fallback(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from)*
                    other => Self::#fallback(other.to_string()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from)*
                    _ => Self::#fallback(value),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    })
}

fn int_enum(def: &TypeDef, e: &IntEnum, doc: TokenStream) -> Result<TokenStream, EmitError> {
    let name = ident(&def.name)?;
    let fallback = ident(&e.fallback)?;
    let repr = scalar_tokens(e.repr);
    let default = e.default.is_some().then(|| quote! { Default, });
    let mut variants = Vec::new();
    let mut value_arms = Vec::new();
    let mut from_arms = Vec::new();
    for (i, v) in e.variants.iter().enumerate() {
        let vname = ident(&v.name)?;
        let lit = Literal::i64_unsuffixed(v.value);
        let vdoc = format!(" `{}`", v.value);
        let mark = (e.default == Some(i)).then(|| quote! { #[default] });
        variants.push(quote! { #[doc = #vdoc] #mark #vname, });
        value_arms.push(quote! { Self::#vname => #lit, });
        from_arms.push(quote! { #lit => Self::#vname, });
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #default)]
        pub enum #name {
            #(#variants)*
            #[doc = #FALLBACK_DOC]
            #fallback(#repr),
        }

        impl #name {
            /// The value as it appears on the wire.
            pub fn value(self) -> #repr {
                match self {
                    #(#value_arms)*
                    Self::#fallback(value) => value,
                }
            }
        }

        impl From<#repr> for #name {
            fn from(value: #repr) -> Self {
                match value {
                    #(#from_arms)*
                    other => Self::#fallback(other),
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.value(), serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <#repr as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    })
}
