//! The IR's data: named types and operations, resolved and independent of
//! Rust syntax (names are already Rust-shaped, but nothing here is a token).

use std::fmt;

/// Everything the emitters need from one spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Every named type, sorted by name.
    pub types: Vec<TypeDef>,
    /// Every operation, in the spec's order (paths, then methods).
    pub operations: Vec<Operation>,
}

impl Api {
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.types[i])
    }
}

/// A named type: a definition or a hoisted inline schema.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The Rust type name (UpperCamelCase, never a keyword).
    pub name: String,
    pub doc: Option<String>,
    /// The JSON pointer of the schema in the source spec.
    pub source: String,
    pub kind: TypeKind,
    /// Whether every field has a sensible default (`#[derive(Default)]`).
    pub default: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    StringEnum(StringEnum),
    IntEnum(IntEnum),
    /// Another name for a type expression (`Vec<X>`, a map, a primitive).
    Alias(TypeRef),
    /// One of several schemas (`oneOf`/`anyOf`): an enum with a variant per
    /// branch.
    Union(Union),
}

/// A value that is one of several types.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    /// How a value says which variant it is.
    pub tagging: Tagging,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tagging {
    /// By its shape: the first branch (in the spec's order) that decodes it.
    Untagged,
    /// By the string in the object's property `property` (an OAS 3
    /// `discriminator`); `fallback` is the variant that keeps an object
    /// whose tag no branch has.
    Property { property: String, fallback: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: TypeRef,
    /// The tag values that select this variant (empty when untagged).
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` next to `properties`: the other keys.
    pub extra: Option<Extra>,
}

/// The map of keys an object has beyond its declared properties.
#[derive(Clone, Debug, PartialEq)]
pub struct Extra {
    pub name: String,
    pub value: TypeRef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The Rust field name (snake_case, keywords as raw identifiers).
    pub name: String,
    /// The key on the wire.
    pub wire: String,
    pub ty: TypeRef,
    pub presence: Presence,
    pub doc: Option<String>,
    /// Set when the field is part of a cycle of direct containment.
    pub boxed: bool,
}

/// How a field appears in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Always there, never null.
    Required,
    /// Always there, but may be null (`x-nullable`, or an array or map the
    /// daemon sends as `null` when empty).
    RequiredNullable,
    /// May be missing (and then is not sent).
    Optional,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StringEnum {
    pub variants: Vec<Variant>,
    /// The variant that keeps a value the spec does not list.
    pub fallback: String,
    /// The index of the spec's `default`, when it names a listed value.
    pub default: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntEnum {
    pub repr: Scalar,
    pub variants: Vec<IntVariant>,
    pub fallback: String,
    pub default: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntVariant {
    pub name: String,
    pub value: i64,
}

/// Built-in value types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    String,
    /// Raw bytes (`format: binary`).
    Bytes,
    /// Anything (`serde_json::Value`): untyped schemas.
    Any,
}

/// A type expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Scalar(Scalar),
    Named(String),
    List(Box<TypeRef>),
    /// A JSON object with string keys.
    Map(Box<TypeRef>),
    /// An array item or map value that may be `null`.
    Nullable(Box<TypeRef>),
}

impl TypeRef {
    pub fn is_collection(&self) -> bool {
        matches!(self, TypeRef::List(_) | TypeRef::Map(_))
    }
}

/// One operation of the API.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// The Rust-shaped name (UpperCamelCase of the operationId).
    pub name: String,
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl fmt::Display for ParamLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The Rust field name.
    pub name: String,
    pub wire: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub doc: Option<String>,
    pub default: Option<serde_json::Value>,
    /// How the value goes on the wire: decided here once, for the client
    /// and the server alike.
    pub encoding: ParamEncoding,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub required: bool,
    pub doc: Option<String>,
    /// Every content type the operation accepts, in the spec's order.
    pub content_types: Vec<String>,
    /// The type of the first content type's schema.
    pub ty: Option<TypeRef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// "200", "4XX" or "default".
    pub status: String,
    pub doc: String,
    pub content_types: Vec<String>,
    pub ty: Option<TypeRef>,
    pub headers: Vec<ResponseHeader>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResponseHeader {
    pub name: String,
    pub ty: TypeRef,
    pub doc: Option<String>,
}

// Which encoding a parameter gets is decided in `encoding`; these are
// the data it decides.

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
