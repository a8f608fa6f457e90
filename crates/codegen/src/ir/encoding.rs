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

use super::model::{Api, ParamLocation, Scalar, TypeDef, TypeKind, TypeRef};

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

/// How one parameter is put on (and read from) the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamEncoding {
    /// Substituted, percent-encoded, into the path template.
    Path(Text),
    /// One query key with the value's text (a boolean as Docker's `1`/`0`).
    Query(Text),
    /// A list whose items each go in a key of their own (`a=x&a=y`).
    QueryRepeated(Text),
    /// A list whose items are joined by commas in one key (`a=x,y`).
    QueryCsv(Text),
    /// `filters`: Docker's map of lists, as a JSON object in one key.
    QueryFilters,
    /// Any other value, as JSON text in one key.
    QueryJson,
    /// `X-Registry-Auth`: the spec's `AuthConfig` as base64url JSON.
    HeaderAuth,
    /// A header with the value's text (a string or a string enum).
    Header(Text),
    /// A cookie with the value's text.
    Cookie(Text),
}

/// A value with a text form: what one path segment, query value, header or
/// list item holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Bool,
    /// A number type, written and parsed with `Display`/`FromStr`.
    Number(Scalar),
    String,
    /// A generated string enum, by name (`as_str()`, `From<String>`).
    StringEnum(String),
    /// A generated integer enum, by name, and its integer type.
    IntEnum {
        name: String,
        repr: Scalar,
    },
}

impl Text {
    /// The type a value of this text form has.
    pub fn type_ref(&self) -> TypeRef {
        match self {
            Text::Bool => TypeRef::Scalar(Scalar::Bool),
            Text::Number(s) => TypeRef::Scalar(*s),
            Text::String => TypeRef::Scalar(Scalar::String),
            Text::StringEnum(name) | Text::IntEnum { name, .. } => TypeRef::Named(name.clone()),
        }
    }

    /// Whether values are passed by value (`Copy` types).
    pub fn is_copy(&self) -> bool {
        matches!(self, Text::Bool | Text::Number(_) | Text::IntEnum { .. })
    }
}

impl ParamEncoding {
    /// The value's text form, for the encodings that have one (a list's
    /// is its items').
    pub fn text(&self) -> Option<&Text> {
        match self {
            ParamEncoding::Path(t)
            | ParamEncoding::Query(t)
            | ParamEncoding::QueryRepeated(t)
            | ParamEncoding::QueryCsv(t)
            | ParamEncoding::Header(t)
            | ParamEncoding::Cookie(t) => Some(t),
            ParamEncoding::QueryFilters | ParamEncoding::QueryJson | ParamEncoding::HeaderAuth => {
                None
            }
        }
    }

    /// Whether the value is a list of text items.
    pub fn is_list(&self) -> bool {
        matches!(
            self,
            ParamEncoding::QueryRepeated(_) | ParamEncoding::QueryCsv(_)
        )
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
