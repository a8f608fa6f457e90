//! How each parameter travels on the wire, decided once from its location,
//! its resolved type and Docker's conventions, so that the client (which
//! encodes) and the server (which decodes) can never disagree.
//!
//! The conventions: `filters` given as a JSON string is Docker's filter map
//! (`rt::Filters`); `X-Registry-Auth` is an `AuthConfig` sent as base64url
//! JSON (when the spec has that type); booleans are `1`/`0` in a query;
//! lists of strings are repeated keys or comma-joined; anything that has no
//! text form in a query is JSON text; path, header and cookie values that
//! have no text form are taken as plain strings.

use std::collections::BTreeMap;

use super::model::{Api, ParamEncoding, ParamLocation, Scalar, Text, TypeDef, TypeKind, TypeRef};

/// Where the kinds of named types are looked up: the finished [`Api`], or
/// the types lowered so far while the IR is built.
pub trait TypeLookup {
    fn kind_of(&self, name: &str) -> Option<&TypeKind>;
}

impl TypeLookup for Api {
    fn kind_of(&self, name: &str) -> Option<&TypeKind> {
        self.type_named(name).map(|t| &t.kind)
    }
}

impl TypeLookup for BTreeMap<String, TypeDef> {
    fn kind_of(&self, name: &str) -> Option<&TypeKind> {
        self.get(name).map(|t| &t.kind)
    }
}

/// The text form of `ty`, following aliases; `None` for objects, maps,
/// lists and untyped values.
pub fn text_of(api: &impl TypeLookup, ty: &TypeRef) -> Option<Text> {
    let mut ty = ty;
    // Aliases of aliases end: `recursion::alias_cycle` refused cycles, and
    // the bound keeps a malformed IR from looping.
    for _ in 0..16 {
        match ty {
            TypeRef::Scalar(Scalar::Bool) => return Some(Text::Bool),
            TypeRef::Scalar(Scalar::String) => return Some(Text::String),
            TypeRef::Scalar(Scalar::Any | Scalar::Bytes) => return None,
            TypeRef::Scalar(s) => return Some(Text::Number(*s)),
            TypeRef::Named(n) => match api.kind_of(n) {
                Some(TypeKind::StringEnum(_)) => return Some(Text::StringEnum(n.clone())),
                Some(TypeKind::IntEnum(e)) => {
                    return Some(Text::IntEnum {
                        name: n.clone(),
                        repr: e.repr,
                    })
                }
                Some(TypeKind::Alias(inner)) => ty = inner,
                _ => return None,
            },
            TypeRef::List(_) | TypeRef::Map(_) | TypeRef::Nullable(_) => return None,
        }
    }
    None
}

/// The encoding of a parameter at `location` with type `ty` and wire name
/// `wire`; `explode` asks for repeated keys for a list.
pub(crate) fn decide(
    api: &impl TypeLookup,
    location: ParamLocation,
    wire: &str,
    ty: &TypeRef,
    explode: bool,
) -> ParamEncoding {
    // Outside a query only strings and string enums keep their type; a
    // header or path segment of any other type is handed over as a string.
    let plain = |keep_scalars: bool| match text_of(api, ty) {
        Some(t @ Text::StringEnum(_)) => t,
        Some(t) if keep_scalars => t,
        _ => Text::String,
    };
    match location {
        ParamLocation::Path => ParamEncoding::Path(plain(true)),
        ParamLocation::Cookie => ParamEncoding::Cookie(plain(true)),
        ParamLocation::Header
            if wire.eq_ignore_ascii_case("x-registry-auth")
                && api.kind_of("AuthConfig").is_some() =>
        {
            ParamEncoding::HeaderAuth
        }
        ParamLocation::Header => ParamEncoding::Header(plain(false)),
        ParamLocation::Query if wire == "filters" && *ty == TypeRef::Scalar(Scalar::String) => {
            ParamEncoding::QueryFilters
        }
        ParamLocation::Query => {
            if let TypeRef::List(item) = ty {
                return match text_of(api, item) {
                    Some(t @ (Text::String | Text::StringEnum(_))) if explode => {
                        ParamEncoding::QueryRepeated(t)
                    }
                    Some(t @ (Text::String | Text::StringEnum(_))) => ParamEncoding::QueryCsv(t),
                    _ => ParamEncoding::QueryJson,
                };
            }
            match text_of(api, ty) {
                Some(t) => ParamEncoding::Query(t),
                None => ParamEncoding::QueryJson,
            }
        }
    }
}
