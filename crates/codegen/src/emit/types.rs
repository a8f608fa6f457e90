//! The types emitter: one Rust module with a struct, enum or alias per
//! named type of the IR. The items (and their docs) are built with `quote`
//! and printed with `prettyplease`; their trait impls, regular boilerplate,
//! are written as text in the same layout (`serde_impls`, `enum_impls`,
//! `text`: see `serde_impls` for why).
//!
//! What the serde impls promise: a field the spec does not require is an
//! `Option` that is left out when `None`, so what we send is what Docker
//! sends and accepts; a required field that may be null (or an array or map,
//! which Go sends as `null` when empty) is an `Option` that is always sent.
//! Structs implement `Serialize`/`Deserialize` by hand (a map visitor each)
//! so that a decoded value also keeps, in its `rest` field, the keys the
//! spec does not declare and the nulls that broke those rules: encoding it
//! again gives back the same JSON. Enums keep values the spec does not list
//! in their `Other` variant.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::format::{doc_attrs, print_runs, space_items, unparse};
use super::rustdoc::doc_lines;
use super::EmitError;
use crate::ir::*;

pub(crate) mod derived_docs;
mod enum_impls;
mod serde_impls;
mod text;
mod union_impls;

use derived_docs::Uses;

/// The Rust source of the types module for `api` (without the header).
///
/// Each type is printed on its own (prettyplease prints a file's items one
/// after the other, so the text is the same as for one file), on up to
/// four threads, and the pieces are joined in the IR's order: the output
/// does not depend on the number of threads.
pub fn types_module(api: &Api) -> Result<String, EmitError> {
    let title = format!(
        " Types of {} (API version {}): one per definition and per inline",
        api.title.trim(),
        api.version.trim()
    );
    let has_structs = api
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Struct(_) | TypeKind::Union(_)));
    let support = has_structs.then(|| quote! { use engine_api_rt::serde_support as wire; });
    let mut text = unparse(quote! {
        #![doc = #title]
        #![doc = " object or enum schema of the spec."]
        #support
    })?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for piece in in_parallel(api, threads.clamp(1, 4))? {
        text.push_str(&piece);
    }
    Ok(space_items(&text))
}

/// The text of every type of `types`, in order, split into at most
/// `threads` contiguous runs of about equal weight printed on scoped threads.
fn in_parallel(api: &Api, threads: usize) -> Result<Vec<String>, EmitError> {
    let uses = Uses::of(api);
    // A struct's weight is its number of fields: its impls dominate.
    let weight = |t: &TypeDef| match &t.kind {
        TypeKind::Struct(s) => 2 + s.fields.len(),
        TypeKind::StringEnum(e) => 1 + e.variants.len() / 2,
        TypeKind::IntEnum(e) => 1 + e.variants.len() / 2,
        TypeKind::Alias(_) => 1,
        TypeKind::Union(u) => 2 + u.variants.len(),
    };
    print_runs(&api.types, threads, weight, |def, out: &mut String| {
        type_text(api, &uses, def, out)
    })
}

/// Appends the text of one type: its item, then its impls.
fn type_text(api: &Api, uses: &Uses, def: &TypeDef, out: &mut String) -> Result<(), EmitError> {
    out.push_str(&unparse(type_def(api, uses, def)?)?);
    match &def.kind {
        TypeKind::Struct(s) => serde_impls::struct_impls(out, &def.name, s, &rest_field_name(s)),
        TypeKind::StringEnum(e) => enum_impls::string_enum_impls(out, &def.name, e),
        TypeKind::IntEnum(e) => enum_impls::int_enum_impls(out, &def.name, e),
        TypeKind::Alias(_) => Ok(()),
        TypeKind::Union(u) => union_impls::union_impls(out, &def.name, u),
    }
}

/// An identifier from an IR name (`r#type` for raw identifiers); an error,
/// not a panic, when the IR holds something that is not one.
///
/// Every name of every type, field and call comes through here, so the
/// usual one, a plain ASCII identifier (raw or not), is checked by hand;
/// anything else goes to syn's parser, which decides as it always has.
pub(crate) fn ident(name: &str) -> Result<syn::Ident, EmitError> {
    let span = proc_macro2::Span::call_site();
    match name.strip_prefix("r#") {
        None if is_plain_ident(name) && !SYN_KEYWORDS.contains(&name) => {
            return Ok(syn::Ident::new(name, span));
        }
        Some(raw) if is_plain_ident(raw) && !NOT_RAW.contains(&raw) => {
            return Ok(syn::Ident::new_raw(raw, span));
        }
        _ => {}
    }
    syn::parse_str::<syn::Ident>(name).map_err(|_| EmitError::BadName(name.to_string()))
}

/// An ASCII letter or `_`, then letters, digits and `_`.
fn is_plain_ident(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The words syn refuses as an identifier unless raw (syn 2's list, which
/// the test `ident_agrees_with_syn` holds this to).
const SYN_KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Words that cannot be raw identifiers either (`r#self` is no name).
const NOT_RAW: &[&str] = &["_", "crate", "self", "Self", "super"];

pub(crate) fn docs(text: Option<&str>) -> TokenStream {
    doc_attrs(&text.map(doc_lines).unwrap_or_default())
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
        // Maps of objects keep their entries in a flat vector in arrival
        // order (deterministic on output): a B-tree node holds 11 values
        // inline, so a one-entry map of a large struct (a container's
        // `Networks`) would allocate and move kilobytes.
        TypeRef::Map(value) if matches!(**value, TypeRef::Named(_)) => {
            let value = type_tokens(value)?;
            quote! { indexmap::IndexMap<String, #value> }
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

/// A type's item, with docs on it and on everything public in it (see
/// `derived_docs` for what the spec leaves undescribed).
fn type_def(api: &Api, uses: &Uses, def: &TypeDef) -> Result<TokenStream, EmitError> {
    let doc = docs(Some(&uses.type_doc(def)));
    let name = ident(&def.name)?;
    match &def.kind {
        TypeKind::Struct(s) => strukt(api, def, s, doc),
        TypeKind::StringEnum(e) => string_enum(def, e, doc),
        TypeKind::IntEnum(e) => int_enum(def, e, doc),
        TypeKind::Alias(t) => {
            let t = type_tokens(t)?;
            Ok(quote! { #doc pub type #name = #t; })
        }
        TypeKind::Union(u) => union(def, u, doc),
    }
}

/// The name of the field that keeps the rest of the JSON object: `rest`,
/// or `rest_`, `rest__`... when the spec already has a field of that name.
pub fn rest_field_name(s: &Struct) -> String {
    let taken = |n: &str| {
        s.fields.iter().any(|f| f.name == n) || s.extra.as_ref().is_some_and(|e| e.name == n)
    };
    let mut name = String::from("rest");
    while taken(&name) {
        name.push('_');
    }
    name
}

const REST_DOC: [&str; 4] = [
    " The rest of the JSON object: keys the spec does not declare (an older or",
    " newer daemon's fields), and which `None` fields broke the usual rule (sent",
    " as `null`, or left out), so that encoding gives back what was decoded.",
    " `Default::default()` when building a value.",
];

/// A struct; its serde impls are written by `serde_impls` (see there why
/// as text), and keep the rest of the object in the field `rest`: see
/// `engine_api_rt::serde_support` for what it records.
fn strukt(
    api: &Api,
    def: &TypeDef,
    s: &Struct,
    doc: TokenStream,
) -> Result<TokenStream, EmitError> {
    let name = ident(&def.name)?;
    let default = def.default.then(|| quote! { Default, });
    let mut fields = Vec::new();
    let mut bits = 0usize;
    for f in &s.fields {
        let fname = ident(&f.name)?;
        let mut ty = type_tokens(&f.ty)?;
        if f.boxed {
            ty = quote! { Box<#ty> };
        }
        if f.presence != Presence::Required {
            ty = quote! { Option<#ty> };
            bits += 1;
        }
        let fdoc = docs(Some(&derived_docs::field_doc(api, f)));
        fields.push(quote! { #fdoc pub #fname: #ty, });
    }
    if let Some(extra) = &s.extra {
        let fname = ident(&extra.name)?;
        let value = type_tokens(&extra.value)?;
        fields.push(quote! {
            #[doc = " Keys beyond the declared properties."]
            pub #fname: std::collections::BTreeMap<String, #value>,
        });
    }
    let rest = ident(&rest_field_name(s))?;
    let words = Literal::usize_unsuffixed(bits.div_ceil(64));
    let rest_doc = REST_DOC.iter();
    fields.push(quote! { #(#[doc = #rest_doc])* pub #rest: wire::Rest<#words>, });
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default)]
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
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, #default)]
        pub enum #name {
            #(#variants)*
            #[doc = #FALLBACK_DOC]
            #fallback(String),
        }
    })
}

fn int_enum(def: &TypeDef, e: &IntEnum, doc: TokenStream) -> Result<TokenStream, EmitError> {
    let name = ident(&def.name)?;
    let fallback = ident(&e.fallback)?;
    let repr = scalar_tokens(e.repr);
    let default = e.default.is_some().then(|| quote! { Default, });
    let mut variants = Vec::new();
    for (i, v) in e.variants.iter().enumerate() {
        let vname = ident(&v.name)?;
        let vdoc = format!(" `{}`", v.value);
        let mark = (e.default == Some(i)).then(|| quote! { #[default] });
        variants.push(quote! { #[doc = #vdoc] #mark #vname, });
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #default)]
        pub enum #name {
            #(#variants)*
            #[doc = #FALLBACK_DOC]
            #fallback(#repr),
        }
    })
}

const OTHER_OBJECT_DOC: &str =
    " An object whose tag no branch has (a newer daemon may send one), kept as it was sent.";

/// A `oneOf`/`anyOf`: a variant per branch (see `union_impls` for how a
/// value finds its variant).
fn union(def: &TypeDef, u: &Union, doc: TokenStream) -> Result<TokenStream, EmitError> {
    let name = ident(&def.name)?;
    let mut variants = Vec::new();
    for v in &u.variants {
        let vname = ident(&v.name)?;
        let ty = type_tokens(&v.ty)?;
        let vdoc = match v.tags.as_slice() {
            [] => format!(" A value of the branch `{}`.", v.name),
            tags => {
                let tags: Vec<String> = tags
                    .iter()
                    .map(|t| format!("`{}`", t.replace('`', "'")))
                    .collect();
                format!(" The branch tagged {}.", tags.join(" or "))
            }
        };
        variants.push(quote! { #[doc = #vdoc] #vname(#ty), });
    }
    if let Tagging::Property { fallback, .. } = &u.tagging {
        let fallback = ident(fallback)?;
        variants.push(quote! { #[doc = #OTHER_OBJECT_DOC] #fallback(serde_json::Value), });
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    })
}

#[cfg(test)]
mod tests;
