//! The object model of Swagger 2.0 and OpenAPI 3.0.x: which keys each object
//! allows, which it requires, and what type each value has.
//!
//! Each object kind is a table of fields ([`Field`]); one walker applies the
//! tables. `x-` extensions are allowed on every object that the
//! specifications open to them.

use super::{Diagnostic, Rule, SpecVersion};
use crate::load::{Node, Value};
use crate::pointer::join;

/// What a field's value must be.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    Int,
    Num,
    Any,
    StrList,
    /// A string from a fixed set.
    OneOf(&'static [&'static str]),
    Obj(Kind),
    /// Either a `$ref` object or the kind itself.
    RefOr(Kind),
    List(Ty2),
    Map(Ty2),
    /// A Swagger schema's `type`: a string or (Swagger 2) a list of strings.
    SchemaType,
    /// `additionalProperties`: a boolean or a schema.
    BoolOrSchema,
    /// `items` in Swagger 2 schemas: a schema or a list of schemas.
    SchemaOrList,
}

/// The element type of a list or map (one level of indirection keeps `Ty` Copy).
#[derive(Clone, Copy)]
enum Ty2 {
    Obj(Kind),
    RefOr(Kind),
    Str,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    // Swagger 2.0
    S2Root,
    S2Paths,
    S2PathItem,
    S2Operation,
    S2Parameter,
    S2Items,
    S2Responses,
    S2Response,
    S2Header,
    S2Schema,
    S2SecurityScheme,
    // OpenAPI 3.0
    O3Root,
    O3Server,
    O3ServerVariable,
    O3Components,
    O3Paths,
    O3PathItem,
    O3Operation,
    O3Parameter,
    O3RequestBody,
    O3MediaType,
    O3Encoding,
    O3Responses,
    O3Response,
    O3Header,
    O3Example,
    O3Link,
    O3Callback,
    O3Schema,
    O3Discriminator,
    O3SecurityScheme,
    O3OAuthFlows,
    O3OAuthFlow,
    // Shared
    Info,
    Contact,
    License,
    Tag,
    ExternalDocs,
    Xml,
    SecurityRequirement,
}

struct Field {
    name: &'static str,
    ty: Ty,
    required: bool,
}

const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const JSON_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];
const S2_PARAM_IN: &[&str] = &["query", "header", "path", "formData", "body"];
const S2_PARAM_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "file"];
const S2_ITEM_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array"];
const COLLECTION_FORMATS: &[&str] = &["csv", "ssv", "tsv", "pipes", "multi"];
const O3_PARAM_IN: &[&str] = &["query", "header", "path", "cookie"];
const O3_STYLES: &[&str] = &[
    "matrix",
    "label",
    "form",
    "simple",
    "spaceDelimited",
    "pipeDelimited",
    "deepObject",
];
const S2_SEC_TYPES: &[&str] = &["basic", "apiKey", "oauth2"];
const O3_SEC_TYPES: &[&str] = &["apiKey", "http", "oauth2", "openIdConnect"];

/// Validation keywords shared by Swagger 2 parameters, items and headers.
macro_rules! s2_simple_fields {
    () => {
        [
            f("format", Ty::Str),
            f("items", Ty::Obj(Kind::S2Items)),
            f("collectionFormat", Ty::OneOf(COLLECTION_FORMATS)),
            f("default", Ty::Any),
            f("maximum", Ty::Num),
            f("exclusiveMaximum", Ty::Bool),
            f("minimum", Ty::Num),
            f("exclusiveMinimum", Ty::Bool),
            f("maxLength", Ty::Int),
            f("minLength", Ty::Int),
            f("pattern", Ty::Str),
            f("maxItems", Ty::Int),
            f("minItems", Ty::Int),
            f("uniqueItems", Ty::Bool),
            f("enum", Ty::Any),
            f("multipleOf", Ty::Num),
        ]
    };
}

/// JSON Schema keywords common to both versions' Schema Objects.
macro_rules! schema_common {
    ($k:expr) => {
        [
            f("$ref", Ty::Str),
            f("format", Ty::Str),
            f("title", Ty::Str),
            f("description", Ty::Str),
            f("default", Ty::Any),
            f("multipleOf", Ty::Num),
            f("maximum", Ty::Num),
            f("exclusiveMaximum", Ty::Bool),
            f("minimum", Ty::Num),
            f("exclusiveMinimum", Ty::Bool),
            f("maxLength", Ty::Int),
            f("minLength", Ty::Int),
            f("pattern", Ty::Str),
            f("maxItems", Ty::Int),
            f("minItems", Ty::Int),
            f("uniqueItems", Ty::Bool),
            f("maxProperties", Ty::Int),
            f("minProperties", Ty::Int),
            f("required", Ty::StrList),
            f("enum", Ty::Any),
            f("additionalProperties", Ty::BoolOrSchema),
            f("allOf", Ty::List(Ty2::Obj($k))),
            f("properties", Ty::Map(Ty2::Obj($k))),
            f("readOnly", Ty::Bool),
            f("xml", Ty::Obj(Kind::Xml)),
            f("externalDocs", Ty::Obj(Kind::ExternalDocs)),
            f("example", Ty::Any),
        ]
    };
}

static S2_ROOT: &[Field] = &[
    req("swagger", Ty::OneOf(&["2.0"])),
    req("info", Ty::Obj(Kind::Info)),
    f("host", Ty::Str),
    f("basePath", Ty::Str),
    f("schemes", Ty::StrList),
    f("consumes", Ty::StrList),
    f("produces", Ty::StrList),
    req("paths", Ty::Obj(Kind::S2Paths)),
    f("definitions", Ty::Map(Ty2::Obj(Kind::S2Schema))),
    f("parameters", Ty::Map(Ty2::Obj(Kind::S2Parameter))),
    f("responses", Ty::Map(Ty2::Obj(Kind::S2Response))),
    f(
        "securityDefinitions",
        Ty::Map(Ty2::Obj(Kind::S2SecurityScheme)),
    ),
    f("security", Ty::List(Ty2::Obj(Kind::SecurityRequirement))),
    f("tags", Ty::List(Ty2::Obj(Kind::Tag))),
    f("externalDocs", Ty::Obj(Kind::ExternalDocs)),
];
static INFO: &[Field] = &[
    req("title", Ty::Str),
    f("description", Ty::Str),
    f("termsOfService", Ty::Str),
    f("contact", Ty::Obj(Kind::Contact)),
    f("license", Ty::Obj(Kind::License)),
    req("version", Ty::Str),
];
static CONTACT: &[Field] = &[f("name", Ty::Str), f("url", Ty::Str), f("email", Ty::Str)];
static LICENSE: &[Field] = &[req("name", Ty::Str), f("url", Ty::Str)];
static TAG: &[Field] = &[
    req("name", Ty::Str),
    f("description", Ty::Str),
    f("externalDocs", Ty::Obj(Kind::ExternalDocs)),
];
static EXTERNAL_DOCS: &[Field] = &[f("description", Ty::Str), req("url", Ty::Str)];
static XML: &[Field] = &[
    f("name", Ty::Str),
    f("namespace", Ty::Str),
    f("prefix", Ty::Str),
    f("attribute", Ty::Bool),
    f("wrapped", Ty::Bool),
];
static S2_PATH_ITEM: &[Field] = &[
    f("$ref", Ty::Str),
    f("get", Ty::Obj(Kind::S2Operation)),
    f("put", Ty::Obj(Kind::S2Operation)),
    f("post", Ty::Obj(Kind::S2Operation)),
    f("delete", Ty::Obj(Kind::S2Operation)),
    f("options", Ty::Obj(Kind::S2Operation)),
    f("head", Ty::Obj(Kind::S2Operation)),
    f("patch", Ty::Obj(Kind::S2Operation)),
    f("parameters", Ty::List(Ty2::RefOr(Kind::S2Parameter))),
];
static S2_OPERATION: &[Field] = &[
    f("tags", Ty::StrList),
    f("summary", Ty::Str),
    f("description", Ty::Str),
    f("externalDocs", Ty::Obj(Kind::ExternalDocs)),
    f("operationId", Ty::Str),
    f("consumes", Ty::StrList),
    f("produces", Ty::StrList),
    f("parameters", Ty::List(Ty2::RefOr(Kind::S2Parameter))),
    req("responses", Ty::Obj(Kind::S2Responses)),
    f("schemes", Ty::StrList),
    f("deprecated", Ty::Bool),
    f("security", Ty::List(Ty2::Obj(Kind::SecurityRequirement))),
];
static S2_PARAM_BODY: &[Field] = &[
    req("name", Ty::Str),
    req("in", Ty::OneOf(S2_PARAM_IN)),
    f("description", Ty::Str),
    f("required", Ty::Bool),
    req("schema", Ty::Obj(Kind::S2Schema)),
];
static S2_PARAM_OTHER: &[Field] = &{
    const HEAD: [Field; 6] = [
        req("name", Ty::Str),
        req("in", Ty::OneOf(S2_PARAM_IN)),
        f("description", Ty::Str),
        f("required", Ty::Bool),
        req("type", Ty::OneOf(S2_PARAM_TYPES)),
        f("allowEmptyValue", Ty::Bool),
    ];
    const TAIL: [Field; 16] = s2_simple_fields!();
    concat_fields::<22>(&HEAD, &TAIL)
};
static S2_ITEMS: &[Field] = &{
    const HEAD: [Field; 1] = [req("type", Ty::OneOf(S2_ITEM_TYPES))];
    const TAIL: [Field; 16] = s2_simple_fields!();
    concat_fields::<17>(&HEAD, &TAIL)
};
static S2_HEADER: &[Field] = &{
    const HEAD: [Field; 2] = [
        f("description", Ty::Str),
        req("type", Ty::OneOf(S2_ITEM_TYPES)),
    ];
    const TAIL: [Field; 16] = s2_simple_fields!();
    concat_fields::<18>(&HEAD, &TAIL)
};
static S2_RESPONSE: &[Field] = &[
    req("description", Ty::Str),
    f("schema", Ty::Obj(Kind::S2Schema)),
    f("headers", Ty::Map(Ty2::Obj(Kind::S2Header))),
    f("examples", Ty::Any),
];
static S2_SCHEMA: &[Field] = &{
    const HEAD: [Field; 27] = schema_common!(Kind::S2Schema);
    const TAIL: [Field; 3] = [
        f("type", Ty::SchemaType),
        f("items", Ty::SchemaOrList),
        f("discriminator", Ty::Str),
    ];
    concat_fields::<30>(&HEAD, &TAIL)
};
static S2_SECURITY_SCHEME: &[Field] = &[
    req("type", Ty::OneOf(S2_SEC_TYPES)),
    f("description", Ty::Str),
    f("name", Ty::Str),
    f("in", Ty::OneOf(&["query", "header"])),
    f(
        "flow",
        Ty::OneOf(&["implicit", "password", "application", "accessCode"]),
    ),
    f("authorizationUrl", Ty::Str),
    f("tokenUrl", Ty::Str),
    f("scopes", Ty::Map(Ty2::Str)),
];
static SECURITY_REQUIREMENT: &[Field] = &[];

static O3_ROOT: &[Field] = &[
    req("openapi", Ty::Str),
    req("info", Ty::Obj(Kind::Info)),
    f("servers", Ty::List(Ty2::Obj(Kind::O3Server))),
    req("paths", Ty::Obj(Kind::O3Paths)),
    f("components", Ty::Obj(Kind::O3Components)),
    f("security", Ty::List(Ty2::Obj(Kind::SecurityRequirement))),
    f("tags", Ty::List(Ty2::Obj(Kind::Tag))),
    f("externalDocs", Ty::Obj(Kind::ExternalDocs)),
];
static O3_SERVER: &[Field] = &[
    req("url", Ty::Str),
    f("description", Ty::Str),
    f("variables", Ty::Map(Ty2::Obj(Kind::O3ServerVariable))),
];
static O3_SERVER_VARIABLE: &[Field] = &[
    f("enum", Ty::StrList),
    req("default", Ty::Str),
    f("description", Ty::Str),
];
static O3_COMPONENTS: &[Field] = &[
    f("schemas", Ty::Map(Ty2::RefOr(Kind::O3Schema))),
    f("responses", Ty::Map(Ty2::RefOr(Kind::O3Response))),
    f("parameters", Ty::Map(Ty2::RefOr(Kind::O3Parameter))),
    f("examples", Ty::Map(Ty2::RefOr(Kind::O3Example))),
    f("requestBodies", Ty::Map(Ty2::RefOr(Kind::O3RequestBody))),
    f("headers", Ty::Map(Ty2::RefOr(Kind::O3Header))),
    f(
        "securitySchemes",
        Ty::Map(Ty2::RefOr(Kind::O3SecurityScheme)),
    ),
    f("links", Ty::Map(Ty2::RefOr(Kind::O3Link))),
    f("callbacks", Ty::Map(Ty2::RefOr(Kind::O3Callback))),
];
static O3_PATH_ITEM: &[Field] = &[
    f("$ref", Ty::Str),
    f("summary", Ty::Str),
    f("description", Ty::Str),
    f("get", Ty::Obj(Kind::O3Operation)),
    f("put", Ty::Obj(Kind::O3Operation)),
    f("post", Ty::Obj(Kind::O3Operation)),
    f("delete", Ty::Obj(Kind::O3Operation)),
    f("options", Ty::Obj(Kind::O3Operation)),
    f("head", Ty::Obj(Kind::O3Operation)),
    f("patch", Ty::Obj(Kind::O3Operation)),
    f("trace", Ty::Obj(Kind::O3Operation)),
    f("servers", Ty::List(Ty2::Obj(Kind::O3Server))),
    f("parameters", Ty::List(Ty2::RefOr(Kind::O3Parameter))),
];
static O3_OPERATION: &[Field] = &[
    f("tags", Ty::StrList),
    f("summary", Ty::Str),
    f("description", Ty::Str),
    f("externalDocs", Ty::Obj(Kind::ExternalDocs)),
    f("operationId", Ty::Str),
    f("parameters", Ty::List(Ty2::RefOr(Kind::O3Parameter))),
    f("requestBody", Ty::RefOr(Kind::O3RequestBody)),
    req("responses", Ty::Obj(Kind::O3Responses)),
    f("callbacks", Ty::Map(Ty2::RefOr(Kind::O3Callback))),
    f("deprecated", Ty::Bool),
    f("security", Ty::List(Ty2::Obj(Kind::SecurityRequirement))),
    f("servers", Ty::List(Ty2::Obj(Kind::O3Server))),
];
static O3_PARAMETER: &[Field] = &[
    req("name", Ty::Str),
    req("in", Ty::OneOf(O3_PARAM_IN)),
    f("description", Ty::Str),
    f("required", Ty::Bool),
    f("deprecated", Ty::Bool),
    f("allowEmptyValue", Ty::Bool),
    f("style", Ty::OneOf(O3_STYLES)),
    f("explode", Ty::Bool),
    f("allowReserved", Ty::Bool),
    f("schema", Ty::RefOr(Kind::O3Schema)),
    f("example", Ty::Any),
    f("examples", Ty::Map(Ty2::RefOr(Kind::O3Example))),
    f("content", Ty::Map(Ty2::Obj(Kind::O3MediaType))),
];
static O3_HEADER: &[Field] = &[
    f("description", Ty::Str),
    f("required", Ty::Bool),
    f("deprecated", Ty::Bool),
    f("allowEmptyValue", Ty::Bool),
    f("style", Ty::OneOf(O3_STYLES)),
    f("explode", Ty::Bool),
    f("allowReserved", Ty::Bool),
    f("schema", Ty::RefOr(Kind::O3Schema)),
    f("example", Ty::Any),
    f("examples", Ty::Map(Ty2::RefOr(Kind::O3Example))),
    f("content", Ty::Map(Ty2::Obj(Kind::O3MediaType))),
];
static O3_REQUEST_BODY: &[Field] = &[
    f("description", Ty::Str),
    req("content", Ty::Map(Ty2::Obj(Kind::O3MediaType))),
    f("required", Ty::Bool),
];
static O3_MEDIA_TYPE: &[Field] = &[
    f("schema", Ty::RefOr(Kind::O3Schema)),
    f("example", Ty::Any),
    f("examples", Ty::Map(Ty2::RefOr(Kind::O3Example))),
    f("encoding", Ty::Map(Ty2::Obj(Kind::O3Encoding))),
];
static O3_ENCODING: &[Field] = &[
    f("contentType", Ty::Str),
    f("headers", Ty::Map(Ty2::RefOr(Kind::O3Header))),
    f("style", Ty::OneOf(O3_STYLES)),
    f("explode", Ty::Bool),
    f("allowReserved", Ty::Bool),
];
static O3_RESPONSE: &[Field] = &[
    req("description", Ty::Str),
    f("headers", Ty::Map(Ty2::RefOr(Kind::O3Header))),
    f("content", Ty::Map(Ty2::Obj(Kind::O3MediaType))),
    f("links", Ty::Map(Ty2::RefOr(Kind::O3Link))),
];
static O3_EXAMPLE: &[Field] = &[
    f("summary", Ty::Str),
    f("description", Ty::Str),
    f("value", Ty::Any),
    f("externalValue", Ty::Str),
];
static O3_LINK: &[Field] = &[
    f("operationRef", Ty::Str),
    f("operationId", Ty::Str),
    f("parameters", Ty::Any),
    f("requestBody", Ty::Any),
    f("description", Ty::Str),
    f("server", Ty::Obj(Kind::O3Server)),
];
static O3_SCHEMA: &[Field] = &{
    const HEAD: [Field; 27] = schema_common!(Kind::O3Schema);
    const TAIL: [Field; 10] = [
        f(
            "type",
            Ty::OneOf(&["array", "boolean", "integer", "number", "object", "string"]),
        ),
        f("items", Ty::RefOr(Kind::O3Schema)),
        f("oneOf", Ty::List(Ty2::RefOr(Kind::O3Schema))),
        f("anyOf", Ty::List(Ty2::RefOr(Kind::O3Schema))),
        f("not", Ty::RefOr(Kind::O3Schema)),
        f("nullable", Ty::Bool),
        f("discriminator", Ty::Obj(Kind::O3Discriminator)),
        f("writeOnly", Ty::Bool),
        f("deprecated", Ty::Bool),
        f("x-nullable", Ty::Bool),
    ];
    concat_fields::<37>(&HEAD, &TAIL)
};
static O3_DISCRIMINATOR: &[Field] = &[
    req("propertyName", Ty::Str),
    f("mapping", Ty::Map(Ty2::Str)),
];
static O3_SECURITY_SCHEME: &[Field] = &[
    req("type", Ty::OneOf(O3_SEC_TYPES)),
    f("description", Ty::Str),
    f("name", Ty::Str),
    f("in", Ty::OneOf(&["query", "header", "cookie"])),
    f("scheme", Ty::Str),
    f("bearerFormat", Ty::Str),
    f("flows", Ty::Obj(Kind::O3OAuthFlows)),
    f("openIdConnectUrl", Ty::Str),
];
static O3_OAUTH_FLOWS: &[Field] = &[
    f("implicit", Ty::Obj(Kind::O3OAuthFlow)),
    f("password", Ty::Obj(Kind::O3OAuthFlow)),
    f("clientCredentials", Ty::Obj(Kind::O3OAuthFlow)),
    f("authorizationCode", Ty::Obj(Kind::O3OAuthFlow)),
];
static O3_OAUTH_FLOW: &[Field] = &[
    f("authorizationUrl", Ty::Str),
    f("tokenUrl", Ty::Str),
    f("refreshUrl", Ty::Str),
    req("scopes", Ty::Map(Ty2::Str)),
];

/// Joins two field arrays at compile time (the tables share keyword groups).
const fn concat_fields<const N: usize>(a: &[Field], b: &[Field]) -> [Field; N] {
    let mut out = [const { f("", Ty::Any) }; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = Field {
            name: a[i].name,
            ty: a[i].ty,
            required: a[i].required,
        };
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = Field {
            name: b[j].name,
            ty: b[j].ty,
            required: b[j].required,
        };
        j += 1;
    }
    out
}

/// Whether an object of this kind accepts `x-` keys.
fn allows_extensions(kind: Kind) -> bool {
    !matches!(kind, Kind::SecurityRequirement | Kind::O3Discriminator)
}

struct Walker<'o> {
    out: &'o mut Vec<Diagnostic>,
}

/// Checks the document's object model for `version`.
pub fn check(version: SpecVersion, root: &Node, out: &mut Vec<Diagnostic>) {
    let mut w = Walker { out };
    match version {
        SpecVersion::Swagger2 => w.object(Kind::S2Root, root, ""),
        SpecVersion::OpenApi3 => {
            if let Some(v) = root.get("openapi") {
                let ok = v.as_str().is_some_and(|s| {
                    s.strip_prefix("3.0.")
                        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                });
                if !ok {
                    w.out.push(Diagnostic::new(
                        Rule::SchemaValue,
                        v.pos,
                        format!(
                            "`openapi` must be a 3.0.x version string (quoted), found {}",
                            describe(v)
                        ),
                        "/openapi",
                    ));
                }
            }
            w.object(Kind::O3Root, root, "")
        }
    }
}

fn describe(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) if !matches!(node.value, Value::Str(_)) => format!("{} `{}`", node.kind(), text),
        Some(text) => format!("\"{text}\""),
        None => node.kind().to_string(),
    }
}

impl Walker<'_> {
    fn fields(&self, kind: Kind, node: &Node) -> &'static [Field] {
        match kind {
            Kind::S2Root => S2_ROOT,
            Kind::Info => INFO,
            Kind::Contact => CONTACT,
            Kind::License => LICENSE,
            Kind::Tag => TAG,
            Kind::ExternalDocs => EXTERNAL_DOCS,
            Kind::Xml => XML,
            Kind::S2PathItem => S2_PATH_ITEM,
            Kind::S2Operation => S2_OPERATION,
            Kind::S2Parameter => {
                if node.get("in").and_then(Node::as_str) == Some("body") {
                    S2_PARAM_BODY
                } else {
                    S2_PARAM_OTHER
                }
            }
            Kind::S2Items => S2_ITEMS,
            Kind::S2Header => S2_HEADER,
            Kind::S2Response => S2_RESPONSE,
            Kind::S2Schema => S2_SCHEMA,
            Kind::S2SecurityScheme => S2_SECURITY_SCHEME,
            Kind::SecurityRequirement => SECURITY_REQUIREMENT,
            Kind::O3Root => O3_ROOT,
            Kind::O3Server => O3_SERVER,
            Kind::O3ServerVariable => O3_SERVER_VARIABLE,
            Kind::O3Components => O3_COMPONENTS,
            Kind::O3PathItem => O3_PATH_ITEM,
            Kind::O3Operation => O3_OPERATION,
            Kind::O3Parameter => O3_PARAMETER,
            Kind::O3RequestBody => O3_REQUEST_BODY,
            Kind::O3MediaType => O3_MEDIA_TYPE,
            Kind::O3Encoding => O3_ENCODING,
            Kind::O3Response => O3_RESPONSE,
            Kind::O3Header => O3_HEADER,
            Kind::O3Example => O3_EXAMPLE,
            Kind::O3Link => O3_LINK,
            Kind::O3Schema => O3_SCHEMA,
            Kind::O3Discriminator => O3_DISCRIMINATOR,
            Kind::O3SecurityScheme => O3_SECURITY_SCHEME,
            Kind::O3OAuthFlows => O3_OAUTH_FLOWS,
            Kind::O3OAuthFlow => O3_OAUTH_FLOW,
            // Patterned objects are handled in `object` before this is asked.
            Kind::S2Paths
            | Kind::S2Responses
            | Kind::O3Paths
            | Kind::O3Responses
            | Kind::O3Callback => &[],
        }
    }

    fn object(&mut self, kind: Kind, node: &Node, ptr: &str) {
        let Some(entries) = node.entries() else {
            self.out.push(Diagnostic::new(
                Rule::SchemaType,
                node.pos,
                format!(
                    "expected a mapping ({kind:?} object), found {}",
                    describe(node)
                )
                .replace("S2", "")
                .replace("O3", ""),
                ptr,
            ));
            return;
        };
        match kind {
            Kind::S2Paths | Kind::O3Paths => {
                let item = if kind == Kind::S2Paths {
                    Kind::S2PathItem
                } else {
                    Kind::O3PathItem
                };
                for e in entries {
                    let p = join(ptr, &e.key);
                    if e.key.starts_with('/') {
                        self.object(item, &e.value, &p);
                    } else if !e.key.starts_with("x-") {
                        self.out.push(Diagnostic::new(
                            Rule::SchemaPathKey,
                            e.key_node.pos,
                            format!("path `{}` must start with `/`", e.key),
                            &p,
                        ));
                    }
                }
                return;
            }
            Kind::S2Responses | Kind::O3Responses => {
                let item = if kind == Kind::S2Responses {
                    Kind::S2Response
                } else {
                    Kind::O3Response
                };
                if entries.iter().all(|e| e.key.starts_with("x-")) {
                    self.out.push(Diagnostic::new(
                        Rule::SchemaRequired,
                        node.pos,
                        "`responses` must document at least one response".into(),
                        ptr,
                    ));
                }
                for e in entries {
                    if !e.key.starts_with("x-") {
                        // Code syntax is a semantic rule; here only the shape.
                        self.ref_or(item, &e.value, &join(ptr, &e.key));
                    }
                }
                return;
            }
            Kind::O3Callback => {
                for e in entries {
                    if !e.key.starts_with("x-") {
                        self.object(Kind::O3PathItem, &e.value, &join(ptr, &e.key));
                    }
                }
                return;
            }
            _ => {}
        }
        let fields = self.fields(kind, node);
        let name = kind_name(kind);
        for field in fields.iter().filter(|fl| fl.required) {
            if node.get(field.name).is_none() {
                self.out.push(Diagnostic::new(
                    Rule::SchemaRequired,
                    node.pos,
                    format!("{name} is missing its required field `{}`", field.name),
                    ptr,
                ));
            }
        }
        for e in entries {
            let p = join(ptr, &e.key);
            if e.key.starts_with("x-") && allows_extensions(kind) {
                if kind == Kind::O3Schema && e.key == "x-nullable" {
                    self.value(Ty::Bool, &e.value, &p);
                }
                continue;
            }
            if kind == Kind::SecurityRequirement {
                self.value(Ty::StrList, &e.value, &p);
                continue;
            }
            match fields.iter().find(|fl| fl.name == e.key) {
                Some(field) => self.value(field.ty, &e.value, &p),
                None => {
                    let hint = if e.key.starts_with("x-") {
                        " (extensions are not allowed here)".to_string()
                    } else {
                        String::new()
                    };
                    self.out.push(Diagnostic::new(
                        Rule::SchemaUnknownKey,
                        e.key_node.pos,
                        format!("`{}` is not a field of {name}{hint}", e.key),
                        &p,
                    ));
                }
            }
        }
    }

    fn ref_or(&mut self, kind: Kind, node: &Node, ptr: &str) {
        if let Some(r) = node.get("$ref") {
            self.value(Ty::Str, r, &join(ptr, "$ref"));
            // Siblings of $ref are ignored by tools; only schemas may carry them.
            return;
        }
        self.object(kind, node, ptr);
    }

    fn value(&mut self, ty: Ty, node: &Node, ptr: &str) {
        let bad = |expected: &str, node: &Node| {
            Diagnostic::new(
                Rule::SchemaType,
                node.pos,
                format!("expected {expected}, found {}", describe(node)),
                ptr,
            )
        };
        match ty {
            Ty::Any => {}
            Ty::Str => {
                if node.as_str().is_none() {
                    self.out.push(bad("a string", node));
                }
            }
            Ty::Bool => {
                if node.as_bool().is_none() {
                    self.out.push(bad("a boolean", node));
                }
            }
            Ty::Int => {
                if !matches!(node.value, Value::Int(0..) | Value::UInt(_)) {
                    self.out.push(bad("a non-negative integer", node));
                }
            }
            Ty::Num => {
                if !matches!(node.value, Value::Int(_) | Value::UInt(_) | Value::Float(_)) {
                    self.out.push(bad("a number", node));
                }
            }
            Ty::OneOf(allowed) => match node.as_str() {
                Some(s) if allowed.contains(&s) => {}
                Some(s) => self.out.push(Diagnostic::new(
                    Rule::SchemaEnum,
                    node.pos,
                    format!("`{s}` is not one of {}", allowed.join(", ")),
                    ptr,
                )),
                None => self
                    .out
                    .push(bad(&format!("one of {}", allowed.join(", ")), node)),
            },
            Ty::StrList => self.list(Ty2::Str, node, ptr),
            Ty::Obj(kind) => self.object(kind, node, ptr),
            Ty::RefOr(kind) => self.ref_or(kind, node, ptr),
            Ty::List(elem) => self.list(elem, node, ptr),
            Ty::Map(elem) => match node.entries() {
                Some(entries) => {
                    for e in entries {
                        self.elem(elem, &e.value, &join(ptr, &e.key));
                    }
                }
                None => self.out.push(bad("a mapping", node)),
            },
            Ty::SchemaType => match &node.value {
                Value::Str(_) => self.value(
                    Ty::OneOf(&[
                        "array", "boolean", "integer", "number", "null", "object", "string", "file",
                    ]),
                    node,
                    ptr,
                ),
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(Ty::OneOf(JSON_TYPES), item, &join(ptr, &i.to_string()));
                    }
                }
                _ => self.out.push(bad("a type name", node)),
            },
            Ty::BoolOrSchema => {
                if node.as_bool().is_none() {
                    let kind = if self.is_o3(ptr) {
                        Kind::O3Schema
                    } else {
                        Kind::S2Schema
                    };
                    self.ref_or(kind, node, ptr);
                }
            }
            Ty::SchemaOrList => match &node.value {
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.object(Kind::S2Schema, item, &join(ptr, &i.to_string()));
                    }
                }
                _ => self.object(Kind::S2Schema, node, ptr),
            },
        }
    }

    /// OpenAPI 3 schemas live under /components; Swagger 2's never do.
    fn is_o3(&self, ptr: &str) -> bool {
        ptr.starts_with("/components") || ptr.contains("/content/") || ptr.contains("/requestBody")
    }

    fn list(&mut self, elem: Ty2, node: &Node, ptr: &str) {
        match node.items() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.elem(elem, item, &join(ptr, &i.to_string()));
                }
            }
            None => self.out.push(Diagnostic::new(
                Rule::SchemaType,
                node.pos,
                format!("expected a sequence, found {}", describe(node)),
                ptr,
            )),
        }
    }

    fn elem(&mut self, elem: Ty2, node: &Node, ptr: &str) {
        match elem {
            Ty2::Obj(kind) => self.object(kind, node, ptr),
            Ty2::RefOr(kind) => self.ref_or(kind, node, ptr),
            Ty2::Str => self.value(Ty::Str, node, ptr),
        }
    }
}

/// How an object kind is named in messages.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::S2Root | Kind::O3Root => "the root object",
        Kind::S2Paths | Kind::O3Paths => "a Paths object",
        Kind::S2PathItem | Kind::O3PathItem => "a Path Item",
        Kind::S2Operation | Kind::O3Operation => "an Operation",
        Kind::S2Parameter | Kind::O3Parameter => "a Parameter",
        Kind::S2Items => "an Items object",
        Kind::S2Responses | Kind::O3Responses => "a Responses object",
        Kind::S2Response | Kind::O3Response => "a Response",
        Kind::S2Header | Kind::O3Header => "a Header",
        Kind::S2Schema | Kind::O3Schema => "a Schema",
        Kind::S2SecurityScheme | Kind::O3SecurityScheme => "a Security Scheme",
        Kind::O3Server => "a Server",
        Kind::O3ServerVariable => "a Server Variable",
        Kind::O3Components => "the Components object",
        Kind::O3RequestBody => "a Request Body",
        Kind::O3MediaType => "a Media Type object",
        Kind::O3Encoding => "an Encoding object",
        Kind::O3Example => "an Example",
        Kind::O3Link => "a Link",
        Kind::O3Callback => "a Callback",
        Kind::O3Discriminator => "a Discriminator",
        Kind::O3OAuthFlows => "an OAuth Flows object",
        Kind::O3OAuthFlow => "an OAuth Flow",
        Kind::Info => "the Info object",
        Kind::Contact => "a Contact object",
        Kind::License => "a License object",
        Kind::Tag => "a Tag",
        Kind::ExternalDocs => "an External Documentation object",
        Kind::Xml => "an XML object",
        Kind::SecurityRequirement => "a Security Requirement",
    }
}
